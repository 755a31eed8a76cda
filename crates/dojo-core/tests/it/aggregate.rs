//! A scoring run over simulated tasks, end to end: tasks from `dojo-gen`, simulated miners,
//! run aggregate, EMA and weights. (It was a unit test of `aggregate` before the generator
//! moved to its own crate.)

use dojo_core::aggregate::{DEFAULT_EMA_ALPHA, DEFAULT_QUALITY_WEIGHT, MovingScores, score_run};
use dojo_core::{CompletedTask, DefencePolicy};

#[test]
fn a_run_of_simulated_tasks_ranks_careful_miners_first() {
    use dojo_core::simulate::{SimulatedMiner, simulate};
    let miners: Vec<SimulatedMiner> = [("careful", 2.0), ("average", 15.0), ("random", 60.0)]
        .iter()
        .map(|(h, n)| SimulatedMiner { hotkey: h.to_string(), noise: *n, workers: 2 })
        .collect();
    let g = dojo_gen::ProceduralGenerator::default();
    let tasks: Vec<CompletedTask> =
        (0..30).map(|s| simulate(&g.generate(s).unwrap(), &miners, s, 0)).collect();
    let run = score_run(&tasks, &DefencePolicy::default(), DEFAULT_QUALITY_WEIGHT).unwrap();
    assert_eq!(run.tasks.len(), 30);
    let a = &run.aggregate;
    assert!(a["careful"] > a["average"] && a["average"] > a["random"], "{a:?}");
    let mut ema = MovingScores::new(DEFAULT_EMA_ALPHA);
    ema.sync_metagraph(&["careful", "average", "random"].map(String::from));
    ema.update(a);
    let w = dojo_core::scores_to_weights(
        &ema.scores,
        &dojo_core::WeightLimits {
            n: 3,
            min_allowed_weights: 1,
            max_weight_limit: u16::MAX,
            weights_version_key: 0,
        },
        dojo_core::version_key(0, 1, 0),
    )
    .unwrap();
    assert_eq!(w.weights[0], u16::MAX);
}
