//! `taoplex node`: run the localnet — block production, persistence and the JSON-RPC server.
//!
//! Raw arguments ([`NodeArgs`]) are validated into a [`NodeSetup`] (genesis resolved, block
//! time parsed), then the node is started, optionally fast-forwarded, and served until Ctrl-C
//! or SIGTERM. The first line on stdout says where the RPC listens, so scripts (and the
//! end-to-end tests) can start it on port 0 and read the port.

use std::io::IsTerminal as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use chain::SystemClock;
use clap::Args;
use localnet::genesis::{Genesis, GenesisOptions};
use localnet::node::{BlockProduction, DEFAULT_BLOCK_TIME, Node, NodeConfig};
use localnet::rpc::{RpcConfig, RpcServer};

/// Arguments of `taoplex node` (and `taoplex up`).
#[derive(Debug, Clone, Args)]
pub(crate) struct NodeArgs {
    /// Where the chain is stored [default: <user data dir>/taoplex/localnet].
    #[arg(long, env = "TAOPLEX_DATA_DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// Block time: a duration (`12s`, `250ms`, `1m`), `instant` (a block as soon as a
    /// transaction arrives) or `manual` (only on taoplex_fastForward).
    #[arg(long, default_value = "12s", value_parser = parse_block_time)]
    pub(crate) block_time: BlockTime,
    /// Address of the JSON-RPC server (WebSocket and HTTP); port 0 picks a free port.
    #[arg(long, default_value = localnet::rpc::DEFAULT_RPC_ADDR)]
    pub(crate) rpc_addr: SocketAddr,
    /// Start from this genesis file (JSON) instead of generating one from the seed.
    #[arg(long)]
    pub(crate) genesis: Option<PathBuf>,
    /// Seed of the generated genesis and the simulation [default: 42].
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Market simulation intensity (1.0 = normal; 0 < x ≤ 100).
    #[arg(long, default_value_t = 1.0, value_parser = parse_intensity)]
    pub(crate) sim_intensity: f64,
    /// Run without the market simulation.
    #[arg(long)]
    pub(crate) no_sim: bool,
    /// Blocks finality trails the head by [default: the genesis parameter].
    #[arg(long)]
    pub(crate) finality_depth: Option<u64>,
    /// Produce this many blocks as fast as possible before serving.
    #[arg(long, default_value_t = 0)]
    pub(crate) fast_forward: u64,
}

/// How blocks are produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockTime {
    /// Every interval.
    Every(Duration),
    /// As soon as a transaction arrives.
    Instant,
    /// Only when asked.
    Manual,
}

fn parse_block_time(s: &str) -> Result<BlockTime, String> {
    let s = s.trim();
    match s {
        "instant" => return Ok(BlockTime::Instant),
        "manual" => return Ok(BlockTime::Manual),
        _ => {}
    }
    let (digits, unit_ms) = if let Some(d) = s.strip_suffix("ms") {
        (d, 1)
    } else if let Some(d) = s.strip_suffix('s') {
        (d, 1_000)
    } else if let Some(d) = s.strip_suffix('m') {
        (d, 60_000)
    } else {
        return Err(format!(
            "{s:?} is not a block time: give a duration like 12s, 250ms or 1m, or instant, or manual"
        ));
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a block time: the number must be a whole number"))?;
    let ms = n.checked_mul(unit_ms).ok_or_else(|| format!("{s:?} is too long"))?;
    if ms == 0 {
        return Err("the block time must be at least 1ms (or use instant)".into());
    }
    Ok(BlockTime::Every(Duration::from_millis(ms)))
}

fn parse_intensity(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if !(x > 0.0 && x <= 100.0) {
        return Err(format!("the simulation intensity must be in (0, 100], not {s}"));
    }
    Ok(x)
}

/// Validated settings.
pub(crate) struct NodeSetup {
    genesis: Genesis,
    config: NodeConfig,
    rpc: RpcConfig,
    fast_forward: u64,
}

/// The default data directory.
pub(crate) fn default_data_dir() -> anyhow::Result<PathBuf> {
    let base = dirs::data_dir()
        .context("cannot find the user data directory (no HOME?); give one with --data-dir")?;
    Ok(base.join("taoplex").join("localnet"))
}

/// What `taoplex up` adds to a freshly generated genesis (the Dojo subnet); not applied to a
/// genesis file or to a chain already in the data directory.
pub(crate) type GenesisExtension = fn(&mut Genesis) -> anyhow::Result<()>;

fn resolve_genesis(
    args: &NodeArgs,
    data_dir: &std::path::Path,
    extension: Option<GenesisExtension>,
) -> anyhow::Result<Genesis> {
    let stored = Node::stored_genesis(data_dir)
        .with_context(|| format!("cannot read the chain in {}", data_dir.display()))?;
    if let Some(path) = &args.genesis {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the genesis file {}", path.display()))?;
        let genesis: Genesis = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a genesis file", path.display()))?;
        return Ok(genesis);
    }
    if let Some(stored) = stored {
        if let Some(seed) = args.seed
            && seed != stored.seed
        {
            bail!(
                "{} holds a chain generated from seed {}, not {seed}; drop --seed to resume it, or use another --data-dir",
                data_dir.display(),
                stored.seed
            );
        }
        return Ok(stored);
    }
    let options = GenesisOptions {
        seed: args.seed.unwrap_or_else(|| GenesisOptions::default().seed),
        ..GenesisOptions::default()
    };
    tracing::info!(seed = options.seed, "generating the genesis");
    let mut genesis = localnet::genesis::generate(&options);
    if let Some(extend) = extension {
        extend(&mut genesis)?;
    }
    Ok(genesis)
}

impl NodeSetup {
    pub(crate) fn from_args(
        args: &NodeArgs,
        extension: Option<GenesisExtension>,
    ) -> anyhow::Result<Self> {
        let data_dir = data_dir_of(args)?;
        let genesis = resolve_genesis(args, &data_dir, extension)?;
        let (production, block_time) = match args.block_time {
            BlockTime::Every(d) => (BlockProduction::Interval, d),
            BlockTime::Instant => (BlockProduction::Instant, DEFAULT_BLOCK_TIME),
            BlockTime::Manual => (BlockProduction::Manual, DEFAULT_BLOCK_TIME),
        };
        let tx_source: Option<Box<dyn localnet::node::TxSource>> = if args.no_sim {
            None
        } else {
            Some(Box::new(localnet::sim::Simulation::new(&genesis, args.sim_intensity)))
        };
        let config = NodeConfig {
            production,
            block_time,
            data_dir: Some(data_dir),
            finality_depth: args.finality_depth,
            clock: Arc::new(SystemClock),
            tx_source,
            ..NodeConfig::default()
        };
        let rpc = RpcConfig { addr: args.rpc_addr, ..RpcConfig::default() };
        Ok(Self { genesis, config, rpc, fast_forward: args.fast_forward })
    }
}

pub(crate) fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(log_colours(std::io::stderr().is_terminal(), std::env::var_os("NO_COLOR")))
        .try_init();
}

/// Colours only on a terminal, and not there either when `NO_COLOR` is set and not empty
/// (no-color.org): a log redirected to a file or read by a script stays plain text.
fn log_colours(terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Runs `taoplex node`.
pub(crate) fn run(args: NodeArgs) -> ExitCode {
    init_tracing();
    match tokio_main(serve(args, "taoplex node")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn tokio_main<T>(
    f: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(f)
}

/// A started node with its RPC server.
pub(crate) struct RunningNode {
    pub(crate) node: Node,
    server: RpcServer,
    pub(crate) data_dir: PathBuf,
    /// The chain was created by this start (the data directory held none).
    pub(crate) fresh: bool,
}

impl RunningNode {
    /// Stops the RPC server, then the node (which flushes its log).
    pub(crate) async fn stop(self) {
        self.server.shutdown().await;
        self.node.shutdown().await;
    }
}

/// Starts the node (fast-forwarding if asked) and its RPC server, and prints where it listens
/// as the first line on stdout.
///
/// A fresh data directory first gets `history` blocks of simulated history (ending now), with
/// a progress bar; `--fast-forward` blocks come on top, on any data directory.
pub(crate) async fn start(
    args: NodeArgs,
    what: &str,
    extension: Option<GenesisExtension>,
    history: u64,
    older: OlderChain,
) -> anyhow::Result<RunningNode> {
    let (node, data_dir, fresh, history, fast_forward, rpc) =
        match open(&args, extension, history).await {
            Err(e) if older == OlderChain::SetAside && from_an_older_localnet(&e) => {
                let (data_dir, aside) = set_aside(&args)?;
                let _ = writeln!(
                    std::io::stderr(),
                    "{what}: the chain in {} was written by an older localnet ({e:#}); moved it \
                     to {} (nothing deleted) and starting a new one",
                    data_dir.display(),
                    aside.display()
                );
                open(&args, extension, history).await?
            }
            other => other?,
        };
    let blocks = history.saturating_add(fast_forward);
    if blocks > 0 {
        let what = if history > 0 { "simulating history" } else { "fast-forwarding" };
        tracing::info!(blocks, "{what}");
        let started = std::time::Instant::now();
        let head = with_progress(&node, blocks, what).await.context("fast-forward failed")?;
        let secs = started.elapsed().as_secs_f64();
        tracing::info!(
            head = head.number,
            blocks_per_second = (blocks as f64 / secs.max(1e-9)).round(),
            "{what}: done in {secs:.1} s"
        );
    }
    let server = match RpcServer::start(node.handle(), rpc.clone()).await {
        Ok(s) => s,
        Err(e) => {
            node.shutdown().await;
            bail!("cannot listen on {}: {e}; is another node running? use --rpc-addr", rpc.addr);
        }
    };
    let head = node.head();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{what}: JSON-RPC on {} (HTTP POST on {}), chain {:?} at block {}, data in {}",
        server.ws_url(),
        server.http_url(),
        node.info().name,
        head.number,
        data_dir.display()
    );
    let _ = out.flush();
    drop(out);
    Ok(RunningNode { node, server, data_dir, fresh })
}

/// What to do with a data directory whose chain an older localnet wrote (another block-hash
/// scheme or state root, so its log no longer replays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OlderChain {
    /// Refuse, saying so (`taoplex node`: the user chose the directory).
    Refuse,
    /// Move the whole directory aside and start a new chain (`taoplex up`: the embedded default
    /// must come up).
    SetAside,
}

/// The node opened on its data directory: (node, data dir, fresh, history, fast-forward, rpc).
type Opened = (Node, PathBuf, bool, u64, u64, RpcConfig);

async fn open(
    args: &NodeArgs,
    extension: Option<GenesisExtension>,
    history: u64,
) -> anyhow::Result<Opened> {
    let setup = NodeSetup::from_args(args, extension)?;
    let NodeSetup { genesis, mut config, rpc, fast_forward } = setup;
    let data_dir = config.data_dir.clone().unwrap_or_default();
    let fresh = Node::stored_genesis(&data_dir)
        .with_context(|| format!("cannot read the chain in {}", data_dir.display()))?
        .is_none();
    let history = if fresh { history } else { 0 };
    // The indexer reads the history from the node's memory: keep all of it there.
    let produced = usize::try_from(history.saturating_add(fast_forward)).unwrap_or(usize::MAX);
    config.history_blocks = config.history_blocks.max(produced.saturating_add(1_024));
    let node = tokio::task::spawn_blocking(move || Node::start(&genesis, config))
        .await
        .context("the node failed to start")?
        .with_context(|| format!("cannot start the chain in {}", data_dir.display()))?;
    Ok((node, data_dir, fresh, history, fast_forward, rpc))
}

fn from_an_older_localnet(e: &anyhow::Error) -> bool {
    e.downcast_ref::<localnet::node::NodeError>().is_some_and(|e| {
        matches!(
            e,
            localnet::node::NodeError::Incompatible { .. }
                | localnet::node::NodeError::ReplayDiverged { .. }
        )
    })
}

/// The data directory `args` name (`--data-dir`, else the user's default).
fn data_dir_of(args: &NodeArgs) -> anyhow::Result<PathBuf> {
    match &args.data_dir {
        Some(d) => Ok(d.clone()),
        None => default_data_dir(),
    }
}

/// Renames the data directory to `<name>.older-localnet-<unix seconds>` beside it.
fn set_aside(args: &NodeArgs) -> anyhow::Result<(PathBuf, PathBuf)> {
    let data_dir = data_dir_of(args)?;
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut aside = data_dir.clone().into_os_string();
    aside.push(format!(".older-localnet-{secs}"));
    let aside = PathBuf::from(aside);
    std::fs::rename(&data_dir, &aside).with_context(|| {
        format!("cannot move {} aside to {}", data_dir.display(), aside.display())
    })?;
    Ok((data_dir, aside))
}

/// Fast-forwards `blocks` blocks with a progress bar (blocks/s and ETA) on stderr.
async fn with_progress(node: &Node, blocks: u64, what: &str) -> anyhow::Result<chain::Header> {
    let from = node.head().number;
    let bar = progress_bar(blocks, what);
    let ticker = {
        let (bar, handle) = (bar.clone(), node.handle());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(100));
            loop {
                every.tick().await;
                bar.set_position(handle.head().number.saturating_sub(from));
            }
        })
    };
    let head = node.fast_forward(blocks).await;
    ticker.abort();
    bar.finish_and_clear();
    Ok(head?)
}

/// A progress bar on stderr for `total` steps (hidden when stderr is not a terminal).
pub(crate) fn progress_bar(total: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(
        "{msg:20} [{bar:40}] {pos}/{len} blocks  {per_sec}  ETA {eta}",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}

/// Starts the node and its RPC server, and serves until Ctrl-C or SIGTERM.
pub(crate) async fn serve(args: NodeArgs, what: &str) -> anyhow::Result<()> {
    let running = start(args, what, None, 0, OlderChain::Refuse).await?;
    wait_for_signal().await;
    tracing::info!("shutting down");
    running.stop().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn wait_for_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_times_parse() {
        assert_eq!(parse_block_time("12s"), Ok(BlockTime::Every(Duration::from_secs(12))));
        assert_eq!(parse_block_time("250ms"), Ok(BlockTime::Every(Duration::from_millis(250))));
        assert_eq!(parse_block_time("1m"), Ok(BlockTime::Every(Duration::from_secs(60))));
        assert_eq!(parse_block_time("instant"), Ok(BlockTime::Instant));
        assert_eq!(parse_block_time("manual"), Ok(BlockTime::Manual));
        assert!(parse_block_time("0s").is_err());
        assert!(parse_block_time("fast").unwrap_err().contains("12s"));
        assert!(parse_block_time("1.5s").is_err());
    }

    #[test]
    fn logs_are_coloured_only_on_a_terminal_without_no_color() {
        assert!(log_colours(true, None));
        assert!(log_colours(true, Some("".into())), "an empty NO_COLOR does not count");
        assert!(!log_colours(true, Some("1".into())));
        assert!(!log_colours(false, None), "a log file or a pipe gets plain text");
    }

    #[test]
    fn intensities_are_bounded() {
        assert_eq!(parse_intensity("2.5"), Ok(2.5));
        assert!(parse_intensity("0").is_err());
        assert!(parse_intensity("nan").is_err());
    }
}
