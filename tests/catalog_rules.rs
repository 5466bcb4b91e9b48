//! The fleet view as Prometheus rules: what the rule file says for each
//! aggregation, that promtool accepts it, that the generated promtool tests
//! pass (and fail when an expectation is wrong), and that every rule reads
//! series the worker really exports.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kvstats_core::catalog::{Catalog, Format};
use kvstats_core::PromGauges;

/// A small struct with one of each aggregation, ratio and alert.
#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "cache")]
#[prom(alert(absent, for = "1m", severity = "critical"))]
struct CacheStats {
    /// Blocks in use
    used_blocks: u64,
    /// Blocks in all
    all_blocks: u64,
    /// Fraction of the blocks in use
    #[prom(
        unit = "ratio",
        ratio_of(numerator = "used_blocks", denominator = "all_blocks"),
        alert(
            above = 0.9,
            for = "2m",
            name = "CacheFull",
            summary = "{{ $labels.instance }} is full"
        )
    )]
    usage: f64,
    /// Hit rate of the prefix cache
    #[prom(aggregate = "avg, min")]
    hit_rate: f64,
    /// Evictions since the process started
    #[prom(counter, aggregate = "sum, max")]
    evictions: u64,
    /// Lookup latency of this step's lookups
    #[prom(histogram(buckets = [0.001, 0.01]), unit = "seconds")]
    lookup: Vec<f64>,
    /// Blocks in use per tier
    #[prom(label = "tier", max = 4)]
    tier_blocks: Vec<u64>,
    /// Block size, a setting
    #[prom(aggregate = "none")]
    block_size: u32,
}

fn catalog() -> Catalog {
    let (_, component) = harness::fixtures::backend();
    Catalog::new(&component)
        .with_title("cache")
        .instance_label("dp_rank")
        .unwrap()
        .add::<CacheStats>()
}

/// The `record:`/`alert:` lines of a rule file, each with its `expr:`.
fn rules(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|w| w[0].starts_with("- record: ") || w[0].starts_with("- alert: "))
        .map(|w| {
            let name = w[0]
                .split_once(": ")
                .map_or("", |(_, v)| v)
                .trim_matches('"');
            let expr = w[1].strip_prefix("expr: ").unwrap_or_default();
            (name.to_owned(), unquote(expr))
        })
        .collect()
}

fn unquote(quoted: &str) -> String {
    quoted
        .trim_matches('"')
        .replace("\\\"", "\"")
        .replace("\\\\", "\\")
}

#[test]
fn each_aggregation_is_recorded_at_both_levels() {
    let text = catalog().render(Format::Rules);
    let by = "dynamo_namespace, dynamo_component";
    let raw = |name: &str| format!("dynamo_component_cache_{name}");
    let rec = |name: &str| format!("dynamo_component:cache_{name}");
    let expected: Vec<(String, String)> = [
        (rec("used_blocks:sum"), format!("sum by ({by}) ({})", raw("used_blocks"))),
        (rec("all_blocks:sum"), format!("sum by ({by}) ({})", raw("all_blocks"))),
        (rec("usage_ratio:max"), format!("max by ({by}) ({})", raw("usage_ratio"))),
        (
            rec("usage_ratio:ratio"),
            format!("sum by ({by}) ({}) / sum by ({by}) ({})", raw("used_blocks"), raw("all_blocks")),
        ),
        (rec("hit_rate:avg"), format!("avg by ({by}) ({})", raw("hit_rate"))),
        (rec("hit_rate:count"), format!("count by ({by}) ({})", raw("hit_rate"))),
        (rec("hit_rate:min"), format!("min by ({by}) ({})", raw("hit_rate"))),
        (
            rec("evictions:rate5m"),
            format!("sum by ({by}) (rate({}[5m]))", raw("evictions_total")),
        ),
        (
            rec("evictions:max_rate5m"),
            format!("max by ({by}) (rate({}[5m]))", raw("evictions_total")),
        ),
        (
            rec("lookup_seconds_bucket:rate5m"),
            format!("sum by ({by}, le) (rate({}[5m]))", raw("lookup_seconds_bucket")),
        ),
        (
            rec("lookup_seconds:histogram_quantile"),
            format!("histogram_quantile(0.5, {})", rec("lookup_seconds_bucket:rate5m")),
        ),
        (
            rec("lookup_seconds:histogram_quantile"),
            format!("histogram_quantile(0.9, {})", rec("lookup_seconds_bucket:rate5m")),
        ),
        (
            rec("lookup_seconds:histogram_quantile"),
            format!("histogram_quantile(0.99, {})", rec("lookup_seconds_bucket:rate5m")),
        ),
        (
            rec("tier_blocks:sum"),
            format!("sum by ({by}, tier) ({})", raw("tier_blocks")),
        ),
        (
            "dynamo_component:kvstats_values_dropped:rate5m".to_owned(),
            format!(
                "sum by ({by}, metric, reason) (rate(dynamo_component_kvstats_values_dropped_total[5m]))"
            ),
        ),
    ]
    .into();
    let all = rules(&text);
    let registry: Vec<_> = all
        .iter()
        .filter(|(name, _)| name.starts_with("dynamo_component:"))
        .cloned()
        .collect();
    assert_eq!(registry, expected);

    let fleet: Vec<_> = all
        .iter()
        .filter(|(name, _)| name.starts_with("fleet:"))
        .map(|(name, expr)| (name.as_str(), expr.as_str()))
        .collect();
    assert_eq!(
        fleet.len(),
        expected.len(),
        "a fleet record per registry record"
    );
    let fleet_expr = |name: &str| {
        fleet
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| e.to_string())
            .unwrap_or_else(|| panic!("no {name} in\n{text}"))
    };
    assert_eq!(
        fleet_expr("fleet:cache_used_blocks:sum"),
        format!("sum by ({by}) ({})", rec("used_blocks:sum"))
    );
    // The fleet's ratio divides sums, its mean weights each server's mean.
    assert_eq!(
        fleet_expr("fleet:cache_usage_ratio:ratio"),
        format!(
            "sum by ({by}) ({}) / sum by ({by}) ({})",
            rec("used_blocks:sum"),
            rec("all_blocks:sum")
        )
    );
    assert_eq!(
        fleet_expr("fleet:cache_hit_rate:avg"),
        format!(
            "sum by ({by}) ({avg} * {count}) / sum by ({by}) ({count})",
            avg = rec("hit_rate:avg"),
            count = rec("hit_rate:count")
        )
    );
    assert_eq!(
        fleet_expr("fleet:cache_evictions:max_rate5m"),
        format!("max by ({by}) ({})", rec("evictions:max_rate5m"))
    );
    assert_eq!(
        fleet_expr("fleet:cache_lookup_seconds_bucket:rate5m"),
        format!(
            "sum by ({by}, le) ({})",
            rec("lookup_seconds_bucket:rate5m")
        )
    );

    let alerts: Vec<_> = all
        .iter()
        .filter(|(name, _)| !name.contains(':'))
        .cloned()
        .collect();
    let group = "group by (job, instance, dynamo_namespace, dynamo_component)";
    assert_eq!(
        alerts,
        [
            (
                "CacheStatsAbsent".to_owned(),
                format!(
                    "{group} (present_over_time({used}[1h])) unless {group} ({used})",
                    used = raw("used_blocks")
                )
            ),
            (
                "CacheFull".to_owned(),
                format!("{} > 0.9", raw("usage_ratio"))
            ),
        ]
    );
    for line in [
        "  - name: \"cache:dynamo_component\"",
        "  - name: \"cache:fleet\"",
        "  - name: \"cache:alerts\"",
        "        for: \"2m\"",
        "          severity: \"warning\"",
        "          summary: \"{{ $labels.instance }} is full\"",
        "          description: \"Fraction of the blocks in use\"",
        "          quantile: \"0.99\"",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in\n{text}"
        );
    }
}

/// A directory with the rule file and its tests, as the repository keeps them.
fn rendered(catalog: &Catalog, name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let slug = catalog.title().to_lowercase();
    std::fs::write(
        dir.path().join(format!("{slug}.rules.yml")),
        catalog.render(Format::Rules),
    )
    .unwrap();
    let tests = dir.path().join(name);
    std::fs::write(&tests, catalog.render(Format::RulesTest)).unwrap();
    (dir, tests)
}

#[test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
fn promtool_checks_the_rules_and_passes_their_generated_tests() {
    if !harness::prometheus::required() {
        return;
    }
    for catalog in [catalog(), simulation::catalog::worker().unwrap()] {
        let (dir, tests) = rendered(&catalog, "rules.test.yml");
        let rules = dir
            .path()
            .join(format!("{}.rules.yml", catalog.title().to_lowercase()));
        let checked = harness::prometheus::check_rules(&rules).unwrap();
        assert!(checked.passed, "{}", checked.said);
        let tested = harness::prometheus::test_rules(&tests).unwrap();
        assert!(tested.passed, "{}", tested.said);
    }
}

#[test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
fn a_wrong_expectation_in_the_generated_tests_fails() {
    if !harness::prometheus::required() {
        return;
    }
    let catalog = catalog();
    let (_dir, tests) = rendered(&catalog, "rules.test.yml");
    let good = std::fs::read_to_string(&tests).unwrap();
    // One recorded value off by one, then one alert that does not fire.
    let wrong_value = replace_first(&good, "dynamo_component:cache_used_blocks:sum", |block| {
        let (head, value) = block.rsplit_once("value: ").unwrap();
        let value: f64 = value.trim().parse().unwrap();
        format!("{head}value: {}\n", value + 1.0)
    });
    let wrong_alert = good.replace(
        "alertname=\\\"CacheFull\\\",alertstate=\\\"firing\\\",severity=\\\"warning\\\"",
        "alertname=\\\"CacheFull\\\",alertstate=\\\"firing\\\",severity=\\\"critical\\\"",
    );
    assert_ne!(wrong_alert, good, "the alert's expectation was not found");
    for (what, text, shown) in [
        (
            "a value",
            wrong_value,
            "dynamo_component:cache_used_blocks:sum",
        ),
        ("an alert", wrong_alert, "CacheFull"),
    ] {
        std::fs::write(&tests, text).unwrap();
        let verdict = harness::prometheus::test_rules(&tests).unwrap();
        assert!(
            !verdict.passed,
            "promtool passed with {what} wrong:\n{}",
            verdict.said
        );
        assert!(verdict.said.contains(shown), "{}", verdict.said);
    }
}

/// `text` with the expectation block that follows the first `expr` naming
/// `record` changed by `change` (the block runs to its first `value:` line).
fn replace_first(text: &str, record: &str, change: impl Fn(&str) -> String) -> String {
    let expr = format!("      - expr: \"{record}\"\n");
    let start = text.find(&expr).expect("the record has a test") + expr.len();
    let value_at = start + text[start..].find("value: ").unwrap();
    let end = value_at + text[value_at..].find('\n').unwrap() + 1;
    format!(
        "{}{}{}",
        &text[..start],
        change(&text[start..end]),
        &text[end..]
    )
}

#[test]
fn every_rule_reads_series_the_worker_exports_or_rules_record() {
    let catalog = simulation::catalog::worker().unwrap();
    let text = catalog.render(Format::Rules);
    let all = rules(&text);
    let recorded: BTreeSet<&str> = all.iter().map(|(name, _)| name.as_str()).collect();
    let exported: BTreeSet<String> = catalog
        .entries()
        .iter()
        .flat_map(|e| e.series.iter().map(|s| s.name.clone()))
        .collect();
    let scraped = harness::worker_process::settled_scrape(2, 10);
    let scraped: BTreeSet<&str> = scraped
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(['{', ' ']).next())
        .collect();
    for (name, expr) in &all {
        for word in names_in(expr) {
            if word.contains(':') {
                assert!(
                    recorded.contains(word),
                    "{name} reads {word}, which no rule records"
                );
            } else {
                assert!(
                    exported.contains(word),
                    "{name} reads {word}, which is not in the catalog"
                );
                // The dropped-values counter has series once a value is dropped.
                assert!(
                    scraped.contains(word) || word.contains("values_dropped"),
                    "{name} reads {word}, which the worker does not export"
                );
            }
        }
    }
}

/// The metric and recorded names in a PromQL expression.
fn names_in(expr: &str) -> Vec<&str> {
    expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| w.starts_with("dynamo_component_") || w.contains(':'))
        .collect()
}

#[test]
fn the_checked_in_rules_are_beside_their_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("prometheus");
    let tests = std::fs::read_to_string(root.join("kvstats.rules.test.yml")).unwrap();
    assert!(
        tests.contains("rule_files:\n  - \"kvstats.rules.yml\"\n"),
        "{tests}"
    );
    assert!(root.join("kvstats.rules.yml").exists());
}

/// A panel of the fleet row: title, unit, and each target's query and legend.
type FleetPanel = (String, String, Vec<(String, String)>);

#[test]
fn the_fleet_row_shows_each_recorded_aggregation_and_the_markdown_says_them() {
    let catalog = catalog();
    let dashboard: serde_json::Value =
        serde_json::from_str(&catalog.render(Format::Grafana)).unwrap();
    let panels: Vec<FleetPanel> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["title"].as_str().unwrap().starts_with("Fleet: "))
        .map(|p| {
            let text = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
            let targets = p["targets"].as_array().unwrap().iter();
            (
                text(&p["title"]),
                text(&p["fieldConfig"]["defaults"]["unit"]),
                targets
                    .map(|t| (text(&t["expr"]), text(&t["legendFormat"])))
                    .collect(),
            )
        })
        .collect();
    let pinned = r#"dynamo_namespace="dynamo",dynamo_component="backend""#;
    let q = |name: &str, legend: &str| (format!("fleet:{name}{{{pinned}}}"), legend.to_owned());
    let quantile = |p: &str, legend: &str| {
        (
            format!("fleet:cache_lookup_seconds:histogram_quantile{{{pinned},quantile=\"{p}\"}}"),
            legend.to_owned(),
        )
    };
    let panel = |title: &str, unit: &str, targets: Vec<(String, String)>| {
        (format!("Fleet: {title}"), unit.to_owned(), targets)
    };
    assert_eq!(
        panels,
        [
            panel(
                "cache_used_blocks",
                "short",
                vec![q("cache_used_blocks:sum", "sum")]
            ),
            panel(
                "cache_all_blocks",
                "short",
                vec![q("cache_all_blocks:sum", "sum")]
            ),
            panel(
                "cache_usage_ratio",
                "percentunit",
                vec![
                    q("cache_usage_ratio:max", "max"),
                    q(
                        "cache_usage_ratio:ratio",
                        "sum(cache_used_blocks) / sum(cache_all_blocks)"
                    ),
                ]
            ),
            panel(
                "cache_hit_rate",
                "short",
                vec![
                    q("cache_hit_rate:avg", "avg"),
                    q("cache_hit_rate:min", "min")
                ]
            ),
            panel(
                "cache_evictions_total",
                "cps",
                vec![
                    q("cache_evictions:rate5m", "sum"),
                    q("cache_evictions:max_rate5m", "max")
                ]
            ),
            panel(
                "cache_lookup_seconds",
                "s",
                vec![
                    quantile("0.5", "p50"),
                    quantile("0.9", "p90"),
                    quantile("0.99", "p99")
                ]
            ),
            panel(
                "cache_tier_blocks",
                "short",
                vec![q("cache_tier_blocks:sum", "sum tier={{tier}}")]
            ),
            panel(
                "kvstats_values_dropped_total",
                "cps",
                vec![q(
                    "kvstats_values_dropped:rate5m",
                    "sum metric={{metric}} reason={{reason}}"
                )]
            ),
        ]
    );
    let recorded: BTreeSet<String> = rules(&catalog.render(Format::Rules))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    for (_, _, targets) in &panels {
        for (expr, _) in targets {
            let name = expr.split('{').next().unwrap();
            assert!(recorded.contains(name), "{name} is not recorded");
        }
    }

    let markdown = catalog.render(Format::Markdown);
    for line in [
        "| `dynamo_component_cache_usage_ratio` | gauge | ratio | `dynamo_namespace`, `dynamo_component`, `dp_rank` | `sum(cache_used_blocks) / sum(cache_all_blocks)`, `max` | Fraction of the blocks in use | `CacheStats.usage` |",
        "| `dynamo_component_cache_evictions_total` | counter |  | `dynamo_namespace`, `dynamo_component`, `dp_rank` | `sum`, `max` of rates | Evictions since the process started | `CacheStats.evictions` |",
        "| `dynamo_component_cache_block_size` | gauge |  | `dynamo_namespace`, `dynamo_component`, `dp_rank` | none | Block size, a setting | `CacheStats.block_size` |",
        "| `CacheStatsAbsent` | an instance's `dynamo_component_cache_used_blocks` stopped | 1m | critical | CacheStats stopped: no series from {{ $labels.instance }} | `CacheStats.used_blocks` |",
        "| `CacheFull` | `dynamo_component_cache_usage_ratio` above 0.9 | 2m | warning | {{ $labels.instance }} is full | `CacheStats.usage` |",
    ] {
        assert!(markdown.lines().any(|l| l == line), "no line {line:?} in\n{markdown}");
    }
}
