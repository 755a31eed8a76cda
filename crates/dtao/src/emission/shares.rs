//! How the block's TAO is split across subnets (reference §3.2), as pluggable rules.
//!
//! The chain has changed this rule four times in a year, so each era is a [`ShareRule`]:
//!
//! | rule | era |
//! |---|---|
//! | [`TaoFlowRule`] | Nov 2025 – Jun 2026 (code still on chain) |
//! | [`PriceEmaRule`] | spec 425 step 1 |
//! | [`PriceBurnRule`] | spec 425: price EMA × (1 − MinerBurned), renormalised |
//! | [`PriceBurnGateRule`] | HEAD: the above through a Hill gate (default, [`default_share_rule`]) |
//!
//! [`subnet_shares`] validates the input, keeps eligible subnets in netuid order, asks the rule
//! for shares and then applies `SubnetEmissionEnabled` (disabled subnets get 0, the others are
//! renormalised). Shares are U64F64 like the chain's; every renormalisation divides by the
//! exact fixed-point sum of the parts, so shares never sum above 1.

use crate::fixed::ExactDiv;
use substrate_fixed::transcendental::{exp, ln};
use substrate_fixed::types::{I32F32, I64F64, I96F32, U64F64, U96F32};

use super::EmissionError;

/// Blocks between recomputations of the gate bar θ (`EMISSION_BAR_UPDATE_INTERVAL`).
pub const EMISSION_BAR_UPDATE_INTERVAL: u64 = 360;

/// `EmissionBarRank` default: θ is the 32nd-largest positive share.
pub const DEFAULT_EMISSION_BAR_RANK: u16 = 32;

/// `EmissionBarQuantile` default, 0.61, as the chain stores it (U64F64 from the f64 literal).
pub fn default_bar_quantile() -> U64F64 {
    U64F64::from_bits(11_252_513_884_962_826_240)
}

/// Per-subnet state a share rule may read. Plain chain storage values, one per subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SubnetShareInput {
    /// Subnet id.
    pub netuid: u16,
    /// `SubnetMovingPrice` (TAO per alpha, I96F32).
    pub moving_price: I96F32,
    /// `MinerBurned`: fraction of last epoch's miner incentive withheld by the owner (U96F32).
    pub miner_burned: U96F32,
    /// TAO-flow EMA (`SubnetEmaTaoFlow`, already net of protocol flow if that mode is on).
    pub tao_flow_ema: I64F64,
    /// `SubnetEmissionEnabled`: false means 0 TAO, redistributed to enabled subnets.
    pub emission_enabled: bool,
    /// Passes `get_subnets_to_emit_to` (non-root, started, subtoken enabled, registration
    /// allowed). Ineligible subnets take no part at all.
    pub eligible: bool,
}

/// One subnet's share of the block emission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubnetShare {
    /// Subnet id.
    pub netuid: u16,
    /// Fraction of the block emission (U64F64, in [0, 1]).
    pub share: U64F64,
}

/// One subnet's TAO emission for this block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubnetEmission {
    /// Subnet id.
    pub netuid: u16,
    /// Its final share.
    pub share: U64F64,
    /// E_i = E·share, as the chain carries it into `get_subnet_terms` (U96F32).
    pub tao_emission: U96F32,
    /// E_i floored to rao.
    pub tao_emission_rao: u64,
}

/// A rule that turns per-subnet state into emission shares.
///
/// `subnets` are the eligible subnets, sorted by netuid, each listed once; the rule returns one
/// share per entry in the same order. Rules may carry state between blocks (the gate's θ),
/// hence `&mut self`.
pub trait ShareRule {
    /// Short name for errors and logs.
    fn name(&self) -> &'static str;

    /// Shares for the eligible subnets at `block`, before `SubnetEmissionEnabled` is applied.
    fn shares(&mut self, block: u64, subnets: &[SubnetShareInput]) -> Vec<U64F64>;

    /// Whether a call to [`ShareRule::shares`] at `block` would change the rule's state (the
    /// gate recomputing θ). Stateless rules never do; a projection that skips blocks must
    /// still call the rule at these.
    fn updates_state_at(&self, _block: u64) -> bool {
        false
    }
}

/// Shares ∝ `SubnetMovingPrice` (spec 425 step 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PriceEmaRule;

/// Price-EMA shares × (1 − min(1, MinerBurned)), renormalised; if every weight is 0 the plain
/// price shares are kept so the block's emission is not stranded (spec 425).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PriceBurnRule;

/// TAO-flow shares (Nov 2025 – Jun 2026): z_i = max(S_i − L, 0) with
/// L = max(cutoff, min(min_i S_i, 0)), then z^p normalised the chain's way (scaled, raised to p
/// through I32F32 `exp(p·ln z)`, divided by the sum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaoFlowRule {
    /// `TaoFlowCutoff` (default 0).
    pub cutoff: I64F64,
    /// `FlowNormExponent` p (default 1).
    pub exponent: U64F64,
}

impl Default for TaoFlowRule {
    fn default() -> Self {
        Self { cutoff: I64F64::saturating_from_num(0), exponent: U64F64::saturating_from_num(1) }
    }
}

/// How the gate bar θ is chosen when it is recomputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarMode {
    /// θ = the N-th largest positive share, or the smallest positive share if there are fewer
    /// (`EmissionBarRank` = N > 0).
    Rank(u16),
    /// θ = the share at which the descending cumulative sum first reaches q
    /// (`EmissionBarRank` = 0, `EmissionBarQuantile` = q).
    Quantile(U64F64),
}

impl BarMode {
    /// The mode the chain uses for the given storage values: rank if `rank > 0`, else quantile.
    pub fn from_chain(rank: u16, quantile: U64F64) -> Self {
        if rank > 0 { Self::Rank(rank) } else { Self::Quantile(quantile) }
    }
}

/// HEAD: [`PriceBurnRule`] shares through the Hill gate s ← s/(1 + (θ/s)^h), renormalised.
///
/// θ (`EmissionGateBar`) is state: it is recomputed from the current burn-weighted shares when
/// `block % update_interval == 0` or θ = 0, and otherwise kept, so per-block price noise cannot
/// move the bar. θ = 0 after recomputation (no positive share) disables the gate. If every
/// gated share underflows to 0 the ungated shares are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceBurnGateRule {
    /// Current bar θ (`EmissionGateBar`, U64F64); 0 means "not yet computed".
    pub theta: U64F64,
    /// How θ is recomputed.
    pub bar: BarMode,
    /// Hill exponent h (`EmissionGateExponent`, default 3).
    pub exponent: U64F64,
    /// Recompute cadence in blocks (default [`EMISSION_BAR_UPDATE_INTERVAL`]).
    pub update_interval: u64,
}

impl Default for PriceBurnGateRule {
    fn default() -> Self {
        Self {
            theta: U64F64::saturating_from_num(0),
            bar: BarMode::Rank(DEFAULT_EMISSION_BAR_RANK),
            exponent: U64F64::saturating_from_num(3),
            update_interval: EMISSION_BAR_UPDATE_INTERVAL,
        }
    }
}

/// The newest rule, the one HEAD runs: price EMA × burn through the Hill gate.
pub fn default_share_rule() -> PriceBurnGateRule {
    PriceBurnGateRule::default()
}

fn zero() -> U64F64 {
    U64F64::saturating_from_num(0)
}

fn one() -> U64F64 {
    U64F64::saturating_from_num(1)
}

/// `safe_div` as the chain's `FixedExt` defines it: 0 when the division fails.
fn safe_div(a: U64F64, b: U64F64) -> U64F64 {
    a.exact_div(b).unwrap_or_default()
}

fn price_ema_shares(subnets: &[SubnetShareInput]) -> Vec<U64F64> {
    let prices: Vec<U64F64> =
        subnets.iter().map(|s| U64F64::saturating_from_num(s.moving_price)).collect();
    let total = prices.iter().fold(zero(), |acc, p| acc.saturating_add(*p));
    prices.iter().map(|p| p.exact_div(total).unwrap_or_default()).collect()
}

fn price_burn_shares(subnets: &[SubnetShareInput]) -> Vec<U64F64> {
    let price = price_ema_shares(subnets);
    let weighted: Vec<U64F64> = price
        .iter()
        .zip(subnets)
        .map(|(share, s)| {
            let burned = U64F64::saturating_from_num(s.miner_burned).min(one());
            share.saturating_mul(one().saturating_sub(burned))
        })
        .collect();
    let total = weighted.iter().fold(zero(), |acc, w| acc.saturating_add(*w));
    if total > zero() { weighted.iter().map(|w| safe_div(*w, total)).collect() } else { price }
}

impl ShareRule for PriceEmaRule {
    fn name(&self) -> &'static str {
        "price-ema"
    }

    fn shares(&mut self, _block: u64, subnets: &[SubnetShareInput]) -> Vec<U64F64> {
        price_ema_shares(subnets)
    }
}

impl ShareRule for PriceBurnRule {
    fn name(&self) -> &'static str {
        "price-ema-burn"
    }

    fn shares(&mut self, _block: u64, subnets: &[SubnetShareInput]) -> Vec<U64F64> {
        price_burn_shares(subnets)
    }
}

impl PriceBurnGateRule {
    /// θ for a set of shares under this rule's [`BarMode`]; 0 if no share is positive.
    pub fn compute_bar(&self, shares: &[U64F64]) -> U64F64 {
        let mut positive: Vec<U64F64> = shares.iter().copied().filter(|s| *s > zero()).collect();
        positive.sort_unstable_by(|a, b| b.cmp(a));
        let Some(&smallest) = positive.last() else { return zero() };
        match self.bar {
            BarMode::Rank(n) if n > 0 => {
                positive.get(usize::from(n) - 1).copied().unwrap_or(smallest)
            }
            BarMode::Rank(_) => self.quantile_bar(&positive, default_bar_quantile(), smallest),
            BarMode::Quantile(q) => self.quantile_bar(&positive, q, smallest),
        }
    }

    fn quantile_bar(&self, descending: &[U64F64], q: U64F64, smallest: U64F64) -> U64F64 {
        let mut cumulative = zero();
        for share in descending {
            cumulative = cumulative.saturating_add(*share);
            if cumulative >= q {
                return *share;
            }
        }
        smallest
    }

    fn gate(&self, share: U64F64) -> U64F64 {
        if share == zero() {
            return zero();
        }
        // (θ/s)^h overflows for deep-tail shares; saturating keeps the gated share at ~0.
        let ratio = self.theta.exact_div(share).unwrap_or(U64F64::max_value());
        let power = fixed_pow(ratio, self.exponent);
        safe_div(share, one().saturating_add(power))
    }
}

/// x^h in U64F64: binary exponentiation with saturating multiplies for whole h (the chain's
/// `checked_pow`), `exp(h·ln x)` in I64F64 otherwise.
fn fixed_pow(x: U64F64, h: U64F64) -> U64F64 {
    if h.frac() == zero() {
        let mut exponent = h.saturating_to_num::<u64>();
        let mut result = one();
        let mut base = x;
        while exponent > 0 {
            if exponent & 1 == 1 {
                result = result.saturating_mul(base);
            }
            base = base.saturating_mul(base);
            exponent >>= 1;
        }
        return result;
    }
    if x == zero() {
        return zero();
    }
    let Ok(log) = ln::<I64F64, I64F64>(I64F64::saturating_from_num(x)) else { return zero() };
    let scaled = I64F64::saturating_from_num(h).saturating_mul(log);
    match exp::<I64F64, I64F64>(scaled) {
        Ok(value) => U64F64::saturating_from_num(value),
        Err(()) => U64F64::max_value(),
    }
}

impl ShareRule for PriceBurnGateRule {
    fn name(&self) -> &'static str {
        "price-ema-burn-gate"
    }

    fn updates_state_at(&self, block: u64) -> bool {
        self.update_interval == 0
            || block.is_multiple_of(self.update_interval)
            || self.theta == zero()
    }

    fn shares(&mut self, block: u64, subnets: &[SubnetShareInput]) -> Vec<U64F64> {
        let weighted = price_burn_shares(subnets);
        if self.updates_state_at(block) {
            self.theta = self.compute_bar(&weighted);
        }
        if self.theta == zero() {
            return weighted;
        }
        let gated: Vec<U64F64> = weighted.iter().map(|s| self.gate(*s)).collect();
        let total = gated.iter().fold(zero(), |acc, g| acc.saturating_add(*g));
        if total == zero() {
            return weighted;
        }
        gated.iter().map(|g| safe_div(*g, total)).collect()
    }
}

impl TaoFlowRule {
    fn offset_flows(&self, subnets: &[SubnetShareInput]) -> Vec<U64F64> {
        let zero_flow = I64F64::saturating_from_num(0);
        let min_flow =
            subnets.iter().map(|s| s.tao_flow_ema.min(zero_flow)).min().unwrap_or(zero_flow);
        let lower = self.cutoff.max(min_flow);
        subnets
            .iter()
            .map(|s| {
                if s.tao_flow_ema > lower {
                    U64F64::saturating_from_num(s.tao_flow_ema.saturating_sub(lower))
                } else {
                    zero()
                }
            })
            .collect()
    }
}

/// The chain's bisection square root (`FixedExt::checked_sqrt`): halve [low, high] until
/// |x/mid − mid| ≤ ε or 128 steps.
fn bisection_sqrt(x: U64F64, epsilon: U64F64) -> U64F64 {
    let two = U64F64::saturating_from_num(2);
    let (mut high, mut low) = if x > one() { (x, zero()) } else { (one(), x) };
    let mut middle = safe_div(high.saturating_add(low), two);
    let mut check = safe_div(x, middle);
    let mut steps = 0;
    while abs_diff(check, middle) > epsilon && steps <= 128 {
        if check < middle {
            high = middle;
        } else {
            low = middle;
        }
        middle = safe_div(high.saturating_add(low), two);
        check = safe_div(x, middle);
        steps += 1;
    }
    middle
}

fn abs_diff(a: U64F64, b: U64F64) -> U64F64 {
    if a < b { b - a } else { a - b }
}

/// `val^p` as the chain computes it: `exp(p·ln val)` in I32F32; 0 when `ln` fails (val = 0 or
/// too small), I32F32::MAX when `exp` overflows.
fn flow_pow(value: U64F64, p: U64F64) -> U64F64 {
    let i32f32_max = I32F32::saturating_from_num(i32::MAX);
    match ln::<I32F32, I32F32>(I32F32::saturating_from_num(value)) {
        Ok(log) => U64F64::saturating_from_num(
            exp::<I32F32, I32F32>(I32F32::saturating_from_num(p).saturating_mul(log))
                .unwrap_or(i32f32_max),
        ),
        Err(()) => zero(),
    }
}

/// Scale so the maximum is 1, rescale to use I32F32's range, raise to p and normalise — the
/// chain's `inplace_pow_normalize`, including leaving values untouched when they are all too
/// small to represent.
fn pow_normalize(flows: &mut [U64F64], p: U64F64) {
    let max = flows.iter().copied().max().unwrap_or_default();
    let to_one = safe_div(one(), max);
    for flow in flows.iter_mut() {
        *flow = to_one.saturating_mul(*flow);
    }
    let max = flows.iter().copied().max().unwrap_or_default();
    let count = U64F64::saturating_from_num(flows.len());
    let max_times_count = count.saturating_mul(max.saturating_mul(max));
    let i32f32_max = U64F64::saturating_from_num(i32::MAX);
    let precision_min = safe_div(i32f32_max, U64F64::saturating_from_num(u64::MAX));
    if max_times_count < precision_min {
        return;
    }
    let epsilon = safe_div(one(), U64F64::saturating_from_num(1_000));
    let factor = bisection_sqrt(safe_div(i32f32_max, max_times_count), epsilon);
    let powered: Vec<U64F64> =
        flows.iter().map(|f| flow_pow(factor.saturating_mul(*f), p)).collect();
    let sum = powered.iter().fold(zero(), |acc, v| acc.saturating_add(*v));
    for (flow, value) in flows.iter_mut().zip(powered) {
        *flow = safe_div(value, sum);
    }
}

impl ShareRule for TaoFlowRule {
    fn name(&self) -> &'static str {
        "tao-flow"
    }

    fn shares(&mut self, _block: u64, subnets: &[SubnetShareInput]) -> Vec<U64F64> {
        let mut flows = self.offset_flows(subnets);
        pow_normalize(&mut flows, self.exponent);
        flows
    }
}

/// Final shares of the eligible subnets, sorted by netuid: the rule's shares with
/// `SubnetEmissionEnabled` applied (disabled → 0, the rest renormalised; if no enabled subnet
/// has a share, every share is 0).
pub fn subnet_shares(
    rule: &mut dyn ShareRule,
    block: u64,
    subnets: &[SubnetShareInput],
) -> Result<Vec<SubnetShare>, EmissionError> {
    // Callers pass subnets in netuid order (a chain's map); check duplicates by sorting only
    // when they are not (this runs every block).
    if !subnets.windows(2).all(|w| w[0].netuid < w[1].netuid) {
        let mut netuids: Vec<u16> = subnets.iter().map(|s| s.netuid).collect();
        netuids.sort_unstable();
        if let Some(w) = netuids.windows(2).find(|w| w[0] == w[1]) {
            return Err(EmissionError::DuplicateNetuid { netuid: w[0] });
        }
    }
    let mut eligible: Vec<SubnetShareInput> =
        subnets.iter().copied().filter(|s| s.eligible).collect();
    eligible.sort_unstable_by_key(|s| s.netuid);
    let raw = rule.shares(block, &eligible);
    if raw.len() != eligible.len() {
        return Err(EmissionError::ShareCountMismatch {
            rule: rule.name(),
            got: raw.len(),
            expected: eligible.len(),
        });
    }
    let any_disabled = eligible.iter().any(|s| !s.emission_enabled);
    let enabled_sum = eligible
        .iter()
        .zip(&raw)
        .filter(|(s, _)| s.emission_enabled)
        .fold(zero(), |acc, (_, share)| acc.saturating_add(*share));
    Ok(eligible
        .iter()
        .zip(raw)
        .map(|(s, share)| {
            let share = if !any_disabled {
                share
            } else if s.emission_enabled && enabled_sum > zero() {
                safe_div(share, enabled_sum)
            } else {
                zero()
            };
            SubnetShare { netuid: s.netuid, share }
        })
        .collect())
}

/// Each eligible subnet's TAO for this block: E_i = U96F32(U64F64(E)·share_i), the chain's
/// `get_subnet_block_emissions`. The parts may sum to a few rao less than E; the chain
/// recycles whatever minted credit is left unspent.
pub fn subnet_block_emissions(
    rule: &mut dyn ShareRule,
    block: u64,
    subnets: &[SubnetShareInput],
    block_emission_rao: u64,
) -> Result<Vec<SubnetEmission>, EmissionError> {
    let emission = U64F64::saturating_from_num(block_emission_rao);
    Ok(subnet_shares(rule, block, subnets)?
        .into_iter()
        .map(|s| {
            let tao_emission = U96F32::saturating_from_num(emission.saturating_mul(s.share));
            SubnetEmission {
                netuid: s.netuid,
                share: s.share,
                tao_emission,
                tao_emission_rao: tao_emission.saturating_to_num::<u64>(),
            }
        })
        .collect())
}

/// Whether root alpha is kept as dividends this block: Σ `SubnetMovingPrice` over eligible
/// subnets > 1. Otherwise root alpha is recycled (reference §3.4).
pub fn root_sell_flag(subnets: &[SubnetShareInput]) -> bool {
    let total = subnets
        .iter()
        .filter(|s| s.eligible)
        .fold(zero(), |acc, s| acc.saturating_add(U64F64::saturating_from_num(s.moving_price)));
    total > one()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn subnet(netuid: u16, price: f64) -> SubnetShareInput {
        SubnetShareInput {
            netuid,
            moving_price: I96F32::saturating_from_num(price),
            emission_enabled: true,
            eligible: true,
            ..SubnetShareInput::default()
        }
    }

    fn as_f64(shares: &[SubnetShare]) -> Vec<f64> {
        shares.iter().map(|s| s.share.to_num::<f64>()).collect()
    }

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-6, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn default_quantile_matches_float_literal() {
        assert_eq!(default_bar_quantile(), U64F64::saturating_from_num(0.61));
    }

    #[test]
    fn price_ema_is_proportional_and_sorted() {
        let subnets = [subnet(3, 0.1), subnet(1, 0.2), subnet(2, 0.1)];
        let shares = subnet_shares(&mut PriceEmaRule, 0, &subnets).unwrap();
        assert_eq!(shares.iter().map(|s| s.netuid).collect::<Vec<_>>(), vec![1, 2, 3]);
        close(&as_f64(&shares), &[0.5, 0.25, 0.25]);
    }

    #[test]
    fn burn_reweights_and_falls_back() {
        let mut burned = subnet(2, 0.1);
        burned.miner_burned = U96F32::saturating_from_num(1);
        let subnets = [subnet(1, 0.1), burned, subnet(3, 0.2)];
        let shares = subnet_shares(&mut PriceBurnRule, 0, &subnets).unwrap();
        close(&as_f64(&shares), &[1.0 / 3.0, 0.0, 2.0 / 3.0]);

        let mut all = subnets;
        for s in &mut all {
            // Above 1 is clamped to 1.
            s.miner_burned = U96F32::saturating_from_num(2);
        }
        let shares = subnet_shares(&mut PriceBurnRule, 0, &all).unwrap();
        close(&as_f64(&shares), &[0.25, 0.25, 0.5]);
    }

    #[test]
    fn disabled_and_ineligible_subnets() {
        let mut disabled = subnet(2, 0.2);
        disabled.emission_enabled = false;
        let mut ineligible = subnet(9, 5.0);
        ineligible.eligible = false;
        let subnets = [subnet(1, 0.1), disabled, subnet(3, 0.1), ineligible];
        let shares = subnet_shares(&mut PriceEmaRule, 0, &subnets).unwrap();
        assert_eq!(shares.iter().map(|s| s.netuid).collect::<Vec<_>>(), vec![1, 2, 3]);
        close(&as_f64(&shares), &[0.5, 0.0, 0.5]);
    }

    #[test]
    fn duplicate_netuid_is_an_error() {
        let err = subnet_shares(&mut PriceEmaRule, 0, &[subnet(1, 0.1), subnet(1, 0.2)]);
        assert_eq!(err, Err(EmissionError::DuplicateNetuid { netuid: 1 }));
        // Out of order too.
        let subnets = [subnet(4, 0.1), subnet(2, 0.1), subnet(4, 0.2)];
        let err = subnet_shares(&mut PriceEmaRule, 0, &subnets);
        assert_eq!(err, Err(EmissionError::DuplicateNetuid { netuid: 4 }));
    }

    #[test]
    fn gate_quantile_turns_one_to_two_into_one_to_nine() {
        // θ by quantile 0.61 lands on the 2/3 share; gated 1/27 : 1/3 → 1/10 : 9/10.
        let mut rule = PriceBurnGateRule {
            bar: BarMode::Quantile(default_bar_quantile()),
            ..PriceBurnGateRule::default()
        };
        let subnets = [subnet(1, 0.1), subnet(2, 0.2)];
        let shares = subnet_shares(&mut rule, 0, &subnets).unwrap();
        close(&as_f64(&shares), &[0.1, 0.9]);
    }

    #[test]
    fn gate_rank_with_fewer_subnets_uses_smallest_share() {
        // Rank 32 > 2 subnets, so θ = 1/3: s1 → 1/6, s2 → (2/3)/(1 + 1/8) = 16/27.
        let mut rule = default_share_rule();
        let shares = subnet_shares(&mut rule, 0, &[subnet(1, 0.1), subnet(2, 0.2)]).unwrap();
        let (a, b) = (1.0 / 6.0, 16.0 / 27.0);
        close(&as_f64(&shares), &[a / (a + b), b / (a + b)]);
        assert!((rule.theta.to_num::<f64>() - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn gate_rank_picks_nth_largest() {
        let rule = PriceBurnGateRule { bar: BarMode::Rank(2), ..PriceBurnGateRule::default() };
        let shares: Vec<U64F64> =
            [0.5, 0.1, 0.3, 0.0, 0.1].iter().map(|s| U64F64::saturating_from_num(*s)).collect();
        assert_eq!(rule.compute_bar(&shares), U64F64::saturating_from_num(0.3));
        assert_eq!(rule.compute_bar(&[zero(), zero()]), zero());
    }

    #[test]
    fn gate_bar_is_sticky_between_intervals() {
        let mut rule = default_share_rule();
        let mut subnets = [subnet(1, 0.1), subnet(2, 0.2)];
        subnet_shares(&mut rule, 720, &subnets).unwrap();
        let theta = rule.theta;
        subnets[1].moving_price = I96F32::saturating_from_num(0.9);
        subnet_shares(&mut rule, 721, &subnets).unwrap();
        assert_eq!(rule.theta, theta, "θ must not move off the 360-block cadence");
        subnet_shares(&mut rule, 1080, &subnets).unwrap();
        assert_ne!(rule.theta, theta);
    }

    #[test]
    fn gate_keeps_ungated_when_all_underflow() {
        // θ far above every share: all gated values round to zero.
        let mut rule = PriceBurnGateRule {
            theta: U64F64::saturating_from_num(1),
            exponent: U64F64::saturating_from_num(8),
            ..PriceBurnGateRule::default()
        };
        let mut subnets: Vec<SubnetShareInput> = (1..=2).map(|n| subnet(n, 0.1)).collect();
        subnets.push(subnet(3, 1e-9));
        // Block 1 is off-cadence, so the preset θ is used.
        let shares = subnet_shares(&mut rule, 1, &subnets).unwrap();
        let total: f64 = as_f64(&shares).iter().sum();
        assert!((total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn fractional_gate_exponent() {
        let mut rule = PriceBurnGateRule {
            bar: BarMode::Quantile(default_bar_quantile()),
            exponent: U64F64::saturating_from_num(2.5),
            ..PriceBurnGateRule::default()
        };
        let shares = subnet_shares(&mut rule, 0, &[subnet(1, 0.1), subnet(2, 0.2)]).unwrap();
        let a = (1.0 / 3.0) / (1.0 + 2f64.powf(2.5));
        let b = (2.0 / 3.0) / 2.0;
        let got = as_f64(&shares);
        assert!((got[0] - a / (a + b)).abs() < 1e-4, "{got:?}");
    }

    #[test]
    fn tao_flow_offsets_by_cutoff_or_most_negative() {
        let mut subnets = [subnet(1, 0.0), subnet(2, 0.0), subnet(3, 0.0)];
        for (s, flow) in subnets.iter_mut().zip([-10_i64, 10, 30]) {
            s.tao_flow_ema = I64F64::saturating_from_num(flow * 1_000_000_000);
        }
        // Default cutoff 0: L = max(0, −10) = 0, so only positive flow counts.
        let shares = subnet_shares(&mut TaoFlowRule::default(), 0, &subnets).unwrap();
        let got = as_f64(&shares);
        // I32F32 exp(ln) costs a few digits.
        assert!(got[0] == 0.0, "{got:?}");
        assert!((got[1] - 0.25).abs() < 1e-4, "{got:?}");
        assert!((got[2] - 0.75).abs() < 1e-4, "{got:?}");

        // A negative cutoff below the worst flow: L = max(−20, −10) = −10.
        let mut rule = TaoFlowRule {
            cutoff: I64F64::saturating_from_num(-20_000_000_000_i64),
            ..TaoFlowRule::default()
        };
        let got = as_f64(&subnet_shares(&mut rule, 0, &subnets).unwrap());
        assert!(got[0] == 0.0, "{got:?}");
        assert!((got[1] - 1.0 / 3.0).abs() < 1e-4, "{got:?}");
        assert!((got[2] - 2.0 / 3.0).abs() < 1e-4, "{got:?}");

        // p = 2 squares before normalising: 20² : 40² = 1 : 4. The chain's 30-term I32F32
        // Taylor series for exp is visibly short at these magnitudes (0.2010 rather than 0.2);
        // we reproduce that, not the exact power.
        let mut rule = TaoFlowRule { exponent: U64F64::saturating_from_num(2), ..rule };
        let got = as_f64(&subnet_shares(&mut rule, 0, &subnets).unwrap());
        assert!((got[1] - 0.2).abs() < 2e-3, "{got:?}");
    }

    #[test]
    fn tao_flow_all_zero_gives_zero() {
        let subnets = [subnet(1, 0.0), subnet(2, 0.0)];
        let shares = subnet_shares(&mut TaoFlowRule::default(), 0, &subnets).unwrap();
        assert!(shares.iter().all(|s| s.share == zero()));
    }

    #[test]
    fn block_emissions_follow_shares() {
        let subnets = [subnet(1, 0.1), subnet(2, 0.3)];
        let emissions =
            subnet_block_emissions(&mut PriceEmaRule, 0, &subnets, 500_000_000).unwrap();
        assert_eq!(emissions[0].tao_emission_rao, 125_000_000);
        assert_eq!(emissions[1].tao_emission_rao, 375_000_000 - 1);
        assert!(emissions.iter().map(|e| e.tao_emission_rao).sum::<u64>() <= 500_000_000);
    }

    #[test]
    fn root_sell_needs_price_sum_above_one() {
        assert!(!root_sell_flag(&[subnet(1, 0.5), subnet(2, 0.5)]));
        assert!(root_sell_flag(&[subnet(1, 0.5), subnet(2, 0.6)]));
    }

    fn arb_subnets() -> impl Strategy<Value = Vec<SubnetShareInput>> {
        prop::collection::vec(
            (
                0_u64..=u64::from(u32::MAX),
                0_u32..=u32::MAX,
                -1_000_000_000_000_i64..1_000_000_000_000,
                any::<bool>(),
                any::<bool>(),
            ),
            1..40,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (price_bits, burned_bits, flow, enabled, eligible))| SubnetShareInput {
                    netuid: u16::try_from(i + 1).unwrap_or(u16::MAX),
                    moving_price: I96F32::from_bits(i128::from(price_bits)),
                    miner_burned: U96F32::from_bits(u128::from(burned_bits)),
                    tao_flow_ema: I64F64::saturating_from_num(flow),
                    emission_enabled: enabled,
                    eligible,
                })
                .collect()
        })
    }

    fn check_sum(
        rule: &mut dyn ShareRule,
        block: u64,
        subnets: &[SubnetShareInput],
    ) -> Result<(), TestCaseError> {
        let shares = subnet_shares(rule, block, subnets).unwrap();
        let total = shares.iter().fold(zero(), |acc, s| acc + s.share);
        prop_assert!(total <= one(), "{} summed to {total}", rule.name());
        if total > zero() {
            let slack = U64F64::from_bits(u128::try_from(shares.len()).unwrap_or(u128::MAX) * 4);
            prop_assert!(total + slack >= one(), "{} summed to {total}", rule.name());
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn shares_sum_to_one_never_above(subnets in arb_subnets(), block in 0_u64..100_000) {
            check_sum(&mut PriceEmaRule, block, &subnets)?;
            check_sum(&mut PriceBurnRule, block, &subnets)?;
            check_sum(&mut default_share_rule(), block, &subnets)?;
            check_sum(&mut TaoFlowRule::default(), block, &subnets)?;
        }
    }
}
