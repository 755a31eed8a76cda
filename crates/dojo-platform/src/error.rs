//! The platform's one error type and its mapping to HTTP responses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use dojo_core::protocol::ApiError;

use crate::i18n::{Lang, Ui};

/// Everything a platform request can fail with. Messages are shown to the person as they are.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
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
    /// A username outside the rule.
    #[error("a username has 3 to 32 letters, digits, '_', '-' or '.'")]
    BadUsername,
    /// A password shorter than the minimum.
    #[error("a password needs at least {min} characters")]
    ShortPassword {
        /// The minimum, in characters.
        min: usize,
    },
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
            | PlatformError::BadUsername
            | PlatformError::ShortPassword { .. }
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

    /// The message in `lang`: the English one is the error's `Display` (which the JSON APIs
    /// send); a detail that came from elsewhere (a bad request's, a form field's) stays as it
    /// came.
    pub(crate) fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            PlatformError::NotLoggedIn => "请先登录".into(),
            PlatformError::Csrf => "表单已过期，或并非来自本站；请刷新页面后重试".into(),
            PlatformError::SessionExpired => "您的登录已过期；请重新登录".into(),
            PlatformError::BadCredentials => "用户名或密码错误".into(),
            PlatformError::TooManyAttempts { retry_after_secs } => {
                format!("登录尝试次数过多；请等待 {retry_after_secs} 秒后重试")
            }
            PlatformError::BadApiKey => {
                "缺少或未知的 API 密钥；请在 x-api-key 请求头中发送矿工的密钥".into()
            }
            PlatformError::TaskExists(id) => format!("任务 {id} 已存在"),
            PlatformError::NotExpired => "任务尚未到期；请在到期后再公开其标准答案".into(),
            PlatformError::BadRequest(detail) => format!("请求有误：{detail}"),
            PlatformError::InviteUnknown => "此邀请码无效；请向您团队的矿工索取新的邀请码".into(),
            PlatformError::InviteUsed => "此邀请码已被使用；请向您团队的矿工索取新的邀请码".into(),
            PlatformError::UsernameTaken => "此用户名已被占用；请换一个".into(),
            PlatformError::BadUsername => "用户名须为 3 到 32 个字母、数字、“_”、“-” 或 “.”".into(),
            PlatformError::ShortPassword { min } => format!("密码至少需要 {min} 个字符"),
            PlatformError::Invalid(detail) => detail.clone(),
            PlatformError::Forbidden => "您的账户无法使用此页面".into(),
            PlatformError::NotFound => "没有这个任务".into(),
            PlatformError::AlreadySubmitted => "您已为此任务提交过结果".into(),
            PlatformError::Expired => "此任务已到期；不再接受结果".into(),
            PlatformError::Full { max_results } => {
                format!("此任务已收满 {max_results} 份结果")
            }
            PlatformError::Score { output, got, min, max } => {
                format!("输出 {output} 的评分须为 {min} 到 {max} 之间的整数；收到的是 {got:?}")
            }
            PlatformError::Explanation(reason) => {
                format!("对最佳和最差输出的说明未被接受（{reason}）；请用平实的话来写")
            }
            PlatformError::Internal(_) => "内部错误".into(),
        }
    }

    /// The error as a page in the person's language and theme, with its status (and
    /// `Retry-After`). The response carries the error, so that [`localized_errors`] can show
    /// a page a handler failed without the request in the request's language.
    pub(crate) fn page(&self, ui: Ui) -> Response {
        let t = ui.t();
        let chrome = super::pages::Chrome { ui, nav: super::pages::Nav::None, logout_csrf: None };
        let page = super::pages::message_page(
            &chrome,
            t.error_title,
            &self.message(ui.lang),
            ("/", t.back),
        );
        let mut resp = (self.status(), axum::response::Html(page.into_string())).into_response();
        super::pages::security_headers(resp.headers_mut());
        self.retry_after(&mut resp);
        resp.extensions_mut().insert(self.clone());
        resp
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
    /// The page in the platform's defaults (English, dark); [`localized_errors`] shows it
    /// again in the request's language and theme.
    fn into_response(self) -> Response {
        self.page(Ui::default())
    }
}

/// Middleware of the page routes: an error page a handler answered (in the defaults, as it had
/// no request at hand) is shown again in the request's language and theme.
pub(crate) async fn localized_errors(
    ui: Ui,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let defaults = Ui::default();
    if ui.lang == defaults.lang && ui.light == defaults.light {
        return response;
    }
    match response.extensions().get::<PlatformError>() {
        Some(error) => error.page(ui),
        None => response,
    }
}
