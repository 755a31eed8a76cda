//! sr25519 key pairs, public keys and signatures, and BIP39 mnemonics.

use std::fmt;

use rand::RngCore;
use schnorrkel::{ExpansionMode, MiniSecretKey, SecretKey};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::ss58;

/// The signing context Substrate (and so Bittensor) uses for sr25519.
pub const SIGNING_CONTEXT: &[u8] = b"substrate";

/// A 32-byte sr25519 public key (also the account id).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// The SS58 address with the Bittensor prefix (42).
    #[must_use]
    pub fn to_ss58(&self) -> String {
        // 42 is always a valid prefix.
        self.to_ss58_with_prefix(ss58::BITTENSOR_PREFIX).unwrap_or_default()
    }

    /// The SS58 address with any network prefix.
    ///
    /// # Errors
    /// When `prefix` exceeds [`ss58::MAX_PREFIX`].
    pub fn to_ss58_with_prefix(&self, prefix: u16) -> Result<String> {
        ss58::encode(&self.0, prefix)
    }

    /// Parses an SS58 address that must carry the Bittensor prefix (42).
    ///
    /// # Errors
    /// [`Error::BadSs58`] naming what is wrong.
    pub fn from_ss58(address: &str) -> Result<Self> {
        ss58::decode_with_prefix(address, ss58::BITTENSOR_PREFIX).map(PublicKey)
    }

    /// `0x`-prefixed lower-case hex.
    #[must_use]
    pub fn to_hex(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }

    /// Parses 32 bytes of hex, with or without `0x`.
    ///
    /// # Errors
    /// [`Error::BadHex`] when it is not 64 hex digits.
    pub fn from_hex(s: &str) -> Result<Self> {
        decode_hex_array("public key", s).map(PublicKey)
    }

    /// Verifies an sr25519 signature over `message` with the `substrate` signing context.
    #[must_use]
    pub fn verify(&self, message: &[u8], signature: &Signature) -> bool {
        schnorrkel::PublicKey::from_bytes(&self.0)
            .is_ok_and(|public| verify_simple(&public, message, signature))
    }
}

/// Verifies many sr25519 signatures (`substrate` context) at once: `true` only if every one
/// is valid. One multi-scalar multiplication with random weights checks them all, cheaper
/// than a double-scalar multiplication and a point compression each (a block producer checks
/// every block's transactions). A `false` does not say which failed: check them one by one
/// with [`PublicKey::verify`] then.
#[must_use]
pub fn verify_all(items: &[(PublicKey, &[u8], Signature)]) -> bool {
    VerifyingKeys::default().verify_all(items)
}

/// Public keys decompressed once (a square root each) and kept, for a verifier that sees the
/// same signers again and again, as a block producer does. Shared between threads; emptied
/// when it reaches [`VerifyingKeys::MAX`] keys.
#[derive(Default)]
pub struct VerifyingKeys(
    std::sync::Mutex<std::collections::HashMap<[u8; 32], schnorrkel::PublicKey>>,
);

impl fmt::Debug for VerifyingKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.lock().map_or(0, |keys| keys.len());
        write!(f, "VerifyingKeys({n} keys)")
    }
}

impl VerifyingKeys {
    /// How many keys are kept at most.
    pub const MAX: usize = 16_384;

    fn key(&self, public: &PublicKey) -> Option<schnorrkel::PublicKey> {
        if let Some(key) = self.0.lock().ok().and_then(|keys| keys.get(&public.0).copied()) {
            return Some(key);
        }
        let key = schnorrkel::PublicKey::from_bytes(&public.0).ok()?;
        if let Ok(mut keys) = self.0.lock() {
            if keys.len() >= Self::MAX {
                keys.clear();
            }
            keys.insert(public.0, key);
        }
        Some(key)
    }

    /// [`PublicKey::verify`], with the key from the cache.
    #[must_use]
    pub fn verify(&self, public: &PublicKey, message: &[u8], signature: &Signature) -> bool {
        self.key(public).is_some_and(|public| verify_simple(&public, message, signature))
    }

    /// [`verify_all`], with the keys from the cache.
    #[must_use]
    pub fn verify_all(&self, items: &[(PublicKey, &[u8], Signature)]) -> bool {
        let mut publics = Vec::with_capacity(items.len());
        let mut signatures = Vec::with_capacity(items.len());
        for (public, _, signature) in items {
            let (Some(public), Ok(signature)) =
                (self.key(public), schnorrkel::Signature::from_bytes(&signature.0))
            else {
                return false;
            };
            publics.push(public);
            signatures.push(signature);
        }
        let context = schnorrkel::signing_context(SIGNING_CONTEXT);
        let transcripts = items.iter().map(|(_, message, _)| context.bytes(message));
        schnorrkel::verify_batch(transcripts, &signatures, &publics, false).is_ok()
    }
}

/// One signature over `message` in the `substrate` context.
fn verify_simple(public: &schnorrkel::PublicKey, message: &[u8], signature: &Signature) -> bool {
    schnorrkel::Signature::from_bytes(&signature.0)
        .is_ok_and(|sig| public.verify_simple(SIGNING_CONTEXT, message, &sig).is_ok())
}

impl fmt::Display for PublicKey {
    /// Shows the SS58 address (prefix 42).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_ss58())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_ss58())
    }
}

/// A 64-byte sr25519 signature.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u8; 64]);

impl Signature {
    /// `0x`-prefixed lower-case hex.
    #[must_use]
    pub fn to_hex(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }

    /// Parses 64 bytes of hex, with or without `0x`.
    ///
    /// # Errors
    /// [`Error::BadHex`] when it is not 128 hex digits.
    pub fn from_hex(s: &str) -> Result<Self> {
        decode_hex_array("signature", s).map(Signature)
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", self.to_hex())
    }
}

pub(crate) fn decode_hex_array<const N: usize>(what: &'static str, s: &str) -> Result<[u8; N]> {
    let digits = s.trim().strip_prefix("0x").unwrap_or(s.trim());
    let mut bytes = Zeroizing::new(
        hex::decode(digits).map_err(|e| Error::BadHex { what, reason: e.to_string() })?,
    );
    let got = bytes.len();
    let mut out = [0u8; N];
    if got != N {
        bytes.zeroize();
        return Err(Error::BadHex { what, reason: format!("expected {N} bytes, got {got}") });
    }
    out.copy_from_slice(&bytes);
    Ok(out)
}

/// An sr25519 key pair, with the mnemonic and mini-secret it came from when known.
///
/// Secret material is zeroized when the pair is dropped and never shown by `Debug`.
#[derive(Clone)]
pub struct Keypair {
    pub(crate) pair: schnorrkel::Keypair,
    pub(crate) phrase: Option<Zeroizing<String>>,
    pub(crate) seed: Option<Zeroizing<[u8; 32]>>,
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keypair")
            .field("public", &self.public())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Number of words in a new mnemonic.
pub const WORD_COUNTS: [usize; 5] = [12, 15, 18, 21, 24];

/// Generates a new English BIP39 mnemonic of `words` words from the operating system's RNG.
///
/// # Errors
/// [`Error::BadWordCount`] unless `words` is 12, 15, 18, 21 or 24.
pub fn generate_mnemonic(words: usize) -> Result<Zeroizing<String>> {
    if !WORD_COUNTS.contains(&words) {
        return Err(Error::BadWordCount(words));
    }
    let mut entropy = Zeroizing::new([0u8; 32]);
    let len = words / 3 * 4;
    let buf = entropy.get_mut(..len).ok_or(Error::BadWordCount(words))?;
    rand::rngs::OsRng.fill_bytes(buf);
    let m = bip39::Mnemonic::from_entropy(buf)
        .map_err(|e| Error::BadMnemonic { reason: e.to_string() })?;
    Ok(Zeroizing::new(m.to_string()))
}

/// Substrate's mini-secret for a mnemonic: the first 32 bytes of
/// PBKDF2-HMAC-SHA512(BIP39 entropy, "mnemonic" ‖ passphrase, 2048 rounds).
///
/// Note that the PBKDF2 input is the *entropy*, not the phrase as in BIP39 seeds.
///
/// # Errors
/// [`Error::BadMnemonic`] when the phrase is not valid English BIP39.
pub fn mini_secret_from_phrase(phrase: &str, passphrase: &str) -> Result<Zeroizing<[u8; 32]>> {
    let normalized = Zeroizing::new(phrase.split_whitespace().collect::<Vec<_>>().join(" "));
    let m = bip39::Mnemonic::parse_in_normalized(bip39::Language::English, &normalized)
        .map_err(|e| Error::BadMnemonic { reason: e.to_string() })?;
    let (entropy_buf, len) = m.to_entropy_array();
    let entropy_buf = Zeroizing::new(entropy_buf);
    let entropy = entropy_buf.get(..len).unwrap_or_default();
    let salt = Zeroizing::new(format!("mnemonic{passphrase}"));
    let mut out = Zeroizing::new([0u8; 64]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(entropy, salt.as_bytes(), 2048, out.as_mut());
    let mut mini = Zeroizing::new([0u8; 32]);
    mini.copy_from_slice(&out[..32]);
    Ok(mini)
}

impl Keypair {
    /// The pair for a BIP39 mnemonic (no passphrase), as btcli and `Keypair.create_from_mnemonic`.
    ///
    /// # Errors
    /// [`Error::BadMnemonic`] when the phrase is not valid English BIP39.
    pub fn from_phrase(phrase: &str) -> Result<Self> {
        Self::from_phrase_with_passphrase(phrase, "")
    }

    /// The pair for a BIP39 mnemonic and a BIP39 passphrase (the `///password` of a URI).
    ///
    /// # Errors
    /// [`Error::BadMnemonic`] when the phrase is not valid English BIP39.
    pub fn from_phrase_with_passphrase(phrase: &str, passphrase: &str) -> Result<Self> {
        let mini = mini_secret_from_phrase(phrase, passphrase)?;
        let mut pair = Self::from_seed(&mini)?;
        pair.phrase = Some(Zeroizing::new(phrase.split_whitespace().collect::<Vec<_>>().join(" ")));
        Ok(pair)
    }

    /// The pair for a 32-byte mini-secret (`secretSeed`), expanded in Ed25519 mode.
    ///
    /// # Errors
    /// Never in practice; kept fallible for symmetry with the other constructors.
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self> {
        let mini = MiniSecretKey::from_bytes(seed)
            .map_err(|e| Error::BadSeed { reason: e.to_string() })?;
        Ok(Keypair {
            pair: mini.expand_to_keypair(ExpansionMode::Ed25519),
            phrase: None,
            seed: Some(Zeroizing::new(*seed)),
        })
    }

    /// The pair for a mini-secret given as hex (`0x` + 64 hex digits).
    ///
    /// # Errors
    /// [`Error::BadSeed`] when it is not 32 bytes of hex.
    pub fn from_seed_hex(seed: &str) -> Result<Self> {
        let bytes = Zeroizing::new(
            decode_hex_array::<32>("seed", seed)
                .map_err(|e| Error::BadSeed { reason: reason_of(&e) })?,
        );
        Self::from_seed(&bytes)
    }

    /// The pair for a 64-byte schnorrkel secret key (`key ‖ nonce`, the keyfile's `privateKey`).
    ///
    /// # Errors
    /// [`Error::BadHex`] when the bytes are not a canonical schnorrkel secret key.
    pub fn from_secret_key_bytes(bytes: &[u8; 64]) -> Result<Self> {
        let secret = SecretKey::from_bytes(bytes)
            .map_err(|e| Error::BadHex { what: "private key", reason: e.to_string() })?;
        Ok(Keypair { pair: secret.to_keypair(), phrase: None, seed: None })
    }

    /// Generates a new pair from a fresh mnemonic of `words` words; the mnemonic is kept
    /// ([`Keypair::phrase`]) so it can be shown to the user once and written to the keyfile.
    ///
    /// # Errors
    /// [`Error::BadWordCount`] unless `words` is 12, 15, 18, 21 or 24.
    pub fn generate(words: usize) -> Result<Self> {
        let phrase = generate_mnemonic(words)?;
        Self::from_phrase(&phrase)
    }

    /// The public key.
    #[must_use]
    pub fn public(&self) -> PublicKey {
        PublicKey(self.pair.public.to_bytes())
    }

    /// The SS58 address (prefix 42).
    #[must_use]
    pub fn ss58_address(&self) -> String {
        self.public().to_ss58()
    }

    /// Signs `message` with the `substrate` signing context.
    #[must_use]
    pub fn sign(&self, message: &[u8]) -> Signature {
        Signature(self.pair.sign_simple(SIGNING_CONTEXT, message).to_bytes())
    }

    /// The mnemonic this pair was made from, if it was made from one and not derived further.
    #[must_use]
    pub fn phrase(&self) -> Option<&str> {
        self.phrase.as_ref().map(|p| p.as_str())
    }

    /// The 32-byte mini-secret this pair was expanded from, if known.
    #[must_use]
    pub fn seed(&self) -> Option<&[u8; 32]> {
        self.seed.as_deref()
    }

    /// The 64-byte schnorrkel secret key (`key ‖ nonce`), as stored in `privateKey`.
    #[must_use]
    pub fn secret_key_bytes(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.pair.secret.to_bytes())
    }
}

pub(crate) fn reason_of(e: &Error) -> String {
    match e {
        Error::BadHex { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const ABANDON: &str = "abandon abandon abandon abandon abandon abandon abandon \
                                      abandon abandon abandon abandon about";

    #[test]
    fn abandon_vector() {
        let mini = mini_secret_from_phrase(ABANDON, "").unwrap();
        assert_eq!(
            hex::encode(*mini),
            "4ed8d4b17698ddeaa1f1559f152f87b5d472f725ca86d341bd0276f1b61197e2"
        );
        let pair = Keypair::from_phrase(ABANDON).unwrap();
        assert_eq!(
            hex::encode(pair.public().0),
            "66933bd1f37070ef87bd1198af3dacceb095237f803f3d32b173e6b425ed7972"
        );
        assert_eq!(pair.ss58_address(), "5EPCUjPxiHAcNooYipQFWr9NmmXJKpNG5RhcntXwbtUySrgH");
        // privateKey as bittensor-wallet 4.1.1 writes it for this mnemonic.
        assert_eq!(
            hex::encode(*pair.secret_key_bytes()),
            "2ec306fc1c5bc2f0e3a2c7a6ec6014ca4a0823a7d7d42ad5e9d7f376a1c36c0d\
             14a2ddb1ef1df4adba49f3a4d8c0f6205117907265f09a53ccf07a4e8616dfd8"
        );
        let again = Keypair::from_secret_key_bytes(&pair.secret_key_bytes()).unwrap();
        assert_eq!(again.public(), pair.public());
    }

    #[test]
    fn sign_and_verify() {
        let pair = Keypair::from_phrase(ABANDON).unwrap();
        let sig = pair.sign(b"hello");
        assert!(pair.public().verify(b"hello", &sig));
        assert!(!pair.public().verify(b"hellO", &sig));
        let other = Keypair::generate(12).unwrap();
        assert!(!other.public().verify(b"hello", &sig));
        let parsed = Signature::from_hex(&sig.to_hex()).unwrap();
        assert_eq!(parsed, sig);
    }

    #[test]
    fn verify_all_accepts_only_a_wholly_valid_batch() {
        let pairs: Vec<Keypair> = (0..4).map(|_| Keypair::generate(12).unwrap()).collect();
        let messages: Vec<Vec<u8>> = (0u8..4).map(|i| vec![i; 40 + usize::from(i)]).collect();
        let mut items: Vec<(PublicKey, &[u8], Signature)> = pairs
            .iter()
            .zip(&messages)
            .map(|(pair, m)| (pair.public(), m.as_slice(), pair.sign(m)))
            .collect();
        assert!(verify_all(&items));
        assert!(verify_all(&items[..1]));
        assert!(verify_all(&[]));
        // One signature over another message, one under another key, one flipped bit.
        let swapped = items[1].2;
        items[1].2 = items[2].2;
        assert!(!verify_all(&items));
        items[1].2 = swapped;
        items[3].0 = pairs[0].public();
        assert!(!verify_all(&items));
        items[3].0 = pairs[3].public();
        items[0].2.0[5] ^= 1;
        assert!(!verify_all(&items));
        items[0].2.0[5] ^= 1;
        assert!(verify_all(&items));
        // The same through a cache, twice (keys decompressed, then kept).
        let cache = VerifyingKeys::default();
        for _ in 0..2 {
            assert!(cache.verify_all(&items));
            assert!(cache.verify(&items[2].0, items[2].1, &items[2].2));
            assert!(!cache.verify(&items[2].0, items[1].1, &items[2].2));
        }
        items[1].2 = items[2].2;
        assert!(!cache.verify_all(&items));
    }

    #[test]
    fn python_signature_verifies() {
        // Keypair.create_from_uri("//Alice").sign(b"hello") in bittensor-wallet 4.1.1.
        let alice =
            PublicKey::from_ss58("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").unwrap();
        let sig = Signature::from_hex(
            "ca8a5faba80fcfd14aa6353021ec4fa8c66ec11c9594eaec75c2038a0a4b6e30\
             228bcb2d6b3184c0e979e04a529475c9f456116c563373f20c41fbe123468d81",
        )
        .unwrap();
        assert!(alice.verify(b"hello", &sig));
    }

    #[test]
    fn generated_mnemonics() {
        for n in WORD_COUNTS {
            let p = generate_mnemonic(n).unwrap();
            assert_eq!(p.split(' ').count(), n);
            Keypair::from_phrase(&p).unwrap();
        }
        assert!(matches!(generate_mnemonic(13), Err(Error::BadWordCount(13))));
        let a = Keypair::generate(24).unwrap();
        assert_eq!(a.phrase().unwrap().split(' ').count(), 24);
    }

    #[test]
    fn bad_mnemonic() {
        let err = Keypair::from_phrase("abandon abandon").unwrap_err();
        assert!(matches!(err, Error::BadMnemonic { .. }));
        let err = Keypair::from_phrase(&ABANDON.replace("about", "abandon")).unwrap_err();
        assert!(err.to_string().starts_with("invalid mnemonic"), "{err}");
        assert!(!err.to_string().contains("abandon"), "mnemonic leaked: {err}");
    }

    #[test]
    fn debug_redacts() {
        let pair = Keypair::from_phrase(ABANDON).unwrap();
        let dbg = format!("{pair:?}");
        assert!(!dbg.contains("abandon"));
        assert!(!dbg.contains("2ec306fc"));
        assert!(!dbg.contains("4ed8d4b1"));
        assert!(dbg.contains("redacted"));
    }
}
