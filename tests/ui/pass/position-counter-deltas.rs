//! `#[prom(counter, delta, label = "position")]`: one counter per position
//! of a vector, each position's amount added to its own total.

#![deny(warnings)]

use kvstats_core::{MetricKind, PerPosition, PromGauges, Registry};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "spec_decode")]
pub struct SpecDecodeStats {
    /// Draft tokens accepted at each position of the draft this step
    #[prom(counter, delta, label = "position", max = 4, name = "num_accepted_tokens_per_pos")]
    pub accepted: Vec<u32>,
    /// Draft tokens proposed at each position since the process started
    #[prom(counter, label = "position")]
    pub proposed: [u64; 2],
}

fn main() {
    let [accepted, proposed] = SpecDecodeStats::METRICS else { panic!("two metrics") };
    assert_eq!(accepted.name, "spec_decode_num_accepted_tokens_per_pos_total");
    assert_eq!((accepted.kind, accepted.delta), (MetricKind::Counter, true));
    assert_eq!(accepted.labels, ["position"]);
    assert_eq!((proposed.kind, proposed.delta), (MetricKind::Counter, false));

    let registry = Registry::with_prefix("").unwrap();
    let gauges = SpecDecodeStatsGauges::register(&registry).unwrap();
    let _: &PerPosition<4> = &gauges.accepted;
    let _: &PerPosition<64> = &gauges.proposed;
    gauges.update_from(&SpecDecodeStats { accepted: vec![3, 2, 1], proposed: [4, 4] });
    gauges.update_from(&SpecDecodeStats { accepted: vec![1], proposed: [8, 8] });
    assert_eq!(gauges.accepted.values(), [4.0, 2.0, 1.0]);
    let text = registry.prometheus_text().unwrap();
    for line in [
        r#"spec_decode_num_accepted_tokens_per_pos_total{position="0"} 4"#,
        r#"spec_decode_num_accepted_tokens_per_pos_total{position="2"} 1"#,
        r#"spec_decode_proposed_total{position="1"} 8"#,
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
}
