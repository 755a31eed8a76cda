//! The backprop view's running totals: a window slid forward by the blocks indexed since the
//! last view equals the same window summed afresh from the store.

use std::sync::Arc;

use chain::{AccountId, Chain, Event, EventRecord, Phase};
use market::backprop::Window;
use market::{FeedConfig, Indexer, IndexerConfig, Market, Store};

use crate::both_backends;
use crate::mock::{FakeChain, acct, buy, sell, subnet_info};
use dtao::units::RAO_PER_TAO as RAO;

const PRICE: u64 = RAO / 10;

/// The coldkey buying in block `n` (the one selling is 3 above it).
fn who(n: u64) -> u8 {
    u8::try_from(1 + (n / 500) % 40).unwrap()
}

/// Blocks `from..=to`: a buy, a sell and every fifth block a cross-subnet move, by coldkeys
/// that come and go (so some leave the window entirely).
fn push(chain: &FakeChain, from: u64, to: u64) {
    for n in from..=to {
        assert_eq!(chain.next_number(), n);
        let who = who(n);
        let netuid = u16::try_from(1 + n % 4).unwrap();
        let mut events = vec![
            buy(who, netuid, (1 + n % 7) * RAO, PRICE),
            sell(who.wrapping_add(3), 1 + netuid % 4, (2 + n % 5) * RAO, PRICE),
        ];
        if n.is_multiple_of(5) {
            events.push(Event::StakeMoved {
                coldkey: acct(who),
                origin_hotkey: acct(100),
                origin_netuid: netuid,
                destination_hotkey: acct(100),
                destination_netuid: 1 + (netuid + 1) % 4,
                tao: (n % 11) * RAO,
            });
        }
        let records = (0..)
            .zip(events)
            .map(|(i, event)| EventRecord { block: n, phase: Phase::ApplyExtrinsic(i), event })
            .collect();
        chain.push_block(records);
    }
}

async fn a_slid_window_equals_a_fresh_sum(store: Store) {
    let chain = Arc::new(
        FakeChain::new((1..=4).map(|n| subnet_info(n, PRICE)).collect()).with_finality_depth(0),
    );
    let dyn_chain: Arc<dyn Chain> = chain.clone();
    let config = IndexerConfig { discover_holders: false, ..IndexerConfig::default() };
    let indexer = Indexer::new(dyn_chain.clone(), store.clone(), config);
    indexer.observe_head().await.unwrap();
    push(&chain, 1, 7_300);
    indexer.sync().await.unwrap();
    let market = Market::new(&indexer, dyn_chain.clone(), FeedConfig::default());
    let mut last = 7_300;
    // Slides of one block, of an hour, then a jump past a quarter of the window (summed
    // afresh), and a view with nothing new.
    for step in [1, 300, 1_000, 2_500, 0] {
        push(&chain, last + 1, last + step);
        last += step;
        indexer.sync().await.unwrap();
        let slid = market.backprop(Window::Day).await.unwrap();
        let fresh = Market::new(&indexer, dyn_chain.clone(), FeedConfig::default())
            .backprop(Window::Day)
            .await
            .unwrap();
        assert_eq!((slid.from_block, slid.to_block), (last - Window::Day.blocks(), last));
        assert_eq!(slid, fresh, "after a step of {step} blocks");
        assert!(slid.teachers.len() > 1 && slid.subnets.iter().all(|s| s.trades > 0));
        // Coldkeys whose trades all left the window are no teachers.
        let traded_in_window = |c: &AccountId| {
            (slid.from_block + 1..=last).any(|n| [who(n), who(n) + 3].contains(&c.0[0]))
        };
        assert!(slid.teachers.iter().all(|t| traded_in_window(&t.coldkey)));
    }
}

both_backends!(sqlite_slid_window, pg_slid_window, a_slid_window_equals_a_fresh_sum);
