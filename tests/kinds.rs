//! Every kind of metric one stats struct can carry: gauges, counters of
//! running totals, counters fed per-step amounts, histograms of observations
//! and keyed series, exported together and compared as whole lines.

use std::collections::HashMap;

use harness::exposition::sample_lines;
use harness::fixtures::{step, StepStatsGauges};
use kvstats_core::prometheus::{Encoder as _, TextEncoder};
use kvstats_core::{PromGauges, Registry};

fn gathered(registry: &Registry) -> String {
    let mut out = Vec::new();
    TextEncoder::new()
        .encode(&registry.prometheus().gather(), &mut out)
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn two_steps_export_every_kind() {
    let registry = Registry::with_prefix("").unwrap();
    let gauges = StepStatsGauges::register(&registry).unwrap();
    gauges.update_from(&step(1));
    gauges.update_from(&step(2));
    let text = registry.prometheus_text().unwrap();
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("# TYPE"))
            .collect::<Vec<_>>(),
        [
            "# TYPE engine_accepted_per_position_total counter",
            "# TYPE engine_finished_total counter",
            "# TYPE engine_generation_tokens_total counter",
            "# TYPE engine_prompt_tokens_total counter",
            "# TYPE engine_requests_running gauge",
            "# TYPE engine_running_adapters gauge",
            "# TYPE engine_time_to_first_token_seconds histogram",
        ]
    );
    let samples: Vec<&str> = sample_lines(&text)
        .into_iter()
        .filter(|l| !l.starts_with("kvstats_"))
        .collect();
    assert_eq!(
        samples,
        [
            r#"engine_accepted_per_position_total{position="0"} 4"#,
            r#"engine_accepted_per_position_total{position="1"} 2"#,
            r#"engine_finished_total{finished_reason="length"} 3"#,
            r#"engine_finished_total{finished_reason="stop"} 2"#,
            "engine_generation_tokens_total 20",
            "engine_prompt_tokens_total 200",
            "engine_requests_running 5",
            r#"engine_running_adapters{lora_adapter="sql"} 2"#,
            r#"engine_time_to_first_token_seconds_bucket{le="0.1"} 0"#,
            r#"engine_time_to_first_token_seconds_bucket{le="0.5"} 2"#,
            r#"engine_time_to_first_token_seconds_bucket{le="1"} 4"#,
            r#"engine_time_to_first_token_seconds_bucket{le="+Inf"} 4"#,
            "engine_time_to_first_token_seconds_sum 2.25",
            "engine_time_to_first_token_seconds_count 4",
        ]
    );
    assert_eq!(text, gathered(&registry));
}

#[test]
fn refused_and_capped_values_are_counted_by_metric_and_reason() {
    #[derive(Debug, Default, PromGauges)]
    #[prom(prefix = "bad", module = "bad_stats")]
    struct Bad {
        /// Amounts per step
        #[prom(counter, delta)]
        amount: f64,
        /// Observations per step
        #[prom(histogram(buckets = [1]))]
        observed: Vec<f64>,
        /// Finished by reason
        #[prom(counter, delta, label = "reason_key", max = 1)]
        by_key: Vec<(&'static str, i64)>,
    }
    let registry = Registry::with_prefix("").unwrap();
    let gauges = BadGauges::register(&registry).unwrap();
    gauges.update_from(&Bad {
        amount: -1.0,
        observed: vec![f64::NAN, 0.5, f64::INFINITY],
        by_key: vec![("a", 1), ("b", 1), ("a", -2)],
    });
    gauges.update_from(&Bad {
        amount: f64::NAN,
        ..Default::default()
    });
    let text = registry.prometheus_text().unwrap();
    let drops: Vec<&str> = sample_lines(&text)
        .into_iter()
        .filter(|l| l.starts_with("kvstats_values_dropped_total"))
        .collect();
    assert_eq!(
        drops,
        [
            r#"kvstats_values_dropped_total{metric="bad_amount_total",reason="negative"} 1"#,
            r#"kvstats_values_dropped_total{metric="bad_amount_total",reason="not_finite"} 1"#,
            r#"kvstats_values_dropped_total{metric="bad_by_key_total",reason="negative"} 1"#,
            r#"kvstats_values_dropped_total{metric="bad_by_key_total",reason="over_max"} 1"#,
            r#"kvstats_values_dropped_total{metric="bad_observed",reason="not_finite"} 2"#,
        ]
    );
    assert!(text.lines().any(|l| l == "bad_amount_total 0"), "{text}");
    assert!(text
        .lines()
        .any(|l| l == r#"bad_by_key_total{reason_key="a"} 1"#));
    assert!(text.lines().any(|l| l == "bad_observed_count 1"));
    assert_eq!(text, gathered(&registry));
}

#[test]
fn a_gauge_key_that_disappears_leaves_and_a_counter_key_stays() {
    #[derive(Debug, Default, PromGauges)]
    #[prom(prefix = "keys")]
    struct Keys {
        /// Running requests per adapter
        #[prom(label = "adapter")]
        running: HashMap<String, u32>,
        /// Requests finished per adapter, ever
        #[prom(counter, label = "adapter")]
        finished: HashMap<String, u32>,
    }
    let registry = Registry::with_prefix("").unwrap();
    let gauges = KeysGauges::register(&registry).unwrap();
    let both = HashMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)]);
    gauges.update_from(&Keys {
        running: both.clone(),
        finished: both,
    });
    let only_b = HashMap::from([("b".to_owned(), 5)]);
    gauges.update_from(&Keys {
        running: only_b.clone(),
        finished: only_b,
    });
    let text = registry.prometheus_text().unwrap();
    let lines: Vec<&str> = sample_lines(&text)
        .into_iter()
        .filter(|l| l.starts_with("keys_"))
        .collect();
    assert_eq!(
        lines,
        [
            r#"keys_finished_total{adapter="a"} 1"#,
            r#"keys_finished_total{adapter="b"} 5"#,
            r#"keys_running{adapter="b"} 5"#,
        ]
    );
}
