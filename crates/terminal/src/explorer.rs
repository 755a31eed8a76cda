//! The block explorer that event, trade and receipt links point to: `/blocks/{number|0xhash|head}`,
//! `/extrinsics/{block}-{index}` and `/accounts/{ss58}`. Everything is read through
//! `chain::Chain` (`block`, `header`, `account`, `stakes`, `subnets`), so the pages work the
//! same on the localnet and the live client; an address's trades come from the market store.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use chain::{AccountId, Block, BlockId, ChainError, DispatchError, Event, EventRecord, Phase};
use market::TradeFilter;
use maud::{Markup, html};

use crate::error::{ApiError, ApiResult};
use crate::fmt;
use crate::i18n::{Catalogue, Lang};
use crate::pages::{Ctx, ctx, layout, respond};
use crate::params::Params;
use crate::state::AppState;

/// Trades listed on an account page.
const ACCOUNT_TRADES: u32 = 50;

/// A link to an account page, shortened; the full address is its title.
pub(crate) fn account_link(a: &AccountId) -> Markup {
    let ss58 = a.to_ss58();
    html! { a.mono href=(format!("/accounts/{ss58}")) title=(ss58) { (fmt::short_address(&ss58)) } }
}

/// A link to a block page.
pub(crate) fn block_link(n: chain::BlockNumber) -> Markup {
    html! { a href=(format!("/blocks/{n}")) { "#" (n) } }
}

/// The chain's error name ("InsufficientBalance"); its message is the title.
fn error_name(e: &DispatchError) -> String {
    let text = e.to_string();
    text.split(':').next().unwrap_or(&text).to_string()
}

/// "Not found" from the chain is the client's 404, not the chain failing (502).
fn chain_error(e: ChainError, what: impl FnOnce() -> String) -> ApiError {
    match e {
        ChainError::NotFound(_) => ApiError::NotFound(what()),
        other => ApiError::from(other),
    }
}

fn parse_block_id(raw: &str) -> ApiResult<BlockId> {
    if raw.starts_with("0x") {
        return raw.parse().map(BlockId::Hash).map_err(|_| {
            ApiError::param("block", format!("{raw:?} is not a block hash (0x and 64 hex digits)"))
        });
    }
    raw.parse().map(BlockId::Number).map_err(|_| {
        ApiError::param(
            "block",
            format!("{raw:?} is not a block number, a 0x block hash or \"head\""),
        )
    })
}

fn result_cell(t: &Catalogue, result: &Result<(), DispatchError>) -> Markup {
    match result {
        Ok(()) => html! { span.up { (t.result_ok) } },
        Err(e) => {
            html! { span.down title=(e.to_string()) { (t.result_failed) ": " (error_name(e)) } }
        }
    }
}

/// An event in words, accounts linked. The common trading events are spelled out; the rest show
/// their fields as the chain names them.
fn event_words(e: &Event) -> Markup {
    match e {
        Event::ExtrinsicSuccess { fee } => {
            html! { b { "ExtrinsicSuccess" } " · fee " (fmt::tao_exact(*fee)) }
        }
        Event::ExtrinsicFailed { error, fee } => {
            html! { b { "ExtrinsicFailed" } " · " span.down title=(error.to_string()) { (error_name(error)) } " · fee " (fmt::tao_exact(*fee)) }
        }
        Event::Transfer { from, to, amount } => {
            html! { b { "Transfer" } " " (fmt::tao_exact(*amount)) " from " (account_link(from)) " to " (account_link(to)) }
        }
        Event::StakeAdded { coldkey, hotkey, tao: t, alpha: a, netuid, fee } => html! {
            b { "StakeAdded" } " " (account_link(coldkey)) " paid " (fmt::tao_exact(*t)) " for " (fmt::alpha_exact(*a))
            " on " a href=(format!("/subnets/{netuid}")) { "SN" (netuid) } " to hotkey " (account_link(hotkey))
            " · swap fee " (fmt::tao_exact(*fee))
        },
        Event::StakeRemoved { coldkey, hotkey, tao: t, alpha: a, netuid, fee } => html! {
            b { "StakeRemoved" } " " (account_link(coldkey)) " sold " (fmt::alpha_exact(*a)) " for " (fmt::tao_exact(*t))
            " on " a href=(format!("/subnets/{netuid}")) { "SN" (netuid) } " from hotkey " (account_link(hotkey))
            " · swap fee " (fmt::alpha_exact(*fee))
        },
        Event::StakeMoved { coldkey, origin_netuid, destination_netuid, tao: t, .. } => html! {
            b { "StakeMoved" } " " (account_link(coldkey)) " moved " (fmt::tao_exact(*t)) " of stake SN" (origin_netuid) " → SN" (destination_netuid)
        },
        Event::StakeTransferred {
            origin_coldkey,
            destination_coldkey,
            origin_netuid,
            destination_netuid,
            tao: t,
            ..
        } => html! {
            b { "StakeTransferred" } " " (fmt::tao_exact(*t)) " of stake from " (account_link(origin_coldkey)) " to " (account_link(destination_coldkey))
            " SN" (origin_netuid) " → SN" (destination_netuid)
        },
        Event::StakeSwapped { coldkey, origin_netuid, destination_netuid, tao: t, .. } => html! {
            b { "StakeSwapped" } " " (account_link(coldkey)) " swapped " (fmt::tao_exact(*t)) " of stake SN" (origin_netuid) " → SN" (destination_netuid)
        },
        other => {
            let fields = match serde_json::to_value(other) {
                Ok(serde_json::Value::Object(m)) => m
                    .into_iter()
                    .filter(|(k, _)| k != "event")
                    .map(|(k, v)| match v {
                        serde_json::Value::String(s) => format!("{k} {s}"),
                        v => format!("{k} {v}"),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => String::new(),
            };
            html! { b { (other.name()) } @if !fields.is_empty() { " · " span.muted { (fields) } } }
        }
    }
}

fn events_list(events: &[&EventRecord]) -> Markup {
    html! {
        ul.events.explorer-events {
            @for r in events { li.ev { span.what { (event_words(&r.event)) } } }
        }
    }
}

fn phase_label(t: &Catalogue, p: Phase) -> String {
    match p {
        Phase::Initialization => t.phase_init.to_string(),
        Phase::ApplyExtrinsic(i) => format!("{} {i}", t.extrinsic),
        Phase::Finalization => t.phase_final.to_string(),
    }
}

fn stat(label: &str, value: Markup) -> Markup {
    html! { div.stat { dt { (label) } dd { (value) } } }
}

/// The page context, with the layout's "as of" the latest stored block like the other pages.
async fn page_ctx(s: &AppState, uri: &Uri, headers: &HeaderMap, page: &'static str) -> Ctx {
    let o = s.market.overview().await.ok();
    ctx(s, uri, headers, page, o.as_deref())
}

/// The explorer's search box, on each explorer page.
fn search_form(t: &Catalogue) -> Markup {
    html! {
        form.filters #explorer-search method="get" action="/search" role="search" {
            label { span { (t.explorer_search) } input name="q" type="search" placeholder=(t.explorer_search_hint) autocomplete="off" spellcheck="false" required; }
            button type="submit" { (t.explorer_go) }
        }
    }
}

/// `GET /search?q=`: a block number, block hash, extrinsic id (`block-index`) or address, to
/// its page. A 32-byte hex string is a block hash when the chain has that block, else a public
/// key.
pub(crate) async fn search(State(s): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let lang = Lang::negotiate(None, &headers);
    let p = match Params::parse(&uri, &["q", "lang"]) {
        Ok(p) => p,
        Err(e) => return e.into_page(lang),
    };
    let q = p.str("q").unwrap_or_default().trim();
    let to = |path: String| Redirect::to(&path).into_response();
    if !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit()) {
        return to(format!("/blocks/{q}"));
    }
    if let Some((b, i)) = q.split_once('-')
        && b.parse::<chain::BlockNumber>().is_ok()
        && i.parse::<u32>().is_ok()
    {
        return to(format!("/extrinsics/{q}"));
    }
    if let Ok(h) = q.parse::<chain::Hash>() {
        match s.chain.header(BlockId::Hash(h)).await {
            Ok(_) => return to(format!("/blocks/{q}")),
            Err(ChainError::NotFound(_)) => {}
            Err(e) => return ApiError::from(e).into_page(lang),
        }
    }
    if let Ok(a) = q.parse::<AccountId>() {
        return to(format!("/accounts/{a}"));
    }
    ApiError::param(
        "q",
        format!(
            "{q:?} is not a block number, a block hash, an extrinsic id (block-index) or an address"
        ),
    )
    .into_page(lang)
}

/// `GET /blocks/{number|0xhash|head}`.
pub(crate) async fn block(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(None, &headers);
    if raw == "head" || raw == "finalized" {
        let at = if raw == "head" { BlockId::Head } else { BlockId::Finalized };
        return match s.chain.header(at).await {
            Ok(h) => Redirect::to(&format!("/blocks/{}", h.number)).into_response(),
            Err(e) => ApiError::from(e).into_page(lang),
        };
    }
    let id = match parse_block_id(&raw) {
        Ok(id) => id,
        Err(e) => return e.into_page(lang),
    };
    let (b, head, finalized) = tokio::join!(
        s.chain.block(id),
        s.chain.header(BlockId::Head),
        s.chain.header(BlockId::Finalized)
    );
    let b = match b {
        Ok(b) => b,
        Err(e) => {
            return chain_error(e, || format!("block {raw} is not on this chain")).into_page(lang);
        }
    };
    let c = page_ctx(&s, &uri, &headers, "block").await;
    let head = head.ok().map(|h| h.number);
    let finalized = finalized.ok().map(|h| h.number);
    let title = format!("{} #{}", c.t().block, b.header.number);
    respond(&c, StatusCode::OK, layout(&c, &title, &[], block_page(&c, &s, &b, head, finalized)))
}

fn block_page(
    c: &Ctx,
    s: &AppState,
    b: &Block,
    head: Option<u64>,
    finalized: Option<u64>,
) -> Markup {
    let t = c.t();
    let h = &b.header;
    let age = s.clock.now_ms().saturating_sub(h.timestamp_ms);
    let is_final = finalized.is_some_and(|f| h.number <= f);
    let unsigned: Vec<&EventRecord> =
        b.events.iter().filter(|r| !matches!(r.phase, Phase::ApplyExtrinsic(_))).collect();
    // Grouped by the events' own phases, not by `b.extrinsics`: a client that does not decode
    // extrinsics (the live one) still reports each extrinsic's events.
    let applied = extrinsic_indices(&b.events);
    html! {
        (search_form(t))
        section.hero {
            div {
                h1 { (t.block) " #" (h.number) }
                p.sub.mono { (h.hash.to_hex()) }
            }
            nav.seg.windows aria-label=(t.block) {
                @if h.number > 0 { a #prev-block href=(format!("/blocks/{}", h.number - 1)) rel="prev" { "← " (t.prev_block) } }
                @if head.is_some_and(|n| h.number < n) { a #next-block href=(format!("/blocks/{}", h.number + 1)) rel="next" { (t.next_block) " →" } }
            }
        }
        section.card {
            dl.stats #block-header {
                (stat(t.number, html! { (h.number) }))
                (stat(t.hash, html! { span.mono { (h.hash.to_hex()) } }))
                (stat(t.parent, html! {
                    @if h.number > 0 { a.mono href=(format!("/blocks/{}", h.parent_hash.to_hex())) { (h.parent_hash.to_hex()) } }
                    @else { span.mono { (h.parent_hash.to_hex()) } }
                }))
                (stat(t.state_root, html! { span.mono { (h.state_root.to_hex()) } }))
                (stat(t.extrinsics_root, html! { span.mono { (h.extrinsics_root.to_hex()) } }))
                (stat(t.time, html! { (fmt::utc(h.timestamp_ms)) " · " (fmt::age(age)) " " (t.ago) }))
                (stat(t.finality, html! {
                    @if is_final { span.up #finality data-final="true" { (t.finalized) } }
                    @else { span.muted #finality data-final="false" { (t.not_finalized) } }
                }))
            }
        }
        section.card {
            div.cardhead { h2 { (t.extrinsics) } span.muted { (b.extrinsics.len()) } }
            @if b.extrinsics.is_empty() {
                p.empty { @if applied.is_empty() { (t.no_extrinsics) } @else { (t.extrinsics_not_decoded) } }
            } @else {
                div.tablewrap { table.tape #extrinsics {
                    thead { tr { th { (t.index) } th { (t.signer) } th { (t.call) } th { (t.result) } th { (t.tx_fee) } } }
                    tbody { @for x in &b.extrinsics {
                        tr data-index=(x.index) {
                            td data-label=(t.index) { a href=(format!("/extrinsics/{}-{}", h.number, x.index)) { (h.number) "-" (x.index) } }
                            td data-label=(t.signer) { (account_link(&x.signer)) }
                            td data-label=(t.call) { (crate::describe::describe(&x.call, c.lang)) }
                            td data-label=(t.result) { (result_cell(t, &x.result)) }
                            td data-label=(t.tx_fee) { (fmt::tao_exact(x.fee)) }
                        }
                    } }
                } }
            }
        }
        section.card #block-events {
            div.cardhead { h2 { (t.events) } span.muted { (b.events.len()) } }
            @if b.events.is_empty() { p.empty { (t.no_block_events) } }
            @for i in &applied {
                @let evs: Vec<&EventRecord> = b.events.iter().filter(|r| r.phase == Phase::ApplyExtrinsic(*i)).collect();
                h3 { a href=(format!("/extrinsics/{}-{i}", h.number)) { (t.extrinsic) " " (h.number) "-" (i) } }
                (events_list(&evs))
            }
            @for phase in [Phase::Initialization, Phase::Finalization] {
                @let evs: Vec<&EventRecord> = unsigned.iter().copied().filter(|r| r.phase == phase).collect();
                @if !evs.is_empty() {
                    h3 { (phase_label(t, phase)) }
                    (events_list(&evs))
                }
            }
        }
    }
}

/// The extrinsic indices that have events, in order.
fn extrinsic_indices(events: &[EventRecord]) -> Vec<u32> {
    let mut v: Vec<u32> = events
        .iter()
        .filter_map(|r| match r.phase {
            Phase::ApplyExtrinsic(i) => Some(i),
            _ => None,
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// `GET /extrinsics/{block}-{index}`.
pub(crate) async fn extrinsic(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(None, &headers);
    let parsed = raw
        .split_once('-')
        .and_then(|(b, i)| Some((b.parse::<chain::BlockNumber>().ok()?, i.parse::<u32>().ok()?)));
    let Some((number, index)) = parsed else {
        return ApiError::param(
            "extrinsic",
            format!("{raw:?} is not an extrinsic id: use <block number>-<index>, e.g. 120-0"),
        )
        .into_page(lang);
    };
    let (b, finalized) =
        tokio::join!(s.chain.block(BlockId::Number(number)), s.chain.header(BlockId::Finalized));
    let b = match b {
        Ok(b) => b,
        Err(e) => {
            return chain_error(e, || format!("block {number} is not on this chain"))
                .into_page(lang);
        }
    };
    let x = b.extrinsics.iter().find(|x| x.index == index);
    let evs: Vec<&EventRecord> =
        b.events.iter().filter(|r| r.phase == Phase::ApplyExtrinsic(index)).collect();
    if x.is_none() && evs.is_empty() {
        let count = b.extrinsics.len().max(extrinsic_indices(&b.events).len());
        return ApiError::NotFound(format!(
            "block {number} has {count} extrinsic(s); there is no index {index}"
        ))
        .into_page(lang);
    }
    let c = page_ctx(&s, &uri, &headers, "extrinsic").await;
    let t = c.t();
    let is_final = finalized.is_ok_and(|f| number <= f.number);
    let title = format!("{} {number}-{index}", t.extrinsic);
    let main = html! {
        (search_form(t))
        section.hero { div {
            h1 { (title) }
            @if let Some(x) = x { p.sub { (crate::describe::describe(&x.call, c.lang)) } }
        } }
        section.card {
            dl.stats #extrinsic {
                (stat(t.block, html! { (block_link(number)) " · " @if is_final { span.up { (t.finalized) } } @else { span.muted { (t.not_finalized) } } }))
                (stat(t.index, html! { (index) }))
                @if let Some(x) = x {
                    (stat(t.tx_hash, html! { span.mono { (x.hash.to_hex()) } }))
                    (stat(t.signer, html! { (account_link(&x.signer)) }))
                    (stat(t.nonce, html! { (x.nonce) }))
                    (stat(t.call, html! { (crate::describe::describe(&x.call, c.lang)) " " span.muted { "(" (x.call.name()) ")" } }))
                    (stat(t.result, result_cell(t, &x.result)))
                    (stat(t.tx_fee, html! { (fmt::tao_exact(x.fee)) }))
                }
            }
            @if x.is_none() { p.muted { (t.extrinsics_not_decoded) } }
        }
        section.card #extrinsic-events {
            div.cardhead { h2 { (t.events) } span.muted { (evs.len()) } }
            @if evs.is_empty() { p.empty { (t.no_block_events) } } @else { (events_list(&evs)) }
        }
    };
    respond(&c, StatusCode::OK, layout(&c, &title, &[], main))
}

/// `GET /accounts/{ss58}`.
pub(crate) async fn account(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(None, &headers);
    let who: AccountId = match raw.parse() {
        Ok(a) => a,
        Err(e) => {
            return ApiError::param(
                "address",
                format!("{raw:?} is not an SS58 address or 0x public key: {e}"),
            )
            .into_page(lang);
        }
    };
    let filter =
        TradeFilter { coldkey: Some(who), limit: ACCOUNT_TRADES, ..TradeFilter::default() };
    let (info, stakes, subnets, trades) = tokio::join!(
        s.chain.account(who),
        s.chain.stakes(who),
        s.chain.subnets(),
        s.market.trades(&filter)
    );
    let (info, stakes) = match (info, stakes) {
        (Ok(i), Ok(st)) => (i, st),
        (Err(e), _) | (_, Err(e)) => return ApiError::from(e).into_page(lang),
    };
    // The only identities the chain's views carry are subnets' (their owners'); an index that
    // is behind or empty is no reason to fail the page, so trades may be missing.
    let owned: Vec<chain::SubnetInfo> =
        subnets.unwrap_or_default().into_iter().filter(|n| n.owner_coldkey == who).collect();
    let trades = trades.unwrap_or_default();
    let c = page_ctx(&s, &uri, &headers, "account").await;
    let t = c.t();
    let ss58 = who.to_ss58();
    let staked: Vec<&chain::StakeInfo> = stakes.iter().filter(|st| st.alpha > 0).collect();
    let main = html! {
        (search_form(t))
        section.hero {
            div {
                h1 { (t.account) }
                p.sub.mono #address { (ss58) }
            }
        }
        section.card {
            dl.stats #account-info {
                (stat(t.free_balance, html! { span #free data-rao=(info.free) { (fmt::tao_exact(info.free)) } }))
                (stat(t.reserved_balance, html! { span #reserved data-rao=(info.reserved) { (fmt::tao_exact(info.reserved)) } }))
                (stat(t.nonce, html! { (info.nonce) }))
                @if !owned.is_empty() {
                    (stat(t.identity, html! {
                        @for (i, n) in owned.iter().enumerate() {
                            @if i > 0 { ", " }
                            (t.owner_of) " " a href=(format!("/subnets/{}", n.netuid)) { "SN" (n.netuid) }
                            @if !n.identity.name.is_empty() { " " (n.identity.name) }
                        }
                    }))
                }
            }
        }
        section.card {
            div.cardhead { h2 { (t.stakes) } a href=(format!("/portfolio/{ss58}")) { (t.view_portfolio) " →" } }
            @if staked.is_empty() { p.empty { (t.no_stakes) } } @else {
                div.tablewrap { table.tape #stakes {
                    thead { tr { th { (t.subnet) } th { (t.hotkey) } th.num { "α" } } }
                    tbody { @for st in &staked {
                        tr data-netuid=(st.netuid) data-alpha=(st.alpha) {
                            td data-label=(t.subnet) { a href=(format!("/subnets/{}", st.netuid)) { "SN" (st.netuid) } }
                            td data-label=(t.hotkey) { (account_link(&st.hotkey)) }
                            td.num data-label="α" { (fmt::alpha_exact(st.alpha)) }
                        }
                    } }
                } }
            }
        }
        section.card {
            div.cardhead { h2 { (t.recent_trades) } span.muted { (trades.len()) } }
            @if trades.is_empty() { p.empty { (t.no_account_trades) } } @else {
                div.tablewrap { table.tape #account-trades {
                    thead { tr { th { (t.block) } th { (t.kind) } th { (t.subnet) } th.num { "τ" } th.num { "α" } th { (t.extrinsic) } } }
                    tbody { @for row in &trades {
                        @let tr_ = &row.trade;
                        tr {
                            td data-label=(t.block) { (block_link(tr_.block)) }
                            td data-label=(t.kind) { span class=(format!("side {}", tr_.kind.as_str())) { (t.trade_kind(tr_.kind)) } }
                            td data-label=(t.subnet) {
                                a href=(format!("/subnets/{}", tr_.netuid)) { "SN" (tr_.netuid) }
                                @if let Some(d) = tr_.dest_netuid { @if d != tr_.netuid { " → " a href=(format!("/subnets/{d}")) { "SN" (d) } } }
                            }
                            td.num data-label="τ" { (fmt::tao_exact(tr_.tao)) }
                            td.num data-label="α" { (fmt::alpha_exact(tr_.alpha)) }
                            td data-label=(t.extrinsic) { a href=(format!("/extrinsics/{}-{}", tr_.block, tr_.extrinsic)) { (tr_.block) "-" (tr_.extrinsic) } }
                        }
                    } }
                } }
            }
        }
    };
    let title = format!("{} {}", t.account, fmt::short_address(&ss58));
    let mut r = respond(&c, StatusCode::OK, layout(&c, &title, &[], main));
    // Balances change every block; a cached account page would show a stale one.
    r.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    r
}
