//! Scoring benchmarks: a whole scoring run of 100,000 tasks × 64 miners (goal ≤ 1 s), and one
//! task through the structured API.
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use dojo_core::scoring::{DenseTask, ground_truth_vector, score_run_dense};
use dojo_core::{GroundTruth, aggregate::aggregate_totals, score_task};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TASKS: usize = 100_000;
const MINERS: usize = 64;

fn main() {
    divan::main();
}

fn run() -> &'static Vec<DenseTask> {
    static RUN: OnceLock<Vec<DenseTask>> = OnceLock::new();
    RUN.get_or_init(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let shapes = [
            GroundTruth::new(
                [("a", 0), ("b", 0), ("c", 1), ("d", 2)].map(|(k, v)| (k.to_string(), v)).into(),
            )
            .unwrap(),
            GroundTruth::new(
                [("a", 0), ("b", 1), ("c", 2), ("d", 3)].map(|(k, v)| (k.to_string(), v)).into(),
            )
            .unwrap(),
        ];
        (0..TASKS)
            .map(|t| {
                let (_, g) = ground_truth_vector(&shapes[t % 2]).unwrap();
                let ratings =
                    (0..MINERS * g.len()).map(|_| f64::from(rng.gen_range(1u32..=100))).collect();
                DenseTask { g, miners: (0..MINERS as u32).collect(), ratings }
            })
            .collect()
    })
}

/// The whole run: per-task §4.1 scores, per-miner totals, and the run aggregate.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn run_100k_tasks_64_miners(bencher: divan::Bencher) {
    let tasks = run();
    bencher.bench(|| {
        let totals = score_run_dense(divan::black_box(tasks), MINERS);
        let per_hotkey: BTreeMap<String, (f64, u32)> = totals
            .sum
            .iter()
            .zip(&totals.count)
            .enumerate()
            .map(|(i, (s, c))| (format!("m{i}"), (*s, *c)))
            .collect();
        aggregate_totals(per_hotkey, totals.tasks, 0.8)
    });
}

/// One task of 64 miners through the structured, map-based API (with every step recorded).
#[divan::bench]
fn one_task_64_miners_structured(bencher: divan::Bencher) {
    let gt = GroundTruth::new(
        [("a", 0), ("b", 0), ("c", 1), ("d", 2)].map(|(k, v)| (k.to_string(), v)).into(),
    )
    .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let ratings: BTreeMap<String, BTreeMap<String, f64>> = (0..MINERS)
        .map(|m| {
            let r = ["a", "b", "c", "d"]
                .iter()
                .map(|k| (k.to_string(), f64::from(rng.gen_range(1u32..=100))))
                .collect();
            (format!("5Miner{m:03}"), r)
        })
        .collect();
    bencher.bench(|| score_task(divan::black_box(&gt), divan::black_box(&ratings)).unwrap());
}
