#![doc = include_str!("../README.md")]

mod config;
mod error;
mod migrate;
mod pool;
pub mod row;
#[cfg(feature = "test-utils")]
pub mod test_utils;

pub use config::{Backend, DbConfig, Settings};
pub use error::DbError;
pub use migrate::{Legacy, Migrations};
pub use pool::Db;
pub use row::{to_i64, to_u64};
