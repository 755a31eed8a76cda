//! Feed rules: pure functions that turn what a block did into market-moving events.

use std::collections::BTreeMap;

use chain::{BlockNumber, NetUid};
use serde_json::json;

use crate::types::{
    BLOCKS_PER_HOUR, ChangeKind, Emission, FeedEvent, FeedKind, RAO, SubnetChange, Trade, TradeKind,
};

/// Thresholds of the feed rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedConfig {
    /// A trade of at least this much TAO (rao) is a whale trade (default 500 τ).
    pub whale_tao: u64,
    /// Per-subnet whale thresholds overriding `whale_tao`.
    pub whale_by_subnet: BTreeMap<NetUid, u64>,
    /// Window of the price-move and emission-share rules, blocks (default 300 = 1h). The rules
    /// run at every block that is a multiple of the window and compare with the block one
    /// window earlier.
    pub window_blocks: u64,
    /// Price move that makes an event, basis points (default 500 = ±5 %).
    pub price_move_bps: u64,
    /// Emission-share change that makes an event: at least this many ppb absolute (default
    /// 2,000,000 = 0.2 percentage points) …
    pub share_jump_ppb: u64,
    /// … and at least this relative change, basis points (default 2500 = 25 %).
    pub share_jump_rel_bps: u64,
}

impl Default for FeedConfig {
    fn default() -> Self {
        Self {
            whale_tao: 500 * RAO,
            whale_by_subnet: BTreeMap::new(),
            window_blocks: BLOCKS_PER_HOUR,
            price_move_bps: 500,
            share_jump_ppb: 2_000_000,
            share_jump_rel_bps: 2_500,
        }
    }
}

impl FeedConfig {
    /// The whale threshold on a subnet, rao.
    pub fn whale_threshold(&self, netuid: NetUid) -> u64 {
        self.whale_by_subnet.get(&netuid).copied().unwrap_or(self.whale_tao)
    }
}

/// `1234567890123` rao → `"1,234.57 τ"`.
pub fn fmt_tao(rao: u64) -> String {
    let cents = (u128::from(rao) + u128::from(RAO / 200)) / u128::from(RAO / 100);
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{:02} τ", cents % 100)
}

pub(crate) fn subnet_label(netuid: NetUid, names: &BTreeMap<NetUid, String>) -> String {
    match names.get(&netuid) {
        Some(name) if !name.is_empty() => format!("SN{netuid} ({name})"),
        _ => format!("SN{netuid}"),
    }
}

/// A feed event before it gets its block, sequence number and timestamp.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// Kind.
    pub kind: FeedKind,
    /// Subnet.
    pub netuid: Option<NetUid>,
    /// Sentence.
    pub sentence: String,
    /// Numbers.
    pub data: serde_json::Value,
}

impl Draft {
    /// Completes the event.
    pub fn finish(self, block: BlockNumber, seq: u32, timestamp_ms: u64) -> FeedEvent {
        FeedEvent {
            block,
            seq,
            kind: self.kind,
            netuid: self.netuid,
            sentence: self.sentence,
            data: self.data,
            timestamp_ms,
        }
    }
}

/// Whale trades among `trades`.
pub fn whale_trades(
    trades: &[Trade],
    cfg: &FeedConfig,
    names: &BTreeMap<NetUid, String>,
) -> Vec<Draft> {
    let mut out = Vec::new();
    for t in trades {
        let threshold = match t.dest_netuid {
            Some(d) => cfg.whale_threshold(t.netuid).min(cfg.whale_threshold(d)),
            None => cfg.whale_threshold(t.netuid),
        };
        if t.tao < threshold || t.tao == 0 {
            continue;
        }
        let who = t.coldkey.to_ss58();
        let short = who.get(..8).unwrap_or(&who);
        let sentence = match (t.kind, t.dest_netuid) {
            (TradeKind::Buy, _) => {
                format!(
                    "Whale buy: {} into {} by {short}…",
                    fmt_tao(t.tao),
                    subnet_label(t.netuid, names)
                )
            }
            (TradeKind::Sell, _) => format!(
                "Whale sell: {} out of {} by {short}…",
                fmt_tao(t.tao),
                subnet_label(t.netuid, names)
            ),
            (kind, Some(dest)) => format!(
                "Whale {kind}: {} from {} to {} by {short}…",
                fmt_tao(t.tao),
                subnet_label(t.netuid, names),
                subnet_label(dest, names)
            ),
            (kind, None) => format!(
                "Whale {kind}: {} on {} by {short}…",
                fmt_tao(t.tao),
                subnet_label(t.netuid, names)
            ),
        };
        out.push(Draft {
            kind: FeedKind::WhaleTrade,
            netuid: Some(t.netuid),
            sentence,
            data: json!({
                "trade": t.kind.as_str(),
                "extrinsic": t.extrinsic,
                "seq": t.seq,
                "tao": t.tao.to_string(),
                "alpha": t.alpha.to_string(),
                "price": t.price.to_string(),
                "dest_netuid": t.dest_netuid,
                "coldkey": t.coldkey,
                "threshold": threshold.to_string(),
            }),
        });
    }
    out
}

/// A price move of at least the threshold between `then` and `now` (rao per alpha).
pub fn price_move(
    netuid: NetUid,
    then: u64,
    now: u64,
    cfg: &FeedConfig,
    names: &BTreeMap<NetUid, String>,
) -> Option<Draft> {
    if then == 0 {
        return None;
    }
    let diff = i128::from(now) - i128::from(then);
    let bps = diff * 10_000 / i128::from(then);
    if bps.unsigned_abs() < u128::from(cfg.price_move_bps) {
        return None;
    }
    let pct = bps as f64 / 100.0;
    let hours = cfg.window_blocks as f64 / BLOCKS_PER_HOUR as f64;
    Some(Draft {
        kind: FeedKind::PriceMove,
        netuid: Some(netuid),
        sentence: format!(
            "{} price {} {:+.2} % in {hours}h: {:.6} → {:.6} τ",
            subnet_label(netuid, names),
            if diff > 0 { "up" } else { "down" },
            pct,
            then as f64 / RAO as f64,
            now as f64 / RAO as f64
        ),
        data: json!({
            "from_price": then.to_string(),
            "to_price": now.to_string(),
            "change_bps": bps as i64,
            "window_blocks": cfg.window_blocks,
        }),
    })
}

/// An emission-share jump between `then` and `now` (ppb).
pub fn share_jump(
    netuid: NetUid,
    then: u64,
    now: u64,
    cfg: &FeedConfig,
    names: &BTreeMap<NetUid, String>,
) -> Option<Draft> {
    let diff = i128::from(now) - i128::from(then);
    if diff.unsigned_abs() < u128::from(cfg.share_jump_ppb) {
        return None;
    }
    let rel_ok = then == 0
        || diff.unsigned_abs() * 10_000 >= u128::from(then) * u128::from(cfg.share_jump_rel_bps);
    if !rel_ok {
        return None;
    }
    Some(Draft {
        kind: FeedKind::EmissionShareJump,
        netuid: Some(netuid),
        sentence: format!(
            "{} emission share {} from {:.2} % to {:.2} %",
            subnet_label(netuid, names),
            if diff > 0 { "jumped" } else { "fell" },
            then as f64 / 1e7,
            now as f64 / 1e7
        ),
        data: json!({
            "from_ppb": then,
            "to_ppb": now,
            "window_blocks": cfg.window_blocks,
        }),
    })
}

/// Owner burn started (previous epoch burned nothing, this one did) or stopped.
pub fn burn_change(
    previous_burned: Option<u64>,
    e: &Emission,
    names: &BTreeMap<NetUid, String>,
) -> Option<Draft> {
    let prev = previous_burned?;
    let label = subnet_label(e.netuid, names);
    let (kind, sentence) = match (prev > 0, e.owner_miner_burned > 0) {
        (false, true) => {
            let total = e.incentive.saturating_add(e.owner_miner_burned);
            let pct =
                if total == 0 { 0.0 } else { e.owner_miner_burned as f64 * 100.0 / total as f64 };
            (
                FeedKind::OwnerBurnStarted,
                format!(
                    "{label} owner started burning miner emission: {pct:.1} % of this epoch's miner alpha"
                ),
            )
        }
        (true, false) => {
            (FeedKind::OwnerBurnStopped, format!("{label} owner stopped burning miner emission"))
        }
        _ => return None,
    };
    Some(Draft {
        kind,
        netuid: Some(e.netuid),
        sentence,
        data: json!({
            "incentive": e.incentive.to_string(),
            "owner_miner_burned": e.owner_miner_burned.to_string(),
            "previous_owner_miner_burned": prev.to_string(),
        }),
    })
}

/// The feed event for a subnet change, if it is one the feed shows.
pub fn change_event(c: &SubnetChange, names: &BTreeMap<NetUid, String>) -> Option<Draft> {
    let label = subnet_label(c.netuid, names);
    let (kind, sentence) = match c.kind {
        ChangeKind::Hyperparameter => (
            FeedKind::HyperparameterChanged,
            format!("{label} owner set {} to {}", c.name, c.value),
        ),
        ChangeKind::Identity => {
            let name = c.value.get("name").and_then(|v| v.as_str()).unwrap_or("");
            (FeedKind::IdentityChanged, format!("{label} identity changed (name {name:?})"))
        }
        ChangeKind::Registered => {
            (FeedKind::SubnetRegistered, format!("New subnet registered: SN{}", c.netuid))
        }
        ChangeKind::Deregistered => {
            (FeedKind::SubnetDeregistered, format!("{label} was deregistered"))
        }
        _ => return None,
    };
    Some(Draft {
        kind,
        netuid: Some(c.netuid),
        sentence,
        data: json!({ "name": c.name, "value": c.value }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chain::AccountId;

    fn trade(kind: TradeKind, netuid: NetUid, tao: u64) -> Trade {
        Trade {
            block: 1,
            extrinsic: 0,
            seq: 0,
            kind,
            netuid,
            dest_netuid: None,
            coldkey: AccountId([1; 32]),
            hotkey: AccountId([2; 32]),
            dest_coldkey: None,
            dest_hotkey: None,
            tao,
            alpha: tao,
            alpha_dest: 0,
            fee_tao: 0,
            fee_alpha: 0,
            price: RAO,
        }
    }

    #[test]
    fn tao_amounts_are_grouped_and_rounded() {
        assert_eq!(fmt_tao(0), "0.00 τ");
        assert_eq!(fmt_tao(1_234_567_890_123), "1,234.57 τ");
        assert_eq!(fmt_tao(999_995_000_000), "1,000.00 τ");
    }

    #[test]
    fn whale_thresholds_are_global_and_per_subnet() {
        let mut cfg = FeedConfig { whale_tao: 100 * RAO, ..FeedConfig::default() };
        cfg.whale_by_subnet.insert(7, 1_000 * RAO);
        let names = BTreeMap::from([(3, "Apex".to_string())]);
        let trades = [
            trade(TradeKind::Buy, 3, 100 * RAO),
            trade(TradeKind::Sell, 3, 99 * RAO),
            trade(TradeKind::Buy, 7, 500 * RAO),
            trade(TradeKind::Sell, 7, 1_000 * RAO),
        ];
        let out = whale_trades(&trades, &cfg, &names);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].sentence, "Whale buy: 100.00 τ into SN3 (Apex) by 5C62Ck4U…");
        assert!(out[1].sentence.starts_with("Whale sell: 1,000.00 τ out of SN7"));
    }

    #[test]
    fn price_moves_fire_at_the_threshold_either_way() {
        let cfg = FeedConfig::default();
        let names = BTreeMap::new();
        assert!(price_move(1, 1_000, 1_049, &cfg, &names).is_none());
        let up = price_move(1, 1_000, 1_050, &cfg, &names).unwrap();
        assert_eq!(up.data["change_bps"], 500);
        let down = price_move(1, 1_000, 950, &cfg, &names).unwrap();
        assert!(down.sentence.contains("down -5.00 %"), "{}", down.sentence);
        assert!(price_move(1, 0, 950, &cfg, &names).is_none());
    }

    #[test]
    fn share_jumps_need_absolute_and_relative_change() {
        let cfg = FeedConfig::default();
        let names = BTreeMap::new();
        // +0.1 pp: too small in absolute terms.
        assert!(share_jump(1, 10_000_000, 11_000_000, &cfg, &names).is_none());
        // +0.3 pp on 10 %: only +3 %, too small relatively.
        assert!(share_jump(1, 100_000_000, 103_000_000, &cfg, &names).is_none());
        // 1 % → 2 %.
        assert!(share_jump(1, 10_000_000, 20_000_000, &cfg, &names).is_some());
    }

    #[test]
    fn burns_start_and_stop() {
        let names = BTreeMap::new();
        let e = |burned| Emission {
            block: 10,
            netuid: 4,
            incentive: 900,
            dividends: 0,
            owner_cut: 0,
            owner_miner_burned: burned,
        };
        assert!(burn_change(None, &e(100), &names).is_none());
        assert_eq!(burn_change(Some(0), &e(100), &names).unwrap().kind, FeedKind::OwnerBurnStarted);
        assert_eq!(burn_change(Some(5), &e(0), &names).unwrap().kind, FeedKind::OwnerBurnStopped);
        assert!(burn_change(Some(5), &e(7), &names).is_none());
    }
}
