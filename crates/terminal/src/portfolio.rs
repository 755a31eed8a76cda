//! The portfolio page: `/portfolio/{address}` (any address; `.csv` or `?format=csv` for the
//! positions as CSV) and `/portfolio` (the browser wallet's accounts, picked by `wallet.js`).
//! Positions come from the chain's head, exit values from the chain's own quote of selling the
//! whole position, cost basis FIFO over the address's indexed trades (`market::basis`).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chain::{AccountId, NetUid, Side};
use market::TradeFilter;
use market::basis::{Basis, Pnl, fifo_basis, pnl};
use maud::{Markup, html};

use crate::error::{ApiError, ApiResult};
use crate::fmt;
use crate::i18n::Catalogue;
use crate::pages::{ctx, layout, respond};
use crate::params::Params;
use crate::state::AppState;

/// Trades read for the cost basis (one page of the store's maximum).
const TRADES: u32 = 1000;

struct Row {
    netuid: NetUid,
    hotkey: AccountId,
    alpha: u64,
    exit_tao: Option<u64>,
    pnl: Pnl,
}

fn signed(rao: i128) -> String {
    let sign = if rao < 0 { "−" } else { "+" };
    format!("{sign}{}", fmt::tao_exact(u64::try_from(rao.unsigned_abs()).unwrap_or(u64::MAX)))
}

fn alpha(rao: u64) -> String {
    chain::Tao::from_rao(rao).to_decimal_string()
}

/// `GET /portfolio`: the wallet's accounts, each linking to its portfolio.
pub(crate) async fn connected(State(s): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let o = s.market.overview().await.ok();
    let c = ctx(&s, &uri, &headers, "portfolio", o.as_deref());
    let t = c.t();
    let main = html! {
        section.hero { div { h1 { (t.nav_portfolio) } p.sub { (t.pf_connected_sub) } } }
        section.card {
            ul #portfolio-accounts.accounts {}
            p #no-accounts.empty { (t.pf_no_accounts) " " a href="/wallet" { (t.pf_create_link) } (t.pf_or_open) }
        }
        (crate::wallet::script_strings(t))
    };
    respond(&c, StatusCode::OK, layout(&c, t.nav_portfolio, &["wallet.js"], main))
}

/// `GET /portfolio/{address}` (and `{address}.csv`).
pub(crate) async fn portfolio(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let o = s.market.overview().await.ok();
    let c = ctx(&s, &uri, &headers, "portfolio", o.as_deref());
    let format = Params::parse(&uri, &["format", "lang"])
        .ok()
        .and_then(|p| p.str("format").map(str::to_string));
    let (address, csv) = match raw.strip_suffix(".csv") {
        Some(a) => (a, true),
        None => (raw.as_str(), format.as_deref() == Some("csv")),
    };
    let coldkey: AccountId = match address.parse() {
        Ok(a) => a,
        Err(e) => {
            let msg = format!("{address:?} is not an SS58 address or 0x public key: {e}");
            return ApiError::param("address", msg).into_page(c.lang);
        }
    };
    let (rows, history) = match load(&s, coldkey).await {
        Ok(v) => v,
        Err(e) => return e.into_page(c.lang),
    };
    if csv {
        return ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], to_csv(&rows))
            .into_response();
    }
    let title = format!("{} {address}", c.t().nav_portfolio);
    respond(&c, StatusCode::OK, layout(&c, &title, &[], page(c.t(), address, &rows, &history)))
}

async fn load(s: &AppState, coldkey: AccountId) -> ApiResult<(Vec<Row>, Vec<market::Trade>)> {
    let stakes = s.chain.stakes(coldkey).await?;
    let filter = TradeFilter { coldkey: Some(coldkey), limit: TRADES, ..TradeFilter::default() };
    let history: Vec<market::Trade> =
        s.market.trades(&filter).await?.into_iter().map(|r| r.trade).collect();
    let books = fifo_basis(coldkey, &history);
    let mut rows = Vec::new();
    for st in stakes.into_iter().filter(|st| st.alpha > 0) {
        let exit_tao =
            s.chain.quote(st.netuid, Side::Sell, st.alpha).await.ok().map(|q| q.amount_out);
        let basis = books.get(&(st.netuid, st.hotkey)).cloned().unwrap_or_else(Basis::default);
        rows.push(Row {
            netuid: st.netuid,
            hotkey: st.hotkey,
            alpha: st.alpha,
            exit_tao,
            pnl: pnl(&basis, st.alpha, exit_tao.unwrap_or(0)),
        });
    }
    Ok((rows, history))
}

fn to_csv(rows: &[Row]) -> String {
    let mut out = String::from(
        "netuid,hotkey,alpha_rao,exit_value_rao,cost_basis_rao,unrealized_pnl_rao,realized_pnl_rao,emission_alpha_rao,emission_value_rao\n",
    );
    for r in rows {
        let exit = r.exit_tao.map(|v| v.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            r.netuid,
            r.hotkey,
            r.alpha,
            exit,
            r.pnl.cost_tao,
            r.pnl.unrealized_tao,
            r.pnl.realized_tao,
            r.pnl.emission_alpha,
            r.pnl.emission_tao
        ));
    }
    out
}

fn page(t: &Catalogue, address: &str, rows: &[Row], history: &[market::Trade]) -> Markup {
    let exit_total: u64 = rows.iter().filter_map(|r| r.exit_tao).sum();
    let cost: u64 = rows.iter().map(|r| r.pnl.cost_tao).sum();
    let unrealized: i128 = rows.iter().map(|r| r.pnl.unrealized_tao).sum();
    let realized: i128 = rows.iter().map(|r| r.pnl.realized_tao).sum();
    let emission: u64 = rows.iter().map(|r| r.pnl.emission_tao).sum();
    let stat = |label: &str, id: &str, value: String| html! { div.stat { dt { (label) } dd id=(id) { (value) } } };
    html! {
        section.hero { div {
            h1 { (t.nav_portfolio) }
            p.sub.mono { a href=(format!("/accounts/{address}")) { (address) } }
        } a.btn href=(format!("/portfolio/{address}.csv")) download { (t.pf_export) } }
        div.grid {
            section.card { h2 { (t.pf_totals) } dl.stats {
                (stat(t.pf_exit_total, "exit-total", fmt::tao_exact(exit_total)))
                (stat(t.pf_cost_total, "cost-total", fmt::tao_exact(cost)))
                (stat(t.pf_unrealized_total, "unrealized-total", signed(unrealized)))
                (stat(t.pf_realized_total, "realized-total", signed(realized)))
                (stat(t.pf_emission_total, "emission-total", fmt::tao_exact(emission)))
            } }
            section.card { h2 { (t.pf_allocation) } ol.holders #allocation {
                @for r in rows {
                    li { span { "SN" (r.netuid) } span.alloc { span class=(format!("fill w{}", crate::pages::bar_width(r.exit_tao.unwrap_or(0), exit_total))) {} } span { (fmt::tao_exact(r.exit_tao.unwrap_or(0))) } }
                }
            } }
        }
        section.card { h2 { (t.pf_positions) }
            @if rows.is_empty() { p.empty { (t.no_stakes) } } @else {
            div.tablewrap { table.tape #positions {
                thead { tr { th { (t.subnet) } th { (t.hotkey) } th { (t.pf_alpha) } th { (t.pf_exit) } th { (t.pf_cost) } th { (t.pf_unrealized) } th { (t.pf_realized) } th { (t.pf_emission_alpha) } th { (t.pf_emission_value) } } }
                tbody { @for r in rows {
                    tr data-netuid=(r.netuid) data-exit=(r.exit_tao.map(|v| v.to_string()).unwrap_or_default()) {
                        td { a href=(format!("/subnets/{}", r.netuid)) { "SN" (r.netuid) } }
                        td.mono { a href=(format!("/accounts/{}", r.hotkey)) { (r.hotkey.to_string()) } }
                        td { (alpha(r.alpha)) }
                        td { (r.exit_tao.map_or_else(|| t.pf_no_quote.to_string(), fmt::tao_exact)) }
                        td { (fmt::tao_exact(r.pnl.cost_tao)) }
                        td { (signed(r.pnl.unrealized_tao)) }
                        td { (signed(r.pnl.realized_tao)) }
                        td { (alpha(r.pnl.emission_alpha)) }
                        td { (fmt::tao_exact(r.pnl.emission_tao)) }
                    }
                } }
            } } }
            p.muted { (t.pf_emission_note) }
        }
        section.card { h2 { (t.pf_history) }
            @if history.is_empty() { p.empty { (t.no_account_trades) } } @else {
            div.tablewrap { table.tape #history {
                thead { tr { th { (t.block) } th { (t.pf_side) } th { (t.subnet) } th { (t.pf_tao) } th { (t.pf_alpha) } th { (t.tx_fee) } } }
                tbody { @for tr_ in history {
                    tr data-block=(tr_.block) { td { a href=(format!("/extrinsics/{}-{}", tr_.block, tr_.extrinsic)) { (tr_.block) } } td class=(format!("side {}", tr_.kind.as_str())) { (t.trade_kind(tr_.kind)) }
                         td { "SN" (tr_.netuid) @if let Some(d) = tr_.dest_netuid { " → SN" (d) } }
                         td { (fmt::tao_exact(tr_.tao)) } td { (alpha(tr_.alpha)) } td { (fmt::tao_exact(tr_.fee_tao)) } }
                } }
            } } }
        }
    }
}
