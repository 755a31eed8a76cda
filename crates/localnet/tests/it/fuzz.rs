//! Fuzzing the JSON-RPC server's request handling (parse + dispatch, over the HTTP router with
//! `oneshot`): arbitrary bytes, mutations of a valid request for every method, boundary numbers
//! as params. See `docs/fuzzing.md`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chain::ManualClock;
use chain::rpc::{codes, methods};
use localnet::node::{BlockProduction, Node, NodeConfig};
use localnet::rpc::{RpcConfig, router};
use proptest::prelude::*;
use serde_json::{Value, json};
use test_support::fuzz::{boundary_number, bytes, config, mutated};
use tower::ServiceExt;

struct Server {
    runtime: tokio::runtime::Runtime,
    app: axum::Router,
    _node: Node,
}

/// One node and router for all cases (a node per case would dominate the run).
fn server() -> &'static Server {
    static S: std::sync::OnceLock<Server> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let node_config = NodeConfig {
            production: BlockProduction::Manual,
            clock: Arc::new(ManualClock::new(0)),
            ..NodeConfig::default()
        };
        let node = runtime
            .block_on(async { Node::start(&crate::node::small_genesis(), node_config) })
            .unwrap();
        // Small limits, so fuzzed params cannot ask for a million blocks.
        let rpc = RpcConfig { max_fast_forward: 2, max_batch: 8, ..RpcConfig::default() };
        let app = router(node.handle(), rpc);
        Server { runtime, app, _node: node }
    })
}

const KNOWN_CODES: &[i64] = &[
    codes::PARSE_ERROR,
    codes::INVALID_REQUEST,
    codes::METHOD_NOT_FOUND,
    codes::INVALID_PARAMS,
    codes::INVALID_TRANSACTION,
    codes::CLIENT_ERROR,
    codes::NOT_FOUND,
    codes::SWAP_FAILED,
    codes::LIMIT_EXCEEDED,
    codes::WEBSOCKET_REQUIRED,
];

/// One JSON-RPC reply object: version, and exactly one of a result or an error whose code is
/// one the server documents (never an internal error).
fn check_reply(reply: &Value) -> Result<(), TestCaseError> {
    prop_assert_eq!(&reply["jsonrpc"], "2.0", "{}", reply);
    let id = &reply["id"];
    prop_assert!(id.is_null() || id.is_number() || id.is_string(), "{}", reply);
    match (reply.get("result"), reply.get("error")) {
        (Some(_), None) => {}
        (None, Some(e)) => {
            let code = e["code"].as_i64();
            prop_assert!(code.is_some_and(|c| KNOWN_CODES.contains(&c)), "{}", reply);
            prop_assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", reply);
        }
        _ => prop_assert!(false, "neither result nor error: {}", reply),
    }
    Ok(())
}

/// Posts `body`: never a panic (a panicking handler would drop the connection), always a
/// JSON-RPC answer or 204 for notifications.
fn check(body: Vec<u8>) -> Result<(), TestCaseError> {
    let s = server();
    let request =
        Request::post("/").header("content-type", "application/json").body(Body::from(body));
    let (status, reply) = s.runtime.block_on(async {
        let response = s.app.clone().oneshot(request.unwrap()).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, bytes)
    });
    if status == StatusCode::NO_CONTENT {
        prop_assert!(reply.is_empty());
        return Ok(());
    }
    prop_assert!(status == StatusCode::OK || status == StatusCode::PAYLOAD_TOO_LARGE, "{}", status);
    let reply: Value = serde_json::from_slice(&reply).map_err(|e| {
        TestCaseError::fail(format!("reply is not JSON ({e}): {}", String::from_utf8_lossy(&reply)))
    })?;
    match &reply {
        Value::Array(items) => {
            prop_assert!(!items.is_empty());
            for item in items {
                check_reply(item)?;
            }
        }
        single => check_reply(single)?,
    }
    Ok(())
}

/// Params that make sense for the server's methods, to mutate from.
fn param_shapes() -> Vec<Value> {
    let account = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    vec![
        json!([]),
        json!([1]),
        json!([account]),
        json!(["0x0102"]),
        json!([1, "buy", "1000000000"]),
        json!([100]),
        json!(["0x00000000000000000000000000000000000000000000000000000000000000aa"]),
    ]
}

fn valid_requests() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, method) in methods::ALL.iter().enumerate() {
        for params in param_shapes() {
            out.push(
                json!({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
                    .to_string()
                    .into_bytes(),
            );
        }
    }
    out.push(br#"[{"jsonrpc":"2.0","id":1,"method":"system_chain"},{"jsonrpc":"2.0","method":"rpc_methods"}]"#.to_vec());
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_rpc_arbitrary_bytes(body in bytes(200)) {
        check(body)?;
    }

    #[test]
    fn fuzz_rpc_mutated_requests(body in mutated(valid_requests())) {
        check(body)?;
    }

    #[test]
    fn fuzz_rpc_boundary_params(
        method in proptest::sample::select(methods::ALL.to_vec()),
        numbers in proptest::collection::vec(boundary_number(), 0..4),
        quoted in any::<bool>(),
    ) {
        let params: Vec<String> =
            numbers.iter().map(|n| if quoted { format!("\"{n}\"") } else { n.clone() }).collect();
        let body = format!(r#"{{"jsonrpc":"2.0","id":7,"method":"{method}","params":[{}]}}"#, params.join(","));
        check(body.into_bytes())?;
    }
}
