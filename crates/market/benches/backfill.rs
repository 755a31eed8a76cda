//! Backfill rate into SQLite: blocks/s from synthetic blocks shaped like the 128-subnet
//! genesis (128 dynamic subnets, a few trades per block, an epoch every few blocks). The
//! indexer reads the chain's state once at block 0 and then backfills, deriving every
//! subnet's state for every block (128 pool states per block), as after downtime.
//!
//! Also the backprop network view over 30 days (216,000 blocks, 864,000 trades) from such a
//! store.
#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::Arc;

use chain::{AccountId, Event, EventRecord, NetUid, Phase, PoolInfo, SubnetIdentity, SubnetInfo};
use divan::Bencher;
use market::backprop::Window;
use market::{FeedConfig, Indexer, IndexerConfig, Market, Store, StoreConfig};
use test_support::fake::FakeChain;

const BLOCKS: u64 = 20_000;
const SUBNETS: u16 = 128;
use dtao::units::RAO_PER_TAO as RAO;

fn main() {
    divan::main();
}

fn subnet(netuid: NetUid) -> SubnetInfo {
    // Power-law-ish pools: big subnets first.
    let tao = 200_000 * RAO / u64::from(netuid);
    let alpha_in = 2_000_000 * RAO + u64::from(netuid) * 10_000 * RAO;
    SubnetInfo {
        netuid,
        identity: SubnetIdentity {
            name: format!("Subnet {netuid}"),
            symbol: "α".into(),
            ..SubnetIdentity::default()
        },
        owner_coldkey: AccountId([1; 32]),
        owner_hotkey: AccountId([2; 32]),
        registered_at: 0,
        mechanism: 1,
        first_emission_block: Some(0),
        pool: PoolInfo {
            tao_reserve: tao,
            alpha_in,
            alpha_out: alpha_in / 2,
            price: u64::try_from(u128::from(tao) * u128::from(RAO) / u128::from(alpha_in)).unwrap(),
            moving_price: 1,
            curve: dtao::amm::CurveKind::default(),
            fee_rate: 33,
            volume: 0,
        },
        hyperparameters: test_support::genesis::market_hyperparameters(),
        emission_share_ppb: 1_000_000_000 / u64::from(SUBNETS),
        tao_emission: 500_000_000 / u64::from(SUBNETS),
        miner_burned_ppb: 0,
        last_epoch_block: 0,
        neuron_count: 256,
    }
}

/// Blocks 1..=`blocks` of trades and epochs over the 128 subnets, on the shared fake chain.
fn synth_chain(blocks: u64) -> FakeChain {
    let chain = FakeChain::new((1..=SUBNETS).map(subnet).collect()).with_finality_depth(0);
    for n in 1..=blocks {
        chain.push_block(synth_block(n));
    }
    chain
}

/// Block `n`: four trades and every third block an epoch.
fn synth_block(n: u64) -> Vec<EventRecord> {
    let mut events = Vec::new();
    for i in 0..4u32 {
        let netuid = 1 + ((n * 31 + u64::from(i) * 17) % u64::from(SUBNETS)) as u16;
        let who = AccountId([(n % 200) as u8 + 10; 32]);
        let event = if i % 2 == 0 {
            Event::StakeAdded {
                coldkey: who,
                hotkey: AccountId([3; 32]),
                tao: 5 * RAO,
                alpha: 40 * RAO,
                netuid,
                fee: 2_517,
            }
        } else {
            Event::StakeRemoved {
                coldkey: who,
                hotkey: AccountId([3; 32]),
                tao: 3 * RAO,
                alpha: 25 * RAO,
                netuid,
                fee: 12_000,
            }
        };
        events.push(EventRecord { block: n, phase: Phase::ApplyExtrinsic(i), event });
    }
    if n.is_multiple_of(3) {
        let netuid = 1 + (n % u64::from(SUBNETS)) as u16;
        events.push(EventRecord {
            block: n,
            phase: Phase::Initialization,
            event: Event::EpochCompleted {
                netuid,
                incentive: 100 * RAO,
                dividends: 100 * RAO,
                owner_cut: 40 * RAO,
                owner_miner_burned: 0,
            },
        });
    }
    events
}

/// Backfills 20,000 blocks × 128 subnets into a fresh SQLite store; throughput in blocks/s.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn backfill_sqlite_128_subnets(bencher: Bencher) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let chain = Arc::new(synth_chain(BLOCKS));
    bencher
        .counter(divan::counter::ItemsCount::new(BLOCKS))
        .with_inputs(|| {
            rt.block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let store =
                    Store::open(&StoreConfig::SqliteDir(dir.path().to_path_buf())).await.unwrap();
                chain.set_head(Some(0));
                let config = IndexerConfig { discover_holders: false, ..IndexerConfig::default() };
                let indexer = Indexer::new(chain.clone(), store, config);
                indexer.observe_head().await.unwrap();
                chain.set_head(None);
                (indexer, dir)
            })
        })
        .bench_local_values(|(indexer, dir)| {
            let stored = rt.block_on(indexer.sync()).unwrap();
            assert_eq!(stored, BLOCKS + 1);
            (indexer, dir)
        });
}

/// 30 days of that history (216,000 blocks × 128 subnets, 4 trades a block) indexed into
/// SQLite, for the backprop network view.
fn month_market(rt: &tokio::runtime::Runtime) -> (Arc<FakeChain>, Indexer, tempfile::TempDir) {
    const MONTH: u64 = 216_000;
    let chain = Arc::new(synth_chain(MONTH));
    let dir = tempfile::tempdir().unwrap();
    let indexer = rt.block_on(async {
        let store = Store::open(&StoreConfig::SqliteDir(dir.path().to_path_buf())).await.unwrap();
        chain.set_head(Some(0));
        let config = IndexerConfig { discover_holders: false, ..IndexerConfig::default() };
        let indexer = Indexer::new(chain.clone(), store, config);
        indexer.observe_head().await.unwrap();
        chain.set_head(None);
        assert_eq!(indexer.sync().await.unwrap(), MONTH + 1);
        indexer
    });
    (chain, indexer, dir)
}

/// The backprop view over 30 days summed afresh from the store (a process's first view).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn backprop_30d_cold_sqlite_128_subnets(bencher: Bencher) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (chain, indexer, _dir) = month_market(&rt);
    bencher.bench_local(|| {
        let market = Market::new(&indexer, chain.clone(), FeedConfig::default());
        let view = rt.block_on(market.backprop(Window::Month)).unwrap();
        assert_eq!(view.subnets.len(), usize::from(SUBNETS));
        view
    });
}

/// The backprop view over 30 days after each new block (the steady state of a running
/// terminal or bot): the window slides by the block it gained and the one it lost.
#[divan::bench(sample_count = 50, sample_size = 1)]
fn backprop_30d_per_block_sqlite_128_subnets(bencher: Bencher) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (chain, indexer, _dir) = month_market(&rt);
    let market = Market::new(&indexer, chain.clone(), FeedConfig::default());
    rt.block_on(market.backprop(Window::Month)).unwrap();
    bencher
        .with_inputs(|| {
            chain.push_block(synth_block(chain.next_number()));
            rt.block_on(indexer.sync()).unwrap();
        })
        .bench_local_values(|()| {
            let view = rt.block_on(market.backprop(Window::Month)).unwrap();
            assert_eq!(view.subnets.len(), usize::from(SUBNETS));
            view
        });
}
