//! The whole exposition of `ForwardPassMetrics` for two data-parallel ranks,
//! one with speculative decoding on and one with it off, compared line by line.

use harness::fixtures::backend;
use kvstats_core::dynamo::{
    ForwardPassMetrics, KvStats, SpecDecodeStats, WorkerMetricsPublisher, WorkerStats,
};

const EXPECTED: &str = r#"# HELP dynamo_component_kvstats_active_blocks Number of active KV cache blocks currently in use
# TYPE dynamo_component_kvstats_active_blocks gauge
dynamo_component_kvstats_active_blocks{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"} 100
dynamo_component_kvstats_active_blocks{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 101
# HELP dynamo_component_kvstats_gpu_cache_usage_percent GPU cache usage as a percentage (0.0-1.0)
# TYPE dynamo_component_kvstats_gpu_cache_usage_percent gauge
dynamo_component_kvstats_gpu_cache_usage_percent{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"} 0.25
dynamo_component_kvstats_gpu_cache_usage_percent{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 0.25
# HELP dynamo_component_kvstats_gpu_prefix_cache_hit_rate GPU prefix cache hit rate as a percentage (0.0-1.0)
# TYPE dynamo_component_kvstats_gpu_prefix_cache_hit_rate gauge
dynamo_component_kvstats_gpu_prefix_cache_hit_rate{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"} 0.5
dynamo_component_kvstats_gpu_prefix_cache_hit_rate{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 0.5
# HELP dynamo_component_kvstats_total_blocks Total number of KV cache blocks available
# TYPE dynamo_component_kvstats_total_blocks gauge
dynamo_component_kvstats_total_blocks{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"} 12894
dynamo_component_kvstats_total_blocks{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 12894
# HELP dynamo_component_spec_decode_accepted_tokens Number of draft tokens accepted
# TYPE dynamo_component_spec_decode_accepted_tokens gauge
dynamo_component_spec_decode_accepted_tokens{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 21
# HELP dynamo_component_spec_decode_accepted_tokens_per_position Number of draft tokens accepted at each position of the draft
# TYPE dynamo_component_spec_decode_accepted_tokens_per_position gauge
dynamo_component_spec_decode_accepted_tokens_per_position{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo",position="0"} 9
dynamo_component_spec_decode_accepted_tokens_per_position{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo",position="1"} 7
dynamo_component_spec_decode_accepted_tokens_per_position{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo",position="2"} 5
# HELP dynamo_component_spec_decode_draft_tokens Number of draft tokens produced
# TYPE dynamo_component_spec_decode_draft_tokens gauge
dynamo_component_spec_decode_draft_tokens{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 30
# HELP dynamo_component_spec_decode_drafts Number of drafts produced
# TYPE dynamo_component_spec_decode_drafts gauge
dynamo_component_spec_decode_drafts{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 10
# HELP dynamo_component_spec_decode_spec_tokens Number of speculative tokens proposed per decoding step
# TYPE dynamo_component_spec_decode_spec_tokens gauge
dynamo_component_spec_decode_spec_tokens{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 3
# HELP dynamo_component_worker_request_active_slots Number of request slots currently in use
# TYPE dynamo_component_worker_request_active_slots gauge
dynamo_component_worker_request_active_slots{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"} 3
dynamo_component_worker_request_active_slots{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 4
# HELP dynamo_component_worker_request_total_slots Total number of request slots available
# TYPE dynamo_component_worker_request_total_slots gauge
dynamo_component_worker_request_total_slots{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"} 16
dynamo_component_worker_request_total_slots{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 16
# HELP dynamo_component_worker_requests_waiting Number of requests waiting for a free request slot
# TYPE dynamo_component_worker_requests_waiting gauge
dynamo_component_worker_requests_waiting{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"} 0
dynamo_component_worker_requests_waiting{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 1
"#;

fn metrics(rank: u32) -> ForwardPassMetrics {
    ForwardPassMetrics {
        worker_stats: WorkerStats {
            data_parallel_rank: Some(rank),
            request_active_slots: 3 + u64::from(rank),
            request_total_slots: 16,
            num_requests_waiting: u64::from(rank),
        },
        kv_stats: KvStats {
            kv_active_blocks: 100 + u64::from(rank),
            kv_total_blocks: 12894,
            gpu_cache_usage_perc: 0.25,
            gpu_prefix_cache_hit_rate: 0.5,
        },
        spec_decode_stats: (rank == 1).then(|| SpecDecodeStats {
            num_spec_tokens: Some(3),
            num_drafts: Some(10),
            num_draft_tokens: Some(30),
            num_accepted_tokens: Some(21),
            num_accepted_tokens_per_pos: Some(vec![9, 7, 5]),
        }),
    }
}

#[test]
fn two_ranks_export_every_metric_of_forward_pass_metrics() {
    let (registry, component) = backend();
    let publishers: Vec<_> = (0..2u32)
        .map(|rank| {
            // The rank label comes from the stats themselves, as in the worker.
            let stats = metrics(rank);
            let label = stats
                .worker_stats
                .data_parallel_rank
                .unwrap_or(0)
                .to_string();
            let publisher =
                WorkerMetricsPublisher::with_labels(&component, &[("dp_rank", &label)]).unwrap();
            publisher.publish(stats);
            publisher
        })
        .collect();
    let text = registry.prometheus_text().unwrap();
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        EXPECTED.lines().collect::<Vec<_>>()
    );
    // The interop path renders the same families.
    let gathered = prometheus::TextEncoder::new()
        .encode_to_string(&registry.prometheus().gather())
        .unwrap();
    assert_eq!(gathered, text);
    drop(publishers);
}
