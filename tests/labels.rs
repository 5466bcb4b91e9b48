//! Per-instance constant labels and per-position vectors.

use harness::exposition::{lines_of, sample_lines};
use kvstats_core::dynamo::{KvStats, KvStatsGauges};
use kvstats_core::{Error, PromGauges, Registry};

#[test]
fn ranks_with_different_labels_coexist_and_the_same_labels_twice_fail() {
    let (registry, component) = harness::fixtures::backend();
    let rank0 = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
    let rank1 = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "1")]).unwrap();
    rank0.update_from(&KvStats {
        kv_active_blocks: 10,
        ..Default::default()
    });
    rank1.update_from(&KvStats {
        kv_active_blocks: 11,
        ..Default::default()
    });
    let text = registry.prometheus_text().unwrap();
    assert_eq!(
        lines_of(&text, "dynamo_component_kvstats_active_blocks"),
        [
            r#"dynamo_component_kvstats_active_blocks{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"} 10"#,
            r#"dynamo_component_kvstats_active_blocks{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 11"#,
        ]
    );
    let err = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "1")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"metric `dynamo_component_kvstats_active_blocks` with labels {dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} is already registered; give each instance distinct labels (e.g. `dp_rank`) with `register_with_labels`"#
    );
}

#[test]
fn auto_labels_are_reserved() {
    let (_registry, component) = harness::fixtures::backend();
    let err =
        KvStatsGauges::register_with_labels(&component, &[("dynamo_namespace", "x")]).unwrap_err();
    assert!(matches!(err, Error::ReservedLabel { .. }));
    assert_eq!(
        err.to_string(),
        "label `dynamo_namespace` is reserved: the registry sets it from the namespace / \
         component / endpoint; choose another label name"
    );
}

#[test]
fn label_names_follow_the_naming_rule() {
    let (_registry, component) = harness::fixtures::backend();
    for bad in ["dp-rank", "1dp", "__dp", "dp:rank", ""] {
        let err = KvStatsGauges::register_with_labels(&component, &[(bad, "0")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("invalid label name `{bad}`: ")),
            "{err}"
        );
    }
    let err =
        KvStatsGauges::register_with_labels(&component, &[("dp", "0"), ("dp", "1")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "label `dp` is given twice; give each label once"
    );
}

#[test]
fn label_values_are_escaped() {
    let (registry, component) = harness::fixtures::backend();
    let _gauges =
        KvStatsGauges::register_with_labels(&component, &[("model", "a \"quoted\"\\name\n")])
            .unwrap();
    let text = registry.prometheus_text().unwrap();
    let first = text.lines().nth(2).unwrap();
    assert_eq!(
        first,
        r#"dynamo_component_kvstats_active_blocks{dynamo_component="backend",dynamo_namespace="dynamo",model="a \"quoted\"\\name\n"} 0"#
    );
}

#[test]
fn one_metric_cannot_have_two_sets_of_label_names() {
    let (_registry, component) = harness::fixtures::backend();
    let _rank0 = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
    let err = KvStatsGauges::register(&component).unwrap_err();
    assert!(matches!(err, Error::Inconsistent { .. }), "{err}");
    assert!(err.to_string().starts_with(
        "metric `dynamo_component_kvstats_active_blocks` is already registered with label names"
    ));
}

#[test]
fn unregister_frees_the_labels_for_a_new_registration() {
    let (registry, component) = harness::fixtures::backend();
    let gauges = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
    gauges.unregister();
    assert_eq!(registry.prometheus_text().unwrap(), "");
    let _again = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
}

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "draft")]
struct Drafts {
    /// Accepted tokens per draft position
    #[prom(label = "position", max = 3)]
    accepted: Vec<u32>,
}

fn position_lines(registry: &Registry) -> Vec<String> {
    let text = registry.prometheus_text().unwrap();
    sample_lines(&text).into_iter().map(str::to_owned).collect()
}

#[test]
fn positions_grow_shrink_and_are_capped() {
    let registry = Registry::with_prefix("").unwrap();
    let gauges = DraftsGauges::register(&registry).unwrap();
    let dropped = |n: u64| {
        format!(r#"kvstats_values_dropped_total{{metric="draft_accepted",reason="over_max"}} {n}"#)
    };

    gauges.update_from(&Drafts {
        accepted: vec![5, 4],
    });
    assert_eq!(
        position_lines(&registry),
        [
            r#"draft_accepted{position="0"} 5"#.to_owned(),
            r#"draft_accepted{position="1"} 4"#.to_owned(),
            // Nothing dropped yet: the counter has no series.
        ]
    );

    gauges.update_from(&Drafts {
        accepted: vec![9, 8, 7, 6, 5],
    });
    assert_eq!(
        position_lines(&registry),
        [
            r#"draft_accepted{position="0"} 9"#.to_owned(),
            r#"draft_accepted{position="1"} 8"#.to_owned(),
            r#"draft_accepted{position="2"} 7"#.to_owned(),
            dropped(2),
        ]
    );

    gauges.update_from(&Drafts { accepted: vec![1] });
    assert_eq!(
        position_lines(&registry),
        [r#"draft_accepted{position="0"} 1"#.to_owned(), dropped(2)]
    );

    gauges.update_from(&Drafts { accepted: vec![] });
    assert_eq!(position_lines(&registry), [dropped(2)]);
}

#[test]
fn the_position_label_is_reserved_for_structs_that_use_it() {
    let registry = Registry::new();
    let err = DraftsGauges::register_with_labels(&registry, &[("position", "x")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "label `position` is reserved: field `Drafts.accepted` uses it for its per-series \
         label; choose another label name"
    );
    let err = DraftsGauges::register_with_labels(&registry, &[("metric", "x")]).unwrap_err();
    assert!(
        err.to_string().starts_with("label `metric` is reserved"),
        "{err}"
    );
    // Structs without positions may use either name.
    let _kv = KvStatsGauges::register_with_labels(&registry, &[("position", "x")]).unwrap();
}

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "draft", module = "per_component")]
struct PerComponent {
    /// One value per component, which a registry with label prefix `llm` also sets
    #[prom(label = "llm_component")]
    per_component: Vec<u32>,
}

#[test]
fn a_per_series_label_equal_to_an_automatic_label_is_refused() {
    // The derive refuses the default automatic labels at compile time (see
    // tests/ui); a registry with other automatic labels refuses at run time.
    let registry = Registry::with_prefixes("", "llm").unwrap();
    let component = registry
        .namespace("prod")
        .and_then(|n| n.component("worker"))
        .unwrap();
    let err = PerComponentGauges::register(&component).unwrap_err();
    assert!(matches!(err, Error::FieldLabel { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "field `PerComponent.per_component` exports one series per `llm_component`, a label \
         the registry sets on every series (namespace / component / endpoint), so each series \
         would carry it twice; give the field another `label`"
    );
    assert_eq!(registry.prometheus_text().unwrap(), "");
}

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "draft", module = "renamed")]
struct Renamed {
    /// Accepted tokens per draft position
    #[prom(
        name = "accepted",
        label = "position",
        max = 2,
        deprecated_name = "acc"
    )]
    accepted: Vec<u32>,
}

#[test]
fn a_renamed_per_position_field_counts_each_dropped_value_once() {
    let registry = Registry::with_prefix("").unwrap();
    let gauges = RenamedGauges::register(&registry).unwrap();
    gauges.update_from(&Renamed {
        accepted: vec![1, 2, 3, 4, 5],
    });
    let text = registry.prometheus_text().unwrap();
    assert_eq!(
        lines_of(&text, "kvstats_values_dropped_total"),
        [r#"kvstats_values_dropped_total{metric="draft_accepted",reason="over_max"} 3"#]
    );
    // Both names still export the positions.
    assert_eq!(lines_of(&text, "draft_acc").len(), 2);
    assert_eq!(lines_of(&text, "draft_accepted").len(), 2);
}
