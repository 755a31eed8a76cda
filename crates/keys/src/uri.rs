//! Secret URIs: `[phrase | 0x seed][//hard | /soft]*[///password]`, as Substrate and btcli read them.
//!
//! Without a phrase the Substrate development phrase is used, so `//Alice` is the well-known
//! development account. A junction that parses as a `u64` is SCALE-encoded as one, anything else
//! as a SCALE string; encodings longer than 32 bytes are replaced by their blake2b-256 hash.
//! Hard junctions use schnorrkel's hard derivation of a mini-secret (re-expanded in Ed25519
//! mode), soft junctions schnorrkel's soft derivation.

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use schnorrkel::ExpansionMode;
use schnorrkel::derive::{ChainCode, Derivation};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::pair::{Keypair, decode_hex_array, reason_of};

/// The Substrate development phrase behind `//Alice`, `//Bob`, ….
pub const DEV_PHRASE: &str =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

/// One step of a derivation path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Junction {
    /// `//name`: hard derivation (the child's secret cannot be found from the parent's public key).
    Hard([u8; 32]),
    /// `/name`: soft derivation (children's public keys follow from the parent's public key).
    Soft([u8; 32]),
}

impl Junction {
    /// The junction for one path element (without its slashes).
    #[must_use]
    pub fn new(code: &str, hard: bool) -> Self {
        let encoded = match code.parse::<u64>() {
            Ok(n) => n.to_le_bytes().to_vec(),
            Err(_) => {
                let mut v = compact_len(code.len());
                v.extend_from_slice(code.as_bytes());
                v
            }
        };
        let mut cc = [0u8; 32];
        if encoded.len() > 32 {
            cc.copy_from_slice(&Blake2b::<U32>::digest(&encoded));
        } else {
            cc[..encoded.len()].copy_from_slice(&encoded);
        }
        if hard { Junction::Hard(cc) } else { Junction::Soft(cc) }
    }
}

/// SCALE compact encoding of a length.
fn compact_len(n: usize) -> Vec<u8> {
    let n = n as u64;
    if n < 1 << 6 {
        vec![(n << 2) as u8]
    } else if n < 1 << 14 {
        (((n << 2) | 1) as u16).to_le_bytes().to_vec()
    } else if n < 1 << 30 {
        (((n << 2) | 2) as u32).to_le_bytes().to_vec()
    } else {
        let bytes = n.to_le_bytes();
        let len = 8 - (n.leading_zeros() / 8) as usize;
        let mut v = vec![(((len - 4) << 2) | 3) as u8];
        v.extend_from_slice(&bytes[..len]);
        v
    }
}

/// A parsed secret URI. Holds secrets: zeroized on drop, redacted in `Debug`.
pub struct SecretUri {
    phrase: Zeroizing<String>,
    junctions: Vec<Junction>,
    password: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for SecretUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretUri")
            .field("secret", &"<redacted>")
            .field("junctions", &self.junctions.len())
            .finish()
    }
}

impl SecretUri {
    /// Parses `[phrase | 0x seed][//hard | /soft]*[///password]`.
    ///
    /// # Errors
    /// [`Error::BadUri`] for an empty path element.
    pub fn parse(uri: &str) -> Result<Self> {
        let (body, password) = match uri.find("///") {
            Some(i) => (&uri[..i], Some(Zeroizing::new(uri[i + 3..].to_owned()))),
            None => (uri, None),
        };
        let split = body.find('/').unwrap_or(body.len());
        let (phrase, mut path) = body.split_at(split);
        let phrase = phrase.trim();
        let phrase = Zeroizing::new(if phrase.is_empty() { DEV_PHRASE } else { phrase }.to_owned());
        let mut junctions = Vec::new();
        while let Some(rest) = path.strip_prefix('/') {
            let (hard, rest) = match rest.strip_prefix('/') {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let end = rest.find('/').unwrap_or(rest.len());
            let code = &rest[..end];
            if code.is_empty() {
                return Err(Error::BadUri { reason: "empty path element".into() });
            }
            junctions.push(Junction::new(code, hard));
            path = &rest[end..];
        }
        Ok(SecretUri { phrase, junctions, password })
    }

    /// The derivation path.
    #[must_use]
    pub fn junctions(&self) -> &[Junction] {
        &self.junctions
    }

    /// The key pair this URI names.
    ///
    /// # Errors
    /// [`Error::BadUri`] when the phrase is not a valid mnemonic or the seed is malformed.
    pub fn to_keypair(&self) -> Result<Keypair> {
        let root = if self.phrase.starts_with("0x") {
            Keypair::from_seed(&Zeroizing::new(
                decode_hex_array::<32>("seed", &self.phrase).map_err(|e| Error::BadUri {
                    reason: format!("bad seed: {}", reason_of(&e)),
                })?,
            ))?
        } else {
            let pw = self.password.as_ref().map_or("", |p| p.as_str());
            Keypair::from_phrase_with_passphrase(&self.phrase, pw).map_err(|e| match e {
                Error::BadMnemonic { reason } => {
                    Error::BadUri { reason: format!("bad mnemonic: {reason}") }
                }
                other => other,
            })?
        };
        Ok(derive(root, &self.junctions))
    }
}

/// Derives a child pair along `path` (no-op for an empty path).
#[must_use]
pub fn derive(pair: Keypair, path: &[Junction]) -> Keypair {
    if path.is_empty() {
        return pair;
    }
    let mut kp = pair.pair.clone();
    for j in path {
        kp = match *j {
            Junction::Soft(cc) => kp.derived_key_simple(ChainCode(cc), []).0,
            Junction::Hard(cc) => kp
                .secret
                .hard_derive_mini_secret_key(Some(ChainCode(cc)), b"")
                .0
                .expand_to_keypair(ExpansionMode::Ed25519),
        };
    }
    Keypair { pair: kp, phrase: None, seed: None }
}

impl Keypair {
    /// The pair a secret URI names (`//Alice`, `phrase//hard/soft///password`, `0x…seed//path`).
    ///
    /// # Errors
    /// [`Error::BadUri`] when the URI, its mnemonic or its seed is malformed.
    pub fn from_uri(uri: &str) -> Result<Self> {
        SecretUri::parse(uri)?.to_keypair()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alice_and_bob() {
        let alice = Keypair::from_uri("//Alice").unwrap();
        assert_eq!(
            hex::encode(alice.public().0),
            "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        );
        assert_eq!(alice.ss58_address(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
        assert!(alice.phrase().is_none() && alice.seed().is_none());
        let bob = Keypair::from_uri("//Bob").unwrap();
        assert_eq!(bob.ss58_address(), "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty");
    }

    #[test]
    fn bare_phrase_keeps_phrase_and_seed() {
        let p = Keypair::from_uri(DEV_PHRASE).unwrap();
        assert_eq!(p.phrase(), Some(DEV_PHRASE));
        assert!(p.seed().is_some());
    }

    #[test]
    fn soft_derivation_is_deterministic_in_public_key() {
        let a = Keypair::from_uri("//Alice/stash").unwrap();
        let b = Keypair::from_uri("//Alice/stash").unwrap();
        assert_eq!(a.public(), b.public());
        assert_ne!(a.public(), Keypair::from_uri("//Alice//stash").unwrap().public());
        // Well-known Substrate dev account: //Alice//stash.
        assert_eq!(
            Keypair::from_uri("//Alice//stash").unwrap().ss58_address(),
            "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY"
        );
    }

    #[test]
    fn password_changes_the_key() {
        let a = Keypair::from_uri(&format!("{DEV_PHRASE}//Alice")).unwrap();
        assert_eq!(a.public(), Keypair::from_uri("//Alice").unwrap().public());
        let b = Keypair::from_uri("//Alice///secret").unwrap();
        assert_ne!(a.public(), b.public());
    }

    #[test]
    fn seed_uri() {
        let s = "0x4ed8d4b17698ddeaa1f1559f152f87b5d472f725ca86d341bd0276f1b61197e2";
        assert_eq!(
            Keypair::from_uri(s).unwrap().ss58_address(),
            "5EPCUjPxiHAcNooYipQFWr9NmmXJKpNG5RhcntXwbtUySrgH"
        );
    }

    #[test]
    fn junction_encoding() {
        assert_eq!(Junction::new("1", true), {
            let mut cc = [0u8; 32];
            cc[0] = 1;
            Junction::Hard(cc)
        });
        let Junction::Soft(cc) = Junction::new("Alice", false) else { panic!() };
        assert_eq!(&cc[..6], &[20, b'A', b'l', b'i', b'c', b'e']);
        assert_eq!(compact_len(64), vec![1, 1]);
        assert_eq!(compact_len(1 << 14), vec![2, 0, 1, 0]);
    }

    #[test]
    fn bad_uris() {
        assert!(matches!(SecretUri::parse("//Alice//"), Err(Error::BadUri { .. })));
        let err = Keypair::from_uri("not a phrase//x").unwrap_err();
        assert!(matches!(err, Error::BadUri { .. }), "{err}");
        assert!(!format!("{:?}", SecretUri::parse("//Alice///pw").unwrap()).contains("pw"));
    }
}
