//! The worker platform: the web app where a miner's team of humans rates task outputs, and
//! the JSON APIs its miner and scripted workers use.
//!
//! [`router`] builds the axum app over a [`PlatformState`]: a [`PlatformStore`]
//! ([`MemoryStore`], or [`SqlStore`] over SQLite or PostgreSQL), a [`Clock`], the argon2id
//! cost, the session idle timeout, the login limits and the cookie flags. [`serve`] runs it
//! with the client addresses the per-address login limit needs.
//!
//! ```text
//!  browser ── /login /signup /tasks /tasks/{id} /team ... (cookie session + CSRF) ──┐
//!  scripts ── /api/v1/worker/* (Authorization: Bearer <session token>) ─────────────┤ PlatformState
//!  miner ──── /api/v1/tasks* (x-api-key) ───────────────────────────────────────────┘  └ PlatformStore
//! ```
//!
//! - **Accounts.** A miner (the organisation) account is created by the operator
//!   ([`PlatformState::create_miner`]); it issues invite keys and API keys on its team page
//!   (CSRF-protected forms; an API key is shown once) or programmatically
//!   ([`PlatformState::issue_invite`], [`PlatformState::issue_api_key`]). A worker signs up
//!   with an unused invite key and joins that miner's team. Passwords are hashed with argon2id
//!   (the `argon2` crate's default parameters unless [`PlatformState::with_argon2_params`] says
//!   otherwise) on the blocking pool.
//! - **Sessions and CSRF.** Every visitor gets a session cookie (`dojo_session`, 256 random
//!   bits, `HttpOnly; SameSite=Strict; Path=/`, plus `Secure` with
//!   [`PlatformState::with_secure_cookies`]) with its own CSRF token; every form POST must
//!   carry that token in its `csrf` field. Logging in or signing up replaces the session (no
//!   fixation). The worker API's bearer tokens are sessions of the same kind (no cookie, so
//!   no CSRF exposure). A session unused for the idle timeout (default 7 days,
//!   [`PlatformState::with_session_idle_timeout`]) ends; its last use is refreshed at most
//!   once a minute, and idle sessions are purged at most hourly on a login or sign-up.
//! - **Secrets at rest.** The store keeps only the SHA-256 of session tokens and API keys
//!   (both are 256 random bits, so a plain hash suffices); a leaked database logs nobody in.
//!   Invite keys are kept in clear because the team page lists them.
//! - **Login rate limits.** Per username (any case) and per client IP, [`LoginLimit`]
//!   (default 10 attempts a minute each) for the form and the JSON login alike; the next
//!   attempt gets 429 with `Retry-After` and says how long to wait. Counting happens before the
//!   password check, so parallel guesses count too. The counters live in the process (one
//!   platform process per miner); the address comes from the connection ([`serve`]), not from
//!   a `X-Forwarded-For` header anyone could set.
//! - **Tasks.** `/tasks` is the inbox, `/tasks/{id}` shows the prompt and the outputs side by
//!   side, each output shuffled per worker ([`dojo_core::Task::present`]). Text is escaped, images
//!   are shown only from `data:` URLs, HTML apps run in `<iframe sandbox="allow-scripts">`
//!   (never `allow-same-origin`, so the app has an opaque origin: no cookies, no storage of the
//!   platform, no DOM of the page). Opening a task records when the worker first saw it; the
//!   miner API reports `elapsed_secs` from then to the submission.
//! - **Submission rules** ([`PlatformError`] gives each its message and status): one result per
//!   worker per task (409), none at or after expiry (410), none once the task has its maximum
//!   results (409), every score a whole number in the criterion's range (422), and a written
//!   explanation of the best and worst output accepted by [`dojo_core::feedback::sanitise_feedback`]
//!   (422). The form and the worker API share one implementation of these rules.
//! - **Miner API** ([`dojo_core::protocol::platform_api`]): `POST /api/v1/tasks` puts a
//!   validator's task on the platform under a fresh platform id (the validator's `task_id` is
//!   kept and shown to workers in the JSON task; it is unique per miner, so two miners may share
//!   a platform), `GET /api/v1/tasks/{id}/results` returns every result, `POST
//!   /api/v1/tasks/{id}/ground-truth` reveals the ranks after expiry. Errors are
//!   `{"error": message}`.
//! - **Quality feedback.** For each submitted task with a ground truth (the generator's, or one
//!   revealed by the miner), every (viable, flawed) pair of outputs (rank 0 versus rank > 0)
//!   counts as an *inversion* when the worker scored the flawed output strictly above the
//!   viable one, a *tie* when equal. The miner's team page shows these per worker
//!   ([`PlatformState::team_stats`]).
//!
//! # Design decisions
//!
//! - **The frame is served, not `srcdoc`.** A `srcdoc` document inherits the CSP of the page
//!   that embeds it, and CSPs only combine by intersection: with the page's strict policy (no
//!   inline script) an app in `srcdoc` could not run at all, and loosening the page's policy is
//!   what we must not do. So each HTML output is served from
//!   `/tasks/{id}/frames/{output}` with its own header `Content-Security-Policy:
//!   default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:;
//!   sandbox allow-scripts` (the `sandbox` directive keeps the opaque origin even if someone
//!   opens the URL directly) and the same policy as a `<meta http-equiv>` at the top of the
//!   document; the page embeds it in `<iframe sandbox="allow-scripts" src=...>`.
//! - **One atomic store call per state change.** Redeeming an invite and accepting a submission
//!   are single [`PlatformStore`] calls, so a database implementation makes each a transaction
//!   (see [`SqlStore`] for how each engine serialises them). Handlers validate scores and the
//!   explanation first and leave the open/full/expired/duplicate decision to the store, so the
//!   hot path is one write transaction.
//! - **Every store call can fail.** The trait returns `Result` throughout, so a database
//!   error is a 500 ("internal error", details not shown), never a silently empty answer.
//!
#![doc = include_str!("../README.md")]

mod api;
mod assets;
mod error;
mod group_commit;
mod i18n;
mod limit;
mod pages;
mod sql;
mod store;
mod views;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Form, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::Markup;
use rand::RngCore;
use rand::rngs::OsRng;
use serde::Deserialize;

pub use error::PlatformError;
pub use limit::LoginLimit;
pub use pages::{FRAME_CSP, PAGE_CSP};
pub use sql::SqlStore;
pub use store::{
    Account, AccountId, ApiKey, Invite, MemoryStore, PlatformStore, PlatformTask, Role, Session,
    Submission,
};

use chain::Clock;
use dojo_core::feedback::{Feedback, sanitise_feedback};
use dojo_core::secret::{random_hex, sha256_hex};
use dojo_core::task::{Modality, OutputId};
use i18n::Ui;
use pages::{Chrome, Nav};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "dojo_session";
/// Shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Default idle timeout of a session: 7 days.
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(7 * 86_400);
/// Seed of the per-worker output shuffle.
const PRESENT_SEED: u64 = 0x646f_6a6f;
/// Expired sessions are purged at most this often (ns): on a login or sign-up.
const PURGE_EVERY_NS: u64 = 3_600_000_000_000;

/// Shared state of the platform.
#[derive(Clone)]
pub struct PlatformState {
    store: Arc<dyn PlatformStore>,
    clock: Arc<dyn Clock>,
    argon2_params: Params,
    session_idle_ns: u64,
    secure_cookies: bool,
    login_limit: LoginLimit,
    limiter: Arc<limit::Limiter>,
    last_purge_ns: Arc<AtomicU64>,
}

impl PlatformState {
    /// State over `store` and `clock`, hashing with argon2id at the crate's default cost,
    /// sessions idle out after [`DEFAULT_SESSION_IDLE`], logins limited by
    /// [`LoginLimit::default`], cookies without `Secure`.
    pub fn new(store: Arc<dyn PlatformStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            argon2_params: Params::default(),
            session_idle_ns: duration_ns(DEFAULT_SESSION_IDLE),
            secure_cookies: false,
            login_limit: LoginLimit::default(),
            limiter: Arc::default(),
            last_purge_ns: Arc::default(),
        }
    }

    /// Replaces the argon2id cost (tests use a tiny one).
    pub fn with_argon2_params(mut self, params: Params) -> Self {
        self.argon2_params = params;
        self
    }

    /// Sessions unused for `idle` end (the next request must log in again).
    pub fn with_session_idle_timeout(mut self, idle: Duration) -> Self {
        self.session_idle_ns = duration_ns(idle).max(1);
        self
    }

    /// Marks the session cookie `Secure` (serve over HTTPS, or behind a TLS proxy).
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }

    /// Replaces the login rate limits.
    pub fn with_login_limit(mut self, limit: LoginLimit) -> Self {
        self.login_limit = limit;
        self
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn PlatformStore> {
        &self.store
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    async fn hash_password(&self, password: String) -> Result<String, PlatformError> {
        let params = self.argon2_params.clone();
        tokio::task::spawn_blocking(move || {
            let mut salt = [0u8; 16];
            OsRng.fill_bytes(&mut salt);
            let salt = SaltString::encode_b64(&salt)
                .map_err(|e| PlatformError::Internal(e.to_string()))?;
            Self::argon2(params)
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| PlatformError::Internal(e.to_string()))
        })
        .await
        .map_err(|e| PlatformError::Internal(e.to_string()))?
    }

    async fn verify_password(&self, password: String, hash: String) -> bool {
        let params = self.argon2_params.clone();
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|h| Self::argon2(params).verify_password(password.as_bytes(), &h).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false)
    }

    /// Creates a miner (organisation) account.
    pub async fn create_miner(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Account, PlatformError> {
        validate_credentials(username, password)?;
        let hash = self.hash_password(password.to_string()).await?;
        self.store.create_miner(username, hash).await
    }

    async fn miner_account(&self, miner: AccountId) -> Result<(), PlatformError> {
        match self.store.account(miner).await? {
            Some(Account { role: Role::Miner, .. }) => Ok(()),
            _ => Err(PlatformError::Forbidden),
        }
    }

    /// Issues a new invite key for `miner`.
    pub async fn issue_invite(&self, miner: AccountId) -> Result<String, PlatformError> {
        self.miner_account(miner).await?;
        let key = random_hex(32);
        let invite =
            Invite { key: key.clone(), miner, used_by: None, issued_at_ns: self.clock.now_ns() };
        self.store.add_invite(invite).await?;
        Ok(key)
    }

    /// Issues a new API key for `miner` (the miner API's `x-api-key`). Only its SHA-256 is
    /// stored: the key is shown this once.
    pub async fn issue_api_key(&self, miner: AccountId) -> Result<String, PlatformError> {
        self.miner_account(miner).await?;
        let key = random_hex(32);
        let record =
            ApiKey { key_hash: sha256_hex(&key), miner, created_at_ns: self.clock.now_ns() };
        self.store.add_api_key(record).await?;
        Ok(key)
    }

    /// The miner an API key authenticates, if the key is known (to check a key kept in a file
    /// still belongs to this platform's database).
    pub async fn api_key_owner(&self, key: &str) -> Result<Option<AccountId>, PlatformError> {
        Ok(self.store.api_key(&sha256_hex(key)).await?.map(|k| k.miner))
    }

    /// Adds a task for `miner`'s team, open until `expires_at_ns`, for up to `max_results`.
    pub async fn add_task(&self, task: PlatformTask) -> Result<(), PlatformError> {
        self.store.add_task(task, None).await
    }

    /// Quality of one worker over all its submissions.
    pub async fn worker_quality(&self, worker: AccountId) -> Result<Quality, PlatformError> {
        let Some(Account { role: Role::Worker { miner }, .. }) = self.store.account(worker).await?
        else {
            return Ok(Quality::default());
        };
        let tasks = self.tasks_by_id(miner).await?;
        let mut q = Quality::default();
        for s in self.store.team_submissions(miner).await? {
            if s.worker == worker
                && let Some(t) = tasks.get(&s.task_id)
            {
                q.add(t, &s);
            }
        }
        Ok(q)
    }

    async fn tasks_by_id(
        &self,
        miner: AccountId,
    ) -> Result<BTreeMap<String, PlatformTask>, PlatformError> {
        Ok(self.store.tasks(miner).await?.into_iter().map(|t| (t.task.id.clone(), t)).collect())
    }

    /// Team and per-worker stats of `miner`.
    pub async fn team_stats(&self, miner: AccountId) -> Result<TeamStats, PlatformError> {
        let members = self.store.members(miner).await?;
        let mut by_worker: BTreeMap<AccountId, WorkerStats> = members
            .iter()
            .map(|m| {
                (
                    m.id,
                    WorkerStats {
                        worker: m.id,
                        username: m.username.clone(),
                        submissions: 0,
                        quality: Quality::default(),
                    },
                )
            })
            .collect();
        let tasks = self.tasks_by_id(miner).await?;
        let mut total = 0;
        for s in self.store.team_submissions(miner).await? {
            if let (Some(w), Some(t)) = (by_worker.get_mut(&s.worker), tasks.get(&s.task_id)) {
                w.submissions += 1;
                w.quality.add(t, &s);
                total += 1;
            }
        }
        Ok(TeamStats { workers: by_worker.into_values().collect(), submissions: total })
    }

    /// A fresh anonymous or logged-in session: (the client's token, the stored session).
    async fn new_session(
        &self,
        account: Option<AccountId>,
    ) -> Result<(String, Session), PlatformError> {
        let token = random_hex(32);
        let s = Session {
            id: sha256_hex(&token),
            csrf: random_hex(32),
            account,
            last_seen_ns: self.clock.now_ns(),
        };
        self.store.put_session(s.clone()).await?;
        Ok((token, s))
    }

    /// The live session of `token` and its account: `Ok(None)` if there is none,
    /// [`PlatformError::SessionExpired`] (and the session deleted) if it idled out. Refreshes
    /// `last_seen` coarsely, so a busy session costs one write a minute, not one per request.
    async fn live_session(
        &self,
        token: &str,
    ) -> Result<Option<(Session, Option<Account>)>, PlatformError> {
        let id = sha256_hex(token);
        let Some((s, a)) = self.store.session_account(&id).await? else { return Ok(None) };
        let now = self.clock.now_ns();
        let idle = now.saturating_sub(s.last_seen_ns);
        if idle >= self.session_idle_ns {
            self.store.delete_session(&id).await?;
            return Err(PlatformError::SessionExpired);
        }
        if idle >= (self.session_idle_ns / 8).min(60_000_000_000) {
            self.store.touch_session(&id, now).await?;
        }
        Ok(Some((s, a)))
    }

    /// The logged-in account of a session token.
    async fn account_of_token(&self, token: &str) -> Result<(Session, Account), PlatformError> {
        match self.live_session(token).await? {
            Some((s, Some(a))) => Ok((s, a)),
            _ => Err(PlatformError::NotLoggedIn),
        }
    }

    /// Checks a username and password, rate-limited per username and per client address.
    async fn authenticate(
        &self,
        username: &str,
        password: String,
        ip: Option<IpAddr>,
    ) -> Result<AccountId, PlatformError> {
        let l = self.login_limit;
        let mut keys = vec![(format!("u:{}", username.to_ascii_lowercase()), l.per_username)];
        if let Some(ip) = ip {
            keys.push((format!("ip:{ip}"), l.per_ip));
        }
        let window_ns = l.window_secs.saturating_mul(1_000_000_000);
        self.limiter
            .attempt(&keys, window_ns, self.clock.now_ns())
            .map_err(|retry_after_secs| PlatformError::TooManyAttempts { retry_after_secs })?;
        let account = self.store.account_by_username(username).await?;
        // Verify against a real hash either way so timing does not reveal unknown usernames.
        let (hash, id) = match &account {
            Some(a) => (a.password_hash.clone(), Some(a.id)),
            None => (self.hash_password("not a password".into()).await?, None),
        };
        match id {
            Some(id) if self.verify_password(password, hash).await => {
                self.maybe_purge().await?;
                Ok(id)
            }
            _ => Err(PlatformError::BadCredentials),
        }
    }

    /// Signs a worker up with an invite key (the rules of the form and the JSON API).
    async fn sign_up(
        &self,
        invite: &str,
        username: &str,
        password: String,
    ) -> Result<Account, PlatformError> {
        validate_credentials(username, &password)?;
        let invite = invite.trim();
        if invite.is_empty() {
            return Err(PlatformError::InviteUnknown);
        }
        let hash = self.hash_password(password).await?;
        let account = self.store.redeem_invite(invite, username, hash).await?;
        self.maybe_purge().await?;
        Ok(account)
    }

    /// Deletes idle sessions, at most once per [`PURGE_EVERY_NS`].
    async fn maybe_purge(&self) -> Result<(), PlatformError> {
        let now = self.clock.now_ns();
        let last = self.last_purge_ns.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= PURGE_EVERY_NS
            && self
                .last_purge_ns
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.store.purge_sessions(now.saturating_sub(self.session_idle_ns)).await?;
        }
        Ok(())
    }

    /// Validates a worker's answer to a task and stores it atomically. `raw_score` gives the
    /// score sent for an output id, as text.
    async fn accept_result(
        &self,
        worker: &Account,
        task: &PlatformTask,
        raw_score: impl Fn(&str) -> Option<String>,
        explanation: &str,
    ) -> Result<(), PlatformError> {
        let (min, max) = (task.task.criteria.score_min, task.task.criteria.score_max);
        let mut scores = BTreeMap::new();
        for o in &task.task.outputs {
            let got = raw_score(&o.id).unwrap_or_default();
            let got = got.trim();
            match got.parse::<u32>() {
                Ok(v) if (min..=max).contains(&v) => {
                    scores.insert(o.id.clone(), v);
                }
                _ => {
                    return Err(PlatformError::Score {
                        output: o.id.clone(),
                        got: got.chars().take(20).collect(),
                        min,
                        max,
                    });
                }
            }
        }
        let explanation = match sanitise_feedback(explanation) {
            Feedback::Valid { text } => text,
            Feedback::Invalid { reason } => return Err(PlatformError::Explanation(reason)),
        };
        let now = self.clock.now_ns();
        self.store
            .submit(
                Submission {
                    task_id: task.task.id.clone(),
                    worker: worker.id,
                    scores,
                    explanation,
                    submitted_at_ns: now,
                    shown_at_ns: None,
                },
                now,
            )
            .await
    }

    /// A task of `worker`'s team, 404 for any other.
    async fn team_task(&self, worker: &Account, id: &str) -> Result<PlatformTask, PlatformError> {
        let miner = worker_miner(worker)?;
        match self.store.task(id).await? {
            Some(t) if t.miner == miner => Ok(t),
            _ => Err(PlatformError::NotFound),
        }
    }
}

fn duration_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// How often a worker scored known-flawed outputs above viable ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quality {
    /// Submitted tasks that had a ground truth.
    pub tasks: u64,
    /// (viable, flawed) output pairs compared.
    pub pairs: u64,
    /// Pairs where the flawed output got the strictly higher score.
    pub inversions: u64,
    /// Pairs scored equal.
    pub ties: u64,
}

impl Quality {
    fn add(&mut self, task: &PlatformTask, s: &Submission) {
        let Some(gt) = &task.task.ground_truth else { return };
        self.tasks += 1;
        let scored = |flawed: bool| -> Vec<u32> {
            gt.ranks
                .iter()
                .filter(|(_, r)| (**r > 0) == flawed)
                .filter_map(|(id, _)| s.scores.get(id))
                .copied()
                .collect()
        };
        let (viable, flawed) = (scored(false), scored(true));
        for v in &viable {
            for f in &flawed {
                self.pairs += 1;
                if f > v {
                    self.inversions += 1;
                } else if f == v {
                    self.ties += 1;
                }
            }
        }
    }

    /// Inversions per pair, `None` when nothing was compared.
    pub fn inversion_rate(&self) -> Option<f64> {
        (self.pairs > 0).then(|| self.inversions as f64 / self.pairs as f64)
    }
}

/// One worker's stats, for the miner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerStats {
    /// The worker.
    pub worker: AccountId,
    /// Its username.
    pub username: String,
    /// Results submitted.
    pub submissions: u64,
    /// Quality against the ground truth.
    pub quality: Quality,
}

/// A miner's team stats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamStats {
    /// Per worker, by account id.
    pub workers: Vec<WorkerStats>,
    /// Total results submitted by the team.
    pub submissions: u64,
}

/// The platform's router: the HTML pages, the miner API and the worker API.
///
/// Per-address login limiting needs the client's address: serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()` (as [`serve`] does); without it only
/// the per-username limit applies.
pub fn router(state: PlatformState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/static/{file}", get(assets::serve))
        .route("/static/vendor/{file}", get(assets::serve_vendor))
        .route("/static/fonts/{file}", get(assets::serve_font))
        .route("/login", get(login_form).post(login))
        .route("/signup", get(signup_form).post(signup))
        .route("/logout", post(logout))
        .route("/tasks", get(inbox))
        .route("/tasks/{id}", get(task_page).post(submit))
        .route("/tasks/{id}/frames/{output}", get(frame))
        .route("/tasks/{id}/feedback", get(views::feedback))
        .route("/me", get(views::me))
        .route("/team", get(team))
        .route("/team/export/workers.csv", get(views::export_workers))
        .route("/team/export/results.csv", get(views::export_results))
        .route("/team/invites", post(new_invite))
        .route("/team/api-keys", post(new_api_key))
        .layer(axum::middleware::from_fn(error::localized_errors))
        .merge(api::routes())
        .with_state(state)
}

/// Serves the platform on `listener` until `shutdown` completes, with the client addresses
/// the per-address login limit needs.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: PlatformState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// The client's IP address, when the server records it (see [`router`]).
struct ClientIp(Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

fn validate_credentials(username: &str, password: &str) -> Result<(), PlatformError> {
    let ok_name = (3..=32).contains(&username.chars().count())
        && username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok_name {
        return Err(PlatformError::BadUsername);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PlatformError::ShortPassword { min: MIN_PASSWORD_CHARS });
    }
    Ok(())
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    i18n::cookie(headers, SESSION_COOKIE)
}

fn cookie_header(st: &PlatformState, value: &str, extra: &str) -> HeaderValue {
    let secure = if st.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/{secure}{extra}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("dojo_session=; Max-Age=0"))
}

/// The request's session, creating an anonymous one if there is none (or it expired).
/// Returns the new token when one was created.
async fn session_or_new(
    st: &PlatformState,
    headers: &HeaderMap,
) -> Result<(Session, Option<String>), PlatformError> {
    if let Some(tok) = cookie_token(headers) {
        match st.live_session(&tok).await {
            Ok(Some((s, _))) => return Ok((s, None)),
            Ok(None) | Err(PlatformError::SessionExpired) => {}
            Err(e) => return Err(e),
        }
    }
    let (token, s) = st.new_session(None).await?;
    Ok((s, Some(token)))
}

fn page(st: &PlatformState, ui: Ui, markup: Markup, new_cookie: Option<&str>) -> Response {
    let mut resp = axum::response::Html(markup.into_string()).into_response();
    pages::security_headers(resp.headers_mut());
    if let Some(tok) = new_cookie {
        resp.headers_mut().insert(header::SET_COOKIE, cookie_header(st, tok, ""));
    }
    if ui.remember_lang
        && let Ok(v) = HeaderValue::from_str(&format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            ui.lang.code()
        ))
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

fn chrome(ui: Ui, nav: Nav, csrf: Option<&str>) -> Chrome<'_> {
    Chrome { ui, nav, logout_csrf: csrf }
}

fn redirect(st: &PlatformState, to: &str, new_cookie: Option<&str>) -> Response {
    let mut resp = Redirect::to(to).into_response();
    pages::security_headers(resp.headers_mut());
    if let Some(tok) = new_cookie {
        resp.headers_mut().insert(header::SET_COOKIE, cookie_header(st, tok, ""));
    }
    resp
}

/// The logged-in account of the request's cookie.
async fn logged_in(
    st: &PlatformState,
    headers: &HeaderMap,
) -> Result<(Session, Account), PlatformError> {
    let tok = cookie_token(headers).ok_or(PlatformError::NotLoggedIn)?;
    st.account_of_token(&tok).await
}

/// Checks the CSRF token of a POST against the session's, in constant time.
fn check_csrf(session: &Session, sent: Option<&str>) -> Result<(), PlatformError> {
    let sent = sent.ok_or(PlatformError::Csrf)?.as_bytes();
    let want = session.csrf.as_bytes();
    if sent.len() != want.len() {
        return Err(PlatformError::Csrf);
    }
    let diff = sent.iter().zip(want).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if diff == 0 { Ok(()) } else { Err(PlatformError::Csrf) }
}

async fn posted_session(
    st: &PlatformState,
    headers: &HeaderMap,
    csrf: Option<&str>,
) -> Result<Session, PlatformError> {
    let tok = cookie_token(headers).ok_or(PlatformError::Csrf)?;
    let s = match st.live_session(&tok).await {
        Ok(Some((s, _))) => s,
        Ok(None) => return Err(PlatformError::Csrf),
        Err(e) => return Err(e),
    };
    check_csrf(&s, csrf)?;
    Ok(s)
}

async fn home(State(st): State<PlatformState>, headers: HeaderMap) -> Response {
    match logged_in(&st, &headers).await {
        Ok((_, Account { role: Role::Miner, .. })) => redirect(&st, "/team", None),
        Ok(_) => redirect(&st, "/tasks", None),
        Err(_) => redirect(&st, "/login", None),
    }
}

async fn login_form(
    State(st): State<PlatformState>,
    ui: Ui,
    headers: HeaderMap,
) -> Result<Response, PlatformError> {
    let (s, new) = session_or_new(&st, &headers).await?;
    Ok(page(&st, ui, pages::login_page(&chrome(ui, Nav::None, None), &s.csrf), new.as_deref()))
}

#[derive(Deserialize)]
struct LoginForm {
    csrf: Option<String>,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

async fn login(
    State(st): State<PlatformState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, PlatformError> {
    let old = posted_session(&st, &headers, f.csrf.as_deref()).await?;
    let id = st.authenticate(&f.username, f.password, ip).await?;
    st.store.delete_session(&old.id).await?;
    let (token, _) = st.new_session(Some(id)).await?;
    Ok(redirect(&st, "/", Some(&token)))
}

#[derive(Deserialize)]
struct InviteQuery {
    invite: Option<String>,
}

async fn signup_form(
    State(st): State<PlatformState>,
    ui: Ui,
    headers: HeaderMap,
    Query(q): Query<InviteQuery>,
) -> Result<Response, PlatformError> {
    let (s, new) = session_or_new(&st, &headers).await?;
    let invite = q.invite.as_deref().unwrap_or("");
    let markup = pages::signup_page(&chrome(ui, Nav::None, None), &s.csrf, invite);
    Ok(page(&st, ui, markup, new.as_deref()))
}

#[derive(Deserialize)]
struct SignupForm {
    csrf: Option<String>,
    #[serde(default)]
    invite: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

async fn signup(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Form(f): Form<SignupForm>,
) -> Result<Response, PlatformError> {
    let old = posted_session(&st, &headers, f.csrf.as_deref()).await?;
    let account = st.sign_up(&f.invite, &f.username, f.password).await?;
    st.store.delete_session(&old.id).await?;
    let (token, _) = st.new_session(Some(account.id)).await?;
    Ok(redirect(&st, "/tasks", Some(&token)))
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn logout(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PlatformError> {
    let s = posted_session(&st, &headers, f.csrf.as_deref()).await?;
    st.store.delete_session(&s.id).await?;
    let mut resp = redirect(&st, "/login", None);
    resp.headers_mut().insert(header::SET_COOKIE, cookie_header(&st, "", "; Max-Age=0"));
    Ok(resp)
}

fn worker_miner(a: &Account) -> Result<AccountId, PlatformError> {
    match a.role {
        Role::Worker { miner } => Ok(miner),
        Role::Miner => Err(PlatformError::Forbidden),
    }
}

/// Per task of the worker's team: the task, its result count, whether the worker submitted.
async fn team_tasks(
    st: &PlatformState,
    a: &Account,
) -> Result<Vec<(PlatformTask, usize, bool)>, PlatformError> {
    let miner = worker_miner(a)?;
    let mut counts: BTreeMap<String, (usize, bool)> = BTreeMap::new();
    for s in st.store.team_submissions(miner).await? {
        let e = counts.entry(s.task_id).or_default();
        e.0 += 1;
        e.1 |= s.worker == a.id;
    }
    Ok(st
        .store
        .tasks(miner)
        .await?
        .into_iter()
        .map(|t| {
            let (n, mine) = counts.get(&t.task.id).copied().unwrap_or_default();
            (t, n, mine)
        })
        .collect())
}

async fn inbox(
    State(st): State<PlatformState>,
    ui: Ui,
    headers: HeaderMap,
) -> Result<Response, PlatformError> {
    let (s, a) = logged_in(&st, &headers).await?;
    let now = st.clock.now_ns();
    let tasks = team_tasks(&st, &a).await?;
    let mut sum = pages::InboxSummary { team_open: 0, team_needed: 0, done: 0, accuracy: None };
    let mut rows = Vec::with_capacity(tasks.len());
    for (task, n, submitted) in tasks {
        let open = store::check_open(&task, false, n, now).is_ok();
        if open {
            sum.team_open += 1;
            sum.team_needed += u64::from(task.max_results).saturating_sub(n as u64);
        }
        let state = if submitted {
            sum.done += 1;
            if views::feedback_ready(&task, n, now) {
                pages::RowState::Scored
            } else {
                pages::RowState::Submitted
            }
        } else {
            match store::check_open(&task, false, n, now) {
                Ok(()) => pages::RowState::Open,
                Err(PlatformError::Full { .. }) => pages::RowState::Full,
                Err(_) => pages::RowState::Expired,
            }
        };
        rows.push(pages::InboxRow { task, results: n, state });
    }
    // Open work first, the most urgent on top; then the rest, the latest first.
    rows.sort_by_key(|r| {
        let open = r.state == pages::RowState::Open;
        (!open, if open { r.task.expires_at_ns } else { u64::MAX - r.task.expires_at_ns })
    });
    sum.accuracy = views::accuracy(&views::scored_tasks(&st, &a, now).await?);
    let c = chrome(ui, Nav::Tasks, Some(&s.csrf));
    Ok(page(&st, ui, pages::inbox_page(&c, &a.username, now, &sum, &rows), None))
}

async fn task_page(
    State(st): State<PlatformState>,
    ui: Ui,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PlatformError> {
    let (s, a) = logged_in(&st, &headers).await?;
    let t = st.team_task(&a, &id).await?;
    let now = st.clock.now_ns();
    st.store.record_view(&id, a.id, now).await?;
    let subs = st.store.submissions(&id).await?;
    let mine = subs.iter().any(|x| x.worker == a.id);
    let words = ui.lang.t();
    let notice = store::check_open(&t, mine, subs.len(), now).err().map(|e| match e {
        PlatformError::AlreadySubmitted => words.closed_submitted.to_string(),
        PlatformError::Expired => words.closed_expired.to_string(),
        PlatformError::Full { .. } => words.closed_full.to_string(),
        other => other.to_string(),
    });
    let presented = t.task.present(PRESENT_SEED, &a.username);
    let c = chrome(ui, Nav::Tasks, Some(&s.csrf));
    let markup = pages::task_page(&c, &presented, t.expires_at_ns, now, notice.as_deref());
    Ok(page(&st, ui, markup, None))
}

async fn frame(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Path((id, output)): Path<(String, String)>,
) -> Result<Response, PlatformError> {
    let (_, a) = logged_in(&st, &headers).await?;
    let t = st.team_task(&a, &id).await?;
    let o = t.task.output(&output).ok_or(PlatformError::NotFound)?;
    let (doc, csp) = match o.modality {
        Modality::Html => (
            pages::frame_document(&o.content),
            concat!(
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; ",
                "img-src data:; sandbox allow-scripts; frame-ancestors 'self'"
            ),
        ),
        Modality::Model3d if dojo_core::media::sniff(o.modality, &o.content).is_ok() => {
            (pages::model_document(&o.content), pages::MODEL_FRAME_CSP)
        }
        _ => return Err(PlatformError::NotFound),
    };
    let mut resp = doc.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

async fn submit(
    State(st): State<PlatformState>,
    ui: Ui,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PlatformError> {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let s = posted_session(&st, &headers, field("csrf")).await?;
    let account = s.account.ok_or(PlatformError::NotLoggedIn)?;
    let a = st.store.account(account).await?.ok_or(PlatformError::NotLoggedIn)?;
    let t = st.team_task(&a, &id).await?;
    let explanation = field("explanation").unwrap_or("");
    st.accept_result(
        &a,
        &t,
        |o: &str| field(&format!("score:{o}")).map(str::to_string),
        explanation,
    )
    .await?;
    let t = ui.t();
    let c = chrome(ui, Nav::Tasks, Some(&s.csrf));
    let markup = pages::message_page(&c, t.submitted_title, t.submitted, ("/tasks", t.next_task));
    let mut resp = page(&st, ui, markup, None);
    *resp.status_mut() = StatusCode::OK;
    Ok(resp)
}

async fn team_page(
    st: &PlatformState,
    ui: Ui,
    s: &Session,
    a: &Account,
    new_api_key: Option<&str>,
) -> Result<Response, PlatformError> {
    if a.role != Role::Miner {
        return Err(PlatformError::Forbidden);
    }
    let invites = st.store.invites(a.id).await?;
    let keys = st.store.api_keys(a.id).await?.len();
    let stats = st.team_stats(a.id).await?;
    let view = pages::TeamView { invites: &invites, stats: &stats, api_keys: keys, new_api_key };
    let c = chrome(ui, Nav::Team, Some(&s.csrf));
    Ok(page(st, ui, pages::team_page(&c, &a.username, &view), None))
}

async fn team(
    State(st): State<PlatformState>,
    ui: Ui,
    headers: HeaderMap,
) -> Result<Response, PlatformError> {
    let (s, a) = logged_in(&st, &headers).await?;
    team_page(&st, ui, &s, &a, None).await
}

async fn new_invite(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PlatformError> {
    let s = posted_session(&st, &headers, f.csrf.as_deref()).await?;
    let id = s.account.ok_or(PlatformError::NotLoggedIn)?;
    st.issue_invite(id).await?;
    Ok(redirect(&st, "/team", None))
}

/// Issues an API key and shows it on the team page, once (a redirect would lose it).
async fn new_api_key(
    State(st): State<PlatformState>,
    ui: Ui,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PlatformError> {
    let s = posted_session(&st, &headers, f.csrf.as_deref()).await?;
    let id = s.account.ok_or(PlatformError::NotLoggedIn)?;
    let a = st.store.account(id).await?.ok_or(PlatformError::NotLoggedIn)?;
    let key = st.issue_api_key(a.id).await?;
    team_page(&st, ui, &s, &a, Some(&key)).await
}

/// Output ids a JSON result scored that the task does not have.
fn unknown_outputs(t: &PlatformTask, scores: &BTreeMap<OutputId, u32>) -> Option<String> {
    scores.keys().find(|k| t.task.output(k).is_none()).cloned()
}
