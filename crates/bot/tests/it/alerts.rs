//! Alerts: a price alert fires once when the market crosses it, not again within the cooldown,
//! not twice across a restart; whale alerts carry who the trader is.

use bot::BotConfig;

use crate::harness::{BOB, Harness};

fn alerts(h: &Harness, chat: i64, needle: &str) -> usize {
    h.chat_calls(chat)
        .iter()
        .filter(|c| c.text.as_deref().is_some_and(|t| t.contains(needle)))
        .count()
}

#[tokio::test]
async fn price_alert_fires_once_respects_cooldown_and_survives_a_restart() {
    let mut h = Harness::start(BotConfig::default()).await;
    assert!(h.say(BOB, "/cooldown 600").await.text.unwrap().contains("600"));
    let p0 = h.price(1).await;
    let level = p0 + p0 / 10;
    let added = h
        .say(BOB, &format!("/alert price 1 above {}", bot::text::price(level)))
        .await
        .text
        .unwrap();
    assert!(added.contains("Alert added #"), "{added}");
    let listed = h.say(BOB, "/alerts").await.text.unwrap();
    assert!(listed.contains("SN1 price above"), "{listed}");

    // Alice's buy lifts SN1 through the level: one alert.
    h.buy("//Alice", 1, 200).await;
    assert!(h.price(1).await > level);
    let alert = h.wait_text(BOB, "price crossed up").await.text.unwrap();
    assert!(alert.contains("SN1 (Apex)"), "{alert}");
    h.settle().await;
    assert_eq!(alerts(&h, BOB, "price crossed up"), 1);

    // Down through the level and up again, within the 30-minute cooldown: nothing new.
    let (result, _) = h
        .submit(
            "//Alice",
            chain::Call::RemoveStake {
                hotkey: test_support::genesis::id("//Owner1//hot"),
                netuid: 1,
                amount_unstaked: chain::Alpha::from_rao(
                    h.chain.stakes(test_support::genesis::id("//Alice")).await.unwrap()[0].alpha,
                ),
            },
        )
        .await;
    result.unwrap();
    assert!(h.price(1).await < level);
    h.buy("//Alice", 1, 200).await;
    assert!(h.price(1).await > level);
    h.settle().await;
    assert_eq!(alerts(&h, BOB, "price crossed up"), 1, "cooldown holds the second crossing");

    // Restart: no alert again, no command handled twice.
    let answered = h.chat_calls(BOB).len();
    h.stop_bot().await;
    h.start_bot();
    h.say(BOB, "/help").await;
    h.settle().await;
    assert_eq!(alerts(&h, BOB, "price crossed up"), 1, "not twice after a restart");
    assert_eq!(h.chat_calls(BOB).len(), answered + 1, "only the new command was answered");
    assert!(h.tg.confirmed_offset() > 0);

    // Removing the rule.
    let rules = h.store.rules(Some(BOB)).await.unwrap();
    let removed = h.say(BOB, &format!("/unalert {}", rules[0].0.id)).await.text.unwrap();
    assert!(removed.contains("removed"));
    assert!(h.say(BOB, "/unalert 99999").await.text.unwrap().contains("No alert"));
    h.shutdown().await;
}

#[tokio::test]
async fn whale_alert_names_the_subnet_owner() {
    let h = Harness::start(BotConfig {
        terminal_url: Some("http://127.0.0.1:8080".into()),
        ..BotConfig::default()
    })
    .await;
    let added = h.say(BOB, "/whale all 100 buy").await.text.unwrap();
    assert!(added.contains("whale buy"), "{added}");
    h.say(BOB, "/whale 1 100 sell").await;

    h.buy("//Alice", 1, 50).await; // under the threshold
    h.buy("//Owner2", 1, 300).await;
    let alert = h.wait_text(BOB, "Whale buy").await.text.unwrap();
    assert!(alert.contains("300 τ") && alert.contains("SN1 (Apex)"), "{alert}");
    assert!(alert.contains("owner of SN2 (Beta)"), "labelled by the chain's subnet owner: {alert}");
    assert!(alert.contains("http://127.0.0.1:8080/subnets/1"), "explorer link: {alert}");
    assert!(alert.contains("http://127.0.0.1:8080/extrinsics/"), "the trade's extrinsic: {alert}");
    h.settle().await;
    assert_eq!(alerts(&h, BOB, "Whale"), 1, "the 50 τ buy and the sell rule stay quiet");
    h.shutdown().await;
}

#[tokio::test]
async fn the_daily_digest_comes_once_at_its_hour_and_not_again_after_a_restart() {
    let mut h = Harness::start(BotConfig::default()).await;
    // The test clock starts at 01:00 UTC.
    let on = h.say(BOB, "/digest on 08").await.text.unwrap();
    assert!(on.contains("Daily digest on") && on.contains("08:00"), "{on}");
    let bad = h.say(BOB, "/digest on 25").await.text.unwrap();
    assert!(bad.contains("Usage"), "{bad}");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(alerts(&h, BOB, "Daily digest</b>"), 0, "not before its hour");

    h.clock.advance_ms(7 * 3_600_000 + 60_000);
    let digest = h.wait_text(BOB, "Daily digest</b>").await.text.unwrap();
    assert!(
        digest.contains("/backprop 24h") && digest.contains("Gained emission share"),
        "{digest}"
    );

    h.stop_bot().await;
    h.start_bot();
    h.clock.advance_ms(60_000);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(alerts(&h, BOB, "Daily digest</b>"), 1, "one digest a day, across a restart");

    let off = h.say(BOB, "/digest off").await.text.unwrap();
    assert!(off.contains("Daily digest off"), "{off}");
    h.clock.advance_ms(24 * 3_600_000);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(alerts(&h, BOB, "Daily digest</b>"), 1, "off means off");

    h.shutdown().await;
}
