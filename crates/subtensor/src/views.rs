//! Runtime-API answers as partial structs (only the fields taoplex reads; the rest of each
//! answer is skipped by its metadata type) and their conversion to [`chain`]'s views.
//!
//! Field names are the runtime's (`pallet_subtensor::rpc_info::*`); `Compact<…>` and the
//! `NetUid`/`TaoBalance`/`AlphaBalance` newtypes decode straight into integers.

use chain::{
    AccountId, AxonInfo, Hyperparameters, NeuronInfo, PoolInfo, RecycleOrBurn, StakeInfo,
    SubnetIdentity, SubnetInfo,
};

use crate::events::Account;
use crate::layout::partial_struct;

partial_struct! {
    /// `I96F32` as the runtime encodes it.
    #[derive(Debug, Clone, Copy)]
    pub struct FixedI128 {
        /// Raw bits (value × 2³²).
        pub bits: i128,
    }
}

impl FixedI128 {
    /// The value in rao per alpha (TAO per alpha × 10⁹), floored; negative as 0.
    pub fn rao(&self) -> u64 {
        let scaled = self.bits.max(0).saturating_mul(1_000_000_000) >> 32;
        u64::try_from(scaled).unwrap_or(u64::MAX)
    }
}

partial_struct! {
    /// `SubnetIdentityV3` (fields taoplex shows).
    #[derive(Debug, Clone)]
    pub struct IdentityV3 {
        /// Display name.
        pub subnet_name: Vec<u8>,
        /// Repository.
        pub github_repo: Vec<u8>,
        /// Website.
        pub subnet_url: Vec<u8>,
        /// What it does.
        pub description: Vec<u8>,
        /// Logo.
        pub logo_url: Vec<u8>,
    }
}

partial_struct! {
    /// `DynamicInfo` (`SubnetInfoRuntimeApi_get_all_dynamic_info`, `get_dynamic_info`).
    #[derive(Debug, Clone)]
    pub struct DynamicInfo {
        /// Subnet.
        pub netuid: u16,
        /// Owner hotkey.
        pub owner_hotkey: Account,
        /// Owner coldkey.
        pub owner_coldkey: Account,
        /// Name (UTF-8 bytes).
        pub subnet_name: Vec<u8>,
        /// Token glyph (UTF-8 bytes).
        pub token_symbol: Vec<u8>,
        /// Epoch length.
        pub tempo: u16,
        /// Last epoch block.
        pub last_step: u64,
        /// Alpha in the pool.
        pub alpha_in: u64,
        /// Alpha outstanding.
        pub alpha_out: u64,
        /// TAO in the pool.
        pub tao_in: u64,
        /// TAO injected per block.
        pub tao_in_emission: u64,
        /// Traded volume.
        pub subnet_volume: u128,
        /// Registration block.
        pub network_registered_at: u64,
        /// Identity, if set.
        pub subnet_identity: Option<IdentityV3>,
        /// EMA price.
        pub moving_price: FixedI128,
    }
}

partial_struct! {
    /// `SelectiveMetagraph` (`get_selective_mechagraph`): everything is optional, present when its
    /// index was asked for.
    #[derive(Debug, Clone)]
    #[allow(missing_docs)]
    pub struct SelectiveMetagraph {
        pub netuid: u16,
        pub name: Option<Vec<u8>>,
        pub symbol: Option<Vec<u8>>,
        pub identity: Option<Option<IdentityV3>>,
        pub network_registered_at: Option<u64>,
        pub owner_hotkey: Option<Account>,
        pub owner_coldkey: Option<Account>,
        pub tempo: Option<u16>,
        pub last_step: Option<u64>,
        pub alpha_in: Option<u64>,
        pub alpha_out: Option<u64>,
        pub tao_in: Option<u64>,
        pub tao_in_emission: Option<u64>,
        pub subnet_volume: Option<u128>,
        pub moving_price: Option<FixedI128>,
        pub kappa: Option<u16>,
        pub weights_version: Option<u64>,
        pub weights_rate_limit: Option<u64>,
        pub activity_cutoff: Option<u16>,
        pub max_validators: Option<u16>,
        pub num_uids: Option<u16>,
        pub max_uids: Option<u16>,
        pub burn: Option<u64>,
        pub registration_allowed: Option<bool>,
        pub immunity_period: Option<u16>,
        pub min_burn: Option<u64>,
        pub max_burn: Option<u64>,
        pub commit_reveal_weights_enabled: Option<bool>,
        pub commit_reveal_period: Option<u64>,
        pub bonds_moving_avg: Option<u64>,
    }
}

/// The metagraph fields [`SelectiveMetagraph`] reads, as the index list the runtime takes:
/// every field from `netuid` (0) to `bonds_moving_avg` (52) — the subnet, its pool and its
/// hyperparameters — and up to the per-neuron lists (73), which the recordings asked for.
pub const METAGRAPH_ALL_FIELDS: std::ops::Range<u16> = 0..74;

partial_struct! {
    /// `NeuronInfoLite` (`NeuronInfoRuntimeApi_get_neurons_lite`).
    #[derive(Debug, Clone)]
    #[allow(missing_docs)]
    pub struct NeuronLite {
        pub hotkey: Account,
        pub coldkey: Account,
        pub uid: u16,
        pub netuid: u16,
        pub axon_info: AxonLite,
        pub stake: Vec<(Account, u64)>,
        pub emission: u64,
        pub incentive: u16,
        pub consensus: u16,
        pub dividends: u16,
        pub last_update: u64,
        pub validator_permit: bool,
    }
}

partial_struct! {
    /// `AxonInfo`.
    #[derive(Debug, Clone)]
    #[allow(missing_docs)]
    pub struct AxonLite {
        pub block: u64,
        pub version: u32,
        pub ip: u128,
        pub port: u16,
        pub ip_type: u8,
        pub protocol: u8,
    }
}

partial_struct! {
    /// `StakeInfo` (`StakeInfoRuntimeApi_get_stake_info_for_coldkey`).
    #[derive(Debug, Clone)]
    #[allow(missing_docs)]
    pub struct StakeLite {
        pub hotkey: Account,
        pub coldkey: Account,
        pub netuid: u16,
        pub stake: u64,
    }
}

partial_struct! {
    /// `SimSwapResult` (`SwapRuntimeApi_sim_swap_*`).
    #[derive(Debug, Clone, Copy)]
    #[allow(missing_docs)]
    pub struct SimSwap {
        pub tao_amount: u64,
        pub alpha_amount: u64,
        pub tao_fee: u64,
        pub alpha_fee: u64,
    }
}

partial_struct! {
    /// `SubnetPrice` (`SwapRuntimeApi_current_alpha_price_all`).
    #[derive(Debug, Clone, Copy)]
    #[allow(missing_docs)]
    pub struct SubnetPrice {
        pub netuid: u16,
        pub price: u64,
    }
}

partial_struct! {
    /// `SubnetHyperparamsV2` (the fields not in the metagraph).
    #[derive(Debug, Clone, Copy)]
    #[allow(missing_docs)]
    pub struct HyperparamsV2 {
        pub transfers_enabled: bool,
    }
}

partial_struct! {
    /// `System.Account` (what taoplex reads of it).
    #[derive(Debug, Clone, Copy)]
    #[allow(missing_docs)]
    pub struct SystemAccount {
        pub nonce: u64,
        pub data: AccountData,
    }
}

partial_struct! {
    /// `pallet_balances::AccountData`.
    #[derive(Debug, Clone, Copy)]
    #[allow(missing_docs)]
    pub struct AccountData {
        pub free: u64,
        pub reserved: u64,
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn identity(name: &[u8], symbol: &[u8], id: Option<&IdentityV3>) -> SubnetIdentity {
    SubnetIdentity {
        name: id
            .map(|i| text(&i.subnet_name))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| text(name)),
        symbol: text(symbol),
        description: id.map(|i| text(&i.description)).unwrap_or_default(),
        url: id.map(|i| text(&i.subnet_url)).unwrap_or_default(),
        github: id.map(|i| text(&i.github_repo)).unwrap_or_default(),
        logo_url: id.map(|i| text(&i.logo_url)).unwrap_or_default(),
    }
}

/// Spot price from the reserves when the runtime gives none: rao of TAO per alpha.
fn reserve_price(tao_in: u64, alpha_in: u64) -> u64 {
    if alpha_in == 0 {
        return 0;
    }
    u64::try_from(u128::from(tao_in) * 1_000_000_000 / u128::from(alpha_in)).unwrap_or(u64::MAX)
}

/// What a subnet view needs beyond the metagraph: the pool's fee rate (`Swap.FeeRate`), the
/// runtime's spot price, and the hyperparameters only `get_subnet_hyperparams_v2` has.
#[derive(Debug, Clone, Copy)]
pub struct SubnetExtras {
    /// Swap fee, parts of 65535.
    pub fee_rate: u16,
    /// Spot price, rao per alpha (`current_alpha_price`), if read.
    pub price: Option<u64>,
    /// Whether stake may be transferred.
    pub transfer_enabled: bool,
}

impl SelectiveMetagraph {
    /// The subnet view. Fails naming the first field the runtime left out.
    pub fn into_subnet(self, extras: SubnetExtras) -> Result<SubnetInfo, &'static str> {
        let m = self;
        let tao_in = m.tao_in.ok_or("tao_in")?;
        let alpha_in = m.alpha_in.ok_or("alpha_in")?;
        let name = m.name.unwrap_or_default();
        let symbol = m.symbol.unwrap_or_default();
        let id = m.identity.flatten();
        Ok(SubnetInfo {
            netuid: m.netuid,
            identity: identity(&name, &symbol, id.as_ref()),
            owner_coldkey: m.owner_coldkey.ok_or("owner_coldkey")?.into(),
            owner_hotkey: m.owner_hotkey.ok_or("owner_hotkey")?.into(),
            registered_at: m.network_registered_at.ok_or("network_registered_at")?,
            mechanism: u16::from(m.netuid != 0),
            first_emission_block: None,
            pool: PoolInfo {
                tao_reserve: tao_in,
                alpha_in,
                alpha_out: m.alpha_out.ok_or("alpha_out")?,
                price: extras.price.unwrap_or_else(|| reserve_price(tao_in, alpha_in)),
                moving_price: m.moving_price.ok_or("moving_price")?.rao(),
                curve: dtao::amm::CurveKind::default(),
                fee_rate: extras.fee_rate,
                volume: m.subnet_volume.ok_or("subnet_volume")?,
            },
            hyperparameters: Hyperparameters {
                tempo: m.tempo.ok_or("tempo")?,
                fee_rate: extras.fee_rate,
                weights_rate_limit: m.weights_rate_limit.ok_or("weights_rate_limit")?,
                commit_reveal_enabled: m
                    .commit_reveal_weights_enabled
                    .ok_or("commit_reveal_weights_enabled")?,
                commit_reveal_period: m.commit_reveal_period.ok_or("commit_reveal_period")?,
                max_allowed_validators: m.max_validators.ok_or("max_validators")?,
                max_allowed_uids: m.max_uids.ok_or("max_uids")?,
                immunity_period: m.immunity_period.ok_or("immunity_period")?,
                activity_cutoff: m.activity_cutoff.ok_or("activity_cutoff")?,
                kappa: m.kappa.ok_or("kappa")?,
                bonds_moving_average: m.bonds_moving_avg.ok_or("bonds_moving_avg")?,
                burn: m.burn.ok_or("burn")?,
                min_burn: m.min_burn.ok_or("min_burn")?,
                max_burn: m.max_burn.ok_or("max_burn")?,
                recycle_or_burn: RecycleOrBurn::default(),
                transfer_enabled: extras.transfer_enabled,
                registration_allowed: m.registration_allowed.ok_or("registration_allowed")?,
                weights_version_key: m.weights_version.ok_or("weights_version")?,
            },
            emission_share_ppb: 0,
            tao_emission: m.tao_in_emission.ok_or("tao_in_emission")?,
            miner_burned_ppb: 0,
            last_epoch_block: m.last_step.ok_or("last_step")?,
            neuron_count: m.num_uids.ok_or("num_uids")?,
        })
    }
}

impl NeuronLite {
    /// The neuron view (stake: the sum of its alpha stake entries).
    pub fn into_neuron(self) -> NeuronInfo {
        let axon = (self.axon_info.ip != 0).then(|| AxonInfo {
            ip: ip_text(self.axon_info.ip, self.axon_info.ip_type),
            port: self.axon_info.port,
            ip_type: self.axon_info.ip_type,
            protocol: self.axon_info.protocol,
            version: self.axon_info.version,
        });
        NeuronInfo {
            netuid: self.netuid,
            uid: self.uid,
            hotkey: self.hotkey.into(),
            coldkey: self.coldkey.into(),
            axon,
            validator_permit: self.validator_permit,
            stake: self.stake.iter().fold(0u64, |sum, (_, s)| sum.saturating_add(*s)),
            incentive: self.incentive,
            dividends: self.dividends,
            consensus: self.consensus,
            emission: self.emission,
            registered_at: 0,
            last_update: self.last_update,
        }
    }
}

fn ip_text(ip: u128, ip_type: u8) -> String {
    if ip_type == 4 {
        std::net::Ipv4Addr::from(u32::try_from(ip).unwrap_or(0)).to_string()
    } else {
        std::net::Ipv6Addr::from(ip).to_string()
    }
}

impl StakeLite {
    /// The stake view.
    pub fn into_stake(self) -> StakeInfo {
        StakeInfo {
            coldkey: AccountId::from(self.coldkey),
            hotkey: self.hotkey.into(),
            netuid: self.netuid,
            alpha: self.stake,
        }
    }
}

impl DynamicInfo {
    /// The subnet view from the all-subnets answer. Its hyperparameters are the ones this
    /// answer carries (tempo) and the chain's defaults for the rest; [`SubnetInfo`] of one
    /// subnet (`Chain::subnet`) reads them all.
    pub fn pool(&self, fee_rate: u16, price: Option<u64>) -> PoolInfo {
        PoolInfo {
            tao_reserve: self.tao_in,
            alpha_in: self.alpha_in,
            alpha_out: self.alpha_out,
            price: price.unwrap_or_else(|| reserve_price(self.tao_in, self.alpha_in)),
            moving_price: self.moving_price.rao(),
            curve: dtao::amm::CurveKind::default(),
            fee_rate,
            volume: self.subnet_volume,
        }
    }

    /// The subnet's identity.
    pub fn identity(&self) -> SubnetIdentity {
        identity(&self.subnet_name, &self.token_symbol, self.subnet_identity.as_ref())
    }
}
