//! The portfolio page on a real localnet trade: the position's exit value is the chain's quote
//! of selling all of it, the cost basis is the indexed buy (decoded from the block's events),
//! the CSV carries the same numbers; a screenshot in Chromium.

use axum::http::StatusCode;
use chain::{BlockId, Call, Side, Tao, TxOptions, TxStatus};
use futures::StreamExt;
use terminal::router;
use test_support::browser::{Browser, browser, screenshot};
use test_support::genesis::{TAO, id, keys_pair};
use test_support::terminal::trading_net;

use crate::get;
use crate::live::start;

#[tokio::test]
async fn a_localnet_buy_shows_its_exit_value_cost_basis_and_csv() {
    let net = trading_net();
    let app = router(net.state.clone());
    let alice = keys_pair("//Alice");
    let address = id("//Alice").to_string();
    let hotkey = id("//Owner1//hot");

    let call = Call::AddStake { hotkey, netuid: 1, amount_staked: Tao::from_rao(10 * TAO) };
    let mut statuses =
        chain::sign_and_submit(&*net.chain, &alice, call, TxOptions::default()).await.unwrap();
    let mut block = None;
    while let Some(s) = statuses.next().await {
        if let TxStatus::Finalized { number, .. } = s.unwrap() {
            block = Some(number);
            break;
        }
    }
    // Index the block the way the market's indexer does: decode its events into trades.
    let block = net.chain.block(BlockId::Number(block.expect("finalized"))).await.unwrap();
    let trades = market::decode_block(&block).trades;
    assert_eq!(trades.len(), 1, "{trades:?}");
    let buy = trades[0].clone();
    net.market.data.write().unwrap().trades.extend(trades);

    let stake = net.chain.stakes(id("//Alice")).await.unwrap();
    let held = stake.iter().find(|s| s.netuid == 1 && s.hotkey == hotkey).unwrap().alpha;
    assert_eq!(held, buy.alpha, "the indexed buy is all that is held");
    let exit = net.chain.quote(1, Side::Sell, held).await.unwrap().amount_out;
    assert!(exit > 0 && exit < 10 * TAO, "fees and impact make the exit worth less: {exit}");

    let (s, h, csv) = get(&app, &format!("/portfolio/{address}.csv")).await;
    assert_eq!(s, StatusCode::OK, "{csv}");
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    let unrealized = i128::from(exit) - i128::from(buy.tao);
    assert_eq!(
        lines[1],
        format!("1,{hotkey},{held},{exit},{},{unrealized},0,0,0", buy.tao),
        "netuid,hotkey,alpha,exit,cost,unrealized,realized,emission alpha,emission value"
    );
    let (s, _, same) = get(&app, &format!("/portfolio/{address}?format=csv")).await;
    assert_eq!((s, same.as_str()), (StatusCode::OK, csv.as_str()));

    let (s, _, page) = get(&app, &format!("/portfolio/{address}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&format!("data-exit=\"{exit}\"")), "{page}");
    assert!(page.contains(&Tao::from_rao(exit).to_decimal_string()));
    assert!(page.contains(&format!("data-block=\"{}\"", buy.block)), "history lists the buy");
    assert!(
        page.contains(&format!("href=\"/extrinsics/{}-{}\"", buy.block, buy.extrinsic)),
        "the buy links its extrinsic"
    );

    let (s, _, _) = get(&app, "/portfolio/not-an-address").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    if let Some(Browser { client: c, driver: _driver, profile: _profile }) = browser(&[]).await {
        let (addr, stop, server) = start(net.state.clone()).await;
        c.goto(&format!("http://{addr}/portfolio/{address}")).await.unwrap();
        c.wait().for_element(fantoccini::Locator::Css("#positions")).await.unwrap();
        screenshot(&c, "portfolio").await;
        c.close().await.unwrap();
        let _ = stop.send(());
        server.await.unwrap();
    }
    net.node.shutdown().await;
}
