//! A block's `System.Events` value: localnet's events as Subtensor's `EventRecord`s.
//!
//! Every localnet event the metadata declares becomes its pallet's event, in order. Each
//! extrinsic's events open with `Balances.Withdraw` of its fee from the signer (as on
//! Subtensor; localnet's fee is exact, so no refund `Deposit` follows). Before
//! each extrinsic's `ExtrinsicSuccess`/`ExtrinsicFailed` comes a
//! `TransactionPayment.TransactionFeePaid` carrying the fee, as the chain emits it (clients take
//! the fee from there). Events the metadata does not declare, or whose fields localnet does
//! not keep (`HyperparameterSet`, `NeuronDeregistered`, `EpochCompleted`, `WeightsRevealed`'s
//! commit hash, the hotkeys of `AlphaBurned`/`AlphaRecycled`), are left out.

use chain::{Block, DispatchError as ChainError, Event, Phase as ChainPhase, ProxyType};

use super::metadata;
use super::pallets::{
    RuntimeEvent, balances, proxy, subtensor_module as sm, system, transaction_payment,
};
use super::types::{
    AccountId32, DispatchClass, DispatchError, DispatchEventInfo, EventRecord, H256, ModuleError,
    Pays, Phase, Weight,
};

fn acc(a: &chain::AccountId) -> AccountId32 {
    AccountId32(a.0)
}

fn info() -> DispatchEventInfo {
    DispatchEventInfo {
        weight: Weight::default(),
        class: DispatchClass::Normal,
        pays_fee: Pays::Yes,
    }
}

/// A localnet dispatch error as the pallet error of the same name (its name is what its
/// message starts with); `Other` when the metadata declares no such error.
pub fn dispatch_error(e: &ChainError) -> DispatchError {
    let found = match e {
        ChainError::Module { pallet, name, .. } => metadata::error_index(Some(pallet), name),
        other => {
            let text = other.to_string();
            let name = text.split(':').next().unwrap_or_default();
            metadata::error_index(None, name)
        }
    };
    found.map_or(DispatchError::Other, |(index, error)| {
        DispatchError::Module(ModuleError { index, error: [error, 0, 0, 0] })
    })
}

fn proxy_type(t: ProxyType) -> proxy::ProxyType {
    match t {
        ProxyType::Any => proxy::ProxyType::Any,
        ProxyType::Staking => proxy::ProxyType::Staking,
        ProxyType::NonTransfer => proxy::ProxyType::NonTransfer,
    }
}

/// The pallet event of a localnet event, if the metadata declares it.
fn runtime_event(e: &Event) -> Option<RuntimeEvent> {
    use RuntimeEvent as R;
    Some(match e {
        Event::ExtrinsicSuccess { .. } => {
            R::System(system::Event::ExtrinsicSuccess { dispatch_info: info() })
        }
        Event::ExtrinsicFailed { error, .. } => R::System(system::Event::ExtrinsicFailed {
            dispatch_error: dispatch_error(error),
            dispatch_info: info(),
        }),
        Event::Transfer { from, to, amount } => {
            R::Balances(balances::Event::Transfer { from: acc(from), to: acc(to), amount: *amount })
        }
        Event::StakeAdded { coldkey, hotkey, tao, alpha, netuid, fee } => R::SubtensorModule(
            sm::Event::StakeAdded(acc(coldkey), acc(hotkey), *tao, *alpha, *netuid, *fee),
        ),
        Event::StakeRemoved { coldkey, hotkey, tao, alpha, netuid, fee } => R::SubtensorModule(
            sm::Event::StakeRemoved(acc(coldkey), acc(hotkey), *tao, *alpha, *netuid, *fee),
        ),
        Event::StakeMoved {
            coldkey,
            origin_hotkey,
            origin_netuid,
            destination_hotkey,
            destination_netuid,
            tao,
        } => R::SubtensorModule(sm::Event::StakeMoved(
            acc(coldkey),
            acc(origin_hotkey),
            *origin_netuid,
            acc(destination_hotkey),
            *destination_netuid,
            *tao,
        )),
        Event::StakeTransferred {
            origin_coldkey,
            destination_coldkey,
            hotkey,
            origin_netuid,
            destination_netuid,
            tao,
        } => R::SubtensorModule(sm::Event::StakeTransferred(
            acc(origin_coldkey),
            acc(destination_coldkey),
            acc(hotkey),
            *origin_netuid,
            *destination_netuid,
            *tao,
        )),
        Event::StakeSwapped { coldkey, hotkey, origin_netuid, destination_netuid, tao } => {
            R::SubtensorModule(sm::Event::StakeSwapped(
                acc(coldkey),
                acc(hotkey),
                *origin_netuid,
                *destination_netuid,
                *tao,
            ))
        }
        Event::NetworkAdded { netuid, mechanism, .. } => {
            R::SubtensorModule(sm::Event::NetworkAdded(*netuid, *mechanism))
        }
        Event::NetworkRemoved { netuid } => R::SubtensorModule(sm::Event::NetworkRemoved(*netuid)),
        Event::FirstEmissionBlockNumberSet { netuid, block } => {
            R::SubtensorModule(sm::Event::FirstEmissionBlockNumberSet(*netuid, *block))
        }
        Event::SubnetIdentitySet { netuid } => {
            R::SubtensorModule(sm::Event::SubnetIdentitySet(*netuid))
        }
        Event::NeuronRegistered { netuid, uid, hotkey, .. } => {
            R::SubtensorModule(sm::Event::NeuronRegistered(*netuid, *uid, acc(hotkey)))
        }
        Event::AxonServed { netuid, hotkey } => {
            R::SubtensorModule(sm::Event::AxonServed(*netuid, acc(hotkey)))
        }
        Event::WeightsSet { netuid, uid } => {
            R::SubtensorModule(sm::Event::WeightsSet(*netuid, *uid))
        }
        Event::WeightsCommitted { netuid, hotkey, commit_hash } => R::SubtensorModule(
            sm::Event::WeightsCommitted(acc(hotkey), *netuid, H256(commit_hash.0)),
        ),
        Event::ProxyAdded { real, delegate, proxy_type: t } => R::Proxy(proxy::Event::ProxyAdded {
            delegator: acc(real),
            delegatee: acc(delegate),
            proxy_type: proxy_type(*t),
            delay: 0,
        }),
        Event::ProxyRemoved { real, delegate, proxy_type: t } => {
            R::Proxy(proxy::Event::ProxyRemoved {
                delegator: acc(real),
                delegatee: acc(delegate),
                proxy_type: proxy_type(*t),
                delay: 0,
            })
        }
        Event::ProxyExecuted { result } => R::Proxy(proxy::Event::ProxyExecuted {
            result: result.as_ref().map(|_| ()).map_err(dispatch_error),
        }),
        Event::EncryptedSubmitted { id, who } => {
            R::MevShield(super::pallets::mev_shield::Event::EncryptedSubmitted {
                id: H256(id.0),
                who: acc(who),
            })
        }
        _ => return None,
    })
}

/// Block `block`'s `System.Events`.
pub fn records(block: &Block) -> Vec<EventRecord> {
    let mut out = Vec::with_capacity(block.events.len() + block.extrinsics.len());
    let mut withdrawn = None;
    for r in &block.events {
        // Each signed extrinsic's events open with the fee leaving the signer's balance, as
        // Subtensor's transaction payment does (`Balances.Withdraw`).
        if let ChainPhase::ApplyExtrinsic(i) = r.phase
            && withdrawn != Some(i)
        {
            withdrawn = Some(i);
            if let Some(x) = block.extrinsics.iter().find(|x| x.index == i) {
                out.push(EventRecord {
                    phase: Phase::ApplyExtrinsic(i),
                    event: RuntimeEvent::Balances(balances::Event::Withdraw {
                        who: acc(&x.signer),
                        amount: x.fee,
                    }),
                    topics: Vec::new(),
                });
            }
        }
        let Some(event) = runtime_event(&r.event) else { continue };
        let phase = match r.phase {
            ChainPhase::Initialization => Phase::Initialization,
            ChainPhase::ApplyExtrinsic(i) => Phase::ApplyExtrinsic(i),
            ChainPhase::Finalization => Phase::Finalization,
        };
        if let (
            Event::ExtrinsicSuccess { fee } | Event::ExtrinsicFailed { fee, .. },
            Phase::ApplyExtrinsic(i),
        ) = (&r.event, phase)
        {
            // The signer pays. A block lists every extrinsic its events name, so the zero
            // account never shows here in practice.
            let who = block
                .extrinsics
                .iter()
                .find(|x| x.index == i)
                .map_or(AccountId32::default(), |x| acc(&x.signer));
            out.push(EventRecord {
                phase,
                event: RuntimeEvent::TransactionPayment(
                    transaction_payment::Event::TransactionFeePaid {
                        who,
                        actual_fee: *fee,
                        tip: 0,
                    },
                ),
                topics: Vec::new(),
            });
        }
        out.push(EventRecord { phase, event, topics: Vec::new() });
    }
    out
}
