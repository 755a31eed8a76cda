//! Defences the original network lacked (reference §8), layered around the §4.1 scoring.
//!
//! Rules, applied per task in this order:
//!
//! 1. **Too fast** — a worker result answered in less than
//!    `min_secs_per_output × number of outputs` seconds is discarded before the miner's mean is
//!    taken (no human can open, try and judge interactive apps that fast). A miner left with no
//!    result is excluded from the task: penalty [`Penalty::TooFast`], score 0.
//! 2. **Constant** — a miner whose mean ratings are all equal (it did not discriminate at all;
//!    in v1 this still earned a cosine of ≈ 0.80) gets 0 and is removed from the pool before
//!    the pie is split: [`Penalty::Constant`].
//! 3. **Copied** — miners whose rating vectors are bit-for-bit identical form a group; the
//!    group is scored once, as one rater, and its score is split equally among its members:
//!    [`Penalty::Copied`]. Copies of one good rater therefore earn together what a single one
//!    earns, so sybils gain nothing.
//! 4. **Lone responder** — when fewer than `quorum` distinct raters remain, the task is not a
//!    real contest: each score is multiplied by `raters / quorum` and, with ground truth, by
//!    the rater's absolute quality `max(0, (c − c₀) / (1 − c₀))`, where `c` is its cosine and
//!    `c₀` the cosine of a constant rating vector: [`Penalty::BelowQuorum`]. A lone perfect
//!    rater gets `1 / quorum` instead of the whole task, a lone random one ≈ nothing.
//!
//! Without penalties the scores are exactly the §4.1 scores and sum to 1; with penalties the
//! sum is at most 1 (what is withheld is not redistributed).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::agreement::agreement_scores;
use crate::error::DojoError;
use crate::ratings::{MinerResponse, mean_of};
use crate::scoring::{
    Exclusion, RatingVector, TaskScores, cosine_vs_ground_truth, ground_truth_vector, score_task,
};
use crate::task::{OutputId, Task};

/// Thresholds of the defences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefencePolicy {
    /// Minimum plausible human time per output, seconds.
    pub min_secs_per_output: f64,
    /// Distinct raters needed for a full-value task.
    pub quorum: usize,
}

impl Default for DefencePolicy {
    fn default() -> Self {
        DefencePolicy { min_secs_per_output: 5.0, quorum: 3 }
    }
}

/// A penalty applied to a miner in a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Penalty {
    /// Worker results faster than a human were discarded.
    TooFast {
        /// Results discarded.
        discarded: usize,
        /// Results kept.
        kept: usize,
        /// The minimum time, seconds.
        min_secs: f64,
    },
    /// All ratings equal.
    Constant,
    /// Identical rating vector to other miners; the group shares one score.
    Copied {
        /// All members of the group, including this miner.
        group: Vec<String>,
    },
    /// Fewer distinct raters than the quorum.
    BelowQuorum {
        /// Distinct raters in the pool.
        raters: usize,
        /// The quorum.
        quorum: usize,
        /// Factor applied to the score.
        factor: f64,
    },
}

/// Scores of one task after the defences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefendedScores {
    /// Final score per miner that took part (penalised miners have 0 or a reduced score).
    pub scores: BTreeMap<String, f64>,
    /// Penalties per miner.
    pub penalties: BTreeMap<String, Vec<Penalty>>,
    /// Miners with no score at all (missing ratings), with the reason.
    pub excluded: BTreeMap<String, Exclusion>,
    /// The §4.1 scoring of the pool (ground-truth tasks only).
    pub ground_truth: Option<TaskScores>,
}

/// Scores one task's responses with the defences.
pub fn score_with_defences(
    task: &Task,
    responses: &[MinerResponse],
    policy: &DefencePolicy,
) -> Result<DefendedScores, DojoError> {
    let k = task.outputs.len();
    let min_secs = policy.min_secs_per_output * k as f64;
    let mut out = DefendedScores {
        scores: BTreeMap::new(),
        penalties: BTreeMap::new(),
        excluded: BTreeMap::new(),
        ground_truth: None,
    };
    // Rule 1: too fast.
    let mut ratings: BTreeMap<String, RatingVector> = BTreeMap::new();
    for r in responses {
        let kept = r.results.iter().filter(|w| w.elapsed_secs >= min_secs);
        let n_kept = kept.clone().count();
        let discarded = r.results.len() - n_kept;
        if discarded > 0 {
            out.penalties.entry(r.hotkey.clone()).or_default().push(Penalty::TooFast {
                discarded,
                kept: n_kept,
                min_secs,
            });
        }
        if n_kept == 0 {
            if discarded > 0 {
                out.scores.insert(r.hotkey.clone(), 0.0);
            }
            continue;
        }
        ratings.insert(r.hotkey.clone(), mean_of(kept));
    }
    // Completeness first, so rules 2–3 see only complete vectors in output order.
    let order: Vec<OutputId> = task.outputs.iter().map(|o| o.id.clone()).collect();
    let mut complete: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (hk, r) in &ratings {
        if let Some(id) = order.iter().find(|id| !r.contains_key(*id)) {
            out.excluded.insert(hk.clone(), Exclusion::MissingRating(id.clone()));
        } else if let Some((id, _)) = r.iter().find(|(_, v)| !v.is_finite()) {
            out.excluded.insert(hk.clone(), Exclusion::NonFinite(id.clone()));
        } else if let Some(id) = r.keys().find(|id| !order.contains(id)) {
            out.excluded.insert(hk.clone(), Exclusion::UnknownOutput(id.clone()));
        } else {
            complete.insert(hk.clone(), order.iter().filter_map(|id| r.get(id).copied()).collect());
        }
    }
    // Rule 2: constant.
    complete.retain(|hk, row| {
        let constant = row.windows(2).all(|w| w[0] == w[1]);
        if constant {
            out.penalties.entry(hk.clone()).or_default().push(Penalty::Constant);
            out.scores.insert(hk.clone(), 0.0);
        }
        !constant
    });
    // Rule 3: copies (exact bit equality), group representative = first hotkey.
    let mut groups: BTreeMap<Vec<u64>, Vec<String>> = BTreeMap::new();
    for (hk, row) in &complete {
        groups.entry(row.iter().map(|v| v.to_bits()).collect()).or_default().push(hk.clone());
    }
    let mut pool: BTreeMap<String, RatingVector> = BTreeMap::new();
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for group in groups.into_values() {
        let Some(rep) = group.first().cloned() else { continue };
        if let Some(r) = ratings.get(&rep) {
            pool.insert(rep.clone(), r.clone());
        }
        if group.len() > 1 {
            for hk in &group {
                out.penalties
                    .entry(hk.clone())
                    .or_default()
                    .push(Penalty::Copied { group: group.clone() });
            }
        }
        members.insert(rep, group);
    }
    // Score the pool.
    let raters = pool.len();
    let mut pool_scores: BTreeMap<String, f64>;
    let mut quality: BTreeMap<String, f64> = BTreeMap::new();
    if let Some(gt) = &task.ground_truth {
        let s = score_task(gt, &pool)?;
        let (_, g) = ground_truth_vector(gt)?;
        let c0 = cosine_vs_ground_truth(&vec![1.0; g.len()], &g);
        for (hk, m) in &s.miners {
            let q = if c0 < 1.0 { ((m.cosine - c0) / (1.0 - c0)).max(0.0) } else { 0.0 };
            quality.insert(hk.clone(), q);
        }
        pool_scores = s.scores();
        out.ground_truth = Some(s);
    } else {
        pool_scores = agreement_scores(&order, &pool).scores;
    }
    // Rule 4: quorum.
    if raters < policy.quorum && raters > 0 {
        let base = raters as f64 / policy.quorum as f64;
        for (hk, s) in pool_scores.iter_mut() {
            let factor = base * quality.get(hk).copied().unwrap_or(1.0);
            *s *= factor;
            for m in members.get(hk).into_iter().flatten() {
                out.penalties.entry(m.clone()).or_default().push(Penalty::BelowQuorum {
                    raters,
                    quorum: policy.quorum,
                    factor,
                });
            }
        }
    }
    // Split group scores.
    for (rep, s) in pool_scores {
        let group = members.get(&rep).cloned().unwrap_or_else(|| vec![rep.clone()]);
        let share = s / group.len() as f64;
        for hk in group {
            out.scores.insert(hk, share);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratings::WorkerResult;
    use crate::task::{Criteria, GroundTruth, Modality, Output, TaskShape};

    fn task() -> Task {
        let ids = ["a", "b", "c", "d"];
        Task {
            id: "t".into(),
            prompt: "p".into(),
            outputs: ids
                .iter()
                .map(|id| Output {
                    id: id.to_string(),
                    modality: Modality::Text,
                    content: id.to_string(),
                    model: "m".into(),
                    flaws: vec![],
                    interactions: vec![],
                    annotations: vec![],
                })
                .collect(),
            ground_truth: Some(
                GroundTruth::new(
                    ids.iter().enumerate().map(|(i, id)| (id.to_string(), i as u32)).collect(),
                )
                .unwrap(),
            ),
            criteria: Criteria::default(),
            shape: TaskShape::OneOriginalThreeFlawed,
            seed: None,
        }
    }

    fn resp(hk: &str, v: [f64; 4], secs: f64) -> MinerResponse {
        MinerResponse {
            hotkey: hk.into(),
            coldkey: None,
            results: vec![WorkerResult {
                worker_id: format!("{hk}-w"),
                scores: ["a", "b", "c", "d"].iter().map(|s| s.to_string()).zip(v).collect(),
                ranking: vec![],
                rationale: String::new(),
                elapsed_secs: secs,
            }],
            received_at: 0,
        }
    }

    fn honest() -> Vec<MinerResponse> {
        vec![
            resp("h1", [90.0, 70.0, 40.0, 10.0], 120.0),
            resp("h2", [80.0, 75.0, 30.0, 20.0], 120.0),
            resp("h3", [60.0, 70.0, 50.0, 10.0], 120.0),
        ]
    }

    #[test]
    fn no_penalty_is_plain_scoring() {
        let d = score_with_defences(&task(), &honest(), &DefencePolicy::default()).unwrap();
        assert!(d.penalties.is_empty());
        let plain = d.ground_truth.as_ref().unwrap().scores();
        assert_eq!(d.scores, plain);
        assert!((d.scores.values().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn too_fast_rater_is_dropped() {
        let mut r = honest();
        r.push(resp("bot", [90.0, 70.0, 40.0, 10.0], 3.0));
        let d = score_with_defences(&task(), &r, &DefencePolicy::default()).unwrap();
        assert_eq!(d.scores["bot"], 0.0);
        assert!(matches!(d.penalties["bot"][0], Penalty::TooFast { discarded: 1, kept: 0, .. }));
        assert!(d.scores["h1"] > 0.0);
    }

    #[test]
    fn constant_rater_gets_zero() {
        let mut r = honest();
        r.push(resp("flat", [50.0; 4], 120.0));
        let d = score_with_defences(&task(), &r, &DefencePolicy::default()).unwrap();
        assert_eq!(d.scores["flat"], 0.0);
        assert_eq!(d.penalties["flat"], vec![Penalty::Constant]);
        assert!((d.scores.values().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn copies_share_one_score() {
        let alone = score_with_defences(&task(), &honest(), &DefencePolicy::default()).unwrap();
        let mut r = honest();
        r.push(resp("sybil1", [90.0, 70.0, 40.0, 10.0], 120.0));
        r.push(resp("sybil2", [90.0, 70.0, 40.0, 10.0], 120.0));
        let d = score_with_defences(&task(), &r, &DefencePolicy::default()).unwrap();
        let group: f64 = ["h1", "sybil1", "sybil2"].iter().map(|h| d.scores[*h]).sum();
        assert!((group - alone.scores["h1"]).abs() < 1e-12);
        assert!((d.scores["h2"] - alone.scores["h2"]).abs() < 1e-12);
        assert!(matches!(&d.penalties["sybil1"][0], Penalty::Copied { group } if group.len() == 3));
    }

    #[test]
    fn lone_responder_does_not_take_the_task() {
        let good = score_with_defences(
            &task(),
            &[resp("x", [100.0, 70.0, 40.0, 10.0], 120.0)],
            &DefencePolicy::default(),
        )
        .unwrap();
        assert!((good.scores["x"] - 1.0 / 3.0).abs() < 1e-12);
        let bad = score_with_defences(
            &task(),
            &[resp("y", [10.0, 40.0, 70.0, 100.0], 120.0)],
            &DefencePolicy::default(),
        )
        .unwrap();
        assert_eq!(bad.scores["y"], 0.0);
        assert!(matches!(bad.penalties["y"][0], Penalty::BelowQuorum { raters: 1, quorum: 3, .. }));
    }

    #[test]
    fn missing_rating_is_excluded() {
        let mut r = honest();
        let mut partial = resp("partial", [1.0, 2.0, 3.0, 4.0], 120.0);
        partial.results[0].scores.remove("d");
        r.push(partial);
        let d = score_with_defences(&task(), &r, &DefencePolicy::default()).unwrap();
        assert!(!d.scores.contains_key("partial"));
        assert_eq!(d.excluded["partial"], Exclusion::MissingRating("d".into()));
    }
}
