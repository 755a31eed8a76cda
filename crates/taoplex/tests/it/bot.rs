//! `taoplex bot` as a real process against a node process and the fake Telegram Bot API: it
//! answers commands, and a whale trade made through the CLI (`taoplex stake add`) reaches the
//! chat as a whale alert.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chain::Chain;
use test_support::process::Process;
use test_support::telegram::{FakeTelegram, TOKEN};

use super::node::NodeProcess;

const CHAT: i64 = 4242;
const WAIT: Duration = Duration::from_secs(120);

fn start_bot(dir: &Path, rpc: &str, api: &str) -> Process {
    let token = dir.join("token.txt");
    let password = dir.join("key-password.txt");
    std::fs::write(&token, TOKEN).unwrap();
    std::fs::write(&password, "a long test password").unwrap();
    let data = dir.join("data");
    Process::start(
        Path::new(env!("CARGO_BIN_EXE_taoplex")),
        "bot",
        dir,
        &[
            "bot",
            "--rpc",
            rpc,
            "--data-dir",
            data.to_str().unwrap(),
            "--token-file",
            token.to_str().unwrap(),
            "--key-password-file",
            password.to_str().unwrap(),
            "--telegram-api-url",
            api,
        ],
        |lines| lines.iter().any(|l| l.contains("proxy account")),
    )
}

async fn reply(tg: &FakeTelegram, text: &str, needle: &str) -> String {
    tg.message(CHAT, CHAT, text);
    let calls = tg
        .wait_until(&format!("{needle:?} after {text:?}"), WAIT, |c| {
            c.iter().any(|c| c.text.as_deref().is_some_and(|t| t.contains(needle)))
        })
        .await;
    calls.into_iter().rev().find_map(|c| c.text.filter(|t| t.contains(needle))).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_binary_answers_and_reports_a_cli_whale_trade() {
    let dir = tempfile::tempdir().unwrap();
    let node = NodeProcess::start(&dir.path().join("chain"), &["--block-time", "1s", "--no-sim"]);
    let tg = FakeTelegram::start().await;
    let _bot = start_bot(dir.path(), &node.url, &tg.url());

    assert!(reply(&tg, "/start", "Welcome").await.contains("taoplex"));
    // The bot's indexer starts with the bot: until its first batch, /price says there is no data.
    let start = std::time::Instant::now();
    loop {
        let before = tg.calls().len();
        tg.message(CHAT, CHAT, "/price 1");
        let calls = tg.wait_until("a /price reply", WAIT, |c| c.len() > before).await;
        if calls[before].text.as_deref().is_some_and(|t| t.contains("SN1")) {
            break;
        }
        assert!(start.elapsed() < WAIT, "no market data after {WAIT:?}: {:?}", calls[before].text);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    reply(&tg, "/whale all 10 buy", "Alert added").await;

    // A 20 τ buy through the CLI, by Alice (a funded dev account on the default genesis).
    let wallets = dir.path().join("wallets");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_taoplex"))
            .args(args)
            .env("BT_WALLET_PATH", &wallets)
            .env("TAOPLEX_WALLET_PASSWORD", "correct horse battery staple")
            .env("TAOPLEX_RPC", &node.url)
            .env_remove("BT_WALLET_NAME")
            .env_remove("BT_WALLET_HOTKEY")
            .output()
            .unwrap()
    };
    let regen = run(&["wallet", "regen-coldkey", "--uri", "//Alice"]);
    assert!(regen.status.success(), "{}", String::from_utf8_lossy(&regen.stderr));
    let client = node.client().await;
    let hotkey = client.subnet(1).await.unwrap().owner_hotkey.to_string();
    let add = run(&[
        "stake",
        "add",
        "--netuid",
        "1",
        "--hotkey",
        &hotkey,
        "--amount",
        "20",
        "--slippage",
        "50",
        "--yes",
    ]);
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));

    let alert = tg
        .wait_until("the whale alert", WAIT, |c| {
            c.iter().any(|c| c.text.as_deref().is_some_and(|t| t.contains("Whale buy")))
        })
        .await
        .into_iter()
        .find_map(|c| c.text.filter(|t| t.contains("Whale buy")))
        .unwrap();
    assert!(alert.contains("20 τ") && alert.contains("SN1"), "{alert}");
    assert!(
        alert.contains("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"),
        "names Alice's coldkey: {alert}"
    );
}
