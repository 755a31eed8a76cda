//! `taoplex calc`: the binary agrees with the reference vectors and rejects bad input with exit 2.

use std::process::{Command, Output};

fn calc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taoplex")).arg("calc").args(args).output().unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = calc(args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn swap_json_matches_vector_v1_and_v6() {
    let pool = ["swap", "--tao-reserve", "1000", "--alpha-reserve", "100000 alpha", "--json"];
    let buy = json(&[&pool[..], &["--buy", "1 TAO"]].concat());
    assert_eq!(buy["fee_rao"], "503547");
    assert_eq!(buy["net_in_rao"], "999496453");
    assert_eq!(buy["amount_out_rao"], "99849845733");
    assert_eq!(buy["minimum_received_rao"], "99350596504");
    let sell = json(&[&pool[..], &["--sell", "100α"]].concat());
    assert_eq!(sell["amount_out_rao"], "998498456");
    assert_eq!(sell["author_tao_rao"], "502542");
    assert_eq!(sell["reserves_after"]["tao_rao"], "999000999002");
}

#[test]
fn swap_text_shows_the_quote() {
    let out = calc(&["swap", "--tao-reserve", "1000", "--alpha-reserve", "100000", "--buy", "1"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(text.contains("amount out              99.849845733 α"), "{text}");
    assert!(text.contains("fee                     0.000503547 τ"), "{text}");
    assert!(text.contains("price impact"), "{text}");
}

#[test]
fn limit_orders_refuse_or_fill_partially() {
    let args = [
        "swap",
        "--tao-reserve",
        "1000",
        "--alpha-reserve",
        "100000",
        "--buy",
        "100",
        "--limit-price",
        "0.0101",
    ];
    let refused = calc(&args);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("SlippageTooHigh"));
    let partial = json(&[&args[..], &["--partial", "--json"]].concat());
    assert_eq!(partial["limit_reached"], true);
    assert_eq!(partial["refund_rao"], "95009925148");
}

#[test]
fn emission_matches_vector_e1() {
    for (issuance, emission) in [
        ("0", "1000000000"),
        ("10600000", "500000000"),
        ("16000000", "250000000"),
        ("20500000", "31250000"),
        ("21000000", "0"),
    ] {
        let out = json(&["emission", "--issuance", issuance, "--json"]);
        assert_eq!(out["block_emission_rao"], emission, "issuance {issuance}");
    }
}

#[test]
fn bad_input_is_a_clear_message_and_exit_2() {
    for (args, needle) in [
        (vec!["swap", "--tao-reserve", "-5", "--alpha-reserve", "1", "--buy", "1"], "negative"),
        (
            vec!["swap", "--tao-reserve", "1.0000000001", "--alpha-reserve", "1", "--buy", "1"],
            "decimals",
        ),
        (
            vec!["swap", "--tao-reserve", "lots", "--alpha-reserve", "1", "--buy", "1"],
            "not an amount",
        ),
        (vec!["swap", "--tao-reserve", "1", "--alpha-reserve", "1"], "--buy"),
        (
            vec!["swap", "--tao-reserve", "1", "--alpha-reserve", "1", "--buy", "1", "--sell", "1"],
            "cannot be used",
        ),
        (
            vec![
                "swap",
                "--tao-reserve",
                "1",
                "--alpha-reserve",
                "1",
                "--buy",
                "1",
                "--quote-weight",
                "0.999",
            ],
            "outside",
        ),
        (vec!["emission", "--issuance", "99999999999999999999"], "too large"),
    ] {
        let out = calc(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}
