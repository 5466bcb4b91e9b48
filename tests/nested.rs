//! `ForwardPassMetrics`: nested groups, optional fields, per-position vectors
//! and per-instance labels.

use harness::exposition::sample_lines;
use kvstats_core::dynamo::{
    ForwardPassMetrics, ForwardPassMetricsGauges, KvStats, SpecDecodeStats, WorkerStats,
};
use kvstats_core::{PromGauges, Registry};

#[test]
fn metrics_lists_every_nested_metric_in_field_order() {
    let names: Vec<_> = ForwardPassMetrics::METRICS.iter().map(|m| m.name).collect();
    assert_eq!(
        names,
        [
            "worker_request_active_slots",
            "worker_request_total_slots",
            "worker_requests_waiting",
            "kvstats_active_blocks",
            "kvstats_total_blocks",
            "kvstats_gpu_cache_usage_percent",
            "kvstats_gpu_prefix_cache_hit_rate",
            "spec_decode_spec_tokens",
            "spec_decode_drafts",
            "spec_decode_draft_tokens",
            "spec_decode_accepted_tokens",
            "spec_decode_accepted_tokens_per_position",
        ]
    );
}

/// Speculative decoding is off: none of its gauges is in `text`.
fn assert_no_spec_decode(text: &str) {
    let spec: Vec<_> = sample_lines(text)
        .into_iter()
        .filter(|l| l.starts_with("spec_decode"))
        .collect();
    assert!(spec.is_empty(), "{spec:?}");
}

#[test]
fn two_ranks_with_spec_decode_none_then_some_then_none() {
    let registry = Registry::with_prefix("").unwrap();
    let component = registry.namespace("ns").unwrap().component("c").unwrap();
    let rank0 =
        ForwardPassMetricsGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
    let rank1 =
        ForwardPassMetricsGauges::register_with_labels(&component, &[("dp_rank", "1")]).unwrap();
    let mut stats = ForwardPassMetrics {
        worker_stats: WorkerStats {
            request_active_slots: 3,
            ..Default::default()
        },
        kv_stats: KvStats {
            kv_active_blocks: 5,
            ..Default::default()
        },
        spec_decode_stats: None,
    };
    rank0.update_from(&stats);
    rank1.update_from(&stats);
    let text = registry.prometheus_text().unwrap();
    assert_no_spec_decode(&text);
    // 7 gauges per rank; the dropped-values counter has no series until a
    // value is dropped.
    assert_eq!(sample_lines(&text).len(), 2 * 7, "{text}");

    stats.spec_decode_stats = Some(SpecDecodeStats {
        num_drafts: Some(4),
        num_accepted_tokens_per_pos: Some(vec![3, 2, 1]),
        ..Default::default()
    });
    rank1.update_from(&stats);
    let text = registry.prometheus_text().unwrap();
    let spec: Vec<_> = sample_lines(&text)
        .into_iter()
        .filter(|l| l.contains("spec_decode") && l.contains(r#"dp_rank="1""#))
        .collect();
    assert_eq!(
        spec,
        [
            r#"spec_decode_accepted_tokens_per_position{dp_rank="1",dynamo_component="c",dynamo_namespace="ns",position="0"} 3"#,
            r#"spec_decode_accepted_tokens_per_position{dp_rank="1",dynamo_component="c",dynamo_namespace="ns",position="1"} 2"#,
            r#"spec_decode_accepted_tokens_per_position{dp_rank="1",dynamo_component="c",dynamo_namespace="ns",position="2"} 1"#,
            r#"spec_decode_drafts{dp_rank="1",dynamo_component="c",dynamo_namespace="ns"} 4"#,
        ]
    );
    stats.spec_decode_stats = None;
    rank1.update_from(&stats);
    let text = registry.prometheus_text().unwrap();
    assert_no_spec_decode(&text);
    let encoded = prometheus::TextEncoder::new()
        .encode_to_string(&registry.prometheus().gather())
        .unwrap();
    assert_eq!(encoded, text);
}

mod collision {
    use kvstats_core::dynamo::KvStatsGauges;
    use kvstats_core::{Error, PromGauges};

    /// Compiled on its own, so nothing can see that its name is also KvStats'.
    #[derive(Debug, Default, PromGauges)]
    #[prom(prefix = "kvstats")]
    pub struct Extra {
        /// Blocks reserved for prefetching
        pub active_blocks: u64,
    }

    #[test]
    fn separately_registered_structs_with_one_name_fail_registration() {
        let (_registry, component) = harness::fixtures::backend();
        let _kv = KvStatsGauges::register(&component).unwrap();
        let err = ExtraGauges::register(&component).unwrap_err();
        assert!(matches!(err, Error::Inconsistent { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "metric `dynamo_component_kvstats_active_blocks` is already registered with help \
             \"Number of active KV cache blocks currently in use\"; this registration has help \
             \"Blocks reserved for prefetching\"; every series of one metric must agree, so give one \
             of them another name"
        );
        assert_eq!(Extra::METRICS.len(), 1);
    }
}
