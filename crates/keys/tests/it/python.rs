//! Interop with `bittensor-wallet` 4.1.1 (PyPI), run through the interpreter in `TAOPLEX_PYTHON`
//! (CI sets it from `.ci/setup-python`). Uses the real key derivation parameters throughout, so
//! each test takes several seconds and 512 MiB.

use std::path::Path;
use std::process::Command;

use keys::{KdfParams, Keypair, PublicKey, Signature, Wallet};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery staple ✓";

/// The interpreter, or `None` after a notice (under `CI=true` the test fails instead).
fn python() -> Option<String> {
    test_support::require(test_support::Tool::Python)
}

/// Runs `tests/py/<script>` and returns its last stdout line (Python prints progress lines).
fn run_py(python: &str, script: &str, args: &[&str]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py").join(script);
    let out = Command::new(python)
        .arg(&path)
        .args(args)
        .env("PY_WALLET_PASSWORD", PASSWORD)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed: {}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().last().unwrap_or_default().to_owned()
}

fn json(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("bad json from python ({e}): {line}"))
}

#[test]
fn python_wallet_opens_in_taoplex() {
    let Some(py) = python() else { return };
    let root = tempfile::tempdir().unwrap();
    let root_s = root.path().to_str().unwrap();
    let made = json(&run_py(&py, "create_wallet.py", &[root_s, "pyw", "hk1"]));

    let wallet = Wallet::new(root.path(), "pyw", "hk1");
    let cold = wallet.coldkey(Some(PASSWORD), &KdfParams::default()).unwrap();
    assert_eq!(cold.ss58_address(), made["coldkey_ss58"]);
    assert_eq!(cold.public().to_hex(), made["coldkey_public"]);
    assert!(cold.phrase().is_some(), "python stores the mnemonic in the coldkey");
    assert_eq!(wallet.coldkeypub().unwrap(), cold.public());
    let hot = wallet.hotkey(None, &KdfParams::default()).unwrap();
    assert_eq!(hot.ss58_address(), made["hotkey_ss58"]);
    assert_eq!(hot.public().to_hex(), made["hotkey_public"]);
    assert_eq!(wallet.hotkeypub().unwrap(), hot.public());

    // The wrong password is reported as such.
    let err = wallet.coldkey(Some("not it"), &KdfParams::default()).unwrap_err();
    assert!(matches!(err, keys::Error::WrongPassword { .. }), "{err}");

    // A taoplex signature verifies in Python, and only over the signed message.
    let message = b"taoplex signs this";
    let sig = cold.sign(message);
    let verify = |msg: &[u8]| {
        run_py(&py, "verify.py", &[&cold.ss58_address(), &hex::encode(msg), &sig.to_hex()])
    };
    assert_eq!(verify(message), "true");
    assert_eq!(verify(b"taoplex signs that"), "false");
}

#[test]
fn taoplex_wallet_opens_in_python() {
    let Some(py) = python() else { return };
    let root = tempfile::tempdir().unwrap();
    let wallet = Wallet::new(root.path(), "ours", "miner");
    let cold = Keypair::generate(24).unwrap();
    let hot = Keypair::generate(12).unwrap();
    wallet.create_coldkey(&cold, Some(PASSWORD), &KdfParams::default(), false).unwrap();
    wallet.create_hotkey(&hot, None, &KdfParams::default(), false).unwrap();

    let message = "a python signature verifies in taoplex".as_bytes();
    let root_s = root.path().to_str().unwrap();
    let opened =
        json(&run_py(&py, "open_wallet.py", &[root_s, "ours", "miner", &hex::encode(message)]));
    assert_eq!(opened["coldkey_ss58"], cold.ss58_address());
    assert_eq!(opened["coldkey_public"], cold.public().to_hex());
    assert_eq!(opened["coldkeypub_ss58"], cold.ss58_address());
    assert_eq!(opened["hotkey_ss58"], hot.ss58_address());
    assert_eq!(opened["hotkey_public"], hot.public().to_hex());
    assert_eq!(opened["hotkeypub_ss58"], hot.ss58_address());

    let sig = Signature::from_hex(opened["signature"].as_str().unwrap()).unwrap();
    let public = PublicKey::from_ss58(&cold.ss58_address()).unwrap();
    assert!(public.verify(message, &sig));
    assert!(!public.verify(b"something else", &sig));
    assert!(!hot.public().verify(message, &sig));
}

#[test]
fn python_verifies_uri_keys() {
    let Some(py) = python() else { return };
    // `//Alice` derived here signs; Python checks against the well-known address.
    let alice = Keypair::from_uri("//Alice").unwrap();
    let sig = alice.sign(b"hello");
    let ok = run_py(
        &py,
        "verify.py",
        &[
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
            &hex::encode(b"hello"),
            &sig.to_hex(),
        ],
    );
    assert_eq!(ok, "true");
}
