//! The catalog as a Grafana dashboard (JSON model, schema version 39, as
//! Grafana 10.4 and later write it): a row per struct, a time-series panel per
//! metric, and template variables for the data source, `job`, `instance` and
//! each per-registration label.
//!
//! Every query names the metric exactly as the catalog does and pins the
//! labels the registry level fixes, so a panel shows data exactly when the
//! scrape has the series. A gauge's panel shows the series as they are, a
//! counter's its per-second rate, a histogram's its 0.5, 0.9 and 0.99
//! quantiles per scraped instance and registration.

use super::fleet::{Level, Op, Plan, Record, Value};
use super::json_value::{obj, Json};
use super::{groups, Catalog, Entry, BUCKET_LABEL, GENERATED};
use crate::metric::MetricKind;

/// Grafana's JSON model version this layout follows.
const SCHEMA_VERSION: i64 = 39;
/// Panels per line of the grid, which is 24 units wide.
const PANEL_WIDTH: i64 = 12;
const PANEL_HEIGHT: i64 = 8;
/// The variables every dashboard has, before the per-registration labels.
const SCRAPE_VARIABLES: [(&str, &str); 2] = [("job", "Job"), ("instance", "Instance")];
/// The quantiles a histogram's panel shows, one target each.
const QUANTILES: [(&str, &str); 3] = [("0.5", "p50"), ("0.9", "p90"), ("0.99", "p99")];
/// The title of the row of fleet panels.
const FLEET_ROW: &str = "Fleet";
/// The window of `rate`: Grafana's, at least four scrape intervals.
const RATE_WINDOW: &str = "[$__rate_interval]";

pub(super) fn render(catalog: &Catalog) -> String {
    let entries = catalog.entries();
    obj([
        ("annotations", annotations()),
        ("description", Json::from(GENERATED)),
        ("editable", Json::from(true)),
        ("fiscalYearStartMonth", Json::from(0)),
        ("graphTooltip", Json::from(1)),
        ("id", Json::Null),
        ("links", Json::Arr(Vec::new())),
        ("panels", Json::Arr(panels(catalog, &entries))),
        ("refresh", Json::from("30s")),
        ("schemaVersion", Json::from(SCHEMA_VERSION)),
        ("tags", Json::from(vec!["kvstats", "generated"])),
        ("templating", obj([("list", variables(catalog, &entries))])),
        (
            "time",
            obj([("from", Json::from("now-1h")), ("to", Json::from("now"))]),
        ),
        ("timepicker", obj([])),
        ("timezone", Json::from("")),
        ("title", Json::from(catalog.title())),
        ("uid", Json::from(super::slug(catalog.title()))),
        ("version", Json::from(1)),
    ])
    .pretty()
}

fn annotations() -> Json {
    let builtin = obj([
        ("builtIn", Json::from(1)),
        (
            "datasource",
            obj([
                ("type", Json::from("grafana")),
                ("uid", Json::from("-- Grafana --")),
            ]),
        ),
        ("enable", Json::from(true)),
        ("hide", Json::from(true)),
        ("iconColor", Json::from("rgba(0, 211, 255, 1)")),
        ("name", Json::from("Annotations & Alerts")),
        ("type", Json::from("dashboard")),
    ]);
    obj([("list", Json::Arr(vec![builtin]))])
}

fn datasource() -> Json {
    obj([
        ("type", Json::from("prometheus")),
        ("uid", Json::from("${datasource}")),
    ])
}

/// A row per group, then its panels two to a line.
fn panels(catalog: &Catalog, entries: &[Entry]) -> Vec<Json> {
    let mut out = Vec::new();
    let mut id = 0;
    let mut y = 0;
    for group in groups(entries) {
        id += 1;
        out.push(row(id, y, group.name));
        y += 1;
        for line in group.entries.chunks(2) {
            for (column, entry) in (0..).zip(line) {
                id += 1;
                let pos = grid(column * PANEL_WIDTH, y, PANEL_WIDTH, PANEL_HEIGHT);
                out.push(panel(catalog, entry, id, pos));
            }
            y += PANEL_HEIGHT;
        }
    }
    out.extend(fleet_row(catalog, entries, &mut id, &mut y));
    out
}

fn grid(x: i64, y: i64, w: i64, h: i64) -> Json {
    obj([
        ("h", Json::from(h)),
        ("w", Json::from(w)),
        ("x", Json::from(x)),
        ("y", Json::from(y)),
    ])
}

fn panel(catalog: &Catalog, entry: &Entry, id: i64, pos: Json) -> Json {
    let (title, mut description) = match &entry.replaced_by {
        Some(new) => (
            format!("DEPRECATED {} (use {new})", entry.base_name),
            format!("DEPRECATED: replaced by `{new}`.\n\n"),
        ),
        None => (entry.base_name.to_owned(), String::new()),
    };
    description.push_str(entry.help);
    let shown = match entry.kind {
        MetricKind::Counter => ", shown as its rate per second".to_owned(),
        MetricKind::Histogram => {
            let quantiles: Vec<&str> = QUANTILES.iter().map(|(q, _)| *q).collect();
            format!(", shown as its quantiles {}", quantiles.join(", "))
        }
        _ => String::new(),
    };
    description.push_str(&format!(
        "\n\nMetric: `{}` ({}){shown}",
        entry.name,
        entry.kind.as_str()
    ));
    timeseries(
        &title,
        description,
        panel_unit(entry),
        queries(catalog, entry),
        id,
        pos,
    )
}

/// A time-series panel with one target per query and legend.
fn timeseries(
    title: &str,
    description: String,
    unit: &str,
    queries: Vec<(String, String)>,
    id: i64,
    pos: Json,
) -> Json {
    let targets = queries
        .into_iter()
        .zip('A'..)
        .map(|((expr, legend), ref_id)| {
            obj([
                ("datasource", datasource()),
                ("expr", Json::from(expr)),
                ("legendFormat", Json::from(legend)),
                ("range", Json::from(true)),
                ("refId", Json::from(ref_id.to_string())),
            ])
        })
        .collect();
    obj([
        ("datasource", datasource()),
        ("description", Json::from(description)),
        (
            "fieldConfig",
            obj([
                ("defaults", obj([("unit", Json::from(unit))])),
                ("overrides", Json::Arr(Vec::new())),
            ]),
        ),
        ("gridPos", pos),
        ("id", Json::from(id)),
        (
            "options",
            obj([
                (
                    "legend",
                    obj([
                        ("displayMode", Json::from("list")),
                        ("placement", Json::from("bottom")),
                        ("showLegend", Json::from(true)),
                    ]),
                ),
                (
                    "tooltip",
                    obj([("mode", Json::from("multi")), ("sort", Json::from("none"))]),
                ),
            ]),
        ),
        ("targets", Json::Arr(targets)),
        ("title", Json::from(title)),
        ("type", Json::from("timeseries")),
    ])
}

/// The fleet row: a panel per metric the recording rules aggregate, on the
/// `fleet:` series (over every Prometheus; on one, the same as the registry
/// level's), so it reads the same behind federation or a remote-write store.
fn fleet_row(catalog: &Catalog, entries: &[Entry], ids: &mut i64, y: &mut i64) -> Vec<Json> {
    let plan = Plan::new(catalog, entries);
    let shown: Vec<&Record> = plan
        .records
        .iter()
        .filter(|r| r.level == Level::Fleet)
        .filter(|r| {
            !matches!(
                r.value,
                Value::BucketRates { .. } | Value::Of { op: Op::Count, .. }
            )
        })
        .collect();
    if shown.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    *ids += 1;
    out.push(row(*ids, *y, FLEET_ROW));
    *y += 1;
    let mut metrics: Vec<usize> = Vec::new();
    for record in &shown {
        if !metrics.contains(&record.entry) {
            metrics.push(record.entry);
        }
    }
    for line in metrics.chunks(2) {
        for (column, &metric) in (0..).zip(line) {
            let entry = &entries[metric];
            let queries: Vec<(String, String)> = shown
                .iter()
                .filter(|r| r.entry == metric)
                .map(|r| fleet_query(catalog, entries, entry, r))
                .collect();
            let names: Vec<&str> = shown
                .iter()
                .filter(|r| r.entry == metric)
                .map(|r| r.name.as_str())
                .collect();
            let description = format!(
                "{}\n\nThe whole fleet, from the recording rules of the `rules` format: `{}`.",
                entry.help,
                names.join("`, `")
            );
            *ids += 1;
            let pos = grid(column * PANEL_WIDTH, *y, PANEL_WIDTH, PANEL_HEIGHT);
            let title = format!("{FLEET_ROW}: {}", entry.base_name);
            out.push(timeseries(
                &title,
                description,
                panel_unit(entry),
                queries,
                *ids,
                pos,
            ));
        }
        *y += PANEL_HEIGHT;
    }
    out
}

/// A fleet record's query, its registry level's labels pinned, and legend.
fn fleet_query(
    catalog: &Catalog,
    entries: &[Entry],
    entry: &Entry,
    record: &Record,
) -> (String, String) {
    let mut matchers = fixed_matchers(catalog);
    let series: String = entry
        .series_labels
        .iter()
        .map(|l| format!(" {l}={{{{{l}}}}}"))
        .collect();
    let what = match record.value {
        Value::Of { op, .. } => op.name().to_owned(),
        Value::Ratio {
            numerator,
            denominator,
            ..
        } => format!(
            "sum({}) / sum({})",
            entries[numerator].base_name, entries[denominator].base_name
        ),
        Value::Quantile { q, .. } => {
            matchers.push(format!("quantile=\"{q}\""));
            QUANTILES
                .iter()
                .find(|(v, _)| *v == q)
                .map_or(q, |(_, name)| name)
                .to_owned()
        }
        Value::BucketRates { .. } => String::new(),
    };
    let expr = format!("{}{{{}}}", record.name, matchers.join(","));
    (expr, format!("{what}{series}"))
}

/// `k="v"` for each label the registry level fixes.
fn fixed_matchers(catalog: &Catalog) -> Vec<String> {
    catalog
        .fixed_labels()
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", promql_escape(v)))
        .collect()
}

fn row(id: i64, y: i64, title: &str) -> Json {
    obj([
        ("collapsed", Json::from(false)),
        ("gridPos", grid(0, y, 24, 1)),
        ("id", Json::from(id)),
        ("panels", Json::Arr(Vec::new())),
        ("title", Json::from(title)),
        ("type", Json::from("row")),
    ])
}

/// The queries of a panel and their legends: the series itself for a gauge;
/// its rate per second for a counter, which reads the same whatever the
/// scrape interval and the time range (an `increase` per interval would not);
/// for a histogram, each of [`QUANTILES`] per scraped instance and
/// registration, from the rate of its `_bucket` series.
fn queries(catalog: &Catalog, entry: &Entry) -> Vec<(String, String)> {
    // A registry-wide metric's series carry no label of a level or a
    // registration: only the scrape's are matched.
    let variables: Vec<&str> = if entry.registry_wide {
        SCRAPE_VARIABLES.iter().map(|(name, _)| *name).collect()
    } else {
        variable_names(catalog).collect()
    };
    let fixed = !entry.registry_wide;
    let select = |name: &str| selector(catalog, name, &variables, fixed);
    let legend = legend(catalog, entry);
    match entry.kind {
        MetricKind::Histogram => {
            let buckets = select(&format!("{}_bucket", entry.name));
            let by: Vec<&str> = [BUCKET_LABEL, "instance"]
                .into_iter()
                .chain(catalog.instance_labels().iter().map(String::as_str))
                .collect();
            QUANTILES
                .iter()
                .map(|(q, name)| {
                    let expr = format!(
                        "histogram_quantile({q}, sum by ({}) (rate({buckets}{RATE_WINDOW})))",
                        by.join(", ")
                    );
                    (expr, format!("{name} {legend}"))
                })
                .collect()
        }
        MetricKind::Counter => vec![(
            format!("rate({}{RATE_WINDOW})", select(&entry.name)),
            legend,
        )],
        _ => vec![(select(&entry.name), legend)],
    }
}

/// `name{fixed="v",...,var=~"$var",...}`: the registry level's labels pinned,
/// each variable matched as a regex so its "All" value (`.*`) also matches
/// series without the label.
fn selector(catalog: &Catalog, name: &str, variables: &[&str], fixed: bool) -> String {
    let fixed = if fixed {
        fixed_matchers(catalog)
    } else {
        Vec::new()
    };
    let variable = variables.iter().map(|k| format!("{k}=~\"${k}\""));
    let matchers: Vec<String> = fixed.into_iter().chain(variable).collect();
    format!("{name}{{{}}}", matchers.join(","))
}

fn legend(catalog: &Catalog, entry: &Entry) -> String {
    let mut out = String::from("{{instance}}");
    let instance: &[String] = if entry.registry_wide {
        &[]
    } else {
        catalog.instance_labels()
    };
    let labels = instance
        .iter()
        .map(String::as_str)
        .chain(entry.series_labels.iter().copied());
    for label in labels {
        out.push_str(&format!(" {label}={{{{{label}}}}}"));
    }
    out
}

fn variable_names(catalog: &Catalog) -> impl Iterator<Item = &str> {
    SCRAPE_VARIABLES
        .iter()
        .map(|(name, _)| *name)
        .chain(catalog.instance_labels().iter().map(String::as_str))
}

/// The data source, then `job`, `instance` and each per-registration label,
/// each narrowed by the ones before it. Their values come from the first
/// current metric of the catalog that has one series per registration (a
/// gauge or counter without per-series labels, or a histogram's `_count`),
/// which a scrape shows as soon as a container is registered.
fn variables(catalog: &Catalog, entries: &[Entry]) -> Json {
    let mut list = vec![obj([
        ("current", obj([])),
        ("hide", Json::from(0)),
        ("includeAll", Json::from(false)),
        ("label", Json::from("Data source")),
        ("multi", Json::from(false)),
        ("name", Json::from("datasource")),
        ("options", Json::Arr(Vec::new())),
        ("query", Json::from("prometheus")),
        ("refresh", Json::from(1)),
        ("regex", Json::from("")),
        ("skipUrlSync", Json::from(false)),
        ("type", Json::from("datasource")),
    ])];
    let source = entries
        .iter()
        .find(|e| e.replaced_by.is_none() && e.series_labels.is_empty())
        .map_or_else(|| "up".to_owned(), Entry::count_series);
    let names: Vec<&str> = variable_names(catalog).collect();
    for (i, name) in names.iter().enumerate() {
        let label = SCRAPE_VARIABLES
            .iter()
            .find(|(n, _)| n == name)
            .map_or(*name, |(_, label)| *label);
        let query = format!(
            "label_values({}, {name})",
            selector(catalog, &source, &names[..i], true)
        );
        list.push(query_variable(
            name,
            label,
            &query,
            i >= SCRAPE_VARIABLES.len(),
        ));
    }
    Json::Arr(list)
}

fn query_variable(name: &str, label: &str, query: &str, numeric: bool) -> Json {
    // Grafana's sort codes: 1 alphabetical, 3 numerical (ascending).
    let sort = if numeric { 3 } else { 1 };
    obj([
        ("allValue", Json::from(".*")),
        ("current", obj([])),
        ("datasource", datasource()),
        ("definition", Json::from(query)),
        ("hide", Json::from(0)),
        ("includeAll", Json::from(true)),
        ("label", Json::from(label)),
        ("multi", Json::from(true)),
        ("name", Json::from(name)),
        ("options", Json::Arr(Vec::new())),
        // A plain string: every Grafana version parses `label_values(..)`
        // into its own variable editor's form when it loads the dashboard.
        ("query", Json::from(query)),
        ("refresh", Json::from(2)),
        ("regex", Json::from("")),
        ("skipUrlSync", Json::from(false)),
        ("sort", Json::from(sort)),
        ("type", Json::from("query")),
    ])
}

/// The unit of a panel: the metric's for a gauge or a histogram's
/// quantiles, the unit per second for a counter's rate.
fn panel_unit(entry: &Entry) -> &'static str {
    match entry.kind {
        MetricKind::Counter => rate_unit(entry.unit),
        _ => unit(entry.unit),
    }
}

/// Grafana's unit for the rate per second of a counter with a unit suffix:
/// bytes per second, else counts per second (a counter of seconds per
/// second is a plain number).
fn rate_unit(suffix: Option<&str>) -> &'static str {
    match suffix {
        Some("bytes") => "Bps",
        Some("seconds") => "short",
        _ => "cps",
    }
}

/// Grafana's unit for a unit suffix. `percent` means a fraction in 0..1 in
/// this crate (the reference names use it that way; see the crate docs), so
/// it is shown as a percentage of 1 like `ratio`.
fn unit(suffix: Option<&str>) -> &'static str {
    match suffix {
        Some("ratio" | "percent") => "percentunit",
        Some("bytes") => "bytes",
        Some("seconds") => "s",
        _ => "short",
    }
}

/// A PromQL double-quoted string body.
fn promql_escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_map_to_grafana_formats() {
        assert_eq!(unit(Some("ratio")), "percentunit");
        assert_eq!(unit(Some("percent")), "percentunit");
        assert_eq!(unit(Some("bytes")), "bytes");
        assert_eq!(unit(Some("seconds")), "s");
        assert_eq!(unit(Some("blocks")), "short");
        assert_eq!(unit(None), "short");
        assert_eq!(rate_unit(None), "cps");
        assert_eq!(rate_unit(Some("bytes")), "Bps");
        assert_eq!(rate_unit(Some("seconds")), "short");
    }

    #[test]
    fn uids_are_short_lowercase_slugs() {
        assert_eq!(crate::catalog::slug("kvstats"), "kvstats");
        assert_eq!(
            crate::catalog::slug("LLM worker: KV cache"),
            "llm-worker-kv-cache"
        );
        assert_eq!(crate::catalog::slug("!!!"), "kvstats");
        assert_eq!(crate::catalog::slug(&"a".repeat(50)).len(), 40);
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(promql_escape(r#"a"b\c"#), r#"a\"b\\c"#);
    }
}
