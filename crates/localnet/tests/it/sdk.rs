//! The official `bittensor` Python SDK (11.3.0, pinned in `.ci/requirements-sdk.txt`) reading
//! a localnet node through Substrate's JSON-RPC alone: it connects (metadata V15, token
//! symbols), lists every subnet, prices and pools, identities, neurons, balances, stakes,
//! quotes and metagraphs, and all of it equals what localnet's own `Chain` views say, to the rao.
//! Then it trades (`sdk_writes.py`): a transfer, limit buys and sells signed and submitted by the
//! SDK, checked against the chain afterwards.
//!
//! One Python process does every read (`sdk_reads.py` beside this file; the SDK is slow to
//! import) and prints them as JSON; the interpreter is `TAOPLEX_PYTHON` (`.ci/setup-python`).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use chain::{AccountId, AxonInfo, Call, Chain, NetUid, Side, SubnetInfo, SwapOutcome, Tao};
use localnet::genesis::{Genesis, GenesisNeuron, GenesisStake};
use localnet::node::BlockProduction;
use localnet::rpc::{RpcConfig, RpcServer};
use localnet::{LocalChain, Node, NodeConfig};
use serde_json::{Value, json};
use test_support::genesis::{TAO, id, pool_subnet, treasury_genesis};

use crate::node::{instant_final, serve, sign};

/// Root stake of SN1's owner hotkey, TAO rao: the metagraph's `tao_stake`.
const ROOT_STAKE: u64 = 2_000 * TAO;

/// Three subnets (one without a name, so without an identity), SN1 with two miners serving
/// axons, Alice staked on SN1 and SN2, SN1's owner hotkey staked on root.
pub(crate) fn sdk_genesis() -> Genesis {
    let mut genesis = treasury_genesis(
        "sdk",
        11,
        100,
        1_764_000_000_000,
        &[("//Alice", 1_000 * TAO), ("//Bob", 500 * TAO)],
        vec![
            pool_subnet(1, "Apex", "α", 1_000 * TAO, 100_000 * TAO),
            pool_subnet(2, "Omron", "β", 400 * TAO, 80_000 * TAO),
            pool_subnet(3, "", "γ", 90 * TAO, 30_000 * TAO),
        ],
    );
    let axon = |ip: &str, ip_type| AxonInfo {
        ip: ip.into(),
        port: 8091,
        ip_type,
        protocol: 4,
        version: 9_001,
    };
    let sn1 = &mut genesis.subnets[0];
    sn1.neurons.push(GenesisNeuron {
        hotkey: id("//Miner1"),
        coldkey: id("//Bob"),
        axon: Some(axon("203.0.113.7", 4)),
        registered_at: 50,
    });
    sn1.neurons.push(GenesisNeuron {
        hotkey: id("//Miner2"),
        coldkey: id("//Alice"),
        axon: Some(axon("2001:db8::7", 6)),
        registered_at: 60,
    });
    sn1.stakes.push(GenesisStake {
        coldkey: id("//Alice"),
        hotkey: id("//Owner1//hot"),
        amount: 300 * TAO,
    });
    genesis.subnets[1].stakes.push(GenesisStake {
        coldkey: id("//Alice"),
        hotkey: id("//Owner2//hot"),
        amount: 70 * TAO,
    });
    // Root stake is TAO: the treasury holds that much less, so issuance stays 21M.
    genesis.accounts[0].free -= ROOT_STAKE;
    genesis.root_stakes.push(GenesisStake {
        coldkey: id("//Owner1"),
        hotkey: id("//Owner1//hot"),
        amount: ROOT_STAKE,
    });
    genesis
}

/// Runs `sdk_reads.py` against `url` and returns its JSON.
fn sdk_reads(python: &str, url: &str, request: &Value) -> Value {
    sdk_script("sdk_reads.py", python, url, request)
}

/// Runs the SDK script `name` (beside this file) against `url` and returns its JSON. The SDK
/// caches metadata and token symbols under `$HOME/.bittensor`, keyed by genesis hash and spec
/// version, which localnet keeps across builds whose metadata differ: each run gets a fresh
/// home.
fn sdk_script(name: &str, python: &str, url: &str, request: &Value) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it").join(name);
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(python)
        .arg(&script)
        .arg(url)
        .arg(request.to_string())
        .env("HOME", home.path())
        .env("BITTENSOR_RUNTIME_CACHE_DIR", home.path().join("runtime-cache"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name} failed: {}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("not JSON ({e}): {last}"))
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a u64: {v}"))
}

fn ss58(who: &AccountId) -> Value {
    json!(who.to_ss58())
}

/// The runtime's `SimSwapResult` for a localnet quote: the input side gross (into the pool plus
/// the fee, charged in the input token), the output, and the slippage against the spot price
/// before the trade.
fn sim_swap(q: &SwapOutcome) -> Value {
    let (gross, spot) = (q.delta_in + q.fee, q.spot_before_bits);
    match q.side {
        Side::Buy => {
            let at_spot = u64::try_from((u128::from(q.delta_in) << 64) / spot).unwrap();
            json!({"tao": gross, "alpha": q.amount_out, "tao_fee": q.fee, "alpha_fee": 0,
                   "tao_slippage": 0, "alpha_slippage": at_spot - q.amount_out})
        }
        Side::Sell => {
            let at_spot = u64::try_from((u128::from(q.delta_in) * spot) >> 64).unwrap();
            json!({"tao": q.amount_out, "alpha": gross, "tao_fee": 0, "alpha_fee": q.fee,
                   "tao_slippage": at_spot - q.amount_out, "alpha_slippage": 0})
        }
    }
}

/// An axon as the SDK shows it: `ip:port`, IPv6 in brackets.
fn endpoint(a: &AxonInfo) -> String {
    if a.ip_type == 6 { format!("[{}]:{}", a.ip, a.port) } else { format!("{}:{}", a.ip, a.port) }
}

/// SN`netuid`'s metagraph as the SDK read it equals localnet's subnet and neurons.
async fn agree_on_metagraph(chain: &dyn Chain, sdk: &Value, s: &SubnetInfo, head: u64) {
    let netuid = s.netuid;
    let h = &s.hyperparameters;
    let at = format!("SN{netuid}'s metagraph");
    assert_eq!(u(&sdk["netuid"]), u64::from(netuid), "{at}");
    assert_eq!(sdk["name"], s.identity.name, "{at}");
    assert_eq!(sdk["symbol"], s.identity.symbol, "{at}");
    assert_eq!(u(&sdk["block"]), head, "{at}");
    assert_eq!(u(&sdk["tempo"]), u64::from(h.tempo), "{at}");
    assert_eq!(u(&sdk["last_step"]), s.last_epoch_block, "{at}");
    assert_eq!(u(&sdk["blocks_since_last_step"]), head - s.last_epoch_block, "{at}");
    assert_eq!(sdk["owner_hotkey"], ss58(&s.owner_hotkey), "{at}");
    assert_eq!(sdk["owner_coldkey"], ss58(&s.owner_coldkey), "{at}");
    assert_eq!(u(&sdk["network_registered_at"]), s.registered_at, "{at}");
    assert_eq!(u(&sdk["num_uids"]), u64::from(s.neuron_count), "{at}");
    assert_eq!(u(&sdk["max_uids"]), u64::from(h.max_allowed_uids), "{at}");
    assert_eq!(
        (u(&sdk["tao_in"]), u(&sdk["alpha_in"]), u(&sdk["alpha_out"])),
        (s.pool.tao_reserve, s.pool.alpha_in, s.pool.alpha_out),
        "{at}: the pool"
    );
    assert_eq!(u128::from(u(&sdk["subnet_volume"])), s.pool.volume, "{at}");
    assert_eq!(
        (u(&sdk["burn"]), u(&sdk["min_burn"]), u(&sdk["max_burn"])),
        (h.burn, h.min_burn, h.max_burn),
        "{at}: burns"
    );
    assert_eq!(
        (
            u(&sdk["kappa"]),
            u(&sdk["immunity_period"]),
            u(&sdk["activity_cutoff"]),
            u(&sdk["max_validators"]),
            u(&sdk["weights_rate_limit"]),
            sdk["commit_reveal_weights_enabled"].as_bool(),
            u(&sdk["commit_reveal_period"]),
            sdk["registration_allowed"].as_bool(),
        ),
        (
            u64::from(h.kappa),
            u64::from(h.immunity_period),
            u64::from(h.activity_cutoff),
            u64::from(h.max_allowed_validators),
            h.weights_rate_limit,
            Some(h.commit_reveal_enabled),
            h.commit_reveal_period,
            Some(h.registration_allowed),
        ),
        "{at}: hyperparameters"
    );
    // I96F32 bits; the view's moving price is the same number in rao, floored.
    let bits = u128::from(u(&sdk["moving_price_bits"]));
    assert_eq!(u64::try_from((bits * u128::from(TAO)) >> 32).unwrap(), s.pool.moving_price, "{at}");
    if s.identity.name.is_empty() {
        assert_eq!(sdk["identity"], Value::Null, "{at}: no identity without a name");
    } else {
        assert_eq!(sdk["identity"]["subnet_name"], s.identity.name, "{at}");
    }

    let neurons = chain.neurons(netuid).await.unwrap();
    let rows = sdk["neurons"].as_array().unwrap();
    assert_eq!(rows.len(), neurons.len(), "{at}: neurons");
    let root = chain.subnets().await.unwrap();
    let tao_weight = localnet::genesis::ChainParams::default().tao_weight;
    for (i, (row, n)) in rows.iter().zip(&neurons).enumerate() {
        let at = format!("{at}, UID {}", n.uid);
        assert_eq!(u(&row["uid"]), u64::from(n.uid), "{at}");
        assert_eq!(row["hotkey"], ss58(&n.hotkey), "{at}");
        assert_eq!(row["coldkey"], ss58(&n.coldkey), "{at}");
        assert_eq!(row["active"], true, "{at}");
        assert_eq!(row["validator_permit"], n.validator_permit, "{at}");
        assert_eq!(u(&row["last_update"]), n.last_update, "{at}");
        assert_eq!(u(&row["block_at_registration"]), n.registered_at, "{at}");
        assert_eq!(u(&row["emission"]), n.emission, "{at}");
        assert_eq!(u(&row["alpha_stake"]), n.stake, "{at}");
        assert_eq!(
            row["axon"],
            n.axon.as_ref().map_or(Value::Null, |a| json!(endpoint(a))),
            "{at}"
        );
        assert_eq!(u(&sdk["incentives"][i]), u64::from(n.incentive), "{at}");
        assert_eq!(u(&sdk["dividends"][i]), u64::from(n.dividends), "{at}");
        assert_eq!(u(&sdk["consensus"][i]), u64::from(n.consensus), "{at}");
        let tao = if n.hotkey == id("//Owner1//hot") { ROOT_STAKE } else { 0 };
        assert_eq!(u(&row["tao_stake"]), tao, "{at}: stake on root");
        let total = dtao::yuma::stake_weight(n.stake, tao, tao_weight).saturating_to_num::<u64>();
        assert_eq!(u(&row["total_stake"]), total, "{at}: alpha + TAO × TAO weight");
    }
    assert!(root.iter().any(|r| r.netuid == 0), "root is a subnet");
}

/// Everything the SDK read (`sdk`, for `request`) equals localnet's views.
async fn agree(chain: &dyn Chain, sdk: &Value, request: &Value) {
    let header = chain.header(chain::BlockId::Head).await.unwrap();
    let head = header.number;
    assert_eq!(u(&sdk["block"]), head);
    assert_eq!(u(&sdk["timestamp_ms"]), header.timestamp_ms, "Timestamp.Now");
    assert_eq!(sdk["block_time"], json!(0.25), "Aura.SlotDuration, the node's block time");
    assert_eq!(sdk["fast_blocks"], json!(true));
    assert_eq!(
        u(&sdk["existential_deposit"]),
        localnet::substrate::metadata::EXISTENTIAL_DEPOSIT,
        "Balances.ExistentialDeposit"
    );
    let subnets = chain.subnets().await.unwrap();
    assert!(subnets.len() >= 4, "root and three subnets: {subnets:?}");

    // subnets(): every subnet, root included, from four storage maps.
    let listed: Vec<Value> = subnets
        .iter()
        .map(|s| {
            json!({"netuid": s.netuid, "tempo": s.hyperparameters.tempo,
                   "burn": s.hyperparameters.burn, "neuron_count": s.neuron_count})
        })
        .collect();
    assert_eq!(sdk["subnets"], json!(listed), "subnets()");
    for s in &subnets {
        let n = s.netuid.to_string();
        let at = format!("SN{n}");
        assert_eq!(u(&sdk["alpha_price_rao"][&n]), s.pool.price, "{at}: alpha_price");
        assert_eq!(
            sdk["alpha_prices"][&n].as_f64(),
            Some(s.pool.price as f64 / TAO as f64),
            "{at}: alpha_prices"
        );
        assert_eq!(sdk["token_symbols"][&n], s.identity.symbol, "{at}: the token symbol");
        assert_eq!(
            sdk["pool_storage"][&n],
            json!([s.pool.tao_reserve, s.pool.alpha_in]),
            "{at}: SubnetTAO and SubnetAlphaIn"
        );
    }
    for s in &subnets {
        let n = s.netuid.to_string();
        let id = &s.identity;
        let (name, identity) = if id.name.is_empty() {
            (Value::Null, Value::Null)
        } else {
            (
                json!(id.name),
                json!({"subnet_name": id.name, "github_repo": id.github, "subnet_contact": "",
                       "subnet_url": id.url, "discord": "", "description": id.description,
                       "logo_url": id.logo_url, "additional": ""}),
            )
        };
        assert_eq!(sdk["subnet_names"].get(&n).cloned().unwrap_or(Value::Null), name, "SN{n}");
        assert_eq!(sdk["subnet_identities"][&n], identity, "SN{n}'s identity");
        let neurons: Vec<Value> = chain
            .neurons(s.netuid)
            .await
            .unwrap()
            .iter()
            .map(|x| {
                json!({"uid": x.uid, "hotkey": ss58(&x.hotkey), "coldkey": ss58(&x.coldkey),
                       "validator_permit": x.validator_permit, "last_update": x.last_update,
                       "total_stake": x.stake})
            })
            .collect();
        assert_eq!(sdk["neurons"][&n], json!(neurons), "SN{n}'s neurons (get_neurons_lite)");
    }
    let pools: Vec<Value> = subnets
        .iter()
        .map(|s| {
            let moving = sdk["metagraphs"][s.netuid.to_string()]["moving_price_bits"].clone();
            json!({
                "netuid": s.netuid, "name": s.identity.name, "symbol": s.identity.symbol,
                "tao_in": s.pool.tao_reserve, "alpha_in": s.pool.alpha_in,
                "alpha_out": s.pool.alpha_out, "subnet_volume": s.pool.volume,
                "moving_price_bits": moving, "owner_coldkey": ss58(&s.owner_coldkey),
                "owner_hotkey": ss58(&s.owner_hotkey), "tempo": s.hyperparameters.tempo,
            })
        })
        .collect();
    assert_eq!(sdk["pools"], json!(pools), "get_all_dynamic_info");

    for ck in request["coldkeys"].as_array().unwrap() {
        let who: AccountId = ck.as_str().unwrap().parse().unwrap();
        let free = chain.account(who).await.unwrap().free;
        assert_eq!(u(&sdk["balances"][ck.as_str().unwrap()]), free, "{ck}'s balance");
        assert_eq!(u(&sdk["balances_batch"][ck.as_str().unwrap()]), free, "{ck}'s balance");
        let mut stakes = Vec::new();
        for st in chain.stakes(who).await.unwrap() {
            let neurons = chain.neurons(st.netuid).await.unwrap();
            stakes.push(json!({
                "hotkey": ss58(&st.hotkey), "coldkey": ss58(&st.coldkey), "netuid": st.netuid,
                "stake": st.alpha, "is_registered": neurons.iter().any(|n| n.hotkey == st.hotkey),
            }));
        }
        assert_eq!(sdk["stakes"][ck.as_str().unwrap()], json!(stakes), "{ck}'s stakes");
    }
    for (i, q) in request["stakes"].as_array().unwrap().iter().enumerate() {
        let who: AccountId = q[0].as_str().unwrap().parse().unwrap();
        let hotkey: AccountId = q[1].as_str().unwrap().parse().unwrap();
        let netuid = u16::try_from(u(&q[2])).unwrap();
        let held = chain.stakes(who).await.unwrap();
        let alpha =
            held.iter().find(|s| s.hotkey == hotkey && s.netuid == netuid).map_or(0, |s| s.alpha);
        assert_eq!(u(&sdk["stake"][i]), alpha, "stake {q}");
    }

    for (q, got) in
        request["quotes"].as_array().unwrap().iter().zip(sdk["quotes"].as_array().unwrap())
    {
        let netuid: NetUid = u16::try_from(u(&q[0])).unwrap();
        let side = if q[1] == "stake" { Side::Buy } else { Side::Sell };
        let requested = u(&got["requested"]);
        let local = chain.quote(netuid, side, requested).await.unwrap();
        assert!(local.amount_out > 0, "{q}: {local:?}");
        let mut expected = sim_swap(&local);
        expected["requested"] = json!(requested);
        assert_eq!(*got, expected, "quote {q}");
    }

    for s in &subnets {
        agree_on_metagraph(chain, &sdk["metagraphs"][s.netuid.to_string()], s, head).await;
    }
    assert_eq!(sdk["metagraphs"]["99"], Value::Null, "no SN99: no metagraph");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bittensor_sdk_reads_localnet_as_localnet_does() {
    let Some(python) = test_support::require(test_support::Tool::Python) else { return };
    let genesis = sdk_genesis();
    // Blocks 250 ms apart, Subtensor's "fast blocks": the SDK reads the node's block time.
    let config = NodeConfig {
        production: BlockProduction::Manual,
        block_time: std::time::Duration::from_millis(250),
        ..NodeConfig::default()
    };
    let node = Node::start(&genesis, config).unwrap();
    let handle = node.handle();
    // Trades first, so pools, volumes and balances are not the genesis values.
    let ctx = handle.signing_context();
    let birth = handle.head().number;
    for (uri, nonce, call) in [
        (
            "//Alice",
            0,
            Call::AddStake {
                hotkey: id("//Owner1//hot"),
                netuid: 1,
                amount_staked: Tao::from_rao(25 * TAO),
            },
        ),
        (
            "//Bob",
            0,
            Call::AddStake {
                hotkey: id("//Owner3//hot"),
                netuid: 3,
                amount_staked: Tao::from_rao(7 * TAO),
            },
        ),
    ] {
        handle.submit(sign(uri, call, nonce, birth, &ctx)).await.unwrap();
    }
    handle.produce_block().await.unwrap();
    handle.produce_block().await.unwrap();

    let rpc = RpcConfig { addr: "127.0.0.1:0".parse().unwrap(), ..RpcConfig::default() };
    let server = RpcServer::start(handle.clone(), rpc).await.unwrap();
    let chain: Arc<dyn Chain> = Arc::new(LocalChain::new(handle));
    let who = |uri: &str| id(uri).to_ss58();
    let request = json!({
        "coldkeys": [who("//Alice"), who("//Bob"), who("//Owner1"), who("//Nobody")],
        "stakes": [[who("//Alice"), who("//Owner1//hot"), 1], [who("//Bob"), who("//Owner1//hot"), 1]],
        "quotes": [[1, "stake", "0.001"], [1, "stake", "3"], [2, "stake", "250"],
                   [1, "unstake", "0.1"], [2, "unstake", "40"], [3, "unstake", "9000"]],
        "metagraphs": [0, 1, 2, 3, 99],
    });
    let sdk = sdk_reads(&python, &server.ws_url(), &request);
    agree(chain.as_ref(), &sdk, &request).await;

    server.shutdown().await;
    node.shutdown().await;
}

/// Writes: the SDK signs and submits Subtensor v4 extrinsics to localnet — a transfer, a
/// fill-or-kill limit buy, a partial limit sell, a MEV-shielded stake, and a buy whose limit is
/// below the price —
/// and waits for finality. What it reports, and the state afterwards, equal what localnet's
/// own quotes and views say, to the rao.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bittensor_sdk_trades_on_localnet() {
    let Some(python) = test_support::require(test_support::Tool::Python) else { return };
    let genesis = sdk_genesis();
    let (node, server) = serve(&genesis, instant_final()).await;
    let handle = node.handle();
    let chain: Arc<dyn Chain> = Arc::new(LocalChain::new(handle.clone()));
    let (alice, hot) = (id("//Alice"), id("//Owner2//hot"));
    let held_before = staked(chain.as_ref(), alice, hot, 2).await;
    let free_before = chain.account(alice).await.unwrap().free;
    let buy = chain.quote(2, Side::Buy, 20 * TAO).await.unwrap();
    let spot = chain.subnet(2).await.unwrap().pool.price;
    let shielded_hot = id("//Owner1//hot");
    let shielded_before = staked(chain.as_ref(), alice, shielded_hot, 1).await;
    let request = json!({
        "signer": "//Alice",
        "dest": id("//Charlie").to_ss58(),
        "transfer_rao": 3 * TAO,
        "hotkey": hot.to_ss58(),
        "netuid": 2,
        "stake_rao": 20 * TAO,
        "buy_limit_rao": spot * 2,
        "unstake_rao": buy.amount_out / 2,
        "sell_limit_rao": 1,
        "refused_limit_rao": spot / 2,
        "shielded_hotkey": shielded_hot.to_ss58(),
        "shielded_netuid": 1,
        "shielded_rao": 5 * TAO,
        "owner": "//Owner3",
        "identity_netuid": 3,
        "identity_name": "Gamma",
    });
    // SN3's owner pays the identity's fee.
    let ctx = handle.signing_context();
    let fund = Call::Transfer { dest: id("//Owner3"), amount: Tao::from_rao(TAO) };
    handle.submit(sign("//Bob", fund, 0, handle.head().number, &ctx)).await.unwrap();
    let before = chain.subnet(3).await.unwrap().identity;
    assert_eq!((before.name.as_str(), before.symbol.as_str()), ("", "γ"), "unnamed, with a glyph");
    let sdk = sdk_script("sdk_writes.py", &python, &server.ws_url(), &request);

    for step in ["transfer", "buy", "sell", "shielded"] {
        assert_eq!(sdk[step]["success"], json!(true), "{step}: {sdk}");
    }
    assert_eq!(sdk["refused"]["success"], json!(false), "{sdk}");
    assert!(
        sdk["refused"]["error"].as_str().is_some_and(|e| e.contains("SlippageTooHigh")),
        "the pool refused the fill-or-kill buy by name: {sdk}"
    );
    assert_eq!(chain.account(id("//Charlie")).await.unwrap().free, 3 * TAO);

    // Every step is in a finalized block, with the fee the SDK reported charged.
    let mut fees = 0;
    for step in ["transfer", "buy", "sell"] {
        let hash: chain::Hash = serde_json::from_value(sdk[step]["block_hash"].clone())
            .unwrap_or_else(|e| panic!("{step}: {e}: {sdk}"));
        let block = chain.block(chain::BlockId::Hash(hash)).await.unwrap();
        let x = block.extrinsics.iter().find(|x| x.signer == alice).expect("Alice's extrinsic");
        assert_eq!(x.result, Ok(()), "{step}");
        assert_eq!(sdk[step]["fee"], json!(x.fee), "{step}: the fee the SDK reported");
        fees += x.fee;
    }
    // The identity the owner set through the SDK, in localnet's state and as the SDK reads it
    // back; the subnet keeps its symbol (Subtensor's form carries none).
    assert_eq!(sdk["identity_set"]["success"], json!(true), "{sdk}");
    let named = chain.subnet(3).await.unwrap().identity;
    let expected = chain::SubnetIdentity {
        name: "Gamma".into(),
        symbol: "γ".into(),
        description: "Gamma, named through the SDK.".into(),
        url: "https://gamma.example".into(),
        github: "https://github.com/example/gamma".into(),
        logo_url: String::new(),
    };
    assert_eq!(named, expected);
    assert_eq!(sdk["identity"]["subnet_name"], json!("Gamma"), "{sdk}");
    assert_eq!(sdk["identity"]["github_repo"], json!(expected.github), "{sdk}");

    // The shielded stake: the SDK's wrapper (nonce 3) and, right after it in the same block,
    // the stake it carried (nonce 4), decrypted by the node; the SDK reports the stake's own
    // receipt. The alpha credited is the StakeAdded event's.
    let hash: chain::Hash = serde_json::from_value(sdk["shielded"]["block_hash"].clone())
        .unwrap_or_else(|e| panic!("shielded: {e}: {sdk}"));
    let block = chain.block(chain::BlockId::Hash(hash)).await.unwrap();
    let mine: Vec<_> = block.extrinsics.iter().filter(|x| x.signer == alice).collect();
    let [wrapper, stake] = mine[..] else {
        panic!("a wrapper and its stake: {:?}", block.extrinsics)
    };
    assert!(matches!(wrapper.call, Call::SubmitEncrypted { .. }), "{:?}", wrapper.call);
    assert_eq!((wrapper.nonce, stake.nonce, stake.index), (3, 4, wrapper.index + 1));
    assert!(
        matches!(stake.call, Call::AddStakeLimit { netuid: 1, hotkey, amount_staked, .. }
            if hotkey == shielded_hot && amount_staked.rao() == 5 * TAO),
        "{:?}",
        stake.call
    );
    assert_eq!(stake.result, Ok(()));
    assert_eq!(sdk["shielded"]["fee"], json!(stake.fee), "the stake's own fee: {sdk}");
    let credited = block.events.iter().find_map(|e| match e.event {
        chain::Event::StakeAdded { coldkey, alpha, netuid: 1, .. } if coldkey == alice => {
            Some(alpha)
        }
        _ => None,
    });
    let shielded_after = staked(chain.as_ref(), alice, shielded_hot, 1).await;
    assert_eq!(credited, Some(shielded_after - shielded_before));
    fees += wrapper.fee + stake.fee;

    // The buy filled exactly as quoted before it; the sell left the other half staked.
    let after = staked(chain.as_ref(), alice, hot, 2).await;
    assert_eq!(after, held_before + buy.amount_out - buy.amount_out / 2, "{sdk}");
    assert_eq!(u(&sdk["stake_after"]), after, "the SDK reads the stake it left");
    let free = chain.account(alice).await.unwrap();
    let sold = sold_tao(chain.as_ref(), alice).await;
    assert_eq!(free.free, free_before - 3 * TAO - 20 * TAO - 5 * TAO - fees + sold, "{sdk}");
    assert_eq!(u(&sdk["balance_after"]), free.free);
    assert_eq!(free.nonce, 5, "five included; the refused one used no nonce");

    server.shutdown().await;
    node.shutdown().await;
}

/// Alpha `coldkey` holds on `hotkey` in SN`netuid`.
async fn staked(chain: &dyn Chain, coldkey: AccountId, hotkey: AccountId, netuid: NetUid) -> u64 {
    chain
        .stakes(coldkey)
        .await
        .unwrap()
        .iter()
        .find(|s| s.hotkey == hotkey && s.netuid == netuid)
        .map_or(0, |s| s.alpha)
}

/// The TAO `coldkey`'s unstakes paid out, from the head's chain of blocks (`StakeRemoved`).
async fn sold_tao(chain: &dyn Chain, coldkey: AccountId) -> u64 {
    let head = chain.header(chain::BlockId::Head).await.unwrap().number;
    let mut tao = 0;
    for n in 0..=head {
        let Ok(block) = chain.block(chain::BlockId::Number(n)).await else { continue };
        for e in &block.events {
            if let chain::Event::StakeRemoved { coldkey: c, tao: t, .. } = e.event
                && c == coldkey
            {
                tao += t;
            }
        }
    }
    tao
}
