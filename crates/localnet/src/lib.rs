//! localnet: a faithful local dTAO chain, the embedded default that taoplex runs on.
//!
//! Same rules, same errors, same events as Subtensor — only local, fast-forwardable and
//! reproducible. Nothing here needs a network.
//!
//! # Principal types and how they fit
//!
//! ```text
//!  Genesis (data; generate() from a seed or a JSON file)
//!     │
//!     ▼
//!  Runtime ── pure state machine over dtao: validate(tx), produce_block(txs, timestamp) → Block,
//!     │        state_root, queries, quote (sim_swap), check_invariants, snapshot/restore
//!     ▼
//!  Node ───── owns the Runtime on one thread: mempool (ordered by signer and nonce), block
//!     │        production (interval / instant / manual), finality at head − depth, fsync'd
//!     │        block log and snapshots in the data dir, subscriptions; a TxSource (the market
//!     │        Simulation) feeds signed transactions through the same pool as users'
//!     ├── LocalChain: chain::Chain in-process (the embedded case)
//!     └── RpcServer: JSON-RPC 2.0 over WebSocket and HTTP on one port (docs/rpc.md):
//!                    taoplex_* (chain::client::RpcChain is its client) and Substrate's
//!                    system_/chain_/state_ methods in Subtensor's formats (subxt reads them)
//! ```
//!
//! - [`genesis`]: [`Genesis`] and [`genesis::generate`]: the root subnet plus 128 subnets spread
//!   like mainnet's (a few large pools, a long tail), dev accounts `//Alice`…, validators,
//!   miners, nominators and simulated participants, all from a seed.
//! - [`runtime`]: [`Runtime`]. Deterministic: the same genesis and the same blocks give the same
//!   state root. Its module docs list what is modelled, what is simplified, and the invariants
//!   checked after every block in tests.
//! - [`node`]: [`Node`], [`NodeConfig`], [`NodeHandle`], [`LocalChain`].
//! - [`rpc`]: [`RpcServer`], [`RpcConfig`].
//! - [`substrate`]: Subtensor's wire format: SCALE types, pallets at their real indices, V14/V15
//!   metadata generated from them with `scale-info`, storage keys. A block hash is the
//!   blake2_256 of the SCALE Substrate header.
//! - [`sim`]: market participants — noise and momentum traders, whales, miners and validators
//!   selling emissions and setting weights, and an owner who starts burning miner emission —
//!   signing real transactions.
//!
//! # Example
//!
//! ```no_run
//! use localnet::genesis::{GenesisOptions, generate};
//! use localnet::Runtime;
//!
//! let genesis = generate(&GenesisOptions::default());
//! let mut runtime = Runtime::new(&genesis)?;
//! let block = runtime.produce_block(Vec::new(), genesis.timestamp_ms + 12_000);
//! assert_eq!(block.block.header.number, genesis.start_block + 1);
//! runtime.check_invariants()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Design decisions
//!
//! - The runtime is pure and synchronous (no clock, no I/O, no threads); the node supplies time
//!   and persistence. That is what makes crash recovery a replay with root checks.
//! - Quotes price against the pools *after* the next block's emission, so a quote is exactly
//!   what the next block's first trade on that subnet does.
//! - Fill-or-kill limit orders that cannot fill are refused before inclusion with no fee, as
//!   Subtensor's transaction extension does; other failing calls pay the fee, as on chain.
//!
//! ## Feature flags
//! None.
#![deny(missing_docs)]

mod fork;
pub mod genesis;
pub mod node;
pub mod replay;
pub mod rpc;
pub mod runtime;
pub mod sim;
pub mod substrate;

pub use genesis::{ChainParams, Genesis};
pub use node::{LocalChain, Node, NodeConfig, NodeHandle};
pub use rpc::{RpcConfig, RpcServer};
pub use runtime::Runtime;
