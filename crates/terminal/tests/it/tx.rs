//! Prepared transactions on a real localnet: prepared by the terminal, signed by an independent
//! implementation (the Python `bittensor-wallet`), submitted, followed over the stream to
//! finality; and every way a submission is refused, with nothing reaching the chain.

use std::path::Path;
use std::process::Command;

use axum::http::StatusCode;
use chain::{AccountId, BlockId, Event};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use terminal::router;
use test_support::genesis::{TAO, id};
use test_support::terminal::{NOW_MS, trading_net};
use tokio_tungstenite::tungstenite::Message;

use crate::live::start;
use crate::{get_json, post_json};

/// Signs `payload` (0x-hex) with `uri`'s key in Python's `bittensor-wallet`.
fn py_sign(python: &str, uri: &str, payload: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/sign.py");
    let out = Command::new(python)
        .arg(script)
        .args([uri, payload])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(out.status.success(), "sign.py failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn stake_call(netuid: u16, tao: u64) -> Value {
    json!({ "name": "add_stake", "hotkey": id(&format!("//Owner{netuid}//hot")).to_string(),
            "netuid": netuid, "amount_staked": (tao * TAO).to_string() })
}

async fn next_tx<S>(ws: &mut S) -> Value
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        if let Message::Text(t) = ws.next().await.expect("stream ended").expect("ws error") {
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["type"] == "tx" {
                return v["tx"].clone();
            }
        }
    }
}

#[tokio::test]
async fn a_payload_signed_by_bittensor_wallet_lands_and_is_followed_to_finality() {
    let Some(py) = test_support::require(test_support::Tool::Python) else { return };
    let net = trading_net();
    let app = router(net.state.clone());
    let (addr, stop, server) = start(net.state.clone()).await;
    let alice = id("//Alice");

    let (s, p) = post_json(
        &app,
        "/api/v1/tx/prepare",
        &json!({ "signer": alice.to_string(), "call": stake_call(1, 10), "tolerance_bps": 100 }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let tx_id = p["id"].as_str().unwrap();
    assert_eq!(tx_id.len(), 32, "128 random bits: {p}");
    assert_eq!(p["sign_url"], format!("/sign/{tx_id}"));
    assert_eq!(p["expires_at_ms"], NOW_MS + terminal::DEFAULT_TX_TTL_MS);
    assert!(p["payload"].as_str().unwrap().starts_with("0x"));
    assert!(p["fee_rao"].as_u64().unwrap() > 0, "{p}");
    // With a tolerance, the market order became a fill-or-kill limit order at the quote's limit.
    let quote = &p["quote"];
    assert_eq!(quote["side"], "buy");
    assert_eq!(quote["amount_in"], (10 * TAO).to_string());
    assert_eq!(quote["tolerance_bps"], 100);
    let description = p["description"].as_str().unwrap();
    assert!(description.contains("10 τ") && description.contains("subnet 1"), "{description}");
    assert!(description.contains("fill or kill"), "{description}");

    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/stream")).await.unwrap();
    ws.send(Message::text(json!({ "watch_tx": tx_id }).to_string())).await.unwrap();
    assert_eq!(next_tx(&mut ws).await["status"], "prepared");

    let signature = py_sign(&py, "//Alice", p["payload"].as_str().unwrap());
    let (s, r) =
        post_json(&app, "/api/v1/tx/submit", &json!({ "id": tx_id, "signature": signature })).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let tx_hash = r["tx_hash"].as_str().unwrap().to_string();

    let mut seen = Vec::new();
    let last = loop {
        let t = next_tx(&mut ws).await;
        seen.push(t["status"].as_str().unwrap().to_string());
        if t["status"] == "finalized" || t["status"] == "failed" {
            break t;
        }
    };
    assert_eq!(last["status"], "finalized", "{last}");
    assert!(seen.contains(&"in_block".to_string()), "{seen:?}");
    assert_eq!(last["tx_hash"], tx_hash);
    // The receipt's numbers are the chain's: the block holds the extrinsic and its event.
    let number = last["block"].as_u64().unwrap();
    let block = net.chain.block(BlockId::Number(number)).await.unwrap();
    assert_eq!(block.header.hash.to_hex(), last["block_hash"].as_str().unwrap());
    let staked = block
        .events
        .iter()
        .find_map(|r| match &r.event {
            Event::StakeAdded { coldkey, alpha, .. } if *coldkey == alice => Some(*alpha),
            _ => None,
        })
        .expect("a StakeAdded event for alice");
    let min: u64 = quote["min_received"].as_str().unwrap().parse().unwrap();
    assert!(staked >= min, "filled {staked} below the quoted minimum {min}");
    let receipt_events = last["events"].as_array().unwrap();
    let staked_json = json!(staked.to_string());
    assert!(
        receipt_events
            .iter()
            .any(|e| e["event"]["event"] == "StakeAdded" && e["event"]["alpha"] == staked_json),
        "{last}"
    );
    let stakes = net.chain.stakes(alice).await.unwrap();
    assert!(stakes.iter().any(|s| s.netuid == 1 && s.alpha == staked), "{stakes:?}");

    // Polling says the same; the id is spent.
    let (s, v) = get_json(&app, &format!("/api/v1/tx/{tx_id}")).await;
    assert_eq!((s, &v["status"]), (StatusCode::OK, &json!("finalized")));
    let (s, v) =
        post_json(&app, "/api/v1/tx/submit", &json!({ "id": tx_id, "signature": signature })).await;
    assert_eq!((s, &v["code"]), (StatusCode::CONFLICT, &json!("already_submitted")), "{v}");

    drop(ws);
    stop.send(()).unwrap();
    server.await.unwrap();
    net.node.shutdown().await;
}

/// The payload an injected browser extension signs: the terminal prepares Subtensor's own v4
/// extrinsic and hands its parts over as polkadot.js's `SignerPayloadJSON`; polkadot.js's own
/// types rebuild the payload from them and sign it, as the polkadot.js extension does
/// (`sign-payload.mjs`); the 65-byte `MultiSignature` it returns is accepted and the
/// transaction lands as the very extrinsic that was signed.
#[tokio::test]
async fn an_extension_signs_the_v4_payload_rebuilt_from_its_parts() {
    let Some(node_js) = test_support::require(test_support::Tool::Node) else { return };
    let net = trading_net();
    let app = router(net.state.clone());
    let (addr, stop, server) = start(net.state.clone()).await;
    let alice = id("//Alice");
    let prepare = |format: &'static str| {
        json!({ "signer": alice.to_string(), "call": stake_call(1, 10), "tolerance_bps": 100,
                "format": format })
    };

    // The native format carries no SignerPayloadJSON: an extension could not rebuild it.
    let (s, p) = post_json(&app, "/api/v1/tx/prepare", &prepare("native")).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert!(p.get("signer_payload").is_none(), "{p}");

    let (s, p) = post_json(&app, "/api/v1/tx/prepare", &prepare("substrate")).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let tx_id = p["id"].as_str().unwrap();
    let sp = &p["signer_payload"];
    assert_eq!(sp["address"], alice.to_string());
    assert_eq!((&sp["version"], &sp["mode"]), (&json!(4), &json!(0)));
    let extensions: Vec<&str> =
        sp["signedExtensions"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert_eq!(extensions.first(), Some(&"CheckNonZeroSender"), "{extensions:?}");
    assert_eq!(extensions.last(), Some(&"CheckMetadataHash"), "{extensions:?}");
    assert!(extensions.contains(&"ChargeTransactionPayment"), "{extensions:?}");
    // SubtensorModule (7) add_stake_limit (88): the fill-or-kill form of the quoted buy.
    assert!(sp["method"].as_str().unwrap().starts_with("0x0758"), "{sp}");

    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/stream")).await.unwrap();
    ws.send(Message::text(json!({ "watch_tx": tx_id }).to_string())).await.unwrap();
    assert_eq!(next_tx(&mut ws).await["status"], "prepared");

    let signed: Value = serde_json::from_str(&test_support::polkadot_js(
        &node_js,
        "sign-payload.mjs",
        &[&sp.to_string(), "//Alice"],
    ))
    .unwrap();
    let signature = signed["signature"].as_str().unwrap();
    assert!(signature.starts_with("0x01") && signature.len() == 2 + 130, "{signature}");
    // The same bytes tagged as an ed25519 signature are refused before anything is submitted.
    let ed25519 = format!("0x00{}", &signature[4..]);
    let (s, v) =
        post_json(&app, "/api/v1/tx/submit", &json!({ "id": tx_id, "signature": ed25519 })).await;
    assert_eq!((s, &v["code"]), (StatusCode::BAD_REQUEST, &json!("bad_param")), "{v}");
    let (s, r) =
        post_json(&app, "/api/v1/tx/submit", &json!({ "id": tx_id, "signature": signature })).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let last = loop {
        let t = next_tx(&mut ws).await;
        if t["status"] == "finalized" || t["status"] == "failed" {
            break t;
        }
    };
    assert_eq!(last["status"], "finalized", "{last}");
    let block = net.chain.block(BlockId::Number(last["block"].as_u64().unwrap())).await.unwrap();
    let staked = block.events.iter().any(
        |r| matches!(&r.event, Event::StakeAdded { coldkey, netuid: 1, .. } if *coldkey == alice),
    );
    assert!(staked, "{:?}", block.events);

    drop(ws);
    stop.send(()).unwrap();
    server.await.unwrap();
    net.node.shutdown().await;
}

#[tokio::test]
async fn refused_submissions_reach_nothing_on_chain() {
    let Some(py) = test_support::require(test_support::Tool::Python) else { return };
    let net = trading_net();
    let app = router(net.state.clone());
    let alice = id("//Alice");
    let bob: AccountId = id("//Bob");
    let head = net.chain.header(BlockId::Head).await.unwrap().number;

    let prepare = |call: Value| {
        let app = app.clone();
        async move {
            let (s, p) = post_json(
                &app,
                "/api/v1/tx/prepare",
                &json!({ "signer": alice.to_string(), "call": call }),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{p}");
            p
        }
    };
    let transfer =
        json!({ "name": "transfer", "dest": bob.to_string(), "amount": TAO.to_string() });
    let p = prepare(transfer.clone()).await;
    let other = prepare(stake_call(2, 1)).await;
    let tx_id = p["id"].as_str().unwrap();
    let payload = p["payload"].as_str().unwrap();
    assert_eq!(p["quote"], Value::Null, "a transfer has no quote");

    let submit = |id: String, signature: String| {
        let app = app.clone();
        async move {
            post_json(&app, "/api/v1/tx/submit", &json!({ "id": id, "signature": signature })).await
        }
    };
    // Signed by another account's key (Bob signing Alice's payload).
    let (s, v) = submit(tx_id.into(), py_sign(&py, "//Bob", payload)).await;
    assert_eq!((s, &v["code"]), (StatusCode::BAD_REQUEST, &json!("bad_signature")), "{v}");
    assert!(v["error"].as_str().unwrap().contains(&alice.to_string()), "{v}");
    // The right key over another payload.
    let (s, v) =
        submit(tx_id.into(), py_sign(&py, "//Alice", other["payload"].as_str().unwrap())).await;
    assert_eq!((s, &v["code"]), (StatusCode::BAD_REQUEST, &json!("bad_signature")), "{v}");
    // Not a signature at all.
    let (s, v) = submit(tx_id.into(), "0x1234".into()).await;
    assert_eq!((s, &v["parameter"]), (StatusCode::BAD_REQUEST, &json!("signature")), "{v}");
    // An id nobody prepared.
    let (s, v) = submit("feedface".into(), py_sign(&py, "//Alice", payload)).await;
    assert_eq!((s, &v["code"]), (StatusCode::NOT_FOUND, &json!("unknown_tx")), "{v}");
    // Refusals did not spend the id; expiry does.
    let (_, v) = get_json(&app, &format!("/api/v1/tx/{tx_id}")).await;
    assert_eq!(v["status"], "prepared");
    net.clock.advance_ms(terminal::DEFAULT_TX_TTL_MS + 1);
    let (s, v) = submit(tx_id.into(), py_sign(&py, "//Alice", payload)).await;
    assert_eq!((s, &v["code"]), (StatusCode::GONE, &json!("expired")), "{v}");
    let (_, v) = get_json(&app, &format!("/api/v1/tx/{tx_id}")).await;
    assert_eq!(v["status"], "expired");

    // Nothing reached the chain: no block was made (blocks come with transactions), and
    // Alice's nonce and balance are untouched.
    assert_eq!(net.chain.header(BlockId::Head).await.unwrap().number, head);
    let account = net.chain.account(alice).await.unwrap();
    assert_eq!((account.nonce, account.free), (0, 1_000 * TAO));
    net.node.shutdown().await;
}

/// The quote's lesson starts from the chain's own share and a buy raises it, the more the
/// longer the moving price has to follow.
async fn quote_teaches_what_the_chain_projects(
    net: &test_support::terminal::TradingNet,
    app: &axum::Router,
) {
    // Genesis has no block that computed shares yet: one block gives the chain's own share.
    net.node.handle().produce_block().await.unwrap();
    let (s, q) = get_json(app, "/api/v1/quote/lesson?netuid=1&side=buy&amount=10000000000").await;
    assert_eq!(s, StatusCode::OK, "{q}");
    let sn = &q["lesson"]["subnets"][0];
    assert_eq!(sn["netuid"], 1, "{q}");
    let info = net.chain.subnets().await.unwrap().into_iter().find(|s| s.netuid == 1).unwrap();
    let now = sn["now"]["share_ppb"].as_u64().unwrap();
    // The view floors moving prices to whole rao, so the projection's start is off by a few
    // ppb; within 1,000 ppb it is the same to the 4 decimal places of a percent the panel shows.
    assert!(
        now.abs_diff(info.emission_share_ppb) <= 1_000,
        "now {now} vs chain {}: {q}",
        info.emission_share_ppb
    );
    let ppb = |h: usize, world: &str| sn["horizons"][h][world]["share_ppb"].as_u64().unwrap();
    let labels: Vec<&str> =
        (0..3).map(|h| sn["horizons"][h]["horizon"].as_str().unwrap()).collect();
    assert_eq!(labels, ["1d", "7d", "convergence"]);
    assert!(ppb(0, "with_trade") <= ppb(1, "with_trade"), "{q}");
    assert!(ppb(1, "with_trade") <= ppb(2, "with_trade"), "{q}");
    assert!(ppb(2, "with_trade") > ppb(2, "without_trade"), "a buy raises the share: {q}");
    assert!(q["lesson"]["rule"].as_str().is_some_and(|r| !r.is_empty()), "{q}");
}

#[tokio::test]
async fn prepare_and_quote_validate_their_input() {
    let net = trading_net();
    let app = router(net.state.clone());
    let alice = id("//Alice").to_string();
    for (body, status, code) in [
        (
            json!({ "signer": "nope", "call": stake_call(1, 1) }),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            json!({ "signer": alice, "call": { "name": "mint" } }),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            json!({ "signer": alice, "call": stake_call(1, 1), "extra": 1 }),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            json!({ "signer": alice, "call": stake_call(1, 1), "tolerance_bps": 20_000 }),
            StatusCode::BAD_REQUEST,
            "bad_param",
        ),
        (
            json!({ "signer": alice, "call": stake_call(9, 1) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "quote_failed",
        ),
        (
            json!({ "signer": alice, "call": stake_call(1, 1), "allow_partial": true }),
            StatusCode::BAD_REQUEST,
            "bad_param",
        ),
    ] {
        let (s, v) = post_json(&app, "/api/v1/tx/prepare", &body).await;
        assert_eq!((s, v["code"].as_str().unwrap()), (status, code), "{body}: {v}");
    }

    let (s, q) = get_json(&app, "/api/v1/quote?netuid=1&side=buy&amount=1000000000").await;
    assert_eq!(s, StatusCode::OK, "{q}");
    let out: u64 = q["amount_out"].as_str().unwrap().parse().unwrap();
    let exact = net.chain.quote(1, chain::Side::Buy, TAO).await.unwrap();
    assert_eq!(out, exact.amount_out);
    assert_eq!(q["tolerance_bps"], terminal::DEFAULT_TOLERANCE_BPS);
    let min: u64 = q["min_received"].as_str().unwrap().parse().unwrap();
    assert_eq!(min, exact.minimum_received(terminal::DEFAULT_TOLERANCE_BPS));
    quote_teaches_what_the_chain_projects(&net, &app).await;
    for (uri, parameter) in [
        ("/api/v1/quote?side=buy&amount=1", "netuid"),
        ("/api/v1/quote?netuid=1&side=up&amount=1", "side"),
        ("/api/v1/quote?netuid=1&side=sell&amount=0", "amount"),
        ("/api/v1/quote?netuid=1&side=sell&amount=1&tolerance_bps=10001", "tolerance_bps"),
        ("/api/v1/quote/lesson?netuid=1&side=buy", "amount"),
        ("/api/v1/quote/lesson?netuid=1&side=buy&amount=1&tolerance_bps=1", "tolerance_bps"),
        ("/api/v1/accounts/nope", "address"),
        ("/api/v1/accounts/{alice}?netuid=x", "netuid"),
        ("/api/v1/accounts/{alice}?limit=1", "limit"),
    ] {
        let uri = uri.replace("{alice}", &alice);
        let (s, v) = get_json(&app, &uri).await;
        assert_eq!((s, &v["parameter"]), (StatusCode::BAD_REQUEST, &json!(parameter)), "{uri}");
    }
    // The account as the panel reads it: the head's balance, the stake fee, and each stake
    // with what selling it returns.
    alice_stakes(net.chain.as_ref(), 1, 10).await;
    let (s, a) = get_json(&app, &format!("/api/v1/accounts/{alice}?netuid=1")).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let info = net.chain.account(id("//Alice")).await.unwrap();
    assert_eq!(a["free"], json!(info.free.to_string()));
    let fee = net
        .chain
        .estimate_fee(
            id("//Alice"),
            chain::Call::AddStake {
                hotkey: id("//Alice"),
                netuid: 1,
                amount_staked: chain::Tao::from_rao(1),
            },
        )
        .await
        .unwrap();
    assert_eq!(a["stake_fee"], json!(fee.to_string()));
    let stakes = net.chain.stakes(id("//Alice")).await.unwrap();
    let held = a["stakes"].as_array().unwrap();
    assert_eq!(held.len(), stakes.iter().filter(|st| st.netuid == 1).count());
    assert!(!held.is_empty());
    for h in held {
        let alpha: u64 = h["alpha"].as_str().unwrap().parse().unwrap();
        let exit = net.chain.quote(1, chain::Side::Sell, alpha).await.unwrap().amount_out;
        assert_eq!(h["exit_value"], json!(exit.to_string()), "{h}");
    }
    net.node.shutdown().await;
}

/// Signs the prepared transaction `p` with //Alice's key in the test (the terminal never sees
/// it), submits it, and follows it on the stream to its end: the last status message.
async fn alice_signs_and_follows(
    app: &axum::Router,
    addr: std::net::SocketAddr,
    p: &Value,
) -> Value {
    let tx_id = p["id"].as_str().unwrap();
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/stream")).await.unwrap();
    ws.send(Message::text(json!({ "watch_tx": tx_id }).to_string())).await.unwrap();
    assert_eq!(next_tx(&mut ws).await["status"], "prepared");
    let payload = hex::decode(p["payload"].as_str().unwrap().trim_start_matches("0x")).unwrap();
    let signature = keys::Keypair::from_uri("//Alice").unwrap().sign(&payload);
    let signature = format!("0x{}", hex::encode(signature.0));
    let (s, r) =
        post_json(app, "/api/v1/tx/submit", &json!({ "id": tx_id, "signature": signature })).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    loop {
        let t = next_tx(&mut ws).await;
        if t["status"] == "finalized" || t["status"] == "failed" {
            return t;
        }
    }
}

#[tokio::test]
async fn a_basket_of_five_legs_is_planned_quoted_and_lands_as_one_batch() {
    let net = test_support::terminal::basket_net();
    let app = router(net.state.clone());
    let (addr, stop, server) = start(net.state.clone()).await;
    let alice = id("//Alice");

    // The plan: the top five of six subnets by market cap, 10 τ split 3:1:1:1:1 to the rao.
    let (s, plan) =
        get_json(&app, "/api/v1/basket?amount=10000000000&n=5&weights=3,1,1,1,1&tolerance_bps=100")
            .await;
    assert_eq!(s, StatusCode::OK, "{plan}");
    let legs = plan["legs"].as_array().unwrap();
    assert_eq!(legs.len(), 5, "{plan}");
    let amounts: Vec<u64> =
        legs.iter().map(|l| l["amount"].as_str().unwrap().parse().unwrap()).collect();
    assert_eq!(
        amounts,
        vec![30 * TAO / 7 + 1, 10 * TAO / 7 + 1, 10 * TAO / 7 + 1, 10 * TAO / 7, 10 * TAO / 7]
    );
    assert_eq!(amounts.iter().sum::<u64>(), 10 * TAO);
    let caps: Vec<u64> =
        legs.iter().map(|l| l["market_cap"].as_str().unwrap().parse().unwrap()).collect();
    assert!(caps.windows(2).all(|w| w[0] >= w[1]), "largest market cap first: {caps:?}");
    for leg in legs {
        let netuid = leg["netuid"].as_u64().unwrap();
        assert_ne!(netuid, 0, "root is never in a basket");
        assert_eq!(leg["hotkey"], id(&format!("//Owner{netuid}//hot")).to_string(), "{leg}");
        let exact = net
            .chain
            .quote(
                netuid as u16,
                chain::Side::Buy,
                leg["amount"].as_str().unwrap().parse().unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(leg["quote"]["amount_out"], exact.amount_out.to_string(), "{leg}");
    }

    // One batch of the five legs, prepared with a tolerance: each leg quoted and made a
    // fill-or-kill limit order.
    let calls: Vec<Value> = legs
        .iter()
        .map(|l| {
            json!({ "name": "add_stake", "hotkey": l["hotkey"], "netuid": l["netuid"],
                    "amount_staked": l["amount"] })
        })
        .collect();
    let (s, p) = post_json(
        &app,
        "/api/v1/tx/prepare",
        &json!({ "signer": alice.to_string(), "call": { "name": "batch_all", "calls": calls },
                 "tolerance_bps": 100 }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let description = p["description"].as_str().unwrap();
    assert!(description.starts_with("all or nothing, 5 calls: (1) stake"), "{description}");
    assert_eq!(description.matches("fill or kill").count(), 5, "{description}");
    let prepared_legs = p["legs"].as_array().unwrap();
    assert_eq!(prepared_legs.len(), 5, "{p}");
    for (leg, planned) in prepared_legs.iter().zip(legs) {
        assert_eq!(leg["quote"]["amount_out"], planned["quote"]["amount_out"], "{leg}");
    }
    let tx_id = p["id"].as_str().unwrap().to_string();
    let (s, _, page) = crate::get(&app, &format!("/sign/{tx_id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page.matches("data-leg=").count(), 5, "the sign page lists every leg");
    // In Chinese, what is signed is said in Chinese, leg by leg, with the same figures.
    let (s, _, zh) = crate::get(&app, &format!("/sign/{tx_id}?lang=zh")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(zh.contains("全部成功或全部不执行，共 5 笔"), "{zh}");
    assert_eq!(zh.matches("全部成交否则取消").count(), 10, "the call and its five legs: {zh}");

    let last = alice_signs_and_follows(&app, addr, &p).await;
    assert_eq!(last["status"], "finalized", "{last}");

    // One extrinsic, five StakeAdded events, each at least its leg's quoted minimum.
    let block = net.chain.block(BlockId::Number(last["block"].as_u64().unwrap())).await.unwrap();
    let index = last["index"].as_u64().unwrap() as u32;
    assert!(
        matches!(block.extrinsics[index as usize].call, chain::Call::BatchAll { ref calls } if calls.len() == 5)
    );
    let added: Vec<(u16, u64)> = block
        .events
        .iter()
        .filter(|r| r.phase == chain::Phase::ApplyExtrinsic(index))
        .filter_map(|r| match &r.event {
            Event::StakeAdded { coldkey, netuid, alpha, .. } if *coldkey == alice => {
                Some((*netuid, *alpha))
            }
            _ => None,
        })
        .collect();
    assert_eq!(added.len(), 5, "{:?}", block.events);
    for ((netuid, alpha), planned) in added.iter().zip(legs) {
        assert_eq!(u64::from(*netuid), planned["netuid"].as_u64().unwrap());
        let min: u64 = planned["quote"]["min_received"].as_str().unwrap().parse().unwrap();
        assert!(*alpha >= min, "leg on {netuid} filled {alpha} below its minimum {min}");
    }
    assert_eq!(last["legs"].as_array().unwrap().len(), 5, "the receipt keeps each leg's quote");

    stop.send(()).unwrap();
    server.await.unwrap();
    net.node.shutdown().await;
}

#[tokio::test]
async fn basket_input_is_validated_at_the_boundary() {
    let net = test_support::terminal::basket_net();
    let app = router(net.state.clone());
    for (uri, parameter) in [
        ("/api/v1/basket?n=5", "amount"),
        ("/api/v1/basket?amount=0", "amount"),
        ("/api/v1/basket?amount=1.5", "amount"),
        ("/api/v1/basket?amount=1000000000&n=1", "n"),
        ("/api/v1/basket?amount=1000000000&n=21", "n"),
        ("/api/v1/basket?amount=1000000000&n=3&weights=1,1", "weights"),
        ("/api/v1/basket?amount=1000000000&n=3&weights=1,0,1", "weights"),
        ("/api/v1/basket?amount=1000000000&n=3&weights=1,x,1", "weights"),
        ("/api/v1/basket?amount=1000000000&tolerance_bps=10001", "tolerance_bps"),
        ("/api/v1/basket?amount=2&n=5", "amount"),
        ("/api/v1/basket?amount=1000000000&n=7", "n"),
        ("/api/v1/basket?amount=1&side=sell", "side"),
    ] {
        let (s, v) = get_json(&app, uri).await;
        assert_eq!(
            (s, &v["parameter"]),
            (StatusCode::BAD_REQUEST, &json!(parameter)),
            "{uri}: {v}"
        );
    }
    let alice = id("//Alice").to_string();
    let leg = stake_call(1, 1);
    for call in [
        json!({ "name": "batch_all", "calls": [] }),
        json!({ "name": "batch_all", "calls": [leg, { "name": "batch_all", "calls": [leg] }] }),
    ] {
        let (s, v) =
            post_json(&app, "/api/v1/tx/prepare", &json!({ "signer": alice, "call": call })).await;
        assert_eq!((s, &v["parameter"]), (StatusCode::BAD_REQUEST, &json!("call")), "{call}: {v}");
    }
    // The page: a basket, a rebalance of a valid address, a clear 400 for anything else.
    let (s, _, page) = crate::get(&app, "/basket").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Buy a basket") && !page.contains("data-rebalance"), "{page}");
    let (s, _, page) = crate::get(&app, &format!("/basket?rebalance={alice}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&format!("data-rebalance=\"{alice}\"")), "{page}");
    for uri in ["/basket?rebalance=nope", "/basket?amount=1"] {
        let (s, _, _) = crate::get(&app, uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}");
    }
    net.node.shutdown().await;
}

/// Stakes `tao` τ of //Alice's on `netuid` to its owner's hotkey, to finality.
async fn alice_stakes(chain: &dyn chain::Chain, netuid: u16, tao: u64) {
    let call = chain::Call::AddStake {
        hotkey: id(&format!("//Owner{netuid}//hot")),
        netuid,
        amount_staked: chain::Tao::from_rao(tao * TAO),
    };
    let alice = test_support::genesis::keys_pair("//Alice");
    let mut statuses =
        chain::sign_and_submit(chain, &alice, call, chain::TxOptions::default()).await.unwrap();
    while let Some(s) = statuses.next().await {
        if let chain::TxStatus::Finalized { .. } = s.unwrap() {
            return;
        }
    }
    panic!("the stake did not finalize");
}

#[tokio::test]
async fn a_rebalance_sells_what_is_off_target_and_buys_the_rest_in_one_batch() {
    let net = test_support::terminal::basket_net();
    let app = router(net.state.clone());
    let alice = id("//Alice");
    alice_stakes(net.chain.as_ref(), 1, 10).await;
    alice_stakes(net.chain.as_ref(), 6, 20).await;

    // Target: the top two subnets (1 and 2), equally. Subnet 6 is sold whole; its TAO buys
    // subnet 1 up to half and subnet 2 from nothing.
    let (s, plan) =
        get_json(&app, &format!("/api/v1/basket/rebalance?coldkey={alice}&n=2&tolerance_bps=100"))
            .await;
    assert_eq!(s, StatusCode::OK, "{plan}");
    let sells = plan["sells"].as_array().unwrap();
    let buys = plan["buys"].as_array().unwrap();
    assert_eq!(sells.len(), 1, "{plan}");
    assert_eq!((sells[0]["netuid"].as_u64(), &sells[0]["alpha"]), (Some(6), &sells[0]["held"]));
    assert_eq!(buys.iter().map(|b| b["netuid"].as_u64().unwrap()).collect::<Vec<_>>(), vec![1, 2]);
    let rao = |v: &Value| -> u64 { v.as_str().unwrap().parse().unwrap() };
    let proceeds = rao(&sells[0]["quote"]["amount_out"]);
    assert_eq!(
        buys.iter().map(|b| rao(&b["amount"])).sum::<u64>(),
        proceeds,
        "the sells pay the buys"
    );

    let calls: Vec<Value> = sells
        .iter()
        .map(|l| json!({ "name": "remove_stake", "hotkey": l["hotkey"], "netuid": l["netuid"], "amount_unstaked": l["alpha"] }))
        .chain(buys.iter().map(|l| json!({ "name": "add_stake", "hotkey": l["hotkey"], "netuid": l["netuid"], "amount_staked": l["amount"] })))
        .collect();
    let (s, p) = post_json(
        &app,
        "/api/v1/tx/prepare",
        &json!({ "signer": alice.to_string(), "call": { "name": "batch_all", "calls": calls }, "tolerance_bps": 100 }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let payload = hex::decode(p["payload"].as_str().unwrap().trim_start_matches("0x")).unwrap();
    let signature = keys::Keypair::from_uri("//Alice").unwrap().sign(&payload);
    let tx_id = p["id"].as_str().unwrap();
    let (s, r) = post_json(
        &app,
        "/api/v1/tx/submit",
        &json!({ "id": tx_id, "signature": format!("0x{}", hex::encode(signature.0)) }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let status = loop {
        let (_, v) = get_json(&app, &format!("/api/v1/tx/{tx_id}")).await;
        if v["status"] == "finalized" || v["status"] == "failed" {
            break v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(status["status"], "finalized", "{status}");

    // Nothing left on 6; subnets 1 and 2 now worth the same within the legs' slippage.
    let stakes = net.chain.stakes(alice).await.unwrap();
    let held =
        |netuid: u16| stakes.iter().filter(|s| s.netuid == netuid).map(|s| s.alpha).sum::<u64>();
    assert_eq!(held(6), 0, "{stakes:?}");
    let one = net.chain.quote(1, chain::Side::Sell, held(1)).await.unwrap().amount_out;
    let two = net.chain.quote(2, chain::Side::Sell, held(2)).await.unwrap().amount_out;
    let gap = one.abs_diff(two) as f64 / one.max(two) as f64;
    assert!(gap < 0.02, "subnet 1 worth {one}, subnet 2 worth {two}");

    // Already on target: nothing left to trade.
    let (s, again) = get_json(&app, &format!("/api/v1/basket/rebalance?coldkey={alice}&n=2")).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(
        again["sells"].as_array().unwrap().len() + again["buys"].as_array().unwrap().len(),
        0,
        "{again}"
    );
    for (uri, parameter) in [
        ("/api/v1/basket/rebalance?n=2", "coldkey"),
        ("/api/v1/basket/rebalance?coldkey=nope", "coldkey"),
        (&format!("/api/v1/basket/rebalance?coldkey={}", id("//Bob")), "coldkey"),
    ] {
        let (s, v) = get_json(&app, uri).await;
        assert_eq!(
            (s, &v["parameter"]),
            (StatusCode::BAD_REQUEST, &json!(parameter)),
            "{uri}: {v}"
        );
    }
    net.node.shutdown().await;
}

/// A swap of stake from SN1 into SN2: the API quotes both legs as the chain does, prepare turns
/// `swap_stake` into `swap_stake_limit` at the quoted ratio less the tolerance, and the chain
/// then sells exactly as quoted and buys at least the quoted amount (it charges the second leg
/// no pool fee).
#[tokio::test]
async fn a_swap_between_subnets_is_quoted_leg_by_leg_and_lands_within_its_limit() {
    let net = trading_net();
    let app = router(net.state.clone());
    let (addr, stop, server) = start(net.state.clone()).await;
    let (alice, hotkey) = (id("//Alice"), id("//Owner1//hot"));
    alice_stakes(net.chain.as_ref(), 1, 50).await;
    let held = |stakes: Vec<chain::StakeInfo>, netuid: u16| -> u64 {
        stakes.iter().filter(|s| s.netuid == netuid && s.hotkey == hotkey).map(|s| s.alpha).sum()
    };
    let alpha = held(net.chain.stakes(alice).await.unwrap(), 1) / 2;

    let (s, q) =
        get_json(&app, &format!("/api/v1/quote/swap?from=1&to=2&amount={alpha}&tolerance_bps=100"))
            .await;
    assert_eq!(s, StatusCode::OK, "{q}");
    let sell = net.chain.quote(1, chain::Side::Sell, alpha).await.unwrap();
    let buy = net.chain.quote(2, chain::Side::Buy, sell.amount_out).await.unwrap();
    assert_eq!(q["sell"]["amount_out"], sell.amount_out.to_string(), "{q}");
    assert_eq!(q["buy"]["amount_in"], sell.amount_out.to_string(), "{q}");
    assert_eq!(q["amount_out"], buy.amount_out.to_string(), "{q}");
    let ratio_after = dtao::amm::swap_price_ratio(sell.spot_after_bits, buy.spot_after_bits);
    assert_eq!(q["ratio_after"], ratio_after.to_string());
    assert_eq!(
        q["ratio_before"],
        dtao::amm::swap_price_ratio(sell.spot_before_bits, buy.spot_before_bits).to_string()
    );
    let limit = dtao::amm::limit_price_for_tolerance(chain::Side::Sell, ratio_after, 100);
    assert_eq!(q["limit_ratio"], limit.to_string());
    assert_eq!(q["min_received"], buy.minimum_received(100).to_string());

    let call = json!({ "name": "swap_stake", "hotkey": hotkey.to_string(), "origin_netuid": 1,
                       "destination_netuid": 2, "alpha_amount": alpha.to_string() });
    let (s, p) = post_json(
        &app,
        "/api/v1/tx/prepare",
        &json!({ "signer": alice.to_string(), "call": call, "tolerance_bps": 100 }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let legs = p["legs"].as_array().unwrap();
    assert_eq!(legs.len(), 2, "{p}");
    assert_eq!(
        (&legs[0]["quote"]["netuid"], &legs[0]["quote"]["side"]),
        (&json!(1), &json!("sell"))
    );
    assert_eq!(
        (&legs[1]["quote"]["netuid"], &legs[1]["quote"]["side"]),
        (&json!(2), &json!("buy"))
    );
    assert_eq!(legs[1]["quote"]["amount_out"], q["amount_out"]);

    // The same call worded for a Chinese page: the call and each leg, with the same figures.
    let ask = |lang: &str| json!({ "signer": alice.to_string(), "call": call, "tolerance_bps": 100, "lang": lang });
    let (s, zh) = post_json(&app, "/api/v1/tx/prepare", &ask("zh")).await;
    assert_eq!(s, StatusCode::OK, "{zh}");
    let cjk = |t: &serde_json::Value| {
        t.as_str().unwrap().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    };
    assert!(cjk(&zh["description"]) && !cjk(&p["description"]), "{zh} / {p}");
    let zh_legs = zh["legs"].as_array().unwrap();
    assert_eq!(zh_legs.len(), 2);
    for (en, zh) in legs.iter().zip(zh_legs) {
        assert!(cjk(&zh["description"]) && !cjk(&en["description"]), "{zh} / {en}");
        assert_eq!(en["quote"]["netuid"], zh["quote"]["netuid"]);
    }
    let (s, refused) = post_json(&app, "/api/v1/tx/prepare", &ask("fr")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused.to_string().contains("lang"), "{refused}");

    let last = alice_signs_and_follows(&app, addr, &p).await;
    assert_eq!(last["status"], "finalized", "{last}");

    let block = net.chain.block(BlockId::Number(last["block"].as_u64().unwrap())).await.unwrap();
    let index = last["index"].as_u64().unwrap() as u32;
    let x = &block.extrinsics[index as usize];
    assert_eq!(
        x.call,
        chain::Call::SwapStakeLimit {
            hotkey,
            origin_netuid: 1,
            destination_netuid: 2,
            alpha_amount: chain::Alpha::from_rao(alpha),
            limit_price: limit,
            allow_partial: false,
        }
    );
    let mine = |r: &&chain::EventRecord| r.phase == chain::Phase::ApplyExtrinsic(index);
    let sold = block.events.iter().filter(mine).find_map(|r| match r.event {
        Event::StakeRemoved { netuid: 1, tao, alpha: a, fee, .. } => Some((tao, a + fee)),
        _ => None,
    });
    // The event's alpha is net of the pool fee, charged in alpha.
    assert_eq!(sold, Some((sell.amount_out, alpha)), "the sell leg filled exactly as quoted");
    let bought = block.events.iter().filter(mine).find_map(|r| match r.event {
        Event::StakeAdded { netuid: 2, alpha, .. } => Some(alpha),
        _ => None,
    });
    let bought = bought.expect("a StakeAdded on SN2");
    assert!(bought >= buy.amount_out, "bought {bought}, quoted at least {}", buy.amount_out);
    assert_eq!(held(net.chain.stakes(alice).await.unwrap(), 2), bought);

    // A swap goes between two subnets.
    let (s, e) = get_json(&app, "/api/v1/quote/swap?from=1&to=1&amount=1000").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert!(e["error"].as_str().unwrap().contains("between two subnets"), "{e}");

    stop.send(()).unwrap();
    server.await.unwrap();
    net.node.shutdown().await;
}
