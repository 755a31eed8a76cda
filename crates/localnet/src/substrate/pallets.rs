//! The pallets localnet serves, as Subtensor's runtime declares them: pallet `Call`, `Event`
//! and `Error` enums with the real variant names and indices, and the outer `RuntimeCall`,
//! `RuntimeEvent` and `RuntimeError` with the real pallet indices. Only what localnet implements
//! is declared (a subset of the real variants, each at its real index).
#![allow(non_camel_case_types, missing_docs)]

use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use super::types::{AccountId32, DispatchError, DispatchEventInfo, H256, MultiAddress};

/// `BoundedVec<T, S>`: a `Vec` with a length bound the metadata does not show.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct BoundedVec<T>(pub Vec<T>);

/// Pallet indices on Subtensor (spec 393).
pub mod index {
    /// `System`.
    pub const SYSTEM: u8 = 0;
    /// `Timestamp`.
    pub const TIMESTAMP: u8 = 2;
    /// `Aura`.
    pub const AURA: u8 = 3;
    /// `Balances`.
    pub const BALANCES: u8 = 5;
    /// `TransactionPayment`.
    pub const TRANSACTION_PAYMENT: u8 = 6;
    /// `SubtensorModule`.
    pub const SUBTENSOR: u8 = 7;
    /// `Utility`.
    pub const UTILITY: u8 = 11;
    /// `Proxy`.
    pub const PROXY: u8 = 16;
    /// `AdminUtils`.
    pub const ADMIN_UTILS: u8 = 19;
    /// `Swap`.
    pub const SWAP: u8 = 28;
    /// `Commitments`.
    pub const COMMITMENTS: u8 = 18;
    /// `MevShield`.
    pub const MEV_SHIELD: u8 = 30;
}

/// `frame_system`.
pub mod system {
    use super::*;

    /// Calls.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Call {
        #[codec(index = 0)]
        remark { remark: Vec<u8> },
        #[codec(index = 7)]
        remark_with_event { remark: Vec<u8> },
    }

    /// Events.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Event {
        #[codec(index = 0)]
        ExtrinsicSuccess { dispatch_info: DispatchEventInfo },
        #[codec(index = 1)]
        ExtrinsicFailed { dispatch_error: DispatchError, dispatch_info: DispatchEventInfo },
        #[codec(index = 3)]
        NewAccount { account: AccountId32 },
        #[codec(index = 4)]
        KilledAccount { account: AccountId32 },
    }

    /// The pallet's errors (`ModuleError.error[0]` is the index).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
    #[allow(missing_docs)]
    pub enum Error {
        #[codec(index = 0)]
        InvalidSpecName,
        #[codec(index = 1)]
        SpecVersionNeedsToIncrease,
        #[codec(index = 2)]
        FailedToExtractRuntimeVersion,
        #[codec(index = 3)]
        NonDefaultComposite,
        #[codec(index = 4)]
        NonZeroRefCount,
        #[codec(index = 5)]
        CallFiltered,
        #[codec(index = 6)]
        MultiBlockMigrationsOngoing,
        #[codec(index = 7)]
        NothingAuthorized,
        #[codec(index = 8)]
        Unauthorized,
    }
}

/// `pallet_timestamp`.
pub mod timestamp {
    use super::*;

    /// Calls.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Call {
        #[codec(index = 0)]
        set {
            #[codec(compact)]
            now: u64,
        },
    }
}

/// `pallet_balances`.
pub mod balances {
    use super::*;

    /// Calls.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Call {
        #[codec(index = 0)]
        transfer_allow_death {
            dest: MultiAddress,
            #[codec(compact)]
            value: u64,
        },
        #[codec(index = 3)]
        transfer_keep_alive {
            dest: MultiAddress,
            #[codec(compact)]
            value: u64,
        },
        #[codec(index = 4)]
        transfer_all { dest: MultiAddress, keep_alive: bool },
    }

    /// Events.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Event {
        #[codec(index = 0)]
        Endowed { account: AccountId32, free_balance: u64 },
        #[codec(index = 2)]
        Transfer { from: AccountId32, to: AccountId32, amount: u64 },
        #[codec(index = 7)]
        Deposit { who: AccountId32, amount: u64 },
        #[codec(index = 8)]
        Withdraw { who: AccountId32, amount: u64 },
    }

    /// The pallet's errors (`ModuleError.error[0]` is the index).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
    #[allow(missing_docs)]
    pub enum Error {
        #[codec(index = 0)]
        VestingBalance,
        #[codec(index = 1)]
        LiquidityRestrictions,
        #[codec(index = 2)]
        InsufficientBalance,
        #[codec(index = 3)]
        ExistentialDeposit,
        #[codec(index = 4)]
        Expendability,
        #[codec(index = 5)]
        ExistingVestingSchedule,
        #[codec(index = 6)]
        DeadAccount,
        #[codec(index = 7)]
        TooManyReserves,
        #[codec(index = 8)]
        TooManyHolds,
        #[codec(index = 9)]
        TooManyFreezes,
        #[codec(index = 10)]
        IssuanceDeactivated,
        #[codec(index = 11)]
        DeltaZero,
    }
}

/// `pallet_transaction_payment`.
pub mod transaction_payment {
    use super::*;

    /// Events.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Event {
        #[codec(index = 0)]
        TransactionFeePaid { who: AccountId32, actual_fee: u64, tip: u64 },
    }
}

/// `pallet_subtensor`.
pub mod subtensor_module {
    use super::*;
    use crate::substrate::types::SubnetIdentityV3;

    /// The calls localnet implements.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Call {
        #[codec(index = 0)]
        set_weights { netuid: u16, dests: Vec<u16>, weights: Vec<u16>, version_key: u64 },
        #[codec(index = 2)]
        add_stake { hotkey: AccountId32, netuid: u16, amount_staked: u64 },
        #[codec(index = 3)]
        remove_stake { hotkey: AccountId32, netuid: u16, amount_unstaked: u64 },
        #[codec(index = 4)]
        serve_axon {
            netuid: u16,
            version: u32,
            ip: u128,
            port: u16,
            ip_type: u8,
            protocol: u8,
            placeholder1: u8,
            placeholder2: u8,
        },
        #[codec(index = 7)]
        burned_register { netuid: u16, hotkey: AccountId32 },
        #[codec(index = 59)]
        register_network { hotkey: AccountId32 },
        #[codec(index = 78)]
        set_subnet_identity {
            netuid: u16,
            subnet_name: Vec<u8>,
            github_repo: Vec<u8>,
            subnet_contact: Vec<u8>,
            subnet_url: Vec<u8>,
            discord: Vec<u8>,
            description: Vec<u8>,
            logo_url: Vec<u8>,
            additional: Vec<u8>,
        },
        #[codec(index = 79)]
        register_network_with_identity { hotkey: AccountId32, identity: Option<SubnetIdentityV3> },
        #[codec(index = 83)]
        unstake_all { hotkey: AccountId32 },
        #[codec(index = 85)]
        move_stake {
            origin_hotkey: AccountId32,
            destination_hotkey: AccountId32,
            origin_netuid: u16,
            destination_netuid: u16,
            alpha_amount: u64,
        },
        #[codec(index = 86)]
        transfer_stake {
            destination_coldkey: AccountId32,
            hotkey: AccountId32,
            origin_netuid: u16,
            destination_netuid: u16,
            alpha_amount: u64,
        },
        #[codec(index = 87)]
        swap_stake {
            hotkey: AccountId32,
            origin_netuid: u16,
            destination_netuid: u16,
            alpha_amount: u64,
        },
        #[codec(index = 88)]
        add_stake_limit {
            hotkey: AccountId32,
            netuid: u16,
            amount_staked: u64,
            limit_price: u64,
            allow_partial: bool,
        },
        #[codec(index = 89)]
        remove_stake_limit {
            hotkey: AccountId32,
            netuid: u16,
            amount_unstaked: u64,
            limit_price: u64,
            allow_partial: bool,
        },
        #[codec(index = 90)]
        swap_stake_limit {
            hotkey: AccountId32,
            origin_netuid: u16,
            destination_netuid: u16,
            alpha_amount: u64,
            limit_price: u64,
            allow_partial: bool,
        },
        #[codec(index = 92)]
        start_call { netuid: u16 },
        #[codec(index = 96)]
        commit_weights { netuid: u16, commit_hash: H256 },
        #[codec(index = 97)]
        reveal_weights {
            netuid: u16,
            uids: Vec<u16>,
            values: Vec<u16>,
            salt: Vec<u16>,
            version_key: u64,
        },
        #[codec(index = 101)]
        recycle_alpha { hotkey: AccountId32, amount: u64, netuid: u16 },
        #[codec(index = 102)]
        burn_alpha { hotkey: AccountId32, amount: u64, netuid: u16 },
        #[codec(index = 103)]
        remove_stake_full_limit { hotkey: AccountId32, netuid: u16, limit_price: Option<u64> },
    }

    /// The events localnet emits (positional fields, as the pallet declares them).
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// (netuid, mechanism)
        #[codec(index = 0)]
        NetworkAdded(u16, u16),
        /// (netuid)
        #[codec(index = 1)]
        NetworkRemoved(u16),
        /// (coldkey, hotkey, tao, alpha, netuid, fee)
        #[codec(index = 2)]
        StakeAdded(AccountId32, AccountId32, u64, u64, u16, u64),
        /// (coldkey, hotkey, tao, alpha, netuid, fee)
        #[codec(index = 3)]
        StakeRemoved(AccountId32, AccountId32, u64, u64, u16, u64),
        /// (coldkey, origin hotkey, origin netuid, destination hotkey, destination netuid, tao)
        #[codec(index = 4)]
        StakeMoved(AccountId32, AccountId32, u16, AccountId32, u16, u64),
        /// (netuid, uid)
        #[codec(index = 5)]
        WeightsSet(u16, u16),
        /// (netuid, uid, hotkey)
        #[codec(index = 6)]
        NeuronRegistered(u16, u16, AccountId32),
        /// (netuid, hotkey)
        #[codec(index = 28)]
        AxonServed(u16, AccountId32),
        /// (netuid)
        #[codec(index = 76)]
        SubnetIdentitySet(u16),
        /// (hotkey, netuid, commit hash)
        #[codec(index = 83)]
        WeightsCommitted(AccountId32, u16, H256),
        /// (hotkey, netuid, commit hash)
        #[codec(index = 84)]
        WeightsRevealed(AccountId32, u16, H256),
        /// (origin coldkey, destination coldkey, hotkey, origin netuid, destination netuid, tao)
        #[codec(index = 89)]
        StakeTransferred(AccountId32, AccountId32, AccountId32, u16, u16, u64),
        /// (coldkey, hotkey, origin netuid, destination netuid, tao)
        #[codec(index = 90)]
        StakeSwapped(AccountId32, AccountId32, u16, u16, u64),
        /// (netuid, block)
        #[codec(index = 93)]
        FirstEmissionBlockNumberSet(u16, u64),
        /// (coldkey, hotkey, alpha, netuid)
        #[codec(index = 94)]
        AlphaRecycled(AccountId32, AccountId32, u64, u16),
        /// (coldkey, hotkey, alpha, netuid)
        #[codec(index = 95)]
        AlphaBurned(AccountId32, AccountId32, u64, u16),
    }

    /// The pallet's errors (`ModuleError.error[0]` is the index).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
    #[allow(missing_docs)]
    pub enum Error {
        #[codec(index = 0)]
        RootNetworkDoesNotExist,
        #[codec(index = 1)]
        InvalidIpType,
        #[codec(index = 2)]
        InvalidIpAddress,
        #[codec(index = 3)]
        InvalidPort,
        #[codec(index = 4)]
        HotKeyNotRegisteredInSubNet,
        #[codec(index = 5)]
        HotKeyAccountNotExists,
        #[codec(index = 6)]
        HotKeyNotRegisteredInNetwork,
        #[codec(index = 7)]
        NonAssociatedColdKey,
        #[codec(index = 8)]
        NotEnoughStake,
        #[codec(index = 9)]
        NotEnoughStakeToWithdraw,
        #[codec(index = 10)]
        NotEnoughStakeToSetWeights,
        #[codec(index = 11)]
        NotEnoughStakeToSetChildkeys,
        #[codec(index = 12)]
        NotEnoughBalanceToStake,
        #[codec(index = 13)]
        BalanceWithdrawalError,
        #[codec(index = 14)]
        ZeroBalanceAfterWithdrawn,
        #[codec(index = 15)]
        NeuronNoValidatorPermit,
        #[codec(index = 16)]
        WeightVecNotEqualSize,
        #[codec(index = 17)]
        DuplicateUids,
        #[codec(index = 18)]
        UidVecContainInvalidOne,
        #[codec(index = 19)]
        WeightVecLengthIsLow,
        #[codec(index = 20)]
        TooManyRegistrationsThisBlock,
        #[codec(index = 21)]
        HotKeyAlreadyRegisteredInSubNet,
        #[codec(index = 22)]
        NewHotKeyIsSameWithOld,
        #[codec(index = 23)]
        InvalidWorkBlock,
        #[codec(index = 24)]
        InvalidDifficulty,
        #[codec(index = 25)]
        InvalidSeal,
        #[codec(index = 26)]
        MaxWeightExceeded,
        #[codec(index = 27)]
        HotKeyAlreadyDelegate,
        #[codec(index = 28)]
        SettingWeightsTooFast,
        #[codec(index = 29)]
        IncorrectWeightVersionKey,
        #[codec(index = 30)]
        ServingRateLimitExceeded,
        #[codec(index = 31)]
        UidsLengthExceedUidsInSubNet,
        #[codec(index = 32)]
        NetworkTxRateLimitExceeded,
        #[codec(index = 33)]
        DelegateTxRateLimitExceeded,
        #[codec(index = 34)]
        HotKeySetTxRateLimitExceeded,
        #[codec(index = 35)]
        StakingRateLimitExceeded,
        #[codec(index = 36)]
        SubNetRegistrationDisabled,
        #[codec(index = 37)]
        TooManyRegistrationsThisInterval,
        #[codec(index = 38)]
        TransactorAccountShouldBeHotKey,
        #[codec(index = 39)]
        FaucetDisabled,
        #[codec(index = 40)]
        NotSubnetOwner,
        #[codec(index = 41)]
        RegistrationNotPermittedOnRootSubnet,
        #[codec(index = 42)]
        StakeTooLowForRoot,
        #[codec(index = 43)]
        AllNetworksInImmunity,
        #[codec(index = 44)]
        NotEnoughBalanceToPaySwapHotKey,
        #[codec(index = 45)]
        NotRootSubnet,
        #[codec(index = 46)]
        CanNotSetRootNetworkWeights,
        #[codec(index = 47)]
        NoNeuronIdAvailable,
        #[codec(index = 48)]
        DelegateTakeTooLow,
        #[codec(index = 49)]
        DelegateTakeTooHigh,
        #[codec(index = 50)]
        NoWeightsCommitFound,
        #[codec(index = 51)]
        InvalidRevealCommitHashNotMatch,
        #[codec(index = 52)]
        CommitRevealEnabled,
        #[codec(index = 53)]
        CommitRevealDisabled,
        #[codec(index = 54)]
        LiquidAlphaDisabled,
        #[codec(index = 55)]
        AlphaHighTooLow,
        #[codec(index = 56)]
        AlphaLowOutOfRange,
        #[codec(index = 57)]
        ColdKeyAlreadyAssociated,
        #[codec(index = 58)]
        NotEnoughBalanceToPaySwapColdKey,
        #[codec(index = 59)]
        InvalidChild,
        #[codec(index = 60)]
        DuplicateChild,
        #[codec(index = 61)]
        ProportionOverflow,
        #[codec(index = 62)]
        TooManyChildren,
        #[codec(index = 63)]
        TxRateLimitExceeded,
        #[codec(index = 64)]
        ColdkeySwapAnnouncementNotFound,
        #[codec(index = 65)]
        ColdkeySwapTooEarly,
        #[codec(index = 66)]
        ColdkeySwapReannouncedTooEarly,
        #[codec(index = 67)]
        AnnouncedColdkeyHashDoesNotMatch,
        #[codec(index = 68)]
        ColdkeySwapAlreadyDisputed,
        #[codec(index = 69)]
        NewColdKeyIsHotkey,
        #[codec(index = 70)]
        InvalidChildkeyTake,
        #[codec(index = 71)]
        TxChildkeyTakeRateLimitExceeded,
        #[codec(index = 72)]
        InvalidIdentity,
        #[codec(index = 73)]
        MechanismDoesNotExist,
        #[codec(index = 74)]
        CannotUnstakeLock,
        #[codec(index = 75)]
        SubnetNotExists,
        #[codec(index = 76)]
        TooManyUnrevealedCommits,
        #[codec(index = 77)]
        ExpiredWeightCommit,
        #[codec(index = 78)]
        RevealTooEarly,
        #[codec(index = 79)]
        InputLengthsUnequal,
        #[codec(index = 80)]
        CommittingWeightsTooFast,
        #[codec(index = 81)]
        AmountTooLow,
        #[codec(index = 82)]
        InsufficientLiquidity,
        #[codec(index = 83)]
        SlippageTooHigh,
        #[codec(index = 84)]
        TransferDisallowed,
        #[codec(index = 85)]
        ActivityCutoffTooLow,
        #[codec(index = 86)]
        CallDisabled,
        #[codec(index = 87)]
        FirstEmissionBlockNumberAlreadySet,
        #[codec(index = 88)]
        NeedWaitingMoreBlocksToStarCall,
        #[codec(index = 89)]
        NotEnoughAlphaOutToRecycle,
        #[codec(index = 90)]
        CannotBurnOrRecycleOnRootSubnet,
        #[codec(index = 91)]
        UnableToRecoverPublicKey,
        #[codec(index = 92)]
        InvalidRecoveredPublicKey,
        #[codec(index = 93)]
        SubtokenDisabled,
        #[codec(index = 94)]
        HotKeySwapOnSubnetIntervalNotPassed,
        #[codec(index = 95)]
        ZeroMaxStakeAmount,
        #[codec(index = 96)]
        SameNetuid,
        #[codec(index = 97)]
        InsufficientBalance,
        #[codec(index = 98)]
        StakingOperationRateLimitExceeded,
        #[codec(index = 99)]
        InvalidLeaseBeneficiary,
        #[codec(index = 100)]
        LeaseCannotEndInThePast,
        #[codec(index = 101)]
        LeaseNetuidNotFound,
        #[codec(index = 102)]
        LeaseDoesNotExist,
        #[codec(index = 103)]
        LeaseHasNoEndBlock,
        #[codec(index = 104)]
        LeaseHasNotEnded,
        #[codec(index = 105)]
        Overflow,
        #[codec(index = 106)]
        BeneficiaryDoesNotOwnHotkey,
        #[codec(index = 107)]
        ExpectedBeneficiaryOrigin,
        #[codec(index = 108)]
        AdminActionProhibitedDuringWeightsWindow,
        #[codec(index = 109)]
        SymbolDoesNotExist,
        #[codec(index = 110)]
        SymbolAlreadyInUse,
        #[codec(index = 111)]
        IncorrectCommitRevealVersion,
        #[codec(index = 112)]
        RevealPeriodTooLarge,
        #[codec(index = 113)]
        RevealPeriodTooSmall,
        #[codec(index = 114)]
        InvalidValue,
        #[codec(index = 115)]
        SubnetLimitReached,
        #[codec(index = 116)]
        CannotAffordLockCost,
        #[codec(index = 117)]
        EvmKeyAssociateRateLimitExceeded,
        #[codec(index = 118)]
        SameAutoStakeHotkeyAlreadySet,
        #[codec(index = 119)]
        UidMapCouldNotBeCleared,
        #[codec(index = 120)]
        TrimmingWouldExceedMaxImmunePercentage,
        #[codec(index = 121)]
        ChildParentInconsistency,
        #[codec(index = 122)]
        InvalidNumRootClaim,
        #[codec(index = 123)]
        InvalidRootClaimThreshold,
        #[codec(index = 124)]
        InvalidSubnetNumber,
        #[codec(index = 125)]
        TooManyUIDsPerMechanism,
        #[codec(index = 126)]
        VotingPowerTrackingNotEnabled,
        #[codec(index = 127)]
        InvalidVotingPowerEmaAlpha,
        #[codec(index = 128)]
        PrecisionLoss,
        #[codec(index = 129)]
        Deprecated,
        #[codec(index = 130)]
        AddStakeBurnRateLimitExceeded,
        #[codec(index = 131)]
        ColdkeySwapAnnounced,
        #[codec(index = 132)]
        ColdkeySwapDisputed,
        #[codec(index = 133)]
        ColdkeySwapClearTooEarly,
        #[codec(index = 134)]
        DisabledTemporarily,
    }
}

/// `pallet_utility`.
pub mod utility {
    use super::*;
    use crate::substrate::pallets::RuntimeCall;

    /// Calls.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Call {
        #[codec(index = 0)]
        batch { calls: Vec<RuntimeCall> },
        #[codec(index = 2)]
        batch_all { calls: Vec<RuntimeCall> },
        #[codec(index = 4)]
        force_batch { calls: Vec<RuntimeCall> },
    }

    /// Events.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Event {
        #[codec(index = 0)]
        BatchInterrupted { index: u32, error: DispatchError },
        #[codec(index = 1)]
        BatchCompleted,
        #[codec(index = 3)]
        ItemCompleted,
        #[codec(index = 4)]
        ItemFailed { error: DispatchError },
    }

    /// The pallet's errors (`ModuleError.error[0]` is the index).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
    #[allow(missing_docs)]
    pub enum Error {
        #[codec(index = 0)]
        TooManyCalls,
        #[codec(index = 1)]
        InvalidDerivedAccount,
    }
}

/// `pallet_proxy`.
pub mod proxy {
    use super::*;
    use crate::substrate::pallets::RuntimeCall;

    /// `node_subtensor_runtime::ProxyType` (the kinds localnet honours).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum ProxyType {
        #[codec(index = 0)]
        Any,
        #[codec(index = 3)]
        NonTransfer,
        #[codec(index = 8)]
        Staking,
    }

    /// Calls.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Call {
        #[codec(index = 0)]
        proxy { real: MultiAddress, force_proxy_type: Option<ProxyType>, call: Box<RuntimeCall> },
        #[codec(index = 1)]
        add_proxy { delegate: MultiAddress, proxy_type: ProxyType, delay: u32 },
        #[codec(index = 2)]
        remove_proxy { delegate: MultiAddress, proxy_type: ProxyType, delay: u32 },
    }

    /// Events.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Event {
        #[codec(index = 0)]
        ProxyExecuted { result: Result<(), DispatchError> },
        #[codec(index = 4)]
        ProxyAdded {
            delegator: AccountId32,
            delegatee: AccountId32,
            proxy_type: ProxyType,
            delay: u32,
        },
        #[codec(index = 5)]
        ProxyRemoved {
            delegator: AccountId32,
            delegatee: AccountId32,
            proxy_type: ProxyType,
            delay: u32,
        },
    }

    /// The pallet's errors (`ModuleError.error[0]` is the index).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
    #[allow(missing_docs)]
    pub enum Error {
        #[codec(index = 0)]
        TooMany,
        #[codec(index = 1)]
        NotFound,
        #[codec(index = 2)]
        NotProxy,
        #[codec(index = 3)]
        Unproxyable,
        #[codec(index = 4)]
        Duplicate,
        #[codec(index = 5)]
        NoPermission,
        #[codec(index = 6)]
        Unannounced,
        #[codec(index = 7)]
        NoSelfProxy,
        #[codec(index = 8)]
        AnnouncementDepositInvariantViolated,
        #[codec(index = 9)]
        InvalidDerivedAccountId,
    }
}

/// `pallet_admin_utils`: the hyperparameter calls a subnet owner signs (the root-only ones
/// localnet has no use for are not declared).
pub mod admin_utils {
    use super::*;

    /// `pallet_subtensor::RecycleOrBurnEnum`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum RecycleOrBurnEnum {
        #[codec(index = 0)]
        Burn,
        #[codec(index = 1)]
        Recycle,
    }

    /// Calls.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Call {
        #[codec(index = 7)]
        sudo_set_weights_set_rate_limit { netuid: u16, weights_set_rate_limit: u64 },
        #[codec(index = 13)]
        sudo_set_immunity_period { netuid: u16, immunity_period: u16 },
        #[codec(index = 15)]
        sudo_set_max_allowed_uids { netuid: u16, max_allowed_uids: u16 },
        #[codec(index = 16)]
        sudo_set_kappa { netuid: u16, kappa: u16 },
        #[codec(index = 18)]
        sudo_set_activity_cutoff { netuid: u16, activity_cutoff: u16 },
        #[codec(index = 19)]
        sudo_set_network_registration_allowed { netuid: u16, registration_allowed: bool },
        #[codec(index = 22)]
        sudo_set_min_burn { netuid: u16, min_burn: u64 },
        #[codec(index = 23)]
        sudo_set_max_burn { netuid: u16, max_burn: u64 },
        #[codec(index = 25)]
        sudo_set_max_allowed_validators { netuid: u16, max_allowed_validators: u16 },
        #[codec(index = 26)]
        sudo_set_bonds_moving_average { netuid: u16, bonds_moving_average: u64 },
        #[codec(index = 30)]
        sudo_set_tempo { netuid: u16, tempo: u16 },
        #[codec(index = 49)]
        sudo_set_commit_reveal_weights_enabled { netuid: u16, enabled: bool },
        #[codec(index = 57)]
        sudo_set_commit_reveal_weights_interval { netuid: u16, interval: u64 },
        #[codec(index = 61)]
        sudo_set_toggle_transfer { netuid: u16, toggle: bool },
        #[codec(index = 80)]
        sudo_set_recycle_or_burn { netuid: u16, recycle_or_burn: RecycleOrBurnEnum },
    }
}

/// `pallet_subtensor_swap`.
pub mod swap {
    use super::*;

    /// Calls.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Call {
        #[codec(index = 0)]
        set_fee_rate { netuid: u16, rate: u16 },
    }

    /// Events.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Event {
        #[codec(index = 0)]
        FeeRateSet { netuid: u16, rate: u16 },
    }

    /// The pallet's errors (`ModuleError.error[0]` is the index).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
    #[allow(missing_docs)]
    pub enum Error {
        #[codec(index = 0)]
        FeeRateTooHigh,
        #[codec(index = 1)]
        InsufficientInputAmount,
        #[codec(index = 2)]
        InsufficientLiquidity,
        #[codec(index = 3)]
        PriceLimitExceeded,
        #[codec(index = 4)]
        InsufficientBalance,
        #[codec(index = 5)]
        LiquidityNotFound,
        #[codec(index = 6)]
        InvalidTickRange,
        #[codec(index = 7)]
        MaxPositionsExceeded,
        #[codec(index = 8)]
        TooManySwapSteps,
        #[codec(index = 9)]
        InvalidLiquidityValue,
        #[codec(index = 10)]
        ReservesTooLow,
        #[codec(index = 11)]
        MechanismDoesNotExist,
        #[codec(index = 12)]
        UserLiquidityDisabled,
        #[codec(index = 13)]
        SubtokenDisabled,
    }
}

/// `pallet_shield` (MEV Shield).
pub mod mev_shield {
    use super::*;

    /// Calls.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Call {
        #[codec(index = 1)]
        submit_encrypted { ciphertext: BoundedVec<u8> },
    }

    /// Events.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Event {
        #[codec(index = 0)]
        EncryptedSubmitted { id: H256, who: AccountId32 },
    }

    /// The pallet's errors (`ModuleError.error[0]` is the index).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
    #[allow(missing_docs)]
    pub enum Error {
        #[codec(index = 0)]
        BadEncKeyLen,
        #[codec(index = 1)]
        Unreachable,
    }
}

/// `pallet_commitments`: what neurons publish about themselves (the SDK's metagraph reads it).
/// localnet declares its storage in Subtensor's types and holds no commitments.
pub mod commitments {
    use super::*;

    /// `pallet_commitments::types::Registration`: a neuron's commitment.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub struct Registration {
        /// Deposit held, rao.
        pub deposit: u64,
        /// Block it was made at.
        pub block: u32,
        /// Its fields.
        pub info: CommitmentInfo,
    }

    /// `pallet_commitments::types::CommitmentInfo`.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub struct CommitmentInfo {
        /// The committed fields.
        pub fields: BoundedVec<Data>,
    }

    /// `pallet_commitments::types::Data`: one field, raw bytes of a fixed length (`RawN` is
    /// `[u8; N]`), a hash, a timelocked ciphertext or a flag.
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
    #[allow(missing_docs)]
    pub enum Data {
        #[codec(index = 0)]
        None,
        #[codec(index = 1)]
        Raw0([u8; 0]),
        #[codec(index = 2)]
        Raw1([u8; 1]),
        #[codec(index = 3)]
        Raw2([u8; 2]),
        #[codec(index = 4)]
        Raw3([u8; 3]),
        #[codec(index = 5)]
        Raw4([u8; 4]),
        #[codec(index = 6)]
        Raw5([u8; 5]),
        #[codec(index = 7)]
        Raw6([u8; 6]),
        #[codec(index = 8)]
        Raw7([u8; 7]),
        #[codec(index = 9)]
        Raw8([u8; 8]),
        #[codec(index = 10)]
        Raw9([u8; 9]),
        #[codec(index = 11)]
        Raw10([u8; 10]),
        #[codec(index = 12)]
        Raw11([u8; 11]),
        #[codec(index = 13)]
        Raw12([u8; 12]),
        #[codec(index = 14)]
        Raw13([u8; 13]),
        #[codec(index = 15)]
        Raw14([u8; 14]),
        #[codec(index = 16)]
        Raw15([u8; 15]),
        #[codec(index = 17)]
        Raw16([u8; 16]),
        #[codec(index = 18)]
        Raw17([u8; 17]),
        #[codec(index = 19)]
        Raw18([u8; 18]),
        #[codec(index = 20)]
        Raw19([u8; 19]),
        #[codec(index = 21)]
        Raw20([u8; 20]),
        #[codec(index = 22)]
        Raw21([u8; 21]),
        #[codec(index = 23)]
        Raw22([u8; 22]),
        #[codec(index = 24)]
        Raw23([u8; 23]),
        #[codec(index = 25)]
        Raw24([u8; 24]),
        #[codec(index = 26)]
        Raw25([u8; 25]),
        #[codec(index = 27)]
        Raw26([u8; 26]),
        #[codec(index = 28)]
        Raw27([u8; 27]),
        #[codec(index = 29)]
        Raw28([u8; 28]),
        #[codec(index = 30)]
        Raw29([u8; 29]),
        #[codec(index = 31)]
        Raw30([u8; 30]),
        #[codec(index = 32)]
        Raw31([u8; 31]),
        #[codec(index = 33)]
        Raw32([u8; 32]),
        #[codec(index = 34)]
        Raw33([u8; 33]),
        #[codec(index = 35)]
        Raw34([u8; 34]),
        #[codec(index = 36)]
        Raw35([u8; 35]),
        #[codec(index = 37)]
        Raw36([u8; 36]),
        #[codec(index = 38)]
        Raw37([u8; 37]),
        #[codec(index = 39)]
        Raw38([u8; 38]),
        #[codec(index = 40)]
        Raw39([u8; 39]),
        #[codec(index = 41)]
        Raw40([u8; 40]),
        #[codec(index = 42)]
        Raw41([u8; 41]),
        #[codec(index = 43)]
        Raw42([u8; 42]),
        #[codec(index = 44)]
        Raw43([u8; 43]),
        #[codec(index = 45)]
        Raw44([u8; 44]),
        #[codec(index = 46)]
        Raw45([u8; 45]),
        #[codec(index = 47)]
        Raw46([u8; 46]),
        #[codec(index = 48)]
        Raw47([u8; 47]),
        #[codec(index = 49)]
        Raw48([u8; 48]),
        #[codec(index = 50)]
        Raw49([u8; 49]),
        #[codec(index = 51)]
        Raw50([u8; 50]),
        #[codec(index = 52)]
        Raw51([u8; 51]),
        #[codec(index = 53)]
        Raw52([u8; 52]),
        #[codec(index = 54)]
        Raw53([u8; 53]),
        #[codec(index = 55)]
        Raw54([u8; 54]),
        #[codec(index = 56)]
        Raw55([u8; 55]),
        #[codec(index = 57)]
        Raw56([u8; 56]),
        #[codec(index = 58)]
        Raw57([u8; 57]),
        #[codec(index = 59)]
        Raw58([u8; 58]),
        #[codec(index = 60)]
        Raw59([u8; 59]),
        #[codec(index = 61)]
        Raw60([u8; 60]),
        #[codec(index = 62)]
        Raw61([u8; 61]),
        #[codec(index = 63)]
        Raw62([u8; 62]),
        #[codec(index = 64)]
        Raw63([u8; 63]),
        #[codec(index = 65)]
        Raw64([u8; 64]),
        #[codec(index = 66)]
        Raw65([u8; 65]),
        #[codec(index = 67)]
        Raw66([u8; 66]),
        #[codec(index = 68)]
        Raw67([u8; 67]),
        #[codec(index = 69)]
        Raw68([u8; 68]),
        #[codec(index = 70)]
        Raw69([u8; 69]),
        #[codec(index = 71)]
        Raw70([u8; 70]),
        #[codec(index = 72)]
        Raw71([u8; 71]),
        #[codec(index = 73)]
        Raw72([u8; 72]),
        #[codec(index = 74)]
        Raw73([u8; 73]),
        #[codec(index = 75)]
        Raw74([u8; 74]),
        #[codec(index = 76)]
        Raw75([u8; 75]),
        #[codec(index = 77)]
        Raw76([u8; 76]),
        #[codec(index = 78)]
        Raw77([u8; 77]),
        #[codec(index = 79)]
        Raw78([u8; 78]),
        #[codec(index = 80)]
        Raw79([u8; 79]),
        #[codec(index = 81)]
        Raw80([u8; 80]),
        #[codec(index = 82)]
        Raw81([u8; 81]),
        #[codec(index = 83)]
        Raw82([u8; 82]),
        #[codec(index = 84)]
        Raw83([u8; 83]),
        #[codec(index = 85)]
        Raw84([u8; 84]),
        #[codec(index = 86)]
        Raw85([u8; 85]),
        #[codec(index = 87)]
        Raw86([u8; 86]),
        #[codec(index = 88)]
        Raw87([u8; 87]),
        #[codec(index = 89)]
        Raw88([u8; 88]),
        #[codec(index = 90)]
        Raw89([u8; 89]),
        #[codec(index = 91)]
        Raw90([u8; 90]),
        #[codec(index = 92)]
        Raw91([u8; 91]),
        #[codec(index = 93)]
        Raw92([u8; 92]),
        #[codec(index = 94)]
        Raw93([u8; 93]),
        #[codec(index = 95)]
        Raw94([u8; 94]),
        #[codec(index = 96)]
        Raw95([u8; 95]),
        #[codec(index = 97)]
        Raw96([u8; 96]),
        #[codec(index = 98)]
        Raw97([u8; 97]),
        #[codec(index = 99)]
        Raw98([u8; 98]),
        #[codec(index = 100)]
        Raw99([u8; 99]),
        #[codec(index = 101)]
        Raw100([u8; 100]),
        #[codec(index = 102)]
        Raw101([u8; 101]),
        #[codec(index = 103)]
        Raw102([u8; 102]),
        #[codec(index = 104)]
        Raw103([u8; 103]),
        #[codec(index = 105)]
        Raw104([u8; 104]),
        #[codec(index = 106)]
        Raw105([u8; 105]),
        #[codec(index = 107)]
        Raw106([u8; 106]),
        #[codec(index = 108)]
        Raw107([u8; 107]),
        #[codec(index = 109)]
        Raw108([u8; 108]),
        #[codec(index = 110)]
        Raw109([u8; 109]),
        #[codec(index = 111)]
        Raw110([u8; 110]),
        #[codec(index = 112)]
        Raw111([u8; 111]),
        #[codec(index = 113)]
        Raw112([u8; 112]),
        #[codec(index = 114)]
        Raw113([u8; 113]),
        #[codec(index = 115)]
        Raw114([u8; 114]),
        #[codec(index = 116)]
        Raw115([u8; 115]),
        #[codec(index = 117)]
        Raw116([u8; 116]),
        #[codec(index = 118)]
        Raw117([u8; 117]),
        #[codec(index = 119)]
        Raw118([u8; 118]),
        #[codec(index = 120)]
        Raw119([u8; 119]),
        #[codec(index = 121)]
        Raw120([u8; 120]),
        #[codec(index = 122)]
        Raw121([u8; 121]),
        #[codec(index = 123)]
        Raw122([u8; 122]),
        #[codec(index = 124)]
        Raw123([u8; 123]),
        #[codec(index = 125)]
        Raw124([u8; 124]),
        #[codec(index = 126)]
        Raw125([u8; 125]),
        #[codec(index = 127)]
        Raw126([u8; 126]),
        #[codec(index = 128)]
        Raw127([u8; 127]),
        #[codec(index = 129)]
        Raw128([u8; 128]),
        #[codec(index = 130)]
        BlakeTwo256([u8; 32]),
        #[codec(index = 131)]
        Sha256([u8; 32]),
        #[codec(index = 132)]
        Keccak256([u8; 32]),
        #[codec(index = 133)]
        ShaThree256([u8; 32]),
        #[codec(index = 134)]
        TimelockEncrypted { encrypted: BoundedVec<u8>, reveal_round: u64 },
        #[codec(index = 135)]
        ResetBondsFlag,
        #[codec(index = 136)]
        BigRaw(BoundedVec<u8>),
    }
}

/// `node_subtensor_runtime::RuntimeCall`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum RuntimeCall {
    #[codec(index = 0)]
    System(system::Call),
    #[codec(index = 2)]
    Timestamp(timestamp::Call),
    #[codec(index = 5)]
    Balances(balances::Call),
    #[codec(index = 7)]
    SubtensorModule(subtensor_module::Call),
    #[codec(index = 11)]
    Utility(utility::Call),
    #[codec(index = 16)]
    Proxy(proxy::Call),
    #[codec(index = 19)]
    AdminUtils(admin_utils::Call),
    #[codec(index = 28)]
    Swap(swap::Call),
    #[codec(index = 30)]
    MevShield(mev_shield::Call),
}

/// `node_subtensor_runtime::RuntimeEvent`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum RuntimeEvent {
    #[codec(index = 0)]
    System(system::Event),
    #[codec(index = 5)]
    Balances(balances::Event),
    #[codec(index = 6)]
    TransactionPayment(transaction_payment::Event),
    #[codec(index = 7)]
    SubtensorModule(subtensor_module::Event),
    #[codec(index = 11)]
    Utility(utility::Event),
    #[codec(index = 16)]
    Proxy(proxy::Event),
    #[codec(index = 28)]
    Swap(swap::Event),
    #[codec(index = 30)]
    MevShield(mev_shield::Event),
}

/// `node_subtensor_runtime::RuntimeError`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum RuntimeError {
    #[codec(index = 0)]
    System(system::Error),
    #[codec(index = 5)]
    Balances(balances::Error),
    #[codec(index = 7)]
    SubtensorModule(subtensor_module::Error),
    #[codec(index = 11)]
    Utility(utility::Error),
    #[codec(index = 16)]
    Proxy(proxy::Error),
    #[codec(index = 28)]
    Swap(swap::Error),
    #[codec(index = 30)]
    MevShield(mev_shield::Error),
}
