//! Dojo inside `taoplex up`: on the chain's Dojo subnet (added to a fresh genesis by
//! [`super::localnet::add_dojo_subnet`]), two teams — each a worker platform and the miner that
//! feeds it — and the validator, all in-process over the same chain, their state in
//! `<data-dir>/dojo/`. People join a team through the invite links printed at start.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chain::{Chain, NetUid};
use dojo_db::DbConfig;

use super::localnet::{MINERS, VALIDATOR_HOT, dev_account};
use super::net::{
    MinerOptions, PlatformOptions, RunningPlatform, RunningValidator, ValidatorOptions,
    start_miner, start_platform, start_validator,
};

/// The validator's schedule in `up`: production's shape at a demo's pace — a task a minute,
/// five minutes for people to rate it, results collected ten seconds after.
const DEMO_TIMINGS: dojo_validator::Timings = dojo_validator::Timings {
    task_interval: Duration::from_secs(60),
    task_deadline: Duration::from_secs(300),
    results_grace: Duration::from_secs(10),
    metagraph_refresh: Duration::from_secs(15),
    weights_check: Duration::from_secs(30),
    request_timeout: Duration::from_secs(15),
};

/// Dojo's services in `up`.
pub(crate) struct DojoUp {
    platforms: Vec<RunningPlatform>,
    miners: Vec<dojo_miner::MinerHandle>,
    validator: RunningValidator,
}

impl DojoUp {
    /// Stops the validator, the miners, then the platforms.
    pub(crate) async fn stop(self) {
        self.validator.stop().await;
        for miner in self.miners {
            miner.shutdown().await;
        }
        for platform in self.platforms {
            platform.stop().await;
        }
    }
}

/// The Dojo subnet: the one named "Dojo" on which the development validator is registered.
async fn dojo_netuid(chain: &Arc<dyn Chain>) -> anyhow::Result<Option<NetUid>> {
    let validator = dev_account(VALIDATOR_HOT)?;
    for subnet in chain.subnets().await.context("cannot list subnets")? {
        if subnet.identity.name != "Dojo" {
            continue;
        }
        let neurons = chain.neurons(subnet.netuid).await.context("cannot read neurons")?;
        if neurons.iter().any(|n| n.hotkey == validator) {
            return Ok(Some(subnet.netuid));
        }
    }
    Ok(None)
}

fn next_port(addr: SocketAddr) -> SocketAddr {
    if addr.port() == 0 {
        return addr;
    }
    SocketAddr::new(addr.ip(), addr.port().saturating_add(1))
}

fn dev_key(uri: &str) -> anyhow::Result<keys::Keypair> {
    keys::Keypair::from_uri(uri).map_err(|e| anyhow::anyhow!("development key {uri}: {e}"))
}

/// Starts Dojo if the chain has its subnet; prints where everything is.
pub(crate) async fn start(
    chain: &Arc<dyn Chain>,
    data_dir: &Path,
    platform_addr: SocketAddr,
    validator_addr: SocketAddr,
) -> anyhow::Result<Option<DojoUp>> {
    let Some(netuid) = dojo_netuid(chain).await? else {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "dojo: this chain has no Dojo subnet (it predates Dojo in `up`); start on a fresh --data-dir to get one"
        )?;
        return Ok(None);
    };
    let dir = data_dir.join("dojo");
    let mut platforms = Vec::new();
    let mut miners = Vec::new();
    let mut addr = platform_addr;
    let mut lines = Vec::new();
    for (team, (miner_uri, _)) in MINERS.iter().enumerate() {
        let team = team + 1;
        let platform = start_platform(&PlatformOptions {
            addr,
            db: DbConfig::Sqlite(dir.join(format!("platform{team}.sqlite"))),
            organisation: format!("team{team}"),
            api_key_file: Some(dir.join(format!("platform{team}.key"))),
            invites: 2,
            demo_tasks: 0,
            seed: 0,
        })
        .await
        .with_context(|| format!("team {team}'s worker platform"))?;
        addr = next_port(addr);
        let miner = start_miner(
            chain.clone(),
            dev_key(miner_uri)?,
            &MinerOptions {
                netuid,
                axon_addr: "127.0.0.1:0".parse().context("address")?,
                external_ip: "127.0.0.1".into(),
                status_addr: "127.0.0.1:0".parse().context("address")?,
                platform_url: format!("http://{}", platform.addr),
                platform_api_key: platform.api_key.clone(),
                db: DbConfig::Sqlite(dir.join(format!("miner{team}.sqlite"))),
            },
        )
        .await
        .with_context(|| format!("team {team}'s miner"))?;
        lines.push(format!(
            "dojo team {team}: worker platform http://{} · miner status http://{}",
            platform.addr,
            miner.status_addr()
        ));
        if let Some(password) = &platform.new_password {
            lines.push(format!("  organisation login: team{team} / {password} (shown once)"));
        }
        for link in platform.invite_links() {
            lines.push(format!("  invite: {link}"));
        }
        platforms.push(platform);
        miners.push(miner);
    }
    let validator = start_validator(
        chain.clone(),
        dev_key(VALIDATOR_HOT)?,
        &ValidatorOptions {
            netuid,
            db: DbConfig::Sqlite(dir.join("validator.sqlite")),
            api_addr: validator_addr,
            timings: DEMO_TIMINGS,
            defences: dojo_core::DefencePolicy::default(),
        },
    )
    .await
    .context("the Dojo validator")?;
    lines.push(format!(
        "dojo validator on netuid {netuid}: status http://{}/status · external task API http://{}/api/v1/openapi.json",
        validator.api_addr, validator.api_addr
    ));
    let mut out = std::io::stdout().lock();
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(Some(DojoUp { platforms, miners, validator }))
}
