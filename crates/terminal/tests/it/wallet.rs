//! The browser wallet in headless Chromium on a real localnet: create a key (mnemonic shown
//! once, confirmed), fund it from //Alice, sign a prepared stake on the sign page, see it
//! finalized with the coin sound and a receipt matching the chain's event; then import a
//! coldkey file written by the Python `bittensor-wallet` and trade with it. Every request the
//! server received is recorded: none carries the mnemonic, a password or a secret key.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use chain::{AccountId, BlockId, Call, Chain, Event, TxOptions, TxStatus};
use fantoccini::{Client, Locator};
use futures::StreamExt;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use terminal::router;
use test_support::browser::{Browser, browser, screenshot};
use test_support::genesis::{TAO, id, keys_pair};
use test_support::terminal::trading_net;

use crate::post_json;

const PASSWORD: &str = "browser password 7";
const KEYFILE_PASSWORD: &str = "correct horse battery staple ✓";

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Sends `amount` rao from //Alice to `dest` and waits for finality.
async fn fund(chain: &dyn Chain, dest: AccountId, amount: u64) {
    let alice = keys_pair("//Alice");
    let call = Call::Transfer { dest, amount: chain::Tao::from_rao(amount) };
    let mut statuses =
        chain::sign_and_submit(chain, &alice, call, TxOptions::default()).await.unwrap();
    while let Some(s) = statuses.next().await {
        if let TxStatus::Finalized { .. } = s.unwrap() {
            return;
        }
    }
    panic!("the funding transfer did not finalize");
}

/// Prepares a 10 τ stake on subnet 1 for `signer`; returns the prepared id.
async fn prepare_stake(app: &axum::Router, signer: &str) -> String {
    let call = json!({ "name": "add_stake", "hotkey": id("//Owner1//hot").to_string(),
                       "netuid": 1, "amount_staked": (10 * TAO).to_string() });
    let (s, p) = post_json(
        app,
        "/api/v1/tx/prepare",
        &json!({ "signer": signer, "call": call, "tolerance_bps": 100 }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    p["id"].as_str().unwrap().to_string()
}

/// Signs prepared `tx_id` on its sign page with the stored key's `password`, waits for
/// finality and checks the coin sound and the receipt against the chain's event.
async fn sign_in_page(c: &Client, base: &str, tx_id: &str, chain: &dyn Chain, shot: &str) {
    c.goto(&format!("{base}/sign/{tx_id}")).await.unwrap();
    sign_here(c, chain, shot).await;
}

/// [`sign_in_page`] on the sign page the browser is on.
async fn sign_here(c: &Client, chain: &dyn Chain, shot: &str) {
    c.wait().for_element(Locator::Css("#signcard")).await.unwrap();
    js(c, "window.__coins = 0; document.addEventListener('taoplex:coin', () => window.__coins++); return 0").await;
    c.wait().for_element(Locator::Css("#unlock:not([hidden])")).await.unwrap();
    c.find(Locator::Css("#unlock-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("#unlock button")).await.unwrap().click().await.unwrap();
    await_receipt(c, chain, shot).await;
}

/// Waits on the sign page for finality, then checks the coin sound (counted in
/// `window.__coins`) and the receipt against the chain's event.
async fn await_receipt(c: &Client, chain: &dyn Chain, shot: &str) {
    let done = c
        .wait()
        .at_most(std::time::Duration::from_secs(60))
        .for_element(Locator::Css(
            "#tx-status[data-status='finalized'], #tx-status[data-status='failed']",
        ))
        .await
        .unwrap();
    assert_eq!(done.attr("data-status").await.unwrap().as_deref(), Some("finalized"));
    c.wait().for_element(Locator::Css("#receipt:not([hidden])")).await.unwrap();
    assert_eq!(js(c, "return window.__coins").await, 1, "the coin sound fired once");
    assert_eq!(js(c, "return document.body.dataset.coin").await, "played");
    screenshot(c, shot).await;

    let block: u64 = js(c, "return document.querySelector('dd[data-field=block]').textContent")
        .await
        .as_str()
        .unwrap()
        .trim_start_matches('#')
        .parse()
        .unwrap();
    let links = js(
        c,
        "return ['block', 'extrinsic'].map(f => document.querySelector(`dd[data-field=${f}] a`).getAttribute('href'))",
    )
    .await;
    let index =
        js(c, "return document.querySelector('dd[data-field=extrinsic]').textContent").await;
    assert_eq!(
        links,
        serde_json::json!([
            format!("/blocks/{block}"),
            format!("/extrinsics/{}", index.as_str().unwrap())
        ]),
        "the receipt links the explorer"
    );
    let filled =
        js(c, "return document.querySelector('dd[data-field=filled]')?.textContent ?? null").await;
    if filled.is_null() {
        // A trade of several legs (a swap: a sell, then a buy): each leg's quote and its fill.
        let legs = js(c, "return [...document.querySelectorAll('#receipt-list dd')].map(d => d.textContent).filter(t => t.startsWith('quoted '))").await;
        let legs = legs.as_array().unwrap();
        assert!(!legs.is_empty(), "the receipt shows a fill or the legs' fills");
        for leg in legs {
            assert!(leg.as_str().unwrap().contains(" · filled "), "{leg}");
        }
        return;
    }
    let events = chain.block(BlockId::Number(block)).await.unwrap().events;
    // A buy's receipt leads with the alpha it got, a sell's with the TAO, a move or transfer
    // (the same alpha out of one stake and into another, no fee) with the alpha and where to.
    let stake_events: Vec<&Event> = events
        .iter()
        .map(|r| &r.event)
        .filter(|e| {
            matches!(e, Event::StakeAdded { netuid: 1, .. } | Event::StakeRemoved { netuid: 1, .. })
        })
        .collect();
    let got = match stake_events.as_slice() {
        [
            Event::StakeRemoved { alpha: out, fee: 0, .. },
            Event::StakeAdded { alpha, coldkey, hotkey, fee: 0, .. },
        ] if out == alpha => format!("{alpha} rao α to {coldkey} · {hotkey}"),
        [Event::StakeAdded { alpha, .. }, ..] => format!("{alpha} rao α"),
        [Event::StakeRemoved { tao, .. }, ..] => format!("{tao} rao τ"),
        other => panic!("the block holds no trade on SN1: {other:?}"),
    };
    assert!(filled.as_str().unwrap().starts_with(&got), "receipt {filled} vs chain {got}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wallet_creates_imports_and_trades_in_chromium() {
    let Some(py) = test_support::require(test_support::Tool::Python) else { return };
    let Some(Browser { client: c, driver: _driver, profile: _profile }) = browser(&[]).await else {
        return;
    };
    let net = trading_net();
    let app = router(net.state.clone());

    // Serve the router, recording every request line and body the server receives.
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let recorded = router(net.state.clone()).layer(axum::middleware::from_fn(
        move |req: Request, next: Next| {
            let record = record.clone();
            async move {
                let (parts, body) = req.into_parts();
                let bytes = body.collect().await.unwrap().to_bytes();
                record.lock().unwrap().push(format!(
                    "{} {} {}",
                    parts.method,
                    parts.uri,
                    String::from_utf8_lossy(&bytes)
                ));
                next.run(Request::from_parts(parts, Body::from(bytes))).await
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, recorded.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    let base = format!("http://{addr}");

    // ---- create: the mnemonic is shown once and confirmed by one of its words
    c.goto(&format!("{base}/wallet")).await.unwrap();
    c.find(Locator::Css("#create-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("#create button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#create-phrase:not([hidden])")).await.unwrap();
    let phrase = js(&c, "return document.getElementById('phrase').textContent").await;
    let phrase = phrase.as_str().unwrap().to_string();
    assert_eq!(phrase.split(' ').count(), 12, "{phrase}");
    screenshot(&c, "wallet-mnemonic").await;
    let label = js(&c, "return document.getElementById('confirm-label').textContent").await;
    let n: usize = label.as_str().unwrap().trim_start_matches("Word #").parse().unwrap();
    let word = phrase.split(' ').nth(n - 1).unwrap();
    c.find(Locator::Css("#confirm-word")).await.unwrap().send_keys(word).await.unwrap();
    c.find(Locator::Css("#confirm")).await.unwrap().click().await.unwrap();
    let li = c.wait().for_element(Locator::Css("#accounts li")).await.unwrap();
    let address = li.attr("data-address").await.unwrap().unwrap();
    // The page's key is the mnemonic's key, by the CLI's implementation.
    assert_eq!(address, keys::Keypair::from_phrase(&phrase).unwrap().ss58_address());
    assert_eq!(js(&c, "return document.getElementById('phrase').textContent").await, "");
    screenshot(&c, "wallet-created").await;

    // ---- fund it from //Alice, prepare a stake, sign it in the page
    let account: AccountId = address.parse().unwrap();
    fund(net.chain.as_ref(), account, 100 * TAO).await;
    let tx_id = prepare_stake(&app, &address).await;
    sign_in_page(&c, &base, &tx_id, net.chain.as_ref(), "sign-finalized").await;
    assert!(net.chain.stakes(account).await.unwrap().iter().any(|s| s.netuid == 1));

    // ---- a coldkey file written by bittensor-wallet, opened in the page with its password
    let root = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../keys/tests/py/create_wallet.py");
    let out = Command::new(&py)
        .arg(script)
        .args([root.path().to_str().unwrap(), "pyw", "hk"])
        .env("PY_WALLET_PASSWORD", KEYFILE_PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let made: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    let cold = made["coldkey_ss58"].as_str().unwrap().to_string();
    let keyfile = root.path().join("pyw/coldkey");
    c.goto(&format!("{base}/wallet")).await.unwrap();
    c.find(Locator::Css("#keyfile-file"))
        .await
        .unwrap()
        .send_keys(keyfile.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("#keyfile-password"))
        .await
        .unwrap()
        .send_keys(KEYFILE_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("#keyfile-new-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("#import-keyfile button")).await.unwrap().click().await.unwrap();
    c.wait()
        .at_most(std::time::Duration::from_secs(120))
        .for_element(Locator::Css(&format!("#accounts li[data-address='{cold}']")))
        .await
        .unwrap();
    screenshot(&c, "wallet-keyfile-imported").await;
    fund(net.chain.as_ref(), cold.parse().unwrap(), 100 * TAO).await;
    let tx_id = prepare_stake(&app, &cold).await;
    sign_in_page(&c, &base, &tx_id, net.chain.as_ref(), "sign-keyfile-finalized").await;

    // ---- the trade panel: a live quote as the amount is typed, then the sign page
    c.goto(&format!("{base}/subnets/1")).await.unwrap();
    c.wait()
        .for_element(Locator::Css(&format!("#trade-account option[value='{address}']")))
        .await
        .unwrap();
    js(&c, &format!("document.getElementById('trade-account').value = '{address}'; return 0"))
        .await;
    c.find(Locator::Css("#trade-amount")).await.unwrap().send_keys("2.5").await.unwrap();
    let receive = c
        .wait()
        .for_element(Locator::Css("#trade-quote dd[data-field=you_receive]"))
        .await
        .unwrap();
    let quoted = net.chain.quote(1, chain::Side::Buy, 2_500_000_000).await.unwrap();
    let shown = receive.text().await.unwrap();
    let whole = quoted.amount_out / TAO;
    assert!(shown.starts_with(&format!("{whole}.")), "shown {shown}, chain {}", quoted.amount_out);
    let lesson = c
        .wait()
        .for_element(Locator::Css("#trade-lesson:not([hidden])"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        lesson.starts_with("What this trade teaches the network: SN1's emission share ")
            && lesson.contains(" in a day, ")
            && lesson.contains(" at convergence (+"),
        "{lesson}"
    );
    screenshot(&c, "trade-panel").await;
    c.find(Locator::Css("#trade-submit")).await.unwrap().click().await.unwrap();
    sign_here(&c, net.chain.as_ref(), "trade-panel-finalized").await;

    // ---- a transfer of 1 α of it to //Bob on the subnet: no swap, the same alpha
    let account: AccountId = address.parse().unwrap();
    let held = |stakes: Vec<chain::StakeInfo>| -> u64 {
        stakes.iter().filter(|s| s.netuid == 1).map(|s| s.alpha).sum()
    };
    let bob = id("//Bob");
    let bob_before = held(net.chain.stakes(bob).await.unwrap());
    let open_panel = async |c: &Client| {
        c.goto(&format!("{base}/subnets/1")).await.unwrap();
        c.wait()
            .for_element(Locator::Css(&format!("#trade-account option[value='{address}']")))
            .await
            .unwrap();
        js(c, &format!("const s = document.getElementById('trade-account'); s.value = '{address}'; s.dispatchEvent(new Event('change')); return 0"))
            .await;
    };
    open_panel(&c).await;
    c.find(Locator::Css("#side-transfer")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#trade-dest-coldkey"))
        .await
        .unwrap()
        .send_keys(&bob.to_string())
        .await
        .unwrap();
    c.find(Locator::Css("#trade-amount")).await.unwrap().send_keys("1").await.unwrap();
    let exit = c
        .wait()
        .for_element(Locator::Css("#trade-quote dd[data-field=exit_value]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let worth = net.chain.quote(1, chain::Side::Sell, TAO).await.unwrap().amount_out;
    assert_eq!(exit, format!("{} τ", dtao::units::Tao::from_rao(worth).to_decimal_string()));
    assert_eq!(js(&c, "return document.getElementById('trade-slippage-row').hidden").await, true);
    screenshot(&c, "trade-panel-transfer").await;
    c.find(Locator::Css("#trade-submit")).await.unwrap().click().await.unwrap();
    sign_here(&c, net.chain.as_ref(), "trade-panel-transfer-finalized").await;
    assert_eq!(held(net.chain.stakes(bob).await.unwrap()), bob_before + TAO, "Bob got exactly 1 α");

    // ---- a swap of 0.5 α into SN2: both legs quoted, then the chain's own legs
    open_panel(&c).await;
    c.find(Locator::Css("#side-swap")).await.unwrap().click().await.unwrap();
    assert_eq!(
        js(&c, "return document.getElementById('trade-dest-netuid-row').hidden").await,
        false
    );
    js(&c, "const s = document.getElementById('trade-dest-netuid'); s.value = '2'; s.dispatchEvent(new Event('change')); return 0").await;
    c.find(Locator::Css("#trade-amount")).await.unwrap().send_keys("0.5").await.unwrap();
    let receive = c
        .wait()
        .for_element(Locator::Css("#trade-quote dd[data-field=you_receive]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let sold = net.chain.quote(1, chain::Side::Sell, TAO / 2).await.unwrap();
    let bought = net.chain.quote(2, chain::Side::Buy, sold.amount_out).await.unwrap();
    let symbol2 = js(
        &c,
        "return document.querySelector('#trade-dest-netuid option[value=\"2\"]').dataset.symbol",
    )
    .await;
    assert_eq!(
        receive,
        format!(
            "{} {}",
            dtao::units::Alpha::from_rao(bought.amount_out).to_decimal_string(),
            symbol2.as_str().unwrap()
        ),
        "the panel shows the chain's quote of both legs"
    );
    c.wait().for_element(Locator::Css("#trade-lesson:not([hidden])")).await.unwrap();
    let lesson = js(&c, "return document.getElementById('trade-lesson').textContent").await;
    assert!(
        lesson.as_str().unwrap().contains("SN1's") && lesson.as_str().unwrap().contains("SN2's"),
        "{lesson}"
    );
    screenshot(&c, "trade-panel-swap").await;
    c.find(Locator::Css("#trade-submit")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#signcard")).await.unwrap();
    assert_eq!(
        js(&c, "return document.querySelectorAll('[data-leg]').length").await,
        2,
        "the sign page lists the sell and the buy"
    );
    sign_here(&c, net.chain.as_ref(), "trade-panel-swap-finalized").await;
    let on_sn2: u64 = net
        .chain
        .stakes(account)
        .await
        .unwrap()
        .iter()
        .filter(|s| s.netuid == 2)
        .map(|s| s.alpha)
        .sum();
    assert!(on_sn2 >= bought.amount_out, "{on_sn2} on SN2, quoted at least {}", bought.amount_out);

    // ---- from the overview: a row's "Trade" opens SN1's trade card in a dialog; buy 1 τ there
    c.goto(&format!("{base}/")).await.unwrap();
    c.find(Locator::Css("button.tradebtn[data-netuid='1']")).await.unwrap().click().await.unwrap();
    c.wait()
        .for_element(Locator::Css(&format!(
            "#trade-dialog[open] #trade-account option[value='{address}']"
        )))
        .await
        .unwrap();
    js(&c, &format!("const s = document.getElementById('trade-account'); s.value = '{address}'; s.dispatchEvent(new Event('change')); return 0"))
        .await;
    c.find(Locator::Css("#trade-amount")).await.unwrap().send_keys("1").await.unwrap();
    let receive = c
        .wait()
        .for_element(Locator::Css("#trade-dialog #trade-quote dd[data-field=you_receive]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let quoted = net.chain.quote(1, chain::Side::Buy, TAO).await.unwrap();
    assert_eq!(
        receive,
        format!("{} α", dtao::units::Alpha::from_rao(quoted.amount_out).to_decimal_string()),
        "the dialog quotes as the subnet page does"
    );
    screenshot(&c, "overview-trade-dialog").await;
    c.find(Locator::Css("#trade-submit")).await.unwrap().click().await.unwrap();
    sign_here(&c, net.chain.as_ref(), "overview-trade-finalized").await;

    // ---- what the account holds, "max" and a partial-fill sell of all of it
    let alpha = held(net.chain.stakes(account).await.unwrap());
    assert!(alpha > 0);
    open_panel(&c).await;
    let holding = c
        .wait()
        .for_element(Locator::Css("#trade-holding:not([hidden])"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let alpha_text = dtao::units::Alpha::from_rao(alpha).to_decimal_string();
    assert!(
        holding.starts_with(&format!("You hold {alpha_text} α with this validator, exit value "))
            && holding.contains(&format!("({alpha_text} α on this subnet)")),
        "{holding} vs {alpha_text}"
    );
    c.find(Locator::Css("#side-sell")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#trade-max")).await.unwrap().click().await.unwrap();
    let amount = js(&c, "return document.getElementById('trade-amount').value").await;
    assert_eq!(amount.as_str(), Some(alpha_text.as_str()), "max sells everything held");
    c.wait().for_element(Locator::Css("#trade-quote dd[data-field=you_receive]")).await.unwrap();
    c.find(Locator::Css("#trade-partial")).await.unwrap().click().await.unwrap();
    screenshot(&c, "trade-panel-sell-max").await;
    c.find(Locator::Css("#trade-submit")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#signcard")).await.unwrap();
    let described = js(&c, "return document.getElementById('signcard').textContent").await;
    assert!(described.as_str().unwrap().contains("partial"), "{described}");
    sign_here(&c, net.chain.as_ref(), "trade-panel-sell-finalized").await;
    assert_eq!(held(net.chain.stakes(account).await.unwrap()), 0, "the whole position sold");

    // ---- nothing secret ever reached the server
    let seen = seen.lock().unwrap().clone();
    assert!(seen.iter().any(|r| r.starts_with("POST /api/v1/tx/submit")), "{seen:?}");
    let secrets = [phrase.as_str(), PASSWORD, KEYFILE_PASSWORD];
    let secret_key = hex::encode(*keys::Keypair::from_phrase(&phrase).unwrap().secret_key_bytes());
    for r in &seen {
        for s in secrets.iter().chain(std::iter::once(&secret_key.as_str())) {
            assert!(!r.contains(s), "a request carried a secret: {r}");
        }
        for w in phrase.split(' ').collect::<Vec<_>>().windows(3) {
            assert!(!r.contains(&w.join(" ")), "a request carried mnemonic words: {r}");
        }
    }

    c.close().await.unwrap();
    let _ = stop.send(());
    server.await.unwrap();
    net.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_basket_buy_of_five_legs_lands_as_one_batch_in_chromium() {
    let Some(Browser { client: c, driver: _driver, profile: _profile }) = browser(&[]).await else {
        return;
    };
    let net = test_support::terminal::basket_net();
    let (addr, stop, server) = crate::live::start(net.state.clone()).await;
    let base = format!("http://{addr}");

    // A key made in the page, funded from //Alice.
    c.goto(&format!("{base}/wallet")).await.unwrap();
    c.find(Locator::Css("#create-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("#create button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#create-phrase:not([hidden])")).await.unwrap();
    let phrase = js(&c, "return document.getElementById('phrase').textContent").await;
    let phrase = phrase.as_str().unwrap().to_string();
    let label = js(&c, "return document.getElementById('confirm-label').textContent").await;
    let n: usize = label.as_str().unwrap().trim_start_matches("Word #").parse().unwrap();
    let word = phrase.split(' ').nth(n - 1).unwrap();
    c.find(Locator::Css("#confirm-word")).await.unwrap().send_keys(word).await.unwrap();
    c.find(Locator::Css("#confirm")).await.unwrap().click().await.unwrap();
    let li = c.wait().for_element(Locator::Css("#accounts li")).await.unwrap();
    let address = li.attr("data-address").await.unwrap().unwrap();
    let account: AccountId = address.parse().unwrap();
    fund(net.chain.as_ref(), account, 100 * TAO).await;

    // The overview links to the basket; the basket quotes five legs as the amount is typed.
    c.goto(&format!("{base}/")).await.unwrap();
    c.find(Locator::Css("#basket-link")).await.unwrap().click().await.unwrap();
    c.wait()
        .for_element(Locator::Css(&format!("#basket-account option[value='{address}']")))
        .await
        .unwrap();
    c.find(Locator::Css("#basket-amount")).await.unwrap().send_keys("5").await.unwrap();
    c.wait().for_element(Locator::Css("#basket-legs tr:nth-child(5)")).await.unwrap();
    c.wait().for_element(Locator::Css("#basket-submit:not([disabled])")).await.unwrap();
    let rows = js(&c, "return document.querySelectorAll('#basket-legs tr').length").await;
    assert_eq!(rows, 5);
    let netuids: Vec<u16> = js(
        &c,
        "return [...document.querySelectorAll('#basket-legs tr')].map((r) => Number(r.dataset.netuid))",
    )
    .await
    .as_array()
    .unwrap()
    .iter()
    .map(|v| v.as_u64().unwrap() as u16)
    .collect();
    // Each leg shows the chain's quote for its exact share (5 τ / 5 = 1 τ).
    let shown =
        js(&c, "return document.querySelector('#basket-legs tr td:nth-child(4)').textContent")
            .await;
    let quoted = net.chain.quote(netuids[0], chain::Side::Buy, TAO).await.unwrap();
    let shown = shown.as_str().unwrap();
    assert!(
        shown.starts_with(&format!("{}.", quoted.amount_out / TAO)),
        "shown {shown}, chain {}",
        quoted.amount_out
    );
    screenshot(&c, "basket-quoted").await;

    // Review → the sign page of ONE transaction listing the five legs; sign it there.
    c.find(Locator::Css("#basket-submit")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#signcard")).await.unwrap();
    assert_eq!(js(&c, "return document.querySelectorAll('dd.leg').length").await, 5);
    screenshot(&c, "basket-sign").await;
    c.wait().for_element(Locator::Css("#unlock:not([hidden])")).await.unwrap();
    c.find(Locator::Css("#unlock-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("#unlock button")).await.unwrap().click().await.unwrap();
    let done = c
        .wait()
        .at_most(std::time::Duration::from_secs(60))
        .for_element(Locator::Css(
            "#tx-status[data-status='finalized'], #tx-status[data-status='failed']",
        ))
        .await
        .unwrap();
    assert_eq!(done.attr("data-status").await.unwrap().as_deref(), Some("finalized"));
    c.wait().for_element(Locator::Css("#receipt:not([hidden])")).await.unwrap();
    screenshot(&c, "basket-finalized").await;

    // One extrinsic holds the batch and its five StakeAdded events, one per leg, in order; the
    // receipt shows each leg's fill as the chain reports it.
    let block: u64 = js(&c, "return document.querySelector('dd[data-field=block]').textContent")
        .await
        .as_str()
        .unwrap()
        .trim_start_matches('#')
        .parse()
        .unwrap();
    let block = net.chain.block(BlockId::Number(block)).await.unwrap();
    let ours: Vec<_> = block.extrinsics.iter().filter(|x| x.signer == account).collect();
    assert_eq!(ours.len(), 1, "one transaction");
    assert!(matches!(&ours[0].call, Call::BatchAll { calls } if calls.len() == 5));
    let phase = chain::Phase::ApplyExtrinsic(ours[0].index);
    let added: Vec<(u16, u64)> = block
        .events
        .iter()
        .filter(|r| r.phase == phase)
        .filter_map(|r| match &r.event {
            Event::StakeAdded { coldkey, netuid, alpha, .. } if *coldkey == account => {
                Some((*netuid, *alpha))
            }
            _ => None,
        })
        .collect();
    assert_eq!(added.iter().map(|(n, _)| *n).collect::<Vec<_>>(), netuids);
    let receipt = js(&c, "return document.getElementById('receipt-list').innerText").await;
    let receipt = receipt.as_str().unwrap();
    for (i, (netuid, alpha)) in added.iter().enumerate() {
        let line = format!("Leg {} · SN{netuid}", i + 1);
        assert!(receipt.contains(&line), "{line} missing: {receipt}");
        assert!(receipt.contains(&format!("filled {alpha} rao α")), "{alpha} missing: {receipt}");
    }
    for netuid in &netuids {
        assert!(net.chain.stakes(account).await.unwrap().iter().any(|s| s.netuid == *netuid));
    }

    // Rebalance the five positions onto the top two, 3:1: the page shows the sells and buys,
    // quoted; one batch does them all.
    c.goto(&format!("{base}/basket?rebalance={address}")).await.unwrap();
    c.wait()
        .for_element(Locator::Css(&format!("#basket-account option[value='{address}']")))
        .await
        .unwrap();
    let n = c.find(Locator::Css("#basket-n")).await.unwrap();
    n.clear().await.unwrap();
    n.send_keys("2").await.unwrap();
    c.find(Locator::Css("#split-weights")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#basket-weights")).await.unwrap().send_keys("3,1").await.unwrap();
    c.wait().for_element(Locator::Css("#basket-legs tr:nth-child(5)")).await.unwrap();
    c.wait().for_element(Locator::Css("#basket-submit:not([disabled])")).await.unwrap();
    let labels = js(
        &c,
        "return [...document.querySelectorAll('#basket-legs tr td:first-child')].map((d) => d.textContent.split(' ')[0] + ' ' + d.textContent.split(' ')[1])",
    )
    .await;
    let expected: Vec<String> = netuids[2..]
        .iter()
        .map(|n| format!("Sell SN{n}"))
        .chain(netuids[..2].iter().map(|n| format!("Buy SN{n}")))
        .collect();
    assert_eq!(labels, json!(expected));
    screenshot(&c, "basket-rebalance").await;
    c.find(Locator::Css("#basket-submit")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#unlock:not([hidden])")).await.unwrap();
    assert_eq!(js(&c, "return document.querySelectorAll('dd.leg').length").await, 5);
    c.find(Locator::Css("#unlock-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("#unlock button")).await.unwrap().click().await.unwrap();
    let done = c
        .wait()
        .at_most(std::time::Duration::from_secs(60))
        .for_element(Locator::Css(
            "#tx-status[data-status='finalized'], #tx-status[data-status='failed']",
        ))
        .await
        .unwrap();
    assert_eq!(done.attr("data-status").await.unwrap().as_deref(), Some("finalized"));
    c.wait().for_element(Locator::Css("#receipt:not([hidden])")).await.unwrap();
    screenshot(&c, "basket-rebalance-finalized").await;
    let stakes = net.chain.stakes(account).await.unwrap();
    for netuid in &netuids[2..] {
        assert!(!stakes.iter().any(|s| s.netuid == *netuid && s.alpha > 0), "{stakes:?}");
    }

    c.close().await.unwrap();
    let _ = stop.send(());
    server.await.unwrap();
    net.node.shutdown().await;
}

/// A stand-in for a browser extension, registered as extensions register themselves
/// (`window.injectedWeb3`, the polkadot.js injected API): it offers one sr25519 account and
/// hands each `signPayload` request to the test (`window.__extRequests`), answering with what
/// the test puts through `window.__extAnswer`. The test signs as the polkadot.js extension does
/// (`sign-payload.mjs`: the payload rebuilt from the JSON by polkadot.js's own types).
fn fake_extension(address: &str) -> String {
    format!(
        r#"window.__extRequests = [];
        window.injectedWeb3 = {{ "fake-extension": {{ version: "1.0.0", enable: async (origin) => ({{
          accounts: {{ get: async () => [{{ address: "{address}", name: "In the extension", type: "sr25519" }}],
                      subscribe: (cb) => {{ cb([]); return () => {{}}; }} }},
          signer: {{ signPayload: (payload) => new Promise((resolve, reject) => {{
            window.__extRequests.push({{ origin, payload }});
            window.__extAnswer = (answer) => answer.signature ? resolve(answer) : reject(new Error(answer.error));
          }}) }},
        }}) }} }};
        return 0"#
    )
}

/// Waits for the fake extension's next signing request; returns its origin and payload.
async fn extension_request(c: &Client) -> (String, Value) {
    for _ in 0..600 {
        let r = js(c, "return window.__extRequests.shift() ?? null").await;
        if !r.is_null() {
            return (r["origin"].as_str().unwrap().to_string(), r["payload"].clone());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the page never asked the extension to sign");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_extension_signs_a_trade_in_chromium() {
    let Some(node_js) = test_support::require(test_support::Tool::Node) else { return };
    let Some(Browser { client: c, driver: _driver, profile: _profile }) = browser(&[]).await else {
        return;
    };
    let net = trading_net();
    let (addr, stop, server) = crate::live::start(net.state.clone()).await;
    let base = format!("http://{addr}");
    let uri = "//InTheExtension";
    let account = id(uri);
    let address = account.to_string();
    fund(net.chain.as_ref(), account, 100 * TAO).await;

    // ---- connect: the extension's account joins the wallet's list, with no secret stored
    c.goto(&format!("{base}/wallet")).await.unwrap();
    js(&c, &fake_extension(&address)).await;
    c.find(Locator::Css("#connect-extension")).await.unwrap().click().await.unwrap();
    let li = c
        .wait()
        .for_element(Locator::Css(&format!("#accounts li[data-address='{address}']")))
        .await
        .unwrap();
    assert!(li.text().await.unwrap().contains("in the fake-extension extension"));
    screenshot(&c, "wallet-extension-connected").await;

    // ---- buy 3 τ on SN1 from the trade panel; the extension signs it
    c.goto(&format!("{base}/subnets/1")).await.unwrap();
    c.wait()
        .for_element(Locator::Css(&format!("#trade-account option[value='{address}']")))
        .await
        .unwrap();
    js(&c, &format!("const s = document.getElementById('trade-account'); s.value = '{address}'; s.dispatchEvent(new Event('change')); return 0"))
        .await;
    c.find(Locator::Css("#trade-amount")).await.unwrap().send_keys("3").await.unwrap();
    c.wait().for_element(Locator::Css("#trade-quote dd[data-field=you_receive]")).await.unwrap();
    c.find(Locator::Css("#trade-submit")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#ext-sign:not([hidden])")).await.unwrap();
    assert!(
        c.find(Locator::Css("#unlock")).await.unwrap().attr("hidden").await.unwrap().is_some(),
        "no password is asked: the key is in the extension"
    );
    screenshot(&c, "sign-extension").await;
    js(&c, &fake_extension(&address)).await;
    js(&c, "window.__coins = 0; document.addEventListener('taoplex:coin', () => window.__coins++); return 0").await;
    c.find(Locator::Css("#ext-sign-btn")).await.unwrap().click().await.unwrap();

    let (origin, payload) = extension_request(&c).await;
    assert_eq!(origin, "taoplex", "the site names itself to the extension");
    assert_eq!(payload["address"], address);
    assert_eq!(payload["version"], 4);
    let head = net.chain.header(BlockId::Head).await.unwrap();
    let info = net.chain.info().await.unwrap();
    assert_eq!(payload["genesisHash"], info.signing.genesis_hash.to_hex());
    assert_eq!(payload["specVersion"], format!("0x{:08x}", info.signing.spec_version));
    let birth =
        u64::from_str_radix(payload["blockNumber"].as_str().unwrap().trim_start_matches("0x"), 16)
            .unwrap();
    assert!(
        birth <= head.number,
        "the era starts at a block that exists: {birth} vs head {}",
        head.number
    );
    // The method is Subtensor's own `add_stake_limit` (SubtensorModule 7, call 88): the
    // extension can decode and show it with the chain's metadata.
    assert!(payload["method"].as_str().unwrap().starts_with("0x0758"), "{payload}");
    let signed: Value = serde_json::from_str(&test_support::polkadot_js(
        &node_js,
        "sign-payload.mjs",
        &[&payload.to_string(), uri],
    ))
    .unwrap();
    js(
        &c,
        &format!(
            "window.__extAnswer({{ id: 1, signature: '{}' }}); return 0",
            signed["signature"].as_str().unwrap()
        ),
    )
    .await;
    await_receipt(&c, net.chain.as_ref(), "sign-extension-finalized").await;
    let stakes = net.chain.stakes(account).await.unwrap();
    assert!(stakes.iter().any(|s| s.netuid == 1 && s.alpha > 0), "{stakes:?}");

    // ---- the extension refuses the next one: the page says so, nothing is submitted
    c.goto(&format!("{base}/subnets/1")).await.unwrap();
    c.wait()
        .for_element(Locator::Css(&format!("#trade-account option[value='{address}']")))
        .await
        .unwrap();
    js(&c, &format!("const s = document.getElementById('trade-account'); s.value = '{address}'; s.dispatchEvent(new Event('change')); return 0"))
        .await;
    c.find(Locator::Css("#trade-amount")).await.unwrap().send_keys("1").await.unwrap();
    c.wait().for_element(Locator::Css("#trade-quote dd[data-field=you_receive]")).await.unwrap();
    c.find(Locator::Css("#trade-submit")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#ext-sign:not([hidden])")).await.unwrap();
    js(&c, &fake_extension(&address)).await;
    let nonce = net.chain.account(account).await.unwrap().nonce;
    c.find(Locator::Css("#ext-sign-btn")).await.unwrap().click().await.unwrap();
    extension_request(&c).await;
    js(&c, "window.__extAnswer({ error: 'Cancelled' }); return 0").await;
    let shown = c.wait().for_element(Locator::Css("#wallet-message.bad")).await.unwrap();
    assert_eq!(shown.text().await.unwrap(), "Cancelled");
    assert_eq!(
        js(&c, "return document.getElementById('tx-status').dataset.status ?? 'prepared'").await,
        "prepared"
    );
    assert_eq!(net.chain.account(account).await.unwrap().nonce, nonce, "nothing was submitted");

    stop.send(()).unwrap();
    server.await.unwrap();
    net.node.shutdown().await;
}
