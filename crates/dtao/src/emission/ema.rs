//! The two per-block EMAs that drive emission shares (reference §3.2): the subnet moving
//! price (`update_moving_price`) and the TAO-flow EMA (`update_ema_tao_flow`).

use crate::fixed::ExactDiv;
use substrate_fixed::types::{I64F64, I96F32, U64F64};

/// `EMAPriceHalvingBlocks` default: ≈ 4 weeks of 12 s blocks.
pub const DEFAULT_EMA_PRICE_HALVING_BLOCKS: u64 = 201_600;

/// `FlowEmaSmoothingFactor` default, normalised by `i64::MAX` (≈ 3.209e-6, half-life 216,000
/// blocks).
pub const DEFAULT_FLOW_EMA_SMOOTHING_FACTOR: u64 = 29_597_889_189_277;

/// `SubnetMovingAlpha` default, 0.000003, as the chain stores it: I96F32 from the f64 literal,
/// rounded to nearest, i.e. 12885 / 2^32.
pub fn default_moving_alpha() -> I96F32 {
    I96F32::from_bits(12_885)
}

/// Blocks since `start_call`, the `b` of the moving-price weight.
///
/// The chain takes the start-call block as `FirstEmissionBlockNumber − 1` (0 if unset, so pass
/// 0) and saturates both subtractions.
pub fn blocks_since_start_call(current_block: u64, first_emission_block: u64) -> u64 {
    current_block.saturating_sub(first_emission_block.saturating_sub(1))
}

/// One block of the moving-price EMA: P̄ ← α_b·min(spot, 1) + (1 − α_b)·P̄, with
/// α_b = `moving_alpha`·b/(b + H).
///
/// `spot_price` is TAO per alpha as the AMM reports it (U64F64). The arithmetic runs in U64F64
/// as at HEAD and the result is stored back as I96F32 (truncating to 32 fractional bits); a
/// negative stored price counts as 0. Capping spot at 1.0 is the chain's: a subnet cannot buy
/// emission share by pumping its price above parity.
pub fn update_moving_price(
    moving_price: I96F32,
    spot_price: U64F64,
    blocks_since_start_call: u64,
    halving_blocks: u64,
    moving_alpha: I96F32,
) -> I96F32 {
    let one = U64F64::saturating_from_num(1);
    let b = U64F64::saturating_from_num(blocks_since_start_call);
    let h = U64F64::saturating_from_num(halving_blocks);
    let age_weight = b.exact_div(b.saturating_add(h)).unwrap_or_default();
    let alpha = U64F64::saturating_from_num(moving_alpha).saturating_mul(age_weight);
    let one_minus_alpha = one.saturating_sub(alpha);
    let current = alpha.saturating_mul(spot_price.min(one));
    let previous = one_minus_alpha.saturating_mul(U64F64::saturating_from_num(moving_price));
    I96F32::saturating_from_num(current.saturating_add(previous))
}

/// One block of the TAO-flow EMA: S ← (1 − f)·S + f·flow, with f = `smoothing_factor`/i64::MAX.
///
/// `block_flow_rao` is this block's stake TAO in minus unstake TAO out (the chain's `i64`
/// accumulator). Computed in I64F64 with saturation, as the chain does.
pub fn update_tao_flow_ema(ema: I64F64, block_flow_rao: i64, smoothing_factor: u64) -> I64F64 {
    let f = I64F64::saturating_from_num(smoothing_factor)
        .checked_div(I64F64::saturating_from_num(i64::MAX))
        .unwrap_or_default();
    let one = I64F64::saturating_from_num(1);
    one.saturating_sub(f)
        .saturating_mul(ema)
        .saturating_add(f.saturating_mul(I64F64::saturating_from_num(block_flow_rao)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_moving_alpha_matches_float_literal() {
        assert_eq!(default_moving_alpha(), I96F32::saturating_from_num(0.000003));
    }

    #[test]
    fn moving_price_moves_towards_capped_spot() {
        let start = I96F32::saturating_from_num(0.5);
        let spot = U64F64::saturating_from_num(3);
        let b = 1_000_000;
        let next = update_moving_price(
            start,
            spot,
            b,
            DEFAULT_EMA_PRICE_HALVING_BLOCKS,
            default_moving_alpha(),
        );
        assert!(next > start);
        // Spot is capped at 1, so one step moves by α·(1 − 0.5) at most.
        let alpha = 0.000003 * 1_000_000.0 / (1_000_000.0 + 201_600.0);
        let expected = 0.5 + alpha * 0.5;
        assert!((next.to_num::<f64>() - expected).abs() < 1e-9);
    }

    #[test]
    fn moving_price_frozen_at_start_call() {
        let start = I96F32::saturating_from_num(0.25);
        let next = update_moving_price(
            start,
            U64F64::saturating_from_num(1),
            0,
            DEFAULT_EMA_PRICE_HALVING_BLOCKS,
            default_moving_alpha(),
        );
        assert_eq!(next, start);
        assert_eq!(blocks_since_start_call(100, 101), 0);
        assert_eq!(blocks_since_start_call(100, 0), 100);
    }

    #[test]
    fn negative_stored_price_counts_as_zero() {
        let next = update_moving_price(
            I96F32::saturating_from_num(-1),
            U64F64::saturating_from_num(0),
            10,
            DEFAULT_EMA_PRICE_HALVING_BLOCKS,
            default_moving_alpha(),
        );
        assert_eq!(next, I96F32::saturating_from_num(0));
    }

    #[test]
    fn flow_ema_half_life_is_about_216000_blocks() {
        let mut ema = I64F64::saturating_from_num(1_000_000_000_i64);
        for _ in 0..216_000 {
            ema = update_tao_flow_ema(ema, 0, DEFAULT_FLOW_EMA_SMOOTHING_FACTOR);
        }
        let ratio = ema.to_num::<f64>() / 1e9;
        assert!((ratio - 0.5).abs() < 1e-3, "ratio {ratio}");
    }

    #[test]
    fn flow_ema_tracks_inflow() {
        let ema = update_tao_flow_ema(
            I64F64::saturating_from_num(0),
            1_000_000_000,
            DEFAULT_FLOW_EMA_SMOOTHING_FACTOR,
        );
        let expected = 1e9 * 29_597_889_189_277.0 / 9_223_372_036_854_775_807.0;
        assert!((ema.to_num::<f64>() - expected).abs() < 1e-6);
        let negative = update_tao_flow_ema(
            I64F64::saturating_from_num(0),
            -1_000_000_000,
            DEFAULT_FLOW_EMA_SMOOTHING_FACTOR,
        );
        assert!(negative < I64F64::saturating_from_num(0));
    }
}
