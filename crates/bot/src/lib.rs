//! The taoplex Telegram bot: market commands, alert rules, whale watching, portfolio, and
//! trading that never holds a user's coldkey.
//!
//! # Principal types
//! - [`run`] with [`Services`] and [`BotConfig`]: the running bot (long polling with a stored
//!   update offset, handlers, confirm cards) and its tasks: the [`queue::SendQueue`] (per-chat
//!   and global rate limits, `429 retry_after`, splitting), the [`watch::Watcher`] (alerts from
//!   the market store, exactly once), the outbox, and automations.
//! - [`alerts::RuleSet`]: pure rule evaluation against one block's [`alerts::BlockFacts`].
//! - [`store::BotStore`]: the bot's database through `db` (SQLite or PostgreSQL), migrations
//!   component `bot`.
//! - [`automation`]: what runs through the proxy without a tap per trade, each confirmed once:
//!   DCA and auto-compound on the clock, take-profit / stop-loss at every finalized block.
//! - [`trade`]: quote cards, the proxy executor (`proxy(real, call)` signed with the bot's
//!   own key; the chain allows a Staking proxy stake management only) and sign links (the
//!   terminal's `POST /api/v1/tx/prepare`).
//!
//! # Data flow
//! ```text
//! Telegram --getUpdates--> command::parse --> handlers --(market::Market, chain::Chain)--> replies
//!                                                       \--> cards --Confirm--> trade --> Chain
//! market::Store (finalized blocks) --Watcher--> RuleSet --> deliveries + cursor (one tx) --> outbox
//! outbox / replies / edits --> SendQueue (1/s per chat, ~30/s overall, 429 retry_after) --> Telegram
//! ```
//!
//! # Design decisions
//! - **Own polling loop, not teloxide's dispatcher**: the offset is stored after each update,
//!   so a restart neither loses nor repeats a command.
//! - **Alerts are evaluated from the market store, not from live events**: only finalized data,
//!   the same numbers the terminal shows, and a cursor that survives restarts.
//! - **Cards are claimed with a conditional update**: one Confirm wins, a double tap or an
//!   expired card does nothing.
//! - **Automations are claimed before they trade**: a take-profit or stop-loss is switched
//!   off by a conditional update before it sells, so a restart or a second evaluation cannot
//!   sell twice; a run is retried only when the chain refused it (nothing moved).
//! - **Auto-compound estimates low**: earned emission is stake growth less the coldkey's own
//!   decoded trades, every rounding against the move, so principal never moves.
//! - **Cooldown applies to level rules** (price, move); event and whale rules are de-duplicated
//!   per event, so each whale trade is reported once.
//!
//! ## Feature flags
//! None.

pub mod alerts;
pub mod automation;
pub mod chart;
pub mod command;
mod error;
pub mod i18n;
pub mod key;
pub mod queue;
mod service;
pub mod store;
pub mod text;
pub mod trade;
pub mod watch;

pub use error::{BotError, Result};
pub use service::{BotConfig, OFFSET, Services, describe, run};

/// A teloxide `Bot` for `token` against `api_url` (Telegram's by default, or a self-hosted
/// Bot API server / the tests' fake).
pub fn telegram(token: &str, api_url: Option<&str>) -> Result<teloxide::Bot> {
    let bot = teloxide::Bot::new(token);
    match api_url {
        None => Ok(bot),
        Some(u) => {
            let url = url::Url::parse(u)
                .map_err(|e| BotError::Telegram(format!("--telegram-api-url {u}: {e}")))?;
            Ok(bot.set_api_url(url))
        }
    }
}
