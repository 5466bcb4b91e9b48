//! The exposition of the reference `KvStats`, compared line by line.

use harness::exposition::sample_lines;
use harness::fixtures::{backend, BACKEND_LABELS as LABELS};
use kvstats_core::dynamo::{KvStats, KvStatsGauges};

#[test]
fn kvstats_reproduces_the_reference_exposition() {
    let (registry, component) = backend();
    let gauges = KvStatsGauges::register(&component).unwrap();
    gauges.update_from(&KvStats {
        kv_active_blocks: 42,
        kv_total_blocks: 12894,
        gpu_cache_usage_perc: 0.5,
        gpu_prefix_cache_hit_rate: 0.75,
    });
    let text = registry.prometheus_text().unwrap();
    let expected = [
        "# HELP dynamo_component_kvstats_active_blocks Number of active KV cache blocks currently in use".to_owned(),
        "# TYPE dynamo_component_kvstats_active_blocks gauge".to_owned(),
        format!("dynamo_component_kvstats_active_blocks{LABELS} 42"),
        "# HELP dynamo_component_kvstats_gpu_cache_usage_percent GPU cache usage as a percentage (0.0-1.0)".to_owned(),
        "# TYPE dynamo_component_kvstats_gpu_cache_usage_percent gauge".to_owned(),
        format!("dynamo_component_kvstats_gpu_cache_usage_percent{LABELS} 0.5"),
        "# HELP dynamo_component_kvstats_gpu_prefix_cache_hit_rate GPU prefix cache hit rate as a percentage (0.0-1.0)".to_owned(),
        "# TYPE dynamo_component_kvstats_gpu_prefix_cache_hit_rate gauge".to_owned(),
        format!("dynamo_component_kvstats_gpu_prefix_cache_hit_rate{LABELS} 0.75"),
        "# HELP dynamo_component_kvstats_total_blocks Total number of KV cache blocks available".to_owned(),
        "# TYPE dynamo_component_kvstats_total_blocks gauge".to_owned(),
        format!("dynamo_component_kvstats_total_blocks{LABELS} 12894"),
    ];
    assert_eq!(text.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn gauges_read_zero_before_the_first_update() {
    let (registry, component) = backend();
    let gauges = KvStatsGauges::register(&component).unwrap();
    assert_eq!(gauges.kv_active_blocks.get(), 0.0);
    assert_eq!(gauges.gpu_prefix_cache_hit_rate.get(), 0.0);
    let text = registry.prometheus_text().unwrap();
    assert_eq!(
        sample_lines(&text),
        [
            format!("dynamo_component_kvstats_active_blocks{LABELS} 0"),
            format!("dynamo_component_kvstats_gpu_cache_usage_percent{LABELS} 0"),
            format!("dynamo_component_kvstats_gpu_prefix_cache_hit_rate{LABELS} 0"),
            format!("dynamo_component_kvstats_total_blocks{LABELS} 0"),
        ]
    );
}

#[test]
fn registering_twice_with_the_same_labels_is_an_error_naming_the_metric() {
    let (_registry, component) = backend();
    let _first = KvStatsGauges::register(&component).unwrap();
    let err = KvStatsGauges::register(&component).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "metric `dynamo_component_kvstats_active_blocks` with labels {LABELS} is already \
             registered; give each instance distinct labels (e.g. `dp_rank`) with \
             `register_with_labels`"
        )
    );
}

#[test]
fn the_reference_f32_value_prints_as_the_reference_did() {
    let (registry, component) = backend();
    let gauges = KvStatsGauges::register(&component).unwrap();
    gauges.update_from(&KvStats {
        gpu_cache_usage_perc: 0.000_077_555_45,
        ..Default::default()
    });
    let text = registry.prometheus_text().unwrap();
    let line =
        format!("dynamo_component_kvstats_gpu_cache_usage_percent{LABELS} 0.00007755545084364712");
    assert!(text.lines().any(|l| l == line), "{text}");
}

#[test]
fn prometheus_gather_sees_the_same_metrics() {
    let (registry, component) = backend();
    let gauges = KvStatsGauges::register(&component).unwrap();
    gauges.update_from(&KvStats {
        kv_total_blocks: 7,
        ..Default::default()
    });
    let families = registry.prometheus().gather();
    let names: Vec<_> = families.iter().map(|f| f.name().to_owned()).collect();
    assert_eq!(
        names,
        [
            "dynamo_component_kvstats_active_blocks",
            "dynamo_component_kvstats_gpu_cache_usage_percent",
            "dynamo_component_kvstats_gpu_prefix_cache_hit_rate",
            "dynamo_component_kvstats_total_blocks",
        ]
    );
    let encoded = prometheus::TextEncoder::new()
        .encode_to_string(&families)
        .unwrap();
    assert_eq!(encoded, registry.prometheus_text().unwrap());
}
