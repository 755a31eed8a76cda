//! Method dispatch: parameters in, node call, result out.

use chain::rpc::{BlockRef, PoolEntry, RpcError, U64Str, codes, methods as m};
use chain::{AccountId, Call, NetUid, Side, SignedTransaction};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::AppState;
use super::ws::{Connection, Source, SubKind};
use crate::node::NodeError;

pub(super) fn to_value<T: Serialize>(v: T) -> Result<Value, RpcError> {
    serde_json::to_value(v)
        .map_err(|e| RpcError::new(codes::INTERNAL_ERROR, format!("cannot encode the result: {e}")))
}

/// Parses positional params into the tuple `T` of `arity` elements; missing trailing ones are
/// `null` (optional ones default). `usage` shows the expected shape in errors.
pub(super) fn params<T: DeserializeOwned>(
    method: &str,
    usage: &str,
    params: Value,
    arity: usize,
) -> Result<T, RpcError> {
    let bad = |what: String| {
        RpcError::invalid_params(format!("invalid params for {method} (expected {usage}): {what}"))
    };
    let mut list = match params {
        Value::Null => Vec::new(),
        Value::Array(a) => a,
        other => {
            return Err(bad(format!("params must be a positional array, not {}", kind(&other))));
        }
    };
    if list.len() > arity {
        return Err(bad(format!("{} params given, at most {arity} taken", list.len())));
    }
    list.resize(arity, Value::Null);
    serde_json::from_value(Value::Array(list)).map_err(|e| bad(e.to_string()))
}

pub(super) fn no_params(method: &str, params: Value) -> Result<(), RpcError> {
    match params {
        Value::Null => Ok(()),
        Value::Array(a) if a.is_empty() => Ok(()),
        _ => Err(RpcError::invalid_params(format!("{method} takes no params"))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The same typed error `LocalChain` reports, carried in the answer's `data` so that
/// `RpcChain` reports it too.
pub(super) fn node_error(e: NodeError) -> RpcError {
    RpcError::from_chain_error(&chain::ChainError::from(e))
}

/// A submitted transaction: a Subtensor v4 extrinsic, or localnet's own encoding (told apart
/// by their framing, [`crate::substrate::extrinsic::is_extrinsic`]). Says which it was, so that
/// its watchers hear back in the same dialect.
fn decode_tx(state: &AppState, hex: &str) -> Result<(SignedTransaction, bool), RpcError> {
    let refused = |e: chain::TxValidityError| RpcError::invalid_transaction(&e);
    let bytes = hex::decode(hex.strip_prefix("0x").unwrap_or(hex))
        .map_err(|e| refused(chain::TxValidityError::Malformed(format!("not hex: {e}"))))?;
    if !crate::substrate::extrinsic::is_extrinsic(&bytes) {
        return Ok((SignedTransaction::from_hex(hex).map_err(refused)?, false));
    }
    Ok((state.node.read_extrinsic(&bytes).map_err(refused)?, true))
}

pub(super) fn need_ws(method: &str) -> RpcError {
    RpcError::new(
        codes::WEBSOCKET_REQUIRED,
        format!("{method} is a subscription: connect with a WebSocket (ws://) to use it"),
    )
}

/// An `…unsubscribe…` method: `[subscription id]` → whether this connection's subscription of
/// `kind` with that id ended.
pub(super) fn unsubscribe(
    method: &str,
    p: Value,
    conn: Option<&mut Connection>,
    kind: SubKind,
) -> Result<Value, RpcError> {
    let conn = conn.ok_or_else(|| need_ws(method))?;
    let (id,): (String,) = params(method, "[subscription id]", p, 1)?;
    to_value(conn.unsubscribe(&id, kind))
}

pub(crate) async fn dispatch(
    state: &AppState,
    method: &str,
    p: Value,
    conn: Option<&mut Connection>,
) -> Result<Value, RpcError> {
    let node = &state.node;
    match method {
        m::SYSTEM_CHAIN => {
            no_params(method, p)?;
            to_value(node.info().name)
        }
        m::RPC_METHODS => {
            no_params(method, p)?;
            to_value(serde_json::json!({ "methods": m::ALL }))
        }
        m::TAOPLEX_CHAIN_INFO => {
            no_params(method, p)?;
            to_value(node.info())
        }
        m::SYSTEM_ACCOUNT_NEXT_INDEX | m::ACCOUNT_NEXT_INDEX => {
            let (who,): (AccountId,) = params(method, "[address]", p, 1)?;
            to_value(node.account(&who).await.nonce)
        }
        m::TAOPLEX_GET_HEADER => {
            let (at,): (BlockRef,) = params(method, "[block?]", p, 1)?;
            to_value(node.header(at).map_err(node_error)?)
        }
        m::TAOPLEX_GET_BLOCK => {
            let (at,): (BlockRef,) = params(method, "[block?]", p, 1)?;
            to_value(&*node.block(at).map_err(node_error)?)
        }
        m::TAOPLEX_GET_EVENTS => {
            let (at,): (BlockRef,) = params(method, "[block?]", p, 1)?;
            to_value(&node.block(at).map_err(node_error)?.events)
        }
        m::TAOPLEX_ACCOUNT => {
            let (who,): (AccountId,) = params(method, "[address]", p, 1)?;
            to_value(node.account(&who).await)
        }
        m::TAOPLEX_SUBNETS => {
            no_params(method, p)?;
            to_value(node.subnets().await)
        }
        m::TAOPLEX_SUBNET => {
            let (netuid,): (NetUid,) = params(method, "[netuid]", p, 1)?;
            to_value(node.subnet(netuid).await.map_err(node_error)?)
        }
        m::TAOPLEX_POOLS => {
            no_params(method, p)?;
            let pools: Vec<PoolEntry> = node
                .subnets()
                .await
                .into_iter()
                .map(|s| PoolEntry { netuid: s.netuid, pool: s.pool })
                .collect();
            to_value(pools)
        }
        m::TAOPLEX_HYPERPARAMETERS => {
            let (netuid,): (NetUid,) = params(method, "[netuid]", p, 1)?;
            to_value(node.subnet(netuid).await.map_err(node_error)?.hyperparameters)
        }
        m::TAOPLEX_NEURONS => {
            let (netuid,): (NetUid,) = params(method, "[netuid]", p, 1)?;
            to_value(node.neurons(netuid).await.map_err(node_error)?)
        }
        m::TAOPLEX_STAKES => {
            let (who,): (AccountId,) = params(method, "[coldkey]", p, 1)?;
            to_value(node.stakes(&who).await)
        }
        m::TAOPLEX_QUOTE => {
            let (netuid, side, amount): (NetUid, Side, U64Str) =
                params(method, "[netuid, \"buy\"|\"sell\", amount]", p, 3)?;
            to_value(node.quote(netuid, side, amount.0).await.map_err(node_error)?)
        }
        m::TAOPLEX_ESTIMATE_FEE => {
            let (_signer, call): (AccountId, Call) = params(method, "[signer, call]", p, 2)?;
            to_value(U64Str(node.estimate_fee(&call).await))
        }
        m::AUTHOR_SUBMIT_EXTRINSIC => {
            let (hex,): (String,) = params(method, "[\"0x…\" transaction]", p, 1)?;
            let (tx, _) = decode_tx(state, &hex)?;
            to_value(node.submit(tx).await.map_err(node_error)?)
        }
        m::AUTHOR_PENDING_EXTRINSICS => {
            no_params(method, p)?;
            to_value(node.pending().iter().map(SignedTransaction::to_hex).collect::<Vec<_>>())
        }
        m::AUTHOR_SUBMIT_AND_WATCH_EXTRINSIC => {
            let conn = conn.ok_or_else(|| need_ws(method))?;
            let (hex,): (String,) = params(method, "[\"0x…\" transaction]", p, 1)?;
            let (tx, substrate) = decode_tx(state, &hex)?;
            let (_, statuses) = node.submit_and_watch(tx).await.map_err(node_error)?;
            let kind = if substrate { SubKind::SubstrateExtrinsic } else { SubKind::Extrinsic };
            to_value(conn.subscribe(kind, Source::Extrinsic(statuses))?)
        }
        m::TAOPLEX_SUBSCRIBE_HEADS => {
            let conn = conn.ok_or_else(|| need_ws(method))?;
            no_params(method, p)?;
            let rx = node.subscribe_blocks();
            to_value(conn.subscribe(SubKind::TaoplexHeads, Source::Blocks(rx))?)
        }
        m::TAOPLEX_SUBSCRIBE_FINALIZED_HEADS => {
            let conn = conn.ok_or_else(|| need_ws(method))?;
            no_params(method, p)?;
            let rx = node.subscribe_finalized();
            to_value(conn.subscribe(SubKind::TaoplexFinalizedHeads, Source::Finalized(rx))?)
        }
        m::TAOPLEX_SUBSCRIBE_EVENTS => {
            let conn = conn.ok_or_else(|| need_ws(method))?;
            no_params(method, p)?;
            to_value(conn.subscribe(SubKind::Events, Source::Blocks(node.subscribe_blocks()))?)
        }
        m::TAOPLEX_UNSUBSCRIBE_HEADS
        | m::TAOPLEX_UNSUBSCRIBE_FINALIZED_HEADS
        | m::TAOPLEX_UNSUBSCRIBE_EVENTS
        | m::AUTHOR_UNWATCH_EXTRINSIC => {
            let kind = match method {
                m::TAOPLEX_UNSUBSCRIBE_HEADS => SubKind::TaoplexHeads,
                m::TAOPLEX_UNSUBSCRIBE_FINALIZED_HEADS => SubKind::TaoplexFinalizedHeads,
                m::TAOPLEX_UNSUBSCRIBE_EVENTS => SubKind::Events,
                _ => SubKind::Extrinsic,
            };

            unsubscribe(method, p, conn, kind)
        }
        m::TAOPLEX_FAST_FORWARD => {
            let (blocks,): (Option<u64>,) = params(method, "[blocks?]", p, 1)?;
            let blocks = blocks.unwrap_or(1);
            if blocks > state.config.max_fast_forward {
                return Err(RpcError::new(
                    codes::LIMIT_EXCEEDED,
                    format!(
                        "{blocks} blocks asked; one call produces at most {}",
                        state.config.max_fast_forward
                    ),
                ));
            }
            to_value(node.fast_forward(blocks).await.map_err(node_error)?)
        }
        other => super::substrate::dispatch(state, other, p, conn).await,
    }
}
