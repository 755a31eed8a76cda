//! Unit tests of the runtime: a small hand-built genesis, every call, the named rejections,
//! emission, epochs, snapshots, determinism and the cached state root.

use chain::{
    AccountId, Call, DispatchError, Event, Hyperparameter, Hyperparameters, Mortality, ProxyType,
    RecycleOrBurn, Side, SignedTransaction, SubnetIdentity, SwapFailure, TxValidityError,
};
use proptest::prelude::*;

use super::*;
use crate::genesis::{
    ChainParams, Genesis, GenesisAccount, GenesisNeuron, GenesisStake, GenesisSubnet,
};

use dtao::units::RAO_PER_TAO as TAO;
const START: u64 = 1_000;

struct Keys {
    alice: keys::Keypair,
    bob: keys::Keypair,
    charlie: keys::Keypair,
    dave: keys::Keypair,
    owner_hot: keys::Keypair,
    v1: keys::Keypair,
    v2: keys::Keypair,
    m1: keys::Keypair,
    m2: keys::Keypair,
}

fn kp(uri: &str) -> keys::Keypair {
    keys::Keypair::from_uri(uri).unwrap()
}

fn id(k: &keys::Keypair) -> AccountId {
    AccountId::from(k.public())
}

fn keyring() -> Keys {
    Keys {
        alice: kp("//Alice"),
        bob: kp("//Bob"),
        charlie: kp("//Charlie"),
        dave: kp("//Dave"),
        owner_hot: kp("//Alice//owner"),
        v1: kp("//Bob//v1"),
        v2: kp("//Charlie//v2"),
        m1: kp("//Dave//m1"),
        m2: kp("//Dave//m2"),
    }
}

fn hyper(tempo: u16, commit_reveal: bool) -> Hyperparameters {
    Hyperparameters {
        tempo,
        commit_reveal_enabled: commit_reveal,
        weights_rate_limit: 0,
        activity_cutoff: 5000,
        immunity_period: 100,
        ..default_hyperparameters()
    }
}

fn subnet(k: &Keys, netuid: u16, started: bool, commit_reveal: bool) -> GenesisSubnet {
    GenesisSubnet {
        netuid,
        identity: SubnetIdentity {
            name: format!("sn{netuid}"),
            symbol: "α".into(),
            ..Default::default()
        },
        owner_coldkey: id(&k.alice),
        owner_hotkey: id(&k.owner_hot),
        registered_at: 10,
        first_emission_block: started.then_some(20),
        tao_reserve: 10_000 * TAO,
        alpha_in: 100_000 * TAO,
        moving_price: 100_000_000,
        hyperparameters: hyper(10, commit_reveal),
        neurons: vec![
            GenesisNeuron { hotkey: id(&k.v1), coldkey: id(&k.bob), axon: None, registered_at: 10 },
            GenesisNeuron {
                hotkey: id(&k.v2),
                coldkey: id(&k.charlie),
                axon: None,
                registered_at: 10,
            },
            GenesisNeuron {
                hotkey: id(&k.m1),
                coldkey: id(&k.dave),
                axon: None,
                registered_at: 10,
            },
            GenesisNeuron {
                hotkey: id(&k.m2),
                coldkey: id(&k.dave),
                axon: None,
                registered_at: 10,
            },
        ],
        stakes: vec![
            GenesisStake { coldkey: id(&k.bob), hotkey: id(&k.v1), amount: 50_000 * TAO },
            GenesisStake { coldkey: id(&k.charlie), hotkey: id(&k.v2), amount: 30_000 * TAO },
            GenesisStake { coldkey: id(&k.alice), hotkey: id(&k.owner_hot), amount: 1_000 * TAO },
        ],
    }
}

fn genesis(k: &Keys) -> Genesis {
    Genesis {
        chain_name: "test".into(),
        seed: 7,
        spec_version: 1,
        start_block: START,
        timestamp_ms: 1_700_000_000_000,
        params: ChainParams::default(),
        accounts: [&k.alice, &k.bob, &k.charlie, &k.dave, &k.v1, &k.v2, &k.m1, &k.m2, &k.owner_hot]
            .iter()
            .map(|x| GenesisAccount { account: id(x), free: 1_000_000 * TAO })
            .collect(),
        root_stakes: vec![
            GenesisStake { coldkey: id(&k.bob), hotkey: id(&k.v1), amount: 100_000 * TAO },
            GenesisStake { coldkey: id(&k.charlie), hotkey: id(&k.v2), amount: 50_000 * TAO },
        ],
        subnets: vec![
            subnet(k, 1, true, false),
            subnet(k, 2, true, true),
            subnet(k, 3, false, false),
        ],
        sim_accounts: Vec::new(),
    }
}

struct Net {
    k: Keys,
    rt: Runtime,
}

impl Net {
    fn new() -> Self {
        let k = keyring();
        let rt = Runtime::new(&genesis(&k)).unwrap();
        rt.check_invariants().unwrap();
        Self { k, rt }
    }

    fn sign(&self, who: &keys::Keypair, call: Call) -> SignedTransaction {
        let nonce = self.rt.account(&id(who)).nonce;
        self.sign_nonce(who, call, nonce)
    }

    fn sign_nonce(&self, who: &keys::Keypair, call: Call, nonce: u64) -> SignedTransaction {
        let ctx = self.rt.signing_context();
        SignedTransaction::sign(
            who,
            call,
            nonce,
            Mortality::new(self.rt.block_number(), 64),
            0,
            &ctx,
        )
    }

    fn block(&mut self, txs: Vec<SignedTransaction>) -> ProducedBlock {
        let ts = 1_700_000_000_000 + 12_000 * (self.rt.block_number() + 1 - START);
        let b = self.rt.produce_block(txs, ts);
        self.rt.check_invariants().unwrap();
        assert_eq!(self.rt.state_root(), self.rt.recompute_state_root(), "stale digest cache");
        b
    }

    /// Runs one call in its own block; returns its result and events.
    fn run(&mut self, who: &keys::Keypair, call: Call) -> (Result<(), DispatchError>, Vec<Event>) {
        let tx = self.sign(who, call);
        let b = self.block(vec![tx]);
        assert!(b.rejected.is_empty(), "{:?}", b.rejected);
        let ext = &b.block.extrinsics[0];
        let events = b
            .block
            .events
            .iter()
            .filter(|e| e.phase == Phase::ApplyExtrinsic(0))
            .map(|e| e.event.clone())
            .collect();
        (ext.result.clone(), events)
    }

    fn ok(&mut self, who: &keys::Keypair, call: Call) -> Vec<Event> {
        let (r, e) = self.run(who, call);
        r.unwrap();
        e
    }

    fn err(&mut self, who: &keys::Keypair, call: Call) -> DispatchError {
        let before = self.rt.clone();
        let signer = id(who);
        let (r, events) = self.run(who, call);
        let e = r.unwrap_err();
        assert_eq!(events.len(), 1, "a failed call emits only ExtrinsicFailed: {events:?}");
        // Nothing but the fee and the nonce changed: replay the block without the call.
        let mut fee_only = before;
        let fee = self.rt.head().extrinsics[0].fee;
        fee_only.state.accounts.get_mut(&signer).unwrap().free -= fee;
        fee_only.state.accounts.get_mut(&signer).unwrap().nonce += 1;
        assert_eq!(self.rt.account(&signer), fee_only.account(&signer));
        e
    }

    fn stake(&self, hot: &keys::Keypair, cold: &keys::Keypair, netuid: u16) -> u64 {
        self.rt.state.subnets[&netuid].stake_of(&id(hot), &id(cold))
    }
}

#[test]
fn genesis_is_consistent() {
    let net = Net::new();
    let rt = &net.rt;
    assert_eq!(rt.block_number(), START);
    assert_eq!(rt.subnets().len(), 4);
    let sn1 = rt.subnet(1).unwrap();
    assert_eq!(sn1.pool.price, 99_999_999); // 0.1 is inexact in binary
    assert_eq!(sn1.pool.alpha_out, 81_000 * TAO);
    assert_eq!(rt.neurons(1).unwrap().len(), 5);
    assert_eq!(rt.total_issuance(), 9_000_000 * TAO + 150_000 * TAO + 3 * 10_000 * TAO);
    // Validators hold permits from genesis.
    assert!(rt.neurons(1).unwrap()[1].validator_permit);
    assert_eq!(rt.signing_context().genesis_hash, rt.head().header.hash);
}

#[test]
fn transfer_charges_fee_and_keeps_alive() {
    let mut net = Net::new();
    let (alice, bob) = (id(&net.k.alice), id(&net.k.bob));
    let before = net.rt.account(&alice).free;
    let issuance = net.rt.total_issuance();
    let call = Call::Transfer { dest: bob, amount: chain::Tao::from_rao(5 * TAO) };
    let fee = net.rt.estimate_fee(&call);
    let events = net.ok(&net.k.alice.clone(), call);
    assert!(matches!(events[0], Event::Transfer { amount, .. } if amount == 5 * TAO));
    assert_eq!(events[1], Event::ExtrinsicSuccess { fee });
    assert_eq!(net.rt.account(&alice).free, before - 5 * TAO - fee);
    assert_eq!(net.rt.account(&alice).nonce, 1);
    // Fees are recycled; this block also emitted.
    let e = net.rt.state.minted_tao;
    assert!(net.rt.total_issuance() <= issuance + e - fee);

    let free = net.rt.account(&alice).free;
    let keep_alive = Call::Transfer { dest: bob, amount: chain::Tao::from_rao(free - 100_000_000) };
    let fee = net.rt.estimate_fee(&keep_alive);
    let all = Call::Transfer { dest: bob, amount: chain::Tao::from_rao(free - fee - 1) };
    assert_eq!(net.err(&net.k.alice.clone(), all), DispatchError::KeepAlive);
    let nobody = id(&kp("//Nobody"));
    assert_eq!(
        net.err(
            &net.k.alice.clone(),
            Call::Transfer { dest: nobody, amount: chain::Tao::from_rao(10) }
        ),
        DispatchError::ExistentialDeposit { minimum: 500 }
    );
    assert!(matches!(
        net.err(
            &net.k.alice.clone(),
            Call::Transfer { dest: bob, amount: chain::Tao::from_rao(u64::MAX) }
        ),
        DispatchError::InsufficientBalance { .. }
    ));
}

#[test]
fn add_and_remove_stake_move_exactly_the_quote() {
    let mut net = Net::new();
    let k = keyring();
    let amount = 100 * TAO;
    // The quote is what the trade does as the first one on the subnet in the next block,
    // after that block's emission injection.
    let quote = net.rt.quote(1, Side::Buy, amount).unwrap();
    let free = net.rt.account(&id(&k.dave)).free;
    let call = Call::AddStake {
        hotkey: id(&k.m1),
        netuid: 1,
        amount_staked: chain::Tao::from_rao(amount),
    };
    let fee = net.rt.estimate_fee(&call);
    let events = net.ok(&k.dave, call);
    assert_eq!(
        events[0],
        Event::StakeAdded {
            coldkey: id(&k.dave),
            hotkey: id(&k.m1),
            tao: amount,
            alpha: quote.amount_out,
            netuid: 1,
            fee: quote.fee
        }
    );
    assert_eq!(net.rt.account(&id(&k.dave)).free, free - amount - fee);
    assert_eq!(net.stake(&k.m1, &k.dave, 1), quote.amount_out);
    let stakes = net.rt.stakes(&id(&k.dave));
    assert_eq!(stakes.len(), 1);
    assert_eq!(stakes[0].alpha, quote.amount_out);

    // Sell half at a limit below the price.
    let alpha = quote.amount_out / 2;
    let q = net.rt.quote(1, Side::Sell, alpha).unwrap();
    let free = net.rt.account(&id(&k.dave)).free;
    let call = Call::RemoveStakeLimit {
        hotkey: id(&k.m1),
        netuid: 1,
        amount_unstaked: chain::Alpha::from_rao(alpha),
        limit_price: q.spot_before_rao() / 2,
        allow_partial: false,
    };
    let fee = net.rt.estimate_fee(&call);
    let events = net.ok(&k.dave, call);
    assert_eq!(
        events[0],
        Event::StakeRemoved {
            coldkey: id(&k.dave),
            hotkey: id(&k.m1),
            tao: q.amount_out,
            alpha: q.delta_in,
            netuid: 1,
            fee: q.fee
        }
    );
    assert_eq!(net.rt.account(&id(&k.dave)).free, free + q.amount_out - fee);
    assert_eq!(net.stake(&k.m1, &k.dave, 1), quote.amount_out - alpha);
}

#[test]
fn swap_fees_go_to_the_block_author_if_there_is_one() {
    let k = keyring();
    let author = id(&kp("//Author"));
    let mut g = genesis(&k);
    g.params.block_author = Some(author);
    let mut net = Net { k: keyring(), rt: Runtime::new(&g).unwrap() };
    let quote = net.rt.quote(1, Side::Buy, 100 * TAO).unwrap();
    net.ok(
        &k.dave,
        Call::AddStake {
            hotkey: id(&k.m1),
            netuid: 1,
            amount_staked: chain::Tao::from_rao(100 * TAO),
        },
    );
    assert_eq!(net.rt.account(&author).free, quote.fee);
    assert_eq!(net.rt.emission_totals().burned, 0);
    // Without an author the fee is burned (and counted).
    let mut net = Net::new();
    let quote = net.rt.quote(1, Side::Buy, 100 * TAO).unwrap();
    net.ok(
        &k.dave,
        Call::AddStake {
            hotkey: id(&k.m1),
            netuid: 1,
            amount_staked: chain::Tao::from_rao(100 * TAO),
        },
    );
    assert_eq!(net.rt.emission_totals().burned, quote.fee);
}

#[test]
fn limit_orders_fill_or_kill_and_partial() {
    let mut net = Net::new();
    let k = keyring();
    let price = net.rt.subnet(1).unwrap().pool.price;
    let limit = price + price / 1000; // 0.1 % above
    let call = Call::AddStakeLimit {
        hotkey: id(&k.m1),
        netuid: 1,
        amount_staked: chain::Tao::from_rao(1000 * TAO),
        limit_price: limit,
        allow_partial: false,
    };
    // A fill-or-kill order that cannot fill is refused before inclusion, as Subtensor's
    // transaction extension does: not in the block, no fee, nonce unused.
    let before = net.rt.account(&id(&k.dave));
    let tx = net.sign(&k.dave, call);
    let refusal = TxValidityError::Custom(DispatchError::Swap(SwapFailure::SlippageTooHigh));
    assert_eq!(net.rt.validate(&tx), Err(refusal.clone()));
    let b = net.block(vec![tx]);
    assert_eq!(b.rejected.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>(), vec![refusal]);
    assert!(b.block.extrinsics.is_empty());
    assert_eq!(net.rt.account(&id(&k.dave)), before);
    let free = net.rt.account(&id(&k.dave)).free;
    let call = Call::AddStakeLimit {
        hotkey: id(&k.m1),
        netuid: 1,
        amount_staked: chain::Tao::from_rao(1000 * TAO),
        limit_price: limit,
        allow_partial: true,
    };
    let fee = net.rt.estimate_fee(&call);
    let events = net.ok(&k.dave, call);
    let Event::StakeAdded { tao, .. } = events[0] else { panic!("{events:?}") };
    assert!(tao < 1000 * TAO && tao > 0);
    assert_eq!(net.rt.account(&id(&k.dave)).free, free - tao - fee, "the rest is refunded");
    assert!(net.rt.subnet(1).unwrap().pool.price <= limit);
    // Past the limit already.
    let call = Call::AddStakeLimit {
        hotkey: id(&k.m1),
        netuid: 1,
        amount_staked: chain::Tao::from_rao(10 * TAO),
        limit_price: price / 2,
        allow_partial: true,
    };
    assert_eq!(net.err(&k.dave, call), DispatchError::Swap(SwapFailure::PriceLimitExceeded));
}

#[test]
fn staking_rejections_are_named() {
    let mut net = Net::new();
    let k = keyring();
    let small = Call::AddStake {
        hotkey: id(&k.m1),
        netuid: 1,
        amount_staked: chain::Tao::from_rao(1_000_000),
    };
    assert!(matches!(net.err(&k.dave, small), DispatchError::AmountTooLow { .. }));
    let none =
        Call::AddStake { hotkey: id(&k.m1), netuid: 9, amount_staked: chain::Tao::from_rao(TAO) };
    assert_eq!(net.err(&k.dave, none), DispatchError::SubnetNotExists { netuid: 9 });
    let off =
        Call::AddStake { hotkey: id(&k.m1), netuid: 3, amount_staked: chain::Tao::from_rao(TAO) };
    assert_eq!(net.err(&k.dave, off), DispatchError::SubtokenDisabled { netuid: 3 });
    let ghost = Call::AddStake {
        hotkey: id(&kp("//Ghost")),
        netuid: 1,
        amount_staked: chain::Tao::from_rao(TAO),
    };
    assert_eq!(net.err(&k.dave, ghost), DispatchError::HotKeyAccountNotExists);
    let rich = Call::AddStake {
        hotkey: id(&k.m1),
        netuid: 1,
        amount_staked: chain::Tao::from_rao(2_000_000 * TAO),
    };
    assert!(matches!(net.err(&k.dave, rich), DispatchError::InsufficientBalance { .. }));
    let unstake = Call::RemoveStake {
        hotkey: id(&k.m1),
        netuid: 1,
        amount_unstaked: chain::Alpha::from_rao(TAO),
    };
    assert!(matches!(net.err(&k.dave, unstake), DispatchError::NotEnoughStakeToWithdraw { .. }));

    // One staking operation per (hotkey, coldkey, netuid) per block.
    let a = net.sign(
        &k.dave,
        Call::AddStake { hotkey: id(&k.m1), netuid: 1, amount_staked: chain::Tao::from_rao(TAO) },
    );
    let nonce = net.rt.account(&id(&k.dave)).nonce + 1;
    let b = net.sign_nonce(
        &k.dave,
        Call::RemoveStake {
            hotkey: id(&k.m1),
            netuid: 1,
            amount_unstaked: chain::Alpha::from_rao(1_000),
        },
        nonce,
    );
    let block = net.block(vec![a, b]);
    assert!(block.block.extrinsics[0].result.is_ok());
    assert_eq!(
        block.block.extrinsics[1].result,
        Err(DispatchError::StakingOperationRateLimitExceeded)
    );
}

#[test]
fn transaction_validity_errors_are_named() {
    let mut net = Net::new();
    let k = keyring();
    let call = Call::Transfer { dest: id(&k.bob), amount: chain::Tao::from_rao(TAO) };
    let mut bad = net.sign(&k.alice, call.clone());
    bad.signature[0] ^= 1;
    assert_eq!(net.rt.validate(&bad), Err(TxValidityError::BadProof));
    let stale = net.sign_nonce(&k.alice, call.clone(), 0);
    net.block(vec![stale.clone()]);
    assert!(matches!(net.rt.validate(&stale), Err(TxValidityError::Stale { got: 0, expected: 1 })));
    let future = net.sign_nonce(&k.alice, call.clone(), 1_000);
    assert!(matches!(net.rt.validate(&future), Err(TxValidityError::Future { .. })));
    let ctx = net.rt.signing_context();
    let expired =
        SignedTransaction::sign(&k.alice, call.clone(), 1, Mortality::new(START, 1), 0, &ctx);
    assert!(matches!(net.rt.validate(&expired), Err(TxValidityError::Outdated { .. })));
    let pauper = kp("//Pauper");
    let broke = net.sign(&pauper, call.clone());
    assert!(matches!(net.rt.validate(&broke), Err(TxValidityError::Payment { free: 0, .. })));
    // At inclusion: refused, not in the block; a duplicate is AlreadyImported.
    let good = net.sign(&k.alice, call.clone());
    let b = net.block(vec![bad.clone(), stale, expired, broke, good.clone(), good.clone(), future]);
    assert_eq!(b.block.extrinsics.len(), 1);
    let reasons: Vec<_> = b.rejected.iter().map(|(_, e)| e.clone()).collect();
    assert_eq!(reasons[0], TxValidityError::BadProof);
    assert!(matches!(reasons[1], TxValidityError::Stale { .. }));
    assert!(matches!(reasons[2], TxValidityError::Outdated { .. }));
    assert!(matches!(reasons[3], TxValidityError::Payment { .. }));
    assert_eq!(reasons[4], TxValidityError::AlreadyImported);
    assert!(matches!(reasons[5], TxValidityError::Future { .. }));
}

#[test]
fn staking_proxy_may_stake_but_not_transfer() {
    let mut net = Net::new();
    let k = keyring();
    net.ok(&k.dave, Call::AddProxy { delegate: id(&k.bob), proxy_type: ProxyType::Staking });
    assert_eq!(
        net.err(&k.dave, Call::AddProxy { delegate: id(&k.bob), proxy_type: ProxyType::Staking }),
        DispatchError::DuplicateProxy
    );
    let stake =
        Call::AddStake { hotkey: id(&k.m1), netuid: 1, amount_staked: chain::Tao::from_rao(TAO) };
    let events = net.ok(&k.bob, Call::Proxy { real: id(&k.dave), call: Box::new(stake) });
    assert!(matches!(events[0], Event::StakeAdded { coldkey, .. } if coldkey == id(&k.dave)));
    assert!(net.stake(&k.m1, &k.dave, 1) > 0);
    let steal = Call::Transfer { dest: id(&k.bob), amount: chain::Tao::from_rao(TAO) };
    assert_eq!(
        net.err(&k.bob, Call::Proxy { real: id(&k.dave), call: Box::new(steal.clone()) }),
        DispatchError::CallFiltered { proxy_type: "staking".into(), call: "transfer".into() }
    );
    assert_eq!(
        net.err(&k.charlie, Call::Proxy { real: id(&k.dave), call: Box::new(steal) }),
        DispatchError::NotProxy
    );
    net.ok(&k.dave, Call::RemoveProxy { delegate: id(&k.bob), proxy_type: ProxyType::Staking });
}

#[test]
fn moves_swaps_and_transfers_of_stake() {
    let mut net = Net::new();
    let k = keyring();
    // Cross-subnet swap: one fee (on the unstake leg), stake leg fee-free.
    let alpha = 1_000 * TAO;
    let before2 = net.stake(&k.v1, &k.bob, 2);
    let events = net.ok(
        &k.bob,
        Call::SwapStake {
            hotkey: id(&k.v1),
            origin_netuid: 1,
            destination_netuid: 2,
            alpha_amount: chain::Alpha::from_rao(alpha),
        },
    );
    let names: Vec<_> = events.iter().map(Event::name).collect();
    assert_eq!(names, ["StakeRemoved", "StakeAdded", "StakeSwapped", "ExtrinsicSuccess"]);
    let Event::StakeAdded { fee, alpha: got, .. } = events[1] else { panic!() };
    assert_eq!(fee, 0);
    assert!(net.stake(&k.v1, &k.bob, 2) >= before2 + got);
    assert!(net.stake(&k.v1, &k.bob, 1) < 50_000 * TAO + 10 * TAO);
    // Same-subnet move: share accounting only.
    let events = net.ok(
        &k.bob,
        Call::MoveStake {
            origin_hotkey: id(&k.v1),
            destination_hotkey: id(&k.v2),
            origin_netuid: 1,
            destination_netuid: 1,
            alpha_amount: chain::Alpha::from_rao(alpha),
        },
    );
    assert!(matches!(events[0], Event::StakeRemoved { fee: 0, .. }));
    assert_eq!(net.stake(&k.v2, &k.bob, 1), alpha);
    // Transfer to another coldkey.
    net.ok(
        &k.bob,
        Call::TransferStake {
            destination_coldkey: id(&k.dave),
            hotkey: id(&k.v2),
            origin_netuid: 1,
            destination_netuid: 1,
            alpha_amount: chain::Alpha::from_rao(alpha),
        },
    );
    assert_eq!(net.stake(&k.v2, &k.dave, 1), alpha);
    // Swap with a limit ratio above the current ratio fails.
    let call = Call::SwapStakeLimit {
        hotkey: id(&k.v1),
        origin_netuid: 1,
        destination_netuid: 2,
        alpha_amount: chain::Alpha::from_rao(alpha),
        limit_price: 10 * TAO,
        allow_partial: false,
    };
    assert_eq!(net.err(&k.bob, call), DispatchError::Swap(SwapFailure::PriceLimitExceeded));
    // Unstake everything on a hotkey, root included.
    let events = net.ok(&k.charlie, Call::UnstakeAll { hotkey: id(&k.v2) });
    assert_eq!(events.iter().filter(|e| e.name() == "StakeRemoved").count(), 3);
    assert_eq!(net.stake(&k.v2, &k.charlie, 0), 0);
    assert_eq!(net.stake(&k.v2, &k.charlie, 1), 0);
}

#[test]
fn registration_start_call_and_neurons() {
    let mut net = Net::new();
    let k = keyring();
    let hot = kp("//Bob//sn");
    let events = net.ok(&k.bob, Call::RegisterNetwork { hotkey: id(&hot), identity: None });
    let Event::NetworkAdded { netuid, lock_cost, .. } = events[0] else { panic!("{events:?}") };
    assert_eq!(netuid, 4);
    assert_eq!(lock_cost, ChainParams::default().min_lock);
    let sn = net.rt.subnet(4).unwrap();
    // Registered without an identity: the chain names it and assigns the netuid's glyph.
    assert_eq!((sn.identity.name.as_str(), sn.identity.symbol.as_str()), ("subnet 4", "δ"));
    assert_eq!(sn.pool.tao_reserve, lock_cost);
    let others = net.rt.subnet(2).unwrap().pool.price;
    assert!(sn.pool.price.abs_diff(others) < others / 1000, "the median price of the others");
    assert!(matches!(
        net.err(&k.bob, Call::RegisterNetwork { hotkey: id(&hot), identity: None }),
        DispatchError::NetworkTxRateLimitExceeded { .. }
    ));
    let stake =
        Call::AddStake { hotkey: id(&hot), netuid: 4, amount_staked: chain::Tao::from_rao(TAO) };
    assert_eq!(net.err(&k.bob, stake.clone()), DispatchError::SubtokenDisabled { netuid: 4 });
    assert_eq!(
        net.err(&k.alice, Call::StartCall { netuid: 4 }),
        DispatchError::NotSubnetOwner { netuid: 4 }
    );
    net.ok(&k.bob, Call::StartCall { netuid: 4 });
    assert_eq!(
        net.err(&k.bob, Call::StartCall { netuid: 4 }),
        DispatchError::FirstEmissionBlockNumberAlreadySet { netuid: 4 }
    );
    net.ok(&k.bob, stake);

    // Burned registration: the burn grows ×1.26 and decays.
    let burn = net.rt.subnet(1).unwrap().hyperparameters.burn;
    let m3 = kp("//Dave//m3");
    let free = net.rt.account(&id(&k.dave)).free;
    let call = Call::BurnedRegister { netuid: 1, hotkey: id(&m3) };
    let fee = net.rt.estimate_fee(&call);
    let events = net.ok(&k.dave, call);
    let Event::NeuronRegistered { uid, burn: paid, .. } = events[0] else { panic!() };
    assert_eq!(uid, 5);
    assert!(paid <= burn);
    assert_eq!(net.rt.account(&id(&k.dave)).free, free - paid - fee);
    assert!(net.rt.subnet(1).unwrap().hyperparameters.burn > paid);
    assert_eq!(
        net.err(&k.dave, Call::BurnedRegister { netuid: 1, hotkey: id(&m3) }),
        DispatchError::HotKeyAlreadyRegisteredInSubNet { netuid: 1 }
    );
    assert_eq!(
        net.err(&k.bob, Call::BurnedRegister { netuid: 2, hotkey: id(&m3) }),
        DispatchError::NonAssociatedColdKey
    );

    // Axons are served by the hotkey.
    net.ok(&k.alice, Call::Transfer { dest: id(&m3), amount: chain::Tao::from_rao(10 * TAO) });
    let axon =
        chain::AxonInfo { ip: "10.0.0.1".into(), port: 8091, ip_type: 4, protocol: 0, version: 1 };
    net.ok(&m3, Call::ServeAxon { netuid: 1, axon: axon.clone() });
    assert_eq!(net.rt.neurons(1).unwrap()[5].axon, Some(axon.clone()));
    let bad = chain::AxonInfo { ip_type: 6, ..axon };
    assert!(matches!(
        net.err(&m3, Call::ServeAxon { netuid: 1, axon: bad }),
        DispatchError::InvalidAxon { .. }
    ));
}

#[test]
fn at_the_subnet_limit_the_cheapest_old_subnet_is_dissolved() {
    let k = keyring();
    let mut g = genesis(&k);
    g.params.subnet_limit = 3;
    g.params.network_immunity_period = 500;
    // Subnet 3 is the cheapest.
    g.subnets[2].moving_price = 1_000_000;
    let rt = Runtime::new(&g).unwrap();
    let mut net = Net { k: keyring(), rt };
    let charlie_free = net.rt.account(&id(&k.charlie)).free;
    let charlie_stake = net.stake(&k.v2, &k.charlie, 3);
    let issuance = net.rt.total_issuance();
    let hot = kp("//Bob//sn");
    let events = net.ok(&k.bob, Call::RegisterNetwork { hotkey: id(&hot), identity: None });
    assert_eq!(events[0], Event::NetworkRemoved { netuid: 3 });
    assert!(matches!(events[1], Event::NetworkAdded { netuid: 3, .. }));
    // Charlie held 30,000 of 81,000 alpha on subnet 3 and gets that share of its 10,000 TAO.
    let expected = u128::from(10_000 * TAO) * u128::from(charlie_stake) / u128::from(81_000 * TAO);
    let got = net.rt.account(&id(&k.charlie)).free - charlie_free;
    assert!(u128::from(got).abs_diff(expected) <= 1, "{got} vs {expected}");
    assert_eq!(net.rt.subnet(3).unwrap().owner_coldkey, id(&k.bob));
    assert!(net.rt.stakes(&id(&k.charlie)).iter().all(|s| s.netuid != 3));
    assert!(net.rt.total_issuance() <= issuance + net.rt.state.minted_tao);
    // No old subnet left to prune: the limit holds.
    let mut g = genesis(&k);
    g.params.subnet_limit = 3;
    let mut net = Net { k: keyring(), rt: Runtime::new(&g).unwrap() };
    assert_eq!(
        net.err(&k.bob, Call::RegisterNetwork { hotkey: id(&hot), identity: None }),
        DispatchError::SubnetLimitReached
    );
}

#[test]
fn hyperparameters_are_owner_only_and_ranged() {
    let mut net = Net::new();
    let k = keyring();
    net.ok(&k.alice, Call::SetHyperparameter { netuid: 1, param: Hyperparameter::FeeRate(100) });
    assert_eq!(net.rt.subnet(1).unwrap().pool.fee_rate, 100);
    assert!(matches!(
        net.err(
            &k.alice,
            Call::SetHyperparameter { netuid: 1, param: Hyperparameter::FeeRate(20_000) }
        ),
        DispatchError::InvalidHyperparameter { .. }
    ));
    assert!(matches!(
        net.err(&k.alice, Call::SetHyperparameter { netuid: 1, param: Hyperparameter::Tempo(5) }),
        DispatchError::InvalidHyperparameter { .. }
    ));
    assert_eq!(
        net.err(&k.bob, Call::SetHyperparameter { netuid: 1, param: Hyperparameter::FeeRate(1) }),
        DispatchError::NotSubnetOwner { netuid: 1 }
    );
    let history = net.rt.hyperparameter_history(1).unwrap();
    assert_eq!(history, vec![(START + 1, Hyperparameter::FeeRate(100))]);
    let symbol = net.rt.subnet(1).unwrap().identity.symbol;
    assert!(!symbol.is_empty());
    // Without a symbol (Subtensor's form has none) the subnet keeps its own; with one, it is set.
    let identity = SubnetIdentity { name: "Apex".into(), ..Default::default() };
    net.ok(&k.alice, Call::SetSubnetIdentity { netuid: 1, identity: identity.clone() });
    let kept = SubnetIdentity { symbol: symbol.clone(), ..identity.clone() };
    assert_eq!(net.rt.subnet(1).unwrap().identity, kept);
    let renamed = SubnetIdentity { symbol: "ש".into(), ..identity };
    net.ok(&k.alice, Call::SetSubnetIdentity { netuid: 1, identity: renamed.clone() });
    assert_eq!(net.rt.subnet(1).unwrap().identity, renamed);
}

#[test]
fn weights_direct_and_commit_reveal() {
    let mut net = Net::new();
    let k = keyring();
    // Subnet 2 has commit–reveal on.
    let set = Call::SetWeights { netuid: 2, dests: vec![3], weights: vec![100], version_key: 0 };
    assert_eq!(net.err(&k.v1, set), DispatchError::CommitRevealEnabled { netuid: 2 });
    let set =
        Call::SetWeights { netuid: 1, dests: vec![3, 4], weights: vec![1, 1], version_key: 0 };
    net.ok(&k.v1, set);
    let bad =
        Call::SetWeights { netuid: 1, dests: vec![3, 3], weights: vec![1, 1], version_key: 0 };
    assert!(matches!(net.err(&k.v1, bad), DispatchError::InvalidWeights(_)));
    let no_permit =
        Call::SetWeights { netuid: 1, dests: vec![4], weights: vec![1], version_key: 0 };
    assert_eq!(net.err(&k.m1, no_permit), DispatchError::NotEnoughStakeToSetWeights { netuid: 1 });
    assert_eq!(
        net.err(&k.v1, Call::CommitWeights { netuid: 1, commit_hash: Hash::default() }),
        DispatchError::CommitRevealDisabled { netuid: 1 }
    );
    // Commit, then reveal inside the window.
    let (uids, values, salt) = (vec![3u16], vec![7u16], vec![1u16, 2, 3]);
    let hash = chain::weights_commit_hash(&id(&k.v1), 2, &uids, &values, &salt, 0);
    net.ok(&k.v1, Call::CommitWeights { netuid: 2, commit_hash: hash });
    let reveal = Call::RevealWeights {
        netuid: 2,
        uids: uids.clone(),
        values: values.clone(),
        salt: salt.clone(),
        version_key: 0,
    };
    assert_eq!(net.err(&k.v1, reveal.clone()), DispatchError::InvalidReveal, "too early");
    let period = net.rt.subnet(2).unwrap().hyperparameters.commit_reveal_period;
    for _ in 0..period {
        net.block(vec![]);
    }
    let events = net.ok(&k.v1, reveal);
    assert_eq!(events[0].name(), "WeightsRevealed");
    assert_eq!(net.rt.state.subnets[&2].neurons[1].weights, vec![(3, 7)]);
}

#[test]
fn emission_grows_issuance_by_the_schedule() {
    let mut net = Net::new();
    let mut expected = net.rt.total_issuance();
    let start_recycled = net.rt.emission_totals().recycled;
    let mut sum_emission = 0u64;
    for _ in 0..200 {
        let e = dtao::emission::block_emission(net.rt.total_issuance());
        sum_emission += e;
        net.block(vec![]);
        assert_eq!(net.rt.state.minted_tao - (sum_emission - e), e);
    }
    let recycled = net.rt.emission_totals().recycled - start_recycled;
    expected += sum_emission - recycled;
    assert_eq!(net.rt.total_issuance(), expected);
    assert!(recycled < 200 * 10, "only rounding dust is recycled: {recycled}");
    // Both started subnets received emission and their pools grew.
    assert!(net.rt.subnet(1).unwrap().pool.tao_reserve > 10_000 * TAO);
    assert_eq!(net.rt.subnet(3).unwrap().pool.tao_reserve, 10_000 * TAO);
}

#[test]
fn epochs_pay_miners_their_validators_weight() {
    let mut net = Net::new();
    let k = keyring();
    net.ok(&k.v1, Call::SetWeights { netuid: 1, dests: vec![3], weights: vec![1], version_key: 0 });
    net.ok(&k.v2, Call::SetWeights { netuid: 1, dests: vec![3], weights: vec![1], version_key: 0 });
    let v1_before = net.rt.state.subnets[&1].hotkey_alpha(&id(&k.v1));
    let mut epochs = Vec::new();
    for _ in 0..25 {
        let b = net.block(vec![]);
        epochs.extend(b.block.events.into_iter().filter(|e| e.event.name() == "EpochCompleted"));
    }
    assert!(epochs.iter().any(
        |e| matches!(e.event, Event::EpochCompleted { netuid: 1, incentive, .. } if incentive > 0)
    ));
    let m1 = net.stake(&k.m1, &k.dave, 1);
    assert!(m1 > 0, "the weighted miner earned");
    assert_eq!(net.stake(&k.m2, &k.dave, 1), 0, "the unweighted miner did not");
    assert!(net.rt.state.subnets[&1].hotkey_alpha(&id(&k.v1)) > v1_before, "dividends");
    let neurons = net.rt.neurons(1).unwrap();
    assert!(neurons[3].incentive > 60_000);
    assert!(neurons[1].dividends > 0);
    // The owner's stake grew by its cut.
    assert!(net.stake(&k.owner_hot, &k.alice, 1) > 1_000 * TAO);
}

#[test]
fn owner_burning_shows_in_miner_burned_and_lowers_the_share() {
    let mut net = Net::new();
    let k = keyring();
    // Validators on subnet 1 weight the owner's hotkey (UID 0) only; subnet 2 stays honest.
    net.ok(&k.v1, Call::SetWeights { netuid: 1, dests: vec![0], weights: vec![1], version_key: 0 });
    net.ok(&k.v2, Call::SetWeights { netuid: 1, dests: vec![0], weights: vec![1], version_key: 0 });
    let mut burned = 0;
    for _ in 0..25 {
        let b = net.block(vec![]);
        for e in &b.block.events {
            if let Event::EpochCompleted { netuid: 1, owner_miner_burned, .. } = e.event {
                burned += owner_miner_burned;
            }
        }
    }
    assert!(burned > 0);
    let sn1 = net.rt.subnet(1).unwrap();
    assert_eq!(sn1.miner_burned_ppb, 1_000_000_000);
    assert!(net.rt.state.subnets[&1].alpha_burned >= burned);
    // With MinerBurned = 1 the subnet's share drops to ~0 while subnet 2 takes the emission.
    let sn2 = net.rt.subnet(2).unwrap();
    assert!(sn1.emission_share_ppb < sn2.emission_share_ppb / 100, "{sn1:?} vs {sn2:?}");
    // Recycling instead lowers alpha out.
    net.ok(
        &k.alice,
        Call::SetHyperparameter {
            netuid: 1,
            param: Hyperparameter::RecycleOrBurn(RecycleOrBurn::Recycle),
        },
    );
    let burned_before = net.rt.state.subnets[&1].alpha_burned;
    let mut recycled = 0;
    for _ in 0..12 {
        let b = net.block(vec![]);
        for e in &b.block.events {
            if let Event::AlphaRecycled { netuid: 1, amount } = e.event {
                recycled += amount;
            }
        }
    }
    assert!(recycled > 0);
    assert_eq!(net.rt.state.subnets[&1].alpha_burned, burned_before);
}

#[test]
fn root_stakers_share_in_dividends_when_prices_sum_above_one() {
    let k = keyring();
    let mut g = genesis(&k);
    for s in &mut g.subnets {
        s.moving_price = 600_000_000;
        s.alpha_in = 10_000 * TAO * 10 / 6;
    }
    let mut net = Net { k: keyring(), rt: Runtime::new(&g).unwrap() };
    // Dave stakes on root only, on v1.
    net.ok(
        &k.dave,
        Call::AddStake {
            hotkey: id(&k.v1),
            netuid: 0,
            amount_staked: chain::Tao::from_rao(50_000 * TAO),
        },
    );
    assert_eq!(net.stake(&k.v1, &k.dave, 1), 0);
    assert!(net.rt.state.subnets[&1].pending_root > 0, "root alpha is kept");
    let before = net.stake(&k.v1, &k.bob, 1);
    let mut epoch = false;
    for _ in 0..12 {
        let b = net.block(vec![]);
        epoch |= b
            .block
            .events
            .iter()
            .any(|e| matches!(e.event, Event::EpochCompleted { netuid: 1, .. }));
    }
    assert!(epoch);
    assert!(net.stake(&k.v1, &k.bob, 1) > before);
    // His share of v1's root dividends arrives as alpha stake on subnet 1.
    assert!(net.stake(&k.v1, &k.dave, 1) > 0);
}

#[test]
fn more_named_rejections() {
    let mut net = Net::new();
    let k = keyring();
    // Weights: version key and rate limit.
    net.ok(
        &k.alice,
        Call::SetHyperparameter { netuid: 1, param: Hyperparameter::WeightsRateLimit(50) },
    );
    net.rt.state.subnets.get_mut(&1).unwrap().hyperparameters.weights_version_key = 5;
    net.rt.digests.mark_subnet(1);
    let old = Call::SetWeights { netuid: 1, dests: vec![3], weights: vec![1], version_key: 4 };
    assert_eq!(net.err(&k.v1, old), DispatchError::IncorrectWeightVersionKey { expected: 5 });
    net.ok(&k.v1, Call::SetWeights { netuid: 1, dests: vec![3], weights: vec![1], version_key: 5 });
    let again = Call::SetWeights { netuid: 1, dests: vec![3], weights: vec![2], version_key: 5 };
    assert!(matches!(net.err(&k.v1, again), DispatchError::SettingWeightsTooFast { .. }));
    let stranger = kp("//Dave//m3");
    net.ok(&k.alice, Call::Transfer { dest: id(&stranger), amount: chain::Tao::from_rao(TAO) });
    let call = Call::SetWeights { netuid: 2, dests: vec![], weights: vec![], version_key: 0 };
    assert_eq!(net.err(&stranger, call), DispatchError::HotKeyNotRegisteredInSubNet { netuid: 2 });
    // Stake transfers can be disabled.
    net.ok(
        &k.alice,
        Call::SetHyperparameter { netuid: 1, param: Hyperparameter::TransferEnabled(false) },
    );
    let give = Call::TransferStake {
        destination_coldkey: id(&k.dave),
        hotkey: id(&k.v1),
        origin_netuid: 1,
        destination_netuid: 1,
        alpha_amount: chain::Alpha::from_rao(TAO),
    };
    assert_eq!(net.err(&k.bob, give), DispatchError::TransferDisallowed { netuid: 1 });
    // Registration closed, and a full subnet whose neurons are all immune.
    net.ok(
        &k.alice,
        Call::SetHyperparameter { netuid: 2, param: Hyperparameter::RegistrationAllowed(false) },
    );
    let reg = Call::BurnedRegister { netuid: 2, hotkey: id(&kp("//Dave//new")) };
    assert_eq!(net.err(&k.dave, reg), DispatchError::SubNetRegistrationDisabled { netuid: 2 });
    for param in [
        Hyperparameter::ImmunityPeriod(60_000),
        Hyperparameter::MaxAllowedValidators(2),
        Hyperparameter::MaxAllowedUids(5),
    ] {
        net.ok(&k.alice, Call::SetHyperparameter { netuid: 1, param });
    }
    let reg = Call::BurnedRegister { netuid: 1, hotkey: id(&kp("//Dave//new")) };
    assert_eq!(net.err(&k.dave, reg), DispatchError::NoNeuronIdAvailable { netuid: 1 });
    // start_call waits for the delay.
    let mut g = genesis(&k);
    g.params.start_call_delay = 10_000;
    let mut net = Net { k: keyring(), rt: Runtime::new(&g).unwrap() };
    assert!(matches!(
        net.err(&k.alice, Call::StartCall { netuid: 3 }),
        DispatchError::NeedWaitingMoreBlocksToStarCall { .. }
    ));
}

#[test]
fn snapshot_restore_and_determinism() {
    let mut a = Net::new();
    let mut b = Net::new();
    let k = keyring();
    for i in 0..15u64 {
        let call = Call::AddStake {
            hotkey: id(&k.m1),
            netuid: 1 + (i % 2) as u16,
            amount_staked: chain::Tao::from_rao(TAO + i),
        };
        // sr25519 signatures are randomised: both chains get the same signed bytes.
        let tx = a.sign(&k.dave, call);
        let ra = a.block(vec![tx.clone()]);
        let rb = b.block(vec![tx]);
        assert_eq!(ra.block.header, rb.block.header);
    }
    let bytes = a.rt.snapshot().unwrap();
    let restored = Runtime::restore(&bytes).unwrap();
    assert_eq!(restored.state_root(), a.rt.state_root());
    assert_eq!(restored.recompute_state_root(), a.rt.state_root());
    assert_eq!(restored.stakes(&id(&k.dave)), a.rt.stakes(&id(&k.dave)));
    let mut restored = restored;
    let x = restored.produce_block(vec![], 5);
    let y = a.rt.produce_block(vec![], 5);
    assert_eq!(x.block.header, y.block.header);
    assert!(Runtime::restore(b"nope").is_err());
}

#[test]
fn the_state_root_commits_to_a_superellipse_curve_exactly() {
    let mut rt = Net::new().rt;
    let balancer = rt.recompute_state_root();
    let mut root_with = |quote_weight: u64| {
        let s = rt.state.subnets.get_mut(&1).unwrap();
        s.pool.curve = dtao::amm::CurveKind::Superellipse(dtao::amm::Superellipse::calibrate(
            s.pool.reserves,
            quote_weight,
        ));
        rt.recompute_state_root()
    };
    let half = root_with(dtao::amm::PERQUINTILL / 2);
    let other = root_with(dtao::amm::PERQUINTILL / 3);
    assert_ne!(half, balancer);
    assert_ne!(half, other, "the digest must depend on the curve's parameters");
    assert_eq!(root_with(dtao::amm::PERQUINTILL / 2), half);
}

#[derive(Debug, Clone)]
enum Op {
    Stake(u8, u8, u64),
    Unstake(u8, u8, u64),
    Limit(u8, u8, u64, u16, bool),
    Swap(u8, u8, u64),
    Move(u8, u8, u64),
    Transfer(u8, u64),
    Weights(u8, u8),
    Register(u8),
    UnstakeAll(u8),
    Empty,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..4, 0u8..4, 0u64..2_000 * TAO).prop_map(|(a, b, c)| Op::Stake(a, b, c)),
        (0u8..4, 0u8..4, 0u64..60_000 * TAO).prop_map(|(a, b, c)| Op::Unstake(a, b, c)),
        (0u8..4, 0u8..4, 0u64..5_000 * TAO, any::<u16>(), any::<bool>())
            .prop_map(|(a, b, c, d, e)| Op::Limit(a, b, c, d, e)),
        (0u8..4, 0u8..4, 0u64..20_000 * TAO).prop_map(|(a, b, c)| Op::Swap(a, b, c)),
        (0u8..4, 0u8..4, 0u64..20_000 * TAO).prop_map(|(a, b, c)| Op::Move(a, b, c)),
        (0u8..4, 0u64..2_000_000 * TAO).prop_map(|(a, b)| Op::Transfer(a, b)),
        (0u8..2, 0u8..5).prop_map(|(a, b)| Op::Weights(a, b)),
        (0u8..4).prop_map(Op::Register),
        (0u8..4).prop_map(Op::UnstakeAll),
        Just(Op::Empty),
    ]
}

/// Dispatch outcomes of random runs by call name: `(tried, succeeded)`.
type Tally = std::collections::BTreeMap<&'static str, (usize, usize)>;

#[test]
fn random_calls_never_break_the_invariants() {
    // The invariants are checked after every block (`Net::block`). A run whose calls all fail
    // checks nothing, so the outcomes are counted over all cases and must clear a floor.
    let config =
        ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let tally = std::cell::RefCell::new(Tally::new());
    let result = runner.run(&proptest::collection::vec(op(), 1..40), |ops| {
        let mut net = Net::new();
        let k = keyring();
        let colds = [&k.alice, &k.bob, &k.charlie, &k.dave];
        let hots = [&k.v1, &k.v2, &k.m1, &k.owner_hot];
        for op in ops {
            let (who, call): (&keys::Keypair, Call) = match op {
                Op::Stake(c, n, a) => (
                    colds[c as usize],
                    Call::AddStake {
                        hotkey: id(hots[c as usize]),
                        netuid: u16::from(n),
                        amount_staked: chain::Tao::from_rao(a),
                    },
                ),
                Op::Unstake(c, n, a) => (
                    colds[c as usize],
                    Call::RemoveStake {
                        hotkey: id(hots[c as usize]),
                        netuid: u16::from(n),
                        amount_unstaked: chain::Alpha::from_rao(a),
                    },
                ),
                Op::Limit(c, n, a, p, partial) => (
                    colds[c as usize],
                    if p % 2 == 0 {
                        Call::AddStakeLimit {
                            hotkey: id(hots[c as usize]),
                            netuid: u16::from(n),
                            amount_staked: chain::Tao::from_rao(a),
                            limit_price: u64::from(p) * 10_000,
                            allow_partial: partial,
                        }
                    } else {
                        Call::RemoveStakeLimit {
                            hotkey: id(hots[c as usize]),
                            netuid: u16::from(n),
                            amount_unstaked: chain::Alpha::from_rao(a),
                            limit_price: u64::from(p) * 10_000,
                            allow_partial: partial,
                        }
                    },
                ),
                Op::Swap(c, n, a) => (
                    colds[c as usize],
                    Call::SwapStake {
                        hotkey: id(hots[c as usize]),
                        origin_netuid: u16::from(n),
                        destination_netuid: u16::from((n + 1) % 3),
                        alpha_amount: chain::Alpha::from_rao(a),
                    },
                ),
                Op::Move(c, n, a) => (
                    colds[c as usize],
                    Call::MoveStake {
                        origin_hotkey: id(hots[c as usize]),
                        destination_hotkey: id(hots[(c as usize + 1) % 4]),
                        origin_netuid: u16::from(n),
                        destination_netuid: u16::from(n),
                        alpha_amount: chain::Alpha::from_rao(a),
                    },
                ),
                Op::Transfer(c, a) => (
                    colds[c as usize],
                    Call::Transfer {
                        dest: id(colds[(c as usize + 1) % 4]),
                        amount: chain::Tao::from_rao(a),
                    },
                ),
                Op::Weights(v, m) => (
                    [&k.v1, &k.v2][v as usize],
                    Call::SetWeights {
                        netuid: 1,
                        dests: vec![u16::from(m)],
                        weights: vec![1],
                        version_key: 0,
                    },
                ),
                Op::Register(c) => (
                    colds[c as usize],
                    Call::RegisterNetwork { hotkey: id(hots[c as usize]), identity: None },
                ),
                Op::UnstakeAll(c) => {
                    (colds[c as usize], Call::UnstakeAll { hotkey: id(hots[c as usize]) })
                }
                Op::Empty => {
                    net.block(vec![]);
                    continue;
                }
            };
            let name = call.name();
            let tx = net.sign(who, call);
            let b = net.block(vec![tx]);
            let ok = b.block.extrinsics.iter().filter(|x| x.result.is_ok()).count();
            let mut tally = tally.borrow_mut();
            let entry = tally.entry(name).or_default();
            entry.0 += 1;
            entry.1 += ok;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let tally = tally.into_inner();
    let (tried, ok) = tally.values().fold((0, 0), |(t, o), (dt, dk)| (t + dt, o + dk));
    // Today 35–42 % of the ~400 random calls (24 cases) succeed; a floor of a fifth leaves room
    // for the draw and still fails a runtime that refuses most of them.
    assert!(ok * 5 >= tried, "only {ok} of {tried} random calls succeeded: {tally:?}");
    // Kinds that succeed in 45–100 % of their 30–60 tries must each succeed at least once, so a
    // regression refusing one of them cannot hide behind the others. (Unstakes, moves and swaps
    // of these draws mostly fail with NotEnoughStakeToWithdraw: too rare to need.)
    for name in ["add_stake", "transfer", "set_weights", "unstake_all"] {
        let (t, o) = tally.get(name).copied().unwrap_or_default();
        assert!(o > 0, "no {name} succeeded in {t} tries: {tally:?}");
    }
}

/// Five stakes across the three kinds of pool a basket meets: two dynamic subnets (two
/// validators each) and root.
fn five_legs(k: &Keys) -> Vec<Call> {
    let leg = |hot: &keys::Keypair, netuid: u16, tao: u64| Call::AddStakeLimit {
        hotkey: id(hot),
        netuid,
        amount_staked: chain::Tao::from_rao(tao),
        limit_price: 10 * TAO,
        allow_partial: false,
    };
    vec![
        leg(&k.v1, 1, 3 * TAO),
        leg(&k.v2, 1, 2 * TAO),
        leg(&k.v1, 2, 4 * TAO),
        leg(&k.v2, 2, TAO),
        leg(&k.v1, 0, 5 * TAO),
    ]
}

#[test]
fn a_batch_of_five_stakes_applies_every_leg_for_one_fee() {
    let mut net = Net::new();
    let k = keyring();
    let dave = id(&k.dave);
    let free = net.rt.account(&dave).free;
    let batch = Call::BatchAll { calls: five_legs(&k) };
    let fee = net.rt.estimate_fee(&batch);
    let events = net.ok(&k.dave, batch);
    let added: Vec<(u16, u64)> = events
        .iter()
        .filter_map(|e| match e {
            Event::StakeAdded { coldkey, netuid, tao, .. } if *coldkey == dave => {
                Some((*netuid, *tao))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        added,
        vec![(1, 3 * TAO), (1, 2 * TAO), (2, 4 * TAO), (2, TAO), (0, 5 * TAO)],
        "{events:?}"
    );
    assert_eq!(events.last(), Some(&Event::ExtrinsicSuccess { fee }));
    assert_eq!(net.rt.account(&dave).free, free - 15 * TAO - fee, "one fee for the batch");
    for (hot, netuid) in [(&k.v1, 1), (&k.v2, 1), (&k.v1, 2), (&k.v2, 2), (&k.v1, 0)] {
        assert!(net.stake(hot, &k.dave, netuid) > 0, "no stake on {netuid}");
    }
}

#[test]
fn a_batch_whose_third_leg_fails_changes_nothing_but_the_fee() {
    let mut net = Net::new();
    let k = keyring();
    let dave = id(&k.dave);
    let mut legs = five_legs(&k);
    // Subnet 3 has not started: its leg fails after two legs have already traded.
    legs[2] =
        Call::AddStake { hotkey: id(&k.v1), netuid: 3, amount_staked: chain::Tao::from_rao(TAO) };
    let mut twin = net.rt.clone();
    let ts = 1_700_000_000_000 + 12_000 * (net.rt.block_number() + 1 - START);
    let error = net.err(&k.dave, Call::BatchAll { calls: legs });
    assert_eq!(
        error,
        DispatchError::BatchInterrupted {
            index: 2,
            error: Box::new(DispatchError::SubtokenDisabled { netuid: 3 })
        }
    );
    assert!(
        error.to_string().starts_with("BatchInterrupted: leg 3 of the batch failed"),
        "{error}"
    );
    // The same block without the batch, plus its fee and nonce, is the same state: balances,
    // pools, stakes, issuance and the per-block staking rate limits alike.
    twin.produce_block(Vec::new(), ts);
    let fee = net.rt.head().extrinsics[0].fee;
    let account = twin.state.accounts.get_mut(&dave).unwrap();
    account.free -= fee;
    account.nonce += 1;
    twin.state.total_issuance -= fee;
    twin.state.recycled_tao += fee;
    assert!(twin.state == net.rt.state, "a failed batch left a trace");
    // The legs that had traded did not leave the rate limit behind either.
    net.ok(&k.dave, five_legs(&k).swap_remove(0));
}

#[test]
fn batches_do_not_nest_and_a_staking_proxy_runs_a_batch_of_stakes() {
    let mut net = Net::new();
    let k = keyring();
    let legs = five_legs(&k);
    let nested = Call::BatchAll {
        calls: vec![legs[0].clone(), Call::BatchAll { calls: vec![legs[1].clone()] }],
    };
    assert_eq!(
        net.err(&k.dave, nested),
        DispatchError::InvalidBatch {
            reason: "leg 2 is itself a batch; a batch cannot hold a batch".into()
        }
    );
    assert!(matches!(
        net.err(&k.dave, Call::BatchAll { calls: Vec::new() }),
        DispatchError::InvalidBatch { .. }
    ));

    net.ok(&k.dave, Call::AddProxy { delegate: id(&k.bob), proxy_type: ProxyType::Staking });
    let stakes = Call::BatchAll { calls: legs[..2].to_vec() };
    let events = net.ok(&k.bob, Call::proxied(id(&k.dave), stakes));
    let added = events
        .iter()
        .filter(|e| matches!(e, Event::StakeAdded { coldkey, .. } if *coldkey == id(&k.dave)))
        .count();
    assert_eq!(added, 2, "{events:?}");
    let steal = Call::BatchAll {
        calls: vec![
            legs[2].clone(),
            Call::Transfer { dest: id(&k.bob), amount: chain::Tao::from_rao(TAO) },
        ],
    };
    assert_eq!(
        net.err(&k.bob, Call::proxied(id(&k.dave), steal)),
        DispatchError::CallFiltered { proxy_type: "staking".into(), call: "batch_all".into() }
    );
}
