CREATE TABLE external_keys (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL UNIQUE,
    created_at_ns BIGINT NOT NULL,
    revoked_at_ns BIGINT
);
CREATE TABLE external_tasks (
    id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL REFERENCES external_keys(id),
    state TEXT NOT NULL,
    task_json TEXT NOT NULL,
    output_ids TEXT NOT NULL,
    deadline_secs BIGINT NOT NULL,
    max_results BIGINT NOT NULL,
    webhook_url TEXT,
    created_at_ns BIGINT NOT NULL,
    claimed_at_ns BIGINT,
    expire_at_ns BIGINT,
    result_json TEXT,
    error TEXT,
    webhook_state TEXT NOT NULL,
    webhook_attempts BIGINT NOT NULL,
    webhook_last_status BIGINT,
    webhook_last_error TEXT,
    webhook_delivered_at_ns BIGINT
);
CREATE INDEX external_tasks_queue ON external_tasks (state, created_at_ns);
