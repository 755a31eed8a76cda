//! The external-tool policy, end to end: this test binary runs itself as a child, filtered to
//! a probe that needs Chromium, with Chromium deliberately missing. Under `CI=true` the child
//! must fail and say what to install; without `CI` it must pass and print its notice on a
//! stderr that libtest does not capture.

use std::process::{Command, Output};

use test_support::{Tool, require};

/// Needs Chromium. In the suite it checks the Chromium this environment provides (in CI the one
/// `.ci/setup-chromium` installed); the tests below run it again as a child with Chromium
/// deliberately missing or misnamed.
#[test]
fn chromium_probe() {
    let Some(path) = require(Tool::Chromium) else { return };
    assert!(std::path::Path::new(&path).exists());
}

/// Runs `chromium_probe` in a child of this test binary with Chromium missing: its variable
/// unset, or naming `chromium` when given.
fn probe(ci: Option<&str>, chromium: Option<&str>) -> Output {
    let mut child = Command::new(std::env::current_exe().unwrap());
    child.args(["--exact", "policy::chromium_probe", "--test-threads=1"]);
    child.env_remove("CI").env_remove("TAOPLEX_CHROMIUM");
    if let Some(ci) = ci {
        child.env("CI", ci);
    }
    if let Some(path) = chromium {
        child.env("TAOPLEX_CHROMIUM", path);
    }
    child.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn missing_chromium_fails_under_ci() {
    let out = probe(Some("true"), None);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success(), "the probe passed under CI=true:\n{stdout}\n{stderr}");
    // libtest reports the failure and the panic message on stdout.
    assert!(stdout.contains("1 failed"), "{stdout}");
    assert!(stdout.contains("TAOPLEX_CHROMIUM is not set"), "{stdout}");
    assert!(stdout.contains(".ci/setup-chromium"), "says what to install: {stdout}");
}

#[test]
fn a_chromium_path_that_does_not_exist_fails_under_ci() {
    let out = probe(Some("true"), Some("/nonexistent/chromium"));
    let stdout = text(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("TAOPLEX_CHROMIUM=/nonexistent/chromium does not exist"), "{stdout}");
}

#[test]
fn missing_chromium_passes_with_a_visible_notice_elsewhere() {
    for ci in [None, Some("false")] {
        let out = probe(ci, None);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "CI={ci:?}:\n{stdout}\n{stderr}");
        assert!(stdout.contains("1 passed"), "{stdout}");
        // On the child's real stderr although the probe passed: libtest did not swallow it.
        assert!(stderr.contains("SKIPPED policy::chromium_probe"), "{stderr}");
        assert!(stderr.contains("TAOPLEX_CHROMIUM is not set"), "{stderr}");
    }
}

#[test]
fn a_present_tool_is_returned() {
    // This test binary itself stands in for a present Chromium: the probe then checks the
    // path exists and passes, under CI too.
    let me = std::env::current_exe().unwrap();
    let out = probe(Some("true"), Some(me.to_str().unwrap()));
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(!text(&out.stderr).contains("SKIPPED"));
}

#[test]
fn the_message_names_the_variable_and_the_fix() {
    let missing = test_support::Missing { tool: Tool::Postgres, value: None };
    let message = missing.to_string();
    assert!(
        message.starts_with("PostgreSQL is missing: TAOPLEX_TEST_PG_URL is not set"),
        "{message}"
    );
    assert!(message.contains("postgres://"), "{message}");
}
