//! Market simulation: agents that sign real transactions for the node to submit through the
//! same pool as users' transactions.
//!
//! The participants and their keys come from the genesis ([`Genesis::sim_accounts`]); their
//! key pairs are derived once, at construction. Each block the node asks
//! [`Simulation::transactions_for_block`] what the agents want to do next, given the chain as
//! it is ([`Runtime`] at the head), and submits what comes back:
//!
//! - **noise traders** buy (on subnets chosen in proportion to pool size) or sell (out of
//!   what they hold) 0.5–10 % of their wealth, at most 0.2 % of the pool, with even odds; most
//!   orders are market orders, some carry a limit price with 0.5–2 % tolerance (fill-or-kill
//!   or partial);
//! - **momentum traders** buy one of the three subnets whose price rose most over their
//!   lookback (50–300 blocks), cut what fell and take some profit on what rose;
//! - **whales** now and then buy or sell 1–5 % of a large pool with a limit 3–10 % away and
//!   partial fills, moving the price several percent;
//! - **miners** sell part of the stake their emission piles up, about every other tempo;
//!   **validators** sell part of their own stake now and then, and set weights on every subnet
//!   they validate: in the first two tempos after genesis, then every few tempos (within the
//!   activity cutoff). Weights follow each miner's hidden quality with noise, so Yuma pays the
//!   good miners most;
//! - **owners**: the owners of not-yet-started subnets call `start_call` some hours in; one
//!   owner of an emitting subnet starts burning miner emission partway — it announces it in
//!   the subnet's identity and the subnet's validators move 80–95 % of their weight to the
//!   owner's hotkey (UID 0), so the epoch withholds that incentive (`MinerBurned`) and the
//!   subnet's emission share falls; it burns for `burn_for` blocks of every `burn_cycle`, and
//!   removes the note (and its validators their owner weight) in between. Every `tune_every`
//!   blocks an owner changes a hyperparameter (immunity period, bonds EMA or maximum burn);
//! - **founders** (the whales, in turn) register a subnet every `found_every` blocks at the
//!   chain's lock cost, and start its emission an hour later; at the subnet limit the chain
//!   dissolves the weakest subnet past its immunity to make room (see `sim/agents.rs`);
//! - a **proxied trader** makes another trader its staking proxy early on; afterwards every
//!   other order of its goes in through the proxy.
//!
//! # Resuming
//! [`Simulation::save`] captures everything the agents remember (nonces they wait on, weight
//! schedules, the market as they last saw it, positions they track, the new agents' counters);
//! the node saves it with every snapshot and, after a restart, resumes it and lets it decide
//! again for every block it replays, so the next blocks are those an uninterrupted run makes.
//!
//! # Intensity
//! [`SimOptions::intensity`] scales the traders: 0 means no transactions at all; 1.0 (the
//! default) averages ≈ 1.7 transactions per block on the default genesis (noise 1.0,
//! momentum 0.15, whales 0.004, miners ≈ 0.2, validators' weights ≈ 0.35 and sells 0.02;
//! weights ≈ 0.85 in the first two tempos). Signing costs 20–40 µs a transaction (sr25519,
//! release build), so the simulation takes ≈ 40–80 µs a block at intensity 1 (measured with
//! the runtime on the default genesis: ≈ 3,700 blocks/s together on an idle 2-core VM); scale
//! it down for faster fast-forward. Emission sellers and weights do not grow past intensity 1.
//!
//! # Determinism and nonces
//! The random stream of block `n` is seeded from (genesis seed, n), and every decision reads
//! only the runtime and that stream, so the same seed gives the same transactions (signatures
//! differ: sr25519 signing is randomised) — also after a restart. Each agent acts at most once
//! per block and waits while its last transaction is still pending; its nonce is the chain's,
//! resynchronised after [`RESYNC_AFTER`] blocks or at once via [`Simulation::on_rejected`].

mod agents;
mod market;
mod resume;

pub use resume::ResumeError;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chain::{
    AccountId, BlockNumber, Call, DEFAULT_MORTALITY, Hash, Mortality, NetUid, Prepared,
    SignedTransaction, SigningContext, StakeInfo,
};
use keys::Keypair;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::fork::in_halves;
use crate::genesis::dmath::{log_uniform, normal, poisson, to_u64, uniform, weighted_index};
use crate::genesis::{Genesis, SimRole, TAO};
use crate::runtime::Runtime;
use market::{Market, PoolView};

/// Blocks after which a transaction still not included is presumed lost and the agent's
/// nonce is read again from the chain.
pub const RESYNC_AFTER: u64 = 3;

/// The smallest trade the agents make, rao (well above the 0.002 TAO minimum stake).
const MIN_TRADE: u64 = TAO / 100;

/// Free TAO an agent keeps for transaction fees, rao.
const FEE_MARGIN: u64 = TAO / 100;

/// Most weight transactions per block (smooths the bootstrap).
const MAX_WEIGHTS_PER_BLOCK: usize = 4;

/// Options of the simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOptions {
    /// How busy the market is: 0 = no transactions, 1.0 = the default ≈ 1.7 per block.
    pub intensity: f64,
    /// Blocks after genesis at which the burning owner starts burning. Default 900 (3 h).
    pub burn_after: u64,
    /// Blocks after genesis at which the first not-yet-started subnet starts (the second
    /// twice as late, …). Default 2,400 (8 h).
    pub start_fresh_after: u64,
    /// Validators set weights every this many tempos (after a first set in the first tempo).
    /// Default 4 (1,440 blocks, well within the 5,000-block activity cutoff).
    pub weights_every_tempos: u64,
    /// Blocks the burning owner burns for in each cycle. Default 3,600 (12 h).
    pub burn_for: u64,
    /// Blocks of a burn cycle (burning, then not). Default 14,400 (2 days).
    pub burn_cycle: u64,
    /// Blocks after genesis of the first subnet registration. Default 1,800 (6 h).
    pub found_after: u64,
    /// Blocks between subnet registrations. Default 7,200 (a day, the chain's rate limit).
    pub found_every: u64,
    /// Blocks between owners' hyperparameter changes. Default 2,400 (8 h).
    pub tune_every: u64,
    /// Blocks after genesis at which a trader makes another account its staking proxy.
    /// Default 600 (2 h).
    pub proxy_after: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            intensity: 1.0,
            burn_after: 900,
            start_fresh_after: 2_400,
            weights_every_tempos: 4,
            burn_for: 3_600,
            burn_cycle: 14_400,
            found_after: 1_800,
            found_every: 7_200,
            tune_every: 2_400,
            proxy_after: 600,
        }
    }
}

/// Counters of what the simulation did.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    parity_scale_codec::Encode,
    parity_scale_codec::Decode,
)]
pub struct SimStats {
    /// Blocks asked for.
    pub blocks: u64,
    /// Transactions signed and handed out.
    pub submitted: u64,
    /// Of those, buys (stake added).
    pub buys: u64,
    /// Of those, sells (stake removed).
    pub sells: u64,
    /// Of those, weight sets.
    pub weights: u64,
    /// Of those, owner calls (`start_call`, identity).
    pub owner_calls: u64,
    /// Times an agent waited for its pending transaction.
    pub waited: u64,
    /// Transactions reported rejected through [`Simulation::on_rejected`].
    pub rejected: u64,
}

/// A key the simulation signs with.
struct Signer {
    account: AccountId,
    pair: Keypair,
    /// Nonce after the last transaction handed out.
    next_nonce: Option<u64>,
    last_submit: BlockNumber,
    acted_at: Option<BlockNumber>,
}

struct ValidatorAgent {
    cold: usize,
    hot: usize,
    phase: u64,
}

struct MinerAgent {
    cold: usize,
    netuid: NetUid,
    phase: u64,
}

struct OwnerAgent {
    cold: usize,
    netuid: NetUid,
    /// `Some(k)`: the k-th not-yet-started subnet; `None`: the burning owner.
    fresh: Option<u64>,
    last_attempt: Option<BlockNumber>,
}

struct MomentumAgent {
    signer: usize,
    /// Lookback in price samples.
    lookback: usize,
}

/// What the agents know about a subnet from genesis.
struct SubnetPlan {
    owner_hotkey: AccountId,
    /// Hotkeys of validators (stake targets for traders).
    validator_hotkeys: Vec<AccountId>,
    /// (uid, hidden quality) of the miners.
    miners: Vec<(u16, f64)>,
    version_key: u64,
    tempo: u64,
}

/// A trade an agent decided on.
enum Intent {
    Buy { netuid: NetUid, hotkey: AccountId, tao: u64 },
    Sell { netuid: NetUid, hotkey: AccountId, alpha: u64 },
}

/// How an order is priced.
#[derive(Clone, Copy)]
enum Style {
    Market,
    /// Limit at this tolerance from spot, fill-or-kill unless partial.
    Limit {
        tolerance: f64,
        partial: bool,
    },
}

/// The market simulation. See the module documentation.
pub struct Simulation {
    seed: u64,
    start_block: BlockNumber,
    opts: SimOptions,
    signers: Vec<Signer>,
    noise: Vec<usize>,
    momentum: Vec<MomentumAgent>,
    whales: Vec<usize>,
    validators: Vec<ValidatorAgent>,
    miners: Vec<MinerAgent>,
    owners: Vec<OwnerAgent>,
    subnets: BTreeMap<NetUid, SubnetPlan>,
    /// Burning subnet and the fraction of weight its validators give the owner.
    burner: Option<(NetUid, f64)>,
    /// Whether the burner's validators were last switched to burning.
    burning: bool,
    /// A trader and the account it makes its staking proxy (two noise traders).
    proxy_pair: Option<(usize, usize)>,
    agents: agents::AgentState,
    /// Weight jobs: (due block, netuid, validator agent, validator uid).
    weights_queue: BTreeSet<(BlockNumber, NetUid, usize, u16)>,
    weights_due: BTreeMap<(NetUid, usize), (BlockNumber, u16)>,
    last_weights: BTreeMap<(NetUid, usize), BlockNumber>,
    market: Market,
    /// Emission sellers' positions after their last sale: (signer, hotkey, netuid) → alpha.
    baselines: BTreeMap<(usize, AccountId, NetUid), u64>,
    recent: VecDeque<(BlockNumber, Hash, usize)>,
    stats: SimStats,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("seed", &self.seed)
            .field("opts", &self.opts)
            .field("signers", &self.signers.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// A transaction an agent decided on, to be signed with the others of the block.
pub(crate) struct Unsigned {
    idx: usize,
    prepared: Prepared,
}

/// A small hash of labels, for phases.
fn phase_of(seed: u64, parts: &[u64], modulo: u64) -> u64 {
    let mut bytes = seed.to_le_bytes().to_vec();
    for p in parts {
        bytes.extend_from_slice(&p.to_le_bytes());
    }
    let h = Hash::of(&bytes).0;
    let mut x = [0u8; 8];
    x.copy_from_slice(&h[..8]);
    u64::from_le_bytes(x) % modulo.max(1)
}

impl Simulation {
    /// A simulation of `genesis`' participants at `intensity` (see [`SimOptions`]).
    pub fn new(genesis: &Genesis, intensity: f64) -> Simulation {
        Self::with_options(genesis, SimOptions { intensity, ..SimOptions::default() })
    }

    /// A simulation with all options.
    pub fn with_options(genesis: &Genesis, opts: SimOptions) -> Simulation {
        let seed = genesis.seed;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5157_0000_0000_0001);
        let mut sim = Simulation {
            seed,
            start_block: genesis.start_block,
            opts,
            signers: Vec::new(),
            noise: Vec::new(),
            momentum: Vec::new(),
            whales: Vec::new(),
            validators: Vec::new(),
            miners: Vec::new(),
            owners: Vec::new(),
            subnets: BTreeMap::new(),
            burner: None,
            burning: false,
            proxy_pair: None,
            agents: agents::AgentState::default(),
            weights_queue: BTreeSet::new(),
            weights_due: BTreeMap::new(),
            last_weights: BTreeMap::new(),
            market: Market::default(),
            baselines: BTreeMap::new(),
            recent: VecDeque::new(),
            stats: SimStats::default(),
        };
        let mut index: BTreeMap<AccountId, usize> = BTreeMap::new();
        let mut add_signer = |uri: &str, signers: &mut Vec<Signer>| -> Option<usize> {
            let pair = Keypair::from_uri(uri).ok()?;
            let account = AccountId::from(pair.public());
            if let Some(i) = index.get(&account) {
                return Some(*i);
            }
            signers.push(Signer {
                account,
                pair,
                next_nonce: None,
                last_submit: 0,
                acted_at: None,
            });
            index.insert(account, signers.len() - 1);
            Some(signers.len() - 1)
        };

        let mut validator_of_hot: BTreeMap<AccountId, usize> = BTreeMap::new();
        let mut fresh_rank = 0;
        for a in &genesis.sim_accounts {
            let Some(cold) = add_signer(&a.coldkey_uri, &mut sim.signers) else { continue };
            match a.role {
                SimRole::Noise => sim.noise.push(cold),
                SimRole::Whale => sim.whales.push(cold),
                SimRole::Momentum => {
                    let lookback = [5, 10, 20, 30][rng.gen_range(0..4)];
                    sim.momentum.push(MomentumAgent { signer: cold, lookback });
                }
                SimRole::Validator => {
                    let Some(hot) =
                        a.hotkey_uri.as_deref().and_then(|u| add_signer(u, &mut sim.signers))
                    else {
                        continue;
                    };
                    validator_of_hot.insert(sim.signers[hot].account, sim.validators.len());
                    let phase = phase_of(seed, &[1, sim.validators.len() as u64], 360);
                    sim.validators.push(ValidatorAgent { cold, hot, phase });
                }
                SimRole::Miner => {
                    if let Some(netuid) = a.netuid {
                        let phase = phase_of(seed, &[2, sim.miners.len() as u64], 360);
                        sim.miners.push(MinerAgent { cold, netuid, phase });
                    }
                }
                SimRole::Owner => {
                    let Some(netuid) = a.netuid else { continue };
                    let started = genesis
                        .subnets
                        .iter()
                        .find(|s| s.netuid == netuid)
                        .is_some_and(|s| s.first_emission_block.is_some());
                    let fresh = if started {
                        sim.burner = Some((netuid, uniform(&mut rng, 0.8, 0.95)));
                        None
                    } else {
                        fresh_rank += 1;
                        Some(fresh_rank)
                    };
                    sim.owners.push(OwnerAgent { cold, netuid, fresh, last_attempt: None });
                }
            }
        }

        if let [real, delegate, ..] = sim.noise[..] {
            sim.proxy_pair = Some((real, delegate));
        }
        for s in &genesis.subnets {
            let tempo = u64::from(s.hyperparameters.tempo.max(1));
            let mut validator_hotkeys = Vec::new();
            let mut miners = Vec::new();
            for (i, n) in s.neurons.iter().enumerate() {
                let Ok(uid) = u16::try_from(i + 1) else { break };
                if let Some(v) = validator_of_hot.get(&n.hotkey) {
                    validator_hotkeys.push(n.hotkey);
                    let phase = phase_of(seed, &[3, u64::from(s.netuid), *v as u64], 2 * tempo);
                    let due = genesis.start_block + 1 + phase;
                    sim.weights_queue.insert((due, s.netuid, *v, uid));
                    sim.weights_due.insert((s.netuid, *v), (due, uid));
                } else {
                    miners.push((uid, log_uniform(&mut rng, 0.02, 1.0)));
                }
            }
            sim.subnets.insert(
                s.netuid,
                SubnetPlan {
                    owner_hotkey: s.owner_hotkey,
                    validator_hotkeys,
                    miners,
                    version_key: s.hyperparameters.weights_version_key,
                    tempo,
                },
            );
        }
        sim
    }

    /// What the simulation has done so far.
    pub fn stats(&self) -> SimStats {
        self.stats
    }

    /// The options in force.
    pub fn options(&self) -> &SimOptions {
        &self.opts
    }

    /// The subnet whose owner burns miner emission, and the block from which it does.
    pub fn burning_subnet(&self) -> Option<(NetUid, BlockNumber)> {
        self.burner.map(|(n, _)| (n, self.start_block + self.opts.burn_after))
    }

    /// Tells the simulation the pool or the block refused one of its transactions, so the
    /// signer's nonce is read from the chain again at its next turn.
    pub fn on_rejected(&mut self, tx_hash: &Hash) {
        if let Some((_, _, i)) = self.recent.iter().find(|(_, h, _)| h == tx_hash) {
            if let Some(s) = self.signers.get_mut(*i) {
                s.next_nonce = None;
                s.last_submit = 0;
            }
            self.stats.rejected += 1;
        }
    }

    /// The transactions the agents sign for the block after `runtime`'s head.
    pub fn transactions_for_block(&mut self, runtime: &Runtime) -> Vec<SignedTransaction> {
        let mut out = Vec::new();
        let mut decided = Vec::new();
        let intensity = self.opts.intensity;
        if intensity.is_nan() || intensity <= 0.0 || self.signers.is_empty() {
            return out;
        }
        let now = runtime.block_number();
        self.stats.blocks += 1;
        while self.recent.front().is_some_and(|(b, _, _)| *b + 2 * DEFAULT_MORTALITY < now) {
            self.recent.pop_front();
        }
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&Hash::of(&[self.seed.to_le_bytes(), now.to_le_bytes()].concat()).0);
        let mut rng = ChaCha8Rng::from_seed(seed);
        self.market.refresh(runtime, now);
        let ctx = runtime.signing_context();

        self.owners_act(runtime, now, &ctx, &mut decided);
        self.founders_act(runtime, now, &ctx, &mut decided);
        self.tuners_act(runtime, now, &ctx, &mut rng, &mut decided);
        self.proxies_act(runtime, now, &ctx, &mut decided);
        self.weights_act(runtime, now, &ctx, &mut rng, &mut decided);
        self.emission_sellers_act(runtime, now, &ctx, &mut rng, &mut decided);
        self.noise_act(runtime, now, &ctx, &mut rng, &mut decided);
        self.momentum_act(runtime, now, &ctx, &mut rng, &mut decided);
        self.whales_act(runtime, now, &ctx, &mut rng, &mut decided);
        for (idx, tx) in self.sign_all(decided, &ctx) {
            self.recent.push_back((now, tx.hash(), idx));
            self.stats.submitted += 1;
            out.push(tx);
        }
        out
    }

    /// Signs what the agents decided, in order, split into halves offered to the pool's other
    /// thread (block production runs this beside the state root; whichever thread is free
    /// signs), one by one off a pool.
    fn sign_all(
        &self,
        decided: Vec<Unsigned>,
        ctx: &SigningContext,
    ) -> Vec<(usize, SignedTransaction)> {
        let sign = |u: Unsigned| {
            let s = self.signers.get(u.idx)?;
            let signature = chain::Signer::sign(&s.pair, &u.prepared.payload);
            match u.prepared.into_localnet_transaction(ctx, signature) {
                Ok(tx) => Some((u.idx, tx)),
                Err(e) => {
                    // Unreachable with the context it was prepared for; skip rather than panic.
                    tracing::warn!(error = %e, "the simulation could not build its transaction");
                    None
                }
            }
        };
        in_halves(decided, 1, &|part: Vec<Unsigned>| part.into_iter().filter_map(sign).collect())
    }

    /// The signer's nonce if it may act now: not yet this block, nothing pending.
    fn claim(&mut self, idx: usize, runtime: &Runtime, now: BlockNumber) -> Option<u64> {
        let s = self.signers.get(idx)?;
        if s.acted_at == Some(now) {
            return None;
        }
        let chain = runtime.account(&s.account).nonce;
        match s.next_nonce {
            Some(n) if n > chain && now < s.last_submit.saturating_add(RESYNC_AFTER) => {
                self.stats.waited += 1;
                None
            }
            _ => Some(chain),
        }
    }

    fn sign(
        &mut self,
        idx: usize,
        nonce: u64,
        call: Call,
        now: BlockNumber,
        ctx: &SigningContext,
        out: &mut Vec<Unsigned>,
    ) {
        let Some(s) = self.signers.get_mut(idx) else { return };
        // The same pure preparation `Chain::prepare` uses, signed through `Signer` (in
        // `sign_all`), so the simulation exercises the non-custodial path.
        let prepared = Prepared::localnet(
            s.account,
            call,
            nonce,
            Mortality::new(now, DEFAULT_MORTALITY),
            0,
            *ctx,
        );
        s.next_nonce = Some(nonce + 1);
        s.last_submit = now;
        s.acted_at = Some(now);
        out.push(Unsigned { idx, prepared });
    }

    fn account_of(&self, idx: usize) -> Option<AccountId> {
        self.signers.get(idx).map(|s| s.account)
    }

    /// A validator hotkey to stake to on `netuid` (the owner's hotkey if none).
    fn stake_target<R: Rng>(&self, rng: &mut R, netuid: NetUid) -> Option<AccountId> {
        let plan = self.subnets.get(&netuid)?;
        if plan.validator_hotkeys.is_empty() {
            return Some(plan.owner_hotkey);
        }
        plan.validator_hotkeys.get(rng.gen_range(0..plan.validator_hotkeys.len())).copied()
    }

    /// The largest position of `who` on `netuid`.
    fn position(runtime: &Runtime, who: &AccountId, netuid: NetUid) -> Option<StakeInfo> {
        runtime.stakes_on(who, netuid).into_iter().max_by_key(|s| s.alpha)
    }

    /// Builds, signs and records an intent.
    #[allow(clippy::too_many_arguments)]
    fn execute(
        &mut self,
        runtime: &Runtime,
        idx: usize,
        nonce: u64,
        intent: Intent,
        style: Style,
        now: BlockNumber,
        ctx: &SigningContext,
        out: &mut Vec<Unsigned>,
    ) {
        let netuid = match &intent {
            Intent::Buy { netuid, .. } | Intent::Sell { netuid, .. } => *netuid,
        };
        let limit = match style {
            Style::Limit { tolerance, partial } => {
                match runtime.pool_summary(netuid).map(|s| s.price).filter(|p| *p > 0) {
                    Some(spot) => Some((spot as f64, tolerance, partial)),
                    None => return,
                }
            }
            Style::Market => None,
        };
        let call = match (intent, limit) {
            (Intent::Buy { netuid, hotkey, tao }, None) => {
                Call::AddStake { hotkey, netuid, amount_staked: chain::Tao::from_rao(tao) }
            }
            (Intent::Buy { netuid, hotkey, tao }, Some((spot, tol, partial))) => {
                Call::AddStakeLimit {
                    hotkey,
                    netuid,
                    amount_staked: chain::Tao::from_rao(tao),
                    limit_price: to_u64(spot * (1.0 + tol)),
                    allow_partial: partial,
                }
            }
            (Intent::Sell { netuid, hotkey, alpha }, None) => {
                Call::RemoveStake { hotkey, netuid, amount_unstaked: chain::Alpha::from_rao(alpha) }
            }
            (Intent::Sell { netuid, hotkey, alpha }, Some((spot, tol, partial))) => {
                Call::RemoveStakeLimit {
                    hotkey,
                    netuid,
                    amount_unstaked: chain::Alpha::from_rao(alpha),
                    limit_price: to_u64(spot * (1.0 - tol)).max(1),
                    allow_partial: partial,
                }
            }
        };
        match call {
            Call::AddStake { .. } | Call::AddStakeLimit { .. } => self.stats.buys += 1,
            _ => self.stats.sells += 1,
        }
        let (idx, nonce, call) = self.through_proxy(runtime, idx, nonce, call, now);
        self.sign(idx, nonce, call, now, ctx, out);
    }

    /// A trader's buy or sell of about `value` rao on `pool`: sells if asked to and holding
    /// enough, buys if it can pay, otherwise sells what it holds there.
    #[allow(clippy::too_many_arguments)]
    fn trade<R: Rng>(
        &mut self,
        rng: &mut R,
        runtime: &Runtime,
        idx: usize,
        pool: &PoolView,
        value: u64,
        want_sell: bool,
        sell_fraction: Option<f64>,
        style: Style,
        now: BlockNumber,
        ctx: &SigningContext,
        out: &mut Vec<Unsigned>,
    ) {
        let Some(who) = self.account_of(idx) else { return };
        let Some(nonce) = self.claim(idx, runtime, now) else { return };
        let free = runtime.account(&who).free;
        let position = Self::position(runtime, &who, pool.netuid);
        let price = pool.price.max(1);
        let worth = |alpha: u64| market::tao_worth_floor(alpha, price);
        let can_sell = position.as_ref().is_some_and(|p| worth(p.alpha) >= 2 * MIN_TRADE);
        let can_buy = value >= MIN_TRADE && free >= value.saturating_add(FEE_MARGIN);
        let intent = if can_sell && (want_sell || !can_buy) {
            let Some(p) = position else { return };
            let mut alpha = match sell_fraction {
                Some(f) => to_u64(p.alpha as f64 * f),
                None => market::alpha_for_tao_floor(value, price),
            }
            .min(p.alpha);
            if worth(p.alpha - alpha) < 2 * MIN_TRADE {
                alpha = p.alpha;
            }
            if worth(alpha) < MIN_TRADE {
                return;
            }
            Intent::Sell { netuid: pool.netuid, hotkey: p.hotkey, alpha }
        } else if can_buy {
            let hotkey = match position {
                Some(p) => p.hotkey,
                None => match self.stake_target(rng, pool.netuid) {
                    Some(h) => h,
                    None => return,
                },
            };
            Intent::Buy { netuid: pool.netuid, hotkey, tao: value }
        } else {
            return;
        };
        self.execute(runtime, idx, nonce, intent, style, now, ctx, out);
    }

    fn noise_act<R: Rng>(
        &mut self,
        runtime: &Runtime,
        now: BlockNumber,
        ctx: &SigningContext,
        rng: &mut R,
        out: &mut Vec<Unsigned>,
    ) {
        if self.noise.is_empty() {
            return;
        }
        let n = poisson(rng, self.opts.intensity);
        for _ in 0..n {
            let idx = self.noise[rng.gen_range(0..self.noise.len())];
            let Some(who) = self.account_of(idx) else { continue };
            let want_sell = rng.gen_bool(0.5);
            // Positions by TAO worth; trades are sized on the trader's wealth, so buys and
            // sells balance, and capped at 0.2 % of the pool.
            let held: Vec<(f64, NetUid)> = runtime
                .stakes(&who)
                .iter()
                .filter(|s| s.netuid != 0)
                .filter_map(|s| {
                    let p = self.market.pool(s.netuid)?;
                    Some((s.alpha as f64 * p.price as f64 / TAO as f64, s.netuid))
                })
                .collect();
            let wealth = runtime.account(&who).free as f64 + held.iter().map(|h| h.0).sum::<f64>();
            // Buys go anywhere (by pool size); sells come out of what the trader holds.
            let pool = if want_sell {
                let w: Vec<f64> = held.iter().map(|h| h.0).collect();
                let Some(netuid) = weighted_index(rng, &w).and_then(|i| held.get(i)).map(|h| h.1)
                else {
                    continue;
                };
                self.market.pool(netuid).cloned()
            } else {
                self.market.pick_by_size(rng).cloned()
            };
            let Some(pool) = pool else { continue };
            let value = (wealth * log_uniform(rng, 0.005, 0.1)).min(pool.tao as f64 * 0.002);
            let value = to_u64(value).max(MIN_TRADE);
            let style = if rng.gen_bool(0.3) {
                Style::Limit { tolerance: uniform(rng, 0.005, 0.02), partial: rng.gen_bool(0.5) }
            } else {
                Style::Market
            };
            self.trade(rng, runtime, idx, &pool, value, want_sell, None, style, now, ctx, out);
        }
    }

    fn momentum_act<R: Rng>(
        &mut self,
        runtime: &Runtime,
        now: BlockNumber,
        ctx: &SigningContext,
        rng: &mut R,
        out: &mut Vec<Unsigned>,
    ) {
        if self.momentum.is_empty() {
            return;
        }
        let n = poisson(rng, 0.15 * self.opts.intensity);
        for _ in 0..n {
            let k = rng.gen_range(0..self.momentum.len());
            let (idx, lookback) = (self.momentum[k].signer, self.momentum[k].lookback);
            let Some(who) = self.account_of(idx) else { continue };
            let held: Vec<StakeInfo> =
                runtime.stakes(&who).into_iter().filter(|s| s.netuid != 0).collect();
            // Cut a loser first, else take some profit, else buy a riser.
            let mut moves: Vec<(f64, StakeInfo)> = held
                .iter()
                .filter_map(|s| Some((self.market.change(s.netuid, lookback)?, s.clone())))
                .collect();
            moves.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
            let exit = match (moves.first(), moves.last()) {
                (Some((c, s)), _) if *c < -0.02 => Some((s.netuid, uniform(rng, 0.5, 1.0))),
                (_, Some((c, s))) if *c > 0.05 && rng.gen_bool(0.5) => {
                    Some((s.netuid, uniform(rng, 0.3, 0.6)))
                }
                _ => None,
            };
            if let Some((netuid, fraction)) = exit {
                let Some(pool) = self.market.pool(netuid).cloned() else { continue };
                // A fraction of the position, at most 0.5 % of the pool per trade.
                let position: u64 =
                    held.iter().filter(|s| s.netuid == netuid).map(|s| s.alpha).max().unwrap_or(0);
                let worth = u128::from(position) * u128::from(pool.price) / u128::from(TAO);
                let value = (worth as f64 * fraction).min(pool.tao as f64 * 0.005);
                self.trade(
                    rng,
                    runtime,
                    idx,
                    &pool,
                    to_u64(value).max(MIN_TRADE),
                    true,
                    None,
                    Style::Market,
                    now,
                    ctx,
                    out,
                );
                continue;
            }
            let mut risers: Vec<(f64, PoolView)> = self
                .market
                .tradeable()
                .filter_map(|p| Some((self.market.change(p.netuid, lookback)?, p.clone())))
                .filter(|(c, _)| *c > 0.02)
                .collect();
            risers.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
            risers.truncate(3);
            if risers.is_empty() {
                continue;
            }
            let (_, pool) = risers.swap_remove(rng.gen_range(0..risers.len()));
            // No chasing a pool it already holds 1 % of.
            let holding: u64 = held
                .iter()
                .filter(|s| s.netuid == pool.netuid)
                .map(|s| market::tao_worth_floor(s.alpha, pool.price))
                .fold(0u64, u64::saturating_add);
            if holding > pool.tao / 100 {
                continue;
            }
            let free = runtime.account(&who).free as f64;
            let value = (free * uniform(rng, 0.05, 0.15)).min(pool.tao as f64 * 0.005);
            self.trade(
                rng,
                runtime,
                idx,
                &pool,
                to_u64(value),
                false,
                None,
                Style::Market,
                now,
                ctx,
                out,
            );
        }
    }

    fn whales_act<R: Rng>(
        &mut self,
        runtime: &Runtime,
        now: BlockNumber,
        ctx: &SigningContext,
        rng: &mut R,
        out: &mut Vec<Unsigned>,
    ) {
        if self.whales.is_empty() {
            return;
        }
        let n = poisson(rng, 0.004 * self.opts.intensity);
        for _ in 0..n {
            let idx = self.whales[rng.gen_range(0..self.whales.len())];
            let Some(who) = self.account_of(idx) else { continue };
            let want_sell = rng.gen_bool(0.5);
            // Sells come out of a holding (by worth), buys go to one of the 20 largest pools.
            let pool = if want_sell {
                let held: Vec<(f64, NetUid)> = runtime
                    .stakes(&who)
                    .iter()
                    .filter(|s| s.netuid != 0)
                    .filter_map(|s| {
                        let p = self.market.pool(s.netuid)?;
                        Some((s.alpha as f64 * p.price as f64, s.netuid))
                    })
                    .collect();
                let w: Vec<f64> = held.iter().map(|h| h.0).collect();
                let Some(netuid) = weighted_index(rng, &w).and_then(|i| held.get(i)).map(|h| h.1)
                else {
                    continue;
                };
                self.market.pool(netuid).cloned()
            } else {
                self.market.pick_large(rng, 20).cloned()
            };
            let Some(pool) = pool else { continue };
            let free = runtime.account(&who).free;
            let value = to_u64(pool.tao as f64 * uniform(rng, 0.01, 0.05))
                .min(free.saturating_sub(FEE_MARGIN) / 10 * 8);
            let fraction = want_sell.then(|| uniform(rng, 0.3, 1.0));
            let style = Style::Limit { tolerance: uniform(rng, 0.03, 0.10), partial: true };
            self.trade(rng, runtime, idx, &pool, value, want_sell, fraction, style, now, ctx, out);
        }
    }

    /// Miners sell part of their piled-up incentive about every other tempo; validators now and then
    /// sell part of their own stake.
    fn emission_sellers_act<R: Rng>(
        &mut self,
        runtime: &Runtime,
        now: BlockNumber,
        ctx: &SigningContext,
        rng: &mut R,
        out: &mut Vec<Unsigned>,
    ) {
        let p = self.opts.intensity.min(1.0);
        for m in 0..self.miners.len() {
            let (cold, netuid, phase) =
                (self.miners[m].cold, self.miners[m].netuid, self.miners[m].phase);
            let tempo = self.subnets.get(&netuid).map_or(360, |s| s.tempo);
            if !(now + phase).is_multiple_of(tempo) || !rng.gen_bool(0.5 * p) {
                continue;
            }
            let Some(who) = self.account_of(cold) else { continue };
            let held: Vec<StakeInfo> = runtime.stakes_on(&who, netuid);
            let style = if rng.gen_bool(0.2) {
                Style::Limit { tolerance: 0.05, partial: true }
            } else {
                Style::Market
            };
            let fraction = uniform(rng, 0.6, 1.0);
            self.sell_growth(runtime, cold, held, fraction, style, now, ctx, out);
        }
        for v in 0..self.validators.len() {
            let (cold, hot, phase) =
                (self.validators[v].cold, self.validators[v].hot, self.validators[v].phase);
            if !(now + phase).is_multiple_of(360) || !rng.gen_bool(0.3 * p) {
                continue;
            }
            let (Some(who), Some(hotkey)) = (self.account_of(cold), self.account_of(hot)) else {
                continue;
            };
            let own: Vec<StakeInfo> = runtime
                .stakes(&who)
                .into_iter()
                .filter(|s| s.netuid != 0 && s.hotkey == hotkey)
                .collect();
            let fraction = uniform(rng, 0.1, 0.4);
            self.sell_growth(runtime, cold, own, fraction, Style::Market, now, ctx, out);
        }
    }

    /// Sells `fraction` of what one of `positions` grew by since the agent last looked (its
    /// emission), choosing the one that grew most. Holdings seen for the first time are only
    /// recorded: what an agent held at genesis (or at a restart) it keeps.
    #[allow(clippy::too_many_arguments)]
    fn sell_growth(
        &mut self,
        runtime: &Runtime,
        idx: usize,
        positions: Vec<StakeInfo>,
        fraction: f64,
        style: Style,
        now: BlockNumber,
        ctx: &SigningContext,
        out: &mut Vec<Unsigned>,
    ) {
        let mut best: Option<(u64, StakeInfo)> = None;
        for p in positions {
            let base = self.baselines.entry((idx, p.hotkey, p.netuid)).or_insert(p.alpha);
            if p.alpha < *base {
                *base = p.alpha;
            }
            let growth = p.alpha - *base;
            if best.as_ref().is_none_or(|(g, _)| growth > *g) {
                best = Some((growth, p));
            }
        }
        let Some((growth, p)) = best else { return };
        let Some(pool) = self.market.pool(p.netuid) else { return };
        let alpha = to_u64(growth as f64 * fraction).min(p.alpha);
        let worth = market::tao_worth_floor(alpha, pool.price);
        if worth < MIN_TRADE {
            return;
        }
        let Some(nonce) = self.claim(idx, runtime, now) else { return };
        self.baselines.insert((idx, p.hotkey, p.netuid), p.alpha - alpha);
        let intent = Intent::Sell { netuid: p.netuid, hotkey: p.hotkey, alpha };
        self.execute(runtime, idx, nonce, intent, style, now, ctx, out);
    }

    /// Validators' weights: due jobs, at most a few per block, each hotkey once per block.
    fn weights_act<R: Rng>(
        &mut self,
        runtime: &Runtime,
        now: BlockNumber,
        ctx: &SigningContext,
        rng: &mut R,
        out: &mut Vec<Unsigned>,
    ) {
        if let Some((netuid, _)) = self.burner
            && self.burning != self.opts.burning_at(self.start_block, now)
        {
            self.burning = !self.burning;
            // The subnet's validators switch to (or away from) the owner's weights at once.
            let jobs: Vec<((NetUid, usize), (BlockNumber, u16))> = self
                .weights_due
                .iter()
                .filter(|((n, _), _)| *n == netuid)
                .map(|(k, v)| (*k, *v))
                .collect();
            for ((n, v), (due, uid)) in jobs {
                self.weights_queue.remove(&(due, n, v, uid));
                let earliest = self.last_weights.get(&(n, v)).map_or(now, |b| b + 101);
                let due = earliest.max(now);
                self.weights_queue.insert((due, n, v, uid));
                self.weights_due.insert((n, v), (due, uid));
            }
        }
        let due: Vec<(BlockNumber, NetUid, usize, u16)> =
            self.weights_queue.iter().take_while(|(d, ..)| *d <= now).copied().collect();
        let mut sent = 0;
        for job in due {
            if sent >= MAX_WEIGHTS_PER_BLOCK {
                break;
            }
            let (_, netuid, v, uid) = job;
            let Some(hot) = self.validators.get(v).map(|a| a.hot) else {
                self.weights_queue.remove(&job);
                continue;
            };
            let Some(nonce) = self.claim(hot, runtime, now) else { continue };
            // A subnet the chain dissolved (its netuid perhaps reused) gets no more weights.
            let Some(plan) = self
                .subnets
                .get(&netuid)
                .filter(|p| runtime.subnet_owner_hotkey(netuid) == Some(p.owner_hotkey))
            else {
                self.weights_queue.remove(&job);
                continue;
            };
            let mut row: Vec<(u16, f64)> = plan
                .miners
                .iter()
                .map(|(u, q)| (*u, (q * (1.0 + 0.15 * normal(rng))).max(0.0)))
                .collect();
            let burning = self.burning && self.burner.is_some_and(|(n, _)| n == netuid);
            if burning {
                let frac = self.burner.map_or(0.9, |(_, f)| f);
                let total: f64 = row.iter().map(|(_, w)| w).sum();
                row.push((0, total.max(1e-9) * frac / (1.0 - frac)));
            }
            let max = row.iter().map(|(_, w)| *w).fold(0.0, f64::max);
            if max <= 0.0 {
                self.weights_queue.remove(&job);
                continue;
            }
            row.retain(|(u, _)| *u != uid);
            let mut row: Vec<(u16, u16)> = row
                .into_iter()
                .map(|(u, w)| (u, to_u64(w / max * 65_535.0).min(65_535) as u16))
                .filter(|(_, w)| *w > 0)
                .collect();
            row.sort_unstable();
            let version_key = plan.version_key;
            let tempo = plan.tempo;
            let call = Call::SetWeights {
                netuid,
                dests: row.iter().map(|r| r.0).collect(),
                weights: row.iter().map(|r| r.1).collect(),
                version_key,
            };
            self.weights_queue.remove(&job);
            let next = now + self.opts.weights_every_tempos.max(1) * tempo;
            self.weights_queue.insert((next, netuid, v, uid));
            self.weights_due.insert((netuid, v), (next, uid));
            self.last_weights.insert((netuid, v), now);
            self.stats.weights += 1;
            self.sign(hot, nonce, call, now, ctx, out);
            sent += 1;
        }
    }

    /// Owners: start the fresh subnets when their time comes; the burning owner announces the
    /// burn in the subnet identity.
    fn owners_act(
        &mut self,
        runtime: &Runtime,
        now: BlockNumber,
        ctx: &SigningContext,
        out: &mut Vec<Unsigned>,
    ) {
        for o in 0..self.owners.len() {
            let (cold, netuid, fresh, last) = {
                let a = &self.owners[o];
                (a.cold, a.netuid, a.fresh, a.last_attempt)
            };
            if last.is_some_and(|b| now < b + 100) {
                continue;
            }
            let call = match fresh {
                Some(k) => {
                    if now < self.start_block + self.opts.start_fresh_after * k {
                        continue;
                    }
                    match runtime.subnet(netuid) {
                        Some(s) if s.first_emission_block.is_none() => Call::StartCall { netuid },
                        _ => continue,
                    }
                }
                None => {
                    let Some(s) = runtime.subnet(netuid) else { continue };
                    const NOTE: &str = " Miner emission is burned while the network is rebuilt.";
                    let burning = self.burning_now(now, netuid);
                    if s.identity.description.contains(NOTE) == burning {
                        continue;
                    }
                    let mut identity = s.identity.clone();
                    identity.description = if burning {
                        format!("{}{NOTE}", identity.description)
                    } else {
                        identity.description.replace(NOTE, "")
                    };
                    Call::SetSubnetIdentity { netuid, identity }
                }
            };
            let Some(nonce) = self.claim(cold, runtime, now) else { continue };
            self.owners[o].last_attempt = Some(now);
            self.stats.owner_calls += 1;
            self.sign(cold, nonce, call, now, ctx, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesis::GenesisOptions;

    #[test]
    fn construction_finds_every_participant() {
        let g = Genesis::dev();
        let sim = Simulation::new(&g, 1.0);
        assert_eq!(sim.noise.len(), 6);
        assert_eq!(sim.momentum.len(), 2);
        assert_eq!(sim.whales.len(), 1);
        assert_eq!(sim.validators.len(), 4);
        assert!(!sim.miners.is_empty());
        assert!(sim.burner.is_some());
        assert_eq!(sim.owners.iter().filter(|o| o.fresh.is_some()).count(), 1);
        // every validator of a subnet has a weights job in the first tempo
        let jobs = sim.weights_queue.len();
        let validators: usize = sim.subnets.values().map(|p| p.validator_hotkeys.len()).sum();
        assert_eq!(jobs, validators);
        assert!(sim.weights_queue.iter().all(|(d, ..)| *d <= g.start_block + 720));
    }

    #[test]
    fn phases_are_stable() {
        assert_eq!(phase_of(1, &[2, 3], 360), phase_of(1, &[2, 3], 360));
        assert!(phase_of(1, &[2, 3], 360) < 360);
        let _ = GenesisOptions::dev();
    }
}
