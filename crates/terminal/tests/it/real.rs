//! The terminal on the real thing: an in-process localnet with its market simulation, indexed
//! by `market` into SQLite, served through `market::Market` (not fixtures).

use std::sync::Arc;

use axum::http::StatusCode;
use chain::{BlockId, Chain, ManualClock};
use localnet::Genesis;
use localnet::node::Node;
use localnet::sim::SimOptions;
use market::{FeedConfig, Indexer, IndexerConfig, Market, Store, StoreConfig};
use terminal::{AppState, Config, NoUsd, router};
use test_support::node::simulated_node;

use crate::{get, get_json};

pub struct Real {
    pub node: Node,
    pub chain: Arc<dyn Chain>,
    pub indexer: Arc<Indexer>,
    pub state: AppState,
    pub _dir: tempfile::TempDir,
}

/// A localnet with `blocks` blocks produced and indexed.
pub async fn real(blocks: u64) -> Real {
    let (node, chain) =
        simulated_node(&Genesis::dev(), SimOptions { intensity: 4.0, ..SimOptions::default() });
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::SqliteDir(dir.path().to_path_buf())).await.unwrap();
    let feed = FeedConfig { whale_tao: 20_000_000_000, ..FeedConfig::default() };
    let indexer = Arc::new(Indexer::new(
        chain.clone(),
        store,
        IndexerConfig { feed: feed.clone(), ..IndexerConfig::default() },
    ));
    indexer.observe_head().await.unwrap();
    for _ in 0..blocks {
        node.fast_forward(1).await.unwrap();
        indexer.observe_head().await.unwrap();
    }
    indexer.sync().await.unwrap();
    let market = Arc::new(Market::new(&indexer, chain.clone(), feed));
    let state = AppState::new(
        market,
        chain.clone(),
        Arc::new(ManualClock::new(0)),
        Arc::new(NoUsd),
        Config { rate_limit: None, ..Config::default() },
    );
    Real { node, chain, indexer, state, _dir: dir }
}

#[tokio::test]
async fn serves_an_indexed_localnet() {
    let r = real(120).await;
    let app = router(r.state.clone());
    let finalized = r.chain.header(BlockId::Finalized).await.unwrap().number;
    let subnets = r.chain.subnets().await.unwrap();

    let (s, v) = get_json(&app, "/api/v1/overview").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["as_of_block"], finalized);
    let rows = v["rows"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.len() <= subnets.len());
    // Prices are the chain's (at the finalized block the store holds).
    for row in rows {
        let n = row["netuid"].as_u64().unwrap();
        assert!(subnets.iter().any(|s| u64::from(s.netuid) == n));
        assert!(row["price"].as_str().unwrap().parse::<u64>().is_ok());
    }
    let n = rows.iter().find(|r| r["netuid"] != 0).unwrap()["netuid"].as_u64().unwrap();

    let (s, v) =
        get_json(&app, &format!("/api/v1/subnets/{n}/candles?interval=1m&limit=100")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!v["candles"].as_array().unwrap().is_empty());
    let (s, v) = get_json(&app, "/api/v1/trades?limit=20").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!v["trades"].as_array().unwrap().is_empty(), "the simulation trades");
    let (s, v) = get_json(&app, &format!("/api/v1/subnets/{n}/validators")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for uri in [
        format!("/api/v1/subnets/{n}"),
        format!("/api/v1/subnets/{n}/holders"),
        format!("/api/v1/subnets/{n}/predictability"),
        "/api/v1/events".into(),
    ] {
        let (s, v) = get_json(&app, &uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {v}");
    }
    for uri in ["/".to_string(), format!("/subnets/{n}"), "/events".into()] {
        let (s, _, html) = get(&app, &uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {html}");
        assert!(html.contains(&format!("#{finalized}")), "{uri} shows its block");
    }
    drop(app);
    r.node.shutdown().await;
}
