//! `promtool check metrics`: Prometheus' own linter of the text exposition.

use std::io::{self, Write};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::worker_process::{read_all, wait_until};

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
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| io::Error::other("no stdin"))?;
    let text = text.to_owned();
    // Written on a thread: promtool may answer before reading everything.
    let writer = thread::spawn(move || stdin.write_all(text.as_bytes()));
    let missing = || io::Error::other("no output pipe");
    let stdout = read_all(child.stdout.take().ok_or_else(missing)?);
    let stderr = read_all(child.stderr.take().ok_or_else(missing)?);
    let status = wait_until(&mut child, Instant::now() + TIMEOUT);
    let _ = child.wait();
    let _ = writer.join();
    let [stdout, stderr] = [stdout, stderr]
        .map(|reader| String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned());
    let status = status?;
    Ok(Lint {
        code: status.code(),
        findings: stdout
            .lines()
            .chain(stderr.lines())
            .map(str::to_owned)
            .collect(),
    })
}
