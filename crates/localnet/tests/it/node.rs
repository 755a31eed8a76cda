//! The node through both clients (in-process and WebSocket JSON-RPC), subscriptions,
//! submit-and-watch, malformed requests, and persistence (restart, torn log, lost snapshots).

use std::sync::Arc;
use std::time::Duration;

use chain::ManualClock;
use chain::client::RpcChain;
use chain::rpc::codes;
use chain::{
    AccountId, BlockId, Call, Chain, ChainError, ChainResult, DispatchError, Event, Hash, Header,
    Mortality, Prepared, Side, SignedTransaction, Signer, SigningContext, SwapFailure, TxOptions,
    TxStatus, TxValidityError,
};
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use localnet::LocalChain;
use localnet::genesis::Genesis;
use localnet::node::{BlockProduction, BlockRef, Node, NodeConfig, NodeError};
use localnet::rpc::{RpcConfig, RpcServer};
use serde_json::{Value, json};
use test_support::genesis::{TAO, pool_subnet, treasury_genesis};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const START: u64 = 100;
const WAIT: Duration = Duration::from_secs(60);

fn pair(uri: &str) -> keys::Keypair {
    keys::Keypair::from_uri(uri).unwrap()
}

fn id(uri: &str) -> AccountId {
    AccountId::from(pair(uri).public())
}

/// A small hand-made chain: root plus two subnets, //Alice and //Bob funded. Holding the rest
/// of the 21M supply, //Treasury makes the chain emit nothing: pools move only by trades, so a
/// quote before a block is exactly what the block does.
pub(crate) fn small_genesis() -> Genesis {
    treasury_genesis(
        "taoplex test",
        7,
        START,
        1_700_000_000_000,
        &[
            ("//Alice", 10_000 * TAO),
            ("//Bob", 10_000 * TAO),
            ("//Owner1", 100 * TAO),
            ("//Owner2", 100 * TAO),
        ],
        vec![
            pool_subnet(1, "Apex", "α", 1_000 * TAO, 100_000 * TAO),
            pool_subnet(2, "Omron", "α", 300 * TAO, 90_000 * TAO),
        ],
    )
}

pub(crate) fn config(production: BlockProduction) -> NodeConfig {
    NodeConfig { production, clock: Arc::new(ManualClock::new(0)), ..NodeConfig::default() }
}

async fn next<T>(s: &mut BoxStream<'static, ChainResult<T>>) -> T {
    tokio::time::timeout(WAIT, s.next())
        .await
        .expect("timed out waiting for a stream item")
        .expect("the stream ended")
        .expect("the stream yielded an error")
}

type Produce = Box<dyn Fn(u64) -> BoxFuture<'static, Header> + Send + Sync>;

pub(crate) fn sign(
    uri: &str,
    call: Call,
    nonce: u64,
    birth: u64,
    ctx: &SigningContext,
) -> SignedTransaction {
    SignedTransaction::sign(&pair(uri), call, nonce, Mortality::new(birth, 64), 0, ctx)
}

/// `call` prepared for `ctx` by hand and signed by `uri`, which sees only the payload.
fn signed(
    uri: &str,
    call: Call,
    nonce: u64,
    mortality: Mortality,
    ctx: &SigningContext,
) -> (Prepared, keys::Signature) {
    let key = pair(uri);
    let prepared = Prepared::localnet(key.account(), call, nonce, mortality, 0, *ctx);
    let signature = Signer::sign(&key, &prepared.payload);
    (prepared, signature)
}

/// The hash the transaction will have on chain.
fn hash_of(prepared: &Prepared, signature: keys::Signature, ctx: &SigningContext) -> Hash {
    prepared.clone().into_localnet_transaction(ctx, signature).unwrap().hash()
}

/// The same story through any [`Chain`]; returns the final state root.
async fn scenario(chain: Arc<dyn Chain>, produce: Produce) -> Hash {
    let info = chain.info().await.unwrap();
    assert_eq!(info.name, "taoplex test");
    assert_eq!(info.finality_depth, 2);
    let ctx = info.signing;
    let head = chain.header(BlockId::Head).await.unwrap();
    assert_eq!(head.number, START);
    assert_eq!(chain.header(BlockId::Hash(head.hash)).await.unwrap(), head);
    assert_eq!(chain.header(BlockId::Number(START)).await.unwrap(), head);
    assert!(matches!(
        chain.header(BlockId::Number(START + 50)).await,
        Err(ChainError::NotFound(_))
    ));

    let subnets = chain.subnets().await.unwrap();
    assert_eq!(subnets.iter().map(|s| s.netuid).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert_eq!(chain.subnet(1).await.unwrap().identity.name, "Apex");
    assert!(matches!(chain.subnet(9).await, Err(ChainError::NotFound(_))));
    assert!(!chain.neurons(1).await.unwrap().is_empty());

    let alice = id("//Alice");
    let hot = id("//Owner1//hot");
    let before = chain.account(alice).await.unwrap();
    assert_eq!(before, chain::AccountInfo { free: 10_000 * TAO, reserved: 0, nonce: 0 });

    let mut heads = chain.subscribe_heads().await.unwrap();
    let mut finalized = chain.subscribe_finalized().await.unwrap();
    let mut events = chain.subscribe_events().await.unwrap();

    // Stake with a limit price above the spot price: fills like the quote, to the rao.
    let amount = 10 * TAO;
    let quote = chain.quote(1, Side::Buy, amount).await.unwrap();
    assert!(quote.amount_out > 0);
    let call = Call::AddStakeLimit {
        hotkey: hot,
        netuid: 1,
        amount_staked: chain::Tao::from_rao(amount),
        limit_price: quote.spot_before_rao() * 2,
        allow_partial: false,
    };
    let fee = chain.estimate_fee(alice, call.clone()).await.unwrap();
    // Prepared by the chain, signed by a key that only ever sees the payload bytes.
    let prepared = chain.prepare(alice, call.clone(), TxOptions::default()).await.unwrap();
    assert_eq!(
        (prepared.signer, prepared.nonce, prepared.mortality, prepared.fee_estimate),
        (alice, 0, Mortality::new(head.number, chain::DEFAULT_MORTALITY), fee)
    );
    assert_eq!(prepared.context, ctx);
    assert_eq!(prepared.description, call.describe());
    let payload = prepared.payload.clone();
    let signature = pair("//Alice").sign(&payload);
    let tx_hash = hash_of(&prepared, signature, &ctx);
    let mut watch = chain.submit(prepared.clone(), signature).await.unwrap();
    assert_eq!(next(&mut watch).await, TxStatus::Ready { hash: tx_hash });
    // The same transaction again is refused by name.
    assert!(matches!(
        chain.submit(prepared, signature).await.err(),
        Some(ChainError::Invalid(TxValidityError::AlreadyImported))
    ));
    let block1 = produce(1).await;
    assert_eq!(block1.number, START + 1);
    let in_block = next(&mut watch).await;
    let TxStatus::InBlock { number, block_hash, result, events: tx_events, .. } = in_block else {
        panic!("expected InBlock, got {in_block:?}");
    };
    assert_eq!((number, block_hash), (block1.number, block1.hash));
    assert_eq!(result, Ok(()));
    let added = tx_events
        .iter()
        .find_map(|r| match &r.event {
            Event::StakeAdded { tao, alpha, netuid, .. } => Some((*tao, *alpha, *netuid)),
            _ => None,
        })
        .expect("a StakeAdded event");
    assert_eq!(added, (amount, quote.amount_out, 1));
    let after = chain.account(alice).await.unwrap();
    assert_eq!(after.free, before.free - amount - fee);
    assert_eq!(after.nonce, 1);
    let stake = chain.stakes(alice).await.unwrap();
    assert_eq!(stake.len(), 1);
    assert_eq!(stake[0].alpha, quote.amount_out);

    assert_eq!(next(&mut heads).await, block1);
    let block_events = next(&mut events).await;
    assert!(block_events.iter().any(|r| r.event.name() == "StakeAdded"));
    let full = chain.block(BlockId::Number(block1.number)).await.unwrap();
    assert_eq!(full.header, block1);
    assert_eq!(full.extrinsics.len(), 1);
    assert_eq!(full.extrinsics[0].hash, tx_hash);
    assert_eq!(full.extrinsics[0].fee, fee);

    // Two more blocks finalize it.
    let head3 = produce(2).await;
    assert_eq!(head3.number, START + 3);
    assert_eq!(
        next(&mut watch).await,
        TxStatus::Finalized { number: block1.number, block_hash: block1.hash }
    );
    assert!(tokio::time::timeout(WAIT, watch.next()).await.unwrap().is_none());
    let fin = next(&mut finalized).await;
    assert_eq!(fin.number, START + 1);
    assert_eq!(chain.header(BlockId::Finalized).await.unwrap().number, START + 1);
    assert_eq!(next(&mut heads).await.number, START + 2);
    assert_eq!(next(&mut heads).await.number, START + 3);

    // Named rejections.
    let transfer = Call::Transfer { dest: id("//Bob"), amount: chain::Tao::from_rao(TAO) };
    let window = Mortality::new(head3.number, 64);
    let (stale, signature) = signed("//Alice", transfer.clone(), 0, window, &ctx);
    assert!(matches!(
        chain.submit(stale, signature).await.err(),
        Some(ChainError::Invalid(TxValidityError::Stale { got: 0, expected: 1 }))
    ));
    let stale = chain
        .prepare(alice, transfer.clone(), TxOptions { nonce: Some(0), ..TxOptions::default() })
        .await
        .unwrap();
    let signature = pair("//Alice").sign(&stale.payload);
    assert!(matches!(
        chain.submit(stale, signature).await.err(),
        Some(ChainError::Invalid(TxValidityError::Stale { got: 0, expected: 1 }))
    ));
    let (forged, mut signature) = signed("//Alice", transfer.clone(), 1, window, &ctx);
    signature.0[0] ^= 1;
    assert!(matches!(
        chain.submit(forged, signature).await.err(),
        Some(ChainError::Invalid(TxValidityError::BadProof))
    ));
    let (by_bob, _) = signed("//Alice", transfer.clone(), 1, window, &ctx);
    let signature = pair("//Bob").sign(&by_bob.payload);
    assert!(matches!(
        chain.submit(by_bob, signature).await.err(),
        Some(ChainError::Invalid(TxValidityError::BadProof))
    ));
    let other_chain = SigningContext { genesis_hash: Hash::of(b"another chain"), ..ctx };
    let (elsewhere, signature) = signed("//Alice", transfer.clone(), 1, window, &other_chain);
    assert!(matches!(
        chain.submit(elsewhere, signature).await.err(),
        Some(ChainError::Invalid(TxValidityError::BadSigningContext))
    ));
    let (expired, signature) =
        signed("//Alice", transfer.clone(), 1, Mortality::new(START - 64, 8), &ctx);
    assert!(matches!(
        chain.submit(expired, signature).await.err(),
        Some(ChainError::Invalid(TxValidityError::Outdated { .. }))
    ));
    // Failed quotes keep their type through both clients.
    let err = chain.quote(1, Side::Buy, u64::MAX).await.unwrap_err();
    assert!(
        matches!(err, ChainError::Quote(DispatchError::Swap(SwapFailure::SwapInputTooLarge))),
        "{err:?}"
    );
    let err = chain.quote(9, Side::Buy, TAO).await.unwrap_err();
    assert!(
        matches!(err, ChainError::Quote(DispatchError::SubnetNotExists { netuid: 9 })),
        "{err:?}"
    );

    // A future nonce waits for the gap to fill, then both go in one block, in nonce order.
    let (t2, s2) = signed("//Alice", transfer.clone(), 2, window, &ctx);
    let (t1, s1) = signed("//Alice", transfer, 1, window, &ctx);
    let h2 = hash_of(&t2, s2, &ctx);
    let mut w2 = chain.submit(t2, s2).await.unwrap();
    assert_eq!(next(&mut w2).await, TxStatus::Ready { hash: h2 });
    let b4 = produce(1).await;
    assert!(chain.block(BlockId::Hash(b4.hash)).await.unwrap().extrinsics.is_empty());
    let h1 = hash_of(&t1, s1, &ctx);
    let mut w1 = chain.submit(t1, s1).await.unwrap();
    assert_eq!(next(&mut w1).await, TxStatus::Ready { hash: h1 });
    let b5 = produce(1).await;
    let hashes: Vec<Hash> = chain
        .block(BlockId::Number(b5.number))
        .await
        .unwrap()
        .extrinsics
        .iter()
        .map(|x| x.hash)
        .collect();
    assert_eq!(hashes, vec![h1, h2]);
    assert_eq!(chain.account(id("//Bob")).await.unwrap().free, 10_002 * TAO);
    b5.state_root
}

async fn rpc_node(genesis: &Genesis) -> (Node, RpcServer) {
    serve(genesis, config(BlockProduction::Manual)).await
}

/// A node of `genesis` with its JSON-RPC server on a free loopback port.
pub(crate) async fn serve(genesis: &Genesis, config: NodeConfig) -> (Node, RpcServer) {
    let node = Node::start(genesis, config).unwrap();
    let rpc = RpcConfig { addr: "127.0.0.1:0".parse().unwrap(), ..RpcConfig::default() };
    let server = RpcServer::start(node.handle(), rpc).await.unwrap();
    (node, server)
}

/// A block as soon as a transaction arrives, final at once: third-party clients' writes reach
/// `finalized` without the test producing blocks.
pub(crate) fn instant_final() -> NodeConfig {
    NodeConfig {
        production: BlockProduction::Instant,
        finality_depth: Some(0),
        ..NodeConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_clients_tell_the_same_story() {
    let genesis = small_genesis();

    let node = Node::start(&genesis, config(BlockProduction::Manual)).unwrap();
    let handle = node.handle();
    let local: Arc<dyn Chain> = Arc::new(LocalChain::new(node.handle()));
    let produce: Produce = Box::new(move |n| {
        let h = handle.clone();
        Box::pin(async move { h.fast_forward(n).await.unwrap() })
    });
    let local_root = scenario(local, produce).await;
    node.shutdown().await;

    let (node, server) = rpc_node(&genesis).await;
    let client = Arc::new(RpcChain::connect(server.ws_url()).await.unwrap());
    let c = client.clone();
    let produce: Produce = Box::new(move |n| {
        let c = c.clone();
        Box::pin(async move { c.fast_forward(n).await.unwrap() })
    });
    let remote_root = scenario(client.clone(), produce).await;
    assert_eq!(local_root, remote_root, "same genesis, same transactions, same state");
    assert_eq!(client.pools().await.unwrap().len(), 3);
    assert_eq!(client.hyperparameters(1).await.unwrap().tempo, 360);
    server.shutdown().await;
    node.shutdown().await;
    // The node is gone: calls fail as transport errors, not hangs.
    assert!(matches!(client.info().await, Err(ChainError::Transport { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instant_mode_makes_a_block_when_a_transaction_arrives() {
    let genesis = small_genesis();
    let node = Node::start(&genesis, config(BlockProduction::Instant)).unwrap();
    let chain = LocalChain::new(node.handle());
    let ctx = node.signing_context();
    let call = Call::Transfer { dest: id("//Alice"), amount: chain::Tao::from_rao(TAO) };
    let (prepared, signature) = signed("//Bob", call, 0, Mortality::new(START, 64), &ctx);
    let mut watch = chain.submit(prepared, signature).await.unwrap();
    assert!(matches!(next(&mut watch).await, TxStatus::Ready { .. }));
    let status = next(&mut watch).await;
    assert!(
        matches!(status, TxStatus::InBlock { number, result: Ok(()), .. } if number == START + 1)
    );
    // Nothing else is produced without transactions; fast-forward finalizes.
    assert_eq!(node.head().number, START + 1);
    node.fast_forward(2).await.unwrap();
    assert!(
        matches!(next(&mut watch).await, TxStatus::Finalized { number, .. } if number == START + 1)
    );
    node.shutdown().await;
}

/// A proxy key acts for the real account: Alice makes Bob her staking proxy, then Bob's key
/// prepares and signs a proxied stake that lands on Alice's coldkey, paid from her balance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_key_prepares_and_signs_a_stake_for_the_real_account() {
    let genesis = small_genesis();
    let node = Node::start(&genesis, config(BlockProduction::Instant)).unwrap();
    let chain = LocalChain::new(node.handle());
    let (alice, bob, hot) = (id("//Alice"), id("//Bob"), id("//Owner1//hot"));
    let add = Call::AddProxy { delegate: bob, proxy_type: chain::ProxyType::Staking };
    let mut watch =
        chain::sign_and_submit(&chain, &pair("//Alice"), add, TxOptions::default()).await.unwrap();
    assert!(matches!(next(&mut watch).await, TxStatus::Ready { .. }));
    assert!(matches!(next(&mut watch).await, TxStatus::InBlock { result: Ok(()), .. }));
    let alice_before = chain.account(alice).await.unwrap().free;
    let bob_before = chain.account(bob).await.unwrap().free;

    let stake =
        Call::AddStake { hotkey: hot, netuid: 1, amount_staked: chain::Tao::from_rao(10 * TAO) };
    let prepared =
        chain.prepare(bob, Call::proxied(alice, stake), TxOptions::default()).await.unwrap();
    assert_eq!(prepared.signer, bob);
    assert_eq!(
        prepared.description,
        format!(
            "as proxy for 5Grw…: stake 10 τ on subnet 1 to {}…, at any price",
            &hot.to_ss58()[..4]
        )
    );
    // Only the proxy's key signs, and it sees only the payload.
    let signature = pair("//Bob").sign(&prepared.payload);
    let fee = prepared.fee_estimate;
    let mut watch = chain.submit(prepared, signature).await.unwrap();
    assert!(matches!(next(&mut watch).await, TxStatus::Ready { .. }));
    let status = next(&mut watch).await;
    let TxStatus::InBlock { result: Ok(()), events, .. } = status else {
        panic!("expected a successful InBlock, got {status:?}");
    };
    assert!(events.iter().any(|r| matches!(r.event, Event::ProxyExecuted { result: Ok(()) })));
    let stakes = chain.stakes(alice).await.unwrap();
    assert!(stakes.iter().any(|s| s.netuid == 1 && s.hotkey == hot && s.alpha > 0), "{stakes:?}");
    assert!(chain.stakes(bob).await.unwrap().is_empty());
    assert_eq!(chain.account(alice).await.unwrap().free, alice_before - 10 * TAO);
    assert_eq!(chain.account(bob).await.unwrap().free, bob_before - fee, "the proxy pays the fee");
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interval_mode_produces_blocks_on_its_own() {
    let genesis = small_genesis();
    let cfg =
        NodeConfig { block_time: Duration::from_millis(20), ..config(BlockProduction::Interval) };
    let node = Node::start(&genesis, cfg).unwrap();
    let chain = LocalChain::new(node.handle());
    let mut heads = chain.subscribe_heads().await.unwrap();
    let a = next(&mut heads).await;
    let b = next(&mut heads).await;
    assert_eq!(b.number, a.number + 1);
    assert_eq!(b.parent_hash, a.hash);
    // Timestamps step by the block time when the clock stands still.
    assert_eq!(b.timestamp_ms, a.timestamp_ms + 20);
    node.shutdown().await;
}

/// A dropped transaction: its mortality window passes while it waits on a nonce gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_transactions_are_dropped() {
    let genesis = small_genesis();
    let node = Node::start(&genesis, config(BlockProduction::Manual)).unwrap();
    let ctx = node.signing_context();
    let call = Call::Transfer { dest: id("//Alice"), amount: chain::Tao::from_rao(TAO) };
    let tx = SignedTransaction::sign(&pair("//Bob"), call, 1, Mortality::new(START, 3), 0, &ctx);
    let (_, mut statuses) = node.submit_and_watch(tx).await.unwrap();
    assert!(matches!(statuses.recv().await, Some(TxStatus::Ready { .. })));
    node.fast_forward(3).await.unwrap();
    match tokio::time::timeout(WAIT, statuses.recv()).await.unwrap() {
        Some(TxStatus::Dropped { reason }) => assert!(reason.contains("Outdated"), "{reason}"),
        other => panic!("expected Dropped, got {other:?}"),
    }
    assert!(node.pending().is_empty());
    node.shutdown().await;
}

// ---- raw JSON-RPC ----

async fn http_post(addr: std::net::SocketAddr, body: &[u8]) -> (u16, Value) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(WAIT, s.read_to_end(&mut buf)).await.unwrap().unwrap();
    let text = String::from_utf8(buf).unwrap();
    let status: u16 = text[9..12].parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    let value = if body.is_empty() { Value::Null } else { serde_json::from_str(body).unwrap() };
    (status, value)
}

fn code(v: &Value) -> i64 {
    v["error"]["code"].as_i64().unwrap_or_else(|| panic!("not an error: {v}"))
}

fn message(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_json_rpc_errors() {
    let genesis = small_genesis();
    let (node, server) = rpc_node(&genesis).await;
    let addr = server.local_addr();
    let call = |method: &str, params: Value| {
        serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
            .unwrap()
    };

    let (status, v) = http_post(addr, b"{not json").await;
    assert_eq!((status, code(&v)), (200, codes::PARSE_ERROR));
    let (_, v) = http_post(addr, b"42").await;
    assert_eq!(code(&v), codes::INVALID_REQUEST);
    let (_, v) = http_post(addr, br#"{"jsonrpc":"1.0","id":1,"method":"system_chain"}"#).await;
    assert_eq!(code(&v), codes::INVALID_REQUEST);
    let (_, v) = http_post(addr, b"[]").await;
    assert_eq!(code(&v), codes::INVALID_REQUEST);
    let (_, v) = http_post(addr, &call("chain_getNothing", json!([]))).await;
    assert_eq!(code(&v), codes::METHOD_NOT_FOUND);
    assert!(message(&v).contains("chain_getNothing"));
    let (_, v) = http_post(addr, &call("taoplex_subnet", json!(["one"]))).await;
    assert_eq!(code(&v), codes::INVALID_PARAMS);
    assert!(message(&v).contains("[netuid]"), "{}", message(&v));
    let (_, v) = http_post(addr, &call("taoplex_subnet", json!({"netuid": 1}))).await;
    assert_eq!(code(&v), codes::INVALID_PARAMS);
    let (_, v) = http_post(addr, &call("taoplex_subnet", json!([1, 2]))).await;
    assert_eq!(code(&v), codes::INVALID_PARAMS);
    let (_, v) = http_post(addr, &call("taoplex_account", json!(["5NotAnAddress"]))).await;
    assert_eq!(code(&v), codes::INVALID_PARAMS);
    let (_, v) = http_post(addr, &call("taoplex_account", json!([]))).await;
    assert_eq!(code(&v), codes::INVALID_PARAMS);
    let (_, v) = http_post(addr, &call("author_submitExtrinsic", json!(["0xzz"]))).await;
    assert_eq!(code(&v), codes::INVALID_TRANSACTION);
    assert!(message(&v).contains("not hex"), "{}", message(&v));
    let (_, v) = http_post(addr, &call("author_submitExtrinsic", json!(["0x0102"]))).await;
    assert_eq!(code(&v), codes::INVALID_TRANSACTION);
    let (_, v) = http_post(addr, &call("chain_getHeader", json!(["tomorrow"]))).await;
    assert_eq!(code(&v), codes::INVALID_PARAMS);
    let (_, v) = http_post(addr, &call("taoplex_getBlock", json!([99999]))).await;
    assert_eq!(code(&v), codes::NOT_FOUND);
    let (_, v) = http_post(addr, &call("chain_getBlock", json!([99999]))).await;
    assert_eq!(code(&v), codes::INVALID_PARAMS, "Substrate's chain_getBlock takes a hash");
    let (_, v) = http_post(addr, &call("taoplex_quote", json!([1, "sideways", "5"]))).await;
    assert_eq!(code(&v), codes::INVALID_PARAMS);
    let (_, v) = http_post(addr, &call("chain_subscribeNewHeads", json!([]))).await;
    assert_eq!(code(&v), codes::WEBSOCKET_REQUIRED);
    let big = vec![b' '; (1 << 20) + 10];
    let (status, v) = http_post(addr, &big).await;
    assert_eq!((status, code(&v)), (413, codes::LIMIT_EXCEEDED));
    // Notifications get no answer; batches answer per request.
    let (status, _) = http_post(addr, br#"{"jsonrpc":"2.0","method":"system_chain"}"#).await;
    assert_eq!(status, 204);
    let batch = br#"[{"jsonrpc":"2.0","id":1,"method":"system_chain"},{"jsonrpc":"2.0","id":2,"method":"nope"}]"#;
    let (_, v) = http_post(addr, batch).await;
    assert_eq!(v[0]["result"], "taoplex test");
    assert_eq!(code(&v[1]), codes::METHOD_NOT_FOUND);
    let (_, v) = http_post(addr, &call("taoplex_quote", json!([1, "buy", "1000000000"]))).await;
    assert!(v["result"]["amount_out"].as_u64().unwrap() > 0, "{v}");
    let (_, v) = http_post(addr, &call("rpc_methods", json!([]))).await;
    assert!(v["result"]["methods"].as_array().unwrap().len() > 20);

    // Over WebSocket: errors keep the connection usable; subscriptions are bounded.
    use tokio_tungstenite::tungstenite::Message;
    let (mut ws, _) = tokio_tungstenite::connect_async(server.ws_url()).await.unwrap();
    let mut ask = async |text: String| -> Value {
        futures::SinkExt::send(&mut ws, Message::text(text)).await.unwrap();
        loop {
            let m = tokio::time::timeout(WAIT, ws.next()).await.unwrap().unwrap().unwrap();
            if let Message::Text(t) = m {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v.get("method").is_none() {
                    return v;
                }
            }
        }
    };
    assert_eq!(code(&ask("{oops".into()).await), codes::PARSE_ERROR);
    let v = ask(" ".repeat((1 << 20) + 1)).await;
    assert_eq!(code(&v), codes::LIMIT_EXCEEDED);
    let sub =
        |id: u64| json!({"jsonrpc":"2.0","id":id,"method":"chain_subscribeNewHeads"}).to_string();
    let mut ids = Vec::new();
    for i in 0..64 {
        let v = ask(sub(i)).await;
        ids.push(v["result"].as_str().unwrap().to_string());
    }
    let v = ask(sub(64)).await;
    assert_eq!(code(&v), codes::LIMIT_EXCEEDED);
    let unsub =
        json!({"jsonrpc":"2.0","id":100,"method":"chain_unsubscribeNewHeads","params":[ids[0]]});
    assert_eq!(ask(unsub.to_string()).await["result"], true);
    let unsub_again =
        json!({"jsonrpc":"2.0","id":101,"method":"chain_unsubscribeNewHeads","params":[ids[0]]});
    assert_eq!(ask(unsub_again.to_string()).await["result"], false);
    assert!(ask(sub(65)).await["result"].is_string());
    let v =
        ask(json!({"jsonrpc":"2.0","id":7,"method":"taoplex_getHeader","params":[]}).to_string())
            .await;
    assert_eq!(v["result"]["number"], START);
    assert_eq!(v["id"], 7);
    let v = ask(json!({"jsonrpc":"2.0","id":8,"method":"chain_getHeader","params":[]}).to_string())
        .await;
    assert_eq!(v["result"]["number"], format!("0x{START:x}"), "Substrate numbers are hex");

    server.shutdown().await;
    node.shutdown().await;
}

// ---- persistence ----

fn persistent(dir: &std::path::Path, snapshot_every: u64) -> NodeConfig {
    NodeConfig {
        data_dir: Some(dir.to_path_buf()),
        snapshot_every,
        // Snapshots where the tests expect them, however fast the blocks come.
        fast_forward_snapshot_gap: Duration::ZERO,
        ..config(BlockProduction::Manual)
    }
}

/// Transfers from Alice, signed once: sr25519 signatures are randomised, so runs that must
/// agree on block hashes submit the very same transactions.
fn transfers(genesis: &Genesis) -> Vec<SignedTransaction> {
    let ctx = localnet::Runtime::new(genesis).unwrap().signing_context();
    (0..3)
        .map(|nonce| {
            sign(
                "//Alice",
                Call::Transfer { dest: id("//Bob"), amount: chain::Tao::from_rao(TAO) },
                nonce,
                START,
                &ctx,
            )
        })
        .collect()
}

/// Submits `tx` and produces `blocks` blocks.
async fn some_work(node: &Node, tx: &SignedTransaction, blocks: u64) -> Header {
    node.submit(tx.clone()).await.unwrap();
    node.fast_forward(blocks).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_resumes_with_the_same_state_root() {
    let genesis = small_genesis();
    let dir = tempfile::tempdir().unwrap();

    // An uninterrupted in-memory run, for reference.
    let txs = transfers(&genesis);
    let reference = Node::start(&genesis, config(BlockProduction::Manual)).unwrap();
    for tx in &txs {
        some_work(&reference, tx, 7).await;
    }
    let expected = reference.head();
    let early: Vec<Header> =
        (START..START + 8).map(|n| reference.header(BlockRef::Number(n)).unwrap()).collect();
    assert_eq!(expected.state_root, reference.state_root().await);
    reference.shutdown().await;

    // The same work with two restarts in between.
    let node = Node::start(&genesis, persistent(dir.path(), 5)).unwrap();
    some_work(&node, &txs[0], 7).await;
    node.shutdown().await;
    let node = Node::start(&genesis, persistent(dir.path(), 5)).unwrap();
    assert_eq!(node.head().number, START + 7);
    some_work(&node, &txs[1], 7).await;
    // Drop without a clean shutdown: the log has every announced block.
    drop(node);
    let node = loop {
        // The old producer may still hold the lock for a moment while it exits.
        match Node::start(&genesis, persistent(dir.path(), 5)) {
            Ok(n) => break n,
            Err(localnet::node::NodeError::Locked { .. }) => tokio::task::yield_now().await,
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(node.head().number, START + 14);
    some_work(&node, &txs[2], 7).await;
    assert_eq!(node.head(), expected);
    assert_eq!(node.state_root().await, expected.state_root);
    // Blocks from before the restart are served again: replayed ones, and older ones (before
    // the snapshot it resumed from) from the block archive, genesis included.
    assert_eq!(node.header(BlockRef::Number(START + 20)).unwrap().number, START + 20);
    for h in &early {
        assert_eq!(&node.header(BlockRef::Number(h.number)).unwrap(), h);
    }
    assert_eq!(node.block(BlockRef::Number(START + 1)).unwrap().extrinsics.len(), 1);
    node.shutdown().await;

    // Without snapshots, a full replay from the genesis gives the same root.
    std::fs::remove_dir_all(dir.path().join("snapshots")).unwrap();
    let node = Node::start(&genesis, persistent(dir.path(), 5)).unwrap();
    assert_eq!(node.head(), expected);
    node.shutdown().await;

    // Another genesis in the same directory is refused.
    let other = Genesis { seed: 8, ..genesis };
    let err = Node::start(&other, persistent(dir.path(), 5)).unwrap_err();
    assert!(
        matches!(&err, NodeError::GenesisMismatch { dir: d } if d.as_path() == dir.path()),
        "{err}"
    );
    // The message says what to do.
    assert!(err.to_string().contains("use another --data-dir"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_torn_log_record_is_truncated_not_a_crash() {
    let genesis = small_genesis();
    let dir = tempfile::tempdir().unwrap();
    let txs = transfers(&genesis);
    let node = Node::start(&genesis, persistent(dir.path(), 1_000)).unwrap();
    some_work(&node, &txs[0], 4).await;
    let head4 = node.head();
    node.shutdown().await;
    // No snapshot is due at block 4 except the one written at shutdown; remove it so the
    // log is what restores the chain, then tear a partial record onto its end.
    std::fs::remove_dir_all(dir.path().join("snapshots")).unwrap();
    let log = dir.path().join("blocks.log");
    let clean_len = std::fs::metadata(&log).unwrap().len();
    let mut bytes = std::fs::read(&log).unwrap();
    bytes.extend_from_slice(&[200, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9]);
    std::fs::write(&log, &bytes).unwrap();

    let node = Node::start(&genesis, persistent(dir.path(), 1_000)).unwrap();
    assert_eq!(node.head(), head4);
    assert_eq!(std::fs::metadata(&log).unwrap().len(), clean_len, "the torn tail is cut off");
    let h = some_work(&node, &txs[1], 1).await;
    assert_eq!(h.number, START + 5);
    node.shutdown().await;

    // A record cut in the middle (a crash during the write) loses only that unannounced block.
    let bytes = std::fs::read(&log).unwrap();
    std::fs::write(&log, &bytes[..bytes.len() - 7]).unwrap();
    std::fs::remove_dir_all(dir.path().join("snapshots")).unwrap();
    let node = Node::start(&genesis, persistent(dir.path(), 1_000)).unwrap();
    assert_eq!(node.head(), head4);
    node.shutdown().await;
}

/// What each block of `from..=to` did: every extrinsic's signer, nonce and call (signatures
/// differ between runs: sr25519 signing is randomised), and the state root.
type Actions = Vec<(u64, Vec<(AccountId, u64, Call)>, Hash)>;

fn actions(node: &Node, from: u64, to: u64) -> Actions {
    (from..=to)
        .map(|n| {
            let b = node.block(BlockRef::Number(n)).unwrap();
            let xts = b.extrinsics.iter().map(|x| (x.signer, x.nonce, x.call.clone())).collect();
            (n, xts, b.header.state_root)
        })
        .collect()
}

fn simulated(config: NodeConfig, genesis: &Genesis) -> NodeConfig {
    let sim = localnet::sim::Simulation::with_options(genesis, sim_options());
    NodeConfig { tx_source: Some(Box::new(sim)), ..config }
}

/// Short schedules, so that 300 blocks see registrations, burns, tuning and a proxy.
fn sim_options() -> localnet::sim::SimOptions {
    localnet::sim::SimOptions {
        intensity: 2.0,
        burn_after: 40,
        burn_for: 60,
        burn_cycle: 150,
        found_after: 50,
        found_every: 100,
        tune_every: 70,
        proxy_after: 20,
        ..localnet::sim::SimOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_simulation_takes_the_same_next_actions() {
    let genesis = Genesis::dev();
    let start = genesis.start_block;
    let reference =
        Node::start(&genesis, simulated(config(BlockProduction::Manual), &genesis)).unwrap();
    reference.fast_forward(300).await.unwrap();
    let expected = actions(&reference, start + 1, start + 300);
    reference.shutdown().await;
    let calls: Vec<&Call> =
        expected.iter().flat_map(|(_, x, _)| x.iter().map(|(_, _, c)| c)).collect();
    for (what, found) in [
        ("a registration", calls.iter().any(|c| matches!(c, Call::RegisterNetwork { .. }))),
        (
            "a hyperparameter change",
            calls.iter().any(|c| matches!(c, Call::SetHyperparameter { .. })),
        ),
        ("a proxy added", calls.iter().any(|c| matches!(c, Call::AddProxy { .. }))),
        ("a trade through the proxy", calls.iter().any(|c| matches!(c, Call::Proxy { .. }))),
    ] {
        assert!(found, "the simulation made no {what} in 300 blocks");
    }

    // The same run, stopped after 150 blocks. The snapshot of the last block is lost (as in
    // a crash after the block log was synced), so the restart resumes the simulation from the
    // snapshot of block 100 and replays 50 blocks before producing new ones.
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(&genesis, simulated(persistent(dir.path(), 100), &genesis)).unwrap();
    node.fast_forward(150).await.unwrap();
    node.shutdown().await;
    let snapshots = dir.path().join("snapshots");
    for ext in ["snapshot", "sim"] {
        std::fs::remove_file(snapshots.join(format!("{:012}.{ext}", start + 150))).unwrap();
    }
    assert!(snapshots.join(format!("{:012}.sim", start + 100)).exists());
    let node = Node::start(&genesis, simulated(persistent(dir.path(), 100), &genesis)).unwrap();
    assert_eq!(node.head().number, start + 150);
    node.fast_forward(150).await.unwrap();
    assert_eq!(
        actions(&node, start + 1, start + 300),
        expected,
        "the same actions as uninterrupted"
    );
    node.shutdown().await;
}

/// A transaction prepared as Subtensor's v4 extrinsic (what a browser extension signs): its
/// payload is the v4 signing payload of its parts, the node takes the signed extrinsic and runs
/// the prepared call; a tampered form or another chain is refused before the pool, and a node
/// reached over JSON-RPC says it cannot prepare in that format.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_prepared_as_a_v4_extrinsic_lands_as_signed() {
    let (node, server) = serve(&small_genesis(), instant_final()).await;
    let chain = LocalChain::new(node.handle());
    let (alice, bob) = (id("//Alice"), id("//Bob"));
    let call = Call::Transfer { dest: bob, amount: chain::Tao::from_rao(3 * TAO + 7) };
    let substrate = TxOptions { format: chain::PayloadFormat::Substrate, ..TxOptions::default() };
    let prepared = chain.prepare(alice, call.clone(), substrate).await.unwrap();
    let form = prepared.substrate.clone().expect("the extrinsic's parts");
    assert_eq!(prepared.payload, form.parts().signing_payload(&prepared.context));
    assert_eq!(form.birth, node.handle().head().number);
    assert_eq!(form.birth_hash, node.handle().head().hash);
    assert_eq!(form.extensions.len(), 13, "{:?}", form.extensions);
    let json = prepared.signer_payload_json().unwrap();
    assert_eq!(json.address, alice.to_ss58());
    assert_eq!(json.method, format!("0x{}", hex::encode(&form.call)));
    assert_eq!(json.nonce, "0x00000000");
    // Through JSON and back, as it travels to a browser.
    let prepared: Prepared =
        serde_json::from_value(serde_json::to_value(&prepared).unwrap()).unwrap();
    assert_eq!(prepared.substrate.as_ref(), Some(&form));

    // Not for localnet's own format, nor with its parts changed after signing.
    let signature = pair("//Alice").sign(&prepared.payload);
    let err = prepared.clone().into_localnet_transaction(&prepared.context, signature);
    assert!(matches!(err, Err(TxValidityError::Malformed(_))), "{err:?}");
    let mut tampered = prepared.clone();
    tampered.substrate.as_mut().unwrap().call[2] ^= 1;
    let err = chain.submit(tampered, signature).await.err();
    assert!(matches!(err, Some(ChainError::Invalid(TxValidityError::Malformed(_)))), "{err:?}");
    let mut elsewhere = prepared.clone();
    elsewhere.context.genesis_hash = Hash::of(b"another chain");
    let err = chain.submit(elsewhere, signature).await.err();
    assert!(matches!(err, Some(ChainError::Invalid(TxValidityError::BadSigningContext))));

    let before = chain.account(bob).await.unwrap().free;
    let mut statuses = chain.submit(prepared, signature).await.unwrap();
    let hash = match next(&mut statuses).await {
        TxStatus::Ready { hash } => hash,
        other => panic!("{other:?}"),
    };
    let number = loop {
        if let TxStatus::Finalized { number, .. } = next(&mut statuses).await {
            break number;
        }
    };
    assert_eq!(chain.account(bob).await.unwrap().free, before + 3 * TAO + 7);
    let block = chain.block(BlockId::Number(number)).await.unwrap();
    let signed = block.extrinsics.iter().find(|tx| tx.hash == hash).expect("in its block");
    assert_eq!((&signed.call, &signed.result), (&call, &Ok(())));
    assert_eq!(
        signed.encoded,
        form.parts().extrinsic(&alice, &signature.0),
        "the block holds the extrinsic exactly as signed"
    );

    let client = RpcChain::connect(server.ws_url()).await.unwrap();
    let err = client.prepare(alice, call, substrate).await.err();
    assert!(matches!(err, Some(ChainError::Invalid(TxValidityError::Malformed(_)))), "{err:?}");
    drop(server);
    node.shutdown().await;
}
