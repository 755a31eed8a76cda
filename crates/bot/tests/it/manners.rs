//! Manners on Telegram's API: 429 with retry_after honoured, 100 chats' alerts within the rate
//! limits, long messages split.

use std::time::Duration;

use bot::BotConfig;
use bot::alerts::RuleKind;

use crate::harness::{ALICE, Harness, PATIENCE};

#[tokio::test]
async fn a_429_is_waited_out_and_the_message_then_delivered() {
    let h = Harness::start(BotConfig::default()).await;
    h.tg.throttle_next(1, 1);
    let reply = h.say(ALICE, "/start").await;
    let calls = h.tg.calls();
    let throttled = calls.iter().find(|c| c.throttled).expect("the first send was answered 429");
    assert!(
        reply.at.duration_since(throttled.at) >= Duration::from_secs(1),
        "sent again only after retry_after"
    );
    assert_eq!(reply.text, throttled.text, "the same message");
    h.shutdown().await;
}

#[tokio::test]
async fn alerts_to_100_chats_stay_within_the_rate_limits() {
    let h = Harness::start(BotConfig::default()).await;
    let level = h.price(2).await + 1;
    let rules: Vec<(i64, RuleKind)> =
        (0..100).map(|i| (5_000 + i, RuleKind::Price { netuid: 2, above: true, level })).collect();
    h.store.add_rules(&rules).await.unwrap();
    h.buy("//Alice", 2, 50).await;
    let calls =
        h.tg.wait_until("100 alerts", PATIENCE, |c| {
            c.iter().filter(|c| c.method == "sendmessage" && !c.throttled).count() >= 100
        })
        .await;
    let sends: Vec<_> =
        calls.iter().filter(|c| c.method == "sendmessage" && !c.throttled).collect();
    for i in 0..100 {
        assert_eq!(
            sends.iter().filter(|c| c.chat_id == Some(5_000 + i)).count(),
            1,
            "chat {i} got exactly one alert"
        );
    }
    // Any 30 consecutive sends span at least ~1 s: never more than 30 a second.
    for w in sends.windows(31) {
        assert!(
            w[30].at.duration_since(w[0].at) >= Duration::from_millis(990),
            "more than 30 sends in a second"
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn long_messages_are_split_and_each_part_accepted() {
    let h = Harness::start(BotConfig::default()).await;
    // 60 alerts make a long /alerts list.
    let rules: Vec<(i64, RuleKind)> = (0..200)
        .map(|i| (ALICE, RuleKind::Price { netuid: 1, above: true, level: 1_000_000_000 + i }))
        .collect();
    h.store.add_rules(&rules).await.unwrap();
    h.tg.message(ALICE, ALICE, "/alerts");
    let calls =
        h.tg.wait_until("a list ending with /unalert", PATIENCE, |c| {
            c.iter().any(|c| c.text.as_deref().is_some_and(|t| t.contains("/unalert")))
        })
        .await;
    let parts: Vec<_> =
        calls.iter().filter(|c| c.chat_id == Some(ALICE) && c.method == "sendmessage").collect();
    assert!(parts.len() >= 2, "split into {} parts", parts.len());
    assert!(parts.iter().all(|p| p.text.as_deref().unwrap().chars().count() <= 4096));
    // The per-chat limit holds between the parts.
    for w in parts.windows(2) {
        assert!(w[1].at.duration_since(w[0].at) >= Duration::from_millis(990));
    }
    h.shutdown().await;
}
