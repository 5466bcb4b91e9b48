//! Does a scrape slow the publishers? 8 threads publish `ForwardPassMetrics`
//! (one publisher per data-parallel rank) as fast as they can, with and
//! without a thread that renders the exposition in a tight loop.
//!
//! On a machine with few cores an extra busy thread costs publishers CPU time
//! whatever it does, which would hide what this measures (interference
//! through locks and shared cache lines). So on Linux the publishers share
//! core 0 and the scraper gets core 1, in both runs.
//!
//! `cargo bench --bench contention`; the ratio is printed at the end.

mod support;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use criterion::Criterion;
use kvstats_core::dynamo::{ForwardPassMetrics, WorkerMetricsPublisher};
use kvstats_core::Registry;
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

/// Wall time for `iters` publishes spread over the publisher threads.
fn run(setup: &Setup, iters: u64, scrape: bool, scrapes: &AtomicU64) -> Duration {
    let stop = AtomicBool::new(false);
    let per_thread = iters.div_ceil(PUBLISHERS as u64);
    thread::scope(|s| {
        if scrape {
            s.spawn(|| {
                pin_to(1);
                while !stop.load(Relaxed) {
                    std::hint::black_box(setup.registry.prometheus_text().unwrap());
                    scrapes.fetch_add(1, Relaxed);
                }
            });
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
    let scrapes = AtomicU64::new(0);
    let mut g = c.benchmark_group("publish_8_threads");
    g.bench_function("no_scraper", |b| {
        b.iter_custom(|iters| run(&setup, iters, false, &scrapes))
    });
    g.bench_function("with_scraper", |b| {
        b.iter_custom(|iters| run(&setup, iters, true, &scrapes))
    });
    g.finish();
    c.final_summary();
    print_ratios("publish_8_threads", "with_scraper", &["no_scraper"]);
    println!(
        "  (time per publish; the scraper rendered {} expositions meanwhile)",
        scrapes.load(Relaxed)
    );
}
