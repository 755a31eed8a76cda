//! The agents that make a week of history eventful: founders who register subnets at the
//! chain's lock cost (at the subnet limit the chain dissolves the weakest one to make room),
//! owners who retune a hyperparameter now and then, the burning owner's on–off cycle, and a
//! trader who lets another account trade for it through a staking proxy.
//!
//! Their schedule is in block numbers from genesis ([`SimOptions`]), their choices come from
//! the block's random stream, so they are as deterministic as the rest of the simulation.

use chain::{
    AccountId, BlockNumber, Call, Hash, Hyperparameter, NetUid, ProxyType, SigningContext,
    SubnetIdentity,
};
use parity_scale_codec::{Decode, Encode};
use rand::Rng;

use super::{FEE_MARGIN, SimOptions, Simulation, Unsigned};
use crate::genesis::TAO;
use crate::runtime::Runtime;

/// Blocks a founder waits after registering before it starts its subnet's emission.
const START_AFTER: u64 = 300;

/// Blocks after adding its proxy before the trader first uses it (the proxy must be in).
const PROXY_SETTLE: u64 = 3;

/// Names the founders give their subnets.
const FOUNDED_NAMES: [&str; 8] =
    ["Lumen", "Quarry", "Tessellate", "Halcyon", "Meridian", "Bramble", "Cinder", "Vantage"];

/// What the founders, tuners and proxy users have done (saved with the simulation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Encode, Decode)]
pub(super) struct AgentState {
    /// Registrations tried so far (the next is due `found_every` blocks after the last).
    pub(super) registrations: u64,
    /// Hyperparameter changes tried so far.
    pub(super) tunes: u64,
    /// When the trading proxy was added.
    pub(super) proxy_added: Option<BlockNumber>,
    /// When the last registration was submitted, until the founder has started the subnet.
    pub(super) founded_at: Option<BlockNumber>,
}

impl SimOptions {
    /// Whether the burning owner burns in block `now` (cycles of `burn_cycle` blocks from
    /// `burn_after`, burning for the first `burn_for` of each).
    pub(super) fn burning_at(&self, start: BlockNumber, now: BlockNumber) -> bool {
        let Some(since) = now.checked_sub(start.saturating_add(self.burn_after)) else {
            return false;
        };
        since % self.burn_cycle.max(1) < self.burn_for
    }
}

impl Simulation {
    /// Founders (the whales, in turn) register a subnet every `found_every` blocks when they
    /// can pay the lock, and start its emission a little later.
    pub(super) fn founders_act(
        &mut self,
        runtime: &Runtime,
        now: BlockNumber,
        ctx: &SigningContext,
        out: &mut Vec<Unsigned>,
    ) {
        if self.whales.is_empty() {
            return;
        }
        // Start what a founder registered (looked for only then: reading every subnet each
        // block would cost more than the rest of the simulation).
        if self.agents.founded_at.is_some_and(|b| now >= b + START_AFTER) {
            self.agents.founded_at = None;
            let founders: Vec<(usize, AccountId)> =
                self.whales.iter().filter_map(|i| Some((*i, self.account_of(*i)?))).collect();
            for s in runtime.subnets() {
                let Some((idx, _)) = founders.iter().find(|(_, a)| *a == s.owner_coldkey) else {
                    continue;
                };
                if s.first_emission_block.is_none() {
                    let Some(nonce) = self.claim(*idx, runtime, now) else {
                        // Busy this block: try again next block.
                        self.agents.founded_at = Some(now.saturating_sub(START_AFTER) + 1);
                        continue;
                    };
                    self.stats.owner_calls += 1;
                    self.sign(*idx, nonce, Call::StartCall { netuid: s.netuid }, now, ctx, out);
                }
            }
        }
        let k = self.agents.registrations;
        let due = self
            .start_block
            .saturating_add(self.opts.found_after)
            .saturating_add(k.saturating_mul(self.opts.found_every));
        if now < due {
            return;
        }
        let idx = self.whales[usize::try_from(k).unwrap_or(0) % self.whales.len()];
        let Some(who) = self.account_of(idx) else { return };
        let Some(nonce) = self.claim(idx, runtime, now) else { return };
        self.agents.registrations += 1;
        let lock = runtime.network_lock_cost();
        if runtime.account(&who).free < lock.saturating_add(FEE_MARGIN) {
            return;
        }
        // A hotkey nobody else owns, derived from the seed (it never signs).
        let hotkey = AccountId(Hash::of(&(self.seed, b"founder hotkey", k).encode()).0);
        let name = FOUNDED_NAMES[usize::try_from(k).unwrap_or(0) % FOUNDED_NAMES.len()];
        let identity = SubnetIdentity {
            name: name.to_string(),
            symbol: name.chars().take(3).collect::<String>().to_uppercase(),
            description: format!("{name}: a new subnet, registered for {} τ.", lock / TAO),
            ..SubnetIdentity::default()
        };
        self.stats.owner_calls += 1;
        self.agents.founded_at = Some(now);
        let call = Call::RegisterNetwork { hotkey, identity: Some(identity) };
        self.sign(idx, nonce, call, now, ctx, out);
    }

    /// Every `tune_every` blocks an owner of a running subnet changes one hyperparameter.
    pub(super) fn tuners_act<R: Rng>(
        &mut self,
        runtime: &Runtime,
        now: BlockNumber,
        ctx: &SigningContext,
        rng: &mut R,
        out: &mut Vec<Unsigned>,
    ) {
        let k = self.agents.tunes;
        let due = self
            .start_block
            .saturating_add(self.opts.tune_every)
            .saturating_add(k.saturating_mul(self.opts.tune_every));
        if now < due || self.owners.is_empty() {
            return;
        }
        let o = rng.gen_range(0..self.owners.len());
        let (cold, netuid) = (self.owners[o].cold, self.owners[o].netuid);
        let Some(who) = self.account_of(cold) else { return };
        // The owner of a subnet the chain dissolved since has nothing to tune.
        let Some(subnet) = runtime.subnet(netuid).filter(|s| s.owner_coldkey == who) else {
            self.agents.tunes += 1;
            return;
        };
        let Some(nonce) = self.claim(cold, runtime, now) else { return };
        self.agents.tunes += 1;
        let h = &subnet.hyperparameters;
        let param = match rng.gen_range(0..3) {
            0 => Hyperparameter::ImmunityPeriod(rng.gen_range(3_000..=7_200)),
            1 => Hyperparameter::BondsMovingAverage(rng.gen_range(900_000..=975_000)),
            _ => Hyperparameter::MaxBurn(h.min_burn.max(rng.gen_range(50..=100) * TAO)),
        };
        self.stats.owner_calls += 1;
        self.sign(cold, nonce, Call::SetHyperparameter { netuid, param }, now, ctx, out);
    }

    /// The proxied trader adds its delegate as a staking proxy once, `proxy_after` blocks in.
    pub(super) fn proxies_act(
        &mut self,
        runtime: &Runtime,
        now: BlockNumber,
        ctx: &SigningContext,
        out: &mut Vec<Unsigned>,
    ) {
        let Some((real, delegate)) = self.proxy_pair else { return };
        if self.agents.proxy_added.is_some()
            || now < self.start_block.saturating_add(self.opts.proxy_after)
        {
            return;
        }
        let Some(delegate) = self.account_of(delegate) else { return };
        let Some(nonce) = self.claim(real, runtime, now) else { return };
        self.agents.proxy_added = Some(now);
        self.stats.owner_calls += 1;
        let call = Call::AddProxy { delegate, proxy_type: ProxyType::Staking };
        self.sign(real, nonce, call, now, ctx, out);
    }

    /// The proxied trader's order, signed by its delegate (every other block, once the proxy
    /// is in), as `(signer, nonce, call)`; otherwise the order as it was.
    pub(super) fn through_proxy(
        &mut self,
        runtime: &Runtime,
        idx: usize,
        nonce: u64,
        call: Call,
        now: BlockNumber,
    ) -> (usize, u64, Call) {
        let Some((real, delegate)) = self.proxy_pair else { return (idx, nonce, call) };
        let settled = self.agents.proxy_added.is_some_and(|b| now >= b + PROXY_SETTLE);
        if idx != real || !settled || !now.is_multiple_of(2) {
            return (idx, nonce, call);
        }
        let (Some(real_account), Some(delegate_nonce)) =
            (self.account_of(real), self.claim(delegate, runtime, now))
        else {
            return (idx, nonce, call);
        };
        let proxied = Call::Proxy { real: real_account, call: Box::new(call) };
        (delegate, delegate_nonce, proxied)
    }

    /// The burning owner's subnet, when its validators should weight the owner now.
    pub(super) fn burning_now(&self, now: BlockNumber, netuid: NetUid) -> bool {
        self.burner.is_some_and(|(n, _)| n == netuid) && self.opts.burning_at(self.start_block, now)
    }
}
