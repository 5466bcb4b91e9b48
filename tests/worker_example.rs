//! The `worker` example, run as the process `cargo run --example worker`
//! starts: it serves the reference metrics, serves what it says it
//! published, takes its flags, and stops cleanly on SIGTERM.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use harness::worker_process::{example_binary, run_to_exit, WorkerProcess};
use simulation::published::Published;

const WAIT: Duration = Duration::from_secs(30);

fn worker() -> &'static Path {
    static WORKER: OnceLock<PathBuf> = OnceLock::new();
    WORKER.get_or_init(|| example_binary("worker").expect("the worker example builds"))
}

/// Reads `published` lines until `count` have come (bounded by `WAIT` each).
fn published_lines(worker: &WorkerProcess, count: usize) -> Vec<Published> {
    let mut seen = Vec::new();
    while seen.len() < count {
        let line = worker
            .next_line(WAIT)
            .unwrap_or_else(|| panic!("only {} of {count} publishes printed", seen.len()));
        seen.extend(Published::parse(&line));
    }
    seen
}

fn scrape(worker: &WorkerProcess) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let response = runtime
        .block_on(harness::http::get(worker.addr(), "/metrics"))
        .expect("the worker answers");
    assert_eq!(response.status, 200);
    response.body
}

#[test]
fn the_worker_serves_the_reference_metrics_with_the_values_it_published() {
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--ranks",
        "2",
        "--seed",
        "7",
        "--steps",
        "5",
        "--interval-ms",
        "10",
        "--print-published",
    ];
    let worker = WorkerProcess::spawn(worker(), &args).unwrap();
    let published = published_lines(&worker, 10);
    let body = scrape(&worker);

    let samples = harness::exposition::parse(&body).expect("the scrape parses");
    for name in [
        "dynamo_component_kvstats_active_blocks",
        "dynamo_component_kvstats_total_blocks",
        "dynamo_component_kvstats_gpu_cache_usage_percent",
        "dynamo_component_kvstats_gpu_prefix_cache_hit_rate",
    ] {
        assert_eq!(
            samples.iter().filter(|s| s.name == name).count(),
            2,
            "{name}"
        );
    }
    let last: HashMap<u32, Published> = published.iter().map(|p| (p.rank, *p)).collect();
    assert_eq!(last.len(), 2);
    for (rank, published) in &last {
        assert_eq!(published.step, 5);
        for (name, value) in published.metrics() {
            let full = format!("dynamo_component_{name}");
            let rank_label = rank.to_string();
            let sample = samples
                .iter()
                .find(|s| s.name == full && s.label("dp_rank") == Some(rank_label.as_str()))
                .unwrap_or_else(|| panic!("{full} of rank {rank} missing from\n{body}"));
            assert_eq!(sample.value, value, "{full} of rank {rank}");
            assert_eq!(sample.label("dynamo_namespace"), Some("dynamo"));
            assert_eq!(sample.label("dynamo_component"), Some("backend"));
        }
    }

    let status = worker.terminate(WAIT).unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn the_same_seed_publishes_the_same_values() {
    let run = || {
        let args = [
            "--addr",
            "127.0.0.1:0",
            "--seed",
            "3",
            "--steps",
            "20",
            "--interval-ms",
            "1",
            "--print-published",
        ];
        let worker = WorkerProcess::spawn(worker(), &args).unwrap();
        published_lines(&worker, 20)
    };
    let first = run();
    assert_eq!(first, run());
    assert!(first
        .windows(2)
        .any(|w| w[0].kv_active_blocks != w[1].kv_active_blocks));
}

#[test]
fn a_hot_rank_publishes_a_nearly_full_cache_and_the_others_do_not() {
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--ranks",
        "2",
        "--hot-rank",
        "1",
        "--steps",
        "5",
        "--interval-ms",
        "1",
        "--print-published",
    ];
    let worker = WorkerProcess::spawn(worker(), &args).unwrap();
    for published in published_lines(&worker, 10) {
        let hot = published.gpu_cache_usage_perc > 0.95;
        assert_eq!(hot, published.rank == 1, "{published}");
    }
}

#[test]
fn the_address_can_come_from_the_environment() {
    let env = [("KVSTATS_METRICS_ADDR", "127.0.0.1:0")];
    let worker = WorkerProcess::spawn_with_env(worker(), &["--steps", "1"], &env).unwrap();
    assert!(worker.addr().ip().is_loopback());
    assert_ne!(worker.addr().port(), 0);
    assert!(scrape(&worker).contains("dynamo_component_kvstats_total_blocks{"));
}

/// What `worker --help` prints: clap's help, generated from `simulation::cli`.
const HELP: &str = "\
A simulated inference worker (namespace `dynamo`, component `backend`) that
publishes ForwardPassMetrics and EngineStats and serves them on /metrics.

Usage: worker [OPTIONS]

Options:
      --addr <IP:PORT>    Address to serve on [default: $KVSTATS_METRICS_ADDR, else 127.0.0.1:8081]
      --ranks <N>         Data-parallel ranks, each with its publishers (1..=64) [default: 1]
      --first-rank <R>    The rank of the first publisher [default: 0]
      --interval-ms <MS>  Time between two publishes, in milliseconds (1..=3600000) [default: 100]
      --seed <S>          Seed of the simulation; the same seed publishes the same values [default: 42]
      --steps <N>         Publish N times, then keep the last values and keep serving
      --print-published   Print one line per publish: published rank=R step=N kv_active_blocks=..
      --hot-rank <R>      Keep rank R's KV cache 97% full, over the KvCacheNearlyFull alert's 0.95 (restart without it to cool down)
  -h, --help              Print help
";

#[test]
fn help_prints_every_flag_and_bad_input_exits_non_zero_naming_it() {
    for flag in ["--help", "-h"] {
        let help = run_to_exit(worker(), &[flag], &[], WAIT).unwrap();
        assert!(help.status.success(), "{flag}: {}", help.status);
        assert_eq!(String::from_utf8_lossy(&help.stdout), HELP, "{flag}");
        assert!(help.stderr.is_empty(), "{flag}");
    }

    expect_failure(
        &["--ranks", "many"],
        &[],
        2,
        "error: invalid value 'many' for '--ranks <N>': invalid digit found in string\n\
         \n\
         For more information, try '--help'.\n",
    );
    expect_failure(
        &["--interval-ms=0"],
        &[],
        2,
        "error: invalid value '0' for '--interval-ms <MS>': 0 is not in 1..=3600000\n\
         \n\
         For more information, try '--help'.\n",
    );
    expect_failure(
        &["--frobnicate"],
        &[],
        2,
        "error: unexpected argument '--frobnicate' found\n\
         \n\
         Usage: worker [OPTIONS]\n\
         \n\
         For more information, try '--help'.\n",
    );
    // Not a flag: the server reads the variable, and the worker says which.
    let env = [("KVSTATS_METRICS_ADDR", "everywhere")];
    expect_failure(
        &[],
        &env,
        1,
        "worker: invalid KVSTATS_METRICS_ADDR `everywhere`: expected an IP address and a port, \
         such as 127.0.0.1:8081\n",
    );
}

/// Runs the worker with input it must refuse: it exits with `code`, prints
/// nothing on its standard output and exactly `message` on its error output.
fn expect_failure(args: &[&str], env: &[(&str, &str)], code: i32, message: &str) {
    let out = run_to_exit(worker(), args, env, WAIT).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert_eq!(stderr, message, "{args:?}");
    assert!(out.stdout.is_empty(), "{args:?}");
}
