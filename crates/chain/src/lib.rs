//! The chain as taoplex's faces see it: the [`Chain`] trait and its types.
//!
//! Everything above the chain — the terminal, the bot, Dojo, the market indexer — talks to a
//! dTAO chain only through [`Chain`]: read heads, blocks, events and state views; quote swaps
//! the way the runtime would (`sim_swap`); submit [`SignedTransaction`]s and watch them go from
//! the pool into a block and to finality. The embedded localnet and a remote node (over
//! JSON-RPC) are two implementations of the same trait; faces never see which.
//!
//! # Principal types
//! - [`Call`]: what a transaction asks for (transfers, staking with and without limits,
//!   registration, identity, hyperparameters, weights, proxies).
//! - [`SignedTransaction`]: a call signed with sr25519 over a Substrate-shaped payload that
//!   commits to the nonce, a [`Mortality`] window and the chain's [`SigningContext`].
//! - [`Event`] / [`EventRecord`]: the chain's events with its field conventions.
//! - [`TxValidityError`] (refused before inclusion) and [`DispatchError`] (failed in a block,
//!   fee charged), named as on Subtensor.
//! - Views: [`Header`], [`Block`], [`AccountInfo`], [`SubnetInfo`], [`NeuronInfo`],
//!   [`StakeInfo`], [`TxStatus`].
//! - [`client::RpcChain`]: the trait over a node's WebSocket JSON-RPC; [`rpc`] holds the
//!   protocol (method names, error codes, parameter types) it shares with the localnet server.
//!
//! # Example
//! ```
//! use chain::{AccountId, Call, Hash, Mortality, SignedTransaction, SigningContext};
//!
//! let alice = keys::Keypair::from_uri("//Alice")?;
//! let bob: AccountId = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty".parse()?;
//! let context = SigningContext { genesis_hash: Hash::of(b"genesis"), spec_version: 1 };
//! let call = Call::Transfer { dest: bob, amount: 1_000_000_000 };
//! let tx = SignedTransaction::sign(&alice, call, 0, Mortality::new(0, 64), 0, &context);
//! assert!(tx.verify_signature(&context).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Design decisions
//! - Amounts are `u64` rao everywhere and travel as JSON strings, never floats.
//! - Transactions are SCALE-encoded, so signatures are over canonical bytes and the wire
//!   format is what a Substrate tool would expect of an extrinsic.
//! - The trait is object-safe (`Arc<dyn Chain>`), with streams for subscriptions.
//!
//! ## Feature flags
//! None.
#![deny(missing_docs)]

mod call;
pub mod client;
mod error;
mod event;
mod primitives;
pub mod rpc;
mod tx;
mod view;

use futures::stream::BoxStream;

pub use call::{
    AxonInfo, Call, Hyperparameter, ProxyType, RecycleOrBurn, SubnetIdentity, weights_commit_hash,
};
pub use dtao::amm::{Side, SwapOutcome};
pub use error::{ChainError, ChainResult, DispatchError, SwapFailure, TxValidityError};
pub use event::{Event, EventRecord, Phase};
pub use primitives::{AccountId, BadHash, BlockNumber, Hash, NetUid, u64_string};
pub use tx::{DEFAULT_MORTALITY, MAX_DECODE_DEPTH, Mortality, SignedTransaction, SigningContext};
pub use view::{
    AccountInfo, Block, BlockId, ChainInfo, ExtrinsicRecord, Header, Hyperparameters, NeuronInfo,
    PoolInfo, StakeInfo, SubnetInfo, TxStatus, u128_string,
};

/// A dTAO chain: the embedded localnet or a remote node. Object-safe; share as
/// `Arc<dyn Chain>`.
#[async_trait::async_trait]
pub trait Chain: Send + Sync {
    /// Name, signing context, block time, finality depth.
    async fn info(&self) -> ChainResult<ChainInfo>;

    /// A header: by number, hash, or the head / finalized head.
    async fn header(&self, at: BlockId) -> ChainResult<Header>;

    /// A full block with extrinsics and events.
    async fn block(&self, at: BlockId) -> ChainResult<Block>;

    /// An account's free TAO and next nonce (at the head).
    async fn account(&self, who: AccountId) -> ChainResult<AccountInfo>;

    /// Every subnet, root included, ordered by netuid.
    async fn subnets(&self) -> ChainResult<Vec<SubnetInfo>>;

    /// One subnet.
    async fn subnet(&self, netuid: NetUid) -> ChainResult<SubnetInfo>;

    /// The neurons of a subnet, ordered by UID.
    async fn neurons(&self, netuid: NetUid) -> ChainResult<Vec<NeuronInfo>>;

    /// A coldkey's stakes, ordered by (netuid, hotkey).
    async fn stakes(&self, coldkey: AccountId) -> ChainResult<Vec<StakeInfo>>;

    /// What swapping `amount` on `netuid` would do now, exactly as the runtime would
    /// (Subtensor's `sim_swap`). Swap errors come back as [`ChainError::Rpc`] with the name.
    async fn quote(&self, netuid: NetUid, side: Side, amount: u64) -> ChainResult<SwapOutcome>;

    /// The transaction fee `call` would pay, rao.
    async fn estimate_fee(&self, signer: AccountId, call: Call) -> ChainResult<u64>;

    /// Submits a transaction to the pool; returns its hash once accepted.
    async fn submit(&self, tx: SignedTransaction) -> ChainResult<Hash>;

    /// Submits and follows a transaction: `Ready`, `InBlock`, `Finalized` (or `Dropped`).
    async fn submit_and_watch(
        &self,
        tx: SignedTransaction,
    ) -> ChainResult<BoxStream<'static, ChainResult<TxStatus>>>;

    /// New best heads as they are produced.
    async fn subscribe_heads(&self) -> ChainResult<BoxStream<'static, ChainResult<Header>>>;

    /// Finalized heads as finality advances.
    async fn subscribe_finalized(&self) -> ChainResult<BoxStream<'static, ChainResult<Header>>>;

    /// The events of every new block, in order.
    async fn subscribe_events(
        &self,
    ) -> ChainResult<BoxStream<'static, ChainResult<Vec<EventRecord>>>>;
}
