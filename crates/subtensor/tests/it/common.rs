//! Shared helpers: the recorded sets' runtimes and a client on the replay server.

use std::path::{Path, PathBuf};

use subtensor::Subtensor;
use subtensor::runtime::{Runtime, RuntimeVersion};
use test_support::replay::{FINNEY_GENESIS, Replay, finney_fixtures, metadata_v15_hex};

/// The fixtures, or `None` (notice; a failure under CI).
pub(crate) fn fixtures() -> Option<PathBuf> {
    finney_fixtures()
}

/// The runtime of a recorded set, from its metadata file (spec 393 / 343, tx version 1).
pub(crate) fn runtime(finney: &Path, set: &str) -> Runtime {
    let spec: u32 = set.trim_start_matches("spec").parse().unwrap();
    let answer = hex::decode(metadata_v15_hex(finney, set).trim_start_matches("0x")).unwrap();
    let genesis: chain::Hash = FINNEY_GENESIS.parse().unwrap();
    Runtime::from_metadata_at_version(
        RuntimeVersion { spec_version: spec, transaction_version: 1 },
        &answer,
        genesis.0,
    )
    .unwrap()
}

/// A replay server of `set` and a client connected to it.
pub(crate) async fn replay(finney: &Path, set: &str) -> (Replay, Subtensor) {
    let replay = Replay::start(finney, set).await;
    let client = Subtensor::connect(&replay.url()).await.unwrap();
    (replay, client)
}

/// An account from its SS58 address.
pub(crate) fn account(ss58: &str) -> chain::AccountId {
    ss58.parse().unwrap()
}
