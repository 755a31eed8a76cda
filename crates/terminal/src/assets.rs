//! Static assets, embedded in the binary: our CSS and JavaScript (`assets/`) and the charting
//! library fetched from npm by `build.rs` (`web/package-lock.json` pins it). Nothing comes from
//! a CDN; the terminal works offline.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Version tag appended to asset URLs so browsers refetch after an upgrade.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The chart library's file (TradingView lightweight-charts, standalone production build).
pub const CHART_LIB: &str = "vendor/lightweight-charts.standalone.production.js";

/// Every asset: (path under `/assets/`, content type, bytes).
pub const ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../assets/app.js")),
    ("chart.js", "text/javascript; charset=utf-8", include_bytes!("../assets/chart.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../assets/favicon.svg")),
    ("wallet.js", "text/javascript; charset=utf-8", include_bytes!("../assets/wallet.js")),
    ("basket.js", "text/javascript; charset=utf-8", include_bytes!("../assets/basket.js")),
    (
        "keys-worker.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/keys-worker.js"),
    ),
    ("keys.wasm", "application/wasm", include_bytes!(concat!(env!("OUT_DIR"), "/keys.wasm"))),
    (
        CHART_LIB,
        "text/javascript; charset=utf-8",
        include_bytes!(concat!(env!("OUT_DIR"), "/lightweight-charts.standalone.production.js")),
    ),
];

/// The URL of an asset, versioned.
pub fn asset_url(name: &str) -> String {
    format!("/assets/{name}?v={VERSION}")
}

/// `GET /assets/{*path}`.
pub(crate) async fn serve(Path(path): Path<String>) -> Response {
    if path == "fonts.css" {
        return cached(webfonts::FONTS_CSS, "text/css; charset=utf-8", "public, max-age=86400");
    }
    if let Some(bytes) = path.strip_prefix("fonts/").and_then(webfonts::font) {
        return cached(bytes, "font/woff2", webfonts::FONT_CACHE_CONTROL);
    }
    match ASSETS.iter().find(|(p, _, _)| *p == path) {
        Some((_, content_type, bytes)) => cached(bytes, content_type, "public, max-age=86400"),
        None => ApiError::NotFound(format!("no asset {path}")).into_response(),
    }
}

fn cached(bytes: &'static [u8], content_type: &'static str, cache: &'static str) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}
