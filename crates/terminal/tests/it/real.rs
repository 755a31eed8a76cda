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

/// Follows a transaction to finality and returns its block and index.
async fn finalized(
    chain: &dyn Chain,
    signer: &keys::Keypair,
    call: chain::Call,
) -> (chain::BlockNumber, u32) {
    use futures::StreamExt;
    let mut statuses =
        chain::sign_and_submit(chain, signer, call, chain::TxOptions::default()).await.unwrap();
    let mut index = None;
    while let Some(s) = statuses.next().await {
        match s.unwrap() {
            chain::TxStatus::InBlock { index: i, result, .. } => {
                assert_eq!(result, Ok(()));
                index = Some(i);
            }
            chain::TxStatus::Finalized { number, .. } => return (number, index.unwrap()),
            _ => {}
        }
    }
    panic!("the transaction was not finalized")
}

/// A transfer and a stake on a localnet show up on their block pages, their extrinsic pages and
/// the accounts' pages with the chain's amounts; bad input is a 400 or a 404 page.
#[tokio::test]
async fn explorer_pages_show_a_transfer_and_a_stake() {
    use chain::{Call, Tao};
    use test_support::genesis::{TAO, id, keys_pair};
    let net = test_support::terminal::trading_net();
    let app = router(net.state.clone());
    let (alice, bob) = (id("//Alice"), id("//Bob"));
    let hotkey = id("//Owner1//hot");
    let pair = keys_pair("//Alice");

    let send = Call::Transfer { dest: bob, amount: Tao::from_rao(5 * TAO) };
    let (tblock, tindex) = finalized(&*net.chain, &pair, send.clone()).await;
    let stake = Call::AddStake { hotkey, netuid: 1, amount_staked: Tao::from_rao(10 * TAO) };
    let (sblock, sindex) = finalized(&*net.chain, &pair, stake.clone()).await;
    let staked = net.chain.block(BlockId::Number(sblock)).await.unwrap();
    let trades = market::decode_block(&staked).trades;
    assert_eq!(trades.len(), 1, "{trades:?}");
    let buy = trades[0].clone();
    net.market.data.write().unwrap().trades.extend(trades);

    // The transfer's block: header, the extrinsic in words with its signer linked, its events.
    let b = net.chain.block(BlockId::Number(tblock)).await.unwrap();
    let (s, _, html) = get(&app, &format!("/blocks/{tblock}")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains(&b.header.hash.to_hex()) && html.contains(&b.header.state_root.to_hex()));
    assert!(html.contains(&format!("href=\"/blocks/{}\"", b.header.parent_hash.to_hex())));
    assert!(html.contains("data-final=\"true\""), "finality depth 0: the block is final");
    assert!(html.contains(&maud::html! { (send.describe()) }.into_string()), "{html}");
    assert!(html.contains(&format!("href=\"/accounts/{alice}\"")));
    assert!(html.contains(&format!("href=\"/extrinsics/{tblock}-{tindex}\"")));
    assert!(html.contains("<b>Transfer</b> 5 τ from"), "the event in words: {html}");
    assert!(html.contains(&format!("href=\"/accounts/{bob}\"")));
    assert!(html.contains(&format!("href=\"/blocks/{}\"", tblock - 1)), "previous block");
    assert!(html.contains(&format!("href=\"/blocks/{}\"", tblock + 1)), "next block");
    // By hash, and the head by redirect.
    let (s, _, by_hash) = get(&app, &format!("/blocks/{}", b.header.hash.to_hex())).await;
    assert_eq!(s, StatusCode::OK);
    assert!(by_hash.contains(&format!("<h1>Block #{tblock}</h1>")));
    let head = net.chain.header(BlockId::Head).await.unwrap().number;
    let (s, h, _) = get(&app, "/blocks/head").await;
    assert!(s.is_redirection(), "{s}");
    assert_eq!(h["location"], format!("/blocks/{head}"));

    // The stake's extrinsic: signer, nonce, call, result, fee, and its StakeAdded event.
    let x = &staked.extrinsics[sindex as usize];
    let (s, _, html) = get(&app, &format!("/extrinsics/{sblock}-{sindex}")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains(&x.hash.to_hex()) && html.contains(&format!("<dd>{}</dd>", x.nonce)));
    assert_eq!(x.nonce, 1, "the transfer used nonce 0");
    assert!(html.contains(&maud::html! { (stake.describe()) }.into_string()));
    assert!(html.contains(&format!("href=\"/blocks/{sblock}\"")));
    let paid = format!(
        " paid {} τ for {} α",
        Tao::from_rao(buy.tao).to_decimal_string(),
        Tao::from_rao(buy.alpha).to_decimal_string()
    );
    assert!(html.contains("<b>StakeAdded</b>") && html.contains(&paid), "{paid}: {html}");
    assert!(html.contains(&format!("{} τ", Tao::from_rao(x.fee).to_decimal_string())));

    // The accounts: free TAO and stake as the chain has them, the indexed trade linked.
    let free = net.chain.account(alice).await.unwrap().free;
    let held = net.chain.stakes(alice).await.unwrap();
    let held = held.iter().find(|s| s.netuid == 1 && s.hotkey == hotkey).unwrap().alpha;
    assert_eq!(held, buy.alpha);
    let (s, h, html) = get(&app, &format!("/accounts/{alice}")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert_eq!(h["cache-control"], "no-store");
    assert!(html.contains(&format!("data-rao=\"{free}\"")), "free {free}: {html}");
    assert!(html.contains("id=\"reserved\" data-rao=\"0\""), "the localnet reserves nothing");
    assert!(html.contains(&format!("data-netuid=\"1\" data-alpha=\"{held}\"")));
    assert!(html.contains(&format!("href=\"/portfolio/{alice}\"")));
    assert!(html.contains(&format!("href=\"/extrinsics/{sblock}-{sindex}\"")), "the trade");
    let (_, _, html) = get(&app, &format!("/accounts/{bob}")).await;
    let bob_free = net.chain.account(bob).await.unwrap().free;
    assert_eq!(bob_free, 1_005 * TAO);
    assert!(html.contains(&format!("data-rao=\"{bob_free}\"")) && html.contains("1005 τ"));
    // Subnet ownership is the identity the chain knows.
    let owner = net.chain.subnet(1).await.unwrap().owner_coldkey;
    let (_, _, html) = get(&app, &format!("/accounts/{owner}")).await;
    assert!(html.contains("owner of") && html.contains("href=\"/subnets/1\""), "{html}");

    // The search box sends each kind of id to its page.
    for (q, to) in [
        (tblock.to_string(), format!("/blocks/{tblock}")),
        (b.header.hash.to_hex(), format!("/blocks/{}", b.header.hash.to_hex())),
        (format!("{sblock}-{sindex}"), format!("/extrinsics/{sblock}-{sindex}")),
        (bob.to_string(), format!("/accounts/{bob}")),
        (format!("0x{}", hex::encode(bob.0)), format!("/accounts/{bob}")),
    ] {
        let (s, h, _) = get(&app, &format!("/search?q={q}")).await;
        assert!(s.is_redirection(), "{q}: {s}");
        assert_eq!(h["location"], to.as_str(), "{q}");
    }
    let (s, _, html) = get(&app, "/search?q=nonsense").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("is not a block number, a block hash"), "{html}");

    // In Chinese.
    let (_, _, zh) = get(&app, &format!("/blocks/{tblock}?lang=zh")).await;
    assert!(zh.contains("外部交易") && zh.contains("状态根"));
    let bob_short: String = bob.to_ss58().chars().take(4).collect();
    assert!(zh.contains(&format!("向 {bob_short}… 转账 5 τ")), "the transfer in Chinese: {zh}");
    let (_, _, zh) = get(&app, &format!("/accounts/{alice}?lang=zh")).await;
    assert!(zh.contains("可用余额") && zh.contains("最近成交"));

    // Bad input: the error page with a clear message.
    for (uri, status, says) in [
        ("/blocks/abc".to_string(), StatusCode::BAD_REQUEST, "is not a block number"),
        ("/blocks/0x12".into(), StatusCode::BAD_REQUEST, "is not a block hash"),
        (format!("/blocks/{}", head + 1000), StatusCode::NOT_FOUND, "is not on this chain"),
        (format!("/blocks/0x{}", "ab".repeat(32)), StatusCode::NOT_FOUND, "is not on this chain"),
        (format!("/extrinsics/{tblock}-99"), StatusCode::NOT_FOUND, "there is no index 99"),
        (format!("/extrinsics/{}-0", head + 1000), StatusCode::NOT_FOUND, "is not on this chain"),
        ("/extrinsics/12".into(), StatusCode::BAD_REQUEST, "is not an extrinsic id"),
        ("/accounts/not-an-address".into(), StatusCode::BAD_REQUEST, "is not an SS58 address"),
    ] {
        let (s, _, html) = get(&app, &uri).await;
        assert_eq!(s, status, "{uri}: {html}");
        assert!(html.contains(says) && html.contains("class=\"errorpage\""), "{uri}: {html}");
    }
    drop(app);
    net.node.shutdown().await;
}
