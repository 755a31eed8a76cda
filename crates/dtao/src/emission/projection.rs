//! What a trade teaches the network: a subnet's emission share now, and after the moving-price
//! EMA has absorbed the trade if spot prices then hold.
//!
//! Nothing here is a formula of its own. The projection runs the chain's per-block steps —
//! the share rule in force ([`ShareRule`], whose state such as the gate bar θ evolves on the
//! chain's cadence), then [`update_moving_price`] and [`update_tao_flow_ema`] for every
//! eligible subnet — block by block, twice: once with the trade and once without, holding every
//! other input (spot prices, burn fractions, the block emission) where it is now.
//!
//! Timing follows the chain: a trade submitted after block `b` lands in block `b + 1`, after
//! that block's coinbase has already updated the EMA from the old spot, so the trade's spot is
//! first seen by the EMA in block `b + 2` and first moves a share in block `b + 3`. Its TAO
//! flow is counted in the flow EMA in block `b + 2` as well.
//!
//! At convergence every eligible subnet's moving price is its limit, min(spot, 1), and the flow
//! EMA (no flow after the trade) has decayed to 0; the share rule is then asked at the first
//! block at which it would refresh its state, so the gate's θ is the converged one. The chain's
//! own EMA stops a hair short of that limit when rising (a step smaller than 2⁻³² is
//! truncated away, i.e. within 2⁻³²/α_b ≈ 8·10⁻⁵ τ of spot).

use substrate_fixed::types::{I64F64, I96F32, U64F64};

use super::{
    DEFAULT_EMA_PRICE_HALVING_BLOCKS, DEFAULT_FLOW_EMA_SMOOTHING_FACTOR, EmissionError, ShareRule,
    SubnetShareInput, blocks_since_start_call, default_moving_alpha, subnet_block_emissions,
    update_moving_price, update_tao_flow_ema,
};

/// How far a cadence search may look ahead for the block at which a rule refreshes its state.
const MAX_CADENCE_SEARCH: u64 = 1_000_000;

/// One subnet as the projection starts from it, after block `block`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectedSubnet {
    /// The share rule's inputs (moving price, burn, flow EMA, enabled). `eligible` is the
    /// subnet's standing eligibility; emission must also have started
    /// (`first_emission_block` ≤ the block).
    pub input: SubnetShareInput,
    /// Spot price the EMA will see (TAO per alpha), held from now on.
    pub spot_price: U64F64,
    /// `FirstEmissionBlockNumber`; `None` until `start_call`.
    pub first_emission_block: Option<u64>,
}

impl ProjectedSubnet {
    fn input_at(&self, block: u64) -> SubnetShareInput {
        SubnetShareInput {
            eligible: self.input.eligible && self.first_emission_block.is_some_and(|b| b <= block),
            ..self.input
        }
    }

    /// One block of both EMAs, as the chain runs them after the coinbase of `block`.
    fn step(&mut self, block: u64, params: &EmaParams, flow_rao: i64) {
        let Some(first) = self.first_emission_block else { return };
        if !self.input.eligible || first > block {
            return;
        }
        self.input.moving_price = update_moving_price(
            self.input.moving_price,
            self.spot_price,
            blocks_since_start_call(block, first),
            params.halving_blocks,
            params.moving_alpha,
        );
        self.input.tao_flow_ema =
            update_tao_flow_ema(self.input.tao_flow_ema, flow_rao, params.flow_smoothing);
    }

    fn converge(&mut self) {
        let limit = self.spot_price.min(U64F64::saturating_from_num(1));
        self.input.moving_price = I96F32::saturating_from_num(limit);
        self.input.tao_flow_ema = I64F64::saturating_from_num(0);
    }
}

/// The EMA parameters of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmaParams {
    /// `EMAPriceHalvingBlocks`.
    pub halving_blocks: u64,
    /// `SubnetMovingAlpha`.
    pub moving_alpha: I96F32,
    /// `FlowEmaSmoothingFactor`.
    pub flow_smoothing: u64,
}

impl Default for EmaParams {
    fn default() -> Self {
        Self {
            halving_blocks: DEFAULT_EMA_PRICE_HALVING_BLOCKS,
            moving_alpha: default_moving_alpha(),
            flow_smoothing: DEFAULT_FLOW_EMA_SMOOTHING_FACTOR,
        }
    }
}

/// What a trade does to one pool, as its quote says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolImpact {
    /// The pool's subnet.
    pub netuid: u16,
    /// Spot price after the trade (TAO per alpha).
    pub spot_after: U64F64,
    /// TAO into the pool (negative: out), rao.
    pub flow_rao: i64,
}

/// How far ahead to project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Horizon {
    /// The share at block `b + n`.
    Blocks(u64),
    /// Once every moving price has reached its limit.
    Convergence,
}

/// A subnet's share of the block emission at one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareAt {
    /// The horizon this is for.
    pub horizon: Horizon,
    /// Fraction of the block emission (U64F64).
    pub share: U64F64,
    /// TAO the subnet receives a block at that share, rao.
    pub tao_per_block_rao: u64,
}

impl ShareAt {
    /// The share in percent, for display.
    pub fn percent(&self) -> f64 {
        self.share.to_num::<f64>() * 100.0
    }

    /// TAO a day at this share, rao.
    pub fn tao_per_day_rao(&self, blocks_per_day: u64) -> u64 {
        self.tao_per_block_rao.saturating_mul(blocks_per_day)
    }
}

/// One traded subnet's outlook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outlook {
    /// Subnet id.
    pub netuid: u16,
    /// Its share in the next block (the same with or without the trade).
    pub now: ShareAt,
    /// Its share at each horizon if the trade lands and prices then hold.
    pub with_trade: Vec<ShareAt>,
    /// Its share at each horizon if nothing trades.
    pub without_trade: Vec<ShareAt>,
}

/// The projection of one trade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    /// Name of the share rule in force ([`ShareRule::name`]).
    pub rule: &'static str,
    /// The block the projection starts after.
    pub block: u64,
    /// The block emission held, rao.
    pub block_emission_rao: u64,
    /// One outlook per traded subnet, in the order of the impacts.
    pub outlooks: Vec<Outlook>,
}

/// The two worlds, advanced together: `base` without the trade, `traded` the rows that differ
/// with it (indices into `base`).
struct Worlds<R> {
    base: Vec<ProjectedSubnet>,
    rule_base: R,
    traded: Vec<(usize, ProjectedSubnet)>,
    rule_traded: R,
}

impl<R: ShareRule + Clone> Worlds<R> {
    fn inputs(&self, block: u64, with_trade: bool) -> Vec<SubnetShareInput> {
        let mut inputs: Vec<SubnetShareInput> =
            self.base.iter().map(|s| s.input_at(block)).collect();
        if with_trade {
            for (i, s) in &self.traded {
                if let Some(slot) = inputs.get_mut(*i) {
                    *slot = s.input_at(block);
                }
            }
        }
        inputs
    }

    /// Shares at `block` of the traded subnets, without disturbing the rules' state.
    fn shares(
        &self,
        block: u64,
        horizon: Horizon,
        with_trade: bool,
        emission: u64,
    ) -> Result<Vec<ShareAt>, EmissionError> {
        let mut rule = if with_trade { self.rule_traded.clone() } else { self.rule_base.clone() };
        let emissions =
            subnet_block_emissions(&mut rule, block, &self.inputs(block, with_trade), emission)?;
        Ok(self
            .traded
            .iter()
            .map(|(i, _)| {
                let netuid = self.base.get(*i).map_or(0, |s| s.input.netuid);
                let em = emissions.iter().find(|e| e.netuid == netuid);
                ShareAt {
                    horizon,
                    share: em.map_or_else(|| U64F64::saturating_from_num(0), |e| e.share),
                    tao_per_block_rao: em.map_or(0, |e| e.tao_emission_rao),
                }
            })
            .collect())
    }

    /// Block `block` of both worlds: the rules' state refresh (if due), then the EMAs.
    fn step(
        &mut self,
        block: u64,
        params: &EmaParams,
        flows: &[i64],
        emission: u64,
    ) -> Result<(), EmissionError> {
        if self.rule_base.updates_state_at(block) {
            let inputs = self.inputs(block, false);
            subnet_block_emissions(&mut self.rule_base, block, &inputs, emission)?;
        }
        if self.rule_traded.updates_state_at(block) {
            let inputs = self.inputs(block, true);
            subnet_block_emissions(&mut self.rule_traded, block, &inputs, emission)?;
        }
        for s in &mut self.base {
            s.step(block, params, 0);
        }
        for ((_, s), flow) in self.traded.iter_mut().zip(flows) {
            s.step(block, params, *flow);
        }
        Ok(())
    }
}

/// Projects a trade's effect on emission shares (see the module docs).
///
/// `rule` is the share rule in force with its current state, `block` the last block produced,
/// `subnets` every subnet the rule sees (any order, each once), `impacts` the one or two
/// pools the trade moves, `block_emission_rao` the block emission held.
pub fn project<R: ShareRule + Clone>(
    rule: &R,
    block: u64,
    subnets: &[ProjectedSubnet],
    impacts: &[PoolImpact],
    horizons: &[Horizon],
    params: &EmaParams,
    block_emission_rao: u64,
) -> Result<Projection, EmissionError> {
    let mut base = subnets.to_vec();
    base.sort_unstable_by_key(|s| s.input.netuid);
    if let Some(pair) = base.windows(2).find(|w| w[0].input.netuid == w[1].input.netuid) {
        return Err(EmissionError::DuplicateNetuid { netuid: pair[0].input.netuid });
    }
    let mut traded = Vec::with_capacity(impacts.len());
    for impact in impacts {
        let i = base
            .binary_search_by_key(&impact.netuid, |s| s.input.netuid)
            .map_err(|_| EmissionError::UnknownSubnet { netuid: impact.netuid })?;
        if traded.iter().any(|(j, _)| *j == i) {
            return Err(EmissionError::DuplicateNetuid { netuid: impact.netuid });
        }
        traded.push((i, base[i]));
    }
    let mut horizons = horizons.to_vec();
    horizons.sort_unstable();
    horizons.dedup();
    let mut worlds = Worlds { base, rule_base: rule.clone(), traded, rule_traded: rule.clone() };
    let emission = block_emission_rao;
    let next = block.saturating_add(1);
    let now = worlds.shares(next, Horizon::Blocks(1), false, emission)?;
    let no_flow = vec![0_i64; impacts.len()];
    let trade_flows: Vec<i64> = impacts.iter().map(|i| i.flow_rao).collect();

    let mut with_trade: Vec<Vec<ShareAt>> = Vec::new();
    let mut without_trade: Vec<Vec<ShareAt>> = Vec::new();
    // Block b + 1: the trade lands after this block's EMA update.
    let mut n = next;
    let mut landed = false;
    for horizon in horizons {
        let target = match horizon {
            Horizon::Blocks(k) => block.saturating_add(k.max(1)),
            Horizon::Convergence => {
                for ((_, s), impact) in worlds.traded.iter_mut().zip(impacts) {
                    s.spot_price = impact.spot_after;
                    s.converge();
                }
                for s in &mut worlds.base {
                    s.converge();
                }
                // A stateless rule never refreshes: ask it right away.
                (n..n.saturating_add(MAX_CADENCE_SEARCH))
                    .find(|m| worlds.rule_base.updates_state_at(*m))
                    .unwrap_or(n)
            }
        };
        while n < target {
            let flows = if landed && n == next + 1 { &trade_flows } else { &no_flow };
            worlds.step(n, params, flows, emission)?;
            if n == next && !landed {
                for ((_, s), impact) in worlds.traded.iter_mut().zip(impacts) {
                    s.spot_price = impact.spot_after;
                }
                landed = true;
            }
            n += 1;
        }
        with_trade.push(worlds.shares(n, horizon, true, emission)?);
        without_trade.push(worlds.shares(n, horizon, false, emission)?);
    }

    let outlooks = impacts
        .iter()
        .enumerate()
        .map(|(k, impact)| Outlook {
            netuid: impact.netuid,
            now: now[k],
            with_trade: with_trade.iter().map(|row| row[k]).collect(),
            without_trade: without_trade.iter().map(|row| row[k]).collect(),
        })
        .collect();
    Ok(Projection { rule: rule.name(), block, block_emission_rao, outlooks })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emission::{PriceEmaRule, default_share_rule, subnet_shares};

    fn subnet(netuid: u16, price: f64) -> ProjectedSubnet {
        ProjectedSubnet {
            input: SubnetShareInput {
                netuid,
                moving_price: I96F32::saturating_from_num(price),
                emission_enabled: true,
                eligible: true,
                ..SubnetShareInput::default()
            },
            spot_price: U64F64::saturating_from_num(price),
            first_emission_block: Some(1),
        }
    }

    const HORIZONS: [Horizon; 3] =
        [Horizon::Blocks(7_200), Horizon::Blocks(50_400), Horizon::Convergence];

    fn subnets() -> Vec<ProjectedSubnet> {
        (1..=6).map(|n| subnet(n, 0.01 * f64::from(n))).collect()
    }

    #[test]
    fn a_buy_pulls_share_toward_its_subnet_and_away_from_the_seller() {
        let buy = PoolImpact {
            netuid: 2,
            spot_after: U64F64::saturating_from_num(0.04),
            flow_rao: 1_000_000_000_000,
        };
        let sell = PoolImpact {
            netuid: 5,
            spot_after: U64F64::saturating_from_num(0.03),
            flow_rao: -1_000_000_000_000,
        };
        let p = project(
            &default_share_rule(),
            1_000_000,
            &subnets(),
            &[buy, sell],
            &HORIZONS,
            &EmaParams::default(),
            500_000_000,
        )
        .unwrap();
        assert_eq!(p.rule, "price-ema-burn-gate");
        let [bought, sold] = [&p.outlooks[0], &p.outlooks[1]];
        for (w, wo) in bought.with_trade.iter().zip(&bought.without_trade) {
            assert!(w.share > wo.share, "{w:?} vs {wo:?}");
        }
        for (w, wo) in sold.with_trade.iter().zip(&sold.without_trade) {
            assert!(w.share < wo.share, "{w:?} vs {wo:?}");
        }
        // The EMA absorbs more over a week than over a day.
        let gain = |k: usize| bought.with_trade[k].share - bought.without_trade[k].share;
        assert!(gain(1) > gain(0) && gain(2) > gain(1));
    }

    #[test]
    fn without_a_price_change_both_worlds_agree() {
        let hold =
            PoolImpact { netuid: 3, spot_after: U64F64::saturating_from_num(0.03), flow_rao: 0 };
        let p = project(
            &PriceEmaRule,
            1_000_000,
            &subnets(),
            &[hold],
            &HORIZONS,
            &EmaParams::default(),
            500_000_000,
        )
        .unwrap();
        assert_eq!(p.outlooks[0].with_trade, p.outlooks[0].without_trade);
        // Prices equal their EMAs, so the share never moves.
        let now = p.outlooks[0].now.percent();
        assert!(p.outlooks[0].with_trade.iter().all(|s| (s.percent() - now).abs() < 1e-6));
    }

    #[test]
    fn convergence_is_the_rule_on_the_limit_prices() {
        let buy =
            PoolImpact { netuid: 1, spot_after: U64F64::saturating_from_num(2.5), flow_rao: 5 };
        let p = project(
            &PriceEmaRule,
            10,
            &subnets(),
            &[buy],
            &[Horizon::Convergence],
            &EmaParams::default(),
            1_000,
        )
        .unwrap();
        // Spot above 1 counts as 1.
        let limit: Vec<SubnetShareInput> = subnets()
            .iter()
            .map(|s| SubnetShareInput {
                moving_price: I96F32::saturating_from_num(if s.input.netuid == 1 {
                    U64F64::saturating_from_num(1)
                } else {
                    s.spot_price
                }),
                ..s.input
            })
            .collect();
        let expected = subnet_shares(&mut PriceEmaRule, 11, &limit).unwrap();
        assert_eq!(p.outlooks[0].with_trade[0].share, expected[0].share);
        assert_eq!(p.outlooks[0].with_trade[0].horizon, Horizon::Convergence);
    }

    #[test]
    fn unknown_and_repeated_subnets_are_refused() {
        let impact =
            PoolImpact { netuid: 9, spot_after: U64F64::saturating_from_num(1), flow_rao: 0 };
        let err =
            project(&PriceEmaRule, 0, &subnets(), &[impact], &HORIZONS, &EmaParams::default(), 1);
        assert_eq!(err, Err(EmissionError::UnknownSubnet { netuid: 9 }));
        let mut twice = subnets();
        twice.push(subnet(1, 0.5));
        let impact = PoolImpact { netuid: 1, ..impact };
        let err = project(&PriceEmaRule, 0, &twice, &[impact], &HORIZONS, &EmaParams::default(), 1);
        assert_eq!(err, Err(EmissionError::DuplicateNetuid { netuid: 1 }));
    }
}
