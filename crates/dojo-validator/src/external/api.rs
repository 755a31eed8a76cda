//! The HTTP face of external tasks: bearer authentication, per-key rate limit, JSON errors.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::{ExternalError, ExternalTasks, KeyInfo};
use dojo_core::protocol::ApiError;
use dojo_core::protocol::external::SubmitExternalTask;

impl ExternalError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ExternalError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ExternalError::Malformed(_) => StatusCode::BAD_REQUEST,
            ExternalError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ExternalError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ExternalError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ExternalError::NotFound | ExternalError::UnknownKey(_) => StatusCode::NOT_FOUND,
            ExternalError::Db(_) | ExternalError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ExternalError {
    fn into_response(self) -> Response {
        let status = self.status();
        // Internal details (SQL errors) stay on the server.
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            "internal error; try again later".to_string()
        } else {
            self.to_string()
        };
        let mut response = (status, Json(ApiError { error: message })).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let ExternalError::RateLimited { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            headers.insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The external task API: `POST /api/v1/external/tasks`, `GET /api/v1/external/tasks/{id}`
/// (bearer key) and `GET /api/v1/openapi.json`.
pub fn router(tasks: Arc<ExternalTasks>) -> Router {
    let limit = tasks.config().limits.max_body_bytes;
    Router::new()
        .route("/api/v1/external/tasks", post(submit))
        .route("/api/v1/external/tasks/{id}", get(status))
        .route("/api/v1/openapi.json", get(openapi))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(tasks)
}

async fn authenticate(
    tasks: &ExternalTasks,
    headers: &HeaderMap,
) -> Result<KeyInfo, ExternalError> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        ExternalError::Unauthorized("missing Authorization: Bearer <API key> header".into())
    })?;
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ExternalError::Unauthorized("the Authorization header must be Bearer <API key>".into())
        })?;
    let key = tasks.authenticate(secret).await?;
    tasks.check_rate(&key.id)?;
    Ok(key)
}

async fn submit(
    State(tasks): State<Arc<ExternalTasks>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ExternalError> {
    let key = authenticate(&tasks, &headers).await?;
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ExternalError::TooLarge(format!(
                "the request body is larger than {} bytes",
                tasks.config().limits.max_body_bytes
            ))
        } else {
            ExternalError::Malformed(format!("the request body could not be read: {r}"))
        }
    })?;
    let request: SubmitExternalTask = serde_json::from_slice(&body).map_err(|e| {
        if e.is_data() {
            ExternalError::Invalid(format!("the body does not match SubmitExternalTask: {e}"))
        } else {
            ExternalError::Malformed(format!("the body is not valid JSON: {e}"))
        }
    })?;
    let status = tasks.submit(&key, request).await?;
    let location = format!("/api/v1/external/tasks/{}", status.id);
    let mut response = (StatusCode::CREATED, Json(status)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

async fn status(
    State(tasks): State<Arc<ExternalTasks>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ExternalError> {
    let key = authenticate(&tasks, &headers).await?;
    match tasks.status(&key.id, &id).await? {
        Some(s) => Ok(Json(s).into_response()),
        None => Err(ExternalError::NotFound),
    }
}

async fn openapi(State(tasks): State<Arc<ExternalTasks>>) -> Response {
    Json(super::openapi_document(tasks.config())).into_response()
}
