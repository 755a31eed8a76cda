//! The runtime: the chain's state machine over `dtao`. Pure and synchronous — no clock, no
//! I/O, no threads — so that the same genesis and the same blocks always give the same state
//! and the same state root.
//!
//! # What is modelled
//!
//! Following Subtensor (see `reference/subtensor-chain.md`):
//!
//! - **Accounts**: free TAO and nonces. Transfers keep the sender alive (existential deposit)
//!   and refuse to create an account below it. Accounts are never reaped, so a nonce never
//!   restarts and a signed transaction can never replay.
//! - **Subnets** with a [`dtao::amm::Pool`] (`SubnetTAO`, `SubnetAlphaIn`, fee rate, curve),
//!   `SubnetAlphaOut`, protocol alpha, moving price (I96F32), identity, owner coldkey and
//!   hotkey, hyperparameters and their change history, registration block, first emission
//!   block (`start_call`), pending server/validator/root/owner alpha, last epoch, `MinerBurned`,
//!   the last block's emission share, volume. The root subnet 0 is the stable mechanism: TAO
//!   staked 1:1, no swap, no fee.
//! - **Stake** as share pools per (hotkey, netuid) with shares per (hotkey, coldkey, netuid),
//!   so dividends paid to a hotkey accrue pro rata to its nominators.
//! - **Calls**: every [`Call`] with the chain's checks, in the chain's order, and its error
//!   names: staking with and without limit prices (limit fills by
//!   [`dtao::amm::Pool::swap_with_limit`], unconsumed TAO stays with the staker), the minimum
//!   stake (0.002 TAO, fee included), moves across subnets (an unstake leg with the fee and a
//!   fee-free stake leg — one fee per move; if the TAO is below the minimum stake it stays
//!   liquid) and within a subnet (share accounting only), the one-staking-operation-per-block
//!   limit per (hotkey, coldkey, netuid), subnet registration (lock cost by `dtao::lock`, pool
//!   seeded with the lock and the median price of the other subnets, owner hotkey as UID 0,
//!   rate limit; at the subnet limit the lowest-moving-price subnet past its immunity is
//!   dissolved — its `SubnetTAO` paid to its stakers pro rata, the share of protocol and
//!   pending alpha recycled — and its netuid reused), `start_call`, identity, owner hyperparameters (ranges checked,
//!   history kept), burned registration (burn halves every 360 blocks, ×1.26 per
//!   registration, clamped; the full subnet prunes its lowest-emission non-immune UID),
//!   `serve_axon`, `set_weights` (rate limit, version key, validator permit, refused while
//!   commit–reveal is on) and commit/reveal (hash by [`chain::weights_commit_hash`], reveal
//!   window `[commit + period, commit + 2·period]`), proxies ([`chain::ProxyType::allows`]).
//! - **Swap fees** go to `params.block_author` if the genesis names one, otherwise they are
//!   burned (TAO leaves circulation without lowering `TotalIssuance`; a sell's alpha fee that
//!   cannot be sold is burned without lowering `SubnetAlphaOut`).
//! - **Transactions**: signature ([`SignedTransaction::verify_signature`] against
//!   [`Runtime::signing_context`], whose genesis hash is the hash of the genesis header),
//!   nonce (stale / future), mortality, fee payable, duplicates. Fee =
//!   `tx_fee_base + tx_fee_per_byte × encoded length + tip`, paid in TAO by the signer whether
//!   the call succeeds or not, and recycled (since runtime v444). A failed call changes nothing
//!   but the fee and the nonce: every call checks everything before it writes. Like Subtensor's
//!   transaction extension, admission (in [`Runtime::validate`] and again at inclusion)
//!   refuses a fill-or-kill limit order that cannot fill, with
//!   `TxValidityError::Custom(SlippageTooHigh)`: no fee, nonce unused.
//! - **Blocks** ([`Runtime::produce_block`]): initialisation in the chain's order — block
//!   emission from `TotalIssuance`, subnet shares by a pluggable rule ([`ShareRuleKind`],
//!   default: price × (1 − MinerBurned) through the Hill gate), injection terms, the chain buy
//!   of the excess, the injection, the alpha split into pending, moving prices — then epochs
//!   (`now − last_epoch ≥ tempo`, at most two per block, the rest deferred a block) through
//!   `dtao::yuma::run_epoch` with stake weight α + τ·root: miner incentive is staked to the
//!   miner, incentive on the owner's own hotkeys is withheld (burned or recycled per
//!   `RecycleOrBurn`) and becomes `MinerBurned`, dividends pay an 18 % hotkey take and the
//!   rest to nominators, the root pot goes to validators by dividends × τ·root stake (with
//!   no dividends, by active stake, then stake, as the alpha pot) and on to their root
//!   nominators, the owner cut is staked to the owner hotkey. Then the
//!   transactions, with events per extrinsic (`Phase::ApplyExtrinsic(i)`, then
//!   `ExtrinsicSuccess` / `ExtrinsicFailed`), and the header (parent hash, extrinsics root,
//!   state root).
//! - **State root**: BLAKE2b-256 over the whole state with cached partial digests (see
//!   `runtime/digest.rs`).
//!
//! # What is simplified, and why
//!
//! - **Injection at weight ½.** The chain reweights the Balancer pool on every injection
//!   (`Pool::inject`); Perquintill rounding then moves the weight off ½ by ~10⁻¹⁴, and every
//!   later swap takes the arbitrary-exponent path (≈ 30 µs instead of 0.1 µs). With weight ½
//!   the injection terms are already in the pool's ratio, so a half-weight pool gets them added
//!   directly and stays at ½ (the price moves by the rounding of `alpha_in`, ≤ 1 rao in
//!   10¹⁴). Other curves use `Pool::inject`. This keeps fast-forward above 2,000 blocks/s.
//! - **Commit–reveal v2 only**: no drand timelock (CR v4) — no beacon exists offline.
//! - **No child keys, no parent/child dividend splits, no `AutoStakeDestination`**, no
//!   conviction locks, no limit-order pallet, no lock refund to the owner of a dissolved
//!   subnet (the owner is paid as any other staker).
//! - **Root dividends are claimed at once with `Keep`**: the root pot becomes alpha stake on
//!   the subnet for each root nominator of the validator (the chain accrues `RootClaimable` and
//!   swaps to root TAO by default when claimed).
//! - **Root** has no epoch and no emission; transaction fees are TAO, never alpha.
//! - Epochs run by the stateful rule only (no `trigger_epoch`, no safety net).
//!
//! # Invariants ([`Runtime::check_invariants`])
//!
//! 1. `TotalIssuance = Σ free + Σ_subnets SubnetTAO (root included) + burned TAO`, where
//!    burned TAO counts swap fees destroyed for want of a block author. Recycling (emission
//!    dust, transaction fees, registration burns) lowers `TotalIssuance` itself.
//! 2. For every subnet: `SubnetAlphaOut = Σ_hotkeys TotalHotkeyAlpha + protocol alpha +
//!    pending (server + validator + root + owner) + burned alpha`.
//! 3. For every (hotkey, netuid): `TotalHotkeyShares = Σ shares` and
//!    `Σ_coldkeys value ≤ TotalHotkeyAlpha` (share rounding leaves dust in the pool).
//! 4. Root: `SubnetTAO[0] = SubnetAlphaOut[0]` and no alpha in the pool.
//! 5. `TotalIssuance ≤ 21,000,000 TAO`.

mod admission;
mod coinbase;
mod digest;
mod dispatch;
mod projection;
mod state;
mod substrate_api;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chain::{
    AccountId, AccountInfo, Block, BlockNumber, Call, Event, EventRecord, ExtrinsicRecord, Hash,
    Header, Hyperparameter, Hyperparameters, NetUid, NeuronInfo, Phase, PoolInfo, Side,
    SignedTransaction, SigningContext, StakeInfo, SubnetIdentity, SubnetInfo, SwapOutcome,
    TxValidityError,
};
use dtao::amm::{Pool, Reserves};
use dtao::fixed::{I96F32, U64F64};
use parity_scale_codec::Encode;
use serde::{Deserialize, Serialize};

use crate::fork::fork;
use crate::genesis::Genesis;
pub(crate) use admission::{SHIELD_KEM_CIPHERTEXT, shield_envelope_error};
use digest::Digests;
pub use state::ShareRuleKind;
use state::{Neuron, ROOT, StakePool, State, Subnet};

/// From how many unverified signatures in a block they are checked on every thread of the
/// pool rather than on the one beside the block's initialisation.
const PARALLEL_VERIFY_FROM: usize = 8;

/// How far ahead of the account's nonce [`Runtime::validate`] accepts a transaction.
pub const MAX_FUTURE_NONCES: u64 = 256;

/// A subnet's pool as a trader sees it ([`Runtime::pool_summaries`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSummary {
    /// The subnet.
    pub netuid: NetUid,
    /// The root subnet: staked 1:1, no pool to trade.
    pub stable: bool,
    /// Emission has started (`start_call` done): trading is open.
    pub started: bool,
    /// TAO in the pool (`SubnetTAO`), rao.
    pub tao_reserve: u64,
    /// Spot price, rao of TAO per alpha (as [`PoolInfo::price`]).
    pub price: u64,
}

/// Why a genesis cannot start a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid genesis: {0}")]
pub struct GenesisError(pub String);

/// The state could not be serialised into a snapshot.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot serialise the state at block {block} into a snapshot: {source}; no snapshot was \
     written (the block log still holds every block) — report this as a bug"
)]
pub struct SnapshotError {
    /// The block whose state failed to serialise.
    pub block: BlockNumber,
    /// What serde_json refused.
    #[source]
    pub source: serde_json::Error,
}

/// An invariant that failed: money created or lost somewhere.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invariant violated at block {block}: {what}")]
pub struct InvariantViolation {
    /// Block at which it was found.
    pub block: BlockNumber,
    /// What does not add up, with the numbers.
    pub what: String,
}

/// A block the runtime produced, and the transactions it could not include.
#[derive(Debug, Clone)]
pub struct ProducedBlock {
    /// The block with its extrinsic results and events.
    pub block: Block,
    /// Transactions refused at inclusion (e.g. expired while waiting), with the reason.
    pub rejected: Vec<(Hash, TxValidityError)>,
}

/// The chain state machine.
#[derive(Debug, Clone)]
pub struct Runtime {
    state: State,
    head: Block,
    digests: Digests,
    /// Pools after the next block's coinbase (for quotes); reset whenever the state changes.
    next_pools: OnceLock<BTreeMap<NetUid, Pool>>,
    /// Hashes of transactions whose signature already verified (by `validate`), so inclusion
    /// does not verify them twice. A signature's validity never depends on the state.
    verified: VerifiedCache,
    /// Signers' public keys, decompressed once (shared by the states a node keeps).
    verifying_keys: std::sync::Arc<keys::VerifyingKeys>,
}

/// A bounded set of transaction hashes with good signatures. Cloning gives an empty cache.
#[derive(Debug, Default)]
struct VerifiedCache(std::sync::Mutex<BTreeSet<Hash>>);

impl Clone for VerifiedCache {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl VerifiedCache {
    const MAX: usize = 65_536;

    fn contains(&self, hash: &Hash) -> bool {
        self.0.lock().is_ok_and(|set| set.contains(hash))
    }

    fn insert(&self, hash: Hash) {
        if let Ok(mut set) = self.0.lock() {
            if set.len() >= Self::MAX {
                set.clear();
            }
            set.insert(hash);
        }
    }

    fn remove(&self, hash: &Hash) {
        if let Ok(mut set) = self.0.lock() {
            set.remove(hash);
        }
    }
}

/// What a snapshot holds.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    state: State,
    head: Block,
}

/// The Substrate header hash, so that clients hashing the headers they receive get the hashes
/// localnet answers to (see `crate::substrate`).
fn header_hash(h: &Header) -> Hash {
    crate::substrate::header_hash(h)
}

/// The default hyperparameters of a newly registered subnet (reference §2.5, §5).
pub fn default_hyperparameters() -> Hyperparameters {
    Hyperparameters {
        tempo: 360,
        fee_rate: dtao::amm::DEFAULT_FEE_RATE,
        weights_rate_limit: 100,
        commit_reveal_enabled: true,
        commit_reveal_period: 360,
        max_allowed_validators: 64,
        max_allowed_uids: 256,
        immunity_period: 5000,
        activity_cutoff: 5000,
        kappa: dtao::yuma::DEFAULT_KAPPA,
        bonds_moving_average: dtao::yuma::DEFAULT_BONDS_MOVING_AVERAGE,
        burn: 1_000_000_000,
        min_burn: 500_000,
        max_burn: 100_000_000_000,
        recycle_or_burn: chain::RecycleOrBurn::Burn,
        transfer_enabled: true,
        registration_allowed: true,
        weights_version_key: 0,
    }
}

fn price_bits_to_rao(bits: u128) -> u64 {
    u64::try_from((bits >> 32).saturating_mul(1_000_000_000) >> 32).unwrap_or(u64::MAX)
}

impl Runtime {
    /// Builds the genesis state. The genesis block is `genesis.start_block`.
    pub fn new(genesis: &Genesis) -> Result<Self, GenesisError> {
        let bad = |m: String| GenesisError(m);
        let n = genesis.start_block;
        let mut state = State {
            chain_name: genesis.chain_name.clone(),
            spec_version: genesis.spec_version,
            seed: genesis.seed,
            genesis_hash: Hash::default(),
            params: genesis.params.clone(),
            block: n,
            accounts: BTreeMap::new(),
            subnets: BTreeMap::new(),
            hotkey_owner: BTreeMap::new(),
            proxies: BTreeMap::new(),
            lock_last_rao: genesis.params.min_lock,
            lock_last_block: 0,
            last_network_registration: None,
            total_issuance: 0,
            burned_tao: 0,
            minted_tao: 0,
            recycled_tao: 0,
            share_rule: ShareRuleKind::default(),
            staking_ops_block: n,
            staking_ops: BTreeSet::new(),
            positions: BTreeMap::new(),
        };
        let mut issuance: u128 = 0;
        for a in &genesis.accounts {
            let acc = state.accounts.entry(a.account).or_default();
            acc.free = acc
                .free
                .checked_add(a.free)
                .ok_or_else(|| bad(format!("balance of {} overflows", a.account)))?;
            issuance += u128::from(a.free);
        }
        let own = |hot: AccountId, cold: AccountId, st: &mut State| -> Result<(), GenesisError> {
            match st.hotkey_owner.get(&hot) {
                Some(c) if *c != cold => {
                    Err(GenesisError(format!("hotkey {hot} is owned by both {c} and {cold}")))
                }
                _ => {
                    st.hotkey_owner.insert(hot, cold);
                    Ok(())
                }
            }
        };
        // Root subnet.
        let zero = AccountId([0; 32]);
        let mut root = Subnet {
            netuid: ROOT,
            pool: Pool { reserves: Reserves::default(), fee_rate: 0, curve: Default::default() },
            alpha_out: 0,
            protocol_alpha: 0,
            alpha_burned: 0,
            moving_price_bits: I96F32::from_num(1).to_bits(),
            pending_server: 0,
            pending_validator: 0,
            pending_root: 0,
            pending_owner: 0,
            volume: 0,
            emission_share_bits: 0,
            tao_emission: 0,
            tao_in_emission: 0,
            alpha_in_emission: 0,
            alpha_out_emission: 0,
            miner_burned_bits: 0,
            last_epoch_block: n,
            first_emission_block: None,
            mechanism: 0,
            identity: SubnetIdentity {
                name: "root".into(),
                symbol: "Τ".into(),
                ..SubnetIdentity::default()
            },
            owner_coldkey: zero,
            owner_hotkey: zero,
            registered_at: 0,
            hyperparameters: Hyperparameters {
                fee_rate: 0,
                commit_reveal_enabled: false,
                ..default_hyperparameters()
            },
            burn_block: n,
            history: Vec::new(),
            neurons: Vec::new(),
            stakes: BTreeMap::new(),
            commits: BTreeMap::new(),
        };
        for s in &genesis.root_stakes {
            if s.amount == 0 {
                continue;
            }
            if !state.hotkey_owner.contains_key(&s.hotkey) {
                own(s.hotkey, s.coldkey, &mut state)?;
            }
            root.stakes.entry(s.hotkey).or_default().add(&s.coldkey, s.amount);
            root.pool.reserves.tao = root
                .pool
                .reserves
                .tao
                .checked_add(s.amount)
                .ok_or_else(|| bad("root stake overflows".into()))?;
            root.alpha_out = root.pool.reserves.tao;
            issuance += u128::from(s.amount);
        }
        state.subnets.insert(ROOT, root);

        for g in &genesis.subnets {
            if g.netuid == ROOT {
                return Err(bad("subnet 0 is the root subnet; dynamic subnets start at 1".into()));
            }
            if state.subnets.contains_key(&g.netuid) {
                return Err(bad(format!("subnet {} is listed twice", g.netuid)));
            }
            if g.registered_at > n {
                return Err(bad(format!(
                    "subnet {} registered at {} after the genesis block {n}",
                    g.netuid, g.registered_at
                )));
            }
            own(g.owner_hotkey, g.owner_coldkey, &mut state)?;
            let mut pool = Pool::balancer(Reserves { tao: g.tao_reserve, alpha: g.alpha_in });
            pool.fee_rate = g.hyperparameters.fee_rate;
            let mp = I96F32::saturating_from_num(g.moving_price)
                .checked_div(I96F32::saturating_from_num(1_000_000_000u64))
                .unwrap_or_default();
            let mut neurons = vec![Neuron::new(g.owner_hotkey, g.owner_coldkey, g.registered_at)];
            for gn in &g.neurons {
                if neurons.iter().any(|x| x.hotkey == gn.hotkey) {
                    return Err(bad(format!(
                        "hotkey {} is registered twice on subnet {}",
                        gn.hotkey, g.netuid
                    )));
                }
                own(gn.hotkey, gn.coldkey, &mut state)?;
                let mut neuron = Neuron::new(gn.hotkey, gn.coldkey, gn.registered_at.min(n));
                neuron.axon = gn.axon.clone();
                neurons.push(neuron);
            }
            if neurons.len() > usize::from(g.hyperparameters.max_allowed_uids.max(1)) {
                return Err(bad(format!(
                    "subnet {} has {} neurons but max_allowed_uids is {}",
                    g.netuid,
                    neurons.len(),
                    g.hyperparameters.max_allowed_uids
                )));
            }
            let mut stakes: BTreeMap<AccountId, StakePool> = BTreeMap::new();
            let mut alpha_out: u64 = 0;
            for s in &g.stakes {
                if s.amount == 0 {
                    continue;
                }
                if !state.hotkey_owner.contains_key(&s.hotkey) {
                    own(s.hotkey, s.coldkey, &mut state)?;
                }
                stakes.entry(s.hotkey).or_default().add(&s.coldkey, s.amount);
                alpha_out = alpha_out
                    .checked_add(s.amount)
                    .ok_or_else(|| bad(format!("alpha on subnet {} overflows", g.netuid)))?;
            }
            issuance += u128::from(g.tao_reserve);
            let tempo = u64::from(g.hyperparameters.tempo.max(1));
            let subnet = Subnet {
                netuid: g.netuid,
                pool,
                alpha_out,
                protocol_alpha: 0,
                alpha_burned: 0,
                moving_price_bits: mp.to_bits(),
                pending_server: 0,
                pending_validator: 0,
                pending_root: 0,
                pending_owner: 0,
                volume: 0,
                emission_share_bits: 0,
                tao_emission: 0,
                tao_in_emission: 0,
                alpha_in_emission: 0,
                alpha_out_emission: 0,
                miner_burned_bits: 0,
                // Stagger epochs by netuid, as the chain does for new subnets.
                last_epoch_block: n.saturating_sub(u64::from(g.netuid) % tempo),
                first_emission_block: g.first_emission_block,
                mechanism: 1,
                identity: g.identity.clone(),
                owner_coldkey: g.owner_coldkey,
                owner_hotkey: g.owner_hotkey,
                registered_at: g.registered_at,
                hyperparameters: g.hyperparameters.clone(),
                burn_block: n,
                history: Vec::new(),
                neurons,
                stakes,
                commits: BTreeMap::new(),
            };
            state.subnets.insert(g.netuid, subnet);
        }
        state.total_issuance = u64::try_from(issuance)
            .ok()
            .filter(|i| *i <= dtao::emission::TOTAL_SUPPLY_RAO)
            .ok_or_else(|| bad(format!("genesis issuance {issuance} exceeds 21M TAO")))?;
        state.rebuild_positions();
        let mut rt = Self {
            state,
            head: Block {
                header: Header {
                    number: n,
                    hash: Hash::default(),
                    parent_hash: Hash::default(),
                    state_root: Hash::default(),
                    extrinsics_root: Hash::of_encoded(&Vec::<Hash>::new()),
                    timestamp_ms: genesis.timestamp_ms,
                },
                extrinsics: Vec::new(),
                events: Vec::new(),
            },
            digests: Digests::default(),
            next_pools: OnceLock::new(),
            verified: VerifiedCache::default(),
            verifying_keys: std::sync::Arc::default(),
        };
        // Initial validator permits: the top stakes, as an epoch would grant them.
        let netuids: Vec<NetUid> = rt.state.subnets.keys().copied().collect();
        for netuid in netuids {
            rt.grant_initial_permits(netuid);
        }
        rt.head.header.state_root = rt.digests.root(&rt.state);
        rt.head.header.hash = header_hash(&rt.head.header);
        rt.state.genesis_hash = rt.head.header.hash;
        Ok(rt)
    }

    fn grant_initial_permits(&mut self, netuid: NetUid) {
        let tao_weight = self.state.params.tao_weight;
        let root = self.state.subnets.get(&ROOT).cloned();
        let Some(sn) = self.state.subnets.get_mut(&netuid) else { return };
        if netuid == ROOT {
            return;
        }
        let mut ranked: Vec<(dtao::fixed::I64F64, usize)> = sn
            .neurons
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let r = root.as_ref().map_or(0, |r| r.hotkey_alpha(&x.hotkey));
                (dtao::yuma::stake_weight(sn.hotkey_alpha(&x.hotkey), r, tao_weight), i)
            })
            .filter(|(w, _)| *w > dtao::fixed::I64F64::from_num(0))
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let k = usize::from(sn.hyperparameters.max_allowed_validators);
        for (_, i) in ranked.into_iter().take(k) {
            if let Some(x) = sn.neurons.get_mut(i) {
                x.validator_permit = true;
            }
        }
        let owner = sn.owner_hotkey;
        if let Some(x) = sn.neurons.iter_mut().find(|x| x.hotkey == owner) {
            x.validator_permit = true;
        }
    }

    /// What signatures must commit to (genesis hash and spec version).
    pub fn signing_context(&self) -> SigningContext {
        SigningContext {
            genesis_hash: self.state.genesis_hash,
            spec_version: self.state.spec_version,
        }
    }

    /// The last produced block's header number.
    pub fn block_number(&self) -> BlockNumber {
        self.head.header.number
    }

    /// The last produced block (the genesis block before any other).
    pub fn head(&self) -> &Block {
        &self.head
    }

    /// The chain-wide parameters.
    pub fn params(&self) -> &crate::genesis::ChainParams {
        &self.state.params
    }

    /// The transaction fee of `tx`: base + per byte × its length in localnet's encoding + tip.
    pub fn tx_fee(&self, tx: &SignedTransaction) -> u64 {
        // By the call, not by the bytes it came in: the same call costs the same whichever
        // encoding carried it, and exactly what `estimate_fee` (and `query_info`) quoted.
        self.estimate_fee(&tx.call).saturating_add(tx.tip)
    }

    /// Pool validity check against the next block: signature, nonce (stale; future nonces are
    /// allowed up to [`MAX_FUTURE_NONCES`] ahead), mortality, fee payable.
    pub fn validate(&self, tx: &SignedTransaction) -> Result<(), TxValidityError> {
        let hash = tx.hash();
        if !self.verified.contains(&hash) {
            tx.verify_signature_with(&self.signing_context(), &self.verifying_keys)?;
            self.verified.insert(hash);
        }
        let next = self.block_number().saturating_add(1);
        tx.mortality.check(next)?;
        let account = self.state.accounts.get(&tx.signer).copied().unwrap_or_default();
        if tx.nonce < account.nonce {
            return Err(TxValidityError::Stale { got: tx.nonce, expected: account.nonce });
        }
        if tx.nonce > account.nonce.saturating_add(MAX_FUTURE_NONCES) {
            return Err(TxValidityError::Future { got: tx.nonce, expected: account.nonce });
        }
        let fee = self.tx_fee(tx);
        if account.free < fee {
            return Err(TxValidityError::Payment { free: account.free, fee });
        }
        admission::shield_check(tx)?;
        self.admission_check(&tx.call, self.next_block_pools())
    }

    /// The inclusion check in block `n`: as [`Runtime::validate`] but the nonce must be exact.
    /// `signature_ok` is the outcome of the signature check (before the block, beside its
    /// initialisation).
    fn check_inclusion(
        &self,
        tx: &SignedTransaction,
        signature_ok: bool,
        n: BlockNumber,
    ) -> Result<u64, TxValidityError> {
        if !signature_ok {
            return Err(TxValidityError::BadProof);
        }
        tx.mortality.check(n)?;
        let account = self.state.accounts.get(&tx.signer).copied().unwrap_or_default();
        if tx.nonce < account.nonce {
            return Err(TxValidityError::Stale { got: tx.nonce, expected: account.nonce });
        }
        if tx.nonce > account.nonce {
            return Err(TxValidityError::Future { got: tx.nonce, expected: account.nonce });
        }
        let fee = self.tx_fee(tx);
        if account.free < fee {
            return Err(TxValidityError::Payment { free: account.free, fee });
        }
        admission::shield_check(tx)?;
        // Inside block production the coinbase has run: the current pools are the ones to check.
        self.admission_check(&tx.call, &BTreeMap::new())?;
        Ok(fee)
    }

    /// Produces the next block: block initialisation (emission, moving prices, epochs), then
    /// the transactions in order (each one's call failing or succeeding, fee charged either
    /// way), then the state root. Deterministic in (state, txs, timestamp_ms).
    pub fn produce_block(
        &mut self,
        txs: Vec<SignedTransaction>,
        timestamp_ms: u64,
    ) -> ProducedBlock {
        self.produce_block_beside(txs, timestamp_ms, |_| ()).0
    }

    /// [`Runtime::produce_block`], running `beside` on the state after the block while the
    /// state root is computed (beside it when called on a rayon pool's thread, after it
    /// otherwise: fast-forward decides the next block's transactions there). `beside` sees the
    /// new state and the block's number, extrinsics and events; not yet its state root and hash.
    pub fn produce_block_beside<R: Send>(
        &mut self,
        txs: Vec<SignedTransaction>,
        timestamp_ms: u64,
        beside: impl FnOnce(&Runtime) -> R + Send,
    ) -> (ProducedBlock, R) {
        self.produce_block_with(txs, timestamp_ms, || (), beside)
    }

    /// [`Runtime::produce_block_beside`], also running `during_init` beside the block's
    /// initialisation, after the signature checks (a node does its bookkeeping of the block
    /// before there).
    pub fn produce_block_with<R: Send>(
        &mut self,
        txs: Vec<SignedTransaction>,
        timestamp_ms: u64,
        during_init: impl FnOnce() + Send,
        beside: impl FnOnce(&Runtime) -> R + Send,
    ) -> (ProducedBlock, R) {
        let n = self.state.block.saturating_add(1);
        self.state.block = n;
        self.next_pools = OnceLock::new();
        let mut records = Vec::new();
        let mut init_events = Vec::new();
        let bad_signatures = self.initialize_and_verify(n, &txs, &mut init_events, during_init);
        records.extend(init_events.into_iter().map(|event| EventRecord {
            block: n,
            phase: Phase::Initialization,
            event,
        }));
        let mut seen = BTreeSet::new();
        let mut rejected = Vec::new();
        let mut extrinsics = Vec::new();
        let mut hashes = Vec::new();
        for (position, tx) in txs.into_iter().enumerate() {
            let hash = tx.hash();
            if !seen.insert(hash) {
                rejected.push((hash, TxValidityError::AlreadyImported));
                continue;
            }
            let signature_ok = !bad_signatures.contains(&position);
            let fee = match self.check_inclusion(&tx, signature_ok, n) {
                Ok(fee) => fee,
                Err(e) => {
                    rejected.push((hash, e));
                    continue;
                }
            };
            self.verified.remove(&hash);
            if let Some(a) = self.state.accounts.get_mut(&tx.signer) {
                a.free -= fee;
                a.nonce = a.nonce.saturating_add(1);
            }
            self.digests.mark_account(&tx.signer);
            self.state.total_issuance = self.state.total_issuance.saturating_sub(fee);
            self.state.recycled_tao = self.state.recycled_tao.saturating_add(fee);
            let index = u32::try_from(extrinsics.len()).unwrap_or(u32::MAX);
            let mut events = Vec::new();
            let result = self.dispatch(tx.signer, &tx.call, &mut events);
            if result.is_err() {
                events.clear();
            }
            let phase = Phase::ApplyExtrinsic(index);
            records.extend(events.into_iter().map(|event| EventRecord { block: n, phase, event }));
            let last = match &result {
                Ok(()) => Event::ExtrinsicSuccess { fee },
                Err(error) => Event::ExtrinsicFailed { error: error.clone(), fee },
            };
            records.push(EventRecord { block: n, phase, event: last });
            hashes.push(hash);
            let encoded = crate::substrate::extrinsic::encoded(&tx);
            extrinsics.push(ExtrinsicRecord {
                index,
                hash,
                signer: tx.signer,
                nonce: tx.nonce,
                call: tx.call,
                fee,
                result,
                encoded,
            });
        }
        let header = Header {
            number: n,
            hash: Hash::default(),
            parent_hash: self.head.header.hash,
            state_root: Hash::default(),
            extrinsics_root: Hash::of_encoded(&hashes),
            timestamp_ms,
        };
        self.head = Block { header, extrinsics, events: records };
        // The digests are the one part of the runtime the root writes, and `beside` does not
        // read: taken out, the rest is shared by both.
        let mut digests = std::mem::take(&mut self.digests);
        let this = &*self;
        let (state_root, beside) = fork(|| digests.root(&this.state), || beside(this));
        self.digests = digests;
        self.head.header.state_root = state_root;
        self.head.header.hash = header_hash(&self.head.header);
        (ProducedBlock { block: self.head.clone(), rejected }, beside)
    }

    /// Runs block `n`'s initialisation (emission, prices, epochs) while the signatures of
    /// `txs` not verified before are checked beside it (a signature's validity never depends
    /// on the state, so the two are independent), and `during_init` beside both. Returns the
    /// positions of the bad signatures.
    fn initialize_and_verify(
        &mut self,
        n: BlockNumber,
        txs: &[SignedTransaction],
        init_events: &mut Vec<Event>,
        during_init: impl FnOnce() + Send,
    ) -> BTreeSet<usize> {
        let unverified: Vec<usize> =
            (0..txs.len()).filter(|i| !self.verified.contains(&txs[*i].hash())).collect();
        let context = self.signing_context();
        let keys = std::sync::Arc::clone(&self.verifying_keys);
        let keys = &*keys;
        let bad = |i: &usize| txs[*i].verify_signature_with(&context, keys).is_err();
        let verify = || -> BTreeSet<usize> {
            // A few signatures take less time than the initialisation beside them: split
            // further, they would only cost hand-overs between the threads.
            if unverified.len() < PARALLEL_VERIFY_FROM {
                // Checked as one batch first; one by one only to find a bad one.
                let batch = unverified.iter().map(|i| &txs[*i]);
                if unverified.len() > 1
                    && SignedTransaction::all_signatures_valid(batch, &context, keys)
                {
                    return BTreeSet::new();
                }
                unverified.into_iter().filter(bad).collect()
            } else {
                let check = |part: Vec<usize>| part.into_iter().filter(bad).collect::<Vec<_>>();
                crate::fork::in_halves(unverified, 1, &check).into_iter().collect()
            }
        };
        // `during_init` is a half of its own: whichever thread is free first takes it.
        let ((), (bad, ())) =
            fork(|| self.initialize_block(n, init_events), || fork(verify, during_init));
        bad
    }

    /// The TAO a subnet registration in the next block locks, rao.
    pub fn network_lock_cost(&self) -> u64 {
        let p = &self.state.params;
        dtao::lock::lock_cost_rao(
            dtao::lock::LockState {
                last_lock_rao: self.state.lock_last_rao,
                last_lock_block: self.state.lock_last_block,
            },
            dtao::lock::LockParams {
                min_lock_rao: p.min_lock,
                reduction_interval: p.lock_reduction_interval,
            },
            self.block_number().saturating_add(1),
        )
    }

    /// The state root after the last block.
    pub fn state_root(&self) -> Hash {
        self.head.header.state_root
    }

    /// The state root recomputed from scratch, without caches (equal to
    /// [`Runtime::state_root`] unless a cache is stale — a test aid).
    pub fn recompute_state_root(&self) -> Hash {
        digest::full_root(&self.state)
    }

    /// Free TAO and next nonce (nothing is ever reserved here).
    pub fn account(&self, who: &AccountId) -> AccountInfo {
        let a = self.state.accounts.get(who).copied().unwrap_or_default();
        AccountInfo { free: a.free, reserved: 0, nonce: a.nonce }
    }

    fn subnet_info(&self, s: &Subnet) -> SubnetInfo {
        let now = self.block_number();
        let price = Self::pool_summary_of(s).price;
        let mp = I96F32::from_bits(s.moving_price_bits);
        let moving_price = U64F64::saturating_from_num(mp)
            .saturating_mul(U64F64::from_num(1_000_000_000u64))
            .saturating_to_num::<u64>();
        let mut hyperparameters = s.hyperparameters.clone();
        hyperparameters.burn = s.burn_at(now);
        SubnetInfo {
            netuid: s.netuid,
            identity: s.identity.clone(),
            owner_coldkey: s.owner_coldkey,
            owner_hotkey: s.owner_hotkey,
            registered_at: s.registered_at,
            mechanism: s.mechanism,
            first_emission_block: s.first_emission_block,
            pool: PoolInfo {
                tao_reserve: s.pool.reserves.tao,
                alpha_in: s.pool.reserves.alpha,
                alpha_out: s.alpha_out,
                price,
                moving_price,
                curve: s.pool.curve.clone(),
                fee_rate: s.pool.fee_rate,
                volume: s.volume,
            },
            hyperparameters,
            emission_share_ppb: u64::try_from(
                (s.emission_share_bits >> 32).saturating_mul(1_000_000_000) >> 32,
            )
            .unwrap_or(u64::MAX),
            tao_emission: s.tao_emission,
            miner_burned_ppb: price_bits_to_rao(s.miner_burned_bits << 32),
            last_epoch_block: s.last_epoch_block,
            neuron_count: u16::try_from(s.neurons.len()).unwrap_or(u16::MAX),
        }
    }

    /// All subnets, root included, by netuid.
    pub fn subnets(&self) -> Vec<SubnetInfo> {
        self.state.subnets.values().map(|s| self.subnet_info(s)).collect()
    }

    /// The owner hotkey of subnet `netuid`, if it exists (without building its whole
    /// [`SubnetInfo`]: the simulation asks for every weights job).
    pub fn subnet_owner_hotkey(&self, netuid: NetUid) -> Option<AccountId> {
        self.state.subnets.get(&netuid).map(|s| s.owner_hotkey)
    }

    /// One subnet.
    pub fn subnet(&self, netuid: NetUid) -> Option<SubnetInfo> {
        self.state.subnets.get(&netuid).map(|s| self.subnet_info(s))
    }

    /// A subnet's hyperparameter changes, oldest first, with the block of each.
    pub fn hyperparameter_history(
        &self,
        netuid: NetUid,
    ) -> Option<Vec<(BlockNumber, Hyperparameter)>> {
        self.state.subnets.get(&netuid).map(|s| s.history.clone())
    }

    /// A subnet's neurons by UID.
    pub fn neurons(&self, netuid: NetUid) -> Option<Vec<NeuronInfo>> {
        let s = self.state.subnets.get(&netuid)?;
        Some(
            s.neurons
                .iter()
                .enumerate()
                .map(|(uid, x)| NeuronInfo {
                    netuid,
                    uid: u16::try_from(uid).unwrap_or(u16::MAX),
                    hotkey: x.hotkey,
                    coldkey: x.coldkey,
                    axon: x.axon.clone(),
                    validator_permit: x.validator_permit,
                    stake: s.hotkey_alpha(&x.hotkey),
                    incentive: x.incentive,
                    dividends: x.dividends,
                    consensus: x.consensus,
                    emission: x.emission,
                    registered_at: x.registered_at,
                    last_update: x.last_update,
                })
                .collect(),
        )
    }

    /// A coldkey's stakes, ordered by (netuid, hotkey); positions worth 0 are left out.
    pub fn stakes(&self, coldkey: &AccountId) -> Vec<StakeInfo> {
        let Some(positions) = self.state.positions.get(coldkey) else { return Vec::new() };
        self.stake_infos(coldkey, positions.iter())
    }

    /// A coldkey's stakes on one subnet, ordered by hotkey (a range of its positions, not all
    /// of them: the simulation asks every trade).
    pub fn stakes_on(&self, coldkey: &AccountId, netuid: NetUid) -> Vec<StakeInfo> {
        let Some(positions) = self.state.positions.get(coldkey) else { return Vec::new() };
        let (lo, hi) = ((netuid, AccountId([0; 32])), (netuid, AccountId([u8::MAX; 32])));
        self.stake_infos(coldkey, positions.range(lo..=hi))
    }

    /// The coldkey's stakes at `positions`, those worth 0 left out.
    fn stake_infos<'a>(
        &self,
        coldkey: &AccountId,
        positions: impl Iterator<Item = &'a (NetUid, AccountId)>,
    ) -> Vec<StakeInfo> {
        positions
            .filter_map(|(netuid, hotkey)| {
                let alpha = self.state.subnets.get(netuid)?.stake_of(hotkey, coldkey);
                (alpha > 0).then_some(StakeInfo {
                    coldkey: *coldkey,
                    hotkey: *hotkey,
                    netuid: *netuid,
                    alpha,
                })
            })
            .collect()
    }

    /// Every subnet's pool as a trader sees it, by netuid: [`Runtime::subnets`] without the
    /// identities, hyperparameters and curves it would clone.
    pub fn pool_summaries(&self) -> impl Iterator<Item = PoolSummary> + '_ {
        self.state.subnets.values().map(Self::pool_summary_of)
    }

    /// One subnet's [`PoolSummary`].
    pub fn pool_summary(&self, netuid: NetUid) -> Option<PoolSummary> {
        self.state.subnets.get(&netuid).map(Self::pool_summary_of)
    }

    fn pool_summary_of(s: &Subnet) -> PoolSummary {
        PoolSummary {
            netuid: s.netuid,
            stable: s.is_stable(),
            started: s.first_emission_block.is_some(),
            tao_reserve: s.pool.reserves.tao,
            price: if s.is_stable() { 1_000_000_000 } else { s.pool.spot_price_rao() },
        }
    }

    /// What a swap would do (`sim_swap`): exactly what `add_stake` / `remove_stake` without a
    /// limit will do as the first trade on the subnet in the next block — against the pool
    /// after that block's coinbase (emission injection and chain buy), fee and author-fee
    /// swap included.
    pub fn quote(
        &self,
        netuid: NetUid,
        side: Side,
        amount: u64,
    ) -> Result<SwapOutcome, chain::DispatchError> {
        let s = self
            .state
            .subnets
            .get(&netuid)
            .ok_or(chain::DispatchError::SubnetNotExists { netuid })?;
        if s.is_stable() {
            return Ok(stable_outcome(s, side, amount));
        }
        let pool = self.next_block_pools().get(&netuid).unwrap_or(&s.pool);
        Ok(pool.swap(side, amount, dtao::amm::PriceLimit::None, false)?)
    }

    /// The transaction fee a call would pay (without tip).
    pub fn estimate_fee(&self, call: &Call) -> u64 {
        // The length of localnet's own encoding: signer 32 + nonce 8 + mortality 16 + tip 8 +
        // signature 64 around the call.
        let len = u64::try_from(call.encoded_size().saturating_add(128)).unwrap_or(u64::MAX);
        self.state
            .params
            .tx_fee_base
            .saturating_add(self.state.params.tx_fee_per_byte.saturating_mul(len))
    }

    /// Total TAO in existence: free balances + stakes' TAO in pools + root stake, as the chain's
    /// `TotalIssuance` counts it (plus swap fees burned for want of a block author; see the
    /// module's invariants).
    pub fn total_issuance(&self) -> u64 {
        self.state.total_issuance
    }

    /// All accounts' free TAO: what the Balances pallet's `TotalIssuance` counts (staked TAO
    /// has left the balances; nothing is reserved here).
    pub fn total_balance(&self) -> u64 {
        self.state.accounts.values().fold(0u64, |sum, a| sum.saturating_add(a.free))
    }

    /// Cumulative TAO minted by the coinbase and recycled (emission dust, transaction fees,
    /// registration burns) since genesis, and TAO burned (swap fees with no author).
    pub fn emission_totals(&self) -> EmissionTotals {
        EmissionTotals {
            minted: self.state.minted_tao,
            recycled: self.state.recycled_tao,
            burned: self.state.burned_tao,
        }
    }

    /// The rule splitting block emission among subnets.
    pub fn share_rule(&self) -> ShareRuleKind {
        self.state.share_rule
    }

    /// Replaces the share rule (takes effect at the next block; part of the state).
    pub fn set_share_rule(&mut self, rule: ShareRuleKind) {
        self.state.share_rule = rule;
        self.next_pools = OnceLock::new();
    }

    /// Checks that every rao is accounted for (run after every block in tests). The exact
    /// invariants are listed in the module docs.
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        let block = self.block_number();
        let fail = |what: String| Err(InvariantViolation { block, what });
        let st = &self.state;
        let free: u128 = st.accounts.values().map(|a| u128::from(a.free)).sum();
        let pools: u128 = st.subnets.values().map(|s| u128::from(s.pool.reserves.tao)).sum();
        let total = free + pools + u128::from(st.burned_tao);
        if total != u128::from(st.total_issuance) {
            return fail(format!(
                "total issuance {} != free {free} + pools {pools} + burned {} = {total}",
                st.total_issuance, st.burned_tao
            ));
        }
        if st.total_issuance > dtao::emission::TOTAL_SUPPLY_RAO {
            return fail(format!("total issuance {} exceeds 21M TAO", st.total_issuance));
        }
        for s in st.subnets.values() {
            let staked = s.total_staked();
            let accounted = staked
                + u128::from(s.protocol_alpha)
                + u128::from(s.pending_server)
                + u128::from(s.pending_validator)
                + u128::from(s.pending_root)
                + u128::from(s.pending_owner)
                + u128::from(s.alpha_burned);
            if accounted != u128::from(s.alpha_out) {
                return fail(format!(
                    "subnet {}: alpha out {} != stake {staked} + protocol {} + pending {}/{}/{}/{} + burned {} = {accounted}",
                    s.netuid,
                    s.alpha_out,
                    s.protocol_alpha,
                    s.pending_server,
                    s.pending_validator,
                    s.pending_root,
                    s.pending_owner,
                    s.alpha_burned
                ));
            }
            for (hot, p) in &s.stakes {
                let shares: u128 = p.shares.values().sum();
                if shares != p.total_shares {
                    return fail(format!(
                        "subnet {}: hotkey {hot} has {} shares but holders hold {shares}",
                        s.netuid, p.total_shares
                    ));
                }
                let values: u128 =
                    p.shares.values().map(|x| u128::from(p.value_of_shares(*x))).sum();
                if values > u128::from(p.total_alpha) {
                    return fail(format!(
                        "subnet {}: hotkey {hot} holders are worth {values} > {}",
                        s.netuid, p.total_alpha
                    ));
                }
            }
            if s.is_stable() && (s.pool.reserves.tao != s.alpha_out || s.pool.reserves.alpha != 0) {
                return fail(format!(
                    "root: SubnetTAO {} != AlphaOut {} (alpha in {})",
                    s.pool.reserves.tao, s.alpha_out, s.pool.reserves.alpha
                ));
            }
        }
        Ok(())
    }

    /// Serialises the whole state (for snapshots): JSON of the state and the head block.
    ///
    /// Fails rather than returning bytes that [`Runtime::restore`] would refuse (an empty
    /// snapshot used to stand in for a failure, and the node would have written it).
    pub fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        #[derive(Serialize)]
        struct SnapshotRef<'a> {
            state: &'a State,
            head: &'a Block,
        }
        serde_json::to_vec(&SnapshotRef { state: &self.state, head: &self.head })
            .map_err(|source| SnapshotError { block: self.block_number(), source })
    }

    /// Restores a snapshot; fails if it does not reproduce its own state root.
    pub fn restore(bytes: &[u8]) -> Result<Self, GenesisError> {
        let snap: Snapshot = serde_json::from_slice(bytes)
            .map_err(|e| GenesisError(format!("not a runtime snapshot: {e}")))?;
        let mut rt = Self {
            state: snap.state,
            head: snap.head,
            digests: Digests::default(),
            next_pools: OnceLock::new(),
            verified: VerifiedCache::default(),
            verifying_keys: std::sync::Arc::default(),
        };
        rt.state.rebuild_positions();
        let root = rt.digests.root(&rt.state);
        if root != rt.head.header.state_root {
            return Err(GenesisError(format!(
                "snapshot state root mismatch: head says {}, the state hashes to {root}",
                rt.head.header.state_root
            )));
        }
        Ok(rt)
    }

    // ---- mutation helpers: every write goes through these, and they mark the digests ----

    pub(crate) fn credit(&mut self, who: &AccountId, amount: u64) {
        if amount == 0 {
            return;
        }
        let a = self.state.accounts.entry(*who).or_default();
        a.free = a.free.saturating_add(amount);
        self.digests.mark_account(who);
    }

    pub(crate) fn debit(
        &mut self,
        who: &AccountId,
        amount: u64,
    ) -> Result<(), chain::DispatchError> {
        let free = self.state.free(who);
        if free < amount {
            return Err(chain::DispatchError::InsufficientBalance { free, needed: amount });
        }
        if amount == 0 {
            return Ok(());
        }
        if let Some(a) = self.state.accounts.get_mut(who) {
            a.free = free - amount;
        }
        self.digests.mark_account(who);
        Ok(())
    }

    /// Credits `alpha` of stake (already counted in `SubnetAlphaOut`) to (hotkey, coldkey).
    pub(crate) fn stake_credit(
        &mut self,
        netuid: NetUid,
        hot: &AccountId,
        cold: &AccountId,
        alpha: u64,
    ) {
        if alpha == 0 {
            return;
        }
        let Some(s) = self.state.subnets.get_mut(&netuid) else { return };
        s.stakes.entry(*hot).or_default().add(cold, alpha);
        self.state.positions.entry(*cold).or_default().insert((netuid, *hot));
        self.digests.mark_pool(netuid, hot);
    }

    /// Debits `alpha` of (hotkey, coldkey)'s stake; the caller has checked the amount.
    pub(crate) fn stake_debit(
        &mut self,
        netuid: NetUid,
        hot: &AccountId,
        cold: &AccountId,
        alpha: u64,
    ) {
        let Some(s) = self.state.subnets.get_mut(&netuid) else { return };
        let Some(pool) = s.stakes.get_mut(hot) else { return };
        if pool.remove(cold, alpha)
            && let Some(p) = self.state.positions.get_mut(cold)
        {
            p.remove(&(netuid, *hot));
            if p.is_empty() {
                self.state.positions.remove(cold);
            }
        }
        if pool.total_shares == 0 && pool.total_alpha == 0 {
            s.stakes.remove(hot);
        }
        self.digests.mark_pool(netuid, hot);
    }

    /// Swap fee TAO: to the block author, or burned.
    pub(crate) fn pay_author(&mut self, tao: u64) {
        if tao == 0 {
            return;
        }
        match self.state.params.block_author {
            Some(author) => self.credit(&author, tao),
            None => self.state.burned_tao = self.state.burned_tao.saturating_add(tao),
        }
    }
}

/// Cumulative issuance bookkeeping since genesis (see [`Runtime::emission_totals`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmissionTotals {
    /// TAO minted by the coinbase (Σ block emission of blocks with an emitting subnet).
    pub minted: u64,
    /// TAO recycled: emission dust, transaction fees, registration burns.
    pub recycled: u64,
    /// TAO burned without lowering `TotalIssuance`: swap fees with no block author.
    pub burned: u64,
}

/// A 1:1 swap on the stable (root) mechanism.
fn stable_outcome(s: &Subnet, side: Side, amount: u64) -> SwapOutcome {
    let before = s.pool.reserves;
    let after = match side {
        Side::Buy => Reserves { tao: before.tao.saturating_add(amount), alpha: 0 },
        Side::Sell => Reserves { tao: before.tao.saturating_sub(amount), alpha: 0 },
    };
    let one = U64F64::from_num(1).to_bits();
    SwapOutcome {
        side,
        requested: amount,
        delta_in: amount,
        fee: 0,
        amount_out: amount,
        refund: 0,
        limit_reached: false,
        author_tao: 0,
        fee_alpha_burned: 0,
        spot_before_bits: one,
        spot_after_bits: one,
        reserves_before: before,
        reserves_after: after,
    }
}
