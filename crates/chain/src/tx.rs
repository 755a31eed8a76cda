//! Signed transactions: a [`Call`] signed by an sr25519 key, with a nonce, a mortality window
//! and the chain it is meant for.
//!
//! The signed payload follows Substrate's shape: SCALE(call, nonce, mortality, tip) followed by
//! the "additional signed" data (genesis hash, runtime version), hashed with BLAKE2b-256 first
//! when longer than 256 bytes. So a signature commits to the chain and the runtime, a nonce can
//! be used once, and a transaction dies after its window — no replay across chains, accounts or
//! time.

use parity_scale_codec::{Decode, DecodeLimit, Encode};
use serde::{Deserialize, Serialize};

use crate::call::Call;
use crate::error::TxValidityError;
use crate::primitives::{AccountId, BlockNumber, Hash};

/// How deeply [`SignedTransaction::from_hex`] lets SCALE types nest (as Substrate's
/// `MAX_EXTRINSIC_DEPTH`, smaller): `Call::Proxy` holds a call, so without a bound a few hundred
/// kilobytes of nested proxies overflow the decoding thread's stack.
pub const MAX_DECODE_DEPTH: u32 = 64;

/// Default mortality: 64 blocks (≈ 13 minutes at 12 s).
pub const DEFAULT_MORTALITY: u64 = 64;

/// What a signature commits to besides the call: which chain and which runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct SigningContext {
    /// Hash of the chain's genesis block.
    pub genesis_hash: Hash,
    /// Runtime version; a runtime change invalidates pending transactions.
    pub spec_version: u32,
}

/// The blocks a transaction may be included in: `birth ≤ n < birth + period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Mortality {
    /// First block the transaction is valid in (usually the head when signing).
    pub birth: BlockNumber,
    /// How many blocks it stays valid.
    pub period: u64,
}

impl Mortality {
    /// A window of `period` blocks from `birth`.
    pub fn new(birth: BlockNumber, period: u64) -> Self {
        Self { birth, period }
    }

    /// The last block the transaction may be included in.
    pub fn valid_until(&self) -> BlockNumber {
        self.birth.saturating_add(self.period.saturating_sub(1))
    }

    /// Checks inclusion in block `now`.
    pub fn check(&self, now: BlockNumber) -> Result<(), TxValidityError> {
        if now < self.birth {
            return Err(TxValidityError::AncientBirthBlock { birth: self.birth });
        }
        if now > self.valid_until() {
            return Err(TxValidityError::Outdated { valid_until: self.valid_until(), now });
        }
        Ok(())
    }
}

/// A transaction ready to submit.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct SignedTransaction {
    /// Who signs and pays.
    pub signer: AccountId,
    /// The signer's nonce: its count of included transactions.
    pub nonce: u64,
    /// Validity window.
    pub mortality: Mortality,
    /// Extra fee offered for priority, rao.
    pub tip: u64,
    /// What to do.
    pub call: Call,
    /// sr25519 signature over [`SignedTransaction::signing_payload`].
    #[serde(with = "signature_hex")]
    pub signature: [u8; 64],
}

impl SignedTransaction {
    /// The bytes the signer signs.
    pub fn signing_payload(
        call: &Call,
        nonce: u64,
        mortality: &Mortality,
        tip: u64,
        context: &SigningContext,
    ) -> Vec<u8> {
        let mut payload = (call, nonce, mortality, tip).encode();
        context.encode_to(&mut payload);
        if payload.len() > 256 { Hash::of(&payload).0.to_vec() } else { payload }
    }

    /// Signs `call` with `pair`.
    pub fn sign(
        pair: &keys::Keypair,
        call: Call,
        nonce: u64,
        mortality: Mortality,
        tip: u64,
        context: &SigningContext,
    ) -> Self {
        let payload = Self::signing_payload(&call, nonce, &mortality, tip, context);
        let signature = pair.sign(&payload).0;
        Self { signer: AccountId::from(pair.public()), nonce, mortality, tip, call, signature }
    }

    /// Checks the signature against the signer and `context`.
    pub fn verify_signature(&self, context: &SigningContext) -> Result<(), TxValidityError> {
        let payload =
            Self::signing_payload(&self.call, self.nonce, &self.mortality, self.tip, context);
        if self.signer.public_key().verify(&payload, &keys::Signature(self.signature)) {
            Ok(())
        } else {
            Err(TxValidityError::BadProof)
        }
    }

    /// The transaction's hash: BLAKE2b-256 of its SCALE encoding.
    pub fn hash(&self) -> Hash {
        Hash::of_encoded(self)
    }

    /// `0x`-hex of the SCALE encoding, the form `author_submitExtrinsic` takes.
    pub fn to_hex(&self) -> String {
        format!("0x{}", hex::encode(self.encode()))
    }

    /// Decodes `0x`-hex SCALE bytes.
    pub fn from_hex(s: &str) -> Result<Self, TxValidityError> {
        let digits = s.strip_prefix("0x").unwrap_or(s);
        let bytes =
            hex::decode(digits).map_err(|e| TxValidityError::Malformed(format!("not hex: {e}")))?;
        let mut input = bytes.as_slice();
        let tx = <Self as DecodeLimit>::decode_with_depth_limit(MAX_DECODE_DEPTH, &mut input)
            .map_err(|e| {
                TxValidityError::Malformed(format!(
                    "not a transaction (at most {MAX_DECODE_DEPTH} levels of nesting): {e}"
                ))
            })?;
        if !input.is_empty() {
            return Err(TxValidityError::Malformed(format!("{} trailing bytes", input.len())));
        }
        Ok(tx)
    }
}

mod signature_hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(v)))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
        let s = String::deserialize(d)?;
        let bytes = hex::decode(s.trim_start_matches("0x")).map_err(serde::de::Error::custom)?;
        bytes.try_into().map_err(|_| serde::de::Error::custom("a signature is 64 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dtao::units::{Alpha, Tao};

    /// Hashes of the transactions in `the_encoding_and_hash_of_a_transaction_do_not_change`,
    /// recorded with amounts as plain `u64`.
    const GOLDEN: [&str; 5] = [
        "0x6943a0f8942451469f5029f6f6b7d6beb334b00e045511b207e6c9785b629788",
        "0x84d3c6de93774ffdbacba7d97d51bf1890507c5ddb3ce71cd7142bf17d9cd162",
        "0x36ce8956cc5f76c49e25b5f9bddada89ea56839b0dd873e2623cb31f61de2144",
        "0xf611aa75298a5bf2e32dcaf90a653c40a08c0df2937e7cbe4c2f719af6afa046",
        "0x1786f3a3413782d8401844b231fff5378c5a64ba554b7988ca1df063664866ff",
    ];

    fn context() -> SigningContext {
        SigningContext { genesis_hash: Hash::of(b"genesis"), spec_version: 1 }
    }

    fn transfer() -> Call {
        let bob = AccountId::from(keys::Keypair::from_uri("//Bob").unwrap().public());
        Call::Transfer { dest: bob, amount: Tao::from_rao(5_000_000_000) }
    }

    #[test]
    fn signed_transactions_verify_and_round_trip() {
        let alice = keys::Keypair::from_uri("//Alice").unwrap();
        let tx =
            SignedTransaction::sign(&alice, transfer(), 0, Mortality::new(10, 64), 0, &context());
        assert_eq!(tx.verify_signature(&context()), Ok(()));
        let decoded = SignedTransaction::from_hex(&tx.to_hex()).unwrap();
        assert_eq!(decoded, tx);
        let json = serde_json::to_string(&tx).unwrap();
        assert_eq!(serde_json::from_str::<SignedTransaction>(&json).unwrap(), tx);
    }

    #[test]
    fn tampering_breaks_the_signature() {
        let alice = keys::Keypair::from_uri("//Alice").unwrap();
        let tx =
            SignedTransaction::sign(&alice, transfer(), 0, Mortality::new(10, 64), 0, &context());
        let mut other_nonce = tx.clone();
        other_nonce.nonce = 1;
        assert_eq!(other_nonce.verify_signature(&context()), Err(TxValidityError::BadProof));
        let other_chain = SigningContext { spec_version: 2, ..context() };
        assert_eq!(tx.verify_signature(&other_chain), Err(TxValidityError::BadProof));
        let mut other_signer = tx.clone();
        other_signer.signer = AccountId::from(keys::Keypair::from_uri("//Bob").unwrap().public());
        assert_eq!(other_signer.verify_signature(&context()), Err(TxValidityError::BadProof));
    }

    /// The wire format of stored and replayed blocks: a change here breaks existing data dirs.
    #[test]
    fn the_encoding_and_hash_of_a_transaction_do_not_change() {
        let bob = AccountId([2; 32]);
        let calls = [
            Call::Transfer { dest: bob, amount: Tao::from_rao(5_000_000_000) },
            Call::AddStakeLimit {
                hotkey: bob,
                netuid: 3,
                amount_staked: Tao::from_rao(10_000_000_000),
                limit_price: 5_700_000,
                allow_partial: true,
            },
            Call::RemoveStake { hotkey: bob, netuid: 3, amount_unstaked: Alpha::from_rao(7) },
            Call::SwapStakeLimit {
                hotkey: bob,
                origin_netuid: 1,
                destination_netuid: 2,
                alpha_amount: Alpha::from_rao(9),
                limit_price: 1,
                allow_partial: false,
            },
            Call::MoveStake {
                origin_hotkey: bob,
                destination_hotkey: bob,
                origin_netuid: 1,
                destination_netuid: 2,
                alpha_amount: Alpha::from_rao(11),
            },
        ];
        let hashes: Vec<String> = calls
            .into_iter()
            .map(|call| {
                let tx = SignedTransaction {
                    signer: AccountId([1; 32]),
                    nonce: 4,
                    mortality: Mortality::new(10, 64),
                    tip: 3,
                    call,
                    signature: [9; 64],
                };
                let json = serde_json::to_value(&tx.call).unwrap();
                for field in ["amount", "amount_staked", "amount_unstaked", "alpha_amount"] {
                    if let Some(v) = json.get(field) {
                        assert!(v.is_string(), "amounts travel as strings: {json}");
                    }
                }
                tx.hash().to_hex()
            })
            .collect();
        assert_eq!(hashes, GOLDEN);
    }

    #[test]
    fn mortality_windows() {
        let m = Mortality::new(10, 64);
        assert!(m.check(10).is_ok());
        assert!(m.check(73).is_ok());
        assert_eq!(m.check(74), Err(TxValidityError::Outdated { valid_until: 73, now: 74 }));
        assert_eq!(m.check(9), Err(TxValidityError::AncientBirthBlock { birth: 10 }));
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        assert!(matches!(SignedTransaction::from_hex("0xzz"), Err(TxValidityError::Malformed(_))));
        assert!(matches!(
            SignedTransaction::from_hex("0x0102"),
            Err(TxValidityError::Malformed(_))
        ));
    }
}
