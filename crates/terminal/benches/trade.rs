//! Trading latency on loopback, against a real localnet that makes a block as soon as a
//! transaction arrives and finalizes it at once (`test_support::terminal::trading_net`):
//!
//! 1. the round trip a trade takes after the user's click: `POST /api/v1/tx/prepare`, sign
//!    (sr25519, here in-process as the browser would), `POST /api/v1/tx/submit`, then the
//!    `finalized` status on the WebSocket stream;
//! 2. `GET /api/v1/quote` one request after the other, as a trade panel asks while the user
//!    types.
//!
//! `cargo bench -p terminal --bench trade` runs the full measurement; `-- --test` a small one.
//! Client, server and node share the machine's cores.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    unreachable_pub
)]

use std::time::{Duration, Instant};

use axum::body::Bytes;
use futures::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use test_support::genesis::{TAO, id, keys_pair};
use test_support::terminal::trading_net;
use tokio_tungstenite::tungstenite::Message;

type Http = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(what: &str, mut lat: Vec<Duration>) {
    lat.sort();
    println!(
        "{what}: {} runs, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3,
    );
}

async fn request(client: &Http, method: &str, url: &str, body: Option<&Value>) -> Value {
    let req = axum::http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.map(Value::to_string).unwrap_or_default())))
        .unwrap();
    let res = client.request(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(status.is_success(), "{url}: {status} {v}");
    v
}

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let net = trading_net();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let state = net.state.clone();
        let server = tokio::spawn(async move {
            terminal::serve(listener, state, async move {
                let _ = stop_rx.await;
            })
            .await
            .unwrap();
        });
        let client: Http = Client::builder(TokioExecutor::new()).build_http();
        let (mut ws, _) =
            tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/stream")).await.unwrap();
        let alice = keys_pair("//Alice");
        let hotkey = id("//Owner1//hot").to_string();
        let (trades, quotes) = if quick { (5, 50) } else { (100, 2_000) };
        println!(
            "terminal trading on loopback, {} cores, localnet with instant blocks and finality",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );

        let mut round_trips = Vec::with_capacity(trades);
        for _ in 0..trades {
            let body = json!({
                "signer": id("//Alice").to_string(),
                "call": { "name": "add_stake", "hotkey": hotkey, "netuid": 1, "amount_staked": (TAO / 10).to_string() },
                "tolerance_bps": 100,
            });
            let t = Instant::now();
            let p = request(&client, "POST", &format!("http://{addr}/api/v1/tx/prepare"), Some(&body)).await;
            let tx_id = p["id"].as_str().unwrap().to_string();
            ws.send(Message::text(json!({ "watch_tx": tx_id }).to_string())).await.unwrap();
            let payload = hex::decode(p["payload"].as_str().unwrap().trim_start_matches("0x")).unwrap();
            let signature = format!("0x{}", hex::encode(alice.sign(&payload).0));
            request(
                &client,
                "POST",
                &format!("http://{addr}/api/v1/tx/submit"),
                Some(&json!({ "id": tx_id, "signature": signature })),
            )
            .await;
            loop {
                let Message::Text(m) = ws.next().await.unwrap().unwrap() else { continue };
                let v: Value = serde_json::from_str(&m).unwrap();
                if v["type"] == "tx" && v["tx"]["id"] == tx_id.as_str() {
                    let status = v["tx"]["status"].as_str().unwrap();
                    assert_ne!(status, "failed", "{v}");
                    if status == "finalized" {
                        break;
                    }
                }
            }
            round_trips.push(t.elapsed());
        }
        report("prepare → sign → submit → finalized", round_trips);

        let mut quote_lat = Vec::with_capacity(quotes);
        for k in 0..quotes {
            // Amounts as a user types them: 1, 12, 123, … τ and back.
            let amount = (k % 7 + 1) as u64 * TAO / 3;
            let url = format!("http://{addr}/api/v1/quote?netuid=1&side=buy&amount={amount}");
            let t = Instant::now();
            request(&client, "GET", &url, None).await;
            quote_lat.push(t.elapsed());
        }
        report("GET /api/v1/quote", quote_lat);

        drop(ws);
        let _ = stop_tx.send(());
        server.await.unwrap();
        net.node.shutdown().await;
    });
}
