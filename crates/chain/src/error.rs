//! Errors: why a transaction was refused, why a dispatched call failed, why a client failed.

use parity_scale_codec::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::primitives::{BlockNumber, Hash, NetUid};

/// Why a transaction never made it into a block (the pool's validity check). Nothing is
/// charged for these.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", content = "details", rename_all = "PascalCase")]
#[non_exhaustive]
pub enum TxValidityError {
    /// The signature does not verify for the signer and payload.
    #[error(
        "BadProof: the signature does not match the signer and the transaction; sign it again with the right key"
    )]
    BadProof,
    /// The nonce was already used.
    #[error("Stale: nonce {got} was already used; the account's next nonce is {expected}")]
    Stale {
        /// The transaction's nonce.
        got: u64,
        /// The account's next nonce.
        expected: u64,
    },
    /// The nonce is ahead of the account's next nonce by more than the pool accepts.
    #[error("Future: nonce {got} is ahead of the account's next nonce {expected}")]
    Future {
        /// The transaction's nonce.
        got: u64,
        /// The account's next nonce.
        expected: u64,
    },
    /// The mortality window has passed.
    #[error(
        "Outdated: the transaction was valid until block {valid_until}, and the chain is at {now}; sign it again"
    )]
    Outdated {
        /// Last block the transaction was valid in.
        valid_until: BlockNumber,
        /// The current block.
        now: BlockNumber,
    },
    /// The mortality window starts in the future or names a block that does not exist.
    #[error("AncientBirthBlock: the transaction's birth block {birth} is not a known block")]
    AncientBirthBlock {
        /// The claimed birth block.
        birth: BlockNumber,
    },
    /// The signer cannot pay the transaction fee.
    #[error("Payment: the account holds {free} rao but the fee is {fee} rao")]
    Payment {
        /// Free balance.
        free: u64,
        /// Fee due.
        fee: u64,
    },
    /// The same transaction is already in the pool or a block.
    #[error("AlreadyImported: this exact transaction was already submitted")]
    AlreadyImported,
    /// Signed for another chain (genesis hash or runtime version differ).
    #[error("BadSigningContext: the transaction was signed for another chain or runtime version")]
    BadSigningContext,
    /// The pool is full.
    #[error("ExhaustsResources: the transaction pool is full; try again shortly")]
    ExhaustsResources,
    /// Bytes that do not decode as a transaction.
    #[error("Malformed: {0}")]
    Malformed(String),
    /// The call would certainly fail, so the pool refuses it before inclusion and no fee is
    /// charged — Subtensor's transaction extension does this for staking calls (e.g. a
    /// fill-or-kill limit order that cannot fill: `SlippageTooHigh`).
    #[error("refused before inclusion, nothing charged: {0}")]
    Custom(DispatchError),
}

/// Why a call failed inside a block. The transaction fee is still charged and the nonce used,
/// but the call changes nothing else. Names are Subtensor's error names.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", content = "details", rename_all = "PascalCase")]
#[non_exhaustive]
pub enum DispatchError {
    /// Not enough free TAO for the transfer or stake.
    #[error("InsufficientBalance: the account has {free} rao free, {needed} rao are needed")]
    InsufficientBalance {
        /// Free TAO.
        free: u64,
        /// TAO needed.
        needed: u64,
    },
    /// A transfer would leave the sender below the existential deposit.
    #[error("KeepAlive: the transfer would leave less than the existential deposit of 500 rao")]
    KeepAlive,
    /// The subnet does not exist.
    #[error("SubnetNotExists: subnet {netuid} does not exist")]
    SubnetNotExists {
        /// The subnet.
        netuid: NetUid,
    },
    /// The subnet's token is not enabled yet (the owner has not called `start_call`).
    #[error("SubtokenDisabled: subnet {netuid} has not started; its owner must call start_call")]
    SubtokenDisabled {
        /// The subnet.
        netuid: NetUid,
    },
    /// The hotkey is not a registered account.
    #[error("HotKeyAccountNotExists: the hotkey is not registered on any subnet")]
    HotKeyAccountNotExists,
    /// The hotkey is not registered on this subnet.
    #[error("HotKeyNotRegisteredInSubNet: the hotkey has no UID on subnet {netuid}")]
    HotKeyNotRegisteredInSubNet {
        /// The subnet.
        netuid: NetUid,
    },
    /// Below the minimum stake (0.002 TAO) or otherwise too small.
    #[error("AmountTooLow: {amount} rao is below the minimum of {minimum} rao")]
    AmountTooLow {
        /// The amount.
        amount: u64,
        /// The minimum.
        minimum: u64,
    },
    /// Not enough stake to remove, move or swap.
    #[error(
        "NotEnoughStakeToWithdraw: the position holds {available} alpha rao, {requested} were requested"
    )]
    NotEnoughStakeToWithdraw {
        /// Stake held.
        available: u64,
        /// Stake requested.
        requested: u64,
    },
    /// One staking operation per (hotkey, coldkey, subnet) per block.
    #[error(
        "StakingOperationRateLimitExceeded: one staking operation per hotkey, coldkey and subnet per block; wait for the next block"
    )]
    StakingOperationRateLimitExceeded,
    /// A swap error from the pool (`SwapInputTooLarge`, `ReservesTooLow`, `PriceLimitExceeded`,
    /// `InsufficientLiquidity`, `SlippageTooHigh`, `OutsideDomain`).
    #[error("{0}")]
    Swap(SwapFailure),
    /// The signer is not the subnet owner.
    #[error("NotSubnetOwner: only the owner of subnet {netuid} may do this")]
    NotSubnetOwner {
        /// The subnet.
        netuid: NetUid,
    },
    /// A hyperparameter value out of range.
    #[error("InvalidHyperparameter: {name} = {value} is out of range")]
    InvalidHyperparameter {
        /// Parameter name.
        name: String,
        /// The rejected value.
        value: String,
    },
    /// Registration of networks is rate limited.
    #[error(
        "NetworkTxRateLimitExceeded: another subnet was registered too recently; wait {blocks_left} blocks"
    )]
    NetworkTxRateLimitExceeded {
        /// Blocks until allowed.
        blocks_left: u64,
    },
    /// `start_call` too early or twice.
    #[error("FirstEmissionBlockNumberAlreadySet: emission has already started on subnet {netuid}")]
    FirstEmissionBlockNumberAlreadySet {
        /// The subnet.
        netuid: NetUid,
    },
    /// The subnet is full and nothing can be pruned.
    #[error("NoNeuronIdAvailable: subnet {netuid} is full")]
    NoNeuronIdAvailable {
        /// The subnet.
        netuid: NetUid,
    },
    /// The hotkey already has a UID here.
    #[error("HotKeyAlreadyRegisteredInSubNet: the hotkey already has a UID on subnet {netuid}")]
    HotKeyAlreadyRegisteredInSubNet {
        /// The subnet.
        netuid: NetUid,
    },
    /// The hotkey belongs to another coldkey.
    #[error("NonAssociatedColdKey: the hotkey belongs to another coldkey")]
    NonAssociatedColdKey,
    /// Neuron registration is closed on this subnet.
    #[error("SubNetRegistrationDisabled: registration is closed on subnet {netuid}")]
    SubNetRegistrationDisabled {
        /// The subnet.
        netuid: NetUid,
    },
    /// `set_weights` while the subnet requires commit–reveal.
    #[error("CommitRevealEnabled: subnet {netuid} requires commit_weights then reveal_weights")]
    CommitRevealEnabled {
        /// The subnet.
        netuid: NetUid,
    },
    /// Commit–reveal is off, so there is nothing to commit or reveal.
    #[error("CommitRevealDisabled: subnet {netuid} takes set_weights directly")]
    CommitRevealDisabled {
        /// The subnet.
        netuid: NetUid,
    },
    /// Weights set again before the rate limit passed.
    #[error("SettingWeightsTooFast: wait {blocks_left} more blocks before setting weights again")]
    SettingWeightsTooFast {
        /// Blocks until allowed.
        blocks_left: u64,
    },
    /// UIDs and weights differ in length, repeat, or name missing UIDs.
    #[error("InvalidWeights: {0}")]
    InvalidWeights(String),
    /// The weights version key is older than the subnet's.
    #[error("IncorrectWeightVersionKey: the subnet expects version key {expected}")]
    IncorrectWeightVersionKey {
        /// The subnet's key.
        expected: u64,
    },
    /// The validator lacks a permit or stake to set weights.
    #[error("NotEnoughStakeToSetWeights: this hotkey needs a validator permit on subnet {netuid}")]
    NotEnoughStakeToSetWeights {
        /// The subnet.
        netuid: NetUid,
    },
    /// A reveal that matches no commit, or comes outside its window.
    #[error("InvalidRevealCommitHashNotMatch: no commit matches this reveal")]
    InvalidReveal,
    /// Stake transfers are disabled on this subnet.
    #[error("TransferDisallowed: stake transfers are disabled on subnet {netuid}")]
    TransferDisallowed {
        /// The subnet.
        netuid: NetUid,
    },
    /// The signer is not a proxy of the real account (of a type that permits this call).
    #[error("NotProxy: the signer is not a proxy of that account")]
    NotProxy,
    /// The proxy's type does not permit this call.
    #[error("CallFiltered: a {proxy_type} proxy may not call {call}")]
    CallFiltered {
        /// The proxy type, snake-case.
        proxy_type: String,
        /// The call's name.
        call: String,
    },
    /// The proxy already exists.
    #[error("Duplicate: that proxy already exists")]
    DuplicateProxy,
    /// The subnet limit is reached and no subnet may be pruned.
    #[error("SubnetLimitReached: all subnet slots are taken")]
    SubnetLimitReached,
    /// A transfer would create an account below the existential deposit.
    #[error(
        "ExistentialDeposit: the recipient would hold less than the existential deposit of {minimum} rao; send more"
    )]
    ExistentialDeposit {
        /// The existential deposit, rao.
        minimum: u64,
    },
    /// `start_call` before the subnet's waiting period is over.
    #[error("NeedWaitingMoreBlocksToStarCall: wait {blocks_left} more blocks before start_call")]
    NeedWaitingMoreBlocksToStarCall {
        /// Blocks until allowed.
        blocks_left: u64,
    },
    /// An axon with a bad address, port or IP type.
    #[error("InvalidAxon: {reason}")]
    InvalidAxon {
        /// What is wrong.
        reason: String,
    },
    /// An arithmetic overflow the chain would also refuse.
    #[error("Overflow: the amounts overflow")]
    Overflow,
    /// A leg of a `BatchAll` failed, so none of its legs applied (Subtensor's `batch_all`
    /// fails with the leg's own error; the local chain adds which leg).
    #[error("BatchInterrupted: leg {} of the batch failed, so nothing was done: {error}", .index + 1)]
    BatchInterrupted {
        /// The failed leg, counted from 0 (leg 1 is index 0), as `Utility.BatchInterrupted`.
        index: u32,
        /// Its error.
        error: Box<DispatchError>,
    },
    /// A batch that breaks the batch rules: empty, too many legs, or a batch inside a batch.
    #[error("InvalidBatch: {reason}")]
    InvalidBatch {
        /// What is wrong.
        reason: String,
    },
    /// A live chain's named error with no typed variant here (`pallet.name`, e.g.
    /// `SubtensorModule.DelegateTakeTooHigh`).
    #[error("{pallet}.{name}: {description}")]
    Module {
        /// The pallet.
        pallet: String,
        /// The error's name.
        name: String,
        /// The chain's description of it (its doc comment), or the name.
        description: String,
    },
}

/// A pool error as carried in a [`DispatchError`]: the chain's swap error names.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize, thiserror::Error,
)]
#[non_exhaustive]
pub enum SwapFailure {
    /// Net input above 1000 × the input reserve.
    #[error("SwapInputTooLarge: the trade is over 1000 times the pool's reserve; split it")]
    SwapInputTooLarge,
    /// The pool cannot pay out.
    #[error("ReservesTooLow: the pool's reserves are too low for this trade")]
    ReservesTooLow,
    /// The price is already past the limit.
    #[error("PriceLimitExceeded: the price is already past your limit")]
    PriceLimitExceeded,
    /// The output exceeds the reserve.
    #[error("InsufficientLiquidity: the pool does not hold enough to pay this trade")]
    InsufficientLiquidity,
    /// Fill-or-kill could not fill within the limit.
    #[error(
        "SlippageTooHigh: the price would move past your limit; allow a partial fill or raise the limit"
    )]
    SlippageTooHigh,
    /// The curve cannot take a trade this large.
    #[error("OutsideDomain: the trade is too large for this pool")]
    OutsideDomain,
}

impl From<dtao::amm::SwapError> for SwapFailure {
    fn from(e: dtao::amm::SwapError) -> Self {
        use dtao::amm::SwapError as E;
        match e {
            E::SwapInputTooLarge { .. } => SwapFailure::SwapInputTooLarge,
            E::ReservesTooLow => SwapFailure::ReservesTooLow,
            E::PriceLimitExceeded { .. } => SwapFailure::PriceLimitExceeded,
            E::InsufficientLiquidity => SwapFailure::InsufficientLiquidity,
            E::SlippageTooHigh { .. } => SwapFailure::SlippageTooHigh,
            E::OutsideDomain => SwapFailure::OutsideDomain,
        }
    }
}

impl From<dtao::amm::SwapError> for DispatchError {
    fn from(e: dtao::amm::SwapError) -> Self {
        DispatchError::Swap(e.into())
    }
}

/// What can go wrong talking to a chain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The transaction was refused before inclusion.
    #[error("transaction refused: {0}")]
    Invalid(#[from] TxValidityError),
    /// The connection failed.
    #[error("cannot reach the chain at {endpoint}: {reason}")]
    Transport {
        /// The endpoint.
        endpoint: String,
        /// What failed.
        reason: String,
    },
    /// A quote failed: the trade would fail in a block with this error (a
    /// [`DispatchError::Swap`], or e.g. [`DispatchError::SubnetNotExists`]).
    #[error("the quote failed: {0}")]
    Quote(DispatchError),
    /// The node failed at its own work (storage, block log, genesis), not at the request.
    #[error("the node failed: {0}")]
    Node(NodeFailure),
    /// The node answered with a JSON-RPC error that has no typed variant here (an unknown
    /// method, bad parameters, a limit).
    #[error("the node refused the request ({code}): {message}")]
    Rpc {
        /// JSON-RPC error code.
        code: i64,
        /// Its message.
        message: String,
    },
    /// The node answered with something that does not decode.
    #[error("unexpected answer from the node: {0}")]
    Decode(String),
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The node is shutting down or the subscription ended.
    #[error("the chain connection closed")]
    Closed,
}

/// How a node failed at its own work, as a [`ChainError::Node`]: typed so that it crosses the
/// JSON-RPC boundary (in the error's `data`) unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "failure", content = "details", rename_all = "PascalCase")]
#[non_exhaustive]
pub enum NodeFailure {
    /// Reading or writing the data directory failed.
    #[error("{path}: {reason}")]
    Io {
        /// The file or directory.
        path: String,
        /// The operating system's error.
        reason: String,
    },
    /// The genesis cannot start a chain.
    #[error("the genesis cannot start a chain: {reason}")]
    Genesis {
        /// What is wrong with it.
        reason: String,
    },
    /// The data directory holds another chain.
    #[error(
        "{dir} holds a chain with a different genesis; use another --data-dir, or remove it to start over"
    )]
    GenesisMismatch {
        /// The data directory.
        dir: String,
    },
    /// Another node runs on the data directory.
    #[error("{dir} is in use by another node; stop it or use another --data-dir")]
    Locked {
        /// The data directory.
        dir: String,
    },
    /// A file in the data directory is damaged.
    #[error("{path}: {what}")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong.
        what: String,
    },
    /// Replaying the block log did not reproduce the logged state root.
    #[error(
        "replaying block {number} gave state root {got}, but the log recorded {expected}; start a new --data-dir"
    )]
    ReplayDiverged {
        /// Block number.
        number: BlockNumber,
        /// Logged root.
        expected: Hash,
        /// Computed root.
        got: Hash,
    },
}

/// Result of a [`crate::Chain`] call.
pub type ChainResult<T> = Result<T, ChainError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_shape_round_trips_through_json() {
        let dispatch = [
            DispatchError::Swap(SwapFailure::SlippageTooHigh),
            DispatchError::InvalidWeights("uids repeat".into()),
            DispatchError::SubnetNotExists { netuid: 3 },
            DispatchError::Overflow,
            DispatchError::BatchInterrupted {
                index: 2,
                error: Box::new(DispatchError::Swap(SwapFailure::SlippageTooHigh)),
            },
            DispatchError::InvalidBatch { reason: "empty".into() },
        ];
        for e in dispatch {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<DispatchError>(&json).unwrap(), e, "{json}");
        }
        let validity = [
            TxValidityError::BadProof,
            TxValidityError::Stale { got: 1, expected: 2 },
            TxValidityError::Malformed("not hex".into()),
            TxValidityError::Custom(DispatchError::Swap(SwapFailure::SlippageTooHigh)),
        ];
        for e in validity {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<TxValidityError>(&json).unwrap(), e, "{json}");
        }
    }
}
