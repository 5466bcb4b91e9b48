//! promtool: `check metrics` (Prometheus' own linter of the text exposition), `check rules` and `test rules`.

use std::io;
use std::process::Command;
use std::time::Duration;

use crate::worker_process::run_with_input;

/// promtool reads a few KiB and exits; far longer means it hangs.
const TIMEOUT: Duration = Duration::from_secs(60);

/// What `promtool check metrics` said about a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    /// The exit code: 0 for no finding, 3 for findings, 1 for a text it cannot parse.
    pub code: Option<i32>,
    /// Its findings, one per line (`NAME problem`), from its standard error.
    pub findings: Vec<String>,
}

/// Runs `promtool check metrics` on `text`.
///
/// ```no_run
/// let lint = harness::prometheus::check_metrics("# HELP x_total a\n# TYPE x_total gauge\nx_total 1\n")?;
/// assert_eq!(lint.code, Some(3));
/// assert_eq!(lint.findings, [r#"x_total non-counter metrics should not have "_total" suffix"#]);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn check_metrics(text: &str) -> io::Result<Lint> {
    let mut promtool = Command::new("promtool");
    promtool.args(["check", "metrics"]);
    let output = run_with_input(&mut promtool, text, TIMEOUT)?;
    let [stdout, stderr] =
        [output.stdout, output.stderr].map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    Ok(Lint {
        code: output.status.code(),
        findings: stdout
            .lines()
            .chain(stderr.lines())
            .map(str::to_owned)
            .collect(),
    })
}

/// What promtool said about a rule file or a rule test: whether it passed,
/// and its standard output and error together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Whether promtool exited with 0.
    pub passed: bool,
    /// Everything it printed.
    pub said: String,
}

/// Runs `promtool check rules FILE`.
///
/// ```no_run
/// let verdict = harness::prometheus::check_rules("prometheus/kvstats.rules.yml".as_ref())?;
/// assert!(verdict.passed, "{}", verdict.said);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn check_rules(path: &std::path::Path) -> io::Result<Verdict> {
    promtool(&["check", "rules"], path)
}

/// Runs `promtool test rules FILE` (which reads its rule files relative to
/// FILE's directory).
///
/// ```no_run
/// let verdict = harness::prometheus::test_rules("prometheus/kvstats.rules.test.yml".as_ref())?;
/// assert!(verdict.passed, "{}", verdict.said);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn test_rules(path: &std::path::Path) -> io::Result<Verdict> {
    promtool(&["test", "rules"], path)
}

fn promtool(args: &[&str], path: &std::path::Path) -> io::Result<Verdict> {
    let mut promtool = Command::new("promtool");
    promtool.args(args).arg(path);
    let output = run_with_input(&mut promtool, "", TIMEOUT)?;
    Ok(Verdict {
        passed: output.status.success(),
        said: String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    })
}
