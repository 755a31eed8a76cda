//! Real finney data through the client: events of two spec-393 blocks and subnet 1 at a
//! spec-343 block, both runtimes through the same code.

use chain::{BlockId, Event};

use crate::common::{fixtures, replay};

#[tokio::test]
async fn the_events_of_two_spec_393_blocks_decode_to_the_recorded_trades() {
    let Some(finney) = fixtures() else { return };
    let (replay, client) = replay(&finney, "spec393").await;

    let first = client.events_at(BlockId::Number(7_959_608)).await.unwrap();
    let second = client.events_at(BlockId::Number(7_959_635)).await.unwrap();
    assert!(first.iter().all(|r| r.block == 7_959_608));

    let added = first.iter().find_map(|r| match &r.event {
        Event::StakeAdded { coldkey, hotkey, tao, alpha, netuid, fee } => {
            Some((coldkey.to_ss58(), hotkey.to_ss58(), *tao, *alpha, *netuid, *fee, r.phase))
        }
        _ => None,
    });
    let (cold, hot, tao, alpha, netuid, fee, phase) = added.expect("a StakeAdded in 7,959,608");
    assert!(cold.starts_with("5FfAmTG5"), "{cold}");
    assert!(hot.starts_with("5HK5tp6t"), "{hot}");
    assert_eq!((tao, alpha, netuid, fee), (10_000_000_000, 412_833_565_821, 75, 5_035_477));
    // The shielded wrapper is the extrinsic before the decrypted trade, from the same account.
    assert_eq!(phase, chain::Phase::ApplyExtrinsic(14));
    let wrapper = first.iter().find(|r| r.phase == chain::Phase::ApplyExtrinsic(13)).unwrap();
    match &wrapper.event {
        Event::EncryptedSubmitted { who, .. } => assert_eq!(who.to_ss58(), cold),
        other => panic!("extrinsic 13 is not the MEV Shield wrapper: {other:?}"),
    }

    let all: Vec<_> = first.iter().chain(&second).collect();
    let count = |name: &str| all.iter().filter(|r| r.event.name() == name).count();
    assert_eq!(count("StakeAdded"), 2);
    assert_eq!(count("StakeRemoved"), 6);
    assert_eq!(count("EncryptedSubmitted"), 5);
    let removed = all.iter().any(|r| {
        matches!(&r.event, Event::StakeRemoved { coldkey, tao: 20_019_072_615, alpha: 1_339_254_272_307, netuid: 24, fee: 674_378_438, .. } if coldkey.to_ss58().starts_with("5GhSdA8G"))
    });
    assert!(removed, "the recorded 20.019 TAO StakeRemoved on subnet 24");
    // Every extrinsic's outcome is there, with the fee it paid.
    assert!(all.iter().any(|r| matches!(r.event, Event::ExtrinsicSuccess { fee } if fee > 0)));
    assert!(replay.take_unanswered().is_empty());
}

#[tokio::test]
async fn subnet_1_at_a_spec_343_block_decodes_to_its_recorded_pool_identity_and_neurons() {
    let Some(finney) = fixtures() else { return };
    let (_replay, client) = replay(&finney, "spec343").await;
    let block = client.resolve(BlockId::Number(6_852_690)).await.unwrap();

    let metagraph = client.metagraph_at(1, &block).await.unwrap();
    assert_eq!(metagraph.netuid, 1);
    assert_eq!(metagraph.tao_in, Some(22_079_400_556_774));
    assert_eq!(metagraph.alpha_in, Some(2_316_467_425_363_654));
    assert_eq!(metagraph.alpha_out, Some(924_521_643_526_855));
    assert_eq!(metagraph.moving_price.map(|p| p.bits), Some(40_869_489));
    assert_eq!(metagraph.tao_in_emission, Some(9_531_940));
    assert_eq!(metagraph.subnet_volume, Some(609_202_105_066_978));
    assert_eq!(metagraph.tempo, Some(99));

    let subnet = metagraph
        .into_subnet(subtensor::views::SubnetExtras {
            fee_rate: 33,
            price: None,
            transfer_enabled: true,
        })
        .unwrap();
    assert_eq!(subnet.identity.name, "Apex");
    assert_eq!(subnet.identity.symbol, "α");
    assert_eq!(subnet.pool.tao_reserve, 22_079_400_556_774);
    // 40,869,489 × 10⁹ / 2³², floored: 0.0095157 TAO per alpha.
    assert_eq!(subnet.pool.moving_price, 9_515_669);
    assert_eq!(subnet.hyperparameters.tempo, 99);

    let neurons = client.neurons_at(1, BlockId::Number(6_852_690)).await.unwrap();
    assert_eq!(neurons.len(), usize::from(subnet.neuron_count));
    assert!(neurons.iter().enumerate().all(|(i, n)| usize::from(n.uid) == i && n.netuid == 1));
    assert!(neurons.iter().any(|n| n.validator_permit && n.stake > 0));
}
