//! The indexer against a real in-process localnet with its market simulation: what the store
//! says matches what the chain did, across a restart.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chain::{BlockId, Chain, Event, NetUid, Phase};
use localnet::Genesis;
use localnet::node::{BlockProduction, Node};
use localnet::sim::SimOptions;
use market::backprop::Window;
use market::{
    EventFilter, FeedConfig, FeedKind, Indexer, IndexerConfig, Interval, Market, Store, TradeFilter,
};
use test_support::node::{simulated_node, start_node};

use crate::both_backends;

use dtao::units::RAO_PER_TAO as RAO;

fn config() -> IndexerConfig {
    IndexerConfig {
        batch_blocks: 128,
        feed: FeedConfig { whale_tao: 20 * RAO, ..FeedConfig::default() },
        ..IndexerConfig::default()
    }
}

/// Produces `blocks` blocks one at a time; the indexer reads each new head (as `run` does) and
/// the test records every subnet's price at every block, straight from the chain.
async fn produce(
    node: &Node,
    chain: &Arc<dyn Chain>,
    indexer: &Indexer,
    blocks: u64,
    prices: &mut BTreeMap<u64, BTreeMap<NetUid, u64>>,
) {
    for _ in 0..blocks {
        let h = node.fast_forward(1).await.unwrap();
        indexer.observe_head().await.unwrap();
        let subnets = chain.subnets().await.unwrap();
        assert_eq!(chain.header(BlockId::Head).await.unwrap().number, h.number);
        prices.insert(h.number, subnets.iter().map(|s| (s.netuid, s.pool.price)).collect());
    }
}

async fn indexes_a_real_localnet(store: Store) {
    let genesis = Genesis::dev();
    let (node, chain) = simulated_node(
        &genesis,
        SimOptions { intensity: 4.0, burn_after: 100, ..SimOptions::default() },
    );
    let start = genesis.start_block;
    let mut prices = BTreeMap::new();
    prices.insert(
        start,
        chain.subnets().await.unwrap().iter().map(|s| (s.netuid, s.pool.price)).collect(),
    );

    // First indexer: 400 blocks, then it goes away.
    {
        let indexer = Indexer::new(chain.clone(), store.clone(), config());
        indexer.observe_head().await.unwrap();
        produce(&node, &chain, &indexer, 400, &mut prices).await;
        let done = indexer.sync().await.unwrap();
        assert_eq!(done, 400 + 1 - 2, "genesis to head − finality depth");
    }
    // A new indexer on the same store resumes where the first stopped.
    let indexer = Indexer::new(chain.clone(), store.clone(), config());
    indexer.observe_head().await.unwrap();
    produce(&node, &chain, &indexer, 320, &mut prices).await;
    let mut live = indexer.subscribe();
    indexer.sync().await.unwrap();
    let finalized = chain.header(BlockId::Finalized).await.unwrap().number;
    assert_eq!(finalized, start + 720 - 2);
    assert_eq!(
        store.block_numbers(0, u64::MAX / 2).await.unwrap(),
        (start..=finalized).collect::<Vec<_>>(),
        "no gap, no duplicate across the restart"
    );

    // Every block's state is the chain's own, read at that block — except the one block the
    // first indexer had read but not yet stored when it went away (399): the second indexer
    // derived it from block 398 and its trades, within 0.01 % of the chain's price.
    for (n, states) in store.states_range(start, finalized).await.unwrap() {
        let got: BTreeMap<NetUid, u64> = states.iter().map(|s| (s.netuid, s.price)).collect();
        if n == start + 399 {
            assert!(states.iter().all(|s| !s.exact), "block {n} was not seen by the new indexer");
            for (netuid, p) in &got {
                let want = prices[&n][netuid];
                assert!(p.abs_diff(want) * 10_000 <= want, "SN{netuid} at {n}: {p} vs {want}");
            }
            continue;
        }
        assert_eq!(&got, &prices[&n], "prices at block {n}");
        assert!(states.iter().all(|s| s.exact), "block {n}");
    }

    // Trades: one per extrinsic with stake events; volumes per subnet as the events say.
    let mut extrinsics = BTreeSet::new();
    let mut buy: BTreeMap<NetUid, u64> = BTreeMap::new();
    let mut sell: BTreeMap<NetUid, u64> = BTreeMap::new();
    for n in start..=finalized {
        let block = chain.block(BlockId::Number(n)).await.unwrap();
        let mut by_ext: BTreeMap<u32, Vec<&Event>> = BTreeMap::new();
        for r in &block.events {
            if let Phase::ApplyExtrinsic(i) = r.phase {
                by_ext.entry(i).or_default().push(&r.event);
            }
        }
        for (i, events) in by_ext {
            let moved: Vec<(NetUid, NetUid, u64)> = events
                .iter()
                .filter_map(|e| match e {
                    Event::StakeMoved { origin_netuid, destination_netuid, tao, .. }
                    | Event::StakeSwapped { origin_netuid, destination_netuid, tao, .. }
                    | Event::StakeTransferred { origin_netuid, destination_netuid, tao, .. } => {
                        Some((*origin_netuid, *destination_netuid, *tao))
                    }
                    _ => None,
                })
                .collect();
            let staking = events
                .iter()
                .any(|e| matches!(e, Event::StakeAdded { .. } | Event::StakeRemoved { .. }))
                || !moved.is_empty();
            if staking {
                extrinsics.insert((n, i));
            }
            if moved.is_empty() {
                for e in &events {
                    match e {
                        Event::StakeAdded { tao, netuid, .. } => {
                            *buy.entry(*netuid).or_default() += tao
                        }
                        Event::StakeRemoved { tao, netuid, .. } => {
                            *sell.entry(*netuid).or_default() += tao
                        }
                        _ => {}
                    }
                }
            } else {
                for (o, d, tao) in moved.into_iter().filter(|(o, d, _)| o != d) {
                    *sell.entry(o).or_default() += tao;
                    *buy.entry(d).or_default() += tao;
                }
            }
        }
    }
    assert!(extrinsics.len() > 100, "the simulation traded ({} trades)", extrinsics.len());
    let stored = store.trades_range(None, start, finalized).await.unwrap();
    let stored_ext: BTreeSet<(u64, u32)> = stored.iter().map(|t| (t.block, t.extrinsic)).collect();
    assert_eq!(stored_ext, extrinsics);
    let market = Market::new(&indexer, chain.clone(), config().feed);
    for netuid in 1..=3u16 {
        let hourly = market.candles(netuid, Interval::H1, start, finalized).await.unwrap();
        let b: u64 = hourly.iter().map(|c| c.buy_volume).sum();
        let s: u64 = hourly.iter().map(|c| c.sell_volume).sum();
        assert_eq!(b, buy.get(&netuid).copied().unwrap_or(0), "SN{netuid} buy volume");
        assert_eq!(s, sell.get(&netuid).copied().unwrap_or(0), "SN{netuid} sell volume");
        // 1m candles from the recorded prices.
        let from = Interval::M1.bucket_start(start + 100);
        let candles = market.candles(netuid, Interval::M1, from, from + 49).await.unwrap();
        assert_eq!(candles.len(), 10);
        for c in &candles {
            let ps: Vec<u64> =
                (c.start_block..c.start_block + 5).map(|n| prices[&n][&netuid]).collect();
            assert_eq!(
                (c.open, c.high, c.low, c.close),
                (ps[0], *ps.iter().max().unwrap(), *ps.iter().min().unwrap(), ps[4]),
                "SN{netuid} candle at {}",
                c.start_block
            );
        }
    }

    // Overview: changes against the recorded prices.
    let overview = market.overview().await.unwrap();
    assert_eq!(overview.as_of_block, finalized);
    for row in &overview.rows {
        let now = prices[&finalized][&row.netuid];
        let then = prices[&(finalized - 300)][&row.netuid];
        assert_eq!(row.price, now);
        let want = now as f64 / then as f64 - 1.0;
        assert!((row.change_1h.unwrap() - want).abs() < 1e-12, "SN{} 1h change", row.netuid);
    }

    // Whale events: exactly the stored trades at or above the threshold.
    let whales = market
        .events(&EventFilter {
            kinds: vec![FeedKind::WhaleTrade],
            limit: 1000,
            ..EventFilter::default()
        })
        .await
        .unwrap();
    let big = market
        .trades(&TradeFilter { min_tao: Some(20 * RAO), limit: 1000, ..TradeFilter::default() })
        .await
        .unwrap();
    assert_eq!(whales.len(), big.len());
    assert!(big.iter().all(|t| t.whale));
    // Burn events follow the stored epochs.
    let emissions = store.emissions(None, start, finalized).await.unwrap();
    let mut last: BTreeMap<NetUid, u64> = BTreeMap::new();
    let mut started = 0;
    for e in &emissions {
        if last.get(&e.netuid) == Some(&0) && e.owner_miner_burned > 0 {
            started += 1;
        }
        last.insert(e.netuid, e.owner_miner_burned);
    }
    let burns = market
        .events(&EventFilter {
            kinds: vec![FeedKind::OwnerBurnStarted],
            limit: 100,
            ..EventFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(burns.len(), started);
    assert!(!emissions.is_empty(), "epochs ran");
    // The second indexer pushed its events live too.
    let mut pushed = 0;
    while live.try_recv().is_ok() {
        pushed += 1;
    }
    let after_restart = market
        .events(&EventFilter {
            from_block: Some(start + 399),
            limit: 1000,
            ..EventFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(pushed, after_restart.len());
    // The network view: emissions only move between subnets, and the flows behind the moves
    // are the events' own.
    let view = market.backprop(Window::Day).await.unwrap();
    assert_eq!((view.from_block, view.to_block), (start + 1, finalized));
    assert_eq!(view.subnets.iter().map(|s| s.share_change_ppb).sum::<i64>(), 0);
    assert_eq!(view.subnets.iter().map(|s| s.share_after_ppb).sum::<u64>(), 1_000_000_000);
    let window_trades = store.trades_range(None, start + 2, finalized).await.unwrap();
    for s in &view.subnets {
        let want = market::analytics::net_flow(&window_trades, s.netuid);
        assert_eq!(s.net_flow, want, "SN{} net flow", s.netuid);
    }
    assert!(view.moved_ppb > 0, "{view:?}");
    assert!(!view.teachers.is_empty());
    assert!(view.teachers.windows(2).all(|w| w[0].gross_flow >= w[1].gross_flow));
    assert!(view.summary.starts_with("Over the last 24h traders moved"), "{}", view.summary);
    // Holders were read from the chain for the coldkeys that traded.
    let holders = market.holders(1, 5).await.unwrap();
    assert!(holders.count > 0);
    node.shutdown().await;
}

both_backends!(sqlite_localnet, pg_localnet, indexes_a_real_localnet);

/// An index started after the chain has produced blocks: the blocks before the indexer's first
/// look at the head are stored with every subnet (derived from that head, marked so), not as an
/// empty market.
async fn a_late_start_stores_no_empty_market(store: Store) {
    let genesis = Genesis::dev();
    let (node, chain) = start_node(&genesis, BlockProduction::Manual);
    node.fast_forward(30).await.unwrap();
    let seen = chain.header(BlockId::Head).await.unwrap().number;
    let netuids: BTreeSet<NetUid> =
        chain.subnets().await.unwrap().iter().map(|s| s.netuid).collect();

    let indexer = Indexer::new(chain.clone(), store.clone(), config());
    indexer.observe_head().await.unwrap();
    indexer.sync().await.unwrap();
    let finalized = chain.header(BlockId::Finalized).await.unwrap().number;
    assert!(finalized < seen, "every stored block precedes the indexer's first look");
    let start = genesis.start_block;
    let stored = store.states_range(start, finalized).await.unwrap();
    assert_eq!(stored.first().map(|(n, _)| *n), Some(start));
    for (n, states) in stored {
        let got: BTreeSet<NetUid> = states.iter().map(|s| s.netuid).collect();
        assert_eq!(got, netuids, "every subnet at block {n}");
        assert!(states.iter().all(|s| !s.exact), "block {n} was derived");
    }
    // What the terminal shows meanwhile: the whole market, as of the last stored block.
    let market = Market::new(&indexer, chain.clone(), FeedConfig::default());
    let overview = market.overview().await.unwrap();
    assert_eq!(overview.as_of_block, finalized);
    assert_eq!(overview.rows.len(), netuids.len());
    node.shutdown().await;
}

both_backends!(
    a_late_start_stores_no_empty_market_sqlite,
    a_late_start_stores_no_empty_market_postgres,
    a_late_start_stores_no_empty_market
);

/// `--from-block -7200` on a localnet younger than a day: the indexer starts at the chain's
/// first block (its genesis, not block 0) instead of stopping at a block that never was.
#[tokio::test]
async fn a_start_before_the_chain_begins_starts_at_its_first_block() {
    let (store, _dir) = crate::sqlite_store().await;
    let genesis = Genesis::dev();
    let (node, chain) = simulated_node(&genesis, SimOptions::default());
    node.fast_forward(20).await.unwrap();
    let start = genesis.start_block;
    let from = IndexerConfig { start_block: Some(start - 7_200), ..config() };
    let indexer = Indexer::new(chain.clone(), store.clone(), from);
    let stored = indexer.sync().await.unwrap();
    let finalized = chain.header(BlockId::Finalized).await.unwrap().number;
    assert_eq!(store.first_block().await.unwrap(), Some(start));
    assert_eq!(store.last_block().await.unwrap(), Some(finalized));
    assert_eq!(stored, finalized - start + 1);
    node.shutdown().await;
}
