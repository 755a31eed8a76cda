//! Automations through the user's Staking proxy, each confirmed once on a card when created;
//! every run counts against the per-day limit and is reported in the chat with its receipt:
//! - **DCA**: buy a fixed TAO amount every period, only at or under a limit price. A failed
//!   run is not retried before its next period (a retry could double-buy if the first attempt
//!   landed late).
//! - **Auto-compound**: every period, the alpha the coldkey earned on its positions since the
//!   last run is moved (`swap_stake_limit`, same hotkey) into a target subnet. Earned = stake
//!   growth not explained by the coldkey's own trades as the market store decoded them; every
//!   rounding errs low, so the bot may leave emission behind but never moves principal. A run
//!   the chain refused is retried next period (nothing moved); one whose outcome is unknown is
//!   not, and the emission counts again from a fresh reading.
//! - **Take-profit / stop-loss** ([`Exit`]): evaluated at every finalized block by
//!   [`run_exits`]; claimed with a conditional update before it sells, so it executes at most
//!   once, across restarts too. A sale the chain refused (nothing moved) is retried a minute
//!   later; one whose outcome is unknown is not.
//!
//! A proxy removed on chain (`ProxyRemoved` naming the bot) stops all of the user's
//! automations at the next finalized block; a run that meets `NotProxy` stops them too.

use std::sync::Arc;
use std::time::Duration;

use std::collections::BTreeMap;

use chain::{AccountId, BlockId, Call, Chain, Event, Side, StakeInfo};
use dtao::units::{Alpha, Tao};
use futures::StreamExt as _;
use market::{Trade, TradeKind};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::command::SubnetRef;
use crate::error::{BotError, Result};
use crate::i18n::{Lang, Text};
use crate::queue::Outgoing;
use crate::service::Ctx;
use crate::store::{SeenStake, StoredAutomation, StoredCard};
use crate::text::{escape, price, tao};
use crate::trade::{self, Progress, TradeSpec};

/// The least TAO value an auto-compound run moves: below it the chain would refuse the
/// restake (`min_stake`), so the emission keeps accruing until the next run.
pub const MIN_COMPOUND_RAO: u64 = 2_000_000;
/// How long a take-profit / stop-loss the chain refused waits before it may fire again, ms.
const EXIT_RETRY_MS: u64 = 60_000;
const DAY_MS: u64 = 86_400_000;
/// How long a compound run waits for the market store to reach its stake reading before it
/// gives up until the next tick (a few finalized blocks on a live chain).
const MARKET_WAIT: Duration = Duration::from_secs(90);

/// Auto-compound: move earned emission into a target subnet every period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compound {
    /// Where the emission is earned; `None` = every subnet except root and the target.
    pub source: Option<u16>,
    /// Where it goes.
    pub target: u16,
    /// Period, ms.
    pub every_ms: u64,
}

impl Compound {
    fn describe(&self) -> String {
        let from = self.source.map(|n| format!("SN{n}")).unwrap_or_else(|| "all subnets".into());
        format!(
            "Auto-compound: emission earned on {from} → SN{} every {} min",
            self.target,
            self.every_ms / 60_000
        )
    }
}

/// Take-profit (`above`) or stop-loss on one position's exit value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exit {
    /// Subnet.
    pub netuid: u16,
    /// The position's hotkey.
    pub hotkey: AccountId,
    /// Take-profit (true) or stop-loss (false).
    pub above: bool,
    /// Exit value that triggers the sale, rao.
    pub level: u64,
}

impl Exit {
    fn describe(&self) -> String {
        format!(
            "{}: sell all of SN{} (hotkey {}) once its exit value is {} {} τ",
            if self.above { "Take-profit" } else { "Stop-loss" },
            self.netuid,
            short(&self.hotkey),
            if self.above { "≥" } else { "≤" },
            tao(self.level)
        )
    }
}

fn short(a: &AccountId) -> String {
    let s = a.to_ss58();
    format!("{}…", s.get(..8).unwrap_or(&s))
}

/// What a stored automation does. Rows written before auto-compound and exits hold a bare
/// [`Dca`], read by [`Plan::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Plan {
    /// DCA.
    Dca(Dca),
    /// Auto-compound.
    Compound(Compound),
    /// Take-profit / stop-loss.
    Exit(Exit),
}

impl Plan {
    /// A stored spec.
    pub fn parse(spec: &str) -> Option<Self> {
        serde_json::from_str::<Plan>(spec)
            .ok()
            .or_else(|| serde_json::from_str::<Dca>(spec).ok().map(Plan::Dca))
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Plan::Dca(d) => d.describe(),
            Plan::Compound(c) => c.describe(),
            Plan::Exit(x) => x.describe(),
        }
    }
}

/// A DCA plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dca {
    /// Subnet.
    pub netuid: u16,
    /// TAO per run, rao.
    pub amount: u64,
    /// Period, ms.
    pub every_ms: u64,
    /// Highest spot price to buy at, rao per alpha.
    pub limit: Option<u64>,
}

impl Dca {
    fn describe(&self) -> String {
        let limit = self.limit.map(|l| format!(", max {} τ/α", price(l))).unwrap_or_default();
        format!(
            "DCA: buy {} τ of SN{} every {} min{limit}",
            tao(self.amount),
            self.netuid,
            self.every_ms / 60_000
        )
    }
}

/// What a confirm card confirms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "card", rename_all = "snake_case")]
pub enum CardSpec {
    /// One trade.
    Trade(Box<trade::TradeSpec>),
    /// Creating a DCA automation.
    Dca(Dca),
    /// Creating an auto-compound automation.
    Compound(Compound),
    /// Creating a take-profit / stop-loss.
    Exit(Exit),
}

impl CardSpec {
    /// The automation this card creates, if it is one.
    pub fn plan(&self) -> Option<Plan> {
        match self {
            CardSpec::Trade(_) => None,
            CardSpec::Dca(d) => Some(Plan::Dca(d.clone())),
            CardSpec::Compound(c) => Some(Plan::Compound(c.clone())),
            CardSpec::Exit(x) => Some(Plan::Exit(x.clone())),
        }
    }
}

/// The user's registration if it trades through the bot's proxy (automations run only there),
/// or `None` after telling them how to register one.
async fn proxy_or_say(
    ctx: &Ctx,
    chat: i64,
    user_id: i64,
    lang: Lang,
) -> Result<Option<crate::store::ProxyReg>> {
    match ctx.s.store.proxy(user_id).await? {
        Some(r) if r.proxy => Ok(Some(r)),
        _ => {
            ctx.reply(chat, Text::Register.get(lang)).await;
            Ok(None)
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn create_dca(
    ctx: &Ctx,
    chat: i64,
    user_id: i64,
    lang: Lang,
    subnet: &SubnetRef,
    amount: Tao,
    every_minutes: u32,
    limit: Option<u64>,
) -> Result<()> {
    let Some(netuid) = ctx.subnet_or_say(chat, lang, subnet).await? else {
        return Ok(());
    };
    let Some(reg) = proxy_or_say(ctx, chat, user_id, lang).await? else {
        return Ok(());
    };
    if amount.rao() > reg.per_trade {
        ctx.reply(chat, format!("{} {} τ.", Text::OverTradeLimit.get(lang), tao(reg.per_trade)))
            .await;
        return Ok(());
    }
    let dca =
        Dca { netuid, amount: amount.rao(), every_ms: u64::from(every_minutes) * 60_000, limit };
    let text = format!("{}\n<i>{}</i>", dca.describe(), Text::ExpiresIn.get(lang));
    ctx.send_card(chat, user_id, lang, text, &CardSpec::Dca(dca)).await
}

pub(crate) async fn confirmed(ctx: &Ctx, card: &StoredCard, plan: &Plan, lang: Lang) -> Result<()> {
    let now = ctx.s.clock.now_ms();
    let spec = serde_json::to_string(plan).map_err(|e| BotError::Telegram(e.to_string()))?;
    // A compound's first run comes one period after its baseline, read now.
    let next = match plan {
        Plan::Compound(c) => now + c.every_ms,
        Plan::Dca(_) | Plan::Exit(_) => now,
    };
    let id = ctx.s.store.add_automation(card.user_id, card.chat_id, &spec, next).await?;
    if let Plan::Compound(_) = plan
        && let Some(reg) = ctx.s.store.proxy(card.user_id).await?
        && let Some((block, stakes)) = snapshot(&*ctx.s.chain, reg.coldkey).await?
    {
        ctx.s.store.set_stake_seen(id, &seen_of(&stakes, block)).await?;
    }
    let done = match plan {
        Plan::Dca(_) => Text::DcaCreated,
        Plan::Compound(_) | Plan::Exit(_) => Text::AutomationCreated,
    };
    ctx.queue.enqueue(Outgoing::Edit {
        chat: card.chat_id,
        message_id: card.message_id,
        text: format!("#{id} {}\n{}", escape(&plan.describe()), done.get(lang)),
        buttons: vec![],
    });
    Ok(())
}

/// Asks for an auto-compound automation: refuses a target that is also the only source (dTAO
/// already compounds alpha there), then sends its card.
pub(crate) async fn create_compound(
    ctx: &Ctx,
    chat: i64,
    user_id: i64,
    lang: Lang,
    source: Option<&SubnetRef>,
    target: &SubnetRef,
    every_minutes: u32,
) -> Result<()> {
    let Some(target) = ctx.subnet_or_say(chat, lang, target).await? else {
        return Ok(());
    };
    let source = match source {
        None => None,
        Some(r) => match ctx.subnet_or_say(chat, lang, r).await? {
            Some(n) => Some(n),
            None => return Ok(()),
        },
    };
    if source == Some(target) {
        ctx.reply(chat, format!("SN{target}: {}", Text::CompoundSameSubnet.get(lang))).await;
        return Ok(());
    }
    if target == 0 || source == Some(0) {
        ctx.reply(chat, Text::CompoundRoot.get(lang)).await;
        return Ok(());
    }
    if proxy_or_say(ctx, chat, user_id, lang).await?.is_none() {
        return Ok(());
    }
    let c = Compound { source, target, every_ms: u64::from(every_minutes) * 60_000 };
    let text = format!(
        "{}\n{}\n<i>{}</i>",
        escape(&c.describe()),
        Text::CompoundHow.get(lang),
        Text::ExpiresIn.get(lang)
    );
    ctx.send_card(chat, user_id, lang, text, &CardSpec::Compound(c)).await
}

/// Asks for a take-profit (`above`) or stop-loss on the user's position on a subnet: refuses
/// when there is no position, or when the level is already reached (that is a plain /sell).
pub(crate) async fn create_exit(
    ctx: &Ctx,
    chat: i64,
    user_id: i64,
    lang: Lang,
    subnet: &SubnetRef,
    above: bool,
    level: Tao,
) -> Result<()> {
    let Some(netuid) = ctx.subnet_or_say(chat, lang, subnet).await? else {
        return Ok(());
    };
    let Some(reg) = proxy_or_say(ctx, chat, user_id, lang).await? else {
        return Ok(());
    };
    let Some(position) = ctx
        .s
        .chain
        .stakes(reg.coldkey)
        .await?
        .into_iter()
        .filter(|s| s.netuid == netuid && s.alpha > 0)
        .max_by_key(|s| s.alpha)
    else {
        ctx.reply(chat, Text::NoStake.get(lang)).await;
        return Ok(());
    };
    let exit = ctx.s.chain.quote(netuid, Side::Sell, position.alpha).await?.amount_out;
    let level = level.rao();
    if (above && exit >= level) || (!above && exit <= level) {
        ctx.reply(chat, format!("{} {} τ.", Text::ExitAlreadyThere.get(lang), tao(exit))).await;
        return Ok(());
    }
    // The per-trade limit bounds what the order may sell: a take-profit's level, or a
    // stop-loss's position as it is worth now.
    let worth = if above { level } else { exit };
    if worth > reg.per_trade {
        ctx.reply(chat, format!("{} {} τ.", Text::OverTradeLimit.get(lang), tao(reg.per_trade)))
            .await;
        return Ok(());
    }
    let x = Exit { netuid, hotkey: position.hotkey, above, level };
    let text = format!(
        "{}\n{} α · {} {} τ\n{}\n<i>{}</i>",
        escape(&x.describe()),
        tao(position.alpha),
        Text::ExitValue.get(lang),
        tao(exit),
        Text::ExitHow.get(lang),
        Text::ExpiresIn.get(lang)
    );
    ctx.send_card(chat, user_id, lang, text, &CardSpec::Exit(x)).await
}

pub(crate) async fn list(ctx: &Ctx, chat: i64, user_id: i64, lang: Lang) -> Result<()> {
    let autos = ctx.s.store.automations(Some(user_id)).await?;
    if autos.is_empty() {
        ctx.reply(chat, Text::NoAutomations.get(lang)).await;
        return Ok(());
    }
    let mut text = format!("<b>{}</b>\n", Text::AutomationsTitle.get(lang));
    for a in autos {
        if let Some(p) = Plan::parse(&a.spec) {
            text.push_str(&format!("#{} {}\n", a.id, escape(&p.describe())));
        }
    }
    text.push_str("/stop &lt;id&gt;");
    ctx.reply(chat, text).await;
    Ok(())
}

/// Runs due automations once a second (by the injected clock) until `stop` is set.
pub(crate) async fn run(ctx: Arc<Ctx>, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = run_due(&ctx).await {
            tracing::warn!(error = %e, "automations failed; retrying");
        }
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
        }
    }
}

/// Runs every automation due now; returns how many ran.
pub(crate) async fn run_due(ctx: &Ctx) -> Result<usize> {
    let now = ctx.s.clock.now_ms();
    let mut ran = 0;
    for a in ctx.s.store.automations(None).await? {
        if a.next_run_ms > now {
            continue;
        }
        let next = |every: u64| {
            if a.next_run_ms + every > now { a.next_run_ms + every } else { now + every }
        };
        match Plan::parse(&a.spec) {
            Some(Plan::Dca(dca)) => {
                ctx.s.store.reschedule(a.id, next(dca.every_ms)).await?;
                run_dca(ctx, &a, &dca).await?;
                ran += 1;
            }
            Some(Plan::Compound(c)) => {
                if run_compound(ctx, &a, &c, next(c.every_ms)).await? {
                    ran += 1;
                }
            }
            // Exits are evaluated per finalized block by `run_exits`.
            Some(Plan::Exit(_)) | None => {}
        }
    }
    Ok(ran)
}

async fn run_dca(ctx: &Ctx, a: &StoredAutomation, dca: &Dca) -> Result<()> {
    let lang = ctx.s.store.chat(a.chat_id).await?.lang;
    let say =
        |text: String| ctx.queue.enqueue(Outgoing::text(a.chat_id, format!("#{} {text}", a.id)));
    let reg = match ctx.s.store.proxy(a.user_id).await? {
        Some(r) if r.proxy => r,
        _ => {
            ctx.s.store.stop_automation(a.user_id, a.id).await?;
            say(Text::DcaStoppedProxy.get(lang).to_string());
            return Ok(());
        }
    };
    let spec = trade::quote_buy(
        &*ctx.s.chain,
        reg.coldkey,
        dca.netuid,
        Tao::from_rao(dca.amount),
        dca.limit,
        true,
    )
    .await?;
    if let Some(limit) = dca.limit {
        let spot = ctx.s.chain.subnet(dca.netuid).await?.pool.price;
        if spot > limit {
            say(format!(
                "{} ({} > {} τ/α)",
                Text::DcaSkippedPrice.get(lang),
                price(spot),
                price(limit)
            ));
            return Ok(());
        }
    }
    let day = ctx.day();
    if !ctx.s.store.reserve_spend(a.user_id, day, spec.tao_value, reg.per_day).await? {
        say(Text::OverDayLimit.get(lang).to_string());
        return Ok(());
    }
    match trade::execute_proxy(&*ctx.s.chain, &*ctx.s.proxy_key, &spec, |_| {}).await {
        Progress::Finalized(n, filled) => {
            say(format!(
                "{} · {} {} τ · #{n}\n{}",
                Text::DcaRun.get(lang),
                trade::label(dca.netuid, ""),
                tao(dca.amount),
                spec.receipt(lang, filled)
            ));
        }
        Progress::Failed(reason) | Progress::Rejected(reason) => {
            ctx.s.store.release_spend(a.user_id, day, spec.tao_value).await?;
            if trade::is_not_proxy(&reason) {
                ctx.s.store.stop_automation(a.user_id, a.id).await?;
                say(Text::DcaStoppedProxy.get(lang).to_string());
            } else {
                say(format!(
                    "{} {} {}",
                    Text::DcaRun.get(lang),
                    Text::Failed.get(lang),
                    crate::text::escape(&reason)
                ));
            }
        }
        Progress::Submitted | Progress::InBlock(_) => {}
    }
    Ok(())
}

/// The chain's head number and `coldkey`'s stakes read at that same head (re-read when a block
/// landed in between); `None` if the chain kept moving too fast to get a consistent pair.
pub(crate) async fn snapshot(
    chain: &dyn Chain,
    coldkey: AccountId,
) -> Result<Option<(u64, Vec<StakeInfo>)>> {
    for _ in 0..10 {
        let head = chain.header(BlockId::Head).await?.number;
        let stakes = chain.stakes(coldkey).await?;
        if chain.header(BlockId::Head).await?.number == head {
            return Ok(Some((head, stakes)));
        }
    }
    Ok(None)
}

fn seen_of(stakes: &[StakeInfo], block: u64) -> Vec<SeenStake> {
    stakes
        .iter()
        .map(|s| SeenStake { hotkey: s.hotkey, netuid: s.netuid, alpha: s.alpha, block })
        .collect()
}

/// The alpha `coldkey` earned on `seen`'s (hotkey, netuid) since `seen` was read: the stake's
/// growth to `now_alpha` less what its own trades after `seen.block` credited, plus what they
/// debited. Sells count the alpha that entered the pool (the fee is not added back) so every
/// error makes the estimate smaller; it is capped at the stake held.
pub fn earned(seen: &SeenStake, now_alpha: u64, coldkey: &AccountId, trades: &[Trade]) -> u64 {
    let (mut credits, mut debits) = (0u128, 0u128);
    for t in trades.iter().filter(|t| t.block > seen.block) {
        if t.coldkey == *coldkey && t.hotkey == seen.hotkey && t.netuid == seen.netuid {
            match t.kind {
                TradeKind::Buy => credits += u128::from(t.alpha),
                TradeKind::Sell | TradeKind::Move | TradeKind::Swap | TradeKind::Transfer => {
                    debits += u128::from(t.alpha)
                }
            }
        }
        if matches!(t.kind, TradeKind::Move | TradeKind::Swap | TradeKind::Transfer) {
            let cold = t.dest_coldkey.unwrap_or(t.coldkey);
            let hot = t.dest_hotkey.unwrap_or(t.hotkey);
            let net = t.dest_netuid.unwrap_or(t.netuid);
            if cold == *coldkey && hot == seen.hotkey && net == seen.netuid {
                // A move within one subnet records no destination alpha: it credits what left.
                let credited =
                    if t.alpha_dest > 0 || net != t.netuid { t.alpha_dest } else { t.alpha };
                credits += u128::from(credited);
            }
        }
    }
    let growth = i128::try_from(u128::from(now_alpha) + debits).unwrap_or(i128::MAX)
        - i128::try_from(u128::from(seen.alpha) + credits).unwrap_or(i128::MAX);
    u64::try_from(growth.max(0)).unwrap_or(u64::MAX).min(now_alpha)
}

/// One auto-compound run. Returns false (and leaves the schedule alone) while the market
/// store has not yet decoded the blocks up to the stake reading, since the trades in them
/// must be subtracted.
async fn run_compound(
    ctx: &Ctx,
    a: &StoredAutomation,
    c: &Compound,
    next_run_ms: u64,
) -> Result<bool> {
    let lang = ctx.s.store.chat(a.chat_id).await?.lang;
    let say = |text: String| {
        ctx.queue.enqueue(Outgoing::text(a.chat_id, format!("#{} {text}", a.id)));
    };
    let reg = match ctx.s.store.proxy(a.user_id).await? {
        Some(r) if r.proxy => r,
        _ => {
            ctx.s.store.stop_automation(a.user_id, a.id).await?;
            say(Text::AutomationStoppedProxy.get(lang).to_string());
            return Ok(true);
        }
    };
    let Some((head, stakes)) = snapshot(&*ctx.s.chain, reg.coldkey).await? else {
        return Ok(false);
    };
    // The market store decodes finalized blocks, a few behind the head the stakes were read
    // at; the trades up to that head must be in it before they can be subtracted.
    let waited = std::time::Instant::now();
    while ctx.s.market_store.last_block().await?.unwrap_or(0) < head {
        if waited.elapsed() > MARKET_WAIT {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ctx.s.store.reschedule(a.id, next_run_ms).await?;
    let seen: BTreeMap<(AccountId, u16), SeenStake> = ctx
        .s
        .store
        .stake_seen(a.id)
        .await?
        .into_iter()
        .map(|s| ((s.hotkey, s.netuid), s))
        .collect();
    let from = seen.values().map(|s| s.block).min().unwrap_or(head);
    let trades: Vec<Trade> = ctx
        .s
        .market_store
        .trades_range(None, from + 1, head)
        .await?
        .into_iter()
        .filter(|t| t.coldkey == reg.coldkey || t.dest_coldkey == Some(reg.coldkey))
        .collect();
    let target = ctx.s.chain.subnet(c.target).await?;
    let mut lines = Vec::new();
    // Positions whose reading moves to the fresh snapshot after this run: new ones, ones
    // with nothing earned, and ones moved (or of unknown outcome). Refused or too-small ones
    // keep their old reading so their emission is not forgotten.
    let mut renew: Vec<(AccountId, u16)> = Vec::new();
    let mut moved_any = false;
    for s in stakes
        .iter()
        .filter(|s| s.netuid != 0 && s.netuid != c.target && c.source.is_none_or(|n| n == s.netuid))
    {
        let key = (s.hotkey, s.netuid);
        let Some(prev) = seen.get(&key) else {
            renew.push(key);
            continue;
        };
        let alpha = earned(prev, s.alpha, &reg.coldkey, &trades);
        if alpha == 0 {
            renew.push(key);
            continue;
        }
        let out = ctx.s.chain.quote(s.netuid, Side::Sell, alpha).await?;
        let head_line =
            format!("SN{} → SN{}: {} α {}", s.netuid, c.target, tao(alpha), Text::Earned.get(lang));
        if out.amount_out < MIN_COMPOUND_RAO {
            lines.push(format!(
                "{head_line} (≈ {} τ): {}",
                tao(out.amount_out),
                Text::CompoundTooLittle.get(lang)
            ));
            continue;
        }
        let into = ctx.s.chain.quote(c.target, Side::Buy, out.amount_out).await?;
        let ratio = dtao::amm::swap_price_ratio(out.spot_after_bits, into.spot_after_bits);
        let limit_price = u64::try_from(
            u128::from(ratio) * u128::from(10_000 - trade::DEFAULT_TOLERANCE_BPS) / 10_000,
        )
        .unwrap_or(u64::MAX);
        let spec = TradeSpec {
            coldkey: reg.coldkey,
            call: Call::SwapStakeLimit {
                hotkey: s.hotkey,
                origin_netuid: s.netuid,
                destination_netuid: c.target,
                alpha_amount: Alpha::from_rao(alpha),
                limit_price,
                allow_partial: false,
            },
            side: Side::Buy,
            netuid: c.target,
            label: trade::label(c.target, &target.identity.name),
            amount_in: out.amount_out,
            quoted_out: into.amount_out,
            fee: out.fee,
            impact: into.price_impact(),
            min_out: 0,
            limit_price,
            tao_value: out.amount_out,
            proxy: true,
            lesson: Vec::new(),
        };
        let day = ctx.day();
        if !ctx.s.store.reserve_spend(a.user_id, day, spec.tao_value, reg.per_day).await? {
            lines.push(format!("{head_line}: {}", Text::OverDayLimit.get(lang)));
            continue;
        }
        match trade::execute_proxy(&*ctx.s.chain, &*ctx.s.proxy_key, &spec, |_| {}).await {
            Progress::Finalized(n, filled) => {
                renew.push(key);
                moved_any = true;
                lines.push(format!("{head_line} · #{n}\n{}", spec.receipt(lang, filled)));
            }
            Progress::Rejected(reason) => {
                ctx.s.store.release_spend(a.user_id, day, spec.tao_value).await?;
                if trade::is_not_proxy(&reason) {
                    ctx.s.store.stop_all_automations(a.user_id).await?;
                    say(Text::AutomationStoppedProxy.get(lang).to_string());
                    return Ok(true);
                }
                lines.push(format!(
                    "{head_line}: {} {} {}",
                    Text::Failed.get(lang),
                    escape(&reason),
                    Text::RetryNextPeriod.get(lang)
                ));
            }
            Progress::Failed(reason) => {
                renew.push(key);
                moved_any = true;
                lines.push(format!(
                    "{head_line}: {} {} {}",
                    Text::Failed.get(lang),
                    escape(&reason),
                    Text::OutcomeUnknown.get(lang)
                ));
            }
            Progress::Submitted | Progress::InBlock(_) => {}
        }
    }
    // After a move the reading must come from a block at or after it, or the move itself
    // would count as a debit next time.
    let fresh = if moved_any {
        match snapshot(&*ctx.s.chain, reg.coldkey).await? {
            Some(f) => f,
            None => {
                ctx.s.store.stop_automation(a.user_id, a.id).await?;
                say(Text::CompoundNoReading.get(lang).to_string());
                return Ok(true);
            }
        }
    } else {
        (head, stakes.clone())
    };
    let renewed: Vec<SeenStake> = seen_of(&fresh.1, fresh.0)
        .into_iter()
        .filter(|s| renew.contains(&(s.hotkey, s.netuid)))
        .collect();
    ctx.s.store.set_stake_seen(a.id, &renewed).await?;
    if lines.is_empty() {
        lines.push(Text::CompoundNothing.get(lang).to_string());
    }
    say(format!(
        "{} · {}\n{}",
        Text::CompoundRun.get(lang),
        escape(&c.describe()),
        lines.join("\n")
    ));
    Ok(true)
}

/// Evaluates take-profits and stop-losses at every finalized block, and stops a user's
/// automations when a finalized block removes the bot as their proxy; until `stop` is set.
pub(crate) async fn run_exits(ctx: Arc<Ctx>, mut stop: watch::Receiver<bool>) {
    // The last finalized block checked for proxy removals; a failed check is repeated with
    // the next head rather than skipped.
    let mut last: Option<u64> = None;
    loop {
        let mut finalized = match ctx.s.chain.subscribe_finalized().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "no finalized heads; subscribing again");
                tokio::select! {
                    _ = stop.changed() => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                }
            }
        };
        loop {
            let header = tokio::select! {
                _ = stop.changed() => return,
                h = finalized.next() => h,
            };
            let Some(Ok(header)) = header else {
                tracing::warn!("the finalized-head stream ended; subscribing again");
                break;
            };
            // Nothing to stop or to sell: skip the block reads (most heads, for most bots).
            match ctx.s.store.automations(None).await {
                Ok(a) if a.is_empty() => {
                    last = Some(header.number);
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "automations not read; retrying");
                    continue;
                }
            }
            let from = last.map_or(header.number, |l| l + 1);
            match proxy_removals(&ctx, from, header.number).await {
                Ok(()) => last = Some(header.number),
                Err(e) => tracing::warn!(error = %e, "proxy removals not checked; retrying"),
            }
            if let Err(e) = exits_step(&ctx).await {
                tracing::warn!(error = %e, "take-profit / stop-loss evaluation failed");
            }
        }
    }
}

async fn proxy_removals(ctx: &Ctx, from: u64, to: u64) -> Result<()> {
    let bot = AccountId::from(ctx.s.proxy_key.public());
    for n in from..=to {
        let block = ctx.s.chain.block(BlockId::Number(n)).await?;
        for r in &block.events {
            let Event::ProxyRemoved { real, delegate, .. } = &r.event else { continue };
            if *delegate != bot {
                continue;
            }
            for user in ctx.s.store.proxies_of(real).await? {
                if ctx.s.store.stop_all_automations(user).await? > 0
                    && let Some(reg) = ctx.s.store.proxy(user).await?
                {
                    let lang = ctx.s.store.chat(reg.chat_id).await?.lang;
                    ctx.queue.enqueue(Outgoing::text(
                        reg.chat_id,
                        format!("{} (#{n})", Text::AutomationStoppedProxy.get(lang)),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Checks every due take-profit / stop-loss against its position's exit value now, and sells
/// those that hit; returns how many fired.
pub(crate) async fn exits_step(ctx: &Ctx) -> Result<usize> {
    let now = ctx.s.clock.now_ms();
    let mut stakes: BTreeMap<AccountId, Vec<StakeInfo>> = BTreeMap::new();
    let mut fired = 0;
    for a in ctx.s.store.automations(None).await? {
        let Some(Plan::Exit(x)) = Plan::parse(&a.spec) else { continue };
        if a.next_run_ms > now {
            continue;
        }
        let lang = ctx.s.store.chat(a.chat_id).await?.lang;
        let say = |text: String| {
            ctx.queue.enqueue(Outgoing::text(a.chat_id, format!("#{} {text}", a.id)));
        };
        let reg = match ctx.s.store.proxy(a.user_id).await? {
            Some(r) if r.proxy => r,
            _ => {
                ctx.s.store.stop_automation(a.user_id, a.id).await?;
                say(Text::AutomationStoppedProxy.get(lang).to_string());
                continue;
            }
        };
        let held = match stakes.get(&reg.coldkey) {
            Some(s) => s,
            None => {
                let s = ctx.s.chain.stakes(reg.coldkey).await?;
                stakes.entry(reg.coldkey).or_insert(s)
            }
        };
        let alpha: u64 = held
            .iter()
            .filter(|s| s.hotkey == x.hotkey && s.netuid == x.netuid)
            .map(|s| s.alpha)
            .sum();
        if alpha == 0 {
            ctx.s.store.stop_automation(a.user_id, a.id).await?;
            say(format!("{} · {}", escape(&x.describe()), Text::ExitPositionGone.get(lang)));
            continue;
        }
        let exit = ctx.s.chain.quote(x.netuid, Side::Sell, alpha).await?.amount_out;
        let hit = if x.above { exit >= x.level } else { exit <= x.level };
        // The claim is the exactly-once point: only one evaluation, before or after a
        // restart, turns the automation off, and only that one sells.
        if !hit || !ctx.s.store.stop_automation(a.user_id, a.id).await? {
            continue;
        }
        fired += 1;
        let day = now / DAY_MS;
        // Claimed: from here every error must give the order back, or it would be lost.
        let spec =
            match trade::quote_exit(&*ctx.s.chain, reg.coldkey, x.hotkey, x.netuid, alpha).await {
                Ok(spec) => spec,
                Err(e) => {
                    ctx.s.store.reactivate(a.id).await?;
                    ctx.s.store.reschedule(a.id, now + EXIT_RETRY_MS).await?;
                    say(format!(
                        "{} {} {}",
                        Text::Failed.get(lang),
                        escape(&e.to_string()),
                        Text::ExitRetry.get(lang)
                    ));
                    continue;
                }
            };
        let what = if x.above { Text::TakeProfit } else { Text::StopLoss };
        let head = format!(
            "{} · {} · {} {} τ ({} {} τ)",
            what.get(lang),
            spec.label,
            Text::ExitValue.get(lang),
            tao(exit),
            if x.above { "≥" } else { "≤" },
            tao(x.level)
        );
        if !ctx.s.store.reserve_spend(a.user_id, day, spec.tao_value, reg.per_day).await? {
            ctx.s.store.reactivate(a.id).await?;
            ctx.s.store.reschedule(a.id, (day + 1) * DAY_MS).await?;
            say(format!(
                "{head}\n{} {}",
                Text::OverDayLimit.get(lang),
                Text::ExitTomorrow.get(lang)
            ));
            continue;
        }
        match trade::execute_proxy(&*ctx.s.chain, &*ctx.s.proxy_key, &spec, |_| {}).await {
            Progress::Finalized(n, filled) => {
                say(format!(
                    "{head}\n{} {} α · #{n}\n{}",
                    Text::Sold.get(lang),
                    tao(alpha),
                    spec.receipt(lang, filled)
                ));
            }
            Progress::Rejected(reason) => {
                ctx.s.store.release_spend(a.user_id, day, spec.tao_value).await?;
                if trade::is_not_proxy(&reason) {
                    ctx.s.store.stop_all_automations(a.user_id).await?;
                    say(format!("{head}\n{}", Text::AutomationStoppedProxy.get(lang)));
                } else {
                    ctx.s.store.reactivate(a.id).await?;
                    ctx.s.store.reschedule(a.id, now + EXIT_RETRY_MS).await?;
                    say(format!(
                        "{head}\n{} {} {}",
                        Text::Failed.get(lang),
                        escape(&reason),
                        Text::ExitRetry.get(lang)
                    ));
                }
            }
            Progress::Failed(reason) => {
                say(format!(
                    "{head}\n{} {} {}",
                    Text::Failed.get(lang),
                    escape(&reason),
                    Text::OutcomeUnknown.get(lang)
                ));
            }
            Progress::Submitted | Progress::InBlock(_) => {}
        }
    }
    Ok(fired)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trade(kind: TradeKind, block: u64, coldkey: AccountId, netuid: u16, alpha: u64) -> Trade {
        Trade {
            block,
            extrinsic: 1,
            seq: 0,
            kind,
            netuid,
            dest_netuid: None,
            coldkey,
            hotkey: AccountId([2; 32]),
            dest_coldkey: None,
            dest_hotkey: None,
            tao: 0,
            alpha,
            alpha_dest: 0,
            fee_tao: 0,
            fee_alpha: 0,
            price: 0,
        }
    }

    #[test]
    fn earned_is_growth_not_explained_by_own_trades() {
        let me = AccountId([1; 32]);
        let other = AccountId([9; 32]);
        let seen = SeenStake { hotkey: AccountId([2; 32]), netuid: 1, alpha: 100, block: 10 };
        // 5 earned, 20 bought, 8 sold; someone else's trade and one before the reading ignored.
        let trades = vec![
            trade(TradeKind::Buy, 10, me, 1, 1_000),
            trade(TradeKind::Buy, 11, me, 1, 20),
            trade(TradeKind::Sell, 12, me, 1, 8),
            trade(TradeKind::Buy, 12, other, 1, 500),
            trade(TradeKind::Buy, 12, me, 2, 500),
        ];
        assert_eq!(earned(&seen, 117, &me, &trades), 5);
        // Shrinking stake (a sale's fee) is never negative emission.
        assert_eq!(earned(&seen, 90, &me, &[]), 0);
        // A swap into this position credits its destination alpha.
        let mut swap = trade(TradeKind::Swap, 11, me, 2, 50);
        swap.dest_netuid = Some(1);
        swap.alpha_dest = 30;
        assert_eq!(earned(&seen, 131, &me, &[swap]), 1);
    }

    #[test]
    fn old_dca_rows_still_read() {
        let dca = Dca { netuid: 1, amount: 5, every_ms: 60_000, limit: None };
        let old = serde_json::to_string(&dca).unwrap();
        assert_eq!(Plan::parse(&old), Some(Plan::Dca(dca.clone())));
        let new = serde_json::to_string(&Plan::Dca(dca.clone())).unwrap();
        assert_eq!(Plan::parse(&new), Some(Plan::Dca(dca)));
        assert_eq!(Plan::parse("{}"), None);
    }
}
