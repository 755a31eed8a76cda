//! The bot's errors.

/// What went wrong in the bot.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// The bot's database.
    #[error("bot store: {0}")]
    Db(#[from] db::DbError),
    /// A query on the bot's database.
    #[error("bot store query: {0}")]
    Sql(#[from] sqlx::Error),
    /// A stored row that does not decode.
    #[error("bot store row in {table}: {what}")]
    BadRow {
        /// Table.
        table: &'static str,
        /// What was wrong.
        what: String,
    },
    /// Market data.
    #[error("market data: {0}")]
    Market(#[from] market::MarketError),
    /// The chain.
    #[error("chain: {0}")]
    Chain(#[from] chain::ChainError),
    /// Telegram's Bot API.
    #[error("Telegram Bot API: {0}")]
    Telegram(String),
    /// The bot's proxy key.
    #[error("the bot's proxy key {path}: {source}; check --key-file and its password")]
    Key {
        /// Key file.
        path: String,
        /// Cause.
        source: keys::Error,
    },
    /// The terminal's prepare API (sign links).
    #[error("terminal prepare API at {url}: {what}")]
    Terminal {
        /// URL.
        url: String,
        /// What was wrong.
        what: String,
    },
}

/// Result with [`BotError`].
pub type Result<T, E = BotError> = std::result::Result<T, E>;

pub(crate) fn bad_row(table: &'static str, what: impl std::fmt::Display) -> BotError {
    BotError::BadRow { table, what: what.to_string() }
}
