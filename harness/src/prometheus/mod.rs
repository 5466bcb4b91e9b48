//! A real Prometheus server and `promtool` for the tests, started through
//! `scripts/prometheus.sh` so the tests check the configuration a developer
//! runs by hand.
//!
//! Neither is assumed to be installed: a test that needs them calls
//! [`required`] first, which installs them with the script when they are
//! missing (so `cargo test --workspace` sets itself up on a fresh machine),
//! and fails the test with the command to run by hand if that is not
//! possible, unless `KVSTATS_SKIP_PROMETHEUS=1` says to skip it.

mod api;
mod promtool;
mod server;

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::external::Tool;

pub use api::{Rule, Series, Target};
pub use promtool::{check_metrics, check_rules, test_rules, Lint, Verdict};
pub use server::{Options, Prometheus};

/// Set to `1` to skip, instead of fail, the tests that need Prometheus when
/// it is not installed.
pub const SKIP_ENV: &str = "KVSTATS_SKIP_PROMETHEUS";

/// What a developer runs to get the tools.
pub const INSTALL_HINT: &str =
    "run `scripts/prometheus.sh install` (or `.ci/run`, which installs it when missing)";

/// The script that installs, runs and stops Prometheus.
pub fn script() -> PathBuf {
    crate::workspace_root().join("scripts/prometheus.sh")
}

/// Whether a test that needs `prometheus` and `promtool` can run: `true`
/// when both are on `PATH`, after installing them with `scripts/prometheus.sh
/// install` if they were not (once per test binary); `false` when one is
/// still missing and `KVSTATS_SKIP_PROMETHEUS=1` (the skip is said on
/// standard error).
///
/// # Panics
///
/// When one is missing and the skip is not asked for: a test that silently
/// passed without the server it is about would prove nothing.
pub fn required() -> bool {
    static PROMETHEUS: Tool = Tool {
        script,
        hint: INSTALL_HINT,
        skip_env: SKIP_ENV,
        install: OnceLock::new(),
    };
    PROMETHEUS.required(|| {
        let missing: Vec<&str> = ["prometheus", "promtool"]
            .into_iter()
            .filter(|tool| on_path(tool).is_none())
            .collect();
        (!missing.is_empty()).then(|| format!("{} not on PATH", missing.join(" and ")))
    })
}

/// The executable `name` in a directory of `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;

    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|file| {
            file.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}
