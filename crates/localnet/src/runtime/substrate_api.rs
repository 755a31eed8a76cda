//! The runtime's state in Subtensor's SCALE shapes: the answers of the runtime APIs and the
//! per-subnet storage items that `rpc::substrate` serves (`crate::substrate::types`).

use parity_scale_codec::{Compact, Encode};

use super::Runtime;
use super::state::Subnet;
use crate::substrate::storage::SubnetItem;
use crate::substrate::types::{AccountId32, DynamicInfo, FixedI128, SubnetIdentityV3, SubnetPrice};
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
