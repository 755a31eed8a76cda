//! Non-custodial submission: *prepare → sign → submit*.
//!
//! [`crate::Chain::prepare`] turns a [`Call`] into a [`Prepared`] transaction: the exact bytes
//! to sign (in the chain's own payload format), the call in plain words for a confirm card, and
//! a fee estimate. Whoever holds the key — this process ([`Signer`]), a browser, a Telegram
//! sign link, a proxy key — signs [`Prepared::payload`] and hands the signature back to
//! [`crate::Chain::submit`], which follows the transaction to finality. The key never has to
//! be where the chain connection is, and a [`Prepared`] travels as JSON in between.
//!
//! The payload format belongs to the [`crate::Chain`] implementation. The localnet format (used
//! by `LocalChain` and [`crate::client::RpcChain`]) is [`SignedTransaction::signing_payload`];
//! [`Prepared::localnet`] and [`Prepared::into_localnet_transaction`] are its pure halves, so
//! code that signs in-process (the market simulation) builds the very same bytes.

use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};

use crate::Chain;
use crate::call::Call;
use crate::error::{ChainResult, TxValidityError};
use crate::primitives::{AccountId, BlockNumber, Hash, u64_string};
use crate::tx::{DEFAULT_MORTALITY, Mortality, SignedTransaction, SigningContext, SubstrateParts};
use crate::view::{BlockId, TxStatus};

/// How to prepare a transaction. The default takes the nonce from the chain, lives
/// [`DEFAULT_MORTALITY`] blocks from the head and offers no tip.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TxOptions {
    /// The nonce to sign with; `None` reads the account's next nonce from the chain.
    pub nonce: Option<u64>,
    /// Blocks the transaction stays valid from the head; `None` is [`DEFAULT_MORTALITY`].
    pub mortality_period: Option<u64>,
    /// Extra fee offered for priority, rao.
    #[serde(with = "u64_string")]
    pub tip: u64,
    /// The payload format to prepare in.
    pub format: PayloadFormat,
}

/// The payload format a transaction is prepared in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayloadFormat {
    /// The chain's own: localnet's payload on localnet, the v4 payload on Subtensor.
    #[default]
    Native,
    /// Subtensor's v4 signing payload, with its parts in [`Prepared::substrate`]: for signers
    /// that rebuild the payload from those parts before they sign (browser extensions'
    /// `signPayload`). Subtensor prepares in it anyway; localnet does when asked.
    Substrate,
}

/// A transaction in Subtensor's extrinsic form: what a v4 signing payload is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubstrateForm {
    /// The `RuntimeCall`'s SCALE bytes.
    #[serde(with = "crate::primitives::bytes_hex")]
    pub call: Vec<u8>,
    /// The transaction extensions' own bytes, in the metadata's order (on Subtensor: era,
    /// nonce, tip, metadata-hash mode).
    #[serde(with = "crate::primitives::bytes_hex")]
    pub extra: Vec<u8>,
    /// The era's SCALE bytes (the first of `extra`'s values).
    #[serde(with = "crate::primitives::bytes_hex")]
    pub era: Vec<u8>,
    /// The block the era starts at, and its hash (which the signature commits to).
    pub birth: BlockNumber,
    /// Hash of block `birth`.
    pub birth_hash: Hash,
    /// The runtime's transaction version (the signature commits to it).
    pub transaction_version: u32,
    /// The transaction extensions' names, in the metadata's order.
    pub extensions: Vec<String>,
}

impl SubstrateForm {
    /// The parts a localnet node reads back out of the signed extrinsic.
    pub fn parts(&self) -> SubstrateParts {
        SubstrateParts {
            call: self.call.clone(),
            extra: self.extra.clone(),
            era_hash: self.birth_hash,
        }
    }
}

/// A v4 signing payload as polkadot.js describes it to a signer (`SignerPayloadJSON`): what an
/// injected browser extension's `signPayload` takes. Numbers are fixed-width `0x`-hex, as
/// polkadot.js writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerPayloadJson {
    /// The signer's SS58 address.
    pub address: String,
    /// The era's birth block hash.
    pub block_hash: String,
    /// The era's birth block number.
    pub block_number: String,
    /// The era's SCALE bytes.
    pub era: String,
    /// The chain's genesis hash.
    pub genesis_hash: String,
    /// The call's SCALE bytes.
    pub method: String,
    /// The signer's nonce.
    pub nonce: String,
    /// The runtime's spec version.
    pub spec_version: String,
    /// The tip, rao (a 128-bit balance).
    pub tip: String,
    /// The runtime's transaction version.
    pub transaction_version: String,
    /// The transaction extensions, in the metadata's order.
    pub signed_extensions: Vec<String>,
    /// The extrinsic version: 4.
    pub version: u8,
    /// `CheckMetadataHash`'s mode: 0, disabled (the signer commits to no metadata digest).
    pub mode: u8,
}

/// A transaction ready to sign: everything the signer needs to see and sign, and everything
/// the chain needs to rebuild the transaction once a signature comes back. Serialises to JSON
/// (payload as `0x`-hex, amounts as strings) so it can travel to a browser or a sign link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prepared {
    /// The account that signs and pays.
    pub signer: AccountId,
    /// What the transaction asks for.
    pub call: Call,
    /// The signer's nonce.
    pub nonce: u64,
    /// Validity window.
    pub mortality: Mortality,
    /// Extra fee offered for priority, rao.
    #[serde(with = "u64_string")]
    pub tip: u64,
    /// The chain and runtime the payload commits to.
    pub context: SigningContext,
    /// Exactly the bytes to sign, in the chain's payload format.
    #[serde(with = "crate::primitives::bytes_hex")]
    pub payload: Vec<u8>,
    /// The call in plain words, for a confirm card ([`Call::describe`]).
    pub description: String,
    /// The transaction fee the chain expects to charge (without tip), rao.
    #[serde(with = "u64_string")]
    pub fee_estimate: u64,
    /// The transaction in Subtensor's extrinsic form, when `payload` is its v4 signing payload
    /// (always from Subtensor; from localnet when prepared in [`PayloadFormat::Substrate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substrate: Option<SubstrateForm>,
}

impl Prepared {
    /// A transaction in the localnet payload format ([`SignedTransaction::signing_payload`]),
    /// with no fee estimate yet (see [`Prepared::with_fee_estimate`]). Pure: no I/O.
    pub fn localnet(
        signer: AccountId,
        call: Call,
        nonce: u64,
        mortality: Mortality,
        tip: u64,
        context: SigningContext,
    ) -> Self {
        let payload = SignedTransaction::signing_payload(&call, nonce, &mortality, tip, &context);
        let description = call.describe();
        Self {
            signer,
            call,
            nonce,
            mortality,
            tip,
            context,
            payload,
            description,
            fee_estimate: 0,
            substrate: None,
        }
    }

    /// The payload as polkadot.js hands it to a signer, when it is a v4 payload.
    pub fn signer_payload_json(&self) -> Option<SignerPayloadJson> {
        let form = self.substrate.as_ref()?;
        let hex = |bytes: &[u8]| format!("0x{}", hex::encode(bytes));
        let u32_hex = |v: u64| format!("0x{v:08x}");
        Some(SignerPayloadJson {
            address: self.signer.to_ss58(),
            block_hash: hex(&form.birth_hash.0),
            block_number: u32_hex(form.birth),
            era: hex(&form.era),
            genesis_hash: hex(&self.context.genesis_hash.0),
            method: hex(&form.call),
            nonce: u32_hex(self.nonce),
            spec_version: u32_hex(u64::from(self.context.spec_version)),
            tip: format!("0x{:032x}", u128::from(self.tip)),
            transaction_version: u32_hex(u64::from(form.transaction_version)),
            signed_extensions: form.extensions.clone(),
            version: 4,
            mode: 0,
        })
    }

    /// The same transaction with `fee_rao` as its fee estimate.
    pub fn with_fee_estimate(mut self, fee_rao: u64) -> Self {
        self.fee_estimate = fee_rao;
        self
    }

    /// The localnet transaction this prepared one becomes with `signature`. Refuses a
    /// transaction prepared for another chain or runtime than `chain_context`
    /// ([`TxValidityError::BadSigningContext`]) and one whose payload does not match its fields
    /// ([`TxValidityError::Malformed`]). The signature itself is checked by the node.
    pub fn into_localnet_transaction(
        self,
        chain_context: &SigningContext,
        signature: keys::Signature,
    ) -> Result<SignedTransaction, TxValidityError> {
        if self.context != *chain_context {
            return Err(TxValidityError::BadSigningContext);
        }
        if self.substrate.is_some() {
            return Err(TxValidityError::Malformed(
                "this transaction was prepared as a Subtensor extrinsic, not in localnet's own format".into(),
            ));
        }
        let payload = SignedTransaction::signing_payload(
            &self.call,
            self.nonce,
            &self.mortality,
            self.tip,
            &self.context,
        );
        if payload != self.payload {
            return Err(TxValidityError::Malformed(
                "the prepared payload does not match its call, nonce, mortality and tip; prepare the transaction again".into(),
            ));
        }
        Ok(SignedTransaction {
            signer: self.signer,
            nonce: self.nonce,
            mortality: self.mortality,
            tip: self.tip,
            call: self.call,
            signature: signature.0,
            envelope: crate::tx::Envelope::Taoplex,
        })
    }
}

/// Something that signs payloads for one account: a local key, or a bridge to a signer
/// elsewhere.
pub trait Signer: Send + Sync {
    /// The account whose key signs.
    fn account(&self) -> AccountId;

    /// Signs `payload` (sr25519, `substrate` context).
    fn sign(&self, payload: &[u8]) -> keys::Signature;
}

impl Signer for keys::Keypair {
    fn account(&self) -> AccountId {
        AccountId::from(self.public())
    }

    fn sign(&self, payload: &[u8]) -> keys::Signature {
        keys::Keypair::sign(self, payload)
    }
}

/// Prepares `call` for `signer`, signs it here and submits it: for callers that hold the key.
/// Returns the status stream of [`crate::Chain::submit`].
pub async fn sign_and_submit(
    chain: &dyn Chain,
    signer: &dyn Signer,
    call: Call,
    options: TxOptions,
) -> ChainResult<BoxStream<'static, ChainResult<TxStatus>>> {
    let prepared = chain.prepare(signer.account(), call, options).await?;
    let signature = signer.sign(&prepared.payload);
    chain.submit(prepared, signature).await
}

/// [`crate::Chain::prepare`] in the localnet payload format from the chain's reads: signing
/// context ([`crate::Chain::info`]), head, the account's nonce unless `options` gives one, and
/// [`crate::Chain::estimate_fee`].
pub async fn prepare_localnet<C: Chain + ?Sized>(
    chain: &C,
    signer: AccountId,
    call: Call,
    options: TxOptions,
) -> ChainResult<Prepared> {
    let info = chain.info().await?;
    let head = chain.header(BlockId::Head).await?;
    let nonce = match options.nonce {
        Some(n) => n,
        None => chain.account(signer).await?.nonce,
    };
    let fee = chain.estimate_fee(signer, call.clone()).await?;
    let mortality =
        Mortality::new(head.number, options.mortality_period.unwrap_or(DEFAULT_MORTALITY));
    Ok(Prepared::localnet(signer, call, nonce, mortality, options.tip, info.signing)
        .with_fee_estimate(fee))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::Hash;
    use dtao::units::Tao;

    fn context() -> SigningContext {
        SigningContext { genesis_hash: Hash::of(b"genesis"), spec_version: 1 }
    }

    fn stake() -> (keys::Keypair, Prepared) {
        let alice = keys::Keypair::from_uri("//Alice").unwrap();
        let bob = AccountId::from(keys::Keypair::from_uri("//Bob").unwrap().public());
        let call = Call::AddStakeLimit {
            hotkey: bob,
            netuid: 1,
            amount_staked: Tao::from_rao(10_000_000_000),
            limit_price: 5_700_000,
            allow_partial: false,
        };
        let prepared = Prepared::localnet(
            Signer::account(&alice),
            call,
            3,
            Mortality::new(10, 64),
            7,
            context(),
        )
        .with_fee_estimate(18_446_744_073_709_551_615);
        (alice, prepared)
    }

    #[test]
    fn prepared_transactions_round_trip_through_json() {
        let (_, prepared) = stake();
        let json = serde_json::to_value(&prepared).unwrap();
        assert_eq!(json["payload"], format!("0x{}", hex::encode(&prepared.payload)));
        assert_eq!(json["fee_estimate"], "18446744073709551615", "amounts travel as strings");
        assert_eq!(json["tip"], "7");
        assert_eq!(json["call"]["amount_staked"], "10000000000");
        assert_eq!(
            json["description"],
            "stake 10 τ on subnet 1 to 5FHn…, price no higher than 0.0057 τ/α, fill or kill"
        );
        assert_eq!(serde_json::from_value::<Prepared>(json).unwrap(), prepared);
    }

    #[test]
    fn options_default_what_json_leaves_out() {
        assert_eq!(serde_json::from_str::<TxOptions>("{}").unwrap(), TxOptions::default());
        let options: TxOptions = serde_json::from_str(r#"{"nonce": 4, "tip": "10"}"#).unwrap();
        assert_eq!(options, TxOptions { nonce: Some(4), tip: 10, ..TxOptions::default() });
        let options: TxOptions = serde_json::from_str(r#"{"format": "substrate"}"#).unwrap();
        assert_eq!(options.format, PayloadFormat::Substrate);
    }

    #[test]
    fn a_payload_without_0x_is_refused() {
        let (_, prepared) = stake();
        let mut json = serde_json::to_value(&prepared).unwrap();
        json["payload"] = hex::encode(&prepared.payload).into();
        let err = serde_json::from_value::<Prepared>(json).unwrap_err();
        assert!(err.to_string().contains("starts with 0x"), "{err}");
    }

    #[test]
    fn the_payload_signed_elsewhere_makes_the_transaction() {
        let (alice, prepared) = stake();
        // The signer sees only the payload bytes.
        let payload = prepared.payload.clone();
        let signature = Signer::sign(&alice, &payload);
        let tx = prepared.clone().into_localnet_transaction(&context(), signature).unwrap();
        assert_eq!(tx.verify_signature(&context()), Ok(()));
        // sr25519 signatures are randomised: compare everything else.
        let mut one_step = SignedTransaction::sign(
            &alice,
            prepared.call.clone(),
            3,
            Mortality::new(10, 64),
            7,
            &context(),
        );
        one_step.signature = tx.signature;
        assert_eq!(tx, one_step, "the pure halves build the transaction signing in one step does");
    }

    #[test]
    fn another_chain_or_a_tampered_payload_is_refused() {
        let (alice, prepared) = stake();
        let signature = Signer::sign(&alice, &prepared.payload);
        let other = SigningContext { genesis_hash: Hash::of(b"other"), spec_version: 1 };
        assert_eq!(
            prepared.clone().into_localnet_transaction(&other, signature),
            Err(TxValidityError::BadSigningContext)
        );
        let mut tampered = prepared;
        tampered.nonce = 4;
        assert!(matches!(
            tampered.into_localnet_transaction(&context(), signature),
            Err(TxValidityError::Malformed(_))
        ));
    }
}
