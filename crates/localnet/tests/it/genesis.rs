//! genesis tests: the generator (determinism, mainnet-like spread, consistency) and, once the
//! runtime runs, the chain started from it with the market simulation.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chain::AccountId;
use localnet::Genesis;
use localnet::genesis::{GenesisOptions, SimRole, TAO, generate};

/// The default genesis, generated once for the tests that only read it.
fn default_genesis() -> &'static Genesis {
    static G: OnceLock<Genesis> = OnceLock::new();
    G.get_or_init(|| generate(&GenesisOptions::default()))
}

#[test]
fn same_seed_same_bytes_other_seed_other_chain() {
    let a = serde_json::to_vec(default_genesis()).unwrap();
    let b = serde_json::to_vec(&generate(&GenesisOptions::default())).unwrap();
    assert_eq!(a, b, "same seed must give byte-identical JSON");
    let other = generate(&GenesisOptions::default().with_seed(7));
    let c = serde_json::to_vec(&other).unwrap();
    assert_ne!(a, c);
    let g = default_genesis();
    assert_ne!(g.subnets[0].identity.name, other.subnets[0].identity.name);
    assert_ne!(g.sim_accounts[0].coldkey_uri, other.sim_accounts[0].coldkey_uri);
}

#[test]
fn json_round_trips() {
    let g = default_genesis();
    let json = serde_json::to_string_pretty(g).unwrap();
    let back: Genesis = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, g);
    let dev = Genesis::dev();
    let back: Genesis = serde_json::from_str(&serde_json::to_string(&dev).unwrap()).unwrap();
    assert_eq!(back, dev);
}

#[test]
fn subnets_are_distinct_and_mainnet_like() {
    let g = default_genesis();
    assert_eq!(g.subnets.len(), 128);
    let netuids: BTreeSet<_> = g.subnets.iter().map(|s| s.netuid).collect();
    assert_eq!(netuids, (1..=128).collect());
    let names: BTreeSet<_> = g.subnets.iter().map(|s| s.identity.name.clone()).collect();
    let glyphs: BTreeSet<_> = g.subnets.iter().map(|s| s.identity.symbol.clone()).collect();
    assert_eq!(names.len(), 128);
    assert_eq!(glyphs.len(), 128);
    assert!(!glyphs.contains("τ"), "τ is root's");
    assert_eq!(g.subnets[0].identity.symbol, "α");

    let fresh: Vec<_> = g.subnets.iter().filter(|s| s.first_emission_block.is_none()).collect();
    assert_eq!(fresh.len(), 2);
    for s in &fresh {
        assert!(s.stakes.is_empty());
        assert!(g.start_block - s.registered_at <= 3 * 7_200);
        assert_eq!(s.moving_price, 0);
    }
    // Ages from days to years.
    let ages: Vec<u64> = g.subnets.iter().map(|s| g.start_block - s.registered_at).collect();
    assert!(ages.iter().any(|a| *a < 30 * 7_200));
    assert!(ages.iter().any(|a| *a > 2 * 365 * 7_200));
    for s in &g.subnets {
        let hp = &s.hyperparameters;
        assert_eq!((hp.tempo, hp.fee_rate, hp.max_allowed_validators), (360, 33, 64));
        assert_eq!((hp.immunity_period, hp.burn), (5000, TAO));
        assert!(!hp.commit_reveal_enabled);
        assert!(s.neurons.len() < 256);
        assert!(!s.identity.description.is_empty() && s.identity.url.starts_with("https://"));
        if let Some(first) = s.first_emission_block {
            assert!(s.registered_at < first && first < g.start_block);
            // moving price near spot for established subnets (spot = tao/alpha_in at w = 0.5)
            let spot = s.tao_reserve as u128 * TAO as u128 / s.alpha_in as u128;
            let age = g.start_block - first;
            if age > 365 * 7_200 {
                let m = s.moving_price as u128;
                assert!(m * 100 > spot * 80 && m * 100 < spot * 110, "netuid {}", s.netuid);
            }
        }
    }
    let big = g.subnets.iter().filter(|s| s.neurons.len() >= 199).count();
    assert!((3..=6).contains(&big), "{big} subnets near 256 UIDs");
    let neurons: usize = g.subnets.iter().map(|s| s.neurons.len() + 1).sum();
    assert!(neurons < 9_000, "{neurons} neurons is too heavy for the default");
}

#[test]
fn pool_sizes_are_heavy_tailed() {
    let g = default_genesis();
    let mut tao: Vec<u64> = g.subnets.iter().map(|s| s.tao_reserve).collect();
    tao.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = tao.iter().sum();
    let top10: u64 = tao[..10].iter().sum();
    assert!(top10 * 100 > total * 35, "top 10 hold {}%", top10 * 100 / total);
    assert!(tao[0] > 30_000 * TAO, "largest pool {} TAO", tao[0] / TAO);
    assert!(tao[127] < 2_000 * TAO);
    assert!(tao[0] > 20 * tao[100]);
}

#[test]
fn stakes_and_balances_add_up() {
    for g in [default_genesis().clone(), Genesis::dev()] {
        let funded: BTreeMap<AccountId, u64> =
            g.accounts.iter().map(|a| (a.account, a.free)).collect();
        assert_eq!(funded.len(), g.accounts.len(), "duplicate accounts");
        assert!(g.accounts.windows(2).all(|w| w[0].account < w[1].account), "sorted");
        assert!(g.accounts.iter().all(|a| a.free >= g.params.existential_deposit));
        let funded_ok = |who: &AccountId| funded.contains_key(who);
        for s in &g.subnets {
            assert!(funded_ok(&s.owner_coldkey));
            let mut seen = BTreeSet::new();
            assert!(seen.insert(s.owner_hotkey));
            for n in &s.neurons {
                assert!(seen.insert(n.hotkey), "hotkey twice on {}", s.netuid);
                assert!(funded_ok(&n.coldkey));
                assert!(n.registered_at >= s.registered_at && n.registered_at < g.start_block);
            }
            let mut pairs = BTreeSet::new();
            for st in &s.stakes {
                assert!(st.amount > 0);
                assert!(pairs.insert((st.hotkey, st.coldkey)), "stake listed twice");
                assert!(seen.contains(&st.hotkey), "stake on an unregistered hotkey");
                assert!(funded_ok(&st.coldkey));
            }
            let alpha_out: u64 = s.stakes.iter().map(|st| st.amount).sum();
            if let Some(first) = s.first_emission_block {
                assert!(alpha_out > 0);
                // alpha_out ≈ 0.55–0.85 α per emitting block (capped at dTAO's age)
                let blocks = (g.start_block - first).min(650 * 7_200);
                assert!(
                    alpha_out <= blocks * TAO && alpha_out >= (blocks * TAO / 2).min(1_000 * TAO)
                );
            }
        }
        for st in &g.root_stakes {
            assert!(funded_ok(&st.coldkey));
        }
        // Sim signers can pay fees.
        for a in &g.sim_accounts {
            let pair = keys::Keypair::from_uri(&a.coldkey_uri).unwrap();
            assert!(funded[&AccountId::from(pair.public())] >= TAO / 100);
            if let Some(h) = &a.hotkey_uri {
                let pair = keys::Keypair::from_uri(h).unwrap();
                assert!(funded.contains_key(&AccountId::from(pair.public())));
            }
        }
        // Dev accounts hold 1M TAO each.
        for dev in ["//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"] {
            let who = AccountId::from(keys::Keypair::from_uri(dev).unwrap().public());
            assert_eq!(funded[&who], 1_000_000 * TAO);
        }
        let issuance: u64 = g.accounts.iter().map(|a| a.free).sum::<u64>()
            + g.subnets.iter().map(|s| s.tao_reserve).sum::<u64>()
            + g.root_stakes.iter().map(|s| s.amount).sum::<u64>();
        assert_eq!(issuance, 10_600_000 * TAO);
    }
}

#[test]
fn simulation_participants_cover_every_role() {
    let g = default_genesis();
    let count = |r: SimRole| g.sim_accounts.iter().filter(|a| a.role == r).count();
    assert_eq!(count(SimRole::Noise), 48);
    assert_eq!(count(SimRole::Momentum), 8);
    assert_eq!(count(SimRole::Whale), 3);
    assert_eq!(count(SimRole::Validator), 24);
    assert!(count(SimRole::Miner) >= 126);
    // the two fresh subnets' owners and one burning owner
    assert_eq!(count(SimRole::Owner), 3);
    let uris: BTreeSet<_> = g.sim_accounts.iter().map(|a| a.coldkey_uri.clone()).collect();
    assert_eq!(uris.len(), g.sim_accounts.len());
    // Validators validate on many subnets with one hotkey.
    let v0 = keys::Keypair::from_uri(
        g.sim_accounts
            .iter()
            .find(|a| a.role == SimRole::Validator)
            .unwrap()
            .hotkey_uri
            .as_ref()
            .unwrap(),
    )
    .unwrap();
    let v0 = AccountId::from(v0.public());
    let on = g.subnets.iter().filter(|s| s.neurons.iter().any(|n| n.hotkey == v0)).count();
    assert!(on > 40, "the largest validator is on {on} subnets");
}

// ---------------------------------------------------------------------------------------------
// The chain started from a generated genesis, driven by the simulation.

use chain::{Event, NetUid};
use localnet::Runtime;
use localnet::sim::{SimOptions, Simulation};

/// What a run saw.
#[derive(Default)]
struct RunReport {
    blocks: u64,
    extrinsics: u64,
    failed: BTreeMap<String, u64>,
    rejected: u64,
    stake_added: u64,
    stake_removed: u64,
    weights_set: u64,
    epochs: u64,
    epochs_paying_miners: u64,
    owner_burned: BTreeMap<NetUid, u64>,
    first_emission_set: u64,
    identity_set: u64,
    roots: Vec<chain::Hash>,
}

impl std::fmt::Debug for RunReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunReport")
            .field("blocks", &self.blocks)
            .field("extrinsics", &self.extrinsics)
            .field("failed", &self.failed)
            .field("rejected", &self.rejected)
            .field("stake_added", &self.stake_added)
            .field("stake_removed", &self.stake_removed)
            .field("weights_set", &self.weights_set)
            .field("epochs", &self.epochs)
            .field("epochs_paying_miners", &self.epochs_paying_miners)
            .field("owner_burned", &self.owner_burned)
            .field("first_emission_set", &self.first_emission_set)
            .field("identity_set", &self.identity_set)
            .finish_non_exhaustive()
    }
}

/// Runs `blocks` blocks with the simulation, checking the invariants after each.
fn run(
    rt: &mut Runtime,
    sim: &mut Simulation,
    blocks: u64,
    mut each: impl FnMut(&Runtime),
) -> RunReport {
    let mut r = RunReport::default();
    let t0 = rt.head().header.timestamp_ms;
    for i in 1..=blocks {
        let txs = sim.transactions_for_block(rt);
        let produced = rt.produce_block(txs, t0 + 12_000 * i);
        for (hash, _) in &produced.rejected {
            sim.on_rejected(hash);
        }
        r.rejected += produced.rejected.len() as u64;
        if let Err(e) = rt.check_invariants() {
            panic!("after block {}: {e}", rt.block_number());
        }
        r.blocks += 1;
        r.roots.push(rt.state_root());
        // The cached state root, through trades, epochs, dividends and registrations, is
        // the one recomputed from scratch (checked now and then: a full root is costly).
        if i % 97 == 0 || i == blocks {
            assert_eq!(rt.state_root(), rt.recompute_state_root(), "stale digest cache at {i}");
        }
        for x in &produced.block.extrinsics {
            r.extrinsics += 1;
            if let Err(e) = &x.result {
                let name =
                    format!("{}: {}", x.call.name(), e.to_string().split(':').next().unwrap_or(""));
                *r.failed.entry(name).or_default() += 1;
            }
        }
        for e in &produced.block.events {
            match &e.event {
                Event::StakeAdded { .. } => r.stake_added += 1,
                Event::StakeRemoved { .. } => r.stake_removed += 1,
                Event::WeightsSet { .. } => r.weights_set += 1,
                Event::FirstEmissionBlockNumberSet { .. } => r.first_emission_set += 1,
                Event::SubnetIdentitySet { .. } => r.identity_set += 1,
                Event::EpochCompleted { netuid, incentive, owner_miner_burned, .. } => {
                    r.epochs += 1;
                    if *incentive > 0 {
                        r.epochs_paying_miners += 1;
                    }
                    *r.owner_burned.entry(*netuid).or_default() += owner_miner_burned;
                }
                _ => {}
            }
        }
        each(rt);
    }
    r
}

#[test]
fn the_default_genesis_starts_a_chain() {
    let g = default_genesis();
    let rt = Runtime::new(g).unwrap();
    rt.check_invariants().unwrap();
    assert_eq!(rt.subnets().len(), 129);
    assert_eq!(rt.block_number(), g.start_block);
    assert_eq!(rt.total_issuance(), 10_600_000 * TAO);
    let alice = AccountId::from(keys::Keypair::from_uri("//Alice").unwrap().public());
    assert_eq!(rt.account(&alice).free, 1_000_000 * TAO);
}

#[test]
fn a_simulated_market_trades_sets_weights_pays_miners_and_burns() {
    let g = Genesis::dev();
    let mut rt = Runtime::new(&g).unwrap();
    let opts = SimOptions { burn_after: 400, start_fresh_after: 300, ..SimOptions::default() };
    let mut sim = Simulation::with_options(&g, opts);
    let (burner, burn_from) = sim.burning_subnet().unwrap();
    let share_before = rt.subnet(burner).unwrap().emission_share_ppb;
    let mut share_at_burn = 0;
    let r = run(&mut rt, &mut sim, 1_200, |rt| {
        if rt.block_number() == burn_from {
            share_at_burn = rt.subnet(burner).unwrap().emission_share_ppb;
        }
    });
    let share_after = rt.subnet(burner).unwrap().emission_share_ppb;
    println!(
        "{r:#?}\nstats {:?}\nshare of SN{burner}: {share_before} -> {share_at_burn} -> {share_after}",
        sim.stats()
    );
    assert!(r.stake_added > 300 && r.stake_removed > 200, "{r:?}");
    assert!(r.weights_set >= 4, "{r:?}");
    assert!(r.epochs_paying_miners >= 4, "{r:?}");
    assert_eq!(r.first_emission_set, 1, "the fresh subnet starts");
    assert_eq!(r.identity_set, 1, "the burning owner announces");
    assert!(r.owner_burned.get(&burner).copied().unwrap_or(0) > 0, "{r:?}");
    assert!(share_after < share_at_burn, "the burning subnet's share falls");
    let failed: u64 = r.failed.values().sum();
    assert!(failed * 50 < r.extrinsics, "{failed} of {} failed: {:?}", r.extrinsics, r.failed);
    assert!(r.rejected * 100 <= r.extrinsics, "{} rejected", r.rejected);
    // ≈ 1–2 per block on average at intensity 1 (the dev chain has fewer emission sellers)
    let per_block = r.extrinsics as f64 / r.blocks as f64;
    assert!((0.5..4.0).contains(&per_block), "{per_block} per block");
}

#[test]
fn intensity_zero_is_silent() {
    let g = Genesis::dev();
    let rt = Runtime::new(&g).unwrap();
    let mut sim = Simulation::new(&g, 0.0);
    for _ in 0..5 {
        assert!(sim.transactions_for_block(&rt).is_empty());
    }
}

#[test]
fn same_seed_same_state_roots() {
    let g = Genesis::dev();
    let mut a = Runtime::new(&g).unwrap();
    let mut b = Runtime::new(&g).unwrap();
    let mut sa = Simulation::new(&g, 2.0);
    let mut sb = Simulation::new(&g, 2.0);
    let ra = run(&mut a, &mut sa, 400, |_| {});
    let rb = run(&mut b, &mut sb, 400, |_| {});
    assert!(ra.extrinsics > 400);
    assert_eq!(ra.roots, rb.roots);
    assert_eq!(sa.stats(), sb.stats());
}

#[test]
fn the_default_genesis_runs_with_the_simulation() {
    let g = default_genesis();
    let mut rt = Runtime::new(g).unwrap();
    let mut sim = Simulation::new(g, 1.0);
    let r = run(&mut rt, &mut sim, 400, |_| {});
    println!("{r:#?}\nstats {:?}", sim.stats());
    assert!(r.stake_added + r.stake_removed > 250, "{r:?}");
    assert!(r.weights_set > 100, "{r:?}");
    assert!(r.epochs >= 100, "{r:?}");
    let failed: u64 = r.failed.values().sum();
    assert!(failed * 50 < r.extrinsics, "{failed} of {} failed: {:?}", r.extrinsics, r.failed);
    assert!(r.rejected * 100 <= r.extrinsics);
}
