//! `taoplex terminal`: the web terminal on 127.0.0.1:8080 — the market indexer (chain → store)
//! and the axum server over it.
//!
//! The chain is a node's WebSocket JSON-RPC (`--rpc ws://…`, e.g. `taoplex node`) or an
//! in-process localnet (`--rpc embedded`, stored under `<data-dir>/localnet`). The market store
//! is SQLite under `<data-dir>/market` unless `--database-url` points at PostgreSQL. The
//! TAO/USD price comes from `--usd-price` or a polled `--price-feed` URL; without either the $
//! view is disabled.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use chain::Chain;
use chain::{Clock, SystemClock};
use clap::Args;
use market::{FeedConfig, Indexer, IndexerConfig, Market, Store, StoreConfig};
use terminal::{AppState, Config, FixedUsd, NoUsd, RateLimit, UsdFeed, UsdSource};

use super::node::{init_tracing, tokio_main};

/// Arguments of `taoplex terminal`.
#[derive(Debug, Clone, Args)]
pub(crate) struct TerminalArgs {
    /// Address to serve the terminal on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Data directory (market store, embedded localnet) [default: <user data dir>/taoplex].
    #[arg(long, env = "TAOPLEX_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Store market data in PostgreSQL at this URL instead of SQLite in the data directory.
    #[arg(long, env = "TAOPLEX_DATABASE_URL")]
    database_url: Option<String>,
    /// The chain: a node's WebSocket URL, or `embedded` for an in-process localnet.
    #[arg(long, default_value = "ws://127.0.0.1:9944")]
    rpc: String,
    /// A live network instead of the localnet: `finney`, `test` or a Subtensor node's
    /// ws:// / wss:// URL (its market data is kept apart, in `<data-dir>/market-<network>`).
    /// `local`, the default, is the localnet at `--rpc`.
    #[arg(long, env = "TAOPLEX_NETWORK", default_value = "local")]
    network: String,
    /// First block an empty market store indexes: a number, or -N for N blocks before the
    /// finalized head [default: on a live network -7200 (the last day); on the localnet all it
    /// holds]. A store that holds blocks continues where it stopped.
    #[arg(long, value_parser = super::network::parse_from_block, allow_hyphen_values = true)]
    from_block: Option<super::network::FromBlock>,
    /// TAO/USD price to show $ values with (e.g. 412.35).
    #[arg(long, conflicts_with = "price_feed")]
    usd_price: Option<f64>,
    /// An http:// URL answering the TAO/USD price as JSON (a number, or {"usd": …}), polled.
    #[arg(long)]
    price_feed: Option<String>,
    /// Seconds between price feed polls.
    #[arg(long, default_value_t = 60)]
    price_feed_every: u64,
    /// A trade of at least this many TAO is a whale trade.
    #[arg(long, default_value_t = 500)]
    whale_tao: u64,
    /// API requests per second per client IP (0 disables the limit).
    #[arg(long, default_value_t = 20.0)]
    rate_limit: f64,
    /// Index what the chain holds before serving the first page (`up` on a new history).
    #[arg(skip)]
    pub(crate) index_first: bool,
}

/// Runs `taoplex terminal`.
pub(crate) fn run(args: TerminalArgs) -> ExitCode {
    init_tracing();
    match tokio_main(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn data_dir(args: &TerminalArgs) -> anyhow::Result<PathBuf> {
    match &args.data_dir {
        Some(d) => Ok(d.clone()),
        None => Ok(dirs::data_dir()
            .context("cannot find the user data directory (no HOME?); give one with --data-dir")?
            .join("taoplex")),
    }
}

/// The embedded localnet, kept alive while the terminal runs.
struct Embedded(localnet::node::Node);

async fn connect(
    args: &TerminalArgs,
    dir: &std::path::Path,
) -> anyhow::Result<(Arc<dyn Chain>, Option<Embedded>)> {
    if !args.is_local() {
        // Reads and prepared transactions only: the terminal never holds a key, so there is
        // nothing for it to shield (signed elsewhere, a trade is submitted as signed).
        let network = super::network::NetworkArgs {
            network: args.network.clone(),
            rpc: String::new(),
            no_shield: true,
        };
        return Ok((network.connect().await?, None));
    }
    if args.rpc == "embedded" {
        let node_dir = dir.join("localnet");
        let genesis = match localnet::node::Node::stored_genesis(&node_dir)
            .with_context(|| format!("cannot read the chain in {}", node_dir.display()))?
        {
            Some(g) => g,
            None => localnet::genesis::generate(&localnet::genesis::GenesisOptions::default()),
        };
        let config = localnet::node::NodeConfig {
            data_dir: Some(node_dir.clone()),
            clock: Arc::new(SystemClock),
            tx_source: Some(Box::new(localnet::sim::Simulation::new(&genesis, 1.0))),
            ..localnet::node::NodeConfig::default()
        };
        let node =
            tokio::task::spawn_blocking(move || localnet::node::Node::start(&genesis, config))
                .await
                .context("the embedded localnet failed to start")?
                .with_context(|| {
                    format!("cannot start the embedded localnet in {}", node_dir.display())
                })?;
        let chain: Arc<dyn Chain> = Arc::new(localnet::node::LocalChain::new(node.handle()));
        return Ok((chain, Some(Embedded(node))));
    }
    if !(args.rpc.starts_with("ws://") || args.rpc.starts_with("wss://")) {
        bail!("--rpc {:?} is neither a ws:// URL nor `embedded`", args.rpc);
    }
    let chain = chain::client::RpcChain::connect(args.rpc.clone()).await.with_context(|| {
        format!(
            "cannot reach the node at {}; start one with `taoplex node` or use --rpc embedded",
            args.rpc
        )
    })?;
    Ok((Arc::new(chain), None))
}

async fn serve(args: TerminalArgs) -> anyhow::Result<()> {
    let dir = data_dir(&args)?;
    let (chain, embedded) = connect(&args, &dir).await?;
    let result = run_with(
        &args,
        chain,
        &dir,
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
        None,
    )
    .await;
    if let Some(Embedded(node)) = embedded {
        node.shutdown().await;
    }
    result
}

impl TerminalArgs {
    fn is_local(&self) -> bool {
        matches!(self.network.as_str(), "local" | "localnet")
    }

    /// The chain as the terminal's first line names it.
    fn chain_label(&self) -> &str {
        if self.is_local() { &self.rpc } else { &self.network }
    }

    /// The terminal as `taoplex up` runs it: on `addr`, market data in `<data_dir>/market`.
    pub(crate) fn for_up(
        addr: SocketAddr,
        data_dir: PathBuf,
        database_url: Option<String>,
        usd_price: Option<f64>,
    ) -> Self {
        Self {
            addr,
            data_dir: Some(data_dir),
            database_url,
            rpc: "embedded".into(),
            network: "local".into(),
            from_block: None,
            usd_price,
            price_feed: None,
            price_feed_every: 60,
            whale_tao: 500,
            rate_limit: 20.0,
            index_first: false,
        }
    }
}

/// Indexes `chain` into the market store under `dir` (or PostgreSQL) and serves the terminal
/// until `shutdown` resolves; then stops the indexer and the live stream.
pub(crate) async fn run_with(
    args: &TerminalArgs,
    chain: Arc<dyn Chain>,
    dir: &std::path::Path,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    serving: Option<tokio::sync::oneshot::Sender<()>>,
) -> anyhow::Result<()> {
    if let Some(p) = args.usd_price
        && !(p.is_finite() && p > 0.0)
    {
        bail!("--usd-price must be a positive number, not {p}");
    }
    let store_config = match &args.database_url {
        Some(url) => StoreConfig::Postgres { url: url.clone(), schema: None },
        None => StoreConfig::SqliteDir(dir.join(super::network::market_dir(&args.network))),
    };
    let store = Store::open(&store_config).await.context("cannot open the market store")?;
    let feed = FeedConfig {
        whale_tao: args.whale_tao.saturating_mul(1_000_000_000),
        ..FeedConfig::default()
    };
    let start_block =
        super::network::start_block(args.from_block, !args.is_local(), chain.as_ref()).await?;
    let indexer = Arc::new(Indexer::new(
        chain.clone(),
        store,
        IndexerConfig { start_block, ..IndexerConfig::default() },
    ));
    let market = Arc::new(Market::new(&indexer, chain.clone(), feed));

    let clock = Arc::new(SystemClock);
    let mut feed_task = None;
    let usd: Arc<dyn UsdSource> = if let Some(url) = &args.price_feed {
        let (feed, task) = UsdFeed::spawn(
            url.clone(),
            Duration::from_secs(args.price_feed_every.max(5)),
            clock.clone(),
        );
        feed_task = Some(task);
        feed
    } else if let Some(p) = args.usd_price.and_then(|p| FixedUsd::new(p, clock.now_ms())) {
        Arc::new(p)
    } else {
        Arc::new(NoUsd)
    };
    let config = Config {
        rate_limit: (args.rate_limit > 0.0).then(|| RateLimit {
            per_second: args.rate_limit,
            burst: (args.rate_limit * 5.0).ceil() as u32,
        }),
        network: if args.is_local() { "localnet".into() } else { args.network.clone() },
        ..Config::default()
    };
    let state = AppState::new(market, chain, clock, usd, config);

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let indexer_task = {
        let indexer = indexer.clone();
        tokio::spawn(async move {
            if let Err(e) = indexer.run(stop_rx).await {
                tracing::error!(error = %e, "the market indexer stopped");
            }
        })
    };
    if args.index_first {
        wait_for_index(&indexer).await;
    }
    let live = terminal::spawn_live(state.clone());
    let listener = tokio::net::TcpListener::bind(args.addr).await.with_context(|| {
        format!("cannot listen on {}; is another terminal running? use --addr", args.addr)
    })?;
    let addr = listener.local_addr().context("no local address")?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "taoplex terminal: http://{addr} (chain {}, data in {})",
            args.chain_label(),
            dir.display()
        );
        let _ = out.flush();
    }
    if let Some(serving) = serving {
        let _ = serving.send(());
    }
    terminal::serve(listener, state, shutdown).await.context("the terminal server failed")?;
    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    let _ = indexer_task.await;
    live.shutdown().await;
    if let Some(t) = feed_task {
        t.shutdown().await;
    }
    Ok(())
}

/// Waits, with a progress bar, until the indexer has stored every finalized block.
async fn wait_for_index(indexer: &Indexer) {
    let mut progress = indexer.progress();
    let bar = super::node::progress_bar(0, "indexing");
    loop {
        let p = *progress.borrow_and_update();
        bar.set_length(p.total);
        bar.set_position(p.done);
        if p.following || progress.changed().await.is_err() {
            break;
        }
    }
    bar.finish_and_clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        terminal: TerminalArgs,
    }

    fn args(argv: &[&str]) -> TerminalArgs {
        Cli::try_parse_from(std::iter::once("terminal").chain(argv.iter().copied()))
            .unwrap()
            .terminal
    }

    #[test]
    fn each_network_keeps_its_own_market_store() {
        let dir = |argv: &[&str]| super::super::network::market_dir(&args(argv).network);
        assert_eq!(dir(&[]), "market");
        assert_eq!(dir(&["--network", "local"]), "market");
        assert_eq!(dir(&["--network", "finney"]), "market-finney");
        assert_eq!(dir(&["--network", "wss://node.example:443/ws"]), "market-node.example_443_ws");
        assert_eq!(args(&["--network", "test"]).chain_label(), "test");
        assert_eq!(args(&["--rpc", "embedded"]).chain_label(), "embedded");
    }
}
