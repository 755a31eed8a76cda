//! The Dojo validator: creates tasks, sends each to every active miner (outputs shuffled per
//! miner), collects acknowledgements, polls results after the deadline, scores miners against
//! the known-flawed outputs, persists everything and sets weights once per tempo.
//!
//! Tasks come from the generator or from a [`TaskQueue`] (external clients' tasks, see
//! [`external`]); results of queued tasks go back to the queue instead of into miner scores
//! (they have no ground truth).
//!
//! # Principal types
//!
//! - [`ValidatorConfig`] and [`Timings`] ([`Timings::production`] is Dojo v1's schedule,
//!   [`Timings::fast`] seconds for tests and demos);
//! - [`ValidatorStore`]: tasks (with their ground truth), dispatches, results, per-task
//!   scores with every step, the EMA and the weights, on SQLite or PostgreSQL;
//! - [`Validator::start`] → [`ValidatorHandle`] ([`ValidatorHandle::status`],
//!   [`ValidatorHandle::shutdown`]); [`status_router`] serves `GET /status`.
//!
//! # Example
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use db::{Db, DbConfig};
//! use chain::SystemClock;
//! use dojo_validator::{Timings, Validator, ValidatorConfig, ValidatorStore, status_router};
//!
//! # async fn run(chain: Arc<dyn chain::Chain>, hotkey: keys::Keypair)
//! #     -> Result<(), Box<dyn std::error::Error>> {
//! let store = ValidatorStore::open(Db::open(&DbConfig::parse("validator.sqlite")).await?).await?;
//! let config = ValidatorConfig { timings: Timings::fast(), ..ValidatorConfig::new(1) };
//! let handle = Validator::start(config, chain, hotkey, store, None, Arc::new(SystemClock)).await?;
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8091").await?;
//! let server = tokio::spawn(axum::serve(listener, status_router(handle.clone())).into_future());
//! // … until asked to stop:
//! handle.shutdown().await;
//! server.abort();
//! # Ok(())
//! # }
//! ```
//!
//! # One task's life
//!
//! ```text
//! round (every task_interval, if a miner serves an axon)
//!   task = queue.next_task() or generator(seed, n, now)  store: pending (task + ground truth)
//!   per miner: TaskRequest(task.present(seed, hotkey))   store: dispatches (ack / reason)
//!                                                        store: dispatched | failed (no ack)
//! collection (expire_at + results_grace has passed)
//!   per acking miner: ResultsRequest → ResultsReply      validate, sanitise, drop invalid
//!   generated: score_with_defences(task, responses) (or score_task, v1 exact) → EMA
//!                                                        store: one transaction
//!              → ScoreNotice(score, ground truth) to each miner
//!   queued:    queue.completed(task_id, responses)
//! weights (every weights_check): WeightSetter::step(EMA by hotkey)
//! ```
//!
//! # Design decisions
//!
//! - **Each collected task is one scoring run.** v1 batched the tasks of an hour; scoring one
//!   task at a time lets a task's results, scores and the new EMA be written in one
//!   transaction, so a restart never scores a task twice nor loses one. With one task per
//!   run, the run aggregate (`0.8·mean + 0.2·Σ/N`) equals the task score.
//! - **The defences are on by default** ([`ValidatorConfig::defences`]): answers faster than a
//!   human are discarded, constant raters get 0, identical rating vectors share one score and a
//!   task with fewer distinct raters than the quorum pays less (see [`dojo_core::defence`]); each
//!   miner's penalties are stored with its score. `None` scores exactly as Dojo v1.
//! - **Miners that took a task but return nothing valid** get no task score; the EMA decays
//!   them by `1 − α` like any miner absent from a run, and the reason is stored.
//! - **Resume**: on start, tasks left `pending` by a crash become `dispatched` if any miner
//!   took them (else `failed`); `dispatched` tasks are collected when due; the EMA and the
//!   generator's round counter come from the store; the next round is one interval after
//!   the last task. A commit awaiting its reveal is kept in memory only: after a restart the
//!   commit is lost and weights are committed afresh when due.
//! - **One request at a time per miner.** An axon accepts a dendrite's nonces only in
//!   increasing order; the loops share one dendrite, so requests to the same axon are
//!   serialised (different miners are still contacted `dispatch_concurrency` at a time).
//! - **Untrusted answers.** Every worker result is checked (scores in range for exactly the
//!   task's outputs, a consistent ranking, a finite time, each worker once, at most
//!   `max_results`), rationales are sanitised, an answer not signed by the miner's hotkey is
//!   refused, and miners' texts are clipped before they are stored.
//! - **Secret seed**: the generator (with the round number and the time) and the per-miner
//!   output order derive from [`ValidatorConfig::seed`]; a miner who knew it could rebuild
//!   the ground truth.
//! - **No logging dependency**: the crate does not log; events (dispatches, refusals,
//!   invalid results, weights, store or chain failures) are kept in the status.
//!
#![doc = include_str!("../README.md")]

pub mod chain_weights;
mod config;
pub mod external;
mod service;
mod status_page;
pub mod store;

pub use config::{Timings, ValidatorConfig};
pub use service::{
    EventLevel, MinerStatus, Validator, ValidatorEvent, ValidatorHandle, ValidatorStatus,
    status_router,
};
pub use store::{
    Collection, DispatchRecord, MinerResult, MinerTaskScore, ResultOutcome, StoredTask, TaskCounts,
    TaskSource, TaskState, TaskSummary, ValidatorStore, WeightsKind, WeightsRecord,
};

use async_trait::async_trait;

use dojo_core::ratings::MinerResponse;
use dojo_core::task::Task;

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

/// Why the validator could not start (or its status could not be read).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValidatorError {
    /// A configuration value cannot run.
    #[error("invalid validator configuration: {0}")]
    Config(String),
    /// The chain could not be read.
    #[error("chain: {0}")]
    Chain(#[from] chain::ChainError),
    /// The validator's hotkey has no UID on the subnet.
    #[error("hotkey {hotkey} is not registered on subnet {netuid}; register it first")]
    NotRegistered {
        /// The hotkey (SS58).
        hotkey: String,
        /// The subnet.
        netuid: chain::NetUid,
    },
    /// The store failed.
    #[error("validator store: {0}")]
    Store(#[from] db::DbError),
}
