//! Static files, embedded in the binary. The base stylesheet is the terminal's own
//! `crates/terminal/assets/app.css`, included by path (no crate dependency, one source of the
//! design tokens: colours, type scale, header, cards, theme switch); `platform.css` only adds
//! the platform's components on the same variables.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::PlatformError;

/// Every file under `/static/`: (name, content type, bytes).
const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../terminal/assets/app.css")),
    ("platform.css", "text/css; charset=utf-8", include_bytes!("../assets/platform.css")),
    ("platform.js", "text/javascript; charset=utf-8", include_bytes!("../assets/platform.js")),
];

/// `GET /static/{file}`.
pub(super) async fn serve(Path(file): Path<String>) -> Response {
    let Some((_, content_type, bytes)) = FILES.iter().find(|(n, _, _)| *n == file) else {
        return PlatformError::NotFound.into_response();
    };
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}
