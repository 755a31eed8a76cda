//! The validator's configuration: subnet, schedule, limits.

use std::time::Duration;

use chain::NetUid;

use super::ValidatorError;
use dojo_core::aggregate::DEFAULT_EMA_ALPHA;
use dojo_core::defence::DefencePolicy;

/// The validator's schedule. Every value is wall time on the injected clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timings {
    /// Time between two task rounds (one task per round).
    pub task_interval: Duration,
    /// How long the miners' humans have for a generated task.
    pub task_deadline: Duration,
    /// How long after a task's expiry its results are requested (late-arriving results on the
    /// miner's side, clock skew).
    pub results_grace: Duration,
    /// Time between two metagraph reads (who serves an axon, UIDs, stakes).
    pub metagraph_refresh: Duration,
    /// Time between two weight checks; [`crate::chain_weights::WeightSetter`] sends only when
    /// due (once per `max(tempo, weights_rate_limit)` blocks), so this only bounds the delay.
    pub weights_check: Duration,
    /// Timeout of one synapse request to a miner.
    pub request_timeout: Duration,
}

impl Timings {
    /// Dojo v1's schedule (reference §1, `dojo/constants.py`):
    ///
    /// - `task_interval` 15 min: `VALIDATOR_RUN` = 900 s;
    /// - `task_deadline` 1 h: `TASK_DEADLINE` (latest; 6 h in v1.4–1.11);
    /// - `results_grace` 10 min: `VALIDATOR_UPDATE_TASK` = 600 s, the period after which
    ///   expired tasks' results are requested;
    /// - `metagraph_refresh` 200 s: `VALIDATOR_HEARTBEAT`, how often v1 refreshed which
    ///   miners are active;
    /// - `weights_check` 2 min: v1 checked `block − last_update > epoch_length` on every
    ///   main-loop pass; ten 12-s blocks bounds the delay after weights become due;
    /// - `request_timeout` 30 s: `send_synthetic_task`'s timeout.
    pub const fn production() -> Self {
        Self {
            task_interval: Duration::from_secs(900),
            task_deadline: Duration::from_secs(3600),
            results_grace: Duration::from_secs(600),
            metagraph_refresh: Duration::from_secs(200),
            weights_check: Duration::from_secs(120),
            request_timeout: Duration::from_secs(30),
        }
    }

    /// A schedule of seconds, for tests and `taoplex up` demos: a task every 3 s, 3 s to
    /// answer, results 1 s after expiry, metagraph every 2 s, weights checked every 2 s,
    /// requests time out after 5 s.
    pub const fn fast() -> Self {
        Self {
            task_interval: Duration::from_secs(3),
            task_deadline: Duration::from_secs(3),
            results_grace: Duration::from_secs(1),
            metagraph_refresh: Duration::from_secs(2),
            weights_check: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
        }
    }

    /// How often the loops look at the clock: a tenth of the shortest period, between 20 ms
    /// and 1 s. Schedules are compared with the injected clock at each look, so a manual
    /// clock moved forward is noticed within one tick (or at once, see
    /// [`super::ValidatorHandle::wake`]).
    pub fn tick(&self) -> Duration {
        let shortest =
            [self.task_interval, self.results_grace, self.metagraph_refresh, self.weights_check]
                .into_iter()
                .min()
                .unwrap_or(Duration::from_secs(1));
        (shortest / 10).clamp(Duration::from_millis(20), Duration::from_secs(1))
    }
}

/// How a validator runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatorConfig {
    /// The subnet.
    pub netuid: NetUid,
    /// The schedule.
    pub timings: Timings,
    /// Worker results wanted per miner for a generated task (v1 `TASK_MAX_RESULTS`, 4).
    pub max_results: u32,
    /// Seeds the generator and the per-miner output order. **Keep it secret**: whoever knows
    /// it can regenerate the tasks, their flaws and the canonical output order.
    pub seed: u64,
    /// Axons with a validator permit and at least this much alpha staked (rao) are other
    /// validators, not miners, and get no tasks.
    pub min_validator_stake: u64,
    /// Miners contacted at once (v1 sent in batches of 10).
    pub dispatch_concurrency: usize,
    /// EMA smoothing factor α (0.3, Dojo `neuron.moving_average_alpha`).
    pub ema_alpha: f64,
    /// Tasks listed in the status.
    pub status_tasks: usize,
    /// Events kept for the status, and buffered for each subscriber
    /// ([`super::ValidatorHandle::subscribe`]).
    pub status_events: usize,
    /// The defences against careless, automated and copied raters ([`dojo_core::defence`]) applied
    /// when scoring generated tasks; `None` scores exactly as Dojo v1 did. Their minimum time
    /// per output must fit the schedule: with a deadline of seconds no human can take 5 s an
    /// output, so second-scale test schedules lower it.
    pub defences: Option<DefencePolicy>,
    /// Every this many generated tasks, one is an image or a 3D task (alternately) instead of
    /// an app ([`dojo_gen::media`]); 0 generates apps only.
    pub media_every: u64,
}

/// One alpha in rao.
const ALPHA: u64 = 1_000_000_000;

impl ValidatorConfig {
    /// Production defaults on `netuid` with a random seed: v1's schedule, 4 results per
    /// miner, 10 requests at once, validators from 1,000 α (v2's non-production threshold;
    /// v1's `VALIDATOR_MIN_STAKE` is not public).
    pub fn new(netuid: NetUid) -> Self {
        Self {
            netuid,
            timings: Timings::production(),
            max_results: 4,
            seed: rand::random(),
            min_validator_stake: 1_000 * ALPHA,
            dispatch_concurrency: 10,
            ema_alpha: DEFAULT_EMA_ALPHA,
            status_tasks: 20,
            status_events: 100,
            defences: Some(DefencePolicy::default()),
            media_every: 4,
        }
    }

    /// Checks the values can run.
    pub fn validate(&self) -> Result<(), ValidatorError> {
        let t = &self.timings;
        for (name, d) in [
            ("task_interval", t.task_interval),
            ("task_deadline", t.task_deadline),
            ("metagraph_refresh", t.metagraph_refresh),
            ("weights_check", t.weights_check),
            ("request_timeout", t.request_timeout),
        ] {
            if d.is_zero() {
                return Err(ValidatorError::Config(format!("timings.{name} must be positive")));
            }
        }
        if self.max_results == 0 {
            return Err(ValidatorError::Config("max_results must be at least 1".into()));
        }
        if self.dispatch_concurrency == 0 {
            return Err(ValidatorError::Config("dispatch_concurrency must be at least 1".into()));
        }
        if !(self.ema_alpha > 0.0 && self.ema_alpha <= 1.0) {
            return Err(ValidatorError::Config(format!(
                "ema_alpha must be in (0, 1], got {}",
                self.ema_alpha
            )));
        }
        Ok(())
    }
}
