//! The shared fake chain behaves as the faces' tests rely on.

use chain::{AccountId, BlockId, Chain, Event, NeuronInfo};
use futures::StreamExt;
use test_support::fake::{FakeChain, header};

#[tokio::test]
async fn blocks_heads_and_finality() {
    let chain = FakeChain::new(vec![]);
    let mut heads = chain.subscribe_heads().await.unwrap();
    let mut finalized = chain.subscribe_finalized().await.unwrap();
    let burn = Event::EpochCompleted {
        netuid: 1,
        incentive: 1,
        dividends: 2,
        owner_cut: 3,
        owner_miner_burned: 0,
    };
    for n in 1..=3 {
        assert_eq!(chain.produce(vec![(Some(0), burn.clone())], vec![]), n);
    }
    let seen: Vec<u64> = heads.by_ref().take(3).map(|h| h.unwrap().number).collect().await;
    assert_eq!(seen, [1, 2, 3]);
    // Depth 2: block 0 became final when block 2 was added, block 1 with block 3.
    let fin: Vec<u64> = finalized.by_ref().take(2).map(|h| h.unwrap().number).collect().await;
    assert_eq!(fin, [0, 1]);
    assert_eq!(chain.header(BlockId::Head).await.unwrap(), header(3));
    assert_eq!(chain.header(BlockId::Finalized).await.unwrap().number, 1);
    let b2 = chain.block(BlockId::Hash(header(2).hash)).await.unwrap();
    assert_eq!((b2.header.parent_hash, b2.events.len()), (header(1).hash, 1));
    assert!(chain.block(BlockId::Number(9)).await.is_err());

    chain.set_head(Some(1));
    assert_eq!(chain.header(BlockId::Head).await.unwrap().number, 1);
    assert_eq!(chain.header(BlockId::Number(3)).await.unwrap().number, 3);
    chain.set_head(None);
    assert_eq!(chain.header(BlockId::Head).await.unwrap().number, 3);
}

#[tokio::test]
async fn neurons_per_subnet_or_everywhere() {
    let chain = FakeChain::new(vec![]).with_finality_depth(0);
    let neuron = |uid| NeuronInfo {
        netuid: 0,
        uid,
        hotkey: AccountId([1; 32]),
        coldkey: AccountId([2; 32]),
        axon: None,
        validator_permit: false,
        stake: 0,
        incentive: 0,
        dividends: 0,
        consensus: 0,
        emission: 0,
        registered_at: 0,
        last_update: 0,
    };
    chain.set_neurons_everywhere(vec![neuron(0), neuron(1)]);
    chain.set_neurons(7, vec![neuron(5)]);
    let on_3 = chain.neurons(3).await.unwrap();
    assert_eq!(on_3.iter().map(|n| (n.netuid, n.uid)).collect::<Vec<_>>(), [(3, 0), (3, 1)]);
    assert_eq!(chain.neurons(7).await.unwrap().len(), 1);
    assert_eq!(chain.info().await.unwrap().finality_depth, 0);
    assert!(chain.subnet(1).await.is_err());
}
