//! Simulated raters, for tests, benchmarks and demos: miners whose workers rate outputs by
//! the ground truth plus noise.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

use crate::ratings::{CompletedTask, MinerResponse, WorkerResult};
use crate::task::{Task, derive_seed};

/// A simulated miner: `noise` is the standard deviation-like spread of its workers' scores
/// around the ground-truth score (0 = follows the ground truth exactly).
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedMiner {
    /// Hotkey.
    pub hotkey: String,
    /// Spread of scores, in points.
    pub noise: f64,
    /// Workers per task.
    pub workers: usize,
}

/// Score a rater who follows the ground truth gives an output of rank `r` out of `max`.
pub fn truthful_score(rank: u32, max_rank: u32) -> f64 {
    if max_rank == 0 {
        return 50.0;
    }
    90.0 - 80.0 * f64::from(rank) / f64::from(max_rank)
}

/// Simulates the responses of `miners` to `task` (deterministic per seed).
pub fn simulate(
    task: &Task,
    miners: &[SimulatedMiner],
    seed: u64,
    created_at: u64,
) -> CompletedTask {
    let max_rank =
        task.ground_truth.as_ref().and_then(|g| g.ranks.values().max().copied()).unwrap_or(0);
    let responses = miners
        .iter()
        .map(|m| {
            let mut rng = ChaCha20Rng::seed_from_u64(derive_seed(seed, &[&task.id, &m.hotkey]));
            let results = (0..m.workers.max(1))
                .map(|w| {
                    let scores = task
                        .outputs
                        .iter()
                        .map(|o| {
                            let rank = task
                                .ground_truth
                                .as_ref()
                                .and_then(|g| g.ranks.get(&o.id).copied())
                                .unwrap_or(0);
                            let noise =
                                if m.noise > 0.0 { rng.gen_range(-m.noise..=m.noise) } else { 0.0 };
                            (
                                o.id.clone(),
                                (truthful_score(rank, max_rank) + noise).round().clamp(1.0, 100.0),
                            )
                        })
                        .collect();
                    WorkerResult {
                        worker_id: format!("{}-worker-{w}", m.hotkey),
                        scores,
                        ranking: Vec::new(),
                        rationale: format!(
                            "The best output follows the prompt closely; worker {w} of {}.",
                            m.hotkey
                        ),
                        elapsed_secs: rng.gen_range(60.0..600.0),
                    }
                })
                .collect();
            MinerResponse {
                hotkey: m.hotkey.clone(),
                coldkey: None,
                results,
                received_at: created_at + 1800,
            }
        })
        .collect();
    CompletedTask { task: task.clone(), responses, created_at, expire_at: created_at + 3600 }
}
