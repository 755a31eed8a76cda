//! A block's body: its v4 extrinsics read back into taoplex's [`Call`]s, the inverse of
//! [`crate::tx`]'s encoding.
//!
//! Each extrinsic is taken apart with the runtime's metadata (frame-decode, through subxt's
//! offline client), so the signer, nonce and call are found whatever transaction extensions the
//! runtime declares; the call is then read by pallet and call *name* into the taoplex call of
//! the same meaning. Inherents (`Timestamp.set`) and calls taoplex has no word for are not
//! listed; their index is skipped, so every listed extrinsic keeps the index its events name.

use chain::{AccountId, Alpha, AxonInfo, Call, ExtrinsicRecord, Hash, ProxyType, Tao};
use scale_value::{Composite, Primitive, Value, ValueDef};

use crate::runtime::Runtime;

type V = Value<()>;

/// The extrinsics of block `block`'s body (`chain_getBlock`'s length-prefixed bytes, in order)
/// that taoplex can name. Fee and result are left for the caller to take from the block's
/// events (`0` and `Ok` here). An extrinsic the metadata cannot decode is reported and left out,
/// so that one odd extrinsic cannot hide the rest of the block.
pub async fn read_body(
    runtime: &Runtime,
    block: u64,
    body: Vec<Vec<u8>>,
) -> crate::Result<Vec<ExtrinsicRecord>> {
    let client = runtime.at(block)?;
    let extrinsics = client.extrinsics().from_bytes(body).await;
    let mut out = Vec::new();
    for (index, found) in extrinsics.iter().enumerate() {
        let extrinsic = match found {
            Ok(x) => x,
            Err(e) => {
                // localnet serves an empty body entry for a transaction of its own with no
                // Subtensor form; anything else is worth a warning.
                tracing::debug!(block, index, error = %e, "an extrinsic that does not decode");
                continue;
            }
        };
        let Some(address) = extrinsic.address_bytes() else { continue };
        // MultiAddress::Id: variant 0, then the 32-byte account.
        let Some(signer) = address.strip_prefix(&[0]).and_then(|a| <[u8; 32]>::try_from(a).ok())
        else {
            continue;
        };
        let Some(nonce) = extrinsic.transaction_extensions().and_then(|e| e.nonce()) else {
            continue;
        };
        let call = match extrinsic.decode_call_data_as::<V>() {
            Ok(value) => runtime_call(&value),
            Err(e) => {
                tracing::warn!(block, index, error = %e, "an extrinsic's call does not decode");
                None
            }
        };
        let Some(call) = call else { continue };
        let encoded = extrinsic.bytes().to_vec();
        out.push(ExtrinsicRecord {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            hash: Hash(sp_crypto_hashing::blake2_256(&encoded)),
            signer: AccountId(signer),
            nonce,
            call,
            fee: 0,
            result: Ok(()),
            encoded,
        });
    }
    Ok(out)
}

/// A `RuntimeCall` value (pallet variant holding the call variant) as a taoplex call.
pub fn runtime_call(value: &V) -> Option<Call> {
    let ValueDef::Variant(pallet) = &value.value else { return None };
    let ValueDef::Variant(call) = &only(&pallet.values)?.value else { return None };
    call_of(&pallet.name, &call.name, &call.values)
}

/// The taoplex call of `pallet`.`name` with arguments `args`; `None` for a call taoplex does
/// not know or arguments not of the shape [`crate::tx`] writes.
fn call_of(pallet: &str, name: &str, args: &Composite<()>) -> Option<Call> {
    let arg = |field: &str| named(args, field);
    let hotkey = || account(arg("hotkey")?);
    let netuid = |field: &str| u16::try_from(uint(arg(field)?)?).ok();
    let amount = |field: &str| u64::try_from(uint(arg(field)?)?).ok();
    let tao = |field: &str| amount(field).map(Tao::from_rao);
    let alpha = |field: &str| amount(field).map(Alpha::from_rao);
    let flag = |field: &str| arg(field)?.as_bool();
    Some(match (pallet, name) {
        ("Balances", "transfer_keep_alive" | "transfer_allow_death") => {
            Call::Transfer { dest: address(arg("dest")?)?, amount: tao("value")? }
        }
        ("SubtensorModule", call) => match call {
            "add_stake" => Call::AddStake {
                hotkey: hotkey()?,
                netuid: netuid("netuid")?,
                amount_staked: tao("amount_staked")?,
            },
            "add_stake_limit" => Call::AddStakeLimit {
                hotkey: hotkey()?,
                netuid: netuid("netuid")?,
                amount_staked: tao("amount_staked")?,
                limit_price: amount("limit_price")?,
                allow_partial: flag("allow_partial")?,
            },
            "remove_stake" => Call::RemoveStake {
                hotkey: hotkey()?,
                netuid: netuid("netuid")?,
                amount_unstaked: alpha("amount_unstaked")?,
            },
            "remove_stake_limit" => Call::RemoveStakeLimit {
                hotkey: hotkey()?,
                netuid: netuid("netuid")?,
                amount_unstaked: alpha("amount_unstaked")?,
                limit_price: amount("limit_price")?,
                allow_partial: flag("allow_partial")?,
            },
            "remove_stake_full_limit" => Call::RemoveStakeFullLimit {
                hotkey: hotkey()?,
                netuid: netuid("netuid")?,
                limit_price: match option(arg("limit_price")?)? {
                    Some(v) => Some(u64::try_from(uint(v)?).ok()?),
                    None => None,
                },
            },
            "swap_stake" => Call::SwapStake {
                hotkey: hotkey()?,
                origin_netuid: netuid("origin_netuid")?,
                destination_netuid: netuid("destination_netuid")?,
                alpha_amount: alpha("alpha_amount")?,
            },
            "swap_stake_limit" => Call::SwapStakeLimit {
                hotkey: hotkey()?,
                origin_netuid: netuid("origin_netuid")?,
                destination_netuid: netuid("destination_netuid")?,
                alpha_amount: alpha("alpha_amount")?,
                limit_price: amount("limit_price")?,
                allow_partial: flag("allow_partial")?,
            },
            "move_stake" => Call::MoveStake {
                origin_hotkey: account(arg("origin_hotkey")?)?,
                destination_hotkey: account(arg("destination_hotkey")?)?,
                origin_netuid: netuid("origin_netuid")?,
                destination_netuid: netuid("destination_netuid")?,
                alpha_amount: alpha("alpha_amount")?,
            },
            "transfer_stake" => Call::TransferStake {
                destination_coldkey: account(arg("destination_coldkey")?)?,
                hotkey: hotkey()?,
                origin_netuid: netuid("origin_netuid")?,
                destination_netuid: netuid("destination_netuid")?,
                alpha_amount: alpha("alpha_amount")?,
            },
            "unstake_all" => Call::UnstakeAll { hotkey: hotkey()? },
            "start_call" => Call::StartCall { netuid: netuid("netuid")? },
            "burned_register" => {
                Call::BurnedRegister { netuid: netuid("netuid")?, hotkey: hotkey()? }
            }
            "serve_axon" => {
                let ip_type = u8::try_from(uint(arg("ip_type")?)?).ok()?;
                let ip = uint(arg("ip")?)?;
                Call::ServeAxon {
                    netuid: netuid("netuid")?,
                    axon: AxonInfo {
                        ip: ip_text(ip, ip_type)?,
                        port: u16::try_from(uint(arg("port")?)?).ok()?,
                        ip_type,
                        protocol: u8::try_from(uint(arg("protocol")?)?).ok()?,
                        version: u32::try_from(uint(arg("version")?)?).ok()?,
                    },
                }
            }
            "set_weights" => Call::SetWeights {
                netuid: netuid("netuid")?,
                dests: u16s(arg("dests")?)?,
                weights: u16s(arg("weights")?)?,
                version_key: amount("version_key")?,
            },
            "commit_weights" => Call::CommitWeights {
                netuid: netuid("netuid")?,
                commit_hash: Hash(<[u8; 32]>::try_from(bytes(arg("commit_hash")?)?).ok()?),
            },
            "reveal_weights" => Call::RevealWeights {
                netuid: netuid("netuid")?,
                uids: u16s(arg("uids")?)?,
                values: u16s(arg("values")?)?,
                salt: u16s(arg("salt")?)?,
                version_key: amount("version_key")?,
            },
            _ => return None,
        },
        ("Proxy", "add_proxy" | "remove_proxy") => {
            // taoplex's proxies take effect at once.
            if uint(arg("delay")?)? != 0 {
                return None;
            }
            let delegate = address(arg("delegate")?)?;
            let proxy_type = proxy_type(arg("proxy_type")?)?;
            if name == "add_proxy" {
                Call::AddProxy { delegate, proxy_type }
            } else {
                Call::RemoveProxy { delegate, proxy_type }
            }
        }
        ("Proxy", "proxy") => {
            // A forced proxy type is not something taoplex's call can say.
            if option(arg("force_proxy_type")?)?.is_some() {
                return None;
            }
            Call::Proxy {
                real: address(arg("real")?)?,
                call: Box::new(runtime_call(arg("call")?)?),
            }
        }
        ("Utility", "batch_all") => {
            let ValueDef::Composite(legs) = &arg("calls")?.value else { return None };
            let calls = legs.values().map(runtime_call).collect::<Option<Vec<_>>>()?;
            let call = Call::BatchAll { calls };
            // Only what taoplex itself could have sent: no batch in a batch.
            if call.batch_error().is_some() {
                return None;
            }
            call
        }
        ("MevShield", "submit_encrypted") => {
            Call::SubmitEncrypted { ciphertext: bytes(arg("ciphertext")?)? }
        }
        _ => return None,
    })
}

/// The one value of a single-field composite.
fn only(c: &Composite<()>) -> Option<&V> {
    let mut values = c.values();
    let first = values.next()?;
    values.next().is_none().then_some(first)
}

/// The field `name` of a named composite.
fn named<'a>(c: &'a Composite<()>, name: &str) -> Option<&'a V> {
    match c {
        Composite::Named(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
        Composite::Unnamed(_) => None,
    }
}

/// An unsigned integer, through newtypes (`NetUid`, `TaoCurrency`, `AlphaCurrency` wrap one).
fn uint(v: &V) -> Option<u128> {
    match &v.value {
        ValueDef::Primitive(p) => p.as_u128(),
        ValueDef::Composite(c) => uint(only(c)?),
        _ => None,
    }
}

/// Bytes: a sequence or array of `u8`, through newtypes (`AccountId32`, `BoundedVec`).
fn bytes(v: &V) -> Option<Vec<u8>> {
    let ValueDef::Composite(c) = &v.value else { return None };
    let all_bytes = c.values().all(|x| matches!(x.value, ValueDef::Primitive(Primitive::U128(_))));
    if all_bytes {
        return c.values().map(|x| u8::try_from(x.as_u128()?).ok()).collect();
    }
    bytes(only(c)?)
}

fn account(v: &V) -> Option<AccountId> {
    Some(AccountId(<[u8; 32]>::try_from(bytes(v)?).ok()?))
}

/// `MultiAddress::Id(account)`; other address kinds are not taoplex's.
fn address(v: &V) -> Option<AccountId> {
    match &v.value {
        ValueDef::Variant(variant) if variant.name == "Id" => account(only(&variant.values)?),
        _ => None,
    }
}

/// `Some(value)` / `None`; `None` when `v` is no option.
fn option(v: &V) -> Option<Option<&V>> {
    match &v.value {
        ValueDef::Variant(variant) if variant.name == "None" => Some(None),
        ValueDef::Variant(variant) if variant.name == "Some" => Some(Some(only(&variant.values)?)),
        _ => None,
    }
}

fn u16s(v: &V) -> Option<Vec<u16>> {
    let ValueDef::Composite(c) = &v.value else { return None };
    c.values().map(|x| u16::try_from(uint(x)?).ok()).collect()
}

fn proxy_type(v: &V) -> Option<ProxyType> {
    let ValueDef::Variant(variant) = &v.value else { return None };
    match variant.name.as_str() {
        "Any" => Some(ProxyType::Any),
        "Staking" => Some(ProxyType::Staking),
        "NonTransfer" => Some(ProxyType::NonTransfer),
        _ => None,
    }
}

/// An axon's integer IP as text: IPv4 from the low 32 bits when `ip_type` is 4, else IPv6.
fn ip_text(ip: u128, ip_type: u8) -> Option<String> {
    Some(match ip_type {
        4 => std::net::Ipv4Addr::from(u32::try_from(ip).ok()?).to_string(),
        _ => std::net::Ipv6Addr::from(ip).to_string(),
    })
}
