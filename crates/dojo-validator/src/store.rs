//! The validator's persistent state over [`Db`] (SQLite or PostgreSQL): tasks with their ground
//! truth, dispatches, results, per-task scores, the EMA and the weights the chain accepted.
//!
//! A task moves `pending` (stored, being sent) → `dispatched` (at least one miner took it) →
//! `scored` (generated: results collected and scored) or `completed` (queued: results handed
//! to the [`super::TaskQueue`]); `failed` when nobody took it or it cannot be scored. A
//! collection is written in one transaction (results, scores, the new EMA, the new state),
//! so a crash leaves the task either uncollected, to be collected again on restart, or done.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use dojo_core::aggregate::MovingScores;
use dojo_core::defence::Penalty;
use dojo_core::ratings::{CompletedTask, MinerResponse, WorkerResult};
use dojo_core::scoring::MinerSteps;
use dojo_core::task::Task;
use dojo_db::on_db;
use dojo_db::{Db, DbError, to_i64, to_u64};

/// The validator's migrations (component `validator`).
pub const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_validator.sql")),
    (2, include_str!("migrations/0002_penalties.sql")),
];

/// Where a task came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskSource {
    /// The validator's procedural generator (has a ground truth; miners are scored on it).
    Generated,
    /// A [`super::TaskQueue`] (external clients; results go back to the queue).
    Queued,
}

impl TaskSource {
    fn as_str(self) -> &'static str {
        match self {
            TaskSource::Generated => "generated",
            TaskSource::Queued => "queued",
        }
    }

    fn parse(s: &str) -> Result<Self, DbError> {
        match s {
            "generated" => Ok(TaskSource::Generated),
            "queued" => Ok(TaskSource::Queued),
            other => Err(bad("validator_tasks", format!("unknown source {other:?}"))),
        }
    }
}

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Stored; being sent to miners.
    Pending,
    /// With the miners' humans; results are due after expiry.
    Dispatched,
    /// Results collected and miners scored (generated tasks).
    Scored,
    /// Results collected and handed to the queue (queued tasks).
    Completed,
    /// Nobody took it, or it could not be scored (see the task's note).
    Failed,
}

impl TaskState {
    /// Every state.
    pub const ALL: [TaskState; 5] = [
        TaskState::Pending,
        TaskState::Dispatched,
        TaskState::Scored,
        TaskState::Completed,
        TaskState::Failed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Pending => "pending",
            TaskState::Dispatched => "dispatched",
            TaskState::Scored => "scored",
            TaskState::Completed => "completed",
            TaskState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self, DbError> {
        TaskState::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| bad("validator_tasks", format!("unknown state {s:?}")))
    }
}

/// A stored task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredTask {
    /// The full task, with its ground truth when generated.
    pub task: Task,
    /// Where it came from.
    pub source: TaskSource,
    /// Where it is.
    pub state: TaskState,
    /// When it was created, ns since the Unix epoch.
    pub created_at_ns: u64,
    /// When the humans' time ends, ns since the Unix epoch.
    pub expire_at_ns: u64,
    /// Results wanted per miner.
    pub max_results: u32,
    /// Why it failed, or other remarks.
    pub note: Option<String>,
}

/// One miner's answer to a task request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchRecord {
    /// Miner hotkey (SS58).
    pub hotkey: String,
    /// Its UID when the task was sent.
    pub uid: u16,
    /// Its coldkey (SS58), from the metagraph.
    pub coldkey: Option<String>,
    /// Whether it took the task.
    pub ack: bool,
    /// Why not (refusal, HTTP error, timeout, unparseable answer, the miner's reason).
    pub reason: Option<String>,
    /// When the request was sent, ns since the Unix epoch.
    pub sent_at_ns: u64,
}

/// What a results request to one miner gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultOutcome {
    /// At least one valid worker result.
    Ok,
    /// The miner answered, with no valid result (none, or all invalid).
    Empty,
    /// The axon refused, timed out or could not be reached.
    Unreachable,
    /// The answer was not a valid results reply (wrong task id, unparseable, bad signature).
    Invalid,
}

impl ResultOutcome {
    fn as_str(self) -> &'static str {
        match self {
            ResultOutcome::Ok => "ok",
            ResultOutcome::Empty => "empty",
            ResultOutcome::Unreachable => "unreachable",
            ResultOutcome::Invalid => "invalid",
        }
    }

    fn parse(s: &str) -> Result<Self, DbError> {
        [
            ResultOutcome::Ok,
            ResultOutcome::Empty,
            ResultOutcome::Unreachable,
            ResultOutcome::Invalid,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
        .ok_or_else(|| bad("validator_results", format!("unknown outcome {s:?}")))
    }
}

/// One miner's collected results for a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinerResult {
    /// Miner hotkey (SS58).
    pub hotkey: String,
    /// Its UID.
    pub uid: u16,
    /// What happened.
    pub outcome: ResultOutcome,
    /// Why results were dropped or missing (the first reason), if any.
    pub reason: Option<String>,
    /// The valid worker results, rationales sanitised.
    pub results: Vec<WorkerResult>,
    /// Worker results dropped as invalid.
    pub rejected: u32,
    /// When the answer arrived (or the request failed), ns since the Unix epoch.
    pub received_at_ns: u64,
}

/// One miner's score in one task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinerTaskScore {
    /// Miner hotkey (SS58).
    pub hotkey: String,
    /// Its UID.
    pub uid: u16,
    /// The task score (0–1; the task's scores sum to 1), `None` when excluded.
    pub score: Option<f64>,
    /// Every intermediate value of the score.
    pub steps: Option<MinerSteps>,
    /// Why the miner has no score (no valid results, missing ratings, …).
    pub excluded: Option<String>,
    /// The defences that reduced the score (too fast, constant, copied, below quorum).
    #[serde(default)]
    pub penalties: Vec<Penalty>,
}

/// How weights were submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightsKind {
    /// `set_weights`.
    Set,
    /// `commit_weights` (the reveal follows).
    Committed,
    /// `reveal_weights`.
    Revealed,
}

impl WeightsKind {
    fn as_str(self) -> &'static str {
        match self {
            WeightsKind::Set => "set",
            WeightsKind::Committed => "committed",
            WeightsKind::Revealed => "revealed",
        }
    }

    fn parse(s: &str) -> Result<Self, DbError> {
        [WeightsKind::Set, WeightsKind::Committed, WeightsKind::Revealed]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| bad("validator_weights", format!("unknown kind {s:?}")))
    }
}

/// A weights submission the chain included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightsRecord {
    /// Inclusion block.
    pub block: u64,
    /// Set, committed or revealed.
    pub kind: WeightsKind,
    /// UIDs.
    pub uids: Vec<u16>,
    /// u16 weights.
    pub weights: Vec<u16>,
    /// Version key sent.
    pub version_key: u64,
    /// When, ns since the Unix epoch.
    pub at_ns: u64,
}

/// A task as listed in the status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSummary {
    /// Task id.
    pub id: String,
    /// Where it came from.
    pub source: TaskSource,
    /// Where it is.
    pub state: TaskState,
    /// Created, ns since the Unix epoch.
    pub created_at_ns: u64,
    /// Expiry, ns since the Unix epoch.
    pub expire_at_ns: u64,
    /// Miners it was sent to.
    pub sent: u32,
    /// Miners that took it.
    pub acked: u32,
    /// Miners that returned at least one valid result.
    pub answered: u32,
    /// Miners with a score.
    pub scored: u32,
    /// Why it failed, or other remarks.
    pub note: Option<String>,
}

/// Number of tasks per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCounts {
    /// Being sent.
    pub pending: u64,
    /// Awaiting results.
    pub dispatched: u64,
    /// Scored.
    pub scored: u64,
    /// Handed back to the queue.
    pub completed: u64,
    /// Failed.
    pub failed: u64,
}

/// What one collection writes, atomically.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    /// The task.
    pub task_id: String,
    /// One entry per miner asked.
    pub results: Vec<MinerResult>,
    /// Scores (generated tasks).
    pub scores: Vec<MinerTaskScore>,
    /// The EMA after this task (generated tasks).
    pub ema: Option<MovingScores>,
    /// The task's new state.
    pub state: TaskState,
    /// A note for the task.
    pub note: Option<String>,
}

fn bad(table: &'static str, what: String) -> DbError {
    DbError::BadRow { table, what }
}

fn json<T: Serialize>(v: &T, what: &str) -> Result<String, DbError> {
    serde_json::to_string(v)
        .map_err(|e| DbError::Invalid(format!("{what} does not serialise: {e}")))
}

fn parse_json<T: serde::de::DeserializeOwned>(s: &str, table: &'static str) -> Result<T, DbError> {
    serde_json::from_str(s).map_err(|e| bad(table, e.to_string()))
}

fn uid_of(v: i64, table: &'static str) -> Result<u16, DbError> {
    u16::try_from(v).map_err(|_| bad(table, format!("uid {v} out of range")))
}

type TaskRow = (String, String, String, String, i64, i64, i64, Option<String>);
type DispatchRow = (String, i64, Option<String>, i64, Option<String>, i64);
type ResultRow = (String, i64, String, Option<String>, String, i64, i64);
type ScoreRow = (String, i64, Option<f64>, Option<String>, Option<String>, Option<String>);

fn task_from_row(r: TaskRow) -> Result<StoredTask, DbError> {
    const T: &str = "validator_tasks";
    let (_id, source, task_json, state, created, expire, max_results, note) = r;
    Ok(StoredTask {
        task: parse_json(&task_json, T)?,
        source: TaskSource::parse(&source)?,
        state: TaskState::parse(&state)?,
        created_at_ns: to_u64(created, T)?,
        expire_at_ns: to_u64(expire, T)?,
        max_results: u32::try_from(max_results)
            .map_err(|_| bad(T, format!("max_results {max_results} out of range")))?,
        note,
    })
}

/// The validator's store. Cheap to clone (shares the pool).
#[derive(Debug, Clone)]
pub struct ValidatorStore {
    db: Db,
}

impl ValidatorStore {
    /// Applies the validator's migrations and wraps `db`.
    pub async fn open(db: Db) -> Result<Self, DbError> {
        db.migrate("validator", MIGRATIONS).await?;
        Ok(Self { db })
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Stores a new task in state `pending`. A task id that exists is refused.
    pub async fn insert_task(
        &self,
        task: &Task,
        source: TaskSource,
        created_at_ns: u64,
        expire_at_ns: u64,
        max_results: u32,
    ) -> Result<(), DbError> {
        let task_json = json(task, "task")?;
        let created = to_i64(created_at_ns, "created_at_ns")?;
        let expire = to_i64(expire_at_ns, "expire_at_ns")?;
        on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO validator_tasks
                 (id, source, task_json, state, created_at_ns, expire_at_ns, max_results, note)
                 VALUES ($1, $2, $3, 'pending', $4, $5, $6, NULL)",
            )
            .bind(&task.id)
            .bind(source.as_str())
            .bind(&task_json)
            .bind(created)
            .bind(expire)
            .bind(i64::from(max_results))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Records the answers to a task request and moves the task to `state` (`dispatched` or
    /// `failed`), in one transaction.
    pub async fn record_dispatches(
        &self,
        task_id: &str,
        dispatches: &[DispatchRecord],
        state: TaskState,
        note: Option<&str>,
    ) -> Result<(), DbError> {
        let rows = dispatches
            .iter()
            .map(|d| Ok((d, to_i64(d.sent_at_ns, "sent_at_ns")?)))
            .collect::<Result<Vec<_>, DbError>>()?;
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            for (d, sent) in rows {
                sqlx::query(
                    "INSERT INTO validator_dispatches
                     (task_id, hotkey, uid, coldkey, ack, reason, sent_at_ns)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (task_id, hotkey) DO UPDATE SET uid = excluded.uid,
                     coldkey = excluded.coldkey, ack = excluded.ack, reason = excluded.reason,
                     sent_at_ns = excluded.sent_at_ns",
                )
                .bind(task_id)
                .bind(&d.hotkey)
                .bind(i64::from(d.uid))
                .bind(d.coldkey.as_deref())
                .bind(i64::from(d.ack))
                .bind(d.reason.as_deref())
                .bind(sent)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("UPDATE validator_tasks SET state = $1, note = $2 WHERE id = $3")
                .bind(state.as_str())
                .bind(note)
                .bind(task_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Sets a task's state and note.
    pub async fn set_state(
        &self,
        task_id: &str,
        state: TaskState,
        note: Option<&str>,
    ) -> Result<(), DbError> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE validator_tasks SET state = $1, note = $2 WHERE id = $3")
                .bind(state.as_str())
                .bind(note)
                .bind(task_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Writes a collection (results, scores, EMA, state) in one transaction.
    pub async fn save_collection(&self, c: &Collection) -> Result<(), DbError> {
        let results = c
            .results
            .iter()
            .map(|r| {
                Ok((
                    r,
                    json(&r.results, "worker results")?,
                    to_i64(r.received_at_ns, "received_at_ns")?,
                ))
            })
            .collect::<Result<Vec<_>, DbError>>()?;
        let scores = c
            .scores
            .iter()
            .map(|s| {
                let steps = s.steps.as_ref().map(|st| json(st, "score steps")).transpose()?;
                let penalties = (!s.penalties.is_empty())
                    .then(|| json(&s.penalties, "penalties"))
                    .transpose()?;
                Ok((s, steps, penalties))
            })
            .collect::<Result<Vec<_>, DbError>>()?;
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            for (r, results_json, received) in results {
                sqlx::query(
                    "INSERT INTO validator_results
                     (task_id, hotkey, uid, outcome, reason, results_json, rejected, received_at_ns)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (task_id, hotkey) DO UPDATE SET uid = excluded.uid,
                     outcome = excluded.outcome, reason = excluded.reason,
                     results_json = excluded.results_json, rejected = excluded.rejected,
                     received_at_ns = excluded.received_at_ns",
                )
                .bind(&c.task_id)
                .bind(&r.hotkey)
                .bind(i64::from(r.uid))
                .bind(r.outcome.as_str())
                .bind(r.reason.as_deref())
                .bind(&results_json)
                .bind(i64::from(r.rejected))
                .bind(received)
                .execute(&mut *tx)
                .await?;
            }
            for (s, steps, penalties) in scores {
                sqlx::query(
                    "INSERT INTO validator_scores
                     (task_id, hotkey, uid, score, steps_json, excluded, penalties_json)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (task_id, hotkey) DO UPDATE SET uid = excluded.uid,
                     score = excluded.score, steps_json = excluded.steps_json,
                     excluded = excluded.excluded, penalties_json = excluded.penalties_json",
                )
                .bind(&c.task_id)
                .bind(&s.hotkey)
                .bind(i64::from(s.uid))
                .bind(s.score)
                .bind(steps.as_deref())
                .bind(s.excluded.as_deref())
                .bind(penalties.as_deref())
                .execute(&mut *tx)
                .await?;
            }
            if let Some(ema) = &c.ema {
                sqlx::query("DELETE FROM validator_ema").execute(&mut *tx).await?;
                for (uid, (hotkey, score)) in ema.hotkeys.iter().zip(&ema.scores).enumerate() {
                    let uid = i64::try_from(uid).map_err(|_| DbError::Invalid(format!("uid {uid} too large")))?;
                    sqlx::query(
                        "INSERT INTO validator_ema (uid, hotkey, score) VALUES ($1, $2, $3)",
                    )
                    .bind(uid)
                    .bind(hotkey)
                    .bind(if score.is_finite() { *score } else { 0.0 })
                    .execute(&mut *tx)
                    .await?;
                }
            }
            sqlx::query("UPDATE validator_tasks SET state = $1, note = $2 WHERE id = $3")
                .bind(c.state.as_str())
                .bind(c.note.as_deref())
                .bind(&c.task_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records weights the chain included (a repeat of the same block and kind is ignored).
    pub async fn record_weights(&self, w: &WeightsRecord) -> Result<(), DbError> {
        let block = to_i64(w.block, "block")?;
        let version_key = to_i64(w.version_key, "version_key")?;
        let at = to_i64(w.at_ns, "at_ns")?;
        let uids = json(&w.uids, "uids")?;
        let weights = json(&w.weights, "weights")?;
        on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO validator_weights
                 (block, kind, uids_json, weights_json, version_key, at_ns)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (block, kind) DO NOTHING",
            )
            .bind(block)
            .bind(w.kind.as_str())
            .bind(&uids)
            .bind(&weights)
            .bind(version_key)
            .bind(at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Every weights submission, oldest first.
    pub async fn weights_history(&self) -> Result<Vec<WeightsRecord>, DbError> {
        const T: &str = "validator_weights";
        let rows: Vec<(i64, String, String, String, i64, i64)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT block, kind, uids_json, weights_json, version_key, at_ns
                 FROM validator_weights ORDER BY block, kind",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(block, kind, uids, weights, version_key, at)| {
                Ok(WeightsRecord {
                    block: to_u64(block, T)?,
                    kind: WeightsKind::parse(&kind)?,
                    uids: parse_json(&uids, T)?,
                    weights: parse_json(&weights, T)?,
                    version_key: to_u64(version_key, T)?,
                    at_ns: to_u64(at, T)?,
                })
            })
            .collect()
    }

    /// The latest weights submission.
    pub async fn last_weights(&self) -> Result<Option<WeightsRecord>, DbError> {
        Ok(self.weights_history().await?.into_iter().max_by_key(|w| (w.block, w.at_ns)))
    }

    /// A task by id, with its ground truth.
    pub async fn task(&self, id: &str) -> Result<Option<StoredTask>, DbError> {
        let row: Option<TaskRow> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, source, task_json, state, created_at_ns, expire_at_ns, max_results, note
                 FROM validator_tasks WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(task_from_row).transpose()
    }

    /// Tasks in `state`, by expiry then id.
    pub async fn tasks_in_state(&self, state: TaskState) -> Result<Vec<StoredTask>, DbError> {
        let rows: Vec<TaskRow> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, source, task_json, state, created_at_ns, expire_at_ns, max_results, note
                 FROM validator_tasks WHERE state = $1 ORDER BY expire_at_ns, id",
            )
            .bind(state.as_str())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(task_from_row).collect()
    }

    /// Number of tasks that came from `source` (the generator's round counter).
    pub async fn count_source(&self, source: TaskSource) -> Result<u64, DbError> {
        let n: i64 = on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM validator_tasks WHERE source = $1")
                .bind(source.as_str())
                .fetch_one(pool)
                .await?
        });
        to_u64(n, "validator_tasks")
    }

    /// When the latest task was created, if any.
    pub async fn last_created_at(&self) -> Result<Option<u64>, DbError> {
        let n: Option<i64> = on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT MAX(created_at_ns) FROM validator_tasks")
                .fetch_one(pool)
                .await?
        });
        n.map(|n| to_u64(n, "validator_tasks")).transpose()
    }

    /// Number of tasks per state.
    pub async fn counts(&self) -> Result<TaskCounts, DbError> {
        let rows: Vec<(String, i64)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT state, COUNT(*) FROM validator_tasks GROUP BY state")
                .fetch_all(pool)
                .await?
        });
        let mut c = TaskCounts::default();
        for (state, n) in rows {
            let n = to_u64(n, "validator_tasks")?;
            match TaskState::parse(&state)? {
                TaskState::Pending => c.pending = n,
                TaskState::Dispatched => c.dispatched = n,
                TaskState::Scored => c.scored = n,
                TaskState::Completed => c.completed = n,
                TaskState::Failed => c.failed = n,
            }
        }
        Ok(c)
    }

    /// The answers to a task's requests, by hotkey.
    pub async fn dispatches(&self, task_id: &str) -> Result<Vec<DispatchRecord>, DbError> {
        const T: &str = "validator_dispatches";
        let rows: Vec<DispatchRow> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT hotkey, uid, coldkey, ack, reason, sent_at_ns FROM validator_dispatches
                 WHERE task_id = $1 ORDER BY hotkey",
            )
            .bind(task_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(hotkey, uid, coldkey, ack, reason, sent)| {
                Ok(DispatchRecord {
                    hotkey,
                    uid: uid_of(uid, T)?,
                    coldkey,
                    ack: ack != 0,
                    reason,
                    sent_at_ns: to_u64(sent, T)?,
                })
            })
            .collect()
    }

    /// The collected results of a task, by hotkey.
    pub async fn results(&self, task_id: &str) -> Result<Vec<MinerResult>, DbError> {
        const T: &str = "validator_results";
        let rows: Vec<ResultRow> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT hotkey, uid, outcome, reason, results_json, rejected, received_at_ns
                 FROM validator_results WHERE task_id = $1 ORDER BY hotkey",
            )
            .bind(task_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(hotkey, uid, outcome, reason, results, rejected, received)| {
                Ok(MinerResult {
                    hotkey,
                    uid: uid_of(uid, T)?,
                    outcome: ResultOutcome::parse(&outcome)?,
                    reason,
                    results: parse_json(&results, T)?,
                    rejected: u32::try_from(rejected)
                        .map_err(|_| bad(T, format!("rejected {rejected} out of range")))?,
                    received_at_ns: to_u64(received, T)?,
                })
            })
            .collect()
    }

    /// The miners' scores in a task, by hotkey.
    pub async fn scores(&self, task_id: &str) -> Result<Vec<MinerTaskScore>, DbError> {
        const T: &str = "validator_scores";
        let rows: Vec<ScoreRow> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT hotkey, uid, score, steps_json, excluded, penalties_json FROM validator_scores
                 WHERE task_id = $1 ORDER BY hotkey",
            )
            .bind(task_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(hotkey, uid, score, steps, excluded, penalties)| {
                Ok(MinerTaskScore {
                    hotkey,
                    uid: uid_of(uid, T)?,
                    score,
                    steps: steps.map(|s| parse_json(&s, T)).transpose()?,
                    excluded,
                    penalties: penalties
                        .map(|p| parse_json(&p, T))
                        .transpose()?
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The stored EMA as a [`MovingScores`] with smoothing factor `alpha` (empty if none).
    pub async fn load_ema(&self, alpha: f64) -> Result<MovingScores, DbError> {
        const T: &str = "validator_ema";
        let rows: Vec<(i64, String, f64)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT uid, hotkey, score FROM validator_ema ORDER BY uid")
                .fetch_all(pool)
                .await?
        });
        let mut ema = MovingScores::new(alpha);
        for (uid, hotkey, score) in rows {
            let uid = usize::from(uid_of(uid, T)?);
            // UIDs are dense when written; a gap (never expected) is padded with zeros.
            if uid >= ema.scores.len() {
                ema.scores.resize(uid + 1, 0.0);
                ema.hotkeys.resize(uid + 1, String::new());
            }
            ema.scores[uid] = score;
            ema.hotkeys[uid] = hotkey;
        }
        Ok(ema)
    }

    /// The EMA score per hotkey.
    pub async fn ema_scores(&self) -> Result<BTreeMap<String, f64>, DbError> {
        let ema = self.load_ema(0.0).await?;
        Ok(ema.hotkeys.into_iter().zip(ema.scores).filter(|(h, _)| !h.is_empty()).collect())
    }

    /// The latest `n` tasks, newest first, with their counts.
    pub async fn recent_tasks(&self, n: usize) -> Result<Vec<TaskSummary>, DbError> {
        let limit = i64::try_from(n).unwrap_or(i64::MAX);
        let rows: Vec<(String, String, String, i64, i64, Option<String>)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, source, state, created_at_ns, expire_at_ns, note
                 FROM validator_tasks ORDER BY created_at_ns DESC, id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        let mut out = Vec::with_capacity(rows.len());
        for (id, source, state, created, expire, note) in rows {
            let (sent, acked): (i64, i64) = on_db!(&self.db, pool => {
                sqlx::query_as(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(ack), 0) AS BIGINT) FROM validator_dispatches
                     WHERE task_id = $1",
                )
                .bind(&id)
                .fetch_one(pool)
                .await?
            });
            let answered: i64 = on_db!(&self.db, pool => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM validator_results WHERE task_id = $1 AND outcome = 'ok'",
                )
                .bind(&id)
                .fetch_one(pool)
                .await?
            });
            let scored: i64 = on_db!(&self.db, pool => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM validator_scores WHERE task_id = $1
                     AND score IS NOT NULL",
                )
                .bind(&id)
                .fetch_one(pool)
                .await?
            });
            let count = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
            out.push(TaskSummary {
                source: TaskSource::parse(&source)?,
                state: TaskState::parse(&state)?,
                created_at_ns: to_u64(created, "validator_tasks")?,
                expire_at_ns: to_u64(expire, "validator_tasks")?,
                sent: count(sent),
                acked: count(acked),
                answered: count(answered),
                scored: count(scored),
                note,
                id,
            });
        }
        Ok(out)
    }

    /// Collected tasks (scored or completed) created at or after `since_ns`, oldest first, as
    /// [`CompletedTask`]s for [`dojo_core::export`]: every miner response with at least one valid
    /// result. Times are Unix seconds, as the exporter expects.
    pub async fn completed_tasks(&self, since_ns: u64) -> Result<Vec<CompletedTask>, DbError> {
        let since = to_i64(since_ns, "since_ns")?;
        let rows: Vec<TaskRow> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, source, task_json, state, created_at_ns, expire_at_ns, max_results, note
                 FROM validator_tasks WHERE state IN ('scored', 'completed')
                 AND created_at_ns >= $1 ORDER BY created_at_ns, id",
            )
            .bind(since)
            .fetch_all(pool)
            .await?
        });
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let stored = task_from_row(row)?;
            let coldkeys: BTreeMap<String, Option<String>> = self
                .dispatches(&stored.task.id)
                .await?
                .into_iter()
                .map(|d| (d.hotkey, d.coldkey))
                .collect();
            let responses = self
                .results(&stored.task.id)
                .await?
                .into_iter()
                .filter(|r| !r.results.is_empty())
                .map(|r| MinerResponse {
                    coldkey: coldkeys.get(&r.hotkey).cloned().flatten(),
                    hotkey: r.hotkey,
                    results: r.results,
                    received_at: r.received_at_ns / 1_000_000_000,
                })
                .collect();
            out.push(CompletedTask {
                task: stored.task,
                responses,
                created_at: stored.created_at_ns / 1_000_000_000,
                expire_at: stored.expire_at_ns / 1_000_000_000,
            });
        }
        Ok(out)
    }

    /// Hotkeys that took `task_id` (acknowledged it).
    pub async fn acked_hotkeys(&self, task_id: &str) -> Result<BTreeSet<String>, DbError> {
        Ok(self
            .dispatches(task_id)
            .await?
            .into_iter()
            .filter(|d| d.ack)
            .map(|d| d.hotkey)
            .collect())
    }
}
