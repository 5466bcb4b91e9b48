//! `scripts/prometheus.sh` as a developer runs it by hand: `start` leaves a
//! ready server in the background with the generated configuration, `stop`
//! ends it, and bad arguments are refused naming what is wrong. (The other
//! Prometheus tests go through its `run`, the foreground form.)

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use harness::http;
use harness::processes;
use harness::prometheus;

fn script(args: &[&str]) -> Output {
    Command::new("bash")
        .arg(prometheus::script())
        .args(args)
        .output()
        .expect("bash runs the script")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Stops what `start` left in `datadir` when dropped, so a failing test
/// leaves no server running in the background.
struct Started {
    datadir: PathBuf,
}

impl Started {
    fn pid(&self) -> u32 {
        let pid = std::fs::read_to_string(self.datadir.join("prometheus.pid")).expect("a pid file");
        pid.trim().parse().expect("a pid")
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        if self.datadir.join("prometheus.pid").exists() {
            let _ = script(&["stop", &self.datadir.to_string_lossy()]);
        }
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

#[test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
fn start_runs_a_ready_server_in_the_background_and_stop_ends_it() {
    if !prometheus::required() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let datadir = dir.path().join("run");
    let datadir_arg = datadir.to_string_lossy().into_owned();
    let port = free_port();
    let out = script(&[
        "start",
        "127.0.0.1:9,127.0.0.1:10",
        &port.to_string(),
        &datadir_arg,
    ]);
    let started = Started {
        datadir: datadir.clone(),
    };
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(
        text(&out.stdout),
        format!(
            "prometheus (pid {}) on http://127.0.0.1:{port}, data in {datadir_arg}\n\
             stop it with: {} stop {datadir_arg}\n",
            started.pid(),
            prometheus::script().display()
        )
    );
    let pid = started.pid();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let ready = http::get_blocking(addr, "/-/ready").expect("the server answers");
    assert_eq!(ready.status, 200);
    assert_config(&datadir.join("prometheus.yml"));

    // A second start on the same directory is refused while the first runs.
    let again = script(&["start", "127.0.0.1:9", &port.to_string(), &datadir_arg]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).starts_with(&format!("prometheus.sh: already running (pid {pid})")));

    let out = script(&["stop", &datadir_arg]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("stopped prometheus (pid {pid})\n")
    );
    assert!(!processes::exists(pid), "prometheus (pid {pid}) still runs");
    assert!(TcpListener::bind(addr).is_ok(), "port {port} still taken");
    let out = script(&["stop", &datadir_arg]);
    assert_eq!(out.status.code(), Some(1));
    drop(started);
}

/// The generated configuration scrapes the targets every second, as job `kvstats`.
fn assert_config(path: &Path) {
    let config = std::fs::read_to_string(path).expect("the configuration is kept");
    let settings: Vec<&str> = config
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .collect();
    assert_eq!(
        settings,
        [
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "  evaluation_interval: 1s",
            "scrape_configs:",
            "  - job_name: kvstats",
            "    static_configs:",
            "      - targets: ['127.0.0.1:9', '127.0.0.1:10']",
        ]
    );
}

#[test]
fn bad_arguments_are_refused_naming_them() {
    let cases: [(&[&str], i32, &str); 3] = [
        (
            &["config", "127.0.0.1"],
            1,
            "prometheus.sh: invalid target `127.0.0.1`: expected HOST:PORT\n",
        ),
        (
            &["config", "a b:1"],
            1,
            "prometheus.sh: invalid target `a b:1`: expected HOST:PORT\n",
        ),
        (
            &["stop", "/nonexistent/x"],
            1,
            "prometheus.sh: no /nonexistent/x/prometheus.pid: nothing started there\n",
        ),
    ];
    for (args, code, stderr) in cases {
        let out = script(args);
        assert_eq!(
            (out.status.code(), text(&out.stderr).as_str()),
            (Some(code), stderr),
            "{args:?}"
        );
    }
    let unknown = script(&["launch"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr)
        .contains("scripts/prometheus.sh start TARGETS|CONFIG [PORT] [DATADIR]"));
}

#[test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
fn start_refuses_a_bad_port_naming_it() {
    if !prometheus::required() {
        return;
    }
    let out = script(&["start", "127.0.0.1:9", "70000", "/nonexistent/x"]);
    assert_eq!(
        (out.status.code(), text(&out.stderr).as_str()),
        (Some(1), "prometheus.sh: invalid port `70000`\n")
    );
}
