//! yuma
