//! Decoding a block: its events grouped by extrinsic into trades, epochs into emissions, and
//! lifecycle/rule events into changes. Pure functions of a [`chain::Block`].

use std::collections::BTreeMap;

use chain::{Block, Call, Event, NetUid, Phase};
use serde_json::json;

use crate::types::{ChangeKind, Emission, RAO, SubnetChange, Trade, TradeKind};

/// What one block holds for the market.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decoded {
    /// Trades, in extrinsic order.
    pub trades: Vec<Trade>,
    /// Epoch emissions.
    pub emissions: Vec<Emission>,
    /// Lifecycle and rule changes.
    pub changes: Vec<SubnetChange>,
}

/// Execution price, rao per alpha: `tao · 1e9 / alpha`, floored; 0 when no alpha.
pub fn exec_price(tao: u64, alpha: u64) -> u64 {
    if alpha == 0 {
        return 0;
    }
    u64::try_from(u128::from(tao) * u128::from(RAO) / u128::from(alpha)).unwrap_or(u64::MAX)
}

#[derive(Clone, Copy)]
struct Leg {
    coldkey: chain::AccountId,
    hotkey: chain::AccountId,
    tao: u64,
    alpha: u64,
    netuid: NetUid,
    fee: u64,
    used: bool,
}

/// The call at extrinsic `index`, unwrapped from proxies.
fn call_at(block: &Block, index: u32) -> Option<&Call> {
    let mut call = &block.extrinsics.iter().find(|x| x.index == index)?.call;
    while let Call::Proxy { call: inner, .. } = call {
        call = inner;
    }
    Some(call)
}

/// Decodes a block's events.
pub fn decode_block(block: &Block) -> Decoded {
    let number = block.header.number;
    let mut out = Decoded::default();
    // Events grouped by extrinsic, in order; others (initialisation/finalisation) apart.
    let mut by_ext: BTreeMap<u32, Vec<&Event>> = BTreeMap::new();
    let mut change_seq = 0u32;
    for rec in &block.events {
        if let Phase::ApplyExtrinsic(i) = rec.phase {
            by_ext.entry(i).or_default().push(&rec.event);
        }
        let mut change =
            |netuid: NetUid, kind: ChangeKind, name: String, value: serde_json::Value| {
                out.changes.push(SubnetChange {
                    block: number,
                    seq: change_seq,
                    netuid,
                    kind,
                    name,
                    value,
                });
                change_seq += 1;
            };
        match &rec.event {
            Event::EpochCompleted {
                netuid,
                incentive,
                dividends,
                owner_cut,
                owner_miner_burned,
            } => {
                out.emissions.push(Emission {
                    block: number,
                    netuid: *netuid,
                    incentive: *incentive,
                    dividends: *dividends,
                    owner_cut: *owner_cut,
                    owner_miner_burned: *owner_miner_burned,
                });
            }
            Event::HyperparameterSet { netuid, param } => {
                let value = serde_json::to_value(param)
                    .ok()
                    .and_then(|v| v.get("value").cloned())
                    .unwrap_or(serde_json::Value::Null);
                change(*netuid, ChangeKind::Hyperparameter, param.name().to_string(), value);
            }
            Event::SubnetIdentitySet { netuid } => {
                let identity = match rec.phase {
                    Phase::ApplyExtrinsic(i) => match call_at(block, i) {
                        Some(Call::SetSubnetIdentity { identity, .. }) => {
                            serde_json::to_value(identity).ok()
                        }
                        Some(Call::RegisterNetwork { identity: Some(identity), .. }) => {
                            serde_json::to_value(identity).ok()
                        }
                        _ => None,
                    },
                    _ => None,
                };
                change(
                    *netuid,
                    ChangeKind::Identity,
                    String::new(),
                    identity.unwrap_or(serde_json::Value::Null),
                );
            }
            Event::NetworkAdded { netuid, mechanism, owner, lock_cost } => change(
                *netuid,
                ChangeKind::Registered,
                String::new(),
                json!({ "owner": owner, "mechanism": mechanism, "lock_cost": lock_cost.to_string() }),
            ),
            Event::NetworkRemoved { netuid } => {
                change(*netuid, ChangeKind::Deregistered, String::new(), serde_json::Value::Null)
            }
            Event::FirstEmissionBlockNumberSet { netuid, block } => change(
                *netuid,
                ChangeKind::EmissionStarted,
                String::new(),
                json!({ "block": block }),
            ),
            Event::NeuronRegistered { netuid, uid, hotkey, burn } => change(
                *netuid,
                ChangeKind::NeuronRegistered,
                hotkey.to_ss58(),
                json!({ "uid": uid, "burn": burn.to_string() }),
            ),
            Event::NeuronDeregistered { netuid, uid, hotkey } => change(
                *netuid,
                ChangeKind::NeuronDeregistered,
                hotkey.to_ss58(),
                json!({ "uid": uid }),
            ),
            _ => {}
        }
    }
    for (index, events) in by_ext {
        decode_trades(number, index, &events, &mut out.trades);
    }
    out
}

/// One extrinsic's trades: each move-like event absorbs the inner `StakeRemoved` (origin) and
/// `StakeAdded` (destination) it caused; the remaining adds and removes are buys and sells.
fn decode_trades(number: u64, index: u32, events: &[&Event], trades: &mut Vec<Trade>) {
    if events.iter().any(|e| matches!(e, Event::ExtrinsicFailed { .. })) {
        return;
    }
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for e in events {
        match e {
            Event::StakeAdded { coldkey, hotkey, tao, alpha, netuid, fee } => added.push(Leg {
                coldkey: *coldkey,
                hotkey: *hotkey,
                tao: *tao,
                alpha: *alpha,
                netuid: *netuid,
                fee: *fee,
                used: false,
            }),
            Event::StakeRemoved { coldkey, hotkey, tao, alpha, netuid, fee } => removed.push(Leg {
                coldkey: *coldkey,
                hotkey: *hotkey,
                tao: *tao,
                alpha: *alpha,
                netuid: *netuid,
                fee: *fee,
                used: false,
            }),
            _ => {}
        }
    }
    let mut seq = 0u32;
    let take = |legs: &mut Vec<Leg>, netuid: NetUid| -> Option<Leg> {
        let leg = legs.iter_mut().find(|l| !l.used && l.netuid == netuid)?;
        leg.used = true;
        Some(*leg)
    };
    for e in events {
        let (kind, coldkey, hotkey, dest_coldkey, dest_hotkey, origin, dest, tao) = match e {
            Event::StakeMoved {
                coldkey,
                origin_hotkey,
                origin_netuid,
                destination_hotkey,
                destination_netuid,
                tao,
            } => (
                TradeKind::Move,
                *coldkey,
                *origin_hotkey,
                None,
                Some(*destination_hotkey),
                *origin_netuid,
                *destination_netuid,
                *tao,
            ),
            Event::StakeSwapped { coldkey, hotkey, origin_netuid, destination_netuid, tao } => (
                TradeKind::Swap,
                *coldkey,
                *hotkey,
                None,
                None,
                *origin_netuid,
                *destination_netuid,
                *tao,
            ),
            Event::StakeTransferred {
                origin_coldkey,
                destination_coldkey,
                hotkey,
                origin_netuid,
                destination_netuid,
                tao,
            } => (
                TradeKind::Transfer,
                *origin_coldkey,
                *hotkey,
                Some(*destination_coldkey),
                None,
                *origin_netuid,
                *destination_netuid,
                *tao,
            ),
            _ => continue,
        };
        let (out_leg, in_leg) = if origin != dest {
            (take(&mut removed, origin), take(&mut added, dest))
        } else {
            (None, None)
        };
        let (alpha, fee_alpha, price) = match out_leg {
            Some(l) => (l.alpha.saturating_add(l.fee), l.fee, exec_price(l.tao, l.alpha)),
            None => (0, 0, 0),
        };
        let (alpha_dest, fee_tao) = in_leg.map_or((0, 0), |l| (l.alpha, l.fee));
        trades.push(Trade {
            block: number,
            extrinsic: index,
            seq,
            kind,
            netuid: origin,
            dest_netuid: Some(dest),
            coldkey,
            hotkey,
            dest_coldkey,
            dest_hotkey,
            tao,
            alpha,
            alpha_dest,
            fee_tao,
            fee_alpha,
            price,
        });
        seq += 1;
    }
    for l in added.iter().filter(|l| !l.used) {
        trades.push(Trade {
            block: number,
            extrinsic: index,
            seq,
            kind: TradeKind::Buy,
            netuid: l.netuid,
            dest_netuid: None,
            coldkey: l.coldkey,
            hotkey: l.hotkey,
            dest_coldkey: None,
            dest_hotkey: None,
            tao: l.tao,
            alpha: l.alpha,
            alpha_dest: 0,
            fee_tao: l.fee,
            fee_alpha: 0,
            price: exec_price(l.tao.saturating_sub(l.fee), l.alpha),
        });
        seq += 1;
    }
    for l in removed.iter().filter(|l| !l.used) {
        trades.push(Trade {
            block: number,
            extrinsic: index,
            seq,
            kind: TradeKind::Sell,
            netuid: l.netuid,
            dest_netuid: None,
            coldkey: l.coldkey,
            hotkey: l.hotkey,
            dest_coldkey: None,
            dest_hotkey: None,
            tao: l.tao,
            alpha: l.alpha.saturating_add(l.fee),
            alpha_dest: 0,
            fee_tao: 0,
            fee_alpha: l.fee,
            price: exec_price(l.tao, l.alpha),
        });
        seq += 1;
    }
}
