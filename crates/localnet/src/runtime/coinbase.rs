//! Block initialisation: the coinbase (block emission, subnet shares, injection, chain buys,
//! alpha split into pending), moving prices, and Yuma epochs that drain pending alpha
//! (reference §3).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chain::RecycleOrBurn;
use chain::{BlockNumber, Event, NetUid};
use dtao::amm::{CurveKind, Pool, PriceLimit, Side};
use dtao::emission::{
    InjectionTerms, PriceBurnRule, PriceEmaRule, SubnetEmission, SubnetShareInput,
    blocks_since_start_call, default_moving_alpha, default_share_rule, halving_threshold_rao,
    root_sell_flag, split_alpha_out, subnet_block_emissions, update_moving_price,
};
use dtao::fixed::{I32F32, I64F64, I96F32, U64F64, U96F32};
use dtao::yuma::{EpochInput, Matrix, RegistrationMasks, YumaParams, run_epoch, stake_weight};

use super::Runtime;
use super::state::{ROOT, ShareRuleKind};

/// Perquintill parts of weight ½.
const PERQUINTILL_HALF: u64 = dtao::amm::PERQUINTILL / 2;

/// At most this many epochs run in one block; the rest wait a block (`MaxEpochsPerBlock`).
const MAX_EPOCHS_PER_BLOCK: usize = 2;

/// Hotkey take on dividends, parts of 65535 (18 %, the chain's default `HotkeyTake`).
pub(crate) const HOTKEY_TAKE: u16 = 11_796;

/// The halving schedule as (issuance threshold, block emission) pairs, ascending.
fn emission_table() -> &'static [(u64, u64)] {
    static TABLE: OnceLock<Vec<(u64, u64)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Vec::new();
        let mut k = 0_u32;
        while let Some(start) = halving_threshold_rao(k) {
            table.push((start, dtao::emission::block_emission(start)));
            k = k.saturating_add(1);
            if k > 128 {
                break;
            }
        }
        table
    })
}

/// `dtao::emission::block_emission` from a precomputed table of its exact era boundaries (the
/// log2 behind it is too slow to run for 128 subnets every block).
pub(crate) fn block_emission_cached(issuance_rao: u64) -> u64 {
    if issuance_rao >= dtao::emission::TOTAL_SUPPLY_RAO {
        return 0;
    }
    let table = emission_table();
    let idx = table.partition_point(|(start, _)| *start <= issuance_rao);
    match idx.checked_sub(1).and_then(|i| table.get(i)) {
        Some((_, emission)) => *emission,
        None => dtao::emission::block_emission(issuance_rao),
    }
}

/// `dtao::emission::injection_terms` with the cached alpha block emission.
pub(crate) fn injection_terms_cached(
    tao_emission: U96F32,
    alpha_issuance_rao: u64,
    spot_price: U64F64,
    root_tao_rao: u64,
    tao_weight: u64,
) -> InjectionTerms {
    dtao::emission::injection_terms_with_alpha_emission(
        tao_emission,
        block_emission_cached(alpha_issuance_rao),
        alpha_issuance_rao,
        spot_price,
        root_tao_rao,
        tao_weight,
    )
}

/// An I32F32 proportion as parts of 65535 (floored).
fn to_u16_proportion(x: I32F32) -> u16 {
    let bits = u128::try_from(x.to_bits()).unwrap_or(0);
    u16::try_from((bits * u128::from(u16::MAX)) >> 32).unwrap_or(u16::MAX)
}

/// Splits `total` in proportion to `weights` exactly (largest remainder, ties to the lower
/// index). `None` if every weight is 0.
pub(crate) fn apportion(total: u64, weights: &[u128]) -> Option<Vec<u64>> {
    let wide_sum = weights.iter().fold(0u128, |a, w| a.saturating_add(*w));
    // Scale the weights down until total × Σw fits in 128 bits (Σw < 2^64).
    let shift = if wide_sum == u128::MAX {
        65
    } else {
        (128 - wide_sum.leading_zeros()).saturating_sub(64)
    };
    let scaled: Vec<u128> = weights.iter().map(|w| w >> shift).collect();
    let sum: u128 = scaled.iter().sum();
    if sum == 0 {
        return None;
    }
    let mut amounts = Vec::with_capacity(scaled.len());
    let mut remainders = Vec::with_capacity(scaled.len());
    for (i, w) in scaled.iter().enumerate() {
        let p = u128::from(total).saturating_mul(*w);
        amounts.push(u64::try_from(p / sum).unwrap_or(u64::MAX));
        remainders.push((p % sum, i));
    }
    let given = amounts.iter().fold(0u64, |a, x| a.saturating_add(*x));
    let mut left = total.saturating_sub(given);
    if left > 0 {
        remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in &remainders {
            if left == 0 {
                break;
            }
            if let Some(a) = amounts.get_mut(i) {
                *a = a.saturating_add(1);
                left -= 1;
            }
        }
    }
    Some(amounts)
}

/// What the coinbase of one block will do, computed from the state before it.
pub(super) struct CoinbasePlan {
    emission: u64,
    root_sell: bool,
    emissions: Vec<SubnetEmission>,
    rule_after: ShareRuleKind,
    inputs: Vec<SubnetShareInput>,
}

/// One subnet's injection.
struct Injection {
    terms: InjectionTerms,
    tao_used: u64,
    bought_alpha: u64,
}

/// The chain buy of the excess and the price-preserving injection into `pool`.
fn inject(
    pool: &mut Pool,
    alpha_out: u64,
    em: &SubnetEmission,
    root_tao: u64,
    tao_weight: u64,
) -> Injection {
    let spot = pool.spot_price();
    let alpha_issuance = pool.reserves.alpha.saturating_add(alpha_out);
    let terms = injection_terms_cached(em.tao_emission, alpha_issuance, spot, root_tao, tao_weight);
    let mut tao_used: u64 = 0;
    let mut bought_alpha: u64 = 0;
    // Chain buy of the excess (fee-free, at any price); the alpha is the protocol's.
    if terms.excess_tao_rao > 0
        && let Ok(buy) = pool.swap(Side::Buy, terms.excess_tao_rao, PriceLimit::None, true)
        && buy.amount_out > 0
    {
        pool.apply(&buy);
        bought_alpha = buy.amount_out;
        tao_used = buy.delta_in;
    }
    let (tao, alpha) = (terms.tao_in_rao, terms.alpha_in_rao);
    let half =
        matches!(&pool.curve, CurveKind::Balancer(b) if b.quote_weight() == PERQUINTILL_HALF);
    let tao = if half {
        // At weight ½ the terms are already in the pool's ratio (p = y/x); adding them
        // directly keeps the weight at exactly ½ (see the runtime docs).
        pool.reserves.tao = pool.reserves.tao.saturating_add(tao);
        pool.reserves.alpha = pool.reserves.alpha.saturating_add(alpha);
        tao
    } else {
        pool.inject(tao, alpha).0
    };
    Injection {
        terms,
        tao_used: tao_used.saturating_add(tao).min(em.tao_emission_rao),
        bought_alpha,
    }
}

/// A due epoch's Yuma step, computed before it is paid out.
struct EpochStep {
    netuid: NetUid,
    /// Each uid's hotkey stake on root, rao (the root pot is shared by it).
    root_stake: Vec<u64>,
    out: Result<dtao::yuma::EpochOutput, dtao::yuma::YumaError>,
}

impl Runtime {
    /// Runs block initialisation for block `n`: coinbase, moving prices, epochs.
    ///
    /// The due epochs' Yuma steps read only neurons and stakes, which neither the coinbase nor
    /// another subnet's epoch changes (an epoch pays out on its own subnet), so they are
    /// computed from the state before the coinbase, beside its plan: a thread done with its
    /// own part of the block takes them.
    pub(super) fn initialize_block(&mut self, n: BlockNumber, events: &mut Vec<Event>) {
        self.state.staking_ops.clear();
        self.state.staking_ops_block = n;
        let due = self.due_epochs(n);
        let this = &*self;
        let (plan, steps) = if due.is_empty() {
            (this.coinbase_plan(n), Vec::new())
        } else {
            crate::fork::fork(
                || this.coinbase_plan(n),
                || due.iter().filter_map(|netuid| this.yuma_step(*netuid, n)).collect(),
            )
        };
        self.run_coinbase(plan, n);
        for step in steps {
            self.apply_epoch(step, n, events);
        }
    }

    /// The shares of block `n`'s emission, as the coinbase will compute them from the current
    /// state: (block emission, per-subnet emissions, the share rule's state after, root sell
    /// flag, the share inputs). `None` if no subnet emits.
    pub(super) fn coinbase_plan(&self, n: BlockNumber) -> Option<CoinbasePlan> {
        let emission = block_emission_cached(self.state.total_issuance);
        let inputs: Vec<SubnetShareInput> = self
            .state
            .subnets
            .values()
            .filter(|s| s.netuid != ROOT)
            .map(|s| SubnetShareInput {
                netuid: s.netuid,
                moving_price: I96F32::from_bits(s.moving_price_bits),
                miner_burned: U96F32::from_bits(s.miner_burned_bits),
                tao_flow_ema: I64F64::from_bits(0),
                emission_enabled: true,
                eligible: s.first_emission_block.is_some_and(|b| b <= n),
            })
            .collect();
        if !inputs.iter().any(|i| i.eligible) {
            return None;
        }
        let mut rule_after = self.state.share_rule;
        let emissions = match self.state.share_rule {
            ShareRuleKind::PriceEma => {
                subnet_block_emissions(&mut PriceEmaRule, n, &inputs, emission)
            }
            ShareRuleKind::PriceBurn => {
                subnet_block_emissions(&mut PriceBurnRule, n, &inputs, emission)
            }
            ShareRuleKind::PriceBurnGate { theta_bits } => {
                let mut rule = default_share_rule();
                rule.theta = U64F64::from_bits(theta_bits);
                let r = subnet_block_emissions(&mut rule, n, &inputs, emission);
                rule_after = ShareRuleKind::PriceBurnGate { theta_bits: rule.theta.to_bits() };
                r
            }
        };
        let emissions = emissions.ok()?;
        Some(CoinbasePlan {
            emission,
            root_sell: root_sell_flag(&inputs),
            emissions,
            rule_after,
            inputs,
        })
    }

    /// The pools as the next block's transactions will find them (after its coinbase), for
    /// exact quotes. Cached until the next block.
    pub(super) fn next_block_pools(&self) -> &BTreeMap<NetUid, Pool> {
        self.next_pools.get_or_init(|| {
            let n = self.state.block.saturating_add(1);
            let mut pools = BTreeMap::new();
            let Some(plan) = self.coinbase_plan(n) else { return pools };
            let root_tao = self.state.subnets.get(&ROOT).map_or(0, |r| r.pool.reserves.tao);
            for em in &plan.emissions {
                let Some(sn) = self.state.subnets.get(&em.netuid) else { continue };
                let mut pool = sn.pool.clone();
                inject(&mut pool, sn.alpha_out, em, root_tao, self.state.params.tao_weight);
                pools.insert(em.netuid, pool);
            }
            pools
        })
    }

    /// Block `n`'s coinbase by `plan` (from [`Runtime::coinbase_plan`] on the state before it).
    fn run_coinbase(&mut self, plan: Option<CoinbasePlan>, n: BlockNumber) {
        for s in self.state.subnets.values_mut() {
            s.emission_share_bits = 0;
            s.tao_emission = 0;
            s.tao_in_emission = 0;
            s.alpha_in_emission = 0;
            s.alpha_out_emission = 0;
        }
        let Some(plan) = plan else { return };
        self.state.share_rule = plan.rule_after;
        let emission = plan.emission;
        let root_sell = plan.root_sell;
        let inputs = plan.inputs;
        let root_tao = self.state.subnets.get(&ROOT).map_or(0, |r| r.pool.reserves.tao);
        let tao_weight = self.state.params.tao_weight;
        let owner_cut = self.state.params.subnet_owner_cut;
        let mut into_pools: u64 = 0;
        for em in &plan.emissions {
            let Some(sn) = self.state.subnets.get_mut(&em.netuid) else { continue };
            let inj = inject(&mut sn.pool, sn.alpha_out, em, root_tao, tao_weight);
            sn.protocol_alpha = sn.protocol_alpha.saturating_add(inj.bought_alpha);
            sn.alpha_out = sn.alpha_out.saturating_add(inj.bought_alpha);
            let tao_used = inj.tao_used;
            let terms = inj.terms;
            into_pools = into_pools.saturating_add(tao_used);
            // Alpha out, split into pending.
            let split = split_alpha_out(
                terms.alpha_out_rao,
                terms.root_proportion,
                owner_cut,
                true,
                root_sell,
            );
            sn.pending_owner = sn.pending_owner.saturating_add(split.owner_cut_rao);
            sn.pending_server = sn.pending_server.saturating_add(split.server_rao);
            sn.pending_validator = sn.pending_validator.saturating_add(split.validator_rao);
            let mut minted_alpha = split
                .owner_cut_rao
                .saturating_add(split.server_rao)
                .saturating_add(split.validator_rao);
            if !split.root_alpha_recycled {
                sn.pending_root = sn.pending_root.saturating_add(split.root_alpha_rao);
                minted_alpha = minted_alpha.saturating_add(split.root_alpha_rao);
            }
            sn.alpha_out = sn.alpha_out.saturating_add(minted_alpha);
            sn.emission_share_bits = em.share.to_bits();
            sn.tao_emission = tao_used;
            sn.tao_in_emission = terms.tao_in_rao;
            sn.alpha_in_emission = terms.alpha_in_rao;
            sn.alpha_out_emission = terms.alpha_out_rao;
        }
        let into_pools = into_pools.min(emission);
        let st = &mut self.state;
        st.total_issuance = st.total_issuance.saturating_add(into_pools);
        st.minted_tao = st.minted_tao.saturating_add(emission);
        st.recycled_tao = st.recycled_tao.saturating_add(emission - into_pools);

        // Moving prices of the emitting subnets.
        let halving = st.params.ema_price_halving_blocks;
        for input in inputs.iter().filter(|i| i.eligible) {
            let Some(sn) = st.subnets.get_mut(&input.netuid) else { continue };
            let first = sn.first_emission_block.unwrap_or(n);
            let updated = update_moving_price(
                I96F32::from_bits(sn.moving_price_bits),
                sn.pool.spot_price(),
                blocks_since_start_call(n, first),
                halving,
                default_moving_alpha(),
            );
            sn.moving_price_bits = updated.to_bits();
        }
    }

    /// The subnets whose epoch runs in block `n`, in netuid order, at most
    /// [`MAX_EPOCHS_PER_BLOCK`].
    fn due_epochs(&self, n: BlockNumber) -> Vec<NetUid> {
        self.state
            .subnets
            .values()
            .filter(|s| {
                s.netuid != ROOT
                    && s.first_emission_block.is_some_and(|b| b <= n)
                    && n.saturating_sub(s.last_epoch_block)
                        >= u64::from(s.hyperparameters.tempo.max(1))
            })
            .map(|s| s.netuid)
            .take(MAX_EPOCHS_PER_BLOCK)
            .collect()
    }

    /// Yuma on `netuid`'s neurons and stakes as they are now, for its epoch in block `n`.
    /// `None` if the subnet is gone or its matrices cannot be made (the epoch is skipped).
    fn yuma_step(&self, netuid: NetUid, n: BlockNumber) -> Option<EpochStep> {
        let tao_weight = self.state.params.tao_weight;
        let sn = self.state.subnets.get(&netuid)?;
        let root = self.state.subnets.get(&ROOT);
        let k = sn.neurons.len();
        let mut stake = Vec::with_capacity(k);
        let mut root_stake = Vec::with_capacity(k);
        for neuron in &sn.neurons {
            let r = root.map_or(0, |r| r.hotkey_alpha(&neuron.hotkey));
            stake.push(stake_weight(sn.hotkey_alpha(&neuron.hotkey), r, tao_weight));
            root_stake.push(r);
        }
        let (Ok(mut weights), Ok(mut bonds)) =
            (Matrix::<u16>::zeros(k, k), Matrix::<u16>::zeros(k, k))
        else {
            return None;
        };
        for (i, neuron) in sn.neurons.iter().enumerate() {
            let row = weights.row_mut(i);
            for &(uid, w) in &neuron.weights {
                if let Some(cell) = row.get_mut(usize::from(uid)) {
                    *cell = w;
                }
            }
            let row = bonds.row_mut(i);
            for &(uid, b) in &neuron.bonds {
                if let Some(cell) = row.get_mut(usize::from(uid)) {
                    *cell = b;
                }
            }
        }
        let h = &sn.hyperparameters;
        let active: Vec<bool> = sn
            .neurons
            .iter()
            .map(|x| n.saturating_sub(x.last_update) <= u64::from(h.activity_cutoff))
            .collect();
        let permits: Vec<bool> = sn.neurons.iter().map(|x| x.validator_permit).collect();
        let last_update: Vec<u64> = sn.neurons.iter().map(|x| x.last_update).collect();
        let registered: Vec<u64> = sn.neurons.iter().map(|x| x.registered_at).collect();
        let owner_uid = sn.uid_of(&sn.owner_hotkey).map(usize::from);
        let params = YumaParams {
            kappa: h.kappa,
            max_validators: h.max_allowed_validators,
            bonds_moving_average: h.bonds_moving_average,
            ..YumaParams::default()
        };
        let input = EpochInput {
            stake: &stake,
            weights: &weights,
            bonds: &bonds,
            active: &active,
            validator_permits: Some(&permits),
            owner_uid,
            registration: Some(RegistrationMasks {
                last_update: &last_update,
                block_at_registration: &registered,
                last_tempo_block: sn.last_epoch_block.saturating_add(1),
            }),
        };
        Some(EpochStep { netuid, root_stake, out: run_epoch(&input, &params) })
    }

    /// The epoch of `step.netuid` in block `n`: drains pending alpha by its Yuma step to
    /// miners, validators (and their nominators), root stakers of the validators, and the
    /// owner.
    fn apply_epoch(&mut self, step: EpochStep, n: BlockNumber, events: &mut Vec<Event>) {
        let EpochStep { netuid, root_stake, out } = step;
        let tao_weight = self.state.params.tao_weight;
        let Some(sn) = self.state.subnets.get(&netuid) else { return };
        let k = sn.neurons.len();
        let h = &sn.hyperparameters;
        let owner_coldkey = sn.owner_coldkey;
        let owner_hotkey = sn.owner_hotkey;
        let recycle = h.recycle_or_burn == RecycleOrBurn::Recycle;
        let neurons: Vec<(chain::AccountId, chain::AccountId)> =
            sn.neurons.iter().map(|x| (x.hotkey, x.coldkey)).collect();

        // Neurons change; stakes only through the dividends, each marking its own pool.
        self.digests.mark_body(netuid);
        let Some(sn) = self.state.subnets.get_mut(&netuid) else { return };
        sn.last_epoch_block = n;
        let Ok(out) = out else { return };
        let server = std::mem::take(&mut sn.pending_server);
        let validator = std::mem::take(&mut sn.pending_validator);
        let root_pot = std::mem::take(&mut sn.pending_root);
        let owner_cut = std::mem::take(&mut sn.pending_owner);
        let split = out.split_emission(server, validator);

        // Neuron statistics and bonds.
        for (i, neuron) in sn.neurons.iter_mut().enumerate() {
            neuron.incentive = out.incentive.get(i).map_or(0, |x| to_u16_proportion(*x));
            neuron.dividends = out.dividends.get(i).map_or(0, |x| to_u16_proportion(*x));
            neuron.consensus = out.consensus.get(i).map_or(0, |x| to_u16_proportion(*x));
            neuron.validator_permit = out.validator_permits.get(i).copied().unwrap_or(false);
            neuron.bonds = out
                .bonds
                .row(i)
                .iter()
                .enumerate()
                .filter(|(_, b)| **b != 0)
                .filter_map(|(j, b)| u16::try_from(j).ok().map(|j| (j, *b)))
                .collect();
            neuron.emission = 0;
        }

        // Miners: incentive staked to the miner; the owner's own hotkeys' share is withheld.
        let mut paid_incentive: u64 = 0;
        let mut withheld: u64 = 0;
        let mut emission = vec![0u64; k];
        for (i, (hot, cold)) in neurons.iter().enumerate() {
            let inc = split.incentive_rao.get(i).copied().unwrap_or(0);
            if inc == 0 {
                continue;
            }
            if *cold == owner_coldkey {
                withheld = withheld.saturating_add(inc);
            } else {
                self.stake_credit(netuid, hot, cold, inc);
                paid_incentive = paid_incentive.saturating_add(inc);
            }
            if let Some(e) = emission.get_mut(i) {
                *e = e.saturating_add(inc);
            }
        }
        let total_incentive = paid_incentive.saturating_add(withheld);
        let miner_burned = if total_incentive == 0 {
            U96F32::from_num(0)
        } else {
            U96F32::saturating_from_num(withheld)
                .checked_div(U96F32::saturating_from_num(total_incentive))
                .unwrap_or_default()
        };
        let mut recycled_alpha: u64 = 0;
        let mut burned_alpha: u64 = 0;
        if recycle {
            recycled_alpha = recycled_alpha.saturating_add(withheld);
        } else {
            burned_alpha = burned_alpha.saturating_add(withheld);
        }

        // Validators: dividends with the hotkey take, the rest to nominators pro rata.
        let mut dividends_paid: u64 = 0;
        for (i, (hot, _)) in neurons.iter().enumerate() {
            let d = split.dividend_rao.get(i).copied().unwrap_or(0);
            if d > 0 {
                self.pay_dividend(netuid, hot, d);
                dividends_paid = dividends_paid.saturating_add(d);
                if let Some(e) = emission.get_mut(i) {
                    *e = e.saturating_add(d);
                }
            }
        }
        recycled_alpha = recycled_alpha.saturating_add(split.undistributed_rao);

        // Root pot: to validators by dividends × τ·root stake, then to their root stakers.
        if root_pot > 0 {
            let tau = I64F64::saturating_from_num(dtao::emission::tao_weight_fraction(tao_weight));
            // By dividends; with none, by active stake, then by stake (as the alpha pot).
            let by = [&out.dividends, &out.active_stake, &out.stake];
            let w: Vec<u128> = by
                .iter()
                .map(|v| {
                    (0..k)
                        .map(|i| {
                            let d =
                                v.get(i).map_or(0, |x| u128::try_from(x.to_bits()).unwrap_or(0));
                            let r = I64F64::saturating_from_num(
                                root_stake.get(i).copied().unwrap_or(0),
                            )
                            .saturating_mul(tau)
                            .saturating_to_num::<u64>();
                            d.saturating_mul(u128::from(r))
                        })
                        .collect::<Vec<u128>>()
                })
                .find(|w| w.iter().any(|x| *x > 0))
                .unwrap_or_default();
            match apportion(root_pot, &w) {
                Some(parts) => {
                    for (i, part) in parts.iter().enumerate() {
                        if *part == 0 {
                            continue;
                        }
                        if let Some((hot, _)) = neurons.get(i) {
                            self.pay_root_dividend(netuid, hot, *part);
                            dividends_paid = dividends_paid.saturating_add(*part);
                            if let Some(e) = emission.get_mut(i) {
                                *e = e.saturating_add(*part);
                            }
                        }
                    }
                }
                None => recycled_alpha = recycled_alpha.saturating_add(root_pot),
            }
        }

        // Owner cut to the owner hotkey.
        if owner_cut > 0 {
            self.stake_credit(netuid, &owner_hotkey, &owner_coldkey, owner_cut);
        }

        let Some(sn) = self.state.subnets.get_mut(&netuid) else { return };
        for (neuron, e) in sn.neurons.iter_mut().zip(&emission) {
            neuron.emission = *e;
        }
        sn.miner_burned_bits = miner_burned.to_bits();
        sn.alpha_out = sn.alpha_out.saturating_sub(recycled_alpha);
        sn.alpha_burned = sn.alpha_burned.saturating_add(burned_alpha);
        if withheld > 0 {
            if recycle {
                events.push(Event::AlphaRecycled { netuid, amount: withheld });
            } else {
                events.push(Event::AlphaBurned { netuid, amount: withheld });
            }
        }
        events.push(Event::EpochCompleted {
            netuid,
            incentive: paid_incentive,
            dividends: dividends_paid,
            owner_cut,
            owner_miner_burned: withheld,
        });
    }

    /// A validator's dividend: the take to the hotkey's owner, the rest to everyone staked on
    /// the hotkey pro rata (raising `TotalHotkeyAlpha`).
    fn pay_dividend(&mut self, netuid: NetUid, hotkey: &chain::AccountId, amount: u64) {
        let owner = self.state.hotkey_owner.get(hotkey).copied().unwrap_or(*hotkey);
        let take = take_of(amount);
        let rest = amount - take;
        let has_holders = self
            .state
            .subnets
            .get(&netuid)
            .and_then(|s| s.stakes.get(hotkey))
            .is_some_and(|p| p.total_shares > 0);
        if has_holders {
            if let Some(pool) =
                self.state.subnets.get_mut(&netuid).and_then(|s| s.stakes.get_mut(hotkey))
            {
                pool.total_alpha = pool.total_alpha.saturating_add(rest);
            }
            self.digests.mark_pool(netuid, hotkey);
            self.stake_credit(netuid, hotkey, &owner, take);
        } else {
            self.stake_credit(netuid, hotkey, &owner, amount);
        }
    }

    /// A validator's root dividend on `netuid`: the take to the hotkey's owner, the rest as
    /// alpha stake on `netuid` to the coldkeys staked on the hotkey on root, pro rata (the
    /// chain's root claim with `Keep`, claimed at once).
    fn pay_root_dividend(&mut self, netuid: NetUid, hotkey: &chain::AccountId, amount: u64) {
        let owner = self.state.hotkey_owner.get(hotkey).copied().unwrap_or(*hotkey);
        let take = take_of(amount);
        let rest = amount - take;
        let holders: Vec<(chain::AccountId, u128)> = self
            .state
            .subnets
            .get(&ROOT)
            .and_then(|r| r.stakes.get(hotkey))
            .map(|p| p.shares.iter().map(|(c, s)| (*c, *s)).collect())
            .unwrap_or_default();
        let weights: Vec<u128> = holders.iter().map(|(_, s)| *s).collect();
        match apportion(rest, &weights) {
            Some(parts) => {
                for ((cold, _), part) in holders.iter().zip(parts) {
                    self.stake_credit(netuid, hotkey, cold, part);
                }
                self.stake_credit(netuid, hotkey, &owner, take);
            }
            None => self.stake_credit(netuid, hotkey, &owner, amount),
        }
    }
}

/// The hotkey take of a dividend (floored).
fn take_of(amount: u64) -> u64 {
    let t = u128::from(amount) * u128::from(HOTKEY_TAKE) / u128::from(u16::MAX);
    u64::try_from(t).unwrap_or(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cached_emission_matches_dtao_at_the_boundaries() {
        for (start, emission) in emission_table() {
            assert_eq!(block_emission_cached(*start), *emission);
            assert_eq!(block_emission_cached(*start), dtao::emission::block_emission(*start));
            if *start > 0 {
                assert_eq!(
                    block_emission_cached(start - 1),
                    dtao::emission::block_emission(start - 1)
                );
            }
        }
    }

    #[test]
    fn apportion_is_exact() {
        assert_eq!(apportion(10, &[1, 1, 1]), Some(vec![4, 3, 3]));
        assert_eq!(apportion(10, &[0, 0]), None);
        assert_eq!(
            apportion(7, &[u128::MAX / 2, u128::MAX / 2]).map(|v| v.iter().sum::<u64>()),
            Some(7)
        );
    }

    proptest! {
        #[test]
        fn cached_emission_matches_dtao(i in 0u64..=21_000_000_000_000_001) {
            prop_assert_eq!(block_emission_cached(i), dtao::emission::block_emission(i));
        }

        #[test]
        fn cached_terms_match_dtao(
            e in 0u64..2_000_000_000,
            issuance in 0u64..21_000_000_000_000_000,
            price_bits in 1u128..(1u128 << 80),
            root in 0u64..10_000_000_000_000_000,
            weight in any::<u64>(),
        ) {
            let te = U96F32::saturating_from_num(e);
            let p = U64F64::from_bits(price_bits);
            prop_assert_eq!(
                injection_terms_cached(te, issuance, p, root, weight),
                dtao::emission::injection_terms(te, issuance, p, root, weight)
            );
        }
    }
}
