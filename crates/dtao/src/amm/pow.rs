//! `(num/den)^(p/q) · scale`, floored: the exponentiation behind the weighted pool.
//!
//! The swap pallet computes this with `safe-bigmath`'s `pow_ratio_scaled`: after reducing the
//! exponent by its gcd, small exponents (both parts ≤ [`MAX_EXACT_EXPONENT`]) take an exact
//! integer path, `floor((num^p · scale^q / den^p)^(1/q))`; larger ones a fixed-point ln/exp
//! series. Both paths here aim at the same number, the floor of the exact real value: the exact
//! path is exact by construction, and the fallback works at [`WORKING_BITS`] bits, so its floor
//! can differ from the true floor only when the true value lies within about 2⁻³⁰⁰ (relative) of
//! an integer — which, for the ratios of 64-bit reserves that reach it, we have never seen.
//!
//! The weight-½ pool (the default) has exponent 1/1 and never leaves `u128`, which keeps the
//! common quote allocation-free.

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};

/// Largest reduced exponent numerator and denominator that take the exact root path.
pub const MAX_EXACT_EXPONENT: u64 = 1024;

/// Fractional bits of the ln/exp fallback.
pub const WORKING_BITS: u64 = 384;

/// `floor((num/den)^(exp_num/exp_den) · scale)`; `None` if a denominator is zero.
///
/// `0^x = 0` and `x^0 = scale`, as in the chain's helper.
pub fn pow_ratio_scaled(
    num: u128,
    den: u128,
    exp_num: u128,
    exp_den: u128,
    scale: u128,
) -> Option<BigUint> {
    if den == 0 || exp_den == 0 {
        return None;
    }
    if num == 0 {
        return Some(BigUint::zero());
    }
    if exp_num == 0 {
        return Some(BigUint::from(scale));
    }
    let g = exp_num.gcd(&exp_den);
    let (p, q) = (exp_num / g, exp_den / g);
    if p == 1 && q == 1 {
        return Some(ratio_times_scale_floor(num, den, scale));
    }
    if p <= u128::from(MAX_EXACT_EXPONENT) && q <= u128::from(MAX_EXACT_EXPONENT) {
        // Both fit u32 by the bound above.
        let (p, q) = (p as u32, q as u32);
        let target = BigUint::from(num).pow(p) * BigUint::from(scale).pow(q);
        let denominator = BigUint::from(den).pow(p);
        // floor(x^(1/q)) = floor(floor(x)^(1/q)) for real x ≥ 0.
        return Some((target / denominator).nth_root(q));
    }
    Some(pow_ratio_scaled_series(num, den, p, q, scale))
}

/// `floor(num · scale / den)` without leaving `u128` when the product fits.
fn ratio_times_scale_floor(num: u128, den: u128, scale: u128) -> BigUint {
    match num.checked_mul(scale) {
        Some(product) => BigUint::from(product / den),
        None => BigUint::from(num) * BigUint::from(scale) / BigUint::from(den),
    }
}

/// `floor(num · scale / den)` as `u128`, for the allocation-free weight-½ path.
pub(crate) fn ratio_times_scale_floor_u128(num: u64, den: u64, scale: u64) -> Option<u128> {
    if den == 0 {
        return None;
    }
    Some(u128::from(num) * u128::from(scale) / u128::from(den))
}

/// The ln/exp fallback: `exp(p/q · (ln num − ln den)) · scale` at `WORKING_BITS` bits.
fn pow_ratio_scaled_series(num: u128, den: u128, p: u128, q: u128, scale: u128) -> BigUint {
    let bits = WORKING_BITS;
    let ln2 = ln2_fixed(bits);
    let ln_ratio =
        ln_fixed(&BigUint::from(num), bits, &ln2) - ln_fixed(&BigUint::from(den), bits, &ln2);
    let exponent = (ln_ratio * BigInt::from(p)).div_floor(&BigInt::from(q));
    let value = exp_fixed(&exponent, bits, &ln2);
    let scaled = value * BigInt::from(scale);
    let result = scaled >> (bits as usize);
    result.to_biguint().unwrap_or_default()
}

/// `atanh(z) = z + z³/3 + z⁵/5 + …` for a fixed-point `z` with |z| ≤ 1/3.
fn atanh_fixed(z: &BigInt, bits: u64) -> BigInt {
    let z2 = (z * z) >> (bits as usize);
    let mut power = z.clone();
    let mut sum = z.clone();
    let mut k: u64 = 1;
    loop {
        power = (&power * &z2) >> (bits as usize);
        k += 2;
        let term = &power / BigInt::from(k);
        if term.is_zero() {
            return sum;
        }
        sum += term;
    }
}

/// ln 2 = 2·atanh(1/3), fixed point.
fn ln2_fixed(bits: u64) -> BigInt {
    let third = (BigInt::one() << (bits as usize)) / BigInt::from(3);
    atanh_fixed(&third, bits) * 2
}

/// Natural log of a positive integer, fixed point: `v = m · 2^k` with m in [1, 2), then
/// `ln m = 2·atanh((m−1)/(m+1))`.
fn ln_fixed(v: &BigUint, bits: u64, ln2: &BigInt) -> BigInt {
    let k = v.bits().saturating_sub(1);
    let one = BigInt::one() << (bits as usize);
    // m in fixed point: v · 2^bits / 2^k.
    let m = (BigInt::from_biguint(Sign::Plus, v.clone()) << (bits as usize)) >> (k as usize);
    let z = ((&m - &one) << (bits as usize)) / (&m + &one);
    atanh_fixed(&z, bits) * 2 + ln2 * BigInt::from(k)
}

/// `e^x` in fixed point: `x = n·ln2 + r` with |r| ≤ ln2/2, Taylor series for `e^r`, shift by n.
fn exp_fixed(x: &BigInt, bits: u64, ln2: &BigInt) -> BigInt {
    let n = (x + (ln2 >> 1usize)).div_floor(ln2);
    let r = x - &n * ln2;
    let one = BigInt::one() << (bits as usize);
    let mut term = one.clone();
    let mut sum = one;
    let mut k: u64 = 0;
    loop {
        k += 1;
        term = ((&term * &r) >> (bits as usize)) / BigInt::from(k);
        if term.is_zero() {
            break;
        }
        sum += &term;
    }
    match n.to_i64() {
        Some(n) if n >= 0 => sum << (n as usize),
        Some(n) => sum >> (n.unsigned_abs() as usize),
        None => BigInt::zero(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const E18: u128 = 1_000_000_000_000_000_000;

    #[test]
    fn exact_path_matches_known_values() {
        // (2/3)^(1/2) · 1000 = 816.49…
        assert_eq!(pow_ratio_scaled(2, 3, 1, 2, 1000).unwrap(), BigUint::from(816u32));
        // (21/28)^(0.6/0.4) · 1e18 = 0.75^1.5 · 1e18 = 649519052838328985.4…
        let got = pow_ratio_scaled(21, 28, 6 * E18 / 10, 4 * E18 / 10, E18).unwrap();
        assert_eq!(got, BigUint::from(649_519_052_838_328_985u128));
        assert_eq!(pow_ratio_scaled(0, 3, 1, 2, 1000).unwrap(), BigUint::zero());
        assert_eq!(pow_ratio_scaled(5, 3, 0, 2, 1000).unwrap(), BigUint::from(1000u32));
        assert!(pow_ratio_scaled(5, 0, 1, 2, 1000).is_none());
    }

    #[test]
    fn series_path_agrees_with_exact_path() {
        // Exponents that reduce to ≤ 1024 are computed exactly; force the same numbers through the
        // series and compare.
        for (num, den, p, q) in [
            (2u128, 3u128, 1u128, 2u128),
            (21, 28, 3, 2),
            (999_999_999_999, 1_000_000_000_000, 7, 3),
            (1_000_000_000_000, 1_000_000_001_000, 1, 9),
            (123_456_789_012_345_678, 98_765_432_109, 5, 4),
        ] {
            let exact = pow_ratio_scaled(num, den, p, q, E18).unwrap();
            let series = pow_ratio_scaled_series(num, den, p, q, E18);
            assert_eq!(exact, series, "({num}/{den})^({p}/{q})");
        }
    }

    #[test]
    fn series_path_is_used_for_large_exponents() {
        // 0.25^(0.5 + 1e-18) is just below 0.5.
        let p = E18 / 2 + 1;
        let got = pow_ratio_scaled(1, 4, p, E18, E18).unwrap();
        assert_eq!(got, BigUint::from(E18 / 2 - 1));
    }
}
