//! MEV Shield: the envelope decrypts with the author's key, byte for byte as the pallet
//! reads it, and hotkey calls are refused.

use chain::Call;
use ml_kem::kem::Decapsulate;
use ml_kem::{EncodedSizeUser, KemCore, MlKem768};
use subtensor::shield::{self, KEM_CIPHERTEXT_LEN, NONCE_LEN, OVERHEAD, ShieldError};

#[test]
fn a_sealed_transaction_decapsulates_and_decrypts_to_the_inner_extrinsic() {
    use chacha20poly1305::aead::{Aead, KeyInit};
    let mut rng = rand::rngs::OsRng;
    let (decapsulation, encapsulation) = MlKem768::generate(&mut rng);
    let next_key = encapsulation.as_bytes().to_vec();
    assert_eq!(next_key.len(), shield::ENCAPSULATION_KEY_LEN);
    let inner = b"\x84 a signed inner extrinsic".to_vec();

    let sealed = shield::seal(&next_key, &inner, &mut rng).unwrap();
    assert_eq!(sealed.len(), OVERHEAD + inner.len());
    assert_eq!(&sealed[..16], &sp_crypto_hashing::twox_128(&next_key));
    assert_eq!(u16::from_le_bytes([sealed[16], sealed[17]]) as usize, KEM_CIPHERTEXT_LEN);
    let kem_ct = &sealed[18..18 + KEM_CIPHERTEXT_LEN];
    let nonce = &sealed[18 + KEM_CIPHERTEXT_LEN..18 + KEM_CIPHERTEXT_LEN + NONCE_LEN];
    let aead_ct = &sealed[18 + KEM_CIPHERTEXT_LEN + NONCE_LEN..];

    let shared = decapsulation.decapsulate(&kem_ct.try_into().unwrap()).unwrap();
    let aead = chacha20poly1305::XChaCha20Poly1305::new_from_slice(shared.as_slice()).unwrap();
    let plain = aead.decrypt(chacha20poly1305::XNonce::from_slice(nonce), aead_ct).unwrap();
    assert_eq!(plain, inner);

    // Another seal of the same transaction shares nothing but the key hash.
    let again = shield::seal(&next_key, &inner, &mut rng).unwrap();
    assert_ne!(again[18..], sealed[18..]);
}

#[test]
fn hotkey_calls_are_refused_and_trades_are_shielded_by_default() {
    let hotkey: chain::AccountId =
        "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty".parse().unwrap();
    let weights =
        Call::SetWeights { netuid: 1, dests: vec![0], weights: vec![65535], version_key: 0 };
    assert!(matches!(shield::check_shieldable(&weights), Err(ShieldError::HotkeyCall { .. })));
    let proxied = Call::Proxy { real: hotkey, call: Box::new(weights) };
    assert!(shield::check_shieldable(&proxied).is_err());

    let stake =
        Call::AddStake { hotkey, netuid: 1, amount_staked: chain::Tao::from_rao(1_000_000_000) };
    assert!(shield::check_shieldable(&stake).is_ok());
    assert!(shield::shielded_by_default(&stake));
    let transfer = Call::Transfer { dest: hotkey, amount: chain::Tao::from_rao(1) };
    assert!(!shield::shielded_by_default(&transfer));

    // A batch is shielded if any leg trades, and refused if any leg is a hotkey call.
    let batch = Call::BatchAll { calls: vec![transfer.clone(), stake.clone()] };
    assert!(shield::check_shieldable(&batch).is_ok());
    assert!(shield::shielded_by_default(&batch));
    assert!(!shield::shielded_by_default(&Call::BatchAll { calls: vec![transfer] }));
    let with_weights = Call::BatchAll { calls: vec![stake, proxied] };
    assert!(matches!(shield::check_shieldable(&with_weights), Err(ShieldError::HotkeyCall { .. })));
}

#[test]
fn a_key_of_the_wrong_size_or_an_oversized_transaction_is_refused() {
    let mut rng = rand::rngs::OsRng;
    assert_eq!(shield::seal(&[1; 32], b"x", &mut rng), Err(ShieldError::BadKey { len: 32 }));
    let (_, ek) = MlKem768::generate(&mut rng);
    let too_big = vec![0; shield::MAX_CIPHERTEXT_LEN];
    assert!(matches!(
        shield::seal(ek.as_bytes().as_slice(), &too_big, &mut rng),
        Err(ShieldError::TooLarge { .. })
    ));
}
