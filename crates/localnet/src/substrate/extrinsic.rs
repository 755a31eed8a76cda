//! Subtensor's signed v4 extrinsic, read back into localnet's [`chain::Call`] — what
//! `TransactionPaymentApi_query_info` needs to quote a fee.
//!
//! Layout: `0x84` (signed, version 4), `MultiAddress` signer, `MultiSignature`, the extension
//! values in the metadata's order (`Era`, `Compact<u32>` nonce, `Compact<u64>` tip, the metadata
//! hash `Mode` byte; the other extensions carry no bytes), then the `RuntimeCall`.

use chain::{AccountId, Alpha, AxonInfo, Call, Hash, ProxyType, Tao};
use parity_scale_codec::{Compact, Decode};

use super::pallets::{RuntimeCall, balances, proxy, subtensor_module as sm, utility};
use super::types::{MultiAddress, MultiSignature};

/// A signed extrinsic's signer, nonce, tip and call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedExtrinsic {
    /// Signer.
    pub signer: AccountId,
    /// Nonce.
    pub nonce: u32,
    /// Tip, rao.
    pub tip: u64,
    /// The call.
    pub call: RuntimeCall,
}

fn read<T: Decode>(input: &mut &[u8], what: &str) -> Result<T, String> {
    T::decode(input).map_err(|e| format!("bad {what}: {e}"))
}

/// Decodes a signed v4 extrinsic (without its length prefix).
pub fn decode_signed(mut input: &[u8]) -> Result<SignedExtrinsic, String> {
    let input = &mut input;
    let version: u8 = read(input, "version byte")?;
    if version != 0x84 {
        return Err(format!("version byte 0x{version:02x}: only signed v4 extrinsics (0x84)"));
    }
    let MultiAddress::Id(signer) = read::<MultiAddress>(input, "signer")? else {
        return Err("the signer must be an account id (MultiAddress::Id)".into());
    };
    read::<MultiSignature>(input, "signature")?;
    // `Era`: 0 is immortal, otherwise two bytes.
    if read::<u8>(input, "era")? != 0 {
        read::<u8>(input, "era")?;
    }
    let nonce = read::<Compact<u32>>(input, "nonce")?.0;
    let tip = read::<Compact<u64>>(input, "tip")?.0;
    read::<u8>(input, "metadata hash mode")?;
    let call = read::<RuntimeCall>(input, "call")?;
    if !input.is_empty() {
        return Err(format!("{} bytes after the call", input.len()));
    }
    Ok(SignedExtrinsic { signer: AccountId(signer.0), nonce, tip, call })
}

fn account(a: super::types::AccountId32) -> AccountId {
    AccountId(a.0)
}

fn proxy_type(t: proxy::ProxyType) -> ProxyType {
    match t {
        proxy::ProxyType::Any => ProxyType::Any,
        proxy::ProxyType::Staking => ProxyType::Staking,
        proxy::ProxyType::NonTransfer => ProxyType::NonTransfer,
    }
}

fn address(a: MultiAddress) -> Result<AccountId, String> {
    match a {
        MultiAddress::Id(id) => Ok(account(id)),
        other => Err(format!("localnet takes accounts as MultiAddress::Id (got {other:?})")),
    }
}

/// The address text of an axon's integer IP (4: the low 32 bits; otherwise IPv6).
fn ip_text(ip: u128, ip_type: u8) -> String {
    if ip_type == 4 {
        std::net::Ipv4Addr::from(u32::try_from(ip).unwrap_or(0)).to_string()
    } else {
        std::net::Ipv6Addr::from(ip).to_string()
    }
}

/// The localnet call of a Subtensor call. Subnet registration and identity calls (whose
/// identity fields differ from localnet's) are named in the error.
pub fn chain_call(call: &RuntimeCall) -> Result<Call, String> {
    use sm::Call as S;
    Ok(match call.clone() {
        RuntimeCall::Balances(
            balances::Call::transfer_keep_alive { dest: MultiAddress::Id(dest), value }
            | balances::Call::transfer_allow_death { dest: MultiAddress::Id(dest), value },
        ) => Call::Transfer { dest: account(dest), amount: Tao::from_rao(value) },
        RuntimeCall::SubtensorModule(c) => match c {
            S::add_stake { hotkey, netuid, amount_staked } => Call::AddStake {
                hotkey: account(hotkey),
                netuid,
                amount_staked: Tao::from_rao(amount_staked),
            },
            S::remove_stake { hotkey, netuid, amount_unstaked } => Call::RemoveStake {
                hotkey: account(hotkey),
                netuid,
                amount_unstaked: Alpha::from_rao(amount_unstaked),
            },
            S::add_stake_limit { hotkey, netuid, amount_staked, limit_price, allow_partial } => {
                Call::AddStakeLimit {
                    hotkey: account(hotkey),
                    netuid,
                    amount_staked: Tao::from_rao(amount_staked),
                    limit_price,
                    allow_partial,
                }
            }
            S::remove_stake_limit {
                hotkey,
                netuid,
                amount_unstaked,
                limit_price,
                allow_partial,
            } => Call::RemoveStakeLimit {
                hotkey: account(hotkey),
                netuid,
                amount_unstaked: Alpha::from_rao(amount_unstaked),
                limit_price,
                allow_partial,
            },
            S::remove_stake_full_limit { hotkey, netuid, limit_price } => {
                Call::RemoveStakeFullLimit { hotkey: account(hotkey), netuid, limit_price }
            }
            S::move_stake {
                origin_hotkey,
                destination_hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
            } => Call::MoveStake {
                origin_hotkey: account(origin_hotkey),
                destination_hotkey: account(destination_hotkey),
                origin_netuid,
                destination_netuid,
                alpha_amount: Alpha::from_rao(alpha_amount),
            },
            S::transfer_stake {
                destination_coldkey,
                hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
            } => Call::TransferStake {
                destination_coldkey: account(destination_coldkey),
                hotkey: account(hotkey),
                origin_netuid,
                destination_netuid,
                alpha_amount: Alpha::from_rao(alpha_amount),
            },
            S::swap_stake { hotkey, origin_netuid, destination_netuid, alpha_amount } => {
                Call::SwapStake {
                    hotkey: account(hotkey),
                    origin_netuid,
                    destination_netuid,
                    alpha_amount: Alpha::from_rao(alpha_amount),
                }
            }
            S::unstake_all { hotkey } => Call::UnstakeAll { hotkey: account(hotkey) },
            S::start_call { netuid } => Call::StartCall { netuid },
            S::burned_register { netuid, hotkey } => {
                Call::BurnedRegister { netuid, hotkey: account(hotkey) }
            }
            S::swap_stake_limit {
                hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
                limit_price,
                allow_partial,
            } => Call::SwapStakeLimit {
                hotkey: account(hotkey),
                origin_netuid,
                destination_netuid,
                alpha_amount: Alpha::from_rao(alpha_amount),
                limit_price,
                allow_partial,
            },
            S::set_weights { netuid, dests, weights, version_key } => {
                Call::SetWeights { netuid, dests, weights, version_key }
            }
            S::commit_weights { netuid, commit_hash } => {
                Call::CommitWeights { netuid, commit_hash: Hash(commit_hash.0) }
            }
            S::reveal_weights { netuid, uids, values, salt, version_key } => {
                Call::RevealWeights { netuid, uids, values, salt, version_key }
            }
            S::serve_axon { netuid, version, ip, port, ip_type, protocol, .. } => Call::ServeAxon {
                netuid,
                axon: AxonInfo { ip: ip_text(ip, ip_type), port, ip_type, protocol, version },
            },
            other => return Err(format!("localnet does not quote a fee for {other:?} yet")),
        },
        RuntimeCall::Proxy(c) => match c {
            proxy::Call::proxy { real, call, .. } => {
                Call::Proxy { real: address(real)?, call: Box::new(chain_call(&call)?) }
            }
            proxy::Call::add_proxy { delegate, proxy_type: t, .. } => {
                Call::AddProxy { delegate: address(delegate)?, proxy_type: proxy_type(t) }
            }
            proxy::Call::remove_proxy { delegate, proxy_type: t, .. } => {
                Call::RemoveProxy { delegate: address(delegate)?, proxy_type: proxy_type(t) }
            }
        },
        RuntimeCall::Utility(utility::Call::batch_all { calls }) => {
            Call::BatchAll { calls: calls.iter().map(chain_call).collect::<Result<_, _>>()? }
        }
        other => return Err(format!("localnet does not quote a fee for {other:?} yet")),
    })
}
