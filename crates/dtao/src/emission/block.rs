//! Block emission and the halving schedule (reference §3.1).
//!
//! The chain does not count halvings: it derives the era from issuance,
//! k = ⌊log2(1 / (1 − I / 21e15))⌋, and emits ⌊1e9 / 2^k⌋ rao. Recycling lowers issuance and so
//! delays the next halving. Everything is evaluated in I96F32 with substrate-fixed's own `log2`,
//! because the exact rao at which each halving lands depends on its truncations.

use substrate_fixed::transcendental::log2;
use substrate_fixed::types::I96F32;

/// Total TAO supply in rao (21M TAO); no emission at or beyond it.
pub use crate::units::TOTAL_SUPPLY_RAO;

/// Emission of era 0 (`DefaultBlockEmission`): 1 TAO per block, in rao.
pub const DEFAULT_BLOCK_EMISSION_RAO: u64 = crate::units::RAO_PER_TAO;

/// Half the supply, the denominator the chain writes as `2 × 10.5e15`.
const HALF_SUPPLY_RAO: u64 = 10_500_000_000_000_000;

/// The halving era k for an issuance, or `None` once issuance has reached the total supply.
///
/// The chain's `checked_*` calls in this computation cannot fail for an issuance below the
/// supply (1 − I/S is at least 2^-32 after truncation); were they to, the chain returns an
/// error that its caller turns into zero emission, which is what `None` means here too.
pub fn emission_era(issuance_rao: u64) -> Option<u32> {
    let issuance = I96F32::saturating_from_num(issuance_rao);
    if issuance >= I96F32::saturating_from_num(TOTAL_SUPPLY_RAO) {
        return None;
    }
    let one = I96F32::saturating_from_num(1);
    let supply =
        I96F32::saturating_from_num(2).saturating_mul(I96F32::saturating_from_num(HALF_SUPPLY_RAO));
    let fraction_issued = issuance.checked_div(supply)?;
    let fraction_left = one.checked_sub(fraction_issued)?;
    let inverse = one.checked_div(fraction_left)?;
    let residual: I96F32 = log2::<I96F32, I96F32>(inverse).ok()?;
    // The residual is ≥ 0 because inverse ≥ 1; saturating_to_num floors it like the chain.
    Some(residual.floor().saturating_to_num::<u32>())
}

/// Block emission in rao for a given issuance (reference §3.1, vector E1).
///
/// Serves both TAO (`TotalIssuance`) and a subnet's alpha (its alpha issuance). The result is
/// ⌊1e9 · 2^-k⌋ computed in I96F32 like the chain, so it is 0 from era 30 on and at or beyond
/// [`TOTAL_SUPPLY_RAO`].
pub fn block_emission(total_issuance_rao: u64) -> u64 {
    match emission_era(total_issuance_rao) {
        Some(era) => emission_for_era(era),
        None => 0,
    }
}

/// Emission of era k, built the chain's way: 2^k by repeated saturating doubling, then
/// 1/2^k × 1e9 in I96F32, floored.
fn emission_for_era(era: u32) -> u64 {
    let two = I96F32::saturating_from_num(2);
    let mut multiplier = I96F32::saturating_from_num(1);
    for _ in 0..era {
        multiplier = multiplier.saturating_mul(two);
    }
    let percentage = I96F32::saturating_from_num(1).checked_div(multiplier).unwrap_or_default();
    percentage
        .saturating_mul(I96F32::saturating_from_num(DEFAULT_BLOCK_EMISSION_RAO))
        .saturating_to_num::<u64>()
}

/// The smallest issuance (rao) at which era `k` has begun, or `None` if era `k` is never
/// reached below the total supply.
///
/// Found by bisection on [`emission_era`], which is monotone in issuance, so the threshold is
/// exactly where the chain's own arithmetic flips: `emission_era(t − 1) < k ≤ emission_era(t)`.
/// Era 0 starts at 0; the first halvings sit at ≈10.5M, 15.75M, 18.375M, 19.6875M TAO.
pub fn halving_threshold_rao(k: u32) -> Option<u64> {
    if k == 0 {
        return Some(0);
    }
    let reached = |issuance: u64| emission_era(issuance).is_none_or(|era| era >= k);
    // The supply itself counts as "reached" (no era), so check a real era exists below it.
    let last = TOTAL_SUPPLY_RAO.checked_sub(1)?;
    if !reached(last) {
        return None;
    }
    let (mut lo, mut hi) = (0_u64, last);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if reached(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(lo)
}

/// One era of the halving schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HalvingEra {
    /// Era index k (0 = 1 TAO per block).
    pub era: u32,
    /// First issuance (rao) inside this era.
    pub start_issuance_rao: u64,
    /// Block emission (rao) throughout this era.
    pub emission_rao: u64,
}

/// The halving schedule: every era that still emits (emission > 0), in order.
///
/// Eras that the truncated arithmetic skips (none in practice) are left out, so consecutive
/// entries always have increasing `start_issuance_rao`.
pub fn halving_eras() -> Vec<HalvingEra> {
    let mut eras = Vec::new();
    let mut k = 0_u32;
    while let Some(start) = halving_threshold_rao(k) {
        // A threshold may already sit in a later era if the arithmetic jumps; record the era
        // actually in force there.
        let Some(actual) = emission_era(start) else { break };
        if actual == k {
            let emission_rao = emission_for_era(k);
            if emission_rao == 0 {
                break;
            }
            eras.push(HalvingEra { era: k, start_issuance_rao: start, emission_rao });
        }
        k += 1;
    }
    eras
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::units::RAO_PER_TAO as TAO;

    #[test]
    fn e1_block_emission_vector() {
        let cases = [
            (0, 1_000_000_000),
            (10_000_000, 1_000_000_000),
            (10_600_000, 500_000_000),
            (12_000_000, 500_000_000),
            (16_000_000, 250_000_000),
            (19_000_000, 125_000_000),
            (20_500_000, 31_250_000),
            (21_000_000, 0),
        ];
        for (issuance_tao, expected_rao) in cases {
            assert_eq!(
                block_emission(issuance_tao * TAO),
                expected_rao,
                "issuance {issuance_tao} TAO"
            );
        }
    }

    #[test]
    fn beyond_supply_emits_nothing() {
        assert_eq!(block_emission(u64::MAX), 0);
        assert_eq!(block_emission(TOTAL_SUPPLY_RAO + 1), 0);
        assert_eq!(emission_era(TOTAL_SUPPLY_RAO), None);
    }

    #[test]
    fn first_halving_is_at_half_supply() {
        let first = halving_threshold_rao(1).unwrap();
        assert_eq!(first, 10_500_000 * TAO);
        assert_eq!(block_emission(first - 1), 1_000_000_000);
        assert_eq!(block_emission(first), 500_000_000);
    }

    #[test]
    fn thresholds_are_exact_boundaries() {
        let eras = halving_eras();
        assert_eq!(eras.first().map(|e| e.emission_rao), Some(1_000_000_000));
        for window in eras.windows(2) {
            assert!(window[0].start_issuance_rao < window[1].start_issuance_rao);
            assert!(window[0].emission_rao > window[1].emission_rao);
        }
        for era in eras.iter().skip(1) {
            assert_eq!(emission_era(era.start_issuance_rao), Some(era.era));
            assert!(emission_era(era.start_issuance_rao - 1) < Some(era.era));
        }
        let named: Vec<u64> = eras.iter().skip(1).take(4).map(|e| e.start_issuance_rao).collect();
        // The I96F32 truncations land the halvings exactly on the round TAO amounts.
        assert_eq!(
            named,
            vec![10_500_000 * TAO, 15_750_000 * TAO, 18_375_000 * TAO, 19_687_500 * TAO]
        );
    }

    /// Mint block by block (in strides: emission is constant inside an era) from `start`
    /// until emission stops; returns the final issuance.
    fn run_schedule(start: u64) -> u64 {
        let eras = halving_eras();
        let mut issuance = start;
        loop {
            let emission = block_emission(issuance);
            if emission == 0 {
                return issuance;
            }
            let era = emission_era(issuance).unwrap();
            let next = eras.iter().find(|e| e.era > era).map(|e| e.start_issuance_rao);
            let blocks = match next {
                // ceil((next − issuance) / emission): the first block at or past the threshold.
                Some(t) => (t - issuance).div_ceil(emission),
                // Last emitting era: run until issuance leaves it.
                None => {
                    let mut b = 1;
                    while block_emission(issuance + b * emission) == emission {
                        b *= 2;
                    }
                    let (mut lo, mut hi) = (b / 2, b);
                    while lo + 1 < hi {
                        let mid = (lo + hi) / 2;
                        if block_emission(issuance + mid * emission) == emission {
                            lo = mid;
                        } else {
                            hi = mid;
                        }
                    }
                    hi
                }
            };
            issuance += blocks * emission;
        }
    }

    #[test]
    fn whole_schedule_from_genesis_stays_under_supply() {
        let end = run_schedule(0);
        assert!(end <= TOTAL_SUPPLY_RAO, "ended at {end}");
        assert!(end > 20_999_999 * TAO, "ended early at {end}");
    }

    proptest! {
        #[test]
        fn cumulative_emission_never_exceeds_supply(start in 0_u64..TOTAL_SUPPLY_RAO) {
            let end = run_schedule(start);
            prop_assert!(end <= TOTAL_SUPPLY_RAO);
            prop_assert!(end >= start);
        }

        #[test]
        fn emission_is_monotone_in_issuance(a in 0_u64..=TOTAL_SUPPLY_RAO, b in 0_u64..=TOTAL_SUPPLY_RAO) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(block_emission(lo) >= block_emission(hi));
        }
    }
}
