//! amm
