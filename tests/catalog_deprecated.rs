//! Safe renames end to end: a field with `deprecated_name` is exported under
//! its old names too, with the same value and a DEPRECATED help, and every
//! catalog output marks the old names. (That the old Rust constant warns is
//! checked by the `compile_fail` example in the `catalog` module docs.)

use kvstats_core::catalog::{Catalog, Format};
use kvstats_core::{constants_module, PromGauges};

mod catalog_support;
use catalog_support::{dashboard, metric_panels, Panel};
use harness::fixtures::backend as dynamo_backend;

/// A struct mid-migration: `usage` was exported as `cache_usage_percent` and
/// `cache_usage_perc` before it was renamed to `cache_usage_ratio`.
#[derive(Debug, Clone, Default, PromGauges)]
#[prom(prefix = "cache")]
pub struct CacheStats {
    /// Fraction of the cache in use
    #[prom(
        name = "usage",
        unit = "ratio",
        deprecated_name = "usage_percent",
        deprecated_name = "usage_perc"
    )]
    pub usage: f64,
    /// Bytes held by the cache
    #[prom(name = "held", unit = "bytes")]
    pub held_bytes: u64,
    /// Duration of the last eviction pass
    #[prom(name = "eviction_pass", unit = "seconds")]
    pub eviction_pass: f64,
}

const NEW: &str = "dynamo_component_cache_usage_ratio";
const OLD: [&str; 2] = [
    "dynamo_component_cache_usage_percent",
    "dynamo_component_cache_usage_perc",
];
const LABELS: &str = r#"{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"}"#;

fn catalog() -> Catalog {
    let (_, component) = dynamo_backend();
    Catalog::new(&component)
        .with_title("cache")
        .instance_label("dp_rank")
        .unwrap()
        .add::<CacheStats>()
        .constants(constants_module!(cache))
}

#[test]
fn the_scrape_shows_old_and_new_names_with_one_value_and_deprecated_help() {
    let (registry, component) = dynamo_backend();
    let gauges = CacheStatsGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
    gauges.update_from(&CacheStats {
        usage: 0.25,
        ..Default::default()
    });
    let text = registry.prometheus_text().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let expected = [
        format!("# HELP {NEW} Fraction of the cache in use"),
        format!("{NEW}{LABELS} 0.25"),
        format!(
            "# HELP {} DEPRECATED: use cache_usage_ratio. Fraction of the cache in use",
            OLD[0]
        ),
        format!("{}{LABELS} 0.25", OLD[0]),
        format!(
            "# HELP {} DEPRECATED: use cache_usage_ratio. Fraction of the cache in use",
            OLD[1]
        ),
        format!("{}{LABELS} 0.25", OLD[1]),
    ];
    for line in &expected {
        assert!(
            lines.contains(&line.as_str()),
            "missing `{line}` in\n{text}"
        );
    }
}

#[test]
fn the_catalog_lists_each_old_name_with_its_replacement() {
    let entries = catalog().entries();
    let names: Vec<(&str, Option<&str>)> = entries
        .iter()
        .map(|e| (e.name.as_str(), e.replaced_by.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            (NEW, None),
            (OLD[0], Some(NEW)),
            (OLD[1], Some(NEW)),
            ("dynamo_component_cache_held_bytes", None),
            ("dynamo_component_cache_eviction_pass_seconds", None),
            // The library's own, which every catalog lists last.
            ("dynamo_component_kvstats_values_dropped_total", None),
            ("dynamo_component_kvstats_scrapes_total", None),
        ]
    );
}

#[test]
fn markdown_and_json_mark_the_old_names() {
    let catalog = catalog();
    let markdown = catalog.render(Format::Markdown);
    for old in OLD {
        let row = format!("| `{old}` (**deprecated**: use `{NEW}`) | gauge | ratio |");
        assert!(markdown.contains(&row), "no row `{row}` in\n{markdown}");
    }
    let json: serde_json::Value = serde_json::from_str(&catalog.render(Format::Json)).unwrap();
    let replaced: Vec<(&str, &str)> = json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| Some((m["name"].as_str()?, m["replaced_by"].as_str()?)))
        .collect();
    assert_eq!(replaced, [(OLD[0], NEW), (OLD[1], NEW)]);
}

#[test]
fn the_dashboard_keeps_a_marked_panel_per_old_name_and_the_right_units() {
    let selector = r#"{dynamo_namespace="dynamo",dynamo_component="backend",job=~"$job",instance=~"$instance",dp_rank=~"$dp_rank"}"#;
    let deprecated = |old: &str| format!("DEPRECATED {old} (use {NEW})");
    let expected = [
        ("cache_usage_ratio".to_owned(), NEW, "percentunit"),
        (deprecated("cache_usage_percent"), OLD[0], "percentunit"),
        (deprecated("cache_usage_perc"), OLD[1], "percentunit"),
        (
            "cache_held_bytes".to_owned(),
            "dynamo_component_cache_held_bytes",
            "bytes",
        ),
        (
            "cache_eviction_pass_seconds".to_owned(),
            "dynamo_component_cache_eviction_pass_seconds",
            "s",
        ),
    ]
    .map(|(title, name, unit)| (title, format!("{name}{selector}"), unit));
    let own =
        format!("rate(dynamo_component_kvstats_values_dropped_total{selector}[$__rate_interval])");
    let mut expected: Vec<Panel<'_>> = expected
        .iter()
        .map(|(title, expr, unit)| Panel { title, expr, unit })
        .collect();
    // The library's own counters, which every dashboard shows last, as rates;
    // the scrape counter is registry-wide: no label of a level or a
    // registration to pin.
    let scrapes = "rate(dynamo_component_kvstats_scrapes_total{job=~\"$job\",\
                   instance=~\"$instance\"}[$__rate_interval])";
    expected.push(Panel {
        title: "kvstats_values_dropped_total",
        expr: &own,
        unit: "cps",
    });
    expected.push(Panel {
        title: "kvstats_scrapes_total",
        expr: scrapes,
        unit: "cps",
    });
    assert_eq!(metric_panels(&dashboard(&catalog())), expected);
}

#[test]
fn the_python_module_keeps_the_old_constants_and_lists_them_as_deprecated() {
    #[allow(deprecated)]
    let old = [cache::USAGE_PERCENT, cache::USAGE_PERC];
    assert_eq!(old, ["cache_usage_percent", "cache_usage_perc"]);
    assert_eq!(
        cache::ALL,
        [
            "cache_usage_ratio",
            "cache_held_bytes",
            "cache_eviction_pass_seconds"
        ]
    );
    let python = catalog().render(Format::Python);
    for line in [
        "    USAGE_RATIO = \"cache_usage_ratio\"\n",
        "    #: DEPRECATED: use cache_usage_ratio. Fraction of the cache in use\n",
        "    USAGE_PERCENT = \"cache_usage_percent\"\n",
        "    USAGE_PERC = \"cache_usage_perc\"\n",
        "DEPRECATED: dict[str, str] = {\n    \"cache_usage_percent\": \"cache_usage_ratio\",\n    \
         \"cache_usage_perc\": \"cache_usage_ratio\",\n}\n",
    ] {
        assert!(python.contains(line), "missing `{line}` in\n{python}");
    }
    let all = python
        .split("    ALL = (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("an ALL tuple");
    assert!(
        !all.contains("USAGE_PERC"),
        "ALL lists a deprecated name: {all}"
    );
}
