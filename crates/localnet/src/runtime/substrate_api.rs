//! The runtime's state in Subtensor's SCALE shapes: the answers of the runtime APIs and the
//! per-subnet storage items that `rpc::substrate` serves (`crate::substrate::types`).

use parity_scale_codec::{Compact, Encode};

use super::Runtime;
use super::state::Subnet;
use crate::substrate::storage::SubnetItem;
use crate::substrate::types::{
    AccountId32, AxonInfo, DynamicInfo, FixedI128, NeuronInfoLite, PrometheusInfo, SimSwapResult,
    StakeInfo, SubnetIdentityV3, SubnetPrice,
};
use chain::{AccountId, Side};
use dtao::units::NetUid;

fn compact_bytes(s: &str) -> Vec<Compact<u8>> {
    s.bytes().map(Compact).collect()
}

impl Runtime {
    fn spot_price_rao(s: &Subnet) -> u64 {
        if s.is_stable() { 1_000_000_000 } else { s.pool.spot_price_rao() }
    }

    fn dynamic_info_of(&self, s: &Subnet) -> DynamicInfo {
        let id = &s.identity;
        // Subtensor answers `None` for a subnet that never set an identity.
        let identity = (!id.name.is_empty()).then(|| SubnetIdentityV3 {
            subnet_name: id.name.clone().into_bytes(),
            github_repo: id.github.clone().into_bytes(),
            subnet_contact: Vec::new(),
            subnet_url: id.url.clone().into_bytes(),
            discord: Vec::new(),
            description: id.description.clone().into_bytes(),
            logo_url: id.logo_url.clone().into_bytes(),
            additional: Vec::new(),
        });
        DynamicInfo {
            netuid: Compact(s.netuid),
            owner_hotkey: AccountId32(s.owner_hotkey.0),
            owner_coldkey: AccountId32(s.owner_coldkey.0),
            subnet_name: compact_bytes(&id.name),
            token_symbol: compact_bytes(&id.symbol),
            tempo: Compact(s.hyperparameters.tempo),
            last_step: Compact(s.last_epoch_block),
            blocks_since_last_step: Compact(self.state.block.saturating_sub(s.last_epoch_block)),
            emission: Compact(0),
            alpha_in: Compact(s.pool.reserves.alpha),
            alpha_out: Compact(s.alpha_out),
            tao_in: Compact(s.pool.reserves.tao),
            alpha_out_emission: Compact(s.alpha_out_emission),
            alpha_in_emission: Compact(s.alpha_in_emission),
            tao_in_emission: Compact(s.tao_in_emission),
            pending_alpha_emission: Compact(s.pending_server.saturating_add(s.pending_validator)),
            pending_root_emission: Compact(0),
            subnet_volume: Compact(s.volume),
            network_registered_at: Compact(s.registered_at),
            subnet_identity: identity,
            moving_price: FixedI128 { bits: s.moving_price_bits },
        }
    }

    /// `SubnetInfoRuntimeApi.get_dynamic_info(netuid)`.
    pub fn dynamic_info(&self, netuid: NetUid) -> Option<DynamicInfo> {
        self.state.subnets.get(&netuid).map(|s| self.dynamic_info_of(s))
    }

    /// `SubnetInfoRuntimeApi.get_all_dynamic_info()`: every subnet, root included, by netuid.
    pub fn all_dynamic_info(&self) -> Vec<Option<DynamicInfo>> {
        self.state.subnets.values().map(|s| Some(self.dynamic_info_of(s))).collect()
    }

    /// `SwapRuntimeApi.current_alpha_price(netuid)`: rao per alpha (0 for no such subnet).
    pub fn current_alpha_price(&self, netuid: NetUid) -> u64 {
        self.state.subnets.get(&netuid).map_or(0, Self::spot_price_rao)
    }

    /// `SwapRuntimeApi.current_alpha_price_all()`.
    pub fn current_alpha_price_all(&self) -> Vec<SubnetPrice> {
        self.state
            .subnets
            .values()
            .map(|s| SubnetPrice { netuid: s.netuid, price: Self::spot_price_rao(s) })
            .collect()
    }

    /// `SwapRuntimeApi.sim_swap_tao_for_alpha` / `sim_swap_alpha_for_tao`: localnet's own
    /// quote ([`Runtime::quote`]) in the runtime's shape. The input side's amount is gross (net
    /// into the pool plus the fee, which is charged in the input token); the slippage is what
    /// the spot price before the trade would have paid minus what the trade pays. Like
    /// Subtensor, a swap that cannot be simulated (no such subnet, too small, no liquidity)
    /// answers all zeros.
    pub fn sim_swap(&self, netuid: NetUid, side: Side, amount: u64) -> SimSwapResult {
        let zero = SimSwapResult {
            tao_amount: 0,
            alpha_amount: 0,
            tao_fee: 0,
            alpha_fee: 0,
            tao_slippage: 0,
            alpha_slippage: 0,
        };
        let Ok(q) = self.quote(netuid, side, amount) else { return zero };
        let gross = q.delta_in.saturating_add(q.fee);
        // The spot price is TAO per alpha in U64F64 bits.
        let spot = q.spot_before_bits;
        match side {
            Side::Buy => {
                let at_spot = (spot != 0)
                    .then(|| (u128::from(q.delta_in) << 64) / spot)
                    .and_then(|a| u64::try_from(a).ok())
                    .unwrap_or(0);
                SimSwapResult {
                    tao_amount: gross,
                    alpha_amount: q.amount_out,
                    tao_fee: q.fee,
                    alpha_slippage: at_spot.saturating_sub(q.amount_out),
                    ..zero
                }
            }
            Side::Sell => {
                let at_spot = u64::try_from(
                    u128::from(q.delta_in).saturating_mul(spot).checked_shr(64).unwrap_or(0),
                )
                .unwrap_or(u64::MAX);
                SimSwapResult {
                    tao_amount: q.amount_out,
                    alpha_amount: gross,
                    alpha_fee: q.fee,
                    tao_slippage: at_spot.saturating_sub(q.amount_out),
                    ..zero
                }
            }
        }
    }

    /// `StakeInfoRuntimeApi.get_stake_info_for_coldkey`: the coldkey's positions worth more
    /// than 0, by (netuid, hotkey). localnet keeps no per-position emission or locks: those
    /// fields are 0.
    pub fn stake_info_for_coldkey(&self, coldkey: &AccountId) -> Vec<StakeInfo> {
        self.stakes(coldkey)
            .into_iter()
            .map(|s| StakeInfo {
                hotkey: AccountId32(s.hotkey.0),
                coldkey: AccountId32(s.coldkey.0),
                netuid: Compact(s.netuid),
                stake: Compact(s.alpha),
                locked: Compact(0),
                emission: Compact(0),
                tao_emission: Compact(0),
                drain: Compact(0),
                is_registered: self
                    .state
                    .subnets
                    .get(&s.netuid)
                    .is_some_and(|n| n.uid_of(&s.hotkey).is_some()),
            })
            .collect()
    }

    /// `NeuronInfoRuntimeApi.get_neurons_lite(netuid)`: empty for no such subnet, as on
    /// Subtensor. Like Subtensor since dTAO, `stake` is one entry: the neuron's coldkey with
    /// all the alpha staked to its hotkey. localnet keeps no rank, trust or pruning score:
    /// those are 0, and a neuron is active.
    pub fn neurons_lite(&self, netuid: NetUid) -> Vec<NeuronInfoLite> {
        let Some(s) = self.state.subnets.get(&netuid) else { return Vec::new() };
        self.neurons(netuid)
            .unwrap_or_default()
            .into_iter()
            .map(|n| NeuronInfoLite {
                hotkey: AccountId32(n.hotkey.0),
                coldkey: AccountId32(n.coldkey.0),
                uid: Compact(n.uid),
                netuid: Compact(netuid),
                active: true,
                axon_info: n.axon.as_ref().map(axon_info).unwrap_or_default(),
                prometheus_info: PrometheusInfo::default(),
                stake: vec![(AccountId32(n.coldkey.0), Compact(s.hotkey_alpha(&n.hotkey)))],
                rank: Compact(0),
                emission: Compact(n.emission),
                incentive: Compact(n.incentive),
                consensus: Compact(n.consensus),
                trust: Compact(0),
                validator_trust: Compact(0),
                dividends: Compact(n.dividends),
                last_update: Compact(n.last_update),
                validator_permit: n.validator_permit,
                pruning_score: Compact(0),
            })
            .collect()
    }

    /// `NeuronInfoRuntimeApi.get_neuron_lite(netuid, uid)`.
    pub fn neuron_lite(&self, netuid: NetUid, uid: u16) -> Option<NeuronInfoLite> {
        self.neurons_lite(netuid).into_iter().find(|n| n.uid.0 == uid)
    }

    /// `SubtensorModule.TotalNetworks`: subnets, root included.
    pub fn total_networks(&self) -> u16 {
        u16::try_from(self.state.subnets.len()).unwrap_or(u16::MAX)
    }

    /// The SCALE value of a per-subnet storage item; `None` where the chain stores nothing
    /// (an absent subnet, for the items that have no default).
    pub fn subnet_item(&self, item: SubnetItem, netuid: NetUid) -> Option<Vec<u8>> {
        let Some(s) = self.state.subnets.get(&netuid) else {
            // Absent subnets read as the item's default, which clients take from the metadata.
            return None;
        };
        Some(match item {
            SubnetItem::SubnetTao => s.pool.reserves.tao.encode(),
            SubnetItem::SubnetAlphaIn => s.pool.reserves.alpha.encode(),
            SubnetItem::SubnetAlphaOut => s.alpha_out.encode(),
            SubnetItem::SubnetMovingPrice => FixedI128 { bits: s.moving_price_bits }.encode(),
            SubnetItem::SubnetVolume => s.volume.encode(),
            SubnetItem::SubnetTaoInEmission => s.tao_in_emission.encode(),
            SubnetItem::SubnetAlphaInEmission => s.alpha_in_emission.encode(),
            SubnetItem::SubnetAlphaOutEmission => s.alpha_out_emission.encode(),
            SubnetItem::Tempo => s.hyperparameters.tempo.encode(),
            SubnetItem::SubnetMechanism => s.mechanism.encode(),
            SubnetItem::NetworksAdded => true.encode(),
            SubnetItem::NetworkRegisteredAt => s.registered_at.encode(),
            SubnetItem::SubnetOwner => s.owner_coldkey.0.encode(),
            SubnetItem::SubnetOwnerHotkey => s.owner_hotkey.0.encode(),
            SubnetItem::TokenSymbol => s.identity.symbol.as_bytes().to_vec().encode(),
            SubnetItem::SubnetworkN => u16::try_from(s.neurons.len()).unwrap_or(u16::MAX).encode(),
        })
    }
}

/// An axon as the runtime stores it: the address as an integer (an unparsable one, which
/// `serve_axon` never stores, as 0).
fn axon_info(a: &chain::AxonInfo) -> AxonInfo {
    let ip = match a.ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => u128::from(u32::from(v4)),
        Ok(std::net::IpAddr::V6(v6)) => u128::from(v6),
        Err(_) => 0,
    };
    AxonInfo {
        block: 0,
        version: a.version,
        ip,
        port: a.port,
        ip_type: a.ip_type,
        protocol: a.protocol,
        placeholder1: 0,
        placeholder2: 0,
    }
}
