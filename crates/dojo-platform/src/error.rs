//! The platform's one error type and its mapping to HTTP responses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use dojo_core::protocol::ApiError;

/// Everything a platform request can fail with. Messages are shown to the person as they are.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlatformError {
    /// No session, or the session is not logged in.
    #[error("please log in first")]
    NotLoggedIn,
    /// The CSRF token is missing or wrong.
    #[error("the form was stale or did not come from this site; reload the page and try again")]
    Csrf,
    /// The session was idle for longer than the platform's timeout.
    #[error("your session expired; please log in again")]
    SessionExpired,
    /// Wrong username or password.
    #[error("wrong username or password")]
    BadCredentials,
    /// Too many login attempts for this username or from this address.
    #[error("too many login attempts; wait {retry_after_secs} seconds and try again")]
    TooManyAttempts {
        /// Seconds until the next attempt is accepted.
        retry_after_secs: u64,
    },
    /// The miner API's `x-api-key` is missing or unknown.
    #[error("missing or unknown API key; send the miner's key in the x-api-key header")]
    BadApiKey,
    /// A task with this id exists already.
    #[error("task {0} already exists")]
    TaskExists(String),
    /// The ground truth may be revealed only once the task expired.
    #[error("the task has not expired yet; reveal its ground truth after it expires")]
    NotExpired,
    /// The request body is not what the endpoint takes.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The invite key does not exist.
    #[error("this invite key is not valid; ask your team's miner for a new one")]
    InviteUnknown,
    /// The invite key was used already.
    #[error("this invite key has already been used; ask your team's miner for a new one")]
    InviteUsed,
    /// Username in use.
    #[error("this username is taken; choose another")]
    UsernameTaken,
    /// A form field is invalid.
    #[error("{0}")]
    Invalid(String),
    /// The account may not do this.
    #[error("this page is not available to your account")]
    Forbidden,
    /// No such task (or not one of your team's).
    #[error("no such task")]
    NotFound,
    /// One submission per worker per task.
    #[error("you have already submitted a result for this task")]
    AlreadySubmitted,
    /// The task's deadline passed.
    #[error("this task has expired; results are no longer accepted")]
    Expired,
    /// The task has all the results it needs.
    #[error("this task already has its maximum of {max_results} results")]
    Full {
        /// The cap.
        max_results: u32,
    },
    /// A score missing or outside the criterion's range.
    #[error(
        "the score for output {output} must be a whole number from {min} to {max}; got {got:?}"
    )]
    Score {
        /// Output id.
        output: String,
        /// What was sent.
        got: String,
        /// Lowest allowed.
        min: u32,
        /// Highest allowed.
        max: u32,
    },
    /// The explanation was rejected by the sanitiser.
    #[error(
        "the explanation of the best and worst output was not accepted ({0}); write it in plain words"
    )]
    Explanation(String),
    /// A server-side failure; details are not shown.
    #[error("internal error")]
    Internal(String),
}

impl PlatformError {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            PlatformError::NotLoggedIn
            | PlatformError::SessionExpired
            | PlatformError::BadCredentials
            | PlatformError::BadApiKey => StatusCode::UNAUTHORIZED,
            PlatformError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            PlatformError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PlatformError::Csrf | PlatformError::Forbidden => StatusCode::FORBIDDEN,
            PlatformError::InviteUnknown
            | PlatformError::InviteUsed
            | PlatformError::Invalid(_)
            | PlatformError::Score { .. }
            | PlatformError::Explanation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PlatformError::UsernameTaken
            | PlatformError::AlreadySubmitted
            | PlatformError::TaskExists(_)
            | PlatformError::NotExpired
            | PlatformError::Full { .. } => StatusCode::CONFLICT,
            PlatformError::Expired => StatusCode::GONE,
            PlatformError::NotFound => StatusCode::NOT_FOUND,
            PlatformError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// `Retry-After` for rate-limited answers.
    fn retry_after(&self, resp: &mut Response) {
        if let PlatformError::TooManyAttempts { retry_after_secs } = self {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
    }

    /// The error as a JSON API answer: `{"error": message}` with `status`.
    pub(crate) fn json(&self, status: StatusCode) -> Response {
        let body = ApiError { error: self.to_string() };
        let mut resp = (status, axum::Json(body)).into_response();
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp.headers_mut()
            .insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        self.retry_after(&mut resp);
        resp
    }
}

impl From<db::DbError> for PlatformError {
    fn from(e: db::DbError) -> Self {
        PlatformError::Internal(e.to_string())
    }
}

impl From<sqlx::Error> for PlatformError {
    fn from(e: sqlx::Error) -> Self {
        PlatformError::Internal(format!("database: {e}"))
    }
}

impl IntoResponse for PlatformError {
    fn into_response(self) -> Response {
        let status = self.status();
        // Without the request here the page is English and dark, the platform's defaults.
        let chrome = super::pages::Chrome {
            ui: super::i18n::Ui::default(),
            nav: super::pages::Nav::None,
            logout_csrf: None,
        };
        let page = super::pages::message_page(
            &chrome,
            "Something went wrong",
            &self.to_string(),
            ("/", "Back"),
        );
        let mut resp = (status, axum::response::Html(page.into_string())).into_response();
        super::pages::security_headers(resp.headers_mut());
        self.retry_after(&mut resp);
        resp
    }
}
