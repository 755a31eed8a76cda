//! Property tests of task scoring, and the proof by test that the tie generalisation is §4.1.

use std::collections::BTreeMap;

use dojo_core::scoring::{cubic, minmax};
use dojo_core::{GroundTruth, score_task};
use dojo_gen::ProceduralGenerator;
use proptest::prelude::*;

type Ratings = BTreeMap<String, BTreeMap<String, f64>>;

/// Dense ranks with ties for `k` outputs, at least two levels.
fn ground_truth(k: usize) -> impl Strategy<Value = GroundTruth> {
    prop::collection::vec(0u32..4, k).prop_filter_map("needs two levels", |raw| {
        let levels: std::collections::BTreeSet<u32> = raw.iter().copied().collect();
        if levels.len() < 2 {
            return None;
        }
        let ranks = raw
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("o{i}"), levels.iter().take_while(|l| *l < r).count() as u32))
            .collect();
        Some(GroundTruth::new(ranks).unwrap())
    })
}

fn ratings_for(gt: &GroundTruth, miners: usize) -> impl Strategy<Value = Ratings> + use<> {
    let ids: Vec<String> = gt.ranks.keys().cloned().collect();
    prop::collection::vec(prop::collection::vec(1u32..=100, ids.len()), miners).prop_map(
        move |rows| {
            rows.into_iter()
                .enumerate()
                .map(|(m, row)| {
                    (
                        format!("m{m}"),
                        ids.iter().cloned().zip(row.into_iter().map(f64::from)).collect(),
                    )
                })
                .collect()
        },
    )
}

fn case() -> impl Strategy<Value = (GroundTruth, Ratings)> {
    (2usize..7, 1usize..12).prop_flat_map(|(k, m)| {
        ground_truth(k).prop_flat_map(move |gt| {
            let r = ratings_for(&gt, m);
            (Just(gt), r)
        })
    })
}

/// The literal §4.1 on a strict order: sort by rank, g = reverse(minmax(ranks)), no snapping.
fn reference_v1(gt: &GroundTruth, ratings: &Ratings) -> BTreeMap<String, f64> {
    let mut order: Vec<(&String, u32)> = gt.ranks.iter().map(|(k, v)| (k, *v)).collect();
    order.sort_by_key(|x| x.1);
    let ranks: Vec<f64> = order.iter().map(|x| f64::from(x.1)).collect();
    let mut g = minmax(&ranks);
    g.reverse();
    let cos: Vec<(String, f64)> = ratings
        .iter()
        .map(|(hk, r)| {
            let x: Vec<f64> = order.iter().map(|(id, _)| r[*id]).collect();
            let m = minmax(&x);
            let dot: f64 = m.iter().zip(&g).map(|(a, b)| a * b).sum();
            let c = dot
                / (m.iter().map(|a| a * a).sum::<f64>().sqrt()
                    * g.iter().map(|a| a * a).sum::<f64>().sqrt());
            (hk.clone(), if c.is_nan() { -1.0 } else { c })
        })
        .collect();
    let n: Vec<f64> = cos.iter().map(|(_, c)| (c + 1.0) / 2.0).collect();
    let sum: f64 = n.iter().sum();
    let cubics: Vec<f64> = n.iter().map(|v| cubic(v / sum)).collect();
    let p = minmax(&cubics);
    let total: f64 = p.iter().sum();
    cos.into_iter().zip(p).map(|((hk, _), p)| (hk, p / total)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn scores_sum_to_one((gt, ratings) in case()) {
        let s = score_task(&gt, &ratings).unwrap();
        let sum: f64 = s.miners.values().map(|m| m.score).sum();
        prop_assert!((sum - 1.0).abs() < 1e-9, "sum {sum}");
    }

    #[test]
    fn ground_truth_follower_is_never_beaten((gt, mut ratings) in case(), a in 1.0f64..40.0, b in 1.0f64..60.0) {
        let (_, g) = dojo_core::scoring::ground_truth_vector(&gt).unwrap();
        let (order, _) = dojo_core::scoring::ground_truth_vector(&gt).unwrap();
        let follower: BTreeMap<String, f64> = order.iter().cloned().zip(g.iter().map(|v| a + b * v)).collect();
        ratings.insert("follower".into(), follower);
        let s = score_task(&gt, &ratings).unwrap();
        let best = s.miners["follower"].score;
        prop_assert_eq!(s.miners["follower"].cosine, 1.0);
        for (hk, m) in &s.miners {
            prop_assert!(m.score <= best, "{} scored {} > follower {}", hk, m.score, best);
        }
    }

    #[test]
    fn missing_rating_excludes_the_miner((gt, mut ratings) in case(), pick in any::<prop::sample::Index>()) {
        let baseline = score_task(&gt, &ratings).unwrap();
        let mut partial = ratings.values().next().unwrap().clone();
        let ids: Vec<String> = partial.keys().cloned().collect();
        partial.remove(&ids[pick.index(ids.len())]);
        ratings.insert("zz-partial".into(), partial);
        let s = score_task(&gt, &ratings).unwrap();
        prop_assert!(!s.miners.contains_key("zz-partial"));
        prop_assert!(s.excluded.contains_key("zz-partial"));
        prop_assert_eq!(s.scores(), baseline.scores());
    }

    #[test]
    fn strict_orders_reduce_to_v1(k in 2usize..7, seed in any::<u64>(), rows in prop::collection::vec(prop::collection::vec(1u32..=100, 6), 1..10)) {
        // A random strict order of k outputs.
        let mut ids: Vec<usize> = (0..k).collect();
        let mut s = seed;
        for i in (1..k).rev() { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); ids.swap(i, (s >> 33) as usize % (i + 1)); }
        let gt = GroundTruth::new(ids.iter().enumerate().map(|(rank, id)| (format!("o{id}"), rank as u32)).collect()).unwrap();
        prop_assert!(gt.is_strict());
        let ratings: Ratings = rows.iter().enumerate().map(|(m, row)| (format!("m{m}"), (0..k).map(|i| (format!("o{i}"), f64::from(row[i]))).collect())).collect();
        let ours = score_task(&gt, &ratings).unwrap();
        // Same ground-truth vector, bit for bit.
        let mut ranks: Vec<f64> = (0..k).map(|r| r as f64).collect();
        ranks = minmax(&ranks);
        ranks.reverse();
        prop_assert_eq!(&ours.ground_truth_vector, &ranks);
        let reference = reference_v1(&gt, &ratings);
        for (hk, r) in reference {
            prop_assert!((ours.miners[&hk].score - r).abs() < 1e-9, "{}: {} vs {}", hk, ours.miners[&hk].score, r);
        }
    }
}

#[test]
fn invariant_to_presentation_order() {
    // Miners see outputs in their own shuffled order and rate positions; mapped back to ids,
    // the scores must not depend on the order they were shown in.
    let task = ProceduralGenerator::default().generate(11).unwrap();
    let gt = task.ground_truth.clone().unwrap();
    let by_id = |id: &str| 90.0 - 20.0 * f64::from(gt.ranks[id]) + id.len() as f64;
    let mut results = Vec::new();
    for seed in 0..20u64 {
        let mut ratings: Ratings = BTreeMap::new();
        for miner in ["alice", "bob", "carol"] {
            let view = task.present(seed, miner);
            let mut r = BTreeMap::new();
            for o in &view.outputs {
                let noise =
                    if miner == "bob" { 7.0 * f64::from(o.id.as_bytes()[0] % 3) } else { 0.0 };
                r.insert(o.id.clone(), by_id(&o.id) + noise);
            }
            ratings.insert(miner.to_string(), r);
        }
        results.push(score_task(&gt, &ratings).unwrap().scores());
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn relabelling_outputs_changes_nothing() {
    // Renaming outputs consistently (which also changes the tie-break order) keeps the scores.
    let gt = GroundTruth::new(
        [("a", 0), ("b", 0), ("c", 1), ("d", 2)].map(|(k, v)| (k.to_string(), v)).into(),
    )
    .unwrap();
    let ratings: Ratings = [
        ("x", [80.0, 60.0, 30.0, 10.0]),
        ("y", [50.0, 90.0, 20.0, 40.0]),
        ("z", [10.0, 20.0, 90.0, 95.0]),
    ]
    .iter()
    .map(|(hk, v)| {
        (hk.to_string(), ["a", "b", "c", "d"].iter().map(|s| s.to_string()).zip(*v).collect())
    })
    .collect();
    let rename = |s: &str| {
        match s {
            "a" => "z1",
            "b" => "a1",
            "c" => "m1",
            _ => "b1",
        }
        .to_string()
    };
    let gt2 = GroundTruth::new(gt.ranks.iter().map(|(k, v)| (rename(k), *v)).collect()).unwrap();
    let ratings2: Ratings = ratings
        .iter()
        .map(|(hk, r)| (hk.clone(), r.iter().map(|(k, v)| (rename(k), *v)).collect()))
        .collect();
    let a = score_task(&gt, &ratings).unwrap().scores();
    let b = score_task(&gt2, &ratings2).unwrap().scores();
    for (hk, s) in a {
        assert!((s - b[&hk]).abs() < 1e-12);
    }
}
