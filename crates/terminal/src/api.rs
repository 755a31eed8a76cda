//! The public REST API, `/api/v1/...`. Amounts are integer rao as JSON strings; lists page with
//! an opaque `before` cursor (the response's `next_cursor`) and a bounded `limit`.

use std::sync::{Arc, Mutex, PoisonError};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use chain::{AccountId, BlockNumber, NetUid, NeuronInfo};
use market::{
    BLOCKS_PER_30D, EventFilter, FeedEvent, FeedKind, Interval, MAX_CANDLES, Overview, OverviewRow,
    SubnetDetail, TapeRow, TradeFilter,
};
use serde::Serialize;

use crate::cells;
use crate::error::{ApiError, ApiResult};
use crate::params::{Params, path_netuid};
use crate::state::AppState;
use crate::usd::UsdQuote;

/// Block time the API uses to place candles in time, ms (12 s blocks).
pub const BLOCK_TIME_MS: u64 = 12_000;

fn json_bytes(bytes: Bytes) -> Response {
    let mut r = bytes.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn to_json<T: Serialize>(v: &T) -> ApiResult<Bytes> {
    serde_json::to_vec(v)
        .map(Bytes::from)
        .map_err(|e| ApiError::Internal(format!("serialise: {e}")))
}

// ---------------------------------------------------------------- status

#[derive(Serialize)]
struct Status {
    as_of_block: BlockNumber,
    as_of_timestamp_ms: u64,
    age_ms: u64,
    subnets: usize,
    usd: Option<UsdQuote>,
}

pub(crate) async fn status(
    State(s): State<AppState>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    Params::parse(&uri, &[])?;
    let o = s.market.overview().await?;
    let st = Status {
        as_of_block: o.as_of_block,
        as_of_timestamp_ms: o.as_of_timestamp_ms,
        age_ms: s.clock.now_ms().saturating_sub(o.as_of_timestamp_ms),
        subnets: o.rows.len(),
        usd: s.usd.quote(),
    };
    Ok(Json(serde_json::to_value(st).map_err(|e| ApiError::Internal(e.to_string()))?))
}

// ---------------------------------------------------------------- overview

const SORT_KEYS: [&str; 11] = [
    "netuid",
    "name",
    "price",
    "change_1h",
    "change_24h",
    "change_7d",
    "market_cap",
    "volume_24h",
    "tao_in_pool",
    "emission_share",
    "net_flow_24h",
];

#[derive(Serialize)]
struct OverviewPage<'a> {
    as_of_block: BlockNumber,
    as_of_timestamp_ms: u64,
    usd: Option<UsdQuote>,
    total: usize,
    offset: usize,
    limit: usize,
    sort: &'a str,
    order: &'a str,
    rows: Vec<&'a OverviewRow>,
}

/// Caches the serialised default overview (no parameters) per block and USD price.
#[derive(Default)]
pub(crate) struct OverviewCache(Mutex<Option<(BlockNumber, Option<u64>, Bytes)>>);

fn overview_page(o: &Overview, usd: Option<UsdQuote>, p: &Params, max: u32) -> ApiResult<Bytes> {
    let sort = p.str("sort").unwrap_or("market_cap");
    if !SORT_KEYS.contains(&sort) {
        return Err(ApiError::param(
            "sort",
            format!("unknown column {sort:?}; use one of {}", SORT_KEYS.join(", ")),
        ));
    }
    let order =
        p.str("order").unwrap_or(if sort == "netuid" || sort == "name" { "asc" } else { "desc" });
    if order != "asc" && order != "desc" {
        return Err(ApiError::param("order", format!("{order:?} is neither asc nor desc")));
    }
    let limit = usize::try_from(p.limit(max, max)?).unwrap_or(usize::MAX);
    let offset = p.int::<usize>("offset", 0, 1_000_000)?.unwrap_or(0);
    let mut rows: Vec<&OverviewRow> = o.rows.iter().collect();
    if sort == "name" {
        rows.sort_by(|a, b| {
            a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.netuid.cmp(&b.netuid))
        });
    } else {
        rows.sort_by(|a, b| {
            cells::sort_value(a, sort)
                .total_cmp(&cells::sort_value(b, sort))
                .then(a.netuid.cmp(&b.netuid))
        });
    }
    if order == "desc" {
        rows.reverse();
    }
    let total = rows.len();
    let rows: Vec<&OverviewRow> = rows.into_iter().skip(offset).take(limit).collect();
    to_json(&OverviewPage {
        as_of_block: o.as_of_block,
        as_of_timestamp_ms: o.as_of_timestamp_ms,
        usd,
        total,
        offset,
        limit,
        sort,
        order,
        rows,
    })
}

pub(crate) async fn overview(State(s): State<AppState>, uri: Uri) -> ApiResult<Response> {
    let p = Params::parse(&uri, &["sort", "order", "limit", "offset"])?;
    let o = s.market.overview().await?;
    let usd = s.usd.quote();
    let usd_bits = usd.as_ref().map(|q| q.usd_per_tao.to_bits());
    let default = uri.query().is_none_or(str::is_empty);
    if default {
        let c = s.overview_cache.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((b, u, bytes)) = c.as_ref()
            && *b == o.as_of_block
            && *u == usd_bits
        {
            return Ok(json_bytes(bytes.clone()));
        }
    }
    let bytes = overview_page(&o, usd, &p, 1000)?;
    if default {
        // The cache is replaced whole, so a poisoned lock still holds a valid entry.
        *s.overview_cache.0.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((o.as_of_block, usd_bits, bytes.clone()));
    }
    Ok(json_bytes(bytes))
}

// ---------------------------------------------------------------- subnet

#[derive(Serialize)]
struct SubnetResponse {
    #[serde(flatten)]
    detail: SubnetDetail,
    registration_age_blocks: Option<u64>,
    as_of_timestamp_ms: u64,
}

pub(crate) async fn subnet(
    State(s): State<AppState>,
    Path(netuid): Path<String>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    Params::parse(&uri, &[])?;
    let netuid = path_netuid(&netuid)?;
    let detail = s.market.subnet(netuid).await?;
    let o = s.market.overview().await?;
    let age = detail.info.as_ref().map(|i| detail.row.as_of_block.saturating_sub(i.registered_at));
    let r = SubnetResponse {
        detail,
        registration_age_blocks: age,
        as_of_timestamp_ms: o.as_of_timestamp_ms,
    };
    Ok(Json(serde_json::to_value(r).map_err(|e| ApiError::Internal(e.to_string()))?))
}

// ---------------------------------------------------------------- candles

#[derive(Serialize)]
struct CandlesResponse {
    netuid: NetUid,
    interval: &'static str,
    interval_blocks: u64,
    block_time_ms: u64,
    as_of_block: BlockNumber,
    as_of_timestamp_ms: u64,
    candles: Vec<market::Candle>,
}

pub(crate) async fn candles(
    State(s): State<AppState>,
    Path(netuid): Path<String>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(&uri, &["interval", "from", "to", "limit"])?;
    let netuid = path_netuid(&netuid)?;
    let interval: Interval = p.parsed("interval")?.unwrap_or(Interval::H1);
    let max = u32::try_from(MAX_CANDLES).unwrap_or(u32::MAX);
    let limit = u64::from(p.limit(300, max)?);
    let o = s.market.overview().await?;
    let to = p.block("to")?.unwrap_or(o.as_of_block).min(o.as_of_block);
    let from = match p.block("from")? {
        Some(f) => f,
        None => to.saturating_sub((limit - 1) * interval.blocks()),
    };
    if from > to {
        return Err(ApiError::param("from", format!("block {from} is after `to` ({to})")));
    }
    if (to - from) / interval.blocks() + 1 > limit {
        return Err(ApiError::param(
            "from",
            format!(
                "the range holds more than {limit} candles of {}; narrow it or raise `limit` (at most {MAX_CANDLES})",
                interval.as_str()
            ),
        ));
    }
    let candles = s.market.candles(netuid, interval, from, to).await?;
    let r = CandlesResponse {
        netuid,
        interval: interval.as_str(),
        interval_blocks: interval.blocks(),
        block_time_ms: BLOCK_TIME_MS,
        as_of_block: o.as_of_block,
        as_of_timestamp_ms: o.as_of_timestamp_ms,
        candles,
    };
    Ok(Json(serde_json::to_value(r).map_err(|e| ApiError::Internal(e.to_string()))?))
}

// ---------------------------------------------------------------- trades

#[derive(Serialize)]
struct TradesResponse {
    trades: Vec<TapeRow>,
    next_cursor: Option<String>,
}

pub(crate) fn trade_filter(p: &Params, netuid: Option<NetUid>, max: u32) -> ApiResult<TradeFilter> {
    let before = p.cursor::<3>("before", "block-extrinsic-seq")?;
    let before = before
        .map(|[b, e, q]| {
            let e = u32::try_from(e)
                .map_err(|_| ApiError::param("before", "extrinsic index too large"))?;
            let q =
                u32::try_from(q).map_err(|_| ApiError::param("before", "sequence too large"))?;
            Ok::<_, ApiError>((b, e, q))
        })
        .transpose()?;
    let coldkey = p
        .str("coldkey")
        .map(|c| {
            c.parse::<AccountId>()
                .map_err(|e| ApiError::param("coldkey", format!("not an SS58 address: {e}")))
        })
        .transpose()?;
    Ok(TradeFilter {
        netuid,
        coldkey,
        min_tao: p.int::<u64>("min_tao", 0, u64::MAX)?,
        before,
        from_block: p.block("from")?,
        limit: p.limit(50, max)?,
    })
}

fn trades_response(trades: Vec<TapeRow>, limit: u32) -> TradesResponse {
    let next_cursor = (trades.len() >= usize::try_from(limit).unwrap_or(usize::MAX))
        .then(|| {
            trades
                .last()
                .map(|t| format!("{}-{}-{}", t.trade.block, t.trade.extrinsic, t.trade.seq))
        })
        .flatten();
    TradesResponse { trades, next_cursor }
}

pub(crate) async fn trades(
    State(s): State<AppState>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(&uri, &["netuid", "coldkey", "min_tao", "before", "from", "limit"])?;
    let f = trade_filter(&p, p.netuid("netuid")?, s.config.max_page)?;
    let t = s.market.trades(&f).await?;
    Ok(Json(
        serde_json::to_value(trades_response(t, f.limit))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    ))
}

pub(crate) async fn subnet_trades(
    State(s): State<AppState>,
    Path(netuid): Path<String>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(&uri, &["coldkey", "min_tao", "before", "from", "limit"])?;
    let netuid = path_netuid(&netuid)?;
    let f = trade_filter(&p, Some(netuid), s.config.max_page)?;
    let t = s.market.trades(&f).await?;
    Ok(Json(
        serde_json::to_value(trades_response(t, f.limit))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    ))
}

// ---------------------------------------------------------------- holders, validators, predictability

pub(crate) async fn holders(
    State(s): State<AppState>,
    Path(netuid): Path<String>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(&uri, &["limit"])?;
    let netuid = path_netuid(&netuid)?;
    let limit = usize::try_from(p.limit(20, 100)?).unwrap_or(20);
    let h = s.market.holders(netuid, limit).await?;
    Ok(Json(serde_json::to_value(h).map_err(|e| ApiError::Internal(e.to_string()))?))
}

/// Neurons with validator permits, largest stake first.
pub(crate) async fn validator_list(s: &AppState, netuid: NetUid) -> ApiResult<Vec<NeuronInfo>> {
    let mut v: Vec<NeuronInfo> =
        s.chain.neurons(netuid).await?.into_iter().filter(|n| n.validator_permit).collect();
    v.sort_by(|a, b| b.stake.cmp(&a.stake).then(a.uid.cmp(&b.uid)));
    Ok(v)
}

pub(crate) async fn validators(
    State(s): State<AppState>,
    Path(netuid): Path<String>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    Params::parse(&uri, &[])?;
    let netuid = path_netuid(&netuid)?;
    // 404 for a subnet the market does not know, like the other subnet routes.
    s.market.subnet(netuid).await?;
    let v = validator_list(&s, netuid).await?;
    Ok(Json(serde_json::json!({ "netuid": netuid, "validators": v })))
}

pub(crate) async fn predictability(
    State(s): State<AppState>,
    Path(netuid): Path<String>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(&uri, &["from", "to"])?;
    let netuid = path_netuid(&netuid)?;
    let o = s.market.overview().await?;
    let to = p.block("to")?.unwrap_or(o.as_of_block);
    let from = p.block("from")?.unwrap_or_else(|| to.saturating_sub(BLOCKS_PER_30D));
    if from > to {
        return Err(ApiError::param("from", format!("block {from} is after `to` ({to})")));
    }
    let r = s.market.predictability(netuid, from, to).await?;
    Ok(Json(serde_json::to_value(r).map_err(|e| ApiError::Internal(e.to_string()))?))
}

// ---------------------------------------------------------------- events

#[derive(Serialize)]
struct EventsResponse {
    events: Vec<FeedEvent>,
    next_cursor: Option<String>,
}

/// The TAO size of an event (whale trades carry one), rao.
pub fn event_tao(e: &FeedEvent) -> Option<u64> {
    e.data.get("tao").and_then(|v| v.as_str()).and_then(|s| s.parse().ok())
}

/// Parsed event filters: the store's filter plus the minimum size (applied here).
pub(crate) fn event_filter(p: &Params, max: u32) -> ApiResult<(EventFilter, Option<u64>)> {
    let kinds = match p.str("kind") {
        None => Vec::new(),
        Some(raw) => raw
            .split(',')
            .filter(|k| !k.is_empty())
            .map(|k| k.parse::<FeedKind>().map_err(|e| ApiError::param("kind", e)))
            .collect::<ApiResult<Vec<_>>>()?,
    };
    let before = p
        .cursor::<2>("before", "block-seq")?
        .map(|[b, q]| {
            u32::try_from(q)
                .map(|q| (b, q))
                .map_err(|_| ApiError::param("before", "sequence too large"))
        })
        .transpose()?;
    Ok((
        EventFilter {
            kinds,
            netuid: p.netuid("netuid")?,
            from_block: p.block("from")?,
            before,
            limit: p.limit(50, max)?,
        },
        p.int::<u64>("min_tao", 0, u64::MAX)?,
    ))
}

/// Events of a filter, minimum size applied; the cursor is the last event the store returned.
pub(crate) async fn events_page(
    s: &AppState,
    f: &EventFilter,
    min_tao: Option<u64>,
) -> ApiResult<(Vec<FeedEvent>, Option<String>)> {
    let raw = s.market.events(f).await?;
    let next = (raw.len() >= usize::try_from(f.limit).unwrap_or(usize::MAX))
        .then(|| raw.last().map(|e| format!("{}-{}", e.block, e.seq)))
        .flatten();
    let events = raw
        .into_iter()
        .filter(|e| min_tao.is_none_or(|m| event_tao(e).is_some_and(|t| t >= m)))
        .collect();
    Ok((events, next))
}

pub(crate) async fn events(
    State(s): State<AppState>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(&uri, &["kind", "netuid", "min_tao", "from", "before", "limit"])?;
    let (f, min) = event_filter(&p, s.config.max_page)?;
    let (events, next_cursor) = events_page(&s, &f, min).await?;
    Ok(Json(
        serde_json::to_value(EventsResponse { events, next_cursor })
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    ))
}

// ---------------------------------------------------------------- portfolio

pub(crate) async fn portfolio(
    State(s): State<AppState>,
    Path(coldkey): Path<String>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    Params::parse(&uri, &[])?;
    let coldkey = address_param("coldkey", &coldkey)?;
    let p = s.market.portfolio(coldkey).await?;
    Ok(Json(serde_json::to_value(p).map_err(|e| ApiError::Internal(e.to_string()))?))
}

fn address_param(name: &'static str, text: &str) -> ApiResult<AccountId> {
    text.parse().map_err(|e| {
        ApiError::param(name, format!("{text:?} is not an SS58 address or 0x public key: {e}"))
    })
}

/// An account at the chain's head, for the trade panel's holding line and "max".
#[derive(Serialize)]
struct AccountView {
    address: AccountId,
    #[serde(with = "chain::u64_string")]
    free: u64,
    #[serde(with = "chain::u64_string")]
    reserved: u64,
    nonce: u64,
    /// The chain's fee for a stake from this account: what "max" keeps back on a buy.
    #[serde(with = "chain::u64_string")]
    stake_fee: u64,
    /// Its stakes (on `netuid` when asked), each with what selling it now returns.
    stakes: Vec<HeldStake>,
}

#[derive(Serialize)]
struct HeldStake {
    hotkey: AccountId,
    netuid: NetUid,
    #[serde(with = "chain::u64_string")]
    alpha: u64,
    /// TAO out of selling it all now (fee included), rao; `null` if the pool cannot take it.
    exit_value: Option<String>,
}

/// `GET /api/v1/accounts/{address}?netuid=`: free and reserved TAO, nonce, the fee a stake
/// costs, and the stakes with their exit values, all read from the chain's head (not the
/// finalized store: the panel shows what the next trade starts from).
pub(crate) async fn account(
    State(s): State<AppState>,
    Path(address): Path<String>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(&uri, &["netuid"])?;
    let netuid = p.netuid("netuid")?;
    let address = address_param("address", &address)?;
    let stake = chain::Call::AddStake {
        hotkey: address,
        netuid: netuid.unwrap_or(1),
        amount_staked: dtao::units::Tao::from_rao(1),
    };
    let (info, stake_fee, stakes) = tokio::try_join!(
        s.chain.account(address),
        s.chain.estimate_fee(address, stake),
        s.chain.stakes(address),
    )?;
    let mut held = Vec::new();
    for st in stakes.into_iter().filter(|st| netuid.is_none_or(|n| n == st.netuid)) {
        let exit = match st.alpha {
            0 => Some(0),
            alpha => s
                .chain
                .quote(st.netuid, dtao::amm::Side::Sell, alpha)
                .await
                .ok()
                .map(|q| q.amount_out),
        };
        held.push(HeldStake {
            hotkey: st.hotkey,
            netuid: st.netuid,
            alpha: st.alpha,
            exit_value: exit.map(|v| v.to_string()),
        });
    }
    let view = AccountView {
        address,
        free: info.free,
        reserved: info.reserved,
        nonce: info.nonce,
        stake_fee,
        stakes: held,
    };
    Ok(Json(serde_json::to_value(view).map_err(|e| ApiError::Internal(e.to_string()))?))
}

pub(crate) async fn not_found(uri: Uri) -> ApiError {
    ApiError::NotFound(format!("no API route {}; see /api/openapi.json", uri.path()))
}

/// Shared cache handle type.
pub(crate) type SharedOverviewCache = Arc<OverviewCache>;
