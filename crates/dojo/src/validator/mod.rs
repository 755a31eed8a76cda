//! The Dojo validator: creates tasks, sends each to every active miner (outputs shuffled per
//! miner), collects acknowledgements, polls results after the deadline, scores miners against
//! the known-flawed outputs, persists everything and sets weights once per tempo.
//!
//! Tasks come from the generator or from a [`TaskQueue`] (external clients' tasks, see
//! [`external`]); results of queued tasks go back to the queue instead of into miner scores
//! (they have no ground truth).

pub mod external;

use async_trait::async_trait;

use crate::ratings::MinerResponse;
use crate::task::Task;

/// A task waiting to be sent to miners, from a source other than the generator.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedTask {
    /// The task (outputs with ids; no ground truth needed).
    pub task: Task,
    /// Seconds the humans have once it is dispatched.
    pub deadline_secs: u64,
    /// Results wanted per miner.
    pub max_results: u32,
}

/// Tasks the validator sends besides generated ones, and where their results go.
#[async_trait]
pub trait TaskQueue: Send + Sync + 'static {
    /// Claims the next waiting task, if any; the validator dispatches it in its next round.
    async fn next_task(&self) -> Option<QueuedTask>;
    /// The claimed task was sent: `miners` acknowledged it, results are due at `expire_at_ns`
    /// (`miners == 0`: nobody took it, the task has failed).
    async fn dispatched(&self, task_id: &str, expire_at_ns: u64, miners: usize);
    /// The results collected after expiry, one response per miner that answered.
    async fn completed(&self, task_id: &str, responses: &[MinerResponse]);
}
