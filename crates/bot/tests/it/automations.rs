//! Take-profit, stop-loss and auto-compound through the Staking proxy, on the test clock: each
//! fires once (a restart does not repeat it), reports its receipt, and every automation stops
//! when the proxy is removed on chain.

use bot::BotConfig;
use chain::{Call, Side};
use test_support::genesis::{TAO, id};
use test_support::telegram::Call as TgCall;

use crate::harness::{ALICE, Harness, PATIENCE, emitting_genesis};

fn confirm(c: &TgCall) -> String {
    c.buttons
        .iter()
        .find(|b| b.starts_with("c:"))
        .cloned()
        .unwrap_or_else(|| panic!("no Confirm button on {c:?}"))
}

/// Rao as the decimal TAO a user types.
fn typed(rao: u64) -> String {
    format!("{}.{:09}", rao / TAO, rao % TAO)
}

async fn alpha_on(h: &Harness, who: &str, hotkey: Option<&str>, netuid: u16) -> u64 {
    h.chain
        .stakes(id(who))
        .await
        .unwrap()
        .iter()
        .filter(|s| s.netuid == netuid && hotkey.is_none_or(|hk| s.hotkey == id(hk)))
        .map(|s| s.alpha)
        .sum()
}

async fn exit_value(h: &Harness, who: &str, netuid: u16) -> u64 {
    let alpha = alpha_on(h, who, None, netuid).await;
    h.chain.quote(netuid, Side::Sell, alpha).await.unwrap().amount_out
}

fn count(h: &Harness, needle: &str) -> usize {
    h.chat_calls(ALICE)
        .iter()
        .filter(|c| c.text.as_deref().is_some_and(|t| t.contains(needle)))
        .count()
}

/// Sends `command`, taps Confirm on its card, and waits until the card says it was created.
async fn create(h: &Harness, command: &str) -> String {
    let card = h.say(ALICE, command).await;
    let text = card.text.clone().unwrap();
    assert!(card.new_message_id.is_some() && !card.buttons.is_empty(), "no card: {text}");
    let created = |c: &TgCall| {
        c.method == "editmessagetext" && c.text.as_deref().is_some_and(|t| t.contains("Created;"))
    };
    let before = h.chat_calls(ALICE).iter().filter(|c| created(c)).count();
    h.tg.tap(ALICE, ALICE, card.new_message_id.unwrap(), &confirm(&card));
    h.tg.wait_until("the automation created", PATIENCE, |c| {
        c.iter().filter(|c| created(c)).count() > before
    })
    .await;
    text
}

#[tokio::test]
async fn take_profit_and_stop_loss_fire_once_across_a_restart_and_stop_with_the_proxy() {
    let mut h = Harness::start(BotConfig::default()).await;
    let alice = id("//Alice");
    h.say(ALICE, &format!("/proxy {} 100 500", alice.to_ss58())).await;
    h.add_proxy("//Alice").await;

    // No position, no order; a level already reached is a plain /sell.
    assert!(h.say(ALICE, "/tp 1 20").await.text.unwrap().contains("no stake"));
    h.buy("//Alice", 1, 10).await;
    h.buy("//Alice", 2, 10).await;
    let exit1 = exit_value(&h, "//Alice", 1).await;
    let exit2 = exit_value(&h, "//Alice", 2).await;
    let reached = h.say(ALICE, &format!("/sl 1 {}", typed(exit1 * 2))).await.text.unwrap();
    assert!(reached.contains("already reached"), "{reached}");

    let card = create(&h, &format!("/tp 1 {}", typed(exit1 * 6 / 5))).await;
    assert!(card.contains("Take-profit") && card.contains("remove_stake_limit"), "{card}");
    create(&h, &format!("/sl 2 {}", typed(exit2 * 4 / 5))).await;
    assert_eq!(h.store.automations(None).await.unwrap().len(), 2);

    // Bob's buy lifts SN1: the take-profit sells Alice's whole position, once.
    h.buy("//Bob", 1, 300).await;
    let tp = h.wait_text(ALICE, "🎯 Take-profit").await.text.unwrap();
    assert!(tp.contains("Sold") && tp.contains("Quoted vs filled"), "{tp}");
    assert_eq!(alpha_on(&h, "//Alice", None, 1).await, 0);

    // The owner's sale sinks SN2: the stop-loss sells.
    h.submit(
        "//Owner2",
        Call::RemoveStake {
            hotkey: id("//Owner2//hot"),
            netuid: 2,
            amount_unstaked: chain::Alpha::from_rao(400 * TAO),
        },
    )
    .await
    .0
    .unwrap();
    let sl = h.wait_text(ALICE, "🛑 Stop-loss").await.text.unwrap();
    assert!(sl.contains("Quoted vs filled"), "{sl}");
    assert_eq!(alpha_on(&h, "//Alice", None, 2).await, 0);
    assert!(h.store.automations(None).await.unwrap().is_empty());

    // A restart, a new position and a higher price again: nothing fires a second time.
    h.stop_bot().await;
    h.start_bot();
    h.buy("//Alice", 1, 10).await;
    h.buy("//Bob", 1, 300).await;
    h.settle().await;
    assert!(h.say(ALICE, "/automations").await.text.unwrap().contains("No automations"));
    assert_eq!(count(&h, "🎯 Take-profit"), 1);
    assert_eq!(count(&h, "🛑 Stop-loss"), 1);
    assert!(alpha_on(&h, "//Alice", None, 1).await > 0, "the new position is untouched");

    // The proxy removed on chain stops every automation at once.
    let exit1 = exit_value(&h, "//Alice", 1).await;
    create(&h, &format!("/tp 1 {}", typed(exit1 * 2))).await;
    create(&h, &format!("/sl 1 {}", typed(exit1 / 2))).await;
    h.submit(
        "//Alice",
        Call::RemoveProxy { delegate: h.bot_account(), proxy_type: chain::ProxyType::Staking },
    )
    .await
    .0
    .unwrap();
    h.wait_text(ALICE, "Automations stopped").await;
    assert!(h.store.automations(None).await.unwrap().is_empty());
    h.shutdown().await;
}

#[tokio::test]
async fn auto_compound_moves_earned_emission_after_an_epoch_and_stops_with_the_proxy() {
    let h = Harness::start_with(BotConfig::default(), emitting_genesis()).await;
    let alice = id("//Alice");
    // The validator sets weights, so each SN1 epoch pays dividends to its nominators.
    h.submit(
        "//V1",
        Call::SetWeights { netuid: 1, dests: vec![1], weights: vec![u16::MAX], version_key: 0 },
    )
    .await
    .0
    .unwrap();
    h.say(ALICE, &format!("/proxy {} 100 500", alice.to_ss58())).await;
    h.add_proxy("//Alice").await;

    let same = h.say(ALICE, "/compound 1 into 1 every 10").await.text.unwrap();
    assert!(same.contains("already compounds"), "{same}");
    let card = create(&h, "/compound 1 into 2 every 10").await;
    assert!(card.contains("Auto-compound") && card.contains("SN2"), "{card}");
    // The baseline read when it was confirmed: what Alice held before any emission counted.
    let seen = h.store.stake_seen(1).await.unwrap();
    let principal = seen.iter().find(|s| s.hotkey == id("//V1") && s.netuid == 1).unwrap().alpha;

    // An epoch passes: Alice's SN1 stake grows by her dividends.
    let start = std::time::Instant::now();
    while alpha_on(&h, "//Alice", Some("//V1"), 1).await <= principal {
        assert!(start.elapsed() < PATIENCE, "no dividends reached Alice");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    h.clock.advance_ms(10 * 60_000);
    let run = h.wait_text(ALICE, "Auto-compound run").await.text.unwrap();
    assert!(run.contains("SN1 → SN2") && run.contains("Quoted vs filled"), "{run}");
    let moved = alpha_on(&h, "//Alice", Some("//V1"), 2).await;
    assert!(moved > 0, "the earned emission landed on SN2: {run}");
    assert!(
        alpha_on(&h, "//Alice", Some("//V1"), 1).await >= principal,
        "the principal stays on SN1"
    );

    // The daily summary at 02:00 UTC (the clock is at 01:10): the first has no change yet;
    // the next day's has the change in exit value and the emission earned meanwhile.
    let on = h.say(ALICE, &format!("/portfolio {} daily 2", alice.to_ss58())).await;
    assert!(on.text.unwrap().contains("02:00"));
    h.clock.advance_ms(60 * 60_000);
    let first = h.wait_text(ALICE, "<b>Daily portfolio</b>").await.text.unwrap();
    assert!(first.contains("first summary") && first.contains("SN2 · "), "{first}");
    h.clock.advance_ms(24 * 60 * 60_000);
    h.tg.wait_until("the second summary", PATIENCE, |c| {
        c.iter()
            .filter(|c| c.text.as_deref().is_some_and(|t| t.contains("<b>Daily portfolio</b>")))
            .count()
            >= 2
    })
    .await;
    let second = h
        .chat_calls(ALICE)
        .into_iter()
        .filter_map(|c| c.text)
        .filter(|t| t.contains("<b>Daily portfolio</b>"))
        .nth(1)
        .unwrap();
    // The day's change in exit value can go either way (emission moves the pool's price), but
    // it is signed, in TAO, with its percentage; the emission earned is never negative.
    let change = second.split("24h change: ").nth(1).unwrap_or_default();
    assert!(
        (change.starts_with('+') || change.starts_with('−'))
            && change.contains(" τ (")
            && change.contains(" %)"),
        "{second}"
    );
    assert!(second.contains("earned +") && second.contains("earned ≈"), "{second}");

    h.submit(
        "//Alice",
        Call::RemoveProxy { delegate: h.bot_account(), proxy_type: chain::ProxyType::Staking },
    )
    .await
    .0
    .unwrap();
    h.wait_text(ALICE, "Automations stopped").await;
    assert!(h.store.automations(None).await.unwrap().is_empty());
    h.shutdown().await;
}
