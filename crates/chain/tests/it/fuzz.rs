//! Fuzzing SCALE transaction decoding (`SignedTransaction::from_hex`): arbitrary bytes and hex,
//! valid transactions truncated, extended, spliced and bit-flipped. See `docs/fuzzing.md`.

use chain::{AccountId, Call, Hash, Mortality, SignedTransaction, SigningContext, TxValidityError};
use parity_scale_codec::Encode;
use proptest::prelude::*;
use test_support::fuzz::{bytes, config, mutated, text};

fn context() -> SigningContext {
    SigningContext { genesis_hash: Hash([7; 32]), spec_version: 3 }
}

fn id(uri: &str) -> AccountId {
    AccountId::from(keys::Keypair::from_uri(uri).unwrap().public())
}

/// Valid signed transactions of several shapes (scalars, vectors, options, a nested proxy call).
fn valid() -> &'static [SignedTransaction] {
    static TXS: std::sync::OnceLock<Vec<SignedTransaction>> = std::sync::OnceLock::new();
    TXS.get_or_init(|| {
        let alice = keys::Keypair::from_uri("//Alice").unwrap();
        let calls = vec![
            Call::Transfer { dest: id("//Bob"), amount: chain::Tao::from_rao(1_500_000_000) },
            Call::AddStake {
                hotkey: id("//Bob"),
                netuid: 1,
                amount_staked: chain::Tao::from_rao(u64::MAX),
            },
            Call::SetWeights {
                netuid: 1,
                dests: vec![0, 1, 2],
                weights: vec![1, u16::MAX, 7],
                version_key: 0,
            },
            Call::Proxy {
                real: id("//Bob"),
                call: Box::new(Call::RemoveStake {
                    hotkey: id("//Bob"),
                    netuid: 2,
                    amount_unstaked: chain::Alpha::from_rao(5),
                }),
            },
        ];
        calls
            .into_iter()
            .enumerate()
            .map(|(i, call)| {
                SignedTransaction::sign(
                    &alice,
                    call,
                    i as u64,
                    Mortality::new(100, 64),
                    0,
                    &context(),
                )
            })
            .collect()
    })
}

/// Decodes `hex`: no panic; an accepted transaction re-encodes to the same bytes (SCALE is
/// canonical here) and its signature verifies exactly when it is byte-identical to a signed one;
/// a refusal is `Malformed`.
fn check(hex: &str) -> Result<(), TestCaseError> {
    match SignedTransaction::from_hex(hex) {
        Ok(tx) => {
            let digits = hex.strip_prefix("0x").unwrap_or(hex).to_ascii_lowercase();
            prop_assert_eq!(tx.to_hex(), format!("0x{digits}"));
            prop_assert_eq!(SignedTransaction::from_hex(&tx.to_hex()), Ok(tx.clone()));
            let original = valid().contains(&tx);
            prop_assert_eq!(tx.verify_signature(&context()).is_ok(), original, "{:?}", tx);
        }
        Err(e) => prop_assert!(matches!(e, TxValidityError::Malformed(_)), "{}", e),
    }
    Ok(())
}

fn encodings() -> Vec<Vec<u8>> {
    valid().iter().map(Encode::encode).collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_tx_arbitrary_bytes(data in bytes(300)) {
        check(&format!("0x{}", to_hex(&data)))?;
    }

    #[test]
    fn fuzz_tx_arbitrary_text(s in text(80)) {
        check(&s)?;
    }

    #[test]
    fn fuzz_tx_mutated_transactions(data in mutated(encodings()), prefix in any::<bool>()) {
        check(&format!("{}{}", if prefix { "0x" } else { "" }, to_hex(&data)))?;
    }
}

#[test]
fn valid_transactions_round_trip() {
    for tx in valid() {
        assert_eq!(SignedTransaction::from_hex(&tx.to_hex()).unwrap(), *tx);
        tx.verify_signature(&context()).unwrap();
    }
}

#[test]
fn fuzz_regression_deeply_nested_proxy_calls_are_refused_not_a_stack_overflow() {
    // Found while fuzzing: `Proxy { call: Box<Call> }` decodes recursively, so a few hundred
    // kilobytes of nested proxies overflowed the decoding thread's stack (an abort, not a
    // panic) — in the node, from one RPC request. Substrate bounds the depth the same way.
    let tx = &valid()[0];
    let bob = id("//Bob");
    let mut bytes = (tx.signer, tx.nonce, tx.mortality, tx.tip).encode();
    // Encoding recurses too: build the nested call's bytes by hand instead of `call.encode()`.
    let proxy_prefix = Call::Proxy { real: bob, call: Box::new(tx.call.clone()) }.encode();
    let inner = tx.call.encode();
    let layer = &proxy_prefix[..proxy_prefix.len() - inner.len()];
    for _ in 0..50_000 {
        bytes.extend_from_slice(layer);
    }
    bytes.extend_from_slice(&inner);
    bytes.extend_from_slice(&tx.signature);
    // A 2 MiB stack, as a Tokio worker has.
    let result = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || SignedTransaction::from_hex(&format!("0x{}", to_hex(&bytes))))
        .unwrap()
        .join()
        .unwrap();
    assert!(
        matches!(&result, Err(TxValidityError::Malformed(m)) if m.contains("depth")),
        "{result:?}"
    );
    // The deepest nesting within the limit still decodes, on the same small stack.
    let alice = keys::Keypair::from_uri("//Alice").unwrap();
    let deepest = (1..).find_map(|levels| {
        let mut call = tx.call.clone();
        for _ in 0..levels {
            call = Call::Proxy { real: bob, call: Box::new(call) };
        }
        let nested = SignedTransaction::sign(&alice, call, 0, Mortality::new(1, 64), 0, &context());
        SignedTransaction::from_hex(&nested.to_hex()).is_err().then_some(levels - 1)
    });
    let deepest = deepest.unwrap();
    assert!(deepest >= 16, "only {deepest} nested proxies decode");
    let mut call = tx.call.clone();
    for _ in 0..deepest {
        call = Call::Proxy { real: bob, call: Box::new(call) };
    }
    let nested = SignedTransaction::sign(&alice, call, 0, Mortality::new(1, 64), 0, &context());
    let hex = nested.to_hex();
    let decoded = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || SignedTransaction::from_hex(&hex))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(decoded.unwrap(), nested);
}
