//! The runtime: the chain's state machine over `dtao`. Pure and synchronous — no clock, no
//! I/O, no threads — so that the same genesis and the same blocks always give the same state
//! and the same state root.
//!
//! API SKELETON — being implemented (see the localnet helper's brief). Signatures are the
//! contract the node, the RPC server and the simulation code against.

use chain::{
    AccountId, AccountInfo, Block, BlockNumber, Call, Hash, NetUid, NeuronInfo, Side,
    SignedTransaction, SigningContext, StakeInfo, SubnetInfo, SwapOutcome, TxValidityError,
};

use crate::genesis::Genesis;

/// Why a genesis cannot start a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid genesis: {0}")]
pub struct GenesisError(pub String);

/// An invariant that failed: money created or lost somewhere.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invariant violated at block {block}: {what}")]
pub struct InvariantViolation {
    /// Block at which it was found.
    pub block: BlockNumber,
    /// What does not add up, with the numbers.
    pub what: String,
}

/// A block the runtime produced, and the transactions it could not include.
#[derive(Debug, Clone)]
pub struct ProducedBlock {
    /// The block with its extrinsic results and events.
    pub block: Block,
    /// Transactions refused at inclusion (e.g. expired while waiting), with the reason.
    pub rejected: Vec<(Hash, TxValidityError)>,
}

/// The chain state machine.
#[derive(Debug, Clone)]
pub struct Runtime {
    _private: (),
}

impl Runtime {
    /// Builds the genesis state. The genesis block is `genesis.start_block`.
    pub fn new(_genesis: &Genesis) -> Result<Self, GenesisError> {
        todo!("runtime")
    }

    /// What signatures must commit to (genesis hash and spec version).
    pub fn signing_context(&self) -> SigningContext {
        todo!("runtime")
    }

    /// The last produced block's header number.
    pub fn block_number(&self) -> BlockNumber {
        todo!("runtime")
    }

    /// The last produced block (the genesis block before any other).
    pub fn head(&self) -> &Block {
        todo!("runtime")
    }

    /// Pool validity check against the next block: signature, nonce (stale; future nonces are
    /// allowed up to the pool's queue), mortality, fee payable.
    pub fn validate(&self, _tx: &SignedTransaction) -> Result<(), TxValidityError> {
        todo!("runtime")
    }

    /// Produces the next block: block initialisation (emission, moving prices, epochs), then
    /// the transactions in order (each one's call failing or succeeding, fee charged either
    /// way), then the state root. Deterministic in (state, txs, timestamp_ms).
    pub fn produce_block(&mut self, _txs: Vec<SignedTransaction>, _timestamp_ms: u64) -> ProducedBlock {
        todo!("runtime")
    }

    /// The state root after the last block.
    pub fn state_root(&self) -> Hash {
        todo!("runtime")
    }

    /// Free TAO and next nonce.
    pub fn account(&self, _who: &AccountId) -> AccountInfo {
        todo!("runtime")
    }

    /// All subnets, root included, by netuid.
    pub fn subnets(&self) -> Vec<SubnetInfo> {
        todo!("runtime")
    }

    /// One subnet.
    pub fn subnet(&self, _netuid: NetUid) -> Option<SubnetInfo> {
        todo!("runtime")
    }

    /// A subnet's neurons by UID.
    pub fn neurons(&self, _netuid: NetUid) -> Option<Vec<NeuronInfo>> {
        todo!("runtime")
    }

    /// A coldkey's stakes.
    pub fn stakes(&self, _coldkey: &AccountId) -> Vec<StakeInfo> {
        todo!("runtime")
    }

    /// What a swap would do now (`sim_swap`).
    pub fn quote(&self, _netuid: NetUid, _side: Side, _amount: u64) -> Result<SwapOutcome, chain::DispatchError> {
        todo!("runtime")
    }

    /// The transaction fee a call would pay.
    pub fn estimate_fee(&self, _call: &Call) -> u64 {
        todo!("runtime")
    }

    /// Total TAO in existence: free balances + stakes' TAO in pools + root stake, as the chain's
    /// `TotalIssuance` counts it.
    pub fn total_issuance(&self) -> u64 {
        todo!("runtime")
    }

    /// Checks that every rao is accounted for (run after every block in tests).
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        todo!("runtime")
    }

    /// Serialises the whole state (for snapshots).
    pub fn snapshot(&self) -> Vec<u8> {
        todo!("runtime")
    }

    /// Restores a snapshot.
    pub fn restore(_bytes: &[u8]) -> Result<Self, GenesisError> {
        todo!("runtime")
    }
}
