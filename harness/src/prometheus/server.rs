//! One Prometheus server process, in a temporary directory of its own.

use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use super::api::{self, Rule, Series, Target};
use crate::http;
use crate::poll;
use crate::worker_process::terminate;

/// A cold start on a loaded 2-core machine takes a few seconds, not this long.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// Prometheus flushes its head block on SIGTERM; that is quick for a test's data.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// The port is picked free, then bound by Prometheus a moment later; another
/// process may take it in between, so a start that fails is tried again.
const START_ATTEMPTS: usize = 3;

/// What a [`Prometheus`] is started with: the options and targets of
/// `scripts/prometheus.sh run`, so a test's server is the one a developer
/// starts by hand with the same options.
///
/// ```no_run
/// # async fn demo(workers: &[std::net::SocketAddr], group_a: std::net::SocketAddr) -> std::io::Result<()> {
/// use harness::prometheus::Options;
///
/// // A group's server: its workers, the rules, a label that tells its series apart.
/// let group = Options::new()
///     .targets(workers)
///     .rules("prometheus/kvstats.rules.yml")
///     .external_label("group", "a")
///     .start()
///     .await?;
/// // The global one: what the groups recorded, through their /federate.
/// let global = Options::new().federate(&[group.addr()]).start().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Options {
    targets: Vec<SocketAddr>,
    rules: Vec<PathBuf>,
    external_labels: Vec<(String, String)>,
    federate: Vec<SocketAddr>,
    matches: Vec<String>,
}

impl Options {
    /// No target, no rule: add some before [`start`](Self::start).
    pub fn new() -> Self {
        Self::default()
    }

    /// Scrape these workers every second, as job `kvstats`.
    pub fn targets(mut self, targets: &[SocketAddr]) -> Self {
        self.targets.extend_from_slice(targets);
        self
    }

    /// Load the recording and alerting rules of `file`, evaluated every
    /// second (`--rules`; the script checks it with promtool and copies it).
    pub fn rules(mut self, file: impl Into<PathBuf>) -> Self {
        self.rules.push(file.into());
        self
    }

    /// Add `name="value"` to what others federate from this server and to
    /// its alerts (`--external-label`).
    pub fn external_label(mut self, name: &str, value: &str) -> Self {
        self.external_labels.push((name.into(), value.into()));
        self
    }

    /// Also scrape these Prometheus servers' `/federate` every second, as
    /// job `federate`, keeping the labels they give (`--federate`).
    pub fn federate(mut self, servers: &[SocketAddr]) -> Self {
        self.federate.extend_from_slice(servers);
        self
    }

    /// What [`federate`](Self::federate) asks for (`--match`, its `match[]`);
    /// without one, the script's default: the per-group series the kvstats
    /// rules record.
    pub fn federate_match(mut self, selector: &str) -> Self {
        self.matches.push(selector.into());
        self
    }

    /// The arguments of `scripts/prometheus.sh run` before `PORT DATADIR`.
    fn args(&self) -> Vec<OsString> {
        let list = |addrs: &[SocketAddr]| {
            let addrs: Vec<String> = addrs.iter().map(SocketAddr::to_string).collect();
            addrs.join(",")
        };
        let mut args: Vec<OsString> = Vec::new();
        for file in &self.rules {
            args.extend(["--rules".into(), file.into()]);
        }
        for (name, value) in &self.external_labels {
            args.extend(["--external-label".into(), format!("{name}={value}").into()]);
        }
        if !self.federate.is_empty() {
            args.extend(["--federate".into(), list(&self.federate).into()]);
        }
        for selector in &self.matches {
            args.extend(["--match".into(), selector.into()]);
        }
        // `-`: no worker of its own, for a server that only federates.
        let targets = if self.targets.is_empty() {
            "-".to_owned()
        } else {
            list(&self.targets)
        };
        args.push(targets.into());
        args
    }

    /// Starts `scripts/prometheus.sh run` with these options on a free port
    /// of 127.0.0.1 and waits until the server says it is ready.
    pub async fn start(&self) -> io::Result<Prometheus> {
        let args = self.args();
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            match Prometheus::start_once(&args).await {
                Ok(server) => return Ok(server),
                Err(e) => failures.push(e.to_string()),
            }
        }
        Err(io::Error::other(format!(
            "prometheus did not start: {}",
            failures.join("; ")
        )))
    }
}

/// A running Prometheus server scraping some targets every second. Dropping
/// it kills the process and removes its directory, so a failing test leaves
/// neither behind.
pub struct Prometheus {
    child: Child,
    addr: SocketAddr,
    // Dropped after `child` is killed (fields drop in order after `drop`).
    dir: TempDir,
}

impl Prometheus {
    /// Starts `scripts/prometheus.sh run` with `targets` on a free port of
    /// 127.0.0.1 and waits until the server says it is ready; [`Options`]
    /// adds rules, external labels and federation.
    pub async fn start(targets: &[SocketAddr]) -> io::Result<Self> {
        Options::new().targets(targets).start().await
    }

    async fn start_once(args: &[OsString]) -> io::Result<Self> {
        // The tests run in parallel, so each server gets a fresh directory;
        // the prefix makes a leftover one easy to recognise.
        let dir = tempfile::Builder::new()
            .prefix("kvstats-prometheus-")
            .tempdir()?;
        let port = crate::ports::reserved_addr()?.port();
        let log = File::create(dir.path().join("prometheus.log"))?;
        let child = Command::new("bash")
            .arg(super::script())
            .arg("run")
            .args(args)
            .arg(port.to_string())
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        let mut server = Prometheus {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            dir,
        };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&mut self) -> io::Result<()> {
        let deadline = tokio::time::Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(io::Error::other(format!(
                    "it exited ({status}): {}",
                    self.log()
                )));
            }
            if http::get(self.addr, "/-/ready")
                .await
                .is_ok_and(|r| r.status == 200)
            {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(io::Error::other(format!(
                    "not ready after {READY_TIMEOUT:?}: {}",
                    self.log()
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Where the server listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The id of the Prometheus process (the script `exec`s it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's own directory: configuration, storage and log. Its path
    /// is on the server's command line, which makes the process easy to find.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// What the server logged (warnings and errors), for a failure message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prometheus.log")).unwrap_or_default()
    }

    /// The targets and their health.
    pub async fn targets(&self) -> io::Result<Vec<Target>> {
        api::targets(self.addr).await
    }

    /// An instant query.
    pub async fn query(&self, expr: &str) -> io::Result<Vec<Series>> {
        api::query(self.addr, expr).await
    }

    /// Queries `expr` until what it evaluates to passes `check`, for at most
    /// `timeout`, and returns that. On timeout the error names `what`, the
    /// query, what `check` said of the last answer and the server's log.
    ///
    /// ```no_run
    /// # async fn demo(prometheus: &harness::prometheus::Prometheus) -> Result<(), String> {
    /// use std::time::Duration;
    ///
    /// let up = prometheus
    ///     .wait_for("every target up", "up == 0", Duration::from_secs(60), |seen| {
    ///         if seen.is_empty() { Ok(()) } else { Err(format!("{seen:?}")) }
    ///     })
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn wait_for(
        &self,
        what: &str,
        expr: &str,
        timeout: Duration,
        check: impl Fn(&[Series]) -> Result<(), String>,
    ) -> Result<Vec<Series>, String> {
        let result = poll::until(what, timeout, || async {
            let seen = self.query(expr).await.map_err(|e| e.to_string())?;
            check(&seen).map(|()| seen)
        })
        .await;
        result.map_err(|e| format!("{e}\n(`{expr}`)\nprometheus log:\n{}", self.log()))
    }

    /// The recording and alerting rules the server loaded, and their health.
    pub async fn rules(&self) -> io::Result<Vec<Rule>> {
        api::rules(self.addr).await
    }

    /// Stops the server with SIGTERM, as its service manager would, and
    /// waits for it (killing it if it does not exit in time).
    pub fn stop(mut self) -> io::Result<ExitStatus> {
        terminate(&mut self.child, STOP_TIMEOUT)
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
