CREATE TABLE bot_state (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE bot_chats (
    chat_id BIGINT PRIMARY KEY,
    lang TEXT NOT NULL DEFAULT 'en',
    cooldown_min BIGINT NOT NULL DEFAULT 30,
    quiet_from BIGINT,
    quiet_to BIGINT
);
CREATE TABLE bot_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id BIGINT NOT NULL,
    spec TEXT NOT NULL,
    last_fired_block BIGINT
);
CREATE INDEX bot_rules_chat ON bot_rules (chat_id);
CREATE TABLE bot_deliveries (rule_id BIGINT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (rule_id, key));
CREATE TABLE bot_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id BIGINT NOT NULL,
    text TEXT NOT NULL,
    not_before_ms BIGINT NOT NULL,
    sent BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX bot_outbox_pending ON bot_outbox (sent, not_before_ms);
CREATE TABLE bot_proxies (
    user_id BIGINT PRIMARY KEY,
    chat_id BIGINT NOT NULL,
    coldkey TEXT NOT NULL,
    per_trade BIGINT NOT NULL,
    per_day BIGINT NOT NULL,
    mode TEXT NOT NULL DEFAULT 'proxy'
);
CREATE TABLE bot_spend (user_id BIGINT NOT NULL, day BIGINT NOT NULL, rao BIGINT NOT NULL, PRIMARY KEY (user_id, day));
CREATE TABLE bot_cards (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    chat_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    spec TEXT NOT NULL,
    expires_ms BIGINT NOT NULL,
    state TEXT NOT NULL
);
CREATE TABLE bot_automations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL,
    chat_id BIGINT NOT NULL,
    spec TEXT NOT NULL,
    next_run_ms BIGINT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1
);
