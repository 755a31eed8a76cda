-- Auto-compound: the stake each automation last saw per (hotkey, netuid), at which block; the
-- next run's earned emission is the growth since then not explained by the coldkey's trades.
CREATE TABLE bot_stake_seen (
    automation_id BIGINT NOT NULL,
    hotkey TEXT NOT NULL,
    netuid BIGINT NOT NULL,
    alpha BIGINT NOT NULL,
    block BIGINT NOT NULL,
    PRIMARY KEY (automation_id, hotkey, netuid)
);
-- Daily portfolio summaries: one row per (chat, coldkey) with its UTC hour and the last
-- summary's snapshot (JSON: block, exit total, positions) for the 24h change. Which days were
-- queued is kept in bot_deliveries (rule_id 0, key 'portfolio:<chat>:<coldkey>:<day>').
CREATE TABLE bot_portfolio_daily (
    chat_id BIGINT NOT NULL,
    coldkey TEXT NOT NULL,
    hour BIGINT NOT NULL,
    snapshot TEXT,
    PRIMARY KEY (chat_id, coldkey)
);
