//! genesis tests.
