//! RPC state queries per second over loopback WebSocket, against the default generated genesis
//! (root + 128 subnets). Goal: ≥ 10,000 queries/s.
//!
//! - `*_round_trip`: one request at a time on one connection (latency-bound);
//! - `pipelined_*`: many requests in flight over a few connections, as a busy terminal or
//!   indexer would issue them (throughput; divan reports items/s).
//!
//! - `state_*`: the Substrate face, raw JSON-RPC: `state_getStorage` of `System.Account` (goal
//!   ≥ 10,000/s) and `state_call` of `SubnetInfoRuntimeApi_get_all_dynamic_info`, 129 subnets
//!   in one SCALE answer (goal ≥ 1,000/s).
//!
//! Run: `cargo bench -p localnet --bench rpc`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::{Arc, OnceLock};

use chain::client::RpcChain;
use chain::{AccountId, Chain};
use divan::Bencher;
use divan::counter::ItemsCount;
use localnet::genesis::{GenesisOptions, generate};
use localnet::node::{BlockProduction, Node, NodeConfig};
use localnet::rpc::{RpcConfig, RpcServer};

fn main() {
    divan::main();
}

struct Fixture {
    rt: tokio::runtime::Runtime,
    clients: Vec<Arc<RpcChain>>,
    alice: AccountId,
    /// `System.Account(//Alice)`'s storage key, `0x` hex.
    alice_key: String,
    _node: Node,
    _server: RpcServer,
}

const CONNECTIONS: usize = 4;

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let genesis = generate(&GenesisOptions::default());
        let node = Node::start(
            &genesis,
            NodeConfig { production: BlockProduction::Manual, ..NodeConfig::default() },
        )
        .unwrap();
        let config = RpcConfig { addr: "127.0.0.1:0".parse().unwrap(), ..RpcConfig::default() };
        let (server, clients) = rt.block_on(async {
            let server = RpcServer::start(node.handle(), config).await.unwrap();
            let mut clients = Vec::new();
            for _ in 0..CONNECTIONS {
                clients.push(Arc::new(RpcChain::connect(server.ws_url()).await.unwrap()));
            }
            (server, clients)
        });
        let alice = AccountId::from(keys::Keypair::from_uri("//Alice").unwrap().public());
        let alice_key =
            format!("0x{}", hex::encode(localnet::substrate::storage::system_account(&alice.0)));
        Fixture { rt, clients, alice, alice_key, _node: node, _server: server }
    })
}

#[divan::bench]
fn account_round_trip(bencher: Bencher) {
    let f = fixture();
    bencher.bench(|| f.rt.block_on(f.clients[0].account(f.alice)).unwrap());
}

#[divan::bench]
fn subnet_round_trip(bencher: Bencher) {
    let f = fixture();
    bencher.bench(|| f.rt.block_on(f.clients[0].subnet(1)).unwrap());
}

const IN_FLIGHT: usize = 1_000;

#[divan::bench]
fn pipelined_account_queries(bencher: Bencher) {
    let f = fixture();
    bencher.counter(ItemsCount::new(IN_FLIGHT)).bench(|| {
        f.rt.block_on(async {
            let calls = (0..IN_FLIGHT).map(|i| {
                let c = f.clients[i % CONNECTIONS].clone();
                let who = f.alice;
                async move { c.account(who).await.unwrap() }
            });
            futures::future::join_all(calls).await
        })
    });
}

#[divan::bench]
fn pipelined_subnet_queries(bencher: Bencher) {
    let f = fixture();
    bencher.counter(ItemsCount::new(IN_FLIGHT)).bench(|| {
        f.rt.block_on(async {
            let calls = (0..IN_FLIGHT).map(|i| {
                let c = f.clients[i % CONNECTIONS].clone();
                let netuid = u16::try_from(1 + i % 128).unwrap();
                async move { c.subnet(netuid).await.unwrap() }
            });
            futures::future::join_all(calls).await
        })
    });
}

async fn get_storage(c: &RpcChain, key: &str) -> String {
    c.request::<Option<String>>("state_getStorage", (key,)).await.unwrap().unwrap()
}

async fn all_dynamic_info(c: &RpcChain) -> String {
    c.request("state_call", ("SubnetInfoRuntimeApi_get_all_dynamic_info", "0x")).await.unwrap()
}

#[divan::bench]
fn state_get_storage_round_trip(bencher: Bencher) {
    let f = fixture();
    bencher.bench(|| f.rt.block_on(get_storage(&f.clients[0], &f.alice_key)));
}

#[divan::bench]
fn pipelined_state_get_storage(bencher: Bencher) {
    let f = fixture();
    bencher.counter(ItemsCount::new(IN_FLIGHT)).bench(|| {
        f.rt.block_on(async {
            let calls = (0..IN_FLIGHT).map(|i| {
                let c = f.clients[i % CONNECTIONS].clone();
                async move { get_storage(&c, &f.alice_key).await }
            });
            futures::future::join_all(calls).await
        })
    });
}

#[divan::bench]
fn state_call_all_dynamic_info_round_trip(bencher: Bencher) {
    let f = fixture();
    bencher.bench(|| f.rt.block_on(all_dynamic_info(&f.clients[0])));
}

const DYNAMIC_IN_FLIGHT: usize = 100;

#[divan::bench]
fn pipelined_state_call_all_dynamic_info(bencher: Bencher) {
    let f = fixture();
    bencher.counter(ItemsCount::new(DYNAMIC_IN_FLIGHT)).bench(|| {
        f.rt.block_on(async {
            let calls = (0..DYNAMIC_IN_FLIGHT).map(|i| {
                let c = f.clients[i % CONNECTIONS].clone();
                async move { all_dynamic_info(&c).await }
            });
            futures::future::join_all(calls).await
        })
    });
}

/// Fast-forward through [`Node`] on the default genesis: the node's overhead (pool, block log
/// with an fsync per 64 blocks, snapshots every 1,000 blocks, announcements) on top of the
/// runtime, with and without the market simulation (intensity 1) and persistence.
#[divan::bench(sample_count = 5, args = ["bare", "persist", "sim", "sim+persist"])]
fn node_fast_forward(bencher: Bencher, mode: &str) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let genesis = generate(&GenesisOptions::default());
    let sim = mode
        .contains("sim")
        .then(|| Box::new(localnet::sim::Simulation::new(&genesis, 1.0)) as Box<_>);
    let node = Node::start(
        &genesis,
        NodeConfig {
            production: BlockProduction::Manual,
            data_dir: mode.contains("persist").then(|| dir.path().to_path_buf()),
            tx_source: sim,
            ..NodeConfig::default()
        },
    )
    .unwrap();
    const BLOCKS: u64 = 360;
    bencher
        .counter(ItemsCount::new(BLOCKS))
        .bench_local(|| rt.block_on(node.fast_forward(BLOCKS)).unwrap());
    node.shutdown_blocking();
}
