//! Views over answers never recorded (all subnets, quotes, stakes, submissions), encoded
//! against the spec-393 metadata's types and served by the replay server at a recorded block.

use chain::{Chain, Side, TxStatus};
use futures::StreamExt;
use serde_json::json;
use subtensor::runtime::Runtime;

use crate::common::{fixtures, replay, runtime};
use crate::encode;

/// Block 7,959,608: its header and its parent's runtime version are recorded.
const HEAD: &str = "0x48795d0cb44df9867fbe9b6a7ea035e3e6406ad9b10b5b49af8b2b2f7efe6927";

fn serve(
    replay: &test_support::replay::Replay,
    runtime: &Runtime,
    api: &str,
    method: &str,
    args: &str,
    value: &scale_value::Value,
) {
    let bytes = encode::api_answer(runtime, api, method, value);
    replay.answer(
        "state_call",
        json!([format!("{api}_{method}"), args, HEAD]),
        json!(format!("0x{}", hex::encode(bytes))),
    );
}

#[tokio::test]
async fn all_subnets_come_from_one_dynamic_info_answer_with_the_runtime_prices() {
    let Some(finney) = fixtures() else { return };
    let runtime = runtime(&finney, "spec393");
    let (replay, client) = replay(&finney, "spec393").await;
    replay.answer("chain_getHead", json!([]), json!(HEAD));
    let subnets =
        [(0, 5_000_000_000_000, 5_000_000_000_000), (1, 22_079_400_556_774, 2_316_467_425_363_654)];
    serve(
        &replay,
        &runtime,
        "SubnetInfoRuntimeApi",
        "get_all_dynamic_info",
        "0x",
        &encode::all_dynamic_info(&subnets),
    );
    serve(
        &replay,
        &runtime,
        "SwapRuntimeApi",
        "current_alpha_price_all",
        "0x",
        &encode::prices(&[(0, 1_000_000_000), (1, 9_600_000)]),
    );

    // Every subnet's neuron count and fee rate, in one storage query each: SN0 has no fee
    // rate stored (the runtime's default), SN1 0.3 %.
    let storage = |pallet: &str, item: &str, values: [Option<&str>; 2]| {
        let keys: Vec<String> = [0u16, 1]
            .iter()
            .map(|n| {
                let key = runtime.storage_key(pallet, item, &[&n.to_le_bytes()]).unwrap();
                hex::encode(key)
            })
            .collect();
        let changes: Vec<_> = keys.iter().zip(values).map(|(k, v)| json!([k, v])).collect();
        replay.answer(
            "state_queryStorageAt",
            json!([keys, HEAD.trim_start_matches("0x")]),
            json!([{ "block": HEAD, "changes": changes }]),
        );
    };
    storage("SubtensorModule", "SubnetworkN", [Some("0x4000"), Some("0x0001")]);
    storage("Swap", "FeeRate", [None, Some("0xc400")]);

    let got = client.subnets().await.unwrap();
    assert_eq!(got.iter().map(|s| s.netuid).collect::<Vec<_>>(), vec![0, 1]);
    assert_eq!((got[0].neuron_count, got[1].neuron_count), (64, 256));
    let default_fee =
        u16::from_le_bytes(runtime.storage_default("Swap", "FeeRate").unwrap().try_into().unwrap());
    assert_eq!((got[0].pool.fee_rate, got[1].pool.fee_rate), (default_fee, 196));
    assert_eq!(got[1].hyperparameters.fee_rate, 196);
    // Both inject 9,531,940 rao a block: half the emission each.
    assert_eq!((got[0].emission_share_ppb, got[1].emission_share_ppb), (500_000_000, 500_000_000));
    let sn1 = &got[1];
    assert_eq!(sn1.identity.name, "subnet 1");
    assert_eq!(sn1.identity.symbol, "α");
    assert_eq!(sn1.identity.url, "https://example.org");
    assert_eq!(sn1.owner_hotkey.0, [1; 32]);
    assert_eq!(sn1.pool.tao_reserve, 22_079_400_556_774);
    assert_eq!(sn1.pool.alpha_in, 2_316_467_425_363_654);
    assert_eq!(sn1.pool.price, 9_600_000, "the runtime's price, not the reserve ratio");
    assert_eq!(sn1.pool.moving_price, 9_515_669);
    assert_eq!(sn1.pool.volume, 609_202_105_066_978);
    assert_eq!(sn1.hyperparameters.tempo, 360);
    assert_eq!(sn1.registered_at, 101);
}

#[tokio::test]
async fn a_quote_and_a_coldkeys_stakes_decode_from_the_runtime_types() {
    let Some(finney) = fixtures() else { return };
    let runtime = runtime(&finney, "spec393");
    let (replay, client) = replay(&finney, "spec393").await;
    replay.answer("chain_getHead", json!([]), json!(HEAD));
    // sim_swap_tao_for_alpha(netuid 1, 1 TAO): 1 TAO in (fee 0.05%), 104.9 alpha out.
    serve(
        &replay,
        &runtime,
        "SwapRuntimeApi",
        "sim_swap_tao_for_alpha",
        "0x010000ca9a3b00000000",
        &encode::sim_swap(1_000_000_000, 104_900_000_000, 500_000, 0),
    );
    serve(
        &replay,
        &runtime,
        "SubnetInfoRuntimeApi",
        "get_dynamic_info",
        "0x0100",
        &scale_value::Value::unnamed_variant(
            "Some",
            [encode::dynamic_info(1, 22_079_400_556_774, 2_316_467_425_363_654)],
        ),
    );
    let quote = client.quote(1, Side::Buy, 1_000_000_000).await.unwrap();
    assert_eq!(quote.amount_out, 104_900_000_000);
    assert_eq!(quote.fee, 500_000);
    assert_eq!(quote.delta_in, 999_500_000);
    assert_eq!(quote.reserves_before.tao, 22_079_400_556_774);
    assert_eq!(quote.reserves_after.alpha, 2_316_467_425_363_654 - 104_900_000_000);

    let coldkey = [9u8; 32];
    let args = format!("0x{}", hex::encode(coldkey));
    serve(
        &replay,
        &runtime,
        "StakeInfoRuntimeApi",
        "get_stake_info_for_coldkey",
        &args,
        &encode::stake_infos(coldkey, &[(3, 64, 5), (2, 1, 7), (4, 1, 0)]),
    );
    let stakes = client.stakes(chain::AccountId(coldkey)).await.unwrap();
    let got: Vec<_> = stakes.iter().map(|s| (s.hotkey.0[0], s.netuid, s.alpha)).collect();
    assert_eq!(got, vec![(2, 1, 7), (3, 64, 5)], "ordered by subnet, empty positions left out");
}

#[tokio::test]
async fn a_submission_is_followed_from_the_pool_to_finality_and_a_pool_refusal_is_named() {
    let Some(finney) = fixtures() else { return };
    let (replay, client) = replay(&finney, "spec393").await;
    let extrinsic = vec![0x84, 1, 2, 3];
    let hash = format!("0x{}", hex::encode(sp_crypto_hashing::blake2_256(&extrinsic)));
    // The block it lands in is 7,959,608, whose events are recorded; its body is not, so the
    // test serves one holding the transaction at index 14 (the recorded StakeAdded's).
    let mut body: Vec<String> = (0..14).map(|i| format!("0x0{i:x}")).collect();
    body.push(format!("0x{}", hex::encode(&extrinsic)));
    replay.answer("chain_getBlock", json!([HEAD]), json!({"block": {"extrinsics": body}}));
    replay.subscription(
        "author_submitAndWatchExtrinsic",
        json!(["0x84010203"]),
        vec![json!("ready"), json!({"inBlock": HEAD}), json!({"finalized": HEAD})],
    );
    let statuses: Vec<_> =
        client.submit_extrinsic(extrinsic).await.unwrap().take(3).collect().await;
    let statuses: Vec<TxStatus> = statuses.into_iter().map(Result::unwrap).collect();
    assert_eq!(statuses[0], TxStatus::Ready { hash: hash.parse().unwrap() });
    match &statuses[1] {
        TxStatus::InBlock { number, index, result, events, .. } => {
            assert_eq!((*number, *index), (7_959_608, 14));
            assert_eq!(result, &Ok(()));
            assert!(events.iter().any(|r| r.event.name() == "StakeAdded"));
        }
        other => panic!("expected InBlock, got {other:?}"),
    }
    assert!(matches!(statuses[2], TxStatus::Finalized { number: 7_959_608, .. }));

    // Refusals by the pool are named with the node's reason.
    replay.refuse(
        "author_submitAndWatchExtrinsic",
        json!(["0x8409"]),
        1010,
        "Invalid Transaction: Transaction has a bad signature",
    );
    let refused = client.submit_extrinsic(vec![0x84, 9]).await.err().unwrap();
    assert!(
        matches!(refused, chain::ChainError::Invalid(chain::TxValidityError::BadProof)),
        "{refused}"
    );
    replay.refuse(
        "author_submitAndWatchExtrinsic",
        json!(["0x840a"]),
        1010,
        "Invalid Transaction: Custom error: 8",
    );
    let refused = client.submit_extrinsic(vec![0x84, 10]).await.err().unwrap();
    assert!(refused.to_string().contains("Custom error: 8"), "{refused}");
}

#[tokio::test]
async fn a_shielded_trade_wraps_the_signed_inner_extrinsic_with_nonces_n_and_n_plus_1() {
    use chacha20poly1305::aead::{Aead, KeyInit};
    use ml_kem::kem::Decapsulate;
    use ml_kem::{EncodedSizeUser, KemCore, MlKem768};
    use parity_scale_codec::{Compact, Decode, Encode};
    use subtensor::shield::{KEM_CIPHERTEXT_LEN, NONCE_LEN};
    use subtensor::tx::{Era, TxParts, signed_extrinsic, signer_payload};

    let Some(finney) = fixtures() else { return };
    let runtime = runtime(&finney, "spec393");
    let (replay, client) = replay(&finney, "spec393").await;
    replay.answer("chain_getHead", json!([]), json!(HEAD));
    let alice = keys::Keypair::from_uri("//Alice").unwrap();
    let signer = chain::Signer::account(&alice);
    replay.answer(
        "state_call",
        json!(["AccountNonceApi_account_nonce", format!("0x{}", hex::encode(signer.0)), HEAD]),
        json!("0x05000000"),
    );
    let (author_key, next_key) = MlKem768::generate(&mut rand::rngs::OsRng);
    let next_key = next_key.as_bytes().to_vec();
    let storage = runtime.storage_key("MevShield", "NextKey", &[]).unwrap();
    replay.answer(
        "state_getStorageAt",
        json!([format!("0x{}", hex::encode(storage)), HEAD]),
        json!(format!("0x{}", hex::encode(next_key.encode()))),
    );

    let call = chain::Call::AddStake {
        hotkey: signer,
        netuid: 75,
        amount_staked: chain::Tao::from_rao(10_000_000_000),
    };
    let (outer, sent_inner) = client
        .shielded_extrinsics(&alice, call.clone(), chain::TxOptions::default())
        .await
        .unwrap();

    // The outer call is MevShield (30).submit_encrypted (1) with the ciphertext as its last bytes.
    let (start, ciphertext) = (0..outer.len() - 3)
        .find_map(|i| {
            let rest = outer.get(i..)?.strip_prefix(&[30u8, 1][..])?;
            let mut input = rest;
            let len = Compact::<u32>::decode(&mut input).ok()?.0 as usize;
            (len == input.len()).then(|| (i, input.to_vec()))
        })
        .expect("a submit_encrypted call at the end");
    assert!(start > 0);
    assert_eq!(&ciphertext[..16], &sp_crypto_hashing::twox_128(&next_key));
    let kem = &ciphertext[18..18 + KEM_CIPHERTEXT_LEN];
    let nonce = &ciphertext[18 + KEM_CIPHERTEXT_LEN..18 + KEM_CIPHERTEXT_LEN + NONCE_LEN];
    let shared = author_key.decapsulate(&kem.try_into().unwrap()).unwrap();
    let aead = chacha20poly1305::XChaCha20Poly1305::new_from_slice(shared.as_slice()).unwrap();
    let inner = aead
        .decrypt(
            chacha20poly1305::XNonce::from_slice(nonce),
            &ciphertext[18 + KEM_CIPHERTEXT_LEN + NONCE_LEN..],
        )
        .unwrap();

    assert_eq!(inner, sent_inner);
    // Both are signed by Alice, mortal for 8 blocks from the head, with nonces 5 and 6.
    let era = Era::Mortal {
        period: 8,
        birth: 7_959_608,
        birth_hash: HEAD.parse::<chain::Hash>().unwrap().0,
    };
    let sig_at = |x: &[u8]| {
        let prefix = Compact::<u32>::decode(&mut &x[..]).unwrap().encode().len();
        prefix + 1 + 1 + 32 + 1
    };
    let inner_parts = TxParts { signer, call, nonce: 6, era, tip: 0 };
    let at = sig_at(&inner);
    let inner_sig: [u8; 64] = inner[at..at + 64].try_into().unwrap();
    assert_eq!(inner, signed_extrinsic(&runtime, &inner_parts, &inner_sig).unwrap());
    let payload = signer_payload(&runtime, &inner_parts).unwrap();
    assert!(alice.public().verify(&payload, &keys::Signature(inner_sig)));

    let outer_parts = TxParts {
        signer,
        call: chain::Call::SubmitEncrypted { ciphertext },
        nonce: 5,
        era,
        tip: 0,
    };
    let at = sig_at(&outer);
    let outer_sig: [u8; 64] = outer[at..at + 64].try_into().unwrap();
    assert_eq!(outer, signed_extrinsic(&runtime, &outer_parts, &outer_sig).unwrap());
    assert!(
        alice
            .public()
            .verify(&signer_payload(&runtime, &outer_parts).unwrap(), &keys::Signature(outer_sig))
    );

    // A hotkey call never reaches the chain through the shield.
    let weights =
        chain::Call::SetWeights { netuid: 1, dests: vec![0], weights: vec![1], version_key: 0 };
    let refused = client
        .shielded_extrinsics(&alice, weights, chain::TxOptions::default())
        .await
        .err()
        .unwrap();
    assert!(matches!(
        refused,
        subtensor::SubtensorError::Shield(subtensor::shield::ShieldError::HotkeyCall { .. })
    ));
}
