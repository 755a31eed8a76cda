//! Static files, embedded in the binary. The base stylesheet is the terminal's own
//! `crates/terminal/assets/app.css`, included by path (no crate dependency, one source of the
//! design tokens: colours, type scale, header, cards, theme switch); `platform.css` only adds
//! the platform's components on the same variables. The script fonts (subnet glyphs, the
//! Chinese interface) are the terminal's too, from the `webfonts` crate: `fonts.css` and
//! `fonts/<file>`.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::PlatformError;

/// Every file under `/static/`: (name, content type, bytes).
const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../terminal/assets/app.css")),
    ("platform.css", "text/css; charset=utf-8", include_bytes!("../assets/platform.css")),
    ("platform.js", "text/javascript; charset=utf-8", include_bytes!("../assets/platform.js")),
    ("viewer3d.js", "text/javascript; charset=utf-8", include_bytes!("../assets/viewer3d.js")),
];

/// three.js, from npm (`web/package-lock.json`) via `build.rs`, under `/static/vendor/`.
const VENDOR: &[(&str, &[u8])] = &[
    ("three.module.min.js", include_bytes!(concat!(env!("OUT_DIR"), "/three.module.min.js"))),
    ("GLTFLoader.js", include_bytes!(concat!(env!("OUT_DIR"), "/GLTFLoader.js"))),
    ("OrbitControls.js", include_bytes!(concat!(env!("OUT_DIR"), "/OrbitControls.js"))),
    ("BufferGeometryUtils.js", include_bytes!(concat!(env!("OUT_DIR"), "/BufferGeometryUtils.js"))),
];

/// `GET /static/{file}`.
pub(super) async fn serve(Path(file): Path<String>) -> Response {
    if file == "fonts.css" {
        return file_response("text/css; charset=utf-8", webfonts::FONTS_CSS);
    }
    let Some((_, content_type, bytes)) = FILES.iter().find(|(n, _, _)| *n == file) else {
        return PlatformError::NotFound.into_response();
    };
    file_response(content_type, bytes)
}

/// `GET /static/fonts/{file}`: a script font, cached for good (its name changes with it).
pub(super) async fn serve_font(Path(file): Path<String>) -> Response {
    let Some(bytes) = webfonts::font(&file) else {
        return PlatformError::NotFound.into_response();
    };
    let mut r = file_response("font/woff2", bytes);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(webfonts::FONT_CACHE_CONTROL));
    r
}

/// `GET /static/vendor/{file}`.
pub(super) async fn serve_vendor(Path(file): Path<String>) -> Response {
    match VENDOR.iter().find(|(n, _)| *n == file) {
        Some((_, bytes)) => file_response("text/javascript; charset=utf-8", bytes),
        None => PlatformError::NotFound.into_response(),
    }
}

fn file_response(content_type: &'static str, bytes: &'static [u8]) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    // The 3D viewer runs in a sandboxed frame (an opaque origin), whose module scripts are
    // cross-origin requests: these public files say anyone may load them.
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}
