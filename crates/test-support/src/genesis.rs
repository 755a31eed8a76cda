//! Hand-made chains for tests: accounts from `//URI`s, subnets with a pool, a treasury that
//! holds the rest of the supply, and the hyperparameters tests start from.

use chain::{AccountId, Hyperparameters};
use localnet::genesis::{ChainParams, Genesis, GenesisAccount, GenesisStake, GenesisSubnet};

/// Rao per TAO (the one constant, `dtao::units::RAO_PER_TAO`, under the name tests read best).
pub use dtao::units::RAO_PER_TAO as TAO;

/// The total TAO supply in rao (21M TAO).
pub use dtao::units::TOTAL_SUPPLY_RAO as SUPPLY_RAO;

/// The account of the development key `uri` (e.g. `//Alice`).
pub fn id(uri: &str) -> AccountId {
    AccountId::from(keys_pair(uri).public())
}

/// The development keypair of `uri`.
pub fn keys_pair(uri: &str) -> keys::Keypair {
    keys::Keypair::from_uri(uri).unwrap_or_else(|e| panic!("bad dev key {uri}: {e}"))
}

/// A new subnet's hyperparameters (localnet's defaults: tempo 360, commit-reveal on).
pub fn hyperparameters() -> Hyperparameters {
    localnet::runtime::default_hyperparameters()
}

/// Hyperparameters for fast tests: tempo 12, weights at any block, no commit-reveal.
pub fn fast_hyperparameters() -> Hyperparameters {
    Hyperparameters {
        tempo: 12,
        commit_reveal_enabled: false,
        weights_rate_limit: 0,
        ..hyperparameters()
    }
}

/// The hyperparameters of the market tests' and benches' subnets (on `fake::FakeChain`):
/// localnet's defaults with commit-reveal off, a reveal period of 1 and a minimum burn of
/// 1,000,000 rao (0.001 TAO).
pub fn market_hyperparameters() -> Hyperparameters {
    Hyperparameters {
        commit_reveal_enabled: false,
        commit_reveal_period: 1,
        min_burn: 1_000_000,
        ..hyperparameters()
    }
}

/// Subnet `netuid` with a pool of `tao_rao` and `alpha_rao` (moving price = spot), owned by
/// `//Owner<netuid>` (hotkey `//Owner<netuid>//hot`, staked 1,000 α), registered at block 10
/// and emitting from block 20, with default hyperparameters and no neurons.
pub fn pool_subnet(
    netuid: u16,
    name: &str,
    symbol: &str,
    tao_rao: u64,
    alpha_rao: u64,
) -> GenesisSubnet {
    let owner = format!("//Owner{netuid}");
    let hot = format!("//Owner{netuid}//hot");
    let identity =
        chain::SubnetIdentity { name: name.into(), symbol: symbol.into(), ..Default::default() };
    let moving_price = u128::from(tao_rao) * u128::from(TAO) / u128::from(alpha_rao.max(1));
    GenesisSubnet {
        netuid,
        identity,
        owner_coldkey: id(&owner),
        owner_hotkey: id(&hot),
        registered_at: 10,
        first_emission_block: Some(20),
        tao_reserve: tao_rao,
        alpha_in: alpha_rao,
        moving_price: u64::try_from(moving_price).unwrap_or(u64::MAX),
        hyperparameters: hyperparameters(),
        neurons: vec![],
        stakes: vec![GenesisStake { coldkey: id(&owner), hotkey: id(&hot), amount: 1_000 * TAO }],
    }
}

/// A chain whose `//Treasury` holds the rest of the 21M TAO supply after `accounts` (URI,
/// free rao) and the subnets' pools, so block emission is zero and pools move only by trades: a
/// quote taken before a block is then exactly what the block does. Finality depth 2.
pub fn treasury_genesis(
    chain_name: &str,
    seed: u64,
    start_block: u64,
    timestamp_ms: u64,
    accounts: &[(&str, u64)],
    subnets: Vec<GenesisSubnet>,
) -> Genesis {
    let held: u64 =
        accounts.iter().map(|(_, free)| free).chain(subnets.iter().map(|s| &s.tao_reserve)).sum();
    let treasury = SUPPLY_RAO
        .checked_sub(held)
        .unwrap_or_else(|| panic!("accounts and pools hold {held} rao, over the supply"));
    let mut all = vec![GenesisAccount { account: id("//Treasury"), free: treasury }];
    all.extend(accounts.iter().map(|(uri, free)| GenesisAccount { account: id(uri), free: *free }));
    Genesis {
        chain_name: chain_name.into(),
        seed,
        spec_version: 1,
        start_block,
        timestamp_ms,
        params: ChainParams { finality_depth: 2, ..ChainParams::default() },
        accounts: all,
        root_stakes: vec![],
        subnets,
        sim_accounts: vec![],
    }
}
