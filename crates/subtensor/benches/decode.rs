//! What decoding costs on the live client: one block's events (block 7,959,635 of finney,
//! 182 records, recorded) and one `get_all_dynamic_info` answer for 128 subnets (encoded
//! against the spec-393 metadata's types). Needs the shared finney fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/it/encode.rs"]
#[allow(dead_code)]
mod encode;

use std::path::Path;

use subtensor::runtime::{Runtime, RuntimeVersion};
use subtensor::views::DynamicInfo;

fn main() {
    divan::main();
}

struct Fixture {
    runtime: Runtime,
    events: Vec<u8>,
    dynamic_info: Vec<u8>,
}

fn fixture() -> Fixture {
    let finney = test_support::replay::finney_fixtures().expect("the finney fixtures");
    let runtime = runtime(&finney);
    let text = std::fs::read_to_string(finney.join("spec393/responses.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let storage =
        &json["seeds"]["test_get_events_proper_decoding"]["calls"]["state_getStorageAt"][0];
    let events = hex::decode(storage["result"].as_str().unwrap().trim_start_matches("0x")).unwrap();
    let subnets: Vec<(u16, u64, u64)> =
        (0..128).map(|n| (n, 1_000_000_000_000 + u64::from(n), 2_000_000_000_000)).collect();
    let dynamic_info = encode::api_answer(
        &runtime,
        "SubnetInfoRuntimeApi",
        "get_all_dynamic_info",
        &encode::all_dynamic_info(&subnets),
    );
    Fixture { runtime, events, dynamic_info }
}

fn runtime(finney: &Path) -> Runtime {
    let hex = test_support::replay::metadata_v15_hex(finney, "spec393");
    let answer = hex::decode(hex.trim_start_matches("0x")).unwrap();
    let version = RuntimeVersion { spec_version: 393, transaction_version: 1 };
    Runtime::from_metadata_at_version(version, &answer, [0; 32]).unwrap()
}

#[divan::bench]
fn events_of_one_block(bencher: divan::Bencher) {
    let f = fixture();
    bencher.bench(|| {
        subtensor::events::decode_events(&f.runtime, 7_959_635, divan::black_box(f.events.clone()))
            .unwrap()
    });
}

#[divan::bench]
fn all_dynamic_info_128_subnets(bencher: divan::Bencher) {
    let f = fixture();
    bencher.bench(|| {
        let all: Vec<Option<DynamicInfo>> = f
            .runtime
            .decode_api(
                "SubnetInfoRuntimeApi",
                "get_all_dynamic_info",
                divan::black_box(&f.dynamic_info),
            )
            .unwrap();
        assert_eq!(all.len(), 129);
        all
    });
}
