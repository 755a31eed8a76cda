//! Fixed-point numbers with the chain's own rounding.
//!
//! Subtensor computes prices and swaps in `substrate-fixed` binary fixed point: `U64F64` for
//! swap maths and prices, `U96F32`/`I96F32` for coinbase and the stored price EMA, `I64F64` for
//! flows and `I32F32` in the epoch. We use the same crate (the version the runtime pins), so a
//! multiplication is `(a·b) >> frac_bits` and a division `(a << frac_bits) / b`, both
//! truncating, and every conversion to an integer floors — exactly where the chain does.
//!
//! Prices cross API boundaries as `u64` "rao per alpha": TAO-per-alpha × 10⁹, the unit of the
//! chain's `current_alpha_price` and of limit prices in `add_stake_limit` and friends.

pub use substrate_fixed::types::{I32F32, I64F64, I96F32, U64F64, U96F32};

/// The smallest price a swap may be limited to (rao per alpha), the chain's `min_price`.
pub const MIN_PRICE_RAO: u64 = 1_000;

/// The largest price a swap may be limited to (rao per alpha), the chain's `max_price`.
pub const MAX_PRICE_RAO: u64 = 1_000_000_000_000_000_000;

/// Converts a `u64` price in rao per alpha into the swap's `U64F64` TAO-per-alpha, the way the
/// swap pallet does (`U64F64(limit) / 1e9`, truncating).
pub fn price_from_rao(price_rao: u64) -> U64F64 {
    safe_div_u64f64(
        U64F64::saturating_from_num(price_rao),
        U64F64::saturating_from_num(1_000_000_000u64),
    )
}

/// Converts a `U64F64` TAO-per-alpha price into rao per alpha, flooring (as the chain's
/// `current_alpha_price`). Saturates at `u64::MAX`.
pub fn price_to_rao(price: U64F64) -> u64 {
    price.saturating_mul(U64F64::saturating_from_num(1_000_000_000u64)).saturating_to_num::<u64>()
}

/// `a / b`, or zero when `b` is zero: the chain's `safe_div` for fixed-point values.
pub fn safe_div_u64f64(a: U64F64, b: U64F64) -> U64F64 {
    if b == U64F64::from_bits(0) { U64F64::from_bits(0) } else { a.saturating_div(b) }
}

/// A display-only float of a `U64F64`.
pub fn u64f64_to_f64(v: U64F64) -> f64 {
    v.to_num::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_conversions_truncate() {
        assert_eq!(price_to_rao(price_from_rao(10_000_000)), 9_999_999); // 0.01 is inexact in binary
        assert_eq!(price_to_rao(U64F64::from_num(1)), 1_000_000_000);
        assert_eq!(safe_div_u64f64(U64F64::from_num(1), U64F64::from_num(0)), U64F64::from_num(0));
        assert_eq!(price_from_rao(MAX_PRICE_RAO), U64F64::from_num(1_000_000_000u64));
    }
}
