//! Parity: the live client reading a localnet node over Substrate's JSON-RPC (metadata, runtime
//! APIs, storage in Subtensor's layout) sees what localnet's own `Chain` sees, field for field,
//! for the views both answer: genesis, accounts, every subnet's pool, identity, owners and
//! tempo — before and after trades move the pools.

use std::sync::Arc;

use chain::{AccountId, BlockId, Call, Chain, SubnetInfo, Tao, TxOptions, TxStatus};
use futures::StreamExt;
use localnet::node::BlockProduction;
use localnet::rpc::{RpcConfig, RpcServer};
use localnet::{LocalChain, Node, NodeConfig};
use subtensor::Subtensor;
use test_support::genesis::{TAO, id, keys_pair, pool_subnet, treasury_genesis};

/// The fields `Subtensor::subnets` fills from `get_all_dynamic_info` and
/// `current_alpha_price_all` (the rest need one call per subnet; see its docs).
fn seen_live(s: &SubnetInfo) -> impl PartialEq + std::fmt::Debug + use<> {
    (
        s.netuid,
        s.identity.name.clone(),
        s.identity.symbol.clone(),
        s.owner_coldkey,
        s.owner_hotkey,
        s.registered_at,
        (s.pool.tao_reserve, s.pool.alpha_in, s.pool.alpha_out, s.pool.price),
        s.hyperparameters.tempo,
        s.tao_emission,
        s.last_epoch_block,
    )
}

/// Both sides' subnets agree; returns them.
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
    }
    for who in ["//Alice", "//Bob", "//Owner1"] {
        let (l, r) = (local.account(id(who)).await.unwrap(), live.account(id(who)).await.unwrap());
        assert_eq!((l.free, l.nonce), (r.free, r.nonce), "{who}'s account");
    }
    b
}

async fn stake(chain: &dyn Chain, uri: &str, netuid: u16, tao: u64) {
    let call = Call::AddStake {
        hotkey: id(&format!("//Owner{netuid}//hot")),
        netuid,
        amount_staked: Tao::from_rao(tao),
    };
    let mut statuses =
        chain::sign_and_submit(chain, &keys_pair(uri), call, TxOptions::default()).await.unwrap();
    while let Some(s) = statuses.next().await {
        if let TxStatus::Finalized { .. } = s.unwrap() {
            return;
        }
    }
    panic!("the stake did not finalize");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_client_reads_localnet_as_localnet_does() {
    let genesis = treasury_genesis(
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
    let node = Node::start(
        &genesis,
        NodeConfig {
            production: BlockProduction::Instant,
            finality_depth: Some(0),
            ..NodeConfig::default()
        },
    )
    .unwrap();
    let rpc = RpcConfig { addr: "127.0.0.1:0".parse().unwrap(), ..RpcConfig::default() };
    let server = RpcServer::start(node.handle(), rpc).await.unwrap();
    let local: Arc<dyn Chain> = Arc::new(LocalChain::new(node.handle()));
    let live = Subtensor::connect(&server.ws_url()).await.unwrap();

    let first = local.header(BlockId::Number(genesis.start_block)).await.unwrap();
    assert_eq!(live.genesis().0, first.hash.0, "the genesis hash, as chain_getBlockHash(0) says");
    let before = agree(local.as_ref(), &live).await;

    // Trades move pools, balances and nonces; both sides see the new head alike.
    stake(local.as_ref(), "//Alice", 1, 25 * TAO).await;
    stake(local.as_ref(), "//Bob", 2, 7 * TAO).await;
    let after = agree(local.as_ref(), &live).await;
    let tao = |v: &[SubnetInfo], n: u16| v.iter().find(|s| s.netuid == n).unwrap().pool.tao_reserve;
    assert!(tao(&after, 1) > tao(&before, 1) && tao(&after, 2) > tao(&before, 2));
    let alice: AccountId = id("//Alice");
    assert_eq!(live.account(alice).await.unwrap().nonce, 1);

    server.shutdown().await;
    node.shutdown().await;
}
