//! `taoplex chain info|events` against the localnet (a node process) and against a live
//! Subtensor node (the replay server of recorded finney traffic) through `--network`.

use std::process::{Command, Output};

use chain::Chain;
use serde_json::{Value, json};
use test_support::replay::{Replay, finney_fixtures};

use super::node::NodeProcess;

fn taoplex(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taoplex"))
        .args(args)
        .env_remove("TAOPLEX_NETWORK")
        .env_remove("TAOPLEX_RPC")
        .output()
        .unwrap()
}

fn json_of(out: &Output) -> Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_info_describes_the_localnet() {
    let dir = tempfile::tempdir().unwrap();
    let node = NodeProcess::start(&dir.path().join("chain"), &["--no-sim"]);
    let info = node.client().await.info().await.unwrap();
    let out = tokio::task::spawn_blocking({
        let url = node.url.clone();
        move || taoplex(&["chain", "info", "--json", "--network", "local", "--rpc", &url])
    })
    .await
    .unwrap();
    let got = json_of(&out);
    assert_eq!(got["name"], json!(info.name));
    assert_eq!(got["genesis"], json!(info.signing.genesis_hash));
    assert_eq!(got["spec_version"], json!(info.signing.spec_version));
    assert!(
        got["head"]["number"].as_u64().unwrap() >= got["finalized"]["number"].as_u64().unwrap()
    );
    assert!(got["network"].as_str().unwrap().starts_with("local"));
}

/// Block 7,959,608 (spec 393): its header, its parent's runtime and its events are recorded.
const HEAD: &str = "0x48795d0cb44df9867fbe9b6a7ea035e3e6406ad9b10b5b49af8b2b2f7efe6927";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_info_and_events_read_a_live_node() {
    let Some(finney) = finney_fixtures() else { return };
    let replay = Replay::start(&finney, "spec393").await;
    // The recordings hold several heads; this test's head and finalized head are 7,959,608.
    replay.answer("chain_getHead", json!([]), json!(HEAD));
    replay.answer("chain_getFinalizedHead", json!([]), json!(HEAD));
    // Finney's chain name (public; `system_chain` was not recorded).
    replay.answer("system_chain", json!([]), json!("Bittensor"));
    let url = replay.url();

    let info = tokio::task::spawn_blocking({
        let url = url.clone();
        move || taoplex(&["chain", "info", "--json", "--network", &url])
    })
    .await
    .unwrap();
    let info = json_of(&info);
    assert_eq!(info["name"], "Bittensor");
    assert_eq!(info["spec_version"], 393);
    assert_eq!(info["genesis"], test_support::replay::FINNEY_GENESIS);
    assert_eq!(info["head"]["number"], 7_959_608);
    assert_eq!(info["ss58_prefix"], 42);

    let events = tokio::task::spawn_blocking(move || {
        taoplex(&["chain", "events", "--at", "7959608", "--json", "--network", &url])
    })
    .await
    .unwrap();
    let events = json_of(&events);
    let list = events["events"].as_array().unwrap();
    let named = |name: &str| list.iter().filter(|e| e["event"]["event"] == name).count();
    assert!(named("EncryptedSubmitted") >= 1, "the MEV Shield wrapper is shown");
    let added = list.iter().find(|e| e["event"]["event"] == "StakeAdded").unwrap();
    assert_eq!(added["event"]["tao"], "10000000000");
    assert_eq!(added["event"]["netuid"], 75);
}
