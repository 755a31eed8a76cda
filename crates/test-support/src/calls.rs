//! One of every call localnet and the live client encode, with every hyperparameter: for tests
//! that must cover each call (encodings, descriptions). Subnet registration and identity calls
//! carry no identity here (localnet encodes those only without one); add them where needed.

use chain::{
    AccountId, Alpha, AxonInfo, Call, Hash, Hyperparameter, ProxyType, RecycleOrBurn, Tao,
};

/// Every call, once (a hyperparameter call per hyperparameter).
pub fn every_call() -> Vec<Call> {
    let (a, b) = (AccountId([1; 32]), AccountId([2; 32]));
    let mut calls = vec![
        Call::RegisterNetwork { hotkey: b, identity: None },
        Call::Transfer { dest: b, amount: Tao::from_rao(5) },
        Call::AddStake { hotkey: b, netuid: 3, amount_staked: Tao::from_rao(7) },
        Call::AddStakeLimit {
            hotkey: b,
            netuid: 3,
            amount_staked: Tao::from_rao(7),
            limit_price: 9,
            allow_partial: true,
        },
        Call::RemoveStake { hotkey: b, netuid: 3, amount_unstaked: Alpha::from_rao(7) },
        Call::RemoveStakeLimit {
            hotkey: b,
            netuid: 3,
            amount_unstaked: Alpha::from_rao(7),
            limit_price: 9,
            allow_partial: false,
        },
        Call::RemoveStakeFullLimit { hotkey: b, netuid: 3, limit_price: Some(4) },
        Call::SwapStake {
            hotkey: b,
            origin_netuid: 1,
            destination_netuid: 2,
            alpha_amount: Alpha::from_rao(3),
        },
        Call::SwapStakeLimit {
            hotkey: b,
            origin_netuid: 1,
            destination_netuid: 2,
            alpha_amount: Alpha::from_rao(3),
            limit_price: 8,
            allow_partial: true,
        },
        Call::MoveStake {
            origin_hotkey: a,
            destination_hotkey: b,
            origin_netuid: 1,
            destination_netuid: 2,
            alpha_amount: Alpha::from_rao(3),
        },
        Call::TransferStake {
            destination_coldkey: a,
            hotkey: b,
            origin_netuid: 1,
            destination_netuid: 1,
            alpha_amount: Alpha::from_rao(3),
        },
        Call::UnstakeAll { hotkey: b },
        Call::StartCall { netuid: 4 },
        Call::BurnedRegister { netuid: 4, hotkey: b },
        Call::ServeAxon {
            netuid: 4,
            axon: AxonInfo {
                ip: "203.0.113.7".into(),
                port: 8091,
                ip_type: 4,
                protocol: 4,
                version: 1,
            },
        },
        Call::SetWeights { netuid: 4, dests: vec![0, 1], weights: vec![3, 4], version_key: 2 },
        Call::CommitWeights { netuid: 4, commit_hash: Hash([5; 32]) },
        Call::RevealWeights {
            netuid: 4,
            uids: vec![0],
            values: vec![1],
            salt: vec![2],
            version_key: 3,
        },
        Call::AddProxy { delegate: a, proxy_type: ProxyType::Staking },
        Call::RemoveProxy { delegate: a, proxy_type: ProxyType::Any },
        Call::Proxy {
            real: a,
            call: Box::new(Call::AddStake {
                hotkey: b,
                netuid: 1,
                amount_staked: Tao::from_rao(1),
            }),
        },
        Call::BatchAll {
            calls: vec![
                Call::UnstakeAll { hotkey: b },
                Call::Transfer { dest: a, amount: Tao::from_rao(1) },
            ],
        },
    ];
    use Hyperparameter as H;
    calls.push(Call::SubmitEncrypted { ciphertext: vec![0xab; 1_200] });
    for param in [
        H::Tempo(360),
        H::FeeRate(50),
        H::WeightsRateLimit(100),
        H::CommitRevealEnabled(true),
        H::CommitRevealPeriod(2),
        H::MaxAllowedValidators(64),
        H::MaxAllowedUids(256),
        H::ImmunityPeriod(5_000),
        H::ActivityCutoff(5_000),
        H::Kappa(32_767),
        H::BondsMovingAverage(900_000),
        H::MinBurn(1),
        H::MaxBurn(2),
        H::RecycleOrBurn(RecycleOrBurn::Recycle),
        H::TransferEnabled(false),
        H::RegistrationAllowed(true),
    ] {
        calls.push(Call::SetHyperparameter { netuid: 4, param });
    }
    calls
}
