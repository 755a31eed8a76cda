//! The chain's errors by name: a failed call's `DispatchError` and a pool's refusal, as
//! taoplex's [`chain::DispatchError`] / [`chain::TxValidityError`].

use chain::{DispatchError, SwapFailure};
use scale_value::{Composite, Value, ValueDef};

use crate::runtime::Runtime;

/// A `sp_runtime::DispatchError` decoded generically: its variants differ between runtimes,
/// and only `Module` errors carry names taoplex maps.
pub(crate) type DispatchErrorValue = Value;

/// The name of an enum value's variant.
pub(crate) fn variant_name(value: &Value) -> Option<&str> {
    match &value.value {
        ValueDef::Variant(v) => Some(v.name.as_str()),
        _ => None,
    }
}

/// The chain's error, named with the runtime's metadata.
pub(crate) fn dispatch_error(runtime: &Runtime, value: &DispatchErrorValue) -> DispatchError {
    let ValueDef::Variant(variant) = &value.value else {
        return module("Runtime", "DispatchError", "an error taoplex cannot read");
    };
    if variant.name == "Module"
        && let Some((index, error)) = module_indices(&variant.values)
    {
        let pallet = runtime.metadata().pallet_by_error_index(index);
        let found = pallet.as_ref().and_then(|p| p.error_variant_by_index(error));
        if let (Some(pallet), Some(found)) = (pallet, found) {
            return named(pallet.name(), &found.name, &found.docs.join(" "));
        }
        return module("Runtime", "Module", &format!("pallet {index} error {error}"));
    }
    // Non-module errors (`BadOrigin`, `Token(FundsUnavailable)`, `Arithmetic(Overflow)`, …).
    let inner = match &variant.values {
        Composite::Unnamed(values) => values.first().and_then(variant_name),
        Composite::Named(_) => None,
    };
    match (variant.name.as_str(), inner) {
        ("Arithmetic", _) => DispatchError::Overflow,
        (outer, Some(inner)) => module(outer, inner, inner),
        (outer, None) => module("Runtime", outer, outer),
    }
}

/// `Module(ModuleError { index: u8, error: [u8; 4] })`: the pallet index and the error's
/// variant index (the first byte). The variant's one field is the `ModuleError` composite.
fn module_indices(values: &Composite<()>) -> Option<(u8, u8)> {
    let mut fields: Vec<&Value> = values.values().collect();
    if let [only] = fields[..]
        && let ValueDef::Composite(inner) = &only.value
    {
        fields = inner.values().collect();
    }
    let index = fields.first()?.as_u128()?;
    let error = match &fields.get(1)?.value {
        ValueDef::Composite(bytes) => bytes.values().next()?.as_u128()?,
        _ => return None,
    };
    Some((u8::try_from(index).ok()?, u8::try_from(error).ok()?))
}

/// Typed where taoplex has a variant without fields the chain does not report; otherwise the
/// chain's name and description.
fn named(pallet: &str, name: &str, docs: &str) -> DispatchError {
    let swap = |f| DispatchError::Swap(f);
    match name {
        "SlippageTooHigh" => swap(SwapFailure::SlippageTooHigh),
        "ReservesTooLow" => swap(SwapFailure::ReservesTooLow),
        "PriceLimitExceeded" => swap(SwapFailure::PriceLimitExceeded),
        "InsufficientLiquidity" => swap(SwapFailure::InsufficientLiquidity),
        "StakingOperationRateLimitExceeded" => DispatchError::StakingOperationRateLimitExceeded,
        "HotKeyAccountNotExists" => DispatchError::HotKeyAccountNotExists,
        "NonAssociatedColdKey" => DispatchError::NonAssociatedColdKey,
        "SubnetLimitReached" => DispatchError::SubnetLimitReached,
        "NotProxy" if pallet == "Proxy" => DispatchError::NotProxy,
        "Duplicate" if pallet == "Proxy" => DispatchError::DuplicateProxy,
        "KeepAlive" if pallet == "Balances" => DispatchError::KeepAlive,
        _ => module(pallet, name, if docs.is_empty() { name } else { docs }),
    }
}

fn module(pallet: &str, name: &str, description: &str) -> DispatchError {
    DispatchError::Module {
        pallet: pallet.to_string(),
        name: name.to_string(),
        description: description.trim().to_string(),
    }
}
