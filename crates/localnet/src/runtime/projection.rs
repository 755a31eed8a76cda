//! The emission projection ([`dtao::emission::project`]) over this runtime's exact state: the
//! moving prices' bits, the share rule in force with its θ, the pools the next block's trades
//! will find. What the terminal and CLI compute from a chain's public views, this computes
//! from the state itself, so the two can be checked against each other and against the blocks
//! the runtime then produces.

use dtao::emission::{
    EmaParams, EmissionError, Horizon, PoolImpact, PriceBurnRule, PriceEmaRule, ProjectedSubnet,
    Projection, SubnetShareInput, default_share_rule, project,
};
use dtao::fixed::{I64F64, I96F32, U64F64, U96F32};

use super::Runtime;
use super::coinbase::block_emission_cached;
use super::state::{ROOT, ShareRuleKind};

impl Runtime {
    /// Every non-root subnet as a projection starts from it after the current block: the
    /// share inputs the next coinbase will read and the spot price its pool will have after
    /// that coinbase (the price the EMA then sees).
    pub fn projection_subnets(&self) -> Vec<ProjectedSubnet> {
        let next = self.next_block_pools();
        self.state
            .subnets
            .values()
            .filter(|s| s.netuid != ROOT)
            .map(|s| ProjectedSubnet {
                input: SubnetShareInput {
                    netuid: s.netuid,
                    moving_price: I96F32::from_bits(s.moving_price_bits),
                    miner_burned: U96F32::from_bits(s.miner_burned_bits),
                    tao_flow_ema: I64F64::from_bits(0),
                    emission_enabled: true,
                    eligible: true,
                },
                spot_price: next.get(&s.netuid).unwrap_or(&s.pool).spot_price(),
                first_emission_block: s.first_emission_block,
            })
            .collect()
    }

    /// Projects a trade landing in the next block (see [`dtao::emission::project`]) with the
    /// share rule in force, this chain's EMA half-life and the current block emission.
    pub fn project_trade(
        &self,
        impacts: &[PoolImpact],
        horizons: &[Horizon],
    ) -> Result<Projection, EmissionError> {
        let subnets = self.projection_subnets();
        let params = EmaParams {
            halving_blocks: self.state.params.ema_price_halving_blocks,
            ..EmaParams::default()
        };
        let emission = block_emission_cached(self.state.total_issuance);
        let block = self.state.block;
        match self.state.share_rule {
            ShareRuleKind::PriceEma => {
                project(&PriceEmaRule, block, &subnets, impacts, horizons, &params, emission)
            }
            ShareRuleKind::PriceBurn => {
                project(&PriceBurnRule, block, &subnets, impacts, horizons, &params, emission)
            }
            ShareRuleKind::PriceBurnGate { theta_bits } => {
                let mut rule = default_share_rule();
                rule.theta = U64F64::from_bits(theta_bits);
                project(&rule, block, &subnets, impacts, horizons, &params, emission)
            }
        }
    }
}
