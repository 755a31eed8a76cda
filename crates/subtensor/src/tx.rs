//! Signed extrinsics (v4) for Subtensor, built offline from the runtime's metadata.
//!
//! A [`chain::Call`] becomes the runtime's call by pallet and call *name* (encoded against the
//! metadata's types, so index changes between runtimes do not matter). The signing payload is
//! `call ‖ era ‖ nonce ‖ tip ‖ metadata-hash mode ‖ spec ‖ tx version ‖ genesis ‖ era block ‖
//! no metadata hash` (hashed with BLAKE2-256 when over 256 bytes): Subtensor's transaction
//! extensions as subxt's stock ones encode them, its own four extensions being empty.

use chain::{AccountId, Call, ProxyType};
use scale_value::{Composite, Value};
use subxt::config::substrate::H256;
use subxt::config::{SubstrateConfig, SubstrateExtrinsicParamsBuilder};
use subxt::utils::{AccountId32, MultiSignature};

use crate::error::{Result, SubtensorError};
use crate::runtime::Runtime;

/// How long a transaction is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// Forever (only for fee queries and tests: a leaked immortal transaction can be replayed
    /// if the nonce is ever reused).
    Immortal,
    /// `period` blocks from block `birth` (whose hash is `birth_hash`). The chain rounds the
    /// period up to a power of two.
    Mortal {
        /// Blocks.
        period: u64,
        /// The block it is valid from.
        birth: u64,
        /// That block's hash.
        birth_hash: [u8; 32],
    },
}

/// Everything a signed extrinsic commits to, besides the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxParts {
    /// Signer and fee payer.
    pub signer: AccountId,
    /// What to do (MEV Shield's wrapper is [`Call::SubmitEncrypted`]).
    pub call: Call,
    /// The signer's nonce.
    pub nonce: u64,
    /// Validity.
    pub era: Era,
    /// Priority tip, rao.
    pub tip: u64,
}

/// The bytes the signer signs (sr25519, `substrate` context).
pub fn signer_payload(runtime: &Runtime, parts: &TxParts) -> Result<Vec<u8>> {
    let payload = payload_of(&parts.call)?;
    let client = runtime.at(block_of(parts))?;
    let signable = client
        .transactions()
        .create_v4_signable_offline(&payload, params(parts))
        .map_err(|e| SubtensorError::Transaction(e.to_string()))?;
    signable.signer_payload().map_err(|e| SubtensorError::Transaction(e.to_string()))
}

/// The complete signed extrinsic, SCALE-encoded with its length prefix, ready for
/// `author_submitExtrinsic`.
pub fn signed_extrinsic(
    runtime: &Runtime,
    parts: &TxParts,
    signature: &[u8; 64],
) -> Result<Vec<u8>> {
    let payload = payload_of(&parts.call)?;
    let client = runtime.at(block_of(parts))?;
    let mut signable = client
        .transactions()
        .create_v4_signable_offline(&payload, params(parts))
        .map_err(|e| SubtensorError::Transaction(e.to_string()))?;
    let signed = signable
        .sign_with_account_and_signature(
            &AccountId32(parts.signer.0),
            &MultiSignature::Sr25519(*signature),
        )
        .map_err(|e| SubtensorError::Transaction(e.to_string()))?;
    Ok(signed.into_encoded())
}

/// The transaction as signers that rebuild the v4 payload from its parts take it (browser
/// extensions): the call's bytes, the extensions' bytes exactly as the signed extrinsic carries
/// them (read back out of one, so that whatever the runtime's extensions encode is kept), the
/// era, and the extensions' names from the metadata. `genesis` is the birth hash of an
/// immortal era.
pub fn substrate_form(
    runtime: &Runtime,
    genesis: [u8; 32],
    parts: &TxParts,
) -> Result<chain::SubstrateForm> {
    let call = call_data(runtime, &parts.call)?;
    let extrinsic = signed_extrinsic(runtime, parts, &[0; 64])?;
    let mut body = &extrinsic[..];
    <parity_scale_codec::Compact<u32> as parity_scale_codec::Decode>::decode(&mut body)
        .map_err(|e| SubtensorError::Transaction(format!("the extrinsic's length: {e}")))?;
    // Version byte, MultiAddress::Id (1 + 32), MultiSignature::Sr25519 (1 + 64), extensions, call.
    const SIGNED_HEADER: usize = 1 + 33 + 65;
    let extra = body
        .get(SIGNED_HEADER..body.len().saturating_sub(call.len()))
        .filter(|_| body.ends_with(&call))
        .ok_or_else(|| {
            SubtensorError::Transaction("the extrinsic does not end with its call".into())
        })?
        .to_vec();
    let era_len = if extra.first() == Some(&0) { 1 } else { 2 };
    let (birth, birth_hash) = match parts.era {
        Era::Immortal => (0, genesis),
        Era::Mortal { birth, birth_hash, .. } => (birth, birth_hash),
    };
    let extensions = runtime
        .metadata()
        .extrinsic()
        .transaction_extensions_by_version(0)
        .map(|e| e.map(|x| x.identifier().to_string()).collect())
        .unwrap_or_default();
    Ok(chain::SubstrateForm {
        era: extra.get(..era_len).unwrap_or_default().to_vec(),
        call,
        extra,
        birth,
        birth_hash: chain::Hash(birth_hash),
        transaction_version: runtime.version.transaction_version,
        extensions,
    })
}

/// The runtime call's encoding: pallet index ‖ call index ‖ arguments.
pub fn call_data(runtime: &Runtime, call: &Call) -> Result<Vec<u8>> {
    let payload = payload_of(call)?;
    runtime
        .at(0)?
        .transactions()
        .call_data(&payload)
        .map_err(|e| SubtensorError::Transaction(e.to_string()))
}

fn block_of(parts: &TxParts) -> u64 {
    match parts.era {
        Era::Immortal => 0,
        Era::Mortal { birth, .. } => birth,
    }
}

fn params(parts: &TxParts) -> subxt::config::DefaultExtrinsicParams<SubstrateConfig> {
    let builder = SubstrateExtrinsicParamsBuilder::<SubstrateConfig>::new()
        .nonce(parts.nonce)
        .tip(u128::from(parts.tip));
    match parts.era {
        Era::Immortal => builder.immortal(),
        Era::Mortal { period, birth, birth_hash } => {
            builder.mortal_from_unchecked(period, birth, H256(birth_hash))
        }
    }
    .build()
}

type Payload = subxt::transactions::DynamicPayload<Composite<()>>;

fn payload_of(call: &Call) -> Result<Payload> {
    let (pallet, name, fields) = runtime_call(call)?;
    Ok(subxt::dynamic::transaction(pallet, name, fields))
}

/// The runtime call as (pallet, call, named arguments).
fn runtime_call(call: &Call) -> Result<(&'static str, &'static str, Composite<()>)> {
    let u = |n: u64| Value::u128(u128::from(n));
    let net = |n: u16| Value::u128(u128::from(n));
    let named = |fields: Vec<(&str, Value)>| {
        Composite::named(fields.into_iter().map(|(k, v)| (k.to_string(), v)))
    };
    const ST: &str = "SubtensorModule";
    Ok(match call {
        Call::Transfer { dest, amount } => (
            "Balances",
            "transfer_keep_alive",
            named(vec![("dest", address(dest)), ("value", u(amount.rao()))]),
        ),
        Call::AddStake { hotkey, netuid, amount_staked } => (
            ST,
            "add_stake",
            named(vec![
                ("hotkey", account(hotkey)),
                ("netuid", net(*netuid)),
                ("amount_staked", u(amount_staked.rao())),
            ]),
        ),
        Call::AddStakeLimit { hotkey, netuid, amount_staked, limit_price, allow_partial } => (
            ST,
            "add_stake_limit",
            named(vec![
                ("hotkey", account(hotkey)),
                ("netuid", net(*netuid)),
                ("amount_staked", u(amount_staked.rao())),
                ("limit_price", u(*limit_price)),
                ("allow_partial", Value::bool(*allow_partial)),
            ]),
        ),
        Call::RemoveStake { hotkey, netuid, amount_unstaked } => (
            ST,
            "remove_stake",
            named(vec![
                ("hotkey", account(hotkey)),
                ("netuid", net(*netuid)),
                ("amount_unstaked", u(amount_unstaked.rao())),
            ]),
        ),
        Call::RemoveStakeLimit { hotkey, netuid, amount_unstaked, limit_price, allow_partial } => (
            ST,
            "remove_stake_limit",
            named(vec![
                ("hotkey", account(hotkey)),
                ("netuid", net(*netuid)),
                ("amount_unstaked", u(amount_unstaked.rao())),
                ("limit_price", u(*limit_price)),
                ("allow_partial", Value::bool(*allow_partial)),
            ]),
        ),
        Call::RemoveStakeFullLimit { hotkey, netuid, limit_price } => (
            ST,
            "remove_stake_full_limit",
            named(vec![
                ("hotkey", account(hotkey)),
                ("netuid", net(*netuid)),
                ("limit_price", option(limit_price.map(u))),
            ]),
        ),
        Call::SwapStake { hotkey, origin_netuid, destination_netuid, alpha_amount } => (
            ST,
            "swap_stake",
            named(vec![
                ("hotkey", account(hotkey)),
                ("origin_netuid", net(*origin_netuid)),
                ("destination_netuid", net(*destination_netuid)),
                ("alpha_amount", u(alpha_amount.rao())),
            ]),
        ),
        Call::SwapStakeLimit {
            hotkey,
            origin_netuid,
            destination_netuid,
            alpha_amount,
            limit_price,
            allow_partial,
        } => (
            ST,
            "swap_stake_limit",
            named(vec![
                ("hotkey", account(hotkey)),
                ("origin_netuid", net(*origin_netuid)),
                ("destination_netuid", net(*destination_netuid)),
                ("alpha_amount", u(alpha_amount.rao())),
                ("limit_price", u(*limit_price)),
                ("allow_partial", Value::bool(*allow_partial)),
            ]),
        ),
        Call::MoveStake {
            origin_hotkey,
            destination_hotkey,
            origin_netuid,
            destination_netuid,
            alpha_amount,
        } => (
            ST,
            "move_stake",
            named(vec![
                ("origin_hotkey", account(origin_hotkey)),
                ("destination_hotkey", account(destination_hotkey)),
                ("origin_netuid", net(*origin_netuid)),
                ("destination_netuid", net(*destination_netuid)),
                ("alpha_amount", u(alpha_amount.rao())),
            ]),
        ),
        Call::TransferStake {
            destination_coldkey,
            hotkey,
            origin_netuid,
            destination_netuid,
            alpha_amount,
        } => (
            ST,
            "transfer_stake",
            named(vec![
                ("destination_coldkey", account(destination_coldkey)),
                ("hotkey", account(hotkey)),
                ("origin_netuid", net(*origin_netuid)),
                ("destination_netuid", net(*destination_netuid)),
                ("alpha_amount", u(alpha_amount.rao())),
            ]),
        ),
        Call::UnstakeAll { hotkey } => {
            (ST, "unstake_all", named(vec![("hotkey", account(hotkey))]))
        }
        Call::StartCall { netuid } => (ST, "start_call", named(vec![("netuid", net(*netuid))])),
        Call::BurnedRegister { netuid, hotkey } => (
            ST,
            "burned_register",
            named(vec![("netuid", net(*netuid)), ("hotkey", account(hotkey))]),
        ),
        Call::ServeAxon { netuid, axon } => {
            let ip: std::net::IpAddr = axon.ip.parse().map_err(|_| {
                SubtensorError::Transaction(format!("{:?} is not an IP address", axon.ip))
            })?;
            let ip = match ip {
                std::net::IpAddr::V4(v4) => u128::from(u32::from(v4)),
                std::net::IpAddr::V6(v6) => u128::from(v6),
            };
            (
                ST,
                "serve_axon",
                named(vec![
                    ("netuid", net(*netuid)),
                    ("version", Value::u128(u128::from(axon.version))),
                    ("ip", Value::u128(ip)),
                    ("port", Value::u128(u128::from(axon.port))),
                    ("ip_type", Value::u128(u128::from(axon.ip_type))),
                    ("protocol", Value::u128(u128::from(axon.protocol))),
                    ("placeholder1", Value::u128(0)),
                    ("placeholder2", Value::u128(0)),
                ]),
            )
        }
        Call::SetWeights { netuid, dests, weights, version_key } => (
            ST,
            "set_weights",
            named(vec![
                ("netuid", net(*netuid)),
                ("dests", u16s(dests)),
                ("weights", u16s(weights)),
                ("version_key", u(*version_key)),
            ]),
        ),
        Call::CommitWeights { netuid, commit_hash } => (
            ST,
            "commit_weights",
            named(vec![
                ("netuid", net(*netuid)),
                ("commit_hash", Value::from_bytes(commit_hash.0)),
            ]),
        ),
        Call::RevealWeights { netuid, uids, values, salt, version_key } => (
            ST,
            "reveal_weights",
            named(vec![
                ("netuid", net(*netuid)),
                ("uids", u16s(uids)),
                ("values", u16s(values)),
                ("salt", u16s(salt)),
                ("version_key", u(*version_key)),
            ]),
        ),
        Call::AddProxy { delegate, proxy_type } => (
            "Proxy",
            "add_proxy",
            named(vec![
                ("delegate", address(delegate)),
                ("proxy_type", proxy_type_value(*proxy_type)),
                ("delay", Value::u128(0)),
            ]),
        ),
        Call::RemoveProxy { delegate, proxy_type } => (
            "Proxy",
            "remove_proxy",
            named(vec![
                ("delegate", address(delegate)),
                ("proxy_type", proxy_type_value(*proxy_type)),
                ("delay", Value::u128(0)),
            ]),
        ),
        Call::Proxy { real, call } => {
            let (pallet, name, fields) = runtime_call(call)?;
            let inner = Value::unnamed_variant(pallet, [Value::variant(name, fields)]);
            (
                "Proxy",
                "proxy",
                named(vec![
                    ("real", address(real)),
                    ("force_proxy_type", option(None)),
                    ("call", inner),
                ]),
            )
        }
        Call::BatchAll { calls } => {
            if let Some(reason) = call.batch_error() {
                return Err(SubtensorError::Transaction(reason));
            }
            // `calls: Vec<RuntimeCall>`: each leg as the outer call enum's variant (pallet),
            // holding the pallet's call variant, as `Proxy::proxy` nests its call.
            let legs = calls
                .iter()
                .map(|leg| {
                    let (pallet, name, fields) = runtime_call(leg)?;
                    Ok(Value::unnamed_variant(pallet, [Value::variant(name, fields)]))
                })
                .collect::<Result<Vec<_>>>()?;
            ("Utility", "batch_all", named(vec![("calls", Value::unnamed_composite(legs))]))
        }
        Call::SubmitEncrypted { ciphertext } => (
            "MevShield",
            "submit_encrypted",
            named(vec![("ciphertext", Value::from_bytes(ciphertext))]),
        ),
        other => {
            return Err(SubtensorError::Transaction(format!(
                "{} is not supported on the live network by taoplex yet; use btcli for it",
                other.name()
            )));
        }
    })
}

fn account(a: &AccountId) -> Value {
    Value::from_bytes(a.0)
}

/// `MultiAddress::Id(account)`.
fn address(a: &AccountId) -> Value {
    Value::unnamed_variant("Id", [account(a)])
}

fn option(v: Option<Value>) -> Value {
    match v {
        Some(v) => Value::unnamed_variant("Some", [v]),
        None => Value::unnamed_variant("None", []),
    }
}

fn u16s(values: &[u16]) -> Value {
    Value::unnamed_composite(values.iter().map(|v| Value::u128(u128::from(*v))))
}

fn proxy_type_value(t: ProxyType) -> Value {
    let name = match t {
        ProxyType::Any => "Any",
        ProxyType::Staking => "Staking",
        ProxyType::NonTransfer => "NonTransfer",
    };
    Value::unnamed_variant(name, [])
}
