//! Alert throughput: evaluating 100,000 rules against one block's facts (128 subnets whose
//! prices all moved, a few whale-sized trades, feed events), and deliveries per second through
//! the send queue under Telegram's limits to the loopback fake Bot API.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use bot::alerts::{BlockFacts, FeedClass, PricePoint, Rule, RuleKind, RuleSet, WhaleSideKind};
use bot::queue::{Limits, Outgoing, SendQueue};
use chain::AccountId;
use divan::Bencher;
use market::{FeedEvent, FeedKind, Trade};

fn main() {
    divan::main();
}

const RULES: usize = 100_000;
const SUBNETS: u16 = 128;
const PRICE: u64 = 1_000_000_000;

fn rules() -> RuleSet {
    let rules = (0..RULES)
        .map(|i| {
            let netuid = (i % usize::from(SUBNETS)) as u16 + 1;
            let kind = match i % 10 {
                0..=5 => RuleKind::Price {
                    netuid,
                    above: i % 2 == 0,
                    level: PRICE - 5_000_000 + (i as u64 % 10_000_000),
                },
                6 | 7 => RuleKind::Move { netuid, bps: 100 + (i as u32 % 900) },
                8 => RuleKind::Whale {
                    netuid: (i % 3 != 0).then_some(netuid),
                    min_tao: 100 * PRICE,
                    side: WhaleSideKind::Any,
                },
                _ => RuleKind::Feed { class: FeedClass::Owner, netuid: Some(netuid) },
            };
            Rule { id: i as i64, chat_id: (i / 10) as i64, kind }
        })
        .collect();
    RuleSet::new(rules)
}

fn trade(netuid: u16, tao: u64, seq: u32) -> Trade {
    serde_json::from_value(serde_json::json!({
        "block": 1000, "extrinsic": seq, "seq": 0, "kind": "buy", "netuid": netuid,
        "dest_netuid": null, "coldkey": AccountId([1; 32]), "hotkey": AccountId([2; 32]),
        "dest_coldkey": null, "dest_hotkey": null, "tao": tao.to_string(),
        "alpha": "1", "alpha_dest": "0", "fee_tao": "0", "fee_alpha": "0", "price": "1"
    }))
    .unwrap()
}

fn facts() -> BlockFacts {
    let mut f = BlockFacts { block: 1000, ..BlockFacts::default() };
    for n in 1..=SUBNETS {
        let up = n % 2 == 0;
        let now = if up { PRICE + 3_000_000 } else { PRICE - 3_000_000 };
        f.prices.insert(
            n,
            PricePoint {
                prev: PRICE,
                now,
                hour_ago: Some(PRICE - 40_000_000),
                hour_ago_prev: Some(PRICE - 20_000_000),
            },
        );
    }
    for s in 0..4 {
        f.trades.push(trade(s as u16 + 1, 500 * PRICE, s));
    }
    for s in 0..3 {
        f.events.push(FeedEvent {
            block: 1000,
            seq: s,
            kind: FeedKind::HyperparameterChanged,
            netuid: Some(s as u16 + 1),
            sentence: "SN1 tempo changed".into(),
            data: serde_json::Value::Null,
            timestamp_ms: 0,
        });
    }
    f
}

/// 100,000 rules against one block (the goal is ≤ 10 ms).
#[divan::bench]
fn evaluate_100k_rules_one_block(bencher: Bencher) {
    let set = rules();
    let facts = facts();
    bencher.bench_local(|| divan::black_box(set.evaluate(&facts)).len());
}

/// 120 alerts to 120 chats through the queue (1/s per chat, ~30/s overall) to the fake Bot
/// API: deliveries per second = 120 / the time.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn deliver_120_alerts_under_telegram_limits(bencher: Bencher) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(test_support::telegram::FakeTelegram::start());
    let api = bot::telegram(test_support::telegram::TOKEN, Some(&fake.url())).unwrap();
    bencher.bench_local(|| {
        rt.block_on(async {
            let (queue, _task) = SendQueue::spawn(api.clone(), Limits::default());
            let mut sends = futures::stream::FuturesUnordered::new();
            for chat in 0..120 {
                let q = queue.clone();
                sends.push(async move {
                    q.send(Outgoing::text(chat, "🐋 Whale buy: 1,000 τ · SN1")).await
                });
            }
            use futures::StreamExt as _;
            while let Some(r) = sends.next().await {
                r.unwrap();
            }
        })
    });
}
