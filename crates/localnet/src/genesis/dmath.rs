//! Portable floating point and seeded sampling for the generator and the simulation.
//!
//! `f64::exp`, `ln` and `powf` call the platform's libm, whose last bits differ between
//! platforms and library versions. A genesis must be byte-identical for a seed everywhere, so
//! the few transcendental functions the generator needs are built here from `+ − × ÷`, which
//! IEEE 754 rounds the same on every machine. Accuracy is ~1e-15 relative, far more than
//! sampling needs.

use rand::Rng;

const LN2: f64 = std::f64::consts::LN_2;

/// e^x. Saturates to `f64::MAX` above 700 and to 0 below −700.
pub(crate) fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 700.0 {
        return f64::MAX;
    }
    if x < -700.0 {
        return 0.0;
    }
    // x = k·ln2 + r with |r| ≤ ln2/2; e^x = 2^k · e^r.
    let k = (x / LN2).round();
    let r = x - k * LN2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..=22 {
        term *= r / f64::from(i);
        sum += term;
    }
    sum * pow2(k as i32)
}

/// 2^k for −1022 ≤ k ≤ 1023.
fn pow2(k: i32) -> f64 {
    let k = k.clamp(-1022, 1023);
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// ln x for positive normal x; −∞ for x ≤ 0.
pub(crate) fn ln(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x <= 0.0 || x < f64::MIN_POSITIVE {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    // ln m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.172.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut n = 1.0;
    for _ in 0..30 {
        sum += term / n;
        term *= s2;
        n += 2.0;
    }
    e as f64 * LN2 + 2.0 * sum
}

/// x^y for positive x.
pub(crate) fn powf(x: f64, y: f64) -> f64 {
    exp(y * ln(x))
}

/// Uniform in [lo, hi).
pub(crate) fn uniform<R: Rng>(rng: &mut R, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.r#gen::<f64>()
}

/// Log-uniform in [lo, hi) (lo, hi > 0): every order of magnitude equally likely.
pub(crate) fn log_uniform<R: Rng>(rng: &mut R, lo: f64, hi: f64) -> f64 {
    exp(uniform(rng, ln(lo), ln(hi)))
}

/// Approximately standard normal (Irwin–Hall: twelve uniforms minus six).
pub(crate) fn normal<R: Rng>(rng: &mut R) -> f64 {
    let mut s = 0.0;
    for _ in 0..12 {
        s += rng.r#gen::<f64>();
    }
    s - 6.0
}

/// Log-normal factor with median 1 and log-standard-deviation `sigma`.
pub(crate) fn lognormal<R: Rng>(rng: &mut R, sigma: f64) -> f64 {
    exp(sigma * normal(rng))
}

/// A Poisson draw with mean `lambda` (Knuth; fine for the small means used here).
pub(crate) fn poisson<R: Rng>(rng: &mut R, lambda: f64) -> u32 {
    if lambda <= 0.0 || lambda.is_nan() {
        return 0;
    }
    // Split large means so e^-λ does not underflow.
    let mut total = 0;
    let mut rest = lambda;
    while rest > 0.0 {
        let l = rest.min(30.0);
        rest -= l;
        let limit = exp(-l);
        let mut p = 1.0;
        loop {
            p *= rng.r#gen::<f64>();
            if p <= limit {
                break;
            }
            total += 1;
        }
    }
    total
}

/// An index drawn with probability proportional to `weights` (None if all are zero).
pub(crate) fn weighted_index<R: Rng>(rng: &mut R, weights: &[f64]) -> Option<usize> {
    let total: f64 = weights.iter().filter(|w| **w > 0.0).sum();
    if total <= 0.0 || total.is_nan() {
        return None;
    }
    let mut x = rng.r#gen::<f64>() * total;
    let mut last = None;
    for (i, w) in weights.iter().enumerate() {
        if *w > 0.0 {
            last = Some(i);
            if x < *w {
                return Some(i);
            }
            x -= *w;
        }
    }
    last
}

/// Converts a non-negative float to `u64`, saturating, with NaN as 0.
pub(crate) fn to_u64(x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= u64::MAX as f64 {
        u64::MAX
    } else {
        x as u64
    }
}

/// Splits `total` exactly in proportion to integer `weights` (largest remainder; ties go to
/// the lower index). All zero weights give everything to the first entry.
pub(crate) fn split_exact(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum == 0 {
        let mut v = vec![0; weights.len()];
        v[0] = total;
        return v;
    }
    let total128 = u128::from(total);
    let mut parts = Vec::with_capacity(weights.len());
    let mut rems = Vec::with_capacity(weights.len());
    let mut given: u128 = 0;
    for (i, w) in weights.iter().enumerate() {
        let num = total128 * u128::from(*w);
        let part = num / sum;
        given += part;
        parts.push(part);
        rems.push((num % sum, i));
    }
    let mut left = total128 - given;
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rems {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts.into_iter().map(|p| u64::try_from(p).unwrap_or(u64::MAX)).collect()
}

/// Float weights as integer weights (parts per 10¹²), each at least 1.
pub(crate) fn int_weights(weights: &[f64]) -> Vec<u64> {
    weights.iter().map(|w| to_u64(w * 1e12).max(1)).collect()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn exp_and_ln_match_libm_closely() {
        for &x in &[-50.0, -3.3, -1.0, -1e-9, 0.0, 1e-9, 0.5, 1.0, 2.0, 10.0, 123.4] {
            let e = exp(x);
            assert!((e - x.exp()).abs() <= 1e-13 * x.exp().max(1e-300), "exp({x})");
        }
        for &x in &[1e-12, 0.001, 0.3, 1.0, 1.5, 2.0, 7.0, 1e6, 1e15] {
            assert!((ln(x) - x.ln()).abs() < 1e-13 * x.ln().abs().max(1.0), "ln({x})");
        }
        assert!((powf(2.0, 0.5) - 2f64.sqrt()).abs() < 1e-14);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(exp(1000.0), f64::MAX);
    }

    #[test]
    fn split_exact_sums_exactly() {
        let parts = split_exact(1_000_000_000_007, &[3, 3, 3, 1]);
        assert_eq!(parts.iter().sum::<u64>(), 1_000_000_000_007);
        assert_eq!(split_exact(10, &[0, 0]), vec![10, 0]);
        assert_eq!(
            split_exact(u64::MAX, &[u64::MAX, 1]).iter().map(|p| *p as u128).sum::<u128>(),
            u64::MAX as u128
        );
    }

    #[test]
    fn sampling_is_in_range_and_poisson_has_the_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 20_000;
        let mut sum = 0u64;
        for _ in 0..n {
            sum += u64::from(poisson(&mut rng, 2.5));
            let u = log_uniform(&mut rng, 2.0, 50.0);
            assert!((2.0..50.0).contains(&u));
        }
        let mean = sum as f64 / f64::from(n);
        assert!((mean - 2.5).abs() < 0.1, "mean {mean}");
        assert_eq!(weighted_index(&mut rng, &[0.0, 0.0]), None);
        assert_eq!(weighted_index(&mut rng, &[0.0, 1.0]), Some(1));
    }
}
