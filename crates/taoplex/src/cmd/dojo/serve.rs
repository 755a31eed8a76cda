//! The long-running `taoplex dojo` commands: `worker-platform`, `miner`, `validator`, and the
//! validator's `api-key` management. Each prints where it listens as its first line(s) on
//! stdout, logs to stderr, and stops cleanly on Ctrl-C or SIGTERM.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use chain::NetUid;
use clap::{Args, Subcommand};
use dojo_transport::SystemClock;

use super::net::{
    MinerOptions, NeuronKeyArgs, PlatformOptions, ValidatorOptions, read_secret_file, start_miner,
    start_platform, start_validator,
};
use super::{Failure, db_config};
use crate::cmd::node::{init_tracing, tokio_main, wait_for_signal};
use crate::cmd::submit::ChainArgs;

/// Arguments of `taoplex dojo miner`.
#[derive(Debug, Args)]
pub(crate) struct MinerArgs {
    /// The chain.
    #[command(flatten)]
    chain: ChainArgs,
    /// The Dojo subnet.
    #[arg(long)]
    netuid: NetUid,
    /// The miner's hotkey (registered on the subnet).
    #[command(flatten)]
    key: NeuronKeyArgs,
    /// Where the axon listens (port 0 picks a free port; the chosen one is published).
    #[arg(long, default_value = "0.0.0.0:8091")]
    axon_addr: SocketAddr,
    /// The IP validators reach the axon at, published on chain.
    #[arg(long, default_value = "127.0.0.1")]
    external_ip: std::net::IpAddr,
    /// Where the status page listens.
    #[arg(long, default_value = "127.0.0.1:8092")]
    status_addr: SocketAddr,
    /// The team's worker platform.
    #[arg(long)]
    platform_url: String,
    /// File holding the platform API key (as `worker-platform --api-key-file` writes it);
    /// or set TAOPLEX_PLATFORM_API_KEY.
    #[arg(long)]
    platform_key_file: Option<PathBuf>,
    /// Database: SQLite path, `postgres://…` or `:memory:` [default: <user data
    /// dir>/taoplex/dojo/miner.sqlite].
    #[arg(long, env = "TAOPLEX_MINER_DB")]
    db: Option<String>,
}

/// Arguments of `taoplex dojo validator`.
#[derive(Debug, Args)]
pub(crate) struct ValidatorArgs {
    /// The chain.
    #[command(flatten)]
    chain: ChainArgs,
    /// The Dojo subnet.
    #[arg(long)]
    netuid: NetUid,
    /// The validator's hotkey (registered, with stake, on the subnet).
    #[command(flatten)]
    key: NeuronKeyArgs,
    /// Database: SQLite path or `postgres://…` [default: <user data
    /// dir>/taoplex/dojo/validator.sqlite].
    #[arg(long, env = "TAOPLEX_VALIDATOR_DB")]
    db: Option<String>,
    /// Where the HTTP API (status, external tasks, OpenAPI document) listens.
    #[arg(long, default_value = "127.0.0.1:8093")]
    api_addr: SocketAddr,
    /// Timings in seconds instead of production minutes, and no minimum rating time (tests and
    /// scripted raters).
    #[arg(long)]
    fast: bool,
}

/// `taoplex dojo api-key` subcommands (on the validator's database).
#[derive(Debug, Subcommand)]
pub(crate) enum ApiKeyCommand {
    /// Issue a key for an external client; the secret is printed once.
    Issue {
        /// Who the key is for.
        #[arg(long)]
        label: String,
        /// The validator's database (as `validator --db`).
        #[arg(long, env = "TAOPLEX_VALIDATOR_DB")]
        db: Option<String>,
    },
    /// List keys (never their secrets).
    List {
        /// The validator's database.
        #[arg(long, env = "TAOPLEX_VALIDATOR_DB")]
        db: Option<String>,
    },
    /// Revoke a key.
    Revoke {
        /// The key's id (from `list`).
        id: String,
        /// The validator's database.
        #[arg(long, env = "TAOPLEX_VALIDATOR_DB")]
        db: Option<String>,
    },
}

fn runtime_main(f: impl std::future::Future<Output = anyhow::Result<()>>) -> Result<(), Failure> {
    init_tracing();
    tokio_main(f).map_err(Failure::Runtime)
}

/// `taoplex dojo worker-platform`.
pub(super) fn worker_platform(options: PlatformOptions) -> Result<(), Failure> {
    runtime_main(async move {
        let platform = start_platform(&options).await?;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "taoplex dojo worker-platform: http://{} (organisation {:?})",
            platform.addr, options.organisation
        )?;
        if let Some(password) = &platform.new_password {
            writeln!(
                out,
                "  organisation login: {} / {password} (shown once)",
                options.organisation
            )?;
        }
        match &options.api_key_file {
            Some(path) => writeln!(out, "  miner API key in {}", path.display())?,
            None => writeln!(
                out,
                "  miner API key (shown once; use --api-key-file to keep it): {}",
                platform.api_key
            )?,
        }
        for link in platform.invite_links() {
            writeln!(out, "  invite: {link}")?;
        }
        out.flush()?;
        drop(out);
        wait_for_signal().await;
        platform.stop().await;
        Ok(())
    })
}

/// `taoplex dojo miner`.
pub(super) fn miner(args: MinerArgs) -> Result<(), Failure> {
    let api_key = match (&args.platform_key_file, std::env::var("TAOPLEX_PLATFORM_API_KEY")) {
        (Some(path), _) => read_secret_file(path)?,
        (None, Ok(key)) if !key.trim().is_empty() => key.trim().to_string(),
        _ => {
            return Err(Failure::Usage(
                "the miner needs its platform API key: --platform-key-file FILE or TAOPLEX_PLATFORM_API_KEY".into(),
            ));
        }
    };
    let hotkey = args.key.keypair()?;
    let db = db_config(args.db.as_deref(), "miner.sqlite")?;
    runtime_main(async move {
        let chain = args.chain.connect().await?;
        let options = MinerOptions {
            netuid: args.netuid,
            axon_addr: args.axon_addr,
            external_ip: args.external_ip.to_string(),
            status_addr: args.status_addr,
            platform_url: args.platform_url.trim_end_matches('/').to_string(),
            platform_api_key: api_key,
            db,
        };
        let miner = start_miner(chain, hotkey, &options).await?;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "taoplex dojo miner: axon on {} (netuid {}), status on http://{}, platform {}",
            miner.axon_addr(),
            args.netuid,
            miner.status_addr(),
            options.platform_url
        )?;
        out.flush()?;
        drop(out);
        wait_for_signal().await;
        miner.shutdown().await;
        Ok(())
    })
}

/// `taoplex dojo validator`.
pub(super) fn validator(args: ValidatorArgs) -> Result<(), Failure> {
    let hotkey = args.key.keypair()?;
    let db = db_config(args.db.as_deref(), "validator.sqlite")?;
    runtime_main(async move {
        let chain = args.chain.connect().await?;
        let timings = if args.fast {
            dojo_validator::Timings::fast()
        } else {
            dojo_validator::Timings::production()
        };
        // Seconds-scale rounds leave no human 5 s an output: the fast mode (tests, scripted
        // raters) keeps every defence but the minimum time.
        let defences = if args.fast {
            dojo_core::DefencePolicy {
                min_secs_per_output: 0.0,
                ..dojo_core::DefencePolicy::default()
            }
        } else {
            dojo_core::DefencePolicy::default()
        };
        let options = ValidatorOptions {
            netuid: args.netuid,
            db,
            api_addr: args.api_addr,
            timings,
            defences,
        };
        let validator = start_validator(chain, hotkey, &options).await?;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "taoplex dojo validator: netuid {}, API on http://{} (status /status, OpenAPI /api/v1/openapi.json){}",
            args.netuid,
            validator.api_addr,
            if args.fast { ", fast timings" } else { "" }
        )?;
        out.flush()?;
        drop(out);
        wait_for_signal().await;
        validator.stop().await;
        Ok(())
    })
}

/// `taoplex dojo api-key`.
pub(super) fn api_key(cmd: ApiKeyCommand) -> Result<(), Failure> {
    let db = match &cmd {
        ApiKeyCommand::Issue { db, .. }
        | ApiKeyCommand::List { db }
        | ApiKeyCommand::Revoke { db, .. } => db_config(db.as_deref(), "validator.sqlite")?,
    };
    tokio_main(async move {
        use dojo_validator::external::{ExternalConfig, ExternalTasks};
        let db = dojo_db::Db::open(&db).await.context("cannot open the validator's database")?;
        let tasks = ExternalTasks::open(db, ExternalConfig::default(), Arc::new(SystemClock))
            .await
            .context("preparing the external task store")?;
        let mut out = std::io::stdout().lock();
        match cmd {
            ApiKeyCommand::Issue { label, .. } => {
                let key = tasks.issue_key(&label).await.context("issuing the key")?;
                writeln!(out, "key {} for {label:?}; secret (shown once): {}", key.id, key.secret)?;
                writeln!(
                    out,
                    "use it as `Authorization: Bearer <secret>`; webhooks are signed with HMAC-SHA256 keyed by SHA-256(secret)"
                )?;
            }
            ApiKeyCommand::List { .. } => {
                for key in tasks.list_keys().await.context("listing keys")? {
                    writeln!(out, "{}", serde_json::to_string(&key)?)?;
                }
            }
            ApiKeyCommand::Revoke { id, .. } => {
                tasks.revoke(&id).await.context("revoking the key")?;
                writeln!(out, "revoked {id}")?;
            }
        }
        Ok(())
    })
    .map_err(Failure::Runtime)
}
