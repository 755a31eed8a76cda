//! Scores → on-chain u16 weights, the way the Bittensor SDK prepares them
//! (`process_weights_for_netuid`, then `convert_weights_and_uids_for_emit`), and the checks
//! Subtensor applies to a `set_weights` call. Pure functions; `dojo_validator::chain_weights`
//! submits the result through the `Chain` trait (set, or commit then reveal).

use serde::{Deserialize, Serialize};

use crate::error::DojoError;

/// The subnet hyperparameters that constrain weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightLimits {
    /// Number of uids on the subnet (metagraph size).
    pub n: u16,
    /// `min_allowed_weights`: fewest non-zero weights a validator may set.
    pub min_allowed_weights: u16,
    /// `max_weights_limit` in u16 units (65535 = no limit): the largest share one uid may get.
    pub max_weight_limit: u16,
    /// The subnet's `weights_version_key`; a submission's key must be at least this.
    pub weights_version_key: u64,
}

/// Weights ready for `set_weights`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightsSubmission {
    /// Uids, strictly increasing.
    pub uids: Vec<u16>,
    /// u16 weights, max-upscaled so the largest is 65535; no zeros.
    pub weights: Vec<u16>,
    /// Version key sent along.
    pub version_key: u64,
}

/// Version key from a semantic version: `1000·major + 10·minor + patch` (Dojo's convention).
pub fn version_key(major: u64, minor: u64, patch: u64) -> u64 {
    1000 * major + 10 * minor + patch
}

/// Caps the largest share at `limit` (of the sum 1), redistributing proportionally
/// (the SDK's `normalize_max_weight`). Returns weights summing to 1.
pub fn normalize_max_weight(x: &[f64], limit: f64) -> Vec<f64> {
    const EPS: f64 = 1e-7;
    let n = x.len();
    let sum: f64 = x.iter().sum();
    if n == 0 {
        return Vec::new();
    }
    if sum == 0.0 || n as f64 * limit <= 1.0 {
        return vec![1.0 / n as f64; n];
    }
    let mut values = x.to_vec();
    values.sort_by(f64::total_cmp);
    let estimation: Vec<f64> = values.iter().map(|v| v / sum).collect();
    if estimation.iter().copied().fold(f64::NEG_INFINITY, f64::max) <= limit {
        return x.iter().map(|v| v / sum).collect();
    }
    let mut cumsum = Vec::with_capacity(n);
    let mut acc = 0.0;
    for e in &estimation {
        acc += e;
        cumsum.push(acc);
    }
    let n_values = (0..n)
        .filter(|&i| {
            let est_sum = (n - i - 1) as f64 * estimation[i];
            estimation[i] / (est_sum + cumsum[i] + EPS) < limit
        })
        .count();
    let cum = if n_values == 0 { 0.0 } else { cumsum[n_values - 1] };
    let cutoff_scale = (limit * cum - EPS) / (1.0 - limit * (n - n_values) as f64);
    let cutoff = cutoff_scale * sum;
    let capped: Vec<f64> = x.iter().map(|&v| if v > cutoff { cutoff } else { v }).collect();
    let s: f64 = capped.iter().sum();
    capped.iter().map(|v| v / s).collect()
}

/// `process_weights_for_netuid` (exclude quantile 0): non-positive and non-finite scores are
/// zero; with no positive score, or a metagraph smaller than `min_allowed_weights`, every uid
/// gets 1/n; with fewer positive scores than `min_allowed_weights`, every uid gets 1e-5 plus
/// its score; the result is capped by the max-weight limit. Returns (uids, float weights).
pub fn process_weights(scores: &[f64], limits: &WeightLimits) -> (Vec<u16>, Vec<f64>) {
    let n = scores.len().min(usize::from(limits.n));
    let clean: Vec<f64> =
        scores[..n].iter().map(|&s| if s.is_finite() && s > 0.0 { s } else { 0.0 }).collect();
    let limit = f64::from(limits.max_weight_limit) / f64::from(u16::MAX);
    let all_uids = || (0..n).filter_map(|u| u16::try_from(u).ok()).collect::<Vec<u16>>();
    let nonzero: Vec<usize> = (0..n).filter(|&i| clean[i] > 0.0).collect();
    if nonzero.is_empty() || n < usize::from(limits.min_allowed_weights) {
        return (all_uids(), vec![1.0 / n.max(1) as f64; n]);
    }
    if nonzero.len() < usize::from(limits.min_allowed_weights) {
        let w: Vec<f64> = clean.iter().map(|s| s + 1e-5).collect();
        return (all_uids(), normalize_max_weight(&w, limit));
    }
    let w: Vec<f64> = nonzero.iter().map(|&i| clean[i]).collect();
    (
        nonzero.iter().filter_map(|&u| u16::try_from(u).ok()).collect(),
        normalize_max_weight(&w, limit),
    )
}

/// `convert_weights_and_uids_for_emit`: max-upscale so the largest weight is 65535, round half
/// to even (Python's `round`), drop zeros, sort by uid. Errors on negative or non-finite weights
/// or mismatched lengths; all-zero weights give an empty submission.
pub fn to_u16_weights(
    uids: &[u16],
    weights: &[f64],
    version_key: u64,
) -> Result<WeightsSubmission, DojoError> {
    if uids.len() != weights.len() {
        return Err(DojoError::Weights(format!(
            "{} uids but {} weights",
            uids.len(),
            weights.len()
        )));
    }
    if let Some(w) = weights.iter().find(|w| !w.is_finite() || **w < 0.0) {
        return Err(DojoError::Weights(format!("weight {w} is negative or not finite")));
    }
    let max = weights.iter().copied().fold(0.0, f64::max);
    let mut pairs: Vec<(u16, u16)> = Vec::new();
    if max > 0.0 {
        for (&u, &w) in uids.iter().zip(weights) {
            let v = (w / max * f64::from(u16::MAX)).round_ties_even();
            let v = if v >= f64::from(u16::MAX) { u16::MAX } else { v as u16 };
            if v != 0 {
                pairs.push((u, v));
            }
        }
    }
    pairs.sort_by_key(|p| p.0);
    Ok(WeightsSubmission {
        uids: pairs.iter().map(|p| p.0).collect(),
        weights: pairs.iter().map(|p| p.1).collect(),
        version_key,
    })
}

/// Scores per uid → a checked submission: [`process_weights`], [`to_u16_weights`], then
/// [`validate_weights`].
///
/// u16 rounding can put a capped weight a hair above the limit; the cap is then tightened by
/// 1/65535 at a time (at most 16 times) until the chain's check passes.
pub fn scores_to_weights(
    scores: &[f64],
    limits: &WeightLimits,
    version_key: u64,
) -> Result<WeightsSubmission, DojoError> {
    let mut l = *limits;
    let mut last = None;
    for _ in 0..16 {
        let (uids, w) = process_weights(scores, &l);
        let sub = to_u16_weights(&uids, &w, version_key)?;
        match validate_weights(&sub, limits) {
            Ok(()) => return Ok(sub),
            Err(e) => last = Some(e),
        }
        if l.max_weight_limit == u16::MAX || l.max_weight_limit <= 1 {
            break;
        }
        l.max_weight_limit -= 1;
    }
    Err(last.unwrap_or_else(|| DojoError::Weights("no valid weights".into())))
}

/// The chain's checks on `set_weights`: equal lengths, strictly increasing (unique) uids,
/// uids below `n`, at least `min(min_allowed_weights, n)` weights, no uid above the max-weight
/// limit once normalised to sum 1, and a version key no older than the subnet's.
pub fn validate_weights(sub: &WeightsSubmission, limits: &WeightLimits) -> Result<(), DojoError> {
    if sub.uids.len() != sub.weights.len() {
        return Err(DojoError::Weights(format!(
            "{} uids but {} weights",
            sub.uids.len(),
            sub.weights.len()
        )));
    }
    if let Some(w) = sub.uids.windows(2).find(|w| w[0] >= w[1]) {
        return Err(DojoError::Weights(format!(
            "uids must be strictly increasing; {} then {}",
            w[0], w[1]
        )));
    }
    if let Some(u) = sub.uids.iter().find(|&&u| u >= limits.n) {
        return Err(DojoError::Weights(format!(
            "uid {u} does not exist (subnet has {} uids)",
            limits.n
        )));
    }
    let min = usize::from(limits.min_allowed_weights.min(limits.n));
    if sub.uids.len() < min {
        return Err(DojoError::Weights(format!(
            "{} weights set, at least {min} required",
            sub.uids.len()
        )));
    }
    if sub.version_key < limits.weights_version_key {
        return Err(DojoError::Weights(format!(
            "version key {} is older than the subnet's {}",
            sub.version_key, limits.weights_version_key
        )));
    }
    if limits.max_weight_limit != u16::MAX {
        let total: u64 = sub.weights.iter().map(|&w| u64::from(w)).sum();
        let max = sub.weights.iter().copied().max().unwrap_or(0);
        // max / total > limit / 65535, in integers.
        if total > 0
            && u128::from(max) * u128::from(u16::MAX)
                > u128::from(limits.max_weight_limit) * u128::from(total)
        {
            return Err(DojoError::Weights(format!(
                "largest weight is {:.4} of the total, above the limit {:.4}",
                f64::from(max) / total as f64,
                f64::from(limits.max_weight_limit) / f64::from(u16::MAX)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(n: u16) -> WeightLimits {
        WeightLimits {
            n,
            min_allowed_weights: 1,
            max_weight_limit: u16::MAX,
            weights_version_key: 0,
        }
    }

    #[test]
    fn max_upscale_and_drop_zeros() {
        let s = to_u16_weights(&[3, 0, 1, 2], &[0.75, 0.25, 0.0, 0.5], 7).unwrap();
        assert_eq!(s.uids, vec![0, 2, 3]);
        assert_eq!(s.weights, vec![21845, 43690, 65535]);
        assert_eq!(s.version_key, 7);
        // round half to even: 0.5/1*65535 = 32767.5 → 32768 (even).
        let h = to_u16_weights(&[0, 1], &[0.5, 1.0], 0).unwrap();
        assert_eq!(h.weights, vec![32768, 65535]);
        assert!(to_u16_weights(&[0], &[-1.0], 0).is_err());
        assert!(to_u16_weights(&[0, 1], &[1.0], 0).is_err());
        assert_eq!(to_u16_weights(&[0, 1], &[0.0, 0.0], 0).unwrap().uids, Vec::<u16>::new());
    }

    #[test]
    fn scores_to_weights_end_to_end() {
        let s = scores_to_weights(&[0.0, 3.0, 1.0, f64::NAN], &limits(4), version_key(1, 2, 3))
            .unwrap();
        assert_eq!(s.uids, vec![1, 2]);
        assert_eq!(s.weights, vec![65535, 21845]);
        assert_eq!(s.version_key, 1023);
        // nobody scored → uniform over all uids.
        let u = scores_to_weights(&[0.0; 3], &limits(3), 0).unwrap();
        assert_eq!(u.weights, vec![65535; 3]);
    }

    #[test]
    fn min_allowed_weights_pads() {
        let l = WeightLimits {
            n: 4,
            min_allowed_weights: 3,
            max_weight_limit: u16::MAX,
            weights_version_key: 0,
        };
        let s = scores_to_weights(&[1.0, 0.0, 0.0, 0.0], &l, 0).unwrap();
        assert_eq!(s.uids, vec![0, 1, 2, 3]);
        assert_eq!(s.weights[0], 65535);
        assert!(s.weights[1] > 0);
    }

    #[test]
    fn max_weight_limit_caps() {
        let l = WeightLimits {
            n: 5,
            min_allowed_weights: 1,
            max_weight_limit: 16384,
            weights_version_key: 0,
        };
        let (_, w) = process_weights(&[10.0, 1.0, 1.0, 1.0, 1.0], &l);
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let max = w.iter().copied().fold(0.0, f64::max);
        assert!(max <= 16384.0 / 65535.0 + 1e-9, "{max}");
        let s = scores_to_weights(&[10.0, 1.0, 1.0, 1.0, 1.0], &l, 0).unwrap();
        assert_eq!(s.uids.len(), 5);
        // an uncapped submission is refused.
        let bad = WeightsSubmission { uids: vec![0, 1], weights: vec![65535, 1], version_key: 0 };
        assert!(validate_weights(&bad, &l).is_err());
    }

    #[test]
    fn chain_checks() {
        let l = WeightLimits {
            n: 3,
            min_allowed_weights: 2,
            max_weight_limit: u16::MAX,
            weights_version_key: 10,
        };
        let ok = WeightsSubmission { uids: vec![0, 2], weights: vec![1, 2], version_key: 10 };
        assert!(validate_weights(&ok, &l).is_ok());
        let mut s = ok.clone();
        s.uids = vec![2, 0];
        assert!(validate_weights(&s, &l).is_err());
        let mut s = ok.clone();
        s.uids = vec![0, 3];
        assert!(validate_weights(&s, &l).is_err());
        let mut s = ok.clone();
        s.version_key = 9;
        assert!(validate_weights(&s, &l).is_err());
        let s = WeightsSubmission { uids: vec![0], weights: vec![1], version_key: 10 };
        assert!(validate_weights(&s, &l).is_err());
    }
}
