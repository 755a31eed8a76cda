//! Emissions per block: block emission and halvings, the split of TAO across subnets, the
//! moving-price and TAO-flow EMAs, the per-subnet injection terms and the alpha-out split.
//!
//! Models reference/subtensor-chain.md §3.1–§3.4 (`coinbase/{block_emission,subnet_emissions,
//! run_coinbase}.rs`). Every quantity is computed in the fixed-point type the chain uses
//! (`substrate_fixed`: I96F32/U96F32 for coinbase, U64F64 for shares, I64F64 for flows) so
//! that truncation happens in the same places; amounts cross the API as integer rao (`u64`).
//!
//! One block of emission, in chain order:
//!
//! 1. [`block_emission`] of `TotalIssuance` gives the TAO to mint.
//! 2. A [`ShareRule`] turns per-subnet state ([`SubnetShareInput`]) into shares;
//!    [`subnet_block_emissions`] applies `SubnetEmissionEnabled` and multiplies by the block
//!    emission.
//! 3. [`injection_terms`] splits each subnet's TAO into pool injection and a chain buy.
//! 4. [`split_alpha_out`] divides the subnet's alpha emission into owner, miner, validator and
//!    root parts.
//! 5. After the coinbase, [`update_moving_price`] advances each eligible subnet's price EMA.
//!
//! [`project`] runs these steps forward to show what one trade does to emission shares.

mod block;
mod ema;
mod injection;
mod projection;
mod shares;
mod split;

pub use block::{
    DEFAULT_BLOCK_EMISSION_RAO, HalvingEra, TOTAL_SUPPLY_RAO, block_emission, emission_era,
    halving_eras, halving_threshold_rao,
};
pub use ema::{
    DEFAULT_EMA_PRICE_HALVING_BLOCKS, DEFAULT_FLOW_EMA_SMOOTHING_FACTOR, blocks_since_start_call,
    default_moving_alpha, update_moving_price, update_tao_flow_ema,
};
pub use injection::{
    InjectionTerms, injection_terms, injection_terms_with_alpha_emission, root_proportion,
    tao_weight_fraction,
};
pub use projection::{
    EmaParams, Horizon, Outlook, PoolImpact, ProjectedSubnet, Projection, ShareAt, project,
};
pub use shares::{
    BarMode, DEFAULT_EMISSION_BAR_RANK, EMISSION_BAR_UPDATE_INTERVAL, PriceBurnGateRule,
    PriceBurnRule, PriceEmaRule, ShareRule, SubnetEmission, SubnetShare, SubnetShareInput,
    TaoFlowRule, default_bar_quantile, default_share_rule, root_sell_flag, subnet_block_emissions,
    subnet_shares,
};
pub use split::{AlphaSplit, DEFAULT_SUBNET_OWNER_CUT, split_alpha_out};

/// What can go wrong when computing emission shares.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmissionError {
    /// The same netuid appeared twice in the subnet list; each subnet must be listed once.
    #[error("netuid {netuid} is listed more than once; pass each subnet once")]
    DuplicateNetuid {
        /// The repeated netuid.
        netuid: u16,
    },
    /// A projected trade names a subnet that is not in the subnet list.
    #[error("subnet {netuid} is not among the subnets given; quote a trade on an existing subnet")]
    UnknownSubnet {
        /// The missing netuid.
        netuid: u16,
    },
    /// A share rule returned a different number of shares than it was given subnets.
    #[error("share rule `{rule}` returned {got} shares for {expected} subnets")]
    ShareCountMismatch {
        /// Name of the offending rule.
        rule: &'static str,
        /// Number of shares returned.
        got: usize,
        /// Number of eligible subnets passed in.
        expected: usize,
    },
}
