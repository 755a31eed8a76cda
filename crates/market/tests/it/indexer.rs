//! The indexer against a scripted chain: what it stores matches what the chain did.

use std::sync::Arc;

use chain::{Chain, Event, Hyperparameter, NetUid, StakeInfo, SubnetInfo};
use market::{
    EventFilter, FeedConfig, FeedKind, Indexer, IndexerConfig, Interval, Market, Store,
    TradeFilter, TradeKind,
};

use crate::both_backends;
use crate::mock::{FakeChain, acct, buy, sell, subnet_info};

use dtao::units::RAO_PER_TAO as RAO;

/// The scripted price of a subnet at a block: a base, a small wiggle, and SN1 10 % up from
/// block 450 on.
fn price(netuid: NetUid, n: u64) -> u64 {
    let base = 100_000_000 * u64::from(netuid);
    let wiggle = (n * 7919 + u64::from(netuid) * 13) % 1000 * 10;
    let jump = if netuid == 1 && n >= 450 { base / 10 } else { 0 };
    base + wiggle + jump
}

fn state_at(n: u64) -> Vec<SubnetInfo> {
    (1..=3).map(|u| subnet_info(u, price(u, n))).collect()
}

fn config() -> IndexerConfig {
    IndexerConfig {
        batch_blocks: 100,
        fetch_concurrency: 8,
        feed: FeedConfig { whale_tao: 1_000 * RAO, ..FeedConfig::default() },
        discover_holders: false,
        start_block: None,
    }
}

/// The events of block `n` as (extrinsic, event).
fn script(n: u64) -> Vec<(Option<u32>, Event)> {
    let mut ev = Vec::new();
    if n.is_multiple_of(10) {
        ev.push((Some(0), buy(1, 1, 10 * RAO, price(1, n))));
    }
    if n.is_multiple_of(15) {
        ev.push((Some(1), sell(2, 2, 30 * RAO, price(2, n))));
    }
    if n == 123 {
        // A cross-subnet move: one extrinsic, three events, one trade.
        ev.push((Some(2), sell(3, 1, 50 * RAO, price(1, n))));
        ev.push((Some(2), buy(3, 3, 5 * RAO, price(3, n))));
        ev.push((
            Some(2),
            Event::StakeMoved {
                coldkey: acct(3),
                origin_hotkey: acct(100),
                origin_netuid: 1,
                destination_hotkey: acct(101),
                destination_netuid: 3,
                tao: 5 * RAO,
            },
        ));
    }
    if n == 200 {
        ev.push((Some(3), buy(4, 2, 2_000 * RAO, price(2, n))));
    }
    if n == 360 || n == 720 {
        ev.push((
            None,
            Event::EpochCompleted {
                netuid: 3,
                incentive: 1_000,
                dividends: 500,
                owner_cut: 100,
                owner_miner_burned: if n == 720 { 400 } else { 0 },
            },
        ));
    }
    if n == 400 {
        ev.push((
            Some(0),
            Event::HyperparameterSet { netuid: 2, param: Hyperparameter::Tempo(720) },
        ));
    }
    ev
}

/// Produces blocks `1..=to` on the mock, reading the head after each like `run` would.
async fn produce(chain: &FakeChain, indexer: Option<&Indexer>, from: u64, to: u64) {
    for n in from..=to {
        chain.produce(script(n), state_at(n));
        if let Some(ix) = indexer {
            ix.observe_head().await.unwrap();
        }
    }
}

async fn indexes_what_the_chain_did(store: Store) {
    let chain = Arc::new(FakeChain::new(state_at(0)));
    chain.set_stakes(
        acct(1),
        vec![StakeInfo { coldkey: acct(1), hotkey: acct(100), netuid: 1, alpha: 77 * RAO }],
    );
    let dyn_chain: Arc<dyn Chain> = chain.clone();
    let indexer = Indexer::new(dyn_chain.clone(), store.clone(), config());
    let mut feed = indexer.subscribe();
    let progress = indexer.progress();
    indexer.observe_head().await.unwrap();
    produce(&chain, Some(&indexer), 1, 802).await;
    let stored = indexer.sync().await.unwrap();
    let finalized = 800;
    assert_eq!(stored, finalized + 1);
    let p = *progress.borrow();
    assert_eq!((p.done, p.total, p.last_stored, p.finalized), (801, 801, Some(800), 800));
    assert_eq!(store.block_numbers(0, 10_000).await.unwrap(), (0..=finalized).collect::<Vec<_>>());

    // Every state was read at its block: exact, and equal to the script.
    for n in [0, 1, 64, 449, 450, 800] {
        let states = store.states_at(n).await.unwrap().unwrap();
        assert!(states.iter().all(|s| s.exact), "block {n}");
        assert_eq!(
            states.iter().map(|s| s.price).collect::<Vec<_>>(),
            vec![price(1, n), price(2, n), price(3, n)]
        );
    }

    // Trades: one row per extrinsic; the move is one move.
    let buys = (1..=800u64).filter(|n| n.is_multiple_of(10)).count();
    let sells = (1..=800u64).filter(|n| n.is_multiple_of(15)).count();
    assert_eq!(store.trade_count().await.unwrap() as usize, buys + sells + 1 + 1);
    let moves = store.trades_range(None, 123, 123).await.unwrap();
    let mv: Vec<_> = moves.iter().filter(|t| t.extrinsic == 2).collect();
    assert_eq!(mv.len(), 1);
    assert_eq!(mv[0].kind, TradeKind::Move);
    assert_eq!((mv[0].netuid, mv[0].dest_netuid, mv[0].tao), (1, Some(3), 5 * RAO));
    assert_eq!(mv[0].dest_hotkey, Some(acct(101)));

    let market = Market::new(&indexer, dyn_chain.clone(), config().feed);

    // 1m candles over blocks 100..=109: OHLC from the per-block prices, buy volume of block 100.
    let c = market.candles(1, Interval::M1, 100, 109).await.unwrap();
    assert_eq!(c.len(), 2);
    let ps: Vec<u64> = (100..105).map(|n| price(1, n)).collect();
    assert_eq!(c[0].open, ps[0]);
    assert_eq!(c[0].close, ps[4]);
    assert_eq!(c[0].high, *ps.iter().max().unwrap());
    assert_eq!(c[0].low, *ps.iter().min().unwrap());
    assert_eq!((c[0].buy_volume, c[0].trades), (10 * RAO, 1));
    assert_eq!(c[1].buy_volume, 0);
    // Hourly candles (stored by the indexer) agree with the same numbers computed from states.
    let h = market.candles(1, Interval::H1, 0, 800).await.unwrap();
    assert_eq!(h.len(), 3);
    let ps: Vec<u64> = (300..600).map(|n| price(1, n)).collect();
    assert_eq!((h[1].open, h[1].close), (ps[0], ps[299]));
    assert_eq!(h[1].high, *ps.iter().max().unwrap());
    let buys_in_hour = (300..600u64).filter(|n| n.is_multiple_of(10)).count() as u64;
    assert_eq!(h[1].buy_volume, buys_in_hour * 10 * RAO);
    let d = market.candles(1, Interval::D1, 0, 800).await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].buy_volume, h.iter().map(|c| c.buy_volume).sum::<u64>());
    // Sell volume on SN1 includes the move's origin leg.
    assert_eq!(h[0].sell_volume, 5 * RAO);

    // Overview: changes against the script.
    let o = market.overview().await.unwrap();
    assert_eq!(o.as_of_block, 800);
    assert_eq!(o.rows.len(), 3);
    let r1 = &o.rows[0];
    assert_eq!((r1.netuid, r1.name.as_str(), r1.price), (1, "Net1", price(1, 800)));
    let ch1h = price(1, 800) as f64 / price(1, 500) as f64 - 1.0;
    assert!((r1.change_1h.unwrap() - ch1h).abs() < 1e-12);
    assert!(r1.change_24h.is_none(), "no block 7200 back");
    assert_eq!(r1.market_cap, 500_000 * price(1, 800));
    assert_eq!(r1.as_of_block, 800);
    assert_eq!(r1.sparkline_7d.last(), Some(&price(1, 800)));
    let vol2: u64 = (1..=800u64)
        .filter(|n| n.is_multiple_of(15))
        .map(|n| {
            let alpha = 30 * RAO;
            let fee = alpha * 33 / 65535;
            u64::try_from(u128::from(alpha - fee) * u128::from(price(2, n)) / u128::from(RAO))
                .unwrap()
        })
        .sum::<u64>();
    assert_eq!(o.rows[1].sell_volume_24h, vol2);
    assert_eq!(o.rows[1].buy_volume_24h, 2_000 * RAO);

    // Feed: the whale buy, the SN1 price move at block 600 (+10 % over 300 blocks), the
    // hyperparameter change, and the owner burn starting at 720.
    let events =
        market.events(&EventFilter { limit: 100, ..EventFilter::default() }).await.unwrap();
    let kinds: Vec<(FeedKind, u64, Option<u16>)> =
        events.iter().rev().map(|e| (e.kind, e.block, e.netuid)).collect();
    assert_eq!(
        kinds,
        vec![
            (FeedKind::WhaleTrade, 200, Some(2)),
            (FeedKind::HyperparameterChanged, 400, Some(2)),
            (FeedKind::PriceMove, 600, Some(1)),
            (FeedKind::OwnerBurnStarted, 720, Some(3)),
        ]
    );
    assert!(
        events[3].sentence.starts_with("Whale buy: 2,000.00 τ into SN2 (Net2)"),
        "{}",
        events[3].sentence
    );
    // The same events were pushed live, in order.
    let mut live = Vec::new();
    while let Ok(e) = feed.try_recv() {
        live.push(e);
    }
    assert_eq!(live, events.iter().rev().cloned().collect::<Vec<_>>());

    // Tape with whale flags; holders from stakes; portfolio exit values; predictability.
    let tape = market
        .trades(&TradeFilter { netuid: Some(2), limit: 1000, ..TradeFilter::default() })
        .await
        .unwrap();
    assert_eq!(tape.iter().filter(|t| t.whale).count(), 1);
    let holders = market.holders(1, 10).await.unwrap();
    assert_eq!(holders.count, 1);
    assert_eq!(holders.top[0].alpha, 77 * RAO);
    let pf = market.portfolio(acct(1)).await.unwrap();
    assert_eq!(pf.positions.len(), 1);
    let pos = &pf.positions[0];
    assert_eq!(pos.spot_value, 77 * price(1, 800));
    let exit: u64 = pos.exit_value.as_ref().unwrap().parse().unwrap();
    assert!(
        exit < pos.spot_value && exit > pos.spot_value / 100 * 99,
        "{exit} vs {}",
        pos.spot_value
    );
    let pr = market.predictability(3, 0, 800).await.unwrap();
    assert_eq!((pr.burns.len(), pr.burned_total, pr.burning_epochs), (2, 400, 1));
    let pr2 = market.predictability(2, 0, 800).await.unwrap();
    assert_eq!(pr2.rule_changes.len(), 1);
    let detail = market.subnet(2).await.unwrap();
    assert_eq!(detail.state.price, price(2, 800));
    assert!(detail.max_buy_for_impact.iter().all(|(_, v)| v.parse::<u64>().unwrap() > 0));

    // The live tip is the unfinalized head, marked so.
    let tip = market.tip().unwrap();
    assert_eq!((tip.block, tip.finalized), (802, false));
}

async fn restart_resumes_without_gaps_or_duplicates(store: Store) {
    let chain = Arc::new(FakeChain::new(state_at(0)));
    let dyn_chain: Arc<dyn Chain> = chain.clone();
    {
        let indexer = Indexer::new(dyn_chain.clone(), store.clone(), config());
        indexer.observe_head().await.unwrap();
        produce(&chain, Some(&indexer), 1, 252).await;
        assert_eq!(indexer.sync().await.unwrap(), 251);
    }
    let before = store.trade_count().await.unwrap();
    // The chain goes on while no indexer runs; then a new indexer on the same store.
    produce(&chain, None, 253, 502).await;
    let indexer = Indexer::new(dyn_chain.clone(), store.clone(), config());
    indexer.observe_head().await.unwrap();
    assert_eq!(indexer.sync().await.unwrap(), 250);
    assert_eq!(indexer.sync().await.unwrap(), 0);
    assert_eq!(store.block_numbers(0, 10_000).await.unwrap(), (0..=500).collect::<Vec<_>>());
    let expected = |to: u64| {
        ((1..=to).filter(|n| n.is_multiple_of(10)).count()
            + (1..=to).filter(|n| n.is_multiple_of(15)).count()
            + 2) as u64
    };
    assert_eq!(before, expected(250));
    assert_eq!(store.trade_count().await.unwrap(), expected(500));
    // Blocks the indexer did not see as head have derived states; the first exact state
    // after the gap is exact again.
    let s = store.states_at(300).await.unwrap().unwrap();
    assert!(s.iter().all(|s| !s.exact));
    // Derived prices follow trades: SN2's price falls on its sells only.
    let s299 = store.states_at(299).await.unwrap().unwrap();
    assert!(s[1].price < s299[1].price, "sell at 300 lowers the derived price");
    assert_eq!(s[2].price, s299[2].price, "no trade on SN3: price carried");
    assert!(s[0].tao_reserve > s299[0].tao_reserve, "emission and a buy add TAO");
    let events = store.feed(&EventFilter { limit: 100, ..EventFilter::default() }).await.unwrap();
    let mut keys: Vec<(u64, u32)> = events.iter().map(|e| (e.block, e.seq)).collect();
    keys.dedup();
    assert_eq!(keys.len(), events.len());
}

async fn follows_heads_and_finality(store: Store) {
    let chain = Arc::new(FakeChain::new(state_at(0)));
    let dyn_chain: Arc<dyn Chain> = chain.clone();
    let indexer = Arc::new(Indexer::new(dyn_chain, store.clone(), config()));
    let mut progress = indexer.progress();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let runner = {
        let ix = indexer.clone();
        tokio::spawn(async move { ix.run(stop_rx).await })
    };
    // Wait until it follows, then produce blocks one at a time, each after the indexer has
    // taken the previous one (so every head is read exactly).
    progress.wait_for(|p| p.following).await.unwrap();
    for n in 1..=40u64 {
        chain.produce(script(n), state_at(n));
        if n >= 2 {
            progress.wait_for(|p| p.last_stored == Some(n - 2)).await.unwrap();
        }
    }
    stop_tx.send(true).unwrap();
    runner.await.unwrap().unwrap();
    assert_eq!(store.block_numbers(0, 100).await.unwrap(), (0..=38).collect::<Vec<_>>());
    let exact = store.states_range(0, 38).await.unwrap();
    assert_eq!(exact.len(), 39);
    let prices: Vec<u64> = exact.iter().map(|(_, s)| s[0].price).collect();
    assert_eq!(prices[38], price(1, 38));
}

both_backends!(sqlite_indexes, pg_indexes, indexes_what_the_chain_did);
both_backends!(sqlite_restart, pg_restart, restart_resumes_without_gaps_or_duplicates);
both_backends!(sqlite_follows, pg_follows, follows_heads_and_finality);
