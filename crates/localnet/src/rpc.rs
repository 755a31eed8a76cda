//! The JSON-RPC 2.0 server: WebSocket and HTTP POST on one port (default `127.0.0.1:9944`).
//!
//! Method names, error codes and parameter types are in [`chain::rpc`]; the reference with an
//! example per method is `docs/rpc.md`. Every malformed input gets a JSON-RPC error and the
//! connection lives on: bad JSON (`-32700`), not a request (`-32600`), unknown method
//! (`-32601`), wrong params, bad addresses or hex (`-32602`), oversized body or batch, too many
//! subscriptions (`-32005`). Subscriptions need a WebSocket.
//!
//! Bounds: requests up to [`RpcConfig::max_request_bytes`] (HTTP bodies and WebSocket
//! messages; WebSocket messages beyond 4× that close the connection), batches up to
//! [`RpcConfig::max_batch`], [`RpcConfig::max_subscriptions`] per connection. Each connection
//! is a task owned by the server; [`RpcServer::shutdown`] ends them all.

mod methods;
mod substrate;
mod ws;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chain::rpc::{RpcError, codes};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::node::NodeHandle;

/// Default listen address.
pub const DEFAULT_RPC_ADDR: &str = "127.0.0.1:9944";

/// Server settings.
#[derive(Debug, Clone)]
pub struct RpcConfig {
    /// Address to listen on (use port 0 for any free port).
    pub addr: SocketAddr,
    /// Largest request (HTTP body or WebSocket message), bytes.
    pub max_request_bytes: usize,
    /// Most requests in one batch.
    pub max_batch: usize,
    /// Most open subscriptions per WebSocket connection.
    pub max_subscriptions: usize,
    /// Most blocks one `taoplex_fastForward` may produce.
    pub max_fast_forward: u64,
}

impl Default for RpcConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 9944)),
            max_request_bytes: 1 << 20,
            max_batch: 100,
            max_subscriptions: 64,
            max_fast_forward: 1_000_000,
        }
    }
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) node: NodeHandle,
    pub(crate) config: Arc<RpcConfig>,
    pub(crate) shutdown: watch::Receiver<bool>,
}

/// A running RPC server. Dropping it does not stop it; call [`RpcServer::shutdown`].
#[derive(Debug)]
pub struct RpcServer {
    local_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// The server's router (for tests with `oneshot`, or to nest in another app).
pub fn router(node: NodeHandle, config: RpcConfig) -> Router {
    let (_tx, rx) = watch::channel(false);
    router_with_shutdown(node, config, rx)
}

fn router_with_shutdown(
    node: NodeHandle,
    config: RpcConfig,
    shutdown: watch::Receiver<bool>,
) -> Router {
    let state = AppState { node, config: Arc::new(config), shutdown };
    Router::new()
        .route("/", post(http_handler).get(ws_handler))
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

impl RpcServer {
    /// Binds `config.addr` and serves `node`.
    pub async fn start(node: NodeHandle, config: RpcConfig) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let local_addr = listener.local_addr()?;
        let (shutdown, rx) = watch::channel(false);
        let app = router_with_shutdown(node, config, rx.clone());
        let mut stop = rx;
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await
        });
        tracing::info!(%local_addr, "JSON-RPC listening (WebSocket and HTTP)");
        Ok(Self { local_addr, shutdown, task })
    }

    /// Where the server listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `ws://` URL of the server.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.local_addr)
    }

    /// `http://` URL of the server.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Closes every connection and stops listening.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        match self.task.await {
            Ok(Err(e)) => tracing::warn!("RPC server stopped with an error: {e}"),
            Err(e) => tracing::warn!("RPC server task failed: {e}"),
            Ok(Ok(())) => {}
        }
    }
}

async fn ws_handler(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    let limit = state.config.max_request_bytes.saturating_mul(4);
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| ws::serve_connection(state, socket))
}

async fn http_handler(State(state): State<AppState>, body: Body) -> Response {
    let limit = state.config.max_request_bytes;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            let e = RpcError::new(
                codes::LIMIT_EXCEEDED,
                format!("request too large: the limit is {limit} bytes"),
            );
            return json_response(StatusCode::PAYLOAD_TOO_LARGE, &error_response(Value::Null, e));
        }
    };
    match handle_text(&state, &bytes, None).await {
        Some(reply) => json_response(StatusCode::OK, &reply),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

pub(crate) fn error_response(id: Value, error: RpcError) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": error })
}

fn ok_response(id: Value, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

/// Handles one message (a request or a batch). `None` when nothing must be answered
/// (notifications only). `conn` is the WebSocket connection, for subscriptions.
pub(crate) async fn handle_text(
    state: &AppState,
    text: &[u8],
    mut conn: Option<&mut ws::Connection>,
) -> Option<Value> {
    if text.len() > state.config.max_request_bytes {
        let e = RpcError::new(
            codes::LIMIT_EXCEEDED,
            format!("request too large: the limit is {} bytes", state.config.max_request_bytes),
        );
        return Some(error_response(Value::Null, e));
    }
    let value: Value = match serde_json::from_slice(text) {
        Ok(v) => v,
        Err(e) => {
            let e = RpcError::new(codes::PARSE_ERROR, format!("parse error: not JSON ({e})"));
            return Some(error_response(Value::Null, e));
        }
    };
    match value {
        Value::Array(items) => {
            if items.is_empty() {
                let e = RpcError::new(codes::INVALID_REQUEST, "empty batch");
                return Some(error_response(Value::Null, e));
            }
            if items.len() > state.config.max_batch {
                let e = RpcError::new(
                    codes::LIMIT_EXCEEDED,
                    format!(
                        "batch of {} requests; the limit is {}",
                        items.len(),
                        state.config.max_batch
                    ),
                );
                return Some(error_response(Value::Null, e));
            }
            let mut replies = Vec::new();
            for item in items {
                if let Some(r) = handle_request(state, item, conn.as_deref_mut()).await {
                    replies.push(r);
                }
            }
            (!replies.is_empty()).then_some(Value::Array(replies))
        }
        item => handle_request(state, item, conn).await,
    }
}

async fn handle_request(
    state: &AppState,
    request: Value,
    conn: Option<&mut ws::Connection>,
) -> Option<Value> {
    let Value::Object(mut obj) = request else {
        let e = RpcError::new(codes::INVALID_REQUEST, "invalid request: expected a JSON object");
        return Some(error_response(Value::Null, e));
    };
    let id = obj.remove("id");
    let is_notification = id.is_none();
    let id = match id {
        None => Value::Null,
        Some(v @ (Value::Null | Value::Number(_) | Value::String(_))) => v,
        Some(_) => {
            let e = RpcError::new(
                codes::INVALID_REQUEST,
                "invalid request: id must be a number or a string",
            );
            return Some(error_response(Value::Null, e));
        }
    };
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        let e =
            RpcError::new(codes::INVALID_REQUEST, "invalid request: \"jsonrpc\" must be \"2.0\"");
        return Some(error_response(id, e));
    }
    let Some(Value::String(method)) = obj.remove("method") else {
        let e =
            RpcError::new(codes::INVALID_REQUEST, "invalid request: \"method\" must be a string");
        return Some(error_response(id, e));
    };
    let params = obj.remove("params").unwrap_or(Value::Null);
    let result = methods::dispatch(state, &method, params, conn).await;
    if is_notification {
        return None;
    }
    Some(match result {
        Ok(v) => ok_response(id, v),
        Err(e) => error_response(id, e),
    })
}
