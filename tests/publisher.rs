//! The publisher: registration at construction, labels per rank, the watch
//! channel, and what a real scrape sees while it publishes.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use harness::exposition::lines_of;
use harness::fixtures::backend;
use harness::http;
use kvstats_core::dynamo::{ForwardPassMetrics, KvStats, WorkerMetricsPublisher, WorkerStats};
use kvstats_core::{Error, MetricsPublisher, MetricsServer, PromGauges};

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

#[tokio::test]
async fn a_publish_is_visible_in_the_next_scrape() {
    let (registry, component) = backend();
    let publisher = MetricsPublisher::<KvStats>::new(&component).unwrap();
    let server = MetricsServer::bind(loopback(), registry).await.unwrap();
    let line = |v: u64| {
        format!(
            r#"dynamo_component_kvstats_active_blocks{{dynamo_component="backend",dynamo_namespace="dynamo"}} {v}"#
        )
    };
    for blocks in [7, 0, 12894] {
        publisher.publish(KvStats {
            kv_active_blocks: blocks,
            ..Default::default()
        });
        let scrape = http::get(server.local_addr(), "/metrics").await.unwrap();
        assert!(
            scrape.body.lines().any(|l| l == line(blocks)),
            "{}",
            scrape.body
        );
    }
    server.shutdown().await;
}

#[test]
fn ranks_coexist_and_the_same_labels_twice_are_an_error() {
    let (registry, component) = backend();
    let rank0 = WorkerMetricsPublisher::with_labels(&component, &[("dp_rank", "0")]).unwrap();
    let rank1 = WorkerMetricsPublisher::with_labels(&component, &[("dp_rank", "1")]).unwrap();
    let err = WorkerMetricsPublisher::with_labels(&component, &[("dp_rank", "1")]).unwrap_err();
    assert!(matches!(err, Error::AlreadyRegistered { .. }), "{err}");
    assert!(err.to_string().contains(r#"dp_rank="1""#), "{err}");
    // Without labels too, on a registry of its own (one metric cannot mix
    // series with and without `dp_rank`).
    let (_other, unlabelled) = backend();
    let _only = WorkerMetricsPublisher::new(&unlabelled).unwrap();
    let err = WorkerMetricsPublisher::new(&unlabelled).unwrap_err();
    assert!(matches!(err, Error::AlreadyRegistered { .. }), "{err}");

    for (publisher, blocks) in [(&rank0, 10), (&rank1, 11)] {
        let mut metrics = ForwardPassMetrics::default();
        metrics.kv_stats.kv_active_blocks = blocks;
        publisher.publish(metrics);
    }
    let text = registry.prometheus_text().unwrap();
    assert_eq!(
        lines_of(&text, "dynamo_component_kvstats_active_blocks"),
        [
            r#"dynamo_component_kvstats_active_blocks{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"} 10"#,
            r#"dynamo_component_kvstats_active_blocks{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 11"#,
        ]
    );
}

#[test]
fn the_worker_publisher_exports_every_metric_of_forward_pass_metrics() {
    let (registry, component) = backend();
    let publisher = WorkerMetricsPublisher::new(&component).unwrap();
    publisher.publish(simulation::sim::WorkerSim::new(1, 0).step().forward_pass);
    let text = registry.prometheus_text().unwrap();
    let exported: HashSet<String> = harness::exposition::parse(&text)
        .unwrap()
        .into_iter()
        .map(|sample| sample.name)
        .collect();
    for metric in ForwardPassMetrics::METRICS {
        let name = format!("dynamo_component_{}", metric.name);
        assert!(exported.contains(&name), "{name} missing from\n{text}");
    }
}

#[tokio::test]
async fn subscribers_see_the_latest_value() {
    let (_registry, component) = backend();
    let publisher = WorkerMetricsPublisher::new(&component).unwrap();
    let mut updates = publisher.subscribe();
    assert_eq!(**updates.borrow(), ForwardPassMetrics::default());

    let waiter = tokio::spawn(async move {
        updates.changed().await.expect("the publisher is alive");
        let latest = Arc::clone(&updates.borrow_and_update());
        latest
    });
    let metrics = Arc::new(ForwardPassMetrics {
        worker_stats: WorkerStats {
            request_active_slots: 3,
            ..Default::default()
        },
        ..Default::default()
    });
    publisher.publish(Arc::clone(&metrics));
    let seen = tokio::time::timeout(http::TIMEOUT, waiter)
        .await
        .expect("the subscriber wakes")
        .unwrap();
    assert!(Arc::ptr_eq(&seen, &metrics));
    assert_eq!(
        publisher.gauges().worker_stats.request_active_slots.get(),
        3.0
    );
}

const PUBLISHES: u32 = 10_000;
const SCRAPERS: usize = 32;

/// The value of publish number `i` (1-based); each field differs per publish.
fn published(i: u32) -> KvStats {
    KvStats {
        kv_active_blocks: u64::from(i),
        kv_total_blocks: u64::from(PUBLISHES + i),
        gpu_cache_usage_perc: i as f32 / PUBLISHES as f32,
        gpu_prefix_cache_hit_rate: 1.0 - i as f32 / PUBLISHES as f32,
    }
}

/// For every metric, the bits of every value it may show: the default the
/// publisher starts with, or one that was published.
fn allowed_values() -> HashMap<String, HashSet<u64>> {
    let mut allowed: HashMap<String, HashSet<u64>> = HashMap::new();
    let mut allow = |stats: &KvStats| {
        let values = [
            ("active_blocks", stats.kv_active_blocks as f64),
            ("total_blocks", stats.kv_total_blocks as f64),
            (
                "gpu_cache_usage_percent",
                f64::from(stats.gpu_cache_usage_perc),
            ),
            (
                "gpu_prefix_cache_hit_rate",
                f64::from(stats.gpu_prefix_cache_hit_rate),
            ),
        ];
        for (name, value) in values {
            let name = format!("dynamo_component_kvstats_{name}");
            allowed.entry(name).or_default().insert(value.to_bits());
        }
    };
    allow(&KvStats::default());
    (1..=PUBLISHES).for_each(|i| allow(&published(i)));
    allowed
}

/// Every `CHECKPOINT` publishes the publisher waits for the scrapers, so
/// scrapes provably land between publishes.
const CHECKPOINT: u32 = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_scrapes_during_10_000_publishes_see_only_published_values() {
    let (registry, component) = backend();
    let publisher = MetricsPublisher::<KvStats>::new(&component).unwrap();
    let server = MetricsServer::bind(loopback(), registry).await.unwrap();
    let addr = server.local_addr();
    let scrapers = Scrapers {
        allowed: allowed_values(),
        done: AtomicBool::new(false),
        completed: AtomicUsize::new(0),
        seen: Mutex::new(HashSet::new()),
    };
    let scrapers = Arc::new(scrapers);
    let tasks: Vec<_> = (0..SCRAPERS)
        .map(|_| {
            let scrapers = Arc::clone(&scrapers);
            tokio::spawn(async move { scrapers.scrape_until_done(addr).await })
        })
        .collect();
    let publishing = {
        let scrapers = Arc::clone(&scrapers);
        tokio::spawn(async move {
            for i in 1..=PUBLISHES {
                publisher.publish(published(i));
                if i % CHECKPOINT == 0 {
                    scrapers.wait_for_fresh_scrapes().await;
                }
            }
            scrapers.done.store(true, Ordering::Release);
            // Handed back: dropping it would take the series out of the
            // scrapes still in flight.
            publisher
        })
    };
    let publisher = publishing.await.unwrap();
    for task in tasks {
        task.await.unwrap();
    }
    // Each checkpoint's value was scraped while the publisher was paused
    // there: the scrapes overlapped the publishing.
    let seen = scrapers.seen.lock().unwrap().clone();
    for checkpoint in (CHECKPOINT..=PUBLISHES).step_by(CHECKPOINT as usize) {
        assert!(
            seen.contains(&u64::from(checkpoint)),
            "no scrape saw publish {checkpoint}"
        );
    }
    drop(publisher);
    server.shutdown().await;
}

/// What the scrapers of one test share.
struct Scrapers {
    allowed: HashMap<String, HashSet<u64>>,
    done: AtomicBool,
    /// Scrapes checked so far, by all scrapers.
    completed: AtomicUsize,
    /// Every `kv_active_blocks` value a scrape showed.
    seen: Mutex<HashSet<u64>>,
}

impl Scrapers {
    /// Scrapes until the publisher is done, checking every value.
    async fn scrape_until_done(&self, addr: SocketAddr) {
        while !self.done.load(Ordering::Acquire) {
            let response = http::get(addr, "/metrics")
                .await
                .expect("every scrape succeeds");
            assert_eq!(response.status, 200);
            let samples =
                harness::exposition::parse_published(&response.body).expect("every scrape parses");
            assert_eq!(samples.len(), 4, "{}", response.body);
            for sample in samples {
                let values = &self.allowed[&sample.name];
                assert!(
                    values.contains(&sample.value.to_bits()),
                    "{} = {} was never published",
                    sample.name,
                    sample.value
                );
                if sample.name == "dynamo_component_kvstats_active_blocks" {
                    self.seen.lock().unwrap().insert(sample.value as u64);
                }
            }
            self.completed.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Waits until every scraper has finished a scrape that started after
    /// now: each has at most one in flight, so twice their number suffices.
    async fn wait_for_fresh_scrapes(&self) {
        let target = self.completed.load(Ordering::Acquire) + 2 * SCRAPERS;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        while self.completed.load(Ordering::Acquire) < target {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the scrapers stopped making progress"
            );
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }
}
