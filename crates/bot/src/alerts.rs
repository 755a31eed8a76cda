//! The alert rules engine: pure evaluation of every chat's rules against what one finalized
//! block did (prices, feed events, trades). Rules are indexed by subnet, so a block costs
//! work in proportion to the rules on the subnets it touched plus the global rules — the
//! benchmark (`benches/alerts.rs`) evaluates 100,000 rules against one block.

use std::collections::{BTreeMap, HashMap};

use market::{FeedEvent, FeedKind, Trade, TradeKind};
use serde::{Deserialize, Serialize};

use crate::command::{Direction, WhaleSide};

/// Which feed events a rule follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedClass {
    /// Emission-share jumps.
    Emission,
    /// Owner burn started/stopped, hyperparameter and identity changes.
    Owner,
    /// Subnet registered or dissolved.
    Registration,
}

impl FeedClass {
    fn matches(self, kind: FeedKind) -> bool {
        match self {
            FeedClass::Emission => kind == FeedKind::EmissionShareJump,
            FeedClass::Owner => matches!(
                kind,
                FeedKind::OwnerBurnStarted
                    | FeedKind::OwnerBurnStopped
                    | FeedKind::HyperparameterChanged
                    | FeedKind::IdentityChanged
            ),
            FeedClass::Registration => {
                matches!(kind, FeedKind::SubnetRegistered | FeedKind::SubnetDeregistered)
            }
        }
    }
}

/// What a rule watches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleKind {
    /// The price (rao per alpha) crosses `level` in `direction`.
    Price {
        /// Subnet.
        netuid: u16,
        /// Above or below.
        above: bool,
        /// Level, rao per alpha.
        level: u64,
    },
    /// The price moves at least `bps` against one hour (300 blocks) earlier; fires when the
    /// move first reaches the threshold.
    Move {
        /// Subnet.
        netuid: u16,
        /// Threshold, basis points.
        bps: u32,
    },
    /// Feed events of a class.
    Feed {
        /// Class.
        class: FeedClass,
        /// Subnet, or every subnet.
        netuid: Option<u16>,
    },
    /// Trades of at least `min_tao` rao.
    Whale {
        /// Subnet (either side of a move), or every subnet.
        netuid: Option<u16>,
        /// Threshold, rao.
        min_tao: u64,
        /// Which trades.
        side: WhaleSideKind,
    },
}

/// [`WhaleSide`] as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhaleSideKind {
    /// Buys.
    Buy,
    /// Sells.
    Sell,
    /// Moves, swaps, transfers.
    Move,
    /// All.
    Any,
}

impl From<WhaleSide> for WhaleSideKind {
    fn from(s: WhaleSide) -> Self {
        match s {
            WhaleSide::Buy => WhaleSideKind::Buy,
            WhaleSide::Sell => WhaleSideKind::Sell,
            WhaleSide::Move => WhaleSideKind::Move,
            WhaleSide::Any => WhaleSideKind::Any,
        }
    }
}

impl WhaleSideKind {
    fn matches(self, kind: TradeKind) -> bool {
        match self {
            WhaleSideKind::Any => true,
            WhaleSideKind::Buy => kind == TradeKind::Buy,
            WhaleSideKind::Sell => kind == TradeKind::Sell,
            WhaleSideKind::Move => !matches!(kind, TradeKind::Buy | TradeKind::Sell),
        }
    }
}

impl RuleKind {
    /// A price rule.
    pub fn price(netuid: u16, direction: Direction, level: u64) -> Self {
        RuleKind::Price { netuid, above: direction == Direction::Above, level }
    }

    fn netuid(&self) -> Option<u16> {
        match self {
            RuleKind::Price { netuid, .. } | RuleKind::Move { netuid, .. } => Some(*netuid),
            RuleKind::Feed { netuid, .. } | RuleKind::Whale { netuid, .. } => *netuid,
        }
    }
}

/// One chat's rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Id (per bot store).
    pub id: i64,
    /// Chat it belongs to.
    pub chat_id: i64,
    /// What it watches.
    pub kind: RuleKind,
}

/// Prices of one block and their references, rao per alpha, by netuid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PricePoint {
    /// At the end of the previous block.
    pub prev: u64,
    /// At the end of this block.
    pub now: u64,
    /// 300 blocks before this block (if stored).
    pub hour_ago: Option<u64>,
    /// 300 blocks before the previous block (if stored).
    pub hour_ago_prev: Option<u64>,
}

/// What one finalized block did.
#[derive(Debug, Clone, Default)]
pub struct BlockFacts {
    /// Block number.
    pub block: u64,
    /// Prices by netuid.
    pub prices: BTreeMap<u16, PricePoint>,
    /// The block's feed events.
    pub events: Vec<FeedEvent>,
    /// The block's trades.
    pub trades: Vec<Trade>,
}

/// What a hit is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// A price crossed a level.
    Price {
        /// Subnet.
        netuid: u16,
        /// Before.
        prev: u64,
        /// After.
        now: u64,
    },
    /// A move reached its threshold.
    Move {
        /// Subnet.
        netuid: u16,
        /// An hour ago.
        from: u64,
        /// Now.
        to: u64,
    },
    /// A feed event (index into [`BlockFacts::events`]).
    Event(usize),
    /// A trade (index into [`BlockFacts::trades`]).
    Trade(usize),
}

/// A rule that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index into the rule set.
    pub rule: usize,
    /// The de-duplication key within the rule: one delivery per key, ever.
    pub key: String,
    /// What it is about.
    pub subject: Subject,
}

/// Rules indexed for evaluation.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    by_netuid: HashMap<u16, Vec<usize>>,
    global: Vec<usize>,
}

fn crossed(above: bool, level: u64, p: &PricePoint) -> bool {
    if above { p.prev < level && p.now >= level } else { p.prev > level && p.now <= level }
}

fn move_bps(from: u64, to: u64) -> Option<u128> {
    (from > 0)
        .then(|| (i128::from(to) - i128::from(from)).unsigned_abs() * 10_000 / u128::from(from))
}

impl RuleSet {
    /// Indexes `rules`.
    pub fn new(rules: Vec<Rule>) -> Self {
        let mut by_netuid: HashMap<u16, Vec<usize>> = HashMap::new();
        let mut global = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            match r.kind.netuid() {
                Some(n) => by_netuid.entry(n).or_default().push(i),
                None => global.push(i),
            }
        }
        Self { rules, by_netuid, global }
    }

    /// The rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Every hit of `facts`, in rule order within each subject.
    pub fn evaluate(&self, facts: &BlockFacts) -> Vec<Hit> {
        let mut hits = Vec::new();
        let b = facts.block;
        for (&netuid, p) in &facts.prices {
            let Some(ids) = self.by_netuid.get(&netuid) else { continue };
            let moved = p.prev != p.now;
            for &i in ids {
                match &self.rules[i].kind {
                    RuleKind::Price { above, level, .. } if moved && crossed(*above, *level, p) => {
                        hits.push(Hit {
                            rule: i,
                            key: format!("b{b}"),
                            subject: Subject::Price { netuid, prev: p.prev, now: p.now },
                        });
                    }
                    RuleKind::Move { bps, .. } => {
                        let (Some(then), Some(then_prev)) = (p.hour_ago, p.hour_ago_prev) else {
                            continue;
                        };
                        let t = u128::from(*bps);
                        let now_over = move_bps(then, p.now).is_some_and(|m| m >= t);
                        let prev_over = move_bps(then_prev, p.prev).is_some_and(|m| m >= t);
                        if now_over && !prev_over {
                            hits.push(Hit {
                                rule: i,
                                key: format!("b{b}"),
                                subject: Subject::Move { netuid, from: then, to: p.now },
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        for (ei, e) in facts.events.iter().enumerate() {
            let scoped = e.netuid.and_then(|n| self.by_netuid.get(&n)).into_iter().flatten();
            for &i in scoped.chain(self.global.iter()) {
                if let RuleKind::Feed { class, netuid } = &self.rules[i].kind
                    && class.matches(e.kind)
                    && (netuid.is_none() || *netuid == e.netuid)
                {
                    hits.push(Hit {
                        rule: i,
                        key: format!("e{}.{}", e.block, e.seq),
                        subject: Subject::Event(ei),
                    });
                }
            }
        }
        for (ti, t) in facts.trades.iter().enumerate() {
            let dest = t.dest_netuid.filter(|d| *d != t.netuid);
            let scoped = [Some(t.netuid), dest]
                .into_iter()
                .flatten()
                .filter_map(|n| self.by_netuid.get(&n))
                .flatten();
            for &i in scoped.chain(self.global.iter()) {
                if let RuleKind::Whale { min_tao, side, .. } = &self.rules[i].kind
                    && t.tao >= *min_tao
                    && side.matches(t.kind)
                {
                    hits.push(Hit {
                        rule: i,
                        key: format!("t{}.{}.{}", t.block, t.extrinsic, t.seq),
                        subject: Subject::Trade(ti),
                    });
                }
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chain::AccountId;

    fn rule(id: i64, kind: RuleKind) -> Rule {
        Rule { id, chat_id: 1, kind }
    }

    fn facts(prev: u64, now: u64) -> BlockFacts {
        let mut f = BlockFacts { block: 10, ..Default::default() };
        f.prices.insert(1, PricePoint { prev, now, hour_ago: Some(100), hour_ago_prev: Some(100) });
        f
    }

    #[test]
    fn price_rules_fire_on_the_crossing_only() {
        let set = RuleSet::new(vec![
            rule(1, RuleKind::price(1, Direction::Above, 150)),
            rule(2, RuleKind::price(1, Direction::Below, 90)),
        ]);
        assert_eq!(set.evaluate(&facts(140, 150)).len(), 1);
        assert!(set.evaluate(&facts(150, 160)).is_empty(), "already above: no new crossing");
        let hits = set.evaluate(&facts(95, 80));
        assert_eq!(hits.len(), 1);
        assert_eq!(set.rules()[hits[0].rule].id, 2);
    }

    #[test]
    fn move_rule_fires_when_the_threshold_is_first_reached() {
        let set = RuleSet::new(vec![rule(1, RuleKind::Move { netuid: 1, bps: 1_000 })]);
        assert_eq!(set.evaluate(&facts(105, 111)).len(), 1);
        assert!(set.evaluate(&facts(111, 112)).is_empty());
        assert_eq!(set.evaluate(&facts(95, 89)).len(), 1, "down moves count");
    }

    fn trade(kind: TradeKind, netuid: u16, tao: u64) -> Trade {
        serde_json::from_value(serde_json::json!({
            "block": 10, "extrinsic": 1, "seq": 0, "kind": kind.as_str(), "netuid": netuid,
            "dest_netuid": null, "coldkey": AccountId([1; 32]), "hotkey": AccountId([2; 32]),
            "dest_coldkey": null, "dest_hotkey": null, "tao": tao.to_string(),
            "alpha": "1", "alpha_dest": "0", "fee_tao": "0", "fee_alpha": "0", "price": "1"
        }))
        .unwrap_or_else(|e| panic!("trade json: {e}"))
    }

    #[test]
    fn whale_rules_filter_by_size_side_and_subnet() {
        let set = RuleSet::new(vec![
            rule(1, RuleKind::Whale { netuid: None, min_tao: 100, side: WhaleSideKind::Any }),
            rule(2, RuleKind::Whale { netuid: Some(2), min_tao: 100, side: WhaleSideKind::Any }),
            rule(3, RuleKind::Whale { netuid: Some(1), min_tao: 100, side: WhaleSideKind::Sell }),
            rule(4, RuleKind::Whale { netuid: Some(1), min_tao: 1_000, side: WhaleSideKind::Buy }),
        ]);
        let mut f = BlockFacts { block: 10, ..Default::default() };
        f.trades.push(trade(TradeKind::Buy, 1, 500));
        let ids: Vec<i64> = set.evaluate(&f).iter().map(|h| set.rules()[h.rule].id).collect();
        assert_eq!(ids, vec![1]);
    }
}
