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

/// Subtensor's `transaction_version`, which a v4 extrinsic's signature commits to (localnet
/// reports it in its runtime version and checks it in [`Envelope::Substrate`] signatures).
pub const SUBSTRATE_TRANSACTION_VERSION: u32 = 1;

/// The form a transaction was signed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Encode, Decode)]
pub enum Envelope {
    /// localnet's own payload ([`SignedTransaction::signing_payload`]).
    #[default]
    Taoplex,
    /// A Subtensor v4 extrinsic, signed over Substrate's payload. The transaction's other
    /// fields were read from these bytes (by localnet's extrinsic reader, the only place that
    /// makes this variant), so the signature covers exactly what runs.
    Substrate(SubstrateParts),
}

/// The signed parts of a Subtensor v4 extrinsic, as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct SubstrateParts {
    /// The `RuntimeCall`'s SCALE bytes.
    pub call: Vec<u8>,
    /// The transaction extensions' bytes (era, nonce, tip, metadata-hash mode; mode 0 only).
    pub extra: Vec<u8>,
    /// The hash of the era's birth block (the genesis hash for an immortal era).
    pub era_hash: Hash,
}

impl SubstrateParts {
    /// The bytes the signer signed: call, extensions, then what the extensions add
    /// (spec and transaction versions, genesis hash, birth block hash, no metadata hash),
    /// hashed first when longer than 256 bytes.
    pub fn signing_payload(&self, context: &SigningContext) -> Vec<u8> {
        let mut payload = Vec::with_capacity(self.call.len() + self.extra.len() + 73);
        payload.extend_from_slice(&self.call);
        payload.extend_from_slice(&self.extra);
        context.spec_version.encode_to(&mut payload);
        SUBSTRATE_TRANSACTION_VERSION.encode_to(&mut payload);
        payload.extend_from_slice(&context.genesis_hash.0);
        payload.extend_from_slice(&self.era_hash.0);
        None::<[u8; 32]>.encode_to(&mut payload);
        if payload.len() > 256 { Hash::of(&payload).0.to_vec() } else { payload }
    }

    /// The length-prefixed extrinsic: signed v4, `MultiAddress::Id`, `MultiSignature::Sr25519`.
    pub fn extrinsic(&self, signer: &AccountId, signature: &[u8; 64]) -> Vec<u8> {
        let mut body = Vec::with_capacity(99 + self.extra.len() + self.call.len());
        body.push(0x84);
        body.push(0x00);
        body.extend_from_slice(&signer.0);
        body.push(0x01);
        body.extend_from_slice(signature);
        body.extend_from_slice(&self.extra);
        body.extend_from_slice(&self.call);
        let mut out = parity_scale_codec::Compact(body.len() as u32).encode();
        out.extend_from_slice(&body);
        out
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
    /// The form it was signed in. Never taken from JSON or from localnet's hex wire format
    /// ([`SignedTransaction::from_hex`] refuses it): only localnet's extrinsic reader makes a
    /// Substrate one, from the bytes the signature covers.
    #[serde(skip)]
    pub envelope: Envelope,
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
        let envelope = Envelope::Taoplex;
        Self {
            signer: AccountId::from(pair.public()),
            nonce,
            mortality,
            tip,
            call,
            signature,
            envelope,
        }
    }

    /// The bytes the signer signed, for `context`.
    pub fn signed_payload(&self, context: &SigningContext) -> Vec<u8> {
        match &self.envelope {
            Envelope::Taoplex => {
                Self::signing_payload(&self.call, self.nonce, &self.mortality, self.tip, context)
            }
            Envelope::Substrate(parts) => parts.signing_payload(context),
        }
    }

    /// Whether every one of `txs` carries a valid signature for `context`, checked as one
    /// batch ([`keys::VerifyingKeys::verify_all`]); `false` does not say which does not.
    pub fn all_signatures_valid<'a>(
        txs: impl IntoIterator<Item = &'a SignedTransaction>,
        context: &SigningContext,
        keys: &keys::VerifyingKeys,
    ) -> bool {
        let payloads: Vec<(keys::PublicKey, Vec<u8>, keys::Signature)> = txs
            .into_iter()
            .map(|tx| {
                (tx.signer.public_key(), tx.signed_payload(context), keys::Signature(tx.signature))
            })
            .collect();
        let items: Vec<(keys::PublicKey, &[u8], keys::Signature)> = payloads
            .iter()
            .map(|(public, payload, sig)| (*public, payload.as_slice(), *sig))
            .collect();
        keys.verify_all(&items)
    }

    /// [`SignedTransaction::verify_signature`] with the signer's key from `keys`.
    pub fn verify_signature_with(
        &self,
        context: &SigningContext,
        keys: &keys::VerifyingKeys,
    ) -> Result<(), TxValidityError> {
        let payload = self.signed_payload(context);
        if keys.verify(&self.signer.public_key(), &payload, &keys::Signature(self.signature)) {
            Ok(())
        } else {
            Err(TxValidityError::BadProof)
        }
    }

    /// Checks the signature against the signer and `context`.
    pub fn verify_signature(&self, context: &SigningContext) -> Result<(), TxValidityError> {
        self.verify_signature_with(context, &keys::VerifyingKeys::default())
    }

    /// The transaction's hash: BLAKE2b-256 of its SCALE encoding, or of the extrinsic's bytes
    /// for a Substrate one (the hash Substrate's clients compute).
    pub fn hash(&self) -> Hash {
        match self.substrate_extrinsic() {
            Some(bytes) => Hash::of(&bytes),
            None => Hash::of_encoded(self),
        }
    }

    /// The length-prefixed v4 extrinsic of a transaction submitted as one.
    pub fn substrate_extrinsic(&self) -> Option<Vec<u8>> {
        match &self.envelope {
            Envelope::Taoplex => None,
            Envelope::Substrate(parts) => Some(parts.extrinsic(&self.signer, &self.signature)),
        }
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
        if tx.envelope != Envelope::Taoplex {
            // Its fields would not be checked against the bytes its signature covers.
            return Err(TxValidityError::Malformed(
                "a Substrate extrinsic is submitted in its own encoding, not inside localnet's"
                    .into(),
            ));
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
    /// recorded with amounts as plain `u64` and the envelope byte of block-log format 2.
    const GOLDEN: [&str; 5] = [
        "0xd5876192fbea3de2bcdaeec9e8b3fb3068d6690cb9fe6dce7a2e26ef6b2aa474",
        "0x280af6ead977dc9dae2ad5d65fb9d29fe25cc50831c0f77e25e045692340f402",
        "0x731e3a0ce2b6c579374d5a57dd84a95110103475fbf2a190c2e15985b6d54e44",
        "0x2b15a3c52be1cdd010236b044b45b9315b4de1bc4587c31541d14a58d265e111",
        "0x626b7a050e1a87a20418f9636de89582fb5a3682b0bde3252f504cb083a7c06a",
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

    /// A Substrate envelope never comes in through localnet's own encoding or JSON: its
    /// signature covers other bytes than the fields that run.
    #[test]
    fn substrate_envelopes_are_not_taken_from_the_native_wire_or_json() {
        let alice = keys::Keypair::from_uri("//Alice").unwrap();
        let mut tx =
            SignedTransaction::sign(&alice, transfer(), 0, Mortality::new(10, 64), 0, &context());
        tx.envelope = Envelope::Substrate(SubstrateParts {
            call: vec![0, 0],
            extra: vec![0],
            era_hash: Hash::default(),
        });
        assert!(matches!(
            SignedTransaction::from_hex(&tx.to_hex()),
            Err(TxValidityError::Malformed(m)) if m.contains("Substrate")
        ));
        let json = serde_json::to_string(&tx).unwrap();
        let back: SignedTransaction = serde_json::from_str(&json).unwrap();
        assert_eq!(back.envelope, Envelope::Taoplex);
        assert_eq!(back.verify_signature(&context()), Ok(()), "the fields are what was signed");
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
                    envelope: Envelope::Taoplex,
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
