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

#[test]
#[ignore = "prints the default genesis' shape; run with --ignored --nocapture"]
fn print_default_genesis_summary() {
    let g = default_genesis();
    let mut tao: Vec<(u64, u16, String)> =
        g.subnets.iter().map(|s| (s.tao_reserve, s.netuid, s.identity.name.clone())).collect();
    tao.sort_by(|a, b| b.cmp(a));
    let total: u64 = tao.iter().map(|t| t.0).sum();
    for (t, n, name) in tao.iter().take(12) {
        println!("SN{n:<3} {name:<16} {:>8} TAO", t / TAO);
    }
    println!("... smallest {} TAO; pools total {} TAO", tao[127].0 / TAO, total / TAO);
    let free: u64 = g.accounts.iter().map(|a| a.free).sum();
    let root: u64 = g.root_stakes.iter().map(|s| s.amount).sum();
    println!("accounts {} free {} TAO; root {} TAO", g.accounts.len(), free / TAO, root / TAO);
    let neurons: usize = g.subnets.iter().map(|s| s.neurons.len() + 1).sum();
    let stakes: usize = g.subnets.iter().map(|s| s.stakes.len()).sum();
    println!(
        "neurons {neurons} stakes {stakes} root stakes {} sim accounts {}",
        g.root_stakes.len(),
        g.sim_accounts.len()
    );
    println!("json {} bytes", serde_json::to_vec(g).unwrap().len());
}
