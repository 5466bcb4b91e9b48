//! What the catalog tests share: a reader of the generated dashboard.

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

/// The metric panels (not the rows) of `dashboard`, in order.
pub fn metric_panels(dashboard: &serde_json::Value) -> Vec<Panel<'_>> {
    dashboard["panels"]
        .as_array()
        .expect("a panels array")
        .iter()
        .filter(|p| p["type"] == "timeseries")
        .map(|p| Panel {
            title: text(&p["title"]),
            expr: text(&p["targets"][0]["expr"]),
            unit: text(&p["fieldConfig"]["defaults"]["unit"]),
        })
        .collect()
}

fn text(value: &serde_json::Value) -> &str {
    value.as_str().unwrap_or_default()
}
