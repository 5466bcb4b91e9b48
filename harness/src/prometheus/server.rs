//! One Prometheus server process, in a temporary directory of its own.

use std::fs::File;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use super::api::{self, Series, Target};
use crate::http;
use crate::worker_process::terminate;

/// A cold start on a loaded 2-core machine takes a few seconds, not this long.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// Prometheus flushes its head block on SIGTERM; that is quick for a test's data.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// The port is picked free, then bound by Prometheus a moment later; another
/// process may take it in between, so a start that fails is tried again.
const START_ATTEMPTS: usize = 3;

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
    /// 127.0.0.1 and waits until the server says it is ready.
    pub async fn start(targets: &[SocketAddr]) -> io::Result<Self> {
        let targets = targets
            .iter()
            .map(SocketAddr::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            match Self::start_once(&targets).await {
                Ok(server) => return Ok(server),
                Err(e) => failures.push(e.to_string()),
            }
        }
        Err(io::Error::other(format!(
            "prometheus did not start: {}",
            failures.join("; ")
        )))
    }

    async fn start_once(targets: &str) -> io::Result<Self> {
        // The tests run in parallel, so each server gets a fresh directory;
        // the prefix makes a leftover one easy to recognise.
        let dir = tempfile::Builder::new()
            .prefix("kvstats-prometheus-")
            .tempdir()?;
        let port = free_port()?;
        let log = File::create(dir.path().join("prometheus.log"))?;
        let child = Command::new("bash")
            .arg(super::script())
            .arg("run")
            .arg(targets)
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

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
