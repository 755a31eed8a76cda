//! An in-process localnet with a Dojo subnet, for the Dojo tests that need a chain (transport,
//! miner, validator).

use chain::AccountId;
use localnet::genesis::{
    ChainParams, Genesis, GenesisAccount, GenesisNeuron, GenesisStake, GenesisSubnet,
};

pub use crate::genesis::TAO;
pub use crate::node::start_node;

/// The Dojo subnet.
pub const NETUID: u16 = 1;

/// The development keypair of `uri`.
pub fn kp(uri: &str) -> keys::Keypair {
    keys::Keypair::from_uri(uri).unwrap()
}

/// The account of the development key `uri`.
pub fn id(uri: &str) -> AccountId {
    AccountId::from(kp(uri).public())
}

/// The validator with 50,000 α (UID 1).
pub const VALIDATOR: &str = "//Dojo//validator";
/// The first miner (UID 2).
pub const MINER1: &str = "//Dojo//miner1";
/// The second miner (UID 3).
pub const MINER2: &str = "//Dojo//miner2";
/// A validator with 10 α (UID 4).
pub const SMALL: &str = "//Dojo//small";
/// The subnet owner's hotkey (UID 0).
pub const OWNER_HOT: &str = "//Dojo//owner";

/// Subnet 1: the owner's hotkey (UID 0), a validator with 50,000 α (UID 1), two miners
/// (UIDs 2, 3) and a validator with 10 α (UID 4). Tempo 10, rate limit 5, reveal period 3.
pub fn dojo_genesis(commit_reveal: bool) -> Genesis {
    let neuron = |uri: &str, cold: &str| GenesisNeuron {
        hotkey: id(uri),
        coldkey: id(cold),
        axon: None,
        registered_at: 10,
    };
    let hyperparameters = chain::Hyperparameters {
        tempo: 10,
        weights_rate_limit: 5,
        commit_reveal_enabled: commit_reveal,
        commit_reveal_period: 3,
        immunity_period: 100,
        activity_cutoff: 5000,
        ..crate::genesis::hyperparameters()
    };
    Genesis {
        chain_name: "dojo test".into(),
        seed: 7,
        spec_version: 1,
        start_block: 1_000,
        timestamp_ms: 1_700_000_000_000,
        params: ChainParams::default(),
        accounts: ["//Alice", "//Bob", "//Dave", VALIDATOR, MINER1, MINER2, SMALL]
            .iter()
            .map(|u| GenesisAccount { account: id(u), free: 100_000 * TAO })
            .collect(),
        root_stakes: vec![],
        subnets: vec![GenesisSubnet {
            netuid: NETUID,
            identity: chain::SubnetIdentity {
                name: "dojo".into(),
                symbol: "α".into(),
                ..Default::default()
            },
            owner_coldkey: id("//Alice"),
            owner_hotkey: id(OWNER_HOT),
            registered_at: 10,
            first_emission_block: Some(20),
            tao_reserve: 10_000 * TAO,
            alpha_in: 100_000 * TAO,
            moving_price: 100_000_000,
            hyperparameters,
            neurons: vec![
                neuron(VALIDATOR, "//Bob"),
                neuron(MINER1, "//Dave"),
                neuron(MINER2, "//Dave"),
                neuron(SMALL, "//Bob"),
            ],
            stakes: vec![
                GenesisStake { coldkey: id("//Bob"), hotkey: id(VALIDATOR), amount: 50_000 * TAO },
                GenesisStake { coldkey: id("//Bob"), hotkey: id(SMALL), amount: 10 * TAO },
                GenesisStake { coldkey: id("//Alice"), hotkey: id(OWNER_HOT), amount: 1_000 * TAO },
            ],
        }],
        sim_accounts: vec![],
    }
}
