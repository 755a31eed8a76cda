//! Load test of the terminal on loopback, with fixture data for 128 subnets (the localnet
//! genesis size):
//!
//! 1. `GET /api/v1/overview` throughput and latency percentiles with 8 and 64 keep-alive clients;
//! 2. `GET /` (the server-rendered overview page, cached per block) with 8;
//! 3. WebSocket fan-out: 1,000 connected `/api/v1/stream` clients, one block published, the
//!    time until every client has it.
//!
//! `cargo bench -p terminal --bench load` runs the full test; `-- --test` (what CI runs) a
//! small one. Client and server share the machine's cores, so the numbers are a lower bound
//! for the server alone. For an external load generator, `-- --serve` keeps a fixture server
//! on 127.0.0.1:8089 until Ctrl-C, e.g. `wrk -t2 -c64 -d10s --latency http://127.0.0.1:8089/api/v1/overview`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    unreachable_pub,
    dead_code
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use terminal::{Config, serve};
use test_support::terminal as fixture;
use tokio_tungstenite::tungstenite::Message;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn http_load(addr: std::net::SocketAddr, path: &str, clients: usize, total: usize) {
    let client: Client<_, Empty<axum::body::Bytes>> =
        Client::builder(TokioExecutor::new()).pool_max_idle_per_host(clients).build_http();
    let uri: axum::http::Uri = format!("http://{addr}{path}").parse().unwrap();
    // Warm up: open the connections, fill caches.
    for _ in 0..clients {
        let r = client.get(uri.clone()).await.unwrap();
        r.into_body().collect().await.unwrap();
    }
    let per = total / clients;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let client = client.clone();
        let uri = uri.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per);
            let mut bytes = 0usize;
            for _ in 0..per {
                let t = Instant::now();
                let r = client.get(uri.clone()).await.unwrap();
                assert!(r.status().is_success());
                bytes += r.into_body().collect().await.unwrap().to_bytes().len();
                lat.push(t.elapsed());
            }
            (lat, bytes)
        }));
    }
    let mut lat = Vec::with_capacity(total);
    let mut bytes = 0;
    for t in tasks {
        let (l, b) = t.await.unwrap();
        lat.extend(l);
        bytes += b;
    }
    let elapsed = start.elapsed();
    lat.sort();
    println!(
        "GET {path:<18} {clients} clients, {} requests in {:.2} s: {:>7.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.1} KB/response",
        lat.len(),
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3,
        bytes as f64 / lat.len() as f64 / 1024.0,
    );
}

async fn fan_out(f: &fixture::Fixture, addr: std::net::SocketAddr, n: usize) {
    // Publish the current block so every client gets it on connect (and is then subscribed).
    let o = f.state.market.overview().await.unwrap();
    f.state.live.publish_overview(&o, Some(412.35), fixture::NOW_MS);
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(n);
    let (done_tx, mut done_rx) = tokio::sync::mpsc::channel::<Instant>(n);
    let mut tasks = Vec::new();
    let want = o.as_of_block + 1;
    for _ in 0..n {
        let ready = ready_tx.clone();
        let done = done_tx.clone();
        let url = format!("ws://{addr}/api/v1/stream");
        let needle = format!("\"block\":{want},");
        tasks.push(tokio::spawn(async move {
            let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
            let mut first = true;
            while let Some(m) = ws.next().await {
                if let Message::Text(t) = m.unwrap() {
                    if first {
                        first = false;
                        ready.send(()).await.unwrap();
                        continue;
                    }
                    // A cheap check, so the 1,000 clients do not compete with the server for CPU.
                    if t.as_str().contains(&needle) {
                        done.send(Instant::now()).await.unwrap();
                        break;
                    }
                }
            }
        }));
    }
    for _ in 0..n {
        ready_rx.recv().await.unwrap();
    }
    assert_eq!(f.state.live.clients(), n);
    // Worst case: every subnet's price, market cap and pool changed in this block.
    let next = f.market.next_block_all(1.01);
    let mut probe = f.state.live.subscribe();
    let t0 = Instant::now();
    f.state.live.publish_overview(&next, Some(412.35), fixture::NOW_MS);
    let delta_size = probe.try_recv().unwrap().len();
    let mut lat = Vec::with_capacity(n);
    for _ in 0..n {
        lat.push(done_rx.recv().await.unwrap() - t0);
    }
    for t in tasks {
        t.await.unwrap();
    }
    lat.sort();
    let size = terminal::block_message(&next, Some(412.35), 0).unwrap().len();
    println!(
        "WS fan-out of one block (all 128 subnets changed: delta {:.1} KB, full snapshot {:.1} KB) to {n} clients: all delivered in {:.1} ms (p50 {:.1} ms, p99 {:.1} ms)",
        delta_size as f64 / 1024.0,
        size as f64 / 1024.0,
        lat.last().unwrap().as_secs_f64() * 1e3,
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--test");
    let serve_only = args.iter().any(|a| a == "--serve");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let f =
            fixture::fixture_with(Config { rate_limit: None, ..Config::default() }, Some(412.35));
        f.market.set_subnets(128);
        let listener = tokio::net::TcpListener::bind(if serve_only {
            "127.0.0.1:8089"
        } else {
            "127.0.0.1:0"
        })
        .await
        .unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let state = f.state.clone();
        let server = tokio::spawn(async move {
            serve(listener, state, async move {
                let _ = stop_rx.await;
            })
            .await
            .unwrap();
        });
        if serve_only {
            println!("fixture terminal on http://{addr} (128 subnets); Ctrl-C to stop");
            let _ = tokio::signal::ctrl_c().await;
        } else {
            let (n_http, n_ws) = if quick { (640, 50) } else { (100_000, 1_000) };
            println!(
                "terminal load test on loopback, {} cores, 128 subnets",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            );
            http_load(addr, "/api/v1/overview", 8, n_http / 2).await;
            http_load(addr, "/api/v1/overview", 64, n_http).await;
            http_load(addr, "/", 8, n_http / 10).await;
            fan_out(&f, addr, n_ws).await;
        }
        let _ = stop_tx.send(());
        f.state.live.close();
        server.await.unwrap();
    });
    let _ = Arc::new(());
}
