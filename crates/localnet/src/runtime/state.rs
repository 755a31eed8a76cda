//! The runtime's storage: accounts, subnets with their pools, neurons and stake share pools,
//! proxies, the registration lock. Plain data in `BTreeMap`s and `Vec`s, so iteration order is
//! deterministic and the whole state serialises (snapshots are its JSON).

use std::collections::{BTreeMap, BTreeSet};

use chain::{
    AccountId, AxonInfo, BlockNumber, Hash, Hyperparameter, Hyperparameters, NetUid, ProxyType,
    SubnetIdentity,
};
use dtao::amm::Pool;
use serde::{Deserialize, Serialize};

use crate::genesis::ChainParams;

/// The root subnet.
pub(crate) const ROOT: NetUid = 0;

/// Free TAO and nonce of one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Account {
    pub(crate) free: u64,
    pub(crate) nonce: u64,
}

/// `a · b / c` floored in 128 bits; `None` if `c` is 0 or the product overflows.
pub(crate) fn mul_div_floor(a: u128, b: u128, c: u128) -> Option<u128> {
    a.checked_mul(b)?.checked_div(c)
}

/// `a · b / c` rounded up; `None` if `c` is 0 or the product overflows.
pub(crate) fn mul_div_ceil(a: u128, b: u128, c: u128) -> Option<u128> {
    let p = a.checked_mul(b)?;
    if c == 0 {
        return None;
    }
    Some(p.div_ceil(c))
}

/// A hotkey's stake on one subnet as a share pool (`TotalHotkeyAlpha`, `TotalHotkeyShares`,
/// `Alpha[(hot, cold, netuid)]`): alpha paid to the hotkey raises `total_alpha` and so the
/// value of every holder's shares pro rata.
///
/// Shares start at one per rao and `total_alpha ≥ total_shares` always holds (adds round the
/// new shares down, removals round the burned shares up, dividends only raise the alpha), so
/// every product below fits in `u128`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StakePool {
    pub(crate) total_alpha: u64,
    pub(crate) total_shares: u128,
    pub(crate) shares: BTreeMap<AccountId, u128>,
}

impl StakePool {
    /// Alpha a coldkey's shares are worth (floored).
    pub(crate) fn value_of(&self, coldkey: &AccountId) -> u64 {
        let shares = self.shares.get(coldkey).copied().unwrap_or(0);
        self.value_of_shares(shares)
    }

    pub(crate) fn value_of_shares(&self, shares: u128) -> u64 {
        if shares == 0 || self.total_shares == 0 {
            return 0;
        }
        mul_div_floor(shares, u128::from(self.total_alpha), self.total_shares)
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(0)
    }

    /// Buys shares for `alpha` newly staked by `coldkey`.
    pub(crate) fn add(&mut self, coldkey: &AccountId, alpha: u64) {
        if alpha == 0 {
            return;
        }
        if self.total_alpha == 0 {
            // Worthless shares (if any) are void: start the pool afresh.
            self.shares.clear();
            self.total_shares = 0;
        }
        let new_shares = if self.total_shares == 0 {
            u128::from(alpha)
        } else {
            mul_div_floor(u128::from(alpha), self.total_shares, u128::from(self.total_alpha))
                .unwrap_or(0)
        };
        self.total_alpha = self.total_alpha.saturating_add(alpha);
        if new_shares > 0 {
            self.total_shares = self.total_shares.saturating_add(new_shares);
            let entry = self.shares.entry(*coldkey).or_insert(0);
            *entry = entry.saturating_add(new_shares);
        }
    }

    /// Removes `alpha` of `coldkey`'s stake; the caller has checked `alpha ≤ value_of`.
    /// Returns true if the coldkey holds no shares afterwards.
    pub(crate) fn remove(&mut self, coldkey: &AccountId, alpha: u64) -> bool {
        let held = self.shares.get(coldkey).copied().unwrap_or(0);
        let value = self.value_of_shares(held);
        let burned = if alpha >= value {
            held
        } else {
            mul_div_ceil(u128::from(alpha), self.total_shares, u128::from(self.total_alpha))
                .unwrap_or(held)
                .min(held)
        };
        self.total_alpha = self.total_alpha.saturating_sub(alpha);
        self.total_shares = self.total_shares.saturating_sub(burned);
        let left = held.saturating_sub(burned);
        if left == 0 {
            self.shares.remove(coldkey);
            true
        } else {
            self.shares.insert(*coldkey, left);
            false
        }
    }
}

/// One UID on a subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Neuron {
    pub(crate) hotkey: AccountId,
    pub(crate) coldkey: AccountId,
    pub(crate) axon: Option<AxonInfo>,
    pub(crate) validator_permit: bool,
    /// Weights row as (uid, raw u16 weight), sorted by uid.
    pub(crate) weights: Vec<(u16, u16)>,
    /// Bonds row as (uid, u16 proportion), non-zero entries only.
    pub(crate) bonds: Vec<(u16, u16)>,
    pub(crate) incentive: u16,
    pub(crate) dividends: u16,
    pub(crate) consensus: u16,
    pub(crate) emission: u64,
    pub(crate) registered_at: BlockNumber,
    pub(crate) last_update: BlockNumber,
}

impl Neuron {
    pub(crate) fn new(hotkey: AccountId, coldkey: AccountId, registered_at: BlockNumber) -> Self {
        Self {
            hotkey,
            coldkey,
            axon: None,
            validator_permit: false,
            weights: Vec::new(),
            bonds: Vec::new(),
            incentive: 0,
            dividends: 0,
            consensus: 0,
            emission: 0,
            registered_at,
            last_update: registered_at,
        }
    }
}

/// A weights commit awaiting its reveal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WeightCommit {
    pub(crate) hash: Hash,
    pub(crate) block: BlockNumber,
}

/// A subnet: the pool and emission bookkeeping ("core", which changes every block) and its
/// metadata, neurons and stakes (which change on trades, registrations and epochs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Subnet {
    pub(crate) netuid: NetUid,
    // ---- core ----
    /// `SubnetTAO` and `SubnetAlphaIn`, fee rate and curve. On root, `reserves.tao` is the
    /// root stake and the curve is unused (stable mechanism, 1:1).
    pub(crate) pool: Pool,
    /// `SubnetAlphaOut`.
    pub(crate) alpha_out: u64,
    /// `SubnetProtocolAlpha`: alpha bought by the chain with excess emission.
    pub(crate) protocol_alpha: u64,
    /// Alpha burned without reducing `SubnetAlphaOut` (unsellable sell fees, burned owner
    /// incentive).
    pub(crate) alpha_burned: u64,
    /// `SubnetMovingPrice` (I96F32 bits).
    pub(crate) moving_price_bits: i128,
    pub(crate) pending_server: u64,
    pub(crate) pending_validator: u64,
    pub(crate) pending_root: u64,
    pub(crate) pending_owner: u64,
    /// `SubnetVolume`, TAO rao.
    pub(crate) volume: u128,
    /// Share of the last block's emission (U64F64 bits).
    pub(crate) emission_share_bits: u128,
    /// TAO emitted to the subnet in the last block.
    pub(crate) tao_emission: u64,
    /// The last block's injection terms (`SubnetTaoInEmission`, `SubnetAlphaInEmission`,
    /// `SubnetAlphaOutEmission`), rao; zero when the subnet did not emit.
    #[serde(default)]
    pub(crate) tao_in_emission: u64,
    #[serde(default)]
    pub(crate) alpha_in_emission: u64,
    #[serde(default)]
    pub(crate) alpha_out_emission: u64,
    /// `MinerBurned` (U96F32 bits): last epoch's withheld fraction of miner incentive.
    pub(crate) miner_burned_bits: u128,
    pub(crate) last_epoch_block: BlockNumber,
    pub(crate) first_emission_block: Option<BlockNumber>,
    // ---- metadata, neurons, stakes ----
    pub(crate) mechanism: u16,
    pub(crate) identity: SubnetIdentity,
    pub(crate) owner_coldkey: AccountId,
    pub(crate) owner_hotkey: AccountId,
    pub(crate) registered_at: BlockNumber,
    /// `burn` in here is the registration burn at `burn_block`; it decays from there.
    pub(crate) hyperparameters: Hyperparameters,
    pub(crate) burn_block: BlockNumber,
    pub(crate) history: Vec<(BlockNumber, Hyperparameter)>,
    pub(crate) neurons: Vec<Neuron>,
    pub(crate) stakes: BTreeMap<AccountId, StakePool>,
    pub(crate) commits: BTreeMap<AccountId, Vec<WeightCommit>>,
}

impl Subnet {
    pub(crate) fn uid_of(&self, hotkey: &AccountId) -> Option<u16> {
        self.neurons.iter().position(|n| n.hotkey == *hotkey).and_then(|i| u16::try_from(i).ok())
    }

    /// Alpha staked to `hotkey` here (`TotalHotkeyAlpha`).
    pub(crate) fn hotkey_alpha(&self, hotkey: &AccountId) -> u64 {
        self.stakes.get(hotkey).map_or(0, |p| p.total_alpha)
    }

    /// Alpha a coldkey holds on a hotkey here.
    pub(crate) fn stake_of(&self, hotkey: &AccountId, coldkey: &AccountId) -> u64 {
        self.stakes.get(hotkey).map_or(0, |p| p.value_of(coldkey))
    }

    pub(crate) fn is_stable(&self) -> bool {
        self.mechanism == 0
    }

    pub(crate) fn subtoken_enabled(&self) -> bool {
        self.is_stable() || self.first_emission_block.is_some()
    }

    /// Σ over hotkeys of `TotalHotkeyAlpha`.
    pub(crate) fn total_staked(&self) -> u128 {
        self.stakes.values().map(|p| u128::from(p.total_alpha)).sum()
    }

    /// The registration burn at `now`: halves every 360 blocks since the last registration
    /// (linear within each half-life), clamped to [min_burn, max_burn].
    pub(crate) fn burn_at(&self, now: BlockNumber) -> u64 {
        const HALF_LIFE: u64 = 360;
        let h = &self.hyperparameters;
        let elapsed = now.saturating_sub(self.burn_block);
        let halvings = elapsed / HALF_LIFE;
        let mut burn = if halvings >= 64 { 0 } else { h.burn >> halvings };
        let rest = u128::from(elapsed % HALF_LIFE);
        let cut = u128::from(burn) * rest / u128::from(2 * HALF_LIFE);
        burn = burn.saturating_sub(u64::try_from(cut).unwrap_or(0));
        burn.clamp(h.min_burn, h.max_burn.max(h.min_burn))
    }
}

/// How the block's TAO is split among subnets (reference §3.2), pluggable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ShareRuleKind {
    /// Shares ∝ moving price (spec 425 step 1).
    PriceEma,
    /// Moving price × (1 − MinerBurned), renormalised (spec 425).
    PriceBurn,
    /// Price × burn through the Hill gate (newest runtime; the default). `theta_bits` is the
    /// gate bar's state (U64F64 bits, 0 = not computed yet).
    PriceBurnGate {
        /// Current bar θ, U64F64 bits.
        #[serde(with = "chain::u128_string")]
        theta_bits: u128,
    },
}

impl Default for ShareRuleKind {
    fn default() -> Self {
        ShareRuleKind::PriceBurnGate { theta_bits: 0 }
    }
}

/// The whole chain state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) chain_name: String,
    pub(crate) spec_version: u32,
    pub(crate) seed: u64,
    pub(crate) genesis_hash: Hash,
    pub(crate) params: ChainParams,
    /// Number of the last produced block.
    pub(crate) block: BlockNumber,
    pub(crate) accounts: BTreeMap<AccountId, Account>,
    pub(crate) subnets: BTreeMap<NetUid, Subnet>,
    /// `Owner`: hotkey → coldkey.
    pub(crate) hotkey_owner: BTreeMap<AccountId, AccountId>,
    /// Real account → its proxies.
    pub(crate) proxies: BTreeMap<AccountId, Vec<(AccountId, ProxyType)>>,
    pub(crate) lock_last_rao: u64,
    pub(crate) lock_last_block: BlockNumber,
    pub(crate) last_network_registration: Option<BlockNumber>,
    /// The chain's `TotalIssuance`.
    pub(crate) total_issuance: u64,
    /// TAO destroyed without lowering `TotalIssuance` (swap fees with no block author).
    pub(crate) burned_tao: u64,
    /// Cumulative TAO minted by the coinbase.
    pub(crate) minted_tao: u64,
    /// Cumulative TAO recycled (lowering `TotalIssuance`): emission dust, transaction fees,
    /// registration burns.
    pub(crate) recycled_tao: u64,
    pub(crate) share_rule: ShareRuleKind,
    /// (hotkey, coldkey, netuid) that staked or unstaked in block `staking_ops_block`.
    pub(crate) staking_ops_block: BlockNumber,
    pub(crate) staking_ops: BTreeSet<(AccountId, AccountId, NetUid)>,
    /// Index: coldkey → (netuid, hotkey) positions. Derived; rebuilt on restore.
    #[serde(skip)]
    pub(crate) positions: BTreeMap<AccountId, BTreeSet<(NetUid, AccountId)>>,
}

impl State {
    pub(crate) fn rebuild_positions(&mut self) {
        self.positions.clear();
        for (netuid, subnet) in &self.subnets {
            for (hotkey, pool) in &subnet.stakes {
                for coldkey in pool.shares.keys() {
                    self.positions.entry(*coldkey).or_default().insert((*netuid, *hotkey));
                }
            }
        }
    }

    pub(crate) fn free(&self, who: &AccountId) -> u64 {
        self.accounts.get(who).map_or(0, |a| a.free)
    }
}
