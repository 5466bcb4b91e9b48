//! Identity is decided by kvstats: a series is its full name and its sorted
//! label set, whatever a hash of it is; one family has one type, help and set
//! of label names; the library's own names are reserved; errors say what was
//! wrong in kvstats' words.

use harness::exposition::{duplicate_series, parse};
use harness::fixtures::backend;
use kvstats_core::dynamo::{KvStats, KvStatsGauges};
use kvstats_core::{Error, MetricsRegistry, PromGauges, Registered, Registry};

/// Registers ranks `0..count` of KvStats on `level`, keeping every handle.
fn register_ranks(level: &impl MetricsRegistry, count: u32) -> Vec<Registered<KvStatsGauges>> {
    (0..count)
        .map(|rank| {
            let rank = rank.to_string();
            KvStatsGauges::register_with_labels(level, &[("dp_rank", &rank)])
                .unwrap_or_else(|e| panic!("dp_rank={rank} refused: {e}"))
        })
        .collect()
}

#[test]
fn twenty_thousand_ranks_register_under_every_name() {
    // The prometheus crate refused 960/968, 1023 and 1855 of `dynamo`/`backend`
    // and 24 and 68 of `n`/`kv` (its collector ids are sums of hashes).
    let registry = Registry::new();
    for (namespace, component) in [("dynamo", "backend"), ("n", "kv"), ("vllm", "worker-0")] {
        let level = registry
            .namespace(namespace)
            .and_then(|n| n.component(component))
            .unwrap();
        let handles = register_ranks(&level, 20_000);
        let text = level.prometheus_text().unwrap();
        let samples = parse(&text).unwrap();
        assert_eq!(samples.len(), 4 * 20_000, "{namespace}/{component}");
        assert_eq!(duplicate_series(&samples), Vec::<String>::new());
        // The same labels again are refused, and named.
        let err = KvStatsGauges::register_with_labels(&level, &[("dp_rank", "968")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "metric `dynamo_component_kvstats_active_blocks` with labels \
                 {{dp_rank=\"968\",dynamo_component=\"{component}\",dynamo_namespace=\
                 \"{namespace}\"}} is already registered; give each instance distinct labels \
                 (e.g. `dp_rank`) with `register_with_labels`"
            )
        );
        drop(handles);
        assert_eq!(level.prometheus_text().unwrap(), "");
    }
}

#[test]
fn a_metric_named_like_the_librarys_own_is_refused() {
    #[derive(Default, PromGauges)]
    #[prom(prefix = "kvstats")]
    struct Impostor {
        /// Looks like the library's counter
        #[prom(counter)]
        values_dropped_total: u64,
    }
    let (registry, component) = backend();
    let err = ImpostorGauges::register(&component).unwrap_err();
    assert!(matches!(err, Error::Inconsistent { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "metric `dynamo_component_kvstats_values_dropped_total` is already registered with the \
         library's own metric of that name; `Impostor.values_dropped_total` must export another \
         name"
    );
    assert_eq!(registry.prometheus_text().unwrap(), "");
}

#[test]
fn after_unregistering_a_family_may_come_back_with_other_help_and_labels() {
    #[derive(Default, PromGauges)]
    #[prom(prefix = "kvstats")]
    struct Other {
        /// Another meaning of the same name
        active_blocks: u64,
    }
    let (registry, component) = backend();
    let ranks = register_ranks(&component, 2);
    let err = OtherGauges::register(&component).unwrap_err();
    assert_eq!(
        err.to_string(),
        "metric `dynamo_component_kvstats_active_blocks` is already registered with help \
         \"Number of active KV cache blocks currently in use\"; this registration has help \
         \"Another meaning of the same name\"; every series of one metric must agree, so give \
         one of them another name"
    );
    drop(ranks);
    let other = OtherGauges::register(&component).unwrap();
    other.update_from(&Other { active_blocks: 3 });
    let text = registry.prometheus_text().unwrap();
    assert_eq!(
        text,
        "# HELP dynamo_component_kvstats_active_blocks Another meaning of the same name\n\
         # TYPE dynamo_component_kvstats_active_blocks gauge\n\
         dynamo_component_kvstats_active_blocks{dynamo_component=\"backend\",\
         dynamo_namespace=\"dynamo\"} 3\n"
    );
    // And the labels can change too, once that registration is gone.
    drop(other);
    let _ranked = register_ranks(&component, 1);
}

#[test]
fn series_of_two_struct_types_in_one_family_are_told_apart_by_labels() {
    use kvstats_core::dynamo::{ForwardPassMetrics, ForwardPassMetricsGauges};
    let (registry, component) = backend();
    let kv = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "1")]).unwrap();
    let all =
        ForwardPassMetricsGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
    // ForwardPassMetrics nests KvStats: rank 1 of it would be the same series.
    let err = ForwardPassMetricsGauges::register_with_labels(&component, &[("dp_rank", "1")])
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyRegistered { .. }), "{err}");
    kv.update_from(&KvStats {
        kv_active_blocks: 11,
        ..Default::default()
    });
    all.update_from(&ForwardPassMetrics {
        kv_stats: KvStats {
            kv_active_blocks: 10,
            ..Default::default()
        },
        ..Default::default()
    });
    let text = registry.prometheus_text().unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("dynamo_component_kvstats_active_blocks{"))
        .collect();
    assert_eq!(
        lines,
        [
            r#"dynamo_component_kvstats_active_blocks{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"} 10"#,
            r#"dynamo_component_kvstats_active_blocks{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 11"#,
        ]
    );
    // One family: one HELP and one TYPE line for it.
    let headers = text
        .lines()
        .filter(|l| l.ends_with(" dynamo_component_kvstats_active_blocks gauge"))
        .count();
    assert_eq!(headers, 1);
}

#[test]
fn prefixes_that_make_reserved_or_invalid_names_are_refused() {
    let err = Registry::with_prefixes("", "_").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid label prefix `_`: it makes names such as `__namespace`, and names starting \
         with `__` are reserved by Prometheus"
    );
    let err = Registry::with_prefix("_").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid prefix `_`: it makes names such as `__kvstats_active_blocks`, and names \
         starting with `__` are reserved by Prometheus"
    );
    let err = Registry::with_prefix("a-b").unwrap_err();
    assert!(
        err.to_string().starts_with("invalid prefix name `a-b`: "),
        "{err}"
    );
    // The level-name rule allows `-`, and its errors say so.
    let err = Registry::new().namespace("a.b").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid namespace name `a.b`: name contains a character other than ASCII letters, \
         digits, `_` and `-`; level names match [a-zA-Z_][a-zA-Z0-9_-]*"
    );
    assert!(Registry::new().namespace("vllm-worker").is_ok());
}

#[test]
fn a_level_serves_only_its_own_subtree() {
    let registry = Registry::new();
    let ns = registry.namespace("dynamo").unwrap();
    let (a, b) = (ns.component("a").unwrap(), ns.component("b").unwrap());
    let endpoint = a.endpoint("generate").unwrap();
    let on_a = KvStatsGauges::register(&a).unwrap();
    let on_b = KvStatsGauges::register(&b).unwrap();
    let stats = |blocks| KvStats {
        kv_active_blocks: blocks,
        ..Default::default()
    };
    on_a.update_from(&stats(1));
    on_b.update_from(&stats(2));
    let active = |level: &dyn MetricsRegistry| -> Vec<String> {
        parse(&level.prometheus_text().unwrap())
            .unwrap()
            .into_iter()
            .filter(|s| s.name == "dynamo_component_kvstats_active_blocks")
            .map(|s| format!("{} {}", s.label("dynamo_component").unwrap(), s.value))
            .collect()
    };
    assert_eq!(active(&a), ["a 1"]);
    assert_eq!(active(&b), ["b 2"]);
    assert_eq!(active(&ns), ["a 1", "b 2"]);
    assert_eq!(active(&registry), ["a 1", "b 2"]);
    // Nothing is registered on the endpoint or below it.
    assert_eq!(endpoint.prometheus_text().unwrap(), "");
    // A sibling namespace with a component of the same name sees nothing either.
    let other = registry
        .namespace("other")
        .and_then(|n| n.component("a"))
        .unwrap();
    assert_eq!(other.prometheus_text().unwrap(), "");
}
