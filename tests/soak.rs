//! Soak: 8 publishers storing as fast as they can while the /metrics server
//! is scraped 100 times a second. No scrape fails, every scrape parses, and
//! no value appears that was not published (nor, per scraper, one older
//! than a value it already saw). 5 s by default; `KVSTATS_LONG_TESTS=1`
//! runs the 60 s of the issue.
//!
//! The publishers are threads, not tokio tasks: a task that never awaits
//! would hold one of the runtime's two threads for good, where a worker's
//! engine loop is a thread the kernel preempts like these.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use harness::exposition::{self, Sample};
use harness::fixtures;
use harness::http;
use harness::long_tests;
use kvstats_core::dynamo::KvStats;
use kvstats_core::{MetricsPublisher, MetricsServer};
use tokio::time::{Instant, MissedTickBehavior};

const PUBLISHERS: u32 = 8;
const SCRAPERS: usize = 10;
/// Each scraper's pace: together, 100 scrapes a second.
const SCRAPE_EVERY: Duration = Duration::from_millis(100);
/// Separates the ranks' `total_blocks` values, so a value of one rank
/// cannot pass for one of another.
const RANK_BASE: f64 = (1u64 << 40) as f64;
/// The fractions step by 2^-24, which f32 holds exactly, and wrap around.
const FRACTION_STEPS: u64 = 1 << 24;

/// Publish number `i` (1-based) of `rank`: every field tells `i` back.
fn published(rank: u32, i: u64) -> KvStats {
    let k = i % FRACTION_STEPS;
    KvStats {
        kv_active_blocks: i,
        kv_total_blocks: (RANK_BASE as u64) * u64::from(rank + 1) + i,
        gpu_cache_usage_perc: k as f32 / FRACTION_STEPS as f32,
        gpu_prefix_cache_hit_rate: (FRACTION_STEPS - k) as f32 / FRACTION_STEPS as f32,
    }
}

/// Whether `value` of metric `name` is one `rank` published with a number
/// in `min..=max`, or the default every publisher starts with (`max` is a
/// count of publishes announced before the scrape was read, so nothing
/// scraped can be newer).
fn was_published(name: &str, rank: u32, value: f64, min: u64, max: u64) -> bool {
    let in_range = |i: f64| i.fract() == 0.0 && (min as f64..=max as f64).contains(&i);
    let fraction = |k: f64| {
        k.fract() == 0.0
            && (0.0..FRACTION_STEPS as f64).contains(&k)
            && (max >= FRACTION_STEPS || k <= max as f64)
    };
    match name {
        "dynamo_component_kvstats_active_blocks" => in_range(value),
        "dynamo_component_kvstats_total_blocks" => {
            value == 0.0 || in_range(value - RANK_BASE * f64::from(rank + 1))
        }
        "dynamo_component_kvstats_gpu_cache_usage_percent" => {
            fraction(value * FRACTION_STEPS as f64)
        }
        "dynamo_component_kvstats_gpu_prefix_cache_hit_rate" => {
            value == 0.0 || fraction(FRACTION_STEPS as f64 - value * FRACTION_STEPS as f64)
        }
        _ => false,
    }
}

/// Stops the publisher threads when dropped: at the end, and also when a
/// failed scrape ends the test early, so they do not spin on.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// What one scraper has seen of one rank: the highest publish number, so
/// the next scrape may not show an older one.
#[derive(Clone, Copy, Default)]
struct Seen {
    active_blocks: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrapes_during_full_speed_publishing_see_only_published_values() {
    let soak = long_tests::pick(Duration::from_secs(5), Duration::from_secs(60));
    let (registry, component) = fixtures::backend();
    let server = MetricsServer::bind(SocketAddr::from(([127, 0, 0, 1], 0)), registry)
        .await
        .unwrap();
    let addr = server.local_addr();
    let stop = StopOnDrop(Arc::new(AtomicBool::new(false)));
    // Publish number announced before each publish: a scrape read after
    // loading it cannot show a later one.
    let announced: Arc<Vec<AtomicU64>> =
        Arc::new((0..PUBLISHERS).map(|_| AtomicU64::new(0)).collect());

    let publishers: Vec<_> = (0..PUBLISHERS)
        .map(|rank| {
            let label = rank.to_string();
            let publisher =
                MetricsPublisher::<KvStats>::with_labels(&component, &[("dp_rank", &label)])
                    .unwrap();
            let (stop, announced) = (Arc::clone(&stop.0), Arc::clone(&announced));
            thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    // Before the publish: whatever a scrape shows, the count
                    // loaded after reading it covers it (the scrape crosses a
                    // socket after the stores, and syscalls order memory).
                    announced[rank as usize].store(i, Ordering::SeqCst);
                    publisher.publish(published(rank, i));
                }
                // Handed back: dropping it would take its series out.
                (i, publisher)
            })
        })
        .collect();

    let deadline = Instant::now() + soak;
    let scrapers: Vec<_> = (0..SCRAPERS)
        .map(|n| {
            let announced = Arc::clone(&announced);
            tokio::spawn(async move {
                // Spread over the period, so the scrapes come evenly.
                tokio::time::sleep(SCRAPE_EVERY * n as u32 / SCRAPERS as u32).await;
                let mut ticks = tokio::time::interval(SCRAPE_EVERY);
                ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
                let mut seen = [Seen::default(); PUBLISHERS as usize];
                let mut scrapes = 0u64;
                while Instant::now() < deadline {
                    ticks.tick().await;
                    let samples = scrape(addr, scrapes).await;
                    let max: Vec<u64> =
                        announced.iter().map(|a| a.load(Ordering::SeqCst)).collect();
                    check(&samples, &max, &mut seen);
                    scrapes += 1;
                }
                scrapes
            })
        })
        .collect();
    let mut scrapes = 0;
    for scraper in scrapers {
        scrapes += scraper.await.expect("no scrape failed");
    }
    drop(stop);
    let (counts, _publishers): (Vec<u64>, Vec<_>) =
        publishers.into_iter().map(|p| p.join().unwrap()).unzip();

    // After the last publish, a scrape shows exactly that publish of each rank.
    let samples = scrape(addr, scrapes).await;
    let mut lines: Vec<String> = samples
        .iter()
        .map(|s| format!("{} {}", s.series(), s.value))
        .collect();
    lines.sort();
    let mut expected: Vec<String> = counts
        .iter()
        .zip(0..)
        .flat_map(|(&i, rank)| {
            let stats = published(rank, i);
            let labels =
                format!(r#"dp_rank="{rank}",dynamo_component="backend",dynamo_namespace="dynamo""#);
            [
                ("active_blocks", stats.kv_active_blocks as f64),
                (
                    "gpu_cache_usage_percent",
                    f64::from(stats.gpu_cache_usage_perc),
                ),
                (
                    "gpu_prefix_cache_hit_rate",
                    f64::from(stats.gpu_prefix_cache_hit_rate),
                ),
                ("total_blocks", stats.kv_total_blocks as f64),
            ]
            .map(|(name, value)| format!("dynamo_component_kvstats_{name}{{{labels}}} {value}"))
        })
        .collect();
    expected.sort();
    assert_eq!(lines, expected);
    eprintln!(
        "soak {soak:?}: {scrapes} scrapes ({:.0}/s), {} publishes ({:.0}/s)",
        scrapes as f64 / soak.as_secs_f64(),
        counts.iter().sum::<u64>(),
        counts.iter().sum::<u64>() as f64 / soak.as_secs_f64()
    );
    server.shutdown().await;
}

/// One scrape, which must answer 200 with a text that parses.
async fn scrape(addr: SocketAddr, done: u64) -> Vec<Sample> {
    let response = http::get(addr, "/metrics")
        .await
        .unwrap_or_else(|e| panic!("scrape failed after {done} succeeded: {e}"));
    assert_eq!(response.status, 200, "{}", response.body);
    let samples = exposition::parse_published(&response.body)
        .unwrap_or_else(|e| panic!("scrape does not parse: {e}\n{}", response.body));
    assert_eq!(samples.len(), 4 * PUBLISHERS as usize, "{}", response.body);
    samples
}

/// Every sample is a value its rank published, no older than what this
/// scraper saw before (`active_blocks` is the publish number itself).
fn check(samples: &[Sample], max: &[u64], seen: &mut [Seen]) {
    for sample in samples {
        let rank: u32 = sample
            .label("dp_rank")
            .and_then(|r| r.parse().ok())
            .unwrap_or_else(|| panic!("no rank on {sample:?}"));
        let last = &mut seen[rank as usize];
        let min = if sample.name.ends_with("active_blocks") {
            last.active_blocks
        } else {
            0
        };
        assert!(
            was_published(&sample.name, rank, sample.value, min, max[rank as usize]),
            "{} = {} was never published by rank {rank} (publish {min}..={} expected)",
            sample.series(),
            sample.value,
            max[rank as usize]
        );
        if sample.name.ends_with("active_blocks") {
            last.active_blocks = sample.value as u64;
        }
    }
}

#[test]
fn the_value_check_rejects_what_was_not_published() {
    let name = "dynamo_component_kvstats_total_blocks";
    let third = published(2, 3);
    assert!(was_published(name, 2, third.kv_total_blocks as f64, 1, 3));
    // Too new, another rank's, not a whole publish number:
    assert!(!was_published(name, 2, third.kv_total_blocks as f64, 1, 2));
    assert!(!was_published(name, 1, third.kv_total_blocks as f64, 1, 3));
    assert!(!was_published(
        name,
        2,
        third.kv_total_blocks as f64 + 0.5,
        1,
        3
    ));
    let usage = "dynamo_component_kvstats_gpu_cache_usage_percent";
    assert!(was_published(
        usage,
        0,
        f64::from(third.gpu_cache_usage_perc),
        0,
        3
    ));
    assert!(!was_published(usage, 0, 0.3, 0, 3));
    let active = "dynamo_component_kvstats_active_blocks";
    // Older than what the scraper already saw:
    assert!(!was_published(active, 0, 2.0, 3, 9));
    assert!(!was_published("dynamo_component_other", 0, 0.0, 0, 9));
}
