//! What the miner remembers across restarts (database component `miner`): which platform task
//! answers which validator's task, and the scores validators sent.

use serde::{Deserialize, Serialize};

use db::on_db;
use db::{Db, DbError, Legacy, Migrations, to_i64, to_u64};

/// Database component name of the miner's store.
pub const COMPONENT: &str = "miner";

/// The miner's migrations (component [`COMPONENT`], folders `migrations/{sqlite,postgres}`);
/// databases migrated by the old runner (`dojo_migrations`) are adopted.
pub(crate) fn migrations() -> Migrations {
    Migrations::new(
        COMPONENT,
        sqlx::migrate!("migrations/sqlite"),
        sqlx::migrate!("migrations/postgres"),
    )
    .with_legacy(Legacy::dojo(COMPONENT))
}

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
        db.migrate(&migrations()).await?;
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

#[cfg(test)]
mod tests {
    use db::DbConfig;

    use super::*;

    /// A database made by the code before the `db` crate (Dojo's old runner recorded version 1
    /// of `miner` in `dojo_migrations`, beside another component) is adopted: the mapping and
    /// score it holds survive and the store keeps working.
    async fn an_old_database_keeps_working(config: DbConfig) {
        const V1: &str = include_str!("../migrations/sqlite/0001_init.sql");
        let raw = Db::open(&config).await.unwrap();
        db::test_utils::dojo_old_runner(&raw, COMPONENT, &[(1, V1)]).await.unwrap();
        db::test_utils::dojo_old_runner(&raw, "other", &[(1, "SELECT 1")]).await.unwrap();
        on_db!(&raw, pool => {
            sqlx::query("INSERT INTO miner_tasks VALUES ('5V', 't1', 'p1', 10, 20)")
                .execute(pool).await.unwrap();
            sqlx::query("INSERT INTO miner_scores VALUES ('5V', 't1', 0.75, 30, 1, NULL)")
                .execute(pool).await.unwrap();
        });

        let store = MinerStore::open(Db::open(&config).await.unwrap()).await.unwrap();
        assert_eq!(store.platform_id("5V", "t1").await.unwrap().as_deref(), Some("p1"));
        let old = ScoreRecord {
            validator_hotkey: "5V".into(),
            task_id: "t1".into(),
            score: 0.75,
            received_at_ns: 30,
            ground_truth_revealed: true,
            reveal_error: None,
        };
        assert_eq!(store.recent_scores(10).await.unwrap(), vec![old]);
        store.insert_task("5V", "t2", "p2", 40, 50).await.unwrap();
        assert_eq!(store.task_count().await.unwrap(), 2);
        let recorded: i64 = on_db!(&raw, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations_miner")
                .fetch_one(pool).await.unwrap()
        });
        assert_eq!(recorded, 1);
    }

    #[tokio::test]
    async fn sqlite_database_made_by_the_old_runner_keeps_working() {
        let dir = tempfile::tempdir().unwrap();
        an_old_database_keeps_working(DbConfig::Sqlite(dir.path().join("miner.sqlite"))).await;
    }

    #[tokio::test]
    async fn pg_database_made_by_the_old_runner_keeps_working() {
        let Some(pg) = test_support::pg::fresh_schema("old_miner") else { return };
        an_old_database_keeps_working(DbConfig::parse(&pg.url).with_schema(pg.schema)).await;
    }
}
