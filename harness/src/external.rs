//! What the tests that need a tool from outside cargo share (a real
//! Prometheus, prometheus_client's Python parser): install it with the
//! project's script when it is missing, skip when told to, fail otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A tool some tests need, and the script that installs it.
pub(crate) struct Tool {
    /// The script, run as `bash SCRIPT install`.
    pub script: fn() -> PathBuf,
    /// What a developer runs to get the tool by hand.
    pub hint: &'static str,
    /// Set to `1` to skip the tests that need the tool when it is missing.
    pub skip_env: &'static str,
    /// The one install of this tool per test binary: `OnceLock::new()`.
    pub install: OnceLock<Result<(), String>>,
}

impl Tool {
    /// Whether a test that needs the tool can run: `true` when `missing`
    /// says nothing is missing, after running the script's `install` if it
    /// did (once per test binary; tests running in parallel wait for that
    /// one run); `false` when something is still missing and the skip
    /// variable is `1` (the skip is said on standard error).
    ///
    /// # Panics
    ///
    /// When something is missing and the skip is not asked for: a test that
    /// silently passed without the tool it is about would prove nothing.
    pub fn required(&self, missing: impl Fn() -> Option<String>) -> bool {
        let skip = std::env::var_os(self.skip_env).is_some_and(|v| v == "1");
        let mut what = missing();
        if what.is_some() && !skip {
            if let Err(why) = self.install_once() {
                eprintln!("{} install failed: {why}", (self.script)().display());
            }
            what = missing();
        }
        let Some(what) = what else {
            return true;
        };
        if skip {
            eprintln!("skipped: {what}, and {}=1", self.skip_env);
            return false;
        }
        panic!(
            "{what}: {}; or set {}=1 to skip the tests that need it",
            self.hint, self.skip_env
        );
    }

    fn install_once(&self) -> Result<(), String> {
        self.install
            .get_or_init(|| script_output(&(self.script)(), &["install"]).map(drop))
            .clone()
    }
}

/// What `bash SCRIPT ARGS` prints on standard output when it succeeds, or
/// what it says on standard error (its exit status if it says nothing).
pub(crate) fn script_output(script: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("bash")
        .arg(script)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        match stderr.trim() {
            "" => Err(format!("{} {}", script.display(), output.status)),
            said => Err(said.to_owned()),
        }
    }
}
