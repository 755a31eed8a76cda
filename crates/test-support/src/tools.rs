//! One policy for the external tools some tests need (Chromium, the Python venv, PostgreSQL,
//! the shared fixtures): under `CI=true` a missing tool fails the test, elsewhere the test says
//! so on the real stderr and returns early.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// An external tool a test needs, found through an environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tool {
    /// Headless Chromium (`TAOPLEX_CHROMIUM`, a path).
    Chromium,
    /// chromedriver for WebDriver tests (`TAOPLEX_CHROMEDRIVER`, a path).
    Chromedriver,
    /// The Python venv with `bittensor-wallet`, `datasets` and the `bittensor` SDK (`TAOPLEX_PYTHON`,
    /// an interpreter).
    Python,
    /// A PostgreSQL server (`TAOPLEX_TEST_PG_URL`, a URL).
    Postgres,
    /// Node.js, for the polkadot.js tests (`TAOPLEX_NODE`, an interpreter; [`polkadot_js`]).
    Node,
    /// The shared reference fixtures (`TAOPLEX_FIXTURES`, by default `../shared/fixtures`
    /// beside the workspace).
    Fixtures,
}

impl Tool {
    /// The environment variable that names where the tool is.
    pub fn variable(self) -> &'static str {
        match self {
            Tool::Chromium => "TAOPLEX_CHROMIUM",
            Tool::Chromedriver => "TAOPLEX_CHROMEDRIVER",
            Tool::Python => "TAOPLEX_PYTHON",
            Tool::Postgres => "TAOPLEX_TEST_PG_URL",
            Tool::Node => "TAOPLEX_NODE",
            Tool::Fixtures => "TAOPLEX_FIXTURES",
        }
    }

    /// What to do to have it.
    pub fn install_hint(self) -> &'static str {
        match self {
            Tool::Chromium | Tool::Chromedriver => {
                "run `.ci/setup-chromium` (Debian's chromium and chromium-driver; it prints the \
                 chromedriver path, then the chromium path) and export TAOPLEX_CHROMEDRIVER and \
                 TAOPLEX_CHROMIUM"
            }
            Tool::Python => {
                "run `export TAOPLEX_PYTHON=$(.ci/setup-python | tail -n1)` (a venv with \
                 bittensor-wallet, datasets and bittensor from .ci/requirements-*.txt)"
            }
            Tool::Postgres => {
                "start PostgreSQL and export TAOPLEX_TEST_PG_URL \
                 (e.g. postgres://postgres@127.0.0.1:5432/test)"
            }
            Tool::Node => {
                "run `export TAOPLEX_NODE=$(.ci/setup-node | tail -n1)` (Debian's nodejs and npm \
                 when no Node.js is installed)"
            }
            Tool::Fixtures => {
                "check out the shared fixtures beside the workspace (../shared/fixtures) or \
                 export TAOPLEX_FIXTURES with their path"
            }
        }
    }

    /// Where the tool is, if it is there: the variable's value, which for a path must exist.
    pub fn locate(self) -> Result<String, Missing> {
        let value = std::env::var(self.variable()).ok().filter(|v| !v.trim().is_empty());
        let value = match (self, value) {
            (Tool::Fixtures, None) => {
                default_fixtures_dir().to_str().map(str::to_string).unwrap_or_default()
            }
            (_, Some(v)) => v,
            (_, None) => return Err(Missing { tool: self, value: None }),
        };
        let is_path = !matches!(self, Tool::Postgres);
        if is_path && !Path::new(&value).exists() {
            return Err(Missing { tool: self, value: Some(value) });
        }
        Ok(value)
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tool::Chromium => "Chromium",
            Tool::Chromedriver => "chromedriver",
            Tool::Python => "the Python venv",
            Tool::Postgres => "PostgreSQL",
            Tool::Node => "Node.js",
            Tool::Fixtures => "the shared fixtures",
        })
    }
}

/// Why a tool was not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The tool.
    pub tool: Tool,
    /// What its variable said, when it named a path that does not exist.
    pub value: Option<String>,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let var = self.tool.variable();
        match &self.value {
            None => write!(f, "{} is missing: {var} is not set", self.tool)?,
            Some(v) => write!(f, "{} is missing: {var}={v} does not exist", self.tool)?,
        }
        write!(f, "; to install it, {}", self.tool.install_hint())
    }
}

/// The shared fixtures' default place: `shared/fixtures` beside the workspace.
pub fn default_fixtures_dir() -> PathBuf {
    workspace_dir().join("../shared/fixtures")
}

/// Runs our polkadot.js script `script` (in `crates/test-support/js`, whose packages
/// `.ci/setup-node` installs) with the Node.js interpreter `node` and `args`, and returns its
/// last output line (our scripts print their answer there, as JSON). Panics with its output
/// when it fails.
pub fn polkadot_js(node: &str, script: &str, args: &[&str]) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("js");
    assert!(
        dir.join("node_modules/@polkadot/api").is_dir(),
        "the polkadot.js packages are not installed in {}: run `.ci/setup-node`",
        dir.display()
    );
    let out = std::process::Command::new(node)
        .current_dir(&dir)
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {node}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed: {}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().last().unwrap_or_default().to_string()
}

/// The workspace root (this crate lives in `crates/test-support`).
pub fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether this run is CI's (`CI=true`, as CI runners set it), where nothing may be skipped.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The tool's value (a path or URL), or `None` after a notice on the real stderr, so the
/// calling test returns early and passes. Under `CI=true` a missing tool **panics** (the test
/// fails) with what to install.
///
/// ```
/// use test_support::{Tool, require};
/// let Some(python) = require(Tool::Python) else { return };
/// # let _ = python;
/// ```
pub fn require(tool: Tool) -> Option<String> {
    match tool.locate() {
        Ok(value) => Some(value),
        Err(missing) if under_ci() => {
            panic!("{missing} (CI=true: tests that need {tool} must run, not skip)")
        }
        Err(missing) => {
            notice(&format!("SKIPPED {}: {missing}", current_test()));
            None
        }
    }
}

/// All of `tools`' values in order, or `None` when any is missing (each missing one is noticed,
/// or under CI the first fails the test).
pub fn require_all<const N: usize>(tools: [Tool; N]) -> Option<[String; N]> {
    let found = tools.map(require);
    if found.iter().any(Option::is_none) {
        return None;
    }
    Some(found.map(Option::unwrap_or_default))
}

/// Writes a framed notice straight to the process's stderr. libtest captures `eprintln!` of
/// passing tests (and shows it only on failure), so a skip notice sent that way is never seen;
/// `io::stderr()` is not captured.
pub fn notice(message: &str) {
    let bar = "!".repeat(78);
    let mut err = std::io::stderr().lock();
    // A notice that cannot be written is no reason to fail a test.
    let _ = writeln!(err, "\n{bar}\n!! {message}\n{bar}");
    let _ = err.flush();
}

/// The running test's name (libtest names each test's thread after it).
fn current_test() -> String {
    std::thread::current().name().filter(|n| *n != "main").unwrap_or("a test").to_string()
}
