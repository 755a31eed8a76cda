//! The alert watcher: follows the market store block by block (finalized data only), builds
//! each block's facts, evaluates every rule, and commits the resulting deliveries together with
//! its cursor. Delivery is then the outbox's job ([`deliver_outbox`]). Because the cursor, the
//! delivery log (one row per rule and key) and the outbox move in one transaction, a restart
//! neither loses nor repeats an alert; the only repeat possible is a message Telegram accepted
//! in the instant before the bot could mark it sent.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chain::{Chain, Clock, NetUid, SubnetInfo};
use futures::StreamExt as _;
use market::{EventFilter, FeedEvent, Trade, TradeKind};

use crate::alerts::{BlockFacts, PricePoint, RuleKind, RuleSet, Subject};
use crate::error::Result;
use crate::i18n::Lang;
use crate::queue::{Outgoing, SendQueue};
use crate::store::{BotStore, ChatSettings, Delivery};
use crate::text::{escape, price, tao};

/// The store cursor: the last block whose alerts were evaluated.
pub const CURSOR: &str = "alerts_block";
const CHUNK: u64 = 256;
const HOUR_BLOCKS: u64 = 300;
const BLOCKS_PER_MINUTE: u64 = 5;

/// Where links in alerts point.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// The terminal's base URL (`http://127.0.0.1:8080`), if there is one.
    pub terminal: Option<String>,
}

impl Links {
    fn subnet(&self, netuid: NetUid) -> String {
        match &self.terminal {
            Some(t) => format!(
                "\n<a href=\"{}/subnets/{netuid}\">{}/subnets/{netuid}</a>",
                escape(t.trim_end_matches('/')),
                escape(t.trim_end_matches('/'))
            ),
            None => String::new(),
        }
    }

    /// The terminal's explorer page of the extrinsic that made a trade.
    fn extrinsic(&self, block: u64, index: u32) -> String {
        match &self.terminal {
            Some(t) => {
                let base = escape(t.trim_end_matches('/'));
                format!("\n<a href=\"{base}/extrinsics/{block}-{index}\">#{block}-{index}</a>")
            }
            None => String::new(),
        }
    }
}

/// When a message may go out under a chat's quiet hours (UTC), Unix ms.
pub fn not_before(quiet: Option<(u8, u8)>, now_ms: u64) -> u64 {
    let Some((from, to)) = quiet else { return now_ms };
    const HOUR: u64 = 3_600_000;
    let hour = (now_ms / HOUR % 24) as u8;
    let inside = if from < to { hour >= from && hour < to } else { hour >= from || hour < to };
    if !inside {
        return now_ms;
    }
    let hours_left = (u64::from(to) + 24 - u64::from(hour)) % 24;
    (now_ms / HOUR + hours_left) * HOUR
}

/// The watcher.
pub struct Watcher {
    store: BotStore,
    market: market::Store,
    chain: Arc<dyn Chain>,
    clock: Arc<dyn Clock>,
    links: Links,
}

fn prices(states: &[(u64, Vec<market::PoolState>)]) -> HashMap<u64, BTreeMap<NetUid, u64>> {
    states.iter().map(|(b, s)| (*b, s.iter().map(|p| (p.netuid, p.price)).collect())).collect()
}

impl Watcher {
    /// A watcher over the market store `market`.
    pub fn new(
        store: BotStore,
        market: market::Store,
        chain: Arc<dyn Chain>,
        clock: Arc<dyn Clock>,
        links: Links,
    ) -> Self {
        Self { store, market, chain, clock, links }
    }

    /// Evaluates the next stored blocks (up to 256); returns how many blocks were done. A fresh
    /// store starts at the current last block: alerts are about what happens from now on.
    pub async fn step(&self) -> Result<u64> {
        let Some(last) = self.market.last_block().await? else { return Ok(0) };
        let cursor = match self.store.state(CURSOR).await? {
            Some(c) => u64::try_from(c).unwrap_or(0),
            None => {
                self.store.set_state(CURSOR, db::to_i64(last, "block")?).await?;
                return Ok(0);
            }
        };
        if cursor >= last {
            return Ok(0);
        }
        let (from, to) = (cursor + 1, last.min(cursor + CHUNK));
        let loaded = self.store.rules(None).await?;
        let mut last_fired: HashMap<i64, Option<u64>> =
            loaded.iter().map(|(r, l)| (r.id, *l)).collect();
        let set = RuleSet::new(loaded.into_iter().map(|(r, _)| r).collect());
        let mut deliveries = Vec::new();
        if !set.rules().is_empty() {
            let states = self.market.states_range(from.saturating_sub(HOUR_BLOCKS + 1), to).await?;
            let by_block = prices(&states);
            let trades = self.market.trades_range(None, from, to).await?;
            let events = self.events(from, to).await?;
            let subnets: BTreeMap<NetUid, SubnetInfo> =
                self.market.subnets().await?.into_iter().map(|(i, _)| (i.netuid, i)).collect();
            let mut chats: HashMap<i64, ChatSettings> = HashMap::new();
            let now_ms = self.clock.now_ms();
            for b in from..=to {
                let facts = facts(b, &by_block, &trades, &events);
                for hit in set.evaluate(&facts) {
                    let rule = &set.rules()[hit.rule];
                    let settings = match chats.get(&rule.chat_id) {
                        Some(s) => s.clone(),
                        None => {
                            let s = self.store.chat(rule.chat_id).await?;
                            chats.insert(rule.chat_id, s.clone());
                            s
                        }
                    };
                    let cooled =
                        matches!(rule.kind, RuleKind::Price { .. } | RuleKind::Move { .. });
                    let cooldown = u64::from(settings.cooldown_min) * BLOCKS_PER_MINUTE;
                    if cooled
                        && let Some(Some(lf)) = last_fired.get(&rule.id)
                        && b < lf + cooldown
                    {
                        continue;
                    }
                    let text =
                        self.render(&hit.subject, &facts, &subnets, settings.lang, rule.id).await;
                    last_fired.insert(rule.id, Some(b));
                    deliveries.push(Delivery {
                        rule_id: rule.id,
                        key: hit.key,
                        chat_id: rule.chat_id,
                        text,
                        not_before_ms: not_before(settings.quiet, now_ms),
                        block: b,
                    });
                }
            }
        }
        self.store.commit_deliveries(&deliveries, CURSOR, to).await?;
        Ok(to - cursor)
    }

    async fn events(&self, from: u64, to: u64) -> Result<Vec<FeedEvent>> {
        let mut out = Vec::new();
        let mut before = Some((to + 1, 0));
        loop {
            let page = self
                .market
                .feed(&EventFilter {
                    from_block: Some(from),
                    before,
                    limit: 1000,
                    ..EventFilter::default()
                })
                .await?;
            let n = page.len();
            before = page.last().map(|e| (e.block, e.seq));
            out.extend(page);
            if n < 1000 {
                break;
            }
        }
        out.reverse();
        Ok(out)
    }

    async fn render(
        &self,
        subject: &Subject,
        facts: &BlockFacts,
        subnets: &BTreeMap<NetUid, SubnetInfo>,
        lang: Lang,
        rule_id: i64,
    ) -> String {
        let name = |n: NetUid| {
            crate::trade::label(n, subnets.get(&n).map(|i| i.identity.name.as_str()).unwrap_or(""))
        };
        let tag = format!("\n<i>#{rule_id} · block {}</i>", facts.block);
        match subject {
            Subject::Price { netuid, prev, now } => {
                let (word, arrow) = match (lang, now > prev) {
                    (Lang::En, true) => ("price crossed up", "📈"),
                    (Lang::En, false) => ("price crossed down", "📉"),
                    (Lang::Zh, true) => ("价格向上突破", "📈"),
                    (Lang::Zh, false) => ("价格向下突破", "📉"),
                };
                format!(
                    "{arrow} {} {word}: {} → {} τ{tag}{}",
                    name(*netuid),
                    price(*prev),
                    price(*now),
                    self.links.subnet(*netuid)
                )
            }
            Subject::Move { netuid, from, to } => {
                let bps =
                    (i128::from(*to) - i128::from(*from)) * 10_000 / i128::from((*from).max(1));
                let word = if lang == Lang::Zh { "1 小时变动" } else { "moved in 1h" };
                format!(
                    "⚡ {} {word} {:+.2} %: {} → {} τ{tag}{}",
                    name(*netuid),
                    bps as f64 / 100.0,
                    price(*from),
                    price(*to),
                    self.links.subnet(*netuid)
                )
            }
            Subject::Event(i) => {
                let e = &facts.events[*i];
                let link = e.netuid.map(|n| self.links.subnet(n)).unwrap_or_default();
                format!("📣 {}{tag}{link}", escape(&e.sentence))
            }
            Subject::Trade(i) => {
                let t = &facts.trades[*i];
                let labels = self.labels(t, subnets).await;
                let verb = match (t.kind, lang) {
                    (TradeKind::Buy, Lang::En) => "buy",
                    (TradeKind::Sell, Lang::En) => "sell",
                    (_, Lang::En) => "move",
                    (TradeKind::Buy, Lang::Zh) => "买入",
                    (TradeKind::Sell, Lang::Zh) => "卖出",
                    (_, Lang::Zh) => "转移",
                };
                let dest = t
                    .dest_netuid
                    .filter(|d| *d != t.netuid)
                    .map(|d| format!(" → {}", name(d)))
                    .unwrap_or_default();
                let who = t.coldkey.to_ss58();
                let labels = if labels.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", labels.join(", "))
                };
                format!(
                    "🐋 Whale {verb}: {} τ · {}{dest}\nby <code>{}</code>{labels}{tag}{}{}",
                    tao(t.tao),
                    name(t.netuid),
                    escape(&who),
                    self.links.subnet(t.netuid),
                    self.links.extrinsic(t.block, t.extrinsic)
                )
            }
        }
    }

    /// Who a trader is, where the chain says: owner of a subnet (with its identity name), a
    /// validator with a permit on the traded subnet.
    async fn labels(&self, t: &Trade, subnets: &BTreeMap<NetUid, SubnetInfo>) -> Vec<String> {
        let mut out: Vec<String> = subnets
            .values()
            .filter(|s| s.owner_coldkey == t.coldkey)
            .map(|s| format!("owner of {}", crate::trade::label(s.netuid, &s.identity.name)))
            .collect();
        if let Ok(neurons) = self.chain.neurons(t.netuid).await
            && neurons
                .iter()
                .any(|n| n.validator_permit && (n.coldkey == t.coldkey || n.hotkey == t.hotkey))
        {
            out.push(format!("validator on SN{}", t.netuid));
        }
        out
    }

    /// Runs [`Watcher::step`] after every stored block until `stop` is set.
    pub async fn run(self, heads: Arc<dyn Chain>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut finalized = heads.subscribe_finalized().await.ok();
        loop {
            loop {
                match self.step().await {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "alert evaluation failed; retrying");
                        break;
                    }
                }
            }
            let tick = tokio::time::sleep(std::time::Duration::from_millis(500));
            tokio::select! {
                _ = stop.changed() => return,
                _ = async {
                    match finalized.as_mut() {
                        Some(s) => { s.next().await; }
                        None => tick.await,
                    }
                } => {}
            }
        }
    }
}

fn facts(
    b: u64,
    by_block: &HashMap<u64, BTreeMap<NetUid, u64>>,
    trades: &[Trade],
    events: &[FeedEvent],
) -> BlockFacts {
    let mut f = BlockFacts { block: b, ..BlockFacts::default() };
    if let Some(now) = by_block.get(&b) {
        let prev = by_block.get(&(b - 1));
        let hour = b.checked_sub(HOUR_BLOCKS).and_then(|h| by_block.get(&h));
        let hour_prev = b.checked_sub(HOUR_BLOCKS + 1).and_then(|h| by_block.get(&h));
        for (&n, &p) in now {
            f.prices.insert(
                n,
                PricePoint {
                    prev: prev.and_then(|m| m.get(&n)).copied().unwrap_or(p),
                    now: p,
                    hour_ago: hour.and_then(|m| m.get(&n)).copied(),
                    hour_ago_prev: hour_prev.and_then(|m| m.get(&n)).copied(),
                },
            );
        }
    }
    f.trades = trades.iter().filter(|t| t.block == b).cloned().collect();
    f.events = events.iter().filter(|e| e.block == b).cloned().collect();
    f
}

/// Sends due alerts from the outbox through `queue`, marking each sent once Telegram took it;
/// runs until `stop` is set.
pub async fn deliver_outbox(
    store: BotStore,
    queue: SendQueue,
    clock: Arc<dyn Clock>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match store.due_outbox(clock.now_ms(), 500).await {
            Ok(items) if !items.is_empty() => {
                let mut sends = futures::stream::FuturesUnordered::new();
                for item in items {
                    let queue = queue.clone();
                    sends.push(async move {
                        (item.id, queue.send(Outgoing::text(item.chat_id, item.text)).await)
                    });
                }
                while let Some((id, result)) = sends.next().await {
                    match result {
                        Ok(_) => {
                            if let Err(e) = store.mark_sent(id).await {
                                tracing::warn!(error = %e, "cannot mark an alert sent");
                            }
                        }
                        Err(e) => {
                            // A chat that blocked the bot or vanished: drop its alert rather than retry forever.
                            tracing::warn!(error = %e, "an alert could not be delivered");
                            let _ = store.mark_sent(id).await;
                        }
                    }
                }
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the alert outbox"),
        }
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(std::time::Duration::from_millis(200)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_hold_messages_until_they_end() {
        const H: u64 = 3_600_000;
        assert_eq!(not_before(None, 5 * H), 5 * H);
        assert_eq!(not_before(Some((22, 7)), 23 * H + 10), 31 * H);
        assert_eq!(not_before(Some((22, 7)), 3 * H), 7 * H);
        assert_eq!(not_before(Some((22, 7)), 12 * H), 12 * H);
        assert_eq!(not_before(Some((1, 3)), 2 * H + 5), 3 * H);
    }
}
