//! The REST API through `oneshot`.

use axum::http::StatusCode;
use terminal::{Config, RateLimit, router};

use crate::fixture::{LAST_BLOCK, fixture, fixture_with};
use crate::{get, get_json};

#[tokio::test]
async fn overview_rows_carry_amounts_as_strings_and_their_block() {
    let f = fixture();
    let app = router(f.state);
    let (s, v) = get_json(&app, "/api/v1/overview").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["as_of_block"], LAST_BLOCK);
    assert_eq!(v["total"], 23);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 23);
    assert!(rows[0]["price"].is_string() && rows[0]["market_cap"].is_string());
    assert_eq!(rows[0]["as_of_block"], LAST_BLOCK);
    // Default order: market cap, largest first.
    let caps: Vec<u64> =
        rows.iter().map(|r| r["market_cap"].as_str().unwrap().parse().unwrap()).collect();
    assert!(caps.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(v["usd"]["usd_per_tao"], 412.35);
    // The cached default answer is identical.
    let (_, again) = get_json(&app, "/api/v1/overview").await;
    assert_eq!(again, v);
}

#[tokio::test]
async fn overview_sorts_and_pages() {
    let app = router(fixture().state);
    let (s, v) = get_json(&app, "/api/v1/overview?sort=name&limit=5&offset=2").await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> =
        v["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 5);
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);
    let (_, v) = get_json(&app, "/api/v1/overview?sort=change_24h&order=asc").await;
    let ch: Vec<f64> =
        v["rows"].as_array().unwrap().iter().map(|r| r["change_24h"].as_f64().unwrap()).collect();
    assert!(ch.windows(2).all(|w| w[0] <= w[1]));
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_parameter() {
    let app = router(fixture().state);
    for (uri, param) in [
        ("/api/v1/overview?sort=bogus", "sort"),
        ("/api/v1/overview?order=up", "order"),
        ("/api/v1/overview?limit=0", "limit"),
        ("/api/v1/overview?limit=100000", "limit"),
        ("/api/v1/overview?frobnicate=1", "frobnicate"),
        ("/api/v1/overview?limit=5&limit=6", "limit"),
        ("/api/v1/subnets/abc", "netuid"),
        ("/api/v1/subnets/70000/candles", "netuid"),
        ("/api/v1/subnets/3/candles?interval=2h", "interval"),
        ("/api/v1/subnets/3/candles?from=10&to=5", "from"),
        ("/api/v1/subnets/3/candles?interval=1m&from=0", "from"),
        ("/api/v1/subnets/3/candles?limit=9999", "limit"),
        ("/api/v1/subnets/3/trades?before=12", "before"),
        ("/api/v1/subnets/3/trades?limit=501", "limit"),
        ("/api/v1/subnets/3/holders?limit=101", "limit"),
        ("/api/v1/trades?coldkey=nope", "coldkey"),
        ("/api/v1/events?kind=whale_trade,moon", "kind"),
        ("/api/v1/events?min_tao=-1", "min_tao"),
        ("/api/v1/portfolio/notanaddress", "coldkey"),
    ] {
        let (s, v) = get_json(&app, uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(v["parameter"], param, "{uri}: {v}");
        assert!(v["error"].as_str().unwrap().contains(param), "{uri}: {v}");
        assert_eq!(v["status"], 400);
    }
}

#[tokio::test]
async fn unknown_things_are_404() {
    let app = router(fixture().state);
    let (s, v) = get_json(&app, "/api/v1/subnets/99").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["error"].as_str().unwrap().contains("unknown subnet 99"));
    let (s, _) = get_json(&app, "/api/v1/nothing").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get_json(&app, "/api/v1/subnets/99/validators").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn subnet_candles_validators_holders_predictability() {
    let app = router(fixture().state);
    let (s, v) = get_json(&app, "/api/v1/subnets/3").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["row"]["netuid"], 3);
    assert_eq!(v["registration_age_blocks"], LAST_BLOCK - 147_000);
    assert_eq!(v["info"]["identity"]["name"], "Templar");

    let (s, v) = get_json(&app, "/api/v1/subnets/3/candles?interval=1h&limit=100").await;
    assert_eq!(s, StatusCode::OK);
    let c = v["candles"].as_array().unwrap();
    assert!(!c.is_empty() && c.len() <= 100, "{}", c.len());
    assert_eq!(v["interval_blocks"], 300);
    assert!(c[0]["open"].is_string());

    let (_, v) = get_json(&app, "/api/v1/subnets/3/validators").await;
    let vals = v["validators"].as_array().unwrap();
    assert_eq!(vals.len(), 7);
    assert!(vals.iter().all(|n| n["validator_permit"] == true));

    let (_, v) = get_json(&app, "/api/v1/subnets/3/holders?limit=5").await;
    assert_eq!(v["top"].as_array().unwrap().len(), 5);
    assert_eq!(v["count"], 340);

    let (_, v) = get_json(&app, "/api/v1/subnets/3/predictability").await;
    assert!(v["burning_epochs"].as_u64().unwrap() > 0);
    assert_eq!(v["rule_changes"][0]["name"], "max_allowed_validators");
}

#[tokio::test]
async fn trades_page_with_a_cursor_without_overlap() {
    let app = router(fixture().state);
    let (_, p1) = get_json(&app, "/api/v1/trades?limit=10").await;
    let t1 = p1["trades"].as_array().unwrap();
    assert_eq!(t1.len(), 10);
    let cursor = p1["next_cursor"].as_str().unwrap().to_string();
    let (_, p2) = get_json(&app, &format!("/api/v1/trades?limit=10&before={cursor}")).await;
    let t2 = p2["trades"].as_array().unwrap();
    assert_eq!(t2.len(), 10);
    let last1 = (t1[9]["block"].as_u64().unwrap(), t1[9]["extrinsic"].as_u64().unwrap());
    let first2 = (t2[0]["block"].as_u64().unwrap(), t2[0]["extrinsic"].as_u64().unwrap());
    assert!(first2 < last1);
    // Whale filter and flags.
    let (_, w) = get_json(&app, "/api/v1/subnets/1/trades?min_tao=500000000000").await;
    let w = w["trades"].as_array().unwrap();
    assert!(!w.is_empty());
    assert!(w.iter().all(|t| t["whale"] == true
        && t["tao"].as_str().unwrap().parse::<u64>().unwrap() >= 500_000_000_000));
}

#[tokio::test]
async fn events_filter_by_kind_subnet_and_size() {
    let app = router(fixture().state);
    let (_, v) = get_json(&app, "/api/v1/events?kind=whale_trade&limit=100").await;
    let ev = v["events"].as_array().unwrap();
    assert!(!ev.is_empty());
    assert!(ev.iter().all(|e| e["kind"] == "whale_trade"));
    let (_, v) = get_json(&app, "/api/v1/events?netuid=5").await;
    assert!(v["events"].as_array().unwrap().iter().all(|e| e["netuid"] == 5));
    let (_, v) = get_json(&app, "/api/v1/events?min_tao=2000000000000&limit=100").await;
    let ev = v["events"].as_array().unwrap();
    assert!(!ev.is_empty());
    assert!(
        ev.iter().all(
            |e| e["data"]["tao"].as_str().unwrap().parse::<u64>().unwrap() >= 2_000_000_000_000
        )
    );
    let (_, v) = get_json(&app, "/api/v1/events?limit=7").await;
    assert_eq!(v["next_cursor"], format!("{}-0", LAST_BLOCK - 6 * 50));
}

#[tokio::test]
async fn portfolio_and_status() {
    let app = router(fixture().state);
    let (s, v) =
        get_json(&app, "/api/v1/portfolio/5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["exit_total"], "49000000000");
    let (_, v) = get_json(&app, "/api/v1/status").await;
    assert_eq!(v["as_of_block"], LAST_BLOCK);
    assert_eq!(v["age_ms"], 12_000);
}

#[tokio::test]
async fn over_the_rate_limit_is_429_with_retry_after() {
    let f = fixture_with(
        Config { rate_limit: Some(RateLimit { per_second: 1.0, burst: 3 }), ..Config::default() },
        None,
    );
    let clock = f.clock.clone();
    let app = router(f.state);
    for _ in 0..3 {
        assert_eq!(get(&app, "/api/v1/status").await.0, StatusCode::OK);
    }
    let (s, h, b) = get(&app, "/api/v1/status").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h["retry-after"], "1");
    assert!(b.contains("rate limit"));
    // Pages and assets are not API calls.
    assert_eq!(get(&app, "/assets/app.css").await.0, StatusCode::OK);
    // A second later one token is back.
    clock.advance_ms(1_000);
    assert_eq!(get(&app, "/api/v1/status").await.0, StatusCode::OK);
    assert_eq!(get(&app, "/api/v1/status").await.0, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = router(fixture().state);
    for uri in ["/", "/api/v1/overview", "/assets/app.js", "/nope", "/api/v1/subnets/x"] {
        let (_, h, _) = get(&app, uri).await;
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{uri}"
        );
        assert!(!csp.contains("unsafe-inline"), "{uri}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(h["x-frame-options"], "DENY", "{uri}");
    }
}

#[tokio::test]
async fn openapi_document_matches_its_snapshot() {
    let app = router(fixture().state);
    let (s, v) = get_json(&app, "/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["openapi"], "3.1.0");
    // Every API route is documented.
    for p in [
        "/api/v1/overview",
        "/api/v1/subnets/{netuid}",
        "/api/v1/subnets/{netuid}/candles",
        "/api/v1/subnets/{netuid}/trades",
        "/api/v1/subnets/{netuid}/holders",
        "/api/v1/subnets/{netuid}/validators",
        "/api/v1/subnets/{netuid}/predictability",
        "/api/v1/trades",
        "/api/v1/events",
        "/api/v1/portfolio/{coldkey}",
        "/api/v1/backprop",
    ] {
        assert!(v["paths"][p]["get"].is_object(), "{p} undocumented");
    }
    let pretty = serde_json::to_string_pretty(&v).unwrap() + "\n";
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots/openapi.json");
    // Only an explicit request writes the snapshot: a missing one fails, else a deleted or
    // never-committed snapshot would pass by recording whatever the code produces.
    if std::env::var_os("TAOPLEX_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &pretty).unwrap();
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "no OpenAPI snapshot at {} ({e}); review the document and run with \
             TAOPLEX_UPDATE_SNAPSHOTS=1 to record it",
            path.display()
        )
    });
    assert!(
        stored == pretty,
        "the OpenAPI document changed; review it and rerun with TAOPLEX_UPDATE_SNAPSHOTS=1 to accept"
    );
}

#[tokio::test]
async fn usd_price_feed_is_polled_from_a_url() {
    use axum::routing::get as route;
    let app = axum::Router::new().route(
        "/price",
        route(|| async { axum::Json(serde_json::json!({"bittensor": {"usd": 401.25}})) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let clock = std::sync::Arc::new(chain::ManualClock::from_ms(7));
    let (feed, task) = terminal::UsdFeed::spawn(
        format!("http://{addr}/price"),
        std::time::Duration::from_secs(60),
        clock,
    );
    let mut rx = feed.subscribe();
    rx.changed().await.unwrap();
    let q = terminal::UsdSource::quote(&*feed).unwrap();
    assert_eq!((q.usd_per_tao, q.as_of_ms), (401.25, 7));
    assert!(q.source.ends_with("/price"));
    task.shutdown().await;
    server.abort();
}

#[tokio::test]
async fn backprop_moves_emissions_between_subnets() {
    let app = router(fixture().state);
    let (s, v) = get_json(&app, "/api/v1/backprop?window=24h").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["window"], "24h");
    assert_eq!(v["to_block"], LAST_BLOCK);
    let subnets = v["subnets"].as_array().unwrap();
    assert_eq!(subnets.len(), 23);
    let changes: Vec<i64> =
        subnets.iter().map(|s| s["share_change_ppb"].as_i64().unwrap()).collect();
    assert_eq!(changes.iter().sum::<i64>(), 0, "emissions only move between subnets");
    assert!(changes.windows(2).all(|w| w[0] >= w[1]), "largest gain first");
    assert!(subnets[0]["net_flow"].is_string());
    assert!(!v["teachers"].as_array().unwrap().is_empty());
    assert!(v["summary"].as_str().unwrap().starts_with("Over the last 24h traders moved"));
    let (s, v) = get_json(&app, "/api/v1/backprop?window=1y").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["parameter"], "window");
}
