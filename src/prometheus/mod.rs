//! A real Prometheus server and `promtool` for the tests, started through
//! `scripts/prometheus.sh` so the tests check the configuration a developer
//! runs by hand.
//!
//! Neither is assumed to be installed: a test that needs them calls
//! [`required`] first, which fails the test with the command to install
//! them, unless `KVSTATS_SKIP_PROMETHEUS=1` says to skip it.

mod api;
mod promtool;
mod server;

use std::path::{Path, PathBuf};

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
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/prometheus.sh")
}

/// Whether a test that needs `prometheus` and `promtool` can run: `true`
/// when both are on `PATH`; `false` when one is missing and
/// `KVSTATS_SKIP_PROMETHEUS=1` (the skip is said on standard error).
///
/// # Panics
///
/// When one is missing and the skip is not asked for: a test that silently
/// passed without the server it is about would prove nothing.
pub fn required() -> bool {
    let missing: Vec<&str> = ["prometheus", "promtool"]
        .into_iter()
        .filter(|tool| on_path(tool).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let what = missing.join(" and ");
    if std::env::var_os(SKIP_ENV).is_some_and(|v| v == "1") {
        eprintln!("skipped: {what} not on PATH and {SKIP_ENV}=1");
        return false;
    }
    panic!(
        "{what} not on PATH: {INSTALL_HINT}; or set {SKIP_ENV}=1 to skip the tests that need it"
    );
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
