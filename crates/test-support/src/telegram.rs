//! A fake Telegram Bot API server on loopback, for the bot's tests: it speaks the real request
//! and response JSON (`{"ok": true, "result": …}`) at `/bot<token>/<method>`, with method names
//! matched case-insensitively (teloxide sends `GetUpdates`, others `getUpdates`):
//! `getMe`, `getUpdates` (long polling: waits up to `timeout` seconds for an update at or after
//! `offset`, and forgets updates before `offset` as Telegram does), `sendMessage`,
//! `editMessageText`, `answerCallbackQuery`, `sendPhoto` (multipart), `deleteWebhook`,
//! `setMyCommands`. Tests push user messages and button taps, read every call the bot made
//! (with the time it arrived), and can make the next sends answer `429` with a `retry_after`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{FromRequest as _, Multipart, Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::Notify;

/// One call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    /// Method, lower case (`sendmessage`).
    pub method: String,
    /// `chat_id`, if the call had one.
    pub chat_id: Option<i64>,
    /// `text` or `caption`.
    pub text: Option<String>,
    /// `message_id` (edits).
    pub message_id: Option<i64>,
    /// Callback data of the inline buttons sent.
    pub buttons: Vec<String>,
    /// Bytes of an uploaded photo (multipart).
    pub photo_bytes: usize,
    /// The message id the fake gave a new message.
    pub new_message_id: Option<i64>,
    /// Answered with 429.
    pub throttled: bool,
    /// When it arrived.
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    updates: Vec<Value>,
    next_update_id: i64,
    next_message_id: i64,
    calls: Vec<Call>,
    throttle: u32,
    retry_after: u64,
    highest_offset: i64,
}

#[derive(Clone)]
struct Shared {
    token: String,
    inner: Arc<Mutex<Inner>>,
    notify: Arc<Notify>,
}

/// The running fake.
pub struct FakeTelegram {
    addr: SocketAddr,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

/// The bot's token in tests.
pub const TOKEN: &str = "123456:TEST-token";

impl FakeTelegram {
    /// Starts the fake on a free loopback port.
    pub async fn start() -> Self {
        let shared = Shared {
            token: TOKEN.into(),
            inner: Arc::new(Mutex::new(Inner {
                next_update_id: 1,
                next_message_id: 1000,
                ..Inner::default()
            })),
            notify: Arc::new(Notify::new()),
        };
        let app = Router::new().route("/{*path}", post(handle)).with_state(shared.clone());
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake Bot API");
        let addr = listener.local_addr().expect("fake Bot API address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, shared, task }
    }

    /// The API URL to give the bot (`--telegram-api-url`).
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    fn push(&self, f: impl FnOnce(i64) -> Value) -> i64 {
        let mut inner = self.shared.inner.lock().unwrap();
        let id = inner.next_update_id;
        inner.next_update_id += 1;
        inner.updates.push(f(id));
        drop(inner);
        self.shared.notify.notify_waiters();
        id
    }

    /// A user types `text` in a chat (private when `chat_id == user_id`, else a group).
    pub fn message(&self, chat_id: i64, user_id: i64, text: &str) -> i64 {
        let chat = chat_json(chat_id, user_id);
        self.push(|id| {
            json!({"update_id": id, "message": {
                "message_id": id, "date": 1_700_000_000, "chat": chat,
                "from": user_json(user_id), "text": text
            }})
        })
    }

    /// A user taps an inline button with `data` under message `message_id`.
    pub fn tap(&self, chat_id: i64, user_id: i64, message_id: i64, data: &str) -> i64 {
        let chat = chat_json(chat_id, user_id);
        self.push(|id| {
            json!({"update_id": id, "callback_query": {
                "id": format!("cb{id}"), "from": user_json(user_id), "chat_instance": "ci",
                "data": data,
                "message": {"message_id": message_id, "date": 1_700_000_000, "chat": chat, "text": "card"}
            }})
        })
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.inner.lock().unwrap().calls.clone()
    }

    /// Calls of `method` (case-insensitive) to `chat_id`, not throttled.
    pub fn sent_to(&self, chat_id: i64, method: &str) -> Vec<Call> {
        let m = method.to_lowercase();
        self.calls()
            .into_iter()
            .filter(|c| c.method == m && c.chat_id == Some(chat_id) && !c.throttled)
            .collect()
    }

    /// Answers the next `n` sends (`sendMessage`, `sendPhoto`, `editMessageText`) with `429`
    /// and `retry_after` seconds.
    pub fn throttle_next(&self, n: u32, retry_after: u64) {
        let mut inner = self.shared.inner.lock().unwrap();
        inner.throttle = n;
        inner.retry_after = retry_after;
    }

    /// The highest `offset` the bot has sent to `getUpdates` (updates before it are confirmed).
    pub fn confirmed_offset(&self) -> i64 {
        self.shared.inner.lock().unwrap().highest_offset
    }

    /// Waits (polling every 20 ms, at most `within`) until `ready` holds for the calls so far;
    /// panics with `what` and the calls if it never does.
    pub async fn wait_until(
        &self,
        what: &str,
        within: Duration,
        ready: impl Fn(&[Call]) -> bool,
    ) -> Vec<Call> {
        let start = Instant::now();
        loop {
            let calls = self.calls();
            if ready(&calls) {
                return calls;
            }
            if start.elapsed() > within {
                let summary: Vec<String> = calls
                    .iter()
                    .map(|c| {
                        format!(
                            "{} chat={:?} {:?}",
                            c.method,
                            c.chat_id,
                            c.text.as_deref().map(|t| t.chars().take(80).collect::<String>())
                        )
                    })
                    .collect();
                panic!("waited {within:?} for {what}; calls: {summary:#?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn user_json(user_id: i64) -> Value {
    json!({"id": user_id, "is_bot": false, "first_name": format!("user{user_id}")})
}

fn chat_json(chat_id: i64, user_id: i64) -> Value {
    if chat_id == user_id {
        json!({"id": chat_id, "type": "private", "first_name": format!("user{user_id}")})
    } else {
        json!({"id": chat_id, "type": "group", "title": "a group"})
    }
}

fn ok(result: Value) -> Response {
    axum::Json(json!({"ok": true, "result": result})).into_response()
}

fn error(code: u16, description: &str, parameters: Option<Value>) -> Response {
    let status =
        axum::http::StatusCode::from_u16(code).unwrap_or(axum::http::StatusCode::BAD_REQUEST);
    let mut body = json!({"ok": false, "error_code": code, "description": description});
    if let Some(p) = parameters {
        body["parameters"] = p;
    }
    (status, axum::Json(body)).into_response()
}

async fn params(req: Request) -> (Value, usize) {
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let mut fields = serde_json::Map::new();
        let mut bytes = 0;
        if let Ok(mut mp) = Multipart::from_request(req, &()).await {
            while let Ok(Some(field)) = mp.next_field().await {
                let name = field.name().unwrap_or("").to_string();
                let is_file = field.file_name().is_some();
                let data = field.bytes().await.unwrap_or_default();
                if is_file {
                    bytes += data.len();
                } else {
                    let text = String::from_utf8_lossy(&data).to_string();
                    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                    fields.insert(name, value);
                }
            }
        }
        return (Value::Object(fields), bytes);
    }
    let body = axum::body::to_bytes(req.into_body(), 16 << 20).await.unwrap_or_default();
    (serde_json::from_slice(&body).unwrap_or(json!({})), 0)
}

fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

async fn handle(State(s): State<Shared>, Path(path): Path<String>, req: Request) -> Response {
    let Some((token_part, method)) = path.split_once('/') else {
        return error(404, "Not Found", None);
    };
    if token_part.strip_prefix("bot") != Some(s.token.as_str()) {
        return error(401, "Unauthorized", None);
    }
    let method = method.to_lowercase();
    let (p, photo_bytes) = params(req).await;
    match method.as_str() {
        "getme" => ok(
            json!({"id": 123456, "is_bot": true, "first_name": "taoplex", "username": "taoplex_bot",
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "has_main_web_app": false}),
        ),
        "deletewebhook" | "setmycommands" => ok(json!(true)),
        "getupdates" => get_updates(&s, &p).await,
        "answercallbackquery" => {
            record(&s, &method, &p, 0, None, false);
            ok(json!(true))
        }
        "sendmessage" | "sendphoto" | "editmessagetext" => send(&s, &method, &p, photo_bytes),
        _ => error(404, "Not Found: method not found", None),
    }
}

fn record(
    s: &Shared,
    method: &str,
    p: &Value,
    photo_bytes: usize,
    new_id: Option<i64>,
    throttled: bool,
) {
    let buttons = p["reply_markup"]["inline_keyboard"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .flat_map(|r| r.as_array().cloned().unwrap_or_default())
                .filter_map(|b| b["callback_data"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let text = p["text"].as_str().or_else(|| p["caption"].as_str()).map(str::to_string);
    s.inner.lock().unwrap().calls.push(Call {
        method: method.to_string(),
        chat_id: as_i64(&p["chat_id"]),
        text,
        message_id: as_i64(&p["message_id"]),
        buttons,
        photo_bytes,
        new_message_id: new_id,
        throttled,
        at: Instant::now(),
    });
}

fn send(s: &Shared, method: &str, p: &Value, photo_bytes: usize) -> Response {
    let throttled = {
        let mut inner = s.inner.lock().unwrap();
        if inner.throttle > 0 {
            inner.throttle -= 1;
            Some(inner.retry_after)
        } else {
            None
        }
    };
    if let Some(secs) = throttled {
        record(s, method, p, photo_bytes, None, true);
        return error(
            429,
            &format!("Too Many Requests: retry after {secs}"),
            Some(json!({"retry_after": secs})),
        );
    }
    let Some(chat_id) = as_i64(&p["chat_id"]) else {
        return error(400, "Bad Request: chat_id is empty", None);
    };
    let text = p["text"].as_str().or_else(|| p["caption"].as_str()).unwrap_or("");
    if method != "sendphoto" && text.is_empty() {
        return error(400, "Bad Request: message text is empty", None);
    }
    if text.chars().count() > 4096 {
        return error(400, "Bad Request: message is too long", None);
    }
    let message_id = match method {
        "editmessagetext" => as_i64(&p["message_id"]).unwrap_or(0),
        _ => {
            let mut inner = s.inner.lock().unwrap();
            inner.next_message_id += 1;
            inner.next_message_id
        }
    };
    record(s, method, p, photo_bytes, (method != "editmessagetext").then_some(message_id), false);
    let chat = if chat_id > 0 {
        json!({"id": chat_id, "type": "private", "first_name": "user"})
    } else {
        json!({"id": chat_id, "type": "group", "title": "a group"})
    };
    let mut message = json!({"message_id": message_id, "date": 1_700_000_000, "chat": chat,
        "from": {"id": 123456, "is_bot": true, "first_name": "taoplex"}});
    if method == "sendphoto" {
        message["photo"] =
            json!([{"file_id": "f", "file_unique_id": "u", "width": 640, "height": 320}]);
        message["caption"] = json!(text);
    } else {
        message["text"] = json!(text);
    }
    ok(message)
}

async fn get_updates(s: &Shared, p: &Value) -> Response {
    let offset = as_i64(&p["offset"]).unwrap_or(0);
    let timeout = as_i64(&p["timeout"]).unwrap_or(0).clamp(0, 50) as u64;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    loop {
        let notified = s.notify.notified();
        {
            let mut inner = s.inner.lock().unwrap();
            inner.highest_offset = inner.highest_offset.max(offset);
            inner.updates.retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
            if !inner.updates.is_empty() {
                return ok(Value::Array(inner.updates.clone()));
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return ok(json!([]));
        }
    }
}
