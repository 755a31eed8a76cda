//! The store: one schema on SQLite (default, a file in the data dir) or PostgreSQL (a URL).
//!
//! Every query is written once with `$N` placeholders, which both engines accept, and run on
//! whichever pool the store holds (the `on_db!` macro instantiates the code for each). Writes
//! come in [`Batch`]es, each one transaction: a batch of blocks is stored completely or not at
//! all, and must continue the stored chain exactly (no gap, no duplicate).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chain::{AccountId, BlockNumber, Hash, NetUid, SubnetInfo};
use db::row::{
    get_bytes, get_i64, get_opt_bytes, get_opt_i64, get_str, get_u64, query_builder as builder,
    to_i64, to_u64,
};
use db::{Db, DbConfig, Legacy, Migrations, Settings, on_db};
use sqlx::{AssertSqlSafe, Row};

pub use db::Backend;

use crate::codec::{CHUNK_BLOCKS, decode_chunk, encode_chunk};
use crate::error::{MarketError, Result};
use crate::types::{
    BlockRow, Candle, ChangeKind, Emission, FeedEvent, FeedKind, PoolState, StakeRow, SubnetChange,
    Trade, TradeKind,
};

/// The store's migrations: one folder per engine (`migrations/sqlite`, `migrations/postgres`),
/// bookkept in `_sqlx_migrations_market`. Stores made before the `db` crate recorded their
/// versions in `schema_migrations(version)`; they are adopted without re-running anything.
fn migrations() -> Migrations {
    Migrations::new(
        "market",
        sqlx::migrate!("migrations/sqlite"),
        sqlx::migrate!("migrations/postgres"),
    )
    .with_legacy(Legacy::Versions { table: "schema_migrations" })
}

/// Where the store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// SQLite file `market.sqlite` in this directory (created if missing).
    SqliteDir(PathBuf),
    /// A SQLite file at this path (created if missing, with its directory).
    SqliteFile(PathBuf),
    /// PostgreSQL at this URL; `schema`, if set, is created if missing and used as the
    /// search path (tests use a fresh schema per run).
    Postgres {
        /// `postgres://user@host:port/db`.
        url: String,
        /// Schema to use instead of `public`.
        schema: Option<String>,
    },
}

impl StoreConfig {
    /// The database this configuration names.
    pub fn db_config(&self) -> DbConfig {
        match self {
            StoreConfig::SqliteDir(dir) => DbConfig::Sqlite(dir.join("market.sqlite")),
            StoreConfig::SqliteFile(path) => DbConfig::Sqlite(path.clone()),
            StoreConfig::Postgres { url, schema } => {
                DbConfig::Postgres { url: url.clone(), schema: schema.clone() }
            }
        }
    }
}

/// The market store. Cheap to clone (a connection pool).
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
}

/// Everything one write stores, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Consecutive blocks, continuing the stored chain.
    pub blocks: Vec<BlockRow>,
    /// Pool states at the end of each block, same length and order as `blocks`.
    pub states: Vec<Vec<PoolState>>,
    /// Trades.
    pub trades: Vec<Trade>,
    /// Epoch emissions.
    pub emissions: Vec<Emission>,
    /// Lifecycle and rule changes.
    pub changes: Vec<SubnetChange>,
    /// Feed events.
    pub feed: Vec<FeedEvent>,
    /// Hourly candle increments for the blocks of this batch, merged into stored candles.
    pub candles_h1: Vec<(NetUid, Candle)>,
    /// Subnet metadata read from the chain (exact snapshots), with the block it is as of.
    pub subnets: Vec<(SubnetInfo, BlockNumber)>,
    /// Subnets dissolved in this batch and not seen again after it (the store applies these
    /// after `subnets`, so each must be the netuid's latest word in the batch).
    pub removed_subnets: Vec<NetUid>,
}

impl Batch {
    /// Records `info` as of `block`. A subnet seen after its netuid was dissolved in this batch
    /// was registered again (at the subnet limit the chain reuses the dissolved netuid), so the
    /// earlier removal no longer holds.
    pub fn add_subnet(&mut self, info: SubnetInfo, block: BlockNumber) {
        self.removed_subnets.retain(|n| *n != info.netuid);
        self.subnets.push((info, block));
    }
}

/// Filters for the feed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only these kinds (empty: all).
    pub kinds: Vec<FeedKind>,
    /// Only this subnet.
    pub netuid: Option<NetUid>,
    /// Only blocks ≥ this.
    pub from_block: Option<BlockNumber>,
    /// Only events strictly before this (block, seq) cursor — the next page.
    pub before: Option<(BlockNumber, u32)>,
    /// Page size (1–1000).
    pub limit: u32,
}

/// Filters for the trades tape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TradeFilter {
    /// Only trades touching this subnet (either side of a move).
    pub netuid: Option<NetUid>,
    /// Only this coldkey.
    pub coldkey: Option<AccountId>,
    /// Only trades of at least this much TAO, rao (the whale filter).
    pub min_tao: Option<u64>,
    /// Only trades strictly before this (block, extrinsic, seq) cursor — the next page.
    pub before: Option<(BlockNumber, u32, u32)>,
    /// Only blocks ≥ this.
    pub from_block: Option<BlockNumber>,
    /// Page size (1–1000).
    pub limit: u32,
}

fn bad(table: &'static str, what: impl std::fmt::Display) -> MarketError {
    db::row::bad_row(table, what).into()
}

fn netuid_of(v: i64, table: &'static str) -> Result<NetUid> {
    NetUid::try_from(v).map_err(|_| bad(table, format!("netuid {v}")))
}

fn u32_of(v: i64, table: &'static str) -> Result<u32> {
    u32::try_from(v).map_err(|_| bad(table, format!("index {v}")))
}

/// Accounts are stored as their 32 public-key bytes (BLOB/BYTEA): half the size of hex and no
/// SS58 checksum to compute on the write path.
fn key_bytes(a: &AccountId) -> Vec<u8> {
    a.0.to_vec()
}

fn account_bytes(b: &[u8], table: &'static str) -> Result<AccountId> {
    <[u8; 32]>::try_from(b)
        .map(AccountId)
        .map_err(|_| bad(table, format!("account of {} bytes", b.len())))
}

fn hash(s: &str, table: &'static str) -> Result<Hash> {
    s.parse().map_err(|e| bad(table, e))
}

fn check_limit(limit: u32) -> Result<i64> {
    if limit == 0 || limit > 1000 {
        return Err(MarketError::Invalid(format!(
            "page size {limit} is out of range; use 1 to 1000"
        )));
    }
    Ok(i64::from(limit))
}

macro_rules! trade_from_row {
    ($row:expr) => {{
        let row = $row;
        const T: &str = "trades";
        let kind: TradeKind = get_str(row, "kind")?.parse().map_err(|e: String| bad(T, e))?;
        let dest_netuid = match get_opt_i64(row, "dest_netuid")? {
            Some(v) => Some(netuid_of(v, T)?),
            None => None,
        };
        let dest_coldkey = match get_opt_bytes(row, "dest_coldkey")? {
            Some(b) => Some(account_bytes(&b, T)?),
            None => None,
        };
        let dest_hotkey = match get_opt_bytes(row, "dest_hotkey")? {
            Some(b) => Some(account_bytes(&b, T)?),
            None => None,
        };
        Trade {
            block: get_u64(row, "block", T)?,
            extrinsic: u32_of(get_i64(row, "extrinsic")?, T)?,
            seq: u32_of(get_i64(row, "seq")?, T)?,
            kind,
            netuid: netuid_of(get_i64(row, "netuid")?, T)?,
            dest_netuid,
            coldkey: account_bytes(&get_bytes(row, "coldkey")?, T)?,
            hotkey: account_bytes(&get_bytes(row, "hotkey")?, T)?,
            dest_coldkey,
            dest_hotkey,
            tao: get_u64(row, "tao", T)?,
            alpha: get_u64(row, "alpha", T)?,
            alpha_dest: get_u64(row, "alpha_dest", T)?,
            fee_tao: get_u64(row, "fee_tao", T)?,
            fee_alpha: get_u64(row, "fee_alpha", T)?,
            price: get_u64(row, "price", T)?,
        }
    }};
}

macro_rules! feed_from_row {
    ($row:expr) => {{
        let row = $row;
        const T: &str = "feed_events";
        let kind: FeedKind = get_str(row, "kind")?.parse().map_err(|e: String| bad(T, e))?;
        let netuid = match get_opt_i64(row, "netuid")? {
            Some(v) => Some(netuid_of(v, T)?),
            None => None,
        };
        FeedEvent {
            block: get_u64(row, "block", T)?,
            seq: u32_of(get_i64(row, "seq")?, T)?,
            kind,
            netuid,
            sentence: get_str(row, "sentence")?,
            data: serde_json::from_str(&get_str(row, "data")?).map_err(|e| bad(T, e))?,
            timestamp_ms: get_u64(row, "timestamp_ms", T)?,
        }
    }};
}

impl Store {
    /// Opens (creating if needed) the store and runs pending migrations.
    pub async fn open(config: &StoreConfig) -> Result<Self> {
        // A 64 MiB page cache per connection: backfill rereads recent pool chunks.
        let settings = Settings {
            postgres_connections: 8,
            sqlite_cache_kib: Some(65_536),
            ..Settings::default()
        };
        let db = Db::open_with(&config.db_config(), &settings).await?;
        db.migrate(&migrations()).await?;
        Ok(Self { db })
    }

    /// The engine in use.
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Closes the connection pool.
    pub async fn close(&self) {
        self.db.close().await
    }

    /// The highest stored block, if any.
    pub async fn last_block(&self) -> Result<Option<BlockNumber>> {
        let v: Option<i64> = on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT MAX(number) FROM blocks").fetch_one(pool).await?
        });
        Ok(v.map(|v| to_u64(v, "blocks")).transpose()?)
    }

    /// Number of stored blocks.
    pub async fn block_count(&self) -> Result<u64> {
        let v: i64 = on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM blocks").fetch_one(pool).await?
        });
        Ok(to_u64(v, "blocks")?)
    }

    /// Stored block numbers in `[from, to]`, ascending (for gap checks).
    pub async fn block_numbers(&self, from: BlockNumber, to: BlockNumber) -> Result<Vec<u64>> {
        let (from, to) = (to_i64(from, "from")?, to_i64(to, "to")?);
        let v: Vec<i64> = on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT number FROM blocks WHERE number >= $1 AND number <= $2 ORDER BY number")
                .bind(from).bind(to).fetch_all(pool).await?
        });
        Ok(v.into_iter().map(|v| to_u64(v, "blocks")).collect::<std::result::Result<_, _>>()?)
    }

    /// One stored block.
    pub async fn block(&self, number: BlockNumber) -> Result<Option<BlockRow>> {
        let n = to_i64(number, "block")?;
        on_db!(&self.db, pool => {
            let row = sqlx::query("SELECT number, hash, parent_hash, timestamp_ms, extrinsics, events FROM blocks WHERE number = $1")
                .bind(n).fetch_optional(pool).await?;
            match row {
                None => Ok(None),
                Some(row) => Ok(Some(BlockRow {
                    number: get_u64(&row, "number", "blocks")?,
                    hash: hash(&get_str(&row, "hash")?, "blocks")?,
                    parent_hash: hash(&get_str(&row, "parent_hash")?, "blocks")?,
                    timestamp_ms: get_u64(&row, "timestamp_ms", "blocks")?,
                    extrinsic_count: u32_of(get_i64(&row, "extrinsics")?, "blocks")?,
                    event_count: u32_of(get_i64(&row, "events")?, "blocks")?,
                })),
            }
        })
    }

    /// Timestamps of the given blocks (those stored).
    pub async fn timestamps(
        &self,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Result<BTreeMap<BlockNumber, u64>> {
        let (from, to) = (to_i64(from, "from")?, to_i64(to, "to")?);
        on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT number, timestamp_ms FROM blocks WHERE number >= $1 AND number <= $2")
                .bind(from).bind(to).fetch_all(pool).await?;
            let mut out = BTreeMap::new();
            for row in &rows {
                out.insert(get_u64(row, "number", "blocks")?, get_u64(row, "timestamp_ms", "blocks")?);
            }
            Ok(out)
        })
    }

    /// Stores a batch in one transaction. The batch must start right after the last stored
    /// block (or anywhere, into an empty store) and be consecutive.
    pub async fn write_batch(&self, batch: &Batch) -> Result<()> {
        let Some(first) = batch.blocks.first() else { return Ok(()) };
        if batch.states.len() != batch.blocks.len() {
            return Err(MarketError::Invalid(format!(
                "batch has {} blocks but {} state lists",
                batch.blocks.len(),
                batch.states.len()
            )));
        }
        for (i, b) in batch.blocks.iter().enumerate() {
            if b.number != first.number + i as u64 {
                return Err(MarketError::NotContiguous {
                    got: b.number,
                    expected: first.number + i as u64,
                });
            }
        }
        let first_number = first.number;
        let first_parent = first.parent_hash;
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let written = async {
            // Continuity is checked inside the transaction, so two writers cannot both pass.
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(number) FROM blocks")
                .fetch_one(&mut *tx).await?;
            if let Some(last) = last {
                let expected = to_u64(last, "blocks")? + 1;
                if first_number != expected {
                    return Err(MarketError::NotContiguous { got: first_number, expected });
                }
                let parent: Option<String> = sqlx::query_scalar("SELECT hash FROM blocks WHERE number = $1")
                    .bind(last).fetch_optional(&mut *tx).await?;
                if let Some(parent) = parent
                    && parent != first_parent.to_hex()
                {
                    return Err(MarketError::ChainMismatch { block: first_number, got: first_parent.to_hex(), expected: parent });
                }
            }
            for chunk in batch.blocks.chunks(1000) {
                let mut qb = builder(pool, "INSERT INTO blocks (number, hash, parent_hash, timestamp_ms, extrinsics, events) ");
                let mut rows = Vec::with_capacity(chunk.len());
                for b in chunk {
                    rows.push((to_i64(b.number, "block")?, b.hash.to_hex(), b.parent_hash.to_hex(), to_i64(b.timestamp_ms, "timestamp_ms")?, i64::from(b.extrinsic_count), i64::from(b.event_count)));
                }
                qb.push_values(rows, |mut q, r| {
                    q.push_bind(r.0).push_bind(r.1).push_bind(r.2).push_bind(r.3).push_bind(r.4).push_bind(r.5);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for (i, states) in batch.states.chunks(CHUNK_BLOCKS).enumerate() {
                let start = first_number + (i * CHUNK_BLOCKS) as u64;
                let end = start + states.len() as u64 - 1;
                sqlx::query("INSERT INTO pool_chunks (first_block, last_block, data) VALUES ($1, $2, $3)")
                    .bind(to_i64(start, "block")?)
                    .bind(to_i64(end, "block")?)
                    .bind(encode_chunk(states))
                    .execute(&mut *tx).await?;
            }
            for chunk in batch.trades.chunks(500) {
                let mut rows = Vec::with_capacity(chunk.len());
                for t in chunk {
                    rows.push((
                        to_i64(t.block, "block")?, i64::from(t.extrinsic), i64::from(t.seq), t.kind.as_str(),
                        i64::from(t.netuid), t.dest_netuid.map(i64::from), key_bytes(&t.coldkey), key_bytes(&t.hotkey),
                        t.dest_coldkey.map(|a| key_bytes(&a)), t.dest_hotkey.map(|a| key_bytes(&a)),
                        [to_i64(t.tao, "tao")?, to_i64(t.alpha, "alpha")?, to_i64(t.alpha_dest, "alpha_dest")?,
                         to_i64(t.fee_tao, "fee_tao")?, to_i64(t.fee_alpha, "fee_alpha")?, to_i64(t.price, "price")?],
                    ));
                }
                let mut qb = builder(pool, "INSERT INTO trades (block, extrinsic, seq, kind, netuid, dest_netuid, coldkey, hotkey, dest_coldkey, dest_hotkey, tao, alpha, alpha_dest, fee_tao, fee_alpha, price) ");
                qb.push_values(rows, |mut q, r| {
                    q.push_bind(r.0).push_bind(r.1).push_bind(r.2).push_bind(r.3).push_bind(r.4).push_bind(r.5)
                        .push_bind(r.6).push_bind(r.7).push_bind(r.8).push_bind(r.9);
                    for v in r.10 {
                        q.push_bind(v);
                    }
                });
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in batch.emissions.chunks(1000) {
                let mut rows = Vec::with_capacity(chunk.len());
                for e in chunk {
                    rows.push([to_i64(e.block, "block")?, i64::from(e.netuid), to_i64(e.incentive, "incentive")?,
                        to_i64(e.dividends, "dividends")?, to_i64(e.owner_cut, "owner_cut")?,
                        to_i64(e.owner_miner_burned, "owner_miner_burned")?]);
                }
                let mut qb = builder(pool, "INSERT INTO emissions (block, netuid, incentive, dividends, owner_cut, owner_miner_burned) ");
                qb.push_values(rows, |mut q, r| {
                    for v in r {
                        q.push_bind(v);
                    }
                });
                qb.build().execute(&mut *tx).await?;
            }
            for c in &batch.changes {
                sqlx::query("INSERT INTO subnet_changes (block, seq, netuid, kind, name, value) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(to_i64(c.block, "block")?).bind(i64::from(c.seq)).bind(i64::from(c.netuid))
                    .bind(c.kind.as_str()).bind(c.name.clone()).bind(c.value.to_string())
                    .execute(&mut *tx).await?;
            }
            for f in &batch.feed {
                sqlx::query("INSERT INTO feed_events (block, seq, kind, netuid, sentence, data, timestamp_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(to_i64(f.block, "block")?).bind(i64::from(f.seq)).bind(f.kind.as_str())
                    .bind(f.netuid.map(i64::from)).bind(f.sentence.clone()).bind(f.data.to_string())
                    .bind(to_i64(f.timestamp_ms, "timestamp_ms")?)
                    .execute(&mut *tx).await?;
            }
            for chunk in batch.candles_h1.chunks(1000) {
                let mut rows = Vec::with_capacity(chunk.len());
                for (netuid, c) in chunk {
                    rows.push([i64::from(*netuid), to_i64(c.start_block, "bucket")?, to_i64(c.open, "open")?, to_i64(c.high, "high")?,
                        to_i64(c.low, "low")?, to_i64(c.close, "close")?, to_i64(c.buy_volume, "buy_volume")?,
                        to_i64(c.sell_volume, "sell_volume")?, i64::from(c.trades)]);
                }
                let mut qb = builder(pool, "INSERT INTO candles_h1 (netuid, bucket, open, high, low, close, buy_volume, sell_volume, trades) ");
                qb.push_values(rows, |mut q, r| {
                    for v in r {
                        q.push_bind(v);
                    }
                });
                qb.push(" ON CONFLICT (netuid, bucket) DO UPDATE SET \
                    high = CASE WHEN excluded.high > candles_h1.high THEN excluded.high ELSE candles_h1.high END, \
                    low = CASE WHEN excluded.low < candles_h1.low THEN excluded.low ELSE candles_h1.low END, \
                    close = excluded.close, \
                    buy_volume = candles_h1.buy_volume + excluded.buy_volume, \
                    sell_volume = candles_h1.sell_volume + excluded.sell_volume, \
                    trades = candles_h1.trades + excluded.trades");
                qb.build().execute(&mut *tx).await?;
            }
            for (info, as_of) in &batch.subnets {
                let json = serde_json::to_string(info).map_err(|e| bad("subnets", e))?;
                sqlx::query("INSERT INTO subnets (netuid, info, updated_block, active) VALUES ($1, $2, $3, 1) \
                    ON CONFLICT (netuid) DO UPDATE SET info = excluded.info, updated_block = excluded.updated_block, active = 1")
                    .bind(i64::from(info.netuid)).bind(json).bind(to_i64(*as_of, "block")?)
                    .execute(&mut *tx).await?;
            }
            for netuid in &batch.removed_subnets {
                sqlx::query("UPDATE subnets SET active = 0 WHERE netuid = $1")
                    .bind(i64::from(*netuid)).execute(&mut *tx).await?;
            }
                Ok::<(), MarketError>(())
            }
            .await;
            // Roll back explicitly: a dropped transaction would hold SQLite's write lock until
            // its connection is next used.
            match written {
                Ok(()) => tx.commit().await?,
                Err(e) => {
                    let _ = tx.rollback().await;
                    return Err(e);
                }
            }
            Ok(())
        })
    }

    /// Pool states of every subnet at the end of `block` (`None` if not stored).
    pub async fn states_at(&self, block: BlockNumber) -> Result<Option<Vec<PoolState>>> {
        let n = to_i64(block, "block")?;
        let row: Option<(i64, Vec<u8>)> = on_db!(&self.db, pool => {
            let row = sqlx::query("SELECT first_block, last_block, data FROM pool_chunks WHERE first_block <= $1 ORDER BY first_block DESC LIMIT 1")
                .bind(n).fetch_optional(pool).await?;
            match row {
                Some(row) if get_i64(&row, "last_block")? >= n => Some((get_i64(&row, "first_block")?, row.try_get::<Vec<u8>, _>("data")?)),
                _ => None,
            }
        });
        let Some((first, data)) = row else { return Ok(None) };
        let mut blocks = decode_chunk(&data)?;
        let idx = usize::try_from(n - first).map_err(|_| bad("pool_chunks", "offset"))?;
        if idx >= blocks.len() {
            return Err(bad(
                "pool_chunks",
                format!("chunk at {first} too short for block {block}"),
            ));
        }
        Ok(Some(blocks.swap_remove(idx)))
    }

    /// Pool states of every block in `[from, to]` that is stored, ascending.
    pub async fn states_range(
        &self,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Result<Vec<(BlockNumber, Vec<PoolState>)>> {
        let (f, t) = (to_i64(from, "from")?, to_i64(to, "to")?);
        let rows: Vec<(i64, Vec<u8>)> = on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT first_block, data FROM pool_chunks WHERE last_block >= $1 AND first_block <= $2 ORDER BY first_block")
                .bind(f).bind(t).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push((get_i64(row, "first_block")?, row.try_get::<Vec<u8>, _>("data")?));
            }
            out
        });
        let mut out = Vec::new();
        for (first, data) in rows {
            let first = to_u64(first, "pool_chunks")?;
            for (i, states) in decode_chunk(&data)?.into_iter().enumerate() {
                let n = first + i as u64;
                if n >= from && n <= to {
                    out.push((n, states));
                }
            }
        }
        Ok(out)
    }

    /// Trades, newest first.
    pub async fn trades(&self, filter: &TradeFilter) -> Result<Vec<Trade>> {
        let limit = check_limit(filter.limit)?;
        let mut sql = String::from("SELECT * FROM trades WHERE 1 = 1");
        let mut binds: Vec<BindVal> = Vec::new();
        if let Some(n) = filter.netuid {
            binds.push(BindVal::I(i64::from(n)));
            let p = binds.len();
            sql.push_str(&format!(" AND (netuid = ${p} OR dest_netuid = ${p})"));
        }
        if let Some(c) = filter.coldkey {
            binds.push(BindVal::B(key_bytes(&c)));
            sql.push_str(&format!(" AND (coldkey = ${0} OR dest_coldkey = ${0})", binds.len()));
        }
        if let Some(min) = filter.min_tao {
            binds.push(BindVal::I(to_i64(min, "min_tao")?));
            sql.push_str(&format!(" AND tao >= ${}", binds.len()));
        }
        if let Some(from) = filter.from_block {
            binds.push(BindVal::I(to_i64(from, "from_block")?));
            sql.push_str(&format!(" AND block >= ${}", binds.len()));
        }
        if let Some((b, e, s)) = filter.before {
            binds.push(BindVal::I(to_i64(b, "block")?));
            let pb = binds.len();
            binds.push(BindVal::I(i64::from(e)));
            let pe = binds.len();
            binds.push(BindVal::I(i64::from(s)));
            let ps = binds.len();
            sql.push_str(&format!(
                " AND (block < ${pb} OR (block = ${pb} AND (extrinsic < ${pe} OR (extrinsic = ${pe} AND seq < ${ps}))))"
            ));
        }
        binds.push(BindVal::I(limit));
        sql.push_str(&format!(
            " ORDER BY block DESC, extrinsic DESC, seq DESC LIMIT ${}",
            binds.len()
        ));
        on_db!(&self.db, pool => {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for b in binds {
                q = match b { BindVal::I(v) => q.bind(v), BindVal::S(v) => q.bind(v), BindVal::B(v) => q.bind(v) };
            }
            let rows = q.fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(trade_from_row!(row));
            }
            Ok(out)
        })
    }

    /// Trades in blocks `[from, to]` touching `netuid` (either side), ascending.
    pub async fn trades_range(
        &self,
        netuid: Option<NetUid>,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Result<Vec<Trade>> {
        let (f, t) = (to_i64(from, "from")?, to_i64(to, "to")?);
        on_db!(&self.db, pool => {
            let rows = match netuid {
                Some(n) => sqlx::query("SELECT * FROM trades WHERE block >= $1 AND block <= $2 AND (netuid = $3 OR dest_netuid = $3) ORDER BY block, extrinsic, seq")
                    .bind(f).bind(t).bind(i64::from(n)).fetch_all(pool).await?,
                None => sqlx::query("SELECT * FROM trades WHERE block >= $1 AND block <= $2 ORDER BY block, extrinsic, seq")
                    .bind(f).bind(t).fetch_all(pool).await?,
            };
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(trade_from_row!(row));
            }
            Ok(out)
        })
    }

    /// Trade count.
    pub async fn trade_count(&self) -> Result<u64> {
        let v: i64 = on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM trades").fetch_one(pool).await?
        });
        Ok(to_u64(v, "trades")?)
    }

    /// Epoch emissions of a subnet (all subnets if `None`) in `[from, to]`, ascending.
    pub async fn emissions(
        &self,
        netuid: Option<NetUid>,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Result<Vec<Emission>> {
        let (f, t) = (to_i64(from, "from")?, to_i64(to, "to")?);
        on_db!(&self.db, pool => {
            let rows = match netuid {
                Some(n) => sqlx::query("SELECT * FROM emissions WHERE netuid = $1 AND block >= $2 AND block <= $3 ORDER BY block")
                    .bind(i64::from(n)).bind(f).bind(t).fetch_all(pool).await?,
                None => sqlx::query("SELECT * FROM emissions WHERE block >= $1 AND block <= $2 ORDER BY block, netuid")
                    .bind(f).bind(t).fetch_all(pool).await?,
            };
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                const T: &str = "emissions";
                out.push(Emission {
                    block: get_u64(row, "block", T)?,
                    netuid: netuid_of(get_i64(row, "netuid")?, T)?,
                    incentive: get_u64(row, "incentive", T)?,
                    dividends: get_u64(row, "dividends", T)?,
                    owner_cut: get_u64(row, "owner_cut", T)?,
                    owner_miner_burned: get_u64(row, "owner_miner_burned", T)?,
                });
            }
            Ok(out)
        })
    }

    /// The last epoch's owner-burned amount per subnet (for burn started/stopped on resume).
    pub async fn last_burns(&self) -> Result<BTreeMap<NetUid, u64>> {
        on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT e.netuid AS netuid, e.owner_miner_burned AS burned FROM emissions e \
                JOIN (SELECT netuid, MAX(block) AS block FROM emissions GROUP BY netuid) m \
                ON e.netuid = m.netuid AND e.block = m.block")
                .fetch_all(pool).await?;
            let mut out = BTreeMap::new();
            for row in &rows {
                out.insert(netuid_of(get_i64(row, "netuid")?, "emissions")?, get_u64(row, "burned", "emissions")?);
            }
            Ok(out)
        })
    }

    /// Lifecycle and rule changes of a subnet (all if `None`), ascending.
    pub async fn changes(
        &self,
        netuid: Option<NetUid>,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Result<Vec<SubnetChange>> {
        let (f, t) = (to_i64(from, "from")?, to_i64(to, "to")?);
        on_db!(&self.db, pool => {
            let rows = match netuid {
                Some(n) => sqlx::query("SELECT * FROM subnet_changes WHERE netuid = $1 AND block >= $2 AND block <= $3 ORDER BY block, seq")
                    .bind(i64::from(n)).bind(f).bind(t).fetch_all(pool).await?,
                None => sqlx::query("SELECT * FROM subnet_changes WHERE block >= $1 AND block <= $2 ORDER BY block, seq")
                    .bind(f).bind(t).fetch_all(pool).await?,
            };
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                const T: &str = "subnet_changes";
                out.push(SubnetChange {
                    block: get_u64(row, "block", T)?,
                    seq: u32_of(get_i64(row, "seq")?, T)?,
                    netuid: netuid_of(get_i64(row, "netuid")?, T)?,
                    kind: get_str(row, "kind")?.parse::<ChangeKind>().map_err(|e| bad(T, e))?,
                    name: get_str(row, "name")?,
                    value: serde_json::from_str(&get_str(row, "value")?).map_err(|e| bad(T, e))?,
                });
            }
            Ok(out)
        })
    }

    /// Feed events, newest first.
    pub async fn feed(&self, filter: &EventFilter) -> Result<Vec<FeedEvent>> {
        let limit = check_limit(filter.limit)?;
        let mut sql = String::from("SELECT * FROM feed_events WHERE 1 = 1");
        let mut binds: Vec<BindVal> = Vec::new();
        if !filter.kinds.is_empty() {
            let mut ps = Vec::new();
            for k in &filter.kinds {
                binds.push(BindVal::S(k.as_str().to_string()));
                ps.push(format!("${}", binds.len()));
            }
            sql.push_str(&format!(" AND kind IN ({})", ps.join(", ")));
        }
        if let Some(n) = filter.netuid {
            binds.push(BindVal::I(i64::from(n)));
            sql.push_str(&format!(" AND netuid = ${}", binds.len()));
        }
        if let Some(from) = filter.from_block {
            binds.push(BindVal::I(to_i64(from, "from_block")?));
            sql.push_str(&format!(" AND block >= ${}", binds.len()));
        }
        if let Some((b, s)) = filter.before {
            binds.push(BindVal::I(to_i64(b, "block")?));
            let pb = binds.len();
            binds.push(BindVal::I(i64::from(s)));
            let ps = binds.len();
            sql.push_str(&format!(" AND (block < ${pb} OR (block = ${pb} AND seq < ${ps}))"));
        }
        binds.push(BindVal::I(limit));
        sql.push_str(&format!(" ORDER BY block DESC, seq DESC LIMIT ${}", binds.len()));
        on_db!(&self.db, pool => {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for b in binds {
                q = match b { BindVal::I(v) => q.bind(v), BindVal::S(v) => q.bind(v), BindVal::B(v) => q.bind(v) };
            }
            let rows = q.fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(feed_from_row!(row));
            }
            Ok(out)
        })
    }

    /// Stored hourly candles of a subnet with buckets in `[from, to]`, ascending.
    pub async fn candles_h1(
        &self,
        netuid: NetUid,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Result<Vec<Candle>> {
        let (f, t) = (to_i64(from, "from")?, to_i64(to, "to")?);
        on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT * FROM candles_h1 WHERE netuid = $1 AND bucket >= $2 AND bucket <= $3 ORDER BY bucket")
                .bind(i64::from(netuid)).bind(f).bind(t).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                const T: &str = "candles_h1";
                out.push(Candle {
                    start_block: get_u64(row, "bucket", T)?,
                    open: get_u64(row, "open", T)?,
                    high: get_u64(row, "high", T)?,
                    low: get_u64(row, "low", T)?,
                    close: get_u64(row, "close", T)?,
                    buy_volume: get_u64(row, "buy_volume", T)?,
                    sell_volume: get_u64(row, "sell_volume", T)?,
                    trades: u32_of(get_i64(row, "trades")?, T)?,
                });
            }
            Ok(out)
        })
    }

    /// Subnet metadata of every subnet ever seen, with whether it is still registered.
    pub async fn subnets(&self) -> Result<Vec<(SubnetInfo, bool)>> {
        on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT info, active FROM subnets ORDER BY netuid").fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let info: SubnetInfo = serde_json::from_str(&get_str(row, "info")?).map_err(|e| bad("subnets", e))?;
                let active = get_i64(row, "active")?;
                out.push((info, active != 0));
            }
            Ok(out)
        })
    }

    /// Replaces a coldkey's stake rows with what the chain reported at `as_of`.
    pub async fn replace_stakes(
        &self,
        coldkey: &AccountId,
        stakes: &[chain::StakeInfo],
        as_of: BlockNumber,
    ) -> Result<()> {
        self.replace_stakes_many(&[(*coldkey, stakes.to_vec())], as_of).await
    }

    /// Replaces the stake rows of several coldkeys, in one transaction.
    pub async fn replace_stakes_many(
        &self,
        stakes: &[(AccountId, Vec<chain::StakeInfo>)],
        as_of: BlockNumber,
    ) -> Result<()> {
        let as_of = to_i64(as_of, "block")?;
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let written = async {
            for (coldkey, list) in stakes {
                let c = key_bytes(coldkey);
                sqlx::query("DELETE FROM stakes WHERE coldkey = $1").bind(c.clone()).execute(&mut *tx).await?;
                for s in list.iter().filter(|s| s.alpha > 0) {
                    sqlx::query("INSERT INTO stakes (coldkey, hotkey, netuid, alpha, as_of_block) VALUES ($1, $2, $3, $4, $5) \
                        ON CONFLICT (coldkey, hotkey, netuid) DO UPDATE SET alpha = excluded.alpha, as_of_block = excluded.as_of_block")
                        .bind(c.clone()).bind(key_bytes(&s.hotkey)).bind(i64::from(s.netuid))
                        .bind(to_i64(s.alpha, "alpha")?).bind(as_of)
                        .execute(&mut *tx).await?;
                }
            }
                Ok::<(), MarketError>(())
            }
            .await;
            match written {
                Ok(()) => tx.commit().await?,
                Err(e) => {
                    let _ = tx.rollback().await;
                    return Err(e);
                }
            }
            Ok(())
        })
    }

    /// Stakes on a subnet, largest first.
    pub async fn stakes_on(&self, netuid: NetUid) -> Result<Vec<StakeRow>> {
        on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT * FROM stakes WHERE netuid = $1 ORDER BY alpha DESC, coldkey, hotkey")
                .bind(i64::from(netuid)).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                const T: &str = "stakes";
                out.push(StakeRow {
                    coldkey: account_bytes(&get_bytes(row, "coldkey")?, T)?,
                    hotkey: account_bytes(&get_bytes(row, "hotkey")?, T)?,
                    netuid: netuid_of(get_i64(row, "netuid")?, T)?,
                    alpha: get_u64(row, "alpha", T)?,
                    as_of_block: get_u64(row, "as_of_block", T)?,
                });
            }
            Ok(out)
        })
    }
}

enum BindVal {
    I(i64),
    S(String),
    B(Vec<u8>),
}

impl Store {
    /// Hourly candles of every subnet with buckets ≥ `from_bucket`.
    pub async fn candles_h1_since(
        &self,
        from_bucket: BlockNumber,
    ) -> Result<Vec<(NetUid, Candle)>> {
        let f = to_i64(from_bucket, "from")?;
        on_db!(&self.db, pool => {
            let rows = sqlx::query("SELECT * FROM candles_h1 WHERE bucket >= $1 ORDER BY netuid, bucket")
                .bind(f).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                const T: &str = "candles_h1";
                out.push((netuid_of(get_i64(row, "netuid")?, T)?, Candle {
                    start_block: get_u64(row, "bucket", T)?,
                    open: get_u64(row, "open", T)?,
                    high: get_u64(row, "high", T)?,
                    low: get_u64(row, "low", T)?,
                    close: get_u64(row, "close", T)?,
                    buy_volume: get_u64(row, "buy_volume", T)?,
                    sell_volume: get_u64(row, "sell_volume", T)?,
                    trades: u32_of(get_i64(row, "trades")?, T)?,
                }));
            }
            Ok(out)
        })
    }
}

/// Trades of one kind between the same subnets by one coldkey, summed over a block range: what
/// the network view ([`crate::backprop`]) is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowSum {
    /// The trading coldkey (`None`: counted for the subnets' flows only, not for teachers).
    pub coldkey: Option<AccountId>,
    /// Trade kind.
    pub kind: TradeKind,
    /// Subnet (origin of moves).
    pub netuid: NetUid,
    /// Destination subnet of moves.
    pub dest_netuid: Option<NetUid>,
    /// Summed `tao`, rao.
    pub tao: u64,
    /// Number of trades.
    pub trades: u64,
}

impl Store {
    /// The lowest stored block, if any.
    pub async fn first_block(&self) -> Result<Option<BlockNumber>> {
        let v: Option<i64> = on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT MIN(number) FROM blocks").fetch_one(pool).await?
        });
        Ok(v.map(|v| to_u64(v, "blocks")).transpose()?)
    }

    /// Trades in blocks `[from, to]` summed by coldkey, kind and subnets. The sums are done by
    /// the database: a month of a busy chain is millions of trades but far fewer groups.
    pub async fn flow_sums(&self, from: BlockNumber, to: BlockNumber) -> Result<Vec<FlowSum>> {
        let (f, t) = (to_i64(from, "from")?, to_i64(to, "to")?);
        let sql = "SELECT coldkey, kind, netuid, dest_netuid, CAST(SUM(tao) AS BIGINT) AS tao, COUNT(*) AS n FROM trades WHERE block >= $1 AND block <= $2 GROUP BY coldkey, kind, netuid, dest_netuid";
        on_db!(&self.db, pool => {
            let rows = sqlx::query(sql).bind(f).bind(t).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let coldkey = Some(account_bytes(&get_bytes(row, "coldkey")?, "trades")?);
                out.push(FlowSum {
                    coldkey,
                    kind: get_str(row, "kind")?.parse().map_err(|e: String| bad("trades", e))?,
                    netuid: netuid_of(get_i64(row, "netuid")?, "trades")?,
                    dest_netuid: get_opt_i64(row, "dest_netuid")?
                        .map(|d| netuid_of(d, "trades"))
                        .transpose()?,
                    tao: to_u64(get_i64(row, "tao")?, "trades")?,
                    trades: to_u64(get_i64(row, "n")?, "trades")?,
                });
            }
            Ok(out)
        })
    }
}
