//! The worker platform: the web app where a miner's team of humans rates task outputs.
//!
//! [`router`] builds the axum app over a [`PlatformState`]: a [`PlatformStore`] (in memory
//! for now, [`MemoryStore`]), a [`Clock`] and the argon2id cost.
//!
//! - **Accounts.** A miner (the organisation) account is created by the operator
//!   ([`PlatformState::create_miner`]); it issues invite keys on its team page. A worker signs
//!   up with an unused invite key and joins that miner's team. Passwords are hashed with
//!   argon2id (the `argon2` crate's default parameters unless [`PlatformState::with_argon2_params`]
//!   says otherwise) on the blocking pool.
//! - **Sessions and CSRF.** Every visitor gets a session cookie (`dojo_session`, 256 random
//!   bits, `HttpOnly; SameSite=Strict; Path=/`) with its own CSRF token; every POST must carry
//!   that token in its `csrf` field. Logging in or signing up replaces the session (no
//!   fixation).
//! - **Tasks.** `/tasks` is the inbox, `/tasks/{id}` shows the prompt and the outputs side by
//!   side, each output shuffled per worker ([`crate::Task::present`]). Text is escaped, images
//!   are shown only from `data:` URLs, HTML apps run in `<iframe sandbox="allow-scripts">`
//!   (never `allow-same-origin`, so the app has an opaque origin: no cookies, no storage of the
//!   platform, no DOM of the page).
//! - **Submission rules** ([`PlatformError`] gives each its message and status): one result per
//!   worker per task (409), none at or after expiry (410), none once the task has its maximum
//!   results (409), every score a whole number in the criterion's range (422), and a written
//!   explanation of the best and worst output accepted by [`crate::feedback::sanitise_feedback`]
//!   (422).
//! - **Quality feedback.** For each submitted task with a ground truth, every (viable, flawed)
//!   pair of outputs (rank 0 versus rank > 0) counts as an *inversion* when the worker scored
//!   the flawed output strictly above the viable one, a *tie* when equal. The miner's team page
//!   shows these per worker ([`PlatformState::team_stats`]).
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
//!   are single [`PlatformStore`] calls, so a database implementation makes each a
//!   transaction; the handler checks the same rules first only to answer early.

mod error;
mod pages;
mod store;

use std::collections::BTreeMap;
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::Markup;
use rand::RngCore;
use rand::rngs::OsRng;
use serde::Deserialize;

pub use error::PlatformError;
pub use pages::{FRAME_CSP, PAGE_CSP};
pub use store::{
    Account, AccountId, Invite, MemoryStore, PlatformStore, PlatformTask, Role, Session, Submission,
};

use crate::feedback::{Feedback, sanitise_feedback};
use crate::task::Modality;
use crate::transport::Clock;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "dojo_session";
/// Shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Seed of the per-worker output shuffle.
const PRESENT_SEED: u64 = 0x646f_6a6f;

/// Shared state of the platform.
#[derive(Clone)]
pub struct PlatformState {
    store: Arc<dyn PlatformStore>,
    clock: Arc<dyn Clock>,
    argon2_params: Params,
}

impl PlatformState {
    /// State over `store` and `clock`, hashing with argon2id at the crate's default cost.
    pub fn new(store: Arc<dyn PlatformStore>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock, argon2_params: Params::default() }
    }

    /// Replaces the argon2id cost (tests use a tiny one).
    pub fn with_argon2_params(mut self, params: Params) -> Self {
        self.argon2_params = params;
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

    /// Issues a new invite key for `miner`.
    pub async fn issue_invite(&self, miner: AccountId) -> Result<String, PlatformError> {
        match self.store.account(miner).await {
            Some(Account { role: Role::Miner, .. }) => {}
            _ => return Err(PlatformError::Forbidden),
        }
        let key = random_hex();
        self.store.add_invite(Invite { key: key.clone(), miner, used_by: None }).await?;
        Ok(key)
    }

    /// Adds a task for `miner`'s team, open until `expires_at_ns`, for up to `max_results`.
    pub async fn add_task(&self, task: PlatformTask) -> Result<(), PlatformError> {
        self.store.add_task(task).await
    }

    /// Quality of one worker over all its submissions.
    pub async fn worker_quality(&self, worker: AccountId) -> Quality {
        let Some(Account { role: Role::Worker { miner }, .. }) = self.store.account(worker).await
        else {
            return Quality::default();
        };
        let mut q = Quality::default();
        for t in self.store.tasks(miner).await {
            for s in self.store.submissions(&t.task.id).await {
                if s.worker == worker {
                    q.add(&t, &s);
                }
            }
        }
        q
    }

    /// Team and per-worker stats of `miner`.
    pub async fn team_stats(&self, miner: AccountId) -> TeamStats {
        let members = self.store.members(miner).await;
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
        let mut total = 0;
        for t in self.store.tasks(miner).await {
            for s in self.store.submissions(&t.task.id).await {
                if let Some(w) = by_worker.get_mut(&s.worker) {
                    w.submissions += 1;
                    w.quality.add(&t, &s);
                    total += 1;
                }
            }
        }
        TeamStats { workers: by_worker.into_values().collect(), submissions: total }
    }
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
        let viable: Vec<u32> = gt
            .ranks
            .iter()
            .filter(|(_, r)| **r == 0)
            .filter_map(|(id, _)| s.scores.get(id))
            .copied()
            .collect();
        let flawed: Vec<u32> = gt
            .ranks
            .iter()
            .filter(|(_, r)| **r > 0)
            .filter_map(|(id, _)| s.scores.get(id))
            .copied()
            .collect();
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

/// The platform's router.
pub fn router(state: PlatformState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/static/platform.css", get(css))
        .route("/login", get(login_form).post(login))
        .route("/signup", get(signup_form).post(signup))
        .route("/logout", post(logout))
        .route("/tasks", get(inbox))
        .route("/tasks/{id}", get(task_page).post(submit))
        .route("/tasks/{id}/frames/{output}", get(frame))
        .route("/team", get(team))
        .route("/team/invites", post(new_invite))
        .with_state(state)
}

fn random_hex() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

fn validate_credentials(username: &str, password: &str) -> Result<(), PlatformError> {
    let ok_name = (3..=32).contains(&username.chars().count())
        && username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok_name {
        return Err(PlatformError::Invalid(
            "a username has 3 to 32 letters, digits, '_', '-' or '.'".into(),
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PlatformError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"))
        .unwrap_or_else(|_| HeaderValue::from_static("dojo_session=; Max-Age=0"))
}

/// A fresh anonymous or logged-in session.
async fn new_session(st: &PlatformState, account: Option<AccountId>) -> Session {
    let s = Session { token: random_hex(), csrf: random_hex(), account };
    st.store.put_session(s.clone()).await;
    s
}

/// The request's session, creating an anonymous one if there is none. Returns whether it is new.
async fn session_or_new(st: &PlatformState, headers: &HeaderMap) -> (Session, bool) {
    if let Some(tok) = cookie_token(headers)
        && let Some(s) = st.store.session(&tok).await
    {
        return (s, false);
    }
    (new_session(st, None).await, true)
}

fn page(markup: Markup, new_cookie: Option<&str>) -> Response {
    let mut resp = axum::response::Html(markup.into_string()).into_response();
    pages::security_headers(resp.headers_mut());
    if let Some(tok) = new_cookie {
        resp.headers_mut().insert(header::SET_COOKIE, set_cookie(tok));
    }
    resp
}

fn redirect(to: &str, new_cookie: Option<&str>) -> Response {
    let mut resp = Redirect::to(to).into_response();
    pages::security_headers(resp.headers_mut());
    if let Some(tok) = new_cookie {
        resp.headers_mut().insert(header::SET_COOKIE, set_cookie(tok));
    }
    resp
}

/// The logged-in account of the request.
async fn logged_in(
    st: &PlatformState,
    headers: &HeaderMap,
) -> Result<(Session, Account), PlatformError> {
    let tok = cookie_token(headers).ok_or(PlatformError::NotLoggedIn)?;
    let s = st.store.session(&tok).await.ok_or(PlatformError::NotLoggedIn)?;
    let id = s.account.ok_or(PlatformError::NotLoggedIn)?;
    let a = st.store.account(id).await.ok_or(PlatformError::NotLoggedIn)?;
    Ok((s, a))
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
    let s = st.store.session(&tok).await.ok_or(PlatformError::Csrf)?;
    check_csrf(&s, csrf)?;
    Ok(s)
}

async fn home(State(st): State<PlatformState>, headers: HeaderMap) -> Response {
    match logged_in(&st, &headers).await {
        Ok((_, Account { role: Role::Miner, .. })) => redirect("/team", None),
        Ok(_) => redirect("/tasks", None),
        Err(_) => redirect("/login", None),
    }
}

async fn css() -> Response {
    let mut resp = pages::CSS.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css"));
    resp.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    resp
}

async fn login_form(State(st): State<PlatformState>, headers: HeaderMap) -> Response {
    let (s, new) = session_or_new(&st, &headers).await;
    page(pages::login_page(&s.csrf), new.then_some(s.token.as_str()))
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
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, PlatformError> {
    let old = posted_session(&st, &headers, f.csrf.as_deref()).await?;
    let account = st.store.account_by_username(&f.username).await;
    // Verify against a real hash either way so timing does not reveal unknown usernames.
    let (hash, id) = match &account {
        Some(a) => (a.password_hash.clone(), Some(a.id)),
        None => (st.hash_password("not a password".into()).await?, None),
    };
    if !st.verify_password(f.password, hash).await || id.is_none() {
        return Err(PlatformError::BadCredentials);
    }
    st.store.delete_session(&old.token).await;
    let s = new_session(&st, id).await;
    Ok(redirect("/", Some(&s.token)))
}

#[derive(Deserialize)]
struct InviteQuery {
    invite: Option<String>,
}

async fn signup_form(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Query(q): Query<InviteQuery>,
) -> Response {
    let (s, new) = session_or_new(&st, &headers).await;
    page(
        pages::signup_page(&s.csrf, q.invite.as_deref().unwrap_or("")),
        new.then_some(s.token.as_str()),
    )
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
    validate_credentials(&f.username, &f.password)?;
    let invite = f.invite.trim();
    if invite.is_empty() {
        return Err(PlatformError::InviteUnknown);
    }
    let hash = st.hash_password(f.password).await?;
    let account = st.store.redeem_invite(invite, &f.username, hash).await?;
    st.store.delete_session(&old.token).await;
    let s = new_session(&st, Some(account.id)).await;
    Ok(redirect("/tasks", Some(&s.token)))
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
    st.store.delete_session(&s.token).await;
    let mut resp = redirect("/login", None);
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("dojo_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    Ok(resp)
}

fn worker_miner(a: &Account) -> Result<AccountId, PlatformError> {
    match a.role {
        Role::Worker { miner } => Ok(miner),
        Role::Miner => Err(PlatformError::Forbidden),
    }
}

async fn inbox(
    State(st): State<PlatformState>,
    headers: HeaderMap,
) -> Result<Response, PlatformError> {
    let (s, a) = logged_in(&st, &headers).await?;
    let miner = worker_miner(&a)?;
    let now = st.clock.now_ns();
    let mut rows = Vec::new();
    for t in st.store.tasks(miner).await {
        let subs = st.store.submissions(&t.task.id).await;
        let submitted = subs.iter().any(|x| x.worker == a.id);
        let state = match store::check_open(&t, &subs, a.id, now) {
            Ok(()) => "open",
            Err(PlatformError::Expired) => "expired",
            Err(PlatformError::Full { .. }) => "full",
            Err(_) => "done",
        };
        rows.push(pages::InboxRow { task: t, submitted, state });
    }
    Ok(page(pages::inbox_page(&s.csrf, &a.username, &rows), None))
}

async fn team_task(
    st: &PlatformState,
    a: &Account,
    id: &str,
) -> Result<PlatformTask, PlatformError> {
    let miner = worker_miner(a)?;
    match st.store.task(id).await {
        Some(t) if t.miner == miner => Ok(t),
        _ => Err(PlatformError::NotFound),
    }
}

async fn task_page(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PlatformError> {
    let (s, a) = logged_in(&st, &headers).await?;
    let t = team_task(&st, &a, &id).await?;
    let subs = st.store.submissions(&id).await;
    let notice = store::check_open(&t, &subs, a.id, st.clock.now_ns()).err().map(|e| e.to_string());
    let presented = t.task.present(PRESENT_SEED, &a.username);
    Ok(page(pages::task_page(&s.csrf, &presented, notice.as_deref()), None))
}

async fn frame(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Path((id, output)): Path<(String, String)>,
) -> Result<Response, PlatformError> {
    let (_, a) = logged_in(&st, &headers).await?;
    let t = team_task(&st, &a, &id).await?;
    let o = t.task.output(&output).ok_or(PlatformError::NotFound)?;
    if o.modality != Modality::Html {
        return Err(PlatformError::NotFound);
    }
    let mut resp = pages::frame_document(&o.content).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(concat!(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; ",
            "img-src data:; sandbox allow-scripts; frame-ancestors 'self'"
        )),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

async fn submit(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PlatformError> {
    let csrf = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str());
    let s = posted_session(&st, &headers, csrf).await?;
    let id_ = s.account.ok_or(PlatformError::NotLoggedIn)?;
    let a = st.store.account(id_).await.ok_or(PlatformError::NotLoggedIn)?;
    let t = team_task(&st, &a, &id).await?;
    let now = st.clock.now_ns();
    store::check_open(&t, &st.store.submissions(&id).await, a.id, now)?;
    let (min, max) = (t.task.criteria.score_min, t.task.criteria.score_max);
    let mut scores = BTreeMap::new();
    for o in &t.task.outputs {
        let key = format!("score:{}", o.id);
        let got = fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v.trim()).unwrap_or("");
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
    let raw =
        fields.iter().find(|(k, _)| k == "explanation").map(|(_, v)| v.as_str()).unwrap_or("");
    let explanation = match sanitise_feedback(raw) {
        Feedback::Valid { text } => text,
        Feedback::Invalid { reason } => return Err(PlatformError::Explanation(reason)),
    };
    st.store
        .submit(
            Submission {
                task_id: id.clone(),
                worker: a.id,
                scores,
                explanation,
                submitted_at_ns: now,
            },
            now,
        )
        .await?;
    let mut resp = page(pages::message_page("Thank you", "Your result was submitted."), None);
    *resp.status_mut() = StatusCode::OK;
    Ok(resp)
}

async fn team(
    State(st): State<PlatformState>,
    headers: HeaderMap,
) -> Result<Response, PlatformError> {
    let (s, a) = logged_in(&st, &headers).await?;
    if a.role != Role::Miner {
        return Err(PlatformError::Forbidden);
    }
    let invites = st.store.invites(a.id).await;
    let stats = st.team_stats(a.id).await;
    Ok(page(pages::team_page(&s.csrf, &a.username, &invites, &stats), None))
}

async fn new_invite(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PlatformError> {
    let s = posted_session(&st, &headers, f.csrf.as_deref()).await?;
    let id = s.account.ok_or(PlatformError::NotLoggedIn)?;
    st.issue_invite(id).await?;
    Ok(redirect("/team", None))
}
