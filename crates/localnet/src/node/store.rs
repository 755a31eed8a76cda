//! The data directory: the genesis file, the append-only block log and runtime snapshots.
//!
//! ```text
//! <data-dir>/LOCK                         held (flock) while a node runs
//! <data-dir>/genesis.json                 the genesis the chain started from
//! <data-dir>/blocks.log                   "TPXLOG05", then one record per block
//! <data-dir>/blocks.jsonl                 every block in full (JSON lines), to serve after a restart
//! <data-dir>/snapshots/<number>.snapshot  the runtime after block <number>
//! <data-dir>/snapshots/<number>.sim       the simulation's state after block <number>
//! ```
//!
//! A log record is `len: u32 LE ‖ check: 8 bytes ‖ payload`, where `payload` is the SCALE
//! encoding of [`LogRecord`] (block number, timestamp, transactions, state root, block hash)
//! and `check` the first 8 bytes of its BLAKE2b-256. Records are fsync'd before their block is
//! announced. On open, a record that is cut short or fails its check ends the log: it and
//! anything after it are truncated (a torn write from a crash), with a warning.
//!
//! A snapshot is written to a temporary file, fsync'd and renamed, after the log is synced up
//! to its block; it records the log offset just past its block's record, so a restart reads
//! only the log after it. The two newest snapshots are kept.
//!
//! The block archive holds each block as the node announced it (extrinsics, results, events),
//! synced with the log. It is a cache for serving old blocks after a restart: on open its tail
//! is read back (a torn last line is dropped), and only a run of blocks that links by parent
//! hash down from the recovered chain is used.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chain::{Block, BlockNumber, Hash, SignedTransaction};
use parity_scale_codec::{Decode, Encode};

use super::NodeError;
use crate::genesis::Genesis;

/// Format 5: as format 3 (a transaction records the form it was signed in,
/// [`chain::Envelope`]), with state roots of digest v4 (each subnet hashed apart, stake pools
/// committed in groups).
const LOG_MAGIC: &[u8; 8] = b"TPXLOG05";
/// Logs this taoplex no longer reads: format 1 (transactions without their envelope) and
/// formats 2 to 4 (state roots of digests v1 to v3, which a replay would not reproduce).
const OLDER_LOG_MAGICS: [&[u8; 8]; 4] = [b"TPXLOG01", b"TPXLOG02", b"TPXLOG03", b"TPXLOG04"];
const SNAPSHOT_MAGIC: &[u8; 8] = b"TPXSNAP1";
const RECORD_HEADER: usize = 12;
/// A record larger than this is treated as corrupt (no block is this large).
const MAX_RECORD: usize = 256 << 20;
const SNAPSHOTS_KEPT: usize = 2;
/// How much of the block archive's end a restart reads back.
const ARCHIVE_TAIL_BYTES: u64 = 64 << 20;

/// One block as the log keeps it: enough to produce it again.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub(crate) struct LogRecord {
    pub(crate) number: BlockNumber,
    pub(crate) timestamp_ms: u64,
    pub(crate) txs: Vec<SignedTransaction>,
    pub(crate) state_root: Hash,
    pub(crate) block_hash: Hash,
}

#[derive(Encode, Decode)]
struct SnapshotFile {
    number: BlockNumber,
    state_root: Hash,
    log_offset: u64,
    runtime: Vec<u8>,
}

/// A loaded snapshot.
pub(crate) struct Snapshot {
    pub(crate) number: BlockNumber,
    pub(crate) state_root: Hash,
    pub(crate) log_offset: u64,
    pub(crate) runtime: Vec<u8>,
}

pub(crate) struct Store {
    dir: PathBuf,
    log: File,
    /// Bytes of the log appended (synced or not, written or still in `unwritten`).
    log_len: u64,
    /// Appended records not yet written: a group of blocks goes out in one write at the
    /// next [`Store::sync`] (a crash loses them as it would lose unsynced ones).
    unwritten: Vec<u8>,
    dirty: bool,
    archive: File,
    /// A group's archive lines, joined for one write; kept between groups so that every
    /// write does not grow a fresh buffer (page faults and copies on each doubling).
    archive_buf: Vec<u8>,
    _lock: File,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> NodeError + '_ {
    move |source| NodeError::Io { path: path.to_path_buf(), source }
}

impl Store {
    pub(crate) fn genesis_path(dir: &Path) -> PathBuf {
        dir.join("genesis.json")
    }

    /// The genesis stored in `dir`, if any.
    pub(crate) fn stored_genesis(dir: &Path) -> Result<Option<Genesis>, NodeError> {
        let path = Self::genesis_path(dir);
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| NodeError::Corrupt {
                path,
                what: format!("the genesis file does not parse: {e}"),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(NodeError::Io { path, source: e }),
        }
    }

    /// Opens (or creates) the data directory for `genesis`: takes the lock, writes or checks
    /// the genesis file, opens the log (truncating a torn tail).
    pub(crate) fn open(dir: &Path, genesis: &Genesis) -> Result<Self, NodeError> {
        create_private_dir(dir).map_err(io_err(dir))?;
        warn_if_shared(dir);
        fs::create_dir_all(dir.join("snapshots")).map_err(io_err(dir))?;
        let lock_path = dir.join("LOCK");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_err(&lock_path))?;
        if let Err(e) = lock.try_lock() {
            return match e {
                fs::TryLockError::WouldBlock => Err(NodeError::Locked { dir: dir.to_path_buf() }),
                fs::TryLockError::Error(source) => Err(NodeError::Io { path: lock_path, source }),
            };
        }
        match Self::stored_genesis(dir)? {
            Some(stored) if stored != *genesis => {
                return Err(NodeError::GenesisMismatch { dir: dir.to_path_buf() });
            }
            Some(_) => {}
            None => {
                let path = Self::genesis_path(dir);
                let json = serde_json::to_vec_pretty(genesis).map_err(|e| NodeError::Corrupt {
                    path: path.clone(),
                    what: format!("cannot encode the genesis: {e}"),
                })?;
                write_atomically(&path, &json)?;
            }
        }
        let log_path = dir.join("blocks.log");
        let mut log = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&log_path)
            .map_err(io_err(&log_path))?;
        let len = log.metadata().map_err(io_err(&log_path))?.len();
        if len < LOG_MAGIC.len() as u64 {
            // New (or torn before its header was complete): start it.
            log.set_len(0).map_err(io_err(&log_path))?;
            log.write_all(LOG_MAGIC).map_err(io_err(&log_path))?;
            log.sync_all().map_err(io_err(&log_path))?;
            sync_dir(dir)?;
        } else {
            let mut magic = [0u8; 8];
            log.seek(SeekFrom::Start(0)).map_err(io_err(&log_path))?;
            log.read_exact(&mut magic).map_err(io_err(&log_path))?;
            if OLDER_LOG_MAGICS.contains(&&magic) {
                return Err(NodeError::Incompatible {
                    path: log_path,
                    what: format!(
                        "a block log of format {} (this taoplex writes format 5: its \
                         transactions record how they were signed and its state roots \
                         commit to each subnet and stake pool apart from the rest)",
                        String::from_utf8_lossy(&magic[6..])
                    ),
                });
            }
            if &magic != LOG_MAGIC {
                return Err(NodeError::Corrupt {
                    path: log_path,
                    what: "this is not a taoplex block log".into(),
                });
            }
        }
        let log_len = log.seek(SeekFrom::End(0)).map_err(io_err(&log_path))?;
        let archive_path = dir.join("blocks.jsonl");
        let archive = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&archive_path)
            .map_err(io_err(&archive_path))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            log,
            log_len,
            unwritten: Vec::new(),
            dirty: false,
            archive,
            archive_buf: Vec::new(),
            _lock: lock,
        })
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("blocks.log")
    }

    /// Offset of the first record.
    pub(crate) fn log_start() -> u64 {
        LOG_MAGIC.len() as u64
    }

    /// Reads the records from `offset` on. A torn or corrupt record ends the log: the file is
    /// truncated there. Returns the records with the offset just past each.
    pub(crate) fn read_log_from(
        &mut self,
        offset: u64,
    ) -> Result<Vec<(LogRecord, u64)>, NodeError> {
        let path = self.log_path();
        if offset > self.log_len {
            return Err(NodeError::Corrupt {
                path,
                what: format!("the log ends at byte {} before offset {offset}", self.log_len),
            });
        }
        let mut bytes = Vec::new();
        self.log.seek(SeekFrom::Start(offset)).map_err(io_err(&path))?;
        (&self.log).read_to_end(&mut bytes).map_err(io_err(&path))?;
        let mut records = Vec::new();
        let mut pos = 0usize;
        let mut torn = None;
        while pos < bytes.len() {
            match parse_record(&bytes[pos..]) {
                Some((record, used)) => {
                    pos += used;
                    records.push((record, offset + pos as u64));
                }
                None => {
                    torn = Some(bytes.len() - pos);
                    break;
                }
            }
        }
        if let Some(discarded) = torn {
            let keep = offset + pos as u64;
            tracing::warn!(
                log = %path.display(),
                discarded_bytes = discarded,
                "the block log ends in a torn or corrupt record (an interrupted write); truncating it"
            );
            self.log.set_len(keep).map_err(io_err(&path))?;
            self.log.sync_all().map_err(io_err(&path))?;
            self.log_len = keep;
        }
        self.log.seek(SeekFrom::End(0)).map_err(io_err(&path))?;
        Ok(records)
    }

    /// Appends a record (written and synced by the next [`Store::sync`]); returns the offset
    /// just past it.
    pub(crate) fn append(&mut self, record: &LogRecord) -> Result<u64, NodeError> {
        let payload = record.encode();
        let len = u32::try_from(payload.len()).map_err(|_| NodeError::Corrupt {
            path: self.log_path(),
            what: format!("block {} is too large to log", record.number),
        })?;
        self.unwritten.extend_from_slice(&len.to_le_bytes());
        self.unwritten.extend_from_slice(&Hash::of(&payload).0[..8]);
        self.unwritten.extend_from_slice(&payload);
        self.log_len += (RECORD_HEADER + payload.len()) as u64;
        self.dirty = true;
        Ok(self.log_len)
    }

    /// Makes every appended record (and archived block) durable.
    pub(crate) fn sync(&mut self) -> Result<(), NodeError> {
        if self.dirty {
            let path = self.log_path();
            self.log.write_all(&self.unwritten).map_err(io_err(&path))?;
            self.unwritten.clear();
            self.log.sync_data().map_err(io_err(&path))?;
            let path = self.archive_path();
            self.archive.sync_data().map_err(io_err(&path))?;
            self.dirty = false;
        }
        Ok(())
    }

    fn archive_path(&self) -> PathBuf {
        self.dir.join("blocks.jsonl")
    }

    /// Appends blocks' [`archive_line`]s to the archive (synced by [`Store::sync`]).
    pub(crate) fn archive<'a>(
        &mut self,
        lines: impl Iterator<Item = &'a Result<Vec<u8>, String>>,
    ) -> Result<(), NodeError> {
        let mut buf = std::mem::take(&mut self.archive_buf);
        buf.clear();
        for line in lines {
            let line = line.as_ref().map_err(|what| NodeError::Corrupt {
                path: self.archive_path(),
                what: what.clone(),
            })?;
            buf.extend_from_slice(line);
        }
        let path = self.archive_path();
        let written = self.archive.write_all(&buf).map_err(io_err(&path));
        self.archive_buf = buf;
        written?;
        self.dirty = true;
        Ok(())
    }

    /// The archived blocks that end at `head` and link by parent hash, oldest first, at most
    /// `max` of them (read from the archive's last [`ARCHIVE_TAIL_BYTES`]).
    pub(crate) fn archived_chain(&self, head: &Block, max: usize) -> Vec<Block> {
        let path = self.archive_path();
        let Ok(mut f) = File::open(&path) else { return Vec::new() };
        let Ok(len) = f.metadata().map(|m| m.len()) else { return Vec::new() };
        let start = len.saturating_sub(ARCHIVE_TAIL_BYTES);
        let mut bytes = Vec::new();
        if f.seek(SeekFrom::Start(start)).is_err() || f.read_to_end(&mut bytes).is_err() {
            return Vec::new();
        }
        // Skip a partial first line when reading from the middle.
        let body = if start > 0 {
            match bytes.iter().position(|b| *b == b'\n') {
                Some(i) => &bytes[i + 1..],
                None => return Vec::new(),
            }
        } else {
            &bytes[..]
        };
        let mut by_number = std::collections::BTreeMap::new();
        for line in body.split(|b| *b == b'\n') {
            // A torn or damaged line (from a crash) is skipped; later lines win.
            if let Ok(b) = serde_json::from_slice::<Block>(line) {
                by_number.insert(b.header.number, b);
            }
        }
        let mut out = Vec::new();
        let mut parent = head.header.parent_hash;
        let mut number = head.header.number;
        while out.len() < max && number > 0 {
            number -= 1;
            match by_number.remove(&number) {
                Some(b) if b.header.hash == parent => {
                    parent = b.header.parent_hash;
                    out.push(b);
                }
                _ => break,
            }
        }
        out.reverse();
        out
    }

    /// Writes a snapshot of the runtime after block `number` (the log must be synced past it),
    /// and the transaction source's state then, if it has one (first, so that a snapshot is
    /// never without it).
    pub(crate) fn write_snapshot(
        &mut self,
        number: BlockNumber,
        state_root: Hash,
        log_offset: u64,
        runtime: Vec<u8>,
        source: Option<Vec<u8>>,
    ) -> Result<(), NodeError> {
        self.sync()?;
        if let Some(state) = source {
            let mut bytes = Vec::with_capacity(state.len() + 32);
            bytes.extend_from_slice(&Hash::of(&state).0);
            bytes.extend_from_slice(&state);
            write_atomically(&self.source_state_path(number), &bytes)?;
        }
        let body = SnapshotFile { number, state_root, log_offset, runtime }.encode();
        let mut bytes = Vec::with_capacity(body.len() + 40);
        bytes.extend_from_slice(SNAPSHOT_MAGIC);
        bytes.extend_from_slice(&Hash::of(&body).0);
        bytes.extend_from_slice(&body);
        let path = self.dir.join("snapshots").join(format!("{number:012}.snapshot"));
        write_atomically(&path, &bytes)?;
        // Keep the newest few.
        let mut all = self.snapshot_paths()?;
        while all.len() > SNAPSHOTS_KEPT {
            let old = all.remove(0);
            let _ = fs::remove_file(&old.1);
            let _ = fs::remove_file(self.source_state_path(old.0));
        }
        Ok(())
    }

    fn source_state_path(&self, number: BlockNumber) -> PathBuf {
        self.dir.join("snapshots").join(format!("{number:012}.sim"))
    }

    /// The transaction source's state saved with the snapshot of block `number` (none if it
    /// was not saved or is damaged).
    pub(crate) fn source_state(&self, number: BlockNumber) -> Option<Vec<u8>> {
        let bytes = fs::read(self.source_state_path(number)).ok()?;
        let (check, state) = bytes.split_at_checked(32)?;
        (Hash::of(state).0 == check).then(|| state.to_vec())
    }

    /// Snapshot files, oldest first.
    fn snapshot_paths(&self) -> Result<Vec<(BlockNumber, PathBuf)>, NodeError> {
        let dir = self.dir.join("snapshots");
        let mut out = Vec::new();
        for entry in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let entry = entry.map_err(io_err(&dir))?;
            let name = entry.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".snapshot")) else {
                continue;
            };
            if let Ok(n) = stem.parse::<BlockNumber>() {
                out.push((n, entry.path()));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Valid snapshots, newest first (corrupt ones are skipped with a warning).
    pub(crate) fn snapshots(&self) -> Result<Vec<Snapshot>, NodeError> {
        let mut out = Vec::new();
        for (_, path) in self.snapshot_paths()?.into_iter().rev() {
            match read_snapshot(&path) {
                Some(s) => out.push(s),
                None => tracing::warn!(snapshot = %path.display(), "skipping a corrupt snapshot"),
            }
        }
        Ok(out)
    }
}

fn read_snapshot(path: &Path) -> Option<Snapshot> {
    let bytes = fs::read(path).ok()?;
    let rest = bytes.strip_prefix(SNAPSHOT_MAGIC)?;
    let (check, body) = rest.split_at_checked(32)?;
    if Hash::of(body).0 != check {
        return None;
    }
    let f = SnapshotFile::decode(&mut &body[..]).ok()?;
    Some(Snapshot {
        number: f.number,
        state_root: f.state_root,
        log_offset: f.log_offset,
        runtime: f.runtime,
    })
}

fn parse_record(bytes: &[u8]) -> Option<(LogRecord, usize)> {
    let header = bytes.get(..RECORD_HEADER)?;
    let len = u32::from_le_bytes(header.get(..4)?.try_into().ok()?) as usize;
    if len > MAX_RECORD {
        return None;
    }
    let payload = bytes.get(RECORD_HEADER..RECORD_HEADER.checked_add(len)?)?;
    if Hash::of(payload).0[..8] != header[4..12] {
        return None;
    }
    let mut input = payload;
    let record = LogRecord::decode(&mut input).ok()?;
    if !input.is_empty() {
        return None;
    }
    Some((record, RECORD_HEADER + len))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), NodeError> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(io_err(&tmp))?;
    f.write_all(bytes).map_err(io_err(&tmp))?;
    f.sync_all().map_err(io_err(&tmp))?;
    fs::rename(&tmp, path).map_err(io_err(path))?;
    if let Some(parent) = path.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// A block as the archive holds it: one line of JSON.
pub(crate) fn archive_line(block: &Block) -> Result<Vec<u8>, String> {
    let mut line = serde_json::to_vec(block)
        .map_err(|e| format!("cannot encode block {}: {e}", block.header.number))?;
    line.push(b'\n');
    Ok(line)
}

fn sync_dir(dir: &Path) -> Result<(), NodeError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_err(dir))
}

/// Creates `dir` readable by its owner only, as `mkdir -p -m 0700` does (missing parents get
/// the usual mode): a data directory holds, beside the chain, what `up` runs on it (the worker
/// platforms' accounts and sessions, the bot's state). A directory that exists already keeps
/// its permissions: it was chosen.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        done => done,
    }
}

/// Warns when others may read the data directory (one made before directories were created
/// owner-only, or chosen so): it is left as it is, but the person should know.
fn warn_if_shared(dir: &Path) {
    #[cfg(unix)]
    if let Ok(meta) = fs::metadata(dir) {
        let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                dir = %dir.display(),
                mode = format_args!("{mode:o}"),
                "the data directory is open to other users; under `taoplex up` it also holds \
                 the worker platforms' accounts and the bot's state: `chmod 700` it"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: u64) -> LogRecord {
        LogRecord {
            number: n,
            timestamp_ms: n * 12_000,
            txs: vec![],
            state_root: Hash::of(&n.to_le_bytes()),
            block_hash: Hash::of(b"b"),
        }
    }

    fn genesis() -> Genesis {
        Genesis {
            chain_name: "t".into(),
            seed: 1,
            spec_version: 1,
            start_block: 0,
            timestamp_ms: 0,
            params: crate::genesis::ChainParams::default(),
            accounts: vec![],
            root_stakes: vec![],
            subnets: vec![],
            sim_accounts: vec![],
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_new_data_dir_is_the_owners_alone_and_an_existing_one_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt as _;
        let base = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = base.path().join("taoplex").join("localnet");
        drop(Store::open(&dir, &genesis()).unwrap());
        assert_eq!(mode(&dir), 0o700);
        let parent = base.path().join("taoplex");
        let usual = base.path().join("usual");
        fs::create_dir(&usual).unwrap();
        assert_eq!(mode(&parent), mode(&usual), "a created parent gets the usual mode");

        let chosen = base.path().join("shared");
        fs::create_dir(&chosen).unwrap();
        fs::set_permissions(&chosen, fs::Permissions::from_mode(0o750)).unwrap();
        drop(Store::open(&chosen, &genesis()).unwrap());
        assert_eq!(mode(&chosen), 0o750);
    }

    #[test]
    fn a_torn_tail_is_truncated_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let g = genesis();
        {
            let mut s = Store::open(dir.path(), &g).unwrap();
            for n in 1..=3 {
                s.append(&record(n)).unwrap();
            }
            s.sync().unwrap();
        }
        // Cut the last record in half.
        let path = dir.path().join("blocks.log");
        let len = fs::metadata(&path).unwrap().len();
        OpenOptions::new().write(true).open(&path).unwrap().set_len(len - 10).unwrap();
        let mut s = Store::open(dir.path(), &g).unwrap();
        let records = s.read_log_from(Store::log_start()).unwrap();
        assert_eq!(records.iter().map(|r| r.0.number).collect::<Vec<_>>(), vec![1, 2]);
        // Appending continues cleanly after the truncation.
        s.append(&record(3)).unwrap();
        s.sync().unwrap();
        drop(s);
        let mut s = Store::open(dir.path(), &g).unwrap();
        assert_eq!(s.read_log_from(Store::log_start()).unwrap().len(), 3);
    }

    #[test]
    fn a_log_of_an_older_format_is_named_incompatible_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let g = genesis();
        drop(Store::open(dir.path(), &g).unwrap());
        let path = dir.path().join("blocks.log");
        let mut bytes = fs::read(&path).unwrap();
        bytes[..8].copy_from_slice(b"TPXLOG01");
        bytes.extend_from_slice(b"records of format 1");
        fs::write(&path, &bytes).unwrap();
        let refused = Store::open(dir.path(), &g).err().unwrap();
        assert!(
            matches!(&refused, NodeError::Incompatible { what, .. } if what.contains("format 01")),
            "{refused:?}"
        );
        assert_eq!(fs::read(&path).unwrap(), bytes, "nothing truncated");
    }

    #[test]
    fn the_data_dir_is_locked_and_bound_to_its_genesis() {
        let dir = tempfile::tempdir().unwrap();
        let g = genesis();
        let s = Store::open(dir.path(), &g).unwrap();
        assert!(matches!(Store::open(dir.path(), &g), Err(NodeError::Locked { .. })));
        drop(s);
        let other = Genesis { seed: 2, ..g };
        assert!(matches!(Store::open(dir.path(), &other), Err(NodeError::GenesisMismatch { .. })));
    }

    #[test]
    fn snapshots_round_trip_and_corrupt_ones_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path(), &genesis()).unwrap();
        for n in [10, 20, 30] {
            s.write_snapshot(n, Hash::of(b"r"), 99, vec![n as u8; 5], Some(vec![n as u8; 3]))
                .unwrap();
        }
        let snaps = s.snapshots().unwrap();
        assert_eq!(snaps.iter().map(|s| s.number).collect::<Vec<_>>(), vec![30, 20]);
        // The source's state goes with its snapshot, and away with it.
        assert_eq!(s.source_state(30), Some(vec![30; 3]));
        assert_eq!(s.source_state(10), None);
        let newest = dir.path().join("snapshots").join(format!("{:012}.snapshot", 30));
        let mut bytes = fs::read(&newest).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&newest, bytes).unwrap();
        let snaps = s.snapshots().unwrap();
        assert_eq!(snaps.iter().map(|s| s.number).collect::<Vec<_>>(), vec![20]);
        assert_eq!(snaps[0].runtime, vec![20u8; 5]);
    }
}
