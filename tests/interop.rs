//! kvstats and the `prometheus` crate side by side: one family per name in
//! every output, clashes refused at registration or left out and counted,
//! and `prometheus_text()` equal to `gather()` + `TextEncoder`.

use harness::exposition::{duplicate_series, parse};
use harness::fixtures::backend;
use kvstats_core::dynamo::{KvStats, KvStatsGauges};
use kvstats_core::prometheus::{self, Encoder as _, TextEncoder};
use kvstats_core::{Error, MetricsRegistry, PromGauges, Registry};

/// The lines of `text` that `keep` keeps, in order.
fn lines(text: &str, keep: impl Fn(&str) -> bool) -> Vec<&str> {
    text.lines().filter(|l| keep(l)).collect()
}

/// What `gather()` + `TextEncoder` print for `registry`'s `prometheus::Registry`.
fn gathered(registry: &impl MetricsRegistry) -> String {
    let mut out = Vec::new();
    TextEncoder::new()
        .encode(&registry.prometheus().gather(), &mut out)
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "draft")]
struct Drafts {
    /// Accepted tokens per draft position
    #[prom(label = "position", max = 16)]
    accepted: Vec<u32>,
}

#[test]
fn text_and_gather_agree_with_eleven_positions_and_more() {
    let (registry, component) = backend();
    let ranks: Vec<_> = ["0", "1", "10", "2"]
        .iter()
        .map(|rank| DraftsGauges::register_with_labels(&component, &[("dp_rank", rank)]).unwrap())
        .collect();
    for (i, rank) in ranks.iter().enumerate() {
        rank.update_from(&Drafts {
            accepted: (0..12 + i as u32).collect(),
        });
    }
    let text = registry.prometheus_text().unwrap();
    assert_eq!(text, gathered(&registry));
    // The order is gather()'s: label values compared as strings.
    let samples = parse(&text).unwrap();
    let values_of = |label: &str, only: (&str, &str)| -> Vec<String> {
        samples
            .iter()
            .filter(|s| s.label(only.0) == Some(only.1))
            .filter_map(|s| s.label(label).map(str::to_owned))
            .collect()
    };
    assert_eq!(
        values_of("position", ("dp_rank", "0")),
        ["0", "1", "10", "11", "2", "3", "4", "5", "6", "7", "8", "9"]
    );
    assert_eq!(
        values_of("dp_rank", ("position", "0")),
        ["0", "1", "10", "2"]
    );
}

#[test]
fn a_collector_of_the_same_name_and_help_merges_into_one_family() {
    let (registry, component) = backend();
    let kv = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
    kv.update_from(&KvStats {
        kv_active_blocks: 5,
        ..Default::default()
    });
    let opts = prometheus::Opts::new(
        "dynamo_component_kvstats_active_blocks",
        "Number of active KV cache blocks currently in use",
    )
    .const_label("dynamo_namespace", "dynamo")
    .const_label("dynamo_component", "backend");
    let theirs = prometheus::GaugeVec::new(opts, &["dp_rank"]).unwrap();
    theirs.with_label_values(&["1"]).set(6.0);
    registry
        .register_collector(Box::new(theirs.clone()))
        .unwrap();

    let text = registry.prometheus_text().unwrap();
    let family = lines(&text, |l| {
        l.contains("dynamo_component_kvstats_active_blocks")
    });
    assert_eq!(
        family,
        [
            "# HELP dynamo_component_kvstats_active_blocks Number of active KV cache blocks currently in use",
            "# TYPE dynamo_component_kvstats_active_blocks gauge",
            r#"dynamo_component_kvstats_active_blocks{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"} 5"#,
            r#"dynamo_component_kvstats_active_blocks{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 6"#,
        ]
    );
    assert_eq!(text, gathered(&registry));
}

#[test]
fn a_clashing_collector_is_refused_by_register_collector() {
    let (registry, component) = backend();
    let _kv = KvStatsGauges::register(&component).unwrap();
    let clash =
        prometheus::Gauge::new("dynamo_component_kvstats_active_blocks", "Other help").unwrap();
    let err = registry.register_collector(Box::new(clash)).unwrap_err();
    assert!(matches!(err, Error::Inconsistent { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "metric `dynamo_component_kvstats_active_blocks` is already registered with help \
         \"Number of active KV cache blocks currently in use\"; this registration has help \
         \"Other help\"; every series of one metric must agree, so give one of them another name"
    );
    // The library's own names are not for collectors either.
    let own = prometheus::IntCounter::new(
        "dynamo_component_kvstats_values_dropped_total",
        kvstats_core::own::DROPPED_VALUES.help,
    )
    .unwrap();
    assert!(registry.register_collector(Box::new(own)).is_err());
    // Nothing was registered on the prometheus registry by the refusals: it
    // gathers the four KvStats families, one each.
    let names: Vec<String> = registry
        .prometheus()
        .gather()
        .iter()
        .map(|f| format!("{} {}", f.name(), f.get_metric().len()))
        .collect();
    assert_eq!(
        names,
        [
            "dynamo_component_kvstats_active_blocks 1",
            "dynamo_component_kvstats_gpu_cache_usage_percent 1",
            "dynamo_component_kvstats_gpu_prefix_cache_hit_rate 1",
            "dynamo_component_kvstats_total_blocks 1",
        ]
    );
}

/// The error `KvStatsGauges::register` returns once `theirs` is registered.
fn refusal_after(
    registry: &Registry,
    component: &kvstats_core::Component,
    theirs: impl prometheus::core::Collector + 'static,
) -> String {
    registry.register_collector(Box::new(theirs)).unwrap();
    KvStatsGauges::register(component).unwrap_err().to_string()
}

#[test]
fn a_kvstats_struct_clashing_with_a_registered_collector_is_refused() {
    let (registry, component) = backend();
    let theirs =
        prometheus::Gauge::new("dynamo_component_kvstats_active_blocks", "Theirs").unwrap();
    assert_eq!(
        refusal_after(&registry, &component, theirs.clone()),
        "metric `dynamo_component_kvstats_active_blocks` is already registered with help \
         \"Theirs\" by a `prometheus` collector; this registration has help \"Number of active \
         KV cache blocks currently in use\"; every series of one metric must agree, so give one \
         of them another name"
    );
    registry.unregister_collector(Box::new(theirs)).unwrap();
    let _kv = KvStatsGauges::register(&component).unwrap();
}

#[test]
fn a_kvstats_struct_with_other_label_names_than_a_collector_is_refused() {
    let (registry, component) = backend();
    let opts = prometheus::Opts::new(
        "dynamo_component_kvstats_active_blocks",
        "Number of active KV cache blocks currently in use",
    );
    let theirs = prometheus::GaugeVec::new(opts, &["gpu"]).unwrap();
    assert_eq!(
        refusal_after(&registry, &component, theirs),
        "metric `dynamo_component_kvstats_active_blocks` is already registered with label names \
         `gpu` by a `prometheus` collector; this registration has label names \
         `dynamo_component`, `dynamo_namespace`; every series of one metric must agree, so give \
         one of them another name"
    );
}

#[test]
fn a_clash_registered_behind_our_back_is_left_out_and_counted() {
    let (registry, component) = backend();
    let kv = KvStatsGauges::register(&component).unwrap();
    kv.update_from(&KvStats {
        kv_total_blocks: 8,
        ..Default::default()
    });
    // Straight on the prometheus registry: kvstats cannot refuse it there.
    let theirs =
        prometheus::IntCounter::new("dynamo_component_kvstats_total_blocks", "A counter now")
            .unwrap();
    registry
        .prometheus()
        .register(Box::new(theirs.clone()))
        .unwrap();
    theirs.inc();
    for scrape in 1..=2 {
        let text = registry.prometheus_text().unwrap();
        let headers = lines(&text, |l| {
            l.starts_with("# TYPE dynamo_component_kvstats_total_blocks ")
        });
        assert_eq!(
            headers,
            ["# TYPE dynamo_component_kvstats_total_blocks gauge"]
        );
        let samples = lines(&text, |l| {
            l.starts_with("dynamo_component_kvstats_total_blocks")
        });
        // Ours alone: their counter's sample is left out with its family.
        assert_eq!(
            samples,
            [
                r#"dynamo_component_kvstats_total_blocks{dynamo_component="backend",dynamo_namespace="dynamo"} 8"#
            ]
        );
        let counted = format!(
            "dynamo_component_kvstats_values_dropped_total{{metric=\"dynamo_component_kvstats_total_blocks\",reason=\"foreign_conflict\"}} {scrape}"
        );
        assert!(text.lines().any(|l| l == counted), "{text}");
        assert_eq!(
            duplicate_series(&parse(&text).unwrap()),
            Vec::<String>::new()
        );
    }
}

#[test]
fn an_application_registry_sees_ours_and_we_see_its_families() {
    let app = prometheus::Registry::new();
    let requests = prometheus::IntCounterVec::new(
        prometheus::Opts::new("http_requests_total", "Requests served"),
        &["route"],
    )
    .unwrap();
    app.register(Box::new(requests.clone())).unwrap();
    requests.with_label_values(&["/generate"]).inc();

    let registry = Registry::builder().prometheus(app.clone()).build().unwrap();
    let component = registry
        .namespace("dynamo")
        .and_then(|n| n.component("backend"))
        .unwrap();
    let kv = KvStatsGauges::register(&component).unwrap();
    kv.update_from(&KvStats {
        kv_active_blocks: 4,
        ..Default::default()
    });

    let ours = registry.prometheus_text().unwrap();
    assert!(ours
        .lines()
        .any(|l| l == r#"http_requests_total{route="/generate"} 1"#));
    let theirs = gathered(&registry);
    assert_eq!(ours, theirs);
    let names: Vec<String> = app.gather().iter().map(|f| f.name().to_owned()).collect();
    assert!(names.contains(&"dynamo_component_kvstats_active_blocks".to_owned()));

    // A second kvstats registry cannot bridge to the same prometheus registry.
    let err = Registry::builder()
        .prometheus(app.clone())
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::PrometheusRegistryTaken), "{err}");
    // Once ours is gone, its bridge is too, and another may take its place.
    drop((kv, component, registry));
    assert!(app
        .gather()
        .iter()
        .all(|f| !f.name().starts_with("dynamo_component_")));
    Registry::builder().prometheus(app).build().unwrap();
}
