//! Does a scrape slow the publishers? 8 threads publish `ForwardPassMetrics`
//! (one publisher per data-parallel rank) as fast as they can, with no
//! scraper, with a thread that renders the exposition in a tight loop, and
//! with a client that scrapes `/metrics` over HTTP in a tight loop, from the
//! bundled server and from the same routes mounted in an axum app.
//!
//! On a machine with few cores an extra busy thread costs publishers CPU time
//! whatever it does, which would hide what this measures (interference
//! through locks and shared cache lines). So on Linux the publishers share
//! core 0, and the scraper, the servers and the HTTP client get core 1, in
//! every run.
//!
//! `cargo bench --bench contention`; the ratios are printed at the end.

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use criterion::Criterion;
use harness::http::Connection;
use kvstats_core::dynamo::{ForwardPassMetrics, WorkerMetricsPublisher};
use kvstats_core::Registry;
use support::servers::Servers;
use support::*;

const PUBLISHERS: usize = 8;

struct Setup {
    registry: Registry,
    publishers: Vec<WorkerMetricsPublisher>,
    stats: Arc<ForwardPassMetrics>,
}

fn setup() -> Setup {
    let (registry, component) = harness::fixtures::backend();
    let publishers = (0..PUBLISHERS)
        .map(|rank| {
            let rank = rank.to_string();
            WorkerMetricsPublisher::with_labels(&component, &[("dp_rank", &rank)]).unwrap()
        })
        .collect();
    Setup {
        registry,
        publishers,
        stats: Arc::new(forward_pass()),
    }
}

/// Pins the calling thread to `core`, where the OS allows it.
fn pin_to(core: usize) {
    #[cfg(target_os = "linux")]
    // SAFETY: `set` is a plain bit set on the stack, passed with its size.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = core;
}

/// What runs on core 1 while the publishers run.
#[derive(Clone, Copy)]
enum Scraper {
    None,
    /// `prometheus_text()` in a tight loop.
    Render,
    /// `GET /metrics` in a tight loop, on a kept-alive connection to this
    /// server (whose runtime is on core 1 too).
    Http(SocketAddr),
}

impl Scraper {
    /// Scrapes until `stop`, counting each scrape; `started` is set after
    /// the first, so that the publishers are timed against a running scraper.
    fn run(
        self,
        registry: &Registry,
        stop: &AtomicBool,
        started: &AtomicBool,
        scrapes: &AtomicU64,
    ) {
        pin_to(1);
        let mut scrape_once: Box<dyn FnMut()> = match self {
            Scraper::None => return,
            Scraper::Render => Box::new(|| {
                std::hint::black_box(registry.prometheus_text().unwrap());
            }),
            Scraper::Http(addr) => {
                let client = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let mut connection = client.block_on(Connection::open(addr)).unwrap();
                Box::new(move || {
                    let (status, body) = client.block_on(connection.get_bytes("/metrics")).unwrap();
                    assert_eq!(status, 200);
                    std::hint::black_box(body);
                })
            }
        };
        while !stop.load(Relaxed) {
            scrape_once();
            scrapes.fetch_add(1, Relaxed);
            started.store(true, Relaxed);
        }
    }
}

/// Wall time for `iters` publishes spread over the publisher threads.
fn run(setup: &Setup, iters: u64, scraper: Scraper, scrapes: &AtomicU64) -> Duration {
    let stop = AtomicBool::new(false);
    let started = AtomicBool::new(matches!(scraper, Scraper::None));
    let per_thread = iters.div_ceil(PUBLISHERS as u64);
    thread::scope(|s| {
        s.spawn(|| scraper.run(&setup.registry, &stop, &started, scrapes));
        while !started.load(Relaxed) {
            thread::yield_now();
        }
        let start = Instant::now();
        let workers: Vec<_> = setup
            .publishers
            .iter()
            .map(|publisher| {
                let stats = &setup.stats;
                s.spawn(move || {
                    pin_to(0);
                    for _ in 0..per_thread {
                        publisher.publish(Arc::clone(stats));
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        let elapsed = start.elapsed();
        stop.store(true, Relaxed);
        elapsed
    })
}

fn main() {
    let mut c = Criterion::default()
        .output_directory(&criterion_dir())
        .configure_from_args();
    let setup = setup();
    // The servers' runtime has one thread, on the scraper's core.
    let servers_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .on_thread_start(|| pin_to(1))
        .enable_all()
        .build()
        .unwrap();
    let servers = servers_runtime.block_on(Servers::start(&setup.registry));
    let [(_, server), (_, axum)] = servers.each();
    let scrapers = [
        ("no_scraper", Scraper::None),
        ("with_scraper", Scraper::Render),
        ("with_metrics_server_scrapes", Scraper::Http(server)),
        ("with_axum_tower_scrapes", Scraper::Http(axum)),
    ];
    let scrapes: Vec<AtomicU64> = scrapers.iter().map(|_| AtomicU64::new(0)).collect();
    let mut g = c.benchmark_group("publish_8_threads");
    for ((id, scraper), scrapes) in scrapers.iter().zip(&scrapes) {
        g.bench_function(*id, |b| {
            b.iter_custom(|iters| run(&setup, iters, *scraper, scrapes))
        });
    }
    g.finish();
    c.final_summary();
    for (id, _) in &scrapers[1..] {
        print_ratios("publish_8_threads", id, &["no_scraper"]);
    }
    println!("  (time per publish; scrapes meanwhile:");
    for ((id, _), scrapes) in scrapers.iter().zip(&scrapes).skip(1) {
        println!("   {id}: {}", scrapes.load(Relaxed));
    }
    println!("  )");
    servers_runtime.block_on(servers.metrics_server.shutdown());
}
