//! Query-string validation: every handler names the parameters it accepts; anything unknown,
//! repeated, malformed or out of range is a 400 naming the parameter.

use std::collections::BTreeMap;
use std::str::FromStr;

use axum::extract::Query;
use axum::http::Uri;
use chain::{BlockNumber, NetUid};

use crate::error::{ApiError, ApiResult};

/// Validated query parameters.
#[derive(Debug, Default)]
pub(crate) struct Params(BTreeMap<String, String>);

impl Params {
    /// Parses the query of `uri`, accepting only `allowed` names, each at most once.
    pub(crate) fn parse(uri: &Uri, allowed: &[&str]) -> ApiResult<Self> {
        let Query(pairs): Query<Vec<(String, String)>> = Query::try_from_uri(uri)
            .map_err(|e| ApiError::BadRequest(format!("malformed query string: {e}")))?;
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            if !allowed.contains(&k.as_str()) {
                let accepted =
                    if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
                return Err(ApiError::param(
                    &k,
                    format!("unknown parameter; accepted: {accepted}"),
                ));
            }
            if map.insert(k.clone(), v).is_some() {
                return Err(ApiError::param(&k, "given more than once"));
            }
        }
        Ok(Self(map))
    }

    /// A raw value, if given and non-empty.
    pub(crate) fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|s| !s.is_empty())
    }

    /// An integer in `[min, max]`, if given.
    pub(crate) fn int<T>(&self, name: &str, min: T, max: T) -> ApiResult<Option<T>>
    where
        T: FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let Some(raw) = self.str(name) else { return Ok(None) };
        let v: T = raw.parse().map_err(|_| {
            ApiError::param(name, format!("{raw:?} is not an integer in {min}..={max}"))
        })?;
        if v < min || v > max {
            return Err(ApiError::param(name, format!("{v} is out of range; use {min}..={max}")));
        }
        Ok(Some(v))
    }

    /// A page size: `default` when absent, at most `max`.
    pub(crate) fn limit(&self, default: u32, max: u32) -> ApiResult<u32> {
        Ok(self.int("limit", 1, max)?.unwrap_or(default.min(max)))
    }

    /// A subnet id, if given.
    pub(crate) fn netuid(&self, name: &str) -> ApiResult<Option<NetUid>> {
        self.int::<NetUid>(name, 0, NetUid::MAX)
    }

    /// A block number, if given.
    pub(crate) fn block(&self, name: &str) -> ApiResult<Option<BlockNumber>> {
        self.int::<BlockNumber>(name, 0, BlockNumber::MAX >> 1)
    }

    /// A value parsed with `FromStr` (its error message explains the accepted values).
    pub(crate) fn parsed<T>(&self, name: &str) -> ApiResult<Option<T>>
    where
        T: FromStr<Err = String>,
    {
        self.str(name).map(|raw| raw.parse::<T>().map_err(|e| ApiError::param(name, e))).transpose()
    }

    /// A cursor of `N` integers joined by `-` (e.g. `block-extrinsic-seq`).
    pub(crate) fn cursor<const N: usize>(
        &self,
        name: &str,
        shape: &str,
    ) -> ApiResult<Option<[u64; N]>> {
        let Some(raw) = self.str(name) else { return Ok(None) };
        let bad = || {
            ApiError::param(
                name,
                format!("{raw:?} is not a cursor of the form {shape}; pass back a next_cursor"),
            )
        };
        let parts: Vec<u64> = raw
            .split('-')
            .map(|p| p.parse::<u64>())
            .collect::<Result<_, _>>()
            .map_err(|_| bad())?;
        let arr: [u64; N] = parts.try_into().map_err(|_| bad())?;
        Ok(Some(arr))
    }
}

/// A path parameter parsed as a subnet id.
pub(crate) fn path_netuid(raw: &str) -> ApiResult<NetUid> {
    raw.parse::<NetUid>().map_err(|_| {
        ApiError::param("netuid", format!("{raw:?} is not a subnet id (an integer 0..=65535)"))
    })
}
