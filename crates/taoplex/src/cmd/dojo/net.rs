//! Dojo's network services as the binary runs them: the worker platform, the miner and the
//! validator, each startable in-process (for `taoplex up`) or as its own command
//! (`taoplex dojo worker-platform|miner|validator`).
//!
//! Secrets stay out of logs and argument lists where we can help it: a miner's platform API key
//! travels in a 0600 file (`--api-key-file` on the platform writes it, `--platform-key-file` on
//! the miner reads it) or the `TAOPLEX_PLATFORM_API_KEY` variable; hotkeys come from a Bittensor
//! wallet, or for development keys from `--hotkey-uri` / `TAOPLEX_HOTKEY_URI`.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use chain::{Chain, NetUid};
use chain::{Clock, SystemClock};
use clap::Args;
use db::{Db, DbConfig};
use dojo_core::TaskShape;
use dojo_gen::ProceduralGenerator;
use dojo_platform::{PlatformState, PlatformTask, SqlStore, router as platform_router};
use tokio::sync::oneshot;

use crate::cmd::wallet::{HotkeyArg, WalletArgs};

/// Which hotkey a neuron (miner or validator) runs with.
#[derive(Args)]
pub(crate) struct NeuronKeyArgs {
    /// Secret URI of a development hotkey (e.g. `//Dojo//Validator`); it is visible to other
    /// local users in the process list, so real keys belong in a wallet.
    #[arg(long, env = "TAOPLEX_HOTKEY_URI", hide_env_values = true)]
    hotkey_uri: Option<String>,
    /// The wallet holding the hotkey (when no --hotkey-uri).
    #[command(flatten)]
    wallet: WalletArgs,
    /// The hotkey's name in the wallet.
    #[command(flatten)]
    hotkey: HotkeyArg,
}

impl std::fmt::Debug for NeuronKeyArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeuronKeyArgs")
            .field("hotkey_uri", &self.hotkey_uri.as_ref().map(|_| "<redacted>"))
            .field("wallet", &self.wallet)
            .field("hotkey", &self.hotkey)
            .finish()
    }
}

impl NeuronKeyArgs {
    /// Loads the hotkey (a wallet hotkey must be unencrypted, as `btcli` writes them).
    pub(crate) fn keypair(&self) -> anyhow::Result<keys::Keypair> {
        if let Some(uri) = &self.hotkey_uri {
            return keys::Keypair::from_uri(uri)
                .map_err(|e| anyhow::anyhow!("--hotkey-uri is not a usable secret URI: {e}"));
        }
        let wallet = self.wallet.wallet(Some(&self.hotkey));
        wallet.hotkey(None, &keys::KdfParams::default()).with_context(|| {
            format!(
                "cannot load hotkey {:?} of wallet {:?} (create it with `taoplex wallet new-hotkey`)",
                wallet.hotkey_name(),
                wallet.name()
            )
        })
    }
}

/// A service running on the current runtime, stopped by [`Running::stop`].
pub(crate) struct Running {
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Serves `app` on `listener` until stopped.
    pub(crate) fn serve(
        listener: tokio::net::TcpListener,
        app: axum::Router,
        what: &'static str,
    ) -> Self {
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served =
                axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            if let Err(e) = served {
                tracing::error!("{what} failed: {e}");
            }
        });
        Running { stop: Some(stop), task }
    }

    /// Stops serving and waits for open requests to finish.
    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Binds `addr` with an error that names the flag to change.
pub(crate) async fn bind(addr: SocketAddr, flag: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr}; is it in use? choose another with {flag}")
    })
}

/// Writes `secret` to a new file readable by its owner only.
fn write_secret_file(path: &Path, secret: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file =
        options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    writeln!(file, "{secret}").with_context(|| format!("cannot write {}", path.display()))?;
    file.sync_all().with_context(|| format!("cannot write {}", path.display()))
}

/// Reads a secret written by [`write_secret_file`] (or by hand), refusing files others can read.
pub(crate) fn read_secret_file(path: &Path) -> anyhow::Result<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.permissions().mode() & 0o077 != 0 {
            bail!(
                "{} is readable by other users; `chmod 600 {}` first",
                path.display(),
                path.display()
            );
        }
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let secret = text.trim().to_string();
    if secret.is_empty() {
        bail!("{} is empty", path.display());
    }
    Ok(secret)
}

/// Settings of a worker platform.
#[derive(Debug, Clone)]
pub(crate) struct PlatformOptions {
    /// Listen address.
    pub(crate) addr: SocketAddr,
    /// Where its state lives.
    pub(crate) db: DbConfig,
    /// The miner organisation's account name (created on first start).
    pub(crate) organisation: String,
    /// Where the organisation's API key for its miner is kept (issued on first start).
    pub(crate) api_key_file: Option<PathBuf>,
    /// Invite keys to issue now.
    pub(crate) invites: u32,
    /// Generated demo tasks to add (skipped if already there).
    pub(crate) demo_tasks: u64,
    /// Seed of the demo tasks.
    pub(crate) seed: u64,
}

/// A running worker platform.
pub(crate) struct RunningPlatform {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    /// The organisation's password, when this start created the account (shown once).
    pub(crate) new_password: Option<String>,
    /// Invite keys issued by this start.
    pub(crate) invites: Vec<String>,
    /// The miner's API key.
    pub(crate) api_key: String,
    server: Running,
}

impl RunningPlatform {
    /// The invite links to hand to people.
    pub(crate) fn invite_links(&self) -> Vec<String> {
        self.invites.iter().map(|k| format!("http://{}/signup?invite={k}", self.addr)).collect()
    }

    /// Stops serving.
    pub(crate) async fn stop(self) {
        self.server.stop().await;
    }
}

/// Starts a worker platform: opens its store, makes sure the organisation and its API key
/// exist, issues invites, adds demo tasks, serves.
pub(crate) async fn start_platform(options: &PlatformOptions) -> anyhow::Result<RunningPlatform> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let db = Db::open(&options.db).await.context("cannot open the platform's database")?;
    let store = SqlStore::open(db).await.context("cannot prepare the platform's database")?;
    let state = PlatformState::new(Arc::new(store), clock.clone());
    let (miner, new_password) =
        match state.store().account_by_username(&options.organisation).await? {
            Some(account) => (account, None),
            None => {
                let password = hex::encode(super::rand_bytes());
                let account = state
                    .create_miner(&options.organisation, &password)
                    .await
                    .context("creating the organisation's account")?;
                (account, Some(password))
            }
        };
    let api_key = match &options.api_key_file {
        Some(path) if path.exists() => {
            let key = read_secret_file(path)?;
            if state.api_key_owner(&key).await? != Some(miner.id) {
                bail!(
                    "the API key in {} is not {:?}'s key on this platform's database; remove the file to issue a new one",
                    path.display(),
                    options.organisation
                );
            }
            key
        }
        Some(path) => {
            let key = state.issue_api_key(miner.id).await.context("issuing an API key")?;
            write_secret_file(path, &key)?;
            key
        }
        None => state.issue_api_key(miner.id).await.context("issuing an API key")?,
    };
    let mut invites = Vec::new();
    for _ in 0..options.invites {
        invites.push(state.issue_invite(miner.id).await.context("issuing an invite")?);
    }
    const DAY_NS: u64 = 86_400 * 1_000_000_000;
    let generator = ProceduralGenerator { shape: TaskShape::TwoViableTwoFlawed, category: None };
    for s in options.seed..options.seed.saturating_add(options.demo_tasks) {
        // Apps, then an image and a 3D task: the demo shows every viewer.
        let media = match (s - options.seed) % 3 {
            1 => Some(dojo_gen::media::MediaTask::Image),
            2 => Some(dojo_gen::media::MediaTask::Model3d),
            _ => None,
        };
        let task = match media {
            Some(kind) => {
                dojo_gen::media::MediaGenerator { kind, shape: generator.shape }.generate(s)
            }
            None => generator.generate(s),
        }
        .with_context(|| format!("generating task {s}"))?;
        if state.store().task(&task.id).await?.is_some() {
            continue;
        }
        let platform_task = PlatformTask {
            task,
            miner: miner.id,
            expires_at_ns: clock.now_ns().saturating_add(DAY_NS),
            max_results: 5,
        };
        state.add_task(platform_task).await.context("adding a demo task")?;
    }
    let listener = bind(options.addr, "--addr").await?;
    let addr = listener.local_addr().context("no local address")?;
    let server = Running::serve(listener, platform_router(state), "the worker platform");
    Ok(RunningPlatform { addr, new_password, invites, api_key, server })
}

/// Settings of a miner.
#[derive(Debug, Clone)]
pub(crate) struct MinerOptions {
    /// Subnet.
    pub(crate) netuid: NetUid,
    /// Where the axon listens.
    pub(crate) axon_addr: SocketAddr,
    /// The IP published on chain for the axon.
    pub(crate) external_ip: String,
    /// Where the status page listens.
    pub(crate) status_addr: SocketAddr,
    /// The worker platform's base URL.
    pub(crate) platform_url: String,
    /// The platform API key.
    pub(crate) platform_api_key: String,
    /// Where the miner keeps its task map.
    pub(crate) db: DbConfig,
}

/// Starts a miner.
pub(crate) async fn start_miner(
    chain: Arc<dyn Chain>,
    hotkey: keys::Keypair,
    options: &MinerOptions,
) -> anyhow::Result<dojo_miner::MinerHandle> {
    let db = Db::open(&options.db).await.context("cannot open the miner's database")?;
    let config = dojo_miner::MinerConfig {
        netuid: options.netuid,
        axon_addr: options.axon_addr,
        external_ip: options.external_ip.clone(),
        status_addr: options.status_addr,
        platform_url: options.platform_url.clone(),
        platform_api_key: options.platform_api_key.clone(),
        blacklist: dojo_transport::BlacklistPolicy { min_stake: 0, require_validator_permit: true },
        serve_on_chain: true,
    };
    dojo_miner::Miner::start(config, chain, hotkey, db, Arc::new(SystemClock))
        .await
        .context("the miner did not start")
}

/// Settings of a validator.
#[derive(Debug, Clone)]
pub(crate) struct ValidatorOptions {
    /// Subnet.
    pub(crate) netuid: NetUid,
    /// Where it keeps tasks, results and scores.
    pub(crate) db: DbConfig,
    /// Where its HTTP API (status, external tasks, OpenAPI) listens.
    pub(crate) api_addr: SocketAddr,
    /// The schedule.
    pub(crate) timings: dojo_validator::Timings,
    /// The defences against careless, automated and copied raters.
    pub(crate) defences: dojo_core::DefencePolicy,
}

/// A running validator and its HTTP API.
pub(crate) struct RunningValidator {
    /// The validator loops.
    pub(crate) handle: dojo_validator::ValidatorHandle,
    /// Where the API listens.
    pub(crate) api_addr: SocketAddr,
    server: Running,
    logger: tokio::task::JoinHandle<()>,
}

impl RunningValidator {
    /// Stops the API, then the loops.
    pub(crate) async fn stop(self) {
        self.logger.abort();
        self.server.stop().await;
        self.handle.shutdown().await;
    }
}

/// Logs the validator's events (it keeps them for its status; the operator wants them in the
/// log too): those kept while it started, then each as it is recorded.
fn log_events(handle: &dojo_validator::ValidatorHandle) -> tokio::task::JoinHandle<()> {
    use dojo_validator::{EventLevel, ValidatorEvent};
    use tokio::sync::broadcast::error::RecvError;
    fn log(event: &ValidatorEvent) {
        match event.level {
            EventLevel::Info => tracing::info!(target: "dojo::validator", "{}", event.message),
            EventLevel::Warn => tracing::warn!(target: "dojo::validator", "{}", event.message),
            EventLevel::Error => tracing::error!(target: "dojo::validator", "{}", event.message),
        }
    }
    let (backlog, mut events) = handle.subscribe();
    tokio::spawn(async move {
        backlog.iter().for_each(log);
        loop {
            match events.recv().await {
                Ok(event) => log(&event),
                Err(RecvError::Lagged(missed)) => tracing::warn!(
                    target: "dojo::validator",
                    "{missed} validator events were not logged: the logger fell behind \
                     (GET /status shows the latest)"
                ),
                // The validator is gone.
                Err(RecvError::Closed) => return,
            }
        }
    })
}

/// Starts a validator with its external task API.
pub(crate) async fn start_validator(
    chain: Arc<dyn Chain>,
    hotkey: keys::Keypair,
    options: &ValidatorOptions,
) -> anyhow::Result<RunningValidator> {
    use dojo_validator::{Validator, ValidatorConfig, ValidatorStore, external};
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let db = Db::open(&options.db).await.context("cannot open the validator's database")?;
    let store =
        ValidatorStore::open(db.clone()).await.context("preparing the validator's database")?;
    let tasks = Arc::new(
        external::ExternalTasks::open(db, external::ExternalConfig::default(), clock.clone())
            .await
            .context("preparing the external task store")?,
    );
    let config = ValidatorConfig {
        timings: options.timings,
        defences: Some(options.defences.clone()),
        ..ValidatorConfig::new(options.netuid)
    };
    let queue: Arc<dyn dojo_validator::TaskQueue> = tasks.clone();
    let handle = Validator::start(config, chain, hotkey, store, Some(queue), clock)
        .await
        .context("the validator did not start")?;
    let app = external::router(tasks).merge(dojo_validator::status_router(handle.clone()));
    let listener = bind(options.api_addr, "--api-addr").await?;
    let api_addr = listener.local_addr().context("no local address")?;
    let server = Running::serve(listener, app, "the validator API");
    let logger = log_events(&handle);
    Ok(RunningValidator { handle, api_addr, server, logger })
}
