//! A simulated inference worker that publishes, every step and for each
//! data-parallel rank, the reference runtime's `ForwardPassMetrics` (KV
//! cache, request slots, speculative decoding: gauges) and the engine's
//! per-step `EngineStats` (token, preemption and finished-request counters,
//! time-to-first-token and inter-token-latency histograms, series keyed by
//! finish reason and LoRA adapter), and serves them for Prometheus:
//!
//! ```text
//! cargo run --example worker
//! curl -s localhost:8081/metrics | grep -e kvstats -e engine
//! ```
//!
//! `--help` lists the flags; `--hot-rank R` keeps one rank's KV cache
//! nearly full, to see the fleet view's `KvCacheNearlyFull` alert fire. The traffic simulation lives in `simulation::sim`,
//! the engine's stats struct in `simulation::stats` and the command line in
//! `simulation::cli`; this file is the wiring a real worker would have: a
//! registry, two publishers per data-parallel rank (one per stats struct,
//! both labelled with the rank's `dp_rank`), the server, and a clean stop on
//! Ctrl-C or SIGTERM.

use std::error::Error;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

use kvstats_core::dynamo::WorkerMetricsPublisher;
use kvstats_core::{MetricsPublisher, MetricsServer, Registry};
use simulation::cli::{self, WorkerArgs};
use simulation::published::Published;
use simulation::sim::{Step, WorkerSim, HOT_PINNED_BLOCKS};
use simulation::stats::EngineStats;

fn main() -> ExitCode {
    // `--help` prints the help and exits 0; a bad argument, clap's error and 2.
    let args = cli::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Box::<dyn Error>::from)
        .and_then(|runtime| runtime.block_on(run(args)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("worker: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One data-parallel rank: its simulated engine and its publishers.
struct Rank {
    sim: WorkerSim,
    publisher: WorkerMetricsPublisher,
    engine: MetricsPublisher<EngineStats>,
    /// The first step, computed early because the publishers' label comes from it.
    first: Option<Step>,
    step: u64,
}

async fn run(args: WorkerArgs) -> Result<(), Box<dyn Error>> {
    let registry = Registry::new();
    let component = registry.namespace("dynamo")?.component("backend")?;
    let mut ranks = Vec::new();
    for rank in args.rank_ids() {
        let mut sim = WorkerSim::new(args.seed, rank);
        if args.hot_rank == Some(rank) {
            sim = sim.with_pinned_blocks(HOT_PINNED_BLOCKS);
        }
        let first = sim.step();
        // A real worker learns its rank from its engine's stats; so does this one.
        let dp_rank = first
            .forward_pass
            .worker_stats
            .data_parallel_rank
            .unwrap_or(0)
            .to_string();
        let labels = [("dp_rank", dp_rank.as_str())];
        let publisher = WorkerMetricsPublisher::with_labels(&component, &labels)?;
        let engine = MetricsPublisher::with_labels(&component, &labels)?;
        ranks.push(Rank {
            sim,
            publisher,
            engine,
            first: Some(first),
            step: 0,
        });
    }

    let server = match args.addr {
        Some(addr) => MetricsServer::new().addr(addr),
        None => MetricsServer::new(),
    };
    let server = server.start(registry).await?;
    let addr = server.local_addr();
    say(format_args!(
        "kvstats worker: namespace dynamo, component backend, {} rank(s), publishing every {} ms",
        ranks.len(),
        args.interval.as_millis()
    ));
    say(format_args!("serving http://{addr}/metrics"));
    say(format_args!(
        "try: curl -s {}/metrics | grep -e kvstats_ -e engine_",
        curl_host(addr)
    ));

    let publishing = tokio::spawn(publish(ranks, args));
    let stopped = shutdown_signal().await;
    publishing.abort();
    server.shutdown().await;
    say(format_args!("stopped"));
    stopped.map_err(Into::into)
}

/// Publishes every rank once per interval; with `--steps N`, stops after N
/// rounds and leaves the last values in place for the scrapes that follow.
async fn publish(mut ranks: Vec<Rank>, args: WorkerArgs) {
    let mut ticks = tokio::time::interval(args.interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for _ in 0..args.steps.unwrap_or(u64::MAX) {
        ticks.tick().await;
        for rank in &mut ranks {
            let Step {
                forward_pass,
                engine,
            } = rank.first.take().unwrap_or_else(|| rank.sim.step());
            rank.step += 1;
            let line = Published::of(rank.sim.rank(), rank.step, &forward_pass);
            rank.publisher.publish(forward_pass);
            rank.engine.publish(engine);
            // Printed after the publish, so a reader of this line can scrape the value.
            if args.print_published {
                say(format_args!("{line}"));
            }
        }
    }
    // The publishers hold the registrations: keep them until shutdown, so the
    // last values stay in the scrape.
    std::future::pending::<()>().await;
}

/// Prints a line; a closed stdout (`worker | head`) must not stop a worker
/// that is still serving metrics, so the error is dropped.
fn say(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// `localhost:PORT` when the server is reachable on loopback, else `IP:PORT`.
fn curl_host(addr: SocketAddr) -> String {
    if addr.ip().is_loopback() || addr.ip().is_unspecified() {
        format!("localhost:{}", addr.port())
    } else {
        addr.to_string()
    }
}

/// Completes on Ctrl-C, or on SIGTERM where there is one (a container stop).
async fn shutdown_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await
}
