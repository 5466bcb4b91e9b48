//! The fleet view against real Prometheus servers, with the rule file the
//! catalog generates (`Format::Rules`, as in `prometheus/kvstats.rules.yml`):
//!
//! - one Prometheus scraping three workers (four ranks, one of them kept hot
//!   with `--hot-rank`): every series the file records exists; each
//!   per-component gauge rule (`:sum`, `:max`, `:min`, `:count`, `:avg`,
//!   `:ratio`) equals that aggregation of what the workers published, once
//!   they have stopped (`--steps`); a counter's `:rate5m` is positive;
//!   `KvCacheNearlyFull` fires for the hot rank alone, and resolves once its
//!   worker runs without the flag;
//! - two Prometheus servers, one per group of workers (2 + 1), each with its
//!   `group` external label and the rules, and a global one that federates
//!   what they record and loads the same rules: its `fleet:` series equal the
//!   aggregation over every worker of both groups, and no federated series
//!   collides with another.
//!
//! Each Prometheus starts before its workers, on ports picked for them, and
//! the workers start once it has tried them: so it scrapes their counters
//! while they grow, and the rates are positive. Waits are bounded by `WAIT`
//! and nothing is asserted about how fast anything goes.

mod fleet_support;

use std::collections::BTreeSet;
use std::net::SocketAddr;

use fleet_support::{
    expected_gauge_rules, free_addr, key, matches, ok, one, present, served, setup, stop,
    wait_for_healthy_rules, wait_until_scraping, Spec, Worker, WAIT,
};
use harness::http;
use harness::prometheus::{Options, Prometheus};
use simulation::published::Published;

#[tokio::test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
async fn the_generated_rules_record_what_the_workers_publish_and_alert_on_a_full_cache() {
    let Some((catalog, rules)) = setup() else {
        return;
    };
    let specs = [
        Spec::new(0, 2, 70),
        Spec::new(2, 1, 71),
        Spec::new(3, 1, 72).hot(),
    ];
    let addrs: Vec<SocketAddr> = specs.iter().map(|_| free_addr()).collect();
    let prometheus = Options::new()
        .targets(&addrs)
        .rules(&rules.path)
        .start()
        .await
        .expect("prometheus starts");
    wait_until_scraping(&prometheus, &addrs).await;
    let mut workers: Vec<Worker> = addrs
        .iter()
        .zip(specs)
        .map(|(&addr, spec)| Worker::start(addr, spec))
        .collect();
    workers.iter_mut().for_each(Worker::settle);
    let samples = served(&catalog, &workers).await;

    // A counter's rate, from the scrapes taken while the workers published.
    let rate = "dynamo_component:engine_prompt_tokens:rate5m";
    let component = catalog.fixed_labels();
    ok(prometheus
        .wait_for("a positive rate", rate, WAIT, |seen| {
            one(seen, component, |rate| rate > 0.0)
        })
        .await);

    // Every gauge rule holds the aggregation of the values the workers stay at.
    let recorded = rules.recorded();
    let expected = expected_gauge_rules(&catalog, &recorded, &samples);
    for op in ["sum", "max", "min", "count", "avg", "ratio"] {
        let wanted = format!(":{op}{{");
        assert!(
            expected.keys().any(|key| key.contains(&wanted)),
            "no `:{op}` rule checked: {expected:#?}"
        );
    }
    let gauges = r#"{__name__=~"dynamo_component:.+:(sum|max|min|count|avg|ratio)"}"#;
    ok(prometheus
        .wait_for("the aggregated values", gauges, WAIT, |seen| {
            matches(seen, &expected)
        })
        .await);

    let present = present(&recorded, &samples);
    let names = r#"count by (__name__) ({__name__=~"(dynamo_component|fleet):.+"})"#;
    ok(prometheus
        .wait_for("every recorded series", names, WAIT, |seen| {
            let seen: BTreeSet<String> = seen
                .iter()
                .filter_map(|s| s.label("__name__").map(str::to_owned))
                .collect();
            if seen == present {
                Ok(())
            } else {
                Err(format!("{seen:#?}\nexpected:\n{present:#?}"))
            }
        })
        .await);
    wait_for_healthy_rules(&prometheus, &rules).await;

    // The hot rank, and it alone, fires KvCacheNearlyFull ..
    let hot = workers.pop().expect("the hot worker");
    let hot_rank = hot.spec.last_rank().to_string();
    let instance = hot.addr().to_string();
    let alert = r#"ALERTS{alertname="KvCacheNearlyFull"}"#;
    ok(prometheus
        .wait_for("KvCacheNearlyFull firing", alert, WAIT, |seen| {
            let firing = [
                ("alertname", "KvCacheNearlyFull"),
                ("alertstate", "firing"),
                ("severity", "warning"),
                ("job", "kvstats"),
                ("instance", &instance),
                ("dp_rank", &hot_rank),
                ("dynamo_namespace", "dynamo"),
                ("dynamo_component", "backend"),
            ];
            one(seen, &firing, |value| value == 1.0)
        })
        .await);

    // .. and resolves once its worker, restarted on the same port without
    // the flag, serves a cache that is not full: the fullest rank now below
    // the threshold, and no alert pending or firing.
    let addr = hot.addr();
    let spec = hot.spec.cooled();
    let status = hot.process.terminate(WAIT).expect("the hot worker stops");
    assert!(status.success(), "{status}");
    let mut cooled = Worker::start(addr, spec);
    cooled.settle();
    workers.push(cooled);
    let fullest = workers
        .iter()
        .flat_map(|w| &w.last)
        .map(|p| p.gpu_cache_usage_perc)
        .fold(f64::MIN, f64::max);
    assert!(fullest < 0.95, "{fullest}");
    let max = "dynamo_component:kvstats_gpu_cache_usage_percent:max";
    ok(prometheus
        .wait_for("the cooled cache", max, WAIT, |seen| {
            one(seen, component, |value| value == fullest)
        })
        .await);
    ok(prometheus
        .wait_for("KvCacheNearlyFull resolved", alert, WAIT, |seen| {
            if seen.is_empty() {
                Ok(())
            } else {
                Err(format!("{seen:?}"))
            }
        })
        .await);
    stop([prometheus], workers);
}

/// The value of the sample `name` (no label) in a Prometheus server's own
/// exposition.
fn own_metric(exposition: &str, name: &str) -> Option<f64> {
    exposition
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
async fn a_global_prometheus_federates_two_groups_into_the_fleet_without_collisions() {
    let Some((catalog, rules)) = setup() else {
        return;
    };
    let groups = [
        ("a", vec![Spec::new(0, 2, 80), Spec::new(2, 1, 81)]),
        ("b", vec![Spec::new(3, 1, 82).hot()]),
    ];
    // One server per group, with the rules and the label that tells its
    // series from the other group's; then the global one, with the rules,
    // federating what they record (the script's default `match[]`: all but
    // the quantiles, which the global server computes from the federated
    // bucket rates).
    let mut servers = Vec::new();
    for (group, specs) in &groups {
        let addrs: Vec<SocketAddr> = specs.iter().map(|_| free_addr()).collect();
        let server = Options::new()
            .targets(&addrs)
            .rules(&rules.path)
            .external_label("group", group)
            .start()
            .await
            .expect("a group's prometheus starts");
        servers.push((server, addrs));
    }
    let federated: Vec<SocketAddr> = servers.iter().map(|(s, _)| s.addr()).collect();
    let global = Options::new()
        .federate(&federated)
        .rules(&rules.path)
        .start()
        .await
        .expect("the global prometheus starts");
    for (server, addrs) in &servers {
        wait_until_scraping(server, addrs).await;
    }
    let mut workers: Vec<Worker> = servers
        .iter()
        .flat_map(|(_, addrs)| addrs)
        .zip(groups.iter().flat_map(|(_, specs)| specs))
        .map(|(&addr, &spec)| Worker::start(addr, spec))
        .collect();
    workers.iter_mut().for_each(Worker::settle);

    // The fleet: every rank of both groups, the groups' labels dropped.
    let published: Vec<&Published> = workers.iter().flat_map(|w| &w.last).collect();
    let active: f64 = published.iter().map(|p| p.kv_active_blocks as f64).sum();
    let total: f64 = published.iter().map(|p| p.kv_total_blocks as f64).sum();
    let fullest = published
        .iter()
        .map(|p| p.gpu_cache_usage_perc)
        .fold(f64::MIN, f64::max);
    let component = catalog.fixed_labels();
    let exact = [
        ("fleet:kvstats_active_blocks:sum", active),
        (
            "fleet:kvstats_gpu_cache_usage_percent:ratio",
            active / total,
        ),
        ("fleet:kvstats_gpu_cache_usage_percent:max", fullest),
    ];
    for (name, value) in exact {
        ok(global
            .wait_for(name, name, WAIT, |seen| {
                one(seen, component, |v| v == value)
            })
            .await);
    }
    let rate = "fleet:engine_prompt_tokens:rate5m";
    ok(global
        .wait_for(rate, rate, WAIT, |seen| one(seen, component, |v| v > 0.0))
        .await);

    // No federated series collides with another: the global server holds
    // each series every group recorded, as a series of its own with the
    // group's label. (Series that collide would not show in its log or in
    // its counts of refused samples: the groups evaluate at different
    // instants, so their samples interleave in time and merge into one
    // series that flips between the groups' values. Hence the comparison.)
    let recorded = r#"{__name__=~"dynamo_component:.+"}"#;
    let collisions = harness::poll::until("every group's series apart", WAIT, || async {
        let mut expected = BTreeSet::new();
        for ((server, _), (group, _)) in servers.iter().zip(&groups) {
            for mut series in server.query(recorded).await.map_err(|e| e.to_string())? {
                series
                    .labels
                    .insert("group".to_owned(), (*group).to_owned());
                expected.insert(key(&series));
            }
        }
        let mut seen = BTreeSet::new();
        for mut series in global.query(recorded).await.map_err(|e| e.to_string())? {
            // What the global server adds to a federated series (its job, and
            // the instance of a series that has none) tells no series apart.
            series
                .labels
                .retain(|name, _| name != "instance" && name != "job");
            seen.insert(key(&series));
        }
        let every_group = groups.iter().all(|(group, _)| {
            let label = format!("group={group:?}");
            seen.iter().any(|s| s.contains(&label))
        });
        if seen == expected && every_group {
            Ok(())
        } else {
            let extra: Vec<_> = seen.symmetric_difference(&expected).collect();
            Err(format!(
                "{} series, {} expected; differ: {extra:#?}",
                seen.len(),
                expected.len()
            ))
        }
    })
    .await;
    ok(collisions);
    // Nor did the global server refuse a sample on the way.
    let own = http::get(global.addr(), "/metrics")
        .await
        .expect("prometheus answers");
    for refused in [
        "prometheus_target_scrapes_sample_duplicate_timestamp_total",
        "prometheus_target_scrapes_sample_out_of_order_total",
        "prometheus_target_scrapes_sample_out_of_bounds_total",
    ] {
        assert_eq!(own_metric(&own.body, refused), Some(0.0), "{refused}");
    }
    let log = global.log().to_lowercase();
    for said in [
        "duplicate sample",
        "same timestamp",
        "out of order",
        "out-of-order",
        "out of bounds",
    ] {
        assert!(
            !log.contains(said),
            "the global prometheus logged {said:?}:\n{log}"
        );
    }
    wait_for_healthy_rules(&global, &rules).await;
    let servers: Vec<Prometheus> = servers.into_iter().map(|(s, _)| s).collect();
    stop(servers.into_iter().chain([global]), workers);
}
