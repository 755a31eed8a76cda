//! Baskets: an amount of TAO split over the top N subnets by market cap, equally or by
//! weights, bought in one all-or-nothing transaction (`Call::BatchAll` of stakes).
//!
//! - `GET /api/v1/basket?amount=&n=&weights=&tolerance_bps=` plans it: the subnets, each leg's
//!   exact share of the amount, the hotkey (the subnet's top validator, as the trade panel
//!   picks it) and the chain's quote per leg.
//! - `GET /api/v1/basket/rebalance?coldkey=&n=&weights=&tolerance_bps=` plans a rebalance of
//!   an address's positions to the same targets: the sells, then the buys they pay for.
//! - `GET /basket` (or `/basket?rebalance=<address>`) is the page; `assets/basket.js` plans as
//!   you type, then prepares the batch
//!   through `POST /api/v1/tx/prepare` (which quotes each leg and turns it into its limit form)
//!   and opens the sign page, whose receipt shows each leg quoted vs filled.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use chain::{AccountId, NetUid, Side};
use maud::html;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::pages::{ctx, layout, respond};
use crate::params::Params;
use crate::state::AppState;
use crate::tx::{DEFAULT_TOLERANCE_BPS, Quote, chain_error};

/// Fewest and most subnets in a basket.
pub(crate) const MIN_LEGS: u16 = 2;
/// See [`MIN_LEGS`].
pub(crate) const MAX_LEGS: u16 = 20;
/// Basket size when the request names none.
pub(crate) const DEFAULT_LEGS: u16 = 5;
/// Largest weight of one leg: weights are relative, so this only bounds the arithmetic.
const MAX_WEIGHT: u64 = 1_000_000;

/// One leg of a planned basket.
#[derive(Debug, Serialize)]
struct PlannedLeg {
    netuid: NetUid,
    name: String,
    symbol: String,
    #[serde(with = "chain::u64_string")]
    market_cap: u64,
    hotkey: AccountId,
    weight: u64,
    #[serde(with = "chain::u64_string")]
    amount: u64,
    quote: Quote,
}

#[derive(Debug, Serialize)]
struct Plan {
    #[serde(with = "chain::u64_string")]
    amount: u64,
    tolerance_bps: u16,
    legs: Vec<PlannedLeg>,
}

/// `amount` split by `weights`, exactly: each leg gets `amount × w / Σw` rounded down, and the
/// rao the rounding leaves go one each to the first legs, so the legs add up to `amount`.
pub(crate) fn split(amount: u64, weights: &[u64]) -> Vec<u64> {
    let total: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if total == 0 {
        return vec![0; weights.len()];
    }
    let mut shares: Vec<u64> = weights
        .iter()
        .map(|w| u64::try_from(u128::from(amount) * u128::from(*w) / total).unwrap_or(u64::MAX))
        .collect();
    let mut left = amount.saturating_sub(shares.iter().sum());
    for share in &mut shares {
        if left == 0 {
            break;
        }
        *share += 1;
        left -= 1;
    }
    shares
}

/// Weights as typed: "3,1,1" (positive integers, one per subnet).
fn parse_weights(raw: &str, n: usize) -> ApiResult<Vec<u64>> {
    let weights = raw
        .split(',')
        .map(|w| {
            let w = w.trim();
            match w.parse::<u64>() {
                Ok(v) if (1..=MAX_WEIGHT).contains(&v) => Ok(v),
                _ => Err(ApiError::param(
                    "weights",
                    format!("{w:?} is not a whole number in 1..={MAX_WEIGHT}"),
                )),
            }
        })
        .collect::<ApiResult<Vec<u64>>>()?;
    if weights.len() != n {
        return Err(ApiError::param(
            "weights",
            format!("{} weights for {n} subnets; give one per subnet", weights.len()),
        ));
    }
    Ok(weights)
}

/// `GET /api/v1/basket`.
pub(crate) async fn plan(
    State(s): State<AppState>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(&uri, &["amount", "n", "weights", "tolerance_bps"])?;
    let amount = p
        .int::<u64>("amount", 1, u64::MAX)?
        .ok_or_else(|| ApiError::param("amount", "required (rao)"))?;
    let n = p.int::<u16>("n", MIN_LEGS, MAX_LEGS)?.unwrap_or(DEFAULT_LEGS);
    let tolerance_bps = p.int::<u16>("tolerance_bps", 0, 10_000)?.unwrap_or(DEFAULT_TOLERANCE_BPS);
    let weights = match p.str("weights") {
        Some(raw) => parse_weights(raw, usize::from(n))?,
        None => vec![1; usize::from(n)],
    };
    let rows = top_subnets(&s, n).await?;
    let amounts = split(amount, &weights);
    let mut legs = Vec::with_capacity(rows.len());
    for ((row, weight), leg_amount) in rows.into_iter().zip(weights).zip(amounts) {
        // Under the minimum stake the leg would fail on chain, and the whole batch with it.
        if leg_amount < MIN_LEG_RAO {
            return Err(ApiError::param(
                "amount",
                format!(
                    "subnet {}'s share of {amount} rao is {leg_amount} rao, under the chain's \
                     minimum stake of {MIN_LEG_RAO} rao; buy more or weigh it more",
                    row.netuid
                ),
            ));
        }
        let hotkey = top_hotkey(&s, row.netuid).await?;
        let q = s.chain.quote(row.netuid, Side::Buy, leg_amount).await.map_err(chain_error)?;
        legs.push(PlannedLeg {
            netuid: row.netuid,
            name: row.name.clone(),
            symbol: row.symbol.clone(),
            market_cap: row.market_cap,
            hotkey,
            weight,
            amount: leg_amount,
            quote: Quote::new(row.netuid, &q, tolerance_bps),
        });
    }
    let plan = Plan { amount, tolerance_bps, legs };
    serde_json::to_value(&plan).map(Json).map_err(|e| ApiError::Internal(format!("serialise: {e}")))
}

/// Smallest leg a rebalance trades, rao of TAO value: Subtensor's default minimum stake
/// (0.002 τ). A smaller leg would fail `AmountTooLow` and take the whole batch with it.
pub(crate) const MIN_LEG_RAO: u64 = 2_000_000;

/// How far from its target a subnet may drift before a rebalance trades it, parts of 10,000 of
/// the portfolio's value: the fees and price moves of one rebalance leave small gaps, and
/// chasing them would trade dust back and forth.
pub(crate) const REBALANCE_BAND_BPS: u64 = 50;

/// One sell of a rebalance: part of a position.
#[derive(Debug, Serialize)]
struct Sell {
    netuid: NetUid,
    hotkey: AccountId,
    /// Alpha held there, rao.
    #[serde(with = "chain::u64_string")]
    held: u64,
    /// Alpha sold, rao.
    #[serde(with = "chain::u64_string")]
    alpha: u64,
    quote: Quote,
}

/// One buy of a rebalance.
#[derive(Debug, Serialize)]
struct Buy {
    netuid: NetUid,
    name: String,
    hotkey: AccountId,
    weight: u64,
    #[serde(with = "chain::u64_string")]
    amount: u64,
    quote: Quote,
}

#[derive(Debug, Serialize)]
struct Rebalance {
    coldkey: AccountId,
    /// The positions' worth now, rao: each sold whole at the chain's quote.
    #[serde(with = "chain::u64_string")]
    value: u64,
    tolerance_bps: u16,
    sells: Vec<Sell>,
    buys: Vec<Buy>,
}

/// The top `n` subnets by market cap (root excluded), largest first.
async fn top_subnets(s: &AppState, n: u16) -> ApiResult<Vec<market::OverviewRow>> {
    let o = s.market.overview().await?;
    // Root (netuid 0) is a 1:1 stable mechanism, not a market: never in a basket.
    let mut rows: Vec<&market::OverviewRow> = o.rows.iter().filter(|r| r.netuid != 0).collect();
    rows.sort_by(|a, b| b.market_cap.cmp(&a.market_cap).then(a.netuid.cmp(&b.netuid)));
    if rows.len() < usize::from(n) {
        return Err(ApiError::param(
            "n",
            format!("{n} subnets asked for, the chain has {} to buy", rows.len()),
        ));
    }
    Ok(rows.into_iter().take(usize::from(n)).cloned().collect())
}

/// `GET /api/v1/basket/rebalance`: the sells and buys that move a coldkey's positions (root
/// excluded) to the target weights over the top N subnets. Each subnet is worth what its
/// positions would sell for now; a subnet above its target sells the excess from each of its
/// positions in proportion, one below it buys, and the buys share out exactly what the sells
/// are quoted to return, so the batch pays for itself (the transaction fee aside). A subnet
/// within [`REBALANCE_BAND_BPS`] of its target is left alone, and legs under [`MIN_LEG_RAO`]
/// are left out.
pub(crate) async fn rebalance(
    State(s): State<AppState>,
    uri: Uri,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(&uri, &["coldkey", "n", "weights", "tolerance_bps"])?;
    let raw =
        p.str("coldkey").ok_or_else(|| ApiError::param("coldkey", "required (SS58 address)"))?;
    let coldkey: AccountId = raw
        .parse()
        .map_err(|e| ApiError::param("coldkey", format!("{raw:?} is not an SS58 address: {e}")))?;
    let n = p.int::<u16>("n", MIN_LEGS, MAX_LEGS)?.unwrap_or(DEFAULT_LEGS);
    let tolerance_bps = p.int::<u16>("tolerance_bps", 0, 10_000)?.unwrap_or(DEFAULT_TOLERANCE_BPS);
    let weights = match p.str("weights") {
        Some(raw) => parse_weights(raw, usize::from(n))?,
        None => vec![1; usize::from(n)],
    };
    let targets = top_subnets(&s, n).await?;
    let mut positions = Vec::new();
    for st in s.chain.stakes(coldkey).await? {
        if st.netuid == 0 || st.alpha == 0 {
            continue;
        }
        let q = s.chain.quote(st.netuid, Side::Sell, st.alpha).await.map_err(chain_error)?;
        positions.push((st, q.amount_out));
    }
    let value: u64 = positions.iter().map(|(_, v)| *v).fold(0, u64::saturating_add);
    if value == 0 {
        return Err(ApiError::param("coldkey", format!("{coldkey} holds no stake to rebalance")));
    }
    let goal = split(value, &weights);
    let band = MIN_LEG_RAO.max(
        u64::try_from(u128::from(value) * u128::from(REBALANCE_BAND_BPS) / 10_000).unwrap_or(0),
    );
    let target_of = |netuid: NetUid| {
        targets.iter().zip(&goal).find(|(r, _)| r.netuid == netuid).map_or(0, |(_, t)| *t)
    };
    let worth_of = |netuid: NetUid| {
        positions.iter().filter(|(st, _)| st.netuid == netuid).map(|(_, v)| *v).sum::<u64>()
    };
    let mut sells = Vec::new();
    for (st, worth) in &positions {
        let (have, want) = (worth_of(st.netuid), target_of(st.netuid));
        if have <= want.saturating_add(band) {
            continue;
        }
        // This position's share of the subnet's excess, in alpha: held × excess / worth.
        let excess = u128::from(have - want);
        let alpha = u64::try_from(u128::from(st.alpha) * excess / u128::from(have)).unwrap_or(0);
        let sold_worth = u64::try_from(u128::from(*worth) * excess / u128::from(have)).unwrap_or(0);
        if alpha == 0 || sold_worth < MIN_LEG_RAO {
            continue;
        }
        let q = s.chain.quote(st.netuid, Side::Sell, alpha).await.map_err(chain_error)?;
        sells.push(Sell {
            netuid: st.netuid,
            hotkey: st.hotkey,
            held: st.alpha,
            alpha,
            quote: Quote::new(st.netuid, &q, tolerance_bps),
        });
    }
    let proceeds: u64 = sells.iter().map(|x| x.quote.amount_out).sum();
    let short: Vec<(&market::OverviewRow, u64, u64)> = targets
        .iter()
        .zip(&weights)
        .filter_map(|(r, w)| {
            let (have, want) = (worth_of(r.netuid), target_of(r.netuid));
            (want > have.saturating_add(band)).then(|| (r, *w, want - have))
        })
        .collect();
    let amounts = split(proceeds, &short.iter().map(|(_, _, gap)| *gap).collect::<Vec<_>>());
    let mut buys = Vec::new();
    for ((row, weight, _), amount) in short.into_iter().zip(amounts) {
        if amount < MIN_LEG_RAO {
            continue;
        }
        let hotkey = top_hotkey(&s, row.netuid).await?;
        let q = s.chain.quote(row.netuid, Side::Buy, amount).await.map_err(chain_error)?;
        buys.push(Buy {
            netuid: row.netuid,
            name: row.name.clone(),
            hotkey,
            weight,
            amount,
            quote: Quote::new(row.netuid, &q, tolerance_bps),
        });
    }
    let plan = Rebalance { coldkey, value, tolerance_bps, sells, buys };
    serde_json::to_value(&plan).map(Json).map_err(|e| ApiError::Internal(format!("serialise: {e}")))
}

/// The hotkey a leg stakes to: the subnet's largest validator, else its owner's hotkey — the
/// trade panel's first choice.
async fn top_hotkey(s: &AppState, netuid: NetUid) -> ApiResult<AccountId> {
    if let Some(v) = crate::api::validator_list(s, netuid).await?.first() {
        return Ok(v.hotkey);
    }
    Ok(s.chain.subnet(netuid).await?.owner_hotkey)
}

/// `GET /basket`, and `GET /basket?rebalance=<address>` to move that address's positions to
/// the target weights instead of buying with new TAO.
pub(crate) async fn page(State(s): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let lang = crate::i18n::Lang::negotiate(None, &headers);
    let rebalance = match Params::parse(&uri, &["rebalance", "lang"]) {
        Ok(p) => match p.str("rebalance").map(str::parse::<AccountId>) {
            Some(Ok(address)) => Some(address),
            Some(Err(e)) => {
                return ApiError::param("rebalance", format!("not an SS58 address: {e}"))
                    .into_page(lang);
            }
            None => None,
        },
        Err(e) => return e.into_page(lang),
    };
    let o = s.market.overview().await.ok();
    let c = ctx(&s, &uri, &headers, "basket", o.as_deref());
    let (title, sub) = match rebalance {
        Some(_) => (
            "Rebalance",
            "Move your positions to target weights over the top subnets: the sells and buys it takes, quoted, in one transaction.",
        ),
        None => (
            "Basket",
            "Buy the top subnets by market cap in one transaction: all legs fill as quoted, or none does.",
        ),
    };
    let main = html! {
        section.hero { div {
            h1 { (title) }
            p.sub { (sub) }
        } }
        section.card #basket data-min=(MIN_LEGS) data-max=(MAX_LEGS) data-rebalance=[rebalance.map(|a| a.to_string())] {
            div.cardhead { h2 { @if rebalance.is_some() { "Rebalance a portfolio" } @else { "Buy a basket" } } span.muted { "quoted by the chain as you type" } }
            form #basket-form.walletform.tradeform {
                label { span { "Account" } select #basket-account required {} }
                label hidden[rebalance.is_some()] { span { "Pay (τ)" } input #basket-amount type="number" min="0" step="any" inputmode="decimal"; }
                label { span { "Subnets (top N by market cap)" } input #basket-n type="number" min=(MIN_LEGS) max=(MAX_LEGS) step="1" value=(DEFAULT_LEGS) required; }
                div.seg role="group" aria-label="split" {
                    button #split-equal type="button" aria-pressed="true" { "Equal" }
                    button #split-weights type="button" aria-pressed="false" { "By weights" }
                }
                label #basket-weights-label hidden { span { "Weights, one per subnet (e.g. 3,2,1,1,1)" } input #basket-weights autocomplete="off"; }
                label { span { "Slippage tolerance (%)" } input #basket-slippage type="number" min="0" max="100" step="0.01" value="1"; }
                table.basket-legs {
                    thead { tr { th { "Subnet" } th.num { "Weight" } th.num { "Pay" } th.num { "Receive" } th.num { "Impact" } th.num { "Minimum" } th.num { "Limit price" } th { "Hotkey" } } }
                    tbody #basket-legs {}
                }
                p #basket-warning.warn hidden {}
                button #basket-submit type="submit" { "Review and sign" }
            }
            p #no-accounts.empty hidden { "No key in this browser: create or import one on the " a href="/wallet" { "wallet page" } "." }
            p #wallet-message.message role="status" {}
        }
    };
    respond(&c, StatusCode::OK, layout(&c, "Basket", &["basket.js"], main))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_adds_up_to_the_amount_to_the_rao() {
        assert_eq!(split(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(split(1_000_000_000, &[3, 1, 1]), vec![600_000_000, 200_000_000, 200_000_000]);
        let shares = split(u64::MAX, &[MAX_WEIGHT, 1, 7]);
        assert_eq!(shares.iter().map(|s| u128::from(*s)).sum::<u128>(), u128::from(u64::MAX));
        assert_eq!(split(5, &[0, 0]), vec![0, 0]);
    }

    #[test]
    fn weights_are_whole_and_one_per_subnet() {
        assert_eq!(parse_weights("3, 1,1", 3).unwrap(), vec![3, 1, 1]);
        assert!(parse_weights("3,1", 3).is_err());
        assert!(parse_weights("3,0,1", 3).is_err());
        assert!(parse_weights("3,1.5,1", 3).is_err());
        assert!(parse_weights("3,-1,1", 3).is_err());
    }
}
