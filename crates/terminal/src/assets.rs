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
    match ASSETS.iter().find(|(p, _, _)| *p == path) {
        Some((_, content_type, bytes)) => {
            let mut r = bytes.into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
            r
        }
        None => ApiError::NotFound(format!("no asset {path}")).into_response(),
    }
}
