-- taoplex market store, version 1, SQLite. The PostgreSQL folder holds the same schema with
-- BYTEA for BLOB, BIGINT PRIMARY KEY for INTEGER PRIMARY KEY and no WITHOUT ROWID (SQLite:
-- rowid-alias keys and clustered composite keys, one b-tree per table).
-- Amounts are BIGINT rao (every amount < 2^63).

CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS blocks (
    number INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    parent_hash TEXT NOT NULL,
    timestamp_ms BIGINT NOT NULL,
    extrinsics BIGINT NOT NULL,
    events BIGINT NOT NULL
);

-- Per-block pool state of every subnet, CHUNK_BLOCKS consecutive blocks per row (codec.rs).
CREATE TABLE IF NOT EXISTS pool_chunks (
    first_block INTEGER PRIMARY KEY,
    last_block BIGINT NOT NULL,
    data BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS trades (
    block BIGINT NOT NULL,
    extrinsic BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    netuid BIGINT NOT NULL,
    dest_netuid BIGINT,
    coldkey BLOB NOT NULL,
    hotkey BLOB NOT NULL,
    dest_coldkey BLOB,
    dest_hotkey BLOB,
    tao BIGINT NOT NULL,
    alpha BIGINT NOT NULL,
    alpha_dest BIGINT NOT NULL,
    fee_tao BIGINT NOT NULL,
    fee_alpha BIGINT NOT NULL,
    price BIGINT NOT NULL,
    PRIMARY KEY (block, extrinsic, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS trades_netuid ON trades (netuid, block);
CREATE INDEX IF NOT EXISTS trades_dest_netuid ON trades (dest_netuid, block) WHERE dest_netuid IS NOT NULL;
CREATE INDEX IF NOT EXISTS trades_coldkey ON trades (coldkey, block);

CREATE TABLE IF NOT EXISTS emissions (
    block BIGINT NOT NULL,
    netuid BIGINT NOT NULL,
    incentive BIGINT NOT NULL,
    dividends BIGINT NOT NULL,
    owner_cut BIGINT NOT NULL,
    owner_miner_burned BIGINT NOT NULL,
    PRIMARY KEY (block, netuid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS emissions_netuid ON emissions (netuid, block);

CREATE TABLE IF NOT EXISTS subnet_changes (
    block BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    netuid BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (block, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS subnet_changes_netuid ON subnet_changes (netuid, block);

CREATE TABLE IF NOT EXISTS feed_events (
    block BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    netuid BIGINT,
    sentence TEXT NOT NULL,
    data TEXT NOT NULL,
    timestamp_ms BIGINT NOT NULL,
    PRIMARY KEY (block, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS feed_events_kind ON feed_events (kind, block);
CREATE INDEX IF NOT EXISTS feed_events_netuid ON feed_events (netuid, block);

-- Hourly (300-block) candles, maintained by the indexer; longer intervals roll these up.
CREATE TABLE IF NOT EXISTS candles_h1 (
    netuid BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    open BIGINT NOT NULL,
    high BIGINT NOT NULL,
    low BIGINT NOT NULL,
    close BIGINT NOT NULL,
    buy_volume BIGINT NOT NULL,
    sell_volume BIGINT NOT NULL,
    trades BIGINT NOT NULL,
    PRIMARY KEY (netuid, bucket)
) WITHOUT ROWID;

-- Latest known subnet metadata (SubnetInfo as JSON) from the last exact snapshot.
CREATE TABLE IF NOT EXISTS subnets (
    netuid INTEGER PRIMARY KEY,
    info TEXT NOT NULL,
    updated_block BIGINT NOT NULL,
    active BIGINT NOT NULL
);

-- Stakes as last read from the chain (head state at as_of_block).
CREATE TABLE IF NOT EXISTS stakes (
    coldkey BLOB NOT NULL,
    hotkey BLOB NOT NULL,
    netuid BIGINT NOT NULL,
    alpha BIGINT NOT NULL,
    as_of_block BIGINT NOT NULL,
    PRIMARY KEY (coldkey, hotkey, netuid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stakes_netuid ON stakes (netuid, alpha);
