//! `scripts/prometheus.sh` as a developer runs it by hand: `start` leaves a
//! ready server in the background with the generated configuration, `stop`
//! ends it, `--rules`, `--external-label` and `--federate` go into the
//! configuration (the rules from a copy in the server's directory), and bad
//! arguments are refused naming what is wrong. (The other Prometheus tests
//! go through its `run`, the foreground form.)

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use harness::http;
use harness::processes;
use harness::prometheus;

fn script(args: &[&str]) -> Output {
    script_in(Path::new("."), args)
}

/// The script run from directory `cwd`, as a developer in another folder would.
fn script_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new("bash")
        .arg(prometheus::script())
        .args(args)
        .current_dir(cwd)
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
    harness::ports::reserved_addr().expect("a free port").port()
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

/// The lines of a configuration but its comments.
fn settings(config: &str) -> Vec<&str> {
    config
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .collect()
}

const RULES: &str = "\
groups:
  - name: script
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
";

#[test]
fn config_takes_rules_external_labels_and_federation() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rules.yml"), RULES).unwrap();
    // Relative to where the script runs; the configuration names the file absolutely.
    let out = script_in(
        dir.path(),
        &[
            "config",
            "--rules",
            "a.rules.yml",
            "--external-label",
            "group=a",
            "--external-label=site=it's",
            "--federate",
            "127.0.0.1:9091,127.0.0.1:9092",
            "--match",
            r#"{__name__=~"job:.+"}"#,
            "--match=up",
            "127.0.0.1:9",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rules = std::fs::canonicalize(dir.path().join("a.rules.yml")).unwrap();
    let config = text(&out.stdout);
    assert_eq!(
        settings(&config),
        [
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "  evaluation_interval: 1s",
            "  external_labels:",
            "    group: 'a'",
            "    site: 'it''s'",
            "rule_files:",
            &format!("  - '{}'", rules.display()),
            "scrape_configs:",
            "  - job_name: kvstats",
            "    static_configs:",
            "      - targets: ['127.0.0.1:9']",
            "  - job_name: federate",
            "    honor_labels: true",
            "    metrics_path: /federate",
            "    params:",
            "      'match[]':",
            r#"        - '{__name__=~"job:.+"}'"#,
            "        - 'up'",
            "    static_configs:",
            "      - targets: ['127.0.0.1:9091', '127.0.0.1:9092']",
        ]
    );

    // A server that only federates: no worker (`-`), and by default the
    // series the kvstats rules record per group.
    let out = script(&["config", "--federate", "127.0.0.1:9091", "-"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let config = text(&out.stdout);
    assert_eq!(
        settings(&config)[4..],
        [
            "scrape_configs:",
            "  - job_name: federate",
            "    honor_labels: true",
            "    metrics_path: /federate",
            "    params:",
            "      'match[]':",
            r#"        - '{__name__=~"dynamo_component:.+",__name__!~"dynamo_component:.+:histogram_quantile"}'"#,
            "    static_configs:",
            "      - targets: ['127.0.0.1:9091']",
        ]
    );
}

/// Waits until `path` on the server at `addr` answers 200 with a body that
/// contains every one of `needles`; the last body on failure.
fn wait_for_body(addr: SocketAddr, path: &str, needles: &[&str]) -> String {
    // Prometheus evaluates the rules every second; a minute means it never will.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let body = match http::get_blocking(addr, path) {
            Ok(response) if response.status == 200 => response.body,
            Ok(response) => format!("status {}: {}", response.status, response.body),
            Err(e) => e.to_string(),
        };
        if needles.iter().all(|needle| body.contains(needle)) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{path}: {needles:?} not in {body}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
fn start_loads_rules_from_its_own_copy() {
    if !prometheus::required() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let caller = dir.path().join("caller");
    std::fs::create_dir(&caller).unwrap();
    std::fs::write(caller.join("a.rules.yml"), RULES).unwrap();
    let datadir = dir.path().join("run");
    let datadir_arg = datadir.to_string_lossy().into_owned();
    let port = free_port();
    let out = script_in(
        &caller,
        &[
            "start",
            "--rules",
            "a.rules.yml",
            "127.0.0.1:9",
            &port.to_string(),
            &datadir_arg,
        ],
    );
    let started = Started {
        datadir: datadir.clone(),
    };
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The server reads its copy: the caller's file may go, or change.
    std::fs::remove_dir_all(&caller).unwrap();
    let copy = datadir.join("rules/1-a.rules.yml");
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), RULES);
    let config = std::fs::read_to_string(datadir.join("prometheus.yml")).unwrap();
    assert!(
        settings(&config).contains(&"  - 'rules/1-a.rules.yml'"),
        "{config}"
    );
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    wait_for_body(
        addr,
        "/api/v1/rules",
        &[
            &format!(r#""file":"{}""#, copy.display()),
            r#""name":"job:up:sum""#,
            r#""health":"ok""#,
        ],
    );
    // Evaluated every second: the target is down, so `up` sums to 0.
    wait_for_body(
        addr,
        "/api/v1/query?query=job:up:sum",
        &[r#""job":"kvstats""#, r#","0"]"#],
    );
    drop(started);
}

#[test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
fn start_refuses_bad_rules_and_options_naming_them() {
    if !prometheus::required() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yml");
    std::fs::write(
        &bad,
        "groups:\n  - name: x\n    rules:\n      - record: x\n        expr: sum(\n",
    )
    .unwrap();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, "global: {}\n").unwrap();
    let datadir = dir.path().join("run");
    let (bad, config, datadir) = (
        bad.to_string_lossy().into_owned(),
        config.to_string_lossy().into_owned(),
        datadir.to_string_lossy().into_owned(),
    );
    let port = free_port().to_string();
    let out = script(&["start", "--rules", &bad, "127.0.0.1:9", &port, &datadir]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!("prometheus.sh: invalid rule file {bad}: ")),
        "{stderr}"
    );
    let out = script(&[
        "start",
        "--external-label",
        "group=a",
        &config,
        &port,
        &datadir,
    ]);
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (
            Some(2),
            format!(
                "prometheus.sh: OPTIONS go with TARGETS; CONFIG `{config}` says everything itself; \
                 see --help\n"
            )
        )
    );
    assert!(!Path::new(&datadir).join("prometheus.pid").exists());
}

#[test]
fn bad_arguments_are_refused_naming_them() {
    let cases: [(&[&str], i32, &str); 10] = [
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
        (
            &["config", "-"],
            1,
            "prometheus.sh: no target given: `-` needs --federate\n",
        ),
        (
            &["config", "--match", "up", "127.0.0.1:9"],
            2,
            "prometheus.sh: --match needs --federate; see --help\n",
        ),
        (
            &["config", "--external-label", "__group=a", "127.0.0.1:9"],
            1,
            "prometheus.sh: invalid external label `__group=a`: expected NAME=VALUE, \
             NAME a label name not starting with __\n",
        ),
        (
            &["config", "--federate", "localhost", "127.0.0.1:9"],
            1,
            "prometheus.sh: invalid target `localhost`: expected HOST:PORT\n",
        ),
        (
            &["config", "--rules", "/nonexistent/x.yml", "127.0.0.1:9"],
            1,
            "prometheus.sh: no rule file /nonexistent/x.yml\n",
        ),
        (
            &["config", "127.0.0.1:9", "--rules"],
            2,
            "prometheus.sh: --rules needs a value; see --help\n",
        ),
        (
            &["config", "--scrape-every", "5s", "127.0.0.1:9"],
            2,
            "prometheus.sh: unknown option `--scrape-every`; see --help\n",
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
        .contains("scripts/prometheus.sh start [OPTIONS] TARGETS|CONFIG [PORT] [DATADIR]"));
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
