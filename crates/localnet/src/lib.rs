//! localnet: a faithful local dTAO chain.
//!
//! UNDER CONSTRUCTION (issue 3).
#![deny(missing_docs)]

pub mod genesis;
pub mod node;
pub mod rpc;
pub mod runtime;
pub mod sim;

pub use genesis::{ChainParams, Genesis};
pub use runtime::Runtime;
pub use node::{LocalChain, Node, NodeConfig, NodeHandle};
pub use rpc::{RpcConfig, RpcServer};
