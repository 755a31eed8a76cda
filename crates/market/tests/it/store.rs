//! The store suite: the same tests on SQLite and PostgreSQL.

use chain::{Hash, StakeInfo};
use market::{
    Batch, BlockRow, Candle, ChangeKind, Emission, EventFilter, FeedEvent, FeedKind, MarketError,
    PoolState, Store, SubnetChange, Trade, TradeFilter, TradeKind,
};

use crate::both_backends;
use crate::mock::{acct, subnet_info};

fn block(n: u64) -> BlockRow {
    BlockRow {
        number: n,
        hash: Hash::of(&n.to_le_bytes()),
        parent_hash: if n == 0 { Hash::default() } else { Hash::of(&(n - 1).to_le_bytes()) },
        timestamp_ms: 1_000 + n * 12_000,
        extrinsic_count: 1,
        event_count: 2,
    }
}

fn state(netuid: u16, n: u64) -> PoolState {
    PoolState {
        netuid,
        tao_reserve: 5_000_000_000_000 + n * 1_000,
        alpha_in: 9_000_000_000_000,
        alpha_out: 1_000_000_000_000 + n,
        price: 500_000_000 + n * 10 + u64::from(netuid),
        moving_price: 499_000_000,
        emission_share_ppb: 10_000_000,
        tao_emission: 1_000,
        exact: n.is_multiple_of(3),
    }
}

fn trade(n: u64, extrinsic: u32, kind: TradeKind, netuid: u16, tao: u64) -> Trade {
    Trade {
        block: n,
        extrinsic,
        seq: 0,
        kind,
        netuid,
        dest_netuid: matches!(kind, TradeKind::Move).then_some(netuid + 1),
        coldkey: acct(1 + (extrinsic % 3) as u8),
        hotkey: acct(100),
        dest_coldkey: None,
        dest_hotkey: None,
        tao,
        alpha: tao * 2,
        alpha_dest: 0,
        fee_tao: 7,
        fee_alpha: 0,
        price: 500_000_000,
    }
}

fn batch(from: u64, to: u64) -> Batch {
    let mut b = Batch::default();
    for n in from..=to {
        b.blocks.push(block(n));
        b.states.push((1..=128).map(|u| state(u, n)).collect());
        b.trades.push(trade(n, 0, TradeKind::Buy, 1, 1_000 + n));
        b.trades.push(trade(n, 1, TradeKind::Sell, 2, 2_000 + n));
        if n.is_multiple_of(50) {
            b.trades.push(trade(n, 2, TradeKind::Move, 3, 5_000));
            b.emissions.push(Emission {
                block: n,
                netuid: 1,
                incentive: 100,
                dividends: 50,
                owner_cut: 20,
                owner_miner_burned: n,
            });
            b.changes.push(SubnetChange {
                block: n,
                seq: 0,
                netuid: 1,
                kind: ChangeKind::Hyperparameter,
                name: "tempo".into(),
                value: serde_json::json!(720),
            });
            b.feed.push(FeedEvent {
                block: n,
                seq: 0,
                kind: if n.is_multiple_of(100) {
                    FeedKind::WhaleTrade
                } else {
                    FeedKind::PriceMove
                },
                netuid: Some(1),
                sentence: format!("event at {n}"),
                data: serde_json::json!({ "tao": "123" }),
                timestamp_ms: 1_000 + n * 12_000,
            });
        }
    }
    b.candles_h1.push((1, Candle::flat(0, 10)));
    b
}

async fn blocks_states_and_trades_round_trip(store: Store) {
    assert_eq!(store.last_block().await.unwrap(), None);
    store.write_batch(&batch(0, 199)).await.unwrap();
    store.write_batch(&batch(200, 200)).await.unwrap();
    assert_eq!(store.last_block().await.unwrap(), Some(200));
    assert_eq!(store.block_numbers(0, 1000).await.unwrap(), (0..=200).collect::<Vec<_>>());
    assert_eq!(store.block(17).await.unwrap().unwrap(), block(17));
    for n in [0, 1, 63, 64, 65, 127, 128, 199, 200] {
        let states = store.states_at(n).await.unwrap().unwrap();
        assert_eq!(states.len(), 128);
        assert_eq!(states[4], state(5, n), "block {n}");
    }
    assert_eq!(store.states_at(201).await.unwrap(), None);
    let range = store.states_range(60, 70).await.unwrap();
    assert_eq!(range.iter().map(|r| r.0).collect::<Vec<_>>(), (60..=70).collect::<Vec<_>>());
    assert_eq!(store.trade_count().await.unwrap(), 201 * 2 + 5);

    // Tape: newest first, cursor pagination without overlap, filters.
    let page1 = store.trades(&TradeFilter { limit: 3, ..TradeFilter::default() }).await.unwrap();
    assert_eq!(
        page1.iter().map(|t| (t.block, t.extrinsic)).collect::<Vec<_>>(),
        vec![(200, 2), (200, 1), (200, 0)]
    );
    let last = page1.last().unwrap();
    let page2 = store
        .trades(&TradeFilter {
            limit: 2,
            before: Some((last.block, last.extrinsic, last.seq)),
            ..TradeFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        page2.iter().map(|t| (t.block, t.extrinsic)).collect::<Vec<_>>(),
        vec![(199, 1), (199, 0)]
    );
    assert_eq!(page1[0], trade(200, 2, TradeKind::Move, 3, 5_000));
    let on4 = store
        .trades(&TradeFilter { netuid: Some(4), limit: 100, ..TradeFilter::default() })
        .await
        .unwrap();
    assert_eq!(on4.len(), 5, "moves count on their destination subnet");
    let whales = store
        .trades(&TradeFilter { min_tao: Some(2_150), limit: 1000, ..TradeFilter::default() })
        .await
        .unwrap();
    assert!(whales.iter().all(|t| t.tao >= 2_150));
    assert_eq!(whales.len(), 51 + 5);
    let mine = store
        .trades(&TradeFilter { coldkey: Some(acct(2)), limit: 1000, ..TradeFilter::default() })
        .await
        .unwrap();
    assert_eq!(mine.len(), 201);
    assert!(matches!(
        store.trades(&TradeFilter { limit: 0, ..TradeFilter::default() }).await,
        Err(MarketError::Invalid(_))
    ));

    // Emissions, changes, burns.
    assert_eq!(store.emissions(Some(1), 0, 200).await.unwrap().len(), 5);
    assert_eq!(store.last_burns().await.unwrap().get(&1), Some(&200));
    let changes = store.changes(Some(1), 0, 100).await.unwrap();
    assert_eq!(changes.len(), 3);
    assert_eq!(changes[0].value, serde_json::json!(720));
}

async fn gaps_and_duplicates_are_refused_and_nothing_is_written(store: Store) {
    store.write_batch(&batch(0, 9)).await.unwrap();
    let err = store.write_batch(&batch(11, 12)).await.unwrap_err();
    assert!(matches!(err, MarketError::NotContiguous { got: 11, expected: 10 }), "{err}");
    let err = store.write_batch(&batch(5, 12)).await.unwrap_err();
    assert!(matches!(err, MarketError::NotContiguous { .. }), "{err}");
    let mut fork = batch(10, 10);
    fork.blocks[0].parent_hash = Hash::of(b"another chain");
    let err = store.write_batch(&fork).await.unwrap_err();
    assert!(matches!(err, MarketError::ChainMismatch { block: 10, .. }), "{err}");
    assert_eq!(store.last_block().await.unwrap(), Some(9));
    assert_eq!(store.trade_count().await.unwrap(), 20 + 1);
    // A failing batch midway (duplicate trade key) leaves nothing behind.
    let mut bad = batch(10, 12);
    let dup = bad.trades[0].clone();
    bad.trades.push(dup);
    assert!(store.write_batch(&bad).await.is_err());
    assert_eq!(store.last_block().await.unwrap(), Some(9));
    assert_eq!(store.states_at(10).await.unwrap(), None);
    store.write_batch(&batch(10, 12)).await.unwrap();
    assert_eq!(store.block_numbers(0, 100).await.unwrap(), (0..=12).collect::<Vec<_>>());
}

async fn feed_filters_and_pages(store: Store) {
    store.write_batch(&batch(0, 1000)).await.unwrap();
    let all = store.feed(&EventFilter { limit: 1000, ..EventFilter::default() }).await.unwrap();
    assert_eq!(all.len(), 21);
    assert_eq!(all[0].block, 1000);
    assert_eq!(all[0].data, serde_json::json!({ "tao": "123" }));
    let whales = store
        .feed(&EventFilter {
            kinds: vec![FeedKind::WhaleTrade],
            limit: 1000,
            ..EventFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(whales.len(), 11);
    let page = store
        .feed(&EventFilter { before: Some((500, 0)), limit: 2, ..EventFilter::default() })
        .await
        .unwrap();
    assert_eq!(page.iter().map(|e| e.block).collect::<Vec<_>>(), vec![450, 400]);
    let from = store
        .feed(&EventFilter {
            from_block: Some(900),
            netuid: Some(1),
            limit: 10,
            ..EventFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(from.len(), 3);
    let none = store
        .feed(&EventFilter { netuid: Some(2), limit: 10, ..EventFilter::default() })
        .await
        .unwrap();
    assert!(none.is_empty());
}

async fn candles_merge_and_stakes_replace(store: Store) {
    let mut b = batch(0, 0);
    b.candles_h1 = vec![(1, Candle { buy_volume: 5, trades: 1, ..Candle::flat(0, 100) })];
    store.write_batch(&b).await.unwrap();
    let mut b = batch(1, 1);
    b.candles_h1 = vec![(
        1,
        Candle {
            sell_volume: 3,
            trades: 2,
            ..Candle { high: 150, low: 90, close: 120, ..Candle::flat(0, 130) }
        },
    )];
    store.write_batch(&b).await.unwrap();
    let c = store.candles_h1(1, 0, 1000).await.unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!((c[0].open, c[0].high, c[0].low, c[0].close), (100, 150, 90, 120));
    assert_eq!((c[0].buy_volume, c[0].sell_volume, c[0].trades), (5, 3, 3));
    assert_eq!(store.candles_h1_since(0).await.unwrap().len(), 1);

    let stake = |netuid, alpha| StakeInfo { coldkey: acct(1), hotkey: acct(100), netuid, alpha };
    store.replace_stakes(&acct(1), &[stake(1, 10), stake(2, 20)], 5).await.unwrap();
    store.replace_stakes(&acct(1), &[stake(2, 30), stake(3, 0)], 6).await.unwrap();
    assert!(store.stakes_on(1).await.unwrap().is_empty());
    let on2 = store.stakes_on(2).await.unwrap();
    assert_eq!((on2[0].alpha, on2[0].as_of_block), (30, 6));
    assert!(store.stakes_on(3).await.unwrap().is_empty());

    let mut b = batch(2, 2);
    b.subnets = vec![(subnet_info(7, 123), 2)];
    store.write_batch(&b).await.unwrap();
    let mut b = batch(3, 3);
    b.removed_subnets = vec![7];
    store.write_batch(&b).await.unwrap();
    let subnets = store.subnets().await.unwrap();
    assert_eq!(subnets.len(), 1);
    assert_eq!(subnets[0].0, subnet_info(7, 123));
    assert!(!subnets[0].1);
}

both_backends!(sqlite_round_trip, pg_round_trip, blocks_states_and_trades_round_trip);
both_backends!(sqlite_gaps, pg_gaps, gaps_and_duplicates_are_refused_and_nothing_is_written);
both_backends!(sqlite_feed, pg_feed, feed_filters_and_pages);
both_backends!(sqlite_candles_stakes, pg_candles_stakes, candles_merge_and_stakes_replace);

#[tokio::test]
async fn reopening_runs_no_migration_twice_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = market::StoreConfig::SqliteDir(dir.path().join("nested"));
    let store = Store::open(&cfg).await.unwrap();
    store.write_batch(&batch(0, 3)).await.unwrap();
    store.close().await;
    let again = Store::open(&cfg).await.unwrap();
    assert_eq!(again.last_block().await.unwrap(), Some(3));
    assert_eq!(again.backend(), market::Backend::Sqlite);
}

// ---- Stores made before the `db` crate ----

/// What the old hand-made runner (`Store::migrate` before the `db` crate) did to a fresh
/// database: version 1 as it was then (`old/0001_init.sql`, one text rewritten for PostgreSQL)
/// recorded in `schema_migrations`.
async fn old_runner_migrate(db: &db::Db) {
    const OLD_V1: &str = include_str!("old/0001_init.sql");
    db::test_utils::market_old_runner(db, &[(1, OLD_V1)]).await.unwrap();
}

/// Rows as the old store wrote them: blocks 0..=3 (hashes as hex), one trade (accounts as
/// bytes), a subnet.
async fn old_rows(db: &db::Db) {
    db::on_db!(db, pool => {
        for n in 0..=3_u64 {
            let b = block(n);
            sqlx::query("INSERT INTO blocks (number, hash, parent_hash, timestamp_ms, extrinsics, events) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(i64::try_from(n).unwrap()).bind(b.hash.to_hex()).bind(b.parent_hash.to_hex())
                .bind(i64::try_from(b.timestamp_ms).unwrap()).bind(1_i64).bind(2_i64)
                .execute(pool).await.unwrap();
        }
        sqlx::query("INSERT INTO trades (block, extrinsic, seq, kind, netuid, dest_netuid, coldkey, hotkey, dest_coldkey, dest_hotkey, tao, alpha, alpha_dest, fee_tao, fee_alpha, price) \
            VALUES (2, 0, 0, 'buy', 1, NULL, $1, $2, NULL, NULL, 1002, 2004, 0, 7, 0, 500000000)")
            .bind(acct(1).0.to_vec()).bind(acct(100).0.to_vec())
            .execute(pool).await.unwrap();
        sqlx::query("INSERT INTO subnets (netuid, info, updated_block, active) VALUES (7, $1, 3, 1)")
            .bind(serde_json::to_string(&subnet_info(7, 123)).unwrap())
            .execute(pool).await.unwrap();
    });
}

/// A store made by the code before the `db` crate opens with its data, is adopted by sqlx
/// (version 1 recorded, not re-run) and keeps working.
async fn an_old_store_keeps_working(config: market::StoreConfig) {
    let raw = db::Db::open(&config.db_config()).await.unwrap();
    old_runner_migrate(&raw).await;
    old_rows(&raw).await;

    let store = Store::open(&config).await.unwrap();
    assert_eq!(store.last_block().await.unwrap(), Some(3));
    assert_eq!(store.block(2).await.unwrap(), Some(block(2)));
    let trades = store.trades(&TradeFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(trades, vec![trade(2, 0, TradeKind::Buy, 1, 1_002)]);
    assert_eq!(store.subnets().await.unwrap(), vec![(subnet_info(7, 123), true)]);
    store.write_batch(&batch(4, 6)).await.unwrap();
    assert_eq!(store.last_block().await.unwrap(), Some(6));
    assert_eq!(store.states_at(5).await.unwrap().unwrap()[0], state(1, 5));
    store.close().await;

    let recorded: Vec<i64> = db::on_db!(&raw, pool => {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations_market").fetch_all(pool).await.unwrap()
    });
    assert_eq!(recorded, vec![1]);
    let old: Vec<i64> = db::on_db!(&raw, pool => {
        sqlx::query_scalar("SELECT version FROM schema_migrations").fetch_all(pool).await.unwrap()
    });
    assert_eq!(old, vec![1], "the old table is left as it was");
    raw.close().await;

    // And once more, now bookkept by sqlx only.
    let again = Store::open(&config).await.unwrap();
    assert_eq!(again.last_block().await.unwrap(), Some(6));
    assert_eq!(again.trade_count().await.unwrap(), 1 + 6);
}

#[tokio::test]
async fn sqlite_store_made_by_the_old_runner_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    an_old_store_keeps_working(market::StoreConfig::SqliteDir(dir.path().to_path_buf())).await;
}

#[tokio::test]
async fn pg_store_made_by_the_old_runner_keeps_working() {
    if let Some(config) = crate::pg_config() {
        an_old_store_keeps_working(config).await;
    }
}
