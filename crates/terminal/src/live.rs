//! Live updates: one broadcast of pre-serialised JSON messages that every page and stream
//! client listens to (`/api/v1/stream`), and the task that feeds it from the chain's heads and
//! the market's event feed.
//!
//! Messages (JSON text frames):
//! - `{"type":"block","full":bool,"block":N,"timestamp_ms":T,"age_ms":A,"usd":U,"rows":[{"n":netuid,"name":…,"c":[[key,sort,tao,usd,class],…]},…]}`
//!   when a new block is stored: overview numbers, formatted as the pages show them. A client
//!   first gets the full snapshot (`full: true`, every cell), then one delta per block with
//!   only the cells that changed — small messages make the fan-out to many clients cheap.
//! - `{"type":"event","event":FeedEvent}` for each market event as it is indexed.
//!
//! - `{"type":"tx","tx":{…}}` for each status change of a prepared transaction the client
//!   watches: it sends `{"watch_tx":"<id>"}` and gets the current status at once, then every
//!   change (prepared → submitted → in_block → finalized, or failed with the reason).
//!
//! A slow client that falls behind (its deltas dropped) is sent the full snapshot again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::Uri;
use axum::response::Response;
use futures::StreamExt;
use market::{FeedEvent, Overview};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::cells::{self, Cell};
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::state::AppState;
use crate::task::{StopSignal, TaskHandle, stopped};

/// Messages kept for slow clients before they skip ahead.
const CAPACITY: usize = 64;

/// The live channel.
#[derive(Clone)]
pub struct Live {
    tx: broadcast::Sender<Utf8Bytes>,
    last_block: Arc<Mutex<Option<Snapshot>>>,
    clients: Arc<std::sync::atomic::AtomicUsize>,
    closing: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

/// One formatted cell as sent: (key, sort value, τ text, $ text, class).
type CellMsg = (&'static str, f64, String, Option<String>, &'static str);

/// The last published block: its full message (for new and lagging clients) and its cells
/// (to compute the next delta).
struct Snapshot {
    block: u64,
    full: Utf8Bytes,
    cells: HashMap<(u16, &'static str), CellMsg>,
}

#[derive(Serialize)]
struct BlockMsg<'a> {
    r#type: &'static str,
    /// True for a full snapshot, false for a delta (only the cells that changed).
    full: bool,
    block: u64,
    timestamp_ms: u64,
    age_ms: u64,
    usd: Option<f64>,
    rows: Vec<RowMsg<'a>>,
}

#[derive(Serialize)]
struct RowMsg<'a> {
    n: u16,
    name: &'a str,
    c: Vec<CellMsg>,
}

#[derive(Serialize)]
struct EventMsg<'a> {
    r#type: &'static str,
    event: &'a FeedEvent,
}

impl Live {
    /// An empty channel.
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(CAPACITY);
        Self {
            tx,
            last_block: Arc::new(Mutex::new(None)),
            clients: Arc::default(),
            closing: Arc::new(tokio::sync::watch::channel(false).0),
        }
    }

    /// Listens to every message from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Utf8Bytes> {
        self.tx.subscribe()
    }

    /// The last snapshot, even after a panic elsewhere poisoned its lock: it is only ever
    /// replaced whole, so it is never half-written, and giving up on it would stop live updates
    /// for the life of the process.
    fn last(&self) -> MutexGuard<'_, Option<Snapshot>> {
        self.last_block.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Connected stream clients.
    pub fn clients(&self) -> usize {
        self.clients.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The last block published, if any.
    pub fn last_block(&self) -> Option<u64> {
        self.last().as_ref().map(|s| s.block)
    }

    /// The full message of the last block (what a new client gets first).
    pub fn last_block_msg(&self) -> Option<Utf8Bytes> {
        self.last().as_ref().map(|s| s.full.clone())
    }

    /// Closes every stream client's connection (server shutdown).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Publishes a raw message to every listener.
    pub fn publish_raw(&self, msg: Utf8Bytes) {
        // No listeners is fine: the message is simply not needed.
        let _ = self.tx.send(msg);
    }

    /// Publishes an overview (if it is newer than the last one): listeners get a delta with
    /// only the cells that changed; the full snapshot is kept for new and lagging clients.
    /// Cells are formatted for `usd`, the age computed at `now_ms`. Returns whether it was sent.
    pub fn publish_overview(&self, o: &Overview, usd: Option<f64>, now_ms: u64) -> bool {
        let mut last = self.last();
        if last.as_ref().is_some_and(|s| s.block >= o.as_of_block) {
            return false;
        }
        let rows = rows_of(o, usd);
        let cells: HashMap<(u16, &'static str), CellMsg> =
            rows.iter().flat_map(|r| r.c.iter().map(move |c| ((r.n, c.0), c.clone()))).collect();
        let Some(full) = message(o, usd, now_ms, true, &rows) else { return false };
        let delta = match last.as_ref() {
            None => full.clone(),
            Some(prev) => {
                let changed: Vec<RowMsg<'_>> = rows
                    .iter()
                    .filter_map(|r| {
                        let c: Vec<CellMsg> =
                            r.c.iter()
                                .filter(|c| prev.cells.get(&(r.n, c.0)) != Some(*c))
                                .cloned()
                                .collect();
                        (!c.is_empty()).then_some(RowMsg { n: r.n, name: r.name, c })
                    })
                    .collect();
                match message(o, usd, now_ms, false, &changed) {
                    Some(d) => d,
                    None => return false,
                }
            }
        };
        *last = Some(Snapshot { block: o.as_of_block, full, cells });
        drop(last);
        self.publish_raw(delta);
        true
    }

    /// Publishes a market event.
    pub fn publish_event(&self, e: &FeedEvent) {
        if let Ok(s) = serde_json::to_string(&EventMsg { r#type: "event", event: e }) {
            self.publish_raw(s.into());
        }
    }
}

fn rows_of(o: &Overview, usd: Option<f64>) -> Vec<RowMsg<'_>> {
    o.rows
        .iter()
        .map(|r| RowMsg {
            n: r.netuid,
            name: &r.name,
            c: cells::row_cells(r, usd)
                .into_iter()
                .map(|Cell { key, sort, tao, usd, class }| {
                    (key, if sort.is_finite() { sort } else { -1e300 }, tao, usd, class)
                })
                .collect(),
        })
        .collect()
}

fn message(
    o: &Overview,
    usd: Option<f64>,
    now_ms: u64,
    full: bool,
    rows: &[RowMsg<'_>],
) -> Option<Utf8Bytes> {
    let msg = BlockMsg {
        r#type: "block",
        full,
        block: o.as_of_block,
        timestamp_ms: o.as_of_timestamp_ms,
        age_ms: now_ms.saturating_sub(o.as_of_timestamp_ms),
        usd,
        rows: rows.iter().map(|r| RowMsg { n: r.n, name: r.name, c: r.c.clone() }).collect(),
    };
    serde_json::to_string(&msg).ok().map(Utf8Bytes::from)
}

/// The full block message of an overview (every cell).
pub fn block_message(o: &Overview, usd: Option<f64>, now_ms: u64) -> Option<Utf8Bytes> {
    message(o, usd, now_ms, true, &rows_of(o, usd))
}

/// Starts the task that publishes a block message for every newly stored block (checked at
/// each new chain head) and every market event. The handle owns it.
pub fn spawn_live(state: AppState) -> TaskHandle {
    TaskHandle::spawn(move |stop| pump(state, stop))
}

async fn publish_current(state: &AppState) {
    match state.market.overview().await {
        Ok(o) => {
            let usd = state.usd.quote().map(|q| q.usd_per_tao);
            state.live.publish_overview(&o, usd, state.clock.now_ms());
        }
        Err(e) => tracing::debug!(error = %e, "terminal: no overview yet"),
    }
}

async fn pump(state: AppState, mut stop: StopSignal) {
    let mut feed = state.market.subscribe();
    let mut feed_open = true;
    loop {
        // Subscribe first, then publish the current state: no block falls between the two.
        let mut heads = match state.chain.subscribe_heads().await {
            Ok(h) => {
                publish_current(&state).await;
                h
            }
            Err(e) => {
                tracing::warn!(error = %e, "terminal: cannot follow chain heads; retrying in 5 s");
                publish_current(&state).await;
                tokio::select! {
                    _ = stopped(&mut stop) => return,
                    _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => continue,
                }
            }
        };
        loop {
            tokio::select! {
                _ = stopped(&mut stop) => return,
                head = heads.next() => match head {
                    Some(Ok(_)) => publish_current(&state).await,
                    Some(Err(e)) => tracing::debug!(error = %e, "terminal: head stream error"),
                    None => break,
                },
                ev = feed.recv(), if feed_open => match ev {
                    Ok(e) => state.live.publish_event(&e),
                    Err(broadcast::error::RecvError::Lagged(n)) => tracing::debug!(skipped = n, "terminal: live feed lagged"),
                    Err(broadcast::error::RecvError::Closed) => feed_open = false,
                },
            }
        }
    }
}

/// `GET /api/v1/stream`: the live WebSocket.
pub(crate) async fn stream(
    State(s): State<AppState>,
    uri: Uri,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    Params::parse(&uri, &[])?;
    if s.live.clients() >= s.config.max_stream_clients {
        return Err(ApiError::Unavailable("too many live clients; try again later".into()));
    }
    let live = s.live.clone();
    Ok(ws.on_upgrade(move |socket| serve_client(socket, live, s)))
}

/// Most transactions one stream client watches at once (the latest ones).
const MAX_WATCHED: usize = 64;

/// A client's request to follow a prepared transaction.
#[derive(serde::Deserialize)]
struct Watch {
    watch_tx: String,
}

async fn serve_client(socket: WebSocket, live: Live, state: AppState) {
    use std::sync::atomic::Ordering;
    live.clients.fetch_add(1, Ordering::Relaxed);
    let mut rx = live.subscribe();
    let mut tx_updates = state.tx.subscribe();
    let mut watched: Vec<String> = Vec::new();
    let mut closing = live.closing.subscribe();
    let (mut sink, mut incoming) = socket.split();
    use futures::SinkExt;
    if let Some(first) = live.last_block_msg()
        && sink.send(Message::Text(first)).await.is_err()
    {
        live.clients.fetch_sub(1, Ordering::Relaxed);
        return;
    }
    loop {
        tokio::select! {
            _ = stopped(&mut closing) => {
                let _ = sink.send(Message::Close(None)).await;
                break;
            }
            msg = rx.recv() => match msg {
                Ok(m) => if sink.send(Message::Text(m)).await.is_err() { break },
                // Fell behind: deltas were lost, so resynchronise with the full snapshot.
                Err(broadcast::error::RecvError::Lagged(_)) => match live.last_block_msg() {
                    Some(full) => if sink.send(Message::Text(full)).await.is_err() { break },
                    None => continue,
                },
                Err(broadcast::error::RecvError::Closed) => break,
            },
            update = tx_updates.recv() => match update {
                Ok((id, m)) => if watched.contains(&id) && sink.send(Message::Text(m)).await.is_err() { break },
                // Missed updates: resend the current status of everything watched.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let now = state.clock.now_ms();
                    for m in watched.iter().filter_map(|id| state.tx.message(id, now)) {
                        if sink.send(Message::Text(m)).await.is_err() { break }
                    }
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            inc = incoming.next() => match inc {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                // The one request a client makes: watch a transaction (pings are axum's).
                Some(Ok(Message::Text(text))) => {
                    let Ok(Watch { watch_tx }) = serde_json::from_str::<Watch>(&text) else { continue };
                    let Some(current) = state.tx.message(&watch_tx, state.clock.now_ms()) else { continue };
                    if !watched.contains(&watch_tx) {
                        // A long session keeps the latest transactions: the oldest one goes.
                        if watched.len() >= MAX_WATCHED {
                            watched.remove(0);
                        }
                        watched.push(watch_tx);
                    }
                    if sink.send(Message::Text(current)).await.is_err() { break }
                }
                Some(Ok(_)) => {}
            },
        }
    }
    live.clients.fetch_sub(1, Ordering::Relaxed);
}
