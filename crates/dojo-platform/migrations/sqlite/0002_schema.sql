CREATE TABLE platform_invites (
    key TEXT PRIMARY KEY,
    miner_id BIGINT NOT NULL REFERENCES platform_accounts (id),
    used_by BIGINT,
    issued_at_ns BIGINT NOT NULL);
CREATE INDEX platform_invites_miner ON platform_invites (miner_id, issued_at_ns);
CREATE TABLE platform_sessions (
    id TEXT PRIMARY KEY,
    csrf TEXT NOT NULL,
    account_id BIGINT,
    last_seen_ns BIGINT NOT NULL);
CREATE INDEX platform_sessions_seen ON platform_sessions (last_seen_ns);
CREATE TABLE platform_api_keys (
    key_hash TEXT PRIMARY KEY,
    miner_id BIGINT NOT NULL REFERENCES platform_accounts (id),
    created_at_ns BIGINT NOT NULL);
CREATE TABLE platform_tasks (
    id TEXT PRIMARY KEY,
    miner_id BIGINT NOT NULL REFERENCES platform_accounts (id),
    source_id TEXT,
    task_json TEXT NOT NULL,
    ground_truth_json TEXT,
    expires_at_ns BIGINT NOT NULL,
    max_results BIGINT NOT NULL,
    results BIGINT NOT NULL DEFAULT 0,
    UNIQUE (miner_id, source_id));
CREATE INDEX platform_tasks_miner ON platform_tasks (miner_id, id);
CREATE TABLE platform_views (
    task_id TEXT NOT NULL REFERENCES platform_tasks (id),
    worker_id BIGINT NOT NULL,
    shown_at_ns BIGINT NOT NULL,
    PRIMARY KEY (task_id, worker_id));
CREATE TABLE platform_submissions (
    task_id TEXT NOT NULL REFERENCES platform_tasks (id),
    worker_id BIGINT NOT NULL REFERENCES platform_accounts (id),
    scores_json TEXT NOT NULL,
    explanation TEXT NOT NULL,
    submitted_at_ns BIGINT NOT NULL,
    shown_at_ns BIGINT,
    PRIMARY KEY (task_id, worker_id));
