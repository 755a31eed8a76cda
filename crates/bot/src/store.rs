//! The bot's store through the `db` layer (SQLite by default, PostgreSQL by URL), with its own
//! migrations component (`bot`): chats and their settings, alert rules, the delivery log, the
//! alert outbox, proxy registrations and spend, confirm cards, automations, and the bot's
//! cursors (Telegram update offset, last block evaluated) — all that makes alerts exactly-once
//! across a restart.

use db::{Db, DbConfig, Migrations, on_db};
use sqlx::Row as _;

use crate::alerts::{Rule, RuleKind};
use crate::error::{Result, bad_row};
use crate::i18n::Lang;

fn migrations() -> Migrations {
    Migrations::new(
        "bot",
        sqlx::migrate!("migrations/sqlite"),
        sqlx::migrate!("migrations/postgres"),
    )
}

/// A chat's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatSettings {
    /// Language.
    pub lang: Lang,
    /// Minutes between two alerts of one rule.
    pub cooldown_min: u32,
    /// Quiet hours, UTC (from, to); alerts wait until they end.
    pub quiet: Option<(u8, u8)>,
}

impl Default for ChatSettings {
    fn default() -> Self {
        Self { lang: Lang::En, cooldown_min: 30, quiet: None }
    }
}

/// A Telegram user's proxy registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyReg {
    /// The Telegram user who registered it (the only one who may trade it).
    pub user_id: i64,
    /// Their private chat.
    pub chat_id: i64,
    /// The coldkey the bot trades for.
    pub coldkey: chain::AccountId,
    /// Most TAO per trade, rao.
    pub per_trade: u64,
    /// Most TAO per UTC day, rao.
    pub per_day: u64,
    /// Trades go through the bot's Staking proxy (true) or through sign links (false).
    pub proxy: bool,
}

/// A pending alert message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// Row id.
    pub id: i64,
    /// Chat.
    pub chat_id: i64,
    /// HTML text.
    pub text: String,
}

/// A delivery decided for one block: written with the cursor in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Rule.
    pub rule_id: i64,
    /// De-duplication key.
    pub key: String,
    /// Chat.
    pub chat_id: i64,
    /// Text.
    pub text: String,
    /// Not before (quiet hours), Unix ms.
    pub not_before_ms: u64,
    /// The block it fired at (the rule's cooldown runs from here).
    pub block: u64,
}

/// How claiming a confirm card went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Claimed now: the caller executes it, once.
    Won(StoredCard),
    /// Past its expiry.
    Expired,
    /// Already confirmed or cancelled.
    Used,
    /// Another user tapped it.
    NotYours,
    /// No such card.
    Unknown,
}

/// A confirm card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCard {
    /// Random id (the callback data).
    pub id: String,
    /// The user who asked.
    pub user_id: i64,
    /// Chat.
    pub chat_id: i64,
    /// The card's message.
    pub message_id: i32,
    /// The trade, JSON.
    pub spec: String,
    /// Expiry, Unix ms.
    pub expires_ms: u64,
}

/// An automation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAutomation {
    /// Id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// Chat.
    pub chat_id: i64,
    /// What it does, JSON.
    pub spec: String,
    /// Next run, Unix ms.
    pub next_run_ms: u64,
}

/// The stake an auto-compound automation last saw on one (hotkey, netuid), and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenStake {
    /// Hotkey.
    pub hotkey: chain::AccountId,
    /// Subnet.
    pub netuid: u16,
    /// Alpha, rao.
    pub alpha: u64,
    /// The block it was read at.
    pub block: u64,
}

/// A daily portfolio summary a chat asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioDaily {
    /// Chat.
    pub chat_id: i64,
    /// The address summarized.
    pub coldkey: chain::AccountId,
    /// UTC hour.
    pub hour: u8,
    /// The last summary's snapshot (JSON), if one was sent.
    pub snapshot: Option<String>,
}

/// The delivery-log rule id of digests: rule ids start at 1, so 0 is never an alert rule's.
const DIGEST_RULE: i64 = 0;

fn i64_of(v: u64, what: &str) -> Result<i64> {
    Ok(db::to_i64(v, what)?)
}

fn u64_of(v: i64, table: &'static str) -> Result<u64> {
    Ok(db::to_u64(v, table)?)
}

/// The bot's store.
#[derive(Clone)]
pub struct BotStore {
    db: Db,
}

impl BotStore {
    /// Opens (creating and migrating) the store.
    pub async fn open(config: &DbConfig) -> Result<Self> {
        let db = Db::open(config).await?;
        db.migrate(&migrations()).await?;
        Ok(Self { db })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// A named cursor.
    pub async fn state(&self, name: &str) -> Result<Option<i64>> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT value FROM bot_state WHERE name = $1").bind(name).fetch_optional(pool).await?
        }))
    }

    /// Sets a named cursor.
    pub async fn set_state(&self, name: &str, value: i64) -> Result<()> {
        on_db!(&self.db, pool => {
            sqlx::query("INSERT INTO bot_state (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
                .bind(name).bind(value).execute(pool).await?;
        });
        Ok(())
    }

    /// A chat's settings (defaults if never set).
    pub async fn chat(&self, chat_id: i64) -> Result<ChatSettings> {
        let row: Option<(String, i64, Option<i64>, Option<i64>)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT lang, cooldown_min, quiet_from, quiet_to FROM bot_chats WHERE chat_id = $1")
                .bind(chat_id).fetch_optional(pool).await?
        });
        Ok(match row {
            None => ChatSettings::default(),
            Some((lang, cooldown, from, to)) => ChatSettings {
                lang: Lang::from_code(&lang),
                cooldown_min: u32::try_from(cooldown)
                    .map_err(|_| bad_row("bot_chats", "cooldown"))?,
                quiet: match (from, to) {
                    (Some(f), Some(t)) => Some((
                        u8::try_from(f).map_err(|_| bad_row("bot_chats", "quiet_from"))?,
                        u8::try_from(t).map_err(|_| bad_row("bot_chats", "quiet_to"))?,
                    )),
                    _ => None,
                },
            },
        })
    }

    /// Saves a chat's settings.
    pub async fn set_chat(&self, chat_id: i64, s: &ChatSettings) -> Result<()> {
        let (from, to) = match s.quiet {
            Some((f, t)) => (Some(i64::from(f)), Some(i64::from(t))),
            None => (None, None),
        };
        on_db!(&self.db, pool => {
            sqlx::query("INSERT INTO bot_chats (chat_id, lang, cooldown_min, quiet_from, quiet_to) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (chat_id) DO UPDATE SET lang = excluded.lang, cooldown_min = excluded.cooldown_min, quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to")
                .bind(chat_id).bind(s.lang.code()).bind(i64::from(s.cooldown_min)).bind(from).bind(to)
                .execute(pool).await?;
        });
        Ok(())
    }

    /// Adds a rule; returns its id.
    pub async fn add_rule(&self, chat_id: i64, kind: &RuleKind) -> Result<i64> {
        let spec = serde_json::to_string(kind).map_err(|e| bad_row("bot_rules", e))?;
        Ok(on_db!(&self.db, pool => {
            sqlx::query_scalar("INSERT INTO bot_rules (chat_id, spec) VALUES ($1, $2) RETURNING id")
                .bind(chat_id).bind(spec).fetch_one(pool).await?
        }))
    }

    /// Adds many rules in one transaction (benchmarks, imports).
    pub async fn add_rules(&self, rules: &[(i64, RuleKind)]) -> Result<()> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            for (chat_id, kind) in rules {
                let spec = serde_json::to_string(kind).map_err(|e| bad_row("bot_rules", e))?;
                sqlx::query("INSERT INTO bot_rules (chat_id, spec) VALUES ($1, $2)")
                    .bind(*chat_id).bind(spec).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Every rule with the block it last fired at.
    pub async fn rules(&self, chat_id: Option<i64>) -> Result<Vec<(Rule, Option<u64>)>> {
        let rows: Vec<(i64, i64, String, Option<i64>)> = on_db!(&self.db, pool => {
            match chat_id {
                Some(c) => sqlx::query_as("SELECT id, chat_id, spec, last_fired_block FROM bot_rules WHERE chat_id = $1 ORDER BY id").bind(c).fetch_all(pool).await?,
                None => sqlx::query_as("SELECT id, chat_id, spec, last_fired_block FROM bot_rules ORDER BY id").fetch_all(pool).await?,
            }
        });
        rows.into_iter()
            .map(|(id, chat_id, spec, last)| {
                let kind: RuleKind =
                    serde_json::from_str(&spec).map_err(|e| bad_row("bot_rules", e))?;
                Ok((Rule { id, chat_id, kind }, last.map(|b| u64_of(b, "bot_rules")).transpose()?))
            })
            .collect()
    }

    /// Removes a chat's rule; false if the chat has no such rule.
    pub async fn remove_rule(&self, chat_id: i64, id: i64) -> Result<bool> {
        let n = on_db!(&self.db, pool => {
            sqlx::query("DELETE FROM bot_rules WHERE chat_id = $1 AND id = $2").bind(chat_id).bind(id).execute(pool).await?.rows_affected()
        });
        Ok(n == 1)
    }

    /// Records the deliveries of blocks up to `cursor` and moves the alert cursor, in one
    /// transaction: a delivery whose (rule, key) is already logged is skipped, so re-evaluating
    /// a block after a crash queues nothing twice. Returns how many were queued.
    pub async fn commit_deliveries(
        &self,
        deliveries: &[Delivery],
        cursor_name: &str,
        cursor: u64,
    ) -> Result<usize> {
        let cursor = i64_of(cursor, "cursor")?;
        let mut queued = 0;
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            for d in deliveries {
                let fresh = sqlx::query("INSERT INTO bot_deliveries (rule_id, key) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(d.rule_id).bind(&d.key).execute(&mut *tx).await?.rows_affected() == 1;
                if !fresh {
                    continue;
                }
                queued += 1;
                sqlx::query("INSERT INTO bot_outbox (chat_id, text, not_before_ms) VALUES ($1, $2, $3)")
                    .bind(d.chat_id).bind(&d.text).bind(i64_of(d.not_before_ms, "not_before_ms")?)
                    .execute(&mut *tx).await?;
                sqlx::query("UPDATE bot_rules SET last_fired_block = $1 WHERE id = $2")
                    .bind(i64_of(d.block, "block")?).bind(d.rule_id).execute(&mut *tx).await?;
            }
            sqlx::query("INSERT INTO bot_state (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
                .bind(cursor_name).bind(cursor).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(queued)
    }

    /// Unsent alerts due by `now_ms`, oldest first.
    pub async fn due_outbox(&self, now_ms: u64, limit: u32) -> Result<Vec<OutboxItem>> {
        let rows: Vec<(i64, i64, String)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT id, chat_id, text FROM bot_outbox WHERE sent = 0 AND not_before_ms <= $1 ORDER BY id LIMIT $2")
                .bind(i64_of(now_ms, "now")?).bind(i64::from(limit)).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|(id, chat_id, text)| OutboxItem { id, chat_id, text }).collect())
    }

    /// Marks an alert sent.
    pub async fn mark_sent(&self, id: i64) -> Result<()> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE bot_outbox SET sent = 1 WHERE id = $1").bind(id).execute(pool).await?;
        });
        Ok(())
    }

    /// Turns the daily digest on at `hour` (UTC) for a chat, or off (`None`).
    pub async fn set_digest(&self, chat_id: i64, hour: Option<u8>) -> Result<()> {
        on_db!(&self.db, pool => {
            match hour {
                Some(h) => sqlx::query("INSERT INTO bot_digests (chat_id, hour) VALUES ($1, $2) ON CONFLICT (chat_id) DO UPDATE SET hour = excluded.hour")
                    .bind(chat_id).bind(i64::from(h)).execute(pool).await?,
                None => sqlx::query("DELETE FROM bot_digests WHERE chat_id = $1").bind(chat_id).execute(pool).await?,
            };
        });
        Ok(())
    }

    /// Every chat with the digest on, with its hour (UTC).
    pub async fn digests(&self) -> Result<Vec<(i64, u8)>> {
        let rows: Vec<(i64, i64)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT chat_id, hour FROM bot_digests ORDER BY chat_id").fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|(c, h)| (c, u8::try_from(h).unwrap_or(0))).collect())
    }

    /// Whether a daily message (digest or portfolio summary) under `key` is in the delivery log.
    async fn digest_logged(&self, key: &str) -> Result<bool> {
        let n: i64 = on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM bot_deliveries WHERE rule_id = $1 AND key = $2")
                .bind(DIGEST_RULE).bind(key).fetch_one(pool).await?
        });
        Ok(n > 0)
    }

    fn digest_key(chat_id: i64, day: u64) -> String {
        format!("digest:{chat_id}:{day}")
    }

    /// Whether the digest of `day` (days since the epoch) was already queued for a chat.
    pub async fn digest_queued(&self, chat_id: i64, day: u64) -> Result<bool> {
        self.digest_logged(&Self::digest_key(chat_id, day)).await
    }

    /// Queues a chat's digest of `day` in the outbox unless it was queued before, logging it
    /// in the same transaction as the alerts do: so a restart never queues a day twice.
    /// Returns whether it was queued now.
    pub async fn queue_digest(
        &self,
        chat_id: i64,
        day: u64,
        text: &str,
        not_before_ms: u64,
    ) -> Result<bool> {
        let key = Self::digest_key(chat_id, day);
        let not_before_ms = i64_of(not_before_ms, "not_before_ms")?;
        let fresh = on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let fresh = sqlx::query("INSERT INTO bot_deliveries (rule_id, key) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(DIGEST_RULE).bind(&key).execute(&mut *tx).await?.rows_affected() == 1;
            if fresh {
                sqlx::query("INSERT INTO bot_outbox (chat_id, text, not_before_ms) VALUES ($1, $2, $3)")
                    .bind(chat_id).bind(text).bind(not_before_ms).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            fresh
        });
        Ok(fresh)
    }

    /// Registers (or replaces) a user's proxy.
    pub async fn set_proxy(&self, p: &ProxyReg) -> Result<()> {
        on_db!(&self.db, pool => {
            sqlx::query("INSERT INTO bot_proxies (user_id, chat_id, coldkey, per_trade, per_day, mode) VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id, coldkey = excluded.coldkey, per_trade = excluded.per_trade, per_day = excluded.per_day, mode = excluded.mode")
                .bind(p.user_id).bind(p.chat_id).bind(p.coldkey.to_ss58())
                .bind(i64_of(p.per_trade, "per_trade")?).bind(i64_of(p.per_day, "per_day")?)
                .bind(if p.proxy { "proxy" } else { "sign" })
                .execute(pool).await?;
        });
        Ok(())
    }

    /// A user's proxy registration.
    pub async fn proxy(&self, user_id: i64) -> Result<Option<ProxyReg>> {
        let row: Option<(i64, String, i64, i64, String)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT chat_id, coldkey, per_trade, per_day, mode FROM bot_proxies WHERE user_id = $1")
                .bind(user_id).fetch_optional(pool).await?
        });
        row.map(|(chat_id, coldkey, per_trade, per_day, mode)| {
            Ok(ProxyReg {
                user_id,
                chat_id,
                coldkey: coldkey.parse().map_err(|_| bad_row("bot_proxies", "coldkey"))?,
                per_trade: u64_of(per_trade, "bot_proxies")?,
                per_day: u64_of(per_day, "bot_proxies")?,
                proxy: mode == "proxy",
            })
        })
        .transpose()
    }

    /// Forgets a user's proxy and stops their automations.
    pub async fn remove_proxy(&self, user_id: i64) -> Result<bool> {
        let n = on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("DELETE FROM bot_proxies WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?.rows_affected();
            sqlx::query("UPDATE bot_automations SET active = 0 WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            tx.commit().await?;
            n
        });
        Ok(n == 1)
    }

    /// TAO a user's trades spent on a UTC day, rao.
    pub async fn spent(&self, user_id: i64, day: u64) -> Result<u64> {
        let v: Option<i64> = on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT rao FROM bot_spend WHERE user_id = $1 AND day = $2")
                .bind(user_id).bind(i64_of(day, "day")?).fetch_optional(pool).await?
        });
        v.map(|v| u64_of(v, "bot_spend")).transpose().map(Option::unwrap_or_default)
    }

    /// Reserves `rao` of a user's daily budget if it fits under `per_day`; false otherwise.
    /// Atomic, so two trades at once cannot both take the last of the budget.
    pub async fn reserve_spend(
        &self,
        user_id: i64,
        day: u64,
        rao: u64,
        per_day: u64,
    ) -> Result<bool> {
        let (day, rao, per_day) =
            (i64_of(day, "day")?, i64_of(rao, "rao")?, i64_of(per_day, "per_day")?);
        let ok = on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO bot_spend (user_id, day, rao) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING")
                .bind(user_id).bind(day).execute(&mut *tx).await?;
            let n = sqlx::query("UPDATE bot_spend SET rao = rao + $3 WHERE user_id = $1 AND day = $2 AND rao + $3 <= $4")
                .bind(user_id).bind(day).bind(rao).bind(per_day).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            n == 1
        });
        Ok(ok)
    }

    /// Returns a reservation (the trade failed before it reached the chain).
    pub async fn release_spend(&self, user_id: i64, day: u64, rao: u64) -> Result<()> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE bot_spend SET rao = CASE WHEN rao > $3 THEN rao - $3 ELSE 0 END WHERE user_id = $1 AND day = $2")
                .bind(user_id).bind(i64_of(day, "day")?).bind(i64_of(rao, "rao")?).execute(pool).await?;
        });
        Ok(())
    }

    /// Stores a new open card.
    pub async fn add_card(&self, c: &StoredCard) -> Result<()> {
        on_db!(&self.db, pool => {
            sqlx::query("INSERT INTO bot_cards (id, user_id, chat_id, message_id, spec, expires_ms, state) VALUES ($1, $2, $3, $4, $5, $6, 'open')")
                .bind(&c.id).bind(c.user_id).bind(c.chat_id).bind(i64::from(c.message_id)).bind(&c.spec)
                .bind(i64_of(c.expires_ms, "expires_ms")?).execute(pool).await?;
        });
        Ok(())
    }

    /// Claims an open card for `user_id` at `now_ms`, turning it to `new_state`. Exactly one
    /// concurrent claim wins (a conditional update), so a double tap executes once.
    pub async fn claim_card(
        &self,
        id: &str,
        user_id: i64,
        now_ms: u64,
        new_state: &str,
    ) -> Result<Claim> {
        let row: Option<(i64, i64, i64, String, i64, String)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT user_id, chat_id, message_id, spec, expires_ms, state FROM bot_cards WHERE id = $1")
                .bind(id).fetch_optional(pool).await?
        });
        let Some((owner, chat_id, message_id, spec, expires, state)) = row else {
            return Ok(Claim::Unknown);
        };
        if owner != user_id {
            return Ok(Claim::NotYours);
        }
        if state != "open" {
            return Ok(Claim::Used);
        }
        let now = i64_of(now_ms, "now")?;
        if expires <= now {
            return Ok(Claim::Expired);
        }
        let won = on_db!(&self.db, pool => {
            sqlx::query("UPDATE bot_cards SET state = $1 WHERE id = $2 AND state = 'open' AND expires_ms > $3")
                .bind(new_state).bind(id).bind(now).execute(pool).await?.rows_affected() == 1
        });
        if !won {
            return Ok(Claim::Used);
        }
        Ok(Claim::Won(StoredCard {
            id: id.to_string(),
            user_id,
            chat_id,
            message_id: i32::try_from(message_id)
                .map_err(|_| bad_row("bot_cards", "message_id"))?,
            spec,
            expires_ms: u64_of(expires, "bot_cards")?,
        }))
    }

    /// Adds an automation; returns its id.
    pub async fn add_automation(
        &self,
        user_id: i64,
        chat_id: i64,
        spec: &str,
        next_run_ms: u64,
    ) -> Result<i64> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_scalar("INSERT INTO bot_automations (user_id, chat_id, spec, next_run_ms) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(user_id).bind(chat_id).bind(spec).bind(i64_of(next_run_ms, "next_run_ms")?).fetch_one(pool).await?
        }))
    }

    /// Active automations, of one user or all.
    pub async fn automations(&self, user_id: Option<i64>) -> Result<Vec<StoredAutomation>> {
        let rows = on_db!(&self.db, pool => {
            match user_id {
                Some(u) => sqlx::query("SELECT id, user_id, chat_id, spec, next_run_ms FROM bot_automations WHERE active = 1 AND user_id = $1 ORDER BY id").bind(u).fetch_all(pool).await?
                    .iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?))).collect::<Result<Vec<(i64, i64, i64, String, i64)>, sqlx::Error>>()?,
                None => sqlx::query("SELECT id, user_id, chat_id, spec, next_run_ms FROM bot_automations WHERE active = 1 ORDER BY id").fetch_all(pool).await?
                    .iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?))).collect::<Result<Vec<(i64, i64, i64, String, i64)>, sqlx::Error>>()?,
            }
        });
        rows.into_iter()
            .map(|(id, user_id, chat_id, spec, next)| {
                Ok(StoredAutomation {
                    id,
                    user_id,
                    chat_id,
                    spec,
                    next_run_ms: u64_of(next, "bot_automations")?,
                })
            })
            .collect()
    }

    /// Moves an automation's next run.
    pub async fn reschedule(&self, id: i64, next_run_ms: u64) -> Result<()> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE bot_automations SET next_run_ms = $1 WHERE id = $2").bind(i64_of(next_run_ms, "next")?).bind(id).execute(pool).await?;
        });
        Ok(())
    }

    /// Stops an automation of `user_id`; false if they have no such automation.
    pub async fn stop_automation(&self, user_id: i64, id: i64) -> Result<bool> {
        let n = on_db!(&self.db, pool => {
            sqlx::query("UPDATE bot_automations SET active = 0 WHERE id = $1 AND user_id = $2 AND active = 1").bind(id).bind(user_id).execute(pool).await?.rows_affected()
        });
        Ok(n == 1)
    }

    /// Turns an automation back on (a run the chain refused left nothing changed, so it may
    /// try again).
    pub async fn reactivate(&self, id: i64) -> Result<()> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE bot_automations SET active = 1 WHERE id = $1").bind(id).execute(pool).await?;
        });
        Ok(())
    }

    /// What an auto-compound automation last saw, per (hotkey, netuid).
    pub async fn stake_seen(&self, automation_id: i64) -> Result<Vec<SeenStake>> {
        let rows: Vec<(String, i64, i64, i64)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT hotkey, netuid, alpha, block FROM bot_stake_seen WHERE automation_id = $1 ORDER BY hotkey, netuid")
                .bind(automation_id).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(hotkey, netuid, alpha, block)| {
                Ok(SeenStake {
                    hotkey: hotkey.parse().map_err(|_| bad_row("bot_stake_seen", "hotkey"))?,
                    netuid: u16::try_from(netuid)
                        .map_err(|_| bad_row("bot_stake_seen", "netuid"))?,
                    alpha: u64_of(alpha, "bot_stake_seen")?,
                    block: u64_of(block, "bot_stake_seen")?,
                })
            })
            .collect()
    }

    /// Records what an auto-compound automation saw, replacing the rows of the same
    /// (hotkey, netuid), in one transaction.
    pub async fn set_stake_seen(&self, automation_id: i64, seen: &[SeenStake]) -> Result<()> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            for s in seen {
                sqlx::query("INSERT INTO bot_stake_seen (automation_id, hotkey, netuid, alpha, block) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (automation_id, hotkey, netuid) DO UPDATE SET alpha = excluded.alpha, block = excluded.block")
                    .bind(automation_id).bind(s.hotkey.to_ss58()).bind(i64::from(s.netuid))
                    .bind(i64_of(s.alpha, "alpha")?).bind(i64_of(s.block, "block")?)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Turns a chat's daily summary of `coldkey` on at `hour` (UTC), or off (`None`).
    pub async fn set_portfolio_daily(
        &self,
        chat_id: i64,
        coldkey: &chain::AccountId,
        hour: Option<u8>,
    ) -> Result<()> {
        on_db!(&self.db, pool => {
            match hour {
                Some(h) => sqlx::query("INSERT INTO bot_portfolio_daily (chat_id, coldkey, hour) VALUES ($1, $2, $3) ON CONFLICT (chat_id, coldkey) DO UPDATE SET hour = excluded.hour")
                    .bind(chat_id).bind(coldkey.to_ss58()).bind(i64::from(h)).execute(pool).await?,
                None => sqlx::query("DELETE FROM bot_portfolio_daily WHERE chat_id = $1 AND coldkey = $2")
                    .bind(chat_id).bind(coldkey.to_ss58()).execute(pool).await?,
            };
        });
        Ok(())
    }

    /// Every daily portfolio summary asked for.
    pub async fn portfolio_dailies(&self) -> Result<Vec<PortfolioDaily>> {
        let rows: Vec<(i64, String, i64, Option<String>)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT chat_id, coldkey, hour, snapshot FROM bot_portfolio_daily ORDER BY chat_id, coldkey").fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(chat_id, coldkey, hour, snapshot)| {
                Ok(PortfolioDaily {
                    chat_id,
                    coldkey: coldkey
                        .parse()
                        .map_err(|_| bad_row("bot_portfolio_daily", "coldkey"))?,
                    hour: u8::try_from(hour).map_err(|_| bad_row("bot_portfolio_daily", "hour"))?,
                    snapshot,
                })
            })
            .collect()
    }

    fn portfolio_key(chat_id: i64, coldkey: &chain::AccountId, day: u64) -> String {
        format!("portfolio:{chat_id}:{}:{day}", coldkey.to_ss58())
    }

    /// Whether the summary of `day` was already queued for this chat and address.
    pub async fn portfolio_queued(
        &self,
        chat_id: i64,
        coldkey: &chain::AccountId,
        day: u64,
    ) -> Result<bool> {
        self.digest_logged(&Self::portfolio_key(chat_id, coldkey, day)).await
    }

    /// Queues the summary of `day` unless it was queued before, and keeps its snapshot for
    /// tomorrow's change, in one transaction (the digest's exactly-once log). Returns whether
    /// it was queued now.
    pub async fn queue_portfolio(
        &self,
        chat_id: i64,
        coldkey: &chain::AccountId,
        day: u64,
        text: &str,
        snapshot: &str,
        not_before_ms: u64,
    ) -> Result<bool> {
        let key = Self::portfolio_key(chat_id, coldkey, day);
        let not_before_ms = i64_of(not_before_ms, "not_before_ms")?;
        let fresh = on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let fresh = sqlx::query("INSERT INTO bot_deliveries (rule_id, key) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(DIGEST_RULE).bind(&key).execute(&mut *tx).await?.rows_affected() == 1;
            if fresh {
                sqlx::query("INSERT INTO bot_outbox (chat_id, text, not_before_ms) VALUES ($1, $2, $3)")
                    .bind(chat_id).bind(text).bind(not_before_ms).execute(&mut *tx).await?;
                sqlx::query("UPDATE bot_portfolio_daily SET snapshot = $1 WHERE chat_id = $2 AND coldkey = $3")
                    .bind(snapshot).bind(chat_id).bind(coldkey.to_ss58()).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            fresh
        });
        Ok(fresh)
    }

    /// The users whose registration trades `coldkey` through the proxy.
    pub async fn proxies_of(&self, coldkey: &chain::AccountId) -> Result<Vec<i64>> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT user_id FROM bot_proxies WHERE coldkey = $1 AND mode = 'proxy' ORDER BY user_id")
                .bind(coldkey.to_ss58()).fetch_all(pool).await?
        }))
    }

    /// Stops every active automation of a user; returns how many were stopped.
    pub async fn stop_all_automations(&self, user_id: i64) -> Result<u64> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query("UPDATE bot_automations SET active = 0 WHERE user_id = $1 AND active = 1")
                .bind(user_id).execute(pool).await?.rows_affected()
        }))
    }
}
