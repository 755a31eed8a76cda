//! Ratings returned by miners (from their human workers) and completed tasks, the unit the
//! validator scores and the dataset exporter reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::DojoError;
use crate::feedback::{Feedback, sanitise_feedback};
use crate::scoring::RatingVector;
use crate::task::{Criteria, OutputId, Task};

/// One human worker's answer to a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerResult {
    /// Worker id on the miner's platform.
    pub worker_id: String,
    /// Score per output, within the criteria range (1–100).
    pub scores: RatingVector,
    /// Ranking, best first (empty if not asked).
    #[serde(default)]
    pub ranking: Vec<OutputId>,
    /// Written "why", as sanitised by [`WorkerResult::sanitise`] (`invalid` if rejected).
    #[serde(default)]
    pub rationale: String,
    /// Seconds from the task being shown to the worker to the answer.
    pub elapsed_secs: f64,
}

impl WorkerResult {
    /// Checks every score is finite and within `[score_min, score_max]`, and that a ranking,
    /// if given, lists exactly the scored outputs once each.
    pub fn validate(&self, criteria: &Criteria) -> Result<(), DojoError> {
        if !self.ranking.is_empty() {
            let ranked: std::collections::BTreeSet<&OutputId> = self.ranking.iter().collect();
            let scored: std::collections::BTreeSet<&OutputId> = self.scores.keys().collect();
            if ranked.len() != self.ranking.len() || ranked != scored {
                return Err(DojoError::Rating(format!(
                    "worker {}: the ranking must list every scored output exactly once",
                    self.worker_id
                )));
            }
        }
        for (id, &v) in &self.scores {
            if !v.is_finite()
                || v < f64::from(criteria.score_min)
                || v > f64::from(criteria.score_max)
            {
                return Err(DojoError::Rating(format!(
                    "worker {} scored output {id} {v}, outside [{}, {}]",
                    self.worker_id, criteria.score_min, criteria.score_max
                )));
            }
        }
        Ok(())
    }

    /// Replaces the rationale by its sanitised form (§4.4) and returns the verdict.
    pub fn sanitise(&mut self) -> Feedback {
        let f = sanitise_feedback(&self.rationale);
        self.rationale = f.stored_text().to_string();
        f
    }
}

/// A miner's response to one task: the results of its workers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinerResponse {
    /// Miner hotkey (SS58).
    pub hotkey: String,
    /// Miner coldkey, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coldkey: Option<String>,
    /// The workers' results.
    pub results: Vec<WorkerResult>,
    /// Unix seconds when the validator received the results.
    #[serde(default)]
    pub received_at: u64,
}

impl MinerResponse {
    /// Per-output raw score: Σ worker values / number of results (reference §1 step 6).
    /// An output some result did not score is left out (the miner then misses a rating).
    pub fn mean_scores(&self) -> RatingVector {
        mean_of(self.results.iter())
    }
}

/// Per-output mean over the given results; outputs not scored by all of them are left out.
pub fn mean_of<'a>(results: impl Iterator<Item = &'a WorkerResult> + Clone) -> RatingVector {
    let n = results.clone().count();
    let mut sums: BTreeMap<OutputId, (f64, usize)> = BTreeMap::new();
    for r in results {
        for (id, &v) in &r.scores {
            let e = sums.entry(id.clone()).or_insert((0.0, 0));
            e.0 += v;
            e.1 += 1;
        }
    }
    sums.into_iter().filter(|(_, (_, c))| *c == n).map(|(id, (s, _))| (id, s / n as f64)).collect()
}

/// A task with the responses collected for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletedTask {
    /// The task, with its hidden fields.
    pub task: Task,
    /// Every miner response received.
    pub responses: Vec<MinerResponse>,
    /// Unix seconds when the task was sent.
    #[serde(default)]
    pub created_at: u64,
    /// Unix seconds when the task expired.
    #[serde(default)]
    pub expire_at: u64,
}

impl CompletedTask {
    /// Sanitises every worker rationale in place (idempotent).
    pub fn sanitise_feedback(&mut self) {
        for r in &mut self.responses {
            for w in &mut r.results {
                w.sanitise();
            }
        }
    }

    /// Mean scores per miner.
    pub fn miner_ratings(&self) -> BTreeMap<String, RatingVector> {
        self.responses.iter().map(|r| (r.hotkey.clone(), r.mean_scores())).collect()
    }

    /// Mean human score per output over every worker result of every miner (outputs nobody
    /// scored are absent).
    pub fn output_means(&self) -> BTreeMap<OutputId, f64> {
        let mut sums: BTreeMap<OutputId, (f64, usize)> = BTreeMap::new();
        for w in self.responses.iter().flat_map(|r| &r.results) {
            for (id, &v) in &w.scores {
                if v.is_finite() {
                    let e = sums.entry(id.clone()).or_insert((0.0, 0));
                    e.0 += v;
                    e.1 += 1;
                }
            }
        }
        sums.into_iter().map(|(k, (s, c))| (k, s / c as f64)).collect()
    }
}

/// The worker UI's 1–10 slider value rescaled to the criterion range (reference §5):
/// `v' = (v − 1) / 9 · (max − min) + min`; `None` outside 1–10.
pub fn slider_to_score(v: f64, criteria: &Criteria) -> Option<f64> {
    if !(1.0..=10.0).contains(&v) {
        return None;
    }
    let (lo, hi) = (f64::from(criteria.score_min), f64::from(criteria.score_max));
    Some((v - 1.0) / 9.0 * (hi - lo) + lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wr(scores: &[(&str, f64)]) -> WorkerResult {
        WorkerResult {
            worker_id: "w".into(),
            scores: scores.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            ranking: vec![],
            rationale: String::new(),
            elapsed_secs: 100.0,
        }
    }

    #[test]
    fn slider_vectors() {
        let c = Criteria::default();
        assert_eq!(slider_to_score(1.0, &c), Some(1.0));
        assert_eq!(slider_to_score(10.0, &c), Some(100.0));
        assert_eq!(slider_to_score(5.5, &c), Some(50.5));
        assert_eq!(slider_to_score(11.0, &c), None);
        assert!(wr(&[("a", 101.0)]).validate(&c).is_err());
        assert!(wr(&[("a", 100.0)]).validate(&c).is_ok());
        let mut ranked = wr(&[("a", 10.0), ("b", 20.0)]);
        ranked.ranking = vec!["b".into(), "a".into()];
        assert!(ranked.validate(&c).is_ok());
        ranked.ranking = vec!["b".into(), "b".into()];
        assert!(ranked.validate(&c).is_err());
    }

    #[test]
    fn mean_is_sum_over_results() {
        let m = MinerResponse {
            hotkey: "h".into(),
            coldkey: None,
            results: vec![wr(&[("a", 10.0), ("b", 20.0)]), wr(&[("a", 30.0)])],
            received_at: 0,
        };
        let mean = m.mean_scores();
        assert_eq!(mean["a"], 20.0);
        assert!(!mean.contains_key("b"));
    }
}
