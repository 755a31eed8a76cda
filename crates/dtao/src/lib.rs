//! Pure dTAO chain economics.
#![deny(missing_docs)]

pub mod amm;
pub mod emission;
pub mod fixed;
pub mod lock;
pub mod units;
pub mod yuma;
