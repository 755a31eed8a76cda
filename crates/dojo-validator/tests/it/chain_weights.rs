//! Weights through the `Chain` trait on an in-process localnet: set directly, commit then
//! reveal, the rate limit, and Yuma paying the higher-weighted miner more.

use std::collections::BTreeMap;
use std::sync::Arc;

use chain::{AccountId, BlockId, Chain, DispatchError, NeuronInfo};
use dojo_validator::chain_weights::{WeightSetter, WeightsError, WeightsOutcome};
use localnet::node::{BlockProduction, Node};
use tokio::sync::watch;

use crate::node::{MINER1, MINER2, NETUID, VALIDATOR, dojo_genesis, id, kp, start_node};

fn scores() -> BTreeMap<AccountId, f64> {
    BTreeMap::from([(id(MINER1), 0.8), (id(MINER2), 0.2), (id("//Nobody"), 5.0)])
}

async fn head(chain: &Arc<dyn Chain>) -> u64 {
    chain.header(BlockId::Head).await.unwrap().number
}

async fn neuron(chain: &Arc<dyn Chain>, uri: &str) -> NeuronInfo {
    chain.neurons(NETUID).await.unwrap().into_iter().find(|n| n.hotkey == id(uri)).unwrap()
}

async fn nonce(chain: &Arc<dyn Chain>) -> u64 {
    chain.account(id(VALIDATOR)).await.unwrap().nonce
}

/// Fast-forwards past two tempos and checks that Yuma paid miner 1 (weight 0.8) more than
/// miner 2 (weight 0.2).
async fn epoch_pays_the_better_miner(node: &Node, chain: &Arc<dyn Chain>) {
    node.handle().fast_forward(25).await.unwrap();
    let (m1, m2) = (neuron(chain, MINER1).await, neuron(chain, MINER2).await);
    assert!(m1.incentive > m2.incentive, "incentive {} vs {}", m1.incentive, m2.incentive);
    assert!(m2.incentive > 0);
    assert!(m1.emission > m2.emission, "emission {} vs {}", m1.emission, m2.emission);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weights_are_set_directly_once_per_tempo() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Instant);
    let mut setter = WeightSetter::new(chain.clone(), kp(VALIDATOR), NETUID);

    let expected = setter.weights_for(&scores()).await.unwrap();
    assert_eq!(expected.uids, vec![2, 3], "miners' UIDs; unknown hotkeys ignored");
    assert_eq!(expected.weights, vec![65535, 16384]);

    let before = head(&chain).await;
    let WeightsOutcome::Set { block, submission } = setter.step(&scores()).await.unwrap() else {
        panic!("expected set_weights");
    };
    assert_eq!(submission, expected);
    assert_eq!(block, before + 1);
    assert_eq!(neuron(&chain, VALIDATOR).await.last_update, block);

    // Inside max(tempo 10, rate limit 5): nothing is sent.
    let sent = nonce(&chain).await;
    let outcome = setter.step(&scores()).await.unwrap();
    assert_eq!(outcome, WeightsOutcome::NotDue { next_block: block + 10 });
    assert_eq!(nonce(&chain).await, sent, "no transaction");

    // Forcing it anyway: the chain refuses by name.
    match setter.submit_now(&scores()).await {
        Err(WeightsError::Dispatch {
            call,
            error: DispatchError::SettingWeightsTooFast { .. },
            ..
        }) => {
            assert_eq!(call, "set_weights");
        }
        other => panic!("expected SettingWeightsTooFast, got {other:?}"),
    }

    // A tempo later it is due again.
    node.handle().fast_forward(10).await.unwrap();
    assert!(matches!(setter.step(&scores()).await.unwrap(), WeightsOutcome::Set { .. }));

    epoch_pays_the_better_miner(&node, &chain).await;
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_then_reveal_when_the_window_opens() {
    let (node, chain) = start_node(&dojo_genesis(true), BlockProduction::Instant);
    let mut setter = WeightSetter::new(chain.clone(), kp(VALIDATOR), NETUID).with_salt_seed(1);

    let WeightsOutcome::Committed { block, commit } = setter.step(&scores()).await.unwrap() else {
        panic!("expected commit_weights");
    };
    assert_eq!(commit.committed_at, block);
    assert_eq!((commit.reveal_from, commit.reveal_until), (block + 3, block + 6));
    assert_eq!(commit.salt.len(), dojo_validator::chain_weights::SALT_LEN);
    assert_eq!(
        commit.hash,
        chain::weights_commit_hash(
            &id(VALIDATOR),
            NETUID,
            &commit.submission.uids,
            &commit.submission.weights,
            &commit.salt,
            commit.submission.version_key
        )
    );
    assert_eq!(setter.pending_commit(), Some(&commit));

    // Too early: nothing is sent.
    let sent = nonce(&chain).await;
    assert_eq!(
        setter.step(&scores()).await.unwrap(),
        WeightsOutcome::AwaitingReveal { reveal_from: block + 3 }
    );
    assert_eq!(nonce(&chain).await, sent);

    // The reveal lands in the first block of the window.
    node.handle().fast_forward(block + 2 - head(&chain).await).await.unwrap();
    let WeightsOutcome::Revealed { block: revealed, submission } =
        setter.step(&scores()).await.unwrap()
    else {
        panic!("expected reveal_weights");
    };
    assert_eq!(revealed, block + 3);
    assert_eq!(submission, commit.submission);
    assert!(setter.pending_commit().is_none());
    assert_eq!(neuron(&chain, VALIDATOR).await.last_update, revealed);

    epoch_pays_the_better_miner(&node, &chain).await;
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unregistered_hotkey_is_told_so() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Instant);
    let mut setter = WeightSetter::new(chain.clone(), kp("//Eve"), NETUID);
    assert!(matches!(
        setter.step(&scores()).await,
        Err(WeightsError::NotRegistered { netuid: NETUID, .. })
    ));
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owned_task_sets_weights_and_shuts_down() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Instant);
    let (_scores_tx, scores_rx) = watch::channel(scores());
    let setter = WeightSetter::new(chain.clone(), kp(VALIDATOR), NETUID);
    let mut task = setter.spawn(scores_rx).await.unwrap();
    node.handle().fast_forward(1).await.unwrap();
    let first = task.next_outcome().await.unwrap().unwrap();
    assert!(matches!(first, WeightsOutcome::Set { .. }), "{first:?}");
    // The inclusion block is a new head: the next step finds nothing due.
    let second = task.next_outcome().await.unwrap().unwrap();
    assert!(matches!(second, WeightsOutcome::NotDue { .. }), "{second:?}");
    task.shutdown().await;
    node.shutdown().await;
}
