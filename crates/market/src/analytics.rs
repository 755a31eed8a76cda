//! Analytics: pure functions over stored rows. No I/O; unit-tested below.

use std::collections::BTreeMap;

use chain::{AccountId, BlockNumber, NetUid};
use dtao::amm::{Pool, PriceLimit, Side, SwapError, SwapOutcome, limit_price_for_tolerance};
use serde::{Deserialize, Serialize};

use chain::u64_string;

use crate::types::{Candle, Emission, Interval, StakeRow, SubnetChange, Trade};

/// Candles of `interval` from per-block spot prices (`(block, price)`, ascending) and the
/// trades touching `netuid`. A bucket exists if it has a price or a trade.
pub fn candles_from_prices(
    interval: Interval,
    netuid: NetUid,
    prices: &[(BlockNumber, u64)],
    trades: &[Trade],
) -> Vec<Candle> {
    let mut out: BTreeMap<BlockNumber, Candle> = BTreeMap::new();
    for (block, price) in prices {
        let b = interval.bucket_start(*block);
        out.entry(b)
            .and_modify(|c| c.push_price(*price))
            .or_insert_with(|| Candle::flat(b, *price));
    }
    for t in trades {
        for (n, flow) in t.flows() {
            if n != netuid {
                continue;
            }
            let b = interval.bucket_start(t.block);
            let c = out.entry(b).or_insert_with(|| Candle::flat(b, t.price));
            let v = u64::try_from(flow.unsigned_abs()).unwrap_or(u64::MAX);
            if flow > 0 {
                c.buy_volume = c.buy_volume.saturating_add(v);
            } else {
                c.sell_volume = c.sell_volume.saturating_add(v);
            }
            c.trades = c.trades.saturating_add(1);
        }
    }
    out.into_values().collect()
}

/// Rolls hourly candles (ascending) up into a longer interval.
pub fn rollup(hourly: &[Candle], interval: Interval) -> Vec<Candle> {
    let mut out: Vec<Candle> = Vec::new();
    for c in hourly {
        let b = interval.bucket_start(c.start_block);
        match out.last_mut() {
            Some(last) if last.start_block == b => last.merge(c),
            _ => out.push(Candle { start_block: b, ..*c }),
        }
    }
    out
}

/// Relative change from `then` to `now` (0.05 = +5 %); `None` without a base.
pub fn change(then: Option<u64>, now: u64) -> Option<f64> {
    match then {
        Some(t) if t > 0 => Some(now as f64 / t as f64 - 1.0),
        _ => None,
    }
}

/// Net TAO flow into `netuid` from user trades: buys and move destinations in, sells and move
/// origins out (emission injection excluded), rao.
pub fn net_flow(trades: &[Trade], netuid: NetUid) -> i128 {
    trades.iter().flat_map(|t| t.flows()).filter(|(n, _)| *n == netuid).map(|(_, f)| f).sum()
}

/// The chain's flow-EMA factor per block (≈ 3.209e-6, half-life 216,000 blocks).
pub const FLOW_EMA_PER_BLOCK: f64 = 29_597_889_189_277.0 / 9_223_372_036_854_775_807.0;

/// EMA of net flow over consecutive equal-length periods (oldest first), with the chain's
/// per-block factor compounded over `blocks_per_period`: the number that drives emission
/// shares in flow mode, computed from the hourly flows we store. Starts from 0, as the chain's.
pub fn flow_ema(period_flows: &[i128], blocks_per_period: u64) -> f64 {
    let keep = (1.0 - FLOW_EMA_PER_BLOCK).powf(blocks_per_period as f64);
    let per_block_factor = 1.0 - keep;
    let mut ema = 0.0;
    for f in period_flows {
        // A period's flow arrives spread over its blocks; treat it as its per-block mean.
        let mean = *f as f64 / blocks_per_period.max(1) as f64;
        ema = keep * ema + per_block_factor * mean;
    }
    ema
}

/// A holder of a subnet's alpha.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    /// Coldkey.
    pub coldkey: AccountId,
    /// Alpha over all hotkeys, rao.
    #[serde(with = "u64_string")]
    pub alpha: u64,
    /// Fraction of the listed stake.
    pub share: f64,
}

/// A subnet's holders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holders {
    /// Subnet.
    pub netuid: NetUid,
    /// Coldkeys with stake.
    pub count: u64,
    /// Their total alpha, rao.
    #[serde(with = "u64_string")]
    pub total_alpha: u64,
    /// The largest, by alpha.
    pub top: Vec<Holder>,
    /// Oldest head block the stake rows were read at.
    pub as_of_block: Option<BlockNumber>,
}

/// Holders from stake rows (one subnet), aggregated by coldkey.
pub fn holders(netuid: NetUid, stakes: &[StakeRow], top: usize) -> Holders {
    let mut by: BTreeMap<AccountId, u64> = BTreeMap::new();
    for s in stakes.iter().filter(|s| s.netuid == netuid) {
        let e = by.entry(s.coldkey).or_default();
        *e = e.saturating_add(s.alpha);
    }
    let total: u64 = by.values().fold(0u64, |a, b| a.saturating_add(*b));
    let mut list: Vec<(AccountId, u64)> = by.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Holders {
        netuid,
        count: list.len() as u64,
        total_alpha: total,
        top: list
            .into_iter()
            .take(top)
            .map(|(coldkey, alpha)| Holder {
                coldkey,
                alpha,
                share: if total == 0 { 0.0 } else { alpha as f64 / total as f64 },
            })
            .collect(),
        as_of_block: stakes.iter().map(|s| s.as_of_block).min(),
    }
}

/// What selling `alpha` through the pool returns now: the full swap outcome (fee included,
/// the sell fee's second swap included), exactly as the chain would compute it.
pub fn exit_value(pool: &Pool, alpha: u64) -> Result<SwapOutcome, SwapError> {
    pool.swap(Side::Sell, alpha, PriceLimit::None, false)
}

/// The largest gross input (TAO for a buy, alpha for a sell) that moves the spot price by at
/// most `impact_bps` basis points (100 = 1 %).
pub fn max_trade_for_impact(pool: &Pool, side: Side, impact_bps: u16) -> u64 {
    let limit = limit_price_for_tolerance(side, pool.spot_price_rao(), impact_bps);
    pool.max_input_to_limit(side, PriceLimit::Rao(limit))
}

/// One epoch's owner burn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BurnPoint {
    /// Epoch block.
    pub block: BlockNumber,
    /// Miner alpha paid to miners, rao.
    #[serde(with = "u64_string")]
    pub incentive: u64,
    /// Miner alpha the owner's hotkeys took and burned, rao.
    #[serde(with = "u64_string")]
    pub burned: u64,
    /// burned / (incentive + burned).
    pub fraction: f64,
}

/// A subnet's predictability record: how often its owner changed the rules and how much
/// miner emission the owner burned, over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Predictability {
    /// Subnet.
    pub netuid: NetUid,
    /// Rule changes (hyperparameters and identity), oldest first.
    pub rule_changes: Vec<SubnetChange>,
    /// Per-epoch owner burn, oldest first.
    pub burns: Vec<BurnPoint>,
    /// Total miner alpha burned by the owner, rao.
    #[serde(with = "u64_string")]
    pub burned_total: u64,
    /// burned_total / all miner alpha.
    pub burned_fraction: f64,
    /// Epochs in which the owner burned.
    pub burning_epochs: u64,
}

/// Builds the predictability record.
pub fn predictability(
    netuid: NetUid,
    changes: &[SubnetChange],
    emissions: &[Emission],
) -> Predictability {
    let rule_changes: Vec<SubnetChange> =
        changes.iter().filter(|c| c.netuid == netuid && c.kind.is_rule_change()).cloned().collect();
    let mut burns = Vec::new();
    let (mut burned_total, mut miner_total, mut burning_epochs) = (0u64, 0u64, 0u64);
    for e in emissions.iter().filter(|e| e.netuid == netuid) {
        let total = e.incentive.saturating_add(e.owner_miner_burned);
        burned_total = burned_total.saturating_add(e.owner_miner_burned);
        miner_total = miner_total.saturating_add(total);
        if e.owner_miner_burned > 0 {
            burning_epochs += 1;
        }
        burns.push(BurnPoint {
            block: e.block,
            incentive: e.incentive,
            burned: e.owner_miner_burned,
            fraction: if total == 0 { 0.0 } else { e.owner_miner_burned as f64 / total as f64 },
        });
    }
    Predictability {
        netuid,
        rule_changes,
        burns,
        burned_total,
        burned_fraction: if miner_total == 0 {
            0.0
        } else {
            burned_total as f64 / miner_total as f64
        },
        burning_epochs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ChangeKind, RAO, TradeKind};
    use dtao::amm::Reserves;

    fn trade(
        block: BlockNumber,
        kind: TradeKind,
        netuid: NetUid,
        dest: Option<NetUid>,
        tao: u64,
    ) -> Trade {
        Trade {
            block,
            extrinsic: 0,
            seq: 0,
            kind,
            netuid,
            dest_netuid: dest,
            coldkey: AccountId([1; 32]),
            hotkey: AccountId([2; 32]),
            dest_coldkey: None,
            dest_hotkey: None,
            tao,
            alpha: tao,
            alpha_dest: tao,
            fee_tao: 0,
            fee_alpha: 0,
            price: RAO,
        }
    }

    #[test]
    fn candles_take_ohlc_from_block_prices_and_volume_from_trades() {
        let prices: Vec<(u64, u64)> = (0..12).map(|b| (b, 100 + (b * 7) % 5)).collect();
        let trades = [
            trade(1, TradeKind::Buy, 3, None, 50),
            trade(6, TradeKind::Sell, 3, None, 20),
            trade(7, TradeKind::Move, 3, Some(4), 9),
            trade(8, TradeKind::Move, 4, Some(3), 4),
            trade(8, TradeKind::Buy, 5, None, 1000),
        ];
        let c = candles_from_prices(Interval::M1, 3, &prices, &trades);
        assert_eq!(c.len(), 3);
        // Bucket 0: prices 100,102,104,101,103.
        assert_eq!((c[0].open, c[0].high, c[0].low, c[0].close), (100, 104, 100, 103));
        assert_eq!((c[0].buy_volume, c[0].sell_volume, c[0].trades), (50, 0, 1));
        // Bucket 5: a sell, a move out (sell side), a move in (buy side); SN5 ignored.
        assert_eq!((c[1].buy_volume, c[1].sell_volume, c[1].trades), (4, 29, 3));
        assert_eq!(c[2].start_block, 10);
    }

    #[test]
    fn rollups_merge_hours_into_days() {
        let hours: Vec<Candle> = (0..48u64)
            .map(|h| Candle { buy_volume: 1, ..Candle::flat(h * 300, 1000 + h) })
            .collect();
        let days = rollup(&hours, Interval::D1);
        assert_eq!(days.len(), 2);
        assert_eq!(
            (days[0].open, days[0].close, days[0].high, days[0].low),
            (1000, 1023, 1023, 1000)
        );
        assert_eq!(days[1].start_block, 7200);
        assert_eq!(days[1].buy_volume, 24);
        let same = rollup(&hours, Interval::H1);
        assert_eq!(same, hours);
    }

    #[test]
    fn changes_and_flows() {
        assert!((change(Some(100), 105).unwrap() - 0.05).abs() < 1e-12);
        assert_eq!(change(None, 105), None);
        assert_eq!(change(Some(0), 105), None);
        let trades = [
            trade(1, TradeKind::Buy, 3, None, 50),
            trade(2, TradeKind::Sell, 3, None, 20),
            trade(3, TradeKind::Swap, 3, Some(4), 9),
            trade(3, TradeKind::Move, 3, Some(3), 99),
        ];
        assert_eq!(net_flow(&trades, 3), 21);
        assert_eq!(net_flow(&trades, 4), 9);
        assert_eq!(flow_ema(&[], 300), 0.0);
        let ema = flow_ema(&[300_000; 10], 300);
        assert!(ema > 0.0 && ema < 1000.0, "{ema}");
    }

    #[test]
    fn holders_aggregate_by_coldkey() {
        let row = |c: u8, h: u8, alpha| StakeRow {
            coldkey: AccountId([c; 32]),
            hotkey: AccountId([h; 32]),
            netuid: 1,
            alpha,
            as_of_block: 9,
        };
        let h = holders(1, &[row(1, 1, 10), row(1, 2, 30), row(2, 1, 60), row(3, 3, 0)], 2);
        assert_eq!(h.count, 3);
        assert_eq!(h.total_alpha, 100);
        assert_eq!(h.top[0].coldkey, AccountId([2; 32]));
        assert_eq!(h.top[1].alpha, 40);
        assert!((h.top[1].share - 0.4).abs() < 1e-12);
    }

    #[test]
    fn exit_value_is_the_pools_own_swap_and_impact_limits_hold() {
        let pool = Pool::balancer(Reserves { tao: 1_000 * RAO, alpha: 100_000 * RAO });
        let exit = exit_value(&pool, 1_000 * RAO).unwrap();
        assert_eq!(exit, pool.swap(Side::Sell, 1_000 * RAO, PriceLimit::None, false).unwrap());
        assert!(exit.amount_out < 10 * RAO && exit.amount_out > 9 * RAO);
        let max = max_trade_for_impact(&pool, Side::Buy, 100);
        let at = pool.swap(Side::Buy, max, PriceLimit::None, false).unwrap();
        let over = pool.swap(Side::Buy, max + max / 100, PriceLimit::None, false).unwrap();
        let spot = pool.spot_price_rao();
        assert!(at.spot_after_rao() <= spot + spot / 100);
        assert!(over.spot_after_rao() > spot + spot / 100);
    }

    #[test]
    fn predictability_counts_rule_changes_and_burns() {
        let changes = [
            SubnetChange {
                block: 5,
                seq: 0,
                netuid: 2,
                kind: ChangeKind::Hyperparameter,
                name: "tempo".into(),
                value: 720.into(),
            },
            SubnetChange {
                block: 6,
                seq: 0,
                netuid: 2,
                kind: ChangeKind::NeuronRegistered,
                name: "x".into(),
                value: 0.into(),
            },
            SubnetChange {
                block: 7,
                seq: 0,
                netuid: 3,
                kind: ChangeKind::Identity,
                name: String::new(),
                value: 0.into(),
            },
        ];
        let e = |block, incentive, burned| Emission {
            block,
            netuid: 2,
            incentive,
            dividends: 0,
            owner_cut: 0,
            owner_miner_burned: burned,
        };
        let p = predictability(2, &changes, &[e(360, 100, 0), e(720, 50, 50)]);
        assert_eq!(p.rule_changes.len(), 1);
        assert_eq!(p.burned_total, 50);
        assert_eq!(p.burning_epochs, 1);
        assert!((p.burned_fraction - 0.25).abs() < 1e-12);
        assert!((p.burns[1].fraction - 0.5).abs() < 1e-12);
    }
}
