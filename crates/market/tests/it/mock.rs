//! The market tests' chain data: subnets and trade events for `test_support::fake::FakeChain`,
//! whose blocks and head states are pushed by the test.

use chain::{AccountId, Event, NetUid, PoolInfo, SubnetIdentity, SubnetInfo};
use test_support::genesis::market_hyperparameters;

pub fn subnet_info(netuid: NetUid, price: u64) -> SubnetInfo {
    let alpha_in = 1_000_000 * 1_000_000_000u64;
    let tao = u64::try_from(u128::from(alpha_in) * u128::from(price) / 1_000_000_000).unwrap();
    SubnetInfo {
        netuid,
        identity: SubnetIdentity {
            name: format!("Net{netuid}"),
            symbol: "α".into(),
            ..SubnetIdentity::default()
        },
        owner_coldkey: AccountId([200; 32]),
        owner_hotkey: AccountId([201; 32]),
        registered_at: 0,
        mechanism: u16::from(netuid != 0),
        first_emission_block: Some(0),
        pool: PoolInfo {
            tao_reserve: tao,
            alpha_in,
            alpha_out: 500_000 * 1_000_000_000,
            price,
            moving_price: price,
            curve: dtao::amm::CurveKind::default(),
            fee_rate: 33,
            volume: 0,
        },
        hyperparameters: market_hyperparameters(),
        emission_share_ppb: 1_000_000_000 / 4,
        tao_emission: 1_000_000,
        miner_burned_ppb: 0,
        last_epoch_block: 0,
        neuron_count: 1,
    }
}

pub use test_support::fake::FakeChain;

pub fn acct(b: u8) -> AccountId {
    AccountId([b; 32])
}

pub fn buy(coldkey: u8, netuid: NetUid, tao: u64, price: u64) -> Event {
    let fee = tao * 33 / 65535;
    Event::StakeAdded {
        coldkey: acct(coldkey),
        hotkey: acct(100),
        tao,
        alpha: u64::try_from(u128::from(tao - fee) * 1_000_000_000 / u128::from(price)).unwrap(),
        netuid,
        fee,
    }
}

pub fn sell(coldkey: u8, netuid: NetUid, alpha: u64, price: u64) -> Event {
    let fee = alpha * 33 / 65535;
    Event::StakeRemoved {
        coldkey: acct(coldkey),
        hotkey: acct(100),
        tao: u64::try_from(u128::from(alpha - fee) * u128::from(price) / 1_000_000_000).unwrap(),
        alpha: alpha - fee,
        netuid,
        fee,
    }
}
