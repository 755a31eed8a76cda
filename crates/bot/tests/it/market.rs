//! Market commands and bad input, through the fake Bot API.

use bot::BotConfig;

use crate::harness::{ALICE, Harness};

#[tokio::test]
async fn market_commands_answer_in_both_languages_and_bad_input_never_crashes() {
    let h = Harness::start(BotConfig::default()).await;

    let start = h.say(ALICE, "/start").await;
    assert!(start.text.unwrap().contains("never holds your coldkey"));

    let price = h.say(ALICE, "/price 1").await.text.unwrap();
    assert!(price.contains("SN1 (Apex)") && price.contains("τ"), "{price}");
    let by_name = h.say(ALICE, "/price beta").await.text.unwrap();
    assert!(by_name.contains("SN2 (Beta)"), "{by_name}");

    let top = h.say(ALICE, "/top").await.text.unwrap();
    let (a, b) = (top.find("SN2").unwrap(), top.find("SN1").unwrap());
    assert!(a < b, "SN2 has the larger market cap: {top}");

    let card = h.say(ALICE, "/subnet 1").await;
    assert_eq!(card.method, "sendphoto");
    assert!(card.photo_bytes > 1_000, "a real PNG was uploaded as multipart");
    let caption = card.text.unwrap();
    assert!(caption.contains("SN1 (Apex)") && caption.contains("Pool"), "{caption}");

    let events = h.say(ALICE, "/events").await.text.unwrap();
    assert!(!events.is_empty());

    // The network view: the summary and the movers, then the chart as a photo.
    let bp = h.say(ALICE, "/backprop").await;
    assert_eq!(bp.method, "sendmessage");
    let bp = bp.text.unwrap();
    assert!(
        bp.contains("/backprop 24h")
            && bp.contains("Gained emission share")
            && bp.contains("Lost emission share"),
        "{bp}"
    );
    let chart = h.wait_text(ALICE, "/backprop 24h · #").await;
    assert_eq!(chart.method, "sendphoto");
    assert!(chart.photo_bytes > 1_000, "a real PNG was uploaded as multipart");
    let bad_window = h.say(ALICE, "/backprop 5y").await.text.unwrap();
    assert!(bad_window.contains("Usage") && bad_window.contains("24h|7d|30d"), "{bad_window}");
    let help = h.say(ALICE, "/help").await.text.unwrap();
    assert!(help.contains("/backprop"), "{help}");

    // Bad input: each gets a clear answer and the bot keeps going.
    let unknown = h.say(ALICE, "/price nosuchsubnet").await.text.unwrap();
    assert!(unknown.contains("No such subnet"), "{unknown}");
    let usage = h.say(ALICE, "/price").await.text.unwrap();
    assert!(usage.contains("Usage"), "{usage}");
    let amount = h.say(ALICE, "/buy 1 12.34.5").await.text.unwrap();
    assert!(amount.contains("does not parse"), "{amount}");
    let huge = h.say(ALICE, &format!("/price {}", "9".repeat(5000))).await.text.unwrap();
    assert!(huge.contains("too long"), "{huge}");
    let html = h.say(ALICE, "/price <b>&").await.text.unwrap();
    assert!(html.contains("No such subnet"), "{html}");
    let nonsense = h.say(ALICE, "/frobnicate").await.text.unwrap();
    assert!(nonsense.contains("Unknown command"), "{nonsense}");
    let group = h.say_in(-500, ALICE, "/buy 1 1").await.text.unwrap();
    assert!(group.contains("private chat"), "trading refused in groups: {group}");

    // Chinese.
    let lang = h.say(ALICE, "/lang zh").await.text.unwrap();
    assert!(lang.contains("中文"));
    let help = h.say(ALICE, "/help").await.text.unwrap();
    assert!(
        help.contains("市场") && help.contains("/alert") && help.contains("/backprop"),
        "{help}"
    );
    let bp = h.say(ALICE, "/backprop 7d").await.text.unwrap();
    assert!(bp.contains("排放占比上升") && bp.contains("7d"), "{bp}");

    h.shutdown().await;
}
