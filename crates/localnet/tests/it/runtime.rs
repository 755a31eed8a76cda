//! runtime tests.
