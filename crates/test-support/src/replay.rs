//! A loopback JSON-RPC WebSocket server that answers like a finney node from the recorded
//! traffic in `../shared/fixtures/finney/<set>/responses.json` (read where it lies, never
//! copied), plus answers a test adds ([`Replay::answer`], [`Replay::subscription`]) for calls
//! that were never recorded.
//!
//! Requests are matched by method and exact parameters. Recorded aliases are one method
//! (`state_getStorage`/`state_getStorageAt`, `chain_getHead`/`chain_getBlockHash` without a
//! number, `state_getRuntimeVersion`/`chain_getRuntimeVersion`). Two answers are derived from
//! public facts rather than recorded: finney's genesis hash (`chain_getBlockHash [0]`) and the
//! set's metadata (`Metadata_metadata_at_version(15)`, from the set's `.hex` file, for blocks
//! whose recorded runtime version is the set's). Any other request gets a JSON-RPC error
//! *and* fails the test when the [`Replay`] is dropped: nothing is answered by guessing.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// Finney's genesis hash (public).
pub const FINNEY_GENESIS: &str =
    "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03";

/// The finney fixtures directory, or `None` after the `require` policy's notice (under
/// `CI=true` a missing fixture fails the test).
pub fn finney_fixtures() -> Option<PathBuf> {
    let dir = crate::require(crate::Tool::Fixtures)?;
    let finney = Path::new(&dir).join("finney");
    if finney.join("spec393/responses.json").exists() {
        return Some(finney);
    }
    if crate::under_ci() {
        panic!("{} has no finney/spec393/responses.json (CI=true: it must)", dir);
    }
    crate::notice(&format!("SKIPPED: {} has no finney recordings", finney.display()));
    None
}

/// One recorded set's metadata: the `Metadata_metadata_at_version(15)` answer (hex).
pub fn metadata_v15_hex(finney: &Path, set: &str) -> String {
    let path = finney.join(set).join("metadata_v15_option.hex");
    let hex = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let hex = hex.trim();
    if hex.starts_with("0x") { hex.to_string() } else { format!("0x{hex}") }
}

/// The recorded answers of one set, by method and parameters.
#[derive(Default, Clone)]
struct Answers {
    by_call: HashMap<String, Value>,
    errors: HashMap<String, Value>,
    scripted: HashMap<String, Script>,
}

#[derive(Clone)]
struct Script {
    notifications: Vec<Value>,
}

/// The running replay server. Dropping it stops it and fails the test if any request went
/// unanswered.
pub struct Replay {
    addr: SocketAddr,
    answers: Arc<Mutex<Answers>>,
    unanswered: Arc<Mutex<Vec<String>>>,
    requests: Arc<Mutex<Vec<(String, Value)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Replay {
    /// Serves the recordings of `set` (`"spec393"`, `"spec343"`) from `finney`.
    pub async fn start(finney: &Path, set: &str) -> Replay {
        let path = finney.join(set).join("responses.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let recorded: Value = serde_json::from_str(&text).expect("responses.json is JSON");
        let mut answers = Answers::default();
        let set_spec: u64 = set.trim_start_matches("spec").parse().expect("set is specNNN");
        let metadata = metadata_v15_hex(finney, set);
        let seeds = recorded["seeds"].as_object().expect("seeds");
        for seed in seeds.values() {
            for (method, calls) in seed["calls"].as_object().expect("calls") {
                for call in calls.as_array().expect("call list") {
                    let Some(result) = call.get("result") else { continue };
                    let params = call["params"].clone();
                    answers.by_call.insert(key(method, &params), result.clone());
                    // The metadata belongs to the blocks whose runtime is the set's.
                    if canonical(method) == "state_getRuntimeVersion"
                        && result["specVersion"].as_u64() == Some(set_spec)
                    {
                        let at = params.get(0).cloned().unwrap_or(Value::Null);
                        let metadata_params =
                            json!(["Metadata_metadata_at_version", "0x0f000000", at]);
                        answers
                            .by_call
                            .insert(key("state_call", &metadata_params), json!(metadata));
                    }
                }
            }
        }
        answers.by_call.insert(key("chain_getBlockHash", &json!([0])), json!(FINNEY_GENESIS));
        Self::serve(answers).await
    }

    async fn serve(answers: Answers) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let answers = Arc::new(Mutex::new(answers));
        let unanswered = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (a, u, r) = (answers.clone(), unanswered.clone(), requests.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (a, u, r) = (a.clone(), u.clone(), r.clone());
                tokio::spawn(async move {
                    if let Ok(ws) = tokio_tungstenite::accept_async(stream).await {
                        connection(ws, a, u, r).await;
                    }
                });
            }
        });
        Replay { addr, answers, unanswered, requests, task }
    }

    /// `ws://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// Adds an answer for `method` with exactly `params` (for calls never recorded, built by
    /// the test from the real metadata's types).
    pub fn answer(&self, method: &str, params: Value, result: Value) {
        self.answers.lock().unwrap().by_call.insert(key(method, &params), result);
    }

    /// Answers `method` with exactly `params` by the JSON-RPC error `code`/`message` (a node's
    /// refusal, e.g. the pool's `1010 Invalid Transaction`).
    pub fn refuse(&self, method: &str, params: Value, code: i64, message: &str) {
        self.answers
            .lock()
            .unwrap()
            .errors
            .insert(key(method, &params), json!({"code": code, "message": message}));
    }

    /// Answers subscription `method` with exactly `params` by a subscription id, then sends
    /// `notifications` in order.
    pub fn subscription(&self, method: &str, params: Value, notifications: Vec<Value>) {
        self.answers
            .lock()
            .unwrap()
            .scripted
            .insert(key(method, &params), Script { notifications });
    }

    /// Every request received so far, in order (method, params).
    pub fn requests(&self) -> Vec<(String, Value)> {
        self.requests.lock().unwrap().clone()
    }

    /// The requests that had no answer (and will fail the test on drop). Taking them clears
    /// the list: for a test that expects a request to go unanswered.
    pub fn take_unanswered(&self) -> Vec<String> {
        std::mem::take(&mut *self.unanswered.lock().unwrap())
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.task.abort();
        let unanswered = self.unanswered.lock().map(|u| u.clone()).unwrap_or_default();
        if !unanswered.is_empty() && !std::thread::panicking() {
            panic!("the replay server had no answer for: {unanswered:#?}");
        }
    }
}

async fn connection(
    ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    answers: Arc<Mutex<Answers>>,
    unanswered: Arc<Mutex<Vec<String>>>,
    requests: Arc<Mutex<Vec<(String, Value)>>>,
) {
    let (mut tx, mut rx) = ws.split();
    let mut next_subscription = 1u64;
    while let Some(Ok(message)) = rx.next().await {
        let Message::Text(text) = message else { continue };
        let Ok(request) = serde_json::from_str::<Value>(&text) else { continue };
        let id = request["id"].clone();
        let method = request["method"].as_str().unwrap_or_default().to_string();
        let params = request.get("params").cloned().unwrap_or(json!([]));
        requests.lock().unwrap().push((method.clone(), params.clone()));
        let k = key(&method, &params);
        let (answer, script, error) = {
            let a = answers.lock().unwrap();
            (a.by_call.get(&k).cloned(), a.scripted.get(&k).cloned(), a.errors.get(&k).cloned())
        };
        let mut out = Vec::new();
        if let Some(error) = error {
            out.push(json!({"jsonrpc": "2.0", "id": id, "error": error}));
        } else if let Some(script) = script {
            let sub = format!("replay-{next_subscription}");
            next_subscription += 1;
            out.push(json!({"jsonrpc": "2.0", "id": id, "result": sub}));
            for n in script.notifications {
                out.push(json!({"jsonrpc": "2.0", "method": method, "params": {"subscription": sub, "result": n}}));
            }
        } else if let Some(result) = answer {
            out.push(json!({"jsonrpc": "2.0", "id": id, "result": result}));
        } else if method.contains("unsubscribe") || method.contains("unwatch") {
            // A client closing a subscription it no longer needs: housekeeping, not a read.
            out.push(json!({"jsonrpc": "2.0", "id": id, "result": true}));
        } else {
            unanswered.lock().unwrap().push(k.clone());
            out.push(json!({"jsonrpc": "2.0", "id": id, "error": {
                "code": -32099, "message": format!("replay: nothing recorded for {k}")
            }}));
        }
        for message in out {
            if tx.send(Message::Text(message.to_string().into())).await.is_err() {
                return;
            }
        }
    }
}

fn canonical(method: &str) -> &str {
    match method {
        "state_getStorageAt" => "state_getStorage",
        "chain_getRuntimeVersion" => "state_getRuntimeVersion",
        "chain_getHead" => "chain_getBlockHash",
        other => other,
    }
}

fn key(method: &str, params: &Value) -> String {
    let method = canonical(method);
    let params = match params {
        Value::Array(items) => {
            // Trailing nulls are optional parameters left out.
            let mut items = items.clone();
            while items.last().is_some_and(Value::is_null) {
                items.pop();
            }
            Value::Array(items)
        }
        other => other.clone(),
    };
    // Hex is compared without case or `0x`: nodes take both, and recorders wrote both.
    format!("{method}{}", params.to_string().to_lowercase().replace("\"0x", "\""))
}
