-- The Dojo validator's state. Times are ns since the Unix epoch; booleans are 0/1 BIGINTs and
-- structured values JSON text, so the same SQL runs on SQLite and PostgreSQL.

-- One row per task sent (or being sent) to miners, with the full task JSON incl. ground truth.
CREATE TABLE validator_tasks (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    task_json TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at_ns BIGINT NOT NULL,
    expire_at_ns BIGINT NOT NULL,
    max_results BIGINT NOT NULL,
    note TEXT
);
CREATE INDEX validator_tasks_state ON validator_tasks (state, expire_at_ns);
CREATE INDEX validator_tasks_created ON validator_tasks (created_at_ns);

-- Per task and miner: was the task sent, and did the miner take it.
CREATE TABLE validator_dispatches (
    task_id TEXT NOT NULL,
    hotkey TEXT NOT NULL,
    uid BIGINT NOT NULL,
    coldkey TEXT,
    ack BIGINT NOT NULL,
    reason TEXT,
    sent_at_ns BIGINT NOT NULL,
    PRIMARY KEY (task_id, hotkey)
);

-- Per task and acknowledging miner: what its results request returned (valid results only).
CREATE TABLE validator_results (
    task_id TEXT NOT NULL,
    hotkey TEXT NOT NULL,
    uid BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    results_json TEXT NOT NULL,
    rejected BIGINT NOT NULL,
    received_at_ns BIGINT NOT NULL,
    PRIMARY KEY (task_id, hotkey)
);

-- Per task and miner: the ground-truth score with every intermediate step, or why none.
CREATE TABLE validator_scores (
    task_id TEXT NOT NULL,
    hotkey TEXT NOT NULL,
    uid BIGINT NOT NULL,
    score DOUBLE PRECISION,
    steps_json TEXT,
    excluded TEXT,
    PRIMARY KEY (task_id, hotkey)
);

-- The moving average per uid, as of the last scored task.
CREATE TABLE validator_ema (
    uid BIGINT PRIMARY KEY,
    hotkey TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL
);

-- Weights the chain accepted.
CREATE TABLE validator_weights (
    block BIGINT NOT NULL,
    kind TEXT NOT NULL,
    uids_json TEXT NOT NULL,
    weights_json TEXT NOT NULL,
    version_key BIGINT NOT NULL,
    at_ns BIGINT NOT NULL,
    PRIMARY KEY (block, kind)
);
