//! `taoplex stake` and `taoplex wallet show|transfer` against a real node process: the quote a
//! user confirms is what the chain credits, and an order past its limit fails with the chain's
//! slippage error, leaving the balance as it was.

use std::path::Path;
use std::process::{Command, Output};

use chain::{AccountId, Chain, NetUid};

use super::node::NodeProcess;

const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

fn taoplex(wallets: &Path, rpc: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taoplex"))
        .args(args)
        .env("BT_WALLET_PATH", wallets)
        .env("TAOPLEX_WALLET_PASSWORD", "correct horse battery staple")
        .env("TAOPLEX_RPC", rpc)
        .env_remove("BT_WALLET_NAME")
        .env_remove("BT_WALLET_HOTKEY")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The number before " α" on the first line starting with `prefix`.
fn alpha_on_line(text: &str, prefix: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in:\n{text}"));
    let before_alpha = line.split(" α").next().unwrap();
    before_alpha.split_whitespace().last().unwrap().to_string()
}

async fn validator_hotkey(node: &dyn Chain, netuid: NetUid) -> AccountId {
    let neurons = node.neurons(netuid).await.unwrap();
    neurons.iter().find(|n| n.validator_permit).map(|n| n.hotkey).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_stake_credits_the_quote_and_an_over_limit_order_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Instant blocks: the block that includes the order is the one the quote was made for (quotes
    // account for the next block's emission), so the quote must match to the rao.
    let node = NodeProcess::start(
        &dir.path().join("chain"),
        &["--block-time", "instant", "--finality-depth", "0", "--no-sim"],
    );
    let client = node.client().await;
    let wallets = dir.path().join("wallets");
    let rpc = node.url.as_str();

    let regen = taoplex(&wallets, rpc, &["wallet", "regen-coldkey", "--uri", "//Alice"]);
    assert!(regen.status.success(), "{}", String::from_utf8_lossy(&regen.stderr));
    let alice: AccountId = ALICE.parse().unwrap();
    let hotkey = validator_hotkey(&client, 1).await.to_string();

    // Stake 1 TAO with a 5 % tolerance: the quote shown is what lands.
    let add = taoplex(
        &wallets,
        rpc,
        &[
            "stake",
            "add",
            "--netuid",
            "1",
            "--hotkey",
            &hotkey,
            "--amount",
            "1",
            "--slippage",
            "5",
            "--yes",
        ],
    );
    let text = stdout(&add);
    assert!(add.status.success(), "{text}\n{}", String::from_utf8_lossy(&add.stderr));
    for step in [
        "quote — stake on subnet 1",
        "price impact",
        "minimum received",
        "what this trade teaches the network (rule price-ema-burn-gate, if prices then hold):",
        "  SN1    emission share now",
        "in 7 days",
        "converged",
        "from this trade)",
        "submitted",
        "in block",
        "finalized",
    ] {
        assert!(text.contains(step), "missing {step:?} in:\n{text}");
    }
    let quoted = alpha_on_line(&text, "you receive");
    let credited = alpha_on_line(&text, "staked");
    assert_eq!(quoted, credited, "{text}");
    let stakes = client.stakes(alice).await.unwrap();
    let held = stakes.iter().find(|s| s.netuid == 1).unwrap().alpha;
    assert_eq!(dtao::units::Alpha::from_rao(held).to_decimal_string(), quoted);

    // A huge order with a tight tolerance: refused with the chain's slippage error.
    let before = client.account(alice).await.unwrap().free;
    let over = taoplex(
        &wallets,
        rpc,
        &[
            "stake",
            "add",
            "--netuid",
            "1",
            "--hotkey",
            &hotkey,
            "--amount",
            "50000",
            "--slippage",
            "0.1",
            "--yes",
        ],
    );
    let err = String::from_utf8_lossy(&over.stderr);
    assert_eq!(over.status.code(), Some(1), "{}\n{err}", stdout(&over));
    assert!(err.contains("SlippageTooHigh"), "{err}");
    let after = client.account(alice).await.unwrap().free;
    assert_eq!(after, before, "a refused order must not cost anything");

    // Unstake it all; `wallet show` and `stake list` agree there is nothing left.
    let remove = taoplex(
        &wallets,
        rpc,
        &[
            "stake",
            "remove",
            "--netuid",
            "1",
            "--hotkey",
            &hotkey,
            "--all",
            "--slippage",
            "5",
            "--yes",
        ],
    );
    assert!(
        remove.status.success(),
        "{}\n{}",
        stdout(&remove),
        String::from_utf8_lossy(&remove.stderr)
    );
    assert!(client.stakes(alice).await.unwrap().iter().all(|s| s.netuid != 1));
    let show = taoplex(&wallets, rpc, &["wallet", "show"]);
    assert!(stdout(&show).contains(ALICE), "{}", stdout(&show));

    // Without --yes and without a terminal, nothing is submitted.
    let unconfirmed = taoplex(
        &wallets,
        rpc,
        &["stake", "add", "--netuid", "1", "--hotkey", &hotkey, "--amount", "1"],
    );
    assert_eq!(unconfirmed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unconfirmed.stderr).contains("--yes"));
}

#[test]
fn bad_stake_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["stake", "add", "--netuid", "1", "--amount", "-1"],
        vec!["stake", "add", "--netuid", "1", "--amount", "0"],
        vec!["stake", "add", "--netuid", "x", "--amount", "1"],
        vec!["stake", "add", "--netuid", "1", "--amount", "1", "--slippage", "200"],
        vec!["stake", "remove", "--netuid", "1"],
    ] {
        let out = taoplex(dir.path(), "ws://127.0.0.1:9", &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn no_node_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let regen =
        taoplex(dir.path(), "ws://127.0.0.1:9", &["wallet", "regen-coldkey", "--uri", "//Alice"]);
    assert!(regen.status.success());
    let out = taoplex(dir.path(), "ws://127.0.0.1:9", &["wallet", "show"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no chain at ws://127.0.0.1:9"), "{err}");
}
