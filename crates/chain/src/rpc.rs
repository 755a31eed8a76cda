//! The JSON-RPC 2.0 protocol of a taoplex node, shared by the server (`localnet`) and the
//! client ([`crate::client::RpcChain`]): method names, error codes and the parameter and
//! result types that are not plain [`crate`] views.
//!
//! Names follow Substrate where Substrate has the method (`chain_getHeader`,
//! `author_submitExtrinsic`, `chain_subscribeNewHeads`, ...); everything else lives in the
//! `taoplex_` namespace. Parameters are positional arrays (`"params": [7, "buy", "1000000000"]`);
//! trailing optional parameters may be left out. Amounts travel as decimal strings. The full
//! reference with an example per method is `docs/rpc.md`.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{ChainError, DispatchError, NodeFailure, TxValidityError};
use crate::primitives::{BlockNumber, Hash, NetUid};
use crate::view::{BlockId, PoolInfo};

/// Method names.
pub mod methods {
    /// `[]` → chain name (string).
    pub const SYSTEM_CHAIN: &str = "system_chain";
    /// `[address]` → next nonce of the account (number).
    pub const SYSTEM_ACCOUNT_NEXT_INDEX: &str = "system_accountNextIndex";
    /// The same, under the alias Substrate also serves (the Python SDK calls this one).
    pub const ACCOUNT_NEXT_INDEX: &str = "account_nextIndex";
    /// `[]` → every method name.
    pub const RPC_METHODS: &str = "rpc_methods";
    /// `[]` → node implementation name (Substrate).
    pub const SYSTEM_NAME: &str = "system_name";
    /// `[]` → node version (Substrate).
    pub const SYSTEM_VERSION: &str = "system_version";
    /// `[]` → `{ss58Format, tokenDecimals, tokenSymbol}` (Substrate).
    pub const SYSTEM_PROPERTIES: &str = "system_properties";
    /// `[]` → `{isSyncing, peers, shouldHavePeers}` (Substrate).
    pub const SYSTEM_HEALTH: &str = "system_health";
    /// `[hash?]` → Substrate header JSON (hex numbers, digest logs), `null` if unknown.
    pub const CHAIN_GET_HEADER: &str = "chain_getHeader";
    /// `[hash?]` → `{block: {header, extrinsics}, justifications}` (Substrate), `null` if unknown.
    pub const CHAIN_GET_BLOCK: &str = "chain_getBlock";
    /// `[number?]` → block hash, `null` if unknown.
    pub const CHAIN_GET_BLOCK_HASH: &str = "chain_getBlockHash";
    /// Alias of [`CHAIN_GET_BLOCK_HASH`] (Substrate's; subxt asks it for the head).
    pub const CHAIN_GET_HEAD: &str = "chain_getHead";
    /// `[]` → hash of the last finalized block.
    pub const CHAIN_GET_FINALIZED_HEAD: &str = "chain_getFinalizedHead";
    /// Alias of [`CHAIN_GET_FINALIZED_HEAD`] (Substrate's British spelling).
    pub const CHAIN_GET_FINALISED_HEAD: &str = "chain_getFinalisedHead";
    /// `[]` → subscription id; notifications [`super::notifications::NEW_HEAD`] (Substrate headers).
    pub const CHAIN_SUBSCRIBE_NEW_HEADS: &str = "chain_subscribeNewHeads";
    /// `[subscription]` → bool.
    pub const CHAIN_UNSUBSCRIBE_NEW_HEADS: &str = "chain_unsubscribeNewHeads";
    /// `[]` → subscription id; notifications [`super::notifications::FINALIZED_HEAD`].
    pub const CHAIN_SUBSCRIBE_FINALIZED_HEADS: &str = "chain_subscribeFinalizedHeads";
    /// `[subscription]` → bool.
    pub const CHAIN_UNSUBSCRIBE_FINALIZED_HEADS: &str = "chain_unsubscribeFinalizedHeads";
    /// `[]` → subscription id; notifications [`super::notifications::ALL_HEAD`].
    pub const CHAIN_SUBSCRIBE_ALL_HEADS: &str = "chain_subscribeAllHeads";
    /// `[subscription]` → bool.
    pub const CHAIN_UNSUBSCRIBE_ALL_HEADS: &str = "chain_unsubscribeAllHeads";
    /// `[hash?]` → `0x`-hex SCALE `RuntimeMetadataPrefixed` (V14).
    pub const STATE_GET_METADATA: &str = "state_getMetadata";
    /// `[hash?]` → `{specName, specVersion, transactionVersion, apis, …}`.
    pub const STATE_GET_RUNTIME_VERSION: &str = "state_getRuntimeVersion";
    /// Alias of [`STATE_GET_RUNTIME_VERSION`].
    pub const CHAIN_GET_RUNTIME_VERSION: &str = "chain_getRuntimeVersion";
    /// `[]` → subscription id; notifications [`super::notifications::RUNTIME_VERSION`]: the
    /// version now, then each upgrade (localnet's runtime never upgrades while it runs).
    pub const STATE_SUBSCRIBE_RUNTIME_VERSION: &str = "state_subscribeRuntimeVersion";
    /// `[subscription]` → bool.
    pub const STATE_UNSUBSCRIBE_RUNTIME_VERSION: &str = "state_unsubscribeRuntimeVersion";
    /// Alias of [`STATE_SUBSCRIBE_RUNTIME_VERSION`].
    pub const CHAIN_SUBSCRIBE_RUNTIME_VERSION: &str = "chain_subscribeRuntimeVersion";
    /// Alias of [`STATE_UNSUBSCRIBE_RUNTIME_VERSION`].
    pub const CHAIN_UNSUBSCRIBE_RUNTIME_VERSION: &str = "chain_unsubscribeRuntimeVersion";
    /// `[["0x" key, …]]` → subscription id; notifications [`super::notifications::STORAGE`]:
    /// every key's value at the head, then the keys whose values a new block changed.
    pub const STATE_SUBSCRIBE_STORAGE: &str = "state_subscribeStorage";
    /// `[subscription]` → bool.
    pub const STATE_UNSUBSCRIBE_STORAGE: &str = "state_unsubscribeStorage";
    /// `["Api_method", "0x" SCALE args, hash?]` → `0x` SCALE answer.
    pub const STATE_CALL: &str = "state_call";
    /// `["0x" key, hash?]` → `0x` SCALE value or `null`.
    pub const STATE_GET_STORAGE: &str = "state_getStorage";
    /// Alias of [`STATE_GET_STORAGE`].
    pub const STATE_GET_STORAGE_AT: &str = "state_getStorageAt";
    /// `["0x" prefix, count, "0x" startKey?, hash?]` → up to `count` (≤ 1,000) storage keys under
    /// `prefix` after `startKey`, in key order.
    pub const STATE_GET_KEYS_PAGED: &str = "state_getKeysPaged";
    /// `[["0x" key, …], hash?]` → `[{block, changes: [["0x" key, "0x" value | null], …]}]`.
    pub const STATE_QUERY_STORAGE_AT: &str = "state_queryStorageAt";
    /// `[block?]` → [`crate::Header`] (taoplex's own shape).
    pub const TAOPLEX_GET_HEADER: &str = "taoplex_getHeader";
    /// `[block?]` → [`crate::Block`] (taoplex's own shape, with calls and results).
    pub const TAOPLEX_GET_BLOCK: &str = "taoplex_getBlock";
    /// `[]` → subscription id; notifications [`super::notifications::TAOPLEX_HEAD`].
    pub const TAOPLEX_SUBSCRIBE_HEADS: &str = "taoplex_subscribeHeads";
    /// `[subscription]` → bool.
    pub const TAOPLEX_UNSUBSCRIBE_HEADS: &str = "taoplex_unsubscribeHeads";
    /// `[]` → subscription id; notifications [`super::notifications::TAOPLEX_FINALIZED_HEAD`].
    pub const TAOPLEX_SUBSCRIBE_FINALIZED_HEADS: &str = "taoplex_subscribeFinalizedHeads";
    /// `[subscription]` → bool.
    pub const TAOPLEX_UNSUBSCRIBE_FINALIZED_HEADS: &str = "taoplex_unsubscribeFinalizedHeads";
    /// `[hex]` → transaction hash.
    pub const AUTHOR_SUBMIT_EXTRINSIC: &str = "author_submitExtrinsic";
    /// `[hex]` → subscription id; notifications [`super::notifications::EXTRINSIC_UPDATE`].
    pub const AUTHOR_SUBMIT_AND_WATCH_EXTRINSIC: &str = "author_submitAndWatchExtrinsic";
    /// `[subscription]` → bool.
    pub const AUTHOR_UNWATCH_EXTRINSIC: &str = "author_unwatchExtrinsic";
    /// `[]` → `0x`-hex of every transaction in the pool.
    pub const AUTHOR_PENDING_EXTRINSICS: &str = "author_pendingExtrinsics";
    /// `[]` → [`crate::ChainInfo`].
    pub const TAOPLEX_CHAIN_INFO: &str = "taoplex_chainInfo";
    /// `[block?]` → the block's [`crate::EventRecord`]s.
    pub const TAOPLEX_GET_EVENTS: &str = "taoplex_getEvents";
    /// `[address]` → [`crate::AccountInfo`].
    pub const TAOPLEX_ACCOUNT: &str = "taoplex_account";
    /// `[]` → every [`crate::SubnetInfo`].
    pub const TAOPLEX_SUBNETS: &str = "taoplex_subnets";
    /// `[netuid]` → [`crate::SubnetInfo`].
    pub const TAOPLEX_SUBNET: &str = "taoplex_subnet";
    /// `[]` → every pool as [`super::PoolEntry`].
    pub const TAOPLEX_POOLS: &str = "taoplex_pools";
    /// `[netuid]` → [`crate::Hyperparameters`].
    pub const TAOPLEX_HYPERPARAMETERS: &str = "taoplex_hyperparameters";
    /// `[netuid]` → the subnet's [`crate::NeuronInfo`]s.
    pub const TAOPLEX_NEURONS: &str = "taoplex_neurons";
    /// `[coldkey]` → the coldkey's [`crate::StakeInfo`]s.
    pub const TAOPLEX_STAKES: &str = "taoplex_stakes";
    /// `[netuid, "buy"|"sell", amount]` → [`crate::SwapOutcome`] (Subtensor's `sim_swap`).
    pub const TAOPLEX_QUOTE: &str = "taoplex_quote";
    /// `[signer, call]` → fee in rao (string).
    pub const TAOPLEX_ESTIMATE_FEE: &str = "taoplex_estimateFee";
    /// `[]` → subscription id; notifications [`super::notifications::EVENTS`].
    pub const TAOPLEX_SUBSCRIBE_EVENTS: &str = "taoplex_subscribeEvents";
    /// `[subscription]` → bool.
    pub const TAOPLEX_UNSUBSCRIBE_EVENTS: &str = "taoplex_unsubscribeEvents";
    /// `[blocks?]` → the new head [`crate::Header`] (development: produce blocks now).
    pub const TAOPLEX_FAST_FORWARD: &str = "taoplex_fastForward";

    /// Every method, for `rpc_methods`.
    pub const ALL: &[&str] = &[
        SYSTEM_CHAIN,
        SYSTEM_NAME,
        SYSTEM_VERSION,
        SYSTEM_PROPERTIES,
        SYSTEM_HEALTH,
        SYSTEM_ACCOUNT_NEXT_INDEX,
        ACCOUNT_NEXT_INDEX,
        RPC_METHODS,
        CHAIN_GET_HEADER,
        CHAIN_GET_BLOCK,
        CHAIN_GET_BLOCK_HASH,
        CHAIN_GET_HEAD,
        CHAIN_GET_FINALIZED_HEAD,
        CHAIN_GET_FINALISED_HEAD,
        CHAIN_SUBSCRIBE_NEW_HEADS,
        CHAIN_UNSUBSCRIBE_NEW_HEADS,
        CHAIN_SUBSCRIBE_FINALIZED_HEADS,
        CHAIN_UNSUBSCRIBE_FINALIZED_HEADS,
        CHAIN_SUBSCRIBE_ALL_HEADS,
        CHAIN_UNSUBSCRIBE_ALL_HEADS,
        STATE_GET_METADATA,
        STATE_GET_RUNTIME_VERSION,
        CHAIN_GET_RUNTIME_VERSION,
        STATE_SUBSCRIBE_RUNTIME_VERSION,
        STATE_UNSUBSCRIBE_RUNTIME_VERSION,
        CHAIN_SUBSCRIBE_RUNTIME_VERSION,
        CHAIN_UNSUBSCRIBE_RUNTIME_VERSION,
        STATE_SUBSCRIBE_STORAGE,
        STATE_UNSUBSCRIBE_STORAGE,
        STATE_CALL,
        STATE_GET_STORAGE,
        STATE_GET_STORAGE_AT,
        STATE_GET_KEYS_PAGED,
        STATE_QUERY_STORAGE_AT,
        AUTHOR_SUBMIT_EXTRINSIC,
        AUTHOR_SUBMIT_AND_WATCH_EXTRINSIC,
        AUTHOR_UNWATCH_EXTRINSIC,
        AUTHOR_PENDING_EXTRINSICS,
        TAOPLEX_CHAIN_INFO,
        TAOPLEX_GET_HEADER,
        TAOPLEX_GET_BLOCK,
        TAOPLEX_SUBSCRIBE_HEADS,
        TAOPLEX_UNSUBSCRIBE_HEADS,
        TAOPLEX_SUBSCRIBE_FINALIZED_HEADS,
        TAOPLEX_UNSUBSCRIBE_FINALIZED_HEADS,
        TAOPLEX_GET_EVENTS,
        TAOPLEX_ACCOUNT,
        TAOPLEX_SUBNETS,
        TAOPLEX_SUBNET,
        TAOPLEX_POOLS,
        TAOPLEX_HYPERPARAMETERS,
        TAOPLEX_NEURONS,
        TAOPLEX_STAKES,
        TAOPLEX_QUOTE,
        TAOPLEX_ESTIMATE_FEE,
        TAOPLEX_SUBSCRIBE_EVENTS,
        TAOPLEX_UNSUBSCRIBE_EVENTS,
        TAOPLEX_FAST_FORWARD,
    ];
}

/// Notification method names: `{"method": NAME, "params": {"subscription": id, "result": ..}}`.
pub mod notifications {
    /// A new best head (Substrate header JSON).
    pub const NEW_HEAD: &str = "chain_newHead";
    /// A newly finalized head (Substrate header JSON).
    pub const FINALIZED_HEAD: &str = "chain_finalizedHead";
    /// A new head of any fork (Substrate header JSON; localnet has no forks).
    pub const ALL_HEAD: &str = "chain_allHead";
    /// A new best head ([`crate::Header`]).
    pub const TAOPLEX_HEAD: &str = "taoplex_head";
    /// A newly finalized head ([`crate::Header`]).
    pub const TAOPLEX_FINALIZED_HEAD: &str = "taoplex_finalizedHead";
    /// The runtime version (Substrate's `RuntimeVersion` JSON).
    pub const RUNTIME_VERSION: &str = "state_runtimeVersion";
    /// Storage changes: `{block, changes: [["0x" key, "0x" value | null], …]}`.
    pub const STORAGE: &str = "state_storage";
    /// A watched transaction's [`crate::TxStatus`].
    pub const EXTRINSIC_UPDATE: &str = "author_extrinsicUpdate";
    /// The events of a new block (`[EventRecord]`, possibly empty).
    pub const EVENTS: &str = "taoplex_events";
}

/// JSON-RPC error codes.
pub mod codes {
    /// The message is not JSON.
    pub const PARSE_ERROR: i64 = -32700;
    /// JSON, but not a JSON-RPC 2.0 request (or an empty/oversized batch).
    pub const INVALID_REQUEST: i64 = -32600;
    /// No such method.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Parameters missing, extra or of the wrong type (bad address, bad hex, ...).
    pub const INVALID_PARAMS: i64 = -32602;
    /// The node failed; the message says how and, when it failed at its own work (storage,
    /// block log), `data` is the [`crate::NodeFailure`].
    pub const INTERNAL_ERROR: i64 = -32603;
    /// The transaction was refused by the pool; `data` is the [`crate::TxValidityError`].
    pub const INVALID_TRANSACTION: i64 = 1010;
    /// Substrate's client error (`state_*`): an unknown block, state already discarded, a
    /// runtime call that failed or does not exist.
    pub const CLIENT_ERROR: i64 = 4003;
    /// Substrate's "count exceeds maximum value" (`state_getKeysPaged` over 1,000 keys).
    pub const INVALID_COUNT: i64 = 4002;
    /// The block, subnet, ... does not exist (or is no longer kept).
    pub const NOT_FOUND: i64 = -32001;
    /// A quote failed; the message starts with the chain's swap error name and `data` is the
    /// [`crate::DispatchError`].
    pub const SWAP_FAILED: i64 = -32002;
    /// A per-connection limit was hit: request size, batch size, subscriptions.
    pub const LIMIT_EXCEEDED: i64 = -32005;
    /// The method needs a WebSocket connection (subscriptions).
    pub const WEBSOCKET_REQUIRED: i64 = -32006;
    /// The node is shutting down.
    pub const SHUTTING_DOWN: i64 = -32010;
}

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RpcError {
    /// One of [`codes`].
    pub code: i64,
    /// What went wrong and what to do.
    pub message: String,
    /// Structured detail (the refused transaction's error, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl RpcError {
    /// An error without data.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), data: None }
    }

    /// `INVALID_PARAMS` with a message.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(codes::INVALID_PARAMS, message)
    }

    /// A refused transaction, with the error as data.
    pub fn invalid_transaction(e: &TxValidityError) -> Self {
        Self {
            code: codes::INVALID_TRANSACTION,
            message: format!("transaction refused: {e}"),
            data: serde_json::to_value(e).ok(),
        }
    }

    /// A failed quote, with the error as data.
    pub fn swap_failed(e: &DispatchError) -> Self {
        Self {
            code: codes::SWAP_FAILED,
            message: e.to_string(),
            data: serde_json::to_value(e).ok(),
        }
    }

    /// A node that failed at its own work, with the failure as data.
    pub fn node_failure(e: &NodeFailure) -> Self {
        Self {
            code: codes::INTERNAL_ERROR,
            message: format!("the node failed: {e}"),
            data: serde_json::to_value(e).ok(),
        }
    }

    /// The answer for `e`, the inverse of [`RpcError::into_chain_error`]: typed errors travel
    /// in `data`, so the client gets the same variant back.
    pub fn from_chain_error(e: &ChainError) -> Self {
        match e {
            ChainError::Invalid(e) => Self::invalid_transaction(e),
            ChainError::Quote(e) => Self::swap_failed(e),
            ChainError::Node(e) => Self::node_failure(e),
            ChainError::NotFound(what) => Self::new(codes::NOT_FOUND, what.clone()),
            ChainError::Closed => Self::new(codes::SHUTTING_DOWN, "the node is shutting down"),
            ChainError::Rpc { code, message } => Self::new(*code, message.clone()),
            ChainError::Transport { .. } | ChainError::Decode(_) => {
                Self::new(codes::INTERNAL_ERROR, e.to_string())
            }
        }
    }

    /// The [`ChainError`] a client reports for this answer.
    pub fn into_chain_error(self) -> ChainError {
        match self.code {
            codes::INVALID_TRANSACTION => match self.typed_data::<TxValidityError>() {
                Some(e) => ChainError::Invalid(e),
                None => ChainError::Rpc { code: self.code, message: self.message },
            },
            codes::SWAP_FAILED => match self.typed_data::<DispatchError>() {
                Some(e) => ChainError::Quote(e),
                None => ChainError::Rpc { code: self.code, message: self.message },
            },
            codes::INTERNAL_ERROR => match self.typed_data::<NodeFailure>() {
                Some(e) => ChainError::Node(e),
                None => ChainError::Rpc { code: self.code, message: self.message },
            },
            codes::NOT_FOUND => ChainError::NotFound(self.message),
            codes::SHUTTING_DOWN => ChainError::Closed,
            code => ChainError::Rpc { code, message: self.message },
        }
    }
}

impl RpcError {
    fn typed_data<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        self.data.clone().and_then(|d| serde_json::from_value(d).ok())
    }
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

/// Which block a method reads, as a parameter: a number, a `0x` hash, `"head"` (also
/// `"best"`, `"latest"`), `"finalized"`, or `null`/absent for the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BlockRef {
    /// The best block.
    #[default]
    Head,
    /// The last finalized block.
    Finalized,
    /// By height.
    Number(BlockNumber),
    /// By hash.
    Hash(Hash),
}

impl From<BlockId> for BlockRef {
    fn from(id: BlockId) -> Self {
        match id {
            BlockId::Number(n) => BlockRef::Number(n),
            BlockId::Hash(h) => BlockRef::Hash(h),
            BlockId::Head => BlockRef::Head,
            BlockId::Finalized => BlockRef::Finalized,
        }
    }
}

impl From<BlockRef> for BlockId {
    fn from(r: BlockRef) -> Self {
        match r {
            BlockRef::Number(n) => BlockId::Number(n),
            BlockRef::Hash(h) => BlockId::Hash(h),
            BlockRef::Head => BlockId::Head,
            BlockRef::Finalized => BlockId::Finalized,
        }
    }
}

impl Serialize for BlockRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            BlockRef::Head => s.serialize_str("head"),
            BlockRef::Finalized => s.serialize_str("finalized"),
            BlockRef::Number(n) => s.serialize_u64(*n),
            BlockRef::Hash(h) => s.serialize_str(&h.to_hex()),
        }
    }
}

impl<'de> Deserialize<'de> for BlockRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = BlockRef;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a block number, a 0x block hash, \"head\", \"finalized\" or null for the head",
                )
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<BlockRef, E> {
                Ok(BlockRef::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<BlockRef, E> {
                u64::try_from(v)
                    .map(BlockRef::Number)
                    .map_err(|_| E::custom(format!("block number {v} is negative")))
            }
            fn visit_unit<E: de::Error>(self) -> Result<BlockRef, E> {
                Ok(BlockRef::Head)
            }
            fn visit_none<E: de::Error>(self) -> Result<BlockRef, E> {
                Ok(BlockRef::Head)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<BlockRef, E> {
                match v {
                    "head" | "best" | "latest" => Ok(BlockRef::Head),
                    "finalized" => Ok(BlockRef::Finalized),
                    s if s.starts_with("0x") => s.parse().map(BlockRef::Hash).map_err(E::custom),
                    s => s.parse().map(BlockRef::Number).map_err(|_| {
                        E::custom(format!(
                            "{s:?} is not a block: give a number, a 0x hash, \"head\" or \"finalized\""
                        ))
                    }),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A `u64` carried as a decimal string (a number is accepted too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct U64Str(#[serde(with = "crate::primitives::u64_string")] pub u64);

/// One subnet's pool, as `taoplex_pools` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolEntry {
    /// Subnet.
    pub netuid: NetUid,
    /// Pool state.
    pub pool: PoolInfo,
}

/// A JSON-RPC request as sent by the client.
#[derive(Debug, Clone, Serialize)]
pub struct Request<'a, P: Serialize> {
    /// Always `"2.0"`.
    pub jsonrpc: &'static str,
    /// Request id.
    pub id: u64,
    /// Method name.
    pub method: &'a str,
    /// Positional parameters.
    pub params: P,
}

impl<'a, P: Serialize> Request<'a, P> {
    /// A request.
    pub fn new(id: u64, method: &'a str, params: P) -> Self {
        Self { jsonrpc: "2.0", id, method, params }
    }
}

/// The `params` of a subscription notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionParams<T> {
    /// Subscription id, as returned by the subscribe method.
    pub subscription: String,
    /// The item.
    pub result: T,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_refs_parse_every_form() {
        let p = |s: &str| serde_json::from_str::<BlockRef>(s);
        assert_eq!(p("7").unwrap(), BlockRef::Number(7));
        assert_eq!(p("\"7\"").unwrap(), BlockRef::Number(7));
        assert_eq!(p("null").unwrap(), BlockRef::Head);
        assert_eq!(p("\"latest\"").unwrap(), BlockRef::Head);
        assert_eq!(p("\"finalized\"").unwrap(), BlockRef::Finalized);
        let h = Hash::of(b"x");
        assert_eq!(p(&format!("\"{h}\"")).unwrap(), BlockRef::Hash(h));
        assert!(p("\"0x12\"").is_err());
        assert!(p("-1").is_err());
        assert!(p("\"tomorrow\"").unwrap_err().to_string().contains("not a block"));
        for r in [BlockRef::Head, BlockRef::Finalized, BlockRef::Number(3), BlockRef::Hash(h)] {
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(p(&json).unwrap(), r);
        }
    }

    #[test]
    fn errors_map_to_chain_errors() {
        let e = RpcError::invalid_transaction(&TxValidityError::Stale { got: 1, expected: 2 });
        let back: RpcError = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert!(matches!(
            back.into_chain_error(),
            ChainError::Invalid(TxValidityError::Stale { got: 1, expected: 2 })
        ));
        assert!(matches!(
            RpcError::new(codes::NOT_FOUND, "block 9").into_chain_error(),
            ChainError::NotFound(_)
        ));
    }

    /// Every typed error crosses the JSON-RPC boundary as the same variant.
    #[test]
    fn typed_errors_survive_the_wire() {
        let through = |e: ChainError| {
            let wire = serde_json::to_string(&RpcError::from_chain_error(&e)).unwrap();
            serde_json::from_str::<RpcError>(&wire).unwrap().into_chain_error()
        };
        let slippage = DispatchError::Swap(crate::SwapFailure::SlippageTooHigh);
        assert!(matches!(
            through(ChainError::Quote(slippage.clone())),
            ChainError::Quote(e) if e == slippage
        ));
        let missing = DispatchError::SubnetNotExists { netuid: 9 };
        assert!(matches!(
            through(ChainError::Quote(missing.clone())),
            ChainError::Quote(e) if e == missing
        ));
        let failure = NodeFailure::ReplayDiverged {
            number: 7,
            expected: Hash::of(b"a"),
            got: Hash::of(b"b"),
        };
        assert!(matches!(
            through(ChainError::Node(failure.clone())),
            ChainError::Node(e) if e == failure
        ));
        let locked = NodeFailure::Locked { dir: "/tmp/chain".into() };
        assert!(
            matches!(through(ChainError::Node(locked.clone())), ChainError::Node(e) if e == locked)
        );
        assert!(matches!(
            through(ChainError::Invalid(TxValidityError::BadSigningContext)),
            ChainError::Invalid(TxValidityError::BadSigningContext)
        ));
        assert!(matches!(through(ChainError::Closed), ChainError::Closed));
        assert!(
            matches!(through(ChainError::NotFound("x".into())), ChainError::NotFound(w) if w == "x")
        );
        // Without typed data (an older node), the error stays an untyped Rpc error.
        assert!(matches!(
            RpcError::new(codes::SWAP_FAILED, "SlippageTooHigh").into_chain_error(),
            ChainError::Rpc { code: codes::SWAP_FAILED, .. }
        ));
    }
}
