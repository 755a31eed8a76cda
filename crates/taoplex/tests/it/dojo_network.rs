//! The whole Dojo loop as real processes on loopback: a `taoplex node` running a Dojo-only
//! localnet, two worker platforms, two miners and a validator, with scripted "humans" (HTTP
//! clients of the platforms' worker API). Team 1's human rates carefully (consistent with the
//! ground truth, which the test reads from the validator's database as an oracle); team 2's
//! rates at random. After the validator has scored tasks and an epoch has passed, the careful
//! team's miner must have the higher weight from the validator (read from the validator's
//! `set_weights` extrinsics on chain) and the higher incentive and emission on chain.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chain::client::RpcChain;
use chain::{AccountId, BlockId, Call, Chain};
use dojo_core::task::PresentedTask;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::node::NodeProcess;
use crate::process::Process as Service;

/// How long the whole loop may take to show its result before the test gives up.
const PATIENCE: Duration = Duration::from_secs(240);

fn id(uri: &str) -> AccountId {
    AccountId::from(keys::Keypair::from_uri(uri).unwrap().public())
}

fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

fn call(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    request = request.header("content-type", "application/json");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut response = agent.run(request.body(body).unwrap()).unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A scripted rater on one platform.
struct Human {
    platform: String,
    token: String,
    careful: bool,
    done: std::collections::BTreeSet<String>,
    rng: rand::rngs::StdRng,
}

impl Human {
    fn sign_up(
        agent: &ureq::Agent,
        platform: &str,
        invite: &str,
        name: &str,
        careful: bool,
    ) -> Self {
        let (status, body) = call(
            agent,
            "POST",
            &format!("{platform}/api/v1/worker/signup"),
            None,
            Some(&json!({"invite": invite, "username": name, "password": "correct horse battery"})),
        );
        assert_eq!(status, 201, "signup on {platform}: {body}");
        let token = body["token"].as_str().unwrap().to_string();
        Human {
            platform: platform.to_string(),
            token,
            careful,
            done: Default::default(),
            rng: rand::rngs::StdRng::seed_from_u64(u64::from(careful)),
        }
    }

    /// Rates every open task it has not rated yet; returns how many it rated.
    async fn work(&mut self, agent: &ureq::Agent, oracle: &Oracle) -> usize {
        let (status, inbox) = call(
            agent,
            "GET",
            &format!("{}/api/v1/worker/tasks", self.platform),
            Some(&self.token),
            None,
        );
        assert_eq!(status, 200, "inbox: {inbox}");
        let mut rated = 0;
        for entry in inbox.as_array().unwrap() {
            let pid = entry["id"].as_str().unwrap().to_string();
            if entry["submitted"].as_bool() == Some(true) || self.done.contains(&pid) {
                continue;
            }
            let url = format!("{}/api/v1/worker/tasks/{pid}", self.platform);
            let (status, task) = call(agent, "GET", &url, Some(&self.token), None);
            assert_eq!(status, 200, "task: {task}");
            let task: PresentedTask = serde_json::from_value(task).unwrap();
            let scores: BTreeMap<String, u32> = if self.careful {
                let Some(truth) = oracle.ground_truth(&task.task_id).await else { continue };
                // Rank 0 (viable) high, each flaw rank lower, with a little human wobble.
                truth
                    .iter()
                    .map(|(o, &rank)| (o.clone(), 90 - 25 * rank.min(3) + self.rng.gen_range(0..5)))
                    .collect()
            } else {
                task.outputs.iter().map(|o| (o.id.clone(), self.rng.gen_range(1..=100))).collect()
            };
            let explanation = if self.careful {
                "The best one does everything the prompt asks and runs smoothly; the worst one \
                 is missing a requirement and its animation stutters."
            } else {
                "I picked these scores by feel after a quick look at each of the four outputs."
            };
            let (status, body) = call(
                agent,
                "POST",
                &format!("{url}/result"),
                Some(&self.token),
                Some(&json!({"scores": scores, "explanation": explanation})),
            );
            assert!(status == 201 || status == 410, "submit: {status} {body}");
            self.done.insert(pid);
            rated += usize::from(status == 201);
        }
        rated
    }
}

/// The test's window into the validator's database: the hidden ground truth of a task.
struct Oracle {
    store: dojo_validator::ValidatorStore,
}

impl Oracle {
    async fn open(path: &Path) -> Self {
        let db = dojo_db::Db::open(&dojo_db::DbConfig::Sqlite(path.to_path_buf())).await.unwrap();
        Oracle { store: dojo_validator::ValidatorStore::open(db).await.unwrap() }
    }

    async fn ground_truth(&self, task_id: &str) -> Option<BTreeMap<String, u32>> {
        let stored = self.store.task(task_id).await.ok()??;
        stored.task.ground_truth.map(|g| g.ranks)
    }
}

/// The latest weights the validator set on chain, per UID.
async fn weights_on_chain(chain: &RpcChain, validator: AccountId) -> Option<BTreeMap<u16, u16>> {
    let head = chain.header(BlockId::Head).await.unwrap().number;
    for number in (head.saturating_sub(400)..=head).rev() {
        // (Blocks before the chain's first are not there.)
        let Ok(block) = chain.block(BlockId::Number(number)).await else { break };
        for x in block.extrinsics {
            if x.signer != validator {
                continue;
            }
            if let Call::SetWeights { dests, weights, .. }
            | Call::RevealWeights { uids: dests, values: weights, .. } = x.call
            {
                return Some(dests.into_iter().zip(weights).collect());
            }
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn careful_raters_earn_their_miner_more_than_random_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = |name: &str| d.join(name).to_str().unwrap().to_string();

    let genesis = path("genesis.json");
    let out = Command::new(env!("CARGO_BIN_EXE_taoplex"))
        .args(["dojo", "genesis", "--out", &genesis, "--tempo", "20"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let node = NodeProcess::start(
        &d.join("chain"),
        &["--genesis", &genesis, "--block-time", "250ms", "--no-sim"],
    );
    let rpc = node.url.clone();

    let mut platforms = Vec::new();
    let mut miners = Vec::new();
    for team in 1..=2 {
        let platform = Service::start(
            &format!("platform{team}"),
            d,
            &[
                "dojo",
                "worker-platform",
                "--addr",
                "127.0.0.1:0",
                "--db",
                &path(&format!("platform{team}.sqlite")),
                "--organisation",
                &format!("team{team}"),
                "--api-key-file",
                &path(&format!("platform{team}.key")),
                "--tasks",
                "0",
                "--invites",
                "1",
            ],
            |lines| lines.iter().any(|l| l.contains("invite:")),
        );
        let platform_url = platform.url("http://");
        let miner = Service::start(
            &format!("miner{team}"),
            d,
            &[
                "dojo",
                "miner",
                "--rpc",
                &rpc,
                "--netuid",
                "1",
                "--hotkey-uri",
                &format!("//Dojo//Miner{team}"),
                "--axon-addr",
                "127.0.0.1:0",
                "--status-addr",
                "127.0.0.1:0",
                "--platform-url",
                &platform_url,
                "--platform-key-file",
                &path(&format!("platform{team}.key")),
                "--db",
                &path(&format!("miner{team}.sqlite")),
            ],
            |lines| !lines.is_empty(),
        );
        platforms.push(platform);
        miners.push(miner);
    }
    let validator_db = path("validator.sqlite");
    let validator = Service::start(
        "validator",
        d,
        &[
            "dojo",
            "validator",
            "--rpc",
            &rpc,
            "--netuid",
            "1",
            "--hotkey-uri",
            "//Dojo//Validator",
            "--db",
            &validator_db,
            "--api-addr",
            "127.0.0.1:0",
            "--fast",
        ],
        |lines| !lines.is_empty(),
    );
    let validator_url = validator.url("http://");

    let agent = http();
    let invite = |p: &Service| {
        let line = p.lines.iter().find(|l| l.contains("invite:")).unwrap();
        line.rsplit("invite=").next().unwrap().trim().to_string()
    };
    let mut careful =
        Human::sign_up(&agent, &platforms[0].url("http://"), &invite(&platforms[0]), "ada", true);
    let mut random =
        Human::sign_up(&agent, &platforms[1].url("http://"), &invite(&platforms[1]), "bob", false);
    let oracle = Oracle::open(Path::new(&validator_db)).await;

    let chain = node.client().await;
    let (validator_id, m1, m2) =
        (id("//Dojo//Validator"), id("//Dojo//Miner1"), id("//Dojo//Miner2"));
    let started = Instant::now();
    let (mut rated_careful, mut rated_random) = (0, 0);
    let verdict = loop {
        assert!(
            started.elapsed() < PATIENCE,
            "no verdict in time: careful rated {rated_careful}, random {rated_random}; validator status {}",
            call(&agent, "GET", &format!("{validator_url}/status"), None, None).1
        );
        rated_careful += careful.work(&agent, &oracle).await;
        rated_random += random.work(&agent, &oracle).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (_, status) = call(&agent, "GET", &format!("{validator_url}/status"), None, None);
        let scored = status["counts"]["scored"].as_u64().unwrap_or(0);
        if scored < 3 {
            continue;
        }
        let Some(weights) = weights_on_chain(&chain, validator_id).await else { continue };
        let neurons = chain.neurons(1).await.unwrap();
        let n1 = neurons.iter().find(|n| n.hotkey == m1).unwrap();
        let n2 = neurons.iter().find(|n| n.hotkey == m2).unwrap();
        if n1.incentive == 0 && n2.incentive == 0 {
            continue; // no epoch since the weights yet
        }
        break (weights, n1.clone(), n2.clone(), status);
    };
    let (weights, n1, n2, status) = verdict;
    let w = |uid: u16| weights.get(&uid).copied().unwrap_or(0);
    assert!(
        w(n1.uid) > w(n2.uid),
        "weights {weights:?} (miner1 uid {}, miner2 uid {}); {status}",
        n1.uid,
        n2.uid
    );
    assert!(n1.incentive > n2.incentive, "incentive {} vs {}", n1.incentive, n2.incentive);
    assert!(n1.emission > n2.emission, "emission {} vs {}", n1.emission, n2.emission);
    assert!(rated_careful >= 3 && rated_random >= 3, "{rated_careful} {rated_random}");

    // What the validator collected exports as a dataset (raw: one row per task with every
    // human's ratings and explanation).
    let dataset = path("dataset.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_taoplex"))
        .args([
            "dojo",
            "export",
            "--validator-db",
            &validator_db,
            "--format",
            "raw",
            "--out",
            &dataset,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = std::fs::read_to_string(&dataset).unwrap();
    assert!(rows.lines().count() >= 3, "{rows}");
    assert!(rows.contains("does everything the prompt asks"), "the careful rater's explanation");

    // Each miner's status page reports the tasks it forwarded and the scores it received.
    for miner in &miners {
        let (code, s) =
            call(&agent, "GET", &format!("{}/status.json", miner.url("http://")), None, None);
        assert_eq!(code, 200, "{s}");
        assert!(s.to_string().contains("forwarded"), "{s}");
    }
}
