//! MEV Shield's block author: the node announces ML-KEM-768 keys as `MevShield.NextKey` and
//! opens the wrappers ([`Call::SubmitEncrypted`]) in the blocks it builds, putting each
//! decrypted transaction right after its wrapper, as Subtensor's proposer does.
//!
//! The keys are the author's, not the chain's: they live in the node, outside the runtime, so
//! state roots do not depend on them and a replay needs none (the block log records the
//! decrypted transactions). Subtensor rotates its key every block; localnet makes a key only
//! when a client reads `NextKey`, and a new one once the last was announced more than
//! [`ROTATE_AFTER`] blocks earlier, so fast-forwarding costs nothing. The author keeps its
//! last [`KEPT`] keys: longer than a wrapper, mortal for at most
//! [`chain::SHIELD_MAX_PERIOD`] blocks, can wait.
//!
//! Envelope (Subtensor `pallets/shield`): `twox_128(NextKey)` (16) ‖ KEM ciphertext length,
//! u16 little-endian (2) ‖ ML-KEM-768 ciphertext (1088) ‖ XChaCha20 nonce (24) ‖
//! XChaCha20-Poly1305 ciphertext of the signed inner extrinsic with its tag; the AEAD key is
//! the raw ML-KEM shared secret, no associated data.

use std::collections::VecDeque;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chain::{BlockNumber, Call};
use ml_kem::kem::Decapsulate;
use ml_kem::{EncodedSizeUser, KemCore, MlKem768};

use crate::runtime::{SHIELD_KEM_CIPHERTEXT, shield_envelope_error};

/// Blocks after its announcement that a key is still handed out.
const ROTATE_AFTER: BlockNumber = 2;
/// Keys the author can still decrypt with.
const KEPT: usize = 8;

struct AuthorKey {
    announced: BlockNumber,
    public: Vec<u8>,
    hash: [u8; 16],
    secret: <MlKem768 as KemCore>::DecapsulationKey,
}

/// The block author's MEV Shield keys.
#[derive(Default)]
pub(crate) struct ShieldKeys {
    keys: VecDeque<AuthorKey>,
}

impl ShieldKeys {
    /// The key to encrypt to at head `head` (`MevShield.NextKey`), made if due.
    pub(crate) fn next_key(&mut self, head: BlockNumber) -> Vec<u8> {
        match self.keys.back() {
            Some(k) if head <= k.announced.saturating_add(ROTATE_AFTER) => k.public.clone(),
            _ => {
                let (secret, public) = MlKem768::generate(&mut rand::rngs::OsRng);
                let public = public.as_bytes().to_vec();
                if self.keys.len() == KEPT {
                    self.keys.pop_front();
                }
                let hash = sp_crypto_hashing::twox_128(&public);
                self.keys.push_back(AuthorKey {
                    announced: head,
                    public: public.clone(),
                    hash,
                    secret,
                });
                public
            }
        }
    }

    /// The signed inner extrinsic a wrapper's `ciphertext` carries.
    pub(crate) fn open(&self, ciphertext: &[u8]) -> Result<Vec<u8>, String> {
        if let Some(why) = shield_envelope_error(ciphertext) {
            return Err(why);
        }
        let key =
            self.keys.iter().find(|k| k.hash[..] == ciphertext[..16]).ok_or(
                "encrypted to a key this node did not announce, or announced too long ago",
            )?;
        let kem_end = 18 + SHIELD_KEM_CIPHERTEXT;
        let (kem, rest) = ciphertext[18..].split_at(SHIELD_KEM_CIPHERTEXT);
        debug_assert_eq!(kem_end + rest.len(), ciphertext.len());
        let (nonce, sealed) = rest.split_at(24);
        let kem = kem.try_into().map_err(|_| "a KEM ciphertext of the wrong size")?;
        let shared =
            key.secret.decapsulate(&kem).map_err(|_| "the KEM ciphertext does not open")?;
        XChaCha20Poly1305::new_from_slice(shared.as_slice())
            .map_err(|_| "a shared secret of the wrong size")?
            .decrypt(XNonce::from_slice(nonce), sealed)
            .map_err(|_| "the transaction does not decrypt with the key it names".to_string())
    }
}

/// Whether a block's transactions hold a wrapper to open.
pub(crate) fn has_wrapper(txs: &[chain::SignedTransaction]) -> bool {
    txs.iter().any(|tx| matches!(tx.call, Call::SubmitEncrypted { .. }))
}
