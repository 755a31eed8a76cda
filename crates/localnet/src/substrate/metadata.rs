//! Runtime metadata (V14 and V15) generated from localnet's own types.
//!
//! Pallet names and indices, call/event/error variants, storage items (name, modifier,
//! hashers, key and value types, default), the extrinsic format with Subtensor's signed
//! extensions, and (V15) the runtime APIs localnet answers, all as on Subtensor's spec-393
//! runtime for the items localnet implements. A test decodes the recorded spec-393 metadata
//! and lists every difference in shape for the items both define.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, LazyLock, Mutex};

use frame_metadata::v14::{
    PalletCallMetadata, PalletConstantMetadata, PalletErrorMetadata, PalletEventMetadata,
    PalletStorageMetadata, StorageEntryMetadata, StorageEntryModifier, StorageEntryType,
    StorageHasher,
};
use frame_metadata::v15::{
    CustomMetadata, ExtrinsicMetadata, OuterEnums, PalletMetadata, RuntimeApiMetadata,
    RuntimeApiMethodMetadata, RuntimeApiMethodParamMetadata, RuntimeMetadataV15,
    SignedExtensionMetadata,
};
use frame_metadata::{RuntimeMetadataPrefixed, v14};
use parity_scale_codec::{Compact, Encode};
use scale_info::build::Fields;
use scale_info::{MetaType, Path, PortableRegistry, Type, TypeInfo, TypeParameter, meta_type};

use super::pallets::{
    self as p, BoundedVec, RuntimeCall, RuntimeError, RuntimeEvent, admin_utils, balances,
    commitments, mev_shield, proxy, subtensor_module, swap, system, timestamp, transaction_payment,
    utility,
};
use super::types::*;

/// The metadata versions localnet serves (`Metadata_metadata_versions`).
pub const METADATA_VERSIONS: [u32; 2] = [14, 15];

/// The runtime type itself (`node_subtensor_runtime::Runtime`), a unit struct.
struct Runtime;

impl TypeInfo for Runtime {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("Runtime", "node_subtensor_runtime"))
            .composite(Fields::unit())
    }
}

/// An empty signed extension (`CheckNonZeroSender`, `CheckWeight`, …): a unit struct of that
/// name, which is how the runtime describes them.
macro_rules! empty_extension {
    ($($name:ident => $module:literal),* $(,)?) => {$(
        struct $name;
        impl TypeInfo for $name {
            type Identity = Self;
            fn type_info() -> Type {
                Type::builder().path(Path::new(stringify!($name), $module)).composite(Fields::named())
            }
        }
    )*};
}

empty_extension! {
    CheckNonZeroSender => "frame_system::extensions::check_non_zero_sender",
    CheckSpecVersion => "frame_system::extensions::check_spec_version",
    CheckTxVersion => "frame_system::extensions::check_tx_version",
    CheckGenesis => "frame_system::extensions::check_genesis",
    CheckWeight => "frame_system::extensions::check_weight",
    SudoTransactionExtension => "node_subtensor_runtime::sudo_wrapper",
    CheckShieldedTxValidity => "pallet_shield::extension",
    SubtensorTransactionExtension => "pallet_subtensor::extensions::subtensor",
    DrandPriority => "pallet_drand::drand_priority",
}

/// `CheckMortality(Era)`.
#[derive(TypeInfo)]
#[allow(dead_code)]
struct CheckMortality(Era);

/// `CheckNonce(Compact<u32>)`.
#[derive(TypeInfo)]
#[allow(dead_code)]
struct CheckNonce(Compact<u32>);

/// `ChargeTransactionPayment(Compact<u64>)`: the tip.
#[derive(TypeInfo)]
#[allow(dead_code)]
struct ChargeTransactionPayment(Compact<u64>);

/// Subtensor wraps the payment extension; the wrapper names itself `ChargeTransactionPayment`.
#[derive(TypeInfo)]
#[allow(dead_code)]
struct ChargeTransactionPaymentWrapper {
    inner: ChargeTransactionPayment,
}

/// `frame_metadata_hash_extension::Mode`.
#[derive(TypeInfo)]
#[allow(dead_code)]
enum Mode {
    #[codec(index = 0)]
    Disabled,
    #[codec(index = 1)]
    Enabled,
}

/// `CheckMetadataHash { mode }`.
#[derive(TypeInfo)]
#[allow(dead_code)]
struct CheckMetadataHash {
    mode: Mode,
}

/// The extension tuple as the runtime nests it: system checks, Subtensor's own, metadata hash.
type Extra = (
    (
        CheckNonZeroSender,
        CheckSpecVersion,
        CheckTxVersion,
        CheckGenesis,
        CheckMortality,
        CheckNonce,
        CheckWeight,
    ),
    (
        ChargeTransactionPaymentWrapper,
        SudoTransactionExtension,
        CheckShieldedTxValidity,
        SubtensorTransactionExtension,
        DrandPriority,
    ),
    CheckMetadataHash,
);

fn signed_extensions() -> Vec<SignedExtensionMetadata> {
    let ext = |identifier: &'static str, ty: MetaType, additional_signed: MetaType| {
        SignedExtensionMetadata { identifier, ty, additional_signed }
    };
    vec![
        ext("CheckNonZeroSender", meta_type::<CheckNonZeroSender>(), meta_type::<()>()),
        ext("CheckSpecVersion", meta_type::<CheckSpecVersion>(), meta_type::<u32>()),
        ext("CheckTxVersion", meta_type::<CheckTxVersion>(), meta_type::<u32>()),
        ext("CheckGenesis", meta_type::<CheckGenesis>(), meta_type::<H256>()),
        ext("CheckMortality", meta_type::<CheckMortality>(), meta_type::<H256>()),
        ext("CheckNonce", meta_type::<CheckNonce>(), meta_type::<()>()),
        ext("CheckWeight", meta_type::<CheckWeight>(), meta_type::<()>()),
        ext("ChargeTransactionPayment", meta_type::<ChargeTransactionPayment>(), meta_type::<()>()),
        ext("SudoTransactionExtension", meta_type::<SudoTransactionExtension>(), meta_type::<()>()),
        ext("CheckShieldedTxValidity", meta_type::<CheckShieldedTxValidity>(), meta_type::<()>()),
        ext(
            "SubtensorTransactionExtension",
            meta_type::<SubtensorTransactionExtension>(),
            meta_type::<()>(),
        ),
        ext("DrandPriority", meta_type::<DrandPriority>(), meta_type::<()>()),
        ext("CheckMetadataHash", meta_type::<CheckMetadataHash>(), meta_type::<Option<[u8; 32]>>()),
    ]
}

/// The transaction extensions' names in the metadata's order (what a signer is told it signs
/// for).
pub fn extension_names() -> Vec<String> {
    signed_extensions().into_iter().map(|e| e.identifier.to_string()).collect()
}

/// The extrinsic's parts as the runtime names them in the type parameters of its
/// `UncheckedExtrinsic` types, under `last` for the extension tuple (`Extra` on
/// `sp_runtime`'s, `Extension` on `fp_self_contained`'s). Clients (polkadot.js) find the
/// address and signature types of extrinsics there.
fn extrinsic_params(last: &'static str) -> Vec<TypeParameter> {
    vec![
        TypeParameter::new("Address", Some(meta_type::<MultiAddress>())),
        TypeParameter::new("Call", Some(meta_type::<RuntimeCall>())),
        TypeParameter::new("Signature", Some(meta_type::<MultiSignature>())),
        TypeParameter::new(last, Some(meta_type::<Extra>())),
    ]
}

/// `sp_runtime::generic::UncheckedExtrinsic<Address, Call, Signature, Extra>`: the bytes, and
/// V14's extrinsic type.
impl TypeInfo for opaque::UncheckedExtrinsic {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("UncheckedExtrinsic", "sp_runtime::generic::unchecked_extrinsic"))
            .type_params(extrinsic_params("Extra"))
            .composite(Fields::unnamed().field(|f| f.ty::<Vec<u8>>()))
    }
}

/// `fp_self_contained::UncheckedExtrinsic<Address, Call, Signature, Extension>`, around
/// `sp_runtime`'s: the `uxt` of `TransactionPaymentApi_query_info`.
impl TypeInfo for UncheckedExtrinsic {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("UncheckedExtrinsic", "fp_self_contained::unchecked_extrinsic"))
            .type_params(extrinsic_params("Extension"))
            .composite(Fields::unnamed().field(|f| {
                f.ty::<opaque::UncheckedExtrinsic>()
                    .type_name("generic::UncheckedExtrinsic<Address, Call, Signature, Extension>")
            }))
    }
}

/// Where Subtensor's runtime defines each type localnet mirrors, by the type's name: clients
/// recognise well-known types by their full path (polkadot.js shows an `AccountId32` as an
/// SS58 address, decodes a `MultiAddress` or an `Era` with its own codec), and generated code
/// is named after it. Types declared with their real path already (`AccountId32`, `Era`, …)
/// and the pallets' `Call`/`Event`/`Error` (see [`PALLET_MODULES`]) are not listed.
const RUNTIME_PATHS: &[(&str, &str)] = &[
    ("AccountData", "pallet_balances::types"),
    ("AccountInfo", "frame_system"),
    ("ArithmeticError", "sp_arithmetic"),
    ("AxonInfo", "pallet_subtensor::pallet"),
    ("ChainIdentityV2", "pallet_subtensor::pallet"),
    ("ChargeTransactionPayment", "pallet_transaction_payment"),
    ("ChargeTransactionPaymentWrapper", "node_subtensor_runtime::transaction_payment_wrapper"),
    ("CheckMetadataHash", "frame_metadata_hash_extension"),
    ("CheckMortality", "node_subtensor_runtime::check_mortality"),
    ("CheckNonce", "node_subtensor_runtime::check_nonce"),
    ("Cow", ""),
    ("Digest", "sp_runtime::generic::digest"),
    ("DigestItem", "sp_runtime::generic::digest"),
    ("DispatchClass", "frame_support::dispatch"),
    ("DispatchError", "sp_runtime"),
    ("DispatchEventInfo", "frame_system"),
    ("DynamicInfo", "pallet_subtensor::rpc_info::dynamic_info"),
    ("EventRecord", "frame_system"),
    ("FixedI128", "substrate_fixed"),
    ("FixedI64", "substrate_fixed"),
    ("FixedU128", "substrate_fixed"),
    ("Header", "sp_runtime::generic::header"),
    ("Metagraph", "pallet_subtensor::rpc_info::metagraph"),
    ("SelectiveMetagraph", "pallet_subtensor::rpc_info::metagraph"),
    ("SubnetHyperparamsV2", "pallet_subtensor::rpc_info::subnet_info"),
    ("Mode", "frame_metadata_hash_extension"),
    ("ModuleError", "sp_runtime"),
    ("MultiSignature", "sp_runtime"),
    ("NeuronInfoLite", "pallet_subtensor::rpc_info::neuron_info"),
    ("OpaqueMetadata", "sp_core"),
    ("Pays", "frame_support::dispatch"),
    ("Phase", "frame_system"),
    ("PrometheusInfo", "pallet_subtensor::pallet"),
    ("ProxyType", "subtensor_runtime_common"),
    ("RecycleOrBurnEnum", "pallet_subtensor::pallet"),
    ("RuntimeCall", "node_subtensor_runtime"),
    ("RuntimeDispatchInfo", "pallet_transaction_payment::types"),
    ("RuntimeError", "node_subtensor_runtime"),
    ("RuntimeEvent", "node_subtensor_runtime"),
    ("RuntimeVersion", "sp_version"),
    ("SimSwapResult", "pallet_subtensor_swap_runtime_api"),
    ("StakeInfo", "pallet_subtensor::rpc_info::stake_info"),
    ("SubnetIdentityV3", "pallet_subtensor::pallet"),
    ("SubnetPrice", "pallet_subtensor_swap_runtime_api"),
    ("TokenError", "sp_runtime"),
    ("TransactionalError", "sp_runtime"),
    ("Weight", "sp_weights::weight_v2"),
    ("BoundedVec", "bounded_collections::bounded_vec"),
    ("Registration", "pallet_commitments::types"),
    ("CommitmentInfo", "pallet_commitments::types"),
    ("Data", "pallet_commitments::types"),
];

/// The runtime module of each pallet module of ours (`pallets::balances` and so on): where its
/// `Call`, `Event` and `Error` live.
const PALLET_MODULES: &[(&str, &str)] = &[
    ("system", "frame_system::pallet"),
    ("timestamp", "pallet_timestamp::pallet"),
    ("balances", "pallet_balances::pallet"),
    ("transaction_payment", "pallet_transaction_payment::pallet"),
    ("subtensor_module", "pallet_subtensor::pallet"),
    ("utility", "pallet_subtensor_utility::pallet"),
    ("proxy", "pallet_subtensor_proxy::pallet"),
    ("admin_utils", "pallet_admin_utils::pallet"),
    ("swap", "pallet_subtensor_swap::pallet::pallet"),
    ("mev_shield", "pallet_shield::pallet"),
];

/// The runtime's path for one of our types at `segments` (our crate's path), if we know it.
fn runtime_path(segments: &[String]) -> Option<Vec<String>> {
    let (name, module) = segments.split_last()?;
    let module = match (name.as_str(), module.last()) {
        ("Call" | "Event" | "Error", Some(ours)) => {
            PALLET_MODULES.iter().find(|(m, _)| m == ours).map(|(_, real)| *real)?
        }
        _ => RUNTIME_PATHS.iter().find(|(n, _)| n == name).map(|(_, real)| *real)?,
    };
    let mut path: Vec<String> =
        module.split("::").filter(|s| !s.is_empty()).map(str::to_string).collect();
    path.push(name.clone());
    Some(path)
}

/// Gives every type of ours (derived `TypeInfo` paths start with this crate's name) its path on
/// the real runtime. A type with no known place keeps ours, which the shape test reports.
fn with_runtime_paths(mut types: PortableRegistry) -> PortableRegistry {
    let ours = module_path!().split("::").next().unwrap_or_default();
    for t in &mut types.types {
        let segments = &t.ty.path.segments;
        if segments.first().is_some_and(|s| s == ours)
            && let Some(real) = runtime_path(segments)
        {
            t.ty.path.segments = real;
        }
    }
    types
}

// ---- storage ----

fn plain<V: TypeInfo + 'static>(
    name: &'static str,
    modifier: StorageEntryModifier,
    default: Vec<u8>,
) -> StorageEntryMetadata {
    StorageEntryMetadata {
        name,
        modifier,
        ty: StorageEntryType::Plain(meta_type::<V>()),
        default,
        docs: Vec::new(),
    }
}

fn map<K: TypeInfo + 'static, V: TypeInfo + 'static>(
    name: &'static str,
    modifier: StorageEntryModifier,
    hashers: Vec<StorageHasher>,
    default: Vec<u8>,
) -> StorageEntryMetadata {
    StorageEntryMetadata {
        name,
        modifier,
        ty: StorageEntryType::Map { hashers, key: meta_type::<K>(), value: meta_type::<V>() },
        default,
        docs: Vec::new(),
    }
}

use StorageEntryModifier::{Default as D, Optional as O};
use StorageHasher::{Blake2_128Concat as B, Identity as I, Twox64Concat as T};

fn zero<V: Encode + Default>() -> Vec<u8> {
    V::default().encode()
}

fn system_storage() -> PalletStorageMetadata {
    PalletStorageMetadata {
        prefix: "System",
        entries: vec![
            map::<AccountId32, AccountInfo>("Account", D, vec![B], AccountInfo::default().encode()),
            map::<u32, H256>("BlockHash", D, vec![T], zero::<H256>()),
            plain::<u32>("Number", D, zero::<u32>()),
            plain::<H256>("ParentHash", D, zero::<H256>()),
            plain::<Digest>("Digest", D, zero::<Digest>()),
            plain::<Vec<EventRecord>>("Events", D, vec![0]),
            plain::<u32>("EventCount", D, zero::<u32>()),
        ],
    }
}

fn subtensor_storage() -> PalletStorageMetadata {
    let u16k = |name| map::<u16, u16>(name, D, vec![I], zero::<u16>());
    let u64k = |name| map::<u16, u64>(name, D, vec![I], zero::<u64>());
    PalletStorageMetadata {
        prefix: "SubtensorModule",
        entries: vec![
            map::<AccountId32, AccountId32>("Owner", D, vec![B], zero::<AccountId32>()),
            plain::<u64>("TotalIssuance", D, zero::<u64>()),
            plain::<u64>("TotalStake", D, zero::<u64>()),
            map::<u16, FixedI128>("SubnetMovingPrice", D, vec![I], zero::<FixedI128>()),
            map::<u16, u128>("SubnetVolume", D, vec![I], zero::<u128>()),
            u64k("SubnetTAO"),
            u64k("SubnetAlphaInEmission"),
            u64k("SubnetAlphaOutEmission"),
            u64k("SubnetTaoInEmission"),
            u64k("SubnetAlphaIn"),
            u64k("SubnetAlphaOut"),
            map::<AccountId32, Vec<AccountId32>>("StakingHotkeys", D, vec![B], vec![0]),
            map::<AccountId32, Vec<AccountId32>>("OwnedHotkeys", D, vec![B], vec![0]),
            map::<(AccountId32, u16), u64>("TotalHotkeyAlpha", D, vec![B, I], zero::<u64>()),
            map::<(AccountId32, u16), FixedU128>(
                "TotalHotkeyShares",
                D,
                vec![B, I],
                zero::<FixedU128>(),
            ),
            map::<(AccountId32, AccountId32, u16), FixedU128>(
                "Alpha",
                D,
                vec![B, B, I],
                zero::<FixedU128>(),
            ),
            // The runtime's default symbol is "τ" in Mathematical Alphanumeric form (4 bytes).
            map::<u16, Vec<u8>>(
                "TokenSymbol",
                D,
                vec![I],
                "\u{1d70f}".as_bytes().to_vec().encode(),
            ),
            plain::<u16>("TotalNetworks", D, zero::<u16>()),
            map::<u16, u16>("Tempo", D, vec![I], 360u16.encode()),
            u16k("SubnetMechanism"),
            u16k("SubnetworkN"),
            map::<u16, bool>("NetworksAdded", D, vec![I], zero::<bool>()),
            u64k("NetworkRegisteredAt"),
            u64k("LastMechansimStepBlock"),
            map::<u16, AccountId32>("SubnetOwner", D, vec![I], zero::<AccountId32>()),
            map::<u16, AccountId32>("SubnetOwnerHotkey", D, vec![I], zero::<AccountId32>()),
            map::<u16, bool>("SubtokenEnabled", D, vec![I], zero::<bool>()),
            map::<(u16, AccountId32), u16>("Uids", O, vec![I, B], vec![0]),
            map::<(u16, u16), AccountId32>("Keys", D, vec![I, I], zero::<AccountId32>()),
            map::<(u16, u16), u64>("BlockAtRegistration", D, vec![I, I], zero::<u64>()),
            map::<u16, SubnetIdentityV3>("SubnetIdentitiesV3", O, vec![B], vec![0]),
            map::<u16, u64>("Burn", D, vec![I], 100_000_000u64.encode()),
        ],
    }
}

fn pallet(
    name: &'static str,
    index: u8,
    storage: Option<PalletStorageMetadata>,
    calls: Option<MetaType>,
    event: Option<MetaType>,
    error: Option<MetaType>,
    constants: Vec<PalletConstantMetadata>,
) -> PalletMetadata {
    PalletMetadata {
        name,
        storage,
        calls: calls.map(|ty| PalletCallMetadata { ty }),
        event: event.map(|ty| PalletEventMetadata { ty }),
        constants,
        error: error.map(|ty| PalletErrorMetadata { ty }),
        index,
        docs: Vec::new(),
    }
}

fn constant<V: TypeInfo + Encode + 'static>(
    name: &'static str,
    value: V,
) -> PalletConstantMetadata {
    PalletConstantMetadata { name, ty: meta_type::<V>(), value: value.encode(), docs: Vec::new() }
}

/// The SS58 prefix of Bittensor addresses.
pub const SS58_PREFIX: u16 = 42;
/// `Balances::ExistentialDeposit`, rao (Subtensor's value).
pub const EXISTENTIAL_DEPOSIT: u64 = 500;

/// `Aura.SlotDuration` on Subtensor (ms): its 12-second blocks. A node serves its own block
/// time there (the SDK's `block_time()` reads it; 250 ms is Subtensor's "fast blocks").
pub const DEFAULT_SLOT_DURATION_MS: u64 = 12_000;

fn pallets(slot_duration_ms: u64) -> Vec<PalletMetadata> {
    vec![
        pallet(
            "System",
            p::index::SYSTEM,
            Some(system_storage()),
            Some(meta_type::<system::Call>()),
            Some(meta_type::<system::Event>()),
            Some(meta_type::<system::Error>()),
            vec![constant("SS58Prefix", SS58_PREFIX)],
        ),
        pallet(
            "Timestamp",
            p::index::TIMESTAMP,
            Some(PalletStorageMetadata {
                prefix: "Timestamp",
                entries: vec![plain::<u64>("Now", D, zero::<u64>())],
            }),
            Some(meta_type::<timestamp::Call>()),
            None,
            None,
            Vec::new(),
        ),
        pallet(
            "Aura",
            p::index::AURA,
            None,
            None,
            None,
            None,
            vec![constant("SlotDuration", slot_duration_ms)],
        ),
        pallet(
            "Balances",
            p::index::BALANCES,
            Some(PalletStorageMetadata {
                prefix: "Balances",
                entries: vec![plain::<u64>("TotalIssuance", D, zero::<u64>())],
            }),
            Some(meta_type::<balances::Call>()),
            Some(meta_type::<balances::Event>()),
            Some(meta_type::<balances::Error>()),
            vec![constant("ExistentialDeposit", EXISTENTIAL_DEPOSIT)],
        ),
        pallet(
            "TransactionPayment",
            p::index::TRANSACTION_PAYMENT,
            None,
            None,
            Some(meta_type::<transaction_payment::Event>()),
            None,
            Vec::new(),
        ),
        pallet(
            "SubtensorModule",
            p::index::SUBTENSOR,
            Some(subtensor_storage()),
            Some(meta_type::<subtensor_module::Call>()),
            Some(meta_type::<subtensor_module::Event>()),
            Some(meta_type::<subtensor_module::Error>()),
            Vec::new(),
        ),
        pallet(
            "Utility",
            p::index::UTILITY,
            None,
            Some(meta_type::<utility::Call>()),
            Some(meta_type::<utility::Event>()),
            Some(meta_type::<utility::Error>()),
            Vec::new(),
        ),
        pallet(
            "Proxy",
            p::index::PROXY,
            None,
            Some(meta_type::<proxy::Call>()),
            Some(meta_type::<proxy::Event>()),
            Some(meta_type::<proxy::Error>()),
            Vec::new(),
        ),
        pallet(
            "Commitments",
            p::index::COMMITMENTS,
            Some(PalletStorageMetadata {
                prefix: "Commitments",
                entries: vec![
                    map::<(u16, AccountId32), commitments::Registration>(
                        "CommitmentOf",
                        O,
                        vec![I, T],
                        vec![0],
                    ),
                    map::<(u16, AccountId32), Vec<(Vec<u8>, u64)>>(
                        "RevealedCommitments",
                        O,
                        vec![I, T],
                        vec![0],
                    ),
                ],
            }),
            None,
            None,
            None,
            Vec::new(),
        ),
        pallet(
            "AdminUtils",
            p::index::ADMIN_UTILS,
            None,
            Some(meta_type::<admin_utils::Call>()),
            None,
            None,
            Vec::new(),
        ),
        pallet(
            "Swap",
            p::index::SWAP,
            Some(PalletStorageMetadata {
                prefix: "Swap",
                entries: vec![map::<u16, u16>("FeeRate", D, vec![T], 33u16.encode())],
            }),
            Some(meta_type::<swap::Call>()),
            Some(meta_type::<swap::Event>()),
            Some(meta_type::<swap::Error>()),
            Vec::new(),
        ),
        pallet(
            "MevShield",
            p::index::MEV_SHIELD,
            Some(PalletStorageMetadata {
                prefix: "MevShield",
                entries: vec![plain::<BoundedVec<u8>>("NextKey", O, vec![0])],
            }),
            Some(meta_type::<mev_shield::Call>()),
            Some(meta_type::<mev_shield::Event>()),
            Some(meta_type::<mev_shield::Error>()),
            Vec::new(),
        ),
    ]
}

// ---- runtime APIs (V15) ----

fn method(
    name: &'static str,
    inputs: Vec<(&'static str, MetaType)>,
    output: MetaType,
) -> RuntimeApiMethodMetadata {
    RuntimeApiMethodMetadata {
        name,
        inputs: inputs
            .into_iter()
            .map(|(name, ty)| RuntimeApiMethodParamMetadata { name, ty })
            .collect(),
        output,
        docs: Vec::new(),
    }
}

fn api(name: &'static str, methods: Vec<RuntimeApiMethodMetadata>) -> RuntimeApiMetadata {
    RuntimeApiMetadata { name, methods, docs: Vec::new() }
}

/// The runtime APIs localnet declares, with their versions in `Core_version`'s `apis`.
pub const RUNTIME_APIS: [(&str, u32); 8] = [
    ("Core", 5),
    ("Metadata", 2),
    ("AccountNonceApi", 1),
    ("TransactionPaymentApi", 4),
    ("SubnetInfoRuntimeApi", 1),
    ("SwapRuntimeApi", 1),
    ("StakeInfoRuntimeApi", 1),
    ("NeuronInfoRuntimeApi", 1),
];

fn apis() -> Vec<RuntimeApiMetadata> {
    let u16_ = meta_type::<u16>;
    vec![
        api("Core", vec![method("version", vec![], meta_type::<RuntimeVersion>())]),
        api(
            "Metadata",
            vec![
                method("metadata", vec![], meta_type::<OpaqueMetadata>()),
                method(
                    "metadata_at_version",
                    vec![("version", meta_type::<u32>())],
                    meta_type::<Option<OpaqueMetadata>>(),
                ),
                method("metadata_versions", vec![], meta_type::<Vec<u32>>()),
            ],
        ),
        api(
            "AccountNonceApi",
            vec![method(
                "account_nonce",
                vec![("account", meta_type::<AccountId32>())],
                meta_type::<u32>(),
            )],
        ),
        api(
            "TransactionPaymentApi",
            vec![method(
                "query_info",
                vec![("uxt", meta_type::<UncheckedExtrinsic>()), ("len", meta_type::<u32>())],
                meta_type::<RuntimeDispatchInfo>(),
            )],
        ),
        api(
            "SubnetInfoRuntimeApi",
            vec![
                method("get_all_dynamic_info", vec![], meta_type::<Vec<Option<DynamicInfo>>>()),
                method(
                    "get_dynamic_info",
                    vec![("netuid", u16_())],
                    meta_type::<Option<DynamicInfo>>(),
                ),
                method("get_metagraph", vec![("netuid", u16_())], meta_type::<Option<Metagraph>>()),
                method(
                    "get_selective_metagraph",
                    vec![("netuid", u16_()), ("metagraph_indexes", meta_type::<Vec<u16>>())],
                    meta_type::<Option<SelectiveMetagraph>>(),
                ),
                method(
                    "get_selective_mechagraph",
                    vec![
                        ("netuid", u16_()),
                        ("subid", meta_type::<u8>()),
                        ("metagraph_indexes", meta_type::<Vec<u16>>()),
                    ],
                    meta_type::<Option<SelectiveMetagraph>>(),
                ),
                method(
                    "get_subnet_hyperparams_v2",
                    vec![("netuid", u16_())],
                    meta_type::<Option<SubnetHyperparamsV2>>(),
                ),
            ],
        ),
        api(
            "SwapRuntimeApi",
            vec![
                method("current_alpha_price", vec![("netuid", u16_())], meta_type::<u64>()),
                method("current_alpha_price_all", vec![], meta_type::<Vec<SubnetPrice>>()),
                method(
                    "sim_swap_tao_for_alpha",
                    vec![("netuid", u16_()), ("tao", meta_type::<u64>())],
                    meta_type::<SimSwapResult>(),
                ),
                method(
                    "sim_swap_alpha_for_tao",
                    vec![("netuid", u16_()), ("alpha", meta_type::<u64>())],
                    meta_type::<SimSwapResult>(),
                ),
            ],
        ),
        api(
            "StakeInfoRuntimeApi",
            vec![
                method(
                    "get_stake_info_for_coldkey",
                    vec![("coldkey_account", meta_type::<AccountId32>())],
                    meta_type::<Vec<StakeInfo>>(),
                ),
                method(
                    "get_stake_info_for_coldkeys",
                    vec![("coldkey_accounts", meta_type::<Vec<AccountId32>>())],
                    meta_type::<Vec<(AccountId32, Vec<StakeInfo>)>>(),
                ),
                method(
                    "get_stake_info_for_hotkey_coldkey_netuid",
                    vec![
                        ("hotkey_account", meta_type::<AccountId32>()),
                        ("coldkey_account", meta_type::<AccountId32>()),
                        ("netuid", u16_()),
                    ],
                    meta_type::<Option<StakeInfo>>(),
                ),
            ],
        ),
        api(
            "NeuronInfoRuntimeApi",
            vec![
                method(
                    "get_neurons_lite",
                    vec![("netuid", u16_())],
                    meta_type::<Vec<NeuronInfoLite>>(),
                ),
                method(
                    "get_neuron_lite",
                    vec![("netuid", u16_()), ("uid", u16_())],
                    meta_type::<Option<NeuronInfoLite>>(),
                ),
            ],
        ),
    ]
}

/// The V15 metadata.
pub fn metadata_v15() -> RuntimeMetadataV15 {
    metadata_v15_for(DEFAULT_SLOT_DURATION_MS)
}

/// [`metadata_v15`] of a node whose blocks are `slot_duration_ms` apart.
pub fn metadata_v15_for(slot_duration_ms: u64) -> RuntimeMetadataV15 {
    let mut metadata = RuntimeMetadataV15::new(
        pallets(slot_duration_ms),
        ExtrinsicMetadata {
            version: 4,
            address_ty: meta_type::<MultiAddress>(),
            call_ty: meta_type::<RuntimeCall>(),
            signature_ty: meta_type::<MultiSignature>(),
            extra_ty: meta_type::<Extra>(),
            signed_extensions: signed_extensions(),
        },
        meta_type::<Runtime>(),
        apis(),
        OuterEnums {
            call_enum_ty: meta_type::<RuntimeCall>(),
            event_enum_ty: meta_type::<RuntimeEvent>(),
            error_enum_ty: meta_type::<RuntimeError>(),
        },
        CustomMetadata { map: Default::default() },
    );
    metadata.types = with_runtime_paths(metadata.types);
    metadata
}

/// The V14 metadata (the same pallets; no runtime APIs).
pub fn metadata_v14() -> v14::RuntimeMetadataV14 {
    metadata_v14_for(DEFAULT_SLOT_DURATION_MS)
}

/// [`metadata_v14`] of a node whose blocks are `slot_duration_ms` apart.
pub fn metadata_v14_for(slot_duration_ms: u64) -> v14::RuntimeMetadataV14 {
    let pallets = pallets(slot_duration_ms)
        .into_iter()
        .map(|p| v14::PalletMetadata {
            name: p.name,
            storage: p.storage,
            calls: p.calls,
            event: p.event,
            constants: p.constants,
            error: p.error,
            index: p.index,
        })
        .collect();
    let extensions = signed_extensions()
        .into_iter()
        .map(|e| v14::SignedExtensionMetadata {
            identifier: e.identifier,
            ty: e.ty,
            additional_signed: e.additional_signed,
        })
        .collect();
    let mut metadata = v14::RuntimeMetadataV14::new(
        pallets,
        v14::ExtrinsicMetadata {
            ty: meta_type::<opaque::UncheckedExtrinsic>(),
            version: 4,
            signed_extensions: extensions,
        },
        meta_type::<Runtime>(),
    );
    metadata.types = with_runtime_paths(metadata.types);
    metadata
}

/// Encoded metadata by (version, slot duration): built once for each (a node has one block
/// time; tests a few).
static BYTES: LazyLock<Mutex<EncodedByVersionAndSlot>> = LazyLock::new(Default::default);

type EncodedByVersionAndSlot = HashMap<(u32, u64), Arc<[u8]>>;

static DECLARED: LazyLock<Vec<([u8; 32], &'static str, &'static str)>> = LazyLock::new(|| {
    pallets(DEFAULT_SLOT_DURATION_MS)
        .into_iter()
        .filter_map(|p| p.storage)
        .flat_map(|s| {
            s.entries
                .into_iter()
                .map(move |e| (super::storage::prefix(s.prefix, e.name), s.prefix, e.name))
        })
        .collect()
});

/// The (pallet, item) of a storage key whose first 32 bytes are a declared item's prefix.
pub fn declared_item(key: &[u8]) -> Option<(&'static str, &'static str)> {
    let head = key.get(..32)?;
    DECLARED.iter().find(|(p, _, _)| p.as_slice() == head).map(|(_, pallet, item)| (*pallet, *item))
}

/// Every declared storage item: (its 32-byte prefix, pallet, item).
pub fn declared_items() -> impl Iterator<Item = ([u8; 32], &'static str, &'static str)> {
    DECLARED.iter().copied()
}

/// Every declared pallet error: (pallet name, error name, pallet index, error index).
static ERRORS: LazyLock<Vec<(String, String, u8, u8)>> = LazyLock::new(|| {
    let metadata = metadata_v15();
    let mut out = Vec::new();
    for p in &metadata.pallets {
        let Some(error) = &p.error else { continue };
        let Some(ty) = metadata.types.resolve(error.ty.id) else { continue };
        if let scale_info::TypeDef::Variant(v) = &ty.type_def {
            for variant in &v.variants {
                out.push((p.name.clone(), variant.name.clone(), p.index, variant.index));
            }
        }
    }
    out
});

/// The (pallet index, error index) of the declared error `name`, in `pallet` if given,
/// otherwise in the first pallet that declares it.
pub fn error_index(pallet: Option<&str>, name: &str) -> Option<(u8, u8)> {
    ERRORS
        .iter()
        .find(|(p, n, _, _)| n == name && pallet.is_none_or(|want| want == p))
        .map(|(_, _, pallet, error)| (*pallet, *error))
}

/// `RuntimeMetadataPrefixed` bytes of `version` (14 or 15) for a node whose blocks are
/// `slot_duration_ms` apart (`Aura.SlotDuration`), built once.
pub fn metadata_bytes(version: u32, slot_duration_ms: u64) -> Option<Arc<[u8]>> {
    let build = || -> Option<Vec<u8>> {
        match version {
            14 => Some(RuntimeMetadataPrefixed::from(metadata_v14_for(slot_duration_ms)).encode()),
            15 => Some(RuntimeMetadataPrefixed::from(metadata_v15_for(slot_duration_ms)).encode()),
            _ => None,
        }
    };
    let mut cache = BYTES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    match cache.entry((version, slot_duration_ms)) {
        Entry::Occupied(e) => Some(e.get().clone()),
        Entry::Vacant(e) => Some(e.insert(build()?.into()).clone()),
    }
}
