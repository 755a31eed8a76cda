//! `taoplex up` on a fresh data directory: the chain serves JSON-RPC, the terminal serves the
//! market, the market follows the chain's blocks, and Dojo runs on the chain's Dojo subnet (two
//! teams' worker platforms and miners, a validator that sees both miners' axons on chain).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Up(Child);

impl Drop for Up {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The first whitespace-separated word of `line` starting with `prefix`.
fn url(line: &str, prefix: &str) -> String {
    line.split_whitespace()
        .find(|w| w.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} in {line:?}"))
        .trim_end_matches(',')
        .to_string()
}

/// A plain HTTP/1.1 GET on loopback: the status line and the body.
fn fetch(addr: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (head.lines().next().unwrap_or_default().to_string(), body.to_string())
}

/// The body of a 200 answer, waiting (bounded) while the terminal answers 503 because the
/// indexer has not stored its first blocks yet.
fn get(addr: &str, path: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, body) = fetch(addr, path);
        if status.starts_with("HTTP/1.1 200") {
            return body;
        }
        assert!(status.starts_with("HTTP/1.1 503"), "{path}: {status}\n{body}");
        assert!(Instant::now() < deadline, "{path} still not ready: {body}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn as_of_block(addr: &str) -> u64 {
    let status: serde_json::Value = serde_json::from_str(&get(addr, "/api/v1/status")).unwrap();
    status["as_of_block"].as_u64().unwrap()
}

#[test]
fn up_runs_the_chain_and_the_terminal_together() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_taoplex"))
        .arg("up")
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--rpc-addr", "127.0.0.1:0", "--terminal-addr", "127.0.0.1:0"])
        .args(["--dojo-platform-addr", "127.0.0.1:0", "--dojo-validator-addr", "127.0.0.1:0"])
        .args(["--block-time", "250ms"])
        // Two days: a subnet is dissolved and another registered in its place during them,
        // and the first page must still list every subnet.
        .args(["--history", "2d"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let up = Up(child);
    let chain_line = lines.next().unwrap().unwrap();
    assert!(chain_line.starts_with("taoplex up: JSON-RPC on ws://127.0.0.1:"), "{chain_line}");
    // The terminal serves first; Dojo sets itself up beside it and then prints its lines,
    // the validator's last.
    let terminal_line = lines.next().unwrap().unwrap();
    let mut dojo_lines = Vec::new();
    loop {
        let line = lines.next().unwrap().unwrap();
        assert!(line.starts_with("dojo") || line.starts_with("  "), "{line}");
        let last = line.starts_with("dojo validator");
        dojo_lines.push(line);
        if last {
            break;
        }
    }
    let http = url(&terminal_line, "http://");
    let addr = http.trim_start_matches("http://").to_string();

    // Every subnet of the generated genesis is on the overview, root and Dojo included.
    let overview: serde_json::Value =
        serde_json::from_str(&get(&addr, "/api/v1/overview?limit=200")).unwrap();
    assert_eq!(overview["total"], 130, "128 subnets, the Dojo subnet and root: {overview}");
    assert!(get(&addr, "/").contains("<table"), "the overview page renders");

    // The market follows the chain: the block the numbers are as of advances.
    let first = as_of_block(&addr);
    let deadline = Instant::now() + Duration::from_secs(120);
    while as_of_block(&addr) <= first {
        assert!(Instant::now() < deadline, "the terminal stayed at block {first}");
        std::thread::sleep(Duration::from_millis(250));
    }

    // Dojo: both teams' platforms serve their sign-up page, and the validator finds both
    // miners' axons, which the miners published on chain when they started.
    let dojo = dojo_lines.join("\n");
    let platforms: Vec<String> = dojo_lines
        .iter()
        .filter(|l| l.starts_with("dojo team"))
        .map(|l| url(l, "http://").trim_start_matches("http://").to_string())
        .collect();
    assert_eq!(platforms.len(), 2, "{dojo}");
    assert_eq!(dojo.matches("invite: http://").count(), 4, "two invites per team: {dojo}");
    for platform in &platforms {
        assert!(get(platform, "/signup").contains("invite"), "{platform}");
    }
    let validator_line = dojo_lines.iter().find(|l| l.starts_with("dojo validator")).unwrap();
    let validator = url(validator_line, "http://");
    let validator = validator.trim_start_matches("http://").split('/').next().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status: serde_json::Value = serde_json::from_str(&get(&validator, "/status")).unwrap();
        if status["active_miners"] == 2 {
            assert!(status["uid"].is_u64(), "the validator is registered: {status}");
            break;
        }
        assert!(Instant::now() < deadline, "the validator never saw both miners: {status}");
        std::thread::sleep(Duration::from_millis(500));
    }
    drop(up);
}

/// `taoplex up --history 1d` on a fresh data directory: the first page already shows a day of
/// market — 24h changes, volumes and sparklines — and an events feed with every kind of event
/// the simulation makes; the history ends now.
#[test]
fn up_starts_with_a_day_of_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_taoplex"))
        .arg("up")
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--rpc-addr", "127.0.0.1:0", "--terminal-addr", "127.0.0.1:0", "--no-dojo"])
        .args(["--history", "1d"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let up = Up(child);
    let chain_line = lines.next().unwrap().unwrap();
    assert!(chain_line.starts_with("taoplex up: JSON-RPC on"), "{chain_line}");
    let terminal_line = lines.next().unwrap().unwrap();
    let addr = url(&terminal_line, "http://").trim_start_matches("http://").to_string();

    // Served only once the history is indexed: the very first answer is complete.
    let (status, body) = fetch(&addr, "/api/v1/overview?limit=200");
    assert!(status.starts_with("HTTP/1.1 200"), "{status}: {body}");
    let overview: serde_json::Value = serde_json::from_str(&body).unwrap();
    let rows = overview["rows"].as_array().unwrap();
    let rao = |r: &serde_json::Value, k: &str| -> f64 {
        r[k].as_str().and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)
    };
    // The market's shape, for the README's comparison with mainnet.
    let volume: f64 = rows.iter().map(|r| rao(r, "volume_24h")).sum();
    let cap: f64 = rows.iter().map(|r| rao(r, "market_cap")).sum();
    let mut volumes: Vec<f64> = rows.iter().map(|r| rao(r, "volume_24h")).collect();
    volumes.sort_by(|a, b| b.total_cmp(a));
    let top10: f64 = volumes.iter().take(10).sum();
    let mut moves: Vec<f64> =
        rows.iter().filter_map(|r| r["change_24h"].as_f64()).map(f64::abs).collect();
    moves.sort_by(f64::total_cmp);
    let q = |p: f64| moves.get(((moves.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0.0);
    println!(
        "daily volume / market cap {:.2} %, top-10 share of volume {:.0} %, |24h move| median {:.1} % p90 {:.1} % max {:.1} %",
        100.0 * volume / cap.max(1.0),
        100.0 * top10 / volume.max(1.0),
        100.0 * q(0.5),
        100.0 * q(0.9),
        100.0 * q(1.0)
    );
    let with = |what: &str, f: &dyn Fn(&serde_json::Value) -> bool| {
        let n = rows.iter().filter(|r| f(r)).count();
        assert!(n * 2 > rows.len(), "only {n} of {} subnets have {what}", rows.len());
    };
    with("a 24h change", &|r| r["change_24h"].is_f64());
    with("24h volume", &|r| r["volume_24h"].as_str().is_some_and(|v| v != "0"));
    with("a sparkline that moves", &|r| {
        let points: Vec<u64> =
            r["sparkline_7d"].as_array().unwrap().iter().filter_map(|p| p.as_u64()).collect();
        points.len() >= 5 && points.iter().any(|p| *p != points[0])
    });

    // Every kind of event the simulation makes in a day is in the feed. (Emission share jumps
    // need a larger move of one subnet's share than a day of it brings.)
    let missing: Vec<&str> = [
        "whale_trade",
        "price_move",
        "owner_burn_started",
        "owner_burn_stopped",
        "hyperparameter_changed",
        "identity_changed",
        "subnet_registered",
        "subnet_deregistered",
    ]
    .into_iter()
    .filter(|kind| {
        let events: serde_json::Value =
            serde_json::from_str(&get(&addr, &format!("/api/v1/events?kind={kind}&limit=1")))
                .unwrap();
        events["events"].as_array().unwrap().is_empty()
    })
    .collect();
    assert!(missing.is_empty(), "no events of these kinds in a day: {missing:?}");

    // The history ends now: the head is stamped within minutes of the wall clock.
    let status: serde_json::Value = serde_json::from_str(&get(&addr, "/api/v1/status")).unwrap();
    let age_ms = status["age_ms"].as_u64().unwrap();
    assert!(age_ms < 10 * 60_000, "the market is as of {age_ms} ms ago: {status}");
    drop(up);
}

/// `up` on a data directory an older localnet wrote (here: its log's last block hashes
/// differently from what this localnet computes, as before block hashes were Substrate header
/// hashes): the directory is moved aside whole, nothing deleted, and a new chain starts.
#[test]
fn up_sets_aside_a_chain_an_older_localnet_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_taoplex"))
            .arg("up")
            .arg("--data-dir")
            .arg(&data)
            .args(["--rpc-addr", "127.0.0.1:0", "--terminal-addr", "127.0.0.1:0"])
            .args(["--no-dojo", "--history", "0", "--block-time", "100ms"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // A chain with a few blocks, killed without a clean stop: its log has blocks after its
    // last snapshot, which a restart replays.
    let mut child = spawn();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("taoplex up: JSON-RPC on"), "{first}");
    std::thread::sleep(Duration::from_millis(1_500));
    child.kill().unwrap();
    child.wait().unwrap();

    // The last record's block hash as another hash scheme would have written it (its
    // checksum made right, so it is no torn write).
    let log = data.join("blocks.log");
    let mut bytes = std::fs::read(&log).unwrap();
    let (mut at, mut last) = (8, None);
    while at + 12 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        if at + 12 + len > bytes.len() {
            break; // a write the kill tore: the node drops it on restart
        }
        last = Some((at, len));
        at += 12 + len;
    }
    let (start, len) = last.expect("the log holds blocks");
    let payload = start + 12..start + 12 + len;
    bytes[payload.end - 1] ^= 0xff; // the block hash ends the record
    let sum = chain::Hash::of(&bytes[payload.clone()]);
    bytes[start + 4..start + 12].copy_from_slice(&sum.0[..8]);
    std::fs::write(&log, &bytes).unwrap();

    let mut child = spawn();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let stderr = child.stderr.take().unwrap();
    let up = Up(child);
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("taoplex up: JSON-RPC on"), "a new chain serves: {first}");
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("data.older-localnet-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(dir.path().join(&aside[0]).join("blocks.log").is_file(), "nothing deleted");
    drop(up);
    let mut said = String::new();
    BufReader::new(stderr).read_to_string(&mut said).unwrap();
    assert!(
        said.contains("was written by an older localnet") && said.contains(&aside[0]),
        "{said}"
    );
}
