//! Trading is training: where traders moved TAO emissions over a window.
//!
//! Every dTAO trade moves a pool's price, and the chain's emission shares follow the prices'
//! moving average, so the market's flows teach the network where emissions go. The network
//! view compares each subnet's emission share at the window's two ends (from the stored
//! per-block pool states), sets it beside the net TAO flow of the trades in between, and names
//! the addresses whose flows were largest. [`Market::backprop`] builds it from the store; the
//! terminal's `/backprop` page and API and the bot's `/backprop` card show it.
//!
//! Shares are normalised at each end to exactly 10⁹ parts (largest remainder), so the
//! per-subnet changes sum to exactly zero: emissions are only ever moved between subnets.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use chain::{AccountId, BlockNumber, NetUid, u64_string};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::api::Market;
use crate::error::{MarketError, Result};
use crate::feed::{fmt_tao, subnet_label};
use crate::store::FlowSum;
use crate::types::PoolState;

/// Parts per billion in a whole share.
pub const PPB: u64 = 1_000_000_000;

/// Blocks in a day (12 s blocks), for τ/day.
pub const BLOCKS_PER_DAY: u64 = 7_200;

/// How many teachers the view lists.
pub const TEACHERS: usize = 10;

/// The window of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Window {
    /// The last 24 hours (7,200 blocks).
    #[serde(rename = "24h")]
    Day,
    /// The last 7 days (50,400 blocks).
    #[default]
    #[serde(rename = "7d")]
    Week,
    /// The last 30 days (216,000 blocks).
    #[serde(rename = "30d")]
    Month,
}

impl Window {
    /// Every window, shortest first.
    pub const ALL: [Window; 3] = [Window::Day, Window::Week, Window::Month];

    /// Its length in blocks.
    pub fn blocks(self) -> u64 {
        match self {
            Window::Day => BLOCKS_PER_DAY,
            Window::Week => 7 * BLOCKS_PER_DAY,
            Window::Month => 30 * BLOCKS_PER_DAY,
        }
    }

    /// `24h`, `7d` or `30d`.
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Day => "24h",
            Window::Week => "7d",
            Window::Month => "30d",
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Window {
    type Err = MarketError;
    fn from_str(s: &str) -> Result<Self> {
        Window::ALL.into_iter().find(|w| w.as_str() == s).ok_or_else(|| {
            MarketError::Invalid(format!("unknown window {s:?}; use 24h, 7d or 30d"))
        })
    }
}

/// Signed integers (rao, ppb) as JSON strings, like every amount on the wire.
mod signed_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// One subnet's emission shift over the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetShift {
    /// Subnet id.
    pub netuid: NetUid,
    /// Its name ("" if none).
    pub name: String,
    /// Share of the block emission at the window's start, ppb (normalised).
    pub share_before_ppb: u64,
    /// Share at the window's end, ppb (normalised).
    pub share_after_ppb: u64,
    /// `share_after_ppb − share_before_ppb`.
    pub share_change_ppb: i64,
    /// TAO a day at the start's emission, rao.
    #[serde(with = "u64_string")]
    pub tao_per_day_before: u64,
    /// TAO a day at the end's emission, rao.
    #[serde(with = "u64_string")]
    pub tao_per_day_after: u64,
    /// `tao_per_day_after − tao_per_day_before`, rao (a string).
    #[serde(with = "signed_string")]
    pub tao_per_day_change: i128,
    /// Net TAO traders put in over the window (buys and moves in minus sells and moves
    /// out), rao (a string).
    #[serde(with = "signed_string")]
    pub net_flow: i128,
    /// Trades touching the subnet in the window.
    pub trades: u64,
}

/// An address whose trades moved the most TAO in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Teacher {
    /// The coldkey.
    pub coldkey: AccountId,
    /// What we know it as, e.g. "owner of SN12 (Apex)"; `None` if nothing.
    pub identity: Option<String>,
    /// Σ|flow| over its subnets, rao.
    #[serde(with = "u64_string")]
    pub gross_flow: u64,
    /// The subnet it put the most net TAO into, with that flow (rao, a string).
    pub pushed: Option<(NetUid, String)>,
    /// The subnet it took the most net TAO out of, with that flow (rao, a string).
    pub pulled: Option<(NetUid, String)>,
    /// Its trades in the window.
    pub trades: u64,
}

/// Where the market moved emissions over a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackpropView {
    /// The window asked for.
    pub window: Window,
    /// First block compared (the window's start, or the block after the first stored one).
    pub from_block: BlockNumber,
    /// Last block compared (the last stored block).
    pub to_block: BlockNumber,
    /// Share of emissions moved: the sum of the positive changes (= of the negative), ppb.
    pub moved_ppb: u64,
    /// Every subnet, largest gain first, largest loss last.
    pub subnets: Vec<SubnetShift>,
    /// The addresses with the largest gross flows, largest first.
    pub teachers: Vec<Teacher>,
    /// One sentence in plain words.
    pub summary: String,
}

impl BackpropView {
    /// Subnets that gained share, largest first.
    pub fn pushed_to(&self) -> impl Iterator<Item = &SubnetShift> {
        self.subnets.iter().filter(|s| s.share_change_ppb > 0)
    }

    /// Subnets that lost share, largest loss first.
    pub fn pulled_from(&self) -> impl Iterator<Item = &SubnetShift> {
        self.subnets.iter().rev().filter(|s| s.share_change_ppb < 0)
    }
}

/// Shares of the given states normalised to exactly [`PPB`] parts by largest remainder (ties to
/// the lower netuid); all zero if no subnet has a share.
pub fn normalised_shares(states: &[PoolState]) -> BTreeMap<NetUid, u64> {
    let total: u128 = states.iter().map(|s| u128::from(s.emission_share_ppb)).sum();
    if total == 0 {
        return states.iter().map(|s| (s.netuid, 0)).collect();
    }
    let mut parts: Vec<(NetUid, u64, u128)> = states
        .iter()
        .map(|s| {
            let scaled = u128::from(s.emission_share_ppb) * u128::from(PPB);
            (s.netuid, u64::try_from(scaled / total).unwrap_or(PPB), scaled % total)
        })
        .collect();
    let given: u64 = parts.iter().map(|p| p.1).sum();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].2.cmp(&parts[*a].2).then(parts[*a].0.cmp(&parts[*b].0)));
    for i in order.into_iter().take(usize::try_from(PPB.saturating_sub(given)).unwrap_or(0)) {
        parts[i].1 += 1;
    }
    parts.into_iter().map(|(n, p, _)| (n, p)).collect()
}

/// A window's trades summed per subnet and per (coldkey, subnet). Sums are additive, so a window
/// that slides forward adds the blocks it gains and subtracts the blocks it loses instead of
/// summing every trade again (see [`Market::backprop`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowTotals {
    /// Net TAO flow and trades touching each subnet.
    subnets: BTreeMap<NetUid, (i128, i64)>,
    /// Per coldkey: net flow per subnet and its trades.
    coldkeys: HashMap<AccountId, (BTreeMap<NetUid, i128>, i64)>,
}

impl FlowTotals {
    /// Totals of summed trades (grouped by coldkey for the teachers; sums without a coldkey
    /// count for the subnets only).
    pub fn from_sums(sums: &[FlowSum]) -> Self {
        let mut totals = Self::default();
        totals.add(sums);
        totals
    }

    /// Adds trades that entered the window.
    pub fn add(&mut self, sums: &[FlowSum]) {
        for s in sums {
            self.apply(s, 1);
        }
    }

    /// Removes trades that left the window (they must have been added before).
    pub fn subtract(&mut self, sums: &[FlowSum]) {
        for s in sums {
            self.apply(s, -1);
        }
    }

    fn apply(&mut self, s: &FlowSum, sign: i64) {
        let trades = sign * i64::try_from(s.trades).unwrap_or(i64::MAX);
        let flows = s.kind.flows(s.netuid, s.dest_netuid, s.tao);
        let mut touched = vec![s.netuid];
        touched.extend(s.dest_netuid.filter(|d| *d != s.netuid));
        for netuid in &touched {
            self.subnets.entry(*netuid).or_default().1 += trades;
        }
        for (netuid, flow) in &flows {
            self.subnets.entry(*netuid).or_default().0 += i128::from(sign) * flow;
        }
        for netuid in touched {
            if self.subnets.get(&netuid).is_some_and(|e| *e == (0, 0)) {
                self.subnets.remove(&netuid);
            }
        }
        let Some(coldkey) = s.coldkey else { return };
        let entry = self.coldkeys.entry(coldkey).or_default();
        entry.1 += trades;
        for (netuid, flow) in flows {
            let net = entry.0.entry(netuid).or_default();
            *net += i128::from(sign) * flow;
            if *net == 0 {
                entry.0.remove(&netuid);
            }
        }
        // Forget a coldkey once all its trades have left the window, so a sliding window's
        // memory stays bounded by the addresses active in it.
        if entry.1 == 0 && entry.0.is_empty() {
            self.coldkeys.remove(&coldkey);
        }
    }

    /// Net flow and trade count of one subnet.
    fn subnet(&self, netuid: NetUid) -> (i128, u64) {
        self.subnets
            .get(&netuid)
            .map(|(flow, trades)| (*flow, u64::try_from(*trades).unwrap_or(0)))
            .unwrap_or_default()
    }

    /// The addresses with the largest gross flows.
    fn teachers(&self, identities: &BTreeMap<AccountId, String>) -> Vec<Teacher> {
        let mut out: Vec<Teacher> = self
            .coldkeys
            .iter()
            .filter_map(|(coldkey, (flows, trades))| {
                let gross: u128 = flows.values().map(|f| f.unsigned_abs()).sum();
                if gross == 0 {
                    return None;
                }
                let pushed = flows.iter().filter(|(_, f)| **f > 0).max_by_key(|(_, f)| **f);
                let pulled = flows.iter().filter(|(_, f)| **f < 0).min_by_key(|(_, f)| **f);
                Some(Teacher {
                    coldkey: *coldkey,
                    identity: identities.get(coldkey).cloned(),
                    gross_flow: u64::try_from(gross).unwrap_or(u64::MAX),
                    pushed: pushed.map(|(n, f)| (*n, f.to_string())),
                    pulled: pulled.map(|(n, f)| (*n, f.to_string())),
                    trades: u64::try_from(*trades).unwrap_or(0),
                })
            })
            .collect();
        out.sort_by(|a, b| b.gross_flow.cmp(&a.gross_flow).then(a.coldkey.cmp(&b.coldkey)));
        out.truncate(TEACHERS);
        out
    }
}

fn signed_tao(rao: i128) -> String {
    let abs = u64::try_from(rao.unsigned_abs()).unwrap_or(u64::MAX);
    if rao < 0 { format!("−{}", fmt_tao(abs)) } else { format!("+{}", fmt_tao(abs)) }
}

fn percent(ppb: i128) -> String {
    let sign = if ppb < 0 { "−" } else { "+" };
    format!("{sign}{:.2} %", ppb.unsigned_abs() as f64 / 1e7)
}

fn summary(view: &BackpropView) -> String {
    if view.moved_ppb == 0 {
        return format!(
            "Over the last {} traders did not move emissions: every subnet's share is where it was.",
            view.window
        );
    }
    let list = |it: &mut dyn Iterator<Item = &SubnetShift>| {
        it.take(3)
            .map(|s| {
                format!(
                    "{} {} (net flow {})",
                    subnet_label(s.netuid, &BTreeMap::from([(s.netuid, s.name.clone())])),
                    percent(i128::from(s.share_change_ppb)),
                    signed_tao(s.net_flow)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut sentence = format!(
        "Over the last {} traders moved {:.2} % of TAO emissions toward {}, away from {}.",
        view.window,
        view.moved_ppb as f64 / 1e7,
        list(&mut view.pushed_to()),
        list(&mut view.pulled_from()),
    );
    if let Some(t) = view.teachers.first() {
        let who = t.identity.clone().unwrap_or_else(|| t.coldkey.to_ss58());
        sentence.push_str(&format!(
            " The biggest teacher, {who}, moved {} in {} trade{}.",
            fmt_tao(t.gross_flow),
            t.trades,
            if t.trades == 1 { "" } else { "s" }
        ));
    }
    sentence
}

/// The view from the two ends' pool states and the window's summed trades.
pub fn build_view(
    window: Window,
    (from_block, before): (BlockNumber, &[PoolState]),
    (to_block, after): (BlockNumber, &[PoolState]),
    totals: &FlowTotals,
    names: &BTreeMap<NetUid, String>,
    identities: &BTreeMap<AccountId, String>,
) -> BackpropView {
    let share_before = normalised_shares(before);
    let share_after = normalised_shares(after);
    let emission = |states: &[PoolState]| -> BTreeMap<NetUid, u64> {
        states.iter().map(|s| (s.netuid, s.tao_emission.saturating_mul(BLOCKS_PER_DAY))).collect()
    };
    let (day_before, day_after) = (emission(before), emission(after));
    let mut netuids: Vec<NetUid> = share_before.keys().chain(share_after.keys()).copied().collect();
    netuids.sort_unstable();
    netuids.dedup();
    let mut subnets: Vec<SubnetShift> = netuids
        .into_iter()
        .map(|netuid| {
            let b = share_before.get(&netuid).copied().unwrap_or(0);
            let a = share_after.get(&netuid).copied().unwrap_or(0);
            let db = day_before.get(&netuid).copied().unwrap_or(0);
            let da = day_after.get(&netuid).copied().unwrap_or(0);
            let (net_flow, trades) = totals.subnet(netuid);
            SubnetShift {
                netuid,
                name: names.get(&netuid).cloned().unwrap_or_default(),
                share_before_ppb: b,
                share_after_ppb: a,
                // Both are at most 10⁹.
                share_change_ppb: a as i64 - b as i64,
                tao_per_day_before: db,
                tao_per_day_after: da,
                tao_per_day_change: i128::from(da) - i128::from(db),
                net_flow,
                trades,
            }
        })
        .collect();
    subnets
        .sort_by(|x, y| y.share_change_ppb.cmp(&x.share_change_ppb).then(x.netuid.cmp(&y.netuid)));
    let moved_ppb =
        subnets.iter().map(|s| u64::try_from(s.share_change_ppb).unwrap_or(0)).sum::<u64>();
    let mut view = BackpropView {
        window,
        from_block,
        to_block,
        moved_ppb,
        subnets,
        teachers: totals.teachers(identities),
        summary: String::new(),
    };
    view.summary = summary(&view);
    view
}

/// A window's totals as of its two ends, kept between views so the next view only sums the
/// blocks the window gained and lost since.
#[derive(Debug)]
pub(crate) struct Slide {
    from: BlockNumber,
    to: BlockNumber,
    totals: FlowTotals,
}

/// One [`Slide`] per window, each behind its own lock, so a month's first (cold) view does not
/// hold up a day's.
#[derive(Debug, Default)]
pub(crate) struct Slides([Mutex<Option<Slide>>; 3]);

impl Slides {
    fn of(&self, window: Window) -> &Mutex<Option<Slide>> {
        &self.0[match window {
            Window::Day => 0,
            Window::Week => 1,
            Window::Month => 2,
        }]
    }
}

/// Past this much change of a window's ends (a quarter of its length), summing the window
/// afresh costs about what sliding does.
fn slides_cheaply(slide: &Slide, from: BlockNumber, to: BlockNumber, window: Window) -> bool {
    slide.from <= from
        && slide.to <= to
        && (from - slide.from).saturating_add(to - slide.to) <= window.blocks() / 4
}

impl Market {
    /// Where traders moved emissions over `window`, ending at the last stored block
    /// (see the module docs). Fails with [`MarketError::NothingIndexed`] on an empty store.
    ///
    /// The window's trade totals are kept between calls and slid forward by the blocks indexed
    /// since, so a view after a new block reads that block's trades and the blocks that left
    /// the window, not the whole window (the store is append-only; a store whose ends moved
    /// backwards is summed afresh).
    pub async fn backprop(&self, window: Window) -> Result<BackpropView> {
        let store = self.store();
        let (Some(first), Some(last)) = (store.first_block().await?, store.last_block().await?)
        else {
            return Err(MarketError::NothingIndexed);
        };
        // The first stored block may be a genesis, before any coinbase gave out shares.
        let from = last.saturating_sub(window.blocks()).max(first.saturating_add(1)).min(last);
        let mut slot = self.backprop_slides().of(window).lock().await;
        let slide = match slot.take() {
            Some(mut slide) if slides_cheaply(&slide, from, last, window) => {
                let (gained, lost) = tokio::try_join!(
                    store.flow_sums(slide.to + 1, last),
                    store.flow_sums(slide.from + 1, from),
                )?;
                slide.totals.add(&gained);
                slide.totals.subtract(&lost);
                Slide { from, to: last, totals: slide.totals }
            }
            _ => Slide {
                from,
                to: last,
                totals: FlowTotals::from_sums(&store.flow_sums(from + 1, last).await?),
            },
        };
        let (before, after, subnets) =
            tokio::try_join!(store.states_at(from), store.states_at(last), store.subnets())?;
        let names: BTreeMap<NetUid, String> =
            subnets.iter().map(|(s, _)| (s.netuid, s.identity.name.clone())).collect();
        let mut identities: BTreeMap<AccountId, String> = BTreeMap::new();
        for (s, _) in &subnets {
            identities
                .entry(s.owner_coldkey)
                .or_insert_with(|| format!("owner of {}", subnet_label(s.netuid, &names)));
        }
        let view = build_view(
            window,
            (from, &before.unwrap_or_default()),
            (last, &after.unwrap_or_default()),
            &slide.totals,
            &names,
            &identities,
        );
        *slot = Some(slide);
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::TradeKind;
    use proptest::prelude::*;

    fn state(netuid: NetUid, ppb: u64) -> PoolState {
        PoolState {
            netuid,
            tao_reserve: 0,
            alpha_in: 0,
            alpha_out: 0,
            price: 0,
            moving_price: 0,
            emission_share_ppb: ppb,
            tao_emission: ppb / 2,
            exact: true,
        }
    }

    fn sum(
        kind: TradeKind,
        coldkey: u8,
        netuid: NetUid,
        dest: Option<NetUid>,
        tao: u64,
    ) -> FlowSum {
        FlowSum {
            coldkey: Some(AccountId([coldkey; 32])),
            kind,
            netuid,
            dest_netuid: dest,
            tao,
            trades: 1,
        }
    }

    proptest! {
        #[test]
        fn changes_sum_to_zero(before in prop::collection::vec(0_u64..400_000_000, 1..40),
                               after in prop::collection::vec(0_u64..400_000_000, 1..40)) {
            let b: Vec<PoolState> = before.iter().enumerate().map(|(i, p)| state(i as u16, *p)).collect();
            let a: Vec<PoolState> = after.iter().enumerate().map(|(i, p)| state(i as u16 + 3, *p)).collect();
            let view = build_view(Window::Week, (1, &b), (2, &a), &FlowTotals::default(), &BTreeMap::new(), &BTreeMap::new());
            let total: i64 = view.subnets.iter().map(|s| s.share_change_ppb).sum();
            let any = |v: &[u64]| v.iter().any(|p| *p > 0);
            let expected = match (any(&before), any(&after)) {
                (true, true) | (false, false) => 0,
                (false, true) => PPB as i64,
                (true, false) => -(PPB as i64),
            };
            prop_assert_eq!(total, expected);
        }
    }

    #[test]
    fn flows_teachers_and_summary() {
        let names = BTreeMap::from([(1, "Apex".to_string()), (2, String::new())]);
        let before = [state(1, 600_000_000), state(2, 400_000_000)];
        let after = [state(1, 650_000_000), state(2, 350_000_000)];
        let sums = [
            sum(TradeKind::Buy, 7, 1, None, 900),
            sum(TradeKind::Swap, 8, 2, Some(1), 300),
            sum(TradeKind::Sell, 8, 2, None, 100),
        ];
        let identities = BTreeMap::from([(AccountId([8; 32]), "owner of SN2".to_string())]);
        let view = build_view(
            Window::Day,
            (10, &before),
            (20, &after),
            &FlowTotals::from_sums(&sums),
            &names,
            &identities,
        );
        assert_eq!(view.moved_ppb, 50_000_000);
        let sn1 = &view.subnets[0];
        assert_eq!(
            (sn1.netuid, sn1.share_change_ppb, sn1.net_flow, sn1.trades),
            (1, 50_000_000, 1_200, 2)
        );
        assert_eq!(sn1.tao_per_day_change, 25_000_000 * 7_200);
        let sn2 = &view.subnets[1];
        assert_eq!((sn2.netuid, sn2.net_flow, sn2.trades), (2, -400, 2));
        assert_eq!(view.teachers[0].gross_flow, 900);
        assert_eq!(view.teachers[1].identity.as_deref(), Some("owner of SN2"));
        assert_eq!(view.teachers[1].pushed, Some((1, "300".to_string())));
        assert_eq!(view.teachers[1].pulled, Some((2, "-400".to_string())));
        assert!(
            view.summary.starts_with(
                "Over the last 24h traders moved 5.00 % of TAO emissions toward SN1 (Apex) +5.00 %"
            ),
            "{}",
            view.summary
        );
        assert!(view.summary.contains("away from SN2 −5.00 %"), "{}", view.summary);
    }
}
