//! What the catalog tests share: a reader of the generated dashboard, and
//! readers of a scrape and of PromQL selectors to check names against.

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

pub mod promql;
pub mod scrape;

use kvstats_core::catalog::{Catalog, Format};

/// The Grafana rendering of `catalog`, parsed.
pub fn dashboard(catalog: &Catalog) -> serde_json::Value {
    serde_json::from_str(&catalog.render(Format::Grafana)).expect("the dashboard is valid JSON")
}

/// One metric panel of a dashboard.
#[derive(Debug, PartialEq)]
pub struct Panel<'a> {
    pub title: &'a str,
    pub expr: &'a str,
    pub unit: &'a str,
}

/// The title of the fleet panels' row; each of its panels' titles starts
/// with it and `: `.
pub const FLEET_ROW: &str = "Fleet";

/// Whether `panel` is one of the per-metric panels (not a row, not a panel
/// of the fleet row, which shows recorded series).
pub fn is_metric_panel(panel: &serde_json::Value) -> bool {
    panel["type"] == "timeseries" && !is_fleet_panel(panel)
}

/// Whether `panel` is a panel of the fleet row.
pub fn is_fleet_panel(panel: &serde_json::Value) -> bool {
    panel["type"] == "timeseries" && text(&panel["title"]).starts_with(&format!("{FLEET_ROW}: "))
}

/// The metric panels (not the rows, not the fleet row) of `dashboard`, in
/// order, with the query of their first target.
pub fn metric_panels(dashboard: &serde_json::Value) -> Vec<Panel<'_>> {
    dashboard["panels"]
        .as_array()
        .expect("a panels array")
        .iter()
        .filter(|p| is_metric_panel(p))
        .map(|p| Panel {
            title: text(&p["title"]),
            expr: text(&p["targets"][0]["expr"]),
            unit: text(&p["fieldConfig"]["defaults"]["unit"]),
        })
        .collect()
}

/// Every query of `dashboard` on scraped series: each target's of the
/// metric panels, then each variable's, without the data-source variable
/// (whose `query` is a plugin type).
pub fn queries(dashboard: &serde_json::Value) -> Vec<&str> {
    let targets = dashboard["panels"]
        .as_array()
        .expect("a panels array")
        .iter()
        .filter(|p| is_metric_panel(p))
        .filter_map(|p| p["targets"].as_array())
        .flatten()
        .map(|t| text(&t["expr"]));
    let variables = dashboard["templating"]["list"]
        .as_array()
        .expect("a variables list")
        .iter()
        .filter(|v| v["type"] == "query")
        .map(|v| text(&v["query"]));
    targets.chain(variables).collect()
}

/// The queries of the fleet row's panels, which read recorded series.
pub fn fleet_queries(dashboard: &serde_json::Value) -> Vec<&str> {
    dashboard["panels"]
        .as_array()
        .expect("a panels array")
        .iter()
        .filter(|p| is_fleet_panel(p))
        .filter_map(|p| p["targets"].as_array())
        .flatten()
        .map(|t| text(&t["expr"]))
        .collect()
}

/// Checks that every selector of `query` names a family of `scrape` that
/// has some series for each `=` matcher, the label of each `=~` matcher
/// (`job` and `instance` are added by Prometheus) and each label of a
/// `by (...)` grouping.
pub fn check_query(scrape: &std::collections::BTreeMap<String, scrape::Family>, query: &str) {
    let selectors = promql::selectors(query);
    assert!(!selectors.is_empty(), "no selector in `{query}`");
    let scraper_labels = ["job", "instance"];
    for (name, matchers) in selectors {
        let Some(family) = scrape.get(&name) else {
            assert!(
                appears_with_a_drop(&name),
                "`{query}` names `{name}`, which is not scraped"
            );
            continue;
        };
        assert!(!family.series.is_empty(), "`{name}` has no series");
        let labels = scrape::label_names(family);
        for m in matchers {
            match m.op.as_str() {
                "=" => assert!(
                    family
                        .series
                        .iter()
                        .any(|s| s.get(&m.label) == Some(&m.value)),
                    "no series of `{name}` has {}=\"{}\" (in `{query}`)",
                    m.label,
                    m.value
                ),
                "=~" => assert!(
                    scraper_labels.contains(&m.label.as_str()) || labels.contains(m.label.as_str()),
                    "`{query}` matches label `{}`, which `{name}` does not have",
                    m.label
                ),
                op => panic!("unexpected operator {op} in `{query}`"),
            }
        }
        for label in promql::groupings(query).into_iter().flatten() {
            assert!(
                scraper_labels.contains(&label.as_str())
                    || family.series.iter().all(|s| s.contains_key(&label)),
                "`{query}` groups by `{label}`, which some series of `{name}` lack"
            );
        }
    }
}

fn text(value: &serde_json::Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// Whether `name` is the library's dropped-values counter, which has a
/// series only once a value was dropped, so a healthy scrape lacks it.
pub fn appears_with_a_drop(name: &str) -> bool {
    name.ends_with(kvstats_core::own::DROPPED_VALUES.name)
}
