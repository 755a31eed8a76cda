//! The axon/dendrite transport on loopback with real HTTP: the SDK 10.2 vector, the
//! Python-exact body hash, and every refusal with its status code. The blacklist reads a
//! metagraph loaded from an in-process localnet.

use std::sync::Arc;

use chain::{AccountId, Chain};
use dojo_transport::{
    Axon, AxonConfig, AxonServer, AxonTarget, BlacklistPolicy, Dendrite, ManualClock, Metagraph,
    MetagraphWatcher, Synapse, body_hash, fixed_metagraph, headers, request_message,
};
use localnet::LocalChain;
use localnet::genesis::{
    ChainParams, Genesis, GenesisAccount, GenesisNeuron, GenesisStake, GenesisSubnet,
};
use localnet::node::{BlockProduction, Node, NodeConfig};
use localnet::runtime::default_hyperparameters;
use serde_json::{Map, Value, json};
use tokio::sync::{Notify, mpsc};

pub(crate) const TAO: u64 = 1_000_000_000;
pub(crate) const NETUID: u16 = 1;
const NOW: u64 = 1_800_000_000_000_000_000;

pub(crate) fn kp(uri: &str) -> keys::Keypair {
    keys::Keypair::from_uri(uri).unwrap()
}

pub(crate) fn id(uri: &str) -> AccountId {
    AccountId::from(kp(uri).public())
}

pub(crate) const VALIDATOR: &str = "//Dojo//validator";
pub(crate) const MINER1: &str = "//Dojo//miner1";
pub(crate) const MINER2: &str = "//Dojo//miner2";
const SMALL: &str = "//Dojo//small";
const OWNER_HOT: &str = "//Dojo//owner";

/// Subnet 1: the owner's hotkey (UID 0), a validator with 50,000 α (UID 1), two miners
/// (UIDs 2, 3) and a validator with 10 α (UID 4). Tempo 10, rate limit 5, reveal period 3.
pub(crate) fn dojo_genesis(commit_reveal: bool) -> Genesis {
    let neuron = |uri: &str, cold: &str| GenesisNeuron {
        hotkey: id(uri),
        coldkey: id(cold),
        axon: None,
        registered_at: 10,
    };
    let hyperparameters = chain::Hyperparameters {
        tempo: 10,
        weights_rate_limit: 5,
        commit_reveal_enabled: commit_reveal,
        commit_reveal_period: 3,
        immunity_period: 100,
        activity_cutoff: 5000,
        ..default_hyperparameters()
    };
    Genesis {
        chain_name: "dojo test".into(),
        seed: 7,
        spec_version: 1,
        start_block: 1_000,
        timestamp_ms: 1_700_000_000_000,
        params: ChainParams::default(),
        accounts: ["//Alice", "//Bob", "//Dave", VALIDATOR, MINER1, MINER2, SMALL]
            .iter()
            .map(|u| GenesisAccount { account: id(u), free: 100_000 * TAO })
            .collect(),
        root_stakes: vec![],
        subnets: vec![GenesisSubnet {
            netuid: NETUID,
            identity: chain::SubnetIdentity {
                name: "dojo".into(),
                symbol: "α".into(),
                ..Default::default()
            },
            owner_coldkey: id("//Alice"),
            owner_hotkey: id(OWNER_HOT),
            registered_at: 10,
            first_emission_block: Some(20),
            tao_reserve: 10_000 * TAO,
            alpha_in: 100_000 * TAO,
            moving_price: 100_000_000,
            hyperparameters,
            neurons: vec![
                neuron(VALIDATOR, "//Bob"),
                neuron(MINER1, "//Dave"),
                neuron(MINER2, "//Dave"),
                neuron(SMALL, "//Bob"),
            ],
            stakes: vec![
                GenesisStake { coldkey: id("//Bob"), hotkey: id(VALIDATOR), amount: 50_000 * TAO },
                GenesisStake { coldkey: id("//Bob"), hotkey: id(SMALL), amount: 10 * TAO },
                GenesisStake { coldkey: id("//Alice"), hotkey: id(OWNER_HOT), amount: 1_000 * TAO },
            ],
        }],
        sim_accounts: vec![],
    }
}

pub(crate) fn start_node(genesis: &Genesis, production: BlockProduction) -> (Node, Arc<dyn Chain>) {
    let node = Node::start(
        genesis,
        NodeConfig {
            production,
            clock: Arc::new(localnet::node::ManualClock::new(0)),
            ..NodeConfig::default()
        },
    )
    .unwrap();
    let chain: Arc<dyn Chain> = Arc::new(LocalChain::new(node.handle()));
    (node, chain)
}

struct Harness {
    node: Node,
    server: AxonServer,
    target: AxonTarget,
    clock: Arc<ManualClock>,
    entered: mpsc::UnboundedReceiver<()>,
    release: Arc<Notify>,
}

fn echo(req: dojo_transport::SynapseRequest) -> dojo_transport::HandlerResult {
    let text = req.fields.get("text").and_then(Value::as_str).unwrap_or_default();
    let mut out = Map::new();
    out.insert("text".into(), json!(text.to_uppercase()));
    out.insert("caller_uid".into(), json!(req.caller_uid));
    Ok(out)
}

async fn harness(max_in_flight: usize) -> Harness {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Manual);
    let metagraph = Metagraph::load(chain.as_ref(), NETUID).await.unwrap();
    assert_eq!(metagraph.neurons.len(), 5);
    let (_keep, snapshot) = fixed_metagraph(metagraph);
    let clock = Arc::new(ManualClock::new(NOW));
    let config = AxonConfig {
        blacklist: BlacklistPolicy { min_stake: 1_000 * TAO, require_validator_permit: true },
        max_in_flight,
        ..AxonConfig::new(kp(MINER1))
    };
    let (entered_tx, entered) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    let gate = release.clone();
    let axon = Axon::new(config, snapshot, clock.clone())
        .route("Echo", ["text"], |req| async move { echo(req) })
        .route("Hang", Vec::<String>::new(), |_req| std::future::pending())
        .route("Gate", Vec::<String>::new(), move |_req| {
            let entered = entered_tx.clone();
            let gate = gate.clone();
            async move {
                let _ = entered.send(());
                gate.notified().await;
                Ok(Map::new())
            }
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = axon.serve(listener).unwrap();
    let target =
        AxonTarget { ip: "127.0.0.1".into(), port: server.addr().port(), hotkey: id(MINER1) };
    Harness { node, server, target, clock, entered, release }
}

fn dendrite(uri: &str, clock: &Arc<ManualClock>) -> Dendrite {
    Dendrite::new(kp(uri)).with_clock(clock.clone())
}

fn hello() -> Synapse {
    Synapse::new("Echo").field("text", json!("hello")).hash_fields(["text"])
}

#[test]
fn sdk_vector_echo_hello() {
    let syn = hello();
    let hash = syn.body_hash();
    assert_eq!(hash, "cd1ba9b9d9fae7c1e56ddf6aa2947ad2e0b83b96bd91dd4b67fc560e83589bad");
    assert_eq!(
        Synapse::new("Empty").body_hash(),
        "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"
    );
    let bottom = kp(keys::DEV_PHRASE);
    let abandon = kp(
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    );
    assert_eq!(abandon.ss58_address(), "5EPCUjPxiHAcNooYipQFWr9NmmXJKpNG5RhcntXwbtUySrgH");
    let d = Dendrite::new(bottom.clone()).with_uuid("11111111-2222-3333-4444-555555555555");
    let target = AxonTarget { ip: "127.0.0.1".into(), port: 8091, hotkey: abandon.public().into() };
    let req = d.prepare_with_nonce(&target, &syn, 1_700_000_000_000_000_000);
    let message = request_message(
        1_700_000_000_000_000_000,
        &bottom.ss58_address(),
        &abandon.ss58_address(),
        "11111111-2222-3333-4444-555555555555",
        &hash,
    );
    assert!(message.starts_with("1700000000000000000.5DfhGy"), "{message}");
    assert!(
        message.ends_with(
            "qRzV.5EPCUjPxiHAcNooYipQFWr9NmmXJKpNG5RhcntXwbtUySrgH.\
             11111111-2222-3333-4444-555555555555.\
             cd1ba9b9d9fae7c1e56ddf6aa2947ad2e0b83b96bd91dd4b67fc560e83589bad"
        ),
        "{message}"
    );
    assert_eq!(req.header(headers::DENDRITE_VERSION), Some("10002000"));
    assert_eq!(req.header(headers::DENDRITE_NONCE), Some("1700000000000000000"));
    assert_eq!(req.header(headers::COMPUTED_BODY_HASH), Some(hash.as_str()));
    assert_eq!(req.header(headers::TIMEOUT), Some("12.0"));
    assert_eq!(req.header(headers::NAME), Some("Echo"));
    assert_eq!(req.header("bt_header_input_obj_text"), Some("IiI=")); // base64 of ""
    assert_eq!(req.url, "http://127.0.0.1:8091/Echo");
    // Signatures are randomized: verify, don't compare.
    let sig = req.header(headers::DENDRITE_SIGNATURE).unwrap();
    assert!(sig.starts_with("0x") && sig.len() == 130);
    let sig = dojo_transport::parse_signature(sig).unwrap();
    assert!(bottom.public().verify(message.as_bytes(), &sig));
    assert!(!abandon.public().verify(message.as_bytes(), &sig));
}

#[test]
fn python_exact_hash_on_tricky_values() {
    // Expected values computed by CPython 3: sha3(concat(sha3(str(v)))).
    let cases: [(&str, Value, &str); 7] = [
        (
            "nested",
            json!([["a", ["b", ["c"]], []]]),
            "5434cbf78bb32b33d0f141b189ef777e73c974d434f1c32face26b90b1a151ad",
        ),
        (
            "quotes",
            json!(["it's", ["it's", "say \"hi\"", "both ' and \"", "back\\slash\nnew"]]),
            "7d84af0bc51a358bcf42d7a1db97c007be1eec59965c7e9e829e3a51960e0f39",
        ),
        (
            "bools",
            json!([true, [true, false, null]]),
            "7d86303cecbf5bef93fe3ee03ca8ea13c514d9b28b39f7d990669b72d1fb96ad",
        ),
        (
            "floats",
            json!([0.1, 1e-7, [0.1, 1e-7, 1.0, 1e16, 2.5, -0.0]]),
            "7162ee1e116dbfa3457be0965cfd611f69313067694aa0b559915d2df4096674",
        ),
        (
            "ints",
            json!([42, [1, -2, 1_000_000_000_000_000_000u64]]),
            "b611f9b2e99581f4c2d8a3cc4b80b3b2c7ed2417669fc804b4196d1e46e1d7e1",
        ),
        (
            "unicode",
            json!(["héllo 世界 🎉", ["héllo", "世界", "🎉", "\u{a0}", "\u{7}"]]),
            "b8d49d171b0b70aaa5716b401fe383a99f6f3b11ba20f80e8c62f9f6080bbfbc",
        ),
        (
            "dict",
            json!([{"a": [1, "x"], "b": {"c": null}}]),
            "97151d5358bd53899cb178c946b7766e1ba344a315266d829d06a8393235caab",
        ),
    ];
    for (name, values, want) in cases {
        let values = values.as_array().unwrap();
        let mut body = Map::new();
        let mut fields = Vec::new();
        for (i, v) in values.iter().enumerate() {
            body.insert(format!("f{i}"), v.clone());
            fields.push(format!("f{i}"));
        }
        assert_eq!(body_hash(&body, &fields), want, "{name}");
    }
    assert_eq!(
        dojo_transport::pystr::python_str(&json!(["it's", "say \"hi\"", "both ' and \""])),
        r#"["it's", 'say "hi"', 'both \' and "']"#
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_request_round_trips() {
    let h = harness(8).await;
    let d = dendrite(VALIDATOR, &h.clock);
    let resp = d.call(&h.target, &hello()).await.unwrap();
    assert_eq!(resp.status, 200, "{resp:?}");
    assert_eq!(resp.axon.status_code, Some(200));
    assert_eq!(resp.axon.status_message.as_deref(), Some("Success"));
    assert_eq!(resp.axon.version, Some(10_002_000));
    assert_eq!(resp.axon.nonce, Some(NOW));
    assert!(resp.axon.process_time.is_some());
    assert_eq!(resp.body["text"], "HELLO");
    assert_eq!(resp.body["caller_uid"], 1);
    assert!(resp.verify_axon_signature(&id(VALIDATOR), &id(MINER1)));
    assert!(!resp.verify_axon_signature(&id(VALIDATOR), &id(MINER2)));
    // A second request from the same dendrite has a newer nonce and passes.
    assert_eq!(d.call(&h.target, &hello()).await.unwrap().status, 200);
    h.server.shutdown().await;
    h.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_carry_the_sdk_status_codes() {
    let h = harness(8).await;
    let validator = dendrite(VALIDATOR, &h.clock);
    let msg =
        |r: &dojo_transport::SynapseResponse| r.axon.status_message.clone().unwrap_or_default();

    // Wrong key: signed by //Eve, claiming to be the validator.
    let mut req = dendrite("//Eve", &h.clock).prepare(&h.target, &hello());
    req.set_header(headers::DENDRITE_HOTKEY, id(VALIDATOR).to_ss58());
    let r = validator.send(req).await.unwrap();
    assert_eq!(r.status, 401, "{r:?}");
    assert!(msg(&r).contains("signature"), "{}", msg(&r));

    // Addressed to another axon's hotkey: the signature does not cover this axon.
    let other = AxonTarget { hotkey: id(MINER2), ..h.target.clone() };
    let r = validator.send(validator.prepare(&other, &hello())).await.unwrap();
    assert_eq!(r.status, 401);

    // Tampered body, original hash header: the recomputed hash differs.
    let mut req = validator.prepare(&h.target, &hello());
    req.body = req.body.replace("hello", "HACKED");
    let r = validator.send(req).await.unwrap();
    assert_eq!(r.status, 401);
    assert!(msg(&r).contains("body hash mismatch"), "{}", msg(&r));

    // Tampered body with a matching hash header: the signature no longer covers it.
    let mut req = validator.prepare(&h.target, &hello());
    req.body = req.body.replace("hello", "HACKED");
    let forged = Synapse::new("Echo").field("text", json!("HACKED")).hash_fields(["text"]);
    req.set_header(headers::COMPUTED_BODY_HASH, forged.body_hash());
    let r = validator.send(req).await.unwrap();
    assert_eq!(r.status, 401);
    assert!(msg(&r).contains("signature"), "{}", msg(&r));

    // Stale nonce: older than now − (4 s + 12 s timeout), from a fresh uuid.
    let stale_clock = Arc::new(ManualClock::new(NOW - 16_000_000_001));
    let r = dendrite(VALIDATOR, &stale_clock).call(&h.target, &hello()).await.unwrap();
    assert_eq!(r.status, 401);
    assert!(msg(&r).contains("too old"), "{}", msg(&r));
    // Just inside the window it passes.
    let fresh_clock = Arc::new(ManualClock::new(NOW - 15_999_999_999));
    let r = dendrite(VALIDATOR, &fresh_clock).call(&h.target, &hello()).await.unwrap();
    assert_eq!(r.status, 200);

    // The unsigned timeout header cannot widen the window past the axon's cap (60 s).
    let old_clock = Arc::new(ManualClock::new(NOW - 100_000_000_000));
    let slow = hello().timeout(1_000.0);
    let r = dendrite(VALIDATOR, &old_clock).call(&h.target, &slow).await.unwrap();
    assert_eq!(r.status, 401);
    assert!(msg(&r).contains("too old"), "{}", msg(&r));

    // Repeated nonce: the same signed request twice; then an older nonce.
    let d = dendrite(VALIDATOR, &h.clock);
    let req = d.prepare_with_nonce(&h.target, &hello(), NOW + 10);
    assert_eq!(d.send(req.clone()).await.unwrap().status, 200);
    let r = d.send(req).await.unwrap();
    assert_eq!(r.status, 401);
    assert!(msg(&r).contains("not newer"), "{}", msg(&r));
    let older = d.prepare_with_nonce(&h.target, &hello(), NOW + 5);
    assert_eq!(d.send(older).await.unwrap().status, 401);

    // Unregistered caller.
    let r = dendrite("//Eve", &h.clock).call(&h.target, &hello()).await.unwrap();
    assert_eq!(r.status, 403);
    assert!(msg(&r).contains("not registered"), "{}", msg(&r));

    // Under-staked caller (10 α < 1,000 α).
    let r = dendrite(SMALL, &h.clock).call(&h.target, &hello()).await.unwrap();
    assert_eq!(r.status, 403);
    assert!(msg(&r).contains("below"), "{}", msg(&r));

    // A registered miner without a validator permit.
    let r = dendrite(MINER2, &h.clock).call(&h.target, &hello()).await.unwrap();
    assert_eq!(r.status, 403);

    // Unknown route.
    let r = validator.call(&h.target, &Synapse::new("Nope")).await.unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(r.axon.status_code, Some(404));

    // Unparseable headers.
    let mut req = validator.prepare(&h.target, &hello());
    req.set_header(headers::DENDRITE_SIGNATURE, "0x1234");
    assert_eq!(validator.send(req).await.unwrap().status, 400);
    let mut req = validator.prepare(&h.target, &hello());
    req.set_header(headers::DENDRITE_NONCE, "soon");
    assert_eq!(validator.send(req).await.unwrap().status, 400);

    // Timeout: a handler that never answers, with a 0.2 s timeout.
    let r = validator.call(&h.target, &Synapse::new("Hang").timeout(0.2)).await.unwrap();
    assert_eq!(r.status, 408);

    // The good request still works after all that.
    assert_eq!(validator.call(&h.target, &hello()).await.unwrap().status, 200);
    h.server.shutdown().await;
    h.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_axon_answers_503() {
    let mut h = harness(1).await;
    let d = Arc::new(dendrite(VALIDATOR, &h.clock));
    let first = {
        let d = d.clone();
        let target = h.target.clone();
        tokio::spawn(async move { d.call(&target, &Synapse::new("Gate")).await.unwrap() })
    };
    h.entered.recv().await.unwrap();
    let r = d.call(&h.target, &hello()).await.unwrap();
    assert_eq!(r.status, 503);
    h.release.notify_one();
    assert_eq!(first.await.unwrap().status, 200);
    assert_eq!(d.call(&h.target, &hello()).await.unwrap().status, 200);
    h.server.shutdown().await;
    h.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metagraph_watcher_follows_the_chain_and_shuts_down() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Manual);
    let watcher = MetagraphWatcher::spawn(chain.clone(), NETUID, 2).await.unwrap();
    let mut snapshot = watcher.snapshot();
    let first = snapshot.borrow_and_update().block;
    assert_eq!(first, 1_000);
    assert!(snapshot.borrow().get(&id(VALIDATOR)).is_some_and(|e| e.validator_permit));
    assert!(snapshot.borrow().get(&id("//Eve")).is_none());
    node.handle().fast_forward(3).await.unwrap();
    snapshot.changed().await.unwrap();
    assert!(snapshot.borrow().block >= 1_002);
    watcher.shutdown().await;
    node.shutdown().await;
}
