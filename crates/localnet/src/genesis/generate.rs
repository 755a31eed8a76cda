//! Generates a mainnet-like genesis from a seed.
//!
//! What the default genesis holds (all drawn from [`GenesisOptions::seed`]):
//!
//! - **Subnets.** 128 dynamic subnets, two of them registered days ago and not started
//!   (`first_emission_block` is `None`), the rest registered between four days and ~2.6 years
//!   before [`GenesisOptions::start_block`] and emitting. Pool sizes follow a power law by rank,
//!   `largest_pool · rank^-0.95` with log-normal noise: a few pools hold tens of thousands of TAO
//!   and the top ten hold about half of all pool TAO; older subnets tend to be larger. Prices
//!   grow with pool size (≈ 0.003–0.06 TAO/α), `alpha_out` grows with the subnet's emitting age
//!   (~0.55–0.85 α per block), and `moving_price` is the EMA the chain would have reached (near
//!   spot for established subnets, lagging for young ones, 0 before `start_call`).
//! - **Neurons.** The owner's hotkey is UID 0; then validators and miners in shuffled UID
//!   order. The four largest subnets have 200–256 UIDs, the rest mostly 16–64. Miners serve
//!   axons on RFC 5737 documentation addresses (never routable).
//! - **Validators** are a global set of entities (24 by default) that validate on many subnets
//!   with the same hotkey, as on mainnet; larger entities sit on more subnets and hold more root.
//! - **Stakes.** Per subnet `alpha_out` is split exactly among the owner (3–12 %), miners
//!   (4–15 %), sim traders' positions (≤ 15 %) and validators with their nominators (the rest).
//!   Root holds [`GenesisOptions::root_stake`] (3M TAO) across the validator entities.
//! - **Accounts.** //Alice, //Bob, //Charlie, //Dave, //Eve and //Ferdie hold 1,000,000 TAO each
//!   (no stakes), so a developer can trade anything without running out. Sim participants,
//!   owners, miners and nominators hold plausible free balances; three "exchange" accounts hold
//!   the rest so that total issuance is 10.6M TAO — just past the first halving, so the block
//!   emission is 0.5 TAO as on mainnet since December 2025.
//! - **Simulation.** Noise traders (48), momentum traders (8), whales (3), every validator
//!   entity, one or two mining operations per emitting subnet, the owners of the fresh subnets
//!   and one owner who will start burning miner emission are [`SimAccount`]s whose secret URIs
//!   (`0x<seed-derived root>//role//n`) are in the genesis. Everyone else is *passive*: their
//!   account ids are hashes of the seed and a label, and nobody holds their keys.
//!
//! Determinism: one ChaCha8 stream from the seed, `BTreeMap`s for anything collected, and no
//! libm (see `dmath`), so the same options give byte-identical JSON on every machine.

use std::collections::{BTreeMap, BTreeSet};

use chain::{
    AccountId, AxonInfo, BlockNumber, Hash, Hyperparameters, RecycleOrBurn, SubnetIdentity,
};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::dmath::{
    exp, int_weights, ln, log_uniform, lognormal, normal, powf, split_exact, to_u64, uniform,
    weighted_index,
};
use super::names;
use super::{
    ChainParams, Genesis, GenesisAccount, GenesisNeuron, GenesisStake, GenesisSubnet, SimAccount,
    SimRole,
};

/// One TAO (or one alpha) in rao: the one constant, [`dtao::units::RAO_PER_TAO`].
pub use dtao::units::RAO_PER_TAO as TAO;

/// Blocks per day at 12 s.
pub const BLOCKS_PER_DAY: u64 = 7_200;

/// Oldest emitting age that counts for `alpha_out` (dTAO has been live this long).
const DTAO_AGE_BLOCKS: u64 = 650 * BLOCKS_PER_DAY;

/// The development accounts funded by default.
pub const DEV_ACCOUNTS: [&str; 6] =
    ["//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"];

/// Options of the generated genesis. [`Default`] is the full mainnet-like chain;
/// [`GenesisOptions::dev`] a small one for tests.
#[derive(Debug, Clone, PartialEq)]
pub struct GenesisOptions {
    /// Seed of everything random; same options, same genesis (byte-identical JSON).
    pub seed: u64,
    /// Dynamic subnets (netuids 1..=subnets). Default 128.
    pub subnets: u16,
    /// Of those, registered recently and not started yet. Default 2.
    pub fresh_subnets: u16,
    /// Most UIDs on a subnet (the largest subnets come close). Default 256.
    pub max_neurons: u16,
    /// Height of the genesis block. Default 7,200,000 (1000 days of 12 s blocks).
    pub start_block: BlockNumber,
    /// Timestamp of the genesis block, Unix ms. Default 2026-01-01T00:00:00Z.
    pub timestamp_ms: u64,
    /// Secret URIs of funded development accounts. Default //Alice … //Ferdie.
    pub dev_accounts: Vec<String>,
    /// Free TAO of each development account, rao. Default 1,000,000 TAO.
    pub dev_balance: u64,
    /// Simulated noise traders. Default 48.
    pub noise_traders: u16,
    /// Simulated momentum traders. Default 8.
    pub momentum_traders: u16,
    /// Simulated whales. Default 3.
    pub whales: u16,
    /// Validator entities (simulated: they set weights and sell dividends). Default 24.
    pub validators: u16,
    /// Passive nominator coldkeys. Default 400.
    pub nominators: u16,
    /// TAO staked on root, rao. Default 3,000,000 TAO.
    pub root_stake: u64,
    /// TAO in the largest pool before noise, rao. Default 80,000 TAO.
    pub largest_pool: u64,
    /// Total issuance to reach by funding exchange accounts, rao (0: no filler).
    /// Default 10,600,000 TAO.
    pub total_issuance: u64,
    /// Whether one emitting subnet's owner is a simulated owner who starts burning miner
    /// emission partway. Default true.
    pub burning_owner: bool,
}

impl Default for GenesisOptions {
    fn default() -> Self {
        Self {
            seed: 42,
            subnets: 128,
            fresh_subnets: 2,
            max_neurons: 256,
            start_block: 7_200_000,
            timestamp_ms: 1_767_225_600_000,
            dev_accounts: DEV_ACCOUNTS.iter().map(|s| (*s).to_string()).collect(),
            dev_balance: 1_000_000 * TAO,
            noise_traders: 48,
            momentum_traders: 8,
            whales: 3,
            validators: 24,
            nominators: 400,
            root_stake: 3_000_000 * TAO,
            largest_pool: 80_000 * TAO,
            total_issuance: 10_600_000 * TAO,
            burning_owner: true,
        }
    }
}

impl GenesisOptions {
    /// A small chain for tests: three subnets (two emitting, one not started), at most 16 UIDs
    /// each, four validators, a handful of traders; dev accounts as in the default.
    pub fn dev() -> Self {
        Self {
            subnets: 3,
            fresh_subnets: 1,
            max_neurons: 16,
            noise_traders: 6,
            momentum_traders: 2,
            whales: 1,
            validators: 4,
            nominators: 12,
            root_stake: 200_000 * TAO,
            largest_pool: 20_000 * TAO,
            ..Self::default()
        }
    }

    /// The same options with another seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

impl Genesis {
    /// Generates a genesis (see [`generate`]).
    pub fn generate(options: &GenesisOptions) -> Genesis {
        generate(options)
    }

    /// The small test genesis, [`GenesisOptions::dev`].
    pub fn dev() -> Genesis {
        generate(&GenesisOptions::dev())
    }
}

/// Hyperparameters of a newly registered subnet (reference §2.5), with commit–reveal off so
/// the simulated validators can `set_weights` directly.
pub fn new_subnet_hyperparameters() -> Hyperparameters {
    Hyperparameters {
        tempo: 360,
        fee_rate: 33,
        weights_rate_limit: 100,
        commit_reveal_enabled: false,
        commit_reveal_period: 1,
        max_allowed_validators: 64,
        max_allowed_uids: 256,
        immunity_period: 5000,
        activity_cutoff: 5000,
        kappa: 32_767,
        bonds_moving_average: 900_000,
        burn: TAO,
        min_burn: 500_000,
        max_burn: 100 * TAO,
        recycle_or_burn: RecycleOrBurn::Burn,
        transfer_enabled: true,
        registration_allowed: true,
        weights_version_key: 0,
    }
}

/// Generates a genesis from `options`. Same options, same genesis.
pub fn generate(options: &GenesisOptions) -> Genesis {
    Generator::new(options).run()
}

/// A validator entity.
struct Validator {
    cold: AccountId,
    hot: AccountId,
    weight: f64,
}

/// A simulated trader.
struct Trader {
    cold: AccountId,
    role: SimRole,
    free_tao: f64,
}

/// A subnet being built.
struct Plan {
    netuid: u16,
    started: bool,
    /// Rank by size among emitting subnets (0 = largest).
    rank: usize,
    registered_at: u64,
    first_emission: Option<u64>,
    tao: u64,
    price: u64,
    alpha_in: u64,
    alpha_out: u64,
    moving_price: u64,
    neurons: u16,
    /// Validator entity indices.
    validators: Vec<usize>,
    /// Fixed positions of simulated traders: (coldkey, hotkey, alpha).
    positions: Vec<(AccountId, AccountId, u64)>,
}

struct Generator<'a> {
    opts: &'a GenesisOptions,
    rng: ChaCha8Rng,
    /// Root of the simulation's secret URIs: `0x` + 32 bytes derived from the seed.
    sim_root: String,
    accounts: BTreeMap<AccountId, u64>,
    sim_accounts: Vec<SimAccount>,
}

impl<'a> Generator<'a> {
    fn new(opts: &'a GenesisOptions) -> Self {
        let sim_root = Hash::of(format!("taoplex/localnet/sim/{}", opts.seed).as_bytes()).to_hex();
        Self {
            opts,
            rng: ChaCha8Rng::seed_from_u64(opts.seed ^ 0x0007_a091_e515),
            sim_root,
            accounts: BTreeMap::new(),
            sim_accounts: Vec::new(),
        }
    }

    /// A passive account: a hash of the seed and a label; nobody holds its key.
    fn passive(&self, label: &str) -> AccountId {
        AccountId(
            Hash::of(format!("taoplex/localnet/genesis/{}/{label}", self.opts.seed).as_bytes()).0,
        )
    }

    /// The secret URI of a simulated key.
    fn sim_uri(&self, path: &str) -> String {
        format!("{}//{path}", self.sim_root)
    }

    /// The account of a simulated key (derived from its URI).
    fn sim_key(&self, uri: &str) -> AccountId {
        match keys::Keypair::from_uri(uri) {
            Ok(pair) => AccountId::from(pair.public()),
            // A `0x` seed URI always derives; if it ever did not, the account stays passive.
            Err(_) => self.passive(uri),
        }
    }

    /// Adds `rao` to an account's free balance (creating it).
    fn fund(&mut self, who: AccountId, rao: u64) {
        let e = self.accounts.entry(who).or_insert(0);
        *e = e.saturating_add(rao);
    }

    fn fund_tao(&mut self, who: AccountId, tao: f64) {
        self.fund(who, to_u64(tao * TAO as f64).max(TAO / 100));
    }

    fn sim_account(
        &mut self,
        role: SimRole,
        path: &str,
        with_hotkey: bool,
        netuid: Option<u16>,
    ) -> (AccountId, Option<AccountId>) {
        let coldkey_uri = self.sim_uri(path);
        let cold = self.sim_key(&coldkey_uri);
        let (hotkey_uri, hot) = if with_hotkey {
            let uri = format!("{coldkey_uri}//hot");
            let hot = self.sim_key(&uri);
            (Some(uri), Some(hot))
        } else {
            (None, None)
        };
        self.sim_accounts.push(SimAccount { role, coldkey_uri, hotkey_uri, netuid });
        (cold, hot)
    }

    fn run(mut self) -> Genesis {
        let opts = self.opts;
        let start = opts.start_block;

        // Participants that span subnets.
        let mut traders = Vec::new();
        for (role, count, name) in [
            (SimRole::Noise, opts.noise_traders, "noise"),
            (SimRole::Momentum, opts.momentum_traders, "momentum"),
            (SimRole::Whale, opts.whales, "whale"),
        ] {
            for i in 0..count {
                let (cold, _) = self.sim_account(role, &format!("{name}//{i}"), false, None);
                let free_tao = match role {
                    SimRole::Noise => log_uniform(&mut self.rng, 200.0, 5_000.0),
                    SimRole::Momentum => uniform(&mut self.rng, 5_000.0, 30_000.0),
                    _ => uniform(&mut self.rng, 100_000.0, 300_000.0),
                };
                self.fund_tao(cold, free_tao);
                traders.push(Trader { cold, role, free_tao });
            }
        }
        let mut validators = Vec::new();
        for j in 0..opts.validators {
            let (cold, hot) =
                self.sim_account(SimRole::Validator, &format!("validator//{j}"), true, None);
            let hot = hot.unwrap_or(cold);
            let weight = powf(f64::from(j) + 1.0, -0.9) * lognormal(&mut self.rng, 0.2);
            let free = uniform(&mut self.rng, 200.0, 3_000.0);
            self.fund_tao(cold, free);
            self.fund_tao(hot, 50.0);
            validators.push(Validator { cold, hot, weight });
        }
        let nominators: Vec<AccountId> =
            (0..opts.nominators).map(|i| self.passive(&format!("nominator/{i}"))).collect();
        for n in &nominators {
            let free = log_uniform(&mut self.rng, 0.01, 2_000.0);
            self.fund_tao(*n, free);
        }

        let mut plans = self.plan_subnets(&validators);

        // The burning owner: a mid-sized emitting subnet.
        let started: Vec<usize> = (0..plans.len()).filter(|i| plans[*i].started).collect();
        let burner = if opts.burning_owner && !started.is_empty() {
            let lo = 8.min(started.len() - 1);
            let hi = 40.min(started.len());
            let rank = self.rng.gen_range(lo..hi.max(lo + 1));
            started.iter().copied().find(|i| plans[*i].rank == rank)
        } else {
            None
        };

        self.place_trader_positions(&mut plans, &traders, &validators);

        let mut subnets = Vec::with_capacity(plans.len());
        for (i, plan) in plans.iter().enumerate() {
            let sim_owner = !plan.started || burner == Some(i);
            subnets.push(self.build_subnet(plan, sim_owner, &validators, &nominators));
        }

        let root_stakes = self.root_stakes(&traders, &validators, &nominators);

        for dev in &opts.dev_accounts {
            if let Ok(pair) = keys::Keypair::from_uri(dev) {
                self.fund(AccountId::from(pair.public()), opts.dev_balance);
            }
        }

        // Exchanges hold the rest of the issuance.
        let pooled: u64 = subnets.iter().map(|s: &GenesisSubnet| s.tao_reserve).sum();
        let rooted: u64 = root_stakes.iter().map(|s: &GenesisStake| s.amount).sum();
        let free: u64 = self.accounts.values().sum();
        let so_far = pooled.saturating_add(rooted).saturating_add(free);
        if opts.total_issuance > so_far {
            let parts = split_exact(opts.total_issuance - so_far, &[5, 3, 2]);
            for (k, part) in parts.into_iter().enumerate() {
                let who = self.passive(&format!("exchange/{k}"));
                self.fund(who, part);
            }
        }

        let accounts =
            self.accounts.iter().map(|(a, f)| GenesisAccount { account: *a, free: *f }).collect();
        Genesis {
            chain_name: "taoplex localnet".to_string(),
            seed: opts.seed,
            spec_version: 1,
            start_block: start,
            timestamp_ms: opts.timestamp_ms,
            params: ChainParams::default(),
            accounts,
            root_stakes,
            subnets,
            sim_accounts: self.sim_accounts,
        }
    }

    /// Sizes, ages, prices and validator sets of every subnet.
    fn plan_subnets(&mut self, validators: &[Validator]) -> Vec<Plan> {
        let opts = self.opts;
        let start = opts.start_block;
        let n = opts.subnets;
        let mut netuids: Vec<u16> = (1..=n).collect();
        netuids.shuffle(&mut self.rng);
        let fresh: BTreeSet<u16> =
            netuids.iter().take(usize::from(opts.fresh_subnets.min(n))).copied().collect();

        // Ages of the emitting subnets, and their rank by size (older tends to be larger).
        let oldest = (start.saturating_sub(1)) as f64;
        let mut emitting = Vec::new();
        for netuid in 1..=n {
            if fresh.contains(&netuid) {
                continue;
            }
            let days = if self.rng.gen_bool(0.8) {
                uniform(&mut self.rng, 120.0, 950.0)
            } else {
                log_uniform(&mut self.rng, 4.0, 120.0)
            };
            let age = (days * BLOCKS_PER_DAY as f64).min(oldest).max(2.0);
            let score = ln(age) + 0.8 * normal(&mut self.rng);
            emitting.push((netuid, to_u64(age), score));
        }
        let mut by_score: Vec<usize> = (0..emitting.len()).collect();
        by_score.sort_by(|a, b| {
            emitting[*b]
                .2
                .partial_cmp(&emitting[*a].2)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(b))
        });
        let mut rank_of = vec![0usize; emitting.len()];
        for (rank, idx) in by_score.iter().enumerate() {
            rank_of[*idx] = rank;
        }

        let largest = opts.largest_pool as f64 / TAO as f64;
        let mut plans = Vec::new();
        for (k, (netuid, age, _)) in emitting.iter().enumerate() {
            let rank = rank_of[k];
            let tao_f = (largest * powf(rank as f64 + 1.0, -0.95) * lognormal(&mut self.rng, 0.25))
                .max(100.0);
            let tao = to_u64(tao_f * TAO as f64);
            let price_tao = (0.004 * powf(tao_f / 1_000.0, 0.6) * lognormal(&mut self.rng, 0.35))
                .clamp(0.0005, 0.5);
            let price = to_u64(price_tao * TAO as f64).max(1_000);
            let alpha_in = mul_div(tao, TAO, price);
            let registered_at = start.saturating_sub(*age).max(1);
            let delay =
                to_u64(log_uniform(&mut self.rng, 360.0, 7.0 * BLOCKS_PER_DAY as f64)).min(age / 2);
            let first = registered_at + delay;
            let emitting_blocks = start.saturating_sub(first).min(DTAO_AGE_BLOCKS);
            let alpha_out =
                to_u64(emitting_blocks as f64 * uniform(&mut self.rng, 0.55, 0.85) * TAO as f64)
                    .max(1_000 * TAO);
            // The EMA the chain would have reached from 0 since start_call (reference §3.2):
            // Σ α_b ≈ 3e-6 · (B − H·ln(1 + B/H)).
            let b = start.saturating_sub(first) as f64;
            let h = ChainParams::default().ema_price_halving_blocks as f64;
            let w = 1.0 - exp(-3e-6 * (b - h * ln(1.0 + b / h)));
            let moving = (price_tao.min(1.0) * w * uniform(&mut self.rng, 0.92, 1.05)).min(1.0);
            let moving_price = to_u64(moving * TAO as f64);
            let max = opts.max_neurons.max(2);
            let neurons = if rank < 4 {
                self.rng.gen_range(200u16.min(max)..=max)
            } else if self.rng.gen_bool(0.85) {
                to_u64(log_uniform(&mut self.rng, 16.0, 64.0)) as u16
            } else {
                to_u64(log_uniform(&mut self.rng, 64.0, 160.0)) as u16
            }
            .clamp(8.min(max), max);
            let v = ((tao_f / 1_000.0).sqrt() * 2.0 + 2.0) as usize;
            let v = v
                .clamp(2, 32)
                .min(validators.len())
                .min(usize::from(neurons).saturating_sub(2))
                .max(1);
            let chosen = self.pick_validators(validators, v);
            plans.push(Plan {
                netuid: *netuid,
                started: true,
                rank,
                registered_at,
                first_emission: Some(first),
                tao,
                price,
                alpha_in,
                alpha_out,
                moving_price,
                neurons,
                validators: chosen,
                positions: Vec::new(),
            });
        }

        // Fresh subnets: the lock in the pool at the median price, nothing staked yet.
        let mut prices: Vec<u64> = plans.iter().map(|p| p.price).collect();
        prices.sort_unstable();
        let median = prices.get(prices.len() / 2).copied().unwrap_or(TAO / 100);
        let min_lock = ChainParams::default().min_lock as f64;
        for netuid in fresh {
            let age = to_u64(uniform(&mut self.rng, 0.5, 3.0) * BLOCKS_PER_DAY as f64);
            let tao = to_u64(min_lock * uniform(&mut self.rng, 1.0, 2.5));
            let neurons = self.rng.gen_range(3u16..=7).min(opts.max_neurons.max(2));
            plans.push(Plan {
                netuid,
                started: false,
                rank: usize::MAX,
                registered_at: start.saturating_sub(age).max(1),
                first_emission: None,
                tao,
                price: median,
                alpha_in: mul_div(tao, TAO, median),
                alpha_out: 0,
                moving_price: 0,
                neurons,
                validators: Vec::new(),
                positions: Vec::new(),
            });
        }
        plans.sort_by_key(|p| p.netuid);
        plans
    }

    /// `count` distinct validator entities, larger ones more likely.
    fn pick_validators(&mut self, validators: &[Validator], count: usize) -> Vec<usize> {
        let mut weights: Vec<f64> = validators.iter().map(|v| v.weight).collect();
        let mut chosen = Vec::new();
        while chosen.len() < count {
            let Some(i) = weighted_index(&mut self.rng, &weights) else { break };
            chosen.push(i);
            weights[i] = 0.0;
        }
        chosen
    }

    /// Simulated traders' starting positions (alpha), at most 15 % of a subnet's `alpha_out`.
    fn place_trader_positions(
        &mut self,
        plans: &mut [Plan],
        traders: &[Trader],
        validators: &[Validator],
    ) {
        let emitting: Vec<usize> = (0..plans.len()).filter(|i| plans[*i].started).collect();
        if emitting.is_empty() {
            return;
        }
        let sizes: Vec<f64> = emitting.iter().map(|i| plans[*i].tao as f64).collect();
        let top: Vec<f64> = emitting
            .iter()
            .map(|i| if plans[*i].rank < 10 { plans[*i].tao as f64 } else { 0.0 })
            .collect();
        for t in traders {
            let (count, weights) = match t.role {
                SimRole::Noise => (self.rng.gen_range(1..=3), &sizes),
                SimRole::Momentum => (self.rng.gen_range(0..=2), &sizes),
                _ => (2, &top),
            };
            for _ in 0..count {
                let Some(k) = weighted_index(&mut self.rng, weights) else { continue };
                let plan = &mut plans[emitting[k]];
                let value_tao = match t.role {
                    SimRole::Whale => {
                        plan.tao as f64 / TAO as f64 * uniform(&mut self.rng, 0.01, 0.04)
                    }
                    _ => t.free_tao * uniform(&mut self.rng, 0.05, 0.25),
                };
                let alpha = to_u64(value_tao * TAO as f64 / plan.price as f64 * TAO as f64);
                let Some(v) =
                    plan.validators.get(self.rng.gen_range(0..plan.validators.len().max(1)))
                else {
                    continue;
                };
                plan.positions.push((t.cold, validators[*v].hot, alpha));
            }
        }
        for plan in plans.iter_mut() {
            let cap = plan.alpha_out / 100 * 15;
            let sum: u64 = plan.positions.iter().map(|p| p.2).sum();
            if sum > cap {
                for p in &mut plan.positions {
                    p.2 = mul_div(p.2, cap, sum);
                }
            }
        }
    }

    fn build_subnet(
        &mut self,
        plan: &Plan,
        sim_owner: bool,
        validators: &[Validator],
        nominators: &[AccountId],
    ) -> GenesisSubnet {
        let opts = self.opts;
        let start = opts.start_block;
        let netuid = plan.netuid;
        let (owner_cold, owner_hot) = if sim_owner {
            let (cold, hot) =
                self.sim_account(SimRole::Owner, &format!("owner//{netuid}"), true, Some(netuid));
            let free = uniform(&mut self.rng, 200.0, 2_000.0);
            self.fund_tao(cold, free);
            let hot = hot.unwrap_or(cold);
            self.fund_tao(hot, 10.0);
            (cold, hot)
        } else {
            let cold = self.passive(&format!("sn{netuid}/owner"));
            let free = uniform(&mut self.rng, 5.0, 500.0);
            self.fund_tao(cold, free);
            (cold, self.passive(&format!("sn{netuid}/owner/hot")))
        };

        // Mining operations: simulated ones sell their emission; passive ones hold.
        let mut ops = Vec::new();
        if plan.started {
            let sim_ops = if plan.rank < 10 { 2 } else { 1 };
            for o in 0..sim_ops {
                let (cold, _) = self.sim_account(
                    SimRole::Miner,
                    &format!("miner//{netuid}//{o}"),
                    false,
                    Some(netuid),
                );
                let free = uniform(&mut self.rng, 20.0, 300.0);
                self.fund_tao(cold, free);
                ops.push(cold);
            }
        }
        let passive_ops = self.rng.gen_range(1..=3);
        for o in 0..passive_ops {
            let cold = self.passive(&format!("sn{netuid}/miner-op/{o}"));
            let free = uniform(&mut self.rng, 1.0, 100.0);
            self.fund_tao(cold, free);
            ops.push(cold);
        }
        let op_weights: Vec<f64> =
            (0..ops.len()).map(|_| uniform(&mut self.rng, 0.3, 1.0)).collect();

        // Neurons: validators and miners in shuffled UID order after the owner's UID 0.
        let age = start.saturating_sub(plan.registered_at).max(1);
        let miners = usize::from(plan.neurons).saturating_sub(1 + plan.validators.len()).max(1);
        let mut neurons = Vec::new();
        for v in &plan.validators {
            let registered_at = plan.registered_at
                + self.rng.gen_range(0..=age.min(30 * BLOCKS_PER_DAY)).min(age - 1);
            neurons.push((
                GenesisNeuron {
                    hotkey: validators[*v].hot,
                    coldkey: validators[*v].cold,
                    axon: None,
                    registered_at,
                },
                None,
            ));
        }
        let nets = ["192.0.2", "198.51.100", "203.0.113"];
        let mut op_ports = vec![0u16; ops.len()];
        for m in 0..miners {
            let o = weighted_index(&mut self.rng, &op_weights).unwrap_or(0);
            let hotkey = self.passive(&format!("sn{netuid}/miner/{m}"));
            let net = nets[(usize::from(netuid) + o) % nets.len()];
            let host = 1 + (usize::from(netuid) * 37 + o * 11) % 254;
            let port = 8091 + op_ports[o];
            op_ports[o] += 1;
            let axon = AxonInfo {
                ip: format!("{net}.{host}"),
                port,
                ip_type: 4,
                protocol: 0,
                version: 10_002_000 + self.rng.gen_range(0..4),
            };
            let lo = 500.0f64.min(age as f64 - 1.0).max(1.0);
            let reg_age = to_u64(log_uniform(&mut self.rng, lo, age as f64 + 1.0)).clamp(1, age);
            neurons.push((
                GenesisNeuron {
                    hotkey,
                    coldkey: ops[o],
                    axon: Some(axon),
                    registered_at: start - reg_age,
                },
                Some(m),
            ));
        }
        neurons.shuffle(&mut self.rng);

        // Stakes: traders' fixed positions, then the rest of alpha_out by weight.
        let mut stakes: BTreeMap<(AccountId, AccountId), u64> = BTreeMap::new();
        let mut add = |hot: AccountId, cold: AccountId, amount: u64| {
            if amount > 0 {
                let e = stakes.entry((hot, cold)).or_insert(0);
                *e = e.saturating_add(amount);
            }
        };
        if plan.started {
            let fixed: u64 = plan.positions.iter().map(|p| p.2).sum();
            for (cold, hot, alpha) in &plan.positions {
                add(*hot, *cold, *alpha);
            }
            let rest = plan.alpha_out.saturating_sub(fixed);
            let mut entries: Vec<(AccountId, AccountId, f64)> = Vec::new();
            let owner_share = uniform(&mut self.rng, 0.03, 0.12);
            let miner_share = uniform(&mut self.rng, 0.04, 0.15);
            entries.push((owner_hot, owner_cold, owner_share));
            let miner_w: Vec<f64> =
                (0..miners).map(|_| log_uniform(&mut self.rng, 0.05, 1.0)).collect();
            let miner_sum: f64 = miner_w.iter().sum();
            for (n, m) in &neurons {
                if let Some(m) = m {
                    entries.push((n.hotkey, n.coldkey, miner_share * miner_w[*m] / miner_sum));
                }
            }
            let val_w: Vec<f64> = plan
                .validators
                .iter()
                .map(|v| validators[*v].weight * lognormal(&mut self.rng, 0.3))
                .collect();
            let val_sum: f64 = val_w.iter().sum();
            let val_share = 1.0 - owner_share - miner_share;
            for (v, w) in plan.validators.iter().zip(&val_w) {
                let total = val_share * w / val_sum;
                let own = uniform(&mut self.rng, 0.05, 0.3);
                entries.push((validators[*v].hot, validators[*v].cold, total * own));
                if !nominators.is_empty() {
                    let count = self.rng.gen_range(2..=8);
                    let ws: Vec<f64> =
                        (0..count).map(|_| log_uniform(&mut self.rng, 1.0, 100.0)).collect();
                    let sum: f64 = ws.iter().sum();
                    for w in ws {
                        let who = nominators[self.rng.gen_range(0..nominators.len())];
                        entries.push((validators[*v].hot, who, total * (1.0 - own) * w / sum));
                    }
                }
            }
            let weights = int_weights(&entries.iter().map(|e| e.2).collect::<Vec<_>>());
            for ((hot, cold, _), amount) in entries.iter().zip(split_exact(rest, &weights)) {
                add(*hot, *cold, amount);
            }
        }
        let stakes: Vec<GenesisStake> = stakes
            .into_iter()
            .map(|((hotkey, coldkey), amount)| GenesisStake { coldkey, hotkey, amount })
            .collect();
        let alpha_out: u64 = stakes.iter().map(|s| s.amount).sum();

        let name = self.name_for(netuid);
        let kind = names::KINDS[self.rng.gen_range(0..names::KINDS.len())];
        let slug = names::slug(&name);
        let identity = SubnetIdentity {
            description: kind.1.replace("{name}", &name),
            url: format!("https://{slug}.example"),
            github: format!("https://github.com/{slug}-subnet/{slug}"),
            logo_url: String::new(),
            symbol: names::glyph(netuid),
            name,
        };
        let mut hyperparameters = new_subnet_hyperparameters();
        hyperparameters.max_allowed_uids = hyperparameters.max_allowed_uids.max(opts.max_neurons);
        debug_assert_eq!(alpha_out, plan.alpha_out);
        GenesisSubnet {
            netuid,
            identity,
            owner_coldkey: owner_cold,
            owner_hotkey: owner_hot,
            registered_at: plan.registered_at,
            first_emission_block: plan.first_emission,
            tao_reserve: plan.tao,
            alpha_in: plan.alpha_in,
            moving_price: plan.moving_price,
            hyperparameters,
            neurons: neurons.into_iter().map(|(n, _)| n).collect(),
            stakes,
        }
    }

    /// The name of subnet `netuid`: a seeded permutation of the name list.
    fn name_for(&self, netuid: u16) -> String {
        let mut order: Vec<usize> = (0..names::NAMES.len()).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(self.opts.seed ^ 0x6e61_6d65);
        order.shuffle(&mut rng);
        let i = usize::from(netuid.saturating_sub(1));
        match order.get(i % order.len()).and_then(|k| names::NAMES.get(*k)) {
            Some(n) if i < order.len() => (*n).to_string(),
            Some(n) => format!("{n} {}", i / order.len() + 1),
            None => format!("Subnet {netuid}"),
        }
    }

    /// Root stakes: whales and some noise traders hold root; the rest of `root_stake` is spread
    /// over the validator entities, their own coldkeys and passive nominators.
    fn root_stakes(
        &mut self,
        traders: &[Trader],
        validators: &[Validator],
        nominators: &[AccountId],
    ) -> Vec<GenesisStake> {
        let mut stakes: BTreeMap<(AccountId, AccountId), u64> = BTreeMap::new();
        if validators.is_empty() {
            return Vec::new();
        }
        let vw: Vec<f64> = validators.iter().map(|v| v.weight).collect();
        let mut fixed = 0u64;
        for t in traders {
            let tao = match t.role {
                SimRole::Whale => uniform(&mut self.rng, 20_000.0, 60_000.0),
                SimRole::Noise if self.rng.gen_bool(0.3) => log_uniform(&mut self.rng, 10.0, 500.0),
                _ => continue,
            };
            let amount = to_u64(tao * TAO as f64);
            let v = weighted_index(&mut self.rng, &vw).unwrap_or(0);
            *stakes.entry((validators[v].hot, t.cold)).or_insert(0) += amount;
            fixed += amount;
        }
        let mut entries = Vec::new();
        for v in validators {
            let w = v.weight * lognormal(&mut self.rng, 0.3);
            let own = uniform(&mut self.rng, 0.05, 0.2);
            entries.push((v.hot, v.cold, w * own));
            if !nominators.is_empty() {
                let count = self.rng.gen_range(5..=15);
                let ws: Vec<f64> =
                    (0..count).map(|_| log_uniform(&mut self.rng, 1.0, 1_000.0)).collect();
                let sum: f64 = ws.iter().sum();
                for x in ws {
                    let who = nominators[self.rng.gen_range(0..nominators.len())];
                    entries.push((v.hot, who, w * (1.0 - own) * x / sum));
                }
            }
        }
        let weights = int_weights(&entries.iter().map(|e| e.2).collect::<Vec<_>>());
        let rest = self.opts.root_stake.saturating_sub(fixed);
        for ((hot, cold, _), amount) in entries.iter().zip(split_exact(rest, &weights)) {
            if amount > 0 {
                *stakes.entry((*hot, *cold)).or_insert(0) += amount;
            }
        }
        // Each hotkey's owner first: a reader that learns hotkey ownership from the first
        // stake it sees (before the subnets' neurons) then gets it right.
        let owner: BTreeMap<AccountId, AccountId> =
            validators.iter().map(|v| (v.hot, v.cold)).collect();
        let mut out: Vec<GenesisStake> = stakes
            .into_iter()
            .map(|((hotkey, coldkey), amount)| GenesisStake { coldkey, hotkey, amount })
            .collect();
        out.sort_by_key(|s| (s.hotkey, owner.get(&s.hotkey) != Some(&s.coldkey), s.coldkey));
        out
    }
}

/// ⌊a·b/c⌋ in u128, saturating; 0 when c = 0.
fn mul_div(a: u64, b: u64, c: u64) -> u64 {
    if c == 0 {
        return 0;
    }
    u64::try_from(u128::from(a) * u128::from(b) / u128::from(c)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_genesis_is_small_and_consistent() {
        let g = Genesis::dev();
        assert_eq!(g.subnets.len(), 3);
        assert_eq!(g.subnets.iter().filter(|s| s.first_emission_block.is_none()).count(), 1);
        for s in &g.subnets {
            assert!(s.neurons.len() < 16);
            assert!(s.registered_at < g.start_block);
            if let Some(f) = s.first_emission_block {
                assert!(f > s.registered_at && f < g.start_block);
            }
        }
        assert_eq!(g, generate(&GenesisOptions::dev()));
    }

    #[test]
    fn mul_div_saturates() {
        assert_eq!(mul_div(u64::MAX, u64::MAX, 1), u64::MAX);
        assert_eq!(mul_div(10, 3, 4), 7);
        assert_eq!(mul_div(1, 1, 0), 0);
    }
}
