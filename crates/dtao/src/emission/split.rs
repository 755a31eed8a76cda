//! The alpha-out split (reference §3.4): each block's alpha emission is divided into the
//! owner cut and the miner (server), validator and root parts that accumulate as pending until
//! the subnet's epoch.

use substrate_fixed::types::U96F32;

/// `SubnetOwnerCut` default: 11796/65535 ≈ 18%.
pub const DEFAULT_SUBNET_OWNER_CUT: u16 = 11_796;

/// One block's alpha_out divided between its recipients, in rao.
///
/// The parts always sum to exactly `alpha_out_rao` (see [`AlphaSplit::total_rao`]): the chain
/// computes each part in U96F32 and floors it separately when adding it to its pending
/// bucket, which leaves 0–3 rao that it has minted into `SubnetAlphaOut` but credited to no
/// bucket. That remainder is [`AlphaSplit::unallocated_rao`]; a faithful simulator leaves it in
/// `SubnetAlphaOut`, owned by no one, exactly as the chain does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlphaSplit {
    /// Owner cut → `PendingOwnerCut` (0 when the owner cut is disabled).
    pub owner_cut_rao: u64,
    /// Miners' half of the remainder → `PendingServerEmission`.
    pub server_rao: u64,
    /// Validators' half minus the root part → `PendingValidatorEmission`.
    pub validator_rao: u64,
    /// Root stakers' part: root_proportion · remainder · 0.5.
    pub root_alpha_rao: u64,
    /// True when the root part is recycled instead of going to `PendingRootAlphaDivs`
    /// (Σ moving prices ≤ 1, see `root_sell_flag`).
    pub root_alpha_recycled: bool,
    /// Flooring remainder (0–3 rao): minted, but in no pending bucket.
    pub unallocated_rao: u64,
}

impl AlphaSplit {
    /// Sum of every part; equals the `alpha_out_rao` that was split.
    pub fn total_rao(&self) -> u64 {
        self.owner_cut_rao
            .saturating_add(self.server_rao)
            .saturating_add(self.validator_rao)
            .saturating_add(self.root_alpha_rao)
            .saturating_add(self.unallocated_rao)
    }
}

/// Split `alpha_out_rao` the chain's way (`emit_to_subnets`):
///
/// - owner cut = alpha_out · `owner_cut`/65535, if enabled; r = alpha_out − owner cut;
/// - root = root_proportion · r · 0.5; server = r · 0.5; validator = (r − server) − root.
///
/// All in U96F32, each part floored to rao; the flooring remainder is reported, not hidden
/// (see [`AlphaSplit`]). `root_sell` is the block's root-sell flag: false recycles the root
/// part.
pub fn split_alpha_out(
    alpha_out_rao: u64,
    root_proportion: U96F32,
    owner_cut: u16,
    owner_cut_enabled: bool,
    root_sell: bool,
) -> AlphaSplit {
    let half = U96F32::saturating_from_num(1)
        .checked_div(U96F32::saturating_from_num(2))
        .unwrap_or_default();
    let mut remaining = U96F32::saturating_from_num(alpha_out_rao);
    let mut owner = U96F32::saturating_from_num(0);
    if owner_cut_enabled {
        let cut = U96F32::saturating_from_num(owner_cut)
            .checked_div(U96F32::saturating_from_num(u16::MAX))
            .unwrap_or_default();
        owner = remaining.saturating_mul(cut);
        remaining = remaining.saturating_sub(owner);
    }
    // Cannot exceed 1 on chain; clamping keeps the parts summing to alpha_out for any input.
    let root_proportion = root_proportion.min(U96F32::saturating_from_num(1));
    let root = root_proportion.saturating_mul(remaining).saturating_mul(half);
    let server = remaining.saturating_mul(half);
    let validator = remaining.saturating_sub(server).saturating_sub(root);

    let owner_cut_rao = owner.saturating_to_num::<u64>();
    let server_rao = server.saturating_to_num::<u64>();
    let validator_rao = validator.saturating_to_num::<u64>();
    let root_alpha_rao = root.saturating_to_num::<u64>();
    // The four fixed-point parts sum to alpha_out exactly (root ≤ r/2 ≤ r − server, so no
    // subtraction saturates); their floors therefore sum to at most alpha_out.
    let allocated = owner_cut_rao + server_rao + validator_rao + root_alpha_rao;
    AlphaSplit {
        owner_cut_rao,
        server_rao,
        validator_rao,
        root_alpha_rao,
        root_alpha_recycled: !root_sell,
        unallocated_rao: alpha_out_rao.saturating_sub(allocated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_alpha_without_root() {
        let split = split_alpha_out(
            1_000_000_000,
            U96F32::saturating_from_num(0),
            DEFAULT_SUBNET_OWNER_CUT,
            true,
            true,
        );
        // 11796/65535 = 0.1799954...; the cut is truncated to 32 fractional bits first.
        assert!((179_995_421..=179_995_422).contains(&split.owner_cut_rao), "{split:?}");
        assert_eq!(split.root_alpha_rao, 0);
        assert!(split.server_rao.abs_diff(split.validator_rao) <= 1);
        assert_eq!(split.total_rao(), 1_000_000_000);
        assert!(split.unallocated_rao <= 3);
    }

    #[test]
    fn root_takes_its_proportion_of_the_validator_half() {
        let rp = U96F32::saturating_from_num(0.5);
        let split = split_alpha_out(1_000_000_000, rp, DEFAULT_SUBNET_OWNER_CUT, true, true);
        let r = 1_000_000_000 - split.owner_cut_rao;
        assert!(split.root_alpha_rao.abs_diff(r / 4) <= 1);
        assert!(split.validator_rao.abs_diff(r / 4) <= 1);
        assert!(split.server_rao.abs_diff(r / 2) <= 1);
        assert!(!split.root_alpha_recycled);
        assert_eq!(split.total_rao(), 1_000_000_000);
    }

    #[test]
    fn owner_cut_disabled_and_root_recycled() {
        let split = split_alpha_out(
            10,
            U96F32::saturating_from_num(1),
            DEFAULT_SUBNET_OWNER_CUT,
            false,
            false,
        );
        assert_eq!(split.owner_cut_rao, 0);
        assert_eq!(split.server_rao, 5);
        assert_eq!(split.root_alpha_rao, 5);
        assert_eq!(split.validator_rao, 0);
        assert!(split.root_alpha_recycled);
        assert_eq!(split.total_rao(), 10);
    }

    #[test]
    fn zero_alpha_out() {
        let split = split_alpha_out(
            0,
            U96F32::saturating_from_num(0.3),
            DEFAULT_SUBNET_OWNER_CUT,
            true,
            true,
        );
        assert_eq!(split.total_rao(), 0);
    }

    proptest! {
        #[test]
        fn parts_sum_exactly_to_alpha_out(
            alpha_out in any::<u64>(),
            rp_bits in 0_u128..=(1_u128 << 40),
            cut in any::<u16>(),
            enabled in any::<bool>(),
            sell in any::<bool>(),
        ) {
            let split = split_alpha_out(alpha_out, U96F32::from_bits(rp_bits), cut, enabled, sell);
            prop_assert_eq!(split.total_rao(), alpha_out);
            prop_assert!(split.unallocated_rao <= 3);
            prop_assert!(split.root_alpha_rao <= split.server_rao);
        }
    }
}
