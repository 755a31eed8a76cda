//! Trading: a Staking-proxy trade lands for the user's coldkey, the proxy cannot move TAO, a
//! card executes once and expires; sign links for users without a proxy; DCA on the test clock.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use bot::BotConfig;
use chain::{AccountId, Call, Chain, TxOptions};
use test_support::genesis::{TAO, id};
use test_support::telegram::Call as TgCall;

use crate::harness::{ALICE, BOB, Harness, PATIENCE};

fn card_button(c: &TgCall, prefix: &str) -> String {
    c.buttons
        .iter()
        .find(|b| b.starts_with(prefix))
        .cloned()
        .unwrap_or_else(|| panic!("no {prefix} button on {c:?}"))
}

async fn stake_on(h: &Harness, who: &str, netuid: u16) -> u64 {
    h.chain
        .stakes(id(who))
        .await
        .unwrap()
        .iter()
        .filter(|s| s.netuid == netuid)
        .map(|s| s.alpha)
        .sum()
}

#[tokio::test]
async fn proxy_trade_lands_for_the_users_coldkey_once_and_the_proxy_cannot_transfer() {
    let h = Harness::start(BotConfig::default()).await;
    let alice = id("//Alice");

    // Without any registration the bot explains both ways.
    assert!(h.say(ALICE, "/buy 1 2").await.text.unwrap().contains("/proxy"));

    let setup = h.say(ALICE, &format!("/proxy {} 5 8", alice.to_ss58())).await.text.unwrap();
    assert!(setup.contains("Staking") && setup.contains(&h.bot_account().to_ss58()), "{setup}");
    assert!(setup.contains("btcli"), "{setup}");
    h.add_proxy("//Alice").await;

    // Over the per-trade limit: refused before any card.
    assert!(h.say(ALICE, "/buy 1 6").await.text.unwrap().contains("per-trade limit"));

    let card = h.say(ALICE, "/buy apex 2").await;
    let text = card.text.clone().unwrap();
    assert!(
        text.contains("Quote") && text.contains("Minimum received") && text.contains("Limit price"),
        "{text}"
    );
    // The lesson is projected on localnet, not merely the fallback line.
    assert!(text.contains("what this trade teaches the network (rule "), "{text}");
    assert!(text.contains("SN1") && text.contains("converged"), "{text}");
    let confirm = card_button(&card, "c:");
    let message_id = card.new_message_id.unwrap();
    let before = stake_on(&h, "//Alice", 1).await;
    let alice_free = h.chain.account(alice).await.unwrap().free;

    // A different Telegram user cannot trade Alice's proxy.
    h.tg.tap(ALICE, BOB, message_id, &confirm);
    h.tg.wait_until("Bob's tap answered", PATIENCE, |c| {
        c.iter().any(|c| {
            c.method == "answercallbackquery"
                && c.text.as_deref().is_some_and(|t| t.contains("Only the person"))
        })
    })
    .await;

    // Double tap: both arrive; one executes.
    h.tg.tap(ALICE, ALICE, message_id, &confirm);
    h.tg.tap(ALICE, ALICE, message_id, &confirm);
    let done = h.wait_text(ALICE, "Finalized 🪙").await;
    assert_eq!(done.method, "editmessagetext");
    assert_eq!(done.message_id, Some(message_id), "the card is edited in place");
    let receipt = done.text.unwrap();
    assert!(receipt.contains("Quoted vs filled"), "{receipt}");
    let after = stake_on(&h, "//Alice", 1).await;
    assert!(after > before, "the stake landed on Alice's coldkey");
    assert_eq!(
        h.chain.account(alice).await.unwrap().free,
        alice_free - 2 * TAO,
        "Alice paid the 2 τ; the bot paid the fee"
    );
    h.tg.wait_until("the second tap answered as used", PATIENCE, |c| {
        c.iter().any(|c| {
            c.method == "answercallbackquery"
                && c.text.as_deref().is_some_and(|t| t.contains("already used"))
        })
    })
    .await;
    let submitted = h
        .chat_calls(ALICE)
        .iter()
        .filter(|c| c.text.as_deref().is_some_and(|t| t.contains("Submitted")))
        .count();
    assert_eq!(submitted, 1, "one execution");
    assert_eq!(stake_on(&h, "//Alice", 1).await, after);

    // An expired card does nothing.
    let card = h.say(ALICE, "/buy 1 1").await;
    h.clock.advance_ms(61_000);
    h.tg.tap(ALICE, ALICE, card.new_message_id.unwrap(), &card_button(&card, "c:"));
    h.tg.wait_until("the expired card answered", PATIENCE, |c| {
        c.iter().any(|c| {
            c.method == "answercallbackquery"
                && c.text.as_deref().is_some_and(|t| t.contains("expired"))
        })
    })
    .await;
    assert_eq!(stake_on(&h, "//Alice", 1).await, after);

    // The daily limit (8 τ): 2 spent, a 5 τ trade fits, then another 5 τ does not.
    let card = h.say(ALICE, "/buy 1 5").await;
    h.tg.tap(ALICE, ALICE, card.new_message_id.unwrap(), &card_button(&card, "c:"));
    h.wait_text(ALICE, "#").await;
    h.tg.wait_until("second trade final", PATIENCE, |c| {
        c.iter().filter(|c| c.text.as_deref().is_some_and(|t| t.contains("Finalized 🪙"))).count()
            >= 2
    })
    .await;
    assert!(h.say(ALICE, "/buy 1 5").await.text.unwrap().contains("per-day limit"));

    // The chain itself refuses a transfer through the Staking proxy.
    let bot_free = h.chain.account(h.bot_account()).await.unwrap().free;
    let alice_free = h.chain.account(alice).await.unwrap().free;
    let steal = Call::proxied(
        alice,
        Call::Transfer { dest: h.bot_account(), amount: chain::Tao::from_rao(100 * TAO) },
    );
    let mut stream =
        chain::sign_and_submit(&*h.chain, &*h.key, steal, TxOptions::default()).await.unwrap();
    let mut refused = false;
    use futures::StreamExt as _;
    while let Some(s) = stream.next().await {
        if let chain::TxStatus::InBlock { result, events, .. } = s.unwrap() {
            let inner_failed = events
                .iter()
                .any(|r| matches!(&r.event, chain::Event::ProxyExecuted { result: Err(_) }));
            refused = result.is_err() || inner_failed;
            break;
        }
    }
    assert!(refused, "the chain refuses a transfer by a Staking proxy");
    assert_eq!(h.chain.account(alice).await.unwrap().free, alice_free, "Alice's TAO did not move");
    assert!(
        h.chain.account(h.bot_account()).await.unwrap().free <= bot_free,
        "the bot gained nothing"
    );

    // Revoke: instructions, registration gone.
    let revoke = h.say(ALICE, "/revoke").await.text.unwrap();
    assert!(revoke.contains("proxy remove"), "{revoke}");
    assert!(h.store.proxy(ALICE).await.unwrap().is_none());
    h.shutdown().await;
}

/// The stand-in's state: the chain it prepares on, and every request body it saw.
type StandIn = (Arc<dyn Chain>, Arc<std::sync::Mutex<Vec<serde_json::Value>>>);

/// A loopback stand-in for the terminal's `POST /api/v1/tx/prepare` (the shared contract): it
/// prepares the call on the chain and answers with the contract's fields.
async fn prepare(
    State((chain, seen)): State<StandIn>,
    Json(body): Json<serde_json::Value>,
) -> Json<serde_json::Value> {
    seen.lock().unwrap().push(body.clone());
    let signer: AccountId = body["signer"].as_str().unwrap().parse().unwrap();
    let call: Call = serde_json::from_value(body["call"].clone()).unwrap();
    let prepared = chain.prepare(signer, call, TxOptions::default()).await.unwrap();
    Json(serde_json::json!({
        "id": "abc123", "payload": format!("0x{}", hex::encode(&prepared.payload)),
        "description": prepared.description, "fee_rao": prepared.fee_estimate, "quote": null,
        "expires_at_ms": 1_700_000_120_000u64, "sign_url": "/sign/abc123"
    }))
}

#[tokio::test]
async fn a_user_without_a_proxy_gets_a_sign_link_for_the_prepared_trade() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let terminal = format!("http://{}", listener.local_addr().unwrap());
    let h =
        Harness::start(BotConfig { terminal_url: Some(terminal.clone()), ..BotConfig::default() })
            .await;
    let app = axum::Router::new()
        .route("/api/v1/tx/prepare", axum::routing::post(prepare))
        .with_state((h.chain.clone(), seen.clone()));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let bob = id("//Bob");
    assert!(
        h.say(BOB, &format!("/address {}", bob.to_ss58()))
            .await
            .text
            .unwrap()
            .contains("Sign-link")
    );
    let card = h.say(BOB, "/buy 1 3").await;
    assert!(card.text.clone().unwrap().contains("sign link"));
    h.tg.tap(BOB, BOB, card.new_message_id.unwrap(), &card_button(&card, "c:"));
    let link = h.wait_text(BOB, "/sign/abc123").await.text.unwrap();
    assert!(link.contains(&format!("{terminal}/sign/abc123")), "{link}");
    let body = seen.lock().unwrap()[0].clone();
    assert_eq!(body["signer"], bob.to_ss58());
    assert_eq!(body["call"]["name"], "add_stake_limit", "{body}");
    assert_eq!(body["call"]["netuid"], 1, "{body}");
    assert_eq!(stake_on(&h, "//Bob", 1).await, 0, "nothing is signed by the bot");
    server.abort();
    h.shutdown().await;
}

#[tokio::test]
async fn dca_runs_on_the_test_clock_and_stops_when_the_proxy_is_removed() {
    let h = Harness::start(BotConfig::default()).await;
    let alice = id("//Alice");
    h.say(ALICE, &format!("/proxy {} 5 3", alice.to_ss58())).await;
    h.add_proxy("//Alice").await;

    let card = h.say(ALICE, "/dca 1 1 60").await;
    assert!(card.text.clone().unwrap().contains("DCA: buy 1 τ of SN1 every 60 min"));
    h.tg.tap(ALICE, ALICE, card.new_message_id.unwrap(), &card_button(&card, "c:"));
    h.wait_text(ALICE, "DCA created").await;
    let first = h.wait_text(ALICE, "DCA run").await.text.unwrap();
    assert!(first.contains("Quoted vs filled"), "{first}");
    let one = stake_on(&h, "//Alice", 1).await;
    assert!(one > 0);

    // Nothing more until the period has passed on the bot's clock.
    h.settle().await;
    let runs = |h: &Harness| {
        h.chat_calls(ALICE)
            .iter()
            .filter(|c| c.text.as_deref().is_some_and(|t| t.contains("DCA run")))
            .count()
    };
    assert_eq!(runs(&h), 1);
    h.clock.advance_ms(60 * 60_000);
    h.tg.wait_until("the second run", PATIENCE, |c| {
        c.iter().filter(|c| c.text.as_deref().is_some_and(|t| t.contains("DCA run"))).count() >= 2
    })
    .await;
    assert!(stake_on(&h, "//Alice", 1).await > one);

    // The per-day limit (3 τ) bounds it: the fourth run of the day is refused.
    h.clock.advance_ms(60 * 60_000);
    h.tg.wait_until("the third run", PATIENCE, |c| {
        c.iter().filter(|c| c.text.as_deref().is_some_and(|t| t.contains("DCA run"))).count() >= 3
    })
    .await;
    h.clock.advance_ms(60 * 60_000);
    h.wait_text(ALICE, "per-day limit").await;

    // The user removes the proxy on chain: the bot sees it in the finalized block and stops
    // the automation before its next run.
    h.submit(
        "//Alice",
        Call::RemoveProxy { delegate: h.bot_account(), proxy_type: chain::ProxyType::Staking },
    )
    .await
    .0
    .unwrap();
    h.wait_text(ALICE, "Automations stopped").await;
    assert!(h.store.automations(None).await.unwrap().is_empty());
    let before = runs(&h);
    h.clock.advance_ms(24 * 60 * 60_000);
    h.settle().await;
    assert_eq!(runs(&h), before, "no run after the proxy is gone");
    h.shutdown().await;
}
