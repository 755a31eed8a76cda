//! The running bot: long polling with a persisted update offset, command handlers, confirm
//! cards, and the tasks beside it (send queue, alert watcher, outbox, automations).

use std::sync::Arc;
use std::time::Duration;

use chain::{AccountId, Chain, Clock};
use market::{EventFilter, Interval, Market};
use teloxide::RequestError;
use teloxide::payloads::{AnswerCallbackQuerySetters as _, GetUpdatesSetters as _};
use teloxide::prelude::Requester as _;
use teloxide::types::{BotCommand, CallbackQuery, Message, UpdateKind};
use tokio::sync::watch;

use crate::alerts::{FeedClass, RuleKind};
use crate::automation::{self, CardSpec};
use crate::command::{self, AlertSpec, Command, ParseError, SubnetRef};
use crate::error::{BotError, Result};
use crate::i18n::{Lang, Text};
use crate::queue::{Limits, Outgoing, SendQueue};
use crate::store::{BotStore, Claim, ProxyReg, StoredCard};
use crate::text::{escape, group, pct, price, tao};
use crate::trade::{self, Progress, TradeSpec};
use crate::watch::{Links, Watcher, deliver_outbox};

/// The store cursor holding the next Telegram update id to ask for.
pub const OFFSET: &str = "update_offset";

/// How the bot behaves.
#[derive(Debug, Clone)]
pub struct BotConfig {
    /// The terminal's base URL: sign links and explorer links (none: no links, no sign-link mode).
    pub terminal_url: Option<String>,
    /// Default per-trade limit for new proxy registrations, rao.
    pub per_trade: u64,
    /// Default per-day limit, rao.
    pub per_day: u64,
    /// How long a quote card can be confirmed, ms.
    pub card_ttl_ms: u64,
    /// Send rate limits.
    pub limits: Limits,
    /// `getUpdates` long-poll timeout, seconds.
    pub poll_timeout_s: u32,
}

impl Default for BotConfig {
    fn default() -> Self {
        Self {
            terminal_url: None,
            per_trade: 10_000_000_000,
            per_day: 50_000_000_000,
            card_ttl_ms: 60_000,
            limits: Limits::default(),
            poll_timeout_s: 25,
        }
    }
}

/// What the bot runs on.
#[derive(Clone)]
pub struct Services {
    /// The chain (reads, quotes, proxy submissions).
    pub chain: Arc<dyn Chain>,
    /// Market read API.
    pub market: Arc<Market>,
    /// The market store the watcher follows.
    pub market_store: market::Store,
    /// The bot's own store.
    pub store: BotStore,
    /// The clock (card expiry, quiet hours, automations, daily limits).
    pub clock: Arc<dyn Clock>,
    /// The bot's proxy key: its only key.
    pub proxy_key: Arc<keys::Keypair>,
}

pub(crate) struct Ctx {
    pub(crate) s: Services,
    pub(crate) config: BotConfig,
    pub(crate) queue: SendQueue,
    pub(crate) api: teloxide::Bot,
    pub(crate) http: reqwest::Client,
}

const DAY_MS: u64 = 86_400_000;

impl Ctx {
    pub(crate) fn day(&self) -> u64 {
        self.s.clock.now_ms() / DAY_MS
    }

    pub(crate) async fn reply(&self, chat: i64, text: impl Into<String>) {
        if let Err(e) = self.queue.send(Outgoing::text(chat, text)).await {
            tracing::warn!(chat, error = %e, "reply failed");
        }
    }

    /// The subnet `r` names, or `None` after telling the chat there is no such subnet.
    pub(crate) async fn subnet_or_say(
        &self,
        chat: i64,
        lang: Lang,
        r: &SubnetRef,
    ) -> Result<Option<u16>> {
        let found = self.resolve(r).await?;
        if found.is_none() {
            self.reply(chat, Text::UnknownSubnet.get(lang)).await;
        }
        Ok(found)
    }

    pub(crate) async fn resolve(&self, r: &SubnetRef) -> Result<Option<u16>> {
        let overview = self.s.market.overview().await?;
        Ok(match r {
            SubnetRef::Id(n) => {
                overview.rows.iter().find(|row| row.netuid == *n).map(|row| row.netuid)
            }
            SubnetRef::Name(name) => overview
                .rows
                .iter()
                .find(|row| row.name.to_lowercase() == *name)
                .or_else(|| {
                    overview
                        .rows
                        .iter()
                        .find(|row| row.name.to_lowercase().starts_with(name.as_str()))
                })
                .map(|row| row.netuid),
        })
    }

    /// Sends a confirm card (Confirm / Cancel) and stores it, single-use, expiring after
    /// `card_ttl_ms`.
    pub(crate) async fn send_card(
        &self,
        chat: i64,
        user_id: i64,
        lang: Lang,
        text: String,
        spec: &CardSpec,
    ) -> Result<()> {
        let id = hex::encode(rand::random::<[u8; 12]>());
        // The quote's time runs from when it is shown, not from when it is filed after the
        // send returns (a user may tap in between).
        let expires_ms = self.s.clock.now_ms() + self.config.card_ttl_ms;
        let buttons = vec![vec![
            (Text::Confirm.get(lang).to_string(), format!("c:{id}")),
            (Text::Cancel.get(lang).to_string(), format!("x:{id}")),
        ]];
        let message_id = self
            .queue
            .send(Outgoing::Text { chat, text, buttons })
            .await
            .map_err(|e| BotError::Telegram(e.to_string()))?
            .unwrap_or_default();
        let spec = serde_json::to_string(spec).map_err(|e| BotError::Telegram(e.to_string()))?;
        self.s
            .store
            .add_card(&StoredCard { id, user_id, chat_id: chat, message_id, spec, expires_ms })
            .await
    }

    fn proxy_instructions(&self, coldkey: &AccountId) -> String {
        let bot = self.s.proxy_key.ss58_address();
        format!(
            "<code>taoplex wallet proxy add --delegate {bot} --type staking</code>\n(btcli: <code>btcli proxy add --delegate {bot} --proxy-type Staking</code>)\nfor <code>{}</code>",
            coldkey.to_ss58()
        )
    }
}

/// Runs the bot until `stop` is set: clears any webhook, publishes the command list, and long
/// polls Telegram, handling each update once (the offset is stored after each).
pub async fn run(
    api: teloxide::Bot,
    s: Services,
    config: BotConfig,
    mut stop: watch::Receiver<bool>,
) -> Result<()> {
    let tg = |e: RequestError| BotError::Telegram(e.to_string());
    let me = api.get_me().await.map_err(tg)?;
    tracing::info!(username = ?me.user.username, "connected to the Bot API");
    api.delete_webhook().await.map_err(tg)?;
    api.set_my_commands(commands()).await.map_err(tg)?;
    let (queue, queue_task) = SendQueue::spawn(api.clone(), config.limits);
    let links = Links { terminal: config.terminal_url.clone() };
    let watcher = Watcher::new(
        s.store.clone(),
        s.market_store.clone(),
        s.chain.clone(),
        s.clock.clone(),
        links,
    );
    let watcher_task = tokio::spawn(watcher.run(s.chain.clone(), stop.clone()));
    let outbox_task =
        tokio::spawn(deliver_outbox(s.store.clone(), queue.clone(), s.clock.clone(), stop.clone()));
    let ctx = Arc::new(Ctx { s, config, queue, api: api.clone(), http: reqwest::Client::new() });
    let auto_task = tokio::spawn(automation::run(ctx.clone(), stop.clone()));
    let exits_task = tokio::spawn(automation::run_exits(ctx.clone(), stop.clone()));
    let digest_task = tokio::spawn(digests(ctx.clone(), stop.clone()));
    let result = poll(&ctx, &mut stop).await;
    let _ = watcher_task.await;
    let _ = outbox_task.await;
    let _ = auto_task.await;
    let _ = exits_task.await;
    let _ = digest_task.await;
    drop(ctx);
    queue_task.abort();
    result
}

fn commands() -> Vec<BotCommand> {
    [
        ("price", "Price of a subnet token"),
        ("top", "Top subnets"),
        ("subnet", "Subnet card with chart"),
        ("events", "Recent market events"),
        ("alert", "Add a price, move or event alert"),
        ("whale", "Watch whale trades"),
        ("alerts", "List alerts"),
        ("portfolio", "Positions of an address"),
        ("buy", "Buy stake (quote card)"),
        ("sell", "Sell stake (quote card)"),
        ("backprop", "Where traders moved emissions"),
        ("digest", "Daily backprop digest on/off"),
        ("compound", "Auto-compound earned emission"),
        ("tp", "Take-profit on a position"),
        ("sl", "Stop-loss on a position"),
        ("automations", "List automations"),
        ("lang", "English / 中文"),
        ("help", "All commands"),
    ]
    .into_iter()
    .map(|(c, d)| BotCommand::new(c, d))
    .collect()
}

async fn poll(ctx: &Arc<Ctx>, stop: &mut watch::Receiver<bool>) -> Result<()> {
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        let offset = ctx.s.store.state(OFFSET).await?.unwrap_or(0);
        let request = ctx
            .api
            .get_updates()
            .offset(i32::try_from(offset).unwrap_or(i32::MAX))
            .timeout(ctx.config.poll_timeout_s);
        let updates = tokio::select! {
            _ = stop.changed() => return Ok(()),
            r = request.into_future() => r,
        };
        let updates = match updates {
            Ok(u) => u,
            Err(RequestError::RetryAfter(secs)) => {
                tokio::time::sleep(secs.duration()).await;
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "getUpdates failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        for update in updates {
            let next = i64::from(update.id.0) + 1;
            match update.kind {
                UpdateKind::Message(msg) => {
                    if let Err(e) = on_message(ctx, &msg).await {
                        tracing::warn!(error = %e, "a command failed");
                        ctx.reply(msg.chat.id.0, format!("⚠️ {}", escape(&e.to_string()))).await;
                    }
                }
                UpdateKind::CallbackQuery(q) => {
                    if let Err(e) = on_callback(ctx, &q).await {
                        tracing::warn!(error = %e, "a button failed");
                    }
                }
                _ => {}
            }
            ctx.s.store.set_state(OFFSET, next).await?;
        }
    }
}

fn is_trading(c: &Command) -> bool {
    matches!(
        c,
        Command::Proxy { .. }
            | Command::Address(_)
            | Command::Revoke
            | Command::Buy { .. }
            | Command::Sell { .. }
            | Command::Dca { .. }
            | Command::Compound { .. }
            | Command::Exit { .. }
            | Command::Stop(_)
    )
}

async fn on_message(ctx: &Arc<Ctx>, msg: &Message) -> Result<()> {
    let chat = msg.chat.id.0;
    let Some(text) = msg.text() else { return Ok(()) };
    let Some(user) = msg.from.as_ref() else { return Ok(()) };
    let user_id = i64::try_from(user.id.0).unwrap_or(i64::MAX);
    let settings = ctx.s.store.chat(chat).await?;
    let lang = settings.lang;
    if text.len() > command::MAX_INPUT {
        ctx.reply(chat, Text::TooLong.get(lang)).await;
        return Ok(());
    }
    let cmd = match command::parse(text) {
        Ok(c) => c,
        Err(ParseError::NotACommand) => return Ok(()),
        Err(ParseError::Unknown(_)) => {
            ctx.reply(chat, Text::UnknownCommand.get(lang)).await;
            return Ok(());
        }
        Err(ParseError::Usage(u)) => {
            ctx.reply(chat, format!("{} <code>{}</code>", Text::Usage.get(lang), escape(u))).await;
            return Ok(());
        }
        Err(ParseError::Amount(a)) => {
            ctx.reply(chat, format!("{} <code>{}</code>", Text::BadAmount.get(lang), escape(&a)))
                .await;
            return Ok(());
        }
    };
    if is_trading(&cmd) && !msg.chat.is_private() {
        ctx.reply(chat, Text::GroupTradeRefused.get(lang)).await;
        return Ok(());
    }
    match cmd {
        Command::Start => ctx.reply(chat, Text::Welcome.get(lang)).await,
        Command::Help => ctx.reply(chat, Text::Help.get(lang)).await,
        Command::Lang(l) => {
            let mut s = settings.clone();
            s.lang = l;
            ctx.s.store.set_chat(chat, &s).await?;
            ctx.reply(chat, Text::LangSet.get(l)).await;
        }
        Command::Price(r) => price_cmd(ctx, chat, lang, &r).await?,
        Command::Top => top(ctx, chat, lang).await?,
        Command::Subnet(r) => subnet_card(ctx, chat, lang, &r).await?,
        Command::Events(r) => events(ctx, chat, lang, r.as_ref()).await?,
        Command::Alert(spec) => add_alert(ctx, chat, lang, spec).await?,
        Command::Alerts => list_alerts(ctx, chat, lang).await?,
        Command::Unalert(id) => {
            let t = if ctx.s.store.remove_rule(chat, id).await? {
                Text::AlertRemoved
            } else {
                Text::NoSuchAlert
            };
            ctx.reply(chat, t.get(lang)).await;
        }
        Command::Cooldown(m) => {
            let mut s = settings.clone();
            s.cooldown_min = m;
            ctx.s.store.set_chat(chat, &s).await?;
            ctx.reply(chat, format!("{} {m}", Text::CooldownSet.get(lang))).await;
        }
        Command::Quiet(q) => {
            let mut s = settings.clone();
            s.quiet = q;
            ctx.s.store.set_chat(chat, &s).await?;
            match q {
                Some((a, b)) => {
                    ctx.reply(chat, format!("{} {a:02}:00–{b:02}:00", Text::QuietSet.get(lang)))
                        .await
                }
                None => ctx.reply(chat, Text::QuietOff.get(lang)).await,
            }
        }
        Command::Portfolio(addr) => portfolio(ctx, chat, lang, &addr).await?,
        Command::Backprop(window) => backprop(ctx, chat, lang, window).await?,
        Command::Digest(hour) => {
            ctx.s.store.set_digest(chat, hour).await?;
            match hour {
                Some(h) => ctx.reply(chat, format!("{} {h:02}:00", Text::DigestOn.get(lang))).await,
                None => ctx.reply(chat, Text::DigestOff.get(lang)).await,
            }
        }
        Command::Proxy { coldkey, per_trade, per_day } => {
            let Ok(coldkey) = coldkey.parse::<AccountId>() else {
                ctx.reply(chat, Text::BadAddress.get(lang)).await;
                return Ok(());
            };
            let reg = ProxyReg {
                user_id,
                chat_id: chat,
                coldkey,
                per_trade: per_trade.map(|t| t.rao()).unwrap_or(ctx.config.per_trade),
                per_day: per_day.map(|t| t.rao()).unwrap_or(ctx.config.per_day),
                proxy: true,
            };
            ctx.s.store.set_proxy(&reg).await?;
            ctx.reply(
                chat,
                format!(
                    "{}\n{}\nLimits: {} τ per trade, {} τ per day.",
                    Text::ProxySetup.get(lang),
                    ctx.proxy_instructions(&coldkey),
                    tao(reg.per_trade),
                    tao(reg.per_day)
                ),
            )
            .await;
        }
        Command::Address(coldkey) => {
            let Ok(coldkey) = coldkey.parse::<AccountId>() else {
                ctx.reply(chat, Text::BadAddress.get(lang)).await;
                return Ok(());
            };
            let reg = ProxyReg {
                user_id,
                chat_id: chat,
                coldkey,
                per_trade: 0,
                per_day: 0,
                proxy: false,
            };
            ctx.s.store.set_proxy(&reg).await?;
            ctx.reply(
                chat,
                format!("{} <code>{}</code>", Text::AddressSet.get(lang), coldkey.to_ss58()),
            )
            .await;
        }
        Command::Revoke => {
            let reg = ctx.s.store.proxy(user_id).await?;
            ctx.s.store.remove_proxy(user_id).await?;
            let bot = ctx.s.proxy_key.ss58_address();
            let who = reg
                .map(|r| format!(" for <code>{}</code>", r.coldkey.to_ss58()))
                .unwrap_or_default();
            ctx.reply(
                chat,
                format!(
                    "{}\n<code>taoplex wallet proxy remove --delegate {bot} --type staking</code>{who}\n(btcli: <code>btcli proxy remove --delegate {bot} --proxy-type Staking</code>)",
                    Text::Revoke.get(lang)
                ),
            )
            .await;
        }
        Command::Buy { subnet, amount, limit } => {
            start_trade(ctx, chat, user_id, lang, &subnet, TradeAsk::Buy(amount, limit)).await?
        }
        Command::Sell { subnet, amount, limit } => {
            start_trade(ctx, chat, user_id, lang, &subnet, TradeAsk::Sell(amount, limit)).await?
        }
        Command::Dca { subnet, amount, every_minutes, limit } => {
            automation::create_dca(ctx, chat, user_id, lang, &subnet, amount, every_minutes, limit)
                .await?
        }
        Command::Compound { source, target, every_minutes } => {
            automation::create_compound(
                ctx,
                chat,
                user_id,
                lang,
                source.as_ref(),
                &target,
                every_minutes,
            )
            .await?
        }
        Command::Exit { subnet, above, level } => {
            automation::create_exit(ctx, chat, user_id, lang, &subnet, above, level).await?
        }
        Command::PortfolioDaily(addr, hour) => {
            let Ok(coldkey) = addr.parse::<AccountId>() else {
                ctx.reply(chat, Text::BadAddress.get(lang)).await;
                return Ok(());
            };
            ctx.s.store.set_portfolio_daily(chat, &coldkey, hour).await?;
            match hour {
                Some(h) => {
                    ctx.reply(chat, format!("{} {h:02}:00", Text::PortfolioDailyOn.get(lang))).await
                }
                None => ctx.reply(chat, Text::PortfolioDailyOff.get(lang)).await,
            }
        }
        Command::Automations => automation::list(ctx, chat, user_id, lang).await?,
        Command::Stop(id) => {
            let t = if ctx.s.store.stop_automation(user_id, id).await? {
                Text::Stopped
            } else {
                Text::NoAutomations
            };
            ctx.reply(chat, t.get(lang)).await;
        }
    }
    Ok(())
}

async fn price_cmd(ctx: &Ctx, chat: i64, lang: Lang, r: &SubnetRef) -> Result<()> {
    let Some(netuid) = ctx.subnet_or_say(chat, lang, r).await? else {
        return Ok(());
    };
    let o = ctx.s.market.overview().await?;
    let Some(row) = o.rows.iter().find(|r| r.netuid == netuid) else {
        ctx.reply(chat, Text::UnknownSubnet.get(lang)).await;
        return Ok(());
    };
    ctx.reply(
        chat,
        format!(
            "<b>{}</b> {}\n{}: {} τ\n1h {} · 24h {} · 7d {}",
            trade::label(netuid, &row.name),
            escape(&row.symbol),
            Text::Price.get(lang),
            price(row.price),
            pct(row.change_1h),
            pct(row.change_24h),
            pct(row.change_7d)
        ),
    )
    .await;
    Ok(())
}

async fn top(ctx: &Ctx, chat: i64, lang: Lang) -> Result<()> {
    let o = ctx.s.market.overview().await?;
    if o.rows.is_empty() {
        ctx.reply(chat, Text::NoData.get(lang)).await;
        return Ok(());
    }
    let mut rows = o.rows.clone();
    rows.sort_by_key(|r| std::cmp::Reverse(r.market_cap));
    let mut text = format!("<b>{}</b>\n", Text::TopTitle.get(lang));
    for r in rows.iter().take(10) {
        text.push_str(&format!(
            "{} · {} τ · 24h {} · {} {} τ\n",
            trade::label(r.netuid, &r.name),
            price(r.price),
            pct(r.change_24h),
            Text::MarketCap.get(lang),
            tao(r.market_cap)
        ));
    }
    ctx.reply(chat, text).await;
    Ok(())
}

async fn subnet_card(ctx: &Ctx, chat: i64, lang: Lang, r: &SubnetRef) -> Result<()> {
    let Some(netuid) = ctx.subnet_or_say(chat, lang, r).await? else {
        return Ok(());
    };
    let d = ctx.s.market.subnet(netuid).await?;
    let holders = ctx.s.market.holders(netuid, 1).await?;
    let last = d.row.as_of_block;
    let from = last.saturating_sub(1_500);
    let closes: Vec<u64> = ctx
        .s
        .market
        .candles(netuid, Interval::M1, from, last)
        .await?
        .iter()
        .map(|c| c.close)
        .collect();
    let caption = format!(
        "<b>{}</b> {}\n{}: {} τ\n1h {} · 24h {} · 7d {}\n{}: {} τ · {} α\n{}: {:.3} %\n{}: {} τ\n{}: {}",
        trade::label(netuid, &d.row.name),
        escape(&d.row.symbol),
        Text::Price.get(lang),
        price(d.row.price),
        pct(d.row.change_1h),
        pct(d.row.change_24h),
        pct(d.row.change_7d),
        Text::Pool.get(lang),
        tao(d.state.tao_reserve),
        tao(d.state.alpha_in),
        Text::EmissionShare.get(lang),
        d.row.emission_share * 100.0,
        Text::Flow.get(lang),
        escape(&signed_tao(&d.row.net_flow_24h)),
        Text::Holders.get(lang),
        group(holders.count),
    );
    let link = ctx
        .config
        .terminal_url
        .as_ref()
        .map(|t| format!("\n{}/subnets/{netuid}", escape(t.trim_end_matches('/'))))
        .unwrap_or_default();
    let png = crate::chart::render(&closes);
    if let Err(e) =
        ctx.queue.send(Outgoing::Photo { chat, png, caption: format!("{caption}{link}") }).await
    {
        tracing::warn!(error = %e, "chart not sent");
    }
    Ok(())
}

fn signed_tao(s: &str) -> String {
    match s.strip_prefix('-') {
        Some(abs) => {
            format!("−{}", abs.parse::<u64>().map(tao).unwrap_or_else(|_| abs.to_string()))
        }
        None => format!("+{}", s.parse::<u64>().map(tao).unwrap_or_else(|_| s.to_string())),
    }
}

async fn events(ctx: &Ctx, chat: i64, lang: Lang, r: Option<&SubnetRef>) -> Result<()> {
    let netuid = match r {
        Some(r) => match ctx.subnet_or_say(chat, lang, r).await? {
            Some(n) => Some(n),
            None => return Ok(()),
        },
        None => None,
    };
    let events =
        ctx.s.market.events(&EventFilter { netuid, limit: 10, ..EventFilter::default() }).await?;
    if events.is_empty() {
        ctx.reply(chat, Text::NoEvents.get(lang)).await;
        return Ok(());
    }
    let mut text = format!("<b>{}</b>\n", Text::EventsTitle.get(lang));
    for e in events {
        text.push_str(&format!("#{} {}\n", e.block, escape(&e.sentence)));
    }
    ctx.reply(chat, text).await;
    Ok(())
}

async fn add_alert(ctx: &Ctx, chat: i64, lang: Lang, spec: AlertSpec) -> Result<()> {
    let subnet = |r: Option<SubnetRef>| async move {
        match r {
            None => Ok::<_, BotError>(Some(None)),
            Some(r) => Ok(ctx.resolve(&r).await?.map(Some)),
        }
    };
    let kind = match spec {
        AlertSpec::Price(r, dir, level) => {
            subnet(Some(r)).await?.flatten().map(|n| RuleKind::price(n, dir, level))
        }
        AlertSpec::Move(r, bps) => {
            subnet(Some(r)).await?.flatten().map(|netuid| RuleKind::Move { netuid, bps })
        }
        AlertSpec::Emission(r) => {
            subnet(r).await?.map(|netuid| RuleKind::Feed { class: FeedClass::Emission, netuid })
        }
        AlertSpec::Owner(r) => {
            subnet(r).await?.map(|netuid| RuleKind::Feed { class: FeedClass::Owner, netuid })
        }
        AlertSpec::Registration => {
            Some(RuleKind::Feed { class: FeedClass::Registration, netuid: None })
        }
        AlertSpec::Whale(r, min, side) => subnet(r).await?.map(|netuid| RuleKind::Whale {
            netuid,
            min_tao: min.rao(),
            side: side.into(),
        }),
    };
    let Some(kind) = kind else {
        ctx.reply(chat, Text::UnknownSubnet.get(lang)).await;
        return Ok(());
    };
    let id = ctx.s.store.add_rule(chat, &kind).await?;
    ctx.reply(chat, format!("{} #{id}: {}", Text::AlertAdded.get(lang), describe(&kind))).await;
    Ok(())
}

/// A rule in words.
pub fn describe(kind: &RuleKind) -> String {
    let scope =
        |n: &Option<u16>| n.map(|n| format!("SN{n}")).unwrap_or_else(|| "all subnets".into());
    match kind {
        RuleKind::Price { netuid, above, level } => {
            format!(
                "SN{netuid} price {} {} τ",
                if *above { "above" } else { "below" },
                price(*level)
            )
        }
        RuleKind::Move { netuid, bps } => {
            format!("SN{netuid} moves ±{:.2} % within 1h", f64::from(*bps) / 100.0)
        }
        RuleKind::Feed { class, netuid } => {
            let what = match class {
                FeedClass::Emission => "emission-share jumps",
                FeedClass::Owner => "owner burn and rule changes",
                FeedClass::Registration => "subnet registrations and deregistrations",
            };
            format!("{what} on {}", scope(netuid))
        }
        RuleKind::Whale { netuid, min_tao, side } => {
            format!("whale {side:?} ≥ {} τ on {}", tao(*min_tao), scope(netuid)).to_lowercase()
        }
    }
}

async fn list_alerts(ctx: &Ctx, chat: i64, lang: Lang) -> Result<()> {
    let rules = ctx.s.store.rules(Some(chat)).await?;
    if rules.is_empty() {
        ctx.reply(chat, Text::NoAlerts.get(lang)).await;
        return Ok(());
    }
    let mut text = format!("<b>{}</b>\n", Text::AlertsTitle.get(lang));
    for (r, _) in rules {
        text.push_str(&format!("#{} {}\n", r.id, describe(&r.kind)));
    }
    text.push_str("/unalert &lt;id&gt;");
    ctx.reply(chat, text).await;
    Ok(())
}

async fn portfolio(ctx: &Ctx, chat: i64, lang: Lang, addr: &str) -> Result<()> {
    let Ok(coldkey) = addr.parse::<AccountId>() else {
        ctx.reply(chat, Text::BadAddress.get(lang)).await;
        return Ok(());
    };
    let p = ctx.s.market.portfolio(coldkey).await?;
    let mut text = format!(
        "<b>{}</b> <code>{}</code>\n",
        Text::PortfolioTitle.get(lang),
        escape(&coldkey.to_ss58())
    );
    if p.positions.is_empty() {
        text.push_str(Text::NoPositions.get(lang));
    }
    for pos in &p.positions {
        let exit = pos
            .exit_value
            .as_deref()
            .and_then(|v| v.parse::<u64>().ok())
            .map(tao)
            .unwrap_or_else(|| "—".into());
        text.push_str(&format!(
            "SN{} · {} α · spot {} τ · {} {} τ\n",
            pos.netuid,
            tao(pos.alpha),
            tao(pos.spot_value),
            Text::ExitValue.get(lang),
            exit
        ));
    }
    text.push_str(&format!(
        "\nΣ spot {} τ · {} {} τ · block {}",
        tao(p.spot_total),
        Text::ExitValue.get(lang),
        tao(p.exit_total),
        p.as_of_block
    ));
    ctx.reply(chat, text).await;
    Ok(())
}

enum TradeAsk {
    Buy(dtao::units::Tao, Option<u64>),
    Sell(dtao::units::Alpha, Option<u64>),
}

async fn start_trade(
    ctx: &Ctx,
    chat: i64,
    user_id: i64,
    lang: Lang,
    r: &SubnetRef,
    ask: TradeAsk,
) -> Result<()> {
    let Some(netuid) = ctx.subnet_or_say(chat, lang, r).await? else {
        return Ok(());
    };
    let Some(reg) = ctx.s.store.proxy(user_id).await? else {
        ctx.reply(chat, Text::Register.get(lang)).await;
        return Ok(());
    };
    if !reg.proxy && ctx.config.terminal_url.is_none() {
        ctx.reply(chat, Text::NoTerminal.get(lang)).await;
        return Ok(());
    }
    let proxy = reg.proxy;
    let spec = match ask {
        TradeAsk::Buy(amount, limit) => {
            Some(trade::quote_buy(&*ctx.s.chain, reg.coldkey, netuid, amount, limit, proxy).await?)
        }
        TradeAsk::Sell(amount, limit) => {
            trade::quote_sell(&*ctx.s.chain, reg.coldkey, netuid, amount, limit, proxy).await?
        }
    };
    let Some(spec) = spec else {
        ctx.reply(chat, Text::NoStake.get(lang)).await;
        return Ok(());
    };
    if spec.proxy {
        if spec.tao_value > reg.per_trade {
            ctx.reply(
                chat,
                format!("{} {} τ.", Text::OverTradeLimit.get(lang), tao(reg.per_trade)),
            )
            .await;
            return Ok(());
        }
        let spent = ctx.s.store.spent(user_id, ctx.day()).await?;
        if spent.saturating_add(spec.tao_value) > reg.per_day {
            ctx.reply(
                chat,
                format!(
                    "{} {} τ.",
                    Text::OverDayLimit.get(lang),
                    tao(reg.per_day.saturating_sub(spent))
                ),
            )
            .await;
            return Ok(());
        }
    }
    let text = spec.card(lang);
    ctx.send_card(chat, user_id, lang, text, &CardSpec::Trade(Box::new(spec))).await
}

async fn answer(ctx: &Ctx, q: &CallbackQuery, text: &str) {
    if let Err(e) = ctx.api.answer_callback_query(q.id.clone()).text(text.to_string()).await {
        tracing::warn!(error = %e, "answerCallbackQuery failed");
    }
}

async fn on_callback(ctx: &Arc<Ctx>, q: &CallbackQuery) -> Result<()> {
    let user_id = i64::try_from(q.from.id.0).unwrap_or(i64::MAX);
    let Some(data) = q.data.as_deref() else { return Ok(()) };
    let Some((action, id)) = data.split_once(':') else { return Ok(()) };
    let chat = q.message.as_ref().map(|m| m.chat().id.0).unwrap_or(user_id);
    let lang = ctx.s.store.chat(chat).await?.lang;
    let now = ctx.s.clock.now_ms();
    let state = if action == "c" { "confirmed" } else { "cancelled" };
    let card = match ctx.s.store.claim_card(id, user_id, now, state).await? {
        Claim::Won(card) => card,
        Claim::Expired => {
            answer(ctx, q, Text::Expired.get(lang)).await;
            return Ok(());
        }
        Claim::Used | Claim::Unknown => {
            answer(ctx, q, Text::AlreadyUsed.get(lang)).await;
            return Ok(());
        }
        Claim::NotYours => {
            answer(ctx, q, Text::NotYours.get(lang)).await;
            return Ok(());
        }
    };
    let spec: CardSpec = serde_json::from_str(&card.spec)
        .map_err(|e| BotError::Telegram(format!("stored card: {e}")))?;
    let spec = match spec {
        CardSpec::Trade(t) => *t,
        other => {
            let Some(plan) = other.plan() else { return Ok(()) };
            if action == "c" {
                answer(ctx, q, Text::AutomationCreated.get(lang)).await;
                return automation::confirmed(ctx, &card, &plan, lang).await;
            }
            answer(ctx, q, Text::Cancelled.get(lang)).await;
            ctx.queue.enqueue(Outgoing::Edit {
                chat: card.chat_id,
                message_id: card.message_id,
                text: Text::Cancelled.get(lang).to_string(),
                buttons: vec![],
            });
            return Ok(());
        }
    };
    let head = spec.card(lang);
    let edit = |text: String| Outgoing::Edit {
        chat: card.chat_id,
        message_id: card.message_id,
        text,
        buttons: vec![],
    };
    if action != "c" {
        answer(ctx, q, Text::Cancelled.get(lang)).await;
        ctx.queue.enqueue(edit(format!("{head}\n\n{}", Text::Cancelled.get(lang))));
        return Ok(());
    }
    answer(ctx, q, Text::Submitted.get(lang)).await;
    let ctx = ctx.clone();
    tokio::spawn(async move {
        if spec.proxy {
            execute_card(&ctx, &card, &spec, lang, &head).await;
        } else {
            sign_link_card(&ctx, &card, &spec, lang, &head).await;
        }
    });
    Ok(())
}

async fn execute_card(ctx: &Ctx, card: &StoredCard, spec: &TradeSpec, lang: Lang, head: &str) {
    let edit = |text: String| Outgoing::Edit {
        chat: card.chat_id,
        message_id: card.message_id,
        text,
        buttons: vec![],
    };
    let Some(reg) = ctx.s.store.proxy(card.user_id).await.ok().flatten() else {
        ctx.queue.enqueue(edit(format!("{head}\n\n{}", Text::NotYours.get(lang))));
        return;
    };
    let day = ctx.day();
    match ctx.s.store.reserve_spend(card.user_id, day, spec.tao_value, reg.per_day).await {
        Ok(true) => {}
        Ok(false) => {
            ctx.queue.enqueue(edit(format!("{head}\n\n{}", Text::OverDayLimit.get(lang))));
            return;
        }
        Err(e) => {
            ctx.queue.enqueue(edit(format!(
                "{head}\n\n{} {}",
                Text::Failed.get(lang),
                escape(&e.to_string())
            )));
            return;
        }
    }
    let queue = ctx.queue.clone();
    let outcome = trade::execute_proxy(&*ctx.s.chain, &*ctx.s.proxy_key, spec, |p| {
        let line = match p {
            Progress::Submitted => Text::Submitted.get(lang).to_string(),
            Progress::InBlock(n) => format!("{} #{n}", Text::InBlock.get(lang)),
            _ => return,
        };
        queue.enqueue(edit(format!("{head}\n\n{line}")));
    })
    .await;
    let line = match outcome {
        Progress::Finalized(n, filled) => {
            format!("{} · #{n}\n{}", Text::Finalized.get(lang), spec.receipt(lang, filled))
        }
        Progress::Failed(reason) | Progress::Rejected(reason) => {
            let _ = ctx.s.store.release_spend(card.user_id, day, spec.tao_value).await;
            let hint = if trade::is_not_proxy(&reason) {
                format!(
                    "\n{}\n{}",
                    Text::ProxyNotOnChain.get(lang),
                    ctx.proxy_instructions(&spec.coldkey)
                )
            } else {
                String::new()
            };
            format!("{} {}{hint}", Text::Failed.get(lang), escape(&reason))
        }
        Progress::Submitted | Progress::InBlock(_) => return,
    };
    ctx.queue.enqueue(edit(format!("{head}\n\n{line}")));
}

async fn sign_link_card(ctx: &Ctx, card: &StoredCard, spec: &TradeSpec, lang: Lang, head: &str) {
    let edit = |text: String| Outgoing::Edit {
        chat: card.chat_id,
        message_id: card.message_id,
        text,
        buttons: vec![],
    };
    let Some(terminal) = ctx.config.terminal_url.as_deref() else { return };
    let line = match trade::prepare_sign_link(&ctx.http, terminal, spec.coldkey, &spec.call).await {
        Ok(link) => {
            let url = format!("{}{}", terminal.trim_end_matches('/'), link.sign_url);
            format!(
                "{}\n<a href=\"{}\">{}</a>\n{} · {}: {} τ",
                Text::NoProxy.get(lang),
                escape(&url),
                escape(&url),
                escape(&link.description),
                Text::Fee.get(lang),
                tao(link.fee_rao)
            )
        }
        Err(e) => format!("{} {}", Text::Failed.get(lang), escape(&e.to_string())),
    };
    ctx.queue.enqueue(edit(format!("{head}\n\n{line}")));
}

/// `ppb` (parts per billion of the emission) as a signed percentage with 4 decimals, exactly.
fn ppb_pct(ppb: i64) -> String {
    let sign = if ppb < 0 { "−" } else { "+" };
    let abs = ppb.unsigned_abs();
    format!("{sign}{}.{:04} %", abs / 10_000_000, (abs % 10_000_000) / 1_000)
}

fn signed_rao(rao: i128) -> String {
    let sign = if rao < 0 { "−" } else { "+" };
    format!("{sign}{}", tao(u64::try_from(rao.unsigned_abs()).unwrap_or(u64::MAX)))
}

/// The `/backprop` text: the view's summary (its English sentence, or the same numbers framed
/// in Chinese) and the five largest gains and losses of emission share.
pub(crate) fn backprop_text(v: &market::backprop::BackpropView, lang: Lang) -> String {
    let moved = ppb_pct(i64::try_from(v.moved_ppb).unwrap_or(i64::MAX));
    let summary = match lang {
        Lang::En => escape(&v.summary),
        Lang::Zh => format!(
            "{} {} {}（#{}–#{}）。",
            moved.trim_start_matches('+'),
            Text::BackpropMoved.get(lang),
            v.window,
            v.from_block,
            v.to_block
        ),
    };
    let mut text = format!("<b>/backprop {}</b>\n{summary}\n", v.window);
    let section = |title: Text, rows: Vec<&market::backprop::SubnetShift>| {
        let mut t = format!("\n<b>{}</b>\n", title.get(lang));
        if rows.is_empty() {
            t.push_str(Text::BackpropNone.get(lang));
            t.push('\n');
        }
        for s in rows {
            t.push_str(&format!(
                "{} {} · {} τ/day\n",
                trade::label(s.netuid, &s.name),
                ppb_pct(s.share_change_ppb),
                signed_rao(s.tao_per_day_change)
            ));
        }
        t
    };
    text.push_str(&section(Text::BackpropGainers, v.pushed_to().take(5).collect()));
    text.push_str(&section(Text::BackpropLosers, v.pulled_from().take(5).collect()));
    text
}

async fn backprop(
    ctx: &Ctx,
    chat: i64,
    lang: Lang,
    window: market::backprop::Window,
) -> Result<()> {
    let view = match ctx.s.market.backprop(window).await {
        Ok(v) => v,
        Err(market::MarketError::NothingIndexed) => {
            ctx.reply(chat, Text::NoData.get(lang)).await;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    ctx.reply(chat, backprop_text(&view, lang)).await;
    let changes: Vec<i64> = view.subnets.iter().map(|s| s.share_change_ppb).collect();
    let png = crate::chart::render_bars(&changes);
    let caption = format!("/backprop {} · #{}–#{}", view.window, view.from_block, view.to_block);
    if let Err(e) = ctx.queue.send(Outgoing::Photo { chat, png, caption }).await {
        tracing::warn!(error = %e, "backprop chart not sent");
    }
    Ok(())
}

/// Queues each chat's daily digest once its hour has come on the bot's clock. The outbox
/// sends it; the delivery log keeps a day from being queued twice, across restarts too.
async fn digests(ctx: Arc<Ctx>, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = digest_step(&ctx).await {
            tracing::warn!(error = %e, "digest step failed");
        }
        if let Err(e) = portfolio_step(&ctx).await {
            tracing::warn!(error = %e, "daily portfolio step failed");
        }
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
}

async fn digest_step(ctx: &Ctx) -> Result<()> {
    let now = ctx.s.clock.now_ms();
    let (day, hour) = (now / DAY_MS, (now % DAY_MS) / 3_600_000);
    // One view serves every chat due in this step; built only when some chat is due.
    let mut view = None;
    for (chat, at) in ctx.s.store.digests().await? {
        if hour < u64::from(at) || ctx.s.store.digest_queued(chat, day).await? {
            continue;
        }
        let lang = ctx.s.store.chat(chat).await?.lang;
        let view = match &mut view {
            Some(v) => v,
            None => match ctx.s.market.backprop(market::backprop::Window::Day).await {
                Ok(v) => view.insert(v),
                // Nothing indexed yet: try again on the next tick rather than send an empty
                // digest.
                Err(market::MarketError::NothingIndexed) => return Ok(()),
                Err(e) => return Err(e.into()),
            },
        };
        let text = format!("<b>{}</b>\n{}", Text::DigestTitle.get(lang), backprop_text(view, lang));
        ctx.s.store.queue_digest(chat, day, &text, now).await?;
    }
    Ok(())
}

/// What a daily portfolio summary remembers for the next day's change.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct PortfolioSnapshot {
    block: u64,
    exit_total: u64,
    positions: Vec<(AccountId, u16, u64)>,
}

/// Queues each daily portfolio summary once its hour has come (the digest's exactly-once log),
/// with the change in exit value since the last summary and the emission earned meanwhile.
async fn portfolio_step(ctx: &Ctx) -> Result<()> {
    let now = ctx.s.clock.now_ms();
    let (day, hour) = (now / DAY_MS, (now % DAY_MS) / 3_600_000);
    for d in ctx.s.store.portfolio_dailies().await? {
        if hour < u64::from(d.hour)
            || ctx.s.store.portfolio_queued(d.chat_id, &d.coldkey, day).await?
        {
            continue;
        }
        let lang = ctx.s.store.chat(d.chat_id).await?.lang;
        let p = ctx.s.market.portfolio(d.coldkey).await?;
        let prev: Option<PortfolioSnapshot> =
            d.snapshot.as_deref().and_then(|s| serde_json::from_str(s).ok());
        let trades = match &prev {
            Some(prev) => ctx
                .s
                .market_store
                .trades_range(None, prev.block + 1, p.as_of_block)
                .await?
                .into_iter()
                .filter(|t| t.coldkey == d.coldkey || t.dest_coldkey == Some(d.coldkey))
                .collect(),
            None => Vec::new(),
        };
        let mut text = format!(
            "<b>{}</b> <code>{}</code>\n",
            Text::PortfolioDailyTitle.get(lang),
            escape(&d.coldkey.to_ss58())
        );
        if p.positions.is_empty() {
            text.push_str(Text::NoPositions.get(lang));
            text.push('\n');
        }
        let mut earned_value: u128 = 0;
        for pos in &p.positions {
            let exit = pos
                .exit_value
                .as_deref()
                .and_then(|v| v.parse::<u64>().ok())
                .map(tao)
                .unwrap_or_else(|| "—".into());
            let earned = prev.as_ref().and_then(|prev| {
                let (_, _, alpha) =
                    prev.positions.iter().find(|(h, n, _)| *h == pos.hotkey && *n == pos.netuid)?;
                let seen = crate::store::SeenStake {
                    hotkey: pos.hotkey,
                    netuid: pos.netuid,
                    alpha: *alpha,
                    block: prev.block,
                };
                Some(automation::earned(&seen, pos.alpha, &d.coldkey, &trades))
            });
            let earned_line = match earned {
                Some(e) => {
                    earned_value +=
                        u128::from(pos.spot_value) * u128::from(e) / u128::from(pos.alpha.max(1));
                    format!(" · {} +{} α", Text::Earned.get(lang), tao(e))
                }
                None => String::new(),
            };
            text.push_str(&format!(
                "SN{} · {} α · {} {} τ{earned_line}\n",
                pos.netuid,
                tao(pos.alpha),
                Text::ExitValue.get(lang),
                exit
            ));
        }
        let change = match &prev {
            Some(prev) => {
                let diff = i128::from(p.exit_total) - i128::from(prev.exit_total);
                let pct_change = if prev.exit_total == 0 {
                    String::new()
                } else {
                    format!(" ({})", pct(Some(diff as f64 / prev.exit_total as f64)))
                };
                format!("{} τ{pct_change}", signed_rao(diff))
            }
            None => Text::FirstSummary.get(lang).to_string(),
        };
        text.push_str(&format!(
            "Σ {} {} τ · {}: {}",
            Text::ExitValue.get(lang),
            tao(p.exit_total),
            Text::Change24h.get(lang),
            change
        ));
        if prev.is_some() {
            text.push_str(&format!(
                " · {} ≈ {} τ",
                Text::Earned.get(lang),
                tao(u64::try_from(earned_value).unwrap_or(u64::MAX))
            ));
        }
        text.push_str(&format!(" · block {}", p.as_of_block));
        let snapshot = PortfolioSnapshot {
            block: p.as_of_block,
            exit_total: p.exit_total,
            positions: p.positions.iter().map(|x| (x.hotkey, x.netuid, x.alpha)).collect(),
        };
        let snapshot =
            serde_json::to_string(&snapshot).map_err(|e| BotError::Telegram(e.to_string()))?;
        ctx.s.store.queue_portfolio(d.chat_id, &d.coldkey, day, &text, &snapshot, now).await?;
    }
    Ok(())
}
