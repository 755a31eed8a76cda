//! What the miner remembers across restarts (database component `miner`): which platform task
//! answers which validator's task, and the scores validators sent.

use serde::{Deserialize, Serialize};

use dojo_db::on_db;
use dojo_db::{Db, DbError, to_i64, to_u64};

/// Database component name of the miner's store.
pub const COMPONENT: &str = "miner";

const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    "CREATE TABLE miner_tasks (
        validator_hotkey TEXT NOT NULL,
        validator_task_id TEXT NOT NULL,
        platform_id TEXT NOT NULL,
        received_at_ns BIGINT NOT NULL,
        expire_at_ns BIGINT NOT NULL,
        PRIMARY KEY (validator_hotkey, validator_task_id)
    );
    CREATE TABLE miner_scores (
        validator_hotkey TEXT NOT NULL,
        validator_task_id TEXT NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        received_at_ns BIGINT NOT NULL,
        ground_truth_revealed BIGINT NOT NULL,
        reveal_error TEXT,
        PRIMARY KEY (validator_hotkey, validator_task_id)
    );
    CREATE INDEX miner_scores_recent ON miner_scores (received_at_ns);",
)];

/// A score a validator sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRecord {
    /// The validator (SS58).
    pub validator_hotkey: String,
    /// The validator's task id.
    pub task_id: String,
    /// The score, 0–1.
    pub score: f64,
    /// When it arrived, ns since the Unix epoch.
    pub received_at_ns: u64,
    /// Whether the ground truth reached the platform.
    pub ground_truth_revealed: bool,
    /// Why the reveal failed, if it did.
    pub reveal_error: Option<String>,
}

/// The miner's tables.
#[derive(Debug, Clone)]
pub(crate) struct MinerStore {
    db: Db,
}

impl MinerStore {
    pub(crate) async fn open(db: Db) -> Result<Self, DbError> {
        db.migrate(COMPONENT, MIGRATIONS).await?;
        Ok(Self { db })
    }

    /// Records that `validator`'s task `task_id` is `platform_id` on the platform (first
    /// mapping wins: a resent task keeps its platform task).
    pub(crate) async fn insert_task(
        &self,
        validator: &str,
        task_id: &str,
        platform_id: &str,
        received_at_ns: u64,
        expire_at_ns: u64,
    ) -> Result<(), DbError> {
        let (received, expire) =
            (to_i64(received_at_ns, "received_at_ns")?, to_i64(expire_at_ns, "expire_at_ns")?);
        on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO miner_tasks (validator_hotkey, validator_task_id, platform_id, \
                 received_at_ns, expire_at_ns) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (validator_hotkey, validator_task_id) DO NOTHING",
            )
            .bind(validator)
            .bind(task_id)
            .bind(platform_id)
            .bind(received)
            .bind(expire)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The platform id of `validator`'s task `task_id`.
    pub(crate) async fn platform_id(
        &self,
        validator: &str,
        task_id: &str,
    ) -> Result<Option<String>, DbError> {
        let row: Option<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT platform_id FROM miner_tasks \
                 WHERE validator_hotkey = $1 AND validator_task_id = $2",
            )
            .bind(validator)
            .bind(task_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| r.0))
    }

    /// Records (or replaces) a score.
    pub(crate) async fn record_score(&self, s: &ScoreRecord) -> Result<(), DbError> {
        let at = to_i64(s.received_at_ns, "received_at_ns")?;
        on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO miner_scores (validator_hotkey, validator_task_id, score, \
                 received_at_ns, ground_truth_revealed, reveal_error) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (validator_hotkey, validator_task_id) DO UPDATE SET \
                 score = excluded.score, received_at_ns = excluded.received_at_ns, \
                 ground_truth_revealed = excluded.ground_truth_revealed, \
                 reveal_error = excluded.reveal_error",
            )
            .bind(&s.validator_hotkey)
            .bind(&s.task_id)
            .bind(s.score)
            .bind(at)
            .bind(i64::from(s.ground_truth_revealed))
            .bind(s.reveal_error.as_deref())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The `limit` most recent scores, newest first.
    pub(crate) async fn recent_scores(&self, limit: u32) -> Result<Vec<ScoreRecord>, DbError> {
        type Row = (String, String, f64, i64, i64, Option<String>);
        let rows: Vec<Row> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT validator_hotkey, validator_task_id, score, received_at_ns, \
                 ground_truth_revealed, reveal_error FROM miner_scores \
                 ORDER BY received_at_ns DESC, validator_task_id LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(validator_hotkey, task_id, score, at, revealed, reveal_error)| {
                Ok(ScoreRecord {
                    validator_hotkey,
                    task_id,
                    score,
                    received_at_ns: to_u64(at, "miner_scores")?,
                    ground_truth_revealed: revealed != 0,
                    reveal_error,
                })
            })
            .collect()
    }

    /// Number of scores and their mean (over every score ever received).
    pub(crate) async fn score_summary(&self) -> Result<(u64, Option<f64>), DbError> {
        let (n, mean): (i64, Option<f64>) = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT COUNT(*), AVG(score) FROM miner_scores").fetch_one(pool).await?
        });
        Ok((to_u64(n, "miner_scores")?, mean))
    }

    /// Number of tasks forwarded to the platform, ever.
    pub(crate) async fn task_count(&self) -> Result<u64, DbError> {
        let (n,): (i64,) = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT COUNT(*) FROM miner_tasks").fetch_one(pool).await?
        });
        to_u64(n, "miner_tasks")
    }
}
