//! Browser tests: the real pages in headless Chromium, driven through chromedriver (WebDriver)
//! with fantoccini. The overview loads and sorts, search and the watchlist filter, a subnet page
//! draws its chart (a canvas with candle-coloured pixels), and a live block arrives without a
//! reload; on a localnet, a block page and the account page its signer links to. Screenshots go
//! to `target/screenshots/`.
//!
//! Reads `TAOPLEX_CHROMIUM` and `TAOPLEX_CHROMEDRIVER` (CI sets both, see `.ci/setup-chromium`);
//! without them the test fails under `CI=true` and elsewhere prints a notice and skips
//! (`test_support::require`).

use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use terminal::{Config, spawn_live};
use test_support::browser::{Browser, browser, glyphs, screenshot};

use crate::fixture::{LAST_BLOCK, fixture_with, header};
use crate::live::start;

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

async fn visible_rows(c: &Client) -> u64 {
    js(c, "return document.querySelectorAll('#markets tbody tr:not([hidden])').length")
        .await
        .as_u64()
        .unwrap()
}

async fn column(c: &Client, key: &str) -> Vec<Value> {
    let script = format!(
        "return Array.from(document.querySelectorAll('#markets tbody tr')).map(tr => tr.querySelector('td[data-k=\"{key}\"]').dataset.v)"
    );
    js(c, &script).await.as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_in_headless_chromium() {
    let Some(Browser { client: c, driver, profile: _profile }) =
        browser(&["--hide-scrollbars"]).await
    else {
        return;
    };
    let f = fixture_with(Config { rate_limit: None, ..Config::default() }, Some(412.35));
    let live = spawn_live(f.state.clone());
    let (addr, stop, server) = start(f.state.clone()).await;
    let base = format!("http://{addr}");

    // ---- overview loads, dark by default
    c.goto(&base).await.unwrap();
    c.wait().for_element(Locator::Css("#markets tbody tr")).await.unwrap();
    assert_eq!(visible_rows(&c).await, 23);
    assert_eq!(js(&c, "return document.documentElement.dataset.theme").await, "dark");
    // Wait until the live stream is connected (the status dot turns green).
    c.wait().for_element(Locator::Css("#status.live")).await.unwrap();
    screenshot(&c, "overview").await;

    // ---- sorts: by name ascending, then by price descending and ascending
    c.find(Locator::Css("button.sort[data-k='name']")).await.unwrap().click().await.unwrap();
    let names: Vec<String> =
        column(&c, "name").await.iter().map(|v| v.as_str().unwrap().to_string()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted by name");
    c.find(Locator::Css("button.sort[data-k='price']")).await.unwrap().click().await.unwrap();
    let prices: Vec<f64> =
        column(&c, "price").await.iter().map(|v| v.as_str().unwrap().parse().unwrap()).collect();
    assert!(prices.windows(2).all(|w| w[0] >= w[1]), "price descending: {prices:?}");
    c.find(Locator::Css("button.sort[data-k='price']")).await.unwrap().click().await.unwrap();
    let prices: Vec<f64> =
        column(&c, "price").await.iter().map(|v| v.as_str().unwrap().parse().unwrap()).collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "price ascending: {prices:?}");
    c.find(Locator::Css("button.sort[data-k='market_cap']")).await.unwrap().click().await.unwrap();

    // ---- search filters
    let q = c.find(Locator::Css("#q")).await.unwrap();
    q.send_keys("templ").await.unwrap();
    assert_eq!(visible_rows(&c).await, 1);
    let name =
        js(&c, "return document.querySelector('#markets tbody tr:not([hidden]) .nm').textContent")
            .await;
    assert_eq!(name, "Templar");
    q.clear().await.unwrap();
    js(&c, "document.querySelector('#q').dispatchEvent(new Event('input')); return null").await;
    assert_eq!(visible_rows(&c).await, 23);
    q.send_keys("sn12").await.unwrap();
    assert_eq!(visible_rows(&c).await, 1);
    q.clear().await.unwrap();
    js(&c, "document.querySelector('#q').dispatchEvent(new Event('input')); return null").await;

    // ---- watchlist (kept in localStorage)
    c.find(Locator::Css("button.watch[data-netuid='3']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("button.watch[data-netuid='5']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#scope-watch")).await.unwrap().click().await.unwrap();
    assert_eq!(visible_rows(&c).await, 2);
    assert_eq!(
        js(&c, "return JSON.parse(localStorage.getItem('taoplex.watch')).sort()").await,
        json!([3, 5])
    );
    c.find(Locator::Css("#scope-all")).await.unwrap().click().await.unwrap();

    // ---- τ/$ toggle
    c.find(Locator::Css("#cur-usd")).await.unwrap().click().await.unwrap();
    let usd = js(&c, "const e = document.querySelector('#markets tr[data-netuid=\"1\"] td[data-k=\"price\"] .v-usd'); return getComputedStyle(e).display + ' ' + e.textContent").await;
    assert!(usd.as_str().unwrap().starts_with("inline $"), "{usd}");
    screenshot(&c, "overview-usd").await;
    c.find(Locator::Css("#cur-tao")).await.unwrap().click().await.unwrap();

    // ---- a live block arrives without a reload
    js(&c, "window.__noReload = 42; return null").await;
    let before = js(&c, "return document.querySelector('#markets tr[data-netuid=\"2\"] td[data-k=\"price\"] .v-tao').textContent").await;
    let o = f.market.next_block(2, 1.5);
    f.chain.heads.send(header(o.as_of_block)).unwrap();
    let want_block = format!("#{}", LAST_BLOCK + 1);
    c.wait()
        .for_element(Locator::XPath(&format!("//b[@id='block' and text()='{want_block}']")))
        .await
        .unwrap();
    let after = js(&c, "return document.querySelector('#markets tr[data-netuid=\"2\"] td[data-k=\"price\"] .v-tao').textContent").await;
    let expected = terminal::fmt::tao_price(o.rows.iter().find(|r| r.netuid == 2).unwrap().price);
    assert_ne!(before, after);
    assert_eq!(after, expected.as_str());
    assert_eq!(js(&c, "return window.__noReload").await, 42, "the page was not reloaded");
    screenshot(&c, "overview-live").await;

    // ---- subnet page: the chart draws candles
    c.goto(&format!("{base}/subnets/1")).await.unwrap();
    c.wait().for_element(Locator::Css("#chart[data-loaded]")).await.unwrap();
    let pixels = || async {
        js(
            &c,
            "let n = 0; for (const cv of document.querySelectorAll('#chart canvas')) { \
               if (!cv.width || !cv.height) continue; \
               const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data; \
               for (let i = 0; i < d.length; i += 4) { \
                 const up = Math.abs(d[i]-22) < 12 && Math.abs(d[i+1]-199) < 12 && Math.abs(d[i+2]-132) < 12; \
                 const dn = Math.abs(d[i]-234) < 12 && Math.abs(d[i+1]-57) < 12 && Math.abs(d[i+2]-67) < 12; \
                 if (up || dn) n++; } } return n;",
        )
        .await
        .as_u64()
        .unwrap()
    };
    // The chart paints on the next animation frame after its data arrives.
    js(&c, "return await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))").await;
    let coloured = pixels().await;
    assert!(coloured > 200, "the chart canvas has {coloured} candle-coloured pixels");
    screenshot(&c, "subnet").await;
    // Another timeframe loads.
    c.find(Locator::Css("#tf button[data-interval='1d']")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#chart[data-interval='1d'][data-loaded]")).await.unwrap();

    // ---- events page
    c.goto(&format!("{base}/events")).await.unwrap();
    c.wait().for_element(Locator::Css("#events li.ev")).await.unwrap();
    c.wait().for_element(Locator::Css("#status.live")).await.unwrap();
    let ev = market::FeedEvent {
        block: LAST_BLOCK + 1,
        seq: 0,
        kind: market::FeedKind::WhaleTrade,
        netuid: Some(2),
        sentence: "Whale buy: 9,000 τ into SN2 (Apex)".into(),
        data: json!({"tao": "9000000000000"}),
        timestamp_ms: 0,
    };
    f.market.feed.send(ev).unwrap();
    c.wait()
        .for_element(Locator::XPath("//li[contains(@class,'new')]//span[contains(text(),'9,000')]"))
        .await
        .unwrap();
    screenshot(&c, "events").await;

    // ---- the backprop network view
    c.goto(&format!("{base}/backprop")).await.unwrap();
    c.wait().for_element(Locator::Css("#backprop-chart rect.gain")).await.unwrap();
    c.wait().for_element(Locator::Css("#backprop-chart rect.loss")).await.unwrap();
    let summary = js(&c, "return document.querySelector('#backprop-summary').textContent").await;
    assert!(summary.as_str().unwrap().starts_with("Over the last 7d traders moved"), "{summary}");
    screenshot(&c, "backprop").await;

    // ---- light theme (remembered), Chinese, phone
    c.goto(&base).await.unwrap();
    c.wait().for_element(Locator::Css("#markets tbody tr")).await.unwrap();
    c.find(Locator::Css("#theme")).await.unwrap().click().await.unwrap();
    assert_eq!(js(&c, "return document.documentElement.dataset.theme").await, "light");
    screenshot(&c, "overview-light").await;
    c.goto(&format!("{base}/subnets/1")).await.unwrap();
    c.wait().for_element(Locator::Css("#chart[data-loaded]")).await.unwrap();
    assert_eq!(js(&c, "return document.documentElement.dataset.theme").await, "light");
    js(&c, "return await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))").await;
    screenshot(&c, "subnet-light").await;
    c.find(Locator::Css("#theme")).await.unwrap().click().await.unwrap();
    c.goto(&format!("{base}/?lang=zh")).await.unwrap();
    c.wait().for_element(Locator::Css("#markets tbody tr")).await.unwrap();
    assert_eq!(js(&c, "return document.querySelector('h1').textContent").await, "子网代币价格");
    screenshot(&c, "overview-zh").await;
    c.goto(&format!("{base}/?lang=en")).await.unwrap();
    c.set_window_size(390, 844).await.unwrap();
    c.wait().for_element(Locator::Css("#markets tbody tr")).await.unwrap();
    let card =
        js(&c, "return getComputedStyle(document.querySelector('#markets tbody tr')).display")
            .await;
    assert_eq!(card, "grid", "rows become cards on a phone");
    screenshot(&c, "overview-phone").await;

    c.close().await.unwrap();
    drop(driver);
    stop.send(()).unwrap();
    server.await.unwrap();
    live.shutdown().await;
}

/// The pages on real data: a localnet with its market simulation, indexed by `market`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_localnet_in_chromium() {
    let Some(Browser { client: c, driver, profile: _profile }) =
        browser(&["--hide-scrollbars"]).await
    else {
        return;
    };
    let r = crate::real::real(150).await;
    let (addr, stop, server) = start(r.state.clone()).await;
    let base = format!("http://{addr}");
    c.goto(&base).await.unwrap();
    c.wait().for_element(Locator::Css("#markets tbody tr")).await.unwrap();
    assert!(visible_rows(&c).await > 0);
    screenshot(&c, "localnet-overview").await;
    let n = js(&c, "return document.querySelector('#markets tbody tr:not([data-netuid=\"0\"])').dataset.netuid").await;
    c.goto(&format!("{base}/subnets/{}", n.as_str().unwrap())).await.unwrap();
    c.wait().for_element(Locator::Css("#chart[data-loaded]")).await.unwrap();
    c.find(Locator::Css("#tf button[data-interval='1m']")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#chart[data-interval='1m'][data-loaded]")).await.unwrap();
    js(&c, "return await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))").await;
    screenshot(&c, "localnet-subnet").await;
    // The network view: its chart is drawn server-side and its summary names the window.
    c.goto(&format!("{base}/backprop?window=24h")).await.unwrap();
    c.wait().for_element(Locator::Css("#backprop-chart rect")).await.unwrap();
    let bars = js(&c, "return document.querySelectorAll('#backprop-chart rect').length").await;
    assert!(bars.as_u64().unwrap() > 0);
    let summary = js(&c, "return document.querySelector('#backprop-summary').textContent").await;
    assert!(summary.as_str().unwrap().starts_with("Over the last 24h traders moved"), "{summary}");
    screenshot(&c, "localnet-backprop").await;
    // The explorer: the latest block with extrinsics, then its first signer's account page.
    let mut n = r.chain.header(chain::BlockId::Head).await.unwrap().number;
    while n > 0 && r.chain.block(chain::BlockId::Number(n)).await.unwrap().extrinsics.is_empty() {
        n -= 1;
    }
    c.goto(&format!("{base}/blocks/{n}")).await.unwrap();
    c.wait().for_element(Locator::Css("#extrinsics tbody tr")).await.unwrap();
    assert_eq!(
        js(&c, "return document.querySelector('h1').textContent").await,
        format!("Block #{n}")
    );
    screenshot(&c, "localnet-block").await;
    c.find(Locator::Css("#extrinsics a[href^='/accounts/']")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#account-info")).await.unwrap();
    let free = js(&c, "return document.querySelector('#free').dataset.rao").await;
    assert!(free.as_str().unwrap().parse::<u64>().is_ok(), "{free}");
    screenshot(&c, "localnet-account").await;
    c.close().await.unwrap();
    drop(driver);
    stop.send(()).unwrap();
    server.await.unwrap();
    r.node.shutdown().await;
}

/// One letter of each script subnet symbols use (mainnet assigns Greek, Hebrew, Arabic, Runic,
/// Cyrillic, Ogham, Georgian, Armenian, Coptic, Brahmi, Glagolitic, Thai, Hangul jamo, Ethiopic,
/// Devanagari and katakana letters; localnet's genesis the first seven of those it has), and
/// a few more of the scripts with joining or stacking rules.
const SYMBOL_SAMPLE: &str = "ταωאתابيᚠᛉЫᚁᚋაჰԱՖⲀⲃ𑀅𑀃ⰀⰞกฮㄱㅣአዎअहकアン";

/// Glyphs and scripts render: on this machine Chromium has DejaVu only, which has no
/// Devanagari, Thai, Ethiopic, Brahmi, CJK…; the terminal serves its own script fonts. Every
/// subnet-symbol script and every CJK character of the Chinese overview is drawn, in the page's
/// font stack, as something other than the missing-glyph box (an unassigned code point's
/// drawing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripts_render_without_missing_glyph_boxes() {
    let Some(Browser { client: c, driver, profile: _profile }) =
        browser(&["--hide-scrollbars"]).await
    else {
        return;
    };
    let f = fixture_with(Config { rate_limit: None, ..Config::default() }, Some(412.35));
    let (addr, stop, server) = start(f.state.clone()).await;
    c.goto(&format!("http://{addr}/?lang=zh")).await.unwrap();
    c.wait().for_element(Locator::Css("#markets tbody tr")).await.unwrap();
    // The sample is drawn large at the top of the page, for the screenshot.
    let probe = "const p = document.createElement('p'); p.id = 'glyph-probe'; \
                 p.style.fontSize = '32px'; p.textContent = [...arguments[0]].join(' '); \
                 document.querySelector('main').prepend(p);";
    c.execute(probe, vec![json!(SYMBOL_SAMPLE)]).await.unwrap();
    let got = glyphs(&c, SYMBOL_SAMPLE).await;
    screenshot(&c, "scripts-zh").await;
    assert_eq!(got.missing, "", "drawn as missing-glyph boxes: {got:?}");
    assert!(got.cjk > 50, "the Chinese overview has Chinese text: {got:?}");
    assert!(got.faces > 10, "the served fonts were used: {got:?}");
    // The fonts are the binary's own, cached for good.
    let font = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            (async () => {
              const css = await (await fetch("/assets/fonts.css")).text();
              const url = new URL(css.match(/url\(([^)]+)\)/)[1], location.origin + "/assets/fonts.css");
              const font = await fetch(url);
              done([font.status, font.headers.get("content-type"), font.headers.get("cache-control")]);
            })();"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(font, json!([200, "font/woff2", "public, max-age=31536000, immutable"]));
    c.close().await.unwrap();
    drop(driver);
    let _ = stop.send(());
    server.await.unwrap();
}
