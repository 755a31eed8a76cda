//! The send queue: every call that writes to a chat goes through one worker that honours
//! Telegram's limits — at most one message per second per chat and about 30 per second overall
//! (both configurable) — answers `429 Too Many Requests` by waiting its `retry_after` and trying
//! the same message again, and splits long texts. Chats are served in arrival order, skipping a
//! chat that must still wait, so one busy chat does not hold up the others.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use teloxide::RequestError;
use teloxide::payloads::{
    EditMessageTextSetters as _, SendMessageSetters as _, SendPhotoSetters as _,
};
use teloxide::prelude::Requester as _;
use teloxide::types::{
    ChatId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MessageId, ParseMode,
};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::text;

/// Rows of inline buttons: (label, callback data).
pub type Buttons = Vec<Vec<(String, String)>>;

/// Something to write to Telegram.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    /// A text message (HTML), with optional inline buttons.
    Text {
        /// Chat.
        chat: i64,
        /// HTML text (already escaped); longer than one message is split.
        text: String,
        /// Buttons under the (last part of the) message.
        buttons: Buttons,
    },
    /// A PNG with a caption (HTML, at most 1024 characters).
    Photo {
        /// Chat.
        chat: i64,
        /// PNG bytes.
        png: Vec<u8>,
        /// Caption.
        caption: String,
    },
    /// Replaces a message's text (and buttons: empty removes them).
    Edit {
        /// Chat.
        chat: i64,
        /// Message.
        message_id: i32,
        /// New HTML text.
        text: String,
        /// New buttons.
        buttons: Buttons,
    },
}

impl Outgoing {
    /// Plain text without buttons.
    pub fn text(chat: i64, text: impl Into<String>) -> Self {
        Outgoing::Text { chat, text: text.into(), buttons: vec![] }
    }

    fn chat(&self) -> i64 {
        match self {
            Outgoing::Text { chat, .. }
            | Outgoing::Photo { chat, .. }
            | Outgoing::Edit { chat, .. } => *chat,
        }
    }
}

/// The rate limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Least time between two calls to one chat.
    pub per_chat: Duration,
    /// Least time between any two calls.
    pub global: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self { per_chat: Duration::from_secs(1), global: Duration::from_millis(34) }
    }
}

/// Why a send failed for good.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

struct Job {
    out: Outgoing,
    done: Option<oneshot::Sender<Result<Option<i32>, SendError>>>,
}

/// A handle to the queue's worker.
#[derive(Clone)]
pub struct SendQueue {
    tx: mpsc::UnboundedSender<Job>,
}

/// Counters the worker keeps (tests and logs).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct QueueStats {
    /// Calls that succeeded.
    pub sent: u64,
    /// 429 answers waited out.
    pub retried: u64,
    /// Calls that failed for good.
    pub failed: u64,
}

fn markup(buttons: &Buttons) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(buttons.iter().map(|row| {
        row.iter()
            .map(|(label, data)| InlineKeyboardButton::callback(label.clone(), data.clone()))
            .collect::<Vec<_>>()
    }))
}

impl SendQueue {
    /// Starts the worker on `api`. It runs until every handle is dropped; its stats come back
    /// from the join handle.
    pub fn spawn(
        api: teloxide::Bot,
        limits: Limits,
    ) -> (Self, tokio::task::JoinHandle<QueueStats>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(worker(api, limits, rx));
        (Self { tx }, task)
    }

    /// Queues `out` and waits until Telegram took it; returns the new message's id (the last
    /// part's, for split texts) or `None` for edits.
    pub async fn send(&self, out: Outgoing) -> Result<Option<i32>, SendError> {
        let mut last = Ok(None);
        for part in split(out) {
            let (done, rx) = oneshot::channel();
            self.tx
                .send(Job { out: part, done: Some(done) })
                .map_err(|_| SendError("the send queue stopped".into()))?;
            last = rx.await.map_err(|_| SendError("the send queue stopped".into()))?;
            last.as_ref().map_err(Clone::clone)?;
        }
        last
    }

    /// Queues `out` without waiting.
    pub fn enqueue(&self, out: Outgoing) {
        for part in split(out) {
            let _ = self.tx.send(Job { out: part, done: None });
        }
    }
}

fn split(out: Outgoing) -> Vec<Outgoing> {
    match out {
        Outgoing::Text { chat, text, buttons } => {
            let parts = text::split(&text);
            let n = parts.len();
            parts
                .into_iter()
                .enumerate()
                .map(|(i, text)| Outgoing::Text {
                    chat,
                    text,
                    buttons: if i + 1 == n { buttons.clone() } else { vec![] },
                })
                .collect()
        }
        other => vec![other],
    }
}

async fn call(api: &teloxide::Bot, out: &Outgoing) -> Result<Option<i32>, RequestError> {
    match out {
        Outgoing::Text { chat, text, buttons } => {
            let mut req = api.send_message(ChatId(*chat), text.clone()).parse_mode(ParseMode::Html);
            if !buttons.is_empty() {
                req = req.reply_markup(markup(buttons));
            }
            Ok(Some(req.await?.id.0))
        }
        Outgoing::Photo { chat, png, caption } => {
            let req = api
                .send_photo(ChatId(*chat), InputFile::memory(png.clone()).file_name("chart.png"))
                .caption(caption.clone())
                .parse_mode(ParseMode::Html);
            Ok(Some(req.await?.id.0))
        }
        Outgoing::Edit { chat, message_id, text, buttons } => {
            let req = api
                .edit_message_text(ChatId(*chat), MessageId(*message_id), text.clone())
                .parse_mode(ParseMode::Html)
                .reply_markup(markup(buttons));
            req.await?;
            Ok(None)
        }
    }
}

async fn worker(
    api: teloxide::Bot,
    limits: Limits,
    mut rx: mpsc::UnboundedReceiver<Job>,
) -> QueueStats {
    let mut stats = QueueStats::default();
    let mut pending: VecDeque<Job> = VecDeque::new();
    let mut next_for_chat: HashMap<i64, Instant> = HashMap::new();
    let mut next_global = Instant::now();
    let mut open = true;
    loop {
        while let Ok(job) = rx.try_recv() {
            pending.push_back(job);
        }
        if pending.is_empty() {
            if !open {
                return stats;
            }
            match rx.recv().await {
                Some(job) => pending.push_back(job),
                None => return stats,
            }
            continue;
        }
        let now = Instant::now();
        let ready =
            pending.iter().position(|j| next_for_chat.get(&j.out.chat()).is_none_or(|t| *t <= now));
        let Some(i) = ready else {
            let wake = pending
                .iter()
                .filter_map(|j| next_for_chat.get(&j.out.chat()))
                .min()
                .copied()
                .unwrap_or(now);
            tokio::select! {
                _ = tokio::time::sleep_until(wake) => {}
                job = rx.recv(), if open => match job {
                    Some(job) => pending.push_back(job),
                    None => open = false,
                },
            }
            continue;
        };
        tokio::time::sleep_until(next_global).await;
        let Some(job) = pending.remove(i) else { continue };
        let chat = job.out.chat();
        let result = call(&api, &job.out).await;
        let sent_at = Instant::now();
        next_global = sent_at + limits.global;
        next_for_chat.insert(chat, sent_at + limits.per_chat);
        match result {
            Ok(id) => {
                stats.sent += 1;
                if let Some(done) = job.done {
                    let _ = done.send(Ok(id));
                }
            }
            Err(RequestError::RetryAfter(secs)) => {
                stats.retried += 1;
                tracing::warn!(chat, retry_after = ?secs.duration(), "Telegram asked the bot to slow down");
                // Telegram's flood control is per bot: nothing may be sent until it has passed.
                next_global = sent_at + secs.duration();
                pending.push_front(job);
            }
            Err(e) => {
                stats.failed += 1;
                tracing::warn!(chat, error = %e, "a Telegram call failed");
                if let Some(done) = job.done {
                    let _ = done.send(Err(SendError(e.to_string())));
                }
            }
        }
    }
}
