//! A runtime quote (`SimSwapResult`) as taoplex's [`SwapOutcome`].

use chain::{Side, SwapOutcome};
use dtao::amm::Reserves;

use crate::views::SimSwap;

/// The outcome of swapping `amount` on a pool holding `tao_in` TAO and `alpha_in` alpha, as
/// the runtime simulated it. The runtime reports amounts and fees only: the reserves after
/// are the reserves moved by the net amounts, and both spot prices are the reserves' ratios
/// (U64F64 bits).
pub fn outcome(side: Side, amount: u64, sim: SimSwap, tao_in: u64, alpha_in: u64) -> SwapOutcome {
    let before = Reserves { tao: tao_in, alpha: alpha_in };
    let (delta_in, fee, amount_out, after) = match side {
        Side::Buy => {
            let net = sim.tao_amount.saturating_sub(sim.tao_fee);
            let after = Reserves {
                tao: tao_in.saturating_add(net),
                alpha: alpha_in.saturating_sub(sim.alpha_amount),
            };
            (net, sim.tao_fee, sim.alpha_amount, after)
        }
        Side::Sell => {
            let net = sim.alpha_amount.saturating_sub(sim.alpha_fee);
            let after = Reserves {
                tao: tao_in.saturating_sub(sim.tao_amount),
                alpha: alpha_in.saturating_add(net),
            };
            (net, sim.alpha_fee, sim.tao_amount, after)
        }
    };
    let consumed = delta_in.saturating_add(fee);
    SwapOutcome {
        side,
        requested: amount,
        delta_in,
        fee,
        amount_out,
        refund: amount.saturating_sub(consumed),
        limit_reached: false,
        author_tao: if side == Side::Buy { fee } else { 0 },
        fee_alpha_burned: 0,
        spot_before_bits: ratio_bits(before),
        spot_after_bits: ratio_bits(after),
        reserves_before: before,
        reserves_after: after,
    }
}

/// TAO per alpha as U64F64 bits.
fn ratio_bits(r: Reserves) -> u128 {
    if r.alpha == 0 {
        return 0;
    }
    (u128::from(r.tao) << 64) / u128::from(r.alpha)
}
