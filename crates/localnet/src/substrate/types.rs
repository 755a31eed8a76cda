//! The SCALE types Subtensor's clients see, mirrored field for field (names, order, compact
//! encodings) from the spec-393 runtime. They are localnet's own definitions: the metadata
//! is generated from them with `scale-info`, and the storage and runtime-API answers are
//! encoded with them, so what the metadata says is what the bytes are.

use parity_scale_codec::{Compact, Decode, Encode};
use scale_info::build::{Fields, Variants};
use scale_info::{Path, Type, TypeInfo, TypeParameter, meta_type};

/// Declares a one-field tuple struct whose `TypeInfo` carries the real runtime's full path,
/// which clients (polkadot.js) use to recognise well-known types.
macro_rules! newtype_with_path {
    ($(#[$m:meta])* $name:ident($inner:ty), $module:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode)]
        pub struct $name(pub $inner);

        impl TypeInfo for $name {
            type Identity = Self;
            fn type_info() -> Type {
                Type::builder()
                    .path(Path::new(stringify!($name), $module))
                    .composite(Fields::unnamed().field(|f| f.ty::<$inner>().type_name(stringify!($inner))))
            }
        }
    };
}

newtype_with_path!(
    /// An sr25519 public key as an account id.
    AccountId32([u8; 32]),
    "sp_core::crypto"
);
newtype_with_path!(
    /// A 256-bit hash.
    H256([u8; 32]),
    "primitive_types"
);
newtype_with_path!(
    /// `pallet_balances`' account flags; bit 127 marks the current reference-counting logic.
    ExtraFlags(u128),
    "pallet_balances::types"
);

impl ExtraFlags {
    /// The flags of every account created by the current runtime.
    pub const NEW_LOGIC: Self = Self(1 << 127);
}

/// A signed 128-bit fixed-point number as `substrate_fixed` encodes it (`I96F32`, `I64F64`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Encode, Decode, TypeInfo)]
pub struct FixedI128 {
    /// The raw bits.
    pub bits: i128,
}

/// A signed 64-bit fixed-point number (`I32F32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Encode, Decode, TypeInfo)]
pub struct FixedI64 {
    /// The raw bits.
    pub bits: i64,
}

/// An unsigned 128-bit fixed-point number (`U64F64` shares, `U96F32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Encode, Decode, TypeInfo)]
pub struct FixedU128 {
    /// The raw bits.
    pub bits: u128,
}

/// `pallet_balances::AccountData`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AccountData {
    /// Spendable TAO, rao.
    pub free: u64,
    /// Held TAO, rao.
    pub reserved: u64,
    /// Frozen TAO, rao.
    pub frozen: u64,
    /// Flags.
    pub flags: ExtraFlags,
}

/// `frame_system::AccountInfo`: the value of `System.Account`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AccountInfo {
    /// Transactions sent.
    pub nonce: u32,
    /// Consumer references.
    pub consumers: u32,
    /// Provider references.
    pub providers: u32,
    /// Sufficient references.
    pub sufficients: u32,
    /// Balances.
    pub data: AccountData,
}

impl Default for AccountInfo {
    fn default() -> Self {
        Self {
            nonce: 0,
            consumers: 0,
            providers: 0,
            sufficients: 0,
            data: AccountData { free: 0, reserved: 0, frozen: 0, flags: ExtraFlags::NEW_LOGIC },
        }
    }
}

/// `sp_runtime::MultiAddress<AccountId32, ()>`. Hand-written `TypeInfo`: clients recognise the
/// address type by its path and type parameters, which a derive here would not give.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum MultiAddress {
    /// An account id.
    #[codec(index = 0)]
    Id(AccountId32),
    /// An account index (unused by Subtensor).
    #[codec(index = 1)]
    Index(#[codec(compact)] ()),
    /// Raw bytes.
    #[codec(index = 2)]
    Raw(Vec<u8>),
    /// A 32-byte address.
    #[codec(index = 3)]
    Address32([u8; 32]),
    /// A 20-byte address.
    #[codec(index = 4)]
    Address20([u8; 20]),
}

impl TypeInfo for MultiAddress {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("MultiAddress", "sp_runtime::multiaddress"))
            .type_params(vec![
                TypeParameter::new("AccountId", Some(meta_type::<AccountId32>())),
                TypeParameter::new("AccountIndex", Some(meta_type::<()>())),
            ])
            .variant(
                Variants::new()
                    .variant("Id", |v| {
                        v.index(0).fields(
                            Fields::unnamed()
                                .field(|f| f.ty::<AccountId32>().type_name("AccountId")),
                        )
                    })
                    .variant("Index", |v| {
                        v.index(1).fields(
                            Fields::unnamed()
                                .field(|f| f.compact::<()>().type_name("AccountIndex")),
                        )
                    })
                    .variant("Raw", |v| {
                        v.index(2).fields(Fields::unnamed().field(|f| f.ty::<Vec<u8>>()))
                    })
                    .variant("Address32", |v| {
                        v.index(3).fields(Fields::unnamed().field(|f| f.ty::<[u8; 32]>()))
                    })
                    .variant("Address20", |v| {
                        v.index(4).fields(Fields::unnamed().field(|f| f.ty::<[u8; 20]>()))
                    }),
            )
    }
}

/// `sp_runtime::MultiSignature`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum MultiSignature {
    /// Ed25519.
    #[codec(index = 0)]
    Ed25519([u8; 64]),
    /// Sr25519 (what taoplex signs with).
    #[codec(index = 1)]
    Sr25519([u8; 64]),
    /// ECDSA.
    #[codec(index = 2)]
    Ecdsa([u8; 65]),
}

/// `sp_runtime::generic::Era`: immortal, or mortal as 255 variants whose index is the first
/// encoded byte. Hand-built because the real type is that enum, not a struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Era;

static ERA_NAMES: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| (1..=255).map(|i| format!("Mortal{i}")).collect());

impl TypeInfo for Era {
    type Identity = Self;
    fn type_info() -> Type {
        let mut variants = Variants::new().variant("Immortal", |v| v.index(0));
        for (i, name) in ERA_NAMES.iter().enumerate() {
            let index = u8::try_from(i + 1).unwrap_or(u8::MAX);
            variants = variants.variant(name.as_str(), |v| {
                v.index(index).fields(Fields::unnamed().field(|f| f.ty::<u8>()))
            });
        }
        Type::builder().path(Path::new("Era", "sp_runtime::generic::era")).variant(variants)
    }
}

/// `sp_runtime::generic::DigestItem`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum DigestItem {
    /// Arbitrary data.
    #[codec(index = 0)]
    Other(Vec<u8>),
    /// A consensus message.
    #[codec(index = 4)]
    Consensus([u8; 4], Vec<u8>),
    /// A seal.
    #[codec(index = 5)]
    Seal([u8; 4], Vec<u8>),
    /// A pre-runtime digest (Aura's slot).
    #[codec(index = 6)]
    PreRuntime([u8; 4], Vec<u8>),
    /// The runtime changed.
    #[codec(index = 8)]
    RuntimeEnvironmentUpdated,
}

/// `sp_runtime::generic::Digest`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Encode, Decode, TypeInfo)]
pub struct Digest {
    /// Log entries.
    pub logs: Vec<DigestItem>,
}

/// `sp_runtime::generic::Header<u32, BlakeTwo256>`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Header {
    /// The parent's hash.
    pub parent_hash: H256,
    /// Height.
    #[codec(compact)]
    pub number: u32,
    /// State root.
    pub state_root: H256,
    /// Extrinsics root.
    pub extrinsics_root: H256,
    /// Digest.
    pub digest: Digest,
}

/// `frame_support::dispatch::DispatchClass`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum DispatchClass {
    /// Normal.
    #[codec(index = 0)]
    Normal,
    /// Operational.
    #[codec(index = 1)]
    Operational,
    /// Mandatory.
    #[codec(index = 2)]
    Mandatory,
}

/// `frame_support::dispatch::Pays`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Pays {
    /// The sender pays.
    #[codec(index = 0)]
    Yes,
    /// Free.
    #[codec(index = 1)]
    No,
}

/// `sp_weights::Weight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Encode, Decode, TypeInfo)]
pub struct Weight {
    /// Execution time, picoseconds.
    #[codec(compact)]
    pub ref_time: u64,
    /// Proof size, bytes.
    #[codec(compact)]
    pub proof_size: u64,
}

/// `frame_system::DispatchEventInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct DispatchEventInfo {
    /// Weight.
    pub weight: Weight,
    /// Class.
    pub class: DispatchClass,
    /// Who pays.
    pub pays_fee: Pays,
}

/// `sp_runtime::ModuleError`: a pallet's named error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ModuleError {
    /// Pallet index.
    pub index: u8,
    /// Error index, then three reserved bytes.
    pub error: [u8; 4],
}

/// `sp_arithmetic::ArithmeticError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum ArithmeticError {
    /// Underflow.
    #[codec(index = 0)]
    Underflow,
    /// Overflow.
    #[codec(index = 1)]
    Overflow,
    /// Division by zero.
    #[codec(index = 2)]
    DivisionByZero,
}

/// `sp_runtime::DispatchError` (the variants localnet can report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum DispatchError {
    /// Other.
    #[codec(index = 0)]
    Other,
    /// A lookup failed.
    #[codec(index = 1)]
    CannotLookup,
    /// Bad origin.
    #[codec(index = 2)]
    BadOrigin,
    /// A pallet's error.
    #[codec(index = 3)]
    Module(ModuleError),
    /// Arithmetic.
    #[codec(index = 8)]
    Arithmetic(ArithmeticError),
}

/// `frame_system::Phase` (its `TypeInfo` carries the real path: clients find the event
/// records by it, e.g. the Python SDK's codec reads each record's extrinsic index from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub enum Phase {
    /// During an extrinsic.
    #[codec(index = 0)]
    ApplyExtrinsic(u32),
    /// At block finalization.
    #[codec(index = 1)]
    Finalization,
    /// At block initialization.
    #[codec(index = 2)]
    Initialization,
}

impl TypeInfo for Phase {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder().path(Path::new("Phase", "frame_system")).variant(
            scale_info::build::Variants::new()
                .variant("ApplyExtrinsic", |v| {
                    v.index(0).fields(Fields::unnamed().field(|f| f.ty::<u32>().type_name("u32")))
                })
                .variant("Finalization", |v| v.index(1))
                .variant("Initialization", |v| v.index(2)),
        )
    }
}

/// `frame_system::EventRecord<RuntimeEvent, H256>` (real path, as [`Phase`]).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct EventRecord {
    /// When.
    pub phase: Phase,
    /// What.
    pub event: crate::substrate::pallets::RuntimeEvent,
    /// Topics.
    pub topics: Vec<H256>,
}

impl TypeInfo for EventRecord {
    type Identity = Self;
    fn type_info() -> Type {
        use crate::substrate::pallets::RuntimeEvent;
        Type::builder()
            .path(Path::new("EventRecord", "frame_system"))
            .type_params([
                scale_info::TypeParameter::new("E", Some(scale_info::meta_type::<RuntimeEvent>())),
                scale_info::TypeParameter::new("T", Some(scale_info::meta_type::<H256>())),
            ])
            .composite(
                Fields::named()
                    .field(|f| f.ty::<Phase>().name("phase").type_name("Phase"))
                    .field(|f| f.ty::<RuntimeEvent>().name("event").type_name("E"))
                    .field(|f| f.ty::<Vec<H256>>().name("topics").type_name("Vec<T>")),
            )
    }
}

/// `pallet_subtensor`'s subnet identity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Encode, Decode, TypeInfo)]
pub struct SubnetIdentityV3 {
    /// Name.
    pub subnet_name: Vec<u8>,
    /// Repository.
    pub github_repo: Vec<u8>,
    /// Contact.
    pub subnet_contact: Vec<u8>,
    /// Web site.
    pub subnet_url: Vec<u8>,
    /// Discord.
    pub discord: Vec<u8>,
    /// Description.
    pub description: Vec<u8>,
    /// Logo.
    pub logo_url: Vec<u8>,
    /// Anything else.
    pub additional: Vec<u8>,
}

/// `sp_version::RuntimeVersion` as `Core_version` encodes it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct RuntimeVersion {
    /// `node-subtensor`.
    pub spec_name: Cow<String>,
    /// Implementation name.
    pub impl_name: Cow<String>,
    /// Authoring version.
    pub authoring_version: u32,
    /// Spec version.
    pub spec_version: u32,
    /// Implementation version.
    pub impl_version: u32,
    /// Runtime APIs: blake2_64 of the name, and version.
    pub apis: Cow<Vec<([u8; 8], u32)>>,
    /// Transaction version.
    pub transaction_version: u32,
    /// System version.
    pub system_version: u8,
}

/// `pallet_transaction_payment::RuntimeDispatchInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct RuntimeDispatchInfo {
    /// Weight.
    pub weight: Weight,
    /// Class.
    pub class: DispatchClass,
    /// The fee without tip, rao.
    pub partial_fee: u64,
}

/// `pallet_subtensor::rpc_info::dynamic_info::DynamicInfo`: one subnet's pool and emissions.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct DynamicInfo {
    /// Subnet.
    pub netuid: Compact<u16>,
    /// Owner's hotkey.
    pub owner_hotkey: AccountId32,
    /// Owner's coldkey.
    pub owner_coldkey: AccountId32,
    /// Name, one compact byte each (as the runtime encodes it).
    pub subnet_name: Vec<Compact<u8>>,
    /// Token symbol, likewise.
    pub token_symbol: Vec<Compact<u8>>,
    /// Blocks per epoch.
    pub tempo: Compact<u16>,
    /// Block of the last epoch.
    pub last_step: Compact<u64>,
    /// Blocks since then.
    pub blocks_since_last_step: Compact<u64>,
    /// Always 0 since dTAO.
    pub emission: Compact<u64>,
    /// Alpha in the pool.
    pub alpha_in: Compact<u64>,
    /// Alpha outstanding.
    pub alpha_out: Compact<u64>,
    /// TAO in the pool.
    pub tao_in: Compact<u64>,
    /// Alpha out per block.
    pub alpha_out_emission: Compact<u64>,
    /// Alpha in per block.
    pub alpha_in_emission: Compact<u64>,
    /// TAO in per block.
    pub tao_in_emission: Compact<u64>,
    /// Alpha pending distribution.
    pub pending_alpha_emission: Compact<u64>,
    /// Always 0.
    pub pending_root_emission: Compact<u64>,
    /// Traded volume.
    pub subnet_volume: Compact<u128>,
    /// Registration block.
    pub network_registered_at: Compact<u64>,
    /// Identity.
    pub subnet_identity: Option<SubnetIdentityV3>,
    /// EMA price, I96F32 bits.
    pub moving_price: FixedI128,
}

/// `pallet_subtensor_swap_runtime_api::SubnetPrice`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubnetPrice {
    /// Subnet.
    pub netuid: u16,
    /// Price, rao per alpha unit ×1e9.
    pub price: u64,
}

/// `pallet_subtensor_swap_runtime_api::SimSwapResult`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SimSwapResult {
    /// TAO side.
    pub tao_amount: u64,
    /// Alpha side.
    pub alpha_amount: u64,
    /// Fee in TAO.
    pub tao_fee: u64,
    /// Fee in alpha.
    pub alpha_fee: u64,
    /// Slippage in TAO.
    pub tao_slippage: u64,
    /// Slippage in alpha.
    pub alpha_slippage: u64,
}

/// `pallet_subtensor::rpc_info::stake_info::StakeInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct StakeInfo {
    /// Hotkey.
    pub hotkey: AccountId32,
    /// Coldkey.
    pub coldkey: AccountId32,
    /// Subnet.
    pub netuid: Compact<u16>,
    /// Alpha.
    pub stake: Compact<u64>,
    /// Locked.
    pub locked: Compact<u64>,
    /// Emission.
    pub emission: Compact<u64>,
    /// TAO emission.
    pub tao_emission: Compact<u64>,
    /// Drain.
    pub drain: Compact<u64>,
    /// Whether the hotkey holds a UID there.
    pub is_registered: bool,
}

/// `pallet_subtensor::rpc_info::neuron_info::AxonInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Encode, Decode, TypeInfo)]
pub struct AxonInfo {
    /// Block served at.
    pub block: u64,
    /// Version.
    pub version: u32,
    /// IP as an integer.
    pub ip: u128,
    /// Port.
    pub port: u16,
    /// 4 or 6.
    pub ip_type: u8,
    /// Protocol.
    pub protocol: u8,
    /// Reserved.
    pub placeholder1: u8,
    /// Reserved.
    pub placeholder2: u8,
}

/// `pallet_subtensor::rpc_info::neuron_info::PrometheusInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Encode, Decode, TypeInfo)]
pub struct PrometheusInfo {
    /// Block served at.
    pub block: u64,
    /// Version.
    pub version: u32,
    /// IP as an integer.
    pub ip: u128,
    /// Port.
    pub port: u16,
    /// 4 or 6.
    pub ip_type: u8,
}

/// `pallet_subtensor::pallet::ChainIdentityV2`: a coldkey's on-chain identity (localnet keeps
/// none, so only ever `None` in a [`Metagraph`]; declared for the metadata).
#[derive(Debug, Clone, PartialEq, Eq, Default, Encode, Decode, TypeInfo)]
pub struct ChainIdentityV2 {
    /// Display name.
    pub name: Vec<u8>,
    /// Website.
    pub url: Vec<u8>,
    /// GitHub repository.
    pub github_repo: Vec<u8>,
    /// Image URL.
    pub image: Vec<u8>,
    /// Discord handle.
    pub discord: Vec<u8>,
    /// Description.
    pub description: Vec<u8>,
    /// Anything else.
    pub additional: Vec<u8>,
}

/// Declares [`Metagraph`] and [`SelectiveMetagraph`] from one list of the metagraph's fields
/// after `netuid` (spec 393's, in its order), so a selective answer's indexes are the full
/// answer's by construction.
macro_rules! metagraphs {
    ($($(#[$doc:meta])* $field:ident: $ty:ty,)*) => {
        /// `pallet_subtensor::rpc_info::metagraph::Metagraph`: a subnet's pool, hyperparameters
        /// and every neuron's row, as `SubnetInfoRuntimeApi.get_metagraph` answers (spec 393's
        /// fields, in its order).
        #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
        pub struct Metagraph {
            /// Subnet.
            pub netuid: Compact<u16>,
            $($(#[$doc])* pub $field: $ty,)*
        }

        /// `pallet_subtensor::rpc_info::metagraph::SelectiveMetagraph`: a [`Metagraph`]'s fields,
        /// then the validators' UIDs and the neurons' commitments, each present only when its
        /// index (`netuid` is 0, in declaration order) was asked for, as
        /// `get_selective_metagraph` and `get_selective_mechagraph` answer.
        #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
        #[allow(missing_docs)]
        pub struct SelectiveMetagraph {
            pub netuid: Compact<u16>,
            $(pub $field: Option<$ty>,)*
            pub validators: Option<Vec<Compact<u16>>>,
            pub commitments: Option<Vec<(AccountId32, Vec<Compact<u8>>)>>,
        }

        impl SelectiveMetagraph {
            /// The fields of `all` (and `validators`, `commitments`) whose indexes are in `wanted`.
            pub fn select(
                all: Metagraph,
                validators: Vec<Compact<u16>>,
                commitments: Vec<(AccountId32, Vec<Compact<u8>>)>,
                wanted: &[u16],
            ) -> Self {
                let mut index = 0u16;
                let mut asked = || {
                    index += 1;
                    wanted.contains(&index)
                };
                Self {
                    netuid: all.netuid,
                    $($field: asked().then_some(all.$field),)*
                    validators: asked().then_some(validators),
                    commitments: asked().then_some(commitments),
                }
            }
        }
    };
}

metagraphs! {
    /// Name, one compact byte each (as the runtime encodes it).
    name: Vec<Compact<u8>>,
    /// Token symbol, likewise.
    symbol: Vec<Compact<u8>>,
    /// Identity.
    identity: Option<SubnetIdentityV3>,
    /// Registration block.
    network_registered_at: Compact<u64>,
    /// Owner's hotkey.
    owner_hotkey: AccountId32,
    /// Owner's coldkey.
    owner_coldkey: AccountId32,
    /// The block answered at.
    block: Compact<u64>,
    /// Blocks per epoch.
    tempo: Compact<u16>,
    /// Block of the last epoch.
    last_step: Compact<u64>,
    /// Blocks since then.
    blocks_since_last_step: Compact<u64>,
    /// Always 0 since dTAO.
    subnet_emission: Compact<u64>,
    /// Alpha in the pool.
    alpha_in: Compact<u64>,
    /// Alpha outstanding.
    alpha_out: Compact<u64>,
    /// TAO in the pool.
    tao_in: Compact<u64>,
    /// Alpha out per block.
    alpha_out_emission: Compact<u64>,
    /// Alpha in per block.
    alpha_in_emission: Compact<u64>,
    /// TAO in per block.
    tao_in_emission: Compact<u64>,
    /// Alpha pending distribution.
    pending_alpha_emission: Compact<u64>,
    /// Always 0.
    pending_root_emission: Compact<u64>,
    /// Traded volume.
    subnet_volume: Compact<u128>,
    /// EMA price, I96F32 bits.
    moving_price: FixedI128,
    /// ρ of the incentive sigmoid.
    rho: Compact<u16>,
    /// κ, parts of 65535.
    kappa: Compact<u16>,
    /// Fewest weights a validator may set.
    min_allowed_weights: Compact<u16>,
    /// Largest weight, parts of 65535.
    max_weights_limit: Compact<u16>,
    /// Weights version key expected.
    weights_version: Compact<u64>,
    /// Blocks between a validator's weight sets.
    weights_rate_limit: Compact<u64>,
    /// Validator activity cutoff, blocks.
    activity_cutoff: Compact<u16>,
    /// Validator permits.
    max_validators: Compact<u16>,
    /// Registered neurons.
    num_uids: Compact<u16>,
    /// UIDs.
    max_uids: Compact<u16>,
    /// Registration burn now, rao.
    burn: Compact<u64>,
    /// Proof-of-work registration difficulty.
    difficulty: Compact<u64>,
    /// Neuron registration open.
    registration_allowed: bool,
    /// Proof-of-work registration open.
    pow_registration_allowed: bool,
    /// New-neuron immunity, blocks.
    immunity_period: Compact<u16>,
    /// Lowest proof-of-work difficulty.
    min_difficulty: Compact<u64>,
    /// Highest proof-of-work difficulty.
    max_difficulty: Compact<u64>,
    /// Minimum registration burn, rao.
    min_burn: Compact<u64>,
    /// Maximum registration burn, rao.
    max_burn: Compact<u64>,
    /// Registration adjustment smoothing.
    adjustment_alpha: Compact<u64>,
    /// Blocks between registration adjustments.
    adjustment_interval: Compact<u16>,
    /// Registrations aimed at per interval.
    target_regs_per_interval: Compact<u16>,
    /// Registrations allowed per block.
    max_regs_per_block: Compact<u16>,
    /// Blocks between axon updates.
    serving_rate_limit: Compact<u64>,
    /// Commit–reveal required.
    commit_reveal_weights_enabled: bool,
    /// Blocks from commit to reveal.
    commit_reveal_period: Compact<u64>,
    /// Liquid alpha (per-bond EMA α) on.
    liquid_alpha_enabled: bool,
    /// Liquid alpha upper α.
    alpha_high: Compact<u16>,
    /// Liquid alpha lower α.
    alpha_low: Compact<u16>,
    /// Bonds EMA, parts of 1,000,000.
    bonds_moving_avg: Compact<u64>,
    /// Hotkey by UID.
    hotkeys: Vec<AccountId32>,
    /// Coldkey by UID.
    coldkeys: Vec<AccountId32>,
    /// Coldkey's chain identity by UID.
    identities: Vec<Option<ChainIdentityV2>>,
    /// Axon by UID.
    axons: Vec<AxonInfo>,
    /// Active by UID.
    active: Vec<bool>,
    /// Validator permit by UID.
    validator_permit: Vec<bool>,
    /// Pruning score by UID.
    pruning_score: Vec<Compact<u16>>,
    /// Last weights update block by UID.
    last_update: Vec<Compact<u64>>,
    /// Emission of the last epoch by UID, rao.
    emission: Vec<Compact<u64>>,
    /// Dividends by UID, parts of 65535.
    dividends: Vec<Compact<u16>>,
    /// Incentive by UID, parts of 65535.
    incentives: Vec<Compact<u16>>,
    /// Consensus by UID, parts of 65535.
    consensus: Vec<Compact<u16>>,
    /// Trust by UID.
    trust: Vec<Compact<u16>>,
    /// Rank by UID.
    rank: Vec<Compact<u16>>,
    /// Registration block by UID.
    block_at_registration: Vec<Compact<u64>>,
    /// Alpha staked to the UID's hotkey here, rao.
    alpha_stake: Vec<Compact<u64>>,
    /// TAO staked to the UID's hotkey on root, rao.
    tao_stake: Vec<Compact<u64>>,
    /// Alpha stake plus TAO stake × TAO weight, rao.
    total_stake: Vec<Compact<u64>>,
    /// TAO dividends by hotkey.
    tao_dividends_per_hotkey: Vec<(AccountId32, Compact<u64>)>,
    /// Alpha dividends by hotkey.
    alpha_dividends_per_hotkey: Vec<(AccountId32, Compact<u64>)>,
}

/// `pallet_subtensor::rpc_info::subnet_info::SubnetHyperparamsV2`
/// (`SubnetInfoRuntimeApi.get_subnet_hyperparams_v2`), spec 393's fields in its order.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
#[allow(missing_docs)]
pub struct SubnetHyperparamsV2 {
    pub rho: Compact<u16>,
    pub kappa: Compact<u16>,
    pub immunity_period: Compact<u16>,
    pub min_allowed_weights: Compact<u16>,
    pub max_weights_limit: Compact<u16>,
    pub tempo: Compact<u16>,
    pub min_difficulty: Compact<u64>,
    pub max_difficulty: Compact<u64>,
    pub weights_version: Compact<u64>,
    pub weights_rate_limit: Compact<u64>,
    pub adjustment_interval: Compact<u16>,
    pub activity_cutoff: Compact<u16>,
    pub registration_allowed: bool,
    pub target_regs_per_interval: Compact<u16>,
    pub min_burn: Compact<u64>,
    pub max_burn: Compact<u64>,
    pub bonds_moving_avg: Compact<u64>,
    pub max_regs_per_block: Compact<u16>,
    pub serving_rate_limit: Compact<u64>,
    pub max_validators: Compact<u16>,
    pub adjustment_alpha: Compact<u64>,
    pub difficulty: Compact<u64>,
    pub commit_reveal_period: Compact<u64>,
    pub commit_reveal_weights_enabled: bool,
    pub alpha_high: Compact<u16>,
    pub alpha_low: Compact<u16>,
    pub liquid_alpha_enabled: bool,
    /// `I32F32`.
    pub alpha_sigmoid_steepness: FixedI64,
    pub yuma_version: Compact<u16>,
    pub subnet_is_active: bool,
    pub transfers_enabled: bool,
    pub bonds_reset_enabled: bool,
    pub user_liquidity_enabled: bool,
}

/// `pallet_subtensor::rpc_info::neuron_info::NeuronInfoLite`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct NeuronInfoLite {
    /// Hotkey.
    pub hotkey: AccountId32,
    /// Coldkey.
    pub coldkey: AccountId32,
    /// UID.
    pub uid: Compact<u16>,
    /// Subnet.
    pub netuid: Compact<u16>,
    /// Active.
    pub active: bool,
    /// Axon.
    pub axon_info: AxonInfo,
    /// Prometheus.
    pub prometheus_info: PrometheusInfo,
    /// Stake by coldkey.
    pub stake: Vec<(AccountId32, Compact<u64>)>,
    /// Rank.
    pub rank: Compact<u16>,
    /// Emission.
    pub emission: Compact<u64>,
    /// Incentive.
    pub incentive: Compact<u16>,
    /// Consensus.
    pub consensus: Compact<u16>,
    /// Trust.
    pub trust: Compact<u16>,
    /// Validator trust.
    pub validator_trust: Compact<u16>,
    /// Dividends.
    pub dividends: Compact<u16>,
    /// Last update block.
    pub last_update: Compact<u64>,
    /// Validator permit.
    pub validator_permit: bool,
    /// Pruning score.
    pub pruning_score: Compact<u16>,
}

/// `std::borrow::Cow` as the runtime describes it: a wrapper with no bytes of its own.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Cow<T>(pub T);

/// The opaque extrinsic of runtime-API arguments: `fp_self_contained`'s `UncheckedExtrinsic`
/// around `sp_runtime`'s, around the bytes. Their `TypeInfo` (in `metadata`) names the
/// extrinsic's address, call, signature and extension types as type parameters, as the runtime
/// does: clients read the extrinsic format from them.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct UncheckedExtrinsic(pub opaque::UncheckedExtrinsic);

/// The inner opaque extrinsic.
pub mod opaque {
    use super::*;

    /// The extrinsic's bytes (with their compact length).
    #[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
    pub struct UncheckedExtrinsic(pub Vec<u8>);
}

/// `sp_core::OpaqueMetadata`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct OpaqueMetadata(pub Vec<u8>);
