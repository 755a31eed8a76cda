//! The platform's one error type and its mapping to HTTP responses.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

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
    /// Wrong username or password.
    #[error("wrong username or password")]
    BadCredentials,
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
            PlatformError::NotLoggedIn | PlatformError::BadCredentials => StatusCode::UNAUTHORIZED,
            PlatformError::Csrf | PlatformError::Forbidden => StatusCode::FORBIDDEN,
            PlatformError::InviteUnknown
            | PlatformError::InviteUsed
            | PlatformError::Invalid(_)
            | PlatformError::Score { .. }
            | PlatformError::Explanation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PlatformError::UsernameTaken
            | PlatformError::AlreadySubmitted
            | PlatformError::Full { .. } => StatusCode::CONFLICT,
            PlatformError::Expired => StatusCode::GONE,
            PlatformError::NotFound => StatusCode::NOT_FOUND,
            PlatformError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for PlatformError {
    fn into_response(self) -> Response {
        let status = self.status();
        let page = super::pages::message_page("Something went wrong", &self.to_string());
        let mut resp = (status, axum::response::Html(page.into_string())).into_response();
        super::pages::security_headers(resp.headers_mut());
        resp
    }
}
