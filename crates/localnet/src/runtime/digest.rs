//! The state root: a BLAKE2b-256 commitment to the whole state, kept cheap by caching.
//!
//! ```text
//! root    = H("taoplex/state/v4", block, H(globals), H(registry), H(account buckets), H(subnets))
//! bucket  = H(accounts whose id starts with a byte ≡ b mod 64, in id order)
//! subnets = H(subnet…) in netuid order, each subnet = H(netuid, core, H(body), H(stakes))
//! stakes  = (count, H(group 0)…H(group 15)), group g = the hotkeys whose first byte >> 4 is g
//! group   = ((hotkey, H(its stake pool))…) in hotkey order
//! ```
//!
//! A subnet's *core* (pool, pending alpha, prices, counters) changes every block, so every
//! subnet is rehashed every block (all of them four at a time, [`Hash::of_each`]); its *body*
//! (identity, owner, hyperparameters and their history, neurons, weight commits), its *stakes*
//! and the account buckets are rehashed only when marked dirty. Stakes are apart from the body
//! because trades change them every block while the body (neurons with their weights and bonds:
//! the bulk of a subnet) changes at epochs and registrations; each hotkey's stake pool is hashed
//! apart and the pool hashes in sixteen groups, so a trade rehashes the one pool it touched (a
//! validator's pool may hold thousands of stakers), its group and the sixteen group hashes, not
//! every pool nor the subnet's whole list. A dirty bucket re-reads only its accounts (four
//! ranges of ids). Every mutation path marks what it touched; a test compares the cached root
//! with a full recomputation after random call sequences.

use std::collections::{BTreeMap, BTreeSet};

use chain::{AccountId, Hash, Hyperparameters, NetUid};
use dtao::amm::CurveKind;
use parity_scale_codec::Encode;

use super::state::{StakePool, State, Subnet};

const BUCKETS: usize = 64;

/// Bytes of one subnet's line (netuid, core, body and stakes hashes; curve parameters aside),
/// to size the buffer of all of them once instead of growing it through a dozen
/// reallocations every block.
const LINE_BYTES: usize = 320;
/// Subnets whose lines one job of the root computes: 128 subnets make four jobs (two per core
/// on this machine, so the thread with less else to do takes more of them).
const SUBNETS_PER_JOB: usize = 32;

/// Groups of a subnet's stake pool hashes (by the hotkey's first byte, high nibble).
const STAKE_GROUPS: usize = 16;

fn group_of(hotkey: &AccountId) -> usize {
    usize::from(hotkey.0[0] >> 4)
}

/// Byte sink for digests.
#[derive(Default)]
struct Enc(Vec<u8>);

impl Enc {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u128(&mut self, v: u128) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i128(&mut self, v: i128) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bool(&mut self, v: bool) {
        self.0.push(u8::from(v));
    }
    fn opt_u64(&mut self, v: Option<u64>) {
        match v {
            Some(x) => {
                self.u8(1);
                self.u64(x);
            }
            None => self.u8(0),
        }
    }
    fn enc<T: Encode>(&mut self, v: &T) {
        v.encode_to(&mut self.0);
    }
    fn len(&mut self, n: usize) {
        self.u64(u64::try_from(n).unwrap_or(u64::MAX));
    }
    fn hash(&self) -> Hash {
        Hash::of(&self.0)
    }
}

fn bucket_of(id: &AccountId) -> usize {
    usize::from(id.0[0]) % BUCKETS
}

/// Cached partial digests and what is dirty.
#[derive(Debug, Clone)]
pub(crate) struct Digests {
    buckets: Vec<Hash>,
    dirty_buckets: u64,
    /// One record per subnet, kept with exactly the subnets' keys so that a block walks both
    /// maps side by side instead of looking each subnet up.
    subnets: BTreeMap<NetUid, SubnetDigests>,
    /// Hotkey owners and proxies: large, and changed only by registrations and proxy calls.
    registry: Hash,
    registry_dirty: bool,
    all_dirty: bool,
}

/// A subnet's cached digests; `None` (or `pools_stale`) is what is to be rehashed.
#[derive(Debug, Clone)]
struct SubnetDigests {
    body: Option<Hash>,
    /// The digest of the stake groups.
    stakes: Option<Hash>,
    groups: [Option<Hash>; STAKE_GROUPS],
    /// Each stake pool's hash by hotkey (the same keys as the subnet's stakes once fresh).
    pools: BTreeMap<AccountId, Hash>,
    /// Every pool is to be rehashed (a new record, or the subnet's stakes changed wholesale).
    pools_stale: bool,
    /// Hotkeys whose one pool changed (or appeared, or went).
    dirty_pools: BTreeSet<AccountId>,
}

impl Default for SubnetDigests {
    fn default() -> Self {
        Self {
            body: None,
            stakes: None,
            groups: [None; STAKE_GROUPS],
            pools: BTreeMap::new(),
            pools_stale: true,
            dirty_pools: BTreeSet::new(),
        }
    }
}

impl SubnetDigests {
    /// The digest of the subnet's stakes, rehashing the stale pools and groups first.
    fn stakes(&mut self, subnet: &Subnet) -> Hash {
        if self.pools_stale {
            self.pools =
                subnet.stakes.iter().map(|(hot, pool)| (*hot, pool_digest(pool))).collect();
            self.pools_stale = false;
            self.dirty_pools.clear();
            self.groups = [None; STAKE_GROUPS];
            self.stakes = None;
        } else if !self.dirty_pools.is_empty() {
            for hot in std::mem::take(&mut self.dirty_pools) {
                match subnet.stakes.get(&hot) {
                    Some(pool) => self.pools.insert(hot, pool_digest(pool)),
                    None => self.pools.remove(&hot),
                };
                self.groups[group_of(&hot)] = None;
            }
            self.stakes = None;
        }
        if let Some(stakes) = self.stakes {
            return stakes;
        }
        // The pools refreshed just above hold the subnet's hotkeys; a difference would be a
        // stale cache, which the root test catches.
        let mut e = Enc(Vec::with_capacity(8 + STAKE_GROUPS * 32));
        e.len(subnet.stakes.len());
        for (g, slot) in self.groups.iter_mut().enumerate() {
            let group = *slot.get_or_insert_with(|| group_digest(&self.pools, g));
            e.enc(&group);
        }
        let stakes = e.hash();
        self.stakes = Some(stakes);
        stakes
    }
}

impl Default for Digests {
    fn default() -> Self {
        Self {
            buckets: vec![Hash::default(); BUCKETS],
            dirty_buckets: u64::MAX,
            subnets: BTreeMap::new(),
            registry: Hash::default(),
            registry_dirty: true,
            all_dirty: true,
        }
    }
}

impl Digests {
    pub(crate) fn mark_account(&mut self, id: &AccountId) {
        self.dirty_buckets |= 1u64 << bucket_of(id);
    }

    /// Anything of the subnet's body or stakes changed.
    pub(crate) fn mark_subnet(&mut self, netuid: NetUid) {
        let d = self.subnets.entry(netuid).or_default();
        d.body = None;
        d.stakes = None;
        d.pools_stale = true;
    }

    /// The subnet's body changed (neurons, weights, identity, hyperparameters), not its stakes.
    pub(crate) fn mark_body(&mut self, netuid: NetUid) {
        self.subnets.entry(netuid).or_default().body = None;
    }

    /// Only `hotkey`'s stake pool on the subnet changed (or appeared, or went).
    pub(crate) fn mark_pool(&mut self, netuid: NetUid, hotkey: &AccountId) {
        self.subnets.entry(netuid).or_default().dirty_pools.insert(*hotkey);
    }

    /// Hotkey owners or proxies changed.
    pub(crate) fn mark_registry(&mut self) {
        self.registry_dirty = true;
    }

    /// The state root, refreshing whatever is dirty: the accounts and registry on one side of
    /// a fork, the subnets (their dirty bodies, stake pools and groups on the way) on the other
    /// (two cores when the caller runs on a rayon pool).
    pub(crate) fn root(&mut self, state: &State) -> Hash {
        if self.all_dirty {
            self.subnets.clear();
        }
        // Subnets come and go rarely: a walk over the keys is cheaper than a lookup per entry.
        if !same_keys(&self.subnets, &state.subnets) {
            self.subnets.retain(|netuid, _| state.subnets.contains_key(netuid));
            for netuid in state.subnets.keys() {
                self.subnets.entry(*netuid).or_default();
            }
        }
        let subnets: Vec<(&NetUid, &Subnet, &mut SubnetDigests)> = state
            .subnets
            .iter()
            .zip(self.subnets.values_mut())
            .map(|((netuid, subnet), d)| (netuid, subnet, d))
            .collect();
        let subnet_side = || {
            let mut list = Enc(Vec::with_capacity(subnets.len() * 32));
            // In jobs, so that a thread done with its own part of the block takes a share.
            for h in &crate::fork::in_halves(subnets, SUBNETS_PER_JOB, &subnet_line_hashes) {
                list.enc(h);
            }
            list.hash()
        };
        let all_dirty = self.all_dirty;
        let (buckets, dirty_buckets) = (&mut self.buckets, self.dirty_buckets);
        let (registry, registry_dirty) = (&mut self.registry, self.registry_dirty);
        let account_side = || {
            for (b, slot) in buckets.iter_mut().enumerate() {
                if all_dirty || dirty_buckets & (1u64 << b) != 0 {
                    *slot = bucket_digest(state, b);
                }
            }
            if registry_dirty || all_dirty {
                *registry = registry_digest(state);
            }
        };
        let ((), subnets) = crate::fork::fork(account_side, subnet_side);
        self.dirty_buckets = 0;
        self.registry_dirty = false;
        self.all_dirty = false;

        let mut accounts = Enc(Vec::with_capacity(BUCKETS * 32));
        for b in &self.buckets {
            accounts.enc(b);
        }
        let mut root = Enc::default();
        root.0.extend_from_slice(b"taoplex/state/v4");
        root.u64(state.block);
        root.enc(&globals_digest(state));
        root.enc(&self.registry);
        root.enc(&accounts.hash());
        root.enc(&subnets);
        root.hash()
    }
}

/// The hashes of the subnets' lines (netuid, core, body hash, stakes hash), in order, the dirty
/// bodies and stakes rehashed on the way; the lines in one buffer, hashed four at a time.
fn subnet_line_hashes(subnets: Vec<(&NetUid, &Subnet, &mut SubnetDigests)>) -> Vec<Hash> {
    let mut lines = Enc(Vec::with_capacity(subnets.len() * LINE_BYTES));
    let mut ends = Vec::with_capacity(subnets.len());
    for (netuid, subnet, d) in subnets {
        lines.u16(*netuid);
        core_digest(&mut lines, subnet);
        let body = *d.body.get_or_insert_with(|| body_digest(subnet));
        lines.enc(&body);
        lines.enc(&d.stakes(subnet));
        ends.push(lines.0.len());
    }
    Hash::of_each(ends.iter().scan(0, |start, &end| {
        let line = &lines.0[*start..end];
        *start = end;
        Some(line)
    }))
}

/// Whether `a` holds exactly the subnets of `b`.
fn same_keys<A, B>(a: &BTreeMap<NetUid, A>, b: &BTreeMap<NetUid, B>) -> bool {
    a.len() == b.len() && a.keys().eq(b.keys())
}

/// Bucket `b`: the accounts whose id's first byte is ≡ b mod [`BUCKETS`], in id order — four
/// ranges of the id-ordered map, read without visiting the other buckets' accounts.
fn bucket_digest(state: &State, b: usize) -> Hash {
    let mut e = Enc::default();
    for first in (b..256).step_by(BUCKETS) {
        let first = u8::try_from(first).unwrap_or(u8::MAX);
        for (id, account) in first_bytes(&state.accounts, first, 1) {
            e.enc(id);
            e.u64(account.free);
            e.u64(account.nonce);
        }
    }
    e.hash()
}

/// The entries of an id-ordered map whose id's first byte is in `first..first + span`: one
/// range, read without visiting the others.
fn first_bytes<V>(
    map: &BTreeMap<AccountId, V>,
    first: u8,
    span: u8,
) -> std::collections::btree_map::Range<'_, AccountId, V> {
    let mut lo = [0u8; 32];
    lo[0] = first;
    match first.checked_add(span) {
        Some(next) => {
            let mut hi = [0u8; 32];
            hi[0] = next;
            map.range(AccountId(lo)..AccountId(hi))
        }
        None => map.range(AccountId(lo)..),
    }
}

/// The root computed from scratch, ignoring caches.
pub(crate) fn full_root(state: &State) -> Hash {
    Digests::default().root(state)
}

fn globals_digest(state: &State) -> Hash {
    let mut e = Enc::default();
    e.0.extend_from_slice(state.chain_name.as_bytes());
    e.u64(u64::from(state.spec_version));
    e.u64(state.seed);
    e.enc(&state.genesis_hash);
    let p = &state.params;
    e.u64(p.tao_weight);
    e.u16(p.subnet_owner_cut);
    e.u64(p.min_stake);
    e.u64(p.existential_deposit);
    e.u64(p.tx_fee_base);
    e.u64(p.tx_fee_per_byte);
    e.u64(p.finality_depth);
    e.u64(p.min_lock);
    e.u64(p.lock_reduction_interval);
    e.u64(p.network_rate_limit);
    e.u16(p.subnet_limit);
    e.u64(p.network_immunity_period);
    e.u64(p.ema_price_halving_blocks);
    e.u64(p.start_call_delay);
    e.enc(&p.block_author);
    e.u64(state.lock_last_rao);
    e.u64(state.lock_last_block);
    e.opt_u64(state.last_network_registration);
    e.u64(state.total_issuance);
    e.u64(state.burned_tao);
    e.u64(state.minted_tao);
    e.u64(state.recycled_tao);
    match state.share_rule {
        super::state::ShareRuleKind::PriceEma => e.u8(0),
        super::state::ShareRuleKind::PriceBurn => e.u8(1),
        super::state::ShareRuleKind::PriceBurnGate { theta_bits } => {
            e.u8(2);
            e.u128(theta_bits);
        }
    }
    e.hash()
}

fn registry_digest(state: &State) -> Hash {
    let mut e = Enc::default();
    e.len(state.hotkey_owner.len());
    for (hot, cold) in &state.hotkey_owner {
        e.enc(hot);
        e.enc(cold);
    }
    e.len(state.proxies.len());
    for (real, list) in &state.proxies {
        e.enc(real);
        e.enc(list);
    }
    e.hash()
}

/// Appends the subnet's core to `e` (one buffer for every subnet's, hashed together).
fn core_digest(e: &mut Enc, s: &Subnet) {
    e.u64(s.pool.reserves.tao);
    e.u64(s.pool.reserves.alpha);
    e.u16(s.pool.fee_rate);
    match &s.pool.curve {
        CurveKind::Balancer(b) => {
            e.u8(0);
            e.u64(b.quote_weight());
        }
        // Exact parameters, not a fallible serialisation (whose failure hashed as empty), and
        // no wildcard: a new curve kind must decide what of it the state root commits to.
        CurveKind::Superellipse(c) => {
            e.u8(1);
            for p in c.parameters_q32() {
                e.u128(p);
            }
        }
    }
    e.u64(s.alpha_out);
    e.u64(s.protocol_alpha);
    e.u64(s.alpha_burned);
    e.i128(s.moving_price_bits);
    e.u64(s.pending_server);
    e.u64(s.pending_validator);
    e.u64(s.pending_root);
    e.u64(s.pending_owner);
    e.u128(s.volume);
    e.u128(s.emission_share_bits);
    e.u64(s.tao_emission);
    e.u64(s.tao_in_emission);
    e.u64(s.alpha_in_emission);
    e.u64(s.alpha_out_emission);
    e.u128(s.miner_burned_bits);
    e.u64(s.last_epoch_block);
    e.opt_u64(s.first_emission_block);
}

fn hyperparameters(e: &mut Enc, h: &Hyperparameters) {
    e.u16(h.tempo);
    e.u16(h.fee_rate);
    e.u64(h.weights_rate_limit);
    e.bool(h.commit_reveal_enabled);
    e.u64(h.commit_reveal_period);
    e.u16(h.max_allowed_validators);
    e.u16(h.max_allowed_uids);
    e.u16(h.immunity_period);
    e.u16(h.activity_cutoff);
    e.u16(h.kappa);
    e.u64(h.bonds_moving_average);
    e.u64(h.burn);
    e.u64(h.min_burn);
    e.u64(h.max_burn);
    e.enc(&h.recycle_or_burn);
    e.bool(h.transfer_enabled);
    e.bool(h.registration_allowed);
    e.u64(h.weights_version_key);
}

fn body_digest(s: &Subnet) -> Hash {
    let mut e = Enc::default();
    e.u16(s.mechanism);
    e.enc(&s.identity);
    e.enc(&s.owner_coldkey);
    e.enc(&s.owner_hotkey);
    e.u64(s.registered_at);
    hyperparameters(&mut e, &s.hyperparameters);
    e.u64(s.burn_block);
    e.enc(&s.history.iter().map(|(b, p)| (*b, *p)).collect::<Vec<_>>());
    e.len(s.neurons.len());
    for n in &s.neurons {
        e.enc(&n.hotkey);
        e.enc(&n.coldkey);
        e.enc(&n.axon);
        e.bool(n.validator_permit);
        e.enc(&n.weights);
        e.enc(&n.bonds);
        e.u16(n.incentive);
        e.u16(n.dividends);
        e.u16(n.consensus);
        e.u64(n.emission);
        e.u64(n.registered_at);
        e.u64(n.last_update);
    }
    e.len(s.commits.len());
    for (hot, list) in &s.commits {
        e.enc(hot);
        e.len(list.len());
        for c in list {
            e.enc(&c.hash);
            e.u64(c.block);
        }
    }
    e.hash()
}

/// Stake group `g`: the pools of the hotkeys whose first byte's high nibble is `g` (one range
/// of the hotkey-ordered map), each by its hash.
fn group_digest(pools: &BTreeMap<AccountId, Hash>, g: usize) -> Hash {
    let first = u8::try_from(g << 4).unwrap_or(u8::MAX);
    let mut e = Enc(Vec::with_capacity(64 * 16));
    for (hot, pool) in first_bytes(pools, first, 16) {
        e.enc(hot);
        e.enc(pool);
    }
    e.hash()
}

fn pool_digest(pool: &StakePool) -> Hash {
    let mut e = Enc(Vec::with_capacity(32 + pool.shares.len() * 48));
    e.u64(pool.total_alpha);
    e.u128(pool.total_shares);
    e.len(pool.shares.len());
    for (cold, shares) in &pool.shares {
        e.enc(cold);
        e.u128(*shares);
    }
    e.hash()
}
