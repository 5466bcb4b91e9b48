//! `#[prom(counter, delta, label = "..")]` with a key type of the user's own
//! that implements `Display`: one counter series per key.

#![deny(warnings)]

use std::collections::HashMap;
use std::fmt;

use kvstats_core::{MetricKind, PerKey, PromGauges, Registry};

/// Why a request finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FinishedReason {
    /// A stop token or string.
    Stop,
    /// The length limit.
    Length,
    /// Cancelled by the client.
    Abort,
}

impl fmt::Display for FinishedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FinishedReason::Stop => "stop",
            FinishedReason::Length => "length",
            FinishedReason::Abort => "abort",
        })
    }
}

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Requests that finished this step, by reason
    #[prom(counter, delta, label = "finished_reason", max = 3, name = "request_success")]
    pub finished: HashMap<FinishedReason, u64>,
    /// Requests that finished this step, by reason, since the process started
    #[prom(counter, label = "finished_reason")]
    pub finished_ever: Vec<(FinishedReason, u64)>,
}

fn main() {
    let [delta, total] = StepStats::METRICS else { panic!("two metrics") };
    assert_eq!(delta.name, "engine_request_success_total");
    assert_eq!((delta.kind, delta.delta), (MetricKind::Counter, true));
    assert_eq!(delta.labels, ["finished_reason"]);
    assert_eq!(total.name, "engine_finished_ever_total");
    assert_eq!((total.kind, total.delta), (MetricKind::Counter, false));

    let registry = Registry::with_prefix("").unwrap();
    let gauges = StepStatsGauges::register(&registry).unwrap();
    let _: &PerKey<3> = &gauges.finished;
    let step = |stop, length| StepStats {
        finished: HashMap::from([(FinishedReason::Stop, stop), (FinishedReason::Length, length)]),
        finished_ever: Vec::new(),
    };
    gauges.update_from(&step(2, 1));
    gauges.update_from(&step(3, 0));
    let text = registry.prometheus_text().unwrap();
    for line in [
        r#"engine_request_success_total{finished_reason="length"} 1"#,
        r#"engine_request_success_total{finished_reason="stop"} 5"#,
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
    assert!(!text.contains(r#"finished_reason="abort""#), "{text}");
}
