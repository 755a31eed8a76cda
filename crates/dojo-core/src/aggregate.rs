//! Aggregation of task scores per scoring run, and the moving average over runs (§4.2).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::defence::{DefencePolicy, DefendedScores, score_with_defences};
use crate::error::DojoError;
use crate::ratings::CompletedTask;

/// Weight of quality (mean task score) against quantity (tasks done) in a run's aggregate.
/// Dojo v1.10+ (PR #157) used 0.8, so that a miner doing one task cannot outrank busy ones.
pub const DEFAULT_QUALITY_WEIGHT: f64 = 0.8;
/// EMA smoothing factor α (Dojo `neuron.moving_average_alpha`).
pub const DEFAULT_EMA_ALPHA: f64 = 0.3;

/// Aggregates one run: per hotkey, `q · mean(s) + (1 − q) · Σs / tasks_processed`, where
/// `s` are the hotkey's task scores and `tasks_processed` counts every task of the run.
pub fn aggregate_run(
    task_scores: &[BTreeMap<String, f64>],
    quality_weight: f64,
) -> BTreeMap<String, f64> {
    let mut sums: BTreeMap<String, (f64, u32)> = BTreeMap::new();
    for t in task_scores {
        for (hotkey, &s) in t {
            let e = sums.entry(hotkey.clone()).or_insert((0.0, 0));
            e.0 += s;
            e.1 += 1;
        }
    }
    aggregate_totals(sums, task_scores.len(), quality_weight)
}

/// Same as [`aggregate_run`] from per-hotkey (sum, count) totals.
pub fn aggregate_totals(
    totals: BTreeMap<String, (f64, u32)>,
    tasks_processed: usize,
    quality_weight: f64,
) -> BTreeMap<String, f64> {
    let n = tasks_processed.max(1) as f64;
    totals
        .into_iter()
        .filter(|(_, (_, c))| *c > 0)
        .map(|(k, (sum, count))| {
            let mean = sum / f64::from(count);
            (k, quality_weight * mean + (1.0 - quality_weight) * sum / n)
        })
        .collect()
}

/// The result of one scoring run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunScores {
    /// Per task, in input order: the defended scores.
    pub tasks: Vec<DefendedScores>,
    /// Per hotkey: the run aggregate (see [`aggregate_run`]).
    pub aggregate: BTreeMap<String, f64>,
}

/// Scores every task of a run with the defences, then aggregates per hotkey. A task whose
/// ground truth is invalid fails the run (nothing is returned for the others).
pub fn score_run(
    tasks: &[CompletedTask],
    policy: &DefencePolicy,
    quality_weight: f64,
) -> Result<RunScores, DojoError> {
    let scored = tasks
        .iter()
        .map(|t| score_with_defences(&t.task, &t.responses, policy))
        .collect::<Result<Vec<_>, _>>()?;
    let per_task: Vec<BTreeMap<String, f64>> = scored.iter().map(|d| d.scores.clone()).collect();
    let aggregate = aggregate_run(&per_task, quality_weight);
    Ok(RunScores { tasks: scored, aggregate })
}

/// Moving-average scores per uid, with the hotkey each score belongs to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MovingScores {
    /// Smoothing factor α.
    pub alpha: f64,
    /// Hotkey registered at each uid when last updated.
    pub hotkeys: Vec<String>,
    /// Score per uid.
    pub scores: Vec<f64>,
}

impl MovingScores {
    /// Empty state with smoothing factor `alpha`.
    pub fn new(alpha: f64) -> Self {
        MovingScores { alpha, hotkeys: Vec::new(), scores: Vec::new() }
    }

    /// Follows the metagraph: pads new uids with 0, drops uids beyond its size, and resets to
    /// 0 the score of any uid whose hotkey changed.
    pub fn sync_metagraph(&mut self, hotkeys: &[String]) {
        self.scores.resize(hotkeys.len(), 0.0);
        self.hotkeys.resize(hotkeys.len(), String::new());
        for ((old, new), s) in self.hotkeys.iter_mut().zip(hotkeys).zip(self.scores.iter_mut()) {
            if old != new {
                *s = 0.0;
                old.clone_from(new);
            }
        }
    }

    /// Applies one run: `S ← α·R + (1 − α)·S`, R = 0 for uids not scored (so absent miners
    /// decay by `1 − α`), clamped at 0, NaN → 0. A run that scored nobody changes nothing.
    /// Call [`MovingScores::sync_metagraph`] first. Hotkeys not in the metagraph are ignored.
    pub fn update(&mut self, run: &BTreeMap<String, f64>) {
        if run.is_empty() {
            return;
        }
        let a = self.alpha;
        for (hotkey, s) in self.hotkeys.iter().zip(self.scores.iter_mut()) {
            let r = run.get(hotkey).copied().unwrap_or(0.0);
            let r = if r.is_finite() { r } else { 0.0 };
            let v = a * r + (1.0 - a) * *s;
            *s = if v.is_nan() { 0.0 } else { v.max(0.0) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn quality_and_quantity() {
        let tasks =
            vec![m(&[("busy", 0.5), ("lazy", 1.0)]), m(&[("busy", 0.5)]), m(&[("busy", 0.5)])];
        let agg = aggregate_run(&tasks, 0.8);
        assert!((agg["busy"] - (0.8 * 0.5 + 0.2 * 1.5 / 3.0)).abs() < 1e-12);
        assert!((agg["lazy"] - (0.8 * 1.0 + 0.2 * 1.0 / 3.0)).abs() < 1e-12);
        let pure_quality = aggregate_run(&tasks, 1.0);
        assert_eq!(pure_quality["lazy"], 1.0);
    }

    #[test]
    fn ema_decay_and_reset() {
        let hk: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let mut s = MovingScores::new(DEFAULT_EMA_ALPHA);
        s.sync_metagraph(&hk);
        s.update(&m(&[("a", 1.0), ("b", 0.5)]));
        assert!((s.scores[0] - 0.3).abs() < 1e-12);
        assert!((s.scores[1] - 0.15).abs() < 1e-12);
        // b absent: decays ×0.7.
        s.update(&m(&[("a", 1.0)]));
        assert!((s.scores[1] - 0.105).abs() < 1e-12);
        assert!((s.scores[0] - 0.51).abs() < 1e-12);
        // empty run: unchanged.
        let before = s.clone();
        s.update(&BTreeMap::new());
        assert_eq!(s, before);
        // hotkey at uid 1 replaced: reset; metagraph grows: zero-padded.
        s.sync_metagraph(&["a", "c", "d"].map(String::from));
        assert_eq!(s.scores, vec![0.51, 0.0, 0.0]);
        // NaN and negatives.
        s.update(&m(&[("a", f64::NAN), ("c", -5.0)]));
        assert!((s.scores[0] - 0.357).abs() < 1e-12);
        assert_eq!(s.scores[1], 0.0);
    }
}
