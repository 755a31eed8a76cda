//! Fast-forward: blocks per second of the runtime on the default genesis (128 subnets, up to
//! 256 neurons each, validators' weights set, epochs on), without and with the market simulation.
//!
//! Measured (Dec 2026, the 2-core dev VM, load ≈ 1.8): without transactions median 51.8 ms a
//! tempo (≈ 7,000 blocks/s); with the simulation on a warmed-up chain, the next block's
//! transactions decided beside the state root on a two-thread pool, median 81.6 ms (≈ 4,400
//! blocks/s; 160 ms when everything ran on one thread). Snapshot ≈ 10 ms, restore with its root
//! check ≈ 34 ms.
#![allow(clippy::unwrap_used, missing_docs)]

use chain::{AccountId, Call, Mortality, SignedTransaction};
use divan::Bencher;
use divan::counter::ItemsCount;
use localnet::Runtime;
use localnet::genesis::{GenesisOptions, SimRole, generate};
use localnet::sim::Simulation;

/// Blocks per measured iteration: one default tempo, so every subnet runs one epoch.
const BLOCKS: u64 = 360;

/// The default generated genesis, then one block in which every validator sets weights on
/// every subnet where it holds a UID (32 miners each, deterministic).
fn chain() -> Runtime {
    let genesis = generate(&GenesisOptions::default());
    let mut rt = Runtime::new(&genesis).unwrap();
    let ctx = rt.signing_context();
    let birth = rt.block_number();
    let mut txs = Vec::new();
    let mut lcg: u64 = 0x9e37_79b9_7f4a_7c15;
    for sim in genesis.sim_accounts.iter().filter(|s| s.role == SimRole::Validator) {
        let Some(uri) = &sim.hotkey_uri else { continue };
        let pair = keys::Keypair::from_uri(uri).unwrap();
        let hot = AccountId::from(pair.public());
        let mut nonce = rt.account(&hot).nonce;
        for subnet in rt.subnets() {
            let Some(neurons) = rt.neurons(subnet.netuid) else { continue };
            if !neurons.iter().any(|n| n.hotkey == hot && n.validator_permit) {
                continue;
            }
            let n = u16::try_from(neurons.len()).unwrap();
            let mut dests: Vec<u16> = (0..32)
                .map(|_| {
                    lcg = lcg.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    u16::try_from((lcg >> 33) % u64::from(n)).unwrap()
                })
                .collect();
            dests.sort_unstable();
            dests.dedup();
            let weights = dests.iter().map(|d| 1 + d % 7).collect();
            let call = Call::SetWeights { netuid: subnet.netuid, dests, weights, version_key: 0 };
            txs.push(SignedTransaction::sign(
                &pair,
                call,
                nonce,
                Mortality::new(birth, 64),
                0,
                &ctx,
            ));
            nonce += 1;
        }
    }
    let produced = rt.produce_block(txs, 0);
    let ok = produced.block.extrinsics.iter().filter(|x| x.result.is_ok()).count();
    assert!(ok > 0, "no validator could set weights");
    // Sanity: epochs run and pay miners within one tempo.
    let mut probe = rt.clone();
    let paid = (0..BLOCKS).any(|i| {
        probe.produce_block(Vec::new(), i).block.events.iter().any(
            |e| matches!(e.event, chain::Event::EpochCompleted { incentive, .. } if incentive > 0),
        )
    });
    assert!(paid, "no epoch paid incentive");
    rt
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn fast_forward_one_tempo(bencher: Bencher) {
    let rt = chain();
    bencher.counter(ItemsCount::new(BLOCKS)).with_inputs(|| rt.clone()).bench_local_values(
        |mut rt| {
            for i in 0..BLOCKS {
                rt.produce_block(Vec::new(), i * 12_000);
            }
            rt
        },
    );
}

/// Blocks the simulation runs before the measured tempo: validators have set weights, agents
/// hold positions, owners have started their subnets, as in a node's history.
const WARM_UP: u64 = 2 * BLOCKS;

/// The same tempo with the market simulation on, on a warmed-up chain, as the node
/// fast-forwards: each block the agents decide and sign the next block's transactions beside
/// the state root (on the second core of a two-thread pool), and the runtime verifies them
/// (beside the block's initialisation) and applies them.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn fast_forward_one_tempo_with_simulation(bencher: Bencher) {
    let genesis = generate(&GenesisOptions::default());
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let mut rt = Runtime::new(&genesis).unwrap();
    let mut sim = Simulation::new(&genesis, 1.0);
    let t0 = rt.head().header.timestamp_ms;
    let run = |rt: &mut Runtime, sim: &mut Simulation, blocks: u64| {
        let start = rt.block_number();
        pool.install(|| {
            let mut txs = sim.transactions_for_block(rt);
            for i in 1..=blocks {
                let ts = t0 + (start + i) * 12_000;
                let last = i == blocks;
                let (produced, next) = rt.produce_block_beside(txs, ts, |rt| {
                    if last { Vec::new() } else { sim.transactions_for_block(rt) }
                });
                for (hash, _) in &produced.rejected {
                    sim.on_rejected(hash);
                }
                txs = next;
            }
        });
    };
    run(&mut rt, &mut sim, WARM_UP);
    let saved = sim.save();
    bencher
        .counter(ItemsCount::new(BLOCKS))
        .with_inputs(|| {
            let mut sim = Simulation::new(&genesis, 1.0);
            sim.resume(&saved).unwrap();
            (rt.clone(), sim)
        })
        .bench_local_values(|(mut rt, mut sim)| {
            run(&mut rt, &mut sim, BLOCKS);
            rt
        });
}

/// Snapshot (JSON) of the whole state after the setup block.
#[divan::bench(sample_count = 5)]
fn snapshot(bencher: Bencher) {
    let rt = chain();
    bencher.bench_local(|| rt.snapshot().unwrap());
}

/// Restore, including the full state-root recomputation that checks it.
#[divan::bench(sample_count = 5)]
fn restore(bencher: Bencher) {
    let bytes = chain().snapshot().unwrap();
    bencher.bench_local(|| Runtime::restore(&bytes).unwrap());
}

fn main() {
    divan::main();
}
