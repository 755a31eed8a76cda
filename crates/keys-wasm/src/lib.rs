//! The `keys` crate for the browser: what the terminal's wallet needs, as a WebAssembly module
//! with plain C-ABI exports, so signing in the page runs the very code the CLI runs.
//!
//! # Purpose
//! The wallet page keeps a *secret* (a mnemonic, or `0x` + a 32-byte seed, or `0x` + a 64-byte
//! sr25519 secret key; `//Alice`-style URIs work too) encrypted in IndexedDB, and calls this
//! module to create one ([`generate`]), check one and get its address ([`inspect`]), open a
//! `bittensor-wallet` coldkey file with its password ([`from_keyfile`], Argon2i: seconds by
//! design), and sign a prepared transaction's payload ([`sign`]).
//!
//! # The ABI (see [`ffi`] and the terminal's `assets/wallet/keys.js`)
//! `kw_alloc`/`kw_free` give JavaScript buffers for the inputs; each call returns 0 on success
//! or 1 on failure and leaves its answer (JSON, or the error message) in one output buffer
//! (`kw_out_ptr`, `kw_out_len`), which `kw_out_clear` zeroes. Randomness is imported from the
//! page as `env.random_fill(ptr, len)` (`crypto.getRandomValues`).
//!
//! # Example
//! ```
//! let made = keys_wasm::generate(12)?;
//! let v: serde_json::Value = serde_json::from_str(&made).map_err(|e| e.to_string())?;
//! let secret = v["secret"].as_str().unwrap_or_default();
//! let signature = keys_wasm::sign(secret, b"payload")?;
//! let public = keys::PublicKey::from_ss58(v["address"].as_str().unwrap_or_default())
//!     .map_err(|e| e.to_string())?;
//! let bytes: [u8; 64] = hex::decode(&signature[2..]).map_err(|e| e.to_string())?
//!     .try_into().map_err(|_| "64 bytes")?;
//! assert!(public.verify(b"payload", &keys::Signature(bytes)));
//! # Ok::<(), String>(())
//! ```
//!
//! # Design decisions
//! - No wasm-bindgen: its CLI would be one more pinned tool for CI to install, and the surface
//!   is four functions over bytes. The price is a small `unsafe` FFI module.
//! - Secrets cross the boundary only as inputs and answers; both buffers are zeroed after use.
//!
//! ## Feature flags
//! None.

pub mod ffi;

use keys::{KdfParams, Keypair};
use serde_json::json;
use zeroize::Zeroizing;

/// A key pair from a secret as the wallet stores it: `0x` + 64 hex digits (a seed), `0x` + 128
/// (an sr25519 secret key), else a mnemonic or secret URI (`phrase//hard/soft`, `//Alice`).
pub fn keypair(secret: &str) -> Result<Keypair, String> {
    let secret = secret.trim();
    match secret.strip_prefix("0x") {
        Some(h) if h.len() == 64 => Keypair::from_seed_hex(secret).map_err(|e| e.to_string()),
        Some(h) if h.len() == 128 => {
            let bytes = Zeroizing::new(hex::decode(h).map_err(|_| "the secret key is not hex")?);
            let bytes: &[u8; 64] =
                bytes.as_slice().try_into().map_err(|_| "the secret key is not 64 bytes")?;
            Keypair::from_secret_key_bytes(bytes).map_err(|e| e.to_string())
        }
        Some(_) => Err("a hex secret is a 32-byte seed or a 64-byte secret key".into()),
        None => Keypair::from_uri(secret).map_err(|e| e.to_string()),
    }
}

fn described(pair: &Keypair, secret: Option<&str>) -> Zeroizing<String> {
    let mut v = json!({ "address": pair.ss58_address(), "public": pair.public().to_hex() });
    if let Some(s) = secret {
        v["secret"] = json!(s);
    }
    Zeroizing::new(v.to_string())
}

/// A new key from a fresh mnemonic of `words` words: `{"secret", "address", "public"}`.
pub fn generate(words: usize) -> Result<Zeroizing<String>, String> {
    let pair = Keypair::generate(words).map_err(|e| e.to_string())?;
    let phrase = pair.phrase().ok_or("a generated key has its phrase")?;
    Ok(described(&pair, Some(phrase)))
}

/// The address and public key of `secret`: `{"address", "public"}`.
pub fn inspect(secret: &str) -> Result<Zeroizing<String>, String> {
    Ok(described(&keypair(secret)?, None))
}

/// Opens a `bittensor-wallet` keyfile's contents with `password` (Argon2i at the wallet's
/// parameters: seconds and 512 MiB, by design): `{"secret", "address", "public"}`, the secret
/// being the file's mnemonic when it holds one.
pub fn from_keyfile(data: &[u8], password: &str) -> Result<Zeroizing<String>, String> {
    let name = std::path::Path::new("the keyfile");
    let password = (!password.is_empty()).then_some(password);
    let pair = keys::keyfile::keypair_from_bytes(name, data, password, &KdfParams::default())
        .map_err(|e| e.to_string())?;
    let secret: Zeroizing<String> = match (pair.phrase(), pair.seed()) {
        (Some(phrase), _) => Zeroizing::new(phrase.to_string()),
        (None, Some(seed)) => Zeroizing::new(format!("0x{}", hex::encode(seed))),
        (None, None) => Zeroizing::new(format!("0x{}", hex::encode(*pair.secret_key_bytes()))),
    };
    Ok(described(&pair, Some(&secret)))
}

/// Signs `message` with `secret`'s key: `0x` + the 64-byte sr25519 signature in hex.
pub fn sign(secret: &str, message: &[u8]) -> Result<String, String> {
    Ok(format!("0x{}", hex::encode(keypair(secret)?.sign(message).0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_form_signs_for_its_address() {
        let alice = Keypair::from_uri("//Alice").unwrap();
        let seed = format!(
            "0x{}",
            hex::encode(Keypair::from_phrase(keys::DEV_PHRASE).unwrap().seed().unwrap())
        );
        let sk = format!("0x{}", hex::encode(*alice.secret_key_bytes()));
        for (secret, address) in [
            ("//Alice", alice.ss58_address()),
            (sk.as_str(), alice.ss58_address()),
            (keys::DEV_PHRASE, Keypair::from_phrase(keys::DEV_PHRASE).unwrap().ss58_address()),
            (seed.as_str(), Keypair::from_phrase(keys::DEV_PHRASE).unwrap().ss58_address()),
        ] {
            let v: serde_json::Value = serde_json::from_str(&inspect(secret).unwrap()).unwrap();
            assert_eq!(v["address"], address, "{secret}");
            let sig = sign(secret, b"payload").unwrap();
            let bytes: [u8; 64] = hex::decode(&sig[2..]).unwrap().try_into().unwrap();
            let public = keys::PublicKey::from_ss58(&address).unwrap();
            assert!(public.verify(b"payload", &keys::Signature(bytes)), "{secret}");
        }
        assert!(inspect("0x1234").is_err());
        assert!(inspect("not a mnemonic at all").is_err());
    }

    #[test]
    fn a_plain_keyfile_opens_without_password() {
        let alice = Keypair::from_uri("//Alice").unwrap();
        let json = keys::keyfile::keypair_json(&alice);
        let v: serde_json::Value =
            serde_json::from_str(&from_keyfile(json.as_bytes(), "").unwrap()).unwrap();
        assert_eq!(v["address"], alice.ss58_address());
        assert!(from_keyfile(b"$NACL garbage", "pw").is_err());
    }
}
