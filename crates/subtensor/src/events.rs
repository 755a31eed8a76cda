//! A block's `System.Events`, decoded with its runtime's metadata into taoplex's
//! [`chain::Event`]s.
//!
//! Every record is walked with the metadata (so events taoplex does not know are skipped, not
//! misread); the ones taoplex shows are decoded field by field. Fees come from
//! `TransactionPayment.TransactionFeePaid`, which the chain emits just before its extrinsic's
//! `ExtrinsicSuccess`/`ExtrinsicFailed`.

use std::collections::HashMap;

use chain::{AccountId, BlockNumber, Event, EventRecord, Hash, Phase};
use scale_decode::DecodeAsFields;
use scale_decode::DecodeAsType;
use subxt::events::Phase as SubxtPhase;

use crate::dispatch::{DispatchErrorValue, dispatch_error};
use crate::error::Result;
use crate::runtime::Runtime;

/// `twox_128("System") ‖ twox_128("Events")`: where a block's events are stored.
pub const SYSTEM_EVENTS_KEY: &str =
    "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7";

/// A 32-byte account as the chain encodes it (`AccountId32`, a newtype over the bytes).
#[derive(Debug, Clone, Copy, DecodeAsType)]
pub struct Account(pub [u8; 32]);

impl crate::layout::Layout for Account {
    fn reader(
        types: &scale_info::PortableRegistry,
        ty: u32,
    ) -> std::result::Result<crate::layout::Reader<Self>, crate::layout::LayoutError> {
        let bytes = <[u8; 32]>::reader(types, ty)?;
        Ok(crate::layout::Reader::new(move |input| bytes.read(input).map(Account)))
    }
}

impl From<Account> for AccountId {
    fn from(a: Account) -> Self {
        AccountId(a.0)
    }
}

#[derive(DecodeAsType)]
struct FeePaid {
    actual_fee: u64,
}

#[derive(DecodeAsType)]
struct Failed {
    dispatch_error: DispatchErrorValue,
}

#[derive(DecodeAsType)]
struct BalancesTransfer {
    from: Account,
    to: Account,
    amount: u64,
}

#[derive(DecodeAsType)]
struct EncryptedSubmitted {
    id: [u8; 32],
    who: Account,
}

#[derive(DecodeAsType)]
struct ProxyChange {
    delegator: Account,
    delegatee: Account,
    proxy_type: scale_value::Value,
}

#[derive(DecodeAsType)]
struct ProxyExecuted {
    result: Result<(), DispatchErrorValue>,
}

/// Decodes the `System.Events` storage value of block `block` (`bytes`) with `runtime`.
pub fn decode_events(
    runtime: &Runtime,
    block: BlockNumber,
    bytes: Vec<u8>,
) -> Result<Vec<EventRecord>> {
    let at = runtime.at(block)?;
    let events = at.events().from_bytes(bytes);
    let mut fees: HashMap<u32, u64> = HashMap::new();
    let mut out = Vec::new();
    for event in events.iter() {
        let event = event.map_err(|e| runtime.undecodable("System.Events", e.to_string()))?;
        let phase = match event.phase() {
            SubxtPhase::ApplyExtrinsic(i) => Phase::ApplyExtrinsic(i),
            SubxtPhase::Initialization => Phase::Initialization,
            SubxtPhase::Finalization => Phase::Finalization,
        };
        let what = format!("event {}.{}", event.pallet_name(), event.event_name());
        let fields = |e: Box<subxt::error::EventsError>| runtime.undecodable(&what, e.to_string());
        let mapped = match (event.pallet_name(), event.event_name()) {
            ("TransactionPayment", "TransactionFeePaid") => {
                let paid: FeePaid = decode(&event).map_err(fields)?;
                if let Phase::ApplyExtrinsic(i) = phase {
                    fees.insert(i, paid.actual_fee);
                }
                None
            }
            ("System", "ExtrinsicSuccess") => {
                Some(Event::ExtrinsicSuccess { fee: fee_of(&fees, phase) })
            }
            ("System", "ExtrinsicFailed") => {
                let failed: Failed = decode(&event).map_err(fields)?;
                Some(Event::ExtrinsicFailed {
                    error: dispatch_error(runtime, &failed.dispatch_error),
                    fee: fee_of(&fees, phase),
                })
            }
            ("Balances", "Transfer") => {
                let t: BalancesTransfer = decode(&event).map_err(fields)?;
                Some(Event::Transfer { from: t.from.into(), to: t.to.into(), amount: t.amount })
            }
            ("SubtensorModule", "StakeAdded") => {
                let (cold, hot, tao, alpha, netuid, fee): (Account, Account, u64, u64, u16, u64) =
                    decode(&event).map_err(fields)?;
                Some(Event::StakeAdded {
                    coldkey: cold.into(),
                    hotkey: hot.into(),
                    tao,
                    alpha,
                    netuid,
                    fee,
                })
            }
            ("SubtensorModule", "StakeRemoved") => {
                let (cold, hot, tao, alpha, netuid, fee): (Account, Account, u64, u64, u16, u64) =
                    decode(&event).map_err(fields)?;
                Some(Event::StakeRemoved {
                    coldkey: cold.into(),
                    hotkey: hot.into(),
                    tao,
                    alpha,
                    netuid,
                    fee,
                })
            }
            ("SubtensorModule", "StakeMoved") => {
                let (cold, from_hot, from_net, to_hot, to_net, tao): (
                    Account,
                    Account,
                    u16,
                    Account,
                    u16,
                    u64,
                ) = decode(&event).map_err(fields)?;
                Some(Event::StakeMoved {
                    coldkey: cold.into(),
                    origin_hotkey: from_hot.into(),
                    origin_netuid: from_net,
                    destination_hotkey: to_hot.into(),
                    destination_netuid: to_net,
                    tao,
                })
            }
            ("SubtensorModule", "StakeTransferred") => {
                let (from_cold, to_cold, hot, from_net, to_net, tao): (
                    Account,
                    Account,
                    Account,
                    u16,
                    u16,
                    u64,
                ) = decode(&event).map_err(fields)?;
                Some(Event::StakeTransferred {
                    origin_coldkey: from_cold.into(),
                    destination_coldkey: to_cold.into(),
                    hotkey: hot.into(),
                    origin_netuid: from_net,
                    destination_netuid: to_net,
                    tao,
                })
            }
            ("SubtensorModule", "StakeSwapped") => {
                let (cold, hot, from_net, to_net, tao): (Account, Account, u16, u16, u64) =
                    decode(&event).map_err(fields)?;
                Some(Event::StakeSwapped {
                    coldkey: cold.into(),
                    hotkey: hot.into(),
                    origin_netuid: from_net,
                    destination_netuid: to_net,
                    tao,
                })
            }
            ("SubtensorModule", "WeightsSet") => {
                let (netuid, uid): (u16, u16) = decode(&event).map_err(fields)?;
                Some(Event::WeightsSet { netuid, uid })
            }
            ("SubtensorModule", "AxonServed") => {
                let (netuid, hotkey): (u16, Account) = decode(&event).map_err(fields)?;
                Some(Event::AxonServed { netuid, hotkey: hotkey.into() })
            }
            ("SubtensorModule", "SubnetIdentitySet") => {
                let (netuid,): (u16,) = decode(&event).map_err(fields)?;
                Some(Event::SubnetIdentitySet { netuid })
            }
            ("SubtensorModule", "NetworkRemoved") => {
                let (netuid,): (u16,) = decode(&event).map_err(fields)?;
                Some(Event::NetworkRemoved { netuid })
            }
            ("SubtensorModule", "FirstEmissionBlockNumberSet") => {
                let (netuid, block): (u16, u64) = decode(&event).map_err(fields)?;
                Some(Event::FirstEmissionBlockNumberSet { netuid, block })
            }
            ("MevShield", "EncryptedSubmitted") => {
                let e: EncryptedSubmitted = decode(&event).map_err(fields)?;
                Some(Event::EncryptedSubmitted { id: Hash(e.id), who: e.who.into() })
            }
            ("Proxy", "ProxyAdded") | ("Proxy", "ProxyRemoved") => {
                let p: ProxyChange = decode(&event).map_err(fields)?;
                // Subtensor has more proxy types than taoplex names; those are not shown.
                let proxy_type = match crate::dispatch::variant_name(&p.proxy_type) {
                    Some("Any") => Some(chain::ProxyType::Any),
                    Some("Staking") => Some(chain::ProxyType::Staking),
                    Some("NonTransfer") => Some(chain::ProxyType::NonTransfer),
                    _ => None,
                };
                proxy_type.map(|proxy_type| {
                    let (real, delegate) = (p.delegator.into(), p.delegatee.into());
                    if event.event_name() == "ProxyAdded" {
                        Event::ProxyAdded { real, delegate, proxy_type }
                    } else {
                        Event::ProxyRemoved { real, delegate, proxy_type }
                    }
                })
            }
            ("Proxy", "ProxyExecuted") => {
                let p: ProxyExecuted = decode(&event).map_err(fields)?;
                Some(Event::ProxyExecuted {
                    result: p.result.map_err(|e| dispatch_error(runtime, &e)),
                })
            }
            _ => None,
        };
        if let Some(event) = mapped {
            out.push(EventRecord { block, phase, event });
        }
    }
    Ok(out)
}

fn decode<T: DecodeAsFields>(
    event: &subxt::events::Event<'_, subxt::config::SubstrateConfig>,
) -> Result<T, Box<subxt::error::EventsError>> {
    event.decode_fields_unchecked_as::<T>().map_err(Box::new)
}

fn fee_of(fees: &HashMap<u32, u64>, phase: Phase) -> u64 {
    match phase {
        Phase::ApplyExtrinsic(i) => fees.get(&i).copied().unwrap_or(0),
        _ => 0,
    }
}
