//! Substrate's JSON-RPC methods, answered from localnet's state in Subtensor's formats: headers
//! as Substrate JSON, storage in the real key layout with SCALE values, runtime APIs over
//! `state_call`, the metadata of [`crate::substrate::metadata`].
//!
//! State is recent: the head's and that of the [`crate::node::RECENT_STATES`] blocks before it
//! (clients pin a block, then read at it). A query `at` an older block is answered when that
//! block's state root is one of those (nothing changed since), and refused with Substrate's
//! "state already discarded" client error (4003) otherwise. `System.Events`
//! is the exception: a block keeps its events, so they are served at every block the node
//! keeps.

use chain::rpc::{BlockRef, RpcError, codes, methods as m};
use chain::{AccountId, Hash, Side};
use futures::StreamExt;
use futures::stream::BoxStream;
use parity_scale_codec::{Decode, Encode};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::AppState;
use super::methods::{need_ws, no_params, params, to_value, unsubscribe};
use super::ws::{Connection, Source, SubKind};
use crate::Runtime;
use crate::substrate::metadata::{self, METADATA_VERSIONS, RUNTIME_APIS};
use crate::substrate::storage::{self, StorageItem};
use crate::substrate::types::{self as t, AccountData, ExtraFlags, OpaqueMetadata};

/// `specName`/`implName`, as on Subtensor.
const SPEC_NAME: &str = "node-subtensor";
/// Subtensor's transaction version.
const TRANSACTION_VERSION: u32 = chain::SUBSTRATE_TRANSACTION_VERSION;

fn client_error(message: String) -> RpcError {
    RpcError::new(codes::CLIENT_ERROR, format!("Client error: {message}"))
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

fn parse_hex(method: &str, what: &str, s: &str) -> Result<Vec<u8>, RpcError> {
    let bad = |why: &str| {
        RpcError::invalid_params(format!("invalid params for {method}: {what} {why} (got {s:?})"))
    };
    let digits = s.strip_prefix("0x").ok_or_else(|| bad("must start with 0x"))?;
    hex::decode(digits).map_err(|_| bad("must be hex with an even number of digits"))
}

/// A Substrate header as JSON: hex number, digest logs as SCALE hex.
pub(crate) fn header_json(h: &chain::Header) -> Value {
    let s = crate::substrate::header(h);
    json!({
        "parentHash": h.parent_hash.to_hex(),
        "number": format!("0x{:x}", h.number),
        "stateRoot": h.state_root.to_hex(),
        "extrinsicsRoot": h.extrinsics_root.to_hex(),
        "digest": { "logs": s.digest.logs.iter().map(|l| hex0x(&l.encode())).collect::<Vec<_>>() },
    })
}

/// `system_properties`.
fn properties() -> Value {
    json!({ "ss58Format": metadata::SS58_PREFIX, "tokenDecimals": 9, "tokenSymbol": "TAO" })
}

fn runtime_version(spec_version: u32) -> t::RuntimeVersion {
    t::RuntimeVersion {
        spec_name: t::Cow(SPEC_NAME.into()),
        impl_name: t::Cow(SPEC_NAME.into()),
        authoring_version: 1,
        spec_version,
        impl_version: 1,
        apis: t::Cow(
            RUNTIME_APIS
                .iter()
                .map(|(name, v)| (sp_crypto_hashing::blake2_64(name.as_bytes()), *v))
                .collect(),
        ),
        transaction_version: TRANSACTION_VERSION,
        system_version: 1,
    }
}

fn runtime_version_json(v: &t::RuntimeVersion) -> Value {
    let apis: Vec<Value> = v.apis.0.iter().map(|(id, n)| json!([hex0x(id), n])).collect();
    json!({
        "specName": v.spec_name.0,
        "implName": v.impl_name.0,
        "authoringVersion": v.authoring_version,
        "specVersion": v.spec_version,
        "implVersion": v.impl_version,
        "apis": apis,
        "transactionVersion": v.transaction_version,
        "stateVersion": v.system_version,
        "systemVersion": v.system_version,
    })
}

/// A block number as Substrate accepts it: a number or a hex string.
fn block_number(method: &str, v: &Value) -> Result<u64, RpcError> {
    let bad = || {
        RpcError::invalid_params(format!(
            "invalid params for {method}: a block number is a non-negative integer or a 0x-hex \
             string (got {v})"
        ))
    };
    match v {
        Value::Number(n) => n.as_u64().ok_or_else(bad),
        Value::String(s) => {
            u64::from_str_radix(s.strip_prefix("0x").ok_or_else(bad)?, 16).map_err(|_| bad())
        }
        _ => Err(bad()),
    }
}

/// Block `n`'s hash. Clients ask for block 0 to learn the genesis hash; localnet's genesis block
/// carries the genesis' `start_block` number, so 0 names it whatever its number.
fn hash_of_number(state: &AppState, n: u64) -> Value {
    if n == 0 {
        return json!(state.node.signing_context().genesis_hash);
    }
    state.node.header(BlockRef::Number(n)).map_or(Value::Null, |h| json!(h.hash))
}

/// The block `at` names, for state queries: its state root must be the head's.
fn state_root_at(state: &AppState, at: Option<Hash>) -> Result<Option<(u64, Hash)>, RpcError> {
    let Some(hash) = at else { return Ok(None) };
    let header = state
        .node
        .header(BlockRef::Hash(hash))
        .map_err(|_| client_error(format!("UnknownBlock: header not found for {hash}")))?;
    Ok(Some((header.number, header.state_root)))
}

/// Runs `f` on the state of the block `at` names (the head's for `None`): the head's, or one
/// of the recent ones the node keeps ([`crate::node::RECENT_STATES`]).
async fn at_state<R>(
    state: &AppState,
    at: Option<(u64, Hash)>,
    f: impl FnOnce(&Runtime) -> Result<R, RpcError>,
) -> Result<R, RpcError> {
    match state.node.with_state(at.map(|(_, root)| root), f).await {
        Some(answer) => answer,
        None => {
            let (n, head) = (at.map_or(0, |(n, _)| n), state.node.head().number);
            Err(client_error(format!(
                "State already discarded for block {n}: localnet keeps the state of the head \
                 (block {head}) and of the {} blocks before it; query without a block hash or \
                 at a recent block",
                crate::node::RECENT_STATES
            )))
        }
    }
}

fn storage_value(rt: &Runtime, item: StorageItem) -> Option<Vec<u8>> {
    match item {
        StorageItem::SystemAccount(who) => {
            let a = rt.account(&AccountId(who));
            if a.free == 0 && a.reserved == 0 && a.nonce == 0 {
                return None;
            }
            let info = t::AccountInfo {
                nonce: u32::try_from(a.nonce).unwrap_or(u32::MAX),
                consumers: 0,
                providers: 1,
                sufficients: 0,
                data: AccountData {
                    free: a.free,
                    reserved: a.reserved,
                    frozen: 0,
                    flags: ExtraFlags::NEW_LOGIC,
                },
            };
            Some(info.encode())
        }
        // Not in the state (see `off_state`).
        StorageItem::SystemEvents | StorageItem::MevShieldNextKey => None,
        StorageItem::SystemNumber => {
            Some(u32::try_from(rt.block_number()).unwrap_or(u32::MAX).encode())
        }
        StorageItem::TimestampNow => Some(rt.head().header.timestamp_ms.encode()),
        StorageItem::SubtensorTotalIssuance => Some(rt.total_issuance().encode()),
        StorageItem::BalancesTotalIssuance => Some(rt.total_balance().encode()),
        StorageItem::TotalNetworks => Some(rt.total_networks().encode()),
        StorageItem::Subnet(item, netuid) => rt.subnet_item(item, netuid),
        StorageItem::SubnetIdentity(netuid) => rt.subnet_identity_item(netuid),
        StorageItem::Commitment(..) => None,
        StorageItem::SwapFeeRate(netuid) => rt.swap_fee_rate(netuid),
    }
}

/// The value of an item that is not in the state, `None` for one that is: `System.Events`
/// (kept with each block) and `MevShield.NextKey` (the block author's key, the same at every
/// block: clients read it at the head).
fn off_state(
    state: &AppState,
    item: StorageItem,
    at: Option<Hash>,
) -> Result<Option<Option<Vec<u8>>>, RpcError> {
    Ok(match item {
        StorageItem::SystemEvents => Some(block_events(state, at)?),
        StorageItem::MevShieldNextKey => Some(Some(state.node.shield_next_key().encode())),
        _ => None,
    })
}

/// `System.Events` at `at` (the head if `None`): the events of that block, `None` for a
/// block with none (the storage value is then absent, as on Substrate).
fn block_events(state: &AppState, at: Option<Hash>) -> Result<Option<Vec<u8>>, RpcError> {
    let block = state
        .node
        .block(at.map_or(BlockRef::Head, BlockRef::Hash))
        .map_err(|e| client_error(format!("UnknownBlock: {e}")))?;
    let records = crate::substrate::events::records(&block);
    Ok((!records.is_empty()).then(|| records.encode()))
}

/// Decodes a runtime-API argument list, all of it.
fn args<T: Decode>(name: &str, mut input: &[u8]) -> Result<T, RpcError> {
    let value = T::decode(&mut input).map_err(|e| {
        client_error(format!("Execution failed: bad input data provided to {name}: {e}"))
    })?;
    if !input.is_empty() {
        return Err(client_error(format!(
            "Execution failed: bad input data provided to {name}: {} bytes left over",
            input.len()
        )));
    }
    Ok(value)
}

/// Runtime API `name` on `input`, for a node whose blocks are `slot_ms` apart (its metadata's
/// `Aura.SlotDuration`).
fn runtime_call(rt: &Runtime, slot_ms: u64, name: &str, input: &[u8]) -> Result<Vec<u8>, RpcError> {
    Ok(match name {
        "Core_version" => {
            args::<()>(name, input)?;
            runtime_version(rt.signing_context().spec_version).encode()
        }
        "Metadata_metadata" => {
            args::<()>(name, input)?;
            OpaqueMetadata(
                metadata::metadata_bytes(14, slot_ms).map_or_else(Vec::new, |b| b.to_vec()),
            )
            .encode()
        }
        "Metadata_metadata_versions" => {
            args::<()>(name, input)?;
            METADATA_VERSIONS.to_vec().encode()
        }
        "Metadata_metadata_at_version" => {
            let version: u32 = args(name, input)?;
            metadata::metadata_bytes(version, slot_ms).map(|b| OpaqueMetadata(b.to_vec())).encode()
        }
        "SubnetInfoRuntimeApi_get_all_dynamic_info" => {
            args::<()>(name, input)?;
            rt.all_dynamic_info().encode()
        }
        "SubnetInfoRuntimeApi_get_dynamic_info" => {
            let netuid: u16 = args(name, input)?;
            rt.dynamic_info(netuid).encode()
        }
        "SubnetInfoRuntimeApi_get_metagraph" => {
            let netuid: u16 = args(name, input)?;
            rt.metagraph(netuid).encode()
        }
        "SubnetInfoRuntimeApi_get_selective_metagraph" => {
            let (netuid, wanted): (u16, Vec<u16>) = args(name, input)?;
            rt.selective_metagraph(netuid, &wanted).encode()
        }
        "SubnetInfoRuntimeApi_get_selective_mechagraph" => {
            let (netuid, mechanism, wanted): (u16, u8, Vec<u16>) = args(name, input)?;
            // localnet's subnets have one mechanism, 0.
            (mechanism == 0).then(|| rt.selective_metagraph(netuid, &wanted)).flatten().encode()
        }
        "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2" => {
            let netuid: u16 = args(name, input)?;
            rt.subnet_hyperparams_v2(netuid).encode()
        }
        "SwapRuntimeApi_current_alpha_price" => {
            let netuid: u16 = args(name, input)?;
            rt.current_alpha_price(netuid).encode()
        }
        "SwapRuntimeApi_current_alpha_price_all" => {
            args::<()>(name, input)?;
            rt.current_alpha_price_all().encode()
        }
        "SwapRuntimeApi_sim_swap_tao_for_alpha" => {
            let (netuid, tao): (u16, u64) = args(name, input)?;
            rt.sim_swap(netuid, Side::Buy, tao).encode()
        }
        "SwapRuntimeApi_sim_swap_alpha_for_tao" => {
            let (netuid, alpha): (u16, u64) = args(name, input)?;
            rt.sim_swap(netuid, Side::Sell, alpha).encode()
        }
        "StakeInfoRuntimeApi_get_stake_info_for_coldkey" => {
            let who: t::AccountId32 = args(name, input)?;
            rt.stake_info_for_coldkey(&AccountId(who.0)).encode()
        }
        "StakeInfoRuntimeApi_get_stake_info_for_coldkeys" => {
            let list: Vec<t::AccountId32> = args(name, input)?;
            let out: Vec<(t::AccountId32, Vec<t::StakeInfo>)> = list
                .into_iter()
                .map(|who| (who, rt.stake_info_for_coldkey(&AccountId(who.0))))
                .collect();
            out.encode()
        }
        "StakeInfoRuntimeApi_get_stake_info_for_hotkey_coldkey_netuid" => {
            let (hotkey, coldkey, netuid): (t::AccountId32, t::AccountId32, u16) =
                args(name, input)?;
            rt.stake_info(&AccountId(hotkey.0), &AccountId(coldkey.0), netuid).encode()
        }
        "NeuronInfoRuntimeApi_get_neurons_lite" => {
            let netuid: u16 = args(name, input)?;
            rt.neurons_lite(netuid).encode()
        }
        "NeuronInfoRuntimeApi_get_neuron_lite" => {
            let (netuid, uid): (u16, u16) = args(name, input)?;
            rt.neuron_lite(netuid, uid).encode()
        }
        "TransactionPaymentApi_query_info" => {
            let (uxt, _len): (t::UncheckedExtrinsic, u32) = args(name, input)?;
            let bad = |why: String| {
                client_error(format!("Execution failed: bad input data provided to {name}: {why}"))
            };
            let signed = crate::substrate::extrinsic::decode_signed(&uxt.0.0).map_err(bad)?;
            let call = crate::substrate::extrinsic::chain_call(&signed.call).map_err(bad)?;
            t::RuntimeDispatchInfo {
                weight: t::Weight::default(),
                class: t::DispatchClass::Normal,
                partial_fee: rt.estimate_fee(&call),
            }
            .encode()
        }
        "AccountNonceApi_account_nonce" => {
            let who: t::AccountId32 = args(name, input)?;
            let nonce = rt.account(&AccountId(who.0)).nonce;
            u32::try_from(nonce).unwrap_or(u32::MAX).encode()
        }
        other => {
            return Err(client_error(format!(
                "Execution failed: Other: Exported method {other} is not found"
            )));
        }
    })
}

/// Substrate's bound on `state_getKeysPaged`'s `count`.
const MAX_KEYS_PAGED: u32 = 1000;

/// The storage item a key names: `Ok(None)` for a key of no declared item (it holds nothing),
/// an error for an item the metadata declares but localnet does not serve, rather than a
/// misleading absence.
fn served_item(key: &[u8]) -> Result<Option<StorageItem>, RpcError> {
    if let Some(item) = storage::parse(key) {
        return Ok(Some(item));
    }
    match metadata::declared_item(key) {
        Some((pallet, entry)) => Err(not_served(pallet, entry)),
        None => Ok(None),
    }
}

fn not_served(pallet: &str, entry: &str) -> RpcError {
    client_error(format!(
        "localnet declares {pallet}.{entry} but does not serve it yet; docs/rpc.md lists the \
         storage items served"
    ))
}

/// Whether keys under `a` and keys under `b` can coincide (one is a prefix of the other).
fn overlaps(a: &[u8], b: &[u8]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// `state_getKeysPaged`: up to `count` keys under `prefix`, after `start` (exclusive), in key
/// order, from the served items (a prefix reaching into a declared item localnet does not
/// serve is refused: its keys cannot be listed).
async fn keys_paged(
    state: &AppState,
    prefix: Vec<u8>,
    count: u32,
    start: Option<Vec<u8>>,
    at: Option<Hash>,
) -> Result<Value, RpcError> {
    if count > MAX_KEYS_PAGED {
        return Err(RpcError::new(
            codes::INVALID_COUNT,
            format!("count exceeds maximum value. value: {count}, max: {MAX_KEYS_PAGED}"),
        ));
    }
    let served: Vec<_> = storage::served()
        .filter(|(pallet, name, _)| overlaps(&storage::prefix(pallet, name), &prefix))
        .collect();
    if let Some((pallet, name)) = metadata::declared_items()
        .find(|(head, pallet, name)| {
            overlaps(head, &prefix) && !served.iter().any(|(p, n, _)| p == pallet && n == name)
        })
        .map(|(_, pallet, name)| (pallet, name))
    {
        return Err(not_served(pallet, name));
    }
    let mut keys: Vec<Vec<u8>> = Vec::new();
    for (_, _, served) in &served {
        if let storage::Served::Plain(item) = *served
            && off_state(state, item, at)?.is_some_and(|value| value.is_some())
        {
            keys.push(storage::key(item));
        }
    }
    let checked = state_root_at(state, at)?;
    let listed = at_state(state, checked, move |rt| {
        Ok::<_, RpcError>(
            served
                .iter()
                .flat_map(|(_, _, s)| rt.served_items(*s))
                .map(storage::key)
                .collect::<Vec<_>>(),
        )
    })
    .await?;
    keys.extend(listed);
    keys.retain(|k| k.starts_with(&prefix) && start.as_ref().is_none_or(|s| k > s));
    keys.sort_unstable();
    keys.truncate(usize::try_from(count).unwrap_or(usize::MAX));
    Ok(Value::Array(keys.iter().map(|k| json!(hex0x(k))).collect()))
}

/// `state_queryStorageAt`: the values of `keys` at `at` (the head if `None`), one change set
/// `{block, changes: [[key, value | null]]}` as Substrate answers for a single block (keys in
/// lowercase hex, as Substrate writes them back).
async fn query_storage_at(
    state: &AppState,
    keys: Vec<Vec<u8>>,
    at: Option<Hash>,
) -> Result<Value, RpcError> {
    let mut items = Vec::with_capacity(keys.len());
    for key in &keys {
        items.push(served_item(key)?);
    }
    let mut off = Vec::with_capacity(items.len());
    for item in &items {
        off.push(match item {
            Some(item) => off_state(state, *item, at)?,
            None => None,
        });
    }
    let checked = state_root_at(state, at)?;
    let (block, values) = at_state(state, checked, move |rt| {
        let values: Vec<Option<Vec<u8>>> = items
            .iter()
            .zip(off)
            .map(|(item, off)| match (item, off) {
                (_, Some(value)) => value,
                (Some(item), None) => storage_value(rt, *item),
                (None, None) => None,
            })
            .collect();
        Ok::<_, RpcError>((at.unwrap_or(rt.head().header.hash), values))
    })
    .await?;
    let changes: Vec<Value> = keys
        .iter()
        .zip(values)
        .map(|(key, value)| json!([hex0x(key), value.map(|v| hex0x(&v))]))
        .collect();
    Ok(json!([{ "block": block, "changes": changes }]))
}

/// `state_subscribeStorage`'s notifications: every key's value at the head now, then after each
/// new block the keys whose values it changed (none: no notification). A subscriber that falls
/// behind the state the node keeps skips to the next block it can read.
async fn storage_changes(
    state: AppState,
    keys: Vec<Vec<u8>>,
) -> Result<BoxStream<'static, Value>, RpcError> {
    let blocks = state.node.subscribe_blocks();
    let first = query_storage_at(&state, keys.clone(), None).await?;
    let seen = changes(&first).cloned().unwrap_or_default();
    let first = first.get(0).cloned().unwrap_or(Value::Null);
    let rest = futures::stream::unfold(
        (state, keys, blocks, seen),
        |(state, keys, mut blocks, mut seen)| async move {
            loop {
                let block = match blocks.recv().await {
                    Ok(block) => block,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                };
                let hash = block.header.hash;
                let Ok(answer) = query_storage_at(&state, keys.clone(), Some(hash)).await else {
                    continue;
                };
                let Some(now) = changes(&answer) else { continue };
                let changed: Vec<Value> =
                    now.iter().filter(|c| !seen.contains(c)).cloned().collect();
                seen = now.clone();
                if !changed.is_empty() {
                    let note = json!({ "block": hash, "changes": changed });
                    return Some((note, (state, keys, blocks, seen)));
                }
            }
        },
    );
    Ok(futures::stream::once(async move { first }).chain(rest).boxed())
}

/// The `[key, value]` pairs of `query_storage_at`'s one change set.
fn changes(answer: &Value) -> Option<&Vec<Value>> {
    answer.get(0)?.get("changes")?.as_array()
}

pub(super) async fn dispatch(
    state: &AppState,
    method: &str,
    p: Value,
    conn: Option<&mut Connection>,
) -> Result<Value, RpcError> {
    let node = &state.node;
    match method {
        m::SYSTEM_NAME => {
            no_params(method, p)?;
            to_value("taoplex-localnet")
        }
        m::SYSTEM_VERSION => {
            no_params(method, p)?;
            to_value(env!("CARGO_PKG_VERSION"))
        }
        m::SYSTEM_PROPERTIES => {
            no_params(method, p)?;
            Ok(properties())
        }
        m::SYSTEM_HEALTH => {
            no_params(method, p)?;
            Ok(json!({ "isSyncing": false, "peers": 0, "shouldHavePeers": false }))
        }
        m::CHAIN_GET_BLOCK_HASH | m::CHAIN_GET_HEAD => {
            let (n,): (Value,) = params(method, "[number? | [numbers]]", p, 1)?;
            Ok(match n {
                Value::Null => json!(node.head().hash),
                Value::Array(list) => {
                    let mut out = Vec::with_capacity(list.len());
                    for v in &list {
                        out.push(hash_of_number(state, block_number(method, v)?));
                    }
                    Value::Array(out)
                }
                v => hash_of_number(state, block_number(method, &v)?),
            })
        }
        m::CHAIN_GET_FINALIZED_HEAD | m::CHAIN_GET_FINALISED_HEAD => {
            no_params(method, p)?;
            to_value(node.header(BlockRef::Finalized).map_err(super::methods::node_error)?.hash)
        }
        m::CHAIN_GET_HEADER => {
            let (at,): (Option<Hash>,) = params(method, "[hash?]", p, 1)?;
            let at = at.map_or(BlockRef::Head, BlockRef::Hash);
            Ok(node.header(at).map_or(Value::Null, |h| header_json(&h)))
        }
        m::CHAIN_GET_BLOCK => {
            let (at,): (Option<Hash>,) = params(method, "[hash?]", p, 1)?;
            let at = at.map_or(BlockRef::Head, BlockRef::Hash);
            // Block bodies: the extrinsics in their block order, so an index in an event's
            // `ApplyExtrinsic` phase names its extrinsic (localnet has no inherents).
            Ok(node.block(at).map_or(Value::Null, |b| {
                let extrinsics: Vec<String> =
                    b.extrinsics.iter().map(|x| hex0x(&x.encoded)).collect();
                json!({
                    "block": { "header": header_json(&b.header), "extrinsics": extrinsics },
                    "justifications": null,
                })
            }))
        }
        m::CHAIN_SUBSCRIBE_NEW_HEADS | m::CHAIN_SUBSCRIBE_ALL_HEADS => {
            let conn = conn.ok_or_else(|| need_ws(method))?;
            no_params(method, p)?;
            let kind = if method == m::CHAIN_SUBSCRIBE_NEW_HEADS {
                SubKind::NewHeads
            } else {
                SubKind::AllHeads
            };
            to_value(conn.subscribe(kind, Source::Blocks(node.subscribe_blocks()))?)
        }
        m::CHAIN_SUBSCRIBE_FINALIZED_HEADS => {
            let conn = conn.ok_or_else(|| need_ws(method))?;
            no_params(method, p)?;
            let rx = node.subscribe_finalized();
            to_value(conn.subscribe(SubKind::FinalizedHeads, Source::Finalized(rx))?)
        }
        m::CHAIN_UNSUBSCRIBE_NEW_HEADS
        | m::CHAIN_UNSUBSCRIBE_FINALIZED_HEADS
        | m::CHAIN_UNSUBSCRIBE_ALL_HEADS => {
            let kind = match method {
                m::CHAIN_UNSUBSCRIBE_NEW_HEADS => SubKind::NewHeads,
                m::CHAIN_UNSUBSCRIBE_FINALIZED_HEADS => SubKind::FinalizedHeads,
                _ => SubKind::AllHeads,
            };
            unsubscribe(method, p, conn, kind)
        }
        m::STATE_GET_METADATA => {
            let (at,): (Option<Hash>,) = params(method, "[hash?]", p, 1)?;
            state_root_at(state, at)?;
            let bytes = metadata::metadata_bytes(14, node.info().block_time_ms);
            to_value(hex0x(bytes.as_deref().unwrap_or_default()))
        }
        m::STATE_GET_RUNTIME_VERSION | m::CHAIN_GET_RUNTIME_VERSION => {
            let (at,): (Option<Hash>,) = params(method, "[hash?]", p, 1)?;
            state_root_at(state, at)?;
            Ok(runtime_version_json(&runtime_version(node.signing_context().spec_version)))
        }
        m::STATE_SUBSCRIBE_RUNTIME_VERSION | m::CHAIN_SUBSCRIBE_RUNTIME_VERSION => {
            let conn = conn.ok_or_else(|| need_ws(method))?;
            no_params(method, p)?;
            let version =
                runtime_version_json(&runtime_version(node.signing_context().spec_version));
            let once = futures::stream::once(async move { version }).boxed();
            to_value(conn.subscribe(SubKind::RuntimeVersion, Source::Values(once))?)
        }
        m::STATE_UNSUBSCRIBE_RUNTIME_VERSION | m::CHAIN_UNSUBSCRIBE_RUNTIME_VERSION => {
            unsubscribe(method, p, conn, SubKind::RuntimeVersion)
        }
        m::STATE_SUBSCRIBE_STORAGE => {
            let conn = conn.ok_or_else(|| need_ws(method))?;
            let (keys,): (Vec<String>,) = params(method, "[[\"0x…\" keys]]", p, 1)?;
            let keys = keys
                .into_iter()
                .map(|k| parse_hex(method, "a storage key", &k))
                .collect::<Result<Vec<_>, _>>()?;
            // Refuse keys localnet does not serve now, not in the middle of the stream.
            for key in &keys {
                served_item(key)?;
            }
            let stream = storage_changes(state.clone(), keys).await?;
            to_value(conn.subscribe(SubKind::Storage, Source::Values(stream))?)
        }
        m::STATE_UNSUBSCRIBE_STORAGE => unsubscribe(method, p, conn, SubKind::Storage),
        m::STATE_CALL => {
            let (name, data, at): (String, String, Option<Hash>) =
                params(method, "[\"Api_method\", \"0x…\" args, hash?]", p, 3)?;
            // Substrate reads the call data with or without `0x` (taoplex's client omits it).
            let data = if data.starts_with("0x") { data } else { format!("0x{data}") };
            let input = parse_hex(method, "the call data", &data)?;
            let at = state_root_at(state, at)?;
            let slot_ms = node.info().block_time_ms;
            let out = at_state(state, at, |rt| runtime_call(rt, slot_ms, &name, &input)).await?;
            to_value(hex0x(&out))
        }
        m::STATE_GET_STORAGE | m::STATE_GET_STORAGE_AT => {
            let (key, at): (String, Option<Hash>) = params(method, "[\"0x…\" key, hash?]", p, 2)?;
            let key = parse_hex(method, "the storage key", &key)?;
            let item = match storage::parse(&key) {
                Some(item) => item,
                None => {
                    if let Some((pallet, entry)) = metadata::declared_item(&key) {
                        return Err(client_error(format!(
                            "localnet declares {pallet}.{entry} but does not serve it yet; \
                             docs/rpc.md lists the storage items served"
                        )));
                    }
                    return Ok(Value::Null);
                }
            };
            if let Some(value) = off_state(state, item, at)? {
                return Ok(value.map_or(Value::Null, |v| json!(hex0x(&v))));
            }
            let at = state_root_at(state, at)?;
            let value = at_state(state, at, |rt| Ok(storage_value(rt, item))).await?;
            Ok(value.map_or(Value::Null, |v| json!(hex0x(&v))))
        }
        m::STATE_GET_KEYS_PAGED => {
            let (prefix, count, start, at): (Option<String>, u32, Option<String>, Option<Hash>) =
                params(method, "[\"0x…\" prefix, count, \"0x…\" startKey?, hash?]", p, 4)?;
            let prefix = match prefix {
                Some(h) => parse_hex(method, "the key prefix", &h)?,
                None => Vec::new(),
            };
            let start = start.map(|h| parse_hex(method, "the start key", &h)).transpose()?;
            keys_paged(state, prefix, count, start, at).await
        }
        m::STATE_QUERY_STORAGE_AT => {
            let (keys, at): (Vec<String>, Option<Hash>) =
                params(method, "[[\"0x…\" keys], hash?]", p, 2)?;
            let keys = keys
                .into_iter()
                .map(|k| parse_hex(method, "a storage key", &k))
                .collect::<Result<Vec<_>, _>>()?;
            query_storage_at(state, keys, at).await
        }
        other => Err(RpcError::new(
            codes::METHOD_NOT_FOUND,
            format!("method not found: {other:?}; rpc_methods lists the methods"),
        )),
    }
}
