//! [`SqlStore`]: the platform's state in SQLite or PostgreSQL ([`db::Db`]).
//!
//! The SQL is shared by both engines except the account id column (SQLite's `INTEGER PRIMARY
//! KEY AUTOINCREMENT`, PostgreSQL's identity column) and the result counter (a trigger on
//! SQLite); the schema lives in `migrations/sqlite` and `migrations/postgres`. Tasks are stored as the task's JSON plus
//! the columns the rules need (`miner_id`, `expires_at_ns`, `max_results` and a `results`
//! counter); a revealed ground truth goes into its own column and overrides the task's.
//!
//! # Atomicity
//!
//! Both state changes that race are single atomic units that take the write lock first.
//!
//! - **Submit** is one statement, the hot path's only write (one round trip); on PostgreSQL
//!   concurrent submissions are first batched into one transaction each
//!   ([`super::group_commit`], same rules), this statement being the fallback:
//!   - SQLite: `INSERT ... SELECT ... FROM platform_tasks WHERE id = $1 AND expires_at_ns >
//!     $now AND results < max_results`, with a trigger counting `results`. A SQLite statement
//!     is atomic and writers are serialised, so the cap holds.
//!   - PostgreSQL: `WITH claimed AS (UPDATE platform_tasks SET results = results + 1 WHERE
//!     ... AND results < max_results RETURNING id) INSERT ... SELECT ... FROM claimed`. The
//!     `UPDATE`'s row lock serialises the task's writers; under `READ COMMITTED` a waiting
//!     `UPDATE` re-checks its `WHERE` on the committed row, so the cap holds.
//!
//!   On both, the primary key `(task_id, worker_id)` refuses a second result of the same
//!   worker even when two of its requests race (and undoes the claim: same statement). When
//!   nothing was inserted, a read tells which rule refused it.
//! - **Redeem an invite** is a transaction (`BEGIN IMMEDIATE` on SQLite, so there is no
//!   read-to-write lock upgrade that could fail): `UPDATE platform_invites SET used_by = 0
//!   WHERE key = $1 AND used_by IS NULL RETURNING miner_id` claims the key (a row lock on
//!   PostgreSQL), the account insert (unique `username_key`) follows, then the key records its
//!   worker; any failure rolls the claim back.
//!
//! The store suite (`tests/it/platform_store.rs`) races 50 submitters per task and 50 sign-ups
//! per invite on every engine.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::error::PlatformError;
use super::group_commit::{GroupCommit, Outcome, Row};
use super::store::{
    Account, AccountId, ApiKey, Invite, PlatformStore, PlatformTask, Role, Session, Submission,
};
use db::{Backend, Db, Legacy, Migrations, to_i64, to_u64};
use dojo_core::task::{GroundTruth, OutputId, Task};

/// The platform's migrations (component `platform`, folders `migrations/{sqlite,postgres}`);
/// databases migrated by the old runner (`dojo_migrations`) are adopted.
pub(crate) fn migrations() -> Migrations {
    Migrations::new(
        "platform",
        sqlx::migrate!("migrations/sqlite"),
        sqlx::migrate!("migrations/postgres"),
    )
    .with_legacy(Legacy::dojo("platform"))
}

/// SQLite: insert only if the task is open and below its cap; the trigger counts.
const SQLITE_SUBMIT: &str = "INSERT INTO platform_submissions
      (task_id, worker_id, scores_json, explanation, submitted_at_ns, shown_at_ns)
    SELECT $1, $2, $3, $4, $5,
           (SELECT shown_at_ns FROM platform_views WHERE task_id = $1 AND worker_id = $2)
    FROM platform_tasks WHERE id = $1 AND expires_at_ns > $6 AND results < max_results";

/// PostgreSQL: claim a slot (the row lock serialises writers of the task; a waiting `UPDATE`
/// re-checks the cap on the committed row), then insert; one statement, so a duplicate's
/// unique violation also undoes the claim.
const PG_SUBMIT: &str = "WITH claimed AS (
      UPDATE platform_tasks SET results = results + 1
      WHERE id = $1 AND expires_at_ns > $6 AND results < max_results
      RETURNING id)
    INSERT INTO platform_submissions
      (task_id, worker_id, scores_json, explanation, submitted_at_ns, shown_at_ns)
    SELECT $1, $2, $3, $4, $5,
           (SELECT shown_at_ns FROM platform_views WHERE task_id = $1 AND worker_id = $2)
    FROM claimed";

/// Tasks kept in the process's cache before it is cleared.
const TASK_CACHE_MAX: usize = 10_000;

/// Runs `$body` inside a transaction `$tx` that holds the write lock from its first statement
/// (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a plain `BEGIN`, the row locks of the body's first
/// `UPDATE` do the rest).
macro_rules! write_tx {
    ($db:expr, $tx:ident => $body:expr) => {
        match $db {
            Db::Sqlite(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                $body
            }
            Db::Postgres(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin().await?;
                $body
            }
        }
    };
}

type AccountRow = (i64, String, String, Option<i64>);
type TaskRow = (String, i64, String, Option<String>, i64, i64);
type SubmissionRow = (String, i64, String, String, i64, Option<i64>);

fn bad(table: &'static str, what: impl std::fmt::Display) -> PlatformError {
    PlatformError::from(db::DbError::BadRow { table, what: what.to_string() })
}

fn account_of(r: AccountRow) -> Result<Account, PlatformError> {
    let (id, username, password_hash, miner) = r;
    let role = match miner {
        Some(m) => Role::Worker { miner: to_u64(m, "platform_accounts")? },
        None => Role::Miner,
    };
    Ok(Account { id: to_u64(id, "platform_accounts")?, username, password_hash, role })
}

fn task_of(r: TaskRow) -> Result<PlatformTask, PlatformError> {
    let (id, miner, json, gt, expires, max) = r;
    let mut task: Task =
        serde_json::from_str(&json).map_err(|e| bad("platform_tasks", format!("{id}: {e}")))?;
    if let Some(gt) = gt {
        task.ground_truth = Some(
            serde_json::from_str::<GroundTruth>(&gt)
                .map_err(|e| bad("platform_tasks", format!("{id} ground truth: {e}")))?,
        );
    }
    Ok(PlatformTask {
        task,
        miner: to_u64(miner, "platform_tasks")?,
        expires_at_ns: to_u64(expires, "platform_tasks")?,
        max_results: u32::try_from(max).map_err(|_| bad("platform_tasks", "max_results"))?,
    })
}

fn submission_of(r: SubmissionRow) -> Result<Submission, PlatformError> {
    let (task_id, worker, scores, explanation, at, shown) = r;
    let scores: BTreeMap<OutputId, u32> = serde_json::from_str(&scores)
        .map_err(|e| bad("platform_submissions", format!("{task_id}: {e}")))?;
    Ok(Submission {
        task_id,
        worker: to_u64(worker, "platform_submissions")?,
        scores,
        explanation,
        submitted_at_ns: to_u64(at, "platform_submissions")?,
        shown_at_ns: shown.map(|s| to_u64(s, "platform_submissions")).transpose()?,
    })
}

fn is_unique(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

fn int(v: u64, what: &str) -> Result<i64, PlatformError> {
    Ok(to_i64(v, what)?)
}

/// The platform's store in a SQLite or PostgreSQL database. Cheap to clone.
///
/// Tasks read by id are cached in the process (a task changes only when its ground truth is
/// revealed, through this store, which refreshes the cache), so serve one database with one
/// platform process.
#[derive(Debug, Clone)]
pub struct SqlStore {
    db: Db,
    tasks: Arc<Mutex<HashMap<String, Arc<PlatformTask>>>>,
    _checkpointer: Option<Arc<Checkpointer>>,
    /// PostgreSQL's submissions go through group commit.
    group_commit: Option<Arc<GroupCommit>>,
}

/// How often the SQLite write-ahead log is checkpointed in the background.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// Keeps SQLite's write-ahead log short from a background task, so the commit that crosses
/// SQLite's auto-checkpoint threshold (1,000 pages) rarely has to copy the log into the
/// database and fsync it while the write lock's queue waits: measured, that cut the p99 of
/// paced submissions (2,000/s from 1,000 workers) from 100–200 ms to 12–28 ms. A passive checkpoint never blocks
/// writers; once it has copied everything the next writer restarts the log from its start.
/// The task ends when the last clone of the store is dropped.
#[derive(Debug)]
struct Checkpointer(tokio::task::JoinHandle<()>);

impl Checkpointer {
    fn start(pool: sqlx::SqlitePool) -> Self {
        Checkpointer(tokio::spawn(async move {
            let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !pool.is_closed() {
                tick.tick().await;
                // A failed checkpoint is retried on the next tick; SQLite's own auto-checkpoint
                // remains the fallback.
                let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await;
            }
        }))
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl SqlStore {
    /// The store in `db`, creating or upgrading its tables ([`migrations`]).
    pub async fn open(db: Db) -> Result<SqlStore, PlatformError> {
        db.migrate(&migrations()).await?;
        let (checkpointer, group_commit) = match &db {
            Db::Sqlite(pool) => (Some(Arc::new(Checkpointer::start(pool.clone()))), None),
            Db::Postgres(pool) => (None, Some(Arc::new(GroupCommit::start(pool.clone())))),
        };
        Ok(SqlStore { db, tasks: Arc::default(), _checkpointer: checkpointer, group_commit })
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<PlatformTask>>> {
        match self.tasks.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Which rule refused a submission the counter update did not accept.
    async fn refusal(&self, s: &Submission, now_ns: u64) -> Result<PlatformError, PlatformError> {
        let task = self.task(&s.task_id).await?.ok_or(PlatformError::NotFound)?;
        let worker = int(s.worker, "worker id")?;
        let (count, mine): (i64, i64) = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN worker_id = $2 THEN 1 ELSE 0 END), 0)
                 FROM platform_submissions WHERE task_id = $1",
            )
            .bind(&s.task_id)
            .bind(worker)
            .fetch_one(pool)
            .await?
        });
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        Ok(match super::store::check_open(&task, mine > 0, count, now_ns) {
            Err(e) => e,
            // Nothing refuses it now: a racing submission must have changed the count back,
            // which cannot happen (results are never deleted); report it as full.
            Ok(()) => PlatformError::Full { max_results: task.max_results },
        })
    }
}

#[async_trait]
impl PlatformStore for SqlStore {
    async fn create_miner(
        &self,
        username: &str,
        password_hash: String,
    ) -> Result<Account, PlatformError> {
        let row: Result<(i64,), sqlx::Error> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "INSERT INTO platform_accounts (username, username_key, password_hash, miner_id)
                 VALUES ($1, $2, $3, NULL) RETURNING id",
            )
            .bind(username)
            .bind(username.to_ascii_lowercase())
            .bind(&password_hash)
            .fetch_one(pool)
            .await
        });
        match row {
            Ok((id,)) => Ok(Account {
                id: to_u64(id, "platform_accounts")?,
                username: username.to_string(),
                password_hash,
                role: Role::Miner,
            }),
            Err(e) if is_unique(&e) => Err(PlatformError::UsernameTaken),
            Err(e) => Err(e.into()),
        }
    }

    async fn redeem_invite(
        &self,
        key: &str,
        username: &str,
        password_hash: String,
    ) -> Result<Account, PlatformError> {
        let outcome: Result<Account, PlatformError> = write_tx!(&self.db, tx => {
            let claimed: Option<(i64,)> = sqlx::query_as(
                "UPDATE platform_invites SET used_by = 0 WHERE key = $1 AND used_by IS NULL
                 RETURNING miner_id",
            )
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
            match claimed {
                None => {
                    let known: Option<(i64,)> =
                        sqlx::query_as("SELECT miner_id FROM platform_invites WHERE key = $1")
                            .bind(key)
                            .fetch_optional(&mut *tx)
                            .await?;
                    tx.rollback().await?;
                    Err(if known.is_some() {
                        PlatformError::InviteUsed
                    } else {
                        PlatformError::InviteUnknown
                    })
                }
                Some((miner,)) => {
                    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
                        "INSERT INTO platform_accounts
                           (username, username_key, password_hash, miner_id)
                         VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(username)
                    .bind(username.to_ascii_lowercase())
                    .bind(&password_hash)
                    .bind(miner)
                    .fetch_one(&mut *tx)
                    .await;
                    match inserted {
                        Err(e) => {
                            tx.rollback().await?;
                            Err(if is_unique(&e) { PlatformError::UsernameTaken } else { e.into() })
                        }
                        Ok((id,)) => {
                            sqlx::query("UPDATE platform_invites SET used_by = $1 WHERE key = $2")
                                .bind(id)
                                .bind(key)
                                .execute(&mut *tx)
                                .await?;
                            tx.commit().await?;
                            Ok(Account {
                                id: to_u64(id, "platform_accounts")?,
                                username: username.to_string(),
                                password_hash,
                                role: Role::Worker { miner: to_u64(miner, "platform_invites")? },
                            })
                        }
                    }
                }
            }
        });
        outcome
    }

    async fn add_invite(&self, invite: Invite) -> Result<(), PlatformError> {
        let miner = int(invite.miner, "miner id")?;
        let at = int(invite.issued_at_ns, "issued_at_ns")?;
        let used = invite.used_by.map(|u| int(u, "worker id")).transpose()?;
        db::on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO platform_invites (key, miner_id, used_by, issued_at_ns)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&invite.key)
            .bind(miner)
            .bind(used)
            .bind(at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn invites(&self, miner: AccountId) -> Result<Vec<Invite>, PlatformError> {
        let m = int(miner, "miner id")?;
        let rows: Vec<(String, i64, Option<i64>, i64)> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT key, miner_id, used_by, issued_at_ns FROM platform_invites
                 WHERE miner_id = $1 ORDER BY issued_at_ns, key",
            )
            .bind(m)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(key, miner, used, at)| {
                Ok(Invite {
                    key,
                    miner: to_u64(miner, "platform_invites")?,
                    // 0 marks a key claimed by a sign-up still in flight.
                    used_by: used.map(|u| to_u64(u, "platform_invites")).transpose()?,
                    issued_at_ns: to_u64(at, "platform_invites")?,
                })
            })
            .collect()
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, PlatformError> {
        let id = int(id, "account id")?;
        let row: Option<AccountRow> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, username, password_hash, miner_id FROM platform_accounts WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(account_of).transpose()
    }

    async fn account_by_username(&self, username: &str) -> Result<Option<Account>, PlatformError> {
        let row: Option<AccountRow> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, username, password_hash, miner_id FROM platform_accounts
                 WHERE username_key = $1",
            )
            .bind(username.to_ascii_lowercase())
            .fetch_optional(pool)
            .await?
        });
        row.map(account_of).transpose()
    }

    async fn members(&self, miner: AccountId) -> Result<Vec<Account>, PlatformError> {
        let m = int(miner, "miner id")?;
        let rows: Vec<AccountRow> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, username, password_hash, miner_id FROM platform_accounts
                 WHERE miner_id = $1 ORDER BY id",
            )
            .bind(m)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(account_of).collect()
    }

    async fn put_session(&self, s: Session) -> Result<(), PlatformError> {
        let account = s.account.map(|a| int(a, "account id")).transpose()?;
        let seen = int(s.last_seen_ns, "last_seen_ns")?;
        db::on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO platform_sessions (id, csrf, account_id, last_seen_ns)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO UPDATE SET csrf = excluded.csrf,
                   account_id = excluded.account_id, last_seen_ns = excluded.last_seen_ns",
            )
            .bind(&s.id)
            .bind(&s.csrf)
            .bind(account)
            .bind(seen)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn session(&self, id: &str) -> Result<Option<Session>, PlatformError> {
        let row: Option<(String, String, Option<i64>, i64)> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, csrf, account_id, last_seen_ns FROM platform_sessions WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(id, csrf, account, seen)| {
            Ok(Session {
                id,
                csrf,
                account: account.map(|a| to_u64(a, "platform_sessions")).transpose()?,
                last_seen_ns: to_u64(seen, "platform_sessions")?,
            })
        })
        .transpose()
    }

    async fn session_account(
        &self,
        id: &str,
    ) -> Result<Option<(Session, Option<Account>)>, PlatformError> {
        type Row = (String, String, Option<i64>, i64, Option<String>, Option<String>, Option<i64>);
        let row: Option<Row> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT s.id, s.csrf, s.account_id, s.last_seen_ns,
                        a.username, a.password_hash, a.miner_id
                 FROM platform_sessions s LEFT JOIN platform_accounts a ON a.id = s.account_id
                 WHERE s.id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        let Some((id, csrf, account, seen, username, hash, miner)) = row else { return Ok(None) };
        let session = Session {
            id,
            csrf,
            account: account.map(|a| to_u64(a, "platform_sessions")).transpose()?,
            last_seen_ns: to_u64(seen, "platform_sessions")?,
        };
        let account = match (account, username, hash) {
            (Some(a), Some(u), Some(h)) => Some(account_of((a, u, h, miner))?),
            _ => None,
        };
        Ok(Some((session, account)))
    }

    async fn touch_session(&self, id: &str, now_ns: u64) -> Result<(), PlatformError> {
        let now = int(now_ns, "now")?;
        db::on_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE platform_sessions SET last_seen_ns = $2
                 WHERE id = $1 AND last_seen_ns < $2",
            )
            .bind(id)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn delete_session(&self, id: &str) -> Result<(), PlatformError> {
        db::on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM platform_sessions WHERE id = $1").bind(id).execute(pool).await?;
        });
        Ok(())
    }

    async fn purge_sessions(&self, before_ns: u64) -> Result<u64, PlatformError> {
        let before = int(before_ns, "before")?;
        let n = db::on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM platform_sessions WHERE last_seen_ns < $1")
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n)
    }

    async fn add_api_key(&self, key: ApiKey) -> Result<(), PlatformError> {
        let miner = int(key.miner, "miner id")?;
        let at = int(key.created_at_ns, "created_at_ns")?;
        db::on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO platform_api_keys (key_hash, miner_id, created_at_ns)
                 VALUES ($1, $2, $3)",
            )
            .bind(&key.key_hash)
            .bind(miner)
            .bind(at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn api_key(&self, key_hash: &str) -> Result<Option<ApiKey>, PlatformError> {
        let row: Option<(String, i64, i64)> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT key_hash, miner_id, created_at_ns FROM platform_api_keys
                 WHERE key_hash = $1",
            )
            .bind(key_hash)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(key_hash, miner, at)| {
            Ok(ApiKey {
                key_hash,
                miner: to_u64(miner, "platform_api_keys")?,
                created_at_ns: to_u64(at, "platform_api_keys")?,
            })
        })
        .transpose()
    }

    async fn api_keys(&self, miner: AccountId) -> Result<Vec<ApiKey>, PlatformError> {
        let m = int(miner, "miner id")?;
        let rows: Vec<(String, i64, i64)> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT key_hash, miner_id, created_at_ns FROM platform_api_keys
                 WHERE miner_id = $1 ORDER BY created_at_ns, key_hash",
            )
            .bind(m)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(key_hash, miner, at)| {
                Ok(ApiKey {
                    key_hash,
                    miner: to_u64(miner, "platform_api_keys")?,
                    created_at_ns: to_u64(at, "platform_api_keys")?,
                })
            })
            .collect()
    }

    async fn add_task(
        &self,
        task: PlatformTask,
        source_id: Option<String>,
    ) -> Result<(), PlatformError> {
        let json = serde_json::to_string(&task.task)
            .map_err(|e| PlatformError::Internal(format!("encoding task: {e}")))?;
        let miner = int(task.miner, "miner id")?;
        let expires = int(task.expires_at_ns, "expires_at_ns")?;
        let r: Result<_, sqlx::Error> = db::on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO platform_tasks
                   (id, miner_id, source_id, task_json, expires_at_ns, max_results)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&task.task.id)
            .bind(miner)
            .bind(&source_id)
            .bind(&json)
            .bind(expires)
            .bind(i64::from(task.max_results))
            .execute(pool)
            .await
            .map(|_| ())
        });
        match r {
            Ok(()) => Ok(()),
            Err(e) if is_unique(&e) => {
                Err(PlatformError::TaskExists(source_id.unwrap_or(task.task.id)))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn task(&self, id: &str) -> Result<Option<PlatformTask>, PlatformError> {
        if let Some(t) = self.cache().get(id) {
            return Ok(Some(PlatformTask::clone(t)));
        }
        let row: Option<TaskRow> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, miner_id, task_json, ground_truth_json, expires_at_ns, max_results
                 FROM platform_tasks WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        let Some(task) = row.map(task_of).transpose()? else { return Ok(None) };
        let mut cache = self.cache();
        if cache.len() >= TASK_CACHE_MAX {
            cache.clear();
        }
        cache.insert(id.to_string(), Arc::new(task.clone()));
        Ok(Some(task))
    }

    async fn task_source(&self, id: &str) -> Result<Option<String>, PlatformError> {
        let row: Option<(Option<String>,)> = db::on_db!(&self.db, pool => {
            sqlx::query_as("SELECT source_id FROM platform_tasks WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.and_then(|(s,)| s))
    }

    async fn tasks(&self, miner: AccountId) -> Result<Vec<PlatformTask>, PlatformError> {
        let m = int(miner, "miner id")?;
        let rows: Vec<TaskRow> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, miner_id, task_json, ground_truth_json, expires_at_ns, max_results
                 FROM platform_tasks WHERE miner_id = $1 ORDER BY id",
            )
            .bind(m)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(task_of).collect()
    }

    async fn reveal_ground_truth(
        &self,
        task_id: &str,
        ground_truth: GroundTruth,
    ) -> Result<(), PlatformError> {
        let json = serde_json::to_string(&ground_truth)
            .map_err(|e| PlatformError::Internal(format!("encoding ground truth: {e}")))?;
        let n = db::on_db!(&self.db, pool => {
            sqlx::query("UPDATE platform_tasks SET ground_truth_json = $2 WHERE id = $1")
                .bind(task_id)
                .bind(&json)
                .execute(pool)
                .await?
                .rows_affected()
        });
        self.cache().remove(task_id);
        if n == 0 { Err(PlatformError::NotFound) } else { Ok(()) }
    }

    async fn record_view(
        &self,
        task_id: &str,
        worker: AccountId,
        now_ns: u64,
    ) -> Result<(), PlatformError> {
        let w = int(worker, "worker id")?;
        let now = int(now_ns, "now")?;
        db::on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO platform_views (task_id, worker_id, shown_at_ns) VALUES ($1, $2, $3)
                 ON CONFLICT (task_id, worker_id) DO NOTHING",
            )
            .bind(task_id)
            .bind(w)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn submit(&self, s: Submission, now_ns: u64) -> Result<(), PlatformError> {
        let worker = int(s.worker, "worker id")?;
        let now = int(now_ns, "now")?;
        let at = int(s.submitted_at_ns, "submitted_at_ns")?;
        let scores = serde_json::to_string(&s.scores)
            .map_err(|e| PlatformError::Internal(format!("encoding scores: {e}")))?;
        if let Some(group) = &self.group_commit {
            let row = Row {
                task_id: s.task_id.clone(),
                worker,
                scores_json: scores.clone(),
                explanation: s.explanation.clone(),
                submitted_at_ns: at,
                now_ns: now,
            };
            match group.submit(row).await {
                Outcome::Stored => return Ok(()),
                Outcome::Refused(e) => return Err(e),
                Outcome::Retry => {}
            }
        }
        let sql = match self.db.backend() {
            Backend::Sqlite => SQLITE_SUBMIT,
            Backend::Postgres => PG_SUBMIT,
        };
        let inserted: Result<u64, sqlx::Error> = db::on_db!(&self.db, pool => {
            sqlx::query(sql)
                .bind(&s.task_id)
                .bind(worker)
                .bind(&scores)
                .bind(&s.explanation)
                .bind(at)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        });
        let stored = match inserted {
            Ok(n) => n > 0,
            Err(e) if is_unique(&e) => return Err(PlatformError::AlreadySubmitted),
            Err(e) => return Err(e.into()),
        };
        if stored { Ok(()) } else { Err(self.refusal(&s, now_ns).await?) }
    }

    async fn submissions(&self, task_id: &str) -> Result<Vec<Submission>, PlatformError> {
        let rows: Vec<SubmissionRow> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT task_id, worker_id, scores_json, explanation, submitted_at_ns, shown_at_ns
                 FROM platform_submissions WHERE task_id = $1
                 ORDER BY submitted_at_ns, worker_id",
            )
            .bind(task_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(submission_of).collect()
    }

    async fn team_submissions(&self, miner: AccountId) -> Result<Vec<Submission>, PlatformError> {
        let m = int(miner, "miner id")?;
        let rows: Vec<SubmissionRow> = db::on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT s.task_id, s.worker_id, s.scores_json, s.explanation, s.submitted_at_ns,
                        s.shown_at_ns
                 FROM platform_submissions s JOIN platform_tasks t ON t.id = s.task_id
                 WHERE t.miner_id = $1 ORDER BY s.task_id, s.submitted_at_ns, s.worker_id",
            )
            .bind(m)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(submission_of).collect()
    }
}
