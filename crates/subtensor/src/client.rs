//! [`Subtensor`]: the connection to one node, its runtimes, and the reads every view is built
//! from (one request per view where the runtime offers a runtime API for it).

use std::collections::HashMap;
use std::sync::Arc;

use chain::{AccountId, BlockId, BlockNumber, EventRecord, Hash, Header};
use parity_scale_codec::Encode;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::error::{Result, SubtensorError};
use crate::events::{SYSTEM_EVENTS_KEY, decode_events};
use crate::rpc::{Rpc, to_hex, unhex};
use crate::runtime::{Runtime, RuntimeVersion};

/// Subtensor's block time: Aura slots of 12 s.
pub const BLOCK_TIME_MS: u64 = 12_000;

/// A block's hash, number and parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRef {
    /// Hash.
    pub hash: Hash,
    /// Number.
    pub number: BlockNumber,
    /// The parent's hash: the runtime that built this block is the parent's (it differs from
    /// the block's own only in a block that upgrades the runtime).
    pub parent: Hash,
}

/// A live Subtensor node (finney, testnet, or your own) behind one WebSocket. Clones share
/// the connection and the runtime cache.
#[derive(Clone)]
pub struct Subtensor {
    pub(crate) rpc: Rpc,
    pub(crate) genesis: Hash,
    runtimes: Arc<Mutex<HashMap<u32, Arc<Runtime>>>>,
    pub(crate) shield: bool,
}

impl Subtensor {
    /// Connects to the node at `endpoint` (`ws://…` or `wss://…`) and reads its genesis hash.
    /// Trades signed here are MEV-shielded by default ([`Subtensor::with_shield`]).
    pub async fn connect(endpoint: &str) -> Result<Self> {
        let rpc = Rpc::connect(endpoint).await?;
        let genesis: String = rpc.call("chain_getBlockHash", vec![json!(0)]).await?;
        let genesis = parse_hash("chain_getBlockHash", &genesis)?;
        Ok(Self { rpc, genesis, runtimes: Arc::new(Mutex::new(HashMap::new())), shield: true })
    }

    /// The same client with MEV Shield on (`true`, the default) or off (`--no-shield`).
    pub fn with_shield(mut self, on: bool) -> Self {
        self.shield = on;
        self
    }

    /// Whether coldkey trades are shielded.
    pub fn shield(&self) -> bool {
        self.shield
    }

    /// The node's URL.
    pub fn endpoint(&self) -> &str {
        self.rpc.endpoint()
    }

    /// The chain's genesis hash.
    pub fn genesis(&self) -> Hash {
        self.genesis
    }

    /// The chain's name (`system_chain`, "Bittensor" on finney).
    pub async fn chain_name(&self) -> Result<String> {
        self.rpc.call("system_chain", vec![]).await
    }

    /// The hash and number of a block.
    pub async fn resolve(&self, at: BlockId) -> Result<BlockRef> {
        Ok(self.resolve_with_header(at).await?.0)
    }

    /// The hash and number of a block, and its header (read once for both).
    pub async fn resolve_with_header(&self, at: BlockId) -> Result<(BlockRef, Header)> {
        let hash = match at {
            BlockId::Hash(h) => h,
            BlockId::Number(n) => {
                let hash: Option<String> =
                    self.rpc.call("chain_getBlockHash", vec![json!(n)]).await?;
                let hash = hash.ok_or_else(|| SubtensorError::NotFound(format!("block {n}")))?;
                parse_hash("chain_getBlockHash", &hash)?
            }
            BlockId::Head => {
                let hash: String = self.rpc.call("chain_getHead", vec![]).await?;
                parse_hash("chain_getHead", &hash)?
            }
            BlockId::Finalized => {
                let hash: String = self.rpc.call("chain_getFinalizedHead", vec![]).await?;
                parse_hash("chain_getFinalizedHead", &hash)?
            }
        };
        let header = self.header_at(hash).await?;
        // A localnet's genesis is not block 0, yet `chain_getBlockHash(0)` names it (the hash
        // Substrate tools take for the genesis): by number, there is no such block.
        if let BlockId::Number(n) = at
            && header.number != n
        {
            return Err(SubtensorError::NotFound(format!(
                "block {n} (the node answers with block {})",
                header.number
            )));
        }
        Ok((BlockRef { hash, number: header.number, parent: header.parent_hash }, header))
    }

    /// The header of block `hash`.
    pub async fn header_at(&self, hash: Hash) -> Result<Header> {
        let raw: Option<Value> =
            self.rpc.call("chain_getHeader", vec![json!(hash.to_hex())]).await?;
        let raw = raw.ok_or_else(|| SubtensorError::NotFound(format!("block {hash}")))?;
        parse_header(hash, &raw)
    }

    /// The runtime of block `hash`: its version from the node, its metadata from the cache or,
    /// the first time a spec version is seen, from the node (V15, as `state_call
    /// Metadata_metadata_at_version`).
    pub async fn runtime_at(&self, hash: Hash) -> Result<Arc<Runtime>> {
        let version: RuntimeVersion =
            self.rpc.call("state_getRuntimeVersion", vec![json!(hash.to_hex())]).await?;
        let mut runtimes = self.runtimes.lock().await;
        if let Some(runtime) = runtimes.get(&version.spec_version)
            && runtime.version == version
        {
            return Ok(runtime.clone());
        }
        let answer =
            self.state_call_raw("Metadata_metadata_at_version", &15u32.encode(), hash).await?;
        let runtime =
            Arc::new(Runtime::from_metadata_at_version(version, &answer, self.genesis.0)?);
        runtimes.insert(version.spec_version, runtime.clone());
        Ok(runtime)
    }

    /// `state_call` of runtime API method `method` (`Api_method`) with SCALE `args` at `at`.
    pub async fn state_call_raw(&self, method: &str, args: &[u8], at: Hash) -> Result<Vec<u8>> {
        let answer: String = self
            .rpc
            .call("state_call", vec![json!(method), json!(to_hex(args)), json!(at.to_hex())])
            .await?;
        unhex("state_call", &answer)
    }

    /// The runtime that built block `block` (its parent's; a genesis block, whose parent is
    /// the zero hash, its own: a fresh chain's head is its genesis).
    pub async fn runtime_of(&self, block: &BlockRef) -> Result<Arc<Runtime>> {
        if block.parent == Hash::default() {
            return self.runtime_at(block.hash).await;
        }
        self.runtime_at(block.parent).await
    }

    /// Calls runtime API `api`.`method` at `at` and decodes its answer with that block's
    /// runtime into `T`.
    pub async fn runtime_api<T: crate::layout::Layout>(
        &self,
        api: &str,
        method: &str,
        args: &[u8],
        at: &BlockRef,
    ) -> Result<T> {
        let runtime = self.runtime_of(at).await?;
        let bytes = self.state_call_raw(&format!("{api}_{method}"), args, at.hash).await?;
        runtime.decode_api(api, method, &bytes)
    }

    /// The raw value under storage `key` at `at`, if any.
    pub async fn storage_raw(&self, key: &[u8], at: Hash) -> Result<Option<Vec<u8>>> {
        let answer: Option<String> = self
            .rpc
            .call("state_getStorageAt", vec![json!(to_hex(key)), json!(at.to_hex())])
            .await?;
        answer.map(|hex| unhex("state_getStorageAt", &hex)).transpose()
    }

    /// Many raw storage values at block `at` in one request (`state_queryStorageAt`), in the
    /// order of `keys`; `None` where nothing is stored.
    pub async fn storage_many(&self, keys: &[Vec<u8>], at: Hash) -> Result<Vec<Option<Vec<u8>>>> {
        const M: &str = "state_queryStorageAt";
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let hex_keys: Vec<String> = keys.iter().map(|k| to_hex(k)).collect();
        let answer: Value = self.rpc.call(M, vec![json!(hex_keys), json!(at.to_hex())]).await?;
        let mut found = HashMap::new();
        for change in answer[0]["changes"].as_array().into_iter().flatten() {
            let key = change[0].as_str().unwrap_or_default().trim_start_matches("0x").to_string();
            let value = match change[1].as_str() {
                Some(hex) => Some(unhex(M, hex)?),
                None => None,
            };
            found.insert(key, value);
        }
        Ok(hex_keys
            .iter()
            .map(|k| found.get(k.trim_start_matches("0x")).cloned().flatten())
            .collect())
    }

    /// The events of block `at`, as taoplex's events (those it knows; see [`decode_events`]).
    pub async fn events_at(&self, at: BlockId) -> Result<Vec<EventRecord>> {
        let block = self.resolve(at).await?;
        let runtime = self.runtime_of(&block).await?;
        self.events_of(&block, &runtime).await
    }

    /// The events of the resolved block `block`, built by `runtime`.
    pub(crate) async fn events_of(
        &self,
        block: &BlockRef,
        runtime: &Runtime,
    ) -> Result<Vec<EventRecord>> {
        let key = unhex("events key", SYSTEM_EVENTS_KEY)?;
        let bytes = self.storage_raw(&key, block.hash).await?.unwrap_or_default();
        if bytes.is_empty() {
            return Ok(Vec::new());
        }
        decode_events(runtime, block.number, bytes)
    }

    /// The account's nonce as the pool sees it (`AccountNonceApi_account_nonce` at the best
    /// block).
    pub async fn nonce(&self, who: AccountId) -> Result<u64> {
        let head = self.resolve(BlockId::Head).await?;
        let nonce: u64 =
            self.runtime_api("AccountNonceApi", "account_nonce", &who.0.encode(), &head).await?;
        Ok(nonce)
    }
}

pub(crate) fn parse_hash(method: &str, hex: &str) -> Result<Hash> {
    hex.parse().map_err(|e| SubtensorError::bad_answer(method, e))
}

/// A header from `chain_getHeader`'s JSON. The time is read from the header's pre-runtime
/// digest, so no extra request is needed: the Aura slot's start (slot × 12 s) on Subtensor, or
/// the exact milliseconds a taoplex localnet writes under its own engine id (`tplx`).
pub(crate) fn parse_header(hash: Hash, raw: &Value) -> Result<Header> {
    const M: &str = "chain_getHeader";
    let text = |field: &str| {
        raw[field].as_str().ok_or_else(|| SubtensorError::bad_answer(M, format!("no {field}")))
    };
    let number = u64::from_str_radix(text("number")?.trim_start_matches("0x"), 16)
        .map_err(|e| SubtensorError::bad_answer(M, format!("number: {e}")))?;
    let logs = || raw["digest"]["logs"].as_array().into_iter().flatten().filter_map(Value::as_str);
    let timestamp_ms = logs()
        .find_map(localnet_time)
        .or_else(|| logs().find_map(aura_slot).map(|slot| slot.saturating_mul(BLOCK_TIME_MS)));
    Ok(Header {
        number,
        hash,
        parent_hash: parse_hash(M, text("parentHash")?)?,
        state_root: parse_hash(M, text("stateRoot")?)?,
        extrinsics_root: parse_hash(M, text("extrinsicsRoot")?)?,
        timestamp_ms: timestamp_ms.unwrap_or(0),
    })
}

/// The time of a localnet block: its pre-runtime digest item `0x06 ‖ "tplx" ‖ compact(8) ‖ ms
/// u64 LE`.
fn localnet_time(log: &str) -> Option<u64> {
    let bytes = hex::decode(log.trim_start_matches("0x")).ok()?;
    let rest = bytes.strip_prefix(&[6u8, b't', b'p', b'l', b'x', 32][..])?;
    Some(u64::from_le_bytes(rest.get(..8)?.try_into().ok()?))
}

/// The slot of an Aura pre-runtime digest item: `0x06 ‖ "aura" ‖ compact(8) ‖ slot u64 LE`.
fn aura_slot(log: &str) -> Option<u64> {
    let bytes = hex::decode(log.trim_start_matches("0x")).ok()?;
    let rest = bytes.strip_prefix(&[6u8, b'a', b'u', b'r', b'a', 32][..])?;
    Some(u64::from_le_bytes(rest.get(..8)?.try_into().ok()?))
}
