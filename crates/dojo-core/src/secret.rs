//! The secrets Dojo's services hand out — session tokens, CSRF tokens, invite and API keys —
//! and how they are kept: drawn from the operating system's random source, and stored only as
//! their SHA-256 where the service need not show them again.

use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// `bytes` random bytes from the OS, as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// SHA-256 of `secret`, lowercase hex: what a store keeps instead of the secret.
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_fresh_and_hashes_are_sha256() {
        assert_eq!(random_hex(32).len(), 64);
        assert_ne!(random_hex(32), random_hex(32));
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
