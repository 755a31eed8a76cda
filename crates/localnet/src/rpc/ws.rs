//! One WebSocket connection: a reader loop that answers requests in order, a writer task, and
//! one forwarder task per subscription, all owned by the connection and ended with it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket};
use chain::rpc::{RpcError, SubscriptionParams, codes, notifications};
use chain::{Block, Header, TxStatus};
use futures::stream::BoxStream;
use futures::{SinkExt, StreamExt};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use super::substrate::header_json;
use super::{AppState, handle_text};

/// Outbound messages queued per connection before forwarders wait.
const OUTBOUND_QUEUE: usize = 1024;

/// What a subscription follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubKind {
    /// Substrate's `chain_subscribeNewHeads`.
    NewHeads,
    /// Substrate's `chain_subscribeFinalizedHeads`.
    FinalizedHeads,
    /// Substrate's `chain_subscribeAllHeads` (localnet has no forks: the new heads).
    AllHeads,
    /// taoplex headers of new blocks.
    TaoplexHeads,
    /// taoplex headers of finalized blocks.
    TaoplexFinalizedHeads,
    Events,
    /// Substrate's `state_subscribeRuntimeVersion`.
    RuntimeVersion,
    /// Substrate's `state_subscribeStorage`.
    Storage,
    /// A transaction's progress in taoplex's shape ([`TxStatus`]).
    Extrinsic,
    /// A transaction's progress in Substrate's (`"ready"`, `{"inBlock": hash}`, …), for
    /// extrinsics submitted in Substrate's encoding.
    SubstrateExtrinsic,
}

impl SubKind {
    /// What an unsubscribe method must name to end it: `author_unwatchExtrinsic` ends a watch
    /// in either dialect.
    fn unsubscribed_as(self) -> Self {
        match self {
            Self::SubstrateExtrinsic => Self::Extrinsic,
            k => k,
        }
    }
}

pub(crate) enum Source {
    Blocks(broadcast::Receiver<Arc<Block>>),
    Finalized(broadcast::Receiver<Header>),
    Extrinsic(mpsc::UnboundedReceiver<TxStatus>),
    /// Notifications made elsewhere (their method follows from the kind); the subscription
    /// stays until the subscriber leaves, also after the stream ends.
    Values(BoxStream<'static, Value>),
}

pub(crate) struct Connection {
    out: mpsc::Sender<Message>,
    subs: HashMap<String, (SubKind, JoinHandle<()>)>,
    pending: Vec<(String, SubKind, Source)>,
    next_id: u64,
    max_subscriptions: usize,
    done_tx: mpsc::UnboundedSender<String>,
}

impl Connection {
    /// Registers a subscription; its forwarder starts after the answer is sent.
    pub(crate) fn subscribe(&mut self, kind: SubKind, source: Source) -> Result<String, RpcError> {
        if self.subs.len() + self.pending.len() >= self.max_subscriptions {
            return Err(RpcError::new(
                codes::LIMIT_EXCEEDED,
                format!(
                    "too many subscriptions: {} per connection; unsubscribe some first",
                    self.max_subscriptions
                ),
            ));
        }
        self.next_id += 1;
        let id = format!("{:016x}", self.next_id);
        self.pending.push((id.clone(), kind, source));
        Ok(id)
    }

    /// Ends a subscription of `kind`; false if there is none with that id.
    pub(crate) fn unsubscribe(&mut self, id: &str, kind: SubKind) -> bool {
        match self.subs.get(id) {
            Some((k, _)) if k.unsubscribed_as() == kind.unsubscribed_as() => {
                if let Some((_, task)) = self.subs.remove(id) {
                    task.abort();
                }
                true
            }
            _ => {
                let before = self.pending.len();
                self.pending.retain(|(i, k, _)| {
                    !(i == id && k.unsubscribed_as() == kind.unsubscribed_as())
                });
                before != self.pending.len()
            }
        }
    }

    fn start_pending(&mut self) {
        for (id, kind, source) in std::mem::take(&mut self.pending) {
            let out = self.out.clone();
            let done = self.done_tx.clone();
            let sub = id.clone();
            let task = tokio::spawn(async move {
                forward(kind, source, &sub, &out).await;
                let _ = done.send(sub);
            });
            self.subs.insert(id, (kind, task));
        }
    }

    fn close(&mut self) {
        for (_, (_, task)) in self.subs.drain() {
            task.abort();
        }
        self.pending.clear();
    }
}

fn notification<T: Serialize>(method: &str, subscription: &str, result: T) -> Message {
    let params = SubscriptionParams { subscription: subscription.to_string(), result };
    let text = json!({ "jsonrpc": "2.0", "method": method, "params": params }).to_string();
    Message::Text(text.into())
}

async fn forward(kind: SubKind, source: Source, id: &str, out: &mpsc::Sender<Message>) {
    match source {
        Source::Blocks(mut rx) => loop {
            let block = match rx.recv().await {
                Ok(b) => b,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(subscription = id, missed = n, "a subscriber fell behind");
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let message = match kind {
                SubKind::Events => notification(notifications::EVENTS, id, &block.events),
                SubKind::TaoplexHeads => {
                    notification(notifications::TAOPLEX_HEAD, id, &block.header)
                }
                SubKind::AllHeads => {
                    notification(notifications::ALL_HEAD, id, header_json(&block.header))
                }
                _ => notification(notifications::NEW_HEAD, id, header_json(&block.header)),
            };
            if out.send(message).await.is_err() {
                return;
            }
        },
        Source::Finalized(mut rx) => loop {
            let header = match rx.recv().await {
                Ok(h) => h,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(subscription = id, missed = n, "a subscriber fell behind");
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let m = match kind {
                SubKind::TaoplexFinalizedHeads => {
                    notification(notifications::TAOPLEX_FINALIZED_HEAD, id, &header)
                }
                _ => notification(notifications::FINALIZED_HEAD, id, header_json(&header)),
            };
            if out.send(m).await.is_err() {
                return;
            }
        },
        Source::Values(mut values) => {
            let method = match kind {
                SubKind::RuntimeVersion => notifications::RUNTIME_VERSION,
                _ => notifications::STORAGE,
            };
            while let Some(value) = values.next().await {
                if out.send(notification(method, id, value)).await.is_err() {
                    return;
                }
            }
            // Ended by unsubscribe or the connection's close (both abort this task).
            std::future::pending::<()>().await;
        }
        Source::Extrinsic(mut rx) => {
            while let Some(status) = rx.recv().await {
                let last = matches!(status, TxStatus::Finalized { .. } | TxStatus::Dropped { .. });
                let m = if kind == SubKind::SubstrateExtrinsic {
                    notification(notifications::EXTRINSIC_UPDATE, id, substrate_status(&status))
                } else {
                    notification(notifications::EXTRINSIC_UPDATE, id, &status)
                };
                if out.send(m).await.is_err() {
                    return;
                }
                if last {
                    return;
                }
            }
        }
    }
}

/// A transaction's progress as Substrate's `TransactionStatus` in JSON.
fn substrate_status(status: &TxStatus) -> Value {
    match status {
        TxStatus::Ready { .. } => json!("ready"),
        TxStatus::InBlock { block_hash, .. } => json!({ "inBlock": block_hash }),
        TxStatus::Finalized { block_hash, .. } => json!({ "finalized": block_hash }),
        // Dropped from the pool: expired or pushed out, never included.
        TxStatus::Dropped { .. } => json!("dropped"),
    }
}

/// Serves one upgraded WebSocket until the peer leaves or the server shuts down.
pub(crate) async fn serve_connection(state: AppState, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (out, mut out_rx) = mpsc::channel::<Message>(OUTBOUND_QUEUE);
    let writer = tokio::spawn(async move {
        while let Some(m) = out_rx.recv().await {
            if sink.send(m).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    let mut conn = Connection {
        out: out.clone(),
        subs: HashMap::new(),
        pending: Vec::new(),
        next_id: 0,
        max_subscriptions: state.config.max_subscriptions,
        done_tx,
    };
    let mut shutdown = state.shutdown.clone();
    let stopped = async move {
        if shutdown.wait_for(|s| *s).await.is_err() {
            // No server owns a shutdown signal (router used directly): never stop.
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            () = &mut stopped => break,
            Some(done) = done_rx.recv() => {
                conn.subs.remove(&done);
            }
            incoming = stream.next() => {
                let bytes = match incoming {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                    Some(Ok(Message::Text(t))) => t.as_str().as_bytes().to_vec(),
                    Some(Ok(Message::Binary(b))) => b.to_vec(),
                    Some(Ok(_)) => continue,
                };
                let reply = handle_text(&state, &bytes, Some(&mut conn)).await;
                if let Some(reply) = reply
                    && out.send(Message::Text(reply.to_string().into())).await.is_err()
                {
                    break;
                }
                conn.start_pending();
            }
        }
    }
    conn.close();
    drop(conn);
    drop(out);
    // Flush what is queued, but never hang on a peer that stopped reading.
    let abort = writer.abort_handle();
    if tokio::time::timeout(std::time::Duration::from_secs(5), writer).await.is_err() {
        abort.abort();
    }
}
