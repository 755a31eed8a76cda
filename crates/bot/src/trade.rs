//! Trading without holding anyone's keys: quote cards, the proxy executor (the bot signs
//! `proxy(real, call)` with its own key, which the chain lets do stake management only), and
//! sign links (the terminal prepares the transaction; the user's browser wallet signs it).

use chain::{AccountId, Call, Chain, Event, Side, TxOptions, TxStatus};
use dtao::units::{Alpha, Tao};
use futures::StreamExt as _;
use serde::{Deserialize, Serialize};

use crate::error::{BotError, Result};
use crate::i18n::{Lang, Text};
use crate::text::{escape, price, tao};

/// The default limit-price tolerance when the user gives none: 1 %.
pub const DEFAULT_TOLERANCE_BPS: u64 = 100;

/// A quoted trade, stored with its card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TradeSpec {
    /// Whose stake (the real account).
    pub coldkey: AccountId,
    /// The call the coldkey's proxy (or its own signature) dispatches.
    pub call: Call,
    /// Buy or sell.
    pub side: Side,
    /// Subnet.
    pub netuid: u16,
    /// Subnet label for people.
    pub label: String,
    /// Amount in (TAO for buys, alpha for sells), rao.
    pub amount_in: u64,
    /// Quoted amount out, rao.
    pub quoted_out: u64,
    /// Swap fee, rao (TAO for buys, alpha for sells).
    pub fee: u64,
    /// Price impact, fraction.
    pub impact: f64,
    /// Minimum received at the limit price, rao.
    pub min_out: u64,
    /// Limit price, rao per alpha.
    pub limit_price: u64,
    /// TAO value counted against the user's limits, rao.
    pub tao_value: u64,
    /// Signed by the bot's proxy (true) or by the user through a sign link (false).
    pub proxy: bool,
    /// What this trade teaches the network ([`market::lesson::lesson_lines`]), or one line
    /// saying why it was not projected. Stored with the card so the edits after Confirm keep
    /// it; cards stored before the field existed read as empty.
    #[serde(default)]
    pub lesson: Vec<String>,
}

/// The lesson lines for one pool impact. A projection that fails must not cost the user the
/// quote, so the failure becomes a line instead of an error.
async fn lesson(chain: &dyn Chain, netuid: u16, quote: &chain::SwapOutcome) -> Vec<String> {
    match market::lesson::project_trade(chain, &[market::lesson::impact(netuid, quote)]).await {
        Ok(p) => market::lesson::lesson_lines(&p),
        Err(e) => vec![format!("what this trade teaches the network: not projected ({e})")],
    }
}

fn mul_div(a: u64, b: u64, c: u64) -> u64 {
    if c == 0 {
        return 0;
    }
    u64::try_from(u128::from(a) * u128::from(b) / u128::from(c)).unwrap_or(u64::MAX)
}

const RAO: u64 = 1_000_000_000;
const BPS: u64 = 10_000;

/// Quotes a buy of `amount` TAO on `netuid` for `coldkey`, staking to the subnet owner's hotkey.
pub async fn quote_buy(
    chain: &dyn Chain,
    coldkey: AccountId,
    netuid: u16,
    amount: Tao,
    limit: Option<u64>,
    proxy: bool,
) -> Result<TradeSpec> {
    let info = chain.subnet(netuid).await?;
    let q = chain.quote(netuid, Side::Buy, amount.rao()).await?;
    let limit_price =
        limit.unwrap_or_else(|| mul_div(info.pool.price.max(1), BPS + DEFAULT_TOLERANCE_BPS, BPS));
    let net_in = amount.rao().saturating_sub(q.fee);
    Ok(TradeSpec {
        coldkey,
        call: Call::AddStakeLimit {
            hotkey: info.owner_hotkey,
            netuid,
            amount_staked: amount,
            limit_price,
            allow_partial: false,
        },
        side: Side::Buy,
        netuid,
        label: label(netuid, &info.identity.name),
        amount_in: amount.rao(),
        quoted_out: q.amount_out,
        fee: q.fee,
        impact: q.price_impact(),
        min_out: mul_div(net_in, RAO, limit_price.max(1)),
        limit_price,
        tao_value: amount.rao(),
        proxy,
        lesson: lesson(chain, netuid, &q).await,
    })
}

/// Quotes a sale of `amount` alpha on `netuid` from `coldkey`'s largest stake there.
pub async fn quote_sell(
    chain: &dyn Chain,
    coldkey: AccountId,
    netuid: u16,
    amount: Alpha,
    limit: Option<u64>,
    proxy: bool,
) -> Result<Option<TradeSpec>> {
    let info = chain.subnet(netuid).await?;
    let Some(stake) = chain
        .stakes(coldkey)
        .await?
        .into_iter()
        .filter(|s| s.netuid == netuid && s.alpha > 0)
        .max_by_key(|s| s.alpha)
    else {
        return Ok(None);
    };
    let q = chain.quote(netuid, Side::Sell, amount.rao()).await?;
    let limit_price =
        limit.unwrap_or_else(|| mul_div(info.pool.price, BPS - DEFAULT_TOLERANCE_BPS, BPS));
    Ok(Some(TradeSpec {
        coldkey,
        call: Call::RemoveStakeLimit {
            hotkey: stake.hotkey,
            netuid,
            amount_unstaked: amount,
            limit_price,
            allow_partial: false,
        },
        side: Side::Sell,
        netuid,
        label: label(netuid, &info.identity.name),
        amount_in: amount.rao(),
        quoted_out: q.amount_out,
        fee: q.fee,
        impact: q.price_impact(),
        min_out: mul_div(amount.rao().saturating_sub(q.fee), limit_price, RAO),
        limit_price,
        tao_value: q.amount_out,
        proxy,
        lesson: lesson(chain, netuid, &q).await,
    }))
}

/// Quotes selling all `alpha` of `coldkey` on (`hotkey`, `netuid`) through the proxy, with a
/// limit price 1 % under the price the pool ends at after the quoted sale: the chain fills it
/// only if the sale goes no worse than quoted, less that tolerance.
pub async fn quote_exit(
    chain: &dyn Chain,
    coldkey: AccountId,
    hotkey: AccountId,
    netuid: u16,
    alpha: u64,
) -> Result<TradeSpec> {
    let info = chain.subnet(netuid).await?;
    let q = chain.quote(netuid, Side::Sell, alpha).await?;
    let after =
        u64::try_from(q.spot_after_bits.saturating_mul(u128::from(RAO)) >> 64).unwrap_or(u64::MAX);
    let limit_price = mul_div(after, BPS - DEFAULT_TOLERANCE_BPS, BPS);
    Ok(TradeSpec {
        coldkey,
        call: Call::RemoveStakeLimit {
            hotkey,
            netuid,
            amount_unstaked: Alpha::from_rao(alpha),
            limit_price,
            allow_partial: false,
        },
        side: Side::Sell,
        netuid,
        label: label(netuid, &info.identity.name),
        amount_in: alpha,
        quoted_out: q.amount_out,
        fee: q.fee,
        impact: q.price_impact(),
        min_out: mul_div(alpha.saturating_sub(q.fee), limit_price, RAO),
        limit_price,
        tao_value: q.amount_out,
        proxy: true,
        lesson: Vec::new(),
    })
}

/// `SN1 (Apex)`, escaped.
pub fn label(netuid: u16, name: &str) -> String {
    if name.is_empty() { format!("SN{netuid}") } else { format!("SN{netuid} ({})", escape(name)) }
}

fn short(a: &AccountId) -> String {
    let s = a.to_ss58();
    format!("{}…{}", s.get(..6).unwrap_or(&s), s.get(s.len().saturating_sub(4)..).unwrap_or(""))
}

impl TradeSpec {
    fn units(&self) -> (&'static str, &'static str) {
        match self.side {
            Side::Buy => ("τ", "α"),
            Side::Sell => ("α", "τ"),
        }
    }

    /// The quote card's text.
    pub fn card(&self, lang: Lang) -> String {
        let (unit_in, unit_out) = self.units();
        let verb = match self.side {
            Side::Buy => "Buy",
            Side::Sell => "Sell",
        };
        let how = if self.proxy { "Staking proxy" } else { "sign link" };
        format!(
            "<b>{}</b> · {verb} {}\n{}: {} {unit_in}\n{}: {} {unit_out}\n{}: {} {unit_in}\n{}: {:.2} %\n{}: {} {unit_out}\n{}: {} τ/α\n{} · {how}\n<i>{}</i>",
            Text::Quote.get(lang),
            self.label,
            Text::YouPay.get(lang),
            tao(self.amount_in),
            Text::YouGet.get(lang),
            tao(self.quoted_out),
            Text::Fee.get(lang),
            tao(self.fee),
            Text::Impact.get(lang),
            self.impact * 100.0,
            Text::MinReceived.get(lang),
            tao(self.min_out),
            Text::LimitPrice.get(lang),
            price(self.limit_price),
            short(&self.coldkey),
            Text::ExpiresIn.get(lang),
        ) + &self.lesson_block()
    }

    /// The lesson under the card, monospaced so its columns line up.
    fn lesson_block(&self) -> String {
        if self.lesson.is_empty() {
            return String::new();
        }
        format!("\n<pre>{}</pre>", escape(&self.lesson.join("\n")))
    }

    /// What the chain filled, from the transaction's events: alpha credited (buys) or TAO paid
    /// out (sells) to this coldkey on this subnet.
    pub fn filled(&self, events: &[chain::EventRecord]) -> Option<u64> {
        events.iter().find_map(|r| match (&r.event, self.side) {
            (Event::StakeAdded { coldkey, netuid, alpha, .. }, Side::Buy)
                if *coldkey == self.coldkey && *netuid == self.netuid =>
            {
                Some(*alpha)
            }
            (Event::StakeRemoved { coldkey, netuid, tao, .. }, Side::Sell)
                if *coldkey == self.coldkey && *netuid == self.netuid =>
            {
                Some(*tao)
            }
            _ => None,
        })
    }

    /// The receipt line: quoted vs filled.
    pub fn receipt(&self, lang: Lang, filled: Option<u64>) -> String {
        let (_, unit_out) = self.units();
        format!(
            "{}: {} {unit_out} / {} {unit_out}",
            Text::Receipt.get(lang),
            tao(self.quoted_out),
            filled.map(tao).unwrap_or_else(|| "?".into())
        )
    }
}

/// A trade's progress as the card shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// In the pool.
    Submitted,
    /// In a block; the call succeeded.
    InBlock(u64),
    /// Final, with what was filled.
    Finalized(u64, Option<u64>),
    /// The chain refused it in a block (its state is unchanged, so trying again is safe), why.
    Rejected(String),
    /// Failed before the chain decided, or the outcome is unknown, why.
    Failed(String),
}

/// Whether a failure means the bot is not (or no longer) a proxy of the coldkey.
pub fn is_not_proxy(reason: &str) -> bool {
    reason.contains("NotProxy") || reason.to_lowercase().contains("not a proxy")
}

/// Signs `proxy(coldkey, call)` with `key` and follows it, reporting each step to `report`.
/// The inner call's own result (`ProxyExecuted`) decides success, not only the wrapper's.
pub async fn execute_proxy(
    chain: &dyn Chain,
    key: &dyn chain::Signer,
    spec: &TradeSpec,
    mut report: impl FnMut(Progress),
) -> Progress {
    let call = Call::proxied(spec.coldkey, spec.call.clone());
    let mut stream = match chain::sign_and_submit(chain, key, call, TxOptions::default()).await {
        Ok(s) => s,
        Err(e) => return Progress::Failed(e.to_string()),
    };
    report(Progress::Submitted);
    let mut filled = None;
    let mut in_block = None;
    while let Some(status) = stream.next().await {
        match status {
            Ok(TxStatus::Ready { .. }) => {}
            Ok(TxStatus::InBlock { number, result, events, .. }) => {
                if let Err(e) = result {
                    return Progress::Rejected(format!("{e:?}"));
                }
                let inner = events.iter().find_map(|r| match &r.event {
                    Event::ProxyExecuted { result } => Some(result.clone()),
                    _ => None,
                });
                if let Some(Err(e)) = inner {
                    return Progress::Rejected(format!("{e:?}"));
                }
                filled = spec.filled(&events);
                in_block = Some(number);
                report(Progress::InBlock(number));
            }
            Ok(TxStatus::Finalized { number, .. }) => return Progress::Finalized(number, filled),
            Ok(TxStatus::Dropped { reason }) => return Progress::Failed(reason),
            Err(e) => return Progress::Failed(e.to_string()),
        }
    }
    match in_block {
        Some(n) => Progress::Finalized(n, filled),
        None => Progress::Failed("the node stopped following the transaction".into()),
    }
}

/// The terminal's answer to a prepare request (the fields the bot shows).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PreparedLink {
    /// Opaque id.
    pub id: String,
    /// Plain words.
    pub description: String,
    /// Fee, rao.
    pub fee_rao: u64,
    /// Expiry, Unix ms.
    pub expires_at_ms: u64,
    /// Path of the signing page, e.g. `/sign/<id>`.
    pub sign_url: String,
}

/// Asks the terminal at `terminal_url` to prepare `call` for `signer`
/// (`POST /api/v1/tx/prepare`); the returned page is where the user's wallet signs it.
pub async fn prepare_sign_link(
    http: &reqwest::Client,
    terminal_url: &str,
    signer: AccountId,
    call: &Call,
) -> Result<PreparedLink> {
    let url = format!("{}/api/v1/tx/prepare", terminal_url.trim_end_matches('/'));
    let err = |what: String| BotError::Terminal { url: url.clone(), what };
    let body = serde_json::json!({
        "signer": signer.to_ss58(),
        "call": call,
        "tolerance_bps": DEFAULT_TOLERANCE_BPS,
    });
    let resp = http.post(&url).json(&body).send().await.map_err(|e| err(e.to_string()))?;
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(|e| err(e.to_string()))?;
    if !status.is_success() {
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        let msg = v["error"].as_str().unwrap_or("no error message").to_string();
        return Err(err(format!("{status}: {msg}")));
    }
    serde_json::from_slice(&bytes).map_err(|e| err(format!("unexpected answer: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(lesson: Vec<String>) -> TradeSpec {
        TradeSpec {
            coldkey: AccountId([1; 32]),
            call: Call::AddStakeLimit {
                hotkey: AccountId([2; 32]),
                netuid: 1,
                amount_staked: Tao::from_rao(2 * RAO),
                limit_price: 50_000_000,
                allow_partial: false,
            },
            side: Side::Buy,
            netuid: 1,
            label: "SN1".into(),
            amount_in: 2 * RAO,
            quoted_out: 39 * RAO,
            fee: 1_000_000,
            impact: 0.001,
            min_out: 38 * RAO,
            limit_price: 50_000_000,
            tao_value: 2 * RAO,
            proxy: true,
            lesson,
        }
    }

    #[test]
    fn a_failed_projection_leaves_the_quote_and_says_why() {
        let card =
            spec(vec!["what this trade teaches the network: not projected (no <head>)".into()])
                .card(Lang::En);
        assert!(card.contains("Minimum received: 38 α") && card.contains("Limit price"), "{card}");
        assert!(
            card.contains(
                "<pre>what this trade teaches the network: not projected (no &lt;head&gt;)</pre>"
            ),
            "{card}"
        );
    }

    #[test]
    fn cards_stored_before_the_lesson_read_without_it() {
        let mut json = serde_json::to_value(spec(vec!["x".into()])).unwrap();
        json.as_object_mut().unwrap().remove("lesson");
        let old: TradeSpec = serde_json::from_value(json).unwrap();
        assert!(old.lesson.is_empty() && !old.card(Lang::En).contains("<pre>"));
    }
}
