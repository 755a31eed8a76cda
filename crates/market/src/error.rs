//! The market crate's errors.

use chain::{BlockNumber, NetUid};

use crate::codec::CorruptChunk;

/// What can go wrong indexing, storing or reading market data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MarketError {
    /// The database failed: a query, the connection, a migration, or a stored row this
    /// version cannot read (the table and value are in the [`db::DbError`]).
    #[error(transparent)]
    Db(#[from] db::DbError),
    /// The chain client failed.
    #[error("chain error: {0}")]
    Chain(#[from] chain::ChainError),
    /// A stored pool-state chunk does not decode.
    #[error(transparent)]
    Corrupt(#[from] CorruptChunk),
    /// A batch does not continue the stored chain (it would leave a gap or a duplicate).
    #[error(
        "batch starts at block {got} but the store expects block {expected}; nothing was written"
    )]
    NotContiguous {
        /// First block of the batch.
        got: BlockNumber,
        /// The block after the last stored one.
        expected: BlockNumber,
    },
    /// A finalized block's parent hash does not match the stored block: the chain under the
    /// store is not the chain that was indexed.
    #[error(
        "block {block} does not extend the stored chain (parent {got}, stored {expected}); index into a fresh store or point at the chain that was indexed"
    )]
    ChainMismatch {
        /// Block number.
        block: BlockNumber,
        /// Its parent hash.
        got: String,
        /// The stored hash of its parent.
        expected: String,
    },
    /// A request the caller can fix (bad range, page size, unknown interval, ...).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// No such subnet in the store.
    #[error("unknown subnet {0}; list subnets with the overview")]
    UnknownSubnet(NetUid),
}

/// Result of market operations.
pub type Result<T> = std::result::Result<T, MarketError>;

impl From<sqlx::Error> for MarketError {
    fn from(e: sqlx::Error) -> Self {
        MarketError::Db(db::DbError::Sql(e))
    }
}
