//! Ground-truth scoring of one task (Dojo v1, reference §4.1) and its generalisation to
//! partial orders with ties, plus a dense, allocation-light kernel for whole scoring runs.
//!
//! See the crate documentation for the definition.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::DojoError;
use crate::task::{GroundTruth, OutputId};

/// Cubic transform scaling (reference §4.1 step 5).
pub const CUBIC_SCALING: f64 = 0.006;
/// Cubic transform translation.
pub const CUBIC_TRANSLATION: f64 = 7.0;
/// Cubic transform offset.
pub const CUBIC_OFFSET: f64 = 2.0;
/// Cosines within this distance of 1 are snapped to exactly 1, so that a rater who follows the
/// ground truth exactly is never beaten through rounding.
pub const COSINE_SNAP: f64 = 1e-12;

/// A miner's raw ratings of one task: output id → score.
pub type RatingVector = BTreeMap<OutputId, f64>;

/// Why a miner has no score in a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason", content = "output")]
pub enum Exclusion {
    /// No rating for this output.
    MissingRating(OutputId),
    /// A rating that is NaN or infinite.
    NonFinite(OutputId),
    /// A rating for an output the task does not have.
    UnknownOutput(OutputId),
}

impl std::fmt::Display for Exclusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exclusion::MissingRating(o) => write!(f, "missing rating for output {o}"),
            Exclusion::NonFinite(o) => write!(f, "rating for output {o} is not a finite number"),
            Exclusion::UnknownOutput(o) => write!(f, "rating for unknown output {o}"),
        }
    }
}

/// Every intermediate value of one miner's score in one task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinerSteps {
    /// Raw ratings in canonical order (best ground-truth rank first).
    pub raw: Vec<f64>,
    /// Min-max normalised ratings (all ones when constant).
    pub normalised: Vec<f64>,
    /// Cosine similarity with the ground-truth vector.
    pub cosine: f64,
    /// `(cosine + 1) / 2`, L1-normalised across miners.
    pub normalised_cosine: f64,
    /// `0.006 · (normalised_cosine − 7)³ + 2`.
    pub cubic: f64,
    /// Min-max of the cubic values across miners, L1-normalised: the task score.
    pub score: f64,
}

/// The result of scoring one task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskScores {
    /// Output ids in canonical order: by ground-truth rank, then id.
    pub order: Vec<OutputId>,
    /// The ground-truth vector `g` in that order.
    pub ground_truth_vector: Vec<f64>,
    /// Scored miners.
    pub miners: BTreeMap<String, MinerSteps>,
    /// Miners left out, with the reason (they get no entry, not a zero).
    pub excluded: BTreeMap<String, Exclusion>,
}

impl TaskScores {
    /// Final score per miner.
    pub fn scores(&self) -> BTreeMap<String, f64> {
        self.miners.iter().map(|(k, v)| (k.clone(), v.score)).collect()
    }
}

/// Canonical order and ground-truth vector: outputs sorted by (rank, id);
/// `g_j = (r_max − r_j) / r_max`.
pub fn ground_truth_vector(gt: &GroundTruth) -> Result<(Vec<OutputId>, Vec<f64>), DojoError> {
    gt.validate()?;
    let mut order: Vec<(&OutputId, u32)> = gt.ranks.iter().map(|(k, &v)| (k, v)).collect();
    order.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(b.0)));
    let max = order.iter().map(|x| x.1).max().unwrap_or(0);
    let g = order.iter().map(|&(_, r)| f64::from(max - r) / f64::from(max)).collect();
    Ok((order.into_iter().map(|(k, _)| k.clone()).collect(), g))
}

/// Min-max normalisation; a constant vector becomes all ones (reference §4.1 step 2).
pub fn minmax(x: &[f64]) -> Vec<f64> {
    let (lo, hi) = min_max(x);
    if hi == lo {
        return vec![1.0; x.len()];
    }
    x.iter().map(|v| (v - lo) / (hi - lo)).collect()
}

fn min_max(x: &[f64]) -> (f64, f64) {
    x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// Cosine similarity of a raw rating row with `g`, after min-max (constant → ones); NaN → −1,
/// clamped to [−1, 1], snapped to 1 within [`COSINE_SNAP`].
pub fn cosine_vs_ground_truth(raw: &[f64], g: &[f64]) -> f64 {
    let (lo, hi) = min_max(raw);
    let (mut dot, mut mm, mut gg) = (0.0, 0.0, 0.0);
    let span = hi - lo;
    for (&x, &gj) in raw.iter().zip(g) {
        let m = if span == 0.0 { 1.0 } else { (x - lo) / span };
        dot += m * gj;
        mm += m * m;
        gg += gj * gj;
    }
    let c = dot / (mm.sqrt() * gg.sqrt());
    if c.is_nan() {
        -1.0
    } else if c > 1.0 - COSINE_SNAP {
        1.0
    } else {
        c.max(-1.0)
    }
}

/// The cubic reward transform (reference §4.1 step 5); NaN → 0.
pub fn cubic(n: f64) -> f64 {
    let d = n - CUBIC_TRANSLATION;
    let v = CUBIC_SCALING * d * d * d + CUBIC_OFFSET;
    if v.is_nan() { 0.0 } else { v }
}

/// Steps 4–6 of §4.1 in place: `values` holds cosines on entry and final scores on exit.
/// `normalised` and `cubics`, if given, receive the intermediates.
fn finish(
    values: &mut [f64],
    mut normalised: Option<&mut Vec<f64>>,
    mut cubics: Option<&mut Vec<f64>>,
) {
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v + 1.0) / 2.0;
        sum += *v;
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.iter_mut() {
        *v /= sum;
        if let Some(n) = normalised.as_deref_mut() {
            n.push(*v);
        }
        *v = cubic(*v);
        if let Some(c) = cubics.as_deref_mut() {
            c.push(*v);
        }
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    let mut total = 0.0;
    for v in values.iter_mut() {
        *v = if hi == lo { 1.0 } else { (*v - lo) / (hi - lo) };
        total += *v;
    }
    for v in values.iter_mut() {
        *v /= total;
    }
}

/// Scores a dense task: `ratings` holds one row of `g.len()` raw ratings per miner, in the
/// canonical order of `g`; `out` (one slot per miner) receives the task scores.
/// Rows must be complete and finite (the caller excludes the others).
pub fn score_dense(g: &[f64], ratings: &[f64], out: &mut [f64]) {
    let k = g.len();
    if k == 0 {
        return;
    }
    for (row, o) in ratings.chunks_exact(k).zip(out.iter_mut()) {
        *o = cosine_vs_ground_truth(row, g);
    }
    finish(out, None, None);
}

/// Scores one task against its ground truth (reference §4.1, generalised to ties).
///
/// Miners missing any rating, with a non-finite rating or rating an unknown output are
/// excluded (no entry). The scores of the remaining miners sum to 1.
pub fn score_task(
    gt: &GroundTruth,
    ratings: &BTreeMap<String, RatingVector>,
) -> Result<TaskScores, DojoError> {
    let (order, g) = ground_truth_vector(gt)?;
    let mut rows: Vec<(String, Vec<f64>)> = Vec::new();
    let mut excluded = BTreeMap::new();
    'miners: for (hotkey, r) in ratings {
        if let Some(unknown) = r.keys().find(|k| !gt.ranks.contains_key(*k)) {
            excluded.insert(hotkey.clone(), Exclusion::UnknownOutput(unknown.clone()));
            continue;
        }
        let mut row = Vec::with_capacity(order.len());
        for id in &order {
            match r.get(id) {
                None => {
                    excluded.insert(hotkey.clone(), Exclusion::MissingRating(id.clone()));
                    continue 'miners;
                }
                Some(v) if !v.is_finite() => {
                    excluded.insert(hotkey.clone(), Exclusion::NonFinite(id.clone()));
                    continue 'miners;
                }
                Some(&v) => row.push(v),
            }
        }
        rows.push((hotkey.clone(), row));
    }
    let mut values: Vec<f64> =
        rows.iter().map(|(_, row)| cosine_vs_ground_truth(row, &g)).collect();
    let cosines = values.clone();
    let mut normalised = Vec::with_capacity(rows.len());
    let mut cubics = Vec::with_capacity(rows.len());
    finish(&mut values, Some(&mut normalised), Some(&mut cubics));
    let miners = rows
        .into_iter()
        .enumerate()
        .map(|(i, (hotkey, raw))| {
            let steps = MinerSteps {
                normalised: minmax(&raw),
                raw,
                cosine: cosines[i],
                normalised_cosine: normalised[i],
                cubic: cubics[i],
                score: values[i],
            };
            (hotkey, steps)
        })
        .collect();
    Ok(TaskScores { order, ground_truth_vector: g, miners, excluded })
}

/// One task of a dense scoring run.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseTask {
    /// Ground-truth vector in canonical order (see [`ground_truth_vector`]).
    pub g: Vec<f64>,
    /// Run-wide miner index of each row.
    pub miners: Vec<u32>,
    /// Complete, finite rows of raw ratings, `g.len()` per miner.
    pub ratings: Vec<f64>,
}

/// Per-miner totals of a scoring run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunTotals {
    /// Sum of task scores per miner index.
    pub sum: Vec<f64>,
    /// Number of tasks each miner was scored in.
    pub count: Vec<u32>,
    /// Number of tasks processed in the run.
    pub tasks: usize,
}

const CHUNK: usize = 2048;

fn run_chunk(tasks: &[DenseTask], n_miners: usize) -> RunTotals {
    let mut totals =
        RunTotals { sum: vec![0.0; n_miners], count: vec![0; n_miners], tasks: tasks.len() };
    let mut buf = Vec::new();
    for t in tasks {
        buf.clear();
        buf.resize(t.miners.len(), 0.0);
        score_dense(&t.g, &t.ratings, &mut buf);
        for (&m, &s) in t.miners.iter().zip(&buf) {
            let m = m as usize;
            if let (Some(sum), Some(c)) = (totals.sum.get_mut(m), totals.count.get_mut(m)) {
                *sum += s;
                *c += 1;
            }
        }
    }
    totals
}

/// Scores every task of a run and totals the scores per miner, on all available cores.
/// Deterministic: tasks are processed in fixed-size chunks merged in order, whatever the
/// number of threads. Miner indices ≥ `n_miners` are ignored.
pub fn score_run_dense(tasks: &[DenseTask], n_miners: usize) -> RunTotals {
    let chunks: Vec<&[DenseTask]> = tasks.chunks(CHUNK).collect();
    let threads =
        std::thread::available_parallelism().map_or(1, |n| n.get()).min(chunks.len().max(1));
    let mut partials: Vec<Option<RunTotals>> = vec![None; chunks.len()];
    if threads <= 1 {
        for (c, p) in chunks.iter().zip(partials.iter_mut()) {
            *p = Some(run_chunk(c, n_miners));
        }
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    let mut local = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(c) = chunks.get(i) else { break };
                        local.push((i, run_chunk(c, n_miners)));
                    }
                    if let Ok(mut r) = results.lock() {
                        r.extend(local);
                    }
                });
            }
        });
        for (i, t) in results.into_inner().unwrap_or_default() {
            if let Some(p) = partials.get_mut(i) {
                *p = Some(t);
            }
        }
    }
    let mut totals = RunTotals { sum: vec![0.0; n_miners], count: vec![0; n_miners], tasks: 0 };
    for p in partials.into_iter().flatten() {
        totals.tasks += p.tasks;
        for (a, b) in totals.sum.iter_mut().zip(&p.sum) {
            *a += b;
        }
        for (a, b) in totals.count.iter_mut().zip(&p.count) {
            *a += b;
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gt(pairs: &[(&str, u32)]) -> GroundTruth {
        GroundTruth::new(pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()).unwrap()
    }

    fn rv(pairs: &[(&str, f64)]) -> RatingVector {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn abcd() -> GroundTruth {
        gt(&[("a", 0), ("b", 1), ("c", 2), ("d", 3)])
    }

    // §9.1
    #[test]
    fn vector_ground_truth_of_four() {
        let (order, g) = ground_truth_vector(&abcd()).unwrap();
        assert_eq!(order, ["a", "b", "c", "d"]);
        assert_eq!(g, vec![1.0, 2.0 / 3.0, 1.0 / 3.0, 0.0]);
        let bad = GroundTruth {
            ranks: [("a", 0), ("b", 1), ("c", 3)].map(|(k, v)| (k.to_string(), v)).into(),
        };
        assert!(ground_truth_vector(&bad).is_err());
    }

    // §9.2
    #[test]
    fn vector_constant_miner() {
        assert_eq!(minmax(&[50.0; 4]), vec![1.0; 4]);
        let (_, g) = ground_truth_vector(&abcd()).unwrap();
        let c = cosine_vs_ground_truth(&[50.0; 4], &g);
        assert!((c - 0.8018).abs() < 1e-4, "{c}");
    }

    // §9.3
    #[test]
    fn vector_perfect_vs_reversed() {
        let ratings = [
            ("perfect".to_string(), rv(&[("a", 100.0), ("b", 70.0), ("c", 40.0), ("d", 10.0)])),
            ("reversed".to_string(), rv(&[("a", 10.0), ("b", 40.0), ("c", 70.0), ("d", 100.0)])),
        ]
        .into();
        let s = score_task(&abcd(), &ratings).unwrap();
        assert_eq!(s.miners["perfect"].score, 1.0);
        assert_eq!(s.miners["reversed"].score, 0.0);
        assert!((s.miners["reversed"].cosine - 0.2857).abs() < 1e-4);
        assert_eq!(s.miners["perfect"].cosine, 1.0);
    }

    // §9.5
    #[test]
    fn vector_identical_and_lone() {
        let r = rv(&[("a", 90.0), ("b", 20.0), ("c", 55.0), ("d", 10.0)]);
        let two = [("x".to_string(), r.clone()), ("y".to_string(), r.clone())].into();
        let s = score_task(&abcd(), &two).unwrap();
        assert_eq!(s.miners["x"].score, 0.5);
        assert_eq!(s.miners["y"].score, 0.5);
        let one = [("x".to_string(), r)].into();
        assert_eq!(score_task(&abcd(), &one).unwrap().miners["x"].score, 1.0);
    }

    // §9.6
    #[test]
    fn vector_missing_rating_excluded() {
        let ratings = [
            ("full".to_string(), rv(&[("a", 100.0), ("b", 70.0), ("c", 40.0), ("d", 10.0)])),
            ("partial".to_string(), rv(&[("a", 100.0), ("b", 70.0), ("c", 40.0)])),
            ("nan".to_string(), rv(&[("a", f64::NAN), ("b", 70.0), ("c", 40.0), ("d", 1.0)])),
            (
                "extra".to_string(),
                rv(&[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0), ("e", 5.0)]),
            ),
        ]
        .into();
        let s = score_task(&abcd(), &ratings).unwrap();
        assert_eq!(s.miners.len(), 1);
        assert_eq!(s.excluded["partial"], Exclusion::MissingRating("d".into()));
        assert_eq!(s.excluded["nan"], Exclusion::NonFinite("a".into()));
        assert_eq!(s.excluded["extra"], Exclusion::UnknownOutput("e".into()));
        assert_eq!(s.miners["full"].score, 1.0);
    }

    #[test]
    fn ties_two_plus_two() {
        let gt = gt(&[("v1", 0), ("v2", 0), ("f1", 1), ("f2", 1)]);
        let (order, g) = ground_truth_vector(&gt).unwrap();
        assert_eq!(order, ["v1", "v2", "f1", "f2"]);
        assert_eq!(g, vec![1.0, 1.0, 0.0, 0.0]);
        let ratings = [
            ("good".to_string(), rv(&[("v1", 90.0), ("v2", 90.0), ("f1", 5.0), ("f2", 5.0)])),
            ("close".to_string(), rv(&[("v1", 90.0), ("v2", 60.0), ("f1", 5.0), ("f2", 10.0)])),
        ]
        .into();
        let s = score_task(&gt, &ratings).unwrap();
        assert_eq!(s.miners["good"].cosine, 1.0);
        assert_eq!(s.miners["good"].score, 1.0);
    }

    #[test]
    fn dense_matches_structured() {
        let (_, g) = ground_truth_vector(&abcd()).unwrap();
        let rows = [100.0, 70.0, 40.0, 10.0, 10.0, 40.0, 70.0, 100.0, 50.0, 50.0, 50.0, 50.0];
        let mut out = [0.0; 3];
        score_dense(&g, &rows, &mut out);
        assert!(out[0] > out[2] && out[2] > out[1]);
        assert_eq!(out[1], 0.0);
        let sum: f64 = out.iter().sum();
        assert!((sum - 1.0).abs() < 1e-12);
        let tasks = vec![DenseTask { g, miners: vec![0, 1, 2], ratings: rows.to_vec() }; 5000];
        let t = score_run_dense(&tasks, 3);
        assert_eq!(t.tasks, 5000);
        assert_eq!(t.count, vec![5000; 3]);
        assert!((t.sum[0] - 5000.0 * out[0]).abs() < 1e-6);
    }
}
