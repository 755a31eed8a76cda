//! The runtime's state in Subtensor's SCALE shapes: the answers of the runtime APIs and the
//! per-subnet storage items that `rpc::substrate` serves (`crate::substrate::types`).

use parity_scale_codec::{Compact, Encode};

use super::Runtime;
use super::state::{ROOT, Subnet};
use crate::substrate::storage::{Served, StorageItem, SubnetItem};
use crate::substrate::types::{
    AccountId32, AxonInfo, DynamicInfo, FixedI64, FixedI128, Metagraph, NeuronInfoLite,
    PrometheusInfo, SelectiveMetagraph, SimSwapResult, StakeInfo, SubnetHyperparamsV2,
    SubnetIdentityV3, SubnetPrice,
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

    /// `SubnetIdentitiesV3`: Subtensor answers `None` for a subnet that never set an identity.
    fn subnet_identity(s: &Subnet) -> Option<SubnetIdentityV3> {
        let id = &s.identity;
        (!id.name.is_empty()).then(|| SubnetIdentityV3 {
            subnet_name: id.name.clone().into_bytes(),
            github_repo: id.github.clone().into_bytes(),
            subnet_contact: Vec::new(),
            subnet_url: id.url.clone().into_bytes(),
            discord: Vec::new(),
            description: id.description.clone().into_bytes(),
            logo_url: id.logo_url.clone().into_bytes(),
            additional: Vec::new(),
        })
    }

    fn dynamic_info_of(&self, s: &Subnet) -> DynamicInfo {
        let id = &s.identity;
        let identity = Self::subnet_identity(s);
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

    /// `SubnetInfoRuntimeApi.get_metagraph(netuid)`: `None` for no such subnet. The pool and
    /// epoch fields are `get_dynamic_info`'s; the neurons' rows are `get_neurons_lite`'s, with
    /// the stakes as Subtensor weighs them (`alpha_stake` on this subnet, `tao_stake` on root,
    /// `total_stake` = alpha + TAO × the TAO weight, floored). What localnet does not model is
    /// 0, `false` or empty: ρ, the weight limits, proof-of-work registration (difficulties,
    /// adjustments), the serving rate limit, liquid alpha, coldkey identities (`None`), rank,
    /// trust and pruning scores, and the per-hotkey dividend amounts (empty lists).
    pub fn metagraph(&self, netuid: NetUid) -> Option<Metagraph> {
        let s = self.state.subnets.get(&netuid)?;
        let d = self.dynamic_info_of(s);
        let h = &s.hyperparameters;
        let root = self.state.subnets.get(&ROOT);
        let tao_weight = self.state.params.tao_weight;
        let n = s.neurons.len();
        let (mut alpha_stake, mut tao_stake, mut total_stake) =
            (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        for x in &s.neurons {
            let alpha = s.hotkey_alpha(&x.hotkey);
            let tao = root.map_or(0, |r| r.hotkey_alpha(&x.hotkey));
            let total = dtao::yuma::stake_weight(alpha, tao, tao_weight).saturating_to_num::<u64>();
            alpha_stake.push(Compact(alpha));
            tao_stake.push(Compact(tao));
            total_stake.push(Compact(total));
        }
        let column = |f: &dyn Fn(&super::state::Neuron) -> u16| -> Vec<Compact<u16>> {
            s.neurons.iter().map(|x| Compact(f(x))).collect()
        };
        let zeros = vec![Compact(0u16); n];
        Some(Metagraph {
            netuid: d.netuid,
            name: d.subnet_name,
            symbol: d.token_symbol,
            identity: d.subnet_identity,
            network_registered_at: d.network_registered_at,
            owner_hotkey: d.owner_hotkey,
            owner_coldkey: d.owner_coldkey,
            block: Compact(self.block_number()),
            tempo: d.tempo,
            last_step: d.last_step,
            blocks_since_last_step: d.blocks_since_last_step,
            subnet_emission: d.emission,
            alpha_in: d.alpha_in,
            alpha_out: d.alpha_out,
            tao_in: d.tao_in,
            alpha_out_emission: d.alpha_out_emission,
            alpha_in_emission: d.alpha_in_emission,
            tao_in_emission: d.tao_in_emission,
            pending_alpha_emission: d.pending_alpha_emission,
            pending_root_emission: d.pending_root_emission,
            subnet_volume: d.subnet_volume,
            moving_price: d.moving_price,
            rho: Compact(0),
            kappa: Compact(h.kappa),
            min_allowed_weights: Compact(0),
            max_weights_limit: Compact(0),
            weights_version: Compact(h.weights_version_key),
            weights_rate_limit: Compact(h.weights_rate_limit),
            activity_cutoff: Compact(h.activity_cutoff),
            max_validators: Compact(h.max_allowed_validators),
            num_uids: Compact(u16::try_from(n).unwrap_or(u16::MAX)),
            max_uids: Compact(h.max_allowed_uids),
            burn: Compact(s.burn_at(self.block_number())),
            difficulty: Compact(0),
            registration_allowed: h.registration_allowed,
            pow_registration_allowed: false,
            immunity_period: Compact(h.immunity_period),
            min_difficulty: Compact(0),
            max_difficulty: Compact(0),
            min_burn: Compact(h.min_burn),
            max_burn: Compact(h.max_burn),
            adjustment_alpha: Compact(0),
            adjustment_interval: Compact(0),
            target_regs_per_interval: Compact(0),
            max_regs_per_block: Compact(0),
            serving_rate_limit: Compact(0),
            commit_reveal_weights_enabled: h.commit_reveal_enabled,
            commit_reveal_period: Compact(h.commit_reveal_period),
            liquid_alpha_enabled: false,
            alpha_high: Compact(0),
            alpha_low: Compact(0),
            bonds_moving_avg: Compact(h.bonds_moving_average),
            hotkeys: s.neurons.iter().map(|x| AccountId32(x.hotkey.0)).collect(),
            coldkeys: s.neurons.iter().map(|x| AccountId32(x.coldkey.0)).collect(),
            identities: vec![None; n],
            axons: s
                .neurons
                .iter()
                .map(|x| x.axon.as_ref().map(axon_info).unwrap_or_default())
                .collect(),
            active: vec![true; n],
            validator_permit: s.neurons.iter().map(|x| x.validator_permit).collect(),
            pruning_score: zeros.clone(),
            last_update: s.neurons.iter().map(|x| Compact(x.last_update)).collect(),
            emission: s.neurons.iter().map(|x| Compact(x.emission)).collect(),
            dividends: column(&|x| x.dividends),
            incentives: column(&|x| x.incentive),
            consensus: column(&|x| x.consensus),
            trust: zeros.clone(),
            rank: zeros,
            block_at_registration: s.neurons.iter().map(|x| Compact(x.registered_at)).collect(),
            alpha_stake,
            tao_stake,
            total_stake,
            tao_dividends_per_hotkey: Vec::new(),
            alpha_dividends_per_hotkey: Vec::new(),
        })
    }

    /// `SubnetInfoRuntimeApi.get_selective_metagraph(netuid, indexes)` (and
    /// `get_selective_mechagraph` for mechanism 0, localnet's only one): the metagraph's fields
    /// whose indexes are asked for. `validators` lists the UIDs holding a validator permit;
    /// localnet keeps no commitments, so theirs is empty.
    pub fn selective_metagraph(
        &self,
        netuid: NetUid,
        wanted: &[u16],
    ) -> Option<SelectiveMetagraph> {
        let all = self.metagraph(netuid)?;
        let validators = all
            .validator_permit
            .iter()
            .enumerate()
            .filter(|(_, permit)| **permit)
            .map(|(uid, _)| Compact(u16::try_from(uid).unwrap_or(u16::MAX)))
            .collect();
        Some(SelectiveMetagraph::select(all, validators, Vec::new(), wanted))
    }

    /// `SubnetInfoRuntimeApi.get_subnet_hyperparams_v2(netuid)`: the hyperparameters localnet
    /// keeps; proof-of-work, liquid alpha, registration pacing and the other rules localnet does
    /// not model read as zero/off.
    pub fn subnet_hyperparams_v2(&self, netuid: NetUid) -> Option<SubnetHyperparamsV2> {
        let s = self.state.subnets.get(&netuid)?;
        let h = &s.hyperparameters;
        Some(SubnetHyperparamsV2 {
            rho: Compact(0),
            kappa: Compact(h.kappa),
            immunity_period: Compact(h.immunity_period),
            min_allowed_weights: Compact(0),
            max_weights_limit: Compact(0),
            tempo: Compact(h.tempo),
            min_difficulty: Compact(0),
            max_difficulty: Compact(0),
            weights_version: Compact(h.weights_version_key),
            weights_rate_limit: Compact(h.weights_rate_limit),
            adjustment_interval: Compact(0),
            activity_cutoff: Compact(h.activity_cutoff),
            registration_allowed: h.registration_allowed,
            target_regs_per_interval: Compact(0),
            min_burn: Compact(h.min_burn),
            max_burn: Compact(h.max_burn),
            bonds_moving_avg: Compact(h.bonds_moving_average),
            max_regs_per_block: Compact(0),
            serving_rate_limit: Compact(0),
            max_validators: Compact(h.max_allowed_validators),
            adjustment_alpha: Compact(0),
            difficulty: Compact(0),
            commit_reveal_period: Compact(h.commit_reveal_period),
            commit_reveal_weights_enabled: h.commit_reveal_enabled,
            alpha_high: Compact(0),
            alpha_low: Compact(0),
            liquid_alpha_enabled: false,
            alpha_sigmoid_steepness: FixedI64::default(),
            yuma_version: Compact(2),
            subnet_is_active: s.first_emission_block.is_some(),
            transfers_enabled: h.transfer_enabled,
            bonds_reset_enabled: false,
            user_liquidity_enabled: false,
        })
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

    /// `StakeInfoRuntimeApi.get_stake_info_for_hotkey_coldkey_netuid`: the one position,
    /// `None` when it is worth nothing (as [`Runtime::stake_info_for_coldkey`] leaves it out).
    pub fn stake_info(
        &self,
        hotkey: &AccountId,
        coldkey: &AccountId,
        netuid: NetUid,
    ) -> Option<StakeInfo> {
        self.stake_info_for_coldkey(coldkey)
            .into_iter()
            .find(|s| s.hotkey.0 == hotkey.0 && s.netuid.0 == netuid)
    }

    /// The storage items of `served` that hold a value now, for `state_getKeysPaged`
    /// (`System.Events`, kept with the blocks rather than in the state, is the caller's).
    pub fn served_items(&self, served: Served) -> Vec<StorageItem> {
        match served {
            // Kept with the blocks and by the block author, not in the state.
            Served::Plain(StorageItem::SystemEvents | StorageItem::MevShieldNextKey) => Vec::new(),
            Served::Plain(item) => vec![item],
            Served::Account => self
                .state
                .accounts
                .iter()
                .filter(|(_, a)| a.free != 0 || a.nonce != 0)
                .map(|(who, _)| StorageItem::SystemAccount(who.0))
                .collect(),
            Served::Subnet(item) => {
                self.state.subnets.keys().map(|netuid| StorageItem::Subnet(item, *netuid)).collect()
            }
            // localnet holds no commitments.
            Served::Commitment(_) => Vec::new(),
            Served::SwapFeeRate => {
                self.state.subnets.keys().map(|netuid| StorageItem::SwapFeeRate(*netuid)).collect()
            }
            Served::SubnetIdentity => self
                .state
                .subnets
                .values()
                .filter(|s| Self::subnet_identity(s).is_some())
                .map(|s| StorageItem::SubnetIdentity(s.netuid))
                .collect(),
        }
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

    /// `SubnetIdentitiesV3(netuid)`: `None` for no such subnet or one without an identity.
    pub fn subnet_identity_item(&self, netuid: NetUid) -> Option<Vec<u8>> {
        self.state.subnets.get(&netuid).and_then(Self::subnet_identity).map(|i| i.encode())
    }

    /// `Swap.FeeRate(netuid)`: the subnet's pool fee (absent for no such subnet: clients then
    /// read the metadata's default).
    pub fn swap_fee_rate(&self, netuid: NetUid) -> Option<Vec<u8>> {
        self.state.subnets.get(&netuid).map(|s| s.pool.fee_rate.encode())
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
            SubnetItem::Burn => s.burn_at(self.block_number()).encode(),
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
