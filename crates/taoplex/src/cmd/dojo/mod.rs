//! `taoplex dojo`: the Dojo human-preference subnet's offline tools.
//!
//! - `score FILE [--json]` scores one task's ratings against its ground truth and prints every
//!   miner's value at every step of the formula (a validator's debugging tool).
//! - `export --validator-db DB | --input STORE --format dpo|sft|raw [--out FILE]` writes a
//!   dataset as JSON Lines, from what a validator collected (its database) or from a JSON Lines
//!   ratings store with one completed task per line (`dojo_core::CompletedTask`: the task with its
//!   hidden ground truth and the miners' responses with their workers' results).
//! - `genesis`, `worker-platform`, `miner`, `validator`, `api-key`: the Dojo network (see
//!   `serve.rs` and `net.rs`).
//! - `generate --seed N --count K [--out DIR]` generates tasks procedurally, offline.
//! - `simulate --input TASKS --miners M [--out FILE]` rates generated tasks with simulated
//!   miners (noisier and noisier) into a ratings store, to try `score` and `export` on.
//!
//! Malformed input exits with 2 and names the offending field; runtime failures exit with 1.

pub(crate) mod localnet;
mod net;
mod serve;
pub(crate) mod up;

pub(crate) use serve::{ApiKeyCommand, MinerArgs, ValidatorArgs};

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use dojo_core::export::{ExportFormat, ExportOptions, export_jsonl};
use dojo_core::scoring::{TaskScores, score_task};
use dojo_core::simulate::SimulatedMiner;
use dojo_core::{GroundTruth, Task, TaskShape};
use dojo_gen::ProceduralGenerator;
use serde_json::{Value, json};

/// `taoplex dojo` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum DojoCommand {
    /// Serve the worker platform where a miner's team of humans rates tasks. Its state (accounts,
    /// tasks, results) persists in SQLite, or PostgreSQL by URL.
    WorkerPlatform {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        addr: std::net::SocketAddr,
        /// Database: a SQLite file path, `postgres://…`, or `:memory:` [default: <user data
        /// dir>/taoplex/dojo/platform.sqlite].
        #[arg(long, env = "TAOPLEX_PLATFORM_DB")]
        db: Option<String>,
        /// The miner organisation's account (created, with a password shown once, if missing).
        #[arg(long, default_value = "demo-miner")]
        organisation: String,
        /// File holding the organisation's API key for its miner: read if it exists, otherwise
        /// a key is issued and written there (mode 0600).
        #[arg(long)]
        api_key_file: Option<PathBuf>,
        /// Generated demo tasks to load (not for a platform fed by a miner).
        #[arg(long, default_value_t = 20)]
        tasks: u64,
        /// Seed of the generated tasks.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Invite keys to issue now.
        #[arg(long, default_value_t = 5)]
        invites: u32,
    },
    /// Run a Dojo miner: serve the axon, forward the validators' tasks to the team's worker
    /// platform and return its humans' results.
    Miner(MinerArgs),
    /// Run a Dojo validator: send tasks to miners, score their humans' ratings against the
    /// known-flawed outputs, set weights; serve the status and external task API.
    Validator(ValidatorArgs),
    /// Manage the API keys of the validator's external task API.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
    /// Write a genesis file for a small local chain holding only a Dojo subnet (netuid 1): a
    /// validator and two miners with development keys (`//Dojo//Validator`,
    /// `//Dojo//Miner1`, `//Dojo//Miner2`). Start it with `taoplex node --genesis FILE`.
    Genesis {
        /// Where to write the genesis (JSON).
        #[arg(long)]
        out: PathBuf,
        /// The subnet's tempo: blocks between Yuma epochs.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(2..))]
        tempo: u16,
        /// Seed recorded in the genesis.
        #[arg(long, default_value_t = 52)]
        seed: u64,
    },
    /// Score one task's ratings from a JSON file and show every step of the formula.
    ///
    /// Input: {"ground_truth": {"<output id>": <rank, 0 = best; equal ranks tie>, ...},
    /// "ratings": {"<miner hotkey>": {"<output id>": <score>, ...}, ...}}
    Score {
        /// The JSON file.
        file: PathBuf,
        /// Print {"scores": {...}, "steps": {...}} as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Export rated tasks as a JSON Lines dataset that Hugging Face `datasets` loads as is.
    Export {
        /// Ratings store: JSON Lines, one completed task (task + miner responses) per line.
        #[arg(long, required_unless_present = "validator_db", conflicts_with = "validator_db")]
        input: Option<PathBuf>,
        /// Export what a validator collected instead: its database (SQLite path or
        /// `postgres://…`, as `dojo validator --db`).
        #[arg(long)]
        validator_db: Option<String>,
        /// Row format.
        #[arg(long, value_enum)]
        format: Format,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// DPO only: minimum gap in mean score (1–100 scale) between chosen and rejected.
        #[arg(long, default_value_t = 10.0)]
        margin: f64,
    },
    /// Generate tasks procedurally (offline, deterministic per seed).
    Generate {
        /// Seed of the first task; task i uses seed + i.
        #[arg(long)]
        seed: u64,
        /// Number of tasks.
        #[arg(long, default_value_t = 1)]
        count: u64,
        /// Directory to write `tasks.jsonl` and one `<task>/<output>.html` per output into
        /// (default: JSON Lines on standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Task shape.
        #[arg(long, value_enum, default_value_t = Shape::TwoPlusTwo)]
        shape: Shape,
    },
    /// Rate tasks (JSON Lines from `generate`) with simulated miners into a ratings store.
    Simulate {
        /// Tasks, one per line (`tasks.jsonl` from `generate`).
        #[arg(long)]
        input: PathBuf,
        /// Number of simulated miners; miner i rates with ±(4·i) points of noise.
        #[arg(long, default_value_t = 4)]
        miners: usize,
        /// Seed of the simulated noise.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Dataset row format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// Preference pairs: prompt, chosen, rejected, scores, rationale.
    Dpo,
    /// Best output per prompt.
    Sft,
    /// Everything, with provenance.
    Raw,
}

/// Task shape.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Shape {
    /// 2 viable and 2 flawed outputs.
    TwoPlusTwo,
    /// Dojo v1: 1 original and 3 flawed outputs of severity 1, 2, 3.
    V1,
}

/// A failure: `Usage` (malformed input, exit 2) or `Runtime` (exit 1).
enum Failure {
    Usage(String),
    Runtime(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Runtime(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Runtime(e.into())
    }
}

/// Runs a `taoplex dojo` subcommand.
pub(crate) fn run(cmd: DojoCommand) -> ExitCode {
    let result: Result<(), Failure> = match cmd {
        DojoCommand::Score { file, json } => score(&file, json),
        DojoCommand::Export { input, validator_db, format, out, margin } => {
            match (input, validator_db) {
                (Some(input), _) => export(&input, format, out.as_deref(), margin),
                (None, Some(db)) => export_validator(&db, format, out.as_deref(), margin),
                (None, None) => Err(Failure::Usage("give --input or --validator-db".into())),
            }
        }
        DojoCommand::Generate { seed, count, out, shape } => {
            generate(seed, count, out.as_deref(), shape)
        }
        DojoCommand::Simulate { input, miners, seed, out } => {
            simulate(&input, miners, seed, out.as_deref())
        }
        DojoCommand::Genesis { out, tempo, seed } => write_genesis(&out, tempo, seed),
        DojoCommand::WorkerPlatform {
            addr,
            db,
            organisation,
            api_key_file,
            tasks,
            seed,
            invites,
        } => db_config(db.as_deref(), "platform.sqlite").map_err(Failure::Runtime).and_then(|db| {
            serve::worker_platform(net::PlatformOptions {
                addr,
                db,
                organisation,
                api_key_file,
                invites,
                demo_tasks: tasks,
                seed,
            })
        }),
        DojoCommand::Miner(args) => serve::miner(args),
        DojoCommand::Validator(args) => serve::validator(args),
        DojoCommand::ApiKey(cmd) => serve::api_key(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            let _ = writeln!(std::io::stderr(), "error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

type Ratings = BTreeMap<String, BTreeMap<String, f64>>;

/// Parses and validates a score file, naming the offending field on error.
fn parse_score_file(path: &Path, text: &str) -> Result<(GroundTruth, Ratings), String> {
    let p = path.display();
    let v: Value = serde_json::from_str(text).map_err(|e| format!("{p}: not valid JSON ({e})"))?;
    let Value::Object(top) = v else {
        return Err(format!(
            "{p}: expected an object with fields `ground_truth` and `ratings`, got {}",
            describe(&v)
        ));
    };
    if let Some(k) = top.keys().find(|k| *k != "ground_truth" && *k != "ratings") {
        return Err(format!("{p}: unknown field `{k}` (expected `ground_truth` and `ratings`)"));
    }
    let gt_v =
        top.get("ground_truth").ok_or_else(|| format!("{p}: missing field `ground_truth`"))?;
    let Value::Object(gt_map) = gt_v else {
        return Err(format!(
            "{p}: field `ground_truth` must be an object of output id → rank, got {}",
            describe(gt_v)
        ));
    };
    let mut ranks = BTreeMap::new();
    for (id, r) in gt_map {
        let rank = r.as_u64().and_then(|r| u32::try_from(r).ok()).ok_or_else(|| {
            format!(
                "{p}: field `ground_truth.{id}` must be a rank (an integer ≥ 0, 0 = best), got {}",
                describe(r)
            )
        })?;
        ranks.insert(id.clone(), rank);
    }
    let gt = GroundTruth::new(ranks).map_err(|e| format!("{p}: field `ground_truth`: {e}"))?;
    let r_v = top.get("ratings").ok_or_else(|| format!("{p}: missing field `ratings`"))?;
    let Value::Object(r_map) = r_v else {
        return Err(format!(
            "{p}: field `ratings` must be an object of miner hotkey → ratings, got {}",
            describe(r_v)
        ));
    };
    let mut ratings = BTreeMap::new();
    for (hk, m) in r_map {
        let Value::Object(scores) = m else {
            return Err(format!(
                "{p}: field `ratings.{hk}` must be an object of output id → score, got {}",
                describe(m)
            ));
        };
        let mut row = BTreeMap::new();
        for (id, s) in scores {
            let x = s.as_f64().ok_or_else(|| {
                format!("{p}: field `ratings.{hk}.{id}` must be a number, got {}", describe(s))
            })?;
            if !gt.ranks.contains_key(id) {
                return Err(format!(
                    "{p}: field `ratings.{hk}.{id}`: output {id:?} is not in `ground_truth`"
                ));
            }
            row.insert(id.clone(), x);
        }
        ratings.insert(hk.clone(), row);
    }
    Ok((gt, ratings))
}

fn fmt_vec(order: &[String], v: &[f64], prec: usize) -> String {
    order.iter().zip(v).map(|(id, x)| format!("{id}={x:.prec$}")).collect::<Vec<_>>().join("  ")
}

fn print_table(out: &mut impl Write, s: &TaskScores) -> std::io::Result<()> {
    writeln!(
        out,
        "ground truth vector g (best first): {}",
        fmt_vec(&s.order, &s.ground_truth_vector, 4)
    )?;
    for (hk, m) in &s.miners {
        writeln!(out, "\nminer {hk}")?;
        writeln!(out, "  1. raw ratings            {}", fmt_vec(&s.order, &m.raw, 2))?;
        writeln!(out, "  2. min-max normalised     {}", fmt_vec(&s.order, &m.normalised, 4))?;
        writeln!(out, "  3. cosine with g          {:.6}", m.cosine)?;
        writeln!(out, "  4. (c+1)/2, L1-normalised {:.6}", m.normalised_cosine)?;
        writeln!(out, "  5. cubic 0.006(n-7)^3+2   {:.6}", m.cubic)?;
        writeln!(out, "  6. score (min-max, L1)    {:.6}", m.score)?;
    }
    for (hk, why) in &s.excluded {
        writeln!(out, "\nminer {hk}: excluded ({why})")?;
    }
    writeln!(out, "\nscores:")?;
    for (hk, m) in &s.miners {
        writeln!(out, "  {hk}  {:.6}", m.score)?;
    }
    Ok(())
}

fn score(path: &Path, as_json: bool) -> Result<(), Failure> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let (gt, ratings) = parse_score_file(path, &text).map_err(Failure::Usage)?;
    let s = score_task(&gt, &ratings)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    let mut out = std::io::stdout().lock();
    if as_json {
        let v = json!({
            "scores": s.scores(),
            "steps": {
                "order": s.order,
                "ground_truth_vector": s.ground_truth_vector,
                "miners": s.miners,
                "excluded": s.excluded.iter().map(|(k, v)| (k.clone(), v.to_string())).collect::<BTreeMap<_, _>>(),
            }
        });
        serde_json::to_writer_pretty(&mut out, &v).context("writing JSON")?;
        writeln!(out)?;
    } else {
        print_table(&mut out, &s)?;
    }
    Ok(())
}

fn export(input: &Path, format: Format, out: Option<&Path>, margin: f64) -> Result<(), Failure> {
    let file = File::open(input)
        .with_context(|| format!("opening the ratings store {}", input.display()))?;
    export_from(BufReader::new(file), &input.display().to_string(), format, out, margin)
}

/// Exports every task a validator scored or completed, read from its database.
fn export_validator(
    db: &str,
    format: Format,
    out: Option<&Path>,
    margin: f64,
) -> Result<(), Failure> {
    let config = dojo_db::DbConfig::parse(db);
    if let dojo_db::DbConfig::Sqlite(path) = &config
        && !path.exists()
    {
        return Err(Failure::Usage(format!("no validator database at {}", path.display())));
    }
    let tasks = crate::cmd::node::tokio_main(async {
        let db =
            dojo_db::Db::open(&config).await.context("cannot open the validator's database")?;
        let store = dojo_validator::ValidatorStore::open(db)
            .await
            .context("cannot read the validator's database")?;
        store.completed_tasks(0).await.context("reading the collected tasks")
    })?;
    let mut lines = Vec::new();
    for task in &tasks {
        serde_json::to_writer(&mut lines, task).context("encoding a task")?;
        lines.push(b'\n');
    }
    export_from(std::io::Cursor::new(lines), db, format, out, margin)
}

fn export_from(
    reader: impl std::io::BufRead,
    source: &str,
    format: Format,
    out: Option<&Path>,
    margin: f64,
) -> Result<(), Failure> {
    let format = match format {
        Format::Dpo => ExportFormat::Dpo,
        Format::Sft => ExportFormat::Sft,
        Format::Raw => ExportFormat::Raw,
    };
    let opts = ExportOptions { margin, ..ExportOptions::default() };
    let result = match out {
        Some(p) => {
            let f = File::create(p).with_context(|| format!("creating {}", p.display()))?;
            export_jsonl(reader, format, &opts, BufWriter::new(f))
        }
        None => export_jsonl(reader, format, &opts, BufWriter::new(std::io::stdout().lock())),
    };
    match result {
        Ok(stats) => {
            let _ = writeln!(
                std::io::stderr(),
                "exported {} rows from {} tasks",
                stats.rows,
                stats.tasks
            );
            Ok(())
        }
        Err(dojo_core::DojoError::Rating(msg)) => Err(Failure::Usage(format!("{source}: {msg}"))),
        Err(e) => Err(Failure::Runtime(anyhow::Error::new(e).context("exporting"))),
    }
}

fn generate(seed: u64, count: u64, out: Option<&Path>, shape: Shape) -> Result<(), Failure> {
    let g = ProceduralGenerator {
        shape: match shape {
            Shape::TwoPlusTwo => TaskShape::TwoViableTwoFlawed,
            Shape::V1 => TaskShape::OneOriginalThreeFlawed,
        },
        category: None,
    };
    let mut lines: Box<dyn Write> = match out {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            let p = dir.join("tasks.jsonl");
            Box::new(BufWriter::new(
                File::create(&p).with_context(|| format!("creating {}", p.display()))?,
            ))
        }
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    for i in 0..count {
        let s = seed
            .checked_add(i)
            .ok_or_else(|| Failure::Usage("--seed + --count overflows u64".into()))?;
        let task = g.generate(s).with_context(|| format!("generating the task of seed {s}"))?;
        serde_json::to_writer(&mut lines, &task).context("writing the task")?;
        writeln!(lines)?;
        if let Some(dir) = out {
            let tdir = dir.join(&task.id);
            std::fs::create_dir_all(&tdir)
                .with_context(|| format!("creating {}", tdir.display()))?;
            for o in &task.outputs {
                let p = tdir.join(format!("{}.html", o.id));
                std::fs::write(&p, &o.content)
                    .with_context(|| format!("writing {}", p.display()))?;
            }
        }
    }
    lines.flush()?;
    if let Some(dir) = out {
        let _ = writeln!(std::io::stderr(), "wrote {count} tasks to {}", dir.display());
    }
    Ok(())
}

fn simulate(input: &Path, miners: usize, seed: u64, out: Option<&Path>) -> Result<(), Failure> {
    use std::io::BufRead;
    let sims: Vec<SimulatedMiner> = (0..miners)
        .map(|i| SimulatedMiner {
            hotkey: format!("5SimMiner{i:03}"),
            noise: 4.0 * i as f64,
            workers: 1 + i % 3,
        })
        .collect();
    let file = File::open(input).with_context(|| format!("opening {}", input.display()))?;
    let mut w: Box<dyn Write> = match out {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let task: Task = serde_json::from_str(&line).map_err(|e| {
            Failure::Usage(format!("{} line {}: not a task: {e}", input.display(), n + 1))
        })?;
        let done =
            dojo_core::simulate::simulate(&task, &sims, seed, 1_700_000_000 + 3600 * n as u64);
        serde_json::to_writer(&mut w, &done).context("writing the ratings store")?;
        writeln!(w)?;
    }
    w.flush()?;
    Ok(())
}

/// Serves the worker platform with a demo organisation, `count` generated tasks and `invites`
/// invite keys, until Ctrl-C.
fn write_genesis(out: &Path, tempo: u16, seed: u64) -> Result<(), Failure> {
    let genesis = localnet::dojo_only_genesis(tempo, seed)?;
    let json = serde_json::to_vec_pretty(&genesis).context("encoding the genesis")?;
    std::fs::write(out, json).with_context(|| format!("cannot write {}", out.display()))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "wrote {}: Dojo on netuid 1 (tempo {tempo}); start it with `taoplex node --genesis {}`",
        out.display(),
        out.display()
    )?;
    Ok(())
}

/// A `--db` value, or `<user data dir>/taoplex/dojo/<default_file>`.
fn db_config(db: Option<&str>, default_file: &str) -> anyhow::Result<dojo_db::DbConfig> {
    match db {
        Some(s) => Ok(dojo_db::DbConfig::parse(s)),
        None => {
            let base = dirs::data_dir()
                .context("cannot find the user data directory (no HOME?); give one with --db")?;
            Ok(dojo_db::DbConfig::Sqlite(base.join("taoplex").join("dojo").join(default_file)))
        }
    }
}

/// 16 random bytes from the OS.
pub(crate) fn rand_bytes() -> [u8; 16] {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<(GroundTruth, Ratings), String> {
        parse_score_file(Path::new("f.json"), s)
    }

    #[test]
    fn malformed_files_name_the_field() {
        let cases = [
            ("[1]", "expected an object"),
            ("{\"ratings\": {}}", "missing field `ground_truth`"),
            ("{\"ground_truth\": {\"a\": 0, \"b\": 1}}", "missing field `ratings`"),
            ("{\"ground_truth\": {\"a\": \"x\", \"b\": 1}, \"ratings\": {}}", "`ground_truth.a`"),
            ("{\"ground_truth\": {\"a\": -1, \"b\": 1}, \"ratings\": {}}", "`ground_truth.a`"),
            (
                "{\"ground_truth\": {\"a\": 0, \"b\": 2}, \"ratings\": {}}",
                "field `ground_truth`: invalid ground truth",
            ),
            (
                "{\"ground_truth\": {\"a\": 0, \"b\": 1}, \"ratings\": {\"m\": {\"a\": \"9\"}}}",
                "`ratings.m.a`",
            ),
            ("{\"ground_truth\": {\"a\": 0, \"b\": 1}, \"ratings\": {\"m\": 3}}", "`ratings.m`"),
            (
                "{\"ground_truth\": {\"a\": 0, \"b\": 1}, \"ratings\": {\"m\": {\"z\": 1}}}",
                "`ratings.m.z`",
            ),
            (
                "{\"ground_truth\": {\"a\": 0, \"b\": 1}, \"ratings\": {}, \"extra\": 1}",
                "unknown field `extra`",
            ),
            ("{\"ground_truth\": ", "not valid JSON"),
        ];
        for (input, needle) in cases {
            let e = parse(input).err().unwrap_or_default();
            assert!(e.contains(needle), "{input}: {e}");
        }
        assert!(
            parse("{\"ground_truth\": {\"a\": 0, \"b\": 1}, \"ratings\": {\"m\": {\"a\": 1}}}")
                .is_ok()
        );
    }
}
