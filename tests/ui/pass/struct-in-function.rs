//! A private stats struct declared inside a function, used only there.

#![deny(warnings)]

fn main() {
    use kvstats_core::{PromGauges, Registry};

    #[derive(Debug, Default, PromGauges)]
    #[prom(prefix = "batch")]
    struct BatchStats {
        /// Requests in the current batch
        requests: u64,
    }

    let registry = Registry::new();
    let gauges = BatchStatsGauges::register(&registry).unwrap();
    gauges.update_from(&BatchStats { requests: 7 });
    assert_eq!(batch::REQUESTS, "batch_requests");
    assert_eq!(BatchStats::METRICS.len(), 1);
    assert!(registry.prometheus_text().unwrap().contains("batch_requests 7"));
}
