//! The JSON APIs ([`dojo_core::protocol::platform_api`]): the miner's (`x-api-key`) and the
//! workers' (`Authorization: Bearer <session token>`). Same rules and messages as the pages;
//! every error is `{"error": message}`.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::RngCore;
use rand::rngs::OsRng;

use super::{
    Account, ClientIp, PRESENT_SEED, PlatformError, PlatformState, PlatformTask, store,
    unknown_outputs, worker_miner,
};
use dojo_core::protocol::platform_api::worker::{
    InboxEntry, Login, SessionToken, Signup, SubmitResult,
};
use dojo_core::protocol::platform_api::{
    API_KEY_HEADER, CreateTask, CreatedTask, RevealGroundTruth, TaskResults,
};
use dojo_core::ratings::WorkerResult;
use dojo_core::secret::sha256_hex;
use dojo_core::task::{GroundTruth, Output, PresentedTask, Task, TaskShape};

/// An API failure: the error and the status it is answered with.
pub(super) struct ApiFail(PlatformError, StatusCode);

impl From<PlatformError> for ApiFail {
    fn from(e: PlatformError) -> Self {
        let status = e.status();
        ApiFail(e, status)
    }
}

impl IntoResponse for ApiFail {
    fn into_response(self) -> Response {
        self.0.json(self.1)
    }
}

type ApiResult<T> = Result<T, ApiFail>;

/// The body, or the JSON error of why it is not one (400 malformed, 422 wrong shape, 415).
fn body<T>(b: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    b.map(|Json(v)| v).map_err(|r| ApiFail(PlatformError::BadRequest(r.body_text()), r.status()))
}

pub(super) fn routes() -> axum::Router<PlatformState> {
    axum::Router::new()
        .route("/api/v1/tasks", post(create_task))
        .route("/api/v1/tasks/{id}/results", get(results))
        .route("/api/v1/tasks/{id}/ground-truth", post(reveal))
        .route("/api/v1/worker/signup", post(signup))
        .route("/api/v1/worker/login", post(login))
        .route("/api/v1/worker/tasks", get(inbox))
        .route("/api/v1/worker/tasks/{id}", get(task))
        .route("/api/v1/worker/tasks/{id}/result", post(submit))
}

// ---- miner API

async fn miner_of_key(st: &PlatformState, headers: &HeaderMap) -> ApiResult<u64> {
    let key = headers
        .get(API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or(PlatformError::BadApiKey)?;
    let record = st.store.api_key(&sha256_hex(key)).await?.ok_or(PlatformError::BadApiKey)?;
    Ok(record.miner)
}

async fn own_task(st: &PlatformState, miner: u64, id: &str) -> ApiResult<PlatformTask> {
    match st.store.task(id).await? {
        Some(t) if t.miner == miner => Ok(t),
        _ => Err(PlatformError::NotFound.into()),
    }
}

fn invalid(msg: impl Into<String>) -> ApiFail {
    PlatformError::Invalid(msg.into()).into()
}

fn platform_task_id() -> String {
    let mut b = [0u8; 16];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

async fn create_task(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    b: Result<Json<CreateTask>, JsonRejection>,
) -> ApiResult<Response> {
    let miner = miner_of_key(&st, &headers).await?;
    let req = body(b)?;
    let t = &req.task;
    if t.task_id.trim().is_empty() {
        return Err(invalid("the task needs a task_id"));
    }
    if t.prompt.trim().is_empty() {
        return Err(invalid("the task's prompt is empty"));
    }
    if t.outputs.len() < 2 {
        return Err(invalid(format!("a task needs at least 2 outputs, got {}", t.outputs.len())));
    }
    let mut ids = BTreeSet::new();
    for o in &t.outputs {
        if o.id.is_empty() || !ids.insert(o.id.as_str()) {
            return Err(invalid(format!("output ids must be unique and non-empty: {:?}", o.id)));
        }
        if let Err(e) = dojo_core::media::sniff(o.modality, &o.content)
            .and_then(|_| dojo_core::media::check_annotations(o.modality, &o.annotations))
        {
            return Err(invalid(format!("output {:?}: {e}", o.id)));
        }
    }
    if t.criteria.score_min > t.criteria.score_max {
        return Err(invalid(format!(
            "score_min {} is above score_max {}",
            t.criteria.score_min, t.criteria.score_max
        )));
    }
    if req.max_results == 0 {
        return Err(invalid("max_results must be at least 1"));
    }
    if req.expire_at_ns <= st.clock.now_ns() {
        return Err(invalid("expire_at_ns is in the past"));
    }
    let id = platform_task_id();
    let task = Task {
        id: id.clone(),
        prompt: t.prompt.clone(),
        outputs: t
            .outputs
            .iter()
            .map(|o| Output {
                id: o.id.clone(),
                modality: o.modality,
                content: o.content.clone(),
                model: String::new(),
                flaws: Vec::new(),
                interactions: Vec::new(),
                annotations: o.annotations.clone(),
            })
            .collect(),
        ground_truth: None,
        criteria: t.criteria.clone(),
        shape: TaskShape::default(),
        seed: None,
    };
    let pt =
        PlatformTask { task, miner, expires_at_ns: req.expire_at_ns, max_results: req.max_results };
    st.store.add_task(pt, Some(t.task_id.clone())).await?;
    Ok((StatusCode::CREATED, Json(CreatedTask { id })).into_response())
}

async fn results(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<TaskResults>> {
    let miner = miner_of_key(&st, &headers).await?;
    let t = own_task(&st, miner, &id).await?;
    let results = st
        .store
        .submissions(&id)
        .await?
        .into_iter()
        .map(|s| WorkerResult {
            worker_id: s.worker.to_string(),
            scores: s.scores.iter().map(|(k, v)| (k.clone(), f64::from(*v))).collect(),
            ranking: Vec::new(),
            rationale: s.explanation,
            // From first opening the task to submitting; 0 if it was never opened (a blind
            // answer), which the validator's too-fast filter then drops.
            elapsed_secs: s
                .shown_at_ns
                .map(|shown| s.submitted_at_ns.saturating_sub(shown) as f64 / 1e9)
                .unwrap_or(0.0),
        })
        .collect();
    Ok(Json(TaskResults { id, expire_at_ns: t.expires_at_ns, results }))
}

async fn reveal(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<RevealGroundTruth>, JsonRejection>,
) -> ApiResult<StatusCode> {
    let miner = miner_of_key(&st, &headers).await?;
    let req = body(b)?;
    let t = own_task(&st, miner, &id).await?;
    if st.clock.now_ns() < t.expires_at_ns {
        return Err(PlatformError::NotExpired.into());
    }
    let want: BTreeSet<&str> = t.task.outputs.iter().map(|o| o.id.as_str()).collect();
    let got: BTreeSet<&str> = req.ranks.keys().map(String::as_str).collect();
    if want != got {
        return Err(invalid(format!(
            "the ranks must name exactly the task's outputs {want:?}, got {got:?}"
        )));
    }
    let gt = GroundTruth::new(req.ranks).map_err(|e| invalid(e.to_string()))?;
    st.store.reveal_ground_truth(&id, gt).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- worker API

async fn bearer(st: &PlatformState, headers: &HeaderMap) -> ApiResult<Account> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(PlatformError::NotLoggedIn)?;
    Ok(st.account_of_token(token).await?.1)
}

async fn signup(
    State(st): State<PlatformState>,
    b: Result<Json<Signup>, JsonRejection>,
) -> ApiResult<Response> {
    let req = body(b)?;
    let account = st.sign_up(&req.invite, &req.username, req.password).await.map_err(|e| {
        match e {
            // The JSON API answers a bad invite with 403 (the form re-renders with 422).
            PlatformError::InviteUnknown | PlatformError::InviteUsed => {
                ApiFail(e, StatusCode::FORBIDDEN)
            }
            e => e.into(),
        }
    })?;
    let (token, _) = st.new_session(Some(account.id)).await?;
    Ok((StatusCode::CREATED, Json(SessionToken { token })).into_response())
}

async fn login(
    State(st): State<PlatformState>,
    ClientIp(ip): ClientIp,
    b: Result<Json<Login>, JsonRejection>,
) -> ApiResult<Json<SessionToken>> {
    let req = body(b)?;
    let id = st.authenticate(&req.username, req.password, ip).await?;
    let (token, _) = st.new_session(Some(id)).await?;
    Ok(Json(SessionToken { token }))
}

async fn inbox(
    State(st): State<PlatformState>,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<InboxEntry>>> {
    let a = bearer(&st, &headers).await?;
    let now = st.clock.now_ns();
    let entries = super::team_tasks(&st, &a)
        .await?
        .into_iter()
        .filter(|(t, n, submitted)| *submitted || store::check_open(t, false, *n, now).is_ok())
        .filter(|(t, _, _)| now < t.expires_at_ns)
        .map(|(t, _, submitted)| InboxEntry {
            id: t.task.id,
            prompt: t.task.prompt,
            expire_at_ns: t.expires_at_ns,
            submitted,
        })
        .collect();
    Ok(Json(entries))
}

async fn task(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<PresentedTask>> {
    let a = bearer(&st, &headers).await?;
    worker_miner(&a)?;
    let t = st.team_task(&a, &id).await?;
    st.store.record_view(&id, a.id, st.clock.now_ns()).await?;
    let mut presented = t.task.present(PRESENT_SEED, &a.username);
    // A task from the miner API shows the validator's id; the URL keeps the platform's.
    if let Some(source) = st.store.task_source(&id).await? {
        presented.task_id = source;
    }
    Ok(Json(presented))
}

async fn submit(
    State(st): State<PlatformState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    b: Result<Json<SubmitResult>, JsonRejection>,
) -> ApiResult<StatusCode> {
    let a = bearer(&st, &headers).await?;
    let req = body(b)?;
    let t = st.team_task(&a, &id).await?;
    if let Some(extra) = unknown_outputs(&t, &req.scores) {
        return Err(invalid(format!("the task has no output {extra:?}")));
    }
    st.accept_result(&a, &t, |o: &str| req.scores.get(o).map(|v| v.to_string()), &req.explanation)
        .await?;
    Ok(StatusCode::CREATED)
}
