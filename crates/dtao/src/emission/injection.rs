//! Injection terms per subnet (reference §3.3, `get_subnet_terms`): how a subnet's TAO
//! emission becomes pool liquidity, a chain buy, and alpha for participants.
//!
//! This module only computes the amounts. The chain buy (a fee-free TAO→α swap at max price)
//! and the price-preserving reweight of the injected liquidity belong to the AMM.

use crate::fixed::ExactDiv;
use substrate_fixed::types::{U64F64, U96F32};

use super::block_emission;

/// `TaoWeight` as a fraction: `tao_weight / u64::MAX` in U96F32, as `get_tao_weight` computes it.
pub fn tao_weight_fraction(tao_weight: u64) -> U96F32 {
    U96F32::saturating_from_num(tao_weight)
        .exact_div(U96F32::saturating_from_num(u64::MAX))
        .unwrap_or_default()
}

/// Root's share of a subnet's stake weight: R·τ / (R·τ + alpha_issuance), with R = root TAO
/// (`SubnetTAO[0]`) and τ = [`tao_weight_fraction`]; 0 when both are 0.
pub fn root_proportion(root_tao_rao: u64, tao_weight: u64, alpha_issuance_rao: u64) -> U96F32 {
    let weighted_root =
        U96F32::saturating_from_num(root_tao_rao).saturating_mul(tao_weight_fraction(tao_weight));
    let alpha_issuance = U96F32::saturating_from_num(alpha_issuance_rao);
    weighted_root.exact_div(weighted_root.saturating_add(alpha_issuance)).unwrap_or_default()
}

/// What one subnet receives this block, all amounts floored to rao as the chain does when it
/// spends them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InjectionTerms {
    /// Alpha minted for participants this block: E(alpha_issuance) (= alpha_out).
    pub alpha_emission_rao: u64,
    /// Root proportion used for the cap (and for the alpha split).
    pub root_proportion: U96F32,
    /// Cap on alpha injected into the pool: root_proportion · alpha_emission (U96F32).
    pub alpha_in_cap: U96F32,
    /// Whether the cap bound (alpha_in was cut to the cap and tao_in to cap · price).
    pub capped: bool,
    /// TAO added to the pool reserve.
    pub tao_in_rao: u64,
    /// Alpha added to the pool reserve.
    pub alpha_in_rao: u64,
    /// Alpha minted into `SubnetAlphaOut` for owner, miners, validators and root.
    pub alpha_out_rao: u64,
    /// TAO spent on the chain buy (E_i − tao_in), bought alpha goes to `SubnetProtocolAlpha`.
    pub excess_tao_rao: u64,
}

/// Split a subnet's TAO emission E_i (from `subnet_block_emissions`) into injection terms.
///
/// `spot_price` is the pool's current TAO-per-alpha price (U64F64); the chain narrows it to
/// U96F32. alpha_in = E_i / price (0 if the price is 0). If alpha_in exceeds
/// root_proportion · alpha_emission it is cut to that cap and tao_in to cap · price; the rest of
/// E_i is the chain buy. Each term is floored separately, so tao_in + excess can be a rao
/// short of E_i; the chain recycles that unspent credit.
pub fn injection_terms(
    tao_emission: U96F32,
    alpha_issuance_rao: u64,
    spot_price: U64F64,
    root_tao_rao: u64,
    tao_weight: u64,
) -> InjectionTerms {
    injection_terms_with_alpha_emission(
        tao_emission,
        block_emission(alpha_issuance_rao),
        alpha_issuance_rao,
        spot_price,
        root_tao_rao,
        tao_weight,
    )
}

/// [`injection_terms`] with the subnet's alpha block emission already known (it is
/// `block_emission(alpha_issuance_rao)`; a caller that caches the halving table passes it in).
pub fn injection_terms_with_alpha_emission(
    tao_emission: U96F32,
    alpha_emission_rao: u64,
    alpha_issuance_rao: u64,
    spot_price: U64F64,
    root_tao_rao: u64,
    tao_weight: u64,
) -> InjectionTerms {
    let alpha_emission = U96F32::saturating_from_num(alpha_emission_rao);
    let price = U96F32::saturating_from_num(spot_price);
    let root_proportion = root_proportion(root_tao_rao, tao_weight, alpha_issuance_rao);
    let alpha_in_cap = root_proportion.saturating_mul(alpha_emission);

    let mut tao_in = tao_emission;
    let mut alpha_in = tao_emission.exact_div(price).unwrap_or_default();
    let capped = alpha_in > alpha_in_cap;
    if capped {
        alpha_in = alpha_in_cap;
        tao_in = alpha_in.saturating_mul(price);
    }
    let excess = tao_emission.saturating_sub(tao_in);

    InjectionTerms {
        alpha_emission_rao,
        root_proportion,
        alpha_in_cap,
        capped,
        tao_in_rao: tao_in.saturating_to_num::<u64>(),
        alpha_in_rao: alpha_in.saturating_to_num::<u64>(),
        alpha_out_rao: alpha_emission_rao,
        excess_tao_rao: excess.saturating_to_num::<u64>(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::units::RAO_PER_TAO as TAO;

    #[test]
    fn root_proportion_formula() {
        // τ = 1/2 of u64::MAX, R = 2000 TAO ⇒ R·τ ≈ 1000 TAO; issuance 1000 α ⇒ ≈ 1/2.
        let rp = root_proportion(2_000 * TAO, u64::MAX / 2, 1_000 * TAO);
        assert!((rp.to_num::<f64>() - 0.5).abs() < 1e-9);
        assert_eq!(root_proportion(0, u64::MAX, 0), U96F32::saturating_from_num(0));
        assert_eq!(root_proportion(0, u64::MAX, 10), U96F32::saturating_from_num(0));
    }

    #[test]
    fn uncapped_young_subnet_injects_all_tao() {
        // Young subnet: tiny issuance, root proportion ≈ 1, so the cap is ≈ alpha_emission.
        let e = U96F32::saturating_from_num(100_000_000_u64);
        let terms = injection_terms(
            e,
            1_000 * TAO,
            U64F64::saturating_from_num(0.5),
            1_000_000 * TAO,
            u64::MAX / 10,
        );
        assert!(!terms.capped);
        assert_eq!(terms.alpha_emission_rao, TAO);
        assert_eq!(terms.tao_in_rao, 100_000_000);
        assert_eq!(terms.alpha_in_rao, 200_000_000);
        assert_eq!(terms.excess_tao_rao, 0);
        assert_eq!(terms.alpha_out_rao, TAO);
    }

    #[test]
    fn capped_old_subnet_buys_with_the_excess() {
        // Root weight small against a big issuance: root_prop ≈ 0.01 ⇒ cap ≈ 0.01 α.
        let e = U96F32::saturating_from_num(100_000_000_u64);
        let terms = injection_terms(
            e,
            1_000_000 * TAO,
            U64F64::saturating_from_num(0.01),
            10_101 * TAO,
            u64::MAX,
        );
        assert!(terms.capped);
        let alpha_in = U96F32::saturating_from_num(terms.alpha_in_rao);
        assert!(alpha_in <= terms.alpha_in_cap);
        assert!(terms.alpha_in_cap - alpha_in < U96F32::saturating_from_num(1));
        assert!(terms.tao_in_rao < 100_000_000);
        assert!(terms.tao_in_rao + terms.excess_tao_rao <= 100_000_000);
        assert!(terms.tao_in_rao + terms.excess_tao_rao >= 100_000_000 - 1);
    }

    #[test]
    fn zero_price_injects_no_alpha() {
        let e = U96F32::saturating_from_num(5_u64);
        let terms = injection_terms(e, 0, U64F64::saturating_from_num(0), 0, 0);
        assert_eq!(terms.alpha_in_rao, 0);
        assert_eq!(terms.tao_in_rao, 5);
        assert_eq!(terms.excess_tao_rao, 0);
    }

    proptest! {
        #[test]
        fn tao_terms_never_exceed_emission(
            e in 0_u64..2_000_000_000,
            issuance in 0_u64..21_000_000_000_000_000,
            price_bits in 1_u128..(1_u128 << 80),
            root in 0_u64..10_000_000_000_000_000,
            weight in any::<u64>(),
        ) {
            let terms = injection_terms(U96F32::saturating_from_num(e), issuance, U64F64::from_bits(price_bits), root, weight);
            prop_assert!(terms.tao_in_rao.saturating_add(terms.excess_tao_rao) <= e);
            prop_assert!(e - terms.tao_in_rao - terms.excess_tao_rao <= 1);
            prop_assert!(U96F32::saturating_from_num(terms.alpha_in_rao) <= terms.alpha_in_cap);
            prop_assert!(terms.alpha_in_rao <= terms.alpha_emission_rao);
        }
    }
}
