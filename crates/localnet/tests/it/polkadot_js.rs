//! `@polkadot/api` (16.5.6, pinned in `crates/test-support/js/package-lock.json`; installed by
//! `.ci/setup-node`) against a localnet node through Substrate's JSON-RPC alone: it connects,
//! decodes metadata V15 and the runtime's types, reads `System.Account`, a storage value and a
//! runtime API, quotes a fee, signs and submits `transfer_keep_alive` and follows it to
//! finality, then decodes the block. `test-support/js/transfer.mjs` does it and prints what it saw;
//! this test checks that against localnet's own views, to the rao.

use chain::{Call, Chain};
use localnet::LocalChain;
use serde_json::{Value, json};
use test_support::genesis::{TAO, id};

use crate::node::{instant_final, serve};
use crate::sdk::sdk_genesis;

/// Subtensor's signed extensions polkadot.js has no definition for. Each adds nothing to the
/// payload (their `ty` and `implicit` are `()`), so "no-effect" is the right reading: the
/// library warns once and signs correctly. It says the same of Subtensor itself.
const UNKNOWN_EXTENSIONS_WARNING: &str = "REGISTRY: Unknown signed extensions \
     SudoTransactionExtension, CheckShieldedTxValidity, SubtensorTransactionExtension, \
     DrandPriority found, treating them as no-effect";

/// The warning polkadot.js gives for methods `rpc_methods` lists that it has no definition of:
/// on localnet only the `taoplex_` namespace (every Substrate method we serve is one it knows).
const UNDECORATED: &str = "API/INIT: RPC methods not decorated: ";

/// What polkadot.js warned about besides the unknown extensions, checked above.
fn other_warnings(warnings: &Value) -> Vec<String> {
    let warnings = warnings.as_array().expect("warnings");
    assert!(warnings.contains(&json!(UNKNOWN_EXTENSIONS_WARNING)), "{warnings:?}");
    warnings
        .iter()
        .filter_map(Value::as_str)
        .filter(|w| *w != UNKNOWN_EXTENSIONS_WARNING)
        .filter(|w| {
            !w.strip_prefix(UNDECORATED)
                .is_some_and(|list| list.split(", ").all(|m| m.starts_with("taoplex_")))
        })
        .map(str::to_string)
        .collect()
}

/// Runs `transfer.mjs` with `node` against `url` and returns its JSON line.
fn polkadot_js(node: &str, url: &str, request: &Value) -> Value {
    let last = test_support::polkadot_js(node, "transfer.mjs", &[url, &request.to_string()]);
    serde_json::from_str(&last).unwrap_or_else(|e| panic!("not JSON ({e}): {last}"))
}

fn s(v: impl ToString) -> Value {
    json!(v.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polkadot_js_reads_and_transfers_on_localnet() {
    let Some(node_js) = test_support::require(test_support::Tool::Node) else { return };
    let genesis = sdk_genesis();
    let (node, server) = serve(&genesis, instant_final()).await;
    let handle = node.handle();
    let chain = LocalChain::new(handle.clone());
    let (alice, charlie) = (id("//Alice"), id("//Charlie"));
    let amount = 7 * TAO + 123;
    let before = chain.account(alice).await.unwrap();
    let sn1 = chain.subnet(1).await.unwrap();
    let issuance = handle.with_runtime(|rt| rt.total_issuance()).await;
    let balances = handle.with_runtime(|rt| rt.total_balance()).await;
    let fee = chain
        .estimate_fee(alice, Call::Transfer { dest: charlie, amount: chain::Tao::from_rao(amount) })
        .await
        .unwrap();

    let request = json!({
        "signer": "//Alice",
        "dest": charlie.to_ss58(),
        "amount": amount.to_string(),
        "netuid": 1,
    });
    let js = polkadot_js(&node_js, &server.ws_url(), &request);

    // It connected without complaint beyond the expected one, and read the chain as it is.
    assert_eq!(other_warnings(&js["warnings"]), Vec::<String>::new(), "{js}");
    assert_eq!(js["metadata_version"], json!(15));
    assert_eq!(js["spec_name"], json!("node-subtensor"));
    assert_eq!(
        (&js["token"], &js["decimals"], &js["ss58"]),
        (&json!("TAO"), &json!(9), &json!(42))
    );
    assert_eq!(js["genesis_hash"], json!(handle.signing_context().genesis_hash));
    let pallets = js["pallets"].as_array().unwrap();
    for pallet in ["System", "Balances", "SubtensorModule", "Proxy"] {
        assert!(pallets.contains(&json!(pallet)), "{pallet} in {pallets:?}");
    }
    assert_eq!(js["before"]["signer"], json!({"free": s(before.free), "nonce": before.nonce}));
    assert_eq!(js["before"]["dest"], json!({"free": "0", "nonce": 0}));
    assert_eq!(js["total_issuance"], s(issuance));
    assert_eq!(js["balances_issuance"], s(balances));
    assert!(balances < issuance, "staked TAO is in the one, not the other");
    assert_eq!(js["subnet_tao"], s(sn1.pool.tao_reserve));
    assert_eq!(
        js["dynamic"],
        json!({
            "netuid": 1,
            "tao_in": s(sn1.pool.tao_reserve),
            "alpha_in": s(sn1.pool.alpha_in),
            "alpha_out": s(sn1.pool.alpha_out),
            "owner_coldkey": sn1.owner_coldkey.to_ss58(),
        })
    );

    // The transfer went from the pool to finality, paying the fee it was quoted. (localnet
    // sends `inBlock` too, but with instant finality polkadot.js drops its callback for the
    // `finalized` that follows at once: it fetches each status's events and keeps the latest.)
    let statuses: Vec<&str> =
        js["statuses"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert_eq!(statuses.first(), Some(&"Ready"), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&"Finalized"), "{statuses:?}");
    assert_eq!(js["fee_quoted"], s(fee));
    assert_eq!(js["fee_paid"], s(fee));
    assert_eq!(
        js["transfer"],
        json!({"from": alice.to_ss58(), "to": charlie.to_ss58(), "amount": s(amount)})
    );
    let events: Vec<&str> =
        js["events"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for event in [
        "balances.Withdraw",
        "balances.Transfer",
        "transactionPayment.TransactionFeePaid",
        "system.ExtrinsicSuccess",
    ] {
        assert!(events.contains(&event), "{event} in {events:?}");
    }

    // The block polkadot.js decoded is localnet's, with the transfer in it as localnet records it.
    let hash: chain::Hash = serde_json::from_value(js["block_hash"].clone()).unwrap();
    let block = chain.block(chain::BlockId::Hash(hash)).await.unwrap();
    assert_eq!(js["block_number"], json!(block.header.number));
    let x = block.extrinsics.iter().find(|x| x.signer == alice).expect("Alice's extrinsic");
    assert_eq!((x.result.clone(), x.fee), (Ok(()), fee));
    assert_eq!(x.call, Call::Transfer { dest: charlie, amount: chain::Tao::from_rao(amount) });
    assert_eq!(js["tx_hash"], json!(x.hash));
    let decoded = js["extrinsics"].as_array().unwrap();
    assert!(
        decoded.contains(&json!({
            "call": "balances.transferKeepAlive",
            "signer": alice.to_ss58(),
            "hash": x.hash,
        })),
        "{decoded:?}"
    );

    // Balances after, to the rao, as polkadot.js and localnet both see them.
    let after = chain.account(alice).await.unwrap();
    assert_eq!(after.free, before.free - amount - fee);
    assert_eq!(js["after"]["signer"], json!({"free": s(after.free), "nonce": before.nonce + 1}));
    assert_eq!(js["after"]["dest"], json!({"free": s(amount), "nonce": 0}));

    server.shutdown().await;
    node.shutdown().await;
}
