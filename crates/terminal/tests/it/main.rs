//! Integration tests of the terminal: the API and pages through `oneshot` on fixtures, the
//! OpenAPI snapshot, the live stream on loopback, and browser tests in headless Chromium.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unreachable_pub, dead_code)]

mod api;
mod browser;
mod fixture;
mod live;
mod pages;
mod portfolio;
mod real;
mod tx;
mod wallet;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// GET `uri` through the router; returns status, headers and body.
pub async fn get(app: &axum::Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    get_with(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn get_with(
    app: &axum::Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let res: Response<Body> = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

pub async fn get_json(app: &axum::Router, uri: &str) -> (StatusCode, serde_json::Value) {
    let (s, _, b) = get(app, uri).await;
    (s, serde_json::from_str(&b).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {b}")))
}

/// POST `body` as JSON to `uri` through the router; returns status and the JSON answer.
pub async fn post_json(
    app: &axum::Router,
    uri: &str,
    body: &serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let req = Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (s, _, b) = get_with(app, req).await;
    (s, serde_json::from_str(&b).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {b}")))
}
