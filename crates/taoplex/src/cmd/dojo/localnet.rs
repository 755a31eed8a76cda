//! Dojo on the localnet: a subnet whose neurons are a validator and two miners with
//! well-known development keys, added to a genesis so `taoplex up` (and `taoplex dojo genesis`
//! for a test network of one's own) start with a working subnet: the validator holds the
//! subnet's stake, so it has the validator permit and Yuma pays the miners it weights.
//!
//! The keys are *development* keys (`//Dojo//…` secret URIs, like `//Alice`): anyone can derive
//! them, which is the point on a local chain and a reason never to use them elsewhere.

use chain::{AccountId, NetUid, SubnetIdentity};
use localnet::genesis::{
    ChainParams, Genesis, GenesisAccount, GenesisNeuron, GenesisStake, GenesisSubnet,
    new_subnet_hyperparameters,
};

/// One TAO in rao.
use dtao::units::RAO_PER_TAO as TAO;

/// The subnet owner's coldkey.
pub(crate) const OWNER_COLD: &str = "//Dojo//Owner";
/// The subnet owner's hotkey (UID 0).
pub(crate) const OWNER_HOT: &str = "//Dojo//Owner//Hot";
/// The validator operator's coldkey.
pub(crate) const VALIDATOR_COLD: &str = "//Dojo//Operator";
/// The validator's hotkey.
pub(crate) const VALIDATOR_HOT: &str = "//Dojo//Validator";
/// The miners' hotkeys and their teams' coldkeys.
pub(crate) const MINERS: [(&str, &str); 2] =
    [("//Dojo//Miner1", "//Dojo//Team1"), ("//Dojo//Miner2", "//Dojo//Team2")];

/// The account of a development secret URI.
pub(crate) fn dev_account(uri: &str) -> anyhow::Result<AccountId> {
    let pair = keys::Keypair::from_uri(uri)
        .map_err(|e| anyhow::anyhow!("cannot derive the development key {uri}: {e}"))?;
    Ok(AccountId::from(pair.public()))
}

/// Adds the Dojo subnet (next free netuid) with its accounts to `genesis`; returns its netuid.
///
/// `tempo` is the subnet's epoch length in blocks (Yuma runs, and emission is paid, once per
/// tempo). The validator stakes 20,000 TAO worth of alpha, the owner 1,000: the validator has
/// the permit and nearly all the stake, so its weights alone decide consensus.
pub(crate) fn add_dojo_subnet(genesis: &mut Genesis, tempo: u16) -> anyhow::Result<NetUid> {
    let netuid = genesis.subnets.iter().map(|s| s.netuid).max().unwrap_or(0).saturating_add(1);
    let born = genesis.start_block.saturating_sub(100).max(1);
    let mut accounts = vec![OWNER_COLD, VALIDATOR_COLD, VALIDATOR_HOT];
    for (hot, cold) in MINERS {
        accounts.extend([hot, cold]);
    }
    for uri in accounts {
        let account = dev_account(uri)?;
        if !genesis.accounts.iter().any(|a| a.account == account) {
            genesis.accounts.push(GenesisAccount { account, free: 10_000 * TAO });
        }
    }
    let mut neurons = vec![GenesisNeuron {
        hotkey: dev_account(VALIDATOR_HOT)?,
        coldkey: dev_account(VALIDATOR_COLD)?,
        axon: None,
        registered_at: born,
    }];
    for (hot, cold) in MINERS {
        neurons.push(GenesisNeuron {
            hotkey: dev_account(hot)?,
            coldkey: dev_account(cold)?,
            axon: None,
            registered_at: born,
        });
    }
    let mut hyperparameters = new_subnet_hyperparameters();
    hyperparameters.tempo = tempo;
    // One weight submission per tempo is what the validator sends; a lower limit lets a
    // restarted validator set weights again without waiting a whole tempo.
    hyperparameters.weights_rate_limit = u64::from(tempo / 2).max(1);
    hyperparameters.immunity_period = 10 * tempo;
    hyperparameters.activity_cutoff = 20 * tempo;
    // Price 0.1 TAO per alpha.
    let tao_reserve = 5_000 * TAO;
    let alpha_in = 50_000 * TAO;
    genesis.subnets.push(GenesisSubnet {
        netuid,
        identity: SubnetIdentity {
            name: "Dojo".into(),
            symbol: "ד".into(),
            description: "Human preference data: people rate AI outputs and explain why".into(),
            ..SubnetIdentity::default()
        },
        owner_coldkey: dev_account(OWNER_COLD)?,
        owner_hotkey: dev_account(OWNER_HOT)?,
        registered_at: born,
        first_emission_block: Some(born.saturating_add(1)),
        tao_reserve,
        alpha_in,
        moving_price: 100_000_000,
        hyperparameters,
        neurons,
        stakes: vec![
            GenesisStake {
                coldkey: dev_account(VALIDATOR_COLD)?,
                hotkey: dev_account(VALIDATOR_HOT)?,
                amount: 200_000 * TAO,
            },
            GenesisStake {
                coldkey: dev_account(OWNER_COLD)?,
                hotkey: dev_account(OWNER_HOT)?,
                amount: 1_000 * TAO,
            },
        ],
    });
    Ok(netuid)
}

/// A small chain holding only the Dojo subnet (netuid 1) and `//Alice`…`//Dave` with
/// 1,000,000 TAO each: quick to run, for a Dojo test network of one's own.
pub(crate) fn dojo_only_genesis(tempo: u16, seed: u64) -> anyhow::Result<Genesis> {
    let mut genesis = Genesis {
        chain_name: "taoplex dojo localnet".into(),
        seed,
        spec_version: 1,
        start_block: 1_000,
        timestamp_ms: 1_767_225_600_000,
        params: ChainParams::default(),
        accounts: Vec::new(),
        root_stakes: Vec::new(),
        subnets: Vec::new(),
        sim_accounts: Vec::new(),
    };
    for uri in ["//Alice", "//Bob", "//Charlie", "//Dave"] {
        genesis.accounts.push(GenesisAccount { account: dev_account(uri)?, free: 1_000_000 * TAO });
    }
    add_dojo_subnet(&mut genesis, tempo)?;
    Ok(genesis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dojo_subnet_starts_and_its_validator_has_the_permit() {
        let genesis = dojo_only_genesis(10, 1).unwrap();
        let runtime = localnet::Runtime::new(&genesis).unwrap();
        let subnet = runtime.subnet(1).unwrap();
        assert_eq!(subnet.identity.name, "Dojo");
        let neurons = runtime.neurons(1).unwrap();
        assert_eq!(neurons.len(), 4, "owner, validator, two miners");
        let validator = neurons.iter().find(|n| n.hotkey == dev_account(VALIDATOR_HOT).unwrap());
        assert!(validator.unwrap().stake > 0);
    }
}
