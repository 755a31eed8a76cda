//! Prepared transactions over the API: the server prepares, the key holder signs elsewhere (the
//! browser wallet, an extension, a Telegram sign link), the server submits and reports status.
//!
//! - `POST /api/v1/tx/prepare` `{signer, call, tolerance_bps?}` → an opaque random id, the
//!   exact payload to sign, the call in words, the fee estimate and (for trades) the chain's
//!   quote. A market order with `tolerance_bps` becomes its limit form at the quote's limit
//!   price, so it fills as quoted or not at all. A `batch_all` is quoted leg by leg (`legs`),
//!   each market leg made its limit form the same way, so the batch fills as quoted or not at all.
//!   A `swap_stake` (alpha from one subnet to another: a sell, then a buy with its TAO) is
//!   quoted as those two legs and, with `tolerance_bps`, becomes `swap_stake_limit` at the
//!   quoted price ratio less the tolerance.
//! - `POST /api/v1/tx/submit` `{id, signature}` → the transaction hash, once the chain has
//!   accepted it into its pool. The signature is checked here first: one that does not verify
//!   for the prepared signer (a wrong key, a payload signed for another account) is refused and
//!   nothing reaches the chain. An id is used once and expires (`Config::tx_ttl_ms`).
//! - `GET /api/v1/tx/{id}` and the stream (`{"watch_tx": id}` → `{"type":"tx",…}` messages):
//!   prepared → submitted → in_block → finalized, or failed with the chain's reason.
//!
//! The server never sees a key: only addresses, payloads and signatures.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Json;
use axum::body::Bytes;
use axum::extract::ws::Utf8Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use chain::{
    AccountId, BlockNumber, Call, ChainError, DispatchError, EventRecord, Hash, NetUid,
    PayloadFormat, Prepared, Side, Signature, SignerPayloadJson, SwapOutcome, TxOptions, TxStatus,
    TxValidityError,
};
use futures::StreamExt;
use futures::stream::BoxStream;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::error::{ApiError, ApiResult};
use crate::i18n::Lang;
use crate::params::Params;
use crate::state::AppState;

/// How long a prepared transaction may be submitted, by default: 120 s.
pub const DEFAULT_TX_TTL_MS: u64 = 120_000;
/// How long a finished (or expired) transaction's status stays readable after its last change.
const KEEP_FINISHED_MS: u64 = 600_000;
/// Prepared transactions held at once; beyond it `prepare` answers 503.
const MAX_HELD: usize = 10_000;
/// The default slippage tolerance of a quote when the request names none: 0.5 %.
pub const DEFAULT_TOLERANCE_BPS: u16 = 50;

/// Why the transaction endpoints refused a request. Nothing was submitted in any of these.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TxRefusal {
    /// No prepared transaction has this id (never prepared, or forgotten long after it ended).
    #[error("no prepared transaction {id}; prepare it with POST /api/v1/tx/prepare")]
    Unknown {
        /// The id asked for.
        id: String,
    },
    /// The prepared transaction expired before it was submitted.
    #[error("prepared transaction {id} expired at {expired_at_ms} (Unix ms); prepare it again")]
    Expired {
        /// The id.
        id: String,
        /// When it expired, Unix ms.
        expired_at_ms: u64,
    },
    /// The id was already submitted; a prepared transaction is used once.
    #[error("prepared transaction {id} was already submitted; prepare a new one")]
    AlreadySubmitted {
        /// The id.
        id: String,
    },
    /// The signature does not verify for the prepared signer over the prepared payload.
    #[error(
        "the signature does not verify for {signer} over this payload; sign exactly the prepared payload with that account's key"
    )]
    BadSignature {
        /// The account the transaction was prepared for.
        signer: AccountId,
    },
    /// The chain refused the transaction before inclusion (nothing charged).
    #[error("the chain refused the transaction: {0}")]
    Refused(TxValidityError),
    /// The trade cannot be quoted: it would fail on chain with this error.
    #[error("the trade would fail: {0}")]
    QuoteFailed(DispatchError),
    /// Too many prepared transactions are held.
    #[error("too many prepared transactions are pending; try again shortly")]
    Busy,
}

impl TxRefusal {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            TxRefusal::Unknown { .. } => StatusCode::NOT_FOUND,
            TxRefusal::Expired { .. } => StatusCode::GONE,
            TxRefusal::AlreadySubmitted { .. } => StatusCode::CONFLICT,
            TxRefusal::BadSignature { .. } => StatusCode::BAD_REQUEST,
            TxRefusal::Refused(_) | TxRefusal::QuoteFailed(_) => StatusCode::UNPROCESSABLE_ENTITY,
            TxRefusal::Busy => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            TxRefusal::Unknown { .. } => "unknown_tx",
            TxRefusal::Expired { .. } => "expired",
            TxRefusal::AlreadySubmitted { .. } => "already_submitted",
            TxRefusal::BadSignature { .. } => "bad_signature",
            TxRefusal::Refused(_) => "refused",
            TxRefusal::QuoteFailed(_) => "quote_failed",
            TxRefusal::Busy => "busy",
        }
    }
}

/// Where a prepared transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Stage {
    Prepared,
    Submitted,
    InBlock,
    Finalized,
    Failed,
    Expired,
}

/// A prepared transaction's public status (`GET /api/v1/tx/{id}` and stream messages).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TxView {
    id: String,
    status: Stage,
    signer: AccountId,
    description: String,
    expires_at_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    tx_hash: Option<Hash>,
    #[serde(skip_serializing_if = "Option::is_none")]
    block: Option<BlockNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    block_hash: Option<Hash>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// The extrinsic's events once in a block: what the trade actually did.
    events: Vec<EventRecord>,
    /// The quote at preparation, to compare with the events.
    quote: Option<Quote>,
    /// A batch's legs, each in words with its own quote (trades only), in order; empty for a
    /// single call.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    legs: Vec<Leg>,
}

/// One leg of a batch as prepared: what it does and, for a trade, the chain's quote.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Leg {
    pub(crate) description: String,
    pub(crate) quote: Option<Quote>,
}

/// A chain quote as the API shows it: amounts in rao (strings), prices in rao per alpha.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Quote {
    netuid: NetUid,
    side: Side,
    #[serde(with = "chain::u64_string")]
    amount_in: u64,
    #[serde(with = "chain::u64_string")]
    pub(crate) amount_out: u64,
    #[serde(with = "chain::u64_string")]
    fee: u64,
    #[serde(with = "chain::u64_string")]
    price_before: u64,
    #[serde(with = "chain::u64_string")]
    price_after: u64,
    /// Price impact as a fraction (0.01 = 1 %), for display.
    pub(crate) impact: f64,
    tolerance_bps: u16,
    #[serde(with = "chain::u64_string")]
    pub(crate) min_received: u64,
    #[serde(with = "chain::u64_string")]
    limit_price: u64,
}

impl Quote {
    pub(crate) fn new(netuid: NetUid, q: &SwapOutcome, tolerance_bps: u16) -> Self {
        Self {
            netuid,
            side: q.side,
            amount_in: q.requested,
            amount_out: q.amount_out,
            fee: q.fee,
            price_before: q.spot_before_rao(),
            price_after: q.spot_after_rao(),
            impact: q.price_impact(),
            tolerance_bps,
            min_received: q.minimum_received(tolerance_bps),
            // The trade's own move plus the tolerance, as the CLI does: quoted as is, it fills.
            limit_price: dtao::amm::limit_price_for_tolerance(
                q.side,
                q.spot_after_rao(),
                tolerance_bps,
            ),
        }
    }
}

/// A swap of stake between subnets as the chain runs it: the alpha sold on `from`, then the TAO
/// it fetched bought into `to`. The chain charges no pool fee on the second leg, so its quote
/// (with the fee) is a floor: `amount_out` is the least the swap returns at today's prices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct SwapQuote {
    from: NetUid,
    to: NetUid,
    /// The two legs, each the chain's quote.
    sell: Quote,
    buy: Quote,
    #[serde(with = "chain::u64_string")]
    amount_out: u64,
    tolerance_bps: u16,
    #[serde(with = "chain::u64_string")]
    min_received: u64,
    /// Price of `from` over price of `to`, × 10⁹, now and after both legs: what
    /// `swap_stake_limit`'s limit bounds.
    #[serde(with = "chain::u64_string")]
    ratio_before: u64,
    #[serde(with = "chain::u64_string")]
    ratio_after: u64,
    /// The least ratio the swap accepts at the tolerance: its limit.
    #[serde(with = "chain::u64_string")]
    limit_ratio: u64,
    /// The value lost to both legs' price impact, as a fraction of the alpha's value now.
    impact: f64,
}

impl SwapQuote {
    /// Quotes selling `alpha` on `from` and buying into `to` with the proceeds.
    pub(crate) async fn new(
        s: &AppState,
        from: NetUid,
        to: NetUid,
        alpha: u64,
        tolerance_bps: u16,
    ) -> ApiResult<Self> {
        if from == to {
            return Err(ApiError::param(
                "to",
                "the same subnet as the origin: a swap goes between two subnets (a move to \
                 another validator on one subnet is `move_stake`)",
            ));
        }
        let sell = s.chain.quote(from, Side::Sell, alpha).await.map_err(chain_error)?;
        let buy = s.chain.quote(to, Side::Buy, sell.amount_out).await.map_err(chain_error)?;
        let ratio = dtao::amm::swap_price_ratio;
        let ratio_after = ratio(sell.spot_after_bits, buy.spot_after_bits);
        // Both legs' impact compound: what the alpha fetches over what it is worth at spot.
        let impact = 1.0 - (1.0 - sell.price_impact()) * (1.0 - buy.price_impact());
        Ok(Self {
            from,
            to,
            sell: Quote::new(from, &sell, tolerance_bps),
            buy: Quote::new(to, &buy, tolerance_bps),
            amount_out: buy.amount_out,
            tolerance_bps,
            min_received: buy.minimum_received(tolerance_bps),
            ratio_before: ratio(sell.spot_before_bits, buy.spot_before_bits),
            ratio_after,
            limit_ratio: dtao::amm::limit_price_for_tolerance(
                Side::Sell,
                ratio_after,
                tolerance_bps,
            ),
            impact,
        })
    }
}

struct Entry {
    prepared: Prepared,
    view: TxView,
    /// Last change, Unix ms: finished entries are forgotten [`KEEP_FINISHED_MS`] after it.
    touched_ms: u64,
}

/// The prepared transactions of this server, their status, and the followers of submitted
/// ones (owned here: dropping the book aborts them).
pub(crate) struct TxBook {
    entries: Mutex<HashMap<String, Entry>>,
    updates: broadcast::Sender<(String, Utf8Bytes)>,
    followers: Mutex<tokio::task::JoinSet<()>>,
}

impl Default for TxBook {
    fn default() -> Self {
        Self {
            entries: Mutex::default(),
            updates: broadcast::channel(256).0,
            followers: Mutex::default(),
        }
    }
}

impl TxBook {
    /// Entries are replaced field by field under the lock and every state is a valid one, so a
    /// poisoned lock is taken back rather than failing every later request.
    fn entries(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Status updates of every transaction as `(id, message)`; the stream forwards the ids its
    /// client watches.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<(String, Utf8Bytes)> {
        self.updates.subscribe()
    }

    /// The current status message of `id`, if it is known.
    pub(crate) fn message(&self, id: &str, now_ms: u64) -> Option<Utf8Bytes> {
        let mut entries = self.entries();
        let entry = entries.get_mut(id)?;
        expire(entry, now_ms);
        tx_message(&entry.view)
    }

    fn publish(&self, view: &TxView) {
        if let Some(m) = tx_message(view) {
            // No listener is fine: pages poll or watch later.
            let _ = self.updates.send((view.id.clone(), m));
        }
    }

    fn update(&self, id: &str, now_ms: u64, f: impl FnOnce(&mut TxView)) {
        let view = {
            let mut entries = self.entries();
            let Some(entry) = entries.get_mut(id) else { return };
            f(&mut entry.view);
            entry.touched_ms = now_ms;
            entry.view.clone()
        };
        self.publish(&view);
    }

    fn follow(&self, future: impl Future<Output = ()> + Send + 'static) {
        let mut set = self.followers.lock().unwrap_or_else(PoisonError::into_inner);
        while set.try_join_next().is_some() {}
        set.spawn(future);
    }
}

/// What the sign page shows of a prepared transaction that can still be signed.
pub(crate) struct ForSigning {
    pub(crate) payload: String,
    pub(crate) signer: AccountId,
    /// The call, worded in the page's language ([`crate::describe`]).
    pub(crate) call: Call,
    pub(crate) fee_rao: u64,
    pub(crate) expires_at_ms: u64,
    pub(crate) quote: Option<Quote>,
    pub(crate) legs: Vec<Leg>,
    /// polkadot.js's `SignerPayloadJSON` as JSON text, when prepared as a v4 extrinsic.
    pub(crate) signer_payload: Option<String>,
}

impl TxBook {
    /// The prepared transaction `id`, unless it is unknown, expired or already submitted.
    pub(crate) fn for_signing(&self, id: &str, now_ms: u64) -> Option<ForSigning> {
        let mut entries = self.entries();
        let entry = entries.get_mut(id)?;
        expire(entry, now_ms);
        (entry.view.status == Stage::Prepared).then(|| ForSigning {
            payload: format!("0x{}", hex::encode(&entry.prepared.payload)),
            signer: entry.prepared.signer,
            call: entry.prepared.call.clone(),
            fee_rao: entry.prepared.fee_estimate,
            expires_at_ms: entry.view.expires_at_ms,
            quote: entry.view.quote.clone(),
            legs: entry.view.legs.clone(),
            signer_payload: entry
                .prepared
                .signer_payload_json()
                .and_then(|p| serde_json::to_string(&p).ok()),
        })
    }
}

fn expire(entry: &mut Entry, now_ms: u64) {
    if entry.view.status == Stage::Prepared && now_ms > entry.view.expires_at_ms {
        entry.view.status = Stage::Expired;
    }
}

fn tx_message(view: &TxView) -> Option<Utf8Bytes> {
    #[derive(Serialize)]
    struct Msg<'a> {
        r#type: &'static str,
        tx: &'a TxView,
    }
    serde_json::to_string(&Msg { r#type: "tx", tx: view }).ok().map(Utf8Bytes::from)
}

fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn json_body<T: for<'de> Deserialize<'de>>(body: &Bytes) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("bad JSON body: {e}")))
}

fn to_value<T: Serialize>(v: &T) -> ApiResult<Json<serde_json::Value>> {
    serde_json::to_value(v).map(Json).map_err(|e| ApiError::Internal(format!("serialise: {e}")))
}

/// A chain error of a quote or a submission: the chain's verdicts are the client's to fix
/// (422), everything else is the chain failing (502).
pub(crate) fn chain_error(e: ChainError) -> ApiError {
    match e {
        ChainError::Invalid(v) => ApiError::Tx(TxRefusal::Refused(v)),
        ChainError::Quote(d) => ApiError::Tx(TxRefusal::QuoteFailed(d)),
        other => ApiError::from(other),
    }
}

/// The swap a call makes on one pool, if it is a single-pool trade: (netuid, side, amount in).
fn swap_of(call: &Call) -> Option<(NetUid, Side, u64)> {
    match call {
        Call::AddStake { netuid, amount_staked, .. }
        | Call::AddStakeLimit { netuid, amount_staked, .. } => {
            Some((*netuid, Side::Buy, amount_staked.rao()))
        }
        Call::RemoveStake { netuid, amount_unstaked, .. }
        | Call::RemoveStakeLimit { netuid, amount_unstaked, .. } => {
            Some((*netuid, Side::Sell, amount_unstaked.rao()))
        }
        _ => None,
    }
}

/// A market order turned into its fill-or-kill limit form (unless `allow_partial`) at
/// `limit_price`; other calls as they are.
fn with_limit(call: Call, limit_price: u64, allow_partial: bool) -> Call {
    match call {
        Call::AddStake { hotkey, netuid, amount_staked } => {
            Call::AddStakeLimit { hotkey, netuid, amount_staked, limit_price, allow_partial }
        }
        Call::RemoveStake { hotkey, netuid, amount_unstaked } => {
            Call::RemoveStakeLimit { hotkey, netuid, amount_unstaked, limit_price, allow_partial }
        }
        // A swap's limit is on the origin/destination price ratio.
        Call::SwapStake { hotkey, origin_netuid, destination_netuid, alpha_amount } => {
            Call::SwapStakeLimit {
                hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
                limit_price,
                allow_partial,
            }
        }
        other => other,
    }
}

/// A trade's quote, and with a tolerance the trade in its limit form at the quote's limit price
/// (fill-or-kill unless `allow_partial`); other calls as they are, unquoted.
async fn quoted(
    s: &AppState,
    call: Call,
    tolerance_bps: Option<u16>,
    allow_partial: bool,
) -> ApiResult<(Call, Option<Quote>)> {
    let Some((netuid, side, amount)) = swap_of(&call) else { return Ok((call, None)) };
    let q = s.chain.quote(netuid, side, amount).await.map_err(chain_error)?;
    let quote = Quote::new(netuid, &q, tolerance_bps.unwrap_or(DEFAULT_TOLERANCE_BPS));
    let call = match tolerance_bps {
        Some(_) => with_limit(call, quote.limit_price, allow_partial),
        None => call,
    };
    Ok((call, Some(quote)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrepareRequest {
    signer: AccountId,
    call: Call,
    tolerance_bps: Option<u16>,
    #[serde(default)]
    allow_partial: bool,
    #[serde(default)]
    format: PayloadFormat,
    /// The language of `description` and the legs (`en`, the default, or `zh`).
    lang: Option<String>,
}

#[derive(Serialize)]
struct PrepareResponse<'a> {
    id: &'a str,
    payload: String,
    description: &'a str,
    fee_rao: u64,
    quote: Option<&'a Quote>,
    #[serde(skip_serializing_if = "<[Leg]>::is_empty")]
    legs: &'a [Leg],
    expires_at_ms: u64,
    sign_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    signer_payload: Option<SignerPayloadJson>,
}

/// The legs of `call` (see [`crate::describe::legs`]) in `lang`, each with its quote.
fn leg_views(call: &Call, quotes: Vec<Option<Quote>>, lang: Lang) -> Vec<Leg> {
    crate::describe::legs(call, lang)
        .into_iter()
        .zip(quotes)
        .map(|(description, quote)| Leg { description, quote })
        .collect()
}

/// `POST /api/v1/tx/prepare`.
pub(crate) async fn prepare(
    State(s): State<AppState>,
    uri: Uri,
    body: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    Params::parse(&uri, &[])?;
    let req: PrepareRequest = json_body(&body)?;
    if let Some(bps) = req.tolerance_bps
        && bps > 10_000
    {
        return Err(ApiError::param("tolerance_bps", format!("{bps} is above 10000 (100 %)")));
    }
    if req.allow_partial && req.tolerance_bps.is_none() {
        return Err(ApiError::param(
            "allow_partial",
            "a partial fill needs a limit price: give tolerance_bps too",
        ));
    }
    if let Some(reason) = req.call.batch_error() {
        return Err(ApiError::param("call", reason));
    }
    let lang = match req.lang.as_deref() {
        None => Lang::En,
        Some(code) => Lang::parse(code)
            .ok_or_else(|| ApiError::param("lang", format!("{code:?} is neither en nor zh")))?,
    };
    let (call, quote, legs) = match req.call {
        // Each leg is quoted alone against the pools as they are: exact for legs on distinct
        // subnets (a basket); legs sharing a subnet move each other's price, and their limits
        // then make the batch fail whole rather than fill worse than quoted.
        Call::BatchAll { calls } => {
            let mut out = Vec::with_capacity(calls.len());
            let mut quotes = Vec::with_capacity(calls.len());
            for leg in calls {
                let (leg, quote) = quoted(&s, leg, req.tolerance_bps, req.allow_partial).await?;
                quotes.push(quote);
                out.push(leg);
            }
            let call = Call::BatchAll { calls: out };
            let legs = leg_views(&call, quotes, lang);
            (call, None, legs)
        }
        call @ Call::SwapStake { origin_netuid, destination_netuid, alpha_amount, .. } => {
            let bps = req.tolerance_bps.unwrap_or(DEFAULT_TOLERANCE_BPS);
            let q = SwapQuote::new(&s, origin_netuid, destination_netuid, alpha_amount.rao(), bps)
                .await?;
            let call = match req.tolerance_bps {
                Some(_) => with_limit(call, q.limit_ratio, req.allow_partial),
                None => call,
            };
            // The receipt sets each leg against the chain's StakeRemoved and StakeAdded.
            let legs = leg_views(&call, vec![Some(q.sell), Some(q.buy)], lang);
            (call, None, legs)
        }
        call => {
            let (call, quote) = quoted(&s, call, req.tolerance_bps, req.allow_partial).await?;
            (call, quote, Vec::new())
        }
    };
    let options = TxOptions { format: req.format, ..TxOptions::default() };
    let prepared = s.chain.prepare(req.signer, call, options).await.map_err(chain_error)?;
    let now = s.clock.now_ms();
    let id = new_id();
    let description = crate::describe::describe(&prepared.call, lang);
    let view = TxView {
        id: id.clone(),
        status: Stage::Prepared,
        signer: prepared.signer,
        description,
        expires_at_ms: now.saturating_add(s.config.tx_ttl_ms),
        tx_hash: None,
        block: None,
        block_hash: None,
        index: None,
        reason: None,
        events: Vec::new(),
        quote,
        legs,
    };
    let response = PrepareResponse {
        id: &id,
        payload: format!("0x{}", hex::encode(&prepared.payload)),
        description: &view.description,
        fee_rao: prepared.fee_estimate,
        quote: view.quote.as_ref(),
        legs: &view.legs,
        expires_at_ms: view.expires_at_ms,
        sign_url: format!("/sign/{id}"),
        signer_payload: prepared.signer_payload_json(),
    };
    let json = to_value(&response)?;
    {
        let mut entries = s.tx.entries();
        entries.retain(|_, e| {
            expire(e, now);
            let finished =
                !matches!(e.view.status, Stage::Prepared | Stage::Submitted | Stage::InBlock);
            !(finished && now.saturating_sub(e.touched_ms) > KEEP_FINISHED_MS)
        });
        if entries.len() >= MAX_HELD {
            return Err(ApiError::Tx(TxRefusal::Busy));
        }
        entries.insert(id.clone(), Entry { prepared, view, touched_ms: now });
    }
    Ok(json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitRequest {
    id: String,
    signature: String,
}

/// A signature as `0x`-hex: the 64 bytes of an sr25519 signature, or the 65 of a
/// `MultiSignature::Sr25519` (what an extension's `signPayload` returns).
fn parse_signature(raw: &str) -> ApiResult<Signature> {
    let digits = raw.strip_prefix("0x").unwrap_or(raw);
    let mut bytes = hex::decode(digits).map_err(|e| {
        ApiError::param("signature", format!("not hex ({e}); send 0x and 128 hex digits"))
    })?;
    if bytes.len() == 65 {
        match bytes[0] {
            1 => {
                bytes.remove(0);
            }
            0 | 2 => {
                return Err(ApiError::param(
                    "signature",
                    "an ed25519 or ECDSA signature: Bittensor accounts sign with sr25519",
                ));
            }
            other => {
                return Err(ApiError::param(
                    "signature",
                    format!("65 bytes starting 0x{other:02x}: not a MultiSignature"),
                ));
            }
        }
    }
    let bytes: [u8; 64] = bytes.try_into().map_err(|b: Vec<u8>| {
        ApiError::param("signature", format!("{} bytes; an sr25519 signature is 64", b.len()))
    })?;
    Ok(Signature(bytes))
}

/// `POST /api/v1/tx/submit`.
pub(crate) async fn submit(
    State(s): State<AppState>,
    uri: Uri,
    body: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    Params::parse(&uri, &[])?;
    let req: SubmitRequest = json_body(&body)?;
    let signature = parse_signature(&req.signature)?;
    let now = s.clock.now_ms();
    // Checked and claimed under one lock: two submissions of one id cannot both pass.
    let prepared = {
        let mut entries = s.tx.entries();
        let entry = entries
            .get_mut(&req.id)
            .ok_or_else(|| ApiError::Tx(TxRefusal::Unknown { id: req.id.clone() }))?;
        expire(entry, now);
        match entry.view.status {
            Stage::Prepared => {}
            Stage::Expired => {
                return Err(ApiError::Tx(TxRefusal::Expired {
                    id: req.id,
                    expired_at_ms: entry.view.expires_at_ms,
                }));
            }
            Stage::Submitted | Stage::InBlock | Stage::Finalized | Stage::Failed => {
                return Err(ApiError::Tx(TxRefusal::AlreadySubmitted { id: req.id }));
            }
        }
        let p = &entry.prepared;
        if !p.signer.public_key().verify(&p.payload, &signature) {
            return Err(ApiError::Tx(TxRefusal::BadSignature { signer: p.signer }));
        }
        entry.view.status = Stage::Submitted;
        entry.touched_ms = now;
        entry.prepared.clone()
    };
    let statuses = match s.chain.submit(prepared, signature).await {
        Ok(stream) => stream,
        Err(e) => {
            let reason = e.to_string();
            s.tx.update(&req.id, now, |v| {
                v.status = Stage::Failed;
                v.reason = Some(reason);
            });
            return Err(chain_error(e));
        }
    };
    let mut statuses = statuses;
    let tx_hash = match statuses.next().await {
        Some(Ok(TxStatus::Ready { hash })) => hash,
        other => {
            let reason =
                format!("the chain did not accept the transaction into its pool: {other:?}");
            s.tx.update(&req.id, now, |v| {
                v.status = Stage::Failed;
                v.reason = Some(reason.clone());
            });
            return Err(ApiError::Chain(reason));
        }
    };
    s.tx.update(&req.id, now, |v| v.tx_hash = Some(tx_hash));
    let (book, clock, id) = (s.tx.clone(), s.clock.clone(), req.id.clone());
    s.tx.follow(async move { track(&book, clock.as_ref(), &id, statuses).await });
    to_value(&serde_json::json!({ "tx_hash": tx_hash }))
}

/// Follows a submitted transaction to its end, recording and publishing each step.
async fn track(
    book: &TxBook,
    clock: &dyn chain::Clock,
    id: &str,
    mut statuses: BoxStream<'static, chain::ChainResult<TxStatus>>,
) {
    while let Some(status) = statuses.next().await {
        let now = clock.now_ms();
        match status {
            Ok(TxStatus::Ready { hash }) => book.update(id, now, |v| v.tx_hash = Some(hash)),
            Ok(TxStatus::InBlock { number, block_hash, index, result, events }) => {
                book.update(id, now, |v| {
                    v.block = Some(number);
                    v.block_hash = Some(block_hash);
                    v.index = Some(index);
                    v.events = events;
                    match result {
                        Ok(()) => v.status = Stage::InBlock,
                        Err(e) => {
                            v.status = Stage::Failed;
                            v.reason = Some(e.to_string());
                        }
                    }
                });
            }
            Ok(TxStatus::Finalized { number, block_hash }) => {
                book.update(id, now, |v| {
                    v.block = Some(number);
                    v.block_hash = Some(block_hash);
                    // A call that failed in its block stays failed; its block is final now.
                    if v.status != Stage::Failed {
                        v.status = Stage::Finalized;
                    }
                });
                return;
            }
            Ok(TxStatus::Dropped { reason }) => {
                book.update(id, now, |v| {
                    v.status = Stage::Failed;
                    v.reason = Some(reason);
                });
                return;
            }
            Err(e) => {
                book.update(id, now, |v| {
                    v.status = Stage::Failed;
                    v.reason = Some(format!("lost track of the transaction: {e}"));
                });
                return;
            }
        }
    }
}

/// `GET /api/v1/tx/{id}`.
pub(crate) async fn status(
    State(s): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    Params::parse(&uri, &[])?;
    let now = s.clock.now_ms();
    let mut entries = s.tx.entries();
    let entry = entries.get_mut(&id).ok_or(ApiError::Tx(TxRefusal::Unknown { id }))?;
    expire(entry, now);
    to_value(&entry.view)
}

/// `GET /api/v1/quote?netuid=&side=buy|sell&amount=&tolerance_bps=`: the chain's quote of a
/// swap, for the trade panel as the user types.
pub(crate) async fn quote(
    State(s): State<AppState>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(&uri, &["netuid", "side", "amount", "tolerance_bps"])?;
    let (netuid, side, amount) = swap_params(&p)?;
    let tolerance = p.int::<u16>("tolerance_bps", 0, 10_000)?.unwrap_or(DEFAULT_TOLERANCE_BPS);
    let q = s.chain.quote(netuid, side, amount).await.map_err(chain_error)?;
    to_value(&Quote::new(netuid, &q, tolerance))
}

/// `GET /api/v1/quote/swap?from=&to=&amount=&tolerance_bps=`: the chain's quote of swapping
/// `amount` alpha of subnet `from` into subnet `to`, for the trade panel as the user types.
pub(crate) async fn quote_swap(
    State(s): State<AppState>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(&uri, &["from", "to", "amount", "tolerance_bps"])?;
    let from = p.netuid("from")?.ok_or_else(|| ApiError::param("from", "required"))?;
    let to = p.netuid("to")?.ok_or_else(|| ApiError::param("to", "required"))?;
    let amount = p
        .int::<u64>("amount", 1, u64::MAX)?
        .ok_or_else(|| ApiError::param("amount", "required (alpha rao)"))?;
    let tolerance = p.int::<u16>("tolerance_bps", 0, 10_000)?.unwrap_or(DEFAULT_TOLERANCE_BPS);
    to_value(&SwapQuote::new(&s, from, to, amount, tolerance).await?)
}

fn swap_params(p: &Params) -> ApiResult<(NetUid, Side, u64)> {
    let netuid = p.netuid("netuid")?.ok_or_else(|| ApiError::param("netuid", "required"))?;
    let side = match p.str("side") {
        Some("buy") => Side::Buy,
        Some("sell") => Side::Sell,
        other => {
            return Err(ApiError::param(
                "side",
                format!("{other:?} is neither buy (TAO in) nor sell (alpha in)"),
            ));
        }
    };
    let amount = p
        .int::<u64>("amount", 1, u64::MAX)?
        .ok_or_else(|| ApiError::param("amount", "required (rao)"))?;
    Ok((netuid, side, amount))
}

/// `GET /api/v1/quote/lesson?netuid=&side=buy|sell&amount=`: what the quoted swap teaches the
/// network. Apart from the quote because the projection runs the chain's steps block by block
/// to convergence (~15 ms against the quote's 0.06 ms in the trade bench), and the panel must
/// show the quote at typing speed; it asks for this after each quote.
pub(crate) async fn quote_lesson(
    State(s): State<AppState>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(&uri, &["netuid", "side", "amount"])?;
    let (netuid, side, amount) = swap_params(&p)?;
    let q = s.chain.quote(netuid, side, amount).await.map_err(chain_error)?;
    to_value(&LessonAnswer { lesson: lesson(&s, netuid, &q).await })
}

#[derive(Serialize)]
struct LessonAnswer {
    /// `null` when the projection failed: the lesson is context, not a reason to error.
    lesson: Option<Lesson>,
}

/// What a trade teaches the network: the emission projection of `market::lesson` on the
/// state's chain, shares in exact parts per billion (floored) and TAO in rao strings.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Lesson {
    /// The share rule in force.
    rule: &'static str,
    /// The block the projection starts after.
    block: u64,
    /// One per subnet the trade touches.
    subnets: Vec<LessonSubnet>,
}

#[derive(Debug, Clone, Serialize)]
struct LessonSubnet {
    netuid: NetUid,
    now: LessonShare,
    /// At each horizon ("1d", "7d", "convergence"), with the trade and without it.
    horizons: Vec<LessonHorizon>,
}

#[derive(Debug, Clone, Serialize)]
struct LessonShare {
    share_ppb: u64,
    #[serde(with = "chain::u64_string")]
    tao_per_day: u64,
}

#[derive(Debug, Clone, Serialize)]
struct LessonHorizon {
    horizon: String,
    with_trade: LessonShare,
    without_trade: LessonShare,
}

fn lesson_share(s: &dtao::emission::ShareAt) -> LessonShare {
    // Floored rather than rounded so it matches how the chain reports shares in ppb.
    let ppb = (s.share.to_bits().saturating_mul(1_000_000_000)) >> 64;
    LessonShare {
        share_ppb: u64::try_from(ppb).unwrap_or(u64::MAX),
        tao_per_day: s.tao_per_day_rao(market::backprop::BLOCKS_PER_DAY),
    }
}

fn horizon_label(h: dtao::emission::Horizon) -> String {
    use market::backprop::BLOCKS_PER_DAY;
    match h {
        dtao::emission::Horizon::Blocks(b) if b % BLOCKS_PER_DAY == 0 => {
            format!("{}d", b / BLOCKS_PER_DAY)
        }
        dtao::emission::Horizon::Blocks(b) => format!("{b}b"),
        dtao::emission::Horizon::Convergence => "convergence".into(),
    }
}

impl Lesson {
    fn new(p: &dtao::emission::Projection) -> Self {
        Self {
            rule: p.rule,
            block: p.block,
            subnets: p
                .outlooks
                .iter()
                .map(|o| LessonSubnet {
                    netuid: o.netuid,
                    now: lesson_share(&o.now),
                    horizons: o
                        .with_trade
                        .iter()
                        .zip(&o.without_trade)
                        .map(|(w, wo)| LessonHorizon {
                            horizon: horizon_label(w.horizon),
                            with_trade: lesson_share(w),
                            without_trade: lesson_share(wo),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The lesson of one quoted swap, or `None` (logged) when it cannot be projected.
async fn lesson(s: &AppState, netuid: NetUid, q: &SwapOutcome) -> Option<Lesson> {
    let impacts = [market::lesson::impact(netuid, q)];
    match market::lesson::project_trade(s.chain.as_ref(), &impacts).await {
        Ok(p) => Some(Lesson::new(&p)),
        Err(e) => {
            tracing::warn!(netuid, "the quote's lesson was not projected: {e}");
            None
        }
    }
}

/// Shared handle type.
pub(crate) type SharedTxBook = Arc<TxBook>;
