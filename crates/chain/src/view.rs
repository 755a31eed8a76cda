//! Read models: what queries return. Plain data, serialisable, amounts in rao (as JSON strings).

use serde::{Deserialize, Serialize};

use crate::call::{AxonInfo, Call, RecycleOrBurn, SubnetIdentity};
use crate::error::DispatchError;
use crate::event::EventRecord;
use crate::primitives::{AccountId, BlockNumber, Hash, NetUid, u64_string};
use crate::tx::SigningContext;

/// A block header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Height.
    pub number: BlockNumber,
    /// This block's hash.
    pub hash: Hash,
    /// The parent's hash.
    pub parent_hash: Hash,
    /// Hash of the runtime state after this block.
    pub state_root: Hash,
    /// Hash of the extrinsics in this block.
    pub extrinsics_root: Hash,
    /// Block timestamp, Unix milliseconds (set by the block producer, like `pallet_timestamp`).
    pub timestamp_ms: u64,
}

/// One extrinsic in a block and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtrinsicRecord {
    /// Index in the block.
    pub index: u32,
    /// Transaction hash.
    pub hash: Hash,
    /// Signer.
    pub signer: AccountId,
    /// Signer's nonce.
    pub nonce: u64,
    /// The call.
    pub call: Call,
    /// Transaction fee charged, TAO rao.
    #[serde(with = "u64_string")]
    pub fee: u64,
    /// `Ok` or the dispatch error.
    pub result: Result<(), DispatchError>,
    /// The extrinsic as Subtensor's `chain_getBlock` carries it: a length-prefixed signed v4
    /// extrinsic (empty where a chain does not say).
    #[serde(default, with = "crate::primitives::bytes_hex")]
    pub encoded: Vec<u8>,
}

/// A block with its extrinsics and events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// Header.
    pub header: Header,
    /// Extrinsics in order.
    pub extrinsics: Vec<ExtrinsicRecord>,
    /// All events of the block in order.
    pub events: Vec<EventRecord>,
}

/// Which block to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockId {
    /// By height.
    Number(BlockNumber),
    /// By hash.
    Hash(Hash),
    /// The best block.
    Head,
    /// The last finalized block.
    Finalized,
}

/// Static facts about a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainInfo {
    /// Chain name, e.g. "taoplex localnet".
    pub name: String,
    /// What a signature must commit to.
    pub signing: SigningContext,
    /// Target block time, milliseconds.
    pub block_time_ms: u64,
    /// How many blocks finality trails the head.
    pub finality_depth: u64,
    /// SS58 prefix of addresses.
    pub ss58_prefix: u16,
    /// Token symbol.
    pub token_symbol: String,
}

/// An account's TAO and nonce.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// Free TAO, rao.
    #[serde(with = "u64_string")]
    pub free: u64,
    /// Reserved TAO (`pallet_balances`' `reserved`: held, not spendable), rao. The localnet
    /// reserves nothing; absent in answers of nodes from before the field (0).
    #[serde(with = "u64_string", default)]
    pub reserved: u64,
    /// Next nonce.
    pub nonce: u64,
}

/// A subnet's hyperparameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hyperparameters {
    /// Blocks per epoch.
    pub tempo: u16,
    /// Swap fee, parts of 65535.
    pub fee_rate: u16,
    /// Blocks between a validator's weight sets.
    pub weights_rate_limit: u64,
    /// Commit–reveal required.
    pub commit_reveal_enabled: bool,
    /// Blocks from commit to reveal.
    pub commit_reveal_period: u64,
    /// Validator permits.
    pub max_allowed_validators: u16,
    /// UIDs.
    pub max_allowed_uids: u16,
    /// New-neuron immunity, blocks.
    pub immunity_period: u16,
    /// Validator activity cutoff, blocks.
    pub activity_cutoff: u16,
    /// κ, parts of 65535.
    pub kappa: u16,
    /// Bonds EMA, parts of 1,000,000.
    pub bonds_moving_average: u64,
    /// Current neuron registration burn, rao.
    #[serde(with = "u64_string")]
    pub burn: u64,
    /// Minimum registration burn, rao.
    #[serde(with = "u64_string")]
    pub min_burn: u64,
    /// Maximum registration burn, rao.
    #[serde(with = "u64_string")]
    pub max_burn: u64,
    /// Owner-hotkey miner incentive: burned or recycled.
    pub recycle_or_burn: RecycleOrBurn,
    /// Stake transfers allowed.
    pub transfer_enabled: bool,
    /// Neuron registration open.
    pub registration_allowed: bool,
    /// Weights version key expected.
    pub weights_version_key: u64,
}

/// A subnet pool's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolInfo {
    /// `SubnetTAO`, rao.
    #[serde(with = "u64_string")]
    pub tao_reserve: u64,
    /// `SubnetAlphaIn`, rao.
    #[serde(with = "u64_string")]
    pub alpha_in: u64,
    /// `SubnetAlphaOut`: alpha held outside the pool (stake and protocol), rao.
    #[serde(with = "u64_string")]
    pub alpha_out: u64,
    /// Spot price, rao per alpha.
    #[serde(with = "u64_string")]
    pub price: u64,
    /// Moving (EMA) price, rao per alpha (floored).
    #[serde(with = "u64_string")]
    pub moving_price: u64,
    /// The curve and its parameters.
    pub curve: dtao::amm::CurveKind,
    /// Swap fee, parts of 65535.
    pub fee_rate: u16,
    /// Cumulative volume, TAO rao.
    #[serde(with = "u128_string")]
    pub volume: u128,
}

/// Everything about one subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetInfo {
    /// Subnet id.
    pub netuid: NetUid,
    /// Name, glyph, links.
    pub identity: SubnetIdentity,
    /// Owner coldkey.
    pub owner_coldkey: AccountId,
    /// Owner hotkey.
    pub owner_hotkey: AccountId,
    /// Block of registration.
    pub registered_at: BlockNumber,
    /// 0 = stable (root), 1 = dynamic.
    pub mechanism: u16,
    /// Emission started at this block (None until `start_call`).
    pub first_emission_block: Option<BlockNumber>,
    /// Pool.
    pub pool: PoolInfo,
    /// Hyperparameters.
    pub hyperparameters: Hyperparameters,
    /// Share of TAO emission in the last block, parts per billion.
    pub emission_share_ppb: u64,
    /// TAO emitted to this subnet in the last block, rao.
    #[serde(with = "u64_string")]
    pub tao_emission: u64,
    /// Fraction of miner incentive the owner's hotkeys took last epoch (burned), parts per billion.
    pub miner_burned_ppb: u64,
    /// Block of the last epoch.
    pub last_epoch_block: BlockNumber,
    /// Registered neurons.
    pub neuron_count: u16,
}

/// One neuron (UID) on a subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeuronInfo {
    /// Subnet.
    pub netuid: NetUid,
    /// UID.
    pub uid: u16,
    /// Hotkey.
    pub hotkey: AccountId,
    /// Coldkey that owns the hotkey.
    pub coldkey: AccountId,
    /// Served endpoint, if any.
    pub axon: Option<AxonInfo>,
    /// Holds a validator permit.
    pub validator_permit: bool,
    /// Alpha staked to the hotkey on this subnet, rao.
    #[serde(with = "u64_string")]
    pub stake: u64,
    /// Incentive last epoch, parts of 65535.
    pub incentive: u16,
    /// Dividends last epoch, parts of 65535.
    pub dividends: u16,
    /// Consensus last epoch, parts of 65535.
    pub consensus: u16,
    /// Alpha earned last epoch, rao.
    #[serde(with = "u64_string")]
    pub emission: u64,
    /// Registration block.
    pub registered_at: BlockNumber,
    /// Block of the last weights set (validators).
    pub last_update: BlockNumber,
}

/// A coldkey's stake on one hotkey and subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakeInfo {
    /// Coldkey.
    pub coldkey: AccountId,
    /// Hotkey.
    pub hotkey: AccountId,
    /// Subnet.
    pub netuid: NetUid,
    /// Alpha, rao.
    #[serde(with = "u64_string")]
    pub alpha: u64,
}

/// A transaction's progress, as `author_submitAndWatchExtrinsic` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TxStatus {
    /// Accepted into the pool.
    Ready {
        /// Transaction hash.
        hash: Hash,
    },
    /// Included in a block; `result` says whether the call succeeded.
    InBlock {
        /// Block height.
        number: BlockNumber,
        /// Block hash.
        block_hash: Hash,
        /// Index in the block.
        index: u32,
        /// The call's result.
        result: Result<(), DispatchError>,
        /// Events of this extrinsic.
        events: Vec<EventRecord>,
    },
    /// Its block is final.
    Finalized {
        /// Block height.
        number: BlockNumber,
        /// Block hash.
        block_hash: Hash,
    },
    /// Dropped from the pool (expired before inclusion).
    Dropped {
        /// Why.
        reason: String,
    },
}

/// Serde helpers carrying `u128` as a decimal string.
pub mod u128_string {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as a string.
    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Parses a string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}
