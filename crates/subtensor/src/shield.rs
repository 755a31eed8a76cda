//! MEV Shield (pallet `MevShield`): a coldkey's trade travels encrypted to the block author,
//! so nobody watching the pool can sandwich it.
//!
//! The signed inner extrinsic is encrypted to the ML-KEM-768 key the chain announces as
//! `MevShield.NextKey` (read at the best block, not the finalized one) and wrapped in
//! `MevShield.submit_encrypted`, which the same coldkey signs with nonce `n`; the inner
//! extrinsic carries nonce `n + 1`, and both live at most [`MAX_SHIELD_PERIOD`] blocks. The
//! block's proposer decrypts it and puts the inner extrinsic into the same block.
//!
//! Wire format of the ciphertext (Subtensor `pallets/shield`):
//! `twox_128(NextKey)` (16) ‖ KEM ciphertext length, u16 little-endian (2) ‖ ML-KEM-768
//! ciphertext (1088) ‖ XChaCha20 nonce (24) ‖ XChaCha20-Poly1305 ciphertext of the inner
//! extrinsic with its 16-byte tag. The AEAD key is the raw 32-byte ML-KEM shared secret; no
//! associated data.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ml_kem::kem::Encapsulate;
use ml_kem::{EncodedSizeUser, KemCore, MlKem768};
use rand::RngCore;

/// Bytes of an ML-KEM-768 encapsulation key.
pub const ENCAPSULATION_KEY_LEN: usize = 1184;
/// Bytes of an ML-KEM-768 ciphertext.
pub const KEM_CIPHERTEXT_LEN: usize = 1088;
/// Bytes of the XChaCha20 nonce.
pub const NONCE_LEN: usize = 24;
/// Bytes of the Poly1305 tag.
pub const TAG_LEN: usize = 16;
/// What the envelope adds to the inner extrinsic.
pub const OVERHEAD: usize = 16 + 2 + KEM_CIPHERTEXT_LEN + NONCE_LEN + TAG_LEN;
/// The chain's bound on `submit_encrypted`'s ciphertext.
pub const MAX_CIPHERTEXT_LEN: usize = 8192;
/// The outer (and inner) transaction's longest lifetime, blocks: the runtime refuses a longer
/// era for `submit_encrypted`.
pub const MAX_SHIELD_PERIOD: u64 = 8;

/// Why a transaction cannot be shielded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShieldError {
    /// The call is signed by a hotkey (weights, axon, …): MEV Shield is for coldkey trades
    /// only, and a hotkey must never submit through it.
    #[error(
        "{call} is signed by a hotkey; MEV Shield only carries coldkey-signed trades, submit it unshielded"
    )]
    HotkeyCall {
        /// The call's name.
        call: String,
    },
    /// The chain announced no usable key (the pallet is absent or `NextKey` is empty).
    #[error("the chain announces no MEV Shield key at the best block; retry, or pass --no-shield")]
    NoKey,
    /// `NextKey` is not an ML-KEM-768 encapsulation key.
    #[error("MevShield.NextKey is {len} bytes, not an ML-KEM-768 key of {ENCAPSULATION_KEY_LEN}")]
    BadKey {
        /// Its length.
        len: usize,
    },
    /// The inner extrinsic is too large for the envelope.
    #[error(
        "the signed transaction is {len} bytes; MEV Shield carries at most {} bytes",
        MAX_CIPHERTEXT_LEN - OVERHEAD
    )]
    TooLarge {
        /// The inner extrinsic's length.
        len: usize,
    },
    /// The encryption itself failed (should not happen with a valid key).
    #[error("encrypting for MEV Shield failed")]
    Encrypt,
}

/// Encrypts the signed inner extrinsic `inner` to the chain's `next_key`, in the wire format
/// of `submit_encrypted`.
pub fn seal(
    next_key: &[u8],
    inner: &[u8],
    rng: &mut (impl RngCore + rand::CryptoRng),
) -> Result<Vec<u8>, ShieldError> {
    if inner.len() + OVERHEAD > MAX_CIPHERTEXT_LEN {
        return Err(ShieldError::TooLarge { len: inner.len() });
    }
    let encoded = ml_kem::Encoded::<<MlKem768 as KemCore>::EncapsulationKey>::try_from(next_key)
        .map_err(|_| ShieldError::BadKey { len: next_key.len() })?;
    let key = <MlKem768 as KemCore>::EncapsulationKey::from_bytes(&encoded);
    let (kem_ciphertext, shared) = key.encapsulate(rng).map_err(|_| ShieldError::Encrypt)?;
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let aead =
        XChaCha20Poly1305::new_from_slice(shared.as_slice()).map_err(|_| ShieldError::Encrypt)?;
    let sealed =
        aead.encrypt(XNonce::from_slice(&nonce), inner).map_err(|_| ShieldError::Encrypt)?;

    let mut out = Vec::with_capacity(OVERHEAD + inner.len());
    out.extend_from_slice(&sp_crypto_hashing::twox_128(next_key));
    out.extend_from_slice(&(KEM_CIPHERTEXT_LEN as u16).to_le_bytes());
    out.extend_from_slice(kem_ciphertext.as_slice());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Whether a call of this kind may go through MEV Shield: only coldkey-signed calls. Hotkey
/// calls (weights, axon) are refused with [`ShieldError::HotkeyCall`].
pub fn check_shieldable(call: &chain::Call) -> Result<(), ShieldError> {
    use chain::Call as C;
    match call {
        C::SetWeights { .. }
        | C::CommitWeights { .. }
        | C::RevealWeights { .. }
        | C::ServeAxon { .. } => Err(ShieldError::HotkeyCall { call: call.name().to_string() }),
        C::Proxy { call: inner, .. } => check_shieldable(inner),
        C::BatchAll { calls } => calls.iter().try_for_each(check_shieldable),
        _ => Ok(()),
    }
}

/// Whether taoplex shields `call` by default: trades a sandwich could exploit (staking,
/// unstaking, swapping, moving and transferring stake), directly or through a proxy.
pub fn shielded_by_default(call: &chain::Call) -> bool {
    use chain::Call as C;
    match call {
        C::Proxy { call: inner, .. } => shielded_by_default(inner),
        // One trade in a batch is enough for a sandwich.
        C::BatchAll { calls } => calls.iter().any(shielded_by_default),
        C::TransferStake { .. } => true,
        other => other.is_stake_management(),
    }
}
