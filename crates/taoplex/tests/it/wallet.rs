//! `taoplex wallet` end to end: the built binary in a temporary `BT_WALLET_PATH`, with the real
//! key derivation (a few seconds per coldkey encryption or decryption, so used sparingly).

use std::path::Path;
use std::process::{Command, Output, Stdio};

const PASSWORD: &str = "e2e password";
const ABANDON: &str =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

fn taoplex(root: &Path, password: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taoplex"))
        .arg("wallet")
        .args(args)
        .env("BT_WALLET_PATH", root)
        .env("TAOPLEX_WALLET_PASSWORD", password)
        .env_remove("BT_WALLET_NAME")
        .env_remove("BT_WALLET_HOTKEY")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {:?}\nstdout: {}\nstderr: {}",
        o.status,
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

#[track_caller]
fn fails(o: &Output, code: i32, message: &str) {
    assert_eq!(o.status.code(), Some(code), "stdout: {}\nstderr: {}", stdout(o), stderr(o));
    assert!(stderr(o).contains(message), "expected {message:?} in stderr: {}", stderr(o));
}

#[test]
fn create_list_sign_verify() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();

    // New coldkey: the mnemonic is shown once, with a warning, and the files are btcli's.
    let out = ok(&taoplex(root, PASSWORD, &["new-coldkey", "--name", "e2e"]));
    assert!(out.contains("write this mnemonic down"), "{out}");
    let phrase = out.lines().find(|l| l.starts_with("    ")).unwrap().trim().to_owned();
    assert_eq!(phrase.split(' ').count(), 12);
    let address = out.split_whitespace().find(|w| w.starts_with('5') && w.len() == 48).unwrap();
    let expected = keys::Keypair::from_phrase(&phrase).unwrap().ss58_address();
    assert_eq!(address, expected);
    assert!(std::fs::read(root.join("e2e/coldkey")).unwrap().starts_with(b"$NACL"));
    assert!(root.join("e2e/coldkeypub.txt").is_file());

    let out = ok(&taoplex(
        root,
        PASSWORD,
        &["new-hotkey", "--name", "e2e", "--hotkey", "hk", "--n-words", "24"],
    ));
    let hot_phrase = out.lines().find(|l| l.starts_with("    ")).unwrap().trim().to_owned();
    assert_eq!(hot_phrase.split(' ').count(), 24);
    let hot = keys::Keypair::from_phrase(&hot_phrase).unwrap().ss58_address();

    // List reads only public files: no password needed.
    let out = ok(&taoplex(root, "", &["list"]));
    assert!(out.contains(&format!("e2e  coldkey {expected}")), "{out}");
    assert!(out.contains(&format!("hotkey hk  {hot}")), "{out}");

    // Sign with the coldkey, verify by wallet name and by address.
    let sig = ok(&taoplex(root, PASSWORD, &["sign", "--name", "e2e", "--message", "hello"]));
    let sig = sig.trim();
    assert_eq!(sig.len(), 130, "{sig}");
    let out = ok(&taoplex(
        root,
        "",
        &["verify", "--name", "e2e", "--message", "hello", "--signature", sig],
    ));
    assert!(out.contains(&format!("valid signature by {expected}")), "{out}");
    ok(&taoplex(
        root,
        "",
        &["verify", "--address", &expected, "--message", "0x68656c6c6f", "--signature", sig],
    ));
    let o = taoplex(
        root,
        "",
        &["verify", "--address", &expected, "--message", "hellO", "--signature", sig],
    );
    fails(&o, 1, "invalid signature");
    let o =
        taoplex(root, "", &["verify", "--address", &hot, "--message", "hello", "--signature", sig]);
    fails(&o, 1, "invalid signature");

    // The messages a user sees.
    let o = taoplex(root, "not the password", &["sign", "--name", "e2e", "--message", "x"]);
    fails(&o, 1, "error: wrong password for ");
    assert!(stderr(&o).contains("e2e/coldkey"), "{}", stderr(&o));
    let o = taoplex(root, PASSWORD, &["sign", "--name", "nope", "--message", "x"]);
    fails(
        &o,
        1,
        &format!("error: no wallet named \"nope\" in {}; existing wallets: e2e", root.display()),
    );
    let before = std::fs::read(root.join("e2e/coldkey")).unwrap();
    let o = taoplex(root, PASSWORD, &["new-coldkey", "--name", "e2e"]);
    fails(&o, 1, "already exists and was left untouched; pass --overwrite");
    assert_eq!(std::fs::read(root.join("e2e/coldkey")).unwrap(), before);
    std::fs::write(root.join("e2e/coldkeypub.txt"), b"{\"publicKey\": ").unwrap();
    let o =
        taoplex(root, "", &["verify", "--name", "e2e", "--message", "hello", "--signature", sig]);
    fails(&o, 1, "coldkeypub.txt is corrupt or not a bittensor keyfile");
}

#[test]
fn regen_from_uri_mnemonic_seed_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let out =
        ok(&taoplex(root, PASSWORD, &["regen-coldkey", "--name", "alice", "--uri", "//Alice"]));
    assert!(out.contains("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"), "{out}");
    let out = ok(&taoplex(
        root,
        "",
        &["regen-hotkey", "--name", "alice", "--hotkey", "a", "--mnemonic", ABANDON],
    ));
    assert!(out.contains("5EPCUjPxiHAcNooYipQFWr9NmmXJKpNG5RhcntXwbtUySrgH"), "{out}");
    let seed = "0x4ed8d4b17698ddeaa1f1559f152f87b5d472f725ca86d341bd0276f1b61197e2";
    let o =
        taoplex(root, "", &["regen-hotkey", "--name", "alice", "--hotkey", "a", "--seed", seed]);
    fails(&o, 1, "already exists");
    let out = ok(&taoplex(
        root,
        "",
        &["regen-hotkey", "--name", "alice", "--hotkey", "a", "--seed", seed, "--overwrite"],
    ));
    assert!(out.contains("5EPCUjPxiHAcNooYipQFWr9NmmXJKpNG5RhcntXwbtUySrgH"), "{out}");
    let sig = ok(&taoplex(
        root,
        "",
        &["sign", "--name", "alice", "--hotkey", "a", "--use-hotkey", "--message", "m"],
    ));
    ok(&taoplex(
        root,
        "",
        &[
            "verify",
            "--address",
            "5EPCUjPxiHAcNooYipQFWr9NmmXJKpNG5RhcntXwbtUySrgH",
            "--message",
            "m",
            "--signature",
            sig.trim(),
        ],
    ));

    let o = taoplex(root, "", &["regen-hotkey", "--name", "x", "--mnemonic", "abandon abandon"]);
    fails(&o, 1, "error: invalid mnemonic");
    // Usage errors exit 2 and write nothing.
    fails(
        &taoplex(root, PASSWORD, &["new-coldkey", "--name", "u", "--n-words", "13"]),
        2,
        "--n-words",
    );
    fails(&taoplex(root, PASSWORD, &["regen-coldkey", "--name", "u"]), 2, "--mnemonic");
    fails(
        &taoplex(root, PASSWORD, &["regen-coldkey", "--name", "u", "--uri", "//A", "--seed", seed]),
        2,
        "cannot be used with",
    );
    assert!(!root.join("u").exists());
    let o = taoplex(root, "", &["list", "--wallet-path", root.join("empty").to_str().unwrap()]);
    assert!(ok(&o).contains("no wallets in"));
}
