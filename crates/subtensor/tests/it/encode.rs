//! Answers for runtime APIs that were never recorded, SCALE-encoded against the output types
//! of the real spec-393 metadata (by type id, with `scale-value`), not against our structs.

use scale_value::Value;
use subtensor::runtime::Runtime;

/// Encodes `value` as the output of runtime API `api`.`method`.
pub(crate) fn api_answer(runtime: &Runtime, api: &str, method: &str, value: &Value) -> Vec<u8> {
    let ty = runtime.api_output_type(api, method).unwrap();
    let mut out = Vec::new();
    scale_value::scale::encode_as_type(value, ty, runtime.metadata().types(), &mut out).unwrap();
    out
}

fn named(fields: Vec<(&str, Value)>) -> Value {
    Value::named_composite(fields.into_iter().map(|(k, v)| (k.to_string(), v)))
}

fn some(v: Value) -> Value {
    Value::unnamed_variant("Some", [v])
}

fn u(n: u128) -> Value {
    Value::u128(n)
}

/// A `DynamicInfo` of subnet `netuid` with reserves `tao_in`/`alpha_in` (every field the
/// runtime type has, as the runtime fills them).
pub(crate) fn dynamic_info(netuid: u16, tao_in: u64, alpha_in: u64) -> Value {
    let name = format!("subnet {netuid}");
    named(vec![
        ("netuid", u(netuid.into())),
        ("owner_hotkey", Value::from_bytes([netuid as u8; 32])),
        ("owner_coldkey", Value::from_bytes([netuid as u8 + 1; 32])),
        ("subnet_name", Value::from_bytes(name.as_bytes())),
        ("token_symbol", Value::from_bytes("α".as_bytes())),
        ("tempo", u(360)),
        ("last_step", u(7_959_000)),
        ("blocks_since_last_step", u(12)),
        ("emission", u(0)),
        ("alpha_in", u(alpha_in.into())),
        ("alpha_out", u(u128::from(alpha_in) / 2)),
        ("tao_in", u(tao_in.into())),
        ("alpha_out_emission", u(1_000_000_000)),
        ("alpha_in_emission", u(500_000_000)),
        ("tao_in_emission", u(9_531_940)),
        ("pending_alpha_emission", u(0)),
        ("pending_root_emission", u(0)),
        ("subnet_volume", u(609_202_105_066_978)),
        ("network_registered_at", u(100 + u128::from(netuid))),
        (
            "subnet_identity",
            some(named(vec![
                ("subnet_name", Value::from_bytes(name.as_bytes())),
                ("github_repo", Value::from_bytes(b"https://github.com/example/subnet")),
                ("subnet_contact", Value::from_bytes(b"")),
                ("subnet_url", Value::from_bytes(b"https://example.org")),
                ("discord", Value::from_bytes(b"")),
                ("description", Value::from_bytes(b"a subnet")),
                ("logo_url", Value::from_bytes(b"")),
                ("additional", Value::from_bytes(b"")),
            ])),
        ),
        ("moving_price", named(vec![("bits", Value::i128(40_869_489))])),
    ])
}

/// `get_all_dynamic_info`'s answer for `subnets` (netuid, tao_in, alpha_in), with a gap
/// (`None`) where a subnet slot is empty.
pub(crate) fn all_dynamic_info(subnets: &[(u16, u64, u64)]) -> Value {
    let mut items = Vec::new();
    for &(netuid, tao, alpha) in subnets {
        items.push(some(dynamic_info(netuid, tao, alpha)));
    }
    items.push(Value::unnamed_variant("None", []));
    Value::unnamed_composite(items)
}

/// `current_alpha_price_all`'s answer.
pub(crate) fn prices(prices: &[(u16, u64)]) -> Value {
    Value::unnamed_composite(
        prices.iter().map(|&(n, p)| named(vec![("netuid", u(n.into())), ("price", u(p.into()))])),
    )
}

/// A `SimSwapResult`.
pub(crate) fn sim_swap(tao: u64, alpha: u64, tao_fee: u64, alpha_fee: u64) -> Value {
    named(vec![
        ("tao_amount", u(tao.into())),
        ("alpha_amount", u(alpha.into())),
        ("tao_fee", u(tao_fee.into())),
        ("alpha_fee", u(alpha_fee.into())),
        ("tao_slippage", u(0)),
        ("alpha_slippage", u(0)),
    ])
}

/// `get_stake_info_for_coldkey`'s answer: (hotkey byte, netuid, alpha) per position.
pub(crate) fn stake_infos(coldkey: [u8; 32], stakes: &[(u8, u16, u64)]) -> Value {
    Value::unnamed_composite(stakes.iter().map(|&(hot, netuid, stake)| {
        named(vec![
            ("hotkey", Value::from_bytes([hot; 32])),
            ("coldkey", Value::from_bytes(coldkey)),
            ("netuid", u(netuid.into())),
            ("stake", u(stake.into())),
            ("locked", u(0)),
            ("emission", u(0)),
            ("tao_emission", u(0)),
            ("drain", u(0)),
            ("is_registered", Value::bool(true)),
        ])
    }))
}
