//! Server-rendered pages (maud): overview, subnet, events, and the error page. Scripts are
//! external files from `/assets` (the CSP forbids inline scripts); every number carries the
//! block it is as of.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use market::{FeedEvent, FeedKind, Overview, TradeKind};
use maud::{DOCTYPE, Markup, html};

use crate::api::{self, event_filter, events_page, validator_list};
use crate::assets::asset_url;
use crate::cells::{self, COLUMNS};
use crate::error::ApiError;
use crate::explorer::account_link;
use crate::fmt;
use crate::i18n::{Catalogue, Lang, cookie};
use crate::params::{Params, path_netuid};
use crate::state::AppState;
use crate::usd::UsdQuote;

/// What the layout needs to know about a request and the data.
pub(crate) struct Ctx {
    pub(crate) lang: Lang,
    light: bool,
    usd: Option<UsdQuote>,
    block: u64,
    age_ms: u64,
    page: &'static str,
    path: String,
    set_lang_cookie: bool,
    config: std::sync::Arc<crate::state::Config>,
}

impl Ctx {
    pub(crate) fn t(&self) -> &'static Catalogue {
        self.lang.t()
    }
}

pub(crate) fn ctx(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    page: &'static str,
    o: Option<&Overview>,
) -> Ctx {
    let query_lang = Params::parse(uri, &["lang", "kind", "netuid", "min", "before", "window"])
        .ok()
        .and_then(|p| p.str("lang").map(str::to_string));
    let lang = Lang::negotiate(query_lang.as_deref(), headers);
    let now = state.clock.now_ms();
    Ctx {
        lang,
        light: cookie(headers, "theme").as_deref() == Some("light"),
        usd: state.usd.quote(),
        block: o.map_or(0, |o| o.as_of_block),
        age_ms: o.map_or(0, |o| now.saturating_sub(o.as_of_timestamp_ms)),
        page,
        path: uri.path().to_string(),
        set_lang_cookie: query_lang.as_deref().and_then(Lang::parse).is_some(),
        config: state.config.clone(),
    }
}

/// Rendered overview pages by (block, language, light theme, USD price bits): the page is the
/// same for everyone who asks within a block, so it is rendered once per block and variant.
#[derive(Default)]
pub(crate) struct PageCache(std::sync::Mutex<Vec<(PageKey, std::sync::Arc<str>)>>);

type PageKey = (u64, Lang, bool, Option<u64>);

/// Variants kept (languages × themes × a price change).
const PAGE_CACHE_ENTRIES: usize = 8;

impl PageCache {
    /// The entries, also after a panic poisoned the lock: each entry is a whole rendered page,
    /// so the list stays valid, and a poisoned cache would otherwise never hit again.
    fn entries(&self) -> std::sync::MutexGuard<'_, Vec<(PageKey, std::sync::Arc<str>)>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, key: &PageKey) -> Option<std::sync::Arc<str>> {
        self.entries().iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    fn put(&self, key: PageKey, page: std::sync::Arc<str>) {
        let mut v = self.entries();
        v.retain(|(k, _)| k.0 == key.0 && k != &key);
        if v.len() >= PAGE_CACHE_ENTRIES {
            v.remove(0);
        }
        v.push((key, page));
    }
}

pub(crate) fn respond(c: &Ctx, status: StatusCode, body: Markup) -> Response {
    respond_str(c, status, body.into_string().into())
}

fn respond_str(c: &Ctx, status: StatusCode, body: std::sync::Arc<str>) -> Response {
    let mut r = (status, axum::response::Html(body.to_string())).into_response();
    if c.set_lang_cookie {
        let v = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", c.lang.code());
        if let Ok(v) = HeaderValue::from_str(&v) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    r
}

/// Stands for the age in a cached page; replaced per request (the age changes, the page not).
const AGE_UNKNOWN: u64 = u64::MAX;
const AGE_MS_TOKEN: &str = "__TAOPLEX_AGE_MS__";
const AGE_TOKEN: &str = "__TAOPLEX_AGE__";

fn age_ms_text(age_ms: u64) -> String {
    if age_ms == AGE_UNKNOWN { AGE_MS_TOKEN.to_string() } else { age_ms.to_string() }
}

fn age_text(age_ms: u64) -> String {
    if age_ms == AGE_UNKNOWN { AGE_TOKEN.to_string() } else { fmt::age(age_ms) }
}

pub(crate) fn hue(netuid: u16) -> String {
    format!("glyph hue-{}", netuid % 12)
}

pub(crate) fn layout(c: &Ctx, title: &str, extra_scripts: &[&str], main: Markup) -> Markup {
    let t = c.t();
    let usd_attr = c.usd.as_ref().map(|q| format!("{}", q.usd_per_tao));
    html! {
        (DOCTYPE)
        html lang=(c.lang.code()) data-theme=(if c.light { "light" } else { "dark" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="dark light";
                title { (title) " · taoplex" }
                link rel="stylesheet" href=(asset_url("app.css"));
                link rel="stylesheet" href=(asset_url("fonts.css"));
                link rel="icon" href=(asset_url("favicon.svg")) type="image/svg+xml";
                script type="module" src=(asset_url("app.js")) {}
                @for s in extra_scripts { script defer src=(asset_url(s)) {} }
            }
            body data-page=(c.page) data-lang=(c.lang.code()) data-usd=[usd_attr] data-block=(c.block) data-age-ms=(age_ms_text(c.age_ms)) {
                header.top {
                    div.bar {
                        a.brand href="/" { span.logo { "τ" } span { "taoplex" } small { (t.tagline) } }
                        nav {
                            a href="/" class=[(c.page == "overview").then_some("on")] { (t.nav_markets) }
                            a href="/events" class=[(c.page == "events").then_some("on")] { (t.nav_events) }
                            a href="/wallet" class=[(c.page == "wallet").then_some("on")] { (t.nav_wallet) }
                            a href="/portfolio" class=[(c.page == "portfolio").then_some("on")] { (t.nav_portfolio) }
                            a href="/backprop" class=[(c.page == "backprop").then_some("on")] { (t.nav_backprop) }
                            a href="/basket" class=[(c.page == "basket").then_some("on")] { (t.nav_basket) }
                            a href="/blocks/head" class=[matches!(c.page, "block" | "extrinsic" | "account").then_some("on")] { (t.nav_explorer) }
                            a href="/api/openapi.json" { (t.nav_api) }
                        }
                        div.tools {
                            div.seg role="group" aria-label="τ / $" {
                                button #cur-tao type="button" aria-pressed="true" { "τ" }
                                @if let Some(q) = &c.usd {
                                    button #cur-usd type="button" aria-pressed="false" title=(format!("{} {} (${:.2})", t.usd_from, usd_source(t, &q.source), q.usd_per_tao)) { "$" }
                                } @else {
                                    button #cur-usd type="button" disabled title=(t.usd_disabled) { "$" }
                                }
                            }
                            button #theme type="button" title=(t.theme) aria-label=(t.theme) { span.sun { "☀" } span.moon { "☾" } }
                            div.langs {
                                a href=(format!("{}?lang=en", c.path)) class=[(c.lang == Lang::En).then_some("on")] { "EN" }
                                a href=(format!("{}?lang=zh", c.path)) class=[(c.lang == Lang::Zh).then_some("on")] { "中文" }
                            }
                        }
                    }
                    div.status #status {
                        span.dot #live-dot {}
                        span #live-label { (t.live) }
                        " · " (t.as_of_block) " "
                        b #block { "#" (c.block) }
                        ", " span #age { (age_text(c.age_ms)) } " " (t.ago)
                        span.src { " · " (t.source) }
                        span.src #network { " · " (t.network) " " b { (c.config.network) } }
                        @if let Some(q) = &c.usd {
                            span.src { " · " (t.usd_from) " " (usd_source(t, &q.source)) ": $" (fmt::grouped(q.usd_per_tao, 2)) }
                        } @else {
                            span.src.warn title=(t.usd_disabled) { " · $ —" }
                        }
                    }
                }
                main { (main) }
                footer {
                    p { (t.footer) " · " a href="/api/openapi.json" { "OpenAPI" } " · " a href="/api/v1/overview" { "/api/v1/overview" } }
                }
            }
        }
    }
}

fn money(tao: &str, usd: Option<&str>) -> Markup {
    html! {
        span.v-tao { (tao) }
        @if let Some(u) = usd { span.v-usd { (u) } }
    }
}

/// `GET /`: the overview.
pub(crate) async fn overview(State(s): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let o = match s.market.overview().await {
        Ok(o) => o,
        Err(e) => return ApiError::from(e).into_page(Lang::negotiate(None, &headers)),
    };
    let c = ctx(&s, &uri, &headers, "overview", Some(&o));
    let key: PageKey =
        (o.as_of_block, c.lang, c.light, c.usd.as_ref().map(|q| q.usd_per_tao.to_bits()));
    let age_ms = c.age_ms;
    let with_age = |page: &str| -> std::sync::Arc<str> {
        page.replacen(AGE_MS_TOKEN, &age_ms.to_string(), 1)
            .replacen(AGE_TOKEN, &fmt::age(age_ms), 1)
            .into()
    };
    if let Some(page) = s.page_cache.get(&key) {
        return respond_str(&c, StatusCode::OK, with_age(&page));
    }
    let c = Ctx { age_ms: AGE_UNKNOWN, ..c };
    let t = c.t();
    let usd = c.usd.as_ref().map(|q| q.usd_per_tao);
    let mut rows: Vec<&market::OverviewRow> = o.rows.iter().collect();
    rows.sort_by(|a, b| b.market_cap.cmp(&a.market_cap).then(a.netuid.cmp(&b.netuid)));
    let total_mcap = rows.iter().fold(0u64, |a, r| a.saturating_add(r.market_cap));
    let total_vol = rows.iter().fold(0u64, |a, r| a.saturating_add(r.volume_24h));
    let labels = [
        t.col_price,
        t.col_1h,
        t.col_24h,
        t.col_7d,
        t.col_mcap,
        t.col_volume,
        t.col_pool,
        t.col_emission,
        t.col_flow,
    ];
    let as_of = format!("{} #{}", t.as_of_block, o.as_of_block);
    let main = html! {
        section.hero {
            div {
                h1 { (t.overview_title) }
                p.sub { (t.overview_sub) " " a #basket-link href="/basket" { (t.overview_basket) } }
            }
            div.cards {
                div.card { span.k { (t.subnets) } b { (rows.len()) } }
                div.card { span.k { (t.total_mcap) } b title=(as_of) { (money(&fmt::tao_compact(total_mcap), usd.map(|u| fmt::usd_compact(total_mcap, u)).as_deref())) } }
                div.card { span.k { (t.total_volume) } b title=(as_of) { (money(&fmt::tao_compact(total_vol), usd.map(|u| fmt::usd_compact(total_vol, u)).as_deref())) } }
            }
        }
        div.toolbar {
            input #q type="search" placeholder=(t.search) aria-label=(t.search) autocomplete="off";
            div.seg #scope role="group" {
                button #scope-all type="button" aria-pressed="true" { (t.all) }
                button #scope-watch type="button" aria-pressed="false" { "★ " (t.watchlist) }
            }
        }
        div.tablewrap {
            table #markets.markets {
                thead {
                    tr {
                        th.star {}
                        th.rank { button.sort type="button" data-k="rank" { "#" } }
                        th.name { button.sort type="button" data-k="name" { (t.col_name) } }
                        @for (k, label) in COLUMNS.iter().zip(labels) {
                            th.num { button.sort type="button" data-k=(k) aria-sort=[(*k == "market_cap").then_some("descending")] { (label) } }
                        }
                        th.spark { (t.col_spark) }
                        th.act {}
                    }
                }
                tbody {
                    @for (i, r) in rows.iter().enumerate() {
                        @let search = format!("{} {} sn{} {}", r.name.to_lowercase(), r.symbol.to_lowercase(), r.netuid, r.netuid);
                        tr data-netuid=(r.netuid) data-search=(search) title=(as_of) {
                            td.star { button.watch type="button" data-netuid=(r.netuid) title=(t.watch_add) aria-label=(t.watch_add) { "☆" } }
                            td.rank data-k="rank" data-v=(i + 1) { (i + 1) }
                            td.name data-k="name" data-v=(r.name.to_lowercase()) {
                                a href=(format!("/subnets/{}", r.netuid)) {
                                    span class=(hue(r.netuid)) { (r.symbol) }
                                    span.nm { (r.name) }
                                    span.tag { "SN" (r.netuid) }
                                }
                            }
                            @for (cell, label) in cells::row_cells(r, usd).into_iter().zip(labels) {
                                td class=(format!("num {}", cell.class)) data-k=(cell.key) data-v=(if cell.sort.is_finite() { cell.sort } else { -1e300 }) data-label=(label) {
                                    (money(&cell.tao, cell.usd.as_deref()))
                                }
                            }
                            td.spark data-label=(t.col_spark) {
                                svg viewBox="0 0 120 32" preserveAspectRatio="none" class=(cells::sparkline_class(&r.sparkline_7d)) role="img" aria-label=(t.col_spark) {
                                    polyline points=(cells::sparkline_points(&r.sparkline_7d)) {}
                                }
                            }
                            td.act { button.tradebtn type="button" data-netuid=(r.netuid) { (t.w_trade) } }
                        }
                    }
                }
            }
            p #nomatch.empty hidden { (t.no_match) }
            // The trade card of a row's subnet, fetched when its "Trade" button is pressed.
            dialog #trade-dialog.tradedialog aria-label=(t.w_trade) {
                button #trade-close.close type="button" aria-label=(t.close) { "×" }
                div #trade-slot {}
            }
        }
    };
    let page: std::sync::Arc<str> =
        layout(&c, t.overview_title, &["wallet.js"], main).into_string().into();
    s.page_cache.put(key, page.clone());
    respond_str(&c, StatusCode::OK, with_age(&page))
}

fn stat(label: &str, value: Markup, title: &str) -> Markup {
    html! { div.stat title=(title) { dt { (label) } dd { (value) } } }
}

/// The netuid in a page's path, or the error page (in the request's language) saying why not.
pub(crate) fn page_netuid(raw: &str, headers: &HeaderMap) -> Result<(Lang, u16), Box<Response>> {
    let lang = Lang::negotiate(None, headers);
    path_netuid(raw).map(|n| (lang, n)).map_err(|e| Box::new(e.into_page(lang)))
}

/// `GET /subnets/{netuid}`: a subnet's page.
pub(crate) async fn subnet(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (lang, netuid) = match page_netuid(&raw, &headers) {
        Ok(v) => v,
        Err(page) => return *page,
    };
    let (o, d) = match tokio::try_join!(s.market.overview(), s.market.subnet(netuid)) {
        Ok(v) => v,
        Err(e) => return ApiError::from(e).into_page(lang),
    };
    let c = ctx(&s, &uri, &headers, "subnet", Some(&o));
    let t = c.t();
    let usd = c.usd.as_ref().map(|q| q.usd_per_tao);
    let last = o.as_of_block;
    let tape = s
        .market
        .trades(&market::TradeFilter { netuid: Some(netuid), limit: 30, ..Default::default() })
        .await
        .unwrap_or_default();
    let holders = s.market.holders(netuid, 10).await.ok();
    let validators = validator_list(&s, netuid).await.unwrap_or_default();
    let owner_hotkey = s.chain.subnet(netuid).await.ok().map(|i| i.owner_hotkey);
    let pred = s
        .market
        .predictability(netuid, last.saturating_sub(market::BLOCKS_PER_30D), last)
        .await
        .ok();
    let r = &d.row;
    let as_of = format!("{} #{}", t.as_of_block, last);
    let m =
        |rao: u64| money(&fmt::tao_compact(rao), usd.map(|u| fmt::usd_compact(rao, u)).as_deref());
    let age_blocks = d.info.as_ref().map(|i| last.saturating_sub(i.registered_at));
    let name = if r.name.is_empty() { format!("SN{netuid}") } else { r.name.clone() };
    let max_total = holders.as_ref().map_or(0, |h| h.total_alpha);
    let main = html! {
        div.crumbs { a href="/" { (t.nav_markets) } " › " span { (name) } }
        section.subnet-head data-netuid=(netuid) {
            div.id {
                span class=(format!("{} big", hue(netuid))) { (r.symbol) }
                div {
                    h1 { (name) " " span.tag { "SN" (netuid) } }
                    @if let Some(i) = &d.info { @if !i.identity.description.is_empty() { p.sub { (i.identity.description) } } }
                }
            }
            div.quote {
                div.price data-k="price" title=(as_of) {
                    (money(&fmt::tao_price(r.price), usd.map(|u| fmt::usd_price(r.price, u)).as_deref()))
                }
                div.chips {
                    @for (k, label, v) in [("change_1h", "1h", r.change_1h), ("change_24h", "24h", r.change_24h), ("change_7d", "7d", r.change_7d), ("change_30d", "30d", d.change_30d)] {
                        span class=(format!("chip {}", fmt::change_class(v))) data-k=(k) title=(as_of) { small { (label) } " " span.v-tao { (fmt::change(v)) } }
                    }
                }
            }
        }
        div.grid {
            div.col-main {
                (crate::wallet::trade_card(t, netuid, &r.symbol, &validators, owner_hotkey, &o.rows))
                section.card.chartcard {
                    div.cardhead {
                        h2 { (t.chart) " · " (r.symbol) "/τ" }
                        div.seg #tf role="group" {
                            @for i in market::Interval::ALL {
                                button type="button" data-interval=(i.as_str()) aria-pressed=(if i == market::Interval::H1 { "true" } else { "false" }) { (i.as_str()) }
                            }
                        }
                    }
                    div #chart data-netuid=(netuid) data-interval="1h" { noscript { (t.chart_needs_js) } }
                }
                section.card {
                    div.cardhead { h2 { (t.trades) } }
                    @if tape.is_empty() { p.empty { (t.no_trades) } } @else {
                        div.tablewrap { table.tape {
                            thead { tr { th { (t.block) } th { (t.kind) } th.num { (t.amount) } th.num { "α" } th.num { (t.price) } th { (t.account) } } }
                            tbody {
                                @for row in &tape {
                                    @let tr_ = &row.trade;
                                    tr class=[row.whale.then_some("whale")] {
                                        td data-label=(t.block) { a href=(format!("/extrinsics/{}-{}", tr_.block, tr_.extrinsic)) { "#" (tr_.block) } }
                                        td data-label=(t.kind) {
                                            span class=(format!("side {}", tr_.kind.as_str())) { (t.trade_kind(tr_.kind)) }
                                            @if row.whale { " " span.badge.whale title=(t.whale) { (t.whale) } }
                                            @if let Some(dn) = tr_.dest_netuid { @if tr_.kind != TradeKind::Buy && dn != tr_.netuid { " → " a href=(format!("/subnets/{dn}")) { "SN" (dn) } } }
                                        }
                                        td.num data-label=(t.amount) { (m(tr_.tao)) }
                                        td.num data-label="α" { (fmt::compact(fmt::tokens(tr_.alpha))) }
                                        td.num data-label=(t.price) { (fmt::tao_price(tr_.price)) }
                                        td data-label=(t.account) { (account_link(&tr_.coldkey)) }
                                    }
                                }
                            }
                        } }
                    }
                }
                section.card {
                    div.cardhead { h2 { (t.validators) } span.muted { (validators.len()) } }
                    @if validators.is_empty() { p.empty { (t.no_validators) } } @else {
                        div.tablewrap { table.tape {
                            thead { tr { th { (t.uid) } th { (t.hotkey) } th.num { (t.stake) } th.num { (t.dividends) } } }
                            tbody {
                                @for v in validators.iter().take(32) {
                                    tr {
                                        td data-label=(t.uid) { (v.uid) }
                                        td data-label=(t.hotkey) { (account_link(&v.hotkey)) }
                                        td.num data-label=(t.stake) { (fmt::compact(fmt::tokens(v.stake))) " α" }
                                        td.num data-label=(t.dividends) { (format!("{:.2}%", f64::from(v.dividends) / 655.35)) }
                                    }
                                }
                            }
                        } }
                    }
                }
            }
            aside.col-side {
                section.card {
                    div.cardhead { h2 { (t.pool_stats) } span.muted { @if d.state.exact { (t.exact) } @else { (t.derived) } } }
                    dl.stats {
                        (stat(t.market_cap, m(r.market_cap), &as_of))
                        (stat(t.fdv, m(r.fdv), &as_of))
                        (stat(t.col_pool, m(d.state.tao_reserve), &as_of))
                        (stat(t.alpha_in_pool, html! { (fmt::compact(fmt::tokens(d.state.alpha_in))) " α" }, &as_of))
                        (stat(t.alpha_out, html! { (fmt::compact(fmt::tokens(d.state.alpha_out))) " α" }, &as_of))
                        (stat(t.moving_price, html! { (fmt::tao_price(d.state.moving_price)) }, &as_of))
                        (stat(t.col_volume, m(r.volume_24h), &as_of))
                        (stat(t.flow_24h, html! { span class=(fmt::change_class(Some(fmt::tokens_signed(&r.net_flow_24h)))) { (fmt::tao_signed(&r.net_flow_24h)) } }, &as_of))
                        (stat(t.flow_7d, html! { span class=(fmt::change_class(Some(fmt::tokens_signed(&r.net_flow_7d)))) { (fmt::tao_signed(&r.net_flow_7d)) } }, &as_of))
                        @for (bps, amount) in d.max_buy_for_impact.iter().filter(|(_, a)| a != "0") {
                            (stat(&format!("{} ({}% {})", t.max_buy, bps / 100, t.impact), html! { (fmt::tao_compact(amount.parse().unwrap_or(0))) }, &as_of))
                        }
                        @for (bps, amount) in d.max_sell_for_impact.iter().filter(|(_, a)| a != "0") {
                            (stat(&format!("{} ({}% {})", t.max_sell, bps / 100, t.impact), html! { (fmt::compact(fmt::tokens(amount.parse().unwrap_or(0)))) " α" }, &as_of))
                        }
                    }
                }
                section.card {
                    div.cardhead { h2 { (t.emission_stats) } }
                    dl.stats {
                        (stat(t.col_emission, html! { (fmt::share(r.emission_share)) }, &as_of))
                        (stat(t.tao_emission, html! { (fmt::tao_price(d.state.tao_emission)) }, &as_of))
                        (stat(t.flow_ema, html! { (format!("{} τ", fmt::compact(d.flow_ema / 1e9))) }, &as_of))
                        @if let Some(i) = &d.info {
                            (stat(t.registered, html! { "#" (i.registered_at) }, &as_of))
                            @if let Some(a) = age_blocks {
                                (stat(t.reg_age, html! { (fmt::grouped(a as f64, 0)) " " (t.blocks) " ≈ " (fmt::grouped(a as f64 * 12.0 / 86_400.0, 1)) " " (t.days) }, &as_of))
                            }
                            (stat(t.owner, account_link(&i.owner_coldkey), &as_of))
                            (stat(t.neurons, html! { (i.neuron_count) }, &as_of))
                            (stat(t.tempo, html! { (i.hyperparameters.tempo) " " (t.blocks) }, &as_of))
                            (stat(t.fee, html! { (format!("{:.2}%", f64::from(i.pool.fee_rate) / 655.35)) }, &as_of))
                        }
                    }
                }
                section.card {
                    div.cardhead { h2 { (t.predictability) } }
                    @if let Some(p) = &pred {
                        h3 { (t.owner_burn) }
                        @if p.burns.is_empty() { p.empty { (t.no_burns) } } @else {
                            dl.stats {
                                (stat(t.burned_total, html! { (fmt::compact(fmt::tokens(p.burned_total))) " α" }, &as_of))
                                (stat(t.burned_fraction, html! { (fmt::share(p.burned_fraction)) }, &as_of))
                                (stat(t.burning_epochs, html! { (p.burning_epochs) " / " (p.burns.len()) }, &as_of))
                            }
                            (burn_bars(&p.burns))
                        }
                        h3 { (t.rule_changes) " " span.muted { (p.rule_changes.len()) } }
                        @if p.rule_changes.is_empty() { p.empty { (t.no_changes) } } @else {
                            ul.changes {
                                @for ch in p.rule_changes.iter().rev().take(12) {
                                    li { span.muted { "#" (ch.block) } " " b { (if ch.name.is_empty() { ch.kind.as_str() } else { ch.name.as_str() }) } " → " code { (short_json(&ch.value)) } }
                                }
                            }
                        }
                    } @else { p.empty { (t.no_changes) } }
                }
                section.card {
                    div.cardhead { h2 { (t.holders) } @if let Some(h) = &holders { span.muted { (h.count) " " (t.holder_count) } } }
                    @match &holders {
                        Some(h) if !h.top.is_empty() => {
                            ol.holders {
                                @for hd in &h.top {
                                    li {
                                        (account_link(&hd.coldkey))
                                        span.bar { span class=(format!("fill w{}", bar_width(hd.alpha, max_total))) {} }
                                        span.num { (fmt::compact(fmt::tokens(hd.alpha))) " α · " (fmt::share(hd.share)) }
                                    }
                                }
                            }
                        }
                        _ => { p.empty { (t.no_holders) } }
                    }
                }
            }
        }
    };
    respond(
        &c,
        StatusCode::OK,
        layout(
            &c,
            &name,
            &["vendor/lightweight-charts.standalone.production.js", "chart.js", "wallet.js"],
            main,
        ),
    )
}

/// A width class 0..=20 (5 % steps) for bars, so no inline style is needed under the CSP.
pub(crate) fn bar_width(part: u64, total: u64) -> u64 {
    if total == 0 {
        0
    } else {
        (u128::from(part) * 20 / u128::from(total)).min(20).try_into().unwrap_or(20)
    }
}

fn burn_bars(burns: &[market::analytics::BurnPoint]) -> Markup {
    let last: Vec<&market::analytics::BurnPoint> =
        burns.iter().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
    let n = last.len().max(1) as f64;
    let w = 200.0 / n;
    html! {
        svg.burns viewBox="0 0 200 40" preserveAspectRatio="none" role="img" aria-label="owner burn per epoch" {
            @for (i, b) in last.iter().enumerate() {
                @let h = (b.fraction.clamp(0.0, 1.0) * 38.0).max(1.0);
                rect x=(format!("{:.2}", i as f64 * w + 0.5)) y=(format!("{:.2}", 40.0 - h)) width=(format!("{:.2}", (w - 1.0).max(0.5))) height=(format!("{h:.2}")) {
                    title { "#" (b.block) ": " (fmt::share(b.fraction)) }
                }
            }
        }
    }
}

fn short_json(v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 48 {
        format!("{}…", s.chars().take(48).collect::<String>())
    } else {
        s
    }
}

fn event_item(t: &Catalogue, e: &FeedEvent) -> Markup {
    let tao = api::event_tao(e);
    html! {
        li.ev data-kind=(e.kind.as_str()) data-netuid=[e.netuid] data-tao=[tao] {
            span class=(format!("kind k-{}", e.kind.as_str())) { (t.feed_kind(e.kind)) }
            span.what {
                (e.sentence)
                @if let Some(n) = e.netuid { " " a href=(format!("/subnets/{n}")) { "SN" (n) } }
            }
            span.when.muted title=(format!("{} #{}", t.block, e.block)) { a href=(format!("/blocks/{}", e.block)) { "#" (e.block) } }
        }
    }
}

/// `GET /events`: the live feed with filters.
pub(crate) async fn events(State(s): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let lang = Lang::negotiate(None, &headers);
    // The form sends the minimum in τ as `min`; the API takes rao as `min_tao`.
    let p = match Params::parse(&uri, &["lang", "kind", "netuid", "min", "before"]) {
        Ok(p) => p,
        Err(e) => return e.into_page(lang),
    };
    let min_tao = match p.str("min").map(|m| m.parse::<f64>()) {
        None => None,
        Some(Ok(v)) if v.is_finite() && v >= 0.0 => Some((v * 1e9).round() as u64),
        Some(_) => return ApiError::param("min", "not a non-negative number of τ").into_page(lang),
    };
    let (mut f, _) = match event_filter(&p, s.config.max_page) {
        Ok(v) => v,
        Err(e) => return e.into_page(lang),
    };
    f.limit = 50;
    let (o, page) = match tokio::join!(s.market.overview(), events_page(&s, &f, min_tao)) {
        (Ok(o), Ok(p)) => (o, p),
        (Err(e), _) => return ApiError::from(e).into_page(lang),
        (_, Err(e)) => return e.into_page(lang),
    };
    let c = ctx(&s, &uri, &headers, "events", Some(&o));
    let t = c.t();
    let (events, next) = page;
    let kind = f.kinds.first().copied();
    let older = next.map(|cur| {
        let mut q = format!("/events?before={cur}");
        if let Some(k) = kind {
            q.push_str(&format!("&kind={}", k.as_str()));
        }
        if let Some(n) = f.netuid {
            q.push_str(&format!("&netuid={n}"));
        }
        if let Some(m) = p.str("min") {
            q.push_str(&format!("&min={m}"));
        }
        q
    });
    let main = html! {
        section.hero { div { h1 { (t.events_title) } p.sub { (t.events_sub) } } }
        form.filters #filters method="get" action="/events" {
            label { span { (t.filter_kind) } select name="kind" {
                option value="" selected[kind.is_none()] { (t.any) }
                @for k in FeedKind::ALL { option value=(k.as_str()) selected[kind == Some(k)] { (t.feed_kind(k)) } }
            } }
            label { span { (t.filter_subnet) } input type="number" name="netuid" min="0" max="65535" value=[f.netuid] placeholder=(t.any); }
            label { span { (t.filter_min) } input type="number" name="min" min="0" step="any" value=[p.str("min")] placeholder="0"; }
            button type="submit" { (t.apply) }
        }
        section.card {
            ul #events.events data-kind=[kind.map(|k| k.as_str())] data-netuid=[f.netuid] data-min=[min_tao] {
                @for e in &events { (event_item(t, e)) }
            }
            p #noevents.empty hidden[!events.is_empty()] { (t.no_events) }
            @if let Some(q) = &older { a.more href=(q) { (t.older) " →" } }
        }
        template #kind-labels {
            @for k in FeedKind::ALL { span data-kind=(k.as_str()) { (t.feed_kind(k)) } }
        }
    };
    respond(&c, StatusCode::OK, layout(&c, t.events_title, &[], main))
}

/// The error page.
pub(crate) fn error_page(lang: Lang, status: StatusCode, message: &str) -> Markup {
    let t = lang.t();
    html! {
        (DOCTYPE)
        html lang=(lang.code()) data-theme="dark" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (status.as_u16()) " · taoplex" }
                link rel="stylesheet" href=(asset_url("app.css"));
                link rel="stylesheet" href=(asset_url("fonts.css"));
                script type="module" src=(asset_url("app.js")) {}
            }
            body data-page="error" {
                main.errorpage {
                    h1 { (status.as_u16()) " · " (t.error_title) }
                    p { (message) }
                    p { a href="/" { (t.back_home) } }
                }
            }
        }
    }
}

/// `GET` of an unknown page.
pub(crate) async fn not_found(headers: HeaderMap, uri: Uri) -> Response {
    ApiError::NotFound(format!("no page at {}", uri.path()))
        .into_page(Lang::negotiate(None, &headers))
}

/// Where the TAO/USD price came from, in the page's words: a feed's URL as is, a price given on
/// the command line as "configuration".
fn usd_source<'a>(t: &'a crate::i18n::Catalogue, source: &'a str) -> &'a str {
    if source == crate::usd::CONFIGURED { t.usd_configured } else { source }
}
