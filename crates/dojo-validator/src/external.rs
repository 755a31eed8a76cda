//! External tasks: clients of the validator's operator submit their own prompt and outputs,
//! the validator sends them to miners like any task, and the humans' aggregated judgement
//! goes back to the client (by polling, and by a signed webhook).
//!
//! # Flow
//!
//! ```text
//! client ── POST /api/v1/external/tasks (Bearer key) ──> ExternalTasks (pending)
//! validator loop ── TaskQueue::next_task ──> claimed ── dispatched(expire_at, miners) ──> dispatched
//!                ── completed(responses) ──> completed (ExternalResult) ── webhook ──> client
//! ```
//!
//! - **Keys.** The operator issues keys ([`ExternalTasks::issue_key`]); the secret is shown
//!   once and only its SHA-256 is stored, so a leaked database does not leak usable keys.
//!   Requests carry `Authorization: Bearer <secret>`; a revoked or unknown key is 401.
//! - **Queue.** [`ExternalTasks`] implements [`TaskQueue`]. `next_task` claims the oldest
//!   pending task with a conditional update (`… WHERE state = 'pending'`), so two validator
//!   loops never claim one task twice; a claim that was never followed by `dispatched`
//!   within [`ExternalConfig::claim_timeout_secs`] (a crashed validator) is claimable again.
//!   Output ids are random and assigned at submission (the client learns them in the 201
//!   answer); tasks carry no ground truth, so their results never enter miner scores.
//! - **Results.** `completed` pools every valid worker result of every miner: the mean score
//!   per output, outputs ranked best first by that mean (ties keep the submitted order), the
//!   number of results, and the rationales that pass [`dojo_core::feedback::sanitise_feedback`]
//!   (rejected ones are dropped, never passed on raw). No valid result makes the task
//!   `failed`, as does `dispatched` with zero miners.
//! - **Webhooks.** When a task reaches `completed` or `failed` and has a `webhook_url`, its
//!   [`ExternalTaskStatus`] JSON is POSTed with `x-dojo-signature: sha256=<hex>` where the
//!   hex is HMAC-SHA256 over the exact body bytes with key K = SHA-256(secret) (the 32 raw
//!   digest bytes). The server keeps only that digest, and the client can compute it from its
//!   secret ([`webhook_signature`]). Deliveries are retried with exponential backoff
//!   ([`ExternalConfig::webhook_attempts`]); each attempt's outcome is persisted
//!   ([`ExternalTasks::webhook_delivery`]), and deliveries a stopped validator left pending
//!   are resumed by [`ExternalTasks::open`]. Redirects are not followed.
//!
//! The HTTP face is [`router`]; its OpenAPI 3.1 document is [`openapi_document`].

mod api;
#[cfg(test)]
mod fuzz;
mod openapi;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use api::router;
pub use openapi::openapi_document;

use super::{QueuedTask, TaskQueue};
use chain::Clock;
use db::on_db;
use db::{Db, DbError, Legacy, Migrations, to_i64, to_u64};
use dojo_core::feedback::sanitise_feedback;
use dojo_core::protocol::external::{
    ExternalResult, ExternalState, ExternalTaskStatus, SIGNATURE_HEADER, SubmitExternalTask,
};
use dojo_core::ratings::{MinerResponse, WorkerResult};
use dojo_core::secret::{random_hex, sha256_hex};
use dojo_core::task::{Criteria, Modality, Output, OutputId, Task, TaskShape};

/// Database component name of this store.
pub const COMPONENT: &str = "external";
/// Most outputs per task.
pub const MAX_OUTPUTS: usize = 8;
/// Fewest outputs per task.
pub const MIN_OUTPUTS: usize = 2;
/// Most results per miner a client may ask for.
pub const MAX_RESULTS: u32 = 16;
/// Longest webhook URL.
pub const MAX_URL_CHARS: usize = 2048;
/// Longest rationale question.
pub const MAX_QUERY_CHARS: usize = 1000;

/// The external task API's migrations (component [`COMPONENT`], folders
/// `migrations/external/{sqlite,postgres}`); databases migrated by the old runner
/// (`dojo_migrations`) are adopted.
pub fn migrations() -> Migrations {
    Migrations::new(
        COMPONENT,
        sqlx::migrate!("migrations/external/sqlite"),
        sqlx::migrate!("migrations/external/postgres"),
    )
    .with_legacy(Legacy::dojo(COMPONENT))
}

/// Size and range limits of submitted tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalLimits {
    /// Longest prompt, characters.
    pub max_prompt_chars: usize,
    /// Largest output content, bytes.
    pub max_output_bytes: usize,
    /// Largest sum of the outputs' contents, bytes.
    pub max_task_bytes: usize,
    /// Largest request body, bytes (larger is 413).
    pub max_body_bytes: usize,
    /// Shortest deadline, seconds.
    pub min_deadline_secs: u64,
    /// Longest deadline, seconds.
    pub max_deadline_secs: u64,
}

impl Default for ExternalLimits {
    /// 512 KiB per output and 1 MiB per task: the task travels to each miner in one synapse,
    /// and the axon (axum's default body limit) takes requests up to 2 MB, which leaves room
    /// for JSON escaping and the synapse's other fields.
    fn default() -> Self {
        Self {
            max_prompt_chars: 8_000,
            max_output_bytes: 512 << 10,
            max_task_bytes: 1 << 20,
            max_body_bytes: (1 << 20) + (64 << 10),
            min_deadline_secs: 60,
            max_deadline_secs: 7 * 24 * 3600,
        }
    }
}

/// A token bucket per key: `burst` requests at once, refilled at `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRateLimit {
    /// Bucket size.
    pub burst: u32,
    /// Tokens added per minute.
    pub per_minute: u32,
}

/// How the external task service runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalConfig {
    /// Limits on submissions.
    pub limits: ExternalLimits,
    /// Deadline when the client gives none, seconds.
    pub default_deadline_secs: u64,
    /// Results per miner when the client gives none.
    pub default_max_results: u32,
    /// Per-key request rate; `None` disables the limit.
    pub rate_limit: Option<KeyRateLimit>,
    /// A claim not followed by `dispatched` within this many seconds is released.
    pub claim_timeout_secs: u64,
    /// Webhook delivery attempts (at least 1).
    pub webhook_attempts: u32,
    /// Wait before the second attempt; doubles each time.
    pub webhook_backoff: Duration,
    /// Timeout of one delivery.
    pub webhook_timeout: Duration,
}

impl Default for ExternalConfig {
    fn default() -> Self {
        Self {
            limits: ExternalLimits::default(),
            default_deadline_secs: 3600,
            default_max_results: 4,
            rate_limit: Some(KeyRateLimit { burst: 30, per_minute: 60 }),
            claim_timeout_secs: 600,
            webhook_attempts: 4,
            webhook_backoff: Duration::from_secs(2),
            webhook_timeout: Duration::from_secs(10),
        }
    }
}

/// Everything the external task service can fail with; [`router`] maps each to a status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExternalError {
    /// No, unknown or revoked key (401).
    #[error("{0}")]
    Unauthorized(String),
    /// The body is not JSON (400).
    #[error("{0}")]
    Malformed(String),
    /// A field is invalid (422).
    #[error("{0}")]
    Invalid(String),
    /// The body is too large (413).
    #[error("{0}")]
    TooLarge(String),
    /// Over the key's rate (429).
    #[error("too many requests for this key; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// No such task for this key (404).
    #[error("no such task")]
    NotFound,
    /// No such key id (operator calls).
    #[error("no API key with id {0:?}")]
    UnknownKey(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Anything else unexpected.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for ExternalError {
    fn from(e: sqlx::Error) -> Self {
        ExternalError::Db(DbError::Sql(e))
    }
}

/// A freshly issued key: the secret is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedKey {
    /// Public id of the key (for listing and revoking).
    pub id: String,
    /// The bearer secret; only its SHA-256 is kept.
    pub secret: String,
}

/// A key as listed (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// Key id.
    pub id: String,
    /// Operator's label.
    pub label: String,
    /// Issued at, ns since the Unix epoch.
    pub created_at_ns: u64,
    /// Revoked at, if revoked.
    pub revoked_at_ns: Option<u64>,
}

/// Where a task's webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookState {
    /// No webhook URL.
    None,
    /// Not sent yet, or being retried.
    Pending,
    /// A 2xx answer was received.
    Delivered,
    /// Every attempt failed.
    Failed,
}

/// A task's webhook delivery record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// State.
    pub state: WebhookState,
    /// Attempts made.
    pub attempts: u32,
    /// HTTP status of the last attempt, if it got an answer.
    pub last_status: Option<u16>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
}

/// HMAC-SHA256 signature header value of a webhook `body` for the key `secret`:
/// `sha256=<hex HMAC-SHA256(SHA-256(secret), body)>`.
pub fn webhook_signature(secret: &str, body: &[u8]) -> String {
    sign_with_digest(&Sha256::digest(secret.as_bytes()), body)
}

fn sign_with_digest(key: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length; this cannot fail.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(body);
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        }
        Err(_) => String::new(),
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last_ns: u64,
}

/// The external task store, queue and webhook sender (see the module docs).
pub struct ExternalTasks {
    db: Db,
    config: ExternalConfig,
    clock: Arc<dyn Clock>,
    agent: ureq::Agent,
    buckets: Mutex<HashMap<String, Bucket>>,
    deliveries: Mutex<JoinSet<()>>,
    /// Webhook attempts made since opening (see [`ExternalTasks::webhook_attempts_made`]).
    attempts: watch::Sender<u64>,
    last_error: Mutex<Option<String>>,
}

impl std::fmt::Debug for ExternalTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalTasks").field("backend", &self.db.backend()).finish()
    }
}

/// One row of `external_tasks` as read for a status.
type TaskRow = (
    String,         // id
    String,         // key_id
    String,         // state
    String,         // output_ids
    Option<i64>,    // expire_at_ns
    Option<String>, // result_json
    Option<String>, // error
);

impl ExternalTasks {
    /// Opens the store on `db` (applying its migrations).
    pub async fn open(
        db: Db,
        config: ExternalConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ExternalError> {
        db.migrate(&migrations()).await?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(config.webhook_timeout))
            .build()
            .into();
        let tasks = Self {
            db,
            config,
            clock,
            agent,
            buckets: Mutex::new(HashMap::new()),
            deliveries: Mutex::new(JoinSet::new()),
            attempts: watch::Sender::new(0),
            last_error: Mutex::new(None),
        };
        tasks.resume_webhooks().await?;
        Ok(tasks)
    }

    /// Restarts the deliveries a previous run left unfinished (finished tasks whose webhook
    /// is still pending), each with a fresh set of attempts.
    async fn resume_webhooks(&self) -> Result<(), ExternalError> {
        let ids: Vec<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id FROM external_tasks WHERE webhook_state = 'pending' \
                 AND state IN ('completed', 'failed') ORDER BY created_at_ns, id",
            )
            .fetch_all(pool)
            .await?
        });
        for (id,) in ids {
            self.start_webhook(&id).await?;
        }
        Ok(())
    }

    /// The configuration.
    pub fn config(&self) -> &ExternalConfig {
        &self.config
    }

    /// The last error the queue side hit (the [`TaskQueue`] methods cannot return one).
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }

    fn note_error(&self, e: impl std::fmt::Display) {
        if let Ok(mut slot) = self.last_error.lock() {
            *slot = Some(e.to_string());
        }
    }

    fn now(&self) -> Result<i64, ExternalError> {
        Ok(to_i64(self.clock.now_ns(), "clock")?)
    }

    /// Issues a key labelled `label`; the returned secret is not stored and cannot be shown
    /// again.
    pub async fn issue_key(&self, label: &str) -> Result<IssuedKey, ExternalError> {
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 200 {
            return Err(ExternalError::Invalid("a key label must be 1 to 200 characters".into()));
        }
        let id = format!("key_{}", random_hex(8));
        let secret = format!("dojo_ext_{}", random_hex(32));
        let now = self.now()?;
        on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO external_keys (id, label, secret_sha256, created_at_ns) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&id)
            .bind(label)
            .bind(sha256_hex(&secret))
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(IssuedKey { id, secret })
    }

    /// Revokes key `id`: its requests are refused from now on (its tasks keep running).
    pub async fn revoke(&self, id: &str) -> Result<(), ExternalError> {
        let now = self.now()?;
        let n = on_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE external_keys SET revoked_at_ns = COALESCE(revoked_at_ns, $2) WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(ExternalError::UnknownKey(id.to_string()));
        }
        Ok(())
    }

    /// Every key, oldest first.
    pub async fn list_keys(&self) -> Result<Vec<KeyInfo>, ExternalError> {
        let rows: Vec<(String, String, i64, Option<i64>)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, label, created_at_ns, revoked_at_ns FROM external_keys \
                 ORDER BY created_at_ns, id",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(key_info).collect()
    }

    /// The key whose secret is `secret`, if it exists and is not revoked.
    pub async fn authenticate(&self, secret: &str) -> Result<KeyInfo, ExternalError> {
        let row: Option<(String, String, i64, Option<i64>)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, label, created_at_ns, revoked_at_ns FROM external_keys \
                 WHERE secret_sha256 = $1",
            )
            .bind(sha256_hex(secret))
            .fetch_optional(pool)
            .await?
        });
        let Some(row) = row else {
            return Err(ExternalError::Unauthorized("unknown API key".into()));
        };
        let key = key_info(row)?;
        if key.revoked_at_ns.is_some() {
            return Err(ExternalError::Unauthorized(format!("API key {} is revoked", key.id)));
        }
        Ok(key)
    }

    /// Takes a request token for `key_id`; `RateLimited` when its bucket is empty.
    pub(crate) fn check_rate(&self, key_id: &str) -> Result<(), ExternalError> {
        let Some(limit) = self.config.rate_limit else { return Ok(()) };
        let now = self.clock.now_ns();
        let cap = f64::from(limit.burst.max(1));
        let per_ns = f64::from(limit.per_minute.max(1)) / 60e9;
        let mut buckets =
            self.buckets.lock().map_err(|_| ExternalError::Internal("rate limiter lock".into()))?;
        let b = buckets.entry(key_id.to_string()).or_insert(Bucket { tokens: cap, last_ns: now });
        let elapsed = now.saturating_sub(b.last_ns) as f64;
        b.tokens = (b.tokens + elapsed * per_ns).min(cap);
        b.last_ns = b.last_ns.max(now);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            let wait_secs = ((1.0 - b.tokens) / per_ns / 1e9).ceil().max(1.0);
            Err(ExternalError::RateLimited { retry_after_secs: wait_secs as u64 })
        }
    }

    /// Validates `request` and queues it for `key`; the answer lists the assigned output ids.
    pub async fn submit(
        &self,
        key: &KeyInfo,
        request: SubmitExternalTask,
    ) -> Result<ExternalTaskStatus, ExternalError> {
        let valid = validate(&request, &self.config)?;
        let id = format!("ext-{}", random_hex(12));
        let output_ids: Vec<OutputId> =
            request.outputs.iter().map(|_| format!("o{}", random_hex(6))).collect();
        let task = Task {
            id: id.clone(),
            prompt: request.prompt.trim().to_string(),
            outputs: request
                .outputs
                .iter()
                .zip(&output_ids)
                .map(|(o, oid)| Output {
                    id: oid.clone(),
                    modality: o.modality,
                    content: o.content.clone(),
                    model: "external".into(),
                    flaws: vec![],
                    interactions: vec![],
                    annotations: o.annotations.clone(),
                })
                .collect(),
            ground_truth: None,
            criteria: valid.criteria,
            shape: TaskShape::default(),
            seed: None,
        };
        let task_json =
            serde_json::to_string(&task).map_err(|e| ExternalError::Internal(e.to_string()))?;
        let ids_json = serde_json::to_string(&output_ids)
            .map_err(|e| ExternalError::Internal(e.to_string()))?;
        let now = self.now()?;
        let webhook_state = if valid.webhook_url.is_some() { "pending" } else { "none" };
        on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO external_tasks (id, key_id, state, task_json, output_ids, \
                 deadline_secs, max_results, webhook_url, created_at_ns, webhook_state, \
                 webhook_attempts) VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $9, 0)",
            )
            .bind(&id)
            .bind(&key.id)
            .bind(&task_json)
            .bind(&ids_json)
            .bind(to_i64(valid.deadline_secs, "deadline_secs")?)
            .bind(i64::from(valid.max_results))
            .bind(valid.webhook_url.as_deref())
            .bind(now)
            .bind(webhook_state)
            .execute(pool)
            .await?;
        });
        Ok(ExternalTaskStatus {
            id,
            state: ExternalState::Pending,
            output_ids,
            expire_at_ns: None,
            result: None,
            error: None,
        })
    }

    /// Task `id` as its submitter sees it; `None` if it does not exist or belongs to another
    /// key.
    pub async fn status(
        &self,
        key_id: &str,
        id: &str,
    ) -> Result<Option<ExternalTaskStatus>, ExternalError> {
        match self.task_row(id).await? {
            Some(row) if row.1 == key_id => Ok(Some(status_of(row)?)),
            _ => Ok(None),
        }
    }

    async fn task_row(&self, id: &str) -> Result<Option<TaskRow>, ExternalError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, key_id, state, output_ids, expire_at_ns, result_json, error \
                 FROM external_tasks WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The webhook delivery record of task `id`.
    pub async fn webhook_delivery(
        &self,
        id: &str,
    ) -> Result<Option<WebhookDelivery>, ExternalError> {
        let row: Option<(String, i64, Option<i64>, Option<String>)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT webhook_state, webhook_attempts, webhook_last_status, webhook_last_error \
                 FROM external_tasks WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        let Some((state, attempts, status, error)) = row else { return Ok(None) };
        let state = match state.as_str() {
            "none" => WebhookState::None,
            "pending" => WebhookState::Pending,
            "delivered" => WebhookState::Delivered,
            "failed" => WebhookState::Failed,
            other => {
                return Err(DbError::BadRow {
                    table: "external_tasks",
                    what: format!("webhook state {other:?}"),
                }
                .into());
            }
        };
        Ok(Some(WebhookDelivery {
            state,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            last_status: status.and_then(|s| u16::try_from(s).ok()),
            last_error: error,
        }))
    }

    /// The number of webhook attempts made since opening, moved after each attempt's outcome
    /// is recorded (or failed to be): await `changed()` and read
    /// [`ExternalTasks::webhook_delivery`] rather than polling it.
    pub fn webhook_attempts_made(&self) -> watch::Receiver<u64> {
        self.attempts.subscribe()
    }

    /// Waits until every webhook delivery started so far has finished (delivered or out of
    /// attempts). Call before shutting down.
    pub async fn wait_for_webhooks(&self) {
        loop {
            let mut set = match self.deliveries.lock() {
                Ok(mut guard) => std::mem::take(&mut *guard),
                Err(_) => return,
            };
            if set.is_empty() {
                return;
            }
            while set.join_next().await.is_some() {}
        }
    }

    async fn claim(&self) -> Result<Option<QueuedTask>, ExternalError> {
        let now = self.now()?;
        let stale = now.saturating_sub(to_i64(
            self.config.claim_timeout_secs.saturating_mul(1_000_000_000),
            "claim timeout",
        )?);
        // A lost race (another loop claimed the same row) just tries the next one.
        for _ in 0..8 {
            let candidate: Option<(String,)> = on_db!(&self.db, pool => {
                sqlx::query_as(
                    "SELECT id FROM external_tasks WHERE state = 'pending' \
                     OR (state = 'claimed' AND claimed_at_ns < $1) \
                     ORDER BY created_at_ns, id LIMIT 1",
                )
                .bind(stale)
                .fetch_optional(pool)
                .await?
            });
            let Some((id,)) = candidate else { return Ok(None) };
            let claimed = on_db!(&self.db, pool => {
                sqlx::query(
                    "UPDATE external_tasks SET state = 'claimed', claimed_at_ns = $2 \
                     WHERE id = $1 AND (state = 'pending' \
                     OR (state = 'claimed' AND claimed_at_ns < $3))",
                )
                .bind(&id)
                .bind(now)
                .bind(stale)
                .execute(pool)
                .await?
                .rows_affected()
            });
            if claimed != 1 {
                continue;
            }
            let (task_json, deadline, max_results): (String, i64, i64) = on_db!(&self.db, pool => {
                sqlx::query_as(
                    "SELECT task_json, deadline_secs, max_results FROM external_tasks WHERE id = $1",
                )
                .bind(&id)
                .fetch_one(pool)
                .await?
            });
            let task: Task = serde_json::from_str(&task_json).map_err(|e| DbError::BadRow {
                table: "external_tasks",
                what: format!("task_json of {id}: {e}"),
            })?;
            return Ok(Some(QueuedTask {
                task,
                deadline_secs: to_u64(deadline, "external_tasks")?,
                max_results: u32::try_from(max_results).unwrap_or(MAX_RESULTS),
            }));
        }
        Ok(None)
    }

    async fn mark_dispatched(
        &self,
        task_id: &str,
        expire_at_ns: u64,
        miners: usize,
    ) -> Result<(), ExternalError> {
        if miners == 0 {
            return self.finish(task_id, Err("no miner acknowledged the task".into())).await;
        }
        let expire = to_i64(expire_at_ns, "expire_at_ns")?;
        on_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE external_tasks SET state = 'dispatched', expire_at_ns = $2 \
                 WHERE id = $1 AND state IN ('pending', 'claimed')",
            )
            .bind(task_id)
            .bind(expire)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn mark_completed(
        &self,
        task_id: &str,
        responses: &[MinerResponse],
    ) -> Result<(), ExternalError> {
        let row: Option<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT task_json FROM external_tasks WHERE id = $1")
                .bind(task_id)
                .fetch_optional(pool)
                .await?
        });
        let Some((task_json,)) = row else { return Ok(()) };
        let task: Task = serde_json::from_str(&task_json).map_err(|e| DbError::BadRow {
            table: "external_tasks",
            what: format!("task_json of {task_id}: {e}"),
        })?;
        let result = aggregate(&task, responses);
        let outcome =
            if result.ratings == 0 { Err("no human rated the task".into()) } else { Ok(result) };
        self.finish(task_id, outcome).await
    }

    /// Moves a task to its final state (once) and starts its webhook.
    async fn finish(
        &self,
        task_id: &str,
        outcome: Result<ExternalResult, String>,
    ) -> Result<(), ExternalError> {
        let (state, result_json, error) = match outcome {
            Ok(r) => (
                "completed",
                Some(
                    serde_json::to_string(&r)
                        .map_err(|e| ExternalError::Internal(e.to_string()))?,
                ),
                None,
            ),
            Err(e) => ("failed", None, Some(e)),
        };
        let changed = on_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE external_tasks SET state = $2, result_json = $3, error = $4 \
                 WHERE id = $1 AND state IN ('pending', 'claimed', 'dispatched')",
            )
            .bind(task_id)
            .bind(state)
            .bind(result_json.as_deref())
            .bind(error.as_deref())
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 1 {
            self.start_webhook(task_id).await?;
        }
        Ok(())
    }

    /// Starts (or, after a restart, continues) the webhook delivery of a finished task.
    async fn start_webhook(&self, task_id: &str) -> Result<(), ExternalError> {
        let row: Option<(Option<String>, String, i64)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT t.webhook_url, k.secret_sha256, t.webhook_attempts FROM external_tasks t \
                 JOIN external_keys k ON k.id = t.key_id WHERE t.id = $1",
            )
            .bind(task_id)
            .fetch_optional(pool)
            .await?
        });
        let Some((Some(url), key_hex, done)) = row else { return Ok(()) };
        let done = u32::try_from(done).unwrap_or(0);
        let Some(row) = self.task_row(task_id).await? else { return Ok(()) };
        let body = serde_json::to_vec(&status_of(row)?)
            .map_err(|e| ExternalError::Internal(e.to_string()))?;
        let key = hex::decode(&key_hex).map_err(|e| DbError::BadRow {
            table: "external_keys",
            what: format!("secret_sha256 is not hex: {e}"),
        })?;
        let delivery = Delivery {
            db: self.db.clone(),
            agent: self.agent.clone(),
            clock: self.clock.clone(),
            attempts: self.attempts.clone(),
            task_id: task_id.to_string(),
            url,
            signature: sign_with_digest(&key, &body),
            body,
            first: done.saturating_add(1),
            last: done.saturating_add(self.config.webhook_attempts.max(1)),
            backoff: self.config.webhook_backoff,
        };
        let mut set = self
            .deliveries
            .lock()
            .map_err(|_| ExternalError::Internal("webhook set lock".into()))?;
        // Reap finished deliveries so the set does not grow without bound.
        while set.try_join_next().is_some() {}
        set.spawn(delivery.run());
        Ok(())
    }
}

#[async_trait]
impl TaskQueue for ExternalTasks {
    async fn next_task(&self) -> Option<QueuedTask> {
        match self.claim().await {
            Ok(t) => t,
            Err(e) => {
                self.note_error(format!("claiming an external task: {e}"));
                None
            }
        }
    }

    async fn dispatched(&self, task_id: &str, expire_at_ns: u64, miners: usize) {
        if let Err(e) = self.mark_dispatched(task_id, expire_at_ns, miners).await {
            self.note_error(format!("marking external task {task_id} dispatched: {e}"));
        }
    }

    async fn completed(&self, task_id: &str, responses: &[MinerResponse]) {
        if let Err(e) = self.mark_completed(task_id, responses).await {
            self.note_error(format!("completing external task {task_id}: {e}"));
        }
    }
}

/// One webhook delivery with its retries.
struct Delivery {
    db: Db,
    agent: ureq::Agent,
    clock: Arc<dyn Clock>,
    attempts: watch::Sender<u64>,
    task_id: String,
    url: String,
    signature: String,
    body: Vec<u8>,
    /// Number of the first attempt this run makes (attempts before a restart count).
    first: u32,
    /// Number of the last attempt.
    last: u32,
    backoff: Duration,
}

impl Delivery {
    async fn run(self) {
        let mut wait = self.backoff;
        for attempt in self.first..=self.last {
            let (agent, url, body, sig) =
                (self.agent.clone(), self.url.clone(), self.body.clone(), self.signature.clone());
            let outcome =
                tokio::task::spawn_blocking(move || post_webhook(&agent, &url, &body, &sig))
                    .await
                    .unwrap_or_else(|e| Err(format!("delivery worker failed: {e}")));
            let (status, error) = match &outcome {
                Ok(s) if (200..300).contains(s) => (Some(*s), None),
                Ok(s) => (Some(*s), Some(format!("the endpoint answered HTTP {s}"))),
                Err(e) => (None, Some(e.clone())),
            };
            let delivered = error.is_none();
            let state = if delivered {
                "delivered"
            } else if attempt == self.last {
                "failed"
            } else {
                "pending"
            };
            // A failed write only loses the record of this attempt, not the delivery.
            let _ = self.record(attempt, state, status, error.as_deref(), delivered).await;
            self.attempts.send_modify(|n| *n = n.saturating_add(1));
            if delivered {
                return;
            }
            if attempt < self.last {
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
        }
    }

    async fn record(
        &self,
        attempt: u32,
        state: &str,
        status: Option<u16>,
        error: Option<&str>,
        delivered: bool,
    ) -> Result<(), ExternalError> {
        let now = i64::try_from(self.clock.now_ns()).unwrap_or(i64::MAX);
        on_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE external_tasks SET webhook_state = $2, webhook_attempts = $3, \
                 webhook_last_status = $4, webhook_last_error = $5, \
                 webhook_delivered_at_ns = $6 WHERE id = $1",
            )
            .bind(&self.task_id)
            .bind(state)
            .bind(i64::from(attempt))
            .bind(status.map(i64::from))
            .bind(error)
            .bind(delivered.then_some(now))
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}

fn post_webhook(
    agent: &ureq::Agent,
    url: &str,
    body: &[u8],
    signature: &str,
) -> Result<u16, String> {
    let response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header(SIGNATURE_HEADER, signature)
        .header("User-Agent", concat!("dojo-validator/", env!("CARGO_PKG_VERSION")))
        .send(body)
        .map_err(|e| format!("POST {url} failed: {e}"))?;
    Ok(response.status().as_u16())
}

fn key_info(row: (String, String, i64, Option<i64>)) -> Result<KeyInfo, ExternalError> {
    let (id, label, created, revoked) = row;
    Ok(KeyInfo {
        id,
        label,
        created_at_ns: to_u64(created, "external_keys")?,
        revoked_at_ns: revoked.map(|r| to_u64(r, "external_keys")).transpose()?,
    })
}

fn status_of(row: TaskRow) -> Result<ExternalTaskStatus, ExternalError> {
    let (id, _key, state, output_ids, expire, result_json, error) = row;
    let bad = |what: String| DbError::BadRow { table: "external_tasks", what };
    let state = match state.as_str() {
        "pending" | "claimed" => ExternalState::Pending,
        "dispatched" => ExternalState::Dispatched,
        "completed" => ExternalState::Completed,
        "failed" => ExternalState::Failed,
        other => return Err(bad(format!("state {other:?}")).into()),
    };
    let output_ids: Vec<OutputId> =
        serde_json::from_str(&output_ids).map_err(|e| bad(format!("output_ids: {e}")))?;
    let result = result_json
        .map(|r| serde_json::from_str::<ExternalResult>(&r))
        .transpose()
        .map_err(|e| bad(format!("result_json: {e}")))?;
    Ok(ExternalTaskStatus {
        id,
        state,
        output_ids,
        expire_at_ns: expire.map(|e| to_u64(e, "external_tasks")).transpose()?,
        result,
        error,
    })
}

/// Pools every valid worker result of every miner (see the module docs). A result is used
/// only if it scores nothing but the task's outputs, each within the criteria.
pub fn aggregate(task: &Task, responses: &[MinerResponse]) -> ExternalResult {
    let order: Vec<&OutputId> = task.outputs.iter().map(|o| &o.id).collect();
    let usable = |w: &&WorkerResult| {
        !w.scores.is_empty()
            && w.scores.keys().all(|k| order.contains(&k))
            && w.validate(&task.criteria).is_ok()
    };
    let mut sums: BTreeMap<&OutputId, (f64, u32)> = BTreeMap::new();
    let mut ratings = 0u32;
    let mut rationales = Vec::new();
    for w in responses.iter().flat_map(|r| &r.results).filter(usable) {
        ratings = ratings.saturating_add(1);
        for (id, &v) in &w.scores {
            let e = sums.entry(id).or_insert((0.0, 0));
            e.0 += v;
            e.1 += 1;
        }
        let f = sanitise_feedback(&w.rationale);
        if f.is_valid() {
            rationales.push(f.stored_text().to_string());
        }
    }
    let mean_scores: BTreeMap<OutputId, f64> =
        sums.into_iter().map(|(k, (s, c))| (k.clone(), s / f64::from(c.max(1)))).collect();
    let mut ranking: Vec<OutputId> =
        order.iter().filter(|id| mean_scores.contains_key(**id)).map(|id| (*id).clone()).collect();
    // Stable sort: equal means keep the submitted order.
    ranking.sort_by(|a, b| {
        let (x, y) = (mean_scores.get(a).copied(), mean_scores.get(b).copied());
        y.partial_cmp(&x).unwrap_or(std::cmp::Ordering::Equal)
    });
    ExternalResult { ranking, mean_scores, ratings, rationales }
}

/// A submission that passed validation, with defaults applied.
struct ValidTask {
    criteria: Criteria,
    max_results: u32,
    deadline_secs: u64,
    webhook_url: Option<String>,
}

fn validate(req: &SubmitExternalTask, config: &ExternalConfig) -> Result<ValidTask, ExternalError> {
    let limits = &config.limits;
    let invalid = |m: String| Err(ExternalError::Invalid(m));
    let prompt = req.prompt.trim();
    if prompt.is_empty() {
        return invalid("prompt: must not be empty".into());
    }
    let chars = prompt.chars().count();
    if chars > limits.max_prompt_chars {
        return invalid(format!(
            "prompt: {chars} characters, at most {} allowed",
            limits.max_prompt_chars
        ));
    }
    let n = req.outputs.len();
    if !(MIN_OUTPUTS..=MAX_OUTPUTS).contains(&n) {
        return invalid(format!(
            "outputs: {MIN_OUTPUTS} to {MAX_OUTPUTS} outputs are needed, got {n}"
        ));
    }
    let mut total = 0usize;
    for (i, o) in req.outputs.iter().enumerate() {
        let len = o.content.len();
        if len > limits.max_output_bytes {
            return invalid(format!(
                "outputs[{i}].content: {len} bytes, at most {} allowed per output",
                limits.max_output_bytes
            ));
        }
        total = total.saturating_add(len);
        match o.modality {
            Modality::Html => {}
            Modality::Text => {
                if o.content.trim().is_empty() {
                    return invalid(format!("outputs[{i}].content: text must not be empty"));
                }
            }
            Modality::Image | Modality::Model3d => {
                // The platform renders only bytes it has seen: a data: URI whose content is
                // sniffed (PNG/JPEG/WebP, GLB); a URL would be fetched by every worker's browser.
                if let Err(e) = dojo_core::media::sniff(o.modality, &o.content) {
                    let what = if o.modality == Modality::Image { "image" } else { "3D model" };
                    return invalid(format!("outputs[{i}].content: {what}: {e}"));
                }
            }
        }
        if let Err(e) = dojo_core::media::check_annotations(o.modality, &o.annotations) {
            return invalid(format!("outputs[{i}].annotations: {e}"));
        }
    }
    if total > limits.max_task_bytes {
        return invalid(format!(
            "outputs: {total} bytes of content in total, at most {} allowed per task",
            limits.max_task_bytes
        ));
    }
    let criteria = req.criteria.clone().unwrap_or_default();
    if criteria.score_min >= criteria.score_max {
        return invalid(format!(
            "criteria: score_min ({}) must be less than score_max ({})",
            criteria.score_min, criteria.score_max
        ));
    }
    if criteria.rationale_query.chars().count() > MAX_QUERY_CHARS {
        return invalid(format!(
            "criteria.rationale_query: at most {MAX_QUERY_CHARS} characters allowed"
        ));
    }
    let max_results = req.max_results.unwrap_or(config.default_max_results);
    if !(1..=MAX_RESULTS).contains(&max_results) {
        return invalid(format!("max_results: must be 1 to {MAX_RESULTS}, got {max_results}"));
    }
    let deadline_secs = req.deadline_secs.unwrap_or(config.default_deadline_secs);
    if !(limits.min_deadline_secs..=limits.max_deadline_secs).contains(&deadline_secs) {
        return invalid(format!(
            "deadline_secs: must be {} to {} seconds, got {deadline_secs}",
            limits.min_deadline_secs, limits.max_deadline_secs
        ));
    }
    let webhook_url = match &req.webhook_url {
        None => None,
        Some(u) => Some(validate_webhook_url(u)?),
    };
    Ok(ValidTask { criteria, max_results, deadline_secs, webhook_url })
}

/// `https://` anywhere, or `http://` to a loopback host only; the URL comes back in its
/// canonical form (the scheme, case-insensitive in a URL, in lower case).
fn validate_webhook_url(url: &str) -> Result<String, ExternalError> {
    let invalid = |why: &str| ExternalError::Invalid(format!("webhook_url: {why}"));
    if url.len() > MAX_URL_CHARS {
        return Err(invalid(&format!("at most {MAX_URL_CHARS} characters allowed")));
    }
    let uri: axum::http::Uri = url.parse().map_err(|_| invalid("not a valid absolute URL"))?;
    let host = uri.host().ok_or_else(|| invalid("the URL has no host"))?;
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(invalid("credentials in the URL are not allowed"));
    }
    let canonical = uri.to_string();
    if canonical.len() > MAX_URL_CHARS {
        return Err(invalid(&format!("at most {MAX_URL_CHARS} characters allowed")));
    }
    match uri.scheme_str() {
        Some("https") => Ok(canonical),
        Some("http") => {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = bare.eq_ignore_ascii_case("localhost")
                || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if loopback {
                Ok(canonical)
            } else {
                Err(invalid("must be https://, or http:// to a loopback address"))
            }
        }
        _ => Err(invalid("must be https://, or http:// to a loopback address")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dojo_core::protocol::external::ExternalOutput;

    fn req() -> SubmitExternalTask {
        SubmitExternalTask {
            prompt: "p".into(),
            outputs: vec![
                ExternalOutput {
                    modality: Modality::Text,
                    content: "a".into(),
                    annotations: vec![],
                },
                ExternalOutput {
                    modality: Modality::Text,
                    content: "b".into(),
                    annotations: vec![],
                },
            ],
            criteria: None,
            max_results: None,
            deadline_secs: None,
            webhook_url: None,
        }
    }

    #[test]
    fn webhook_urls() {
        assert!(validate_webhook_url("https://example.com/hook").is_ok());
        // Found by the fuzz harness: a scheme in capitals is the same scheme.
        assert_eq!(
            validate_webhook_url("Https://example.com/hook").unwrap(),
            "https://example.com/hook"
        );
        assert_eq!(validate_webhook_url("HTTP://localhost/x").unwrap(), "http://localhost/x");
        assert!(validate_webhook_url("http://127.0.0.1:8080/hook").is_ok());
        assert!(validate_webhook_url("http://[::1]:8080/hook").is_ok());
        assert!(validate_webhook_url("http://localhost/x").is_ok());
        assert!(validate_webhook_url("http://example.com/hook").is_err());
        assert!(validate_webhook_url("ftp://127.0.0.1/x").is_err());
        assert!(validate_webhook_url("/relative").is_err());
        assert!(validate_webhook_url("https://user:pw@example.com/").is_err());
    }

    #[test]
    fn defaults_apply() {
        let v = validate(&req(), &ExternalConfig::default()).unwrap();
        assert_eq!(v.max_results, 4);
        assert_eq!(v.deadline_secs, 3600);
        assert_eq!(v.criteria, Criteria::default());
    }

    #[test]
    fn signature_matches_a_manual_hmac() {
        let sig = webhook_signature("s3cret", b"{}");
        let mut mac = Hmac::<Sha256>::new_from_slice(&Sha256::digest(b"s3cret")).unwrap();
        mac.update(b"{}");
        assert_eq!(sig, format!("sha256={}", hex::encode(mac.finalize().into_bytes())));
    }
}
