//! The compiled readers (`subtensor::layout`) against the decoder they replaced,
//! `scale-decode`'s derive, kept here as the oracle: on recorded spec-343 answers and on
//! spec-393 answers encoded against the runtime's types, both give the same partial structs.
//!
//! The oracle's structs carry the views' names and fields, so their `Debug` text must match
//! the views' exactly.

use std::path::Path;

use scale_decode::DecodeAsType;
use subtensor::runtime::Runtime;

use crate::common::{fixtures, runtime};
use crate::encode;

#[allow(dead_code)]
mod old {
    use scale_decode::DecodeAsType;
    pub(crate) use subtensor::events::Account;

    #[derive(Debug, DecodeAsType)]
    pub(crate) struct FixedI128 {
        pub bits: i128,
    }

    #[derive(Debug, DecodeAsType)]
    pub(crate) struct IdentityV3 {
        pub subnet_name: Vec<u8>,
        pub github_repo: Vec<u8>,
        pub subnet_url: Vec<u8>,
        pub description: Vec<u8>,
        pub logo_url: Vec<u8>,
    }

    #[derive(Debug, DecodeAsType)]
    pub(crate) struct DynamicInfo {
        pub netuid: u16,
        pub owner_hotkey: Account,
        pub owner_coldkey: Account,
        pub subnet_name: Vec<u8>,
        pub token_symbol: Vec<u8>,
        pub tempo: u16,
        pub last_step: u64,
        pub alpha_in: u64,
        pub alpha_out: u64,
        pub tao_in: u64,
        pub tao_in_emission: u64,
        pub subnet_volume: u128,
        pub network_registered_at: u64,
        pub subnet_identity: Option<IdentityV3>,
        pub moving_price: FixedI128,
    }

    #[derive(Debug, DecodeAsType)]
    pub(crate) struct SelectiveMetagraph {
        pub netuid: u16,
        pub name: Option<Vec<u8>>,
        pub symbol: Option<Vec<u8>>,
        pub identity: Option<Option<IdentityV3>>,
        pub network_registered_at: Option<u64>,
        pub owner_hotkey: Option<Account>,
        pub owner_coldkey: Option<Account>,
        pub tempo: Option<u16>,
        pub last_step: Option<u64>,
        pub alpha_in: Option<u64>,
        pub alpha_out: Option<u64>,
        pub tao_in: Option<u64>,
        pub tao_in_emission: Option<u64>,
        pub subnet_volume: Option<u128>,
        pub moving_price: Option<FixedI128>,
        pub kappa: Option<u16>,
        pub weights_version: Option<u64>,
        pub weights_rate_limit: Option<u64>,
        pub activity_cutoff: Option<u16>,
        pub max_validators: Option<u16>,
        pub num_uids: Option<u16>,
        pub max_uids: Option<u16>,
        pub burn: Option<u64>,
        pub registration_allowed: Option<bool>,
        pub immunity_period: Option<u16>,
        pub min_burn: Option<u64>,
        pub max_burn: Option<u64>,
        pub commit_reveal_weights_enabled: Option<bool>,
        pub commit_reveal_period: Option<u64>,
        pub bonds_moving_avg: Option<u64>,
    }

    #[derive(Debug, DecodeAsType)]
    pub(crate) struct NeuronLite {
        pub hotkey: Account,
        pub coldkey: Account,
        pub uid: u16,
        pub netuid: u16,
        pub axon_info: AxonLite,
        pub stake: Vec<(Account, u64)>,
        pub emission: u64,
        pub incentive: u16,
        pub consensus: u16,
        pub dividends: u16,
        pub last_update: u64,
        pub validator_permit: bool,
    }

    #[derive(Debug, DecodeAsType)]
    pub(crate) struct AxonLite {
        pub block: u64,
        pub version: u32,
        pub ip: u128,
        pub port: u16,
        pub ip_type: u8,
        pub protocol: u8,
    }

    #[derive(Debug, DecodeAsType)]
    pub(crate) struct StakeLite {
        pub hotkey: Account,
        pub coldkey: Account,
        pub netuid: u16,
        pub stake: u64,
    }

    #[derive(Debug, DecodeAsType)]
    pub(crate) struct SimSwap {
        pub tao_amount: u64,
        pub alpha_amount: u64,
        pub tao_fee: u64,
        pub alpha_fee: u64,
    }

    #[derive(Debug, DecodeAsType)]
    pub(crate) struct SubnetPrice {
        pub netuid: u16,
        pub price: u64,
    }
}

/// Decodes `bytes` (the answer of `api`.`method`) both ways and compares them; returns the
/// `Debug` text so callers can check it is not trivially empty.
fn same<New, Old>(runtime: &Runtime, api: &str, method: &str, bytes: &[u8]) -> String
where
    New: subtensor::layout::Layout + std::fmt::Debug,
    Old: DecodeAsType + std::fmt::Debug,
{
    let new: New = runtime.decode_api(api, method, bytes).unwrap();
    let ty = runtime.api_output_type(api, method).unwrap();
    let old: Old = runtime.decode(bytes, ty, method).unwrap();
    let (new, old) = (format!("{new:?}"), format!("{old:?}"));
    assert_eq!(new, old, "{api}_{method}: the compiled reader and scale-decode disagree");
    new
}

/// The recorded answer to `method` in the `metagraph` seed of spec 343.
fn recorded(finney: &Path, method: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(finney.join("spec343/responses.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let calls = json["seeds"]["metagraph"]["calls"]["state_call"].as_array().unwrap();
    let call = calls.iter().find(|c| c["params"][0] == method).unwrap();
    hex::decode(call["result"].as_str().unwrap().trim_start_matches("0x")).unwrap()
}

#[test]
fn recorded_spec_343_answers_read_the_same_as_through_scale_decode() {
    let Some(finney) = fixtures() else { return };
    let runtime = runtime(&finney, "spec343");

    let neurons = recorded(&finney, "NeuronInfoRuntimeApi_get_neurons_lite");
    let text = same::<Vec<subtensor::views::NeuronLite>, Vec<old::NeuronLite>>(
        &runtime,
        "NeuronInfoRuntimeApi",
        "get_neurons_lite",
        &neurons,
    );
    assert!(text.matches("NeuronLite {").count() > 100, "subnet 1's neurons");

    let graph = recorded(&finney, "SubnetInfoRuntimeApi_get_selective_mechagraph");
    let text = same::<Option<subtensor::views::SelectiveMetagraph>, Option<old::SelectiveMetagraph>>(
        &runtime,
        "SubnetInfoRuntimeApi",
        "get_selective_mechagraph",
        &graph,
    );
    assert!(text.contains("tao_in: Some(22079400556774)"), "{text}");
}

#[test]
fn spec_393_answers_encoded_against_the_runtime_types_read_the_same_as_through_scale_decode() {
    let Some(finney) = fixtures() else { return };
    let runtime = runtime(&finney, "spec393");
    let answer = |api, method, value| encode::api_answer(&runtime, api, method, &value);

    let subnets: Vec<(u16, u64, u64)> =
        (0..128).map(|n| (n, 1_000_000_000_000 + u64::from(n), u64::MAX - u64::from(n))).collect();
    let all =
        answer("SubnetInfoRuntimeApi", "get_all_dynamic_info", encode::all_dynamic_info(&subnets));
    let text = same::<Vec<Option<subtensor::views::DynamicInfo>>, Vec<Option<old::DynamicInfo>>>(
        &runtime,
        "SubnetInfoRuntimeApi",
        "get_all_dynamic_info",
        &all,
    );
    assert_eq!(text.matches("DynamicInfo {").count(), 128);

    let prices = answer(
        "SwapRuntimeApi",
        "current_alpha_price_all",
        encode::prices(&[(0, 1), (7, u64::MAX)]),
    );
    same::<Vec<subtensor::views::SubnetPrice>, Vec<old::SubnetPrice>>(
        &runtime,
        "SwapRuntimeApi",
        "current_alpha_price_all",
        &prices,
    );

    let sim = answer("SwapRuntimeApi", "sim_swap_tao_for_alpha", encode::sim_swap(10, 20, 3, 4));
    same::<subtensor::views::SimSwap, old::SimSwap>(
        &runtime,
        "SwapRuntimeApi",
        "sim_swap_tao_for_alpha",
        &sim,
    );

    let stakes = answer(
        "StakeInfoRuntimeApi",
        "get_stake_info_for_coldkey",
        encode::stake_infos([9; 32], &[(1, 3, 5), (2, 64, 0)]),
    );
    same::<Vec<subtensor::views::StakeLite>, Vec<old::StakeLite>>(
        &runtime,
        "StakeInfoRuntimeApi",
        "get_stake_info_for_coldkey",
        &stakes,
    );
}
