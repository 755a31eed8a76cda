//! The axon: an axum server that verifies and serves synapses.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chain::AccountId;
use futures::future::BoxFuture;
use serde_json::{Map, Value};
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinHandle;

use super::error::{Refusal, TransportError};
use super::metagraph::SharedMetagraph;
use super::pystr::python_float_repr;
use super::synapse::{
    ALLOWED_DELTA_NS, Clock, DEFAULT_TIMEOUT_SECS, body_hash, headers as h, parse_signature,
    request_message, response_message, sdk_version_int, signature_hex, uuid4,
};

/// Nonce entries kept before old ones are pruned.
const NONCE_PRUNE_AT: usize = 100_000;

/// Who may call: registered on the subnet, with at least `min_stake` alpha, and a validator
/// permit when `require_validator_permit`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlacklistPolicy {
    /// Least alpha staked to the caller's hotkey, rao.
    pub min_stake: u64,
    /// Refuse callers without a validator permit.
    pub require_validator_permit: bool,
}

/// How an axon runs.
#[derive(Debug, Clone)]
pub struct AxonConfig {
    /// The axon's hotkey: requests must be addressed to it; responses are signed with it.
    pub hotkey: keys::Keypair,
    /// IP advertised in the response headers.
    pub external_ip: String,
    /// Port advertised in the response headers.
    pub external_port: u16,
    /// Who may call.
    pub blacklist: BlacklistPolicy,
    /// Requests served at once; more are refused with 503.
    pub max_in_flight: usize,
    /// Largest timeout honoured, seconds. The `timeout` header is not signed, so it cannot
    /// be allowed to widen the first-nonce window without bound; it also bounds how long a
    /// handler may run and how long nonces are remembered.
    pub max_timeout_secs: f64,
}

impl AxonConfig {
    /// Defaults: loopback, no stake threshold, 256 requests in flight.
    pub fn new(hotkey: keys::Keypair) -> Self {
        Self {
            hotkey,
            external_ip: "127.0.0.1".into(),
            external_port: 0,
            blacklist: BlacklistPolicy::default(),
            max_in_flight: 256,
            max_timeout_secs: 60.0,
        }
    }
}

/// A verified request as a handler sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SynapseRequest {
    /// Synapse name.
    pub name: String,
    /// The caller's hotkey (signature verified).
    pub caller: AccountId,
    /// The caller's UID on the subnet.
    pub caller_uid: u16,
    /// The request body (every JSON field the caller sent).
    pub fields: Map<String, Value>,
}

/// What a handler returns: fields to set on the response synapse, or a message (500).
pub type HandlerResult = Result<Map<String, Value>, String>;

type Handler = Arc<dyn Fn(SynapseRequest) -> BoxFuture<'static, HandlerResult> + Send + Sync>;

struct Route {
    hash_fields: Vec<String>,
    handler: Handler,
}

struct Inner {
    config: AxonConfig,
    hotkey_ss58: String,
    uuid: String,
    routes: HashMap<String, Route>,
    metagraph: SharedMetagraph,
    clock: Arc<dyn Clock>,
    nonces: Mutex<HashMap<String, u64>>,
    in_flight: Semaphore,
}

/// An axon: routes by synapse name, the SDK's verification pipeline, then the handler.
///
/// Pipeline, in order: unknown synapse (404) → headers and body parse (400) → body hash
/// recomputed from the body with the route's hash fields and compared with
/// `computed_body_hash` (401) → signature of the caller's hotkey over the request message
/// (401) → nonce per `hotkey:uuid`: a first nonce must be newer than now − (4 s + timeout),
/// the timeout capped at [`AxonConfig::max_timeout_secs`],
/// later ones strictly increase (401) → blacklist against the [`super::Metagraph`] (403) →
/// in-flight limit (503) → handler within the timeout (408; a handler error is 500).
pub struct Axon {
    inner: Inner,
}

impl std::fmt::Debug for Axon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Axon")
            .field("hotkey", &self.inner.hotkey_ss58)
            .field("routes", &self.inner.routes.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Axon {
    /// An axon with no routes.
    pub fn new(config: AxonConfig, metagraph: SharedMetagraph, clock: Arc<dyn Clock>) -> Self {
        let in_flight = Semaphore::new(config.max_in_flight.max(1));
        Self {
            inner: Inner {
                hotkey_ss58: config.hotkey.ss58_address(),
                config,
                uuid: uuid4(),
                routes: HashMap::new(),
                metagraph,
                clock,
                nonces: Mutex::new(HashMap::new()),
                in_flight,
            },
        }
    }

    /// Serves synapse `name`, whose body hash covers `hash_fields` (in order), with `handler`.
    pub fn route<F, Fut, I, S>(mut self, name: &str, hash_fields: I, handler: F) -> Self
    where
        F: Fn(SynapseRequest) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = HandlerResult> + Send + 'static,
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let handler: Handler = Arc::new(move |r| Box::pin(handler(r)));
        let hash_fields = hash_fields.into_iter().map(Into::into).collect();
        self.inner.routes.insert(name.to_string(), Route { hash_fields, handler });
        self
    }

    /// The axum router (`POST /{synapse}`).
    pub fn router(self) -> Router {
        let state = Arc::new(self.inner);
        Router::new().route("/{name}", post(handle).get(handle)).fallback(unknown).with_state(state)
    }

    /// Serves on `listener` until [`AxonServer::shutdown`].
    pub fn serve(self, listener: tokio::net::TcpListener) -> Result<AxonServer, TransportError> {
        let addr = listener.local_addr().map_err(|e| TransportError::Serve(e.to_string()))?;
        let router = self.router();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(AxonServer { addr, stop: Some(stop), task: Some(task) })
    }
}

/// A running axon. Dropping it without [`AxonServer::shutdown`] aborts the server task.
#[derive(Debug)]
pub struct AxonServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl AxonServer {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets requests in progress finish, and waits.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for AxonServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// What the request's headers said, as far as they parsed.
#[derive(Default)]
struct Terminal {
    dendrite_hotkey: Option<String>,
    dendrite_nonce: Option<u64>,
    dendrite_uuid: Option<String>,
    dendrite_version: Option<u64>,
    timeout: Option<f64>,
    body_hash: Option<String>,
}

struct Parsed {
    caller: AccountId,
    nonce: u64,
    uuid: String,
    signature: keys::Signature,
    body_hash: String,
    timeout: f64,
    body: Map<String, Value>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn read_terminal(headers: &HeaderMap) -> Terminal {
    Terminal {
        dendrite_hotkey: header(headers, h::DENDRITE_HOTKEY).map(str::to_string),
        dendrite_nonce: header(headers, h::DENDRITE_NONCE).and_then(|v| v.trim().parse().ok()),
        dendrite_uuid: header(headers, h::DENDRITE_UUID).map(str::to_string),
        dendrite_version: header(headers, h::DENDRITE_VERSION).and_then(|v| v.trim().parse().ok()),
        timeout: header(headers, h::TIMEOUT).and_then(|v| v.trim().parse().ok()),
        body_hash: header(headers, h::COMPUTED_BODY_HASH).map(str::to_string),
    }
}

fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Parsed, Refusal> {
    let need = |name: &str| {
        header(headers, name)
            .map(str::to_string)
            .ok_or_else(|| Refusal::Parse(format!("missing or non-ASCII header {name}")))
    };
    let hotkey = need(h::DENDRITE_HOTKEY)?;
    let caller: AccountId = hotkey.parse().map_err(|e| {
        Refusal::Parse(format!("{} is not an SS58 hotkey: {e}", h::DENDRITE_HOTKEY))
    })?;
    let nonce = need(h::DENDRITE_NONCE)?
        .trim()
        .parse::<u64>()
        .map_err(|e| Refusal::Parse(format!("{} is not an integer: {e}", h::DENDRITE_NONCE)))?;
    let uuid = need(h::DENDRITE_UUID)?;
    let signature = parse_signature(&need(h::DENDRITE_SIGNATURE)?).ok_or_else(|| {
        Refusal::Parse(format!("{} is not 0x + 128 hex digits", h::DENDRITE_SIGNATURE))
    })?;
    let body_hash = need(h::COMPUTED_BODY_HASH)?;
    let timeout = match header(headers, h::TIMEOUT) {
        None => DEFAULT_TIMEOUT_SECS,
        Some(t) => {
            t.trim().parse::<f64>().ok().filter(|t| t.is_finite() && *t >= 0.0).ok_or_else(
                || Refusal::Parse(format!("timeout {t:?} is not a number of seconds")),
            )?
        }
    };
    let body = if body.is_empty() {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(Refusal::Parse("the body is not a JSON object".into())),
            Err(e) => return Err(Refusal::Parse(format!("the body is not JSON: {e}"))),
        }
    };
    Ok(Parsed { caller, nonce, uuid, signature, body_hash, timeout, body })
}

async fn unknown(State(inner): State<Arc<Inner>>, headers: HeaderMap) -> Response {
    let refusal = Refusal::UnknownSynapse(format!(
        "no synapse is served at this path; available: {:?}",
        inner.routes.keys().collect::<Vec<_>>()
    ));
    respond(&inner, &read_terminal(&headers), Err(refusal), None, Instant::now())
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let start = Instant::now();
    let terminal = read_terminal(&headers);
    let result = pipeline(&inner, &name, &headers, &body).await;
    respond(&inner, &terminal, result, Some(&name), start)
}

async fn pipeline(
    inner: &Inner,
    name: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, Refusal> {
    let Some(route) = inner.routes.get(name) else {
        return Err(Refusal::UnknownSynapse(format!(
            "synapse {name:?} is not served here; available: {:?}",
            inner.routes.keys().collect::<Vec<_>>()
        )));
    };
    let mut p = parse(headers, body)?;
    p.timeout = p.timeout.min(inner.config.max_timeout_secs.max(0.0));

    // Verify: body hash, signature, nonce.
    let recomputed = body_hash(&p.body, &route.hash_fields);
    if recomputed != p.body_hash {
        return Err(Refusal::NotVerified(format!(
            "body hash mismatch: the header says {} but the body hashes to {recomputed}",
            p.body_hash
        )));
    }
    let caller_ss58 = p.caller.to_ss58();
    let message = request_message(p.nonce, &caller_ss58, &inner.hotkey_ss58, &p.uuid, &p.body_hash);
    if !p.caller.public_key().verify(message.as_bytes(), &p.signature) {
        return Err(Refusal::NotVerified(format!(
            "the signature does not verify for {caller_ss58} over {message:?}; sign with the \
             hotkey named in {} and address the axon's hotkey {}",
            h::DENDRITE_HOTKEY,
            inner.hotkey_ss58
        )));
    }
    {
        let key = format!("{caller_ss58}:{}", p.uuid);
        let now = inner.clock.now_ns();
        let mut nonces = inner.nonces.lock().map_err(|_| Refusal::Internal("nonce lock".into()))?;
        match nonces.get(&key) {
            Some(&last) if p.nonce <= last => {
                return Err(Refusal::NotVerified(format!(
                    "nonce {} is not newer than the last one processed ({last}); use a fresh nonce",
                    p.nonce
                )));
            }
            None => {
                let window = ALLOWED_DELTA_NS.saturating_add(secs_to_ns(p.timeout));
                if p.nonce <= now.saturating_sub(window) {
                    return Err(Refusal::NotVerified(format!(
                        "nonce {} is too old: it must be newer than now - (4 s + timeout) = {}",
                        p.nonce,
                        now.saturating_sub(window)
                    )));
                }
            }
            Some(_) => {}
        }
        nonces.insert(key, p.nonce);
        if nonces.len() > NONCE_PRUNE_AT {
            // Safe to forget: a replay of any of these nonces is older than the widest
            // first-nonce window and is refused as too old.
            let widest = ALLOWED_DELTA_NS.saturating_add(secs_to_ns(inner.config.max_timeout_secs));
            let horizon = now.saturating_sub(widest);
            nonces.retain(|_, last| *last > horizon);
        }
    }

    // Blacklist.
    let entry = {
        let m = inner.metagraph.borrow();
        let Some(entry) = m.get(&p.caller).cloned() else {
            return Err(Refusal::Blacklisted(format!(
                "hotkey {caller_ss58} is not registered on subnet {}",
                m.netuid
            )));
        };
        let policy = inner.config.blacklist;
        if entry.stake < policy.min_stake {
            return Err(Refusal::Blacklisted(format!(
                "hotkey {caller_ss58} has {} rao staked on subnet {}, below the {} required",
                entry.stake, m.netuid, policy.min_stake
            )));
        }
        if policy.require_validator_permit && !entry.validator_permit {
            return Err(Refusal::Blacklisted(format!(
                "hotkey {caller_ss58} has no validator permit on subnet {}",
                m.netuid
            )));
        }
        entry
    };

    // Priority.
    let Ok(_permit) = inner.in_flight.try_acquire() else {
        return Err(Refusal::Priority("the axon is busy; retry later".into()));
    };

    // Forward.
    let request = SynapseRequest {
        name: name.to_string(),
        caller: p.caller,
        caller_uid: entry.uid,
        fields: p.body.clone(),
    };
    let timeout = Duration::from_nanos(secs_to_ns(p.timeout));
    match tokio::time::timeout(timeout, (route.handler)(request)).await {
        Err(_) => Err(Refusal::Timeout(format!(
            "the handler did not answer within {} s",
            python_float_repr(p.timeout)
        ))),
        Ok(Err(message)) => Err(Refusal::Internal(message)),
        Ok(Ok(update)) => {
            let mut out = p.body;
            out.extend(update);
            Ok(out)
        }
    }
}

fn secs_to_ns(secs: f64) -> u64 {
    let ns = secs * 1e9;
    if ns.is_finite() && ns > 0.0 {
        // Saturating float → integer conversion.
        ns as u64
    } else {
        0
    }
}

fn respond(
    inner: &Inner,
    terminal: &Terminal,
    result: Result<Map<String, Value>, Refusal>,
    name: Option<&str>,
    start: Instant,
) -> Response {
    let (status, message, body) = match result {
        Ok(body) => (200u16, "Success".to_string(), Value::Object(body)),
        Err(r) => {
            let msg = r.to_string();
            (r.status(), msg.clone(), serde_json::json!({ "message": msg }))
        }
    };
    let axon_nonce = inner.clock.now_ns();
    let mut headers: Vec<(&str, String)> = vec![
        (h::AXON_STATUS_CODE, status.to_string()),
        (h::AXON_STATUS_MESSAGE, message),
        (h::AXON_PROCESS_TIME, python_float_repr(start.elapsed().as_secs_f64())),
        (h::AXON_NONCE, axon_nonce.to_string()),
        (h::AXON_UUID, inner.uuid.clone()),
        (h::AXON_VERSION, sdk_version_int().to_string()),
        (h::AXON_HOTKEY, inner.hotkey_ss58.clone()),
        (h::AXON_IP, inner.config.external_ip.clone()),
        (h::AXON_PORT, inner.config.external_port.to_string()),
    ];
    if let Some(name) = name {
        headers.push((h::NAME, name.to_string()));
    }
    if let Some(t) = terminal.timeout {
        headers.push((h::TIMEOUT, python_float_repr(t)));
    }
    if let Some(hash) = &terminal.body_hash {
        headers.push((h::COMPUTED_BODY_HASH, hash.clone()));
    }
    if let Some(n) = terminal.dendrite_nonce {
        headers.push((h::DENDRITE_NONCE, n.to_string()));
    }
    if let Some(u) = &terminal.dendrite_uuid {
        headers.push((h::DENDRITE_UUID, u.clone()));
    }
    if let Some(v) = terminal.dendrite_version {
        headers.push((h::DENDRITE_VERSION, v.to_string()));
    }
    if let Some(hotkey) = &terminal.dendrite_hotkey {
        let msg = response_message(axon_nonce, hotkey, &inner.hotkey_ss58, &inner.uuid);
        headers.push((h::AXON_SIGNATURE, signature_hex(&inner.config.hotkey.sign(msg.as_bytes()))));
        headers.push((h::DENDRITE_HOTKEY, hotkey.clone()));
    }
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (code, axum::Json(body)).into_response();
    let map = response.headers_mut();
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(&v)) {
            map.insert(k, v);
        }
    }
    response
}
