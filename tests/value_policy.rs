//! Units, `scale`, `clamp` and how every supported value type is exported.

use harness::exposition::sample_lines;
use kvstats_core::{PromGauges, Registry};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "policy")]
struct Policy {
    /// Cache usage as a fraction of 1
    #[prom(unit = "ratio")]
    usage: f32,
    /// Cache usage in percent (0-100)
    #[prom(name = "usage", unit = "percent", scale = 100.0)]
    usage_fraction: f32,
    /// A fraction that must stay in 0..1
    #[prom(clamp(0.0, 1.0))]
    clamped: f64,
    /// Scaled, then clamped
    #[prom(scale = 100.0, clamp(0.0, 100.0))]
    scaled_clamped: f64,
    /// A float exported as it is
    raw: f64,
    /// A large counter value
    big: u64,
    /// A signed value
    signed: i64,
    /// A flag
    flag: bool,
    /// Time per step
    #[prom(unit = "seconds")]
    step_seconds: f64,
}

/// The sample lines of one update, in exposition order (sorted by name).
fn exported(stats: &Policy) -> Vec<String> {
    let registry = Registry::with_prefix("").unwrap();
    let gauges = PolicyGauges::register(&registry).unwrap();
    gauges.update_from(stats);
    let text = registry.prometheus_text().unwrap();
    sample_lines(&text).into_iter().map(str::to_owned).collect()
}

#[test]
fn units_scale_and_clamp_shape_names_and_values() {
    let lines = exported(&Policy {
        usage: 0.25,
        usage_fraction: 0.25,
        clamped: 1.5,
        scaled_clamped: 2.0,
        raw: -0.125,
        big: 1 << 53,
        signed: -42,
        flag: true,
        step_seconds: 0.004,
    });
    assert_eq!(
        lines,
        [
            "policy_big 9007199254740992",
            "policy_clamped 1",
            "policy_flag 1",
            "policy_raw -0.125",
            "policy_scaled_clamped 100",
            "policy_signed -42",
            // The unit is not doubled when the name already ends with it.
            "policy_step_seconds 0.004",
            "policy_usage_percent 25",
            "policy_usage_ratio 0.25",
        ]
    );
}

#[test]
fn nan_and_infinities_are_spelled_as_the_text_format_wants_or_clamped() {
    let lines = exported(&Policy {
        raw: f64::NAN,
        step_seconds: f64::INFINITY,
        signed: 0,
        clamped: f64::NAN,
        scaled_clamped: f64::NEG_INFINITY,
        usage: f32::NEG_INFINITY,
        ..Default::default()
    });
    let pick = |name: &str| {
        lines
            .iter()
            .find(|l| l.split(' ').next() == Some(name))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(pick("policy_raw"), "policy_raw NaN");
    assert_eq!(pick("policy_step_seconds"), "policy_step_seconds +Inf");
    assert_eq!(pick("policy_usage_ratio"), "policy_usage_ratio -Inf");
    // With `clamp`, NaN becomes the lower bound and infinities the nearest bound.
    assert_eq!(pick("policy_clamped"), "policy_clamped 0");
    assert_eq!(pick("policy_scaled_clamped"), "policy_scaled_clamped 0");
}

#[test]
fn integers_are_exact_up_to_2_pow_53_and_rounded_to_nearest_above() {
    let cases = [
        ((1u64 << 53) - 1, "9007199254740991"),
        (1u64 << 53, "9007199254740992"),
        // 2^53 + 1 has no f64: it rounds to the nearest even neighbour, 2^53.
        ((1u64 << 53) + 1, "9007199254740992"),
        (u64::MAX, "18446744073709552000"),
    ];
    for (big, text) in cases {
        let lines = exported(&Policy {
            big,
            ..Default::default()
        });
        assert_eq!(lines[0], format!("policy_big {text}"), "{big}");
    }
    // Display of f64 prints the shortest digits that read back as the same
    // value, padded with zeros: i64::MIN (-2^63) reads as -9223372036854776000.
    let lines = exported(&Policy {
        signed: i64::MIN,
        ..Default::default()
    });
    assert!(lines.contains(&"policy_signed -9223372036854776000".to_owned()));
}

#[test]
fn bool_exports_zero_and_one() {
    let off = exported(&Policy::default());
    assert!(off.contains(&"policy_flag 0".to_owned()));
    let on = exported(&Policy {
        flag: true,
        ..Default::default()
    });
    assert!(on.contains(&"policy_flag 1".to_owned()));
}

#[test]
fn metrics_metadata_records_units_and_names() {
    let rows: Vec<_> = Policy::METRICS
        .iter()
        .map(|m| format!("{} {:?} {}", m.name, m.unit, m.help))
        .collect();
    assert_eq!(
        rows[0],
        "policy_usage_ratio Some(\"ratio\") Cache usage as a fraction of 1"
    );
    assert_eq!(
        rows[1],
        "policy_usage_percent Some(\"percent\") Cache usage in percent (0-100)"
    );
    assert_eq!(
        rows[8],
        "policy_step_seconds Some(\"seconds\") Time per step"
    );
    assert_eq!(policy::ALL.len(), 9);
    assert_eq!(policy::STEP_SECONDS, "policy_step_seconds");
}

/// The bits kvstats uses inside a cell for "no value" (a signalling NaN no
/// float operation produces); an `f64` a user hands over may still carry them.
const ABSENT_BITS: u64 = 0x7ff0_dead_0000_0001;

#[test]
fn a_value_with_the_absent_bit_pattern_is_exported_as_nan() {
    let odd = f64::from_bits(ABSENT_BITS);
    assert!(odd.is_nan());
    let lines = exported(&Policy {
        raw: odd,
        ..Default::default()
    });
    assert!(lines.contains(&"policy_raw NaN".to_owned()), "{lines:?}");

    let gauge = kvstats_core::Gauge::new();
    gauge.set(odd);
    assert!(gauge.value().is_some_and(f64::is_nan), "{gauge:?}");
    let positions = kvstats_core::PerPosition::<2>::new();
    positions.set_all([odd, 1.0]);
    assert!(positions.values()[0].is_nan());
    assert_eq!(positions.values().len(), 2);
}
