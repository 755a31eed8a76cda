//! The chain as taoplex's faces see it: the [`Chain`] trait and its types.
//!
//! Everything above the chain — the terminal, the bot, Dojo, the market indexer — talks to a
//! dTAO chain only through [`Chain`]: read heads, blocks, events and state views; quote swaps
//! the way the runtime would (`sim_swap`); and submit transactions in three steps,
//! *prepare → sign → submit*, then watch them go from the pool into a block and to finality.
//! The embedded localnet and a remote node (over JSON-RPC) are two implementations of the same
//! trait; faces never see which.
//!
//! # Non-custodial submission
//! [`Chain::prepare`] returns a [`Prepared`] transaction: the exact payload bytes to sign (in
//! the implementation's own format), the call in plain words and a fee estimate. The key may
//! live elsewhere — a browser, a sign link, a proxy key: it signs [`Prepared::payload`] and
//! the signature comes back to [`Chain::submit`]. [`Signer`] is a key at hand (implemented for
//! [`keys::Keypair`]); [`sign_and_submit`] does all three steps for it. Proxied calls are
//! [`Call::proxied`].
//!
//! # Principal types
//! - [`Call`]: what a transaction asks for (transfers, staking with and without limits,
//!   registration, identity, hyperparameters, weights, proxies), in words by [`Call::describe`].
//! - [`Prepared`], [`TxOptions`], [`Signer`]: the prepare → sign → submit steps.
//! - [`SignedTransaction`]: the localnet wire format, a call signed with sr25519 over a
//!   Substrate-shaped payload that commits to the nonce, a [`Mortality`] window and the chain's
//!   [`SigningContext`].
//! - [`Event`] / [`EventRecord`]: the chain's events with its field conventions.
//! - [`TxValidityError`] (refused before inclusion) and [`DispatchError`] (failed in a block,
//!   fee charged), named as on Subtensor.
//! - Views: [`Header`], [`Block`], [`AccountInfo`], [`SubnetInfo`], [`NeuronInfo`],
//!   [`StakeInfo`], [`TxStatus`].
//! - [`client::RpcChain`]: the trait over a node's WebSocket JSON-RPC; [`rpc`] holds the
//!   protocol (method names, error codes, parameter types) it shares with the localnet server.
//! - [`Clock`]: the one injected wall clock (ns since the Unix epoch) of every service, with
//!   [`SystemClock`] and [`ManualClock`] for tests.
//!
//! # Example
//! A transaction prepared for the localnet format and signed by a key that sees only the
//! payload (a [`Chain`] does the preparing with [`Chain::prepare`] and takes the signature back
//! with [`Chain::submit`]):
//! ```
//! use chain::{AccountId, Call, Hash, Mortality, Prepared, Signer, SigningContext};
//!
//! let alice = keys::Keypair::from_uri("//Alice")?;
//! let bob: AccountId = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty".parse()?;
//! let context = SigningContext { genesis_hash: Hash::of(b"genesis"), spec_version: 1 };
//! let call = Call::Transfer { dest: bob, amount: "1 TAO".parse()? };
//! let prepared = Prepared::localnet(alice.account(), call, 0, Mortality::new(0, 64), 0, context);
//! assert_eq!(prepared.description, "send 1 τ to 5FHn…");
//!
//! // Elsewhere: the signer gets the payload bytes (as 0x-hex in the JSON) and signs them.
//! let json = serde_json::to_string(&prepared)?;
//! let received: Prepared = serde_json::from_str(&json)?;
//! let signature = Signer::sign(&alice, &received.payload);
//!
//! // Back at the chain: the signed transaction, checked against the chain's context.
//! let tx = prepared.into_localnet_transaction(&context, signature)?;
//! assert!(tx.verify_signature(&context).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Design decisions
//! - Amounts are integer rao everywhere ([`Tao`] / [`Alpha`] in [`Call`], `u64` rao in views)
//!   and travel as JSON strings, never floats; the newtypes SCALE-encode as their `u64`.
//! - Transactions are SCALE-encoded, so signatures are over canonical bytes and the wire
//!   format is what a Substrate tool would expect of an extrinsic.
//! - The trait is object-safe (`Arc<dyn Chain>`), with streams for subscriptions.
//!
//! ## Feature flags
//! None.
#![deny(missing_docs)]

mod call;
pub mod client;
mod clock;
mod error;
mod event;
mod primitives;
pub mod rpc;
mod sign;
mod tx;
mod view;

use futures::stream::BoxStream;

pub use call::{
    AxonInfo, Call, Hyperparameter, MAX_BATCH_LEGS, ProxyType, RecycleOrBurn,
    SHIELD_MAX_CIPHERTEXT, SHIELD_MAX_PERIOD, SubnetIdentity, weights_commit_hash,
};
pub use clock::{Clock, ManualClock, NANOS_PER_MILLI, SystemClock};
pub use dtao::amm::{Side, SwapOutcome};
pub use dtao::units::{Alpha, Tao};
pub use error::{
    ChainError, ChainResult, DispatchError, NodeFailure, SwapFailure, TxValidityError,
};
pub use event::{Event, EventRecord, Phase};
/// An sr25519 signature over a [`Prepared::payload`] (re-exported from `keys`, so faces that
/// only pass signatures along need no `keys` dependency).
pub use keys::Signature;
pub use primitives::{
    AccountId, BadHash, BlockNumber, Hash, NetUid, alpha_string, tao_string, u64_string,
};
pub use sign::{
    PayloadFormat, Prepared, Signer, SignerPayloadJson, SubstrateForm, TxOptions, prepare_localnet,
    sign_and_submit,
};
pub use tx::{
    DEFAULT_MORTALITY, Envelope, MAX_DECODE_DEPTH, Mortality, SUBSTRATE_TRANSACTION_VERSION,
    SignedTransaction, SigningContext, SubstrateParts,
};
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

    /// A block's header and events without its extrinsics: one request fewer where the body
    /// comes apart from the events (a Subtensor node).
    async fn block_events(&self, at: BlockId) -> ChainResult<(Header, Vec<EventRecord>)> {
        let block = self.block(at).await?;
        Ok((block.header, block.events))
    }

    /// An account's free TAO and next nonce (at the head).
    async fn account(&self, who: AccountId) -> ChainResult<AccountInfo>;

    /// Every subnet, root included, ordered by netuid. The live chain's answer for all
    /// subnets carries only the tempo and fee rate of the hyperparameters (the rest read 0):
    /// [`Chain::subnet`] has them all.
    async fn subnets(&self) -> ChainResult<Vec<SubnetInfo>>;

    /// One subnet.
    async fn subnet(&self, netuid: NetUid) -> ChainResult<SubnetInfo>;

    /// The neurons of a subnet, ordered by UID.
    async fn neurons(&self, netuid: NetUid) -> ChainResult<Vec<NeuronInfo>>;

    /// A coldkey's stakes, ordered by (netuid, hotkey).
    async fn stakes(&self, coldkey: AccountId) -> ChainResult<Vec<StakeInfo>>;

    /// What swapping `amount` on `netuid` would do now, exactly as the runtime would
    /// (Subtensor's `sim_swap`). A trade that would fail comes back as [`ChainError::Quote`]
    /// with the chain's error (e.g. [`DispatchError::Swap`]).
    async fn quote(&self, netuid: NetUid, side: Side, amount: u64) -> ChainResult<SwapOutcome>;

    /// The transaction fee `call` would pay, rao.
    async fn estimate_fee(&self, signer: AccountId, call: Call) -> ChainResult<u64>;

    /// Prepares `call` for `signer` to sign: the payload in this chain's format, the call in
    /// words, a fee estimate. Nonce, mortality and tip come from `options` (by default: the
    /// account's next nonce, [`DEFAULT_MORTALITY`] blocks from the head, no tip).
    async fn prepare(
        &self,
        signer: AccountId,
        call: Call,
        options: TxOptions,
    ) -> ChainResult<Prepared>;

    /// Submits a prepared transaction with the signer's `signature` over
    /// [`Prepared::payload`] and follows it: `Ready`, `InBlock` (with the call's result and
    /// events), `Finalized`, or `Dropped`. Refused before inclusion, as
    /// [`ChainError::Invalid`]: a transaction prepared for another chain or runtime
    /// ([`TxValidityError::BadSigningContext`]), a signature that does not verify
    /// ([`TxValidityError::BadProof`]), a used nonce ([`TxValidityError::Stale`]).
    async fn submit(
        &self,
        prepared: Prepared,
        signature: Signature,
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
