//! Account ids and hashes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;
use std::str::FromStr;

use parity_scale_codec::{Decode, Encode};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use dtao::units::{BlockNumber, NetUid};

/// A 32-byte account: an sr25519 public key (a coldkey or a hotkey).
///
/// Displays and serialises as its SS58 address with the Bittensor prefix 42.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub struct AccountId(pub [u8; 32]);

/// SS58 costs a base58 conversion and a BLAKE2b-512 checksum (~1.5 µs an address), and
/// snapshots, JSON answers and pages render the same accounts over and over: each thread keeps
/// the addresses it made and parsed, forgotten wholesale when this many are kept.
const SS58_MEMO: usize = 1 << 16;

thread_local! {
    static TO_SS58: RefCell<HashMap<[u8; 32], Rc<str>>> = RefCell::new(HashMap::new());
    static FROM_SS58: RefCell<HashMap<Box<str>, [u8; 32]>> = RefCell::new(HashMap::new());
}

fn remember<K: std::hash::Hash + Eq, V>(memo: &RefCell<HashMap<K, V>>, key: K, value: V) {
    let mut memo = memo.borrow_mut();
    if memo.len() >= SS58_MEMO {
        memo.clear();
    }
    memo.insert(key, value);
}

impl AccountId {
    /// The SS58 address (prefix 42).
    pub fn to_ss58(&self) -> String {
        self.ss58().to_string()
    }

    /// The SS58 address, shared from this thread's memo.
    fn ss58(&self) -> Rc<str> {
        if let Some(s) = TO_SS58.with(|m| m.borrow().get(&self.0).cloned()) {
            return s;
        }
        let s: Rc<str> = keys::PublicKey(self.0).to_ss58().into();
        TO_SS58.with(|m| remember(m, self.0, s.clone()));
        s
    }

    /// The public key for signature checks.
    pub fn public_key(&self) -> keys::PublicKey {
        keys::PublicKey(self.0)
    }
}

impl From<keys::PublicKey> for AccountId {
    fn from(key: keys::PublicKey) -> Self {
        AccountId(key.0)
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ss58())
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.ss58())
    }
}

impl FromStr for AccountId {
    type Err = keys::Error;

    /// Parses an SS58 address (prefix 42) or a `0x`-prefixed 32-byte hex public key.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.starts_with("0x") {
            return keys::PublicKey::from_hex(s).map(Self::from);
        }
        if let Some(id) = FROM_SS58.with(|m| m.borrow().get(s).copied()) {
            return Ok(AccountId(id));
        }
        let id = keys::PublicKey::from_ss58(s).map(Self::from)?;
        FROM_SS58.with(|m| remember(m, s.into(), id.0));
        Ok(id)
    }
}

impl Serialize for AccountId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.ss58())
    }
}

impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A 32-byte hash (blocks, extrinsics, state roots), shown as `0x`-hex.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// BLAKE2b-256 of `data`, the hash Substrate chains use. (`blake2b_simd`: the same
    /// function with AVX2 where the CPU has it; the localnet state root hashes hundreds of
    /// inputs a block.)
    pub fn of(data: &[u8]) -> Self {
        let digest = blake2b_simd::Params::new().hash_length(32).hash(data);
        let mut out = [0u8; 32];
        out.copy_from_slice(digest.as_bytes());
        Hash(out)
    }

    /// [`Hash::of`] of each input, in order: four at a time where the CPU has AVX2 (the
    /// localnet state root hashes 128 subnets' cores every block).
    pub fn of_each<'a>(inputs: impl IntoIterator<Item = &'a [u8]>) -> Vec<Self> {
        let mut params = blake2b_simd::Params::new();
        params.hash_length(32);
        let mut jobs: Vec<blake2b_simd::many::HashManyJob<'a>> = inputs
            .into_iter()
            .map(|input| blake2b_simd::many::HashManyJob::new(&params, input))
            .collect();
        blake2b_simd::many::hash_many(jobs.iter_mut());
        jobs.iter()
            .map(|job| {
                let mut out = [0u8; 32];
                out.copy_from_slice(job.to_hash().as_bytes());
                Hash(out)
            })
            .collect()
    }

    /// BLAKE2b-256 of a value's SCALE encoding.
    pub fn of_encoded<T: Encode>(value: &T) -> Self {
        Self::of(&value.encode())
    }

    /// `0x`-prefixed lower-case hex.
    pub fn to_hex(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

/// A string that is not a 32-byte `0x`-hex hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a 32-byte 0x-hex hash")]
pub struct BadHash(pub String);

impl FromStr for Hash {
    type Err = BadHash;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadHash(s.to_string());
        let digits = s.strip_prefix("0x").ok_or_else(bad)?;
        let bytes = hex::decode(digits).map_err(|_| bad())?;
        bytes.try_into().map(Hash).map_err(|_| bad())
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Serde helpers that carry `u64` amounts as decimal strings: rao counts exceed the 2⁵³ that
/// JSON numbers hold exactly in most clients.
pub mod u64_string {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as a string.
    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Accepts a string or a number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            S(String),
            N(u64),
        }
        match Either::deserialize(d)? {
            Either::S(s) => s.parse().map_err(serde::de::Error::custom),
            Either::N(n) => Ok(n),
        }
    }
}

/// Serde helpers that carry bytes as `0x`-prefixed hex.
pub(crate) mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as `0x…`.
    pub(crate) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(v)))
    }

    /// Accepts hex with or without `0x`.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s.strip_prefix("0x").unwrap_or(&s)).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_round_trip_as_ss58() {
        let alice: AccountId = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".parse().unwrap();
        let json = serde_json::to_string(&alice).unwrap();
        assert_eq!(json, "\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\"");
        assert_eq!(serde_json::from_str::<AccountId>(&json).unwrap(), alice);
        let hex = format!("0x{}", hex::encode(alice.0));
        assert_eq!(hex.parse::<AccountId>().unwrap(), alice);
        assert!("5Grwva".parse::<AccountId>().is_err());
    }

    #[test]
    fn the_ss58_memo_answers_as_the_encoding_does() {
        // Asked twice each: made, then from the memo.
        let ids: Vec<AccountId> = (0..100u32)
            .map(|i| {
                let mut b = [0u8; 32];
                b[..4].copy_from_slice(&i.to_le_bytes());
                AccountId(b)
            })
            .collect();
        for _ in 0..2 {
            for id in &ids {
                let ss58 = keys::PublicKey(id.0).to_ss58();
                assert_eq!(id.to_ss58(), ss58);
                assert_eq!(ss58.parse::<AccountId>().unwrap(), *id);
            }
        }
        // A wrong checksum is refused every time, memo or not.
        let mut bad = ids[0].to_ss58();
        bad.replace_range(bad.len() - 1.., if bad.ends_with('a') { "b" } else { "a" });
        assert!(bad.parse::<AccountId>().is_err());
        assert!(bad.parse::<AccountId>().is_err());
    }

    #[test]
    fn hashes_are_blake2b_256_one_at_a_time_or_many() {
        // BLAKE2b-256("abc"), the reference vector.
        assert_eq!(
            Hash::of(b"abc").to_hex(),
            "0xbddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        );
        let inputs: Vec<Vec<u8>> =
            [0usize, 1, 127, 128, 129, 250, 1000, 4096].iter().map(|n| vec![0xa5; *n]).collect();
        let many = Hash::of_each(inputs.iter().map(Vec::as_slice));
        let one: Vec<Hash> = inputs.iter().map(|i| Hash::of(i)).collect();
        assert_eq!(many, one);
        assert!(Hash::of_each(std::iter::empty()).is_empty());
    }

    #[test]
    fn hashes_round_trip_as_hex() {
        let h = Hash::of(b"abc");
        assert_eq!(h.to_hex().parse::<Hash>().unwrap(), h);
        assert!("0x12".parse::<Hash>().is_err());
        // BLAKE2b-256("abc"), the RFC 7693 family's known value.
        assert_eq!(
            h.to_hex(),
            "0xbddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        );
    }
}

macro_rules! amount_string {
    ($module:ident, $ty:ty, $doc:literal) => {
        #[doc = $doc]
        pub mod $module {
            use serde::{Deserializer, Serializer};

            /// Serialises the rao count as a string.
            pub fn serialize<S: Serializer>(v: &$ty, s: S) -> Result<S::Ok, S::Error> {
                super::u64_string::serialize(&v.rao(), s)
            }

            /// Accepts a rao count as a string or a number.
            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                super::u64_string::deserialize(d).map(<$ty>::from_rao)
            }
        }
    };
}

amount_string!(
    tao_string,
    dtao::units::Tao,
    "Serde helpers carrying a [`dtao::units::Tao`] as its rao count in a decimal string."
);
amount_string!(
    alpha_string,
    dtao::units::Alpha,
    "Serde helpers carrying a [`dtao::units::Alpha`] as its rao count in a decimal string."
);

/// Bytes as `0x`-hex in JSON.
pub(crate) mod bytes_hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(v)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        let digits = s.strip_prefix("0x").ok_or_else(|| {
            serde::de::Error::custom(format!("{s:?} is not 0x-hex: the payload starts with 0x"))
        })?;
        hex::decode(digits).map_err(serde::de::Error::custom)
    }
}
