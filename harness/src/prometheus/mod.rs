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

pub use api::{Series, Target};
pub use promtool::{check_metrics, Lint};
pub use server::Prometheus;

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
    let skip = std::env::var_os(SKIP_ENV).is_some_and(|v| v == "1");
    let mut missing = missing_tools();
    if !missing.is_empty() && !skip {
        if let Err(why) = install_once() {
            eprintln!("installing Prometheus failed: {why}");
        }
        missing = missing_tools();
    }
    if missing.is_empty() {
        return true;
    }
    let what = missing.join(" and ");
    if skip {
        eprintln!("skipped: {what} not on PATH and {SKIP_ENV}=1");
        return false;
    }
    panic!(
        "{what} not on PATH: {INSTALL_HINT}; or set {SKIP_ENV}=1 to skip the tests that need it"
    );
}

fn missing_tools() -> Vec<&'static str> {
    ["prometheus", "promtool"]
        .into_iter()
        .filter(|tool| on_path(tool).is_none())
        .collect()
}

/// Runs `scripts/prometheus.sh install` the first time a test of this binary
/// asks; tests running in parallel wait for that one run.
fn install_once() -> Result<(), String> {
    static INSTALL: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    INSTALL
        .get_or_init(|| {
            let output = std::process::Command::new("bash")
                .arg(script())
                .arg("install")
                .output()
                .map_err(|e| format!("cannot run {}: {e}", script().display()))?;
            if output.status.success() {
                Ok(())
            } else {
                let stderr = String::from_utf8_lossy(&output.stderr);
                Err(format!("{}: {}", output.status, stderr.trim()))
            }
        })
        .clone()
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
