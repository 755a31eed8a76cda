//! `taoplex bot`: the Telegram bot — its own market indexer on the chain (a node's JSON-RPC),
//! its store (SQLite under the data directory, or PostgreSQL by URL), its proxy key (encrypted,
//! 0600, created on first start), and long polling of the Bot API.
//!
//! The token comes from `--token-file` or `TELEGRAM_BOT_TOKEN`; `--telegram-api-url` points
//! at a self-hosted Bot API server (the tests' fake). The key's password comes from
//! `TAOPLEX_BOT_KEY_PASSWORD` (or `--key-password-file`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use chain::{Chain, SystemClock};
use clap::Args;
use market::{FeedConfig, Indexer, IndexerConfig, Market, Store, StoreConfig};

use super::node::{init_tracing, tokio_main, wait_for_signal};
use super::submit::ChainArgs;

/// Arguments of `taoplex bot`.
#[derive(Debug, Clone, Args)]
pub(crate) struct BotArgs {
    /// A file holding the bot token from BotFather (instead of `TELEGRAM_BOT_TOKEN`).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// The Bot API server [default: https://api.telegram.org].
    #[arg(long, env = "TAOPLEX_TELEGRAM_API_URL")]
    telegram_api_url: Option<String>,
    /// The chain.
    #[command(flatten)]
    chain: ChainArgs,
    /// Data directory (bot store, its market store, its proxy key) [default: <user data dir>/taoplex].
    #[arg(long, env = "TAOPLEX_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The bot's store: a SQLite path or a `postgres://` URL [default: <data-dir>/bot/bot.sqlite].
    #[arg(long)]
    db: Option<String>,
    /// The web terminal's URL, for sign links and explorer links (e.g. http://127.0.0.1:8080).
    #[arg(long)]
    terminal_url: Option<String>,
    /// The bot's proxy key file [default: <data-dir>/bot/proxy-key].
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// A file holding the proxy key's password (instead of `TAOPLEX_BOT_KEY_PASSWORD`).
    #[arg(long)]
    key_password_file: Option<PathBuf>,
    /// First block the bot's empty market store indexes: a number, or -N for N blocks before
    /// the finalized head [default: on a live network -7200 (the last day); on the localnet all
    /// it holds].
    #[arg(long, value_parser = super::network::parse_from_block, allow_hyphen_values = true)]
    from_block: Option<super::network::FromBlock>,
    /// Default per-trade limit of new proxy registrations, TAO.
    #[arg(long, default_value = "10", value_parser = super::args::positive_tao)]
    per_trade: dtao::units::Tao,
    /// Default per-day limit, TAO.
    #[arg(long, default_value = "50", value_parser = super::args::positive_tao)]
    per_day: dtao::units::Tao,
}

/// Runs `taoplex bot`.
pub(crate) fn run(args: BotArgs) -> ExitCode {
    init_tracing();
    match tokio_main(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn secret_from(file: Option<&Path>, env: &str, what: &str) -> anyhow::Result<Option<String>> {
    if let Some(f) = file {
        let s = std::fs::read_to_string(f)
            .with_context(|| format!("cannot read the {what} from {}", f.display()))?;
        let s = s.trim().to_string();
        if s.is_empty() {
            bail!("{} is empty; put the {what} in it", f.display());
        }
        return Ok(Some(s));
    }
    match std::env::var(env) {
        Ok(s) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
        _ => Ok(None),
    }
}

impl BotArgs {
    /// The token, if one is configured.
    pub(crate) fn token(&self) -> anyhow::Result<Option<String>> {
        secret_from(self.token_file.as_deref(), "TELEGRAM_BOT_TOKEN", "bot token")
    }

    /// The bot as `taoplex up` runs it (on `up`'s in-process chain, so `chain` is unused):
    /// data under `data_dir`, the terminal at `terminal`.
    fn for_up(data_dir: PathBuf, terminal: String) -> Self {
        Self {
            token_file: None,
            telegram_api_url: std::env::var("TAOPLEX_TELEGRAM_API_URL").ok(),
            chain: ChainArgs { network: "local".into(), rpc: String::new(), no_shield: false },
            data_dir: Some(data_dir),
            db: None,
            terminal_url: Some(terminal),
            key_file: None,
            key_password_file: None,
            from_block: None,
            per_trade: dtao::units::Tao::from_rao(10_000_000_000),
            per_day: dtao::units::Tao::from_rao(50_000_000_000),
        }
    }
}

async fn serve(args: BotArgs) -> anyhow::Result<()> {
    let chain = args.chain.connect().await?;
    let dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => dirs::data_dir()
            .context("cannot find the user data directory (no HOME?); give one with --data-dir")?
            .join("taoplex"),
    };
    run_with(&args, chain, &dir, wait_for_signal()).await
}

/// Runs the bot on `chain` with its data under `<dir>/bot` until `shutdown` resolves.
pub(crate) async fn run_with(
    args: &BotArgs,
    chain: Arc<dyn Chain>,
    dir: &Path,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let Some(token) = args.token()? else {
        bail!(
            "no bot token: set TELEGRAM_BOT_TOKEN or pass --token-file (create a bot with @BotFather)"
        );
    };
    let password = secret_from(
        args.key_password_file.as_deref(),
        "TAOPLEX_BOT_KEY_PASSWORD",
        "proxy key password",
    )?
    .context("no password for the bot's proxy key: set TAOPLEX_BOT_KEY_PASSWORD or pass --key-password-file")?;
    let bot_dir = dir.join("bot");
    let key_path = args.key_file.clone().unwrap_or_else(|| bot_dir.join("proxy-key"));
    let key = tokio::task::spawn_blocking(move || {
        bot::key::load_or_create(&key_path, &password, &keys::KdfParams::default())
    })
    .await
    .context("the key task failed")??;
    let store_config = match &args.db {
        Some(url) => db::DbConfig::parse(url),
        None => db::DbConfig::Sqlite(bot_dir.join("bot.sqlite")),
    };
    let store =
        bot::store::BotStore::open(&store_config).await.context("cannot open the bot's store")?;
    let market_dir = bot_dir.join(super::network::market_dir(&args.chain.network));
    let market_store = Store::open(&StoreConfig::SqliteDir(market_dir))
        .await
        .context("cannot open the bot's market store")?;
    let live = matches!(args.chain.endpoint()?, super::network::Endpoint::Live(_));
    let start_block = super::network::start_block(args.from_block, live, chain.as_ref()).await?;
    let indexer = Arc::new(Indexer::new(
        chain.clone(),
        market_store.clone(),
        IndexerConfig { start_block, ..IndexerConfig::default() },
    ));
    let market = Arc::new(Market::new(&indexer, chain.clone(), FeedConfig::default()));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let indexer_task = {
        let indexer = indexer.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move {
            if let Err(e) = indexer.run(stop).await {
                tracing::error!(error = %e, "the bot's market indexer stopped");
            }
        })
    };
    let api = bot::telegram(&token, args.telegram_api_url.as_deref())?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "taoplex bot: proxy account {} (data in {})",
            key.ss58_address(),
            bot_dir.display()
        );
        let _ = out.flush();
    }
    let services = bot::Services {
        chain,
        market,
        market_store,
        store,
        clock: Arc::new(SystemClock),
        proxy_key: Arc::new(key),
    };
    let config = bot::BotConfig {
        terminal_url: args.terminal_url.clone(),
        per_trade: args.per_trade.rao(),
        per_day: args.per_day.rao(),
        ..bot::BotConfig::default()
    };
    let stopper = tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let result = bot::run(api, services, config, stop_rx).await;
    stopper.abort();
    let _ = indexer_task.await;
    result.context("the bot stopped")
}

/// The bot inside `taoplex up`, when a token is configured (`TELEGRAM_BOT_TOKEN`); otherwise
/// `None` after saying how to enable it. The future runs the bot on `up`'s chain until the
/// sender fires (or is dropped); `up` polls it beside the terminal, on the same task.
pub(crate) fn for_up(
    chain: &Arc<dyn Chain>,
    data_dir: &Path,
    terminal: std::net::SocketAddr,
) -> Option<(impl std::future::Future<Output = ()> + use<>, tokio::sync::oneshot::Sender<()>)> {
    let args = BotArgs::for_up(data_dir.to_path_buf(), format!("http://{terminal}"));
    if !matches!(args.token(), Ok(Some(_))) {
        // On stderr: stdout carries the services' addresses, which scripts read line by line.
        let _ = writeln!(
            std::io::stderr(),
            "telegram bot: off (set TELEGRAM_BOT_TOKEN and TAOPLEX_BOT_KEY_PASSWORD to run it; see README, \"Telegram bot\")"
        );
        return None;
    }
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let (chain, dir) = (chain.clone(), data_dir.to_path_buf());
    let run = async move {
        let stopped = async move {
            let _ = rx.await;
        };
        if let Err(e) = run_with(&args, chain, &dir, stopped).await {
            tracing::error!(error = %format!("{e:#}"), "the telegram bot stopped");
        }
    };
    Some((run, stop))
}
