//! The market crate's errors.

use chain::{BlockNumber, NetUid};

use crate::codec::CorruptChunk;

/// What can go wrong indexing, storing or reading market data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MarketError {
    /// The database refused a query or the connection failed.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// A schema migration failed; the store is left at the previous version.
    #[error(
        "store migration {version} failed: {source}; the store is left at the previous version"
    )]
    Migration {
        /// The migration's version.
        version: i64,
        /// Why.
        source: sqlx::Error,
    },
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The chain client failed.
    #[error("chain error: {0}")]
    Chain(#[from] chain::ChainError),
    /// A stored pool-state chunk does not decode.
    #[error(transparent)]
    Corrupt(#[from] CorruptChunk),
    /// A stored row holds a value this version cannot read.
    #[error("bad stored row in {table}: {what}")]
    BadRow {
        /// Table.
        table: &'static str,
        /// What is wrong.
        what: String,
    },
    /// An amount does not fit the store's signed 64-bit integers.
    #[error("{what} = {value} does not fit in a signed 64-bit column")]
    TooLarge {
        /// Which value.
        what: &'static str,
        /// The value.
        value: u64,
    },
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
    /// The store holds no block yet: the indexer has not stored its first one.
    #[error("nothing indexed yet; wait for the indexer")]
    NothingIndexed,
    /// No such subnet in the store.
    #[error("unknown subnet {0}; list subnets with the overview")]
    UnknownSubnet(NetUid),
}

/// Result of market operations.
pub type Result<T> = std::result::Result<T, MarketError>;

/// `u64` → `i64` for a column, or [`MarketError::TooLarge`].
pub(crate) fn to_i64(value: u64, what: &'static str) -> Result<i64> {
    i64::try_from(value).map_err(|_| MarketError::TooLarge { what, value })
}

/// `i64` column → `u64`, or [`MarketError::BadRow`].
pub(crate) fn to_u64(value: i64, table: &'static str) -> Result<u64> {
    u64::try_from(value)
        .map_err(|_| MarketError::BadRow { table, what: format!("negative amount {value}") })
}
