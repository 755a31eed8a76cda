//! The node's JSON-RPC, over subxt's WebSocket client: typed errors, and back-off when a
//! public endpoint rate-limits us.
//!
//! Only the legacy methods every Subtensor node serves are used (`chain_*`, `state_*`,
//! `author_*`, `system_*`), with the names the recorded finney traffic uses, so one request
//! here is one request on the wire and a replay of recorded traffic answers it.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use subxt::rpcs::client::{RpcClient, RpcParams, RpcSubscription};

use crate::error::{Result, SubtensorError};

/// Backing off from a rate limit doubles the wait from this, up to [`BACKOFF_TRIES`] times.
const BACKOFF_START: Duration = Duration::from_millis(250);
const BACKOFF_TRIES: u32 = 5;

/// JSON-RPC error codes with which nodes and their proxies say "too many requests".
const RATE_LIMIT_CODES: [i64; 3] = [-32029, -32097, 429];

/// A connection to one node.
#[derive(Clone)]
pub(crate) struct Rpc {
    client: RpcClient,
    endpoint: String,
}

impl Rpc {
    /// Connects to `endpoint` (`ws://`, `wss://`).
    pub(crate) async fn connect(endpoint: &str) -> Result<Self> {
        let client = RpcClient::from_insecure_url(endpoint).await.map_err(|e| {
            SubtensorError::Unreachable { endpoint: endpoint.to_string(), reason: e.to_string() }
        })?;
        Ok(Self { client, endpoint: endpoint.to_string() })
    }

    /// The node's URL.
    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Calls `method` with `params`, backing off while the node says it is rate-limited.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Vec<Value>,
    ) -> Result<T> {
        let mut wait = BACKOFF_START;
        let mut waited = Duration::ZERO;
        for attempt in 0..=BACKOFF_TRIES {
            match self.client.request::<T>(method, to_params(method, &params)?).await {
                Ok(answer) => return Ok(answer),
                Err(e) => match self.classify(method, e) {
                    Failure::RateLimited if attempt < BACKOFF_TRIES => {
                        tracing::warn!(
                            endpoint = %self.endpoint,
                            wait_ms = wait.as_millis() as u64,
                            "the node is rate-limiting us; backing off"
                        );
                        tokio::time::sleep(wait).await;
                        waited += wait;
                        wait *= 2;
                    }
                    Failure::RateLimited => break,
                    Failure::Other(e) => return Err(e),
                },
            }
        }
        Err(SubtensorError::RateLimited {
            endpoint: self.endpoint.clone(),
            waited_ms: waited.as_millis() as u64,
        })
    }

    /// Subscribes with `method`, unsubscribing with `unsubscribe` when dropped.
    pub(crate) async fn subscribe<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Vec<Value>,
        unsubscribe: &str,
    ) -> Result<RpcSubscription<T>> {
        self.client.subscribe(method, to_params(method, &params)?, unsubscribe).await.map_err(|e| {
            match self.classify(method, e) {
                Failure::RateLimited => {
                    SubtensorError::RateLimited { endpoint: self.endpoint.clone(), waited_ms: 0 }
                }
                Failure::Other(e) => e,
            }
        })
    }

    fn classify(&self, method: &str, e: subxt::rpcs::Error) -> Failure {
        use subxt::rpcs::Error as E;
        match e {
            E::User(user) => {
                let code = i64::from(user.code);
                let lower = user.message.to_lowercase();
                if RATE_LIMIT_CODES.contains(&code)
                    || lower.contains("too many requests")
                    || lower.contains("rate limit")
                {
                    Failure::RateLimited
                } else {
                    Failure::Other(SubtensorError::Rpc {
                        method: method.to_string(),
                        code,
                        message: user.message,
                    })
                }
            }
            E::Deserialization(e) => Failure::Other(SubtensorError::bad_answer(method, e)),
            E::Decode(e) => Failure::Other(SubtensorError::bad_answer(method, e)),
            other => {
                let reason = other.to_string();
                if reason.contains("429") || reason.to_lowercase().contains("too many requests") {
                    Failure::RateLimited
                } else {
                    Failure::Other(SubtensorError::Unreachable {
                        endpoint: self.endpoint.clone(),
                        reason,
                    })
                }
            }
        }
    }
}

enum Failure {
    RateLimited,
    Other(SubtensorError),
}

fn to_params(method: &str, params: &[Value]) -> Result<RpcParams> {
    let mut out = RpcParams::new();
    for p in params {
        out.push(p).map_err(|e| SubtensorError::bad_answer(method, e))?;
    }
    Ok(out)
}

/// `0x`-hex to bytes, naming the method whose answer it was.
pub(crate) fn unhex(method: &str, hex_str: &str) -> Result<Vec<u8>> {
    let digits = hex_str.strip_prefix("0x").unwrap_or(hex_str);
    hex::decode(digits).map_err(|e| SubtensorError::bad_answer(method, format!("bad hex: {e}")))
}

/// Bytes as `0x`-hex, the way the node takes them.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}
