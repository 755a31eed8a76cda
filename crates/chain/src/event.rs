//! Events: what happened in a block, with the chain's names and fields (reference §4).
//!
//! Amount conventions are the chain's: `StakeAdded.tao` is the gross TAO including the fee and
//! `fee` is TAO; `StakeRemoved.alpha` is the *net* alpha into the pool (the stake debited is
//! `alpha + fee`) and `fee` is alpha. Cross-subnet moves emit the inner `StakeRemoved` and
//! `StakeAdded` as well as `StakeMoved`/`StakeSwapped`/`StakeTransferred`; an indexer counts one
//! trade per extrinsic.

use parity_scale_codec::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::call::{Hyperparameter, ProxyType};
use crate::error::DispatchError;
use crate::primitives::{AccountId, BlockNumber, Hash, NetUid, u64_string};

/// When in a block an event happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "phase", content = "index", rename_all = "snake_case")]
pub enum Phase {
    /// Block initialisation: coinbase, epochs, moving prices.
    Initialization,
    /// While applying the extrinsic at this index.
    ApplyExtrinsic(u32),
    /// Block finalisation.
    Finalization,
}

/// An event and when it happened.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct EventRecord {
    /// Block number.
    pub block: BlockNumber,
    /// Phase within the block.
    pub phase: Phase,
    /// The event.
    pub event: Event,
}

/// Every event the chain emits.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "event")]
#[non_exhaustive]
pub enum Event {
    /// An extrinsic succeeded.
    ExtrinsicSuccess {
        /// Transaction fee paid, TAO rao.
        #[serde(with = "u64_string")]
        fee: u64,
    },
    /// An extrinsic's call failed (fee still charged).
    ExtrinsicFailed {
        /// Why.
        error: DispatchError,
        /// Transaction fee paid, TAO rao.
        #[serde(with = "u64_string")]
        fee: u64,
    },
    /// Free TAO moved between accounts.
    Transfer {
        /// Sender.
        from: AccountId,
        /// Recipient.
        to: AccountId,
        /// TAO, rao.
        #[serde(with = "u64_string")]
        amount: u64,
    },
    /// TAO staked into a subnet (bought alpha).
    StakeAdded {
        /// Coldkey.
        coldkey: AccountId,
        /// Hotkey.
        hotkey: AccountId,
        /// Gross TAO including the fee, rao.
        #[serde(with = "u64_string")]
        tao: u64,
        /// Alpha credited, rao.
        #[serde(with = "u64_string")]
        alpha: u64,
        /// Subnet.
        netuid: NetUid,
        /// Swap fee, TAO rao.
        #[serde(with = "u64_string")]
        fee: u64,
    },
    /// Stake removed from a subnet (sold alpha).
    StakeRemoved {
        /// Coldkey.
        coldkey: AccountId,
        /// Hotkey.
        hotkey: AccountId,
        /// TAO paid to the coldkey, rao.
        #[serde(with = "u64_string")]
        tao: u64,
        /// Net alpha into the pool, rao (stake debited = alpha + fee).
        #[serde(with = "u64_string")]
        alpha: u64,
        /// Subnet.
        netuid: NetUid,
        /// Swap fee, alpha rao.
        #[serde(with = "u64_string")]
        fee: u64,
    },
    /// Stake moved between hotkeys and/or subnets.
    StakeMoved {
        /// Coldkey.
        coldkey: AccountId,
        /// Hotkey left.
        origin_hotkey: AccountId,
        /// Subnet left.
        origin_netuid: NetUid,
        /// Hotkey entered.
        destination_hotkey: AccountId,
        /// Subnet entered.
        destination_netuid: NetUid,
        /// TAO value moved, rao.
        #[serde(with = "u64_string")]
        tao: u64,
    },
    /// Stake given to another coldkey.
    StakeTransferred {
        /// Giving coldkey.
        origin_coldkey: AccountId,
        /// Receiving coldkey.
        destination_coldkey: AccountId,
        /// Hotkey.
        hotkey: AccountId,
        /// Subnet left.
        origin_netuid: NetUid,
        /// Subnet entered.
        destination_netuid: NetUid,
        /// TAO value moved, rao.
        #[serde(with = "u64_string")]
        tao: u64,
    },
    /// Stake swapped between subnets on one hotkey.
    StakeSwapped {
        /// Coldkey.
        coldkey: AccountId,
        /// Hotkey.
        hotkey: AccountId,
        /// Subnet left.
        origin_netuid: NetUid,
        /// Subnet entered.
        destination_netuid: NetUid,
        /// TAO value moved, rao.
        #[serde(with = "u64_string")]
        tao: u64,
    },
    /// A subnet was registered.
    NetworkAdded {
        /// Subnet.
        netuid: NetUid,
        /// 0 = stable (root), 1 = dynamic.
        mechanism: u16,
        /// Owner coldkey.
        owner: AccountId,
        /// Lock paid, TAO rao.
        #[serde(with = "u64_string")]
        lock_cost: u64,
    },
    /// A subnet was dissolved (its slot reused).
    NetworkRemoved {
        /// Subnet.
        netuid: NetUid,
    },
    /// The owner started emission.
    FirstEmissionBlockNumberSet {
        /// Subnet.
        netuid: NetUid,
        /// First emitting block.
        block: BlockNumber,
    },
    /// The subnet identity changed.
    SubnetIdentitySet {
        /// Subnet.
        netuid: NetUid,
    },
    /// An owner changed a hyperparameter.
    HyperparameterSet {
        /// Subnet.
        netuid: NetUid,
        /// New value.
        param: Hyperparameter,
    },
    /// A neuron registered (possibly replacing a pruned one at the same UID).
    NeuronRegistered {
        /// Subnet.
        netuid: NetUid,
        /// Its UID.
        uid: u16,
        /// Its hotkey.
        hotkey: AccountId,
        /// TAO burned to register, rao.
        #[serde(with = "u64_string")]
        burn: u64,
    },
    /// A neuron was pruned to make room.
    NeuronDeregistered {
        /// Subnet.
        netuid: NetUid,
        /// Its UID.
        uid: u16,
        /// Its hotkey.
        hotkey: AccountId,
    },
    /// A neuron served its axon.
    AxonServed {
        /// Subnet.
        netuid: NetUid,
        /// Hotkey.
        hotkey: AccountId,
    },
    /// A validator set weights.
    WeightsSet {
        /// Subnet.
        netuid: NetUid,
        /// Validator UID.
        uid: u16,
    },
    /// A validator committed weights.
    WeightsCommitted {
        /// Subnet.
        netuid: NetUid,
        /// Hotkey.
        hotkey: AccountId,
        /// Commit hash.
        commit_hash: Hash,
    },
    /// A validator revealed weights.
    WeightsRevealed {
        /// Subnet.
        netuid: NetUid,
        /// Hotkey.
        hotkey: AccountId,
    },
    /// An epoch ran and distributed alpha.
    EpochCompleted {
        /// Subnet.
        netuid: NetUid,
        /// Alpha to miners, rao.
        #[serde(with = "u64_string")]
        incentive: u64,
        /// Alpha to validators and their nominators, rao.
        #[serde(with = "u64_string")]
        dividends: u64,
        /// Alpha to the owner's hotkey (owner cut), rao.
        #[serde(with = "u64_string")]
        owner_cut: u64,
        /// Miner incentive withheld from the owner's own hotkeys (burned or recycled), rao.
        #[serde(with = "u64_string")]
        owner_miner_burned: u64,
    },
    /// Alpha was burned (issuance unchanged).
    AlphaBurned {
        /// Subnet.
        netuid: NetUid,
        /// Alpha, rao.
        #[serde(with = "u64_string")]
        amount: u64,
    },
    /// Alpha was recycled (issuance reduced).
    AlphaRecycled {
        /// Subnet.
        netuid: NetUid,
        /// Alpha, rao.
        #[serde(with = "u64_string")]
        amount: u64,
    },
    /// A proxy was added.
    ProxyAdded {
        /// The account acted for.
        real: AccountId,
        /// The proxy.
        delegate: AccountId,
        /// Its permissions.
        proxy_type: ProxyType,
    },
    /// A proxy was removed.
    ProxyRemoved {
        /// The account acted for.
        real: AccountId,
        /// The proxy.
        delegate: AccountId,
        /// Its permissions.
        proxy_type: ProxyType,
    },
    /// A proxied call ran (its result; the outer extrinsic succeeds either way, as on chain).
    ProxyExecuted {
        /// The inner call's result.
        result: Result<(), DispatchError>,
    },
    /// An MEV-shielded (encrypted) transaction was accepted into a block (Subtensor's
    /// `MevShield.EncryptedSubmitted`); the decrypted inner transaction follows in the same
    /// block with its own events.
    EncryptedSubmitted {
        /// The wrapper's id (a hash).
        id: Hash,
        /// Who submitted it.
        who: AccountId,
    },
}

impl Event {
    /// The event's name, e.g. `"StakeAdded"`.
    pub fn name(&self) -> &'static str {
        match self {
            Event::ExtrinsicSuccess { .. } => "ExtrinsicSuccess",
            Event::ExtrinsicFailed { .. } => "ExtrinsicFailed",
            Event::Transfer { .. } => "Transfer",
            Event::StakeAdded { .. } => "StakeAdded",
            Event::StakeRemoved { .. } => "StakeRemoved",
            Event::StakeMoved { .. } => "StakeMoved",
            Event::StakeTransferred { .. } => "StakeTransferred",
            Event::StakeSwapped { .. } => "StakeSwapped",
            Event::NetworkAdded { .. } => "NetworkAdded",
            Event::NetworkRemoved { .. } => "NetworkRemoved",
            Event::FirstEmissionBlockNumberSet { .. } => "FirstEmissionBlockNumberSet",
            Event::SubnetIdentitySet { .. } => "SubnetIdentitySet",
            Event::HyperparameterSet { .. } => "HyperparameterSet",
            Event::NeuronRegistered { .. } => "NeuronRegistered",
            Event::NeuronDeregistered { .. } => "NeuronDeregistered",
            Event::AxonServed { .. } => "AxonServed",
            Event::WeightsSet { .. } => "WeightsSet",
            Event::WeightsCommitted { .. } => "WeightsCommitted",
            Event::WeightsRevealed { .. } => "WeightsRevealed",
            Event::EpochCompleted { .. } => "EpochCompleted",
            Event::AlphaBurned { .. } => "AlphaBurned",
            Event::AlphaRecycled { .. } => "AlphaRecycled",
            Event::ProxyAdded { .. } => "ProxyAdded",
            Event::ProxyRemoved { .. } => "ProxyRemoved",
            Event::ProxyExecuted { .. } => "ProxyExecuted",
            Event::EncryptedSubmitted { .. } => "EncryptedSubmitted",
        }
    }
}
