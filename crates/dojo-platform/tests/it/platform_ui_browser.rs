//! The designed worker pages in headless Chromium: a worker completes a task with the keyboard
//! alone (shortcuts, sliders, explanation, review, submit), the feedback page then marks the
//! flawed outputs, axe-core finds no serious or critical violation on the inbox, rating and
//! feedback pages in either theme, and screenshots of each page are saved in both themes and
//! languages (and at phone width) under `target/screenshots/`.

use std::collections::BTreeMap;
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::json;
use test_support::browser::{Browser, browser, glyphs, screenshot};

use crate::platform::{App, HOUR, text_task};
use dojo_core::task::{Flaw, FlawKind, Modality};

/// A small app output with colour, so the screenshots show a real viewer.
const APP: &str = r#"<!doctype html><html><body style="margin:0;font:16px sans-serif;background:#0f172a;color:#e2e8f0;display:grid;place-items:center;height:100vh">
<div><h1 style="color:#38bdf8">Bouncing ball</h1><canvas id="c" width="200" height="120" style="background:#1e293b"></canvas></div>
<script>const c=document.getElementById('c').getContext('2d');let x=20,v=3;setInterval(()=>{c.clearRect(0,0,200,120);c.fillStyle='#f97316';c.beginPath();c.arc(x,60,14,0,7);c.fill();x+=v;if(x>186||x<14)v=-v;},30);</script></body></html>"#;

/// The platform served on a loopback port until [`Loopback::stop`].
pub(crate) struct Loopback {
    pub(crate) base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Loopback {
    pub(crate) async fn start(router: axum::Router) -> Loopback {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        Loopback { base, stop, server }
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        self.server.await.unwrap().unwrap();
    }
}

fn key(k: Key) -> String {
    char::from(k).to_string()
}

/// Sends keys to whatever has the focus, as a keyboard user types.
async fn press(c: &Client, keys: &str) {
    c.active_element().await.unwrap().send_keys(keys).await.unwrap();
}

async fn active_id(c: &Client) -> String {
    c.execute("return document.activeElement.id", vec![]).await.unwrap().as_str().unwrap().into()
}

/// axe-core's serious and critical violations on the current page (output frames excluded:
/// they are the rated content, not the platform).
async fn axe(c: &Client) -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/web/node_modules/axe-core/axe.min.js");
    let src = std::fs::read_to_string(path).expect("axe-core is installed by build.rs (npm ci)");
    c.execute(&src, vec![]).await.unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { iframes: false, runOnly: { type: 'tag',
               values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))),
                 e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// Checks the page in both themes with axe and screenshots it in both, as `name-<theme>`.
async fn check_page(c: &Client, name: &str) {
    for theme in ["dark", "light"] {
        let now = c.execute("return document.documentElement.dataset.theme", vec![]).await.unwrap();
        if now != json!(theme) {
            c.find(Locator::Id("theme")).await.unwrap().click().await.unwrap();
        }
        let v = axe(c).await;
        assert!(v.is_empty(), "{name} ({theme}): axe found {v:#?}");
        screenshot(c, &format!("dojo-{name}-{theme}")).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_rates_with_the_keyboard_alone_and_learns_from_the_feedback() {
    let Some(Browser { client: c, driver, profile: _profile }) = browser(&[]).await else {
        return;
    };
    let app = App::new().await;
    let mut task = text_task("t-keys");
    task.prompt = "Write a friendly greeting for a new team member, in two sentences, and \
                   animate a bouncing ball below it."
        .into();
    task.outputs[0].modality = Modality::Html;
    task.outputs[0].content = APP.into();
    task.outputs[2].flaws = vec![Flaw {
        kind: FlawKind::DropRequirement,
        severity: 1,
        description: "the second sentence is missing".into(),
        interaction: None,
    }];
    task.outputs[3].flaws = vec![Flaw {
        kind: FlawKind::BreakStyle,
        severity: 2,
        description: "shouts in capitals".into(),
        interaction: None,
    }];
    app.add_task(task, 4).await;
    let mut other = text_task("t-other");
    other.prompt = "Summarise the rules of chess for a ten-year-old.".into();
    app.add_task(other, 2).await;

    let served = Loopback::start(app.router.clone()).await;
    let base = served.base.clone();

    // Sign up (the form, typed).
    let invite = app.state.issue_invite(app.miner).await.unwrap();
    c.goto(&format!("{base}/signup?invite={invite}")).await.unwrap();
    c.find(Locator::Id("username")).await.unwrap().send_keys("keyboard-kim").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys("a long password").await.unwrap();
    press(&c, &key(Key::Enter)).await;
    c.wait().for_element(Locator::Id("inbox")).await.unwrap();
    check_page(&c, "inbox-en").await;

    // ---- keyboard only from here: Tab to the task, Enter.
    let target = "/tasks/t-keys";
    let mut found = false;
    for _ in 0..40 {
        press(&c, &key(Key::Tab)).await;
        let href = c.execute("return document.activeElement.getAttribute('href')", vec![]).await;
        if href.unwrap() == json!(target) {
            found = true;
            break;
        }
    }
    assert!(found, "the task link is reachable with Tab");
    press(&c, &key(Key::Enter)).await;
    c.wait().for_element(Locator::Id("prompt")).await.unwrap();

    // Which hidden output each letter is, to check the stored result afterwards.
    let mut letters = BTreeMap::new();
    for l in ["A", "B", "C", "D"] {
        let card = c.find(Locator::Css(&format!("section[data-letter='{l}']"))).await.unwrap();
        letters.insert(l, card.attr("data-output").await.unwrap().unwrap());
    }

    // 1–4 focus a score; Home/End and (Shift+)arrows set it. (A modifier key stays down
    // until the end of the keys sent, or until it is sent again.)
    let shifted = |k: Key, n: usize| format!("{}{}", key(Key::Shift), key(k).repeat(n));
    let plan: [(&str, String, u32); 4] = [
        ("1", format!("{}{}", key(Key::Home), shifted(Key::Right, 9)), 91),
        ("2", format!("{}{}", key(Key::Home), shifted(Key::Right, 3)), 31),
        ("3", format!("{}{}", key(Key::End), shifted(Key::Left, 6)), 40),
        ("4", format!("{}{}", key(Key::Home), key(Key::Right)), 2),
    ];
    for (digit, keys, _) in &plan {
        press(&c, digit).await;
        let l = ["A", "B", "C", "D"][digit.parse::<usize>().unwrap() - 1];
        assert_eq!(active_id(&c).await, format!("r-{l}"), "{digit} focuses output {l}'s slider");
        press(&c, keys).await;
    }
    for (i, (_, _, want)) in plan.iter().enumerate() {
        let l = ["A", "B", "C", "D"][i];
        let n = c.find(Locator::Id(&format!("n-{l}"))).await.unwrap();
        assert_eq!(n.prop("value").await.unwrap().unwrap(), want.to_string(), "score {l}");
    }

    // F opens the focused output full screen, Esc closes it.
    press(&c, "1").await;
    press(&c, "f").await;
    let card_a = c.find(Locator::Css("section[data-letter='A']")).await.unwrap();
    assert!(card_a.attr("class").await.unwrap().unwrap().contains("expanded"));
    screenshot(&c, "dojo-rate-expanded").await;
    press(&c, &key(Key::Escape)).await;
    assert!(!card_a.attr("class").await.unwrap().unwrap().contains("expanded"));
    // P shows the app (the HTML output, wherever the shuffle put it) at phone width.
    let app_letter = c
        .execute(
            "return document.querySelector('.viewer.app').closest('section').dataset.letter",
            vec![],
        )
        .await
        .unwrap();
    let app_letter = app_letter.as_str().unwrap();
    let digit = (app_letter.as_bytes()[0] - b'A' + b'1') as char;
    press(&c, &digit.to_string()).await;
    press(&c, "p").await;
    let phone = c
        .find(Locator::Css(&format!("section[data-letter='{app_letter}'] button.view-phone")))
        .await
        .unwrap();
    assert_eq!(phone.attr("aria-pressed").await.unwrap().as_deref(), Some("true"));

    // E writes the explanation; the counter follows.
    press(&c, "e").await;
    assert_eq!(active_id(&c).await, "explanation");
    let why = "A greets warmly and the ball bounces, D shouts in capitals and misses the tone.";
    press(&c, why).await;
    let count = c.find(Locator::Id("explanation-count")).await.unwrap().text().await.unwrap();
    assert_eq!(count, why.chars().count().to_string());
    check_page(&c, "rate-en").await;

    // Ctrl+Enter opens the review (ranking best first), Ctrl+Enter again submits.
    press(&c, &format!("{}{}", key(Key::Control), key(Key::Enter))).await;
    assert_eq!(active_id(&c).await, "review-title");
    let review = c.find(Locator::Id("review-list")).await.unwrap().text().await.unwrap();
    assert_eq!(review.lines().collect::<Vec<_>>(), ["A — 91", "C — 40", "B — 31", "D — 2"]);
    screenshot(&c, "dojo-rate-review").await;
    press(&c, &format!("{}{}", key(Key::Control), key(Key::Enter))).await;
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("message")).await.unwrap();

    let subs = app.state.store().submissions("t-keys").await.unwrap();
    assert_eq!(subs.len(), 1);
    for (l, (_, _, want)) in ["A", "B", "C", "D"].iter().zip(&plan) {
        assert_eq!(subs[0].scores[&letters[l]], *want, "stored score of {l}");
    }
    assert_eq!(subs[0].explanation, why);

    // ---- after the task closes: feedback marks the flawed outputs.
    app.clock.advance_ns(HOUR);
    c.goto(&format!("{base}/tasks")).await.unwrap();
    c.find(Locator::Css("a[href='/tasks/t-keys/feedback']")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("feedback")).await.unwrap();
    let flawed = c.find_all(Locator::Css("#feedback tr.flawed")).await.unwrap();
    assert_eq!(flawed.len(), 2);
    let text = c.find(Locator::Id("feedback")).await.unwrap().text().await.unwrap();
    assert!(text.contains("the second sentence is missing") && text.contains("shouts in capitals"));
    check_page(&c, "feedback-en").await;

    // ---- the same pages in Chinese, then the rating page at phone width.
    for (path, name) in [
        ("/tasks", "inbox-zh"),
        ("/tasks/t-other", "rate-zh"),
        ("/tasks/t-keys/feedback", "feedback-zh"),
        ("/tasks/t-nope", "error-zh"),
    ] {
        c.goto(&format!("{base}{path}?lang=zh")).await.unwrap();
        c.wait().for_element(Locator::Css("html[lang='zh']")).await.unwrap();
        // Chromium here has no CJK font: the Chinese renders through the served subsets.
        let got = glyphs(&c, "").await;
        assert_eq!(got.missing, "", "{name}: drawn as missing-glyph boxes: {got:?}");
        assert!(got.cjk > 10 && got.faces > 0, "{name}: {got:?}");
        check_page(&c, name).await;
    }
    c.goto(&format!("{base}/me")).await.unwrap();
    check_page(&c, "me-zh").await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{base}/tasks/t-other?lang=en")).await.unwrap();
    check_page(&c, "rate-phone").await;
    c.goto(&format!("{base}/tasks")).await.unwrap();
    check_page(&c, "inbox-phone").await;

    // ---- the organisation's page, as its miner.
    c.set_window_size(1440, 1000).await.unwrap();
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/login?lang=en")).await.unwrap();
    c.find(Locator::Id("username")).await.unwrap().send_keys("acme-miner").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys("miner password 1").await.unwrap();
    press(&c, &key(Key::Enter)).await;
    c.wait().for_element(Locator::Id("workers")).await.unwrap();
    let row = c.find(Locator::Css("tr[data-worker='keyboard-kim']")).await.unwrap();
    assert!(
        row.text().await.unwrap().contains("50.0%"),
        "kim put one flawed output above a viable one in two of four pairs"
    );
    check_page(&c, "team-en").await;

    c.close().await.unwrap();
    drop(driver);
    served.stop().await;
}
