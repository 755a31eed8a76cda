//! `BotStore` on SQLite and on PostgreSQL (`TAOPLEX_TEST_PG_URL`; under `CI=true` a missing
//! database fails the test): the outbox is exactly-once, cards and exits are claimed once,
//! automations and their stake readings survive a reopen.

use bot::alerts::RuleKind;
use bot::store::{BotStore, Claim, Delivery, ProxyReg, SeenStake, StoredCard};
use chain::AccountId;
use db::DbConfig;

async fn exercise(config: DbConfig) {
    let store = BotStore::open(&config).await.unwrap();
    let chat = 7;

    // Alerts: a (rule, key) is queued once, even when its block is evaluated again.
    let rule =
        store.add_rule(chat, &RuleKind::Price { netuid: 1, above: true, level: 5 }).await.unwrap();
    let d = Delivery {
        rule_id: rule,
        key: "cross:10".into(),
        chat_id: chat,
        text: "hi".into(),
        not_before_ms: 1_000,
        block: 10,
    };
    assert_eq!(store.commit_deliveries(std::slice::from_ref(&d), "cursor", 10).await.unwrap(), 1);
    assert_eq!(store.commit_deliveries(&[d], "cursor", 11).await.unwrap(), 0);
    assert_eq!(store.state("cursor").await.unwrap(), Some(11));
    assert!(store.due_outbox(999, 10).await.unwrap().is_empty(), "quiet until not_before");
    let due = store.due_outbox(1_000, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    store.mark_sent(due[0].id).await.unwrap();
    assert!(store.due_outbox(2_000, 10).await.unwrap().is_empty());

    // Digest and daily portfolio: one per day, whoever asks twice.
    assert!(store.queue_digest(chat, 3, "digest", 0).await.unwrap());
    assert!(!store.queue_digest(chat, 3, "digest", 0).await.unwrap());
    assert!(store.digest_queued(chat, 3).await.unwrap());
    let alice = AccountId([1; 32]);
    store.set_portfolio_daily(chat, &alice, Some(9)).await.unwrap();
    assert!(!store.portfolio_queued(chat, &alice, 3).await.unwrap());
    assert!(store.queue_portfolio(chat, &alice, 3, "p", "{\"s\":1}", 0).await.unwrap());
    assert!(!store.queue_portfolio(chat, &alice, 3, "p", "{\"s\":2}", 0).await.unwrap());
    let daily = store.portfolio_dailies().await.unwrap();
    assert_eq!(daily.len(), 1);
    assert_eq!((daily[0].hour, daily[0].snapshot.as_deref()), (9, Some("{\"s\":1}")));
    assert_eq!(store.due_outbox(0, 10).await.unwrap().len(), 2, "one digest, one summary");
    store.set_portfolio_daily(chat, &alice, None).await.unwrap();
    assert!(store.portfolio_dailies().await.unwrap().is_empty());

    // Cards: one claim wins.
    let card = StoredCard {
        id: "card1".into(),
        user_id: 5,
        chat_id: chat,
        message_id: 3,
        spec: "{}".into(),
        expires_ms: 10_000,
    };
    store.add_card(&card).await.unwrap();
    assert_eq!(store.claim_card("card1", 6, 1, "confirmed").await.unwrap(), Claim::NotYours);
    assert!(matches!(store.claim_card("card1", 5, 1, "confirmed").await.unwrap(), Claim::Won(_)));
    assert_eq!(store.claim_card("card1", 5, 2, "confirmed").await.unwrap(), Claim::Used);

    // Proxy, spend and automations.
    store
        .set_proxy(&ProxyReg {
            user_id: 5,
            chat_id: chat,
            coldkey: alice,
            per_trade: 10,
            per_day: 15,
            proxy: true,
        })
        .await
        .unwrap();
    assert_eq!(store.proxies_of(&alice).await.unwrap(), vec![5]);
    assert!(store.reserve_spend(5, 1, 10, 15).await.unwrap());
    assert!(!store.reserve_spend(5, 1, 10, 15).await.unwrap());
    store.release_spend(5, 1, 10).await.unwrap();
    assert_eq!(store.spent(5, 1).await.unwrap(), 0);
    let a = store.add_automation(5, chat, "{\"kind\":\"exit\"}", 100).await.unwrap();
    let b = store.add_automation(5, chat, "{}", 100).await.unwrap();
    // An exit is claimed by turning it off: the second claim loses.
    assert!(store.stop_automation(5, a).await.unwrap());
    assert!(!store.stop_automation(5, a).await.unwrap());
    store.reactivate(a).await.unwrap();
    store.reschedule(a, 500).await.unwrap();
    let autos = store.automations(Some(5)).await.unwrap();
    assert_eq!(
        autos.iter().map(|x| (x.id, x.next_run_ms)).collect::<Vec<_>>(),
        [(a, 500), (b, 100)]
    );
    let hot = AccountId([2; 32]);
    let seen = |alpha, block| SeenStake { hotkey: hot, netuid: 1, alpha, block };
    store.set_stake_seen(a, &[seen(10, 1)]).await.unwrap();
    store.set_stake_seen(a, &[seen(12, 4)]).await.unwrap();
    assert_eq!(store.stake_seen(a).await.unwrap(), vec![seen(12, 4)]);
    assert!(store.stake_seen(b).await.unwrap().is_empty());
    assert_eq!(store.stop_all_automations(5).await.unwrap(), 2);
    store.close().await;

    // Everything above survives a reopen (and migrations run once).
    let store = BotStore::open(&config).await.unwrap();
    assert!(store.automations(None).await.unwrap().is_empty());
    assert_eq!(store.stake_seen(a).await.unwrap(), vec![seen(12, 4)]);
    assert!(!store.queue_digest(chat, 3, "digest", 0).await.unwrap());
    store.close().await;
}

#[tokio::test]
async fn bot_store_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    exercise(DbConfig::Sqlite(dir.path().join("bot.sqlite"))).await;
}

#[tokio::test]
async fn bot_store_on_postgres() {
    let Some(pg) = test_support::pg::fresh_schema("bot") else { return };
    exercise(DbConfig::Postgres { url: pg.url, schema: Some(pg.schema) }).await;
}
