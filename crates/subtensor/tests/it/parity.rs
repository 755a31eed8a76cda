//! Parity: the live client reading a localnet node over Substrate's JSON-RPC (metadata, runtime
//! APIs, storage in Subtensor's layout) sees what localnet's own `Chain` sees, field for field,
//! for the views both answer: genesis, accounts, every subnet's pool, identity, owners and
//! tempo, quotes (`sim_swap_*`), a coldkey's stakes and a subnet's neurons — before and after
//! trades move the pools.

use std::sync::Arc;

use chain::{
    AccountId, Alpha, AxonInfo, BlockId, Call, Chain, Event, NeuronInfo, Side, SubnetInfo,
    SwapOutcome, Tao, TxOptions, TxStatus,
};
use futures::StreamExt;
use localnet::genesis::GenesisNeuron;
use localnet::node::BlockProduction;
use localnet::rpc::{RpcConfig, RpcServer};
use localnet::{LocalChain, Node, NodeConfig};
use subtensor::Subtensor;
use test_support::genesis::{TAO, id, keys_pair, pool_subnet, treasury_genesis};

/// The fields `Subtensor::subnets` fills from `get_all_dynamic_info`,
/// `current_alpha_price_all` and the neuron counts and fee rates in storage (the rest need one
/// call per subnet; see its docs).
fn seen_live(s: &SubnetInfo) -> impl PartialEq + std::fmt::Debug + use<> {
    (
        s.netuid,
        s.identity.name.clone(),
        s.identity.symbol.clone(),
        s.owner_coldkey,
        s.owner_hotkey,
        s.registered_at,
        (s.pool.tao_reserve, s.pool.alpha_in, s.pool.alpha_out, s.pool.price),
        (s.hyperparameters.tempo, s.hyperparameters.fee_rate, s.pool.fee_rate),
        s.tao_emission,
        s.last_epoch_block,
        s.neuron_count,
    )
}

/// What the runtime's `SimSwapResult` carries (amounts and fees) and the pool before, which
/// the live client reads from `get_dynamic_info`. The reserves and price after a sell differ
/// by design: localnet's quote includes the sell fee's second swap (for the block author),
/// which the runtime's answer does not report.
fn quoted(q: &SwapOutcome) -> impl PartialEq + std::fmt::Debug + use<> {
    (
        q.side,
        q.requested,
        q.delta_in,
        q.fee,
        q.amount_out,
        q.refund,
        q.limit_reached,
        q.reserves_before,
        q.spot_before_bits,
    )
}

/// A neuron as the live client sees it: `get_neurons_lite` carries no registration block.
fn neuron_seen_live(n: &NeuronInfo) -> NeuronInfo {
    NeuronInfo { registered_at: 0, ..n.clone() }
}

/// Quotes, stakes and neurons agree on both sides.
async fn agree_on_trading(local: &dyn Chain, live: &Subtensor) {
    for netuid in [1, 2, 3] {
        for (side, amount) in [
            (Side::Buy, TAO / 1_000),
            (Side::Buy, 3 * TAO),
            (Side::Buy, 250 * TAO),
            (Side::Sell, TAO / 10),
            (Side::Sell, 40 * TAO),
            (Side::Sell, 9_000 * TAO),
        ] {
            let l = local.quote(netuid, side, amount).await.unwrap();
            let r = live.quote(netuid, side, amount).await.unwrap();
            assert_eq!(quoted(&l), quoted(&r), "SN{netuid} {side:?} {amount}");
            assert!(l.amount_out > 0, "SN{netuid} {side:?} {amount}: {l:?}");
            if side == Side::Buy {
                assert_eq!(
                    (l.reserves_after, l.spot_after_bits, l.author_tao),
                    (r.reserves_after, r.spot_after_bits, r.author_tao),
                    "SN{netuid} buy {amount}: the pool after"
                );
            }
        }
    }
    assert!(live.quote(99, Side::Buy, TAO).await.is_err(), "no subnet 99");
    let hot = id("//Owner1//hot");
    for call in [
        Call::Transfer { dest: id("//Bob"), amount: Tao::from_rao(2 * TAO) },
        Call::AddStake { hotkey: hot, netuid: 1, amount_staked: Tao::from_rao(TAO) },
        Call::RemoveStakeLimit {
            hotkey: hot,
            netuid: 1,
            amount_unstaked: Alpha::from_rao(TAO),
            limit_price: 1_000,
            allow_partial: true,
        },
        Call::MoveStake {
            origin_hotkey: hot,
            destination_hotkey: id("//Owner2//hot"),
            origin_netuid: 1,
            destination_netuid: 2,
            alpha_amount: Alpha::from_rao(TAO),
        },
        Call::SetWeights {
            netuid: 1,
            dests: vec![0, 1, 2],
            weights: vec![9, 8, 7],
            version_key: 4,
        },
        Call::ServeAxon {
            netuid: 1,
            axon: AxonInfo {
                ip: "2001:db8::9".into(),
                port: 9000,
                ip_type: 6,
                protocol: 4,
                version: 3,
            },
        },
        Call::AddProxy { delegate: id("//Bob"), proxy_type: chain::ProxyType::Staking },
        Call::Proxy {
            real: id("//Bob"),
            call: Box::new(Call::AddStake {
                hotkey: hot,
                netuid: 1,
                amount_staked: Tao::from_rao(TAO),
            }),
        },
        Call::BatchAll {
            calls: vec![
                Call::AddStake { hotkey: hot, netuid: 1, amount_staked: Tao::from_rao(TAO) },
                Call::Transfer { dest: id("//Bob"), amount: Tao::from_rao(TAO) },
            ],
        },
    ] {
        let (l, r) = (
            local.estimate_fee(id("//Alice"), call.clone()).await.unwrap(),
            live.estimate_fee(id("//Alice"), call.clone()).await.unwrap(),
        );
        assert_eq!(l, r, "the fee of {call:?}");
        assert!(l > 0);
    }
    for who in ["//Alice", "//Bob", "//Owner1", "//Nobody"] {
        let (l, r) = (local.stakes(id(who)).await.unwrap(), live.stakes(id(who)).await.unwrap());
        assert_eq!(l, r, "{who}'s stakes");
    }
    for netuid in [1, 2, 3] {
        let l = local.neurons(netuid).await.unwrap();
        let r = live.neurons(netuid).await.unwrap();
        assert_eq!(l.iter().map(neuron_seen_live).collect::<Vec<_>>(), r, "SN{netuid}'s neurons");
    }
}

/// A subnet as the live client's `subnet` reads it: everything but what Subtensor's runtime
/// APIs do not report (localnet's emission share and burned share, the first emission block,
/// recycle-or-burn, the pool's curve).
fn subnet_seen_live(s: &SubnetInfo) -> SubnetInfo {
    let mut s = s.clone();
    s.emission_share_ppb = 0;
    s.miner_burned_ppb = 0;
    s.first_emission_block = None;
    s.hyperparameters.recycle_or_burn = Default::default();
    s.pool.curve = Default::default();
    s
}

/// Both sides' subnets agree, listed and one by one; returns them.
async fn agree(local: &dyn Chain, live: &Subtensor) -> Vec<SubnetInfo> {
    let (a, b) = (local.subnets().await.unwrap(), live.subnets().await.unwrap());
    assert!(a.len() >= 3, "{a:?}");
    assert_eq!(a.len(), b.len());
    for (l, r) in a.iter().zip(&b) {
        assert_eq!(
            seen_live(l),
            seen_live(r),
            "SN{} through localnet vs the live client",
            l.netuid
        );
        let one = live.subnet(l.netuid).await.unwrap();
        assert_eq!(subnet_seen_live(l), one, "SN{}: subnet() through the live client", l.netuid);
    }
    // The live client's emission share is each subnet's part of this block's TAO injection.
    let injected: u64 = a.iter().map(|s| s.tao_emission).sum();
    let shares: u64 = b.iter().map(|s| s.emission_share_ppb).sum();
    if injected > 0 {
        assert!((1_000_000_000 - b.len() as u64..=1_000_000_000).contains(&shares), "{shares}");
    } else {
        assert_eq!(shares, 0);
    }
    for who in ["//Alice", "//Bob", "//Owner1"] {
        let (l, r) = (local.account(id(who)).await.unwrap(), live.account(id(who)).await.unwrap());
        assert_eq!((l.free, l.nonce), (r.free, r.nonce), "{who}'s account");
    }
    b
}

async fn submit(chain: &dyn Chain, uri: &str, call: Call) {
    submit_with(chain, uri, call, TxOptions::default()).await;
}

async fn submit_with(chain: &dyn Chain, uri: &str, call: Call, options: TxOptions) {
    let mut statuses = chain::sign_and_submit(chain, &keys_pair(uri), call, options).await.unwrap();
    while let Some(s) = statuses.next().await {
        if let TxStatus::Finalized { .. } = s.unwrap() {
            return;
        }
    }
    panic!("the transaction did not finalize");
}

async fn stake(chain: &dyn Chain, uri: &str, netuid: u16, tao: u64) {
    let hotkey = id(&format!("//Owner{netuid}//hot"));
    submit(chain, uri, Call::AddStake { hotkey, netuid, amount_staked: Tao::from_rao(tao) }).await;
}

/// The events the live client decodes (see `subtensor::events`): the ones localnet emits
/// beyond these (epochs, hyperparameters, registrations) are not in its `Chain::block`.
fn decoded_live(e: &Event) -> bool {
    matches!(
        e,
        Event::ExtrinsicSuccess { .. }
            | Event::ExtrinsicFailed { .. }
            | Event::Transfer { .. }
            | Event::StakeAdded { .. }
            | Event::StakeRemoved { .. }
            | Event::StakeMoved { .. }
            | Event::StakeTransferred { .. }
            | Event::StakeSwapped { .. }
            | Event::WeightsSet { .. }
            | Event::AxonServed { .. }
            | Event::SubnetIdentitySet { .. }
            | Event::NetworkRemoved { .. }
            | Event::FirstEmissionBlockNumberSet { .. }
            | Event::ProxyAdded { .. }
            | Event::ProxyRemoved { .. }
            | Event::ProxyExecuted { .. }
            | Event::EncryptedSubmitted { .. }
    )
}

/// Every block from `from` to the head carries the same events on both sides; returns how
/// many events of trades (stake and transfer) they held.
async fn agree_on_events(local: &dyn Chain, live: &Subtensor, from: u64) -> usize {
    let head = local.header(BlockId::Head).await.unwrap().number;
    let mut trades = 0;
    let mut extrinsics = 0;
    for n in from..=head {
        let l = local.block(BlockId::Number(n)).await.unwrap();
        let r = live.block(BlockId::Number(n)).await.unwrap();
        assert_eq!(l.header, r.header, "block {n}: hash, parents, roots, time");
        // Every extrinsic with a Subtensor form reads back from the body as localnet ran it:
        // call, signer, nonce, fee, result, bytes (localnet hashes its own transactions in its
        // own encoding, so the hash is the body's).
        let seen: Vec<_> = l
            .extrinsics
            .iter()
            .filter(|x| !x.encoded.is_empty())
            .map(|x| chain::ExtrinsicRecord {
                hash: chain::Hash(sp_crypto_hashing::blake2_256(&x.encoded)),
                ..x.clone()
            })
            .collect();
        assert_eq!(seen, r.extrinsics, "block {n}'s extrinsics");
        extrinsics += seen.len();
        let l: Vec<_> = l.events.into_iter().filter(|e| decoded_live(&e.event)).collect();
        assert_eq!(l, r.events, "block {n}'s events");
        trades += l
            .iter()
            .filter(|e| {
                matches!(
                    e.event,
                    Event::StakeAdded { .. }
                        | Event::StakeRemoved { .. }
                        | Event::StakeMoved { .. }
                        | Event::Transfer { .. }
                )
            })
            .count();
    }
    assert!(extrinsics >= trades.min(1), "{extrinsics} extrinsics read back");
    trades
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_client_reads_localnet_as_localnet_does() {
    let mut genesis = treasury_genesis(
        "parity",
        7,
        100,
        1_764_000_000_000,
        &[("//Alice", 1_000 * TAO), ("//Bob", 500 * TAO)],
        vec![
            pool_subnet(1, "Apex", "α", 1_000 * TAO, 100_000 * TAO),
            pool_subnet(2, "Omron", "β", 400 * TAO, 80_000 * TAO),
            pool_subnet(3, "", "γ", 90 * TAO, 30_000 * TAO),
        ],
    );
    // Subnet 1 has neurons beside its owner: one serving an IPv4 axon, one an IPv6 one.
    let sn1 = &mut genesis.subnets[0];
    let axon = |ip: &str, ip_type| AxonInfo {
        ip: ip.into(),
        port: 8091,
        ip_type,
        protocol: 4,
        version: 9_001,
    };
    sn1.neurons.push(GenesisNeuron {
        hotkey: id("//Miner1"),
        coldkey: id("//Bob"),
        axon: Some(axon("203.0.113.7", 4)),
        registered_at: 50,
    });
    sn1.neurons.push(GenesisNeuron {
        hotkey: id("//Miner2"),
        coldkey: id("//Alice"),
        axon: Some(axon("2001:db8::7", 6)),
        registered_at: 60,
    });
    let (node, server, local) = serve(&genesis).await;
    let live = Subtensor::connect(&server.ws_url()).await.unwrap();

    let first = local.header(BlockId::Number(genesis.start_block)).await.unwrap();
    assert_eq!(live.genesis().0, first.hash.0, "the genesis hash, as chain_getBlockHash(0) says");
    let (l, r) = (local.info().await.unwrap(), live.info().await.unwrap());
    let facts = |i: &chain::ChainInfo| {
        (i.name.clone(), i.signing, i.block_time_ms, i.ss58_prefix, i.token_symbol.clone())
    };
    assert_eq!(facts(&l), facts(&r), "the chain's facts (the block time from Aura.SlotDuration)");
    let before = agree(local.as_ref(), &live).await;
    agree_on_trading(local.as_ref(), &live).await;
    assert_eq!(live.neurons(1).await.unwrap().len(), 3, "the owner and two miners");

    // Trades move pools, balances and nonces; both sides see the new head alike.
    stake(local.as_ref(), "//Alice", 1, 25 * TAO).await;
    stake(local.as_ref(), "//Bob", 2, 7 * TAO).await;
    let after = agree(local.as_ref(), &live).await;
    agree_on_trading(local.as_ref(), &live).await;
    assert!(!live.stakes(id("//Bob")).await.unwrap().is_empty(), "Bob staked on SN2");

    let tao = |v: &[SubnetInfo], n: u16| v.iter().find(|s| s.netuid == n).unwrap().pool.tao_reserve;
    assert!(tao(&after, 1) > tao(&before, 1) && tao(&after, 2) > tao(&before, 2));
    let alice: AccountId = id("//Alice");
    assert_eq!(live.account(alice).await.unwrap().nonce, 1);

    // More kinds of trade, then every block's events (older blocks' too) agree.
    let alice_sn1 = local.stakes(alice).await.unwrap();
    let held = alice_sn1.iter().find(|s| s.netuid == 1).unwrap().alpha;
    submit(
        local.as_ref(),
        "//Alice",
        Call::RemoveStake {
            hotkey: id("//Owner1//hot"),
            netuid: 1,
            amount_unstaked: Alpha::from_rao(held / 3),
        },
    )
    .await;
    submit(
        local.as_ref(),
        "//Alice",
        Call::MoveStake {
            origin_hotkey: id("//Owner1//hot"),
            destination_hotkey: id("//Owner3//hot"),
            origin_netuid: 1,
            destination_netuid: 3,
            alpha_amount: Alpha::from_rao(held / 3),
        },
    )
    .await;
    submit(
        local.as_ref(),
        "//Bob",
        Call::Transfer { dest: id("//Charlie"), amount: Tao::from_rao(3 * TAO) },
    )
    .await;
    // A stake to a hotkey registered nowhere fails in dispatch: ExtrinsicFailed, fee paid.
    let unregistered =
        Call::AddStake { hotkey: id("//Bob"), netuid: 1, amount_staked: Tao::from_rao(TAO) };
    submit(local.as_ref(), "//Bob", unregistered).await;
    let failed = local.block(BlockId::Head).await.unwrap();
    assert!(
        failed.events.iter().any(|e| matches!(
            e.event,
            Event::ExtrinsicFailed { error: chain::DispatchError::HotKeyAccountNotExists, fee }
                if fee > 0
        )),
        "{:?}",
        failed.events
    );
    let trades = agree_on_events(local.as_ref(), &live, genesis.start_block).await;
    assert!(trades >= 5, "two stakes, an unstake, a move and a transfer: {trades} events");
    agree_on_trading(local.as_ref(), &live).await;
    assert_eq!(live.account(alice).await.unwrap().nonce, 3);

    server.shutdown().await;
    node.shutdown().await;
}

/// Writes: the live client signs Subtensor v4 extrinsics and localnet takes them
/// (`author_submitAndWatchExtrinsic`), runs them, and reports them back in Substrate's shapes:
/// the statuses, the block body holding the extrinsic, its events. Both sides then agree on
/// the state, and localnet's own transactions in the same blocks decode as extrinsics too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_client_trades_on_localnet() {
    let genesis = treasury_genesis(
        "parity-writes",
        7,
        100,
        1_764_000_000_000,
        &[("//Alice", 1_000 * TAO), ("//Bob", 500 * TAO)],
        vec![
            pool_subnet(1, "Apex", "α", 1_000 * TAO, 100_000 * TAO),
            pool_subnet(2, "Omron", "β", 400 * TAO, 80_000 * TAO),
        ],
    );
    let (node, server, local) = serve(&genesis).await;
    // Trades in the clear here (MEV Shield has its own test below).
    let live = Subtensor::connect(&server.ws_url()).await.unwrap().with_shield(false);
    let hot1 = id("//Owner1//hot");

    // A limit buy through the live client: included, succeeded, its events reported.
    let before = local.account(id("//Alice")).await.unwrap();
    let quote = live.quote(1, Side::Buy, 20 * TAO).await.unwrap();
    let buy = Call::AddStakeLimit {
        hotkey: hot1,
        netuid: 1,
        amount_staked: Tao::from_rao(20 * TAO),
        limit_price: u64::MAX / 2,
        allow_partial: false,
    };
    let (in_block, finalized) = submit_live(&live, "//Alice", buy).await;
    let TxStatus::InBlock { number, block_hash, index, result, events } = in_block else {
        unreachable!()
    };
    assert_eq!(result, Ok(()));
    assert!(matches!(finalized, TxStatus::Finalized { number: n, .. } if n == number));
    let block = local.block(BlockId::Hash(block_hash)).await.unwrap();
    let x = &block.extrinsics[index as usize];
    assert_eq!((x.signer, x.nonce), (id("//Alice"), 0));
    let added = events
        .iter()
        .find_map(|e| match e.event {
            Event::StakeAdded { alpha, tao, .. } => Some((alpha, tao)),
            _ => None,
        })
        .expect("a StakeAdded event");
    // The event carries the TAO staked gross of the swap fee, as Subtensor's does.
    assert_eq!(added, (quote.amount_out, 20 * TAO), "the quote, to the rao");
    let after = local.account(id("//Alice")).await.unwrap();
    assert_eq!(after.free, before.free - 20 * TAO - x.fee, "the stake and the fee");
    assert_eq!(after.nonce, 1);

    // localnet's own client trades in the same chain; then the live client sells and sends.
    submit(
        local.as_ref(),
        "//Bob",
        Call::AddStake {
            hotkey: id("//Owner2//hot"),
            netuid: 2,
            amount_staked: Tao::from_rao(5 * TAO),
        },
    )
    .await;
    let held = local.stakes(id("//Alice")).await.unwrap()[0].alpha;
    let sell = Call::RemoveStakeLimit {
        hotkey: hot1,
        netuid: 1,
        amount_unstaked: Alpha::from_rao(held / 2),
        limit_price: 1,
        allow_partial: true,
    };
    let (sold, _) = submit_live(&live, "//Alice", sell).await;
    assert!(matches!(sold, TxStatus::InBlock { result: Ok(()), .. }), "{sold:?}");
    let send = Call::Transfer { dest: id("//Charlie"), amount: Tao::from_rao(3 * TAO) };
    submit_live(&live, "//Alice", send).await;
    assert_eq!(local.account(id("//Charlie")).await.unwrap().free, 3 * TAO);

    // A call that fails in dispatch: in a block, fee paid, the pallet's error named.
    let unregistered =
        Call::AddStake { hotkey: id("//Bob"), netuid: 1, amount_staked: Tao::from_rao(TAO) };
    let (failed, _) = submit_live(&live, "//Alice", unregistered).await;
    assert!(
        matches!(
            &failed,
            TxStatus::InBlock { result: Err(chain::DispatchError::HotKeyAccountNotExists), .. }
        ),
        "{failed:?}"
    );
    agree(local.as_ref(), &live).await;
    assert_eq!(live.account(id("//Alice")).await.unwrap().nonce, 4);
    agree_on_events(local.as_ref(), &live, genesis.start_block).await;

    // Every block's body, both kinds of transaction, decodes as Subtensor's extrinsics whose
    // hashes are the ones localnet reports.
    let head = local.header(BlockId::Head).await.unwrap().number;
    let mut bodies = 0;
    for n in genesis.start_block..=head {
        let block = local.block(BlockId::Number(n)).await.unwrap();
        let raw = live.extrinsics(block.header.hash).await.unwrap();
        assert_eq!(raw.len(), block.extrinsics.len(), "block {n}");
        for (bytes, x) in raw.iter().zip(&block.extrinsics) {
            let decoded =
                localnet::substrate::extrinsic::decode_signed(&bytes[compact_len(bytes)..])
                    .unwrap();
            let call = localnet::substrate::extrinsic::chain_call(&decoded.call).unwrap();
            assert_eq!(
                (decoded.signer, u64::from(decoded.nonce), &call),
                (x.signer, x.nonce, &x.call)
            );
            bodies += 1;
        }
    }
    assert_eq!(bodies, 5, "four through the live client, one through localnet's");

    // A signature over other bytes is refused before the pool: nothing runs, no fee.
    let call = Call::Transfer { dest: id("//Charlie"), amount: Tao::from_rao(TAO) };
    let prepared = live.prepare(id("//Alice"), call.clone(), TxOptions::default()).await.unwrap();
    // What a browser extension is handed: the live client's parts (subxt's encoding, read back
    // out of its extrinsic) are localnet's own for the same transaction, and the payload is
    // theirs.
    let substrate = TxOptions { format: chain::PayloadFormat::Substrate, ..TxOptions::default() };
    let ours = local.prepare(id("//Alice"), call, substrate).await.unwrap();
    let form = prepared.substrate.clone().expect("the live client prepares v4 extrinsics");
    assert_eq!(Some(&form), ours.substrate.as_ref());
    assert_eq!(prepared.payload, ours.payload);
    assert_eq!(prepared.payload, form.parts().signing_payload(&prepared.context));
    assert_eq!(prepared.signer_payload_json(), ours.signer_payload_json());
    let signature = keys_pair("//Bob").sign(&prepared.payload);
    let refused = live.submit(prepared, signature).await.err().expect("a bad signature");
    assert!(
        matches!(refused, chain::ChainError::Invalid(chain::TxValidityError::BadProof)),
        "{refused:?}"
    );

    server.shutdown().await;
    node.shutdown().await;
}

/// MEV Shield end to end: the live client encrypts a trade to the key localnet announces
/// (`MevShield.NextKey`), and localnet, as the block author, opens the wrapper and puts the
/// trade right after it in the same block, as Subtensor's proposer does; the wrapper's
/// `EncryptedSubmitted` carries Subtensor's id. A wrapper that breaks the pallet's rules is
/// refused before the pool; one that does not open still lands, its fee paid, carrying nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shielded_trade_lands_right_after_its_wrapper() {
    let genesis = treasury_genesis(
        "parity-shield",
        7,
        100,
        1_764_000_000_000,
        &[("//Alice", 1_000 * TAO)],
        vec![pool_subnet(1, "Apex", "α", 1_000 * TAO, 100_000 * TAO)],
    );
    let (node, server, local) = serve(&genesis).await;
    let live = Subtensor::connect(&server.ws_url()).await.unwrap();
    assert!(live.shield(), "trades are shielded by default");
    let alice = id("//Alice");

    // The key is an ML-KEM-768 encapsulation key, handed out again until it rotates.
    let head = live.resolve(BlockId::Head).await.unwrap();
    let key = live.next_shield_key(&head).await.unwrap();
    assert_eq!(key.len(), subtensor::shield::ENCAPSULATION_KEY_LEN);
    assert_eq!(live.next_shield_key(&head).await.unwrap(), key);

    let before = local.account(alice).await.unwrap();
    let quote = live.quote(1, Side::Buy, 20 * TAO).await.unwrap();
    let buy = Call::AddStakeLimit {
        hotkey: id("//Owner1//hot"),
        netuid: 1,
        amount_staked: Tao::from_rao(20 * TAO),
        limit_price: u64::MAX / 2,
        allow_partial: false,
    };
    let statuses =
        live.sign_and_submit(&keys_pair("//Alice"), buy.clone(), TxOptions::default()).await;
    let (in_block, finalized) = follow(statuses.unwrap()).await;
    let TxStatus::InBlock { number, block_hash, index, result, events } = in_block else {
        unreachable!()
    };
    assert_eq!(result, Ok(()));
    assert!(matches!(finalized, TxStatus::Finalized { number: n, .. } if n == number));
    let block = local.block(BlockId::Hash(block_hash)).await.unwrap();
    let (wrapper, trade) =
        (&block.extrinsics[index as usize - 1], &block.extrinsics[index as usize]);
    assert_eq!(
        (trade.signer, trade.nonce, &trade.call),
        (alice, 1, &buy),
        "the trade, nonce n + 1"
    );
    let Call::SubmitEncrypted { ciphertext } = &wrapper.call else {
        panic!("the wrapper comes first: {:?}", wrapper.call)
    };
    assert_eq!((wrapper.signer, wrapper.nonce), (alice, 0));
    assert_eq!(&ciphertext[..16], &sp_crypto_hashing::twox_128(&key), "encrypted to NextKey");
    let submitted =
        Event::EncryptedSubmitted { id: chain::Hash::of_encoded(&(alice, ciphertext)), who: alice };
    assert!(
        block
            .events
            .iter()
            .any(|e| e.phase == chain::Phase::ApplyExtrinsic(index - 1) && e.event == submitted),
        "{:?}",
        block.events
    );
    let added = events.iter().find_map(|e| match e.event {
        Event::StakeAdded { alpha, .. } => Some(alpha),
        _ => None,
    });
    assert_eq!(added, Some(quote.amount_out), "the trade's own events, as quoted");
    let after = local.account(alice).await.unwrap();
    assert_eq!(after.free, before.free - 20 * TAO - wrapper.fee - trade.fee);
    assert_eq!(after.nonce, 2);
    agree_on_events(local.as_ref(), &live, genesis.start_block).await;

    // The pallet's rules, checked before the pool: a wrapper lives at most 8 blocks, and its
    // ciphertext is an envelope. Nothing is charged.
    let mut envelope = vec![7u8; 16];
    envelope.extend_from_slice(&1088u16.to_le_bytes());
    envelope.resize(16 + 2 + 1088 + 24 + 16 + 100, 1);
    let wrap = |ciphertext: Vec<u8>| Call::SubmitEncrypted { ciphertext };
    let eight = TxOptions { mortality_period: Some(8), ..TxOptions::default() };
    let long = TxOptions { mortality_period: Some(64), ..TxOptions::default() };
    for (call, options, why) in [
        (wrap(envelope.clone()), long, "mortal for at most 8 blocks"),
        (wrap(vec![1; 300]), eight, "too short for an envelope"),
        (wrap(vec![1; 9_000]), eight, "more than the chain's 8192"),
    ] {
        let refused = chain::sign_and_submit(local.as_ref(), &keys_pair("//Alice"), call, options)
            .await
            .err()
            .expect("refused");
        assert!(refused.to_string().contains(why), "{refused}");
    }
    assert_eq!(local.account(alice).await.unwrap(), after);

    // An envelope for a key this author never announced: the wrapper lands and pays, alone.
    submit_with(local.as_ref(), "//Alice", wrap(envelope), eight).await;
    let head = local.block(BlockId::Head).await.unwrap();
    assert_eq!(head.extrinsics.len(), 1, "the wrapper, and nothing it carried");
    assert_eq!(local.account(alice).await.unwrap().free, after.free - head.extrinsics[0].fee);

    server.shutdown().await;
    node.shutdown().await;
}

/// A localnet node on `genesis` with instant, at-once-final blocks, its RPC server on a free
/// loopback port, and localnet's own `Chain` over it.
async fn serve(genesis: &localnet::Genesis) -> (Node, RpcServer, Arc<dyn Chain>) {
    let config = NodeConfig {
        production: BlockProduction::Instant,
        finality_depth: Some(0),
        ..NodeConfig::default()
    };
    let node = Node::start(genesis, config).unwrap();
    let rpc = RpcConfig { addr: "127.0.0.1:0".parse().unwrap(), ..RpcConfig::default() };
    let server = RpcServer::start(node.handle(), rpc).await.unwrap();
    let local: Arc<dyn Chain> = Arc::new(LocalChain::new(node.handle()));
    (node, server, local)
}

/// Follows a transaction's statuses to finality; returns its in-block and finalized ones.
async fn follow(
    mut statuses: futures::stream::BoxStream<'static, chain::ChainResult<TxStatus>>,
) -> (TxStatus, TxStatus) {
    let mut in_block = None;
    while let Some(s) = statuses.next().await {
        match s.unwrap() {
            s @ TxStatus::InBlock { .. } => in_block = Some(s),
            s @ TxStatus::Finalized { .. } => return (in_block.expect("in a block first"), s),
            TxStatus::Ready { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    panic!("the transaction did not finalize");
}

/// Signs and submits with the live client; returns its in-block and finalized statuses.
async fn submit_live(live: &Subtensor, uri: &str, call: Call) -> (TxStatus, TxStatus) {
    follow(chain::sign_and_submit(live, &keys_pair(uri), call, TxOptions::default()).await.unwrap())
        .await
}

/// The length of a SCALE compact prefix.
fn compact_len(bytes: &[u8]) -> usize {
    match bytes[0] & 3 {
        0 => 1,
        1 => 2,
        2 => 4,
        _ => 1 + usize::from(bytes[0] >> 2) + 4,
    }
}
