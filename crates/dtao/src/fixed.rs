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
    if b == U64F64::from_bits(0) {
        U64F64::from_bits(0)
    } else {
        a.exact_div(b).unwrap_or(U64F64::max_value())
    }
}

/// Division exactly as `substrate_fixed`'s `checked_div` computes it (`(a << F) / b`,
/// truncating; `None` for a zero divisor or past the type's range), bit for bit, but with one
/// `u128` division instead of its 256-bit long division wherever that gives the same quotient:
/// when the divisor is whole (`a_bits / (b_bits >> F)`) or the dividend small enough that
/// `a_bits << F` fits in 128 bits. Block initialisation divides a few hundred times a block
/// (prices, shares, injection terms, moving prices), and the long division was ≈ 8 % of a
/// fast-forward.
pub trait ExactDiv: Sized {
    /// `self / rhs` as `checked_div` computes it.
    fn exact_div(self, rhs: Self) -> Option<Self>;
}

/// `(a << frac) / b` by one `u128` division where that is exact and the quotient fits in
/// `width` bits when `a` does (128 unsigned, 127 signed): a whole divisor (`a / n`, at most
/// `a`) or a dividend that still fits once shifted (the quotient is at most the shifted
/// dividend). `None`: no shortcut (a zero divisor among them).
#[inline]
fn quick_div(a: u128, b: u128, frac: u32, width: u32) -> Option<u128> {
    if b == 0 {
        return None;
    }
    if b & ((1u128 << frac) - 1) == 0 {
        return Some(a / (b >> frac));
    }
    (a >> (width - frac) == 0).then(|| (a << frac) / b)
}

macro_rules! unsigned_exact_div {
    ($t:ty, $frac:expr) => {
        impl ExactDiv for $t {
            #[inline]
            fn exact_div(self, rhs: Self) -> Option<Self> {
                match quick_div(self.to_bits(), rhs.to_bits(), $frac, 128) {
                    Some(q) => Some(Self::from_bits(q)),
                    None => self.checked_div(rhs),
                }
            }
        }
    };
}

macro_rules! signed_exact_div {
    ($t:ty, $frac:expr) => {
        impl ExactDiv for $t {
            #[inline]
            fn exact_div(self, rhs: Self) -> Option<Self> {
                // Both positive: truncation is flooring, as in the unsigned case, and a quotient
                // below 2^127 is the same bits signed.
                let (a, b) = (self.to_bits(), rhs.to_bits());
                if a >= 0 && b > 0 {
                    if let Some(q) = quick_div(a.cast_unsigned(), b.cast_unsigned(), $frac, 127) {
                        return Some(Self::from_bits(q.cast_signed()));
                    }
                }
                self.checked_div(rhs)
            }
        }
    };
}

unsigned_exact_div!(U64F64, 64);
unsigned_exact_div!(U96F32, 32);
signed_exact_div!(I64F64, 64);
signed_exact_div!(I96F32, 32);

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

    /// Bits shaped like the values the coinbase divides: whole numbers, small fractions,
    /// anything, and the extremes.
    fn bits() -> impl proptest::strategy::Strategy<Value = u128> {
        use proptest::prelude::*;
        prop_oneof![
            any::<u64>().prop_map(|n| u128::from(n) << 64),
            any::<u64>().prop_map(|n| u128::from(n) << 32),
            any::<u64>().prop_map(u128::from),
            any::<u128>(),
            any::<u128>().prop_map(|n| n >> 1),
            Just(0u128),
            Just(1u128),
            Just(u128::MAX),
            Just(u128::MAX >> 1),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        #[test]
        fn exact_div_is_substrate_fixed_division(a in bits(), b in bits()) {
            let (sa, sb) = (a.cast_signed(), b.cast_signed());
            proptest::prop_assert_eq!(
                U64F64::from_bits(a).exact_div(U64F64::from_bits(b)),
                U64F64::from_bits(a).checked_div(U64F64::from_bits(b))
            );
            proptest::prop_assert_eq!(
                U96F32::from_bits(a).exact_div(U96F32::from_bits(b)),
                U96F32::from_bits(a).checked_div(U96F32::from_bits(b))
            );
            proptest::prop_assert_eq!(
                I64F64::from_bits(sa).exact_div(I64F64::from_bits(sb)),
                I64F64::from_bits(sa).checked_div(I64F64::from_bits(sb))
            );
            proptest::prop_assert_eq!(
                I96F32::from_bits(sa).exact_div(I96F32::from_bits(sb)),
                I96F32::from_bits(sa).checked_div(I96F32::from_bits(sb))
            );
            proptest::prop_assert_eq!(
                safe_div_u64f64(U64F64::from_bits(a), U64F64::from_bits(b)),
                if b == 0 {
                    U64F64::from_bits(0)
                } else {
                    U64F64::from_bits(a).saturating_div(U64F64::from_bits(b))
                }
            );
        }
    }
}
