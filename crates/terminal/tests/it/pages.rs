//! The server-rendered pages and the assets through `oneshot`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use terminal::{Config, router};

use crate::fixture::{fixture, fixture_with};
use crate::{get, get_with};

#[tokio::test]
async fn overview_page_has_every_subnet_column_and_freshness() {
    let app = router(fixture().state);
    let (s, h, html) = get(&app, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(html.matches("<tr data-netuid=").count(), 23);
    for k in terminal::COLUMNS {
        assert!(html.contains(&format!("data-k=\"{k}\"")), "column {k}");
    }
    assert!(html.contains("as of block") && html.contains("#1000000") && html.contains("12 s"));
    assert!(html.contains("id=\"network\">"), "the status line names the network");
    assert!(html.contains(" · network <b>localnet</b>"), "the default network");
    assert!(html.contains("<polyline points="), "sparklines");
    assert!(html.contains("class=\"v-usd\""), "$ values rendered");
    assert!(html.contains("data-theme=\"dark\""), "dark by default");
    // No inline script anywhere (the CSP forbids it).
    assert!(!html.contains("<script>") && !html.contains("onclick"));
    // The page is cached per block, but its age is not: a later request says a later age.
    let f = fixture();
    let clock = f.clock.clone();
    let app2 = router(f.state);
    let (_, _, first) = get(&app2, "/").await;
    clock.advance_ms(30_000);
    let (_, _, second) = get(&app2, "/").await;
    assert!(first.contains("data-age-ms=\"12000\"") && first.contains(">12 s<"));
    assert!(second.contains("data-age-ms=\"42000\"") && second.contains(">42 s<"));
    assert!(!second.contains("__TAOPLEX"));
    // Logos on other hosts are not loaded.
    assert!(!html.contains("example.invalid"));
    // A terminal on another network says so on every page.
    let mut f = fixture();
    std::sync::Arc::make_mut(&mut f.state.config).network = "finney".into();
    let (_, _, live) = get(&router(f.state), "/events").await;
    assert!(live.contains(" · network <b>finney</b>"));
}

#[tokio::test]
async fn usd_view_is_disabled_with_an_explanation_without_a_price() {
    let app = router(fixture_with(Config::default(), None).state);
    let (_, _, html) = get(&app, "/").await;
    assert!(html.contains("id=\"cur-usd\" type=\"button\" disabled"));
    assert!(html.contains("--usd-price or --price-feed"));
    assert!(!html.contains("class=\"v-usd\""));
}

#[tokio::test]
async fn chinese_by_query_cookie_or_accept_language() {
    let app = router(fixture().state);
    let (_, h, html) = get(&app, "/?lang=zh").await;
    assert!(html.contains("子网代币价格") && html.contains("lang=\"zh\""));
    assert!(h["set-cookie"].to_str().unwrap().starts_with("lang=zh"));
    let req = Request::get("/events")
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
        .body(Body::empty())
        .unwrap();
    let (_, _, html) = get_with(&app, req).await;
    assert!(html.contains("市场事件"));
    let req =
        Request::get("/").header("cookie", "lang=zh; theme=light").body(Body::empty()).unwrap();
    let (_, _, html) = get_with(&app, req).await;
    assert!(html.contains("行情") && html.contains("data-theme=\"light\""));
    let (_, _, html) = get(&app, "/").await;
    assert!(html.contains("Subnet token prices"));
}

#[tokio::test]
async fn subnet_page_has_chart_tape_stats_holders_validators_and_record() {
    let app = router(fixture().state);
    let (s, _, html) = get(&app, "/subnets/1").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"chart\""));
    assert!(html.contains(terminal::CHART_LIB));
    assert!(html.contains("class=\"whale\""), "whale rows highlighted");
    for s in [
        "Top holders",
        "Validators",
        "Predictability record",
        "Registration age",
        "Largest buy before impact",
        "TAO in pool",
        "Emission",
    ] {
        assert!(html.contains(s), "{s}");
    }
    let (s, _, html) = get(&app, "/subnets/77").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("unknown subnet 77"));
    let (s, _, _) = get(&app, "/subnets/x").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn events_page_filters() {
    let app = router(fixture().state);
    let (s, _, html) = get(&app, "/events?kind=whale_trade&min=2000").await;
    assert_eq!(s, StatusCode::OK);
    let items = html.matches("<li class=\"ev\"").count();
    assert!(items > 0);
    assert_eq!(html.matches("data-kind=\"whale_trade\" data-netuid").count(), items);
    let (s, _, _) = get(&app, "/events?min=lots").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn assets_are_embedded_with_their_types() {
    let app = router(fixture().state);
    let (s, h, body) = get(&app, &format!("/assets/{}", terminal::CHART_LIB)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(body.contains("createChart") && body.len() > 100_000);
    let (_, h, _) = get(&app, "/assets/app.css").await;
    assert!(h["content-type"].to_str().unwrap().starts_with("text/css"));
    let (s, _, _) = get(&app, "/assets/../Cargo.toml").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn no_element_has_two_class_attributes() {
    let app = router(fixture().state);
    let who = crate::fixture::account(1);
    for uri in [
        "/".to_string(),
        "/subnets/1".into(),
        "/events".into(),
        "/wallet".into(),
        "/portfolio".into(),
        "/backprop".into(),
        format!("/accounts/{who}"),
    ] {
        let uri = uri.as_str();
        let (_, _, html) = get(&app, uri).await;
        for tag in html.split('<') {
            let head = tag.split('>').next().unwrap_or_default();
            assert!(head.matches(" class=").count() <= 1, "{uri}: <{head}>");
        }
    }
}

#[tokio::test]
async fn newer_pages_speak_chinese_too() {
    let app = router(fixture().state);
    for (uri, en, zh) in [
        ("/wallet", "Import a mnemonic", "导入助记词"),
        ("/portfolio", "Of the accounts in this browser", "本浏览器钱包中的账户"),
        ("/backprop", "Where emissions moved", "排放流向"),
    ] {
        let (s, _, html) = get(&app, uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert!(html.contains(en), "{uri}");
        let (_, _, html) = get(&app, &format!("{uri}?lang=zh")).await;
        assert!(html.contains(zh) && !html.contains(en), "{uri} in Chinese");
        // The nav is translated on every page.
        assert!(
            html.contains(">钱包<") && html.contains(">投资组合<") && html.contains(">反向传播<")
        );
    }
}

#[tokio::test]
async fn blocks_and_addresses_link_to_the_explorer() {
    let app = router(fixture().state);
    let (_, _, html) = get(&app, "/events").await;
    assert!(html.contains("<a href=\"/blocks/"), "event blocks link their block page");
    let (_, _, html) = get(&app, "/subnets/1").await;
    assert!(html.contains("href=\"/extrinsics/"), "the tape links each trade's extrinsic");
    assert!(html.contains("href=\"/accounts/"), "accounts link their page");
    let who = crate::fixture::account(1);
    let (s, _, html) = get(&app, &format!("/accounts/{who}")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"account-trades\""), "the fixture's trades by this coldkey");
    let (_, _, html) = get(&app, "/backprop").await;
    assert!(html.contains("href=\"/accounts/"), "teachers link their page");
}

/// A client that reports events but does not decode extrinsics (the live one; the fake chain
/// here) still gets each extrinsic's events on the block and extrinsic pages.
#[tokio::test]
async fn explorer_shows_events_of_undecoded_extrinsics() {
    let f = fixture();
    let (from, to) = (crate::fixture::account(1), crate::fixture::account(2));
    let n = f.chain.produce(
        vec![
            (None, chain::Event::AlphaBurned { netuid: 3, amount: 7 }),
            (Some(0), chain::Event::Transfer { from, to, amount: 2_500_000_000 }),
            (Some(0), chain::Event::ExtrinsicSuccess { fee: 1_000 }),
        ],
        Vec::new(),
    );
    let app = router(f.state);
    let (s, _, html) = get(&app, &format!("/blocks/{n}")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("does not decode extrinsics"), "{html}");
    assert!(html.contains(&format!("href=\"/extrinsics/{n}-0\"")));
    assert!(html.contains("<b>Transfer</b> 2.5 τ from"), "{html}");
    assert!(html.contains("<b>AlphaBurned</b>") && html.contains("Block initialisation"));
    let (s, _, html) = get(&app, &format!("/extrinsics/{n}-0")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("<b>Transfer</b>") && html.contains("<b>ExtrinsicSuccess</b>"));
    let (s, _, html) = get(&app, &format!("/extrinsics/{n}-1")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains(&format!("block {n} has 1 extrinsic(s); there is no index 1")), "{html}");
}
