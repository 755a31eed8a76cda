//! Calls: what each [`Call`] does, with the chain's checks and error names.
//!
//! Every call computes its whole effect (swaps are simulated with `Pool::swap`, which does not
//! touch the pool) and checks everything before its first write, so a failed call leaves the
//! state as it was; only the fee and the nonce, charged by the block producer, remain.

use std::net::IpAddr;

use chain::{
    AccountId, AxonInfo, Call, DispatchError, Event, Hash, Hyperparameter, NetUid, ProxyType,
    SubnetIdentity, SwapFailure,
};
use dtao::amm::{PriceLimit, Side, SwapOutcome};
use dtao::fixed::U64F64;
use dtao::lock::{LockParams, LockState, lock_cost_rao};

use super::Runtime;
use super::state::{Neuron, ROOT, Subnet, WeightCommit};

/// Most proxies one account may have.
const MAX_PROXIES: usize = 32;

/// Most pending weight commits per hotkey and subnet.
const MAX_COMMITS: usize = 10;

/// Rao per TAO: the stable mechanism's price.
use dtao::units::RAO_PER_TAO as ONE_TAO;

/// A limit order: price in rao per alpha and whether a partial fill is acceptable.
type Limit = Option<(u64, bool)>;

/// A simulated buy on one subnet.
#[derive(Debug, Clone)]
struct Buy {
    netuid: NetUid,
    /// `None` on the stable mechanism (1:1).
    outcome: Option<SwapOutcome>,
    consumed: u64,
    alpha: u64,
    fee: u64,
}

/// A simulated sell on one subnet.
#[derive(Debug, Clone)]
struct Sell {
    netuid: NetUid,
    outcome: Option<SwapOutcome>,
    /// Alpha taken from the stake (net + fee).
    consumed: u64,
    /// Net alpha into the pool.
    net: u64,
    tao: u64,
    fee: u64,
}

/// The kind of a stake move, for its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MoveKind {
    Move,
    Swap,
    Transfer,
}

fn swap_err(e: SwapFailure) -> DispatchError {
    DispatchError::Swap(e)
}

impl Runtime {
    fn now(&self) -> u64 {
        self.state.block
    }

    fn subnet_ref(&self, netuid: NetUid) -> Result<&Subnet, DispatchError> {
        self.state.subnets.get(&netuid).ok_or(DispatchError::SubnetNotExists { netuid })
    }

    fn started(&self, netuid: NetUid) -> Result<&Subnet, DispatchError> {
        let s = self.subnet_ref(netuid)?;
        if !s.subtoken_enabled() {
            return Err(DispatchError::SubtokenDisabled { netuid });
        }
        Ok(s)
    }

    fn owned_subnet(&self, who: &AccountId, netuid: NetUid) -> Result<&Subnet, DispatchError> {
        let s = self.subnet_ref(netuid)?;
        if s.is_stable() || s.owner_coldkey != *who {
            return Err(DispatchError::NotSubnetOwner { netuid });
        }
        Ok(s)
    }

    fn hotkey_exists(&self, hot: &AccountId) -> Result<(), DispatchError> {
        if self.state.hotkey_owner.contains_key(hot) {
            Ok(())
        } else {
            Err(DispatchError::HotKeyAccountNotExists)
        }
    }

    fn rate_limited(
        &self,
        hot: &AccountId,
        cold: &AccountId,
        netuid: NetUid,
    ) -> Result<(), DispatchError> {
        if self.state.staking_ops_block == self.now()
            && self.state.staking_ops.contains(&(*hot, *cold, netuid))
        {
            return Err(DispatchError::StakingOperationRateLimitExceeded);
        }
        Ok(())
    }

    fn mark_staking_op(&mut self, hot: &AccountId, cold: &AccountId, netuid: NetUid) {
        if self.state.staking_ops_block != self.now() {
            self.state.staking_ops.clear();
            self.state.staking_ops_block = self.now();
        }
        self.state.staking_ops.insert((*hot, *cold, netuid));
    }

    /// Simulates buying alpha with `tao` on `netuid`.
    fn plan_buy(
        &self,
        netuid: NetUid,
        tao: u64,
        limit: Limit,
        drop_fees: bool,
    ) -> Result<Buy, DispatchError> {
        let s = self.subnet_ref(netuid)?;
        if s.is_stable() {
            if let Some((price, partial)) = limit
                && price < ONE_TAO
            {
                return Err(swap_err(if partial {
                    SwapFailure::PriceLimitExceeded
                } else {
                    SwapFailure::SlippageTooHigh
                }));
            }
            return Ok(Buy { netuid, outcome: None, consumed: tao, alpha: tao, fee: 0 });
        }
        let outcome = match limit {
            None => s.pool.swap(Side::Buy, tao, PriceLimit::None, drop_fees)?,
            Some((price, partial)) => s.pool.swap_with_limit(Side::Buy, tao, price, partial)?,
        };
        Ok(Buy {
            netuid,
            consumed: outcome.consumed(),
            alpha: outcome.amount_out,
            fee: outcome.fee,
            outcome: Some(outcome),
        })
    }

    /// Simulates selling `alpha` on `netuid`.
    fn plan_sell(&self, netuid: NetUid, alpha: u64, limit: Limit) -> Result<Sell, DispatchError> {
        let s = self.subnet_ref(netuid)?;
        if s.is_stable() {
            if let Some((price, partial)) = limit
                && price > ONE_TAO
            {
                return Err(swap_err(if partial {
                    SwapFailure::PriceLimitExceeded
                } else {
                    SwapFailure::SlippageTooHigh
                }));
            }
            return Ok(Sell {
                netuid,
                outcome: None,
                consumed: alpha,
                net: alpha,
                tao: alpha,
                fee: 0,
            });
        }
        let outcome = match limit {
            None => s.pool.swap(Side::Sell, alpha, PriceLimit::None, false)?,
            Some((price, partial)) => s.pool.swap_with_limit(Side::Sell, alpha, price, partial)?,
        };
        Ok(Sell {
            netuid,
            consumed: outcome.consumed(),
            net: outcome.delta_in,
            tao: outcome.amount_out,
            fee: outcome.fee,
            outcome: Some(outcome),
        })
    }

    /// Commits a buy: the pool moves, `SubnetAlphaOut` grows, the alpha is staked. The caller
    /// has taken `buy.consumed` TAO from the buyer.
    fn apply_buy(&mut self, buy: &Buy, hot: &AccountId, cold: &AccountId) {
        let mut author = 0;
        if let Some(s) = self.state.subnets.get_mut(&buy.netuid) {
            match &buy.outcome {
                Some(o) => {
                    s.pool.apply(o);
                    author = o.author_tao;
                }
                None => s.pool.reserves.tao = s.pool.reserves.tao.saturating_add(buy.consumed),
            }
            s.alpha_out = s.alpha_out.saturating_add(buy.alpha);
            s.volume = s.volume.saturating_add(u128::from(buy.consumed));
        }
        self.pay_author(author);
        self.stake_credit(buy.netuid, hot, cold, buy.alpha);
    }

    /// Commits a sell: the stake is debited, the pool moves (twice, with the author-fee swap),
    /// `SubnetAlphaOut` falls. The caller pays `sell.tao` to the seller.
    fn apply_sell(&mut self, sell: &Sell, hot: &AccountId, cold: &AccountId) {
        self.stake_debit(sell.netuid, hot, cold, sell.consumed);
        let mut author = 0;
        if let Some(s) = self.state.subnets.get_mut(&sell.netuid) {
            match &sell.outcome {
                Some(o) => {
                    s.pool.apply(o);
                    author = o.author_tao;
                    let burned = o.fee_alpha_burned;
                    s.alpha_out = s.alpha_out.saturating_sub(sell.consumed.saturating_sub(burned));
                    s.alpha_burned = s.alpha_burned.saturating_add(burned);
                    s.volume = s.volume.saturating_add(u128::from(sell.tao.saturating_add(author)));
                }
                None => {
                    s.pool.reserves.tao = s.pool.reserves.tao.saturating_sub(sell.tao);
                    s.alpha_out = s.alpha_out.saturating_sub(sell.consumed);
                    s.volume = s.volume.saturating_add(u128::from(sell.tao));
                }
            }
        }
        self.pay_author(author);
    }

    /// Dispatches `call` as `who`. On error nothing has changed.
    pub(super) fn dispatch(
        &mut self,
        who: AccountId,
        call: &Call,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        match call {
            Call::Transfer { dest, amount } => self.transfer(who, *dest, amount.rao(), events),
            Call::AddStake { hotkey, netuid, amount_staked } => {
                self.add_stake(who, *hotkey, *netuid, amount_staked.rao(), None, events)
            }
            Call::AddStakeLimit { hotkey, netuid, amount_staked, limit_price, allow_partial } => {
                self.add_stake(
                    who,
                    *hotkey,
                    *netuid,
                    amount_staked.rao(),
                    Some((*limit_price, *allow_partial)),
                    events,
                )
            }
            Call::RemoveStake { hotkey, netuid, amount_unstaked } => {
                self.remove_stake(who, *hotkey, *netuid, Some(amount_unstaked.rao()), None, events)
            }
            Call::RemoveStakeLimit {
                hotkey,
                netuid,
                amount_unstaked,
                limit_price,
                allow_partial,
            } => self.remove_stake(
                who,
                *hotkey,
                *netuid,
                Some(amount_unstaked.rao()),
                Some((*limit_price, *allow_partial)),
                events,
            ),
            Call::RemoveStakeFullLimit { hotkey, netuid, limit_price } => self.remove_stake(
                who,
                *hotkey,
                *netuid,
                None,
                limit_price.map(|p| (p, false)),
                events,
            ),
            Call::SwapStake { hotkey, origin_netuid, destination_netuid, alpha_amount } => self
                .move_stake(
                    MoveKind::Swap,
                    who,
                    who,
                    *hotkey,
                    *hotkey,
                    *origin_netuid,
                    *destination_netuid,
                    alpha_amount.rao(),
                    None,
                    events,
                ),
            Call::SwapStakeLimit {
                hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
                limit_price,
                allow_partial,
            } => self.move_stake(
                MoveKind::Swap,
                who,
                who,
                *hotkey,
                *hotkey,
                *origin_netuid,
                *destination_netuid,
                alpha_amount.rao(),
                Some((*limit_price, *allow_partial)),
                events,
            ),
            Call::MoveStake {
                origin_hotkey,
                destination_hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
            } => self.move_stake(
                MoveKind::Move,
                who,
                who,
                *origin_hotkey,
                *destination_hotkey,
                *origin_netuid,
                *destination_netuid,
                alpha_amount.rao(),
                None,
                events,
            ),
            Call::TransferStake {
                destination_coldkey,
                hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
            } => self.move_stake(
                MoveKind::Transfer,
                who,
                *destination_coldkey,
                *hotkey,
                *hotkey,
                *origin_netuid,
                *destination_netuid,
                alpha_amount.rao(),
                None,
                events,
            ),
            Call::UnstakeAll { hotkey } => self.unstake_all(who, *hotkey, events),
            Call::RegisterNetwork { hotkey, identity } => {
                self.register_network(who, *hotkey, identity.clone(), events)
            }
            Call::StartCall { netuid } => self.start_call(who, *netuid, events),
            Call::SetSubnetIdentity { netuid, identity } => {
                self.set_identity(who, *netuid, identity.clone(), events)
            }
            Call::SetHyperparameter { netuid, param } => {
                self.set_hyperparameter(who, *netuid, *param, events)
            }
            Call::BurnedRegister { netuid, hotkey } => {
                self.burned_register(who, *netuid, *hotkey, events)
            }
            Call::ServeAxon { netuid, axon } => self.serve_axon(who, *netuid, axon, events),
            Call::SetWeights { netuid, dests, weights, version_key } => {
                self.set_weights(who, *netuid, dests, weights, *version_key, events)
            }
            Call::CommitWeights { netuid, commit_hash } => {
                self.commit_weights(who, *netuid, *commit_hash, events)
            }
            Call::RevealWeights { netuid, uids, values, salt, version_key } => {
                self.reveal_weights(who, *netuid, uids, values, salt, *version_key, events)
            }
            Call::AddProxy { delegate, proxy_type } => {
                self.add_proxy(who, *delegate, *proxy_type, events)
            }
            Call::RemoveProxy { delegate, proxy_type } => {
                self.remove_proxy(who, *delegate, *proxy_type, events)
            }
            Call::Proxy { real, call } => self.proxy(who, *real, call, events),
            Call::BatchAll { calls } => self.batch_all(who, call, calls, events),
            // The wrapper only records itself; the block author put the decrypted transaction
            // right after it (see `node::shield`). `id` is Subtensor's: hash(who, ciphertext).
            Call::SubmitEncrypted { ciphertext } => {
                let id = chain::Hash::of_encoded(&(who, ciphertext));
                events.push(Event::EncryptedSubmitted { id, who });
                Ok(())
            }
            _ => Err(DispatchError::InvalidWeights(format!("{} is not supported", call.name()))),
        }
    }

    fn transfer(
        &mut self,
        who: AccountId,
        dest: AccountId,
        amount: u64,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let ed = self.state.params.existential_deposit;
        let free = self.state.free(&who);
        if free < amount {
            return Err(DispatchError::InsufficientBalance { free, needed: amount });
        }
        if dest != who {
            if free - amount < ed {
                return Err(DispatchError::KeepAlive);
            }
            if self.state.free(&dest).saturating_add(amount) < ed {
                return Err(DispatchError::ExistentialDeposit { minimum: ed });
            }
            self.debit(&who, amount)?;
            self.credit(&dest, amount);
        }
        events.push(Event::Transfer { from: who, to: dest, amount });
        Ok(())
    }

    fn add_stake(
        &mut self,
        who: AccountId,
        hot: AccountId,
        netuid: NetUid,
        amount: u64,
        limit: Limit,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let s = self.started(netuid)?;
        let fee = if s.is_stable() { 0 } else { s.pool.fee_on_gross(amount) };
        let minimum = self.state.params.min_stake.saturating_add(fee);
        if amount < minimum {
            return Err(DispatchError::AmountTooLow { amount, minimum });
        }
        let free = self.state.free(&who);
        if free < amount {
            return Err(DispatchError::InsufficientBalance { free, needed: amount });
        }
        self.hotkey_exists(&hot)?;
        self.rate_limited(&hot, &who, netuid)?;
        let buy = self.plan_buy(netuid, amount, limit, false)?;
        let min_stake = self.state.params.min_stake;
        if buy.consumed < min_stake || buy.alpha == 0 {
            return Err(DispatchError::AmountTooLow { amount: buy.consumed, minimum: min_stake });
        }
        self.debit(&who, buy.consumed)?;
        self.apply_buy(&buy, &hot, &who);
        self.mark_staking_op(&hot, &who, netuid);
        events.push(Event::StakeAdded {
            coldkey: who,
            hotkey: hot,
            tao: buy.consumed,
            alpha: buy.alpha,
            netuid,
            fee: buy.fee,
        });
        Ok(())
    }

    /// `amount` None = the whole position.
    fn remove_stake(
        &mut self,
        who: AccountId,
        hot: AccountId,
        netuid: NetUid,
        amount: Option<u64>,
        limit: Limit,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let s = self.started(netuid)?;
        let available = s.stake_of(&hot, &who);
        let requested = amount.unwrap_or(available);
        if available == 0 {
            return Err(DispatchError::NotEnoughStakeToWithdraw { available, requested });
        }
        let alpha = requested.min(available);
        if alpha == 0 {
            return Err(DispatchError::AmountTooLow { amount: 0, minimum: 1 });
        }
        self.rate_limited(&hot, &who, netuid)?;
        let sell = self.plan_sell(netuid, alpha, limit)?;
        let min_stake = self.state.params.min_stake;
        if sell.consumed < available && sell.tao < min_stake {
            return Err(DispatchError::AmountTooLow { amount: sell.tao, minimum: min_stake });
        }
        self.apply_sell(&sell, &hot, &who);
        self.credit(&who, sell.tao);
        self.mark_staking_op(&hot, &who, netuid);
        events.push(Event::StakeRemoved {
            coldkey: who,
            hotkey: hot,
            tao: sell.tao,
            alpha: sell.net,
            netuid,
            fee: sell.fee,
        });
        Ok(())
    }

    fn unstake_all(
        &mut self,
        who: AccountId,
        hot: AccountId,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        self.hotkey_exists(&hot)?;
        let positions: Vec<NetUid> = self
            .state
            .positions
            .get(&who)
            .map(|p| p.iter().filter(|(_, h)| *h == hot).map(|(n, _)| *n).collect())
            .unwrap_or_default();
        let mut sells = Vec::new();
        for netuid in positions {
            // Subnets that have not started cannot trade; their stake stays.
            let Ok(s) = self.started(netuid) else { continue };
            let alpha = s.stake_of(&hot, &who);
            if alpha == 0 {
                continue;
            }
            self.rate_limited(&hot, &who, netuid)?;
            sells.push(self.plan_sell(netuid, alpha, None)?);
        }
        for sell in &sells {
            self.apply_sell(sell, &hot, &who);
            self.credit(&who, sell.tao);
            self.mark_staking_op(&hot, &who, sell.netuid);
            events.push(Event::StakeRemoved {
                coldkey: who,
                hotkey: hot,
                tao: sell.tao,
                alpha: sell.net,
                netuid: sell.netuid,
                fee: sell.fee,
            });
        }
        Ok(())
    }

    /// Price ratio origin/destination × 10⁹ after the legs (or now, with no legs).
    fn ratio_after(
        &self,
        sell: Option<&Sell>,
        buy: Option<&Buy>,
        origin: NetUid,
        dest: NetUid,
    ) -> u128 {
        let price = |netuid: NetUid, after: Option<u128>| -> u128 {
            match after {
                Some(bits) => bits,
                None => self.state.subnets.get(&netuid).map_or(0, |s| {
                    if s.is_stable() {
                        U64F64::from_num(1).to_bits()
                    } else {
                        s.pool.spot_price().to_bits()
                    }
                }),
            }
        };
        let po = price(origin, sell.and_then(|s| s.outcome.as_ref()).map(|o| o.spot_after_bits));
        let pd = price(dest, buy.and_then(|b| b.outcome.as_ref()).map(|o| o.spot_after_bits));
        u128::from(dtao::amm::swap_price_ratio(po, pd))
    }

    /// The legs of a cross-subnet move of `alpha`: the unstake (with the fee) and, if the TAO
    /// reaches the minimum stake, the restake (fee-free unless the origin is root).
    fn plan_move_legs(
        &self,
        origin: NetUid,
        dest: NetUid,
        alpha: u64,
    ) -> Result<(Sell, Option<Buy>), DispatchError> {
        let sell = self.plan_sell(origin, alpha, None)?;
        if sell.tao < self.state.params.min_stake {
            return Ok((sell, None));
        }
        let buy = self.plan_buy(dest, sell.tao, None, origin != ROOT)?;
        Ok((sell, Some(buy)))
    }

    #[allow(clippy::too_many_arguments)]
    fn move_stake(
        &mut self,
        kind: MoveKind,
        who: AccountId,
        dest_cold: AccountId,
        origin_hot: AccountId,
        dest_hot: AccountId,
        origin: NetUid,
        dest: NetUid,
        alpha: u64,
        limit: Limit,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let o = self.started(origin)?;
        if kind == MoveKind::Transfer && !o.hyperparameters.transfer_enabled {
            return Err(DispatchError::TransferDisallowed { netuid: origin });
        }
        let available = o.stake_of(&origin_hot, &who);
        self.started(dest)?;
        self.hotkey_exists(&dest_hot)?;
        if alpha == 0 {
            return Err(DispatchError::AmountTooLow { amount: 0, minimum: 1 });
        }
        if alpha > available {
            return Err(DispatchError::NotEnoughStakeToWithdraw { available, requested: alpha });
        }
        self.rate_limited(&origin_hot, &who, origin)?;
        self.rate_limited(&dest_hot, &dest_cold, dest)?;
        let min_stake = self.state.params.min_stake;
        let tao_value;
        if origin == dest {
            // Share accounting only: no swap, no fee.
            let s = self.subnet_ref(origin)?;
            tao_value = if s.is_stable() {
                alpha
            } else {
                U64F64::saturating_from_num(alpha)
                    .saturating_mul(s.pool.spot_price())
                    .saturating_to_num::<u64>()
            };
            if tao_value < min_stake {
                return Err(DispatchError::AmountTooLow { amount: tao_value, minimum: min_stake });
            }
            self.stake_debit(origin, &origin_hot, &who, alpha);
            self.stake_credit(dest, &dest_hot, &dest_cold, alpha);
            events.push(Event::StakeRemoved {
                coldkey: who,
                hotkey: origin_hot,
                tao: tao_value,
                alpha,
                netuid: origin,
                fee: 0,
            });
            events.push(Event::StakeAdded {
                coldkey: dest_cold,
                hotkey: dest_hot,
                tao: tao_value,
                alpha,
                netuid: dest,
                fee: 0,
            });
        } else {
            let mut amount = alpha;
            if let Some((limit_ratio, partial)) = limit {
                let limit_ratio = u128::from(limit_ratio);
                if self.ratio_after(None, None, origin, dest) <= limit_ratio {
                    return Err(swap_err(SwapFailure::PriceLimitExceeded));
                }
                let fits = |rt: &Self, a: u64| -> bool {
                    rt.plan_move_legs(origin, dest, a).is_ok_and(|(s, b)| {
                        rt.ratio_after(Some(&s), b.as_ref(), origin, dest) >= limit_ratio
                    })
                };
                if !fits(self, amount) {
                    if !partial {
                        return Err(swap_err(SwapFailure::SlippageTooHigh));
                    }
                    let (mut lo, mut hi) = (0u64, amount);
                    while lo + 1 < hi {
                        let mid = lo + (hi - lo) / 2;
                        if fits(self, mid) {
                            lo = mid;
                        } else {
                            hi = mid;
                        }
                    }
                    if lo == 0 {
                        return Err(swap_err(SwapFailure::SlippageTooHigh));
                    }
                    amount = lo;
                }
            }
            let (sell, buy) = self.plan_move_legs(origin, dest, amount)?;
            if sell.consumed < available
                && sell.tao < min_stake
                && buy.is_none()
                && amount < available
            {
                // A partial exit below the minimum stake is refused, as remove_stake does.
                return Err(DispatchError::AmountTooLow { amount: sell.tao, minimum: min_stake });
            }
            tao_value = sell.tao;
            self.apply_sell(&sell, &origin_hot, &who);
            events.push(Event::StakeRemoved {
                coldkey: who,
                hotkey: origin_hot,
                tao: sell.tao,
                alpha: sell.net,
                netuid: origin,
                fee: sell.fee,
            });
            match buy {
                Some(buy) => {
                    self.apply_buy(&buy, &dest_hot, &dest_cold);
                    // Anything the buy did not consume stays liquid with the mover.
                    self.credit(&who, sell.tao.saturating_sub(buy.consumed));
                    events.push(Event::StakeAdded {
                        coldkey: dest_cold,
                        hotkey: dest_hot,
                        tao: buy.consumed,
                        alpha: buy.alpha,
                        netuid: dest,
                        fee: buy.fee,
                    });
                }
                None => self.credit(&who, sell.tao),
            }
        }
        self.mark_staking_op(&origin_hot, &who, origin);
        self.mark_staking_op(&dest_hot, &dest_cold, dest);
        events.push(match kind {
            MoveKind::Move => Event::StakeMoved {
                coldkey: who,
                origin_hotkey: origin_hot,
                origin_netuid: origin,
                destination_hotkey: dest_hot,
                destination_netuid: dest,
                tao: tao_value,
            },
            MoveKind::Swap => Event::StakeSwapped {
                coldkey: who,
                hotkey: origin_hot,
                origin_netuid: origin,
                destination_netuid: dest,
                tao: tao_value,
            },
            MoveKind::Transfer => Event::StakeTransferred {
                origin_coldkey: who,
                destination_coldkey: dest_cold,
                hotkey: origin_hot,
                origin_netuid: origin,
                destination_netuid: dest,
                tao: tao_value,
            },
        });
        Ok(())
    }

    fn register_network(
        &mut self,
        who: AccountId,
        hot: AccountId,
        identity: Option<SubnetIdentity>,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let now = self.now();
        let p = &self.state.params;
        if let Some(last) = self.state.last_network_registration {
            let allowed = last.saturating_add(p.network_rate_limit);
            if now < allowed {
                return Err(DispatchError::NetworkTxRateLimitExceeded {
                    blocks_left: allowed - now,
                });
            }
        }
        let dynamic = self.state.subnets.len().saturating_sub(1);
        let prune = if dynamic >= usize::from(p.subnet_limit) {
            // At the limit the lowest-moving-price subnet past its immunity makes room.
            let immunity = p.network_immunity_period;
            let victim = self
                .state
                .subnets
                .values()
                .filter(|s| !s.is_stable() && now >= s.registered_at.saturating_add(immunity))
                .min_by_key(|s| (s.moving_price_bits, s.netuid))
                .map(|s| s.netuid);
            match victim {
                Some(n) => Some(n),
                None => return Err(DispatchError::SubnetLimitReached),
            }
        } else {
            None
        };
        if let Some(owner) = self.state.hotkey_owner.get(&hot)
            && *owner != who
        {
            return Err(DispatchError::NonAssociatedColdKey);
        }
        let lock = lock_cost_rao(
            LockState {
                last_lock_rao: self.state.lock_last_rao,
                last_lock_block: self.state.lock_last_block,
            },
            LockParams { min_lock_rao: p.min_lock, reduction_interval: p.lock_reduction_interval },
            now,
        );
        let free = self.state.free(&who);
        if free < lock {
            return Err(DispatchError::InsufficientBalance { free, needed: lock });
        }
        let free_netuid = (1..=u16::MAX).find(|n| !self.state.subnets.contains_key(n));
        let Some(netuid) = prune.or(free_netuid) else {
            return Err(DispatchError::SubnetLimitReached);
        };
        // Seed: SubnetTAO = lock, SubnetAlphaIn = lock / median price of the other subnets.
        let mut prices: Vec<U64F64> = self
            .state
            .subnets
            .values()
            .filter(|s| !s.is_stable() && Some(s.netuid) != prune)
            .map(|s| s.pool.spot_price())
            .collect();
        prices.sort_unstable();
        let median = prices
            .get(prices.len() / 2)
            .copied()
            .filter(|p| *p > U64F64::from_num(0))
            .unwrap_or(U64F64::from_num(1));
        let alpha_in = U64F64::saturating_from_num(lock)
            .checked_div(median)
            .unwrap_or_default()
            .saturating_to_num::<u64>();
        let hyperparameters = super::default_hyperparameters();
        let mut pool =
            dtao::amm::Pool::balancer(dtao::amm::Reserves { tao: lock, alpha: alpha_in });
        pool.fee_rate = hyperparameters.fee_rate;
        let moving_price = dtao::fixed::I96F32::saturating_from_num(median);
        let mut identity = identity.unwrap_or_else(|| SubnetIdentity {
            name: format!("subnet {netuid}"),
            ..SubnetIdentity::default()
        });
        // As Subtensor, which keeps no symbol in an identity: the chain assigns the netuid's.
        if identity.symbol.is_empty() {
            identity.symbol = crate::genesis::glyph(netuid);
        }
        self.debit(&who, lock)?;
        if let Some(old) = prune {
            self.dissolve_subnet(old, events);
        }
        let subnet = Subnet {
            netuid,
            pool,
            alpha_out: 0,
            protocol_alpha: 0,
            alpha_burned: 0,
            moving_price_bits: moving_price.to_bits(),
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
            last_epoch_block: now,
            first_emission_block: None,
            mechanism: 1,
            identity,
            owner_coldkey: who,
            owner_hotkey: hot,
            registered_at: now,
            hyperparameters,
            burn_block: now,
            history: Vec::new(),
            neurons: vec![Neuron::new(hot, who, now)],
            stakes: Default::default(),
            commits: Default::default(),
        };
        self.state.subnets.insert(netuid, subnet);
        if let Some(n) = self.state.subnets.get_mut(&netuid).and_then(|s| s.neurons.first_mut()) {
            n.validator_permit = true;
        }
        self.state.hotkey_owner.insert(hot, who);
        self.digests.mark_registry();
        self.state.lock_last_rao = lock;
        self.state.lock_last_block = now;
        self.state.last_network_registration = Some(now);
        self.digests.mark_subnet(netuid);
        events.push(Event::NetworkAdded { netuid, mechanism: 1, owner: who, lock_cost: lock });
        events.push(Event::NeuronRegistered { netuid, uid: 0, hotkey: hot, burn: 0 });
        Ok(())
    }

    /// Dissolves a subnet: its `SubnetTAO` is paid to its stakers pro rata to their alpha
    /// (largest remainder); the share of protocol, pending and burned alpha is recycled.
    fn dissolve_subnet(&mut self, netuid: NetUid, events: &mut Vec<Event>) {
        let Some(s) = self.state.subnets.remove(&netuid) else { return };
        let mut holders = Vec::new();
        for (hot, pool) in &s.stakes {
            for (cold, shares) in &pool.shares {
                holders.push((*hot, *cold, pool.value_of_shares(*shares)));
            }
        }
        let held: u64 = holders.iter().fold(0u64, |a, h| a.saturating_add(h.2));
        let mut weights: Vec<u128> = holders.iter().map(|h| u128::from(h.2)).collect();
        weights.push(u128::from(s.alpha_out.saturating_sub(held)));
        let tao = s.pool.reserves.tao;
        let parts = super::coinbase::apportion(tao, &weights).unwrap_or_else(|| {
            let mut v = vec![0; weights.len()];
            if let Some(last) = v.last_mut() {
                *last = tao;
            }
            v
        });
        let mut paid = 0u64;
        for ((hot, cold, _), part) in holders.iter().zip(&parts) {
            self.credit(cold, *part);
            paid = paid.saturating_add(*part);
            if let Some(p) = self.state.positions.get_mut(cold) {
                p.remove(&(netuid, *hot));
                if p.is_empty() {
                    self.state.positions.remove(cold);
                }
            }
        }
        let recycled = tao.saturating_sub(paid);
        self.state.total_issuance = self.state.total_issuance.saturating_sub(recycled);
        self.state.recycled_tao = self.state.recycled_tao.saturating_add(recycled);
        self.digests.mark_subnet(netuid);
        events.push(Event::NetworkRemoved { netuid });
    }

    fn start_call(
        &mut self,
        who: AccountId,
        netuid: NetUid,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let now = self.now();
        let s = self.owned_subnet(&who, netuid)?;
        if s.first_emission_block.is_some() {
            return Err(DispatchError::FirstEmissionBlockNumberAlreadySet { netuid });
        }
        let allowed = s.registered_at.saturating_add(self.state.params.start_call_delay);
        if now < allowed {
            return Err(DispatchError::NeedWaitingMoreBlocksToStarCall {
                blocks_left: allowed - now,
            });
        }
        let block = now.saturating_add(1);
        if let Some(s) = self.state.subnets.get_mut(&netuid) {
            s.first_emission_block = Some(block);
            s.last_epoch_block = now;
        }
        self.digests.mark_body(netuid);
        events.push(Event::FirstEmissionBlockNumberSet { netuid, block });
        Ok(())
    }

    fn set_identity(
        &mut self,
        who: AccountId,
        netuid: NetUid,
        identity: SubnetIdentity,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        self.owned_subnet(&who, netuid)?;
        let too_long = [
            &identity.name,
            &identity.symbol,
            &identity.description,
            &identity.url,
            &identity.github,
            &identity.logo_url,
        ]
        .iter()
        .any(|f| f.len() > 1024);
        if too_long {
            return Err(DispatchError::InvalidHyperparameter {
                name: "identity".into(),
                value: "a field over 1024 bytes".into(),
            });
        }
        if let Some(s) = self.state.subnets.get_mut(&netuid) {
            // An identity without a symbol (Subtensor's form has none) keeps the subnet's.
            let symbol = if identity.symbol.is_empty() {
                std::mem::take(&mut s.identity.symbol)
            } else {
                identity.symbol.clone()
            };
            s.identity = SubnetIdentity { symbol, ..identity };
        }
        self.digests.mark_body(netuid);
        events.push(Event::SubnetIdentitySet { netuid });
        Ok(())
    }

    fn set_hyperparameter(
        &mut self,
        who: AccountId,
        netuid: NetUid,
        param: Hyperparameter,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let s = self.owned_subnet(&who, netuid)?;
        let h = &s.hyperparameters;
        let invalid = |value: String| DispatchError::InvalidHyperparameter {
            name: param.name().into(),
            value,
        };
        let ok = match param {
            Hyperparameter::Tempo(v) => (360..=50_400).contains(&v),
            Hyperparameter::FeeRate(v) => v <= dtao::amm::MAX_FEE_RATE,
            Hyperparameter::WeightsRateLimit(v) => v <= 50_400,
            Hyperparameter::CommitRevealEnabled(_) => true,
            Hyperparameter::CommitRevealPeriod(v) => (1..=50_400).contains(&v),
            Hyperparameter::MaxAllowedValidators(v) => v >= 1 && v <= h.max_allowed_uids,
            Hyperparameter::MaxAllowedUids(v) => {
                usize::from(v) >= s.neurons.len() && v >= h.max_allowed_validators && v <= 4096
            }
            Hyperparameter::ImmunityPeriod(_) => true,
            Hyperparameter::ActivityCutoff(v) => v >= 1,
            Hyperparameter::Kappa(_) => true,
            Hyperparameter::BondsMovingAverage(v) => v <= 975_000,
            Hyperparameter::MinBurn(v) => v <= h.max_burn,
            Hyperparameter::MaxBurn(v) => v >= h.min_burn,
            Hyperparameter::RecycleOrBurn(_)
            | Hyperparameter::TransferEnabled(_)
            | Hyperparameter::RegistrationAllowed(_) => true,
        };
        if !ok {
            let value = match param {
                Hyperparameter::Tempo(v)
                | Hyperparameter::FeeRate(v)
                | Hyperparameter::MaxAllowedValidators(v)
                | Hyperparameter::MaxAllowedUids(v)
                | Hyperparameter::ImmunityPeriod(v)
                | Hyperparameter::ActivityCutoff(v)
                | Hyperparameter::Kappa(v) => v.to_string(),
                Hyperparameter::WeightsRateLimit(v)
                | Hyperparameter::CommitRevealPeriod(v)
                | Hyperparameter::BondsMovingAverage(v)
                | Hyperparameter::MinBurn(v)
                | Hyperparameter::MaxBurn(v) => v.to_string(),
                Hyperparameter::CommitRevealEnabled(v)
                | Hyperparameter::TransferEnabled(v)
                | Hyperparameter::RegistrationAllowed(v) => v.to_string(),
                Hyperparameter::RecycleOrBurn(v) => format!("{v:?}"),
            };
            return Err(invalid(value));
        }
        let now = self.now();
        let burn_now = s.burn_at(now);
        let Some(s) = self.state.subnets.get_mut(&netuid) else {
            return Err(DispatchError::SubnetNotExists { netuid });
        };
        let h = &mut s.hyperparameters;
        match param {
            Hyperparameter::Tempo(v) => h.tempo = v,
            Hyperparameter::FeeRate(v) => {
                h.fee_rate = v;
                s.pool.fee_rate = v;
            }
            Hyperparameter::WeightsRateLimit(v) => h.weights_rate_limit = v,
            Hyperparameter::CommitRevealEnabled(v) => h.commit_reveal_enabled = v,
            Hyperparameter::CommitRevealPeriod(v) => h.commit_reveal_period = v,
            Hyperparameter::MaxAllowedValidators(v) => h.max_allowed_validators = v,
            Hyperparameter::MaxAllowedUids(v) => h.max_allowed_uids = v,
            Hyperparameter::ImmunityPeriod(v) => h.immunity_period = v,
            Hyperparameter::ActivityCutoff(v) => h.activity_cutoff = v,
            Hyperparameter::Kappa(v) => h.kappa = v,
            Hyperparameter::BondsMovingAverage(v) => h.bonds_moving_average = v,
            Hyperparameter::MinBurn(v) | Hyperparameter::MaxBurn(v) => {
                if matches!(param, Hyperparameter::MinBurn(_)) {
                    h.min_burn = v;
                } else {
                    h.max_burn = v;
                }
                // Re-anchor the decaying burn so the bounds apply from now.
                h.burn = burn_now.clamp(h.min_burn, h.max_burn.max(h.min_burn));
                s.burn_block = now;
            }
            Hyperparameter::RecycleOrBurn(v) => h.recycle_or_burn = v,
            Hyperparameter::TransferEnabled(v) => h.transfer_enabled = v,
            Hyperparameter::RegistrationAllowed(v) => h.registration_allowed = v,
        }
        s.history.push((now, param));
        self.digests.mark_body(netuid);
        events.push(Event::HyperparameterSet { netuid, param });
        Ok(())
    }

    fn burned_register(
        &mut self,
        who: AccountId,
        netuid: NetUid,
        hot: AccountId,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let now = self.now();
        let s = self.subnet_ref(netuid)?;
        if s.is_stable() {
            return Err(DispatchError::SubnetNotExists { netuid });
        }
        if !s.hyperparameters.registration_allowed {
            return Err(DispatchError::SubNetRegistrationDisabled { netuid });
        }
        if s.uid_of(&hot).is_some() {
            return Err(DispatchError::HotKeyAlreadyRegisteredInSubNet { netuid });
        }
        if let Some(owner) = self.state.hotkey_owner.get(&hot)
            && *owner != who
        {
            return Err(DispatchError::NonAssociatedColdKey);
        }
        let burn = s.burn_at(now);
        let free = self.state.free(&who);
        if free < burn {
            return Err(DispatchError::InsufficientBalance { free, needed: burn });
        }
        // A free UID, or prune the lowest-emission neuron past its immunity (never the owner).
        let h = &s.hyperparameters;
        let uid = if s.neurons.len() < usize::from(h.max_allowed_uids) {
            None
        } else {
            let immunity = u64::from(h.immunity_period);
            let prune = s
                .neurons
                .iter()
                .enumerate()
                .filter(|(_, n)| {
                    n.hotkey != s.owner_hotkey && now >= n.registered_at.saturating_add(immunity)
                })
                .min_by_key(|(i, n)| (n.emission, n.registered_at, *i))
                .map(|(i, _)| i);
            match prune {
                Some(i) => Some(i),
                None => return Err(DispatchError::NoNeuronIdAvailable { netuid }),
            }
        };
        let max_burn = h.max_burn;
        let min_burn = h.min_burn;
        self.debit(&who, burn)?;
        self.state.total_issuance = self.state.total_issuance.saturating_sub(burn);
        self.state.recycled_tao = self.state.recycled_tao.saturating_add(burn);
        self.state.hotkey_owner.insert(hot, who);
        self.digests.mark_registry();
        let Some(s) = self.state.subnets.get_mut(&netuid) else {
            return Err(DispatchError::SubnetNotExists { netuid });
        };
        let neuron = Neuron::new(hot, who, now);
        let uid = match uid {
            Some(i) => {
                let Some(slot) = s.neurons.get_mut(i) else {
                    return Err(DispatchError::NoNeuronIdAvailable { netuid });
                };
                let old = std::mem::replace(slot, neuron);
                s.commits.remove(&old.hotkey);
                events.push(Event::NeuronDeregistered {
                    netuid,
                    uid: u16::try_from(i).unwrap_or(u16::MAX),
                    hotkey: old.hotkey,
                });
                i
            }
            None => {
                s.neurons.push(neuron);
                s.neurons.len() - 1
            }
        };
        let next = u128::from(burn) * 126 / 100;
        s.hyperparameters.burn =
            u64::try_from(next).unwrap_or(u64::MAX).clamp(min_burn, max_burn.max(min_burn));
        s.burn_block = now;
        self.digests.mark_body(netuid);
        events.push(Event::NeuronRegistered {
            netuid,
            uid: u16::try_from(uid).unwrap_or(u16::MAX),
            hotkey: hot,
            burn,
        });
        Ok(())
    }

    fn serve_axon(
        &mut self,
        who: AccountId,
        netuid: NetUid,
        axon: &AxonInfo,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let s = self.subnet_ref(netuid)?;
        let Some(uid) = s.uid_of(&who) else {
            return Err(DispatchError::HotKeyNotRegisteredInSubNet { netuid });
        };
        let invalid = |reason: &str| DispatchError::InvalidAxon { reason: reason.into() };
        let ip: IpAddr = axon.ip.parse().map_err(|_| invalid("the IP address does not parse"))?;
        match (axon.ip_type, ip) {
            (4, IpAddr::V4(_)) | (6, IpAddr::V6(_)) => {}
            (4 | 6, _) => return Err(invalid("the IP address does not match ip_type")),
            _ => return Err(invalid("ip_type must be 4 or 6")),
        }
        if axon.port == 0 {
            return Err(invalid("port 0 is not a port"));
        }
        if let Some(n) =
            self.state.subnets.get_mut(&netuid).and_then(|s| s.neurons.get_mut(usize::from(uid)))
        {
            n.axon = Some(axon.clone());
        }
        self.digests.mark_body(netuid);
        events.push(Event::AxonServed { netuid, hotkey: who });
        Ok(())
    }

    /// Checks a weights vector and returns it as a sorted (uid, weight) row.
    fn check_weights(
        &self,
        s: &Subnet,
        uid: u16,
        dests: &[u16],
        weights: &[u16],
        version_key: u64,
    ) -> Result<Vec<(u16, u16)>, DispatchError> {
        let netuid = s.netuid;
        if version_key < s.hyperparameters.weights_version_key {
            return Err(DispatchError::IncorrectWeightVersionKey {
                expected: s.hyperparameters.weights_version_key,
            });
        }
        if dests.len() != weights.len() {
            return Err(DispatchError::InvalidWeights(format!(
                "{} uids but {} weights",
                dests.len(),
                weights.len()
            )));
        }
        let mut row: Vec<(u16, u16)> = dests.iter().copied().zip(weights.iter().copied()).collect();
        row.sort_unstable_by_key(|(u, _)| *u);
        if row.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(DispatchError::InvalidWeights("a uid appears twice".into()));
        }
        if let Some((bad, _)) = row.iter().find(|(u, _)| usize::from(*u) >= s.neurons.len()) {
            return Err(DispatchError::InvalidWeights(format!(
                "uid {bad} does not exist on subnet {netuid}"
            )));
        }
        let self_only = row.iter().all(|(u, _)| *u == uid);
        let permit = s.neurons.get(usize::from(uid)).is_some_and(|n| n.validator_permit);
        if !self_only && !permit {
            return Err(DispatchError::NotEnoughStakeToSetWeights { netuid });
        }
        row.retain(|(_, w)| *w > 0);
        Ok(row)
    }

    fn store_weights(&mut self, netuid: NetUid, uid: u16, row: Vec<(u16, u16)>) {
        let now = self.now();
        if let Some(n) =
            self.state.subnets.get_mut(&netuid).and_then(|s| s.neurons.get_mut(usize::from(uid)))
        {
            n.weights = row;
            n.last_update = now;
        }
        self.digests.mark_body(netuid);
    }

    fn set_weights(
        &mut self,
        who: AccountId,
        netuid: NetUid,
        dests: &[u16],
        weights: &[u16],
        version_key: u64,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let now = self.now();
        let s = self.subnet_ref(netuid)?;
        let Some(uid) = s.uid_of(&who) else {
            return Err(DispatchError::HotKeyNotRegisteredInSubNet { netuid });
        };
        if s.hyperparameters.commit_reveal_enabled {
            return Err(DispatchError::CommitRevealEnabled { netuid });
        }
        let row = self.check_weights(s, uid, dests, weights, version_key)?;
        if let Some(n) = s.neurons.get(usize::from(uid)) {
            let limit = s.hyperparameters.weights_rate_limit;
            let ever_set = !n.weights.is_empty() || n.last_update > n.registered_at;
            let allowed = n.last_update.saturating_add(limit);
            if ever_set && now < allowed {
                return Err(DispatchError::SettingWeightsTooFast { blocks_left: allowed - now });
            }
        }
        self.store_weights(netuid, uid, row);
        events.push(Event::WeightsSet { netuid, uid });
        Ok(())
    }

    fn commit_weights(
        &mut self,
        who: AccountId,
        netuid: NetUid,
        hash: Hash,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let now = self.now();
        let s = self.subnet_ref(netuid)?;
        if s.uid_of(&who).is_none() {
            return Err(DispatchError::HotKeyNotRegisteredInSubNet { netuid });
        }
        if !s.hyperparameters.commit_reveal_enabled {
            return Err(DispatchError::CommitRevealDisabled { netuid });
        }
        let pending = s.commits.get(&who).map_or(0, Vec::len);
        if pending >= MAX_COMMITS {
            return Err(DispatchError::SettingWeightsTooFast { blocks_left: 1 });
        }
        let period = s.hyperparameters.commit_reveal_period;
        if let Some(list) =
            self.state.subnets.get_mut(&netuid).map(|s| s.commits.entry(who).or_default())
        {
            // Commits whose reveal window has passed are dropped.
            list.retain(|c| now <= c.block.saturating_add(period.saturating_mul(2)));
            list.push(WeightCommit { hash, block: now });
        }
        self.digests.mark_body(netuid);
        events.push(Event::WeightsCommitted { netuid, hotkey: who, commit_hash: hash });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn reveal_weights(
        &mut self,
        who: AccountId,
        netuid: NetUid,
        uids: &[u16],
        values: &[u16],
        salt: &[u16],
        version_key: u64,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let now = self.now();
        let s = self.subnet_ref(netuid)?;
        let Some(uid) = s.uid_of(&who) else {
            return Err(DispatchError::HotKeyNotRegisteredInSubNet { netuid });
        };
        if !s.hyperparameters.commit_reveal_enabled {
            return Err(DispatchError::CommitRevealDisabled { netuid });
        }
        let hash = chain::weights_commit_hash(&who, netuid, uids, values, salt, version_key);
        let period = s.hyperparameters.commit_reveal_period;
        let position = s.commits.get(&who).and_then(|list| {
            list.iter().position(|c| {
                c.hash == hash
                    && now >= c.block.saturating_add(period)
                    && now <= c.block.saturating_add(period.saturating_mul(2))
            })
        });
        let Some(position) = position else { return Err(DispatchError::InvalidReveal) };
        let row = self.check_weights(s, uid, uids, values, version_key)?;
        if let Some(list) =
            self.state.subnets.get_mut(&netuid).and_then(|s| s.commits.get_mut(&who))
        {
            list.remove(position);
            if list.is_empty()
                && let Some(s) = self.state.subnets.get_mut(&netuid)
            {
                s.commits.remove(&who);
            }
        }
        self.store_weights(netuid, uid, row);
        events.push(Event::WeightsRevealed { netuid, hotkey: who });
        events.push(Event::WeightsSet { netuid, uid });
        Ok(())
    }

    fn add_proxy(
        &mut self,
        who: AccountId,
        delegate: AccountId,
        proxy_type: ProxyType,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let list = self.state.proxies.get(&who);
        if list.is_some_and(|l| l.contains(&(delegate, proxy_type))) {
            return Err(DispatchError::DuplicateProxy);
        }
        if list.is_some_and(|l| l.len() >= MAX_PROXIES) {
            return Err(DispatchError::Overflow);
        }
        self.state.proxies.entry(who).or_default().push((delegate, proxy_type));
        self.digests.mark_registry();
        events.push(Event::ProxyAdded { real: who, delegate, proxy_type });
        Ok(())
    }

    fn remove_proxy(
        &mut self,
        who: AccountId,
        delegate: AccountId,
        proxy_type: ProxyType,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let Some(list) = self.state.proxies.get_mut(&who) else {
            return Err(DispatchError::NotProxy);
        };
        let Some(i) = list.iter().position(|p| *p == (delegate, proxy_type)) else {
            return Err(DispatchError::NotProxy);
        };
        list.remove(i);
        if list.is_empty() {
            self.state.proxies.remove(&who);
        }
        self.digests.mark_registry();
        events.push(Event::ProxyRemoved { real: who, delegate, proxy_type });
        Ok(())
    }

    /// A proxied call. Not being a proxy, or a proxy type that does not allow the call, fails
    /// the extrinsic (`NotProxy`, `CallFiltered`); an inner call that fails is reported in
    /// `ProxyExecuted` and the extrinsic succeeds, as on chain.
    fn proxy(
        &mut self,
        who: AccountId,
        real: AccountId,
        call: &Call,
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        let types: Vec<ProxyType> = self
            .state
            .proxies
            .get(&real)
            .map(|l| l.iter().filter(|(d, _)| *d == who).map(|(_, t)| *t).collect())
            .unwrap_or_default();
        let Some(first) = types.first().copied() else { return Err(DispatchError::NotProxy) };
        if !types.iter().any(|t| t.allows(call)) {
            let name = match first {
                ProxyType::Any => "any",
                ProxyType::Staking => "staking",
                ProxyType::NonTransfer => "non_transfer",
            };
            return Err(DispatchError::CallFiltered {
                proxy_type: name.into(),
                call: call.name().into(),
            });
        }
        let mut inner = Vec::new();
        let result = self.dispatch(real, call, &mut inner);
        if result.is_ok() {
            events.extend(inner);
        }
        events.push(Event::ProxyExecuted { result });
        Ok(())
    }

    /// `Utility::batch_all`: the legs in order, all or nothing. Each call alone already leaves
    /// the state untouched on error, but a failing leg must also undo the legs before it, so
    /// the state is copied first and put back on the first failure.
    fn batch_all(
        &mut self,
        who: AccountId,
        call: &Call,
        calls: &[Call],
        events: &mut Vec<Event>,
    ) -> Result<(), DispatchError> {
        if let Some(reason) = call.batch_error() {
            return Err(DispatchError::InvalidBatch { reason });
        }
        let before = self.state.clone();
        let mut legs = Vec::new();
        for (index, leg) in calls.iter().enumerate() {
            if let Err(error) = self.dispatch(who, leg, &mut legs) {
                // The digests keep whatever the legs marked dirty: rehashing an unchanged
                // account or subnet costs time, never correctness.
                self.state = before;
                return Err(DispatchError::BatchInterrupted {
                    index: u32::try_from(index).unwrap_or(u32::MAX),
                    error: Box::new(error),
                });
            }
        }
        events.extend(legs);
        Ok(())
    }
}
