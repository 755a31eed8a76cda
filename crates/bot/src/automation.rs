//! Automations through the user's Staking proxy: DCA (buy a fixed TAO amount every period,
//! only at or under a limit price). Each is confirmed once, on a card, when created; every run
//! counts against the per-day limit, is reported in the chat with its receipt, and a run that
//! finds the proxy gone stops the automation. A failed run is not retried before its next
//! period (a retry could double-buy if the first attempt landed late).

use std::sync::Arc;
use std::time::Duration;

use dtao::units::Tao;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::command::SubnetRef;
use crate::error::{BotError, Result};
use crate::i18n::{Lang, Text};
use crate::queue::Outgoing;
use crate::service::Ctx;
use crate::store::{StoredAutomation, StoredCard};
use crate::text::{price, tao};
use crate::trade::{self, Progress};

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
    let Some(netuid) = ctx.resolve(subnet).await? else {
        ctx.reply(chat, Text::UnknownSubnet.get(lang)).await;
        return Ok(());
    };
    let reg = match ctx.s.store.proxy(user_id).await? {
        Some(r) if r.proxy => r,
        _ => {
            ctx.reply(chat, Text::Register.get(lang)).await;
            return Ok(());
        }
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

pub(crate) async fn confirmed(ctx: &Ctx, card: &StoredCard, dca: &Dca, lang: Lang) -> Result<()> {
    let now = ctx.s.clock.now_ms();
    let spec = serde_json::to_string(dca).map_err(|e| BotError::Telegram(e.to_string()))?;
    let id = ctx.s.store.add_automation(card.user_id, card.chat_id, &spec, now).await?;
    ctx.queue.enqueue(Outgoing::Edit {
        chat: card.chat_id,
        message_id: card.message_id,
        text: format!("#{id} {}\n{}", dca.describe(), Text::DcaCreated.get(lang)),
        buttons: vec![],
    });
    Ok(())
}

pub(crate) async fn list(ctx: &Ctx, chat: i64, user_id: i64, lang: Lang) -> Result<()> {
    let autos = ctx.s.store.automations(Some(user_id)).await?;
    if autos.is_empty() {
        ctx.reply(chat, Text::NoAutomations.get(lang)).await;
        return Ok(());
    }
    let mut text = format!("<b>{}</b>\n", Text::AutomationsTitle.get(lang));
    for a in autos {
        if let Ok(d) = serde_json::from_str::<Dca>(&a.spec) {
            text.push_str(&format!("#{} {}\n", a.id, d.describe()));
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
        let Ok(dca) = serde_json::from_str::<Dca>(&a.spec) else { continue };
        let next = if a.next_run_ms + dca.every_ms > now {
            a.next_run_ms + dca.every_ms
        } else {
            now + dca.every_ms
        };
        ctx.s.store.reschedule(a.id, next).await?;
        run_dca(ctx, &a, &dca).await?;
        ran += 1;
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
        Progress::Failed(reason) => {
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
