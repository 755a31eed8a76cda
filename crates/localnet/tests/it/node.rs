//! node tests.
