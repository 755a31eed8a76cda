//! `taoplex node` end to end: a real node process on a free loopback port, driven through
//! `chain::client::RpcChain`: staking with limit prices, named rejections, `kill -9` and
//! restart, and a run reproduced from its seed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::process::{Process, taoplex};
use chain::client::RpcChain;
use chain::{
    AccountId, BlockId, Call, Chain, ChainError, ChainResult, DispatchError, Event, Header,
    Mortality, Prepared, ProxyType, Side, SigningContext, SwapFailure, TxStatus, TxValidityError,
};
use futures::StreamExt;
use futures::stream::BoxStream;
use localnet::genesis::Genesis;
use test_support::genesis::{TAO, pool_subnet, treasury_genesis};

const START: u64 = 1_000;
const WAIT: Duration = Duration::from_secs(120);

fn pair(uri: &str) -> keys::Keypair {
    keys::Keypair::from_uri(uri).unwrap()
}

fn id(uri: &str) -> AccountId {
    AccountId::from(pair(uri).public())
}

/// A hand-made chain: three subnets, //Alice and //Bob funded. A treasury holds the rest of
/// the 21M TAO supply, so block emission is zero and pools move only by trades: a quote taken
/// before a block is then exactly what the block does.
fn small_genesis() -> Genesis {
    treasury_genesis(
        "taoplex e2e",
        11,
        START,
        1_750_000_000_000,
        &[
            ("//Alice", 10_000 * TAO),
            ("//Bob", 10_000 * TAO),
            ("//Owner1", 100 * TAO),
            ("//Owner2", 100 * TAO),
            ("//Owner3", 100 * TAO),
        ],
        vec![
            pool_subnet(1, "Apex", "β", 1_000 * TAO, 100_000 * TAO),
            pool_subnet(2, "Omron", "β", 400 * TAO, 80_000 * TAO),
            pool_subnet(3, "Tail", "β", 50 * TAO, 40_000 * TAO),
        ],
    )
}

/// A `taoplex node` process on a free loopback port, killed when dropped.
pub(crate) struct NodeProcess {
    process: Process,
    pub(crate) url: String,
}

impl NodeProcess {
    pub(crate) fn start(data_dir: &Path, extra: &[&str]) -> Self {
        let data = data_dir.to_str().unwrap();
        let mut args = vec!["node", "--data-dir", data, "--rpc-addr", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let logs = data_dir.parent().unwrap();
        let process = Process::start(taoplex(), "node", logs, &args, |lines| !lines.is_empty());
        let url = process.url("ws://");
        assert!(url.starts_with("ws://127.0.0.1:"), "{url}");
        Self { process, url }
    }

    pub(crate) async fn client(&self) -> RpcChain {
        RpcChain::connect(self.url.clone()).await.unwrap()
    }

    /// SIGKILL: no shutdown path runs.
    fn kill_9(self) {
        self.process.kill_9();
    }
}

fn write_genesis(dir: &Path, genesis: &Genesis) -> PathBuf {
    let path = dir.join("genesis-input.json");
    std::fs::write(&path, serde_json::to_vec_pretty(genesis).unwrap()).unwrap();
    path
}

async fn next<T>(s: &mut BoxStream<'static, ChainResult<T>>) -> T {
    tokio::time::timeout(WAIT, s.next())
        .await
        .expect("timed out waiting for the node")
        .expect("the stream ended")
        .expect("the stream yielded an error")
}

struct Signer<'a> {
    uri: &'a str,
    nonce: u64,
    ctx: SigningContext,
}

/// A prepared transaction and the signature over its payload.
type Signed = (Prepared, chain::Signature);

impl Signer<'_> {
    /// Prepares `call` by hand (the nonce is this signer's count) and signs its payload.
    fn sign(&mut self, call: Call, birth: u64) -> Signed {
        let key = pair(self.uri);
        let prepared = Prepared::localnet(
            AccountId::from(key.public()),
            call,
            self.nonce,
            Mortality::new(birth, 64),
            0,
            self.ctx,
        );
        let signature = key.sign(&prepared.payload);
        self.nonce += 1;
        (prepared, signature)
    }
}

/// Submits, produces one block, and returns the `InBlock` status (result and events).
async fn include(node: &RpcChain, (prepared, signature): Signed) -> TxStatus {
    let mut watch = node.submit(prepared, signature).await.unwrap();
    assert!(matches!(next(&mut watch).await, TxStatus::Ready { .. }));
    node.fast_forward(1).await.unwrap();
    let status = next(&mut watch).await;
    assert!(matches!(status, TxStatus::InBlock { .. }), "{status:?}");
    status
}

fn in_block_result(s: &TxStatus) -> Result<(), DispatchError> {
    match s {
        TxStatus::InBlock { result, .. } => result.clone(),
        other => panic!("not in a block: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stake_unstake_and_named_rejections_through_a_node_process() {
    let tmp = tempfile::tempdir().unwrap();
    let genesis_file = write_genesis(tmp.path(), &small_genesis());
    let data = tmp.path().join("chain");
    let process = NodeProcess::start(
        &data,
        &["--genesis", genesis_file.to_str().unwrap(), "--block-time", "manual", "--no-sim"],
    );
    let node = process.client().await;
    let info = node.info().await.unwrap();
    assert_eq!(info.name, "taoplex e2e");
    let ctx = info.signing;
    let alice_id = id("//Alice");
    let hot = id("//Owner1//hot");
    let mut alice = Signer { uri: "//Alice", nonce: 0, ctx };
    let mut bob = Signer { uri: "//Bob", nonce: 0, ctx };
    let mut events = node.subscribe_events().await.unwrap();

    // Stake 10 TAO with a limit price above the spot: the quote, to the rao.
    let head = node.header(BlockId::Head).await.unwrap().number;
    let amount = 10 * TAO;
    let quote = node.quote(1, Side::Buy, amount).await.unwrap();
    let call = Call::AddStakeLimit {
        hotkey: hot,
        netuid: 1,
        amount_staked: chain::Tao::from_rao(amount),
        limit_price: quote.spot_before_rao() * 11 / 10,
        allow_partial: false,
    };
    let fee = node.estimate_fee(alice_id, call.clone()).await.unwrap();
    let before = node.account(alice_id).await.unwrap();
    let status = include(&node, alice.sign(call, head)).await;
    let TxStatus::InBlock { result, events: tx_events, number, .. } = &status else {
        unreachable!()
    };
    assert_eq!(result, &Ok(()));
    let staked = tx_events
        .iter()
        .find_map(|r| match &r.event {
            Event::StakeAdded { coldkey, hotkey, tao, alpha, netuid, fee } => {
                Some((*coldkey, *hotkey, *tao, *alpha, *netuid, *fee))
            }
            _ => None,
        })
        .expect("StakeAdded");
    assert_eq!(staked, (alice_id, hot, amount, quote.amount_out, 1, quote.fee));
    let after = node.account(alice_id).await.unwrap();
    assert_eq!(after.free, before.free - amount - fee);
    let stakes = node.stakes(alice_id).await.unwrap();
    assert_eq!(stakes.len(), 1);
    assert_eq!(stakes[0].alpha, quote.amount_out);
    // The events subscription saw the same block.
    loop {
        let evs = next(&mut events).await;
        if evs.first().map(|r| r.block) == Some(*number) {
            assert!(evs.iter().any(|r| r.event.name() == "StakeAdded"));
            break;
        }
    }

    // Unstake half with a limit below the spot: again exactly the quote.
    let head = node.header(BlockId::Head).await.unwrap().number;
    let alpha = quote.amount_out / 2;
    let sell = node.quote(1, Side::Sell, alpha).await.unwrap();
    let call = Call::RemoveStakeLimit {
        hotkey: hot,
        netuid: 1,
        amount_unstaked: chain::Alpha::from_rao(alpha),
        limit_price: sell.spot_before_rao() * 9 / 10,
        allow_partial: false,
    };
    let fee = node.estimate_fee(alice_id, call.clone()).await.unwrap();
    let before = node.account(alice_id).await.unwrap();
    let status = include(&node, alice.sign(call, head)).await;
    assert_eq!(in_block_result(&status), Ok(()));
    let TxStatus::InBlock { events: tx_events, .. } = &status else { unreachable!() };
    let removed = tx_events
        .iter()
        .find_map(|r| match &r.event {
            Event::StakeRemoved { tao, netuid, .. } => Some((*tao, *netuid)),
            _ => None,
        })
        .expect("StakeRemoved");
    assert_eq!(removed, (sell.amount_out, 1));
    let after = node.account(alice_id).await.unwrap();
    assert_eq!(after.free, before.free + sell.amount_out - fee);
    assert_eq!(node.stakes(alice_id).await.unwrap()[0].alpha, quote.amount_out - alpha);

    // Slippage: a limit just above the spot cannot fill a large buy.
    let head = node.header(BlockId::Head).await.unwrap().number;
    let spot = node.quote(2, Side::Buy, TAO).await.unwrap().spot_before_rao();
    let call = Call::AddStakeLimit {
        hotkey: id("//Owner2//hot"),
        netuid: 2,
        amount_staked: chain::Tao::from_rao(300 * TAO),
        limit_price: spot + spot / 100,
        allow_partial: false,
    };
    // Refused before inclusion, as Subtensor's transaction extension does: no fee, nonce unused.
    let (prepared, signature) = alice.sign(call, head);
    let refused = node.submit(prepared, signature).await.err().unwrap();
    assert!(
        matches!(
            &refused,
            chain::ChainError::Invalid(TxValidityError::Custom(DispatchError::Swap(
                SwapFailure::SlippageTooHigh
            )))
        ),
        "{refused:?}"
    );
    alice.nonce -= 1;

    // Rate limit: a second staking operation on the same (hotkey, coldkey, subnet) in a block.
    let head = node.header(BlockId::Head).await.unwrap().number;
    let stake = |n| Call::AddStake { hotkey: id("//Owner3//hot"), netuid: 3, amount_staked: n };
    let first = alice.sign(stake(chain::Tao::from_rao(TAO)), head);
    let second = alice.sign(stake(chain::Tao::from_rao(2 * TAO)), head);
    let mut w1 = node.submit(first.0, first.1).await.unwrap();
    let mut w2 = node.submit(second.0, second.1).await.unwrap();
    next(&mut w1).await;
    next(&mut w2).await;
    node.fast_forward(1).await.unwrap();
    assert_eq!(in_block_result(&next(&mut w1).await), Ok(()));
    assert_eq!(
        in_block_result(&next(&mut w2).await),
        Err(DispatchError::StakingOperationRateLimitExceeded)
    );

    // Insufficient balance.
    let head = node.header(BlockId::Head).await.unwrap().number;
    let call = Call::AddStake {
        hotkey: hot,
        netuid: 1,
        amount_staked: chain::Tao::from_rao(1_000_000 * TAO),
    };
    let status = include(&node, bob.sign(call, head)).await;
    assert!(
        matches!(in_block_result(&status), Err(DispatchError::InsufficientBalance { .. })),
        "{status:?}"
    );

    // Pool rejections by name: bad signature, stale nonce, expired.
    let head = node.header(BlockId::Head).await.unwrap().number;
    let transfer = Call::Transfer { dest: id("//Bob"), amount: chain::Tao::from_rao(TAO) };
    let (forged, mut signature) = alice.sign(transfer.clone(), head);
    alice.nonce -= 1;
    signature.0[10] ^= 0x55;
    assert!(matches!(
        node.submit(forged, signature).await.err(),
        Some(ChainError::Invalid(TxValidityError::BadProof))
    ));
    let (stale, signature) = Signer { uri: "//Alice", nonce: 0, ctx }.sign(transfer.clone(), head);
    assert!(matches!(
        node.submit(stale, signature).await.err(),
        Some(ChainError::Invalid(TxValidityError::Stale { got: 0, .. }))
    ));
    let expired = Prepared::localnet(
        alice_id,
        transfer.clone(),
        alice.nonce,
        Mortality::new(START, 4),
        0,
        ctx,
    );
    let signature = pair("//Alice").sign(&expired.payload);
    assert!(matches!(
        node.submit(expired, signature).await.err(),
        Some(ChainError::Invalid(TxValidityError::Outdated { .. }))
    ));

    // A Staking proxy may stake for Alice but never transfer her TAO.
    let status = include(
        &node,
        alice.sign(Call::AddProxy { delegate: id("//Bob"), proxy_type: ProxyType::Staking }, head),
    )
    .await;
    assert_eq!(in_block_result(&status), Ok(()));
    let head = node.header(BlockId::Head).await.unwrap().number;
    let steal = Call::Proxy { real: alice_id, call: Box::new(transfer) };
    let status = include(&node, bob.sign(steal, head)).await;
    assert!(
        matches!(in_block_result(&status), Err(DispatchError::CallFiltered { .. })),
        "{status:?}"
    );
    let head = node.header(BlockId::Head).await.unwrap().number;
    let stake_for_alice = Call::Proxy {
        real: alice_id,
        call: Box::new(Call::AddStake {
            hotkey: hot,
            netuid: 1,
            amount_staked: chain::Tao::from_rao(TAO),
        }),
    };
    let status = include(&node, bob.sign(stake_for_alice, head)).await;
    let TxStatus::InBlock { events: tx_events, .. } = &status else { unreachable!() };
    assert!(tx_events.iter().any(|r| r.event == Event::ProxyExecuted { result: Ok(()) }));

    // Finality: two more blocks finalize the last one.
    let mut finalized = node.subscribe_finalized().await.unwrap();
    let last = node.header(BlockId::Head).await.unwrap();
    node.fast_forward(2).await.unwrap();
    loop {
        let h = next(&mut finalized).await;
        if h.number == last.number {
            assert_eq!(h, last);
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_finalized_block_and_resumes_with_the_same_root() {
    let tmp = tempfile::tempdir().unwrap();
    let genesis_file = write_genesis(tmp.path(), &small_genesis());
    let data = tmp.path().join("chain");
    let args = ["--genesis", genesis_file.to_str().unwrap(), "--block-time", "manual", "--no-sim"];
    let process = NodeProcess::start(&data, &args);
    let node = process.client().await;
    let ctx = node.info().await.unwrap().signing;
    let mut alice = Signer { uri: "//Alice", nonce: 0, ctx };
    for i in 0..5u64 {
        let head = node.header(BlockId::Head).await.unwrap().number;
        let call =
            Call::Transfer { dest: id("//Bob"), amount: chain::Tao::from_rao((i + 1) * TAO) };
        let (prepared, signature) = alice.sign(call, head);
        // The status stream is not needed: dropping it unwatches, the transaction stays.
        drop(node.submit(prepared, signature).await.unwrap());
        node.fast_forward(3).await.unwrap();
    }
    let head = node.header(BlockId::Head).await.unwrap();
    let finalized = node.header(BlockId::Finalized).await.unwrap();
    assert_eq!(finalized.number, head.number - 2);
    process.kill_9();

    // Restart: every announced block is back, with the same state root.
    let process = NodeProcess::start(&data, &args);
    let node = process.client().await;
    assert_eq!(node.header(BlockId::Head).await.unwrap(), head);
    assert_eq!(node.header(BlockId::Number(finalized.number)).await.unwrap(), finalized);
    assert_eq!(node.account(id("//Bob")).await.unwrap().free, 10_015 * TAO);

    // Kill it in the middle of a long fast-forward: every finalized block seen survives.
    let mut finals = node.subscribe_finalized().await.unwrap();
    let ff = {
        let url = process.url.clone();
        tokio::spawn(async move {
            let c = RpcChain::connect(url).await.unwrap();
            let _ = c.fast_forward(1_000_000).await;
        })
    };
    let mut seen: Option<Header> = None;
    while seen.as_ref().is_none_or(|h| h.number < head.number + 300) {
        seen = Some(next(&mut finals).await);
    }
    process.kill_9();
    let _ = ff.await;
    let seen = seen.unwrap();

    let process = NodeProcess::start(&data, &args);
    let node = process.client().await;
    let restarted = node.header(BlockId::Head).await.unwrap();
    assert!(restarted.number >= seen.number, "{} < {}", restarted.number, seen.number);
    assert_eq!(node.header(BlockId::Number(seen.number)).await.unwrap(), seen);
    // And it goes on producing from there.
    let next_head = node.fast_forward(1).await.unwrap();
    assert_eq!(next_head.parent_hash, restarted.hash);
}

/// The root after `blocks` fast-forwarded blocks of a generated chain with the simulation on.
async fn run_from_seed(dir: &Path, seed: u64, blocks: u64) -> (u64, chain::Hash) {
    let process = NodeProcess::start(
        dir,
        &[
            "--seed",
            &seed.to_string(),
            "--block-time",
            "manual",
            "--sim-intensity",
            "3",
            "--fast-forward",
            &blocks.to_string(),
        ],
    );
    let node = process.client().await;
    let head = node.header(BlockId::Head).await.unwrap();
    let block = node.block(BlockId::Head).await.unwrap();
    // The simulation traded.
    let traded = futures::future::join_all(
        (head.number.saturating_sub(blocks - 1)..=head.number)
            .map(|n| node.block(BlockId::Number(n))),
    )
    .await
    .into_iter()
    .map(|b| b.unwrap().extrinsics.len())
    .sum::<usize>();
    assert!(traded > 0, "the simulation submitted nothing in {blocks} blocks");
    assert_eq!(block.header, head);
    (head.number, head.state_root)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_reproduces_from_its_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run_from_seed(&tmp.path().join("a"), 5, 30).await;
    let b = run_from_seed(&tmp.path().join("b"), 5, 30).await;
    assert_eq!(a, b, "same seed, same blocks, same state");
    let c = run_from_seed(&tmp.path().join("c"), 6, 30).await;
    assert_ne!(a.1, c.1, "another seed, another chain");
}

#[test]
fn bad_arguments_are_refused_clearly() {
    let out = Command::new(env!("CARGO_BIN_EXE_taoplex"))
        .args(["node", "--block-time", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("12s"));
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_taoplex"))
        .arg("node")
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["--genesis", "/nonexistent/genesis.json", "--rpc-addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the genesis file"));
}
