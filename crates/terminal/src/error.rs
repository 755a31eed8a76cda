//! The one error type of the terminal and its mapping to responses: JSON for the API, an HTML
//! page for the pages. Client errors are not logged; internal ones are logged here and reach the
//! client as a generic message.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// What a request can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// A parameter is missing, malformed or out of range.
    #[error("invalid parameter `{parameter}`: {message}")]
    BadParam {
        /// The parameter's name as the client sent it.
        parameter: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// A request the market rejected (a range, a page size).
    #[error("invalid request: {0}")]
    BadRequest(String),
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The client used up its request budget.
    #[error("rate limit exceeded; retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a request is allowed again.
        retry_after_secs: u64,
    },
    /// No data yet (the indexer has not stored a block).
    #[error("{0}")]
    Unavailable(String),
    /// The chain did not answer.
    #[error("the chain did not answer: {0}")]
    Chain(String),
    /// A prepared-transaction request refused (nothing submitted).
    #[error(transparent)]
    Tx(#[from] crate::tx::TxRefusal),
    /// A bug or a storage failure; details are logged, not returned.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// A [`ApiError::BadParam`].
    pub fn param(parameter: &str, message: impl Into<String>) -> Self {
        Self::BadParam { parameter: parameter.to_string(), message: message.into() }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadParam { .. } | ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Chain(_) => StatusCode::BAD_GATEWAY,
            ApiError::Tx(refusal) => refusal.status(),
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A machine-readable code, stable across message wording.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadParam { .. } => "bad_param",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::NotFound(_) => "not_found",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Chain(_) => "chain_error",
            ApiError::Tx(refusal) => refusal.code(),
            ApiError::Internal(_) => "internal",
        }
    }

    /// The message a client may see.
    pub fn public_message(&self) -> String {
        match self {
            ApiError::Internal(_) => "internal error; the server logged the details".to_string(),
            other => other.to_string(),
        }
    }

    fn log(&self) {
        match self {
            ApiError::Internal(detail) => tracing::error!(%detail, "terminal: internal error"),
            ApiError::Chain(detail) => tracing::warn!(%detail, "terminal: chain error"),
            _ => {}
        }
    }

    /// The error as an HTML page (for the server-rendered pages).
    pub(crate) fn into_page(self, lang: crate::i18n::Lang) -> Response {
        self.log();
        let status = self.status();
        let body = crate::pages::error_page(lang, status, &self.public_message());
        let mut response = (status, axum::response::Html(body.into_string())).into_response();
        self.add_headers(&mut response);
        response
    }

    fn add_headers(&self, response: &mut Response) {
        if let ApiError::RateLimited { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
}

#[derive(Serialize)]
struct ErrorBody {
    error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<String>,
    status: u16,
    code: &'static str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let parameter = match &self {
            ApiError::BadParam { parameter, .. } => Some(parameter.clone()),
            _ => None,
        };
        let body = ErrorBody {
            error: self.public_message(),
            parameter,
            status: status.as_u16(),
            code: self.code(),
        };
        let mut response = (status, Json(body)).into_response();
        self.add_headers(&mut response);
        response
    }
}

impl From<market::MarketError> for ApiError {
    fn from(e: market::MarketError) -> Self {
        use market::MarketError as M;
        match e {
            M::UnknownSubnet(n) => ApiError::NotFound(format!(
                "unknown subnet {n}; list subnets with /api/v1/overview"
            )),
            M::NothingIndexed => ApiError::Unavailable(M::NothingIndexed.to_string()),
            M::Invalid(m) => ApiError::BadRequest(m),
            M::Chain(c) => ApiError::Chain(c.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<chain::ChainError> for ApiError {
    fn from(e: chain::ChainError) -> Self {
        ApiError::Chain(e.to_string())
    }
}

/// Result of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
