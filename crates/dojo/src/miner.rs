//! The Dojo miner (in progress).
