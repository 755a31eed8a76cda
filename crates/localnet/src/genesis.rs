//! Genesis: the chain's starting state, as data.
//!
//! A [`Genesis`] is plain serialisable data (a genesis file is its JSON); [`Genesis::generate`]
//! builds the default one from a seed (see `genesis/generate.rs`), and the runtime starts from
//! either. Accounts that the market simulation drives are derived from secret URIs recorded
//! here, so a run can be reproduced from the file alone.

use chain::{AccountId, AxonInfo, BlockNumber, Hyperparameters, NetUid, SubnetIdentity};
use serde::{Deserialize, Serialize};

pub(crate) mod dmath;
mod generate;
mod names;

pub(crate) use names::glyph;

pub use generate::{
    BLOCKS_PER_DAY, DEV_ACCOUNTS, GenesisOptions, TAO, generate, new_subnet_hyperparameters,
};

/// The starting state of a localnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    /// Chain name shown to clients.
    pub chain_name: String,
    /// Seed of everything random (simulation, generated names); same seed, same run.
    pub seed: u64,
    /// Runtime version; part of the signing context.
    pub spec_version: u32,
    /// Height of the genesis block. Mainnet-like ages need subnets registered "before" it.
    pub start_block: BlockNumber,
    /// Timestamp of the genesis block, Unix ms.
    pub timestamp_ms: u64,
    /// Chain-wide parameters.
    pub params: ChainParams,
    /// Free TAO balances.
    pub accounts: Vec<GenesisAccount>,
    /// Root (subnet 0) stakes, TAO rao (1:1 on the stable mechanism).
    pub root_stakes: Vec<GenesisStake>,
    /// Dynamic subnets (netuid ≥ 1).
    pub subnets: Vec<GenesisSubnet>,
    /// Secret URIs of accounts the simulation signs for (never funds of real users).
    pub sim_accounts: Vec<SimAccount>,
}

/// Chain-wide parameters (Subtensor storage values with their runtime defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainParams {
    /// `TaoWeight`, parts of `u64::MAX` (default ≈ 0.18 for taoplex; mainnet reads it from chain).
    pub tao_weight: u64,
    /// `SubnetOwnerCut`, parts of 65535 (11796 ≈ 18 %).
    pub subnet_owner_cut: u16,
    /// `DefaultMinStake`, rao (2,000,000 = 0.002 TAO).
    pub min_stake: u64,
    /// Existential deposit, rao (500).
    pub existential_deposit: u64,
    /// Base transaction fee, rao.
    pub tx_fee_base: u64,
    /// Transaction fee per encoded byte, rao.
    pub tx_fee_per_byte: u64,
    /// Finality trails the head by this many blocks.
    pub finality_depth: u64,
    /// Subnet registration lock: minimum, rao.
    pub min_lock: u64,
    /// Subnet registration lock: linear decay interval, blocks.
    pub lock_reduction_interval: u64,
    /// Blocks between subnet registrations.
    pub network_rate_limit: u64,
    /// Maximum subnets (excluding root).
    pub subnet_limit: u16,
    /// Blocks a new subnet cannot be pruned.
    pub network_immunity_period: u64,
    /// `EMAPriceHalvingBlocks`.
    pub ema_price_halving_blocks: u64,
    /// Blocks a subnet must wait after registration before `start_call`.
    pub start_call_delay: u64,
    /// Block author credited with swap fees; `None` burns them (a chain without Aura).
    #[serde(default)]
    pub block_author: Option<AccountId>,
}

impl Default for ChainParams {
    fn default() -> Self {
        Self {
            tao_weight: u64::MAX / 100 * 18,
            subnet_owner_cut: 11_796,
            min_stake: 2_000_000,
            existential_deposit: 500,
            tx_fee_base: 100_000,
            tx_fee_per_byte: 100,
            finality_depth: 2,
            min_lock: 1_000_000_000_000,
            lock_reduction_interval: 28_800,
            network_rate_limit: 7_200,
            subnet_limit: 128,
            network_immunity_period: 864_000,
            ema_price_halving_blocks: 201_600,
            start_call_delay: 0,
            block_author: None,
        }
    }
}

/// A funded account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisAccount {
    /// Coldkey.
    pub account: AccountId,
    /// Free TAO, rao.
    #[serde(with = "chain::u64_string")]
    pub free: u64,
}

/// Stake held by a coldkey on a hotkey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisStake {
    /// Coldkey.
    pub coldkey: AccountId,
    /// Hotkey.
    pub hotkey: AccountId,
    /// Alpha (TAO on root), rao.
    #[serde(with = "chain::u64_string")]
    pub amount: u64,
}

/// A neuron registered at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisNeuron {
    /// Hotkey.
    pub hotkey: AccountId,
    /// Owning coldkey.
    pub coldkey: AccountId,
    /// Served endpoint.
    pub axon: Option<AxonInfo>,
    /// Registration block (≤ start_block).
    pub registered_at: BlockNumber,
}

/// A subnet at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisSubnet {
    /// Subnet id (≥ 1).
    pub netuid: NetUid,
    /// Name, glyph, links.
    pub identity: SubnetIdentity,
    /// Owner coldkey.
    pub owner_coldkey: AccountId,
    /// Owner hotkey (registered as UID 0).
    pub owner_hotkey: AccountId,
    /// Registration block (≤ start_block).
    pub registered_at: BlockNumber,
    /// `start_call` block, if emission has started.
    pub first_emission_block: Option<BlockNumber>,
    /// `SubnetTAO`, rao.
    #[serde(with = "chain::u64_string")]
    pub tao_reserve: u64,
    /// `SubnetAlphaIn`, rao.
    #[serde(with = "chain::u64_string")]
    pub alpha_in: u64,
    /// `SubnetMovingPrice`, rao per alpha.
    #[serde(with = "chain::u64_string")]
    pub moving_price: u64,
    /// Hyperparameters.
    pub hyperparameters: Hyperparameters,
    /// Neurons besides the owner's hotkey, in UID order from 1.
    pub neurons: Vec<GenesisNeuron>,
    /// Alpha stakes; `SubnetAlphaOut` is their sum.
    pub stakes: Vec<GenesisStake>,
}

/// A simulated market participant: its role and the secret URI of its coldkey (and hotkey).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimAccount {
    /// What the agent does.
    pub role: SimRole,
    /// Secret URI of the coldkey, e.g. `//taoplex/sim/noise/3`.
    pub coldkey_uri: String,
    /// Secret URI of the hotkey, for neurons.
    pub hotkey_uri: Option<String>,
    /// The subnet a neuron or owner acts on.
    pub netuid: Option<NetUid>,
}

/// Roles of simulated participants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimRole {
    /// Random small buys and sells.
    Noise,
    /// Follows recent price moves.
    Momentum,
    /// Rare very large trades.
    Whale,
    /// A miner selling its emission.
    Miner,
    /// A validator setting weights and selling part of its dividends.
    Validator,
    /// A subnet owner (one of them starts burning miner emission partway).
    Owner,
}
