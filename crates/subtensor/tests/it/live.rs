//! The live smoke test, run by hand: `TAOPLEX_LIVE_URL=wss://entrypoint-finney.opentensor.ai:443
//! cargo test -p subtensor --test it live -- --nocapture`. Read-only: prints the runtime version
//! and checks that every view decodes on today's runtime.
//!
//! This is the one test that returns early (with a notice) when its variable is unset: it
//! needs the internet, which CI never has, and it tells us when the runtime has outgrown the
//! recorded fixtures.

use chain::{BlockId, Chain};

#[tokio::test]
async fn every_view_decodes_on_the_live_network() {
    let Ok(url) = std::env::var("TAOPLEX_LIVE_URL") else {
        test_support::notice("live smoke test not run: set TAOPLEX_LIVE_URL=wss://… to run it");
        return;
    };
    let client = subtensor::Subtensor::connect(&url).await.unwrap();
    let info = client.info().await.unwrap();
    test_support::notice(&format!(
        "{} at {url}: spec {}, finality depth {}",
        info.name, info.signing.spec_version, info.finality_depth
    ));
    let head = client.header(BlockId::Head).await.unwrap();
    let events = client.events_at(BlockId::Hash(head.hash)).await.unwrap();
    let subnets = client.subnets().await.unwrap();
    assert!(subnets.len() > 1, "finney has many subnets");
    let sn1 = client.subnet(1).await.unwrap();
    let neurons = client.neurons(1).await.unwrap();
    assert_eq!(neurons.len(), usize::from(sn1.neuron_count));
    let quote = client.quote(1, chain::Side::Buy, 1_000_000_000).await.unwrap();
    let stakes = client.stakes(sn1.owner_coldkey).await.unwrap();
    test_support::notice(&format!(
        "head #{}: {} events, {} subnets, SN1 {} ({} neurons), 1 TAO buys {} alpha rao, owner has {} positions",
        head.number,
        events.len(),
        subnets.len(),
        sn1.identity.name,
        neurons.len(),
        quote.amount_out,
        stakes.len()
    ));
}
