//! Builds and runs the `worker` example as a child process, for tests that
//! treat it the way a user or Prometheus would.
//!
//! Cargo gives tests the path of the package's binaries but not of its
//! examples, so [`example_binary`] asks cargo itself: `cargo build
//! --example NAME --message-format=json` is a no-op when the example is
//! fresh (as it is after `cargo test`, which builds examples) and reports
//! the executable's path whatever the target directory or profile.

use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use simulation::published::Published;

/// How long building the example may take before the test gives up.
const BUILD_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a started worker may take to say where it listens.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The path of example `name` of the root package, built first if needed.
///
/// ```no_run
/// let worker = harness::worker_process::example_binary("worker")?;
/// assert!(worker.exists());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn example_binary(name: &str) -> io::Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = crate::workspace_root().join("Cargo.toml");
    let args = [
        OsStr::new("build"),
        OsStr::new("--quiet"),
        OsStr::new("--message-format=json"),
        OsStr::new("--example"),
        OsStr::new(name),
        OsStr::new("--manifest-path"),
        manifest.as_os_str(),
    ];
    let (mut child, stdout) = start(Path::new(&cargo), &args, &[], Stdio::inherit())?;
    let lines = read_lines(stdout);
    let deadline = Instant::now() + BUILD_TIMEOUT;
    let mut executable = None;
    while let Some(line) = recv_until(&lines, deadline) {
        if let Some(path) = example_executable(&line, name) {
            executable = Some(path);
        }
    }
    let status = wait_until(&mut child, deadline)?;
    match executable {
        Some(path) if status.success() => Ok(path),
        _ => Err(io::Error::other(format!(
            "`cargo build --example {name}` did not produce it ({status})"
        ))),
    }
}

/// The `worker` example, built once per test binary.
///
/// # Panics
///
/// If it does not build: no test that runs it could do anything else.
pub fn worker_binary() -> &'static Path {
    static WORKER: OnceLock<PathBuf> = OnceLock::new();
    WORKER.get_or_init(|| match example_binary("worker") {
        Ok(path) => path,
        Err(e) => panic!("the worker example does not build: {e}"),
    })
}

/// The executable in one line of cargo's JSON messages, if the line is the
/// artifact of example `name`.
fn example_executable(line: &str, name: &str) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    let target = message.get("target")?;
    let is_example = target
        .get("kind")?
        .as_array()?
        .iter()
        .any(|k| k == "example");
    if message.get("reason")? != "compiler-artifact" || target.get("name")? != name || !is_example {
        return None;
    }
    message.get("executable")?.as_str().map(PathBuf::from)
}

/// Runs `binary` with `args` and `env` to its end (killed after `timeout`),
/// for command lines that are expected to exit at once (`--help`, a bad flag).
///
/// ```no_run
/// use std::time::Duration;
/// use harness::worker_process::{example_binary, run_to_exit};
///
/// let out = run_to_exit(&example_binary("worker")?, &["--help"], &[], Duration::from_secs(30))?;
/// assert!(out.status.success());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn run_to_exit(
    binary: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    timeout: Duration,
) -> io::Result<Output> {
    let mut command = Command::new(binary);
    command.args(args).envs(env.iter().copied());
    // No input: its standard input is closed at once.
    run_with_input(&mut command, "", timeout)
}

/// Runs `command` with `input` on its standard input to its end (killed
/// after `timeout`), for tools that read a text and answer (`promtool check
/// metrics`, the Python parser). The input is written on a thread: a tool
/// may answer, or fail, before it has read everything.
pub(crate) fn run_with_input(
    command: &mut Command,
    input: &str,
    timeout: Duration,
) -> io::Result<Output> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let missing = || io::Error::other("no pipe to the child");
    let mut stdin = child.stdin.take().ok_or_else(missing)?;
    let input = input.to_owned();
    let writer = thread::spawn(move || {
        use io::Write as _;
        // A tool that stops reading closes the pipe; what it says then counts.
        let _ = stdin.write_all(input.as_bytes());
    });
    let stdout = read_all(child.stdout.take().ok_or_else(missing)?);
    let stderr = read_all(child.stderr.take().ok_or_else(missing)?);
    let status = wait_until(&mut child, Instant::now() + timeout);
    let _ = child.wait();
    let _ = writer.join();
    Ok(Output {
        status: status?,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// Starts `binary` with its standard output piped (and returned) and no input.
fn start(
    binary: &Path,
    args: &[impl AsRef<OsStr>],
    env: &[(&str, &str)],
    stderr: Stdio,
) -> io::Result<(Child, ChildStdout)> {
    let mut child = Command::new(binary)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| io::Error::other("no stdout"))?;
    Ok((child, stdout))
}

/// Everything `output` yields, read on a thread so that a full pipe never
/// blocks the child.
pub(crate) fn read_all(mut output: impl io::Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = output.read_to_end(&mut bytes);
        bytes
    })
}

/// A running worker process. Dropping it kills the process and reaps it, so
/// a failing test leaves nothing behind.
pub struct WorkerProcess {
    child: Child,
    lines: mpsc::Receiver<String>,
    addr: SocketAddr,
}

impl WorkerProcess {
    /// Starts `binary` with `args` and waits until it prints the line
    /// `serving http://ADDR/metrics`.
    ///
    /// ```no_run
    /// use harness::worker_process::{example_binary, WorkerProcess};
    ///
    /// let worker = WorkerProcess::spawn(&example_binary("worker")?, &["--addr", "127.0.0.1:0"])?;
    /// println!("scrape http://{}/metrics", worker.addr());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn spawn(binary: &Path, args: &[&str]) -> io::Result<Self> {
        Self::spawn_with_env(binary, args, &[])
    }

    /// [`spawn`](Self::spawn) with extra environment variables.
    pub fn spawn_with_env(binary: &Path, args: &[&str], env: &[(&str, &str)]) -> io::Result<Self> {
        let (child, stdout) = start(binary, args, env, Stdio::inherit())?;
        let mut process = WorkerProcess {
            child,
            lines: read_lines(stdout),
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        };
        let deadline = Instant::now() + START_TIMEOUT;
        while let Some(line) = recv_until(&process.lines, deadline) {
            let addr = line
                .strip_prefix("serving http://")
                .and_then(|rest| rest.strip_suffix("/metrics"))
                .and_then(|addr| addr.parse().ok());
            if let Some(addr) = addr {
                process.addr = addr;
                return Ok(process);
            }
        }
        Err(io::Error::other(
            "the worker exited or did not say where it serves in time",
        ))
    }

    /// The address the worker serves on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next line the worker prints, waiting at most `timeout`.
    pub fn next_line(&self, timeout: Duration) -> Option<String> {
        recv_until(&self.lines, Instant::now() + timeout)
    }

    /// The next `published ...` line (`--print-published`), skipping any
    /// other line, waiting at most `timeout` in all.
    pub fn next_published(&self, timeout: Duration) -> Option<Published> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(published) = Published::parse(&recv_until(&self.lines, deadline)?) {
                return Some(published);
            }
        }
    }

    /// Every `published ...` line printed so far and not read yet, without waiting.
    pub fn published_so_far(&self) -> Vec<Published> {
        self.lines
            .try_iter()
            .filter_map(|line| Published::parse(&line))
            .collect()
    }

    /// Sends SIGTERM and waits up to `timeout` for the process to exit.
    pub fn terminate(mut self, timeout: Duration) -> io::Result<ExitStatus> {
        terminate(&mut self.child, timeout)
    }
}

/// Sends SIGTERM to `child` and waits up to `timeout` for it to exit (then kills it).
pub(crate) fn terminate(child: &mut Child, timeout: Duration) -> io::Result<ExitStatus> {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status()?;
    wait_until(child, Instant::now() + timeout)
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of `output`, read on a thread that ends at end of file.
fn read_lines(output: impl io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(output).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn recv_until(lines: &mpsc::Receiver<String>, deadline: Instant) -> Option<String> {
    let left = deadline.checked_duration_since(Instant::now())?;
    lines.recv_timeout(left).ok()
}

/// Waits for `child` until `deadline`, then kills it.
pub(crate) fn wait_until(child: &mut Child, deadline: Instant) -> io::Result<ExitStatus> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() >= deadline {
            child.kill()?;
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the process did not exit in time",
            ));
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// A scrape of a `worker` publishing `ranks` ranks every 5 ms, taken once
/// every rank has published `steps` times (enough for every series of the
/// simulation, per-position ones included, to exist) and after one scrape
/// before it (so the library's scrape counter is there too): what a user or
/// Prometheus sees.
///
/// ```no_run
/// let text = harness::worker_process::settled_scrape(2, 20);
/// assert!(text.contains("kvstats_active_blocks"));
/// ```
pub fn settled_scrape(ranks: u32, steps: u64) -> String {
    settled_scrape_with(ranks, steps, &[]).body
}

/// [`settled_scrape`] with request headers `headers` on both scrapes (an
/// `Accept` that asks for OpenMetrics, say), as the whole response: the
/// format the worker chose is in its `content-type`.
///
/// ```no_run
/// let accept = ("accept", "application/openmetrics-text;version=1.0.0");
/// let response = harness::worker_process::settled_scrape_with(2, 20, &[accept]);
/// assert!(response.body.ends_with("# EOF\n"));
/// ```
pub fn settled_scrape_with(
    ranks: u32,
    steps: u64,
    headers: &[(&str, &str)],
) -> crate::http::Response {
    let (ranks_arg, steps_arg) = (ranks.to_string(), steps.to_string());
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--ranks",
        &ranks_arg,
        "--seed",
        "5",
        "--steps",
        &steps_arg,
        "--interval-ms",
        "5",
        "--print-published",
    ];
    let worker = WorkerProcess::spawn(worker_binary(), &args).expect("the worker starts");
    for seen in 0..u64::from(ranks) * steps {
        worker
            .next_published(START_TIMEOUT)
            .unwrap_or_else(|| panic!("only {seen} publishes printed"));
    }
    // The second scrape: the library's scrape counter is there once a scrape
    // was answered.
    let scrape = || {
        crate::http::get_blocking_with(worker.addr(), "/metrics", headers)
            .expect("the worker answers")
    };
    let _first = scrape();
    let response = scrape();
    assert_eq!(response.status, 200, "{}", response.body);
    response
}
