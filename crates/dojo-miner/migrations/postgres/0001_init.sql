CREATE TABLE miner_tasks (
    validator_hotkey TEXT NOT NULL,
    validator_task_id TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    received_at_ns BIGINT NOT NULL,
    expire_at_ns BIGINT NOT NULL,
    PRIMARY KEY (validator_hotkey, validator_task_id)
);
CREATE TABLE miner_scores (
    validator_hotkey TEXT NOT NULL,
    validator_task_id TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    received_at_ns BIGINT NOT NULL,
    ground_truth_revealed BIGINT NOT NULL,
    reveal_error TEXT,
    PRIMARY KEY (validator_hotkey, validator_task_id)
);
CREATE INDEX miner_scores_recent ON miner_scores (received_at_ns);
