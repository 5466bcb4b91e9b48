//! The publisher: registration at construction, labels per rank, the watch
//! channel, and what a real scrape sees while it publishes.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use harness::exposition::lines_of;
use harness::fixtures::backend;
use harness::http;
use kvstats_core::{
    Error, ForwardPassMetrics, KvStats, MetricsPublisher, MetricsServer, PromGauges,
    WorkerMetricsPublisher, WorkerStats,
};

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
    publisher.publish(simulation::sim::WorkerSim::new(1, 0).step());
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_scrapes_during_10_000_publishes_see_only_published_values() {
    let (registry, component) = backend();
    let publisher = MetricsPublisher::<KvStats>::new(&component).unwrap();
    let server = MetricsServer::bind(loopback(), registry).await.unwrap();
    let addr = server.local_addr();
    let allowed = Arc::new(allowed_values());
    let done = Arc::new(AtomicBool::new(false));

    let scrapers: Vec<_> = (0..SCRAPERS)
        .map(|_| {
            let (allowed, done) = (Arc::clone(&allowed), Arc::clone(&done));
            tokio::spawn(async move { scrape_until_done(addr, &allowed, &done).await })
        })
        .collect();
    let publishing = {
        let done = Arc::clone(&done);
        tokio::spawn(async move {
            for i in 1..=PUBLISHES {
                publisher.publish(published(i));
                // Give the scrapers a chance to land between publishes.
                if i % 10 == 0 {
                    tokio::task::yield_now().await;
                }
            }
            done.store(true, Ordering::Release);
        })
    };
    publishing.await.unwrap();
    let mut scrapes = 0;
    for scraper in scrapers {
        scrapes += scraper.await.unwrap();
    }
    assert!(scrapes >= SCRAPERS, "{scrapes}");
    server.shutdown().await;
}

/// Scrapes until the publisher is done (at least once, at most a bounded
/// number of times); returns how many scrapes it checked.
async fn scrape_until_done(
    addr: SocketAddr,
    allowed: &HashMap<String, HashSet<u64>>,
    done: &AtomicBool,
) -> usize {
    const MAX_SCRAPES: usize = 2_000;
    for scrapes in 1..=MAX_SCRAPES {
        let response = http::get(addr, "/metrics")
            .await
            .expect("every scrape succeeds");
        assert_eq!(response.status, 200);
        let samples = harness::exposition::parse(&response.body).expect("every scrape parses");
        assert_eq!(samples.len(), 4, "{}", response.body);
        for sample in samples {
            let values = &allowed[&sample.name];
            assert!(
                values.contains(&sample.value.to_bits()),
                "{} = {} was never published",
                sample.name,
                sample.value
            );
        }
        if done.load(Ordering::Acquire) {
            return scrapes;
        }
    }
    MAX_SCRAPES
}
