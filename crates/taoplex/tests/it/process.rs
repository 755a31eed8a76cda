//! The `taoplex` binary under test, through the shared process helper.

use std::path::Path;

pub(crate) use test_support::process::Process;

/// The `taoplex` binary cargo built for these tests.
pub(crate) fn taoplex() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_taoplex"))
}
