//! In-process localnet nodes for tests: manual block production (the test says when a block
//! comes) on a manual clock at 0, and the `Chain` the faces see over them.

use std::sync::Arc;

use chain::{Chain, ManualClock};
use localnet::LocalChain;
use localnet::genesis::Genesis;
use localnet::node::{BlockProduction, Node, NodeConfig};
use localnet::sim::{SimOptions, Simulation};

/// A node on `genesis` with a manual clock at 0, and the `Chain` over it.
pub fn start_node(genesis: &Genesis, production: BlockProduction) -> (Node, Arc<dyn Chain>) {
    start(genesis, NodeConfig { production, ..NodeConfig::default() })
}

/// A node on `genesis` producing blocks only when the test asks (`Node::fast_forward`), with
/// localnet's market simulation (`options`) submitting trades into every block, and the `Chain`
/// over it: a real, busy market for the indexer and terminal tests.
pub fn simulated_node(genesis: &Genesis, options: SimOptions) -> (Node, Arc<dyn Chain>) {
    let sim = Simulation::with_options(genesis, options);
    start(
        genesis,
        NodeConfig {
            production: BlockProduction::Manual,
            tx_source: Some(Box::new(sim)),
            ..NodeConfig::default()
        },
    )
}

/// Starts `config` with a manual clock at 0: tests never read the wall clock.
fn start(genesis: &Genesis, config: NodeConfig) -> (Node, Arc<dyn Chain>) {
    let node = Node::start(genesis, NodeConfig { clock: Arc::new(ManualClock::new(0)), ..config })
        .unwrap_or_else(|e| panic!("the test node did not start: {e}"));
    let chain: Arc<dyn Chain> = Arc::new(LocalChain::new(node.handle()));
    (node, chain)
}
