//! A catalog of a struct with every kind of metric: every name each format
//! writes, and every query of the dashboard, selects series that a scrape of
//! that struct really has, with the labels the query asks for.

use std::collections::{BTreeMap, BTreeSet};

use harness::fixtures::{engine, step, StepStats, StepStatsGauges};
use kvstats_core::catalog::{Catalog, Format};
use kvstats_core::{constants_module, PromGauges};
use serde_json::json;

mod catalog_support;
use catalog_support::scrape::{self, Family};
use catalog_support::{appears_with_a_drop, check_query, dashboard, is_metric_panel, queries};

/// The catalog of [`StepStats`] as two data-parallel ranks of a backend
/// register it.
fn catalog() -> Catalog {
    let (_, component) = harness::fixtures::backend();
    Catalog::new(&component)
        .with_title("engine")
        .instance_label("dp_rank")
        .unwrap()
        .add::<StepStats>()
        .constants(constants_module!(engine))
}

/// The text of a scrape after two steps of ranks 0 and 1.
fn scrape_text() -> String {
    let (registry, component) = harness::fixtures::backend();
    for rank in ["0", "1"] {
        let gauges =
            StepStatsGauges::register_with_labels(&component, &[("dp_rank", rank)]).unwrap();
        gauges.keep_registered();
        gauges.update_from(&step(1));
        gauges.update_from(&step(2));
    }
    // A scrape counts itself from the next one on.
    kvstats_core::scrape::respond(&registry, None, None);
    registry.prometheus_text().unwrap()
}

/// The families of [`scrape_text`].
fn scraped() -> BTreeMap<String, Family> {
    scrape::parse(&scrape_text())
}

/// The labels every series of the fixture has, as Markdown lists them.
const SHARED: &str = "`dynamo_namespace`, `dynamo_component`, `dp_rank`";
/// The matchers of every dashboard query.
const MATCHERS: &str = r#"{dynamo_namespace="dynamo",dynamo_component="backend",job=~"$job",instance=~"$instance",dp_rank=~"$dp_rank"}"#;

/// The label names of each series of `family`, which must all be `expected`.
fn assert_labels(family: &Family, name: &str, expected: &BTreeSet<&str>) {
    assert!(!family.series.is_empty(), "`{name}` has no series");
    for series in &family.series {
        let names: BTreeSet<&str> = series.keys().map(String::as_str).collect();
        assert_eq!(&names, expected, "labels of a series of `{name}`");
    }
}

/// The `le` values of the `_bucket` series of `family`, each once, in the
/// order a scrape writes them.
fn le_values(family: &Family) -> Vec<&str> {
    let mut values: Vec<&str> = Vec::new();
    for le in family.series.iter().filter_map(|s| s.get("le")) {
        if !values.contains(&le.as_str()) {
            values.push(le);
        }
    }
    values
}

/// The lines of `text` after the first `marker`.
fn lines_after<'a>(text: &'a str, marker: &str) -> std::str::Lines<'a> {
    match text.split_once(marker) {
        Some((_, after)) => after.lines(),
        None => panic!("no `{marker}` in\n{text}"),
    }
}

#[test]
fn markdown_rows_show_the_kind_the_series_and_the_labels() {
    let markdown = catalog().render(Format::Markdown);
    let rows: Vec<&str> = lines_after(&markdown, "\n## StepStats\n")
        .skip(3) // the blank line, the header and the separator
        .take_while(|line| line.starts_with('|'))
        .collect();
    let expected = [
        format!("| `dynamo_component_engine_requests_running` | gauge |  | {SHARED} | `sum` | Requests running now | `StepStats.requests_running` |"),
        format!("| `dynamo_component_engine_prompt_tokens_total` | counter |  | {SHARED} | `sum` of rates | Prompt tokens processed since the process started | `StepStats.prompt_tokens` |"),
        format!("| `dynamo_component_engine_generation_tokens_total` | counter<br>fed per-update deltas |  | {SHARED} | `sum` of rates | Generation tokens produced in this step | `StepStats.step_generation_tokens` |"),
        format!("| `dynamo_component_engine_time_to_first_token_seconds` | histogram<br>series `_bucket`, `_sum`, `_count`<br>`le`: `0.1`, `0.5`, `1`, `+Inf` | seconds | {SHARED} | quantiles 0.5, 0.9, 0.99 of the summed buckets | Time to first token of each request that got its first token this step | `StepStats.ttft` |"),
        format!("| `dynamo_component_engine_finished_total` | counter<br>fed per-update deltas |  | {SHARED}, `finished_reason` | `sum` of rates | Requests finished this step, by reason | `StepStats.finished` |"),
        format!("| `dynamo_component_engine_running_adapters` | gauge |  | {SHARED}, `lora_adapter` | `sum` | Requests running per LoRA adapter | `StepStats.running_adapters` |"),
        format!("| `dynamo_component_engine_accepted_per_position_total` | counter<br>fed per-update deltas |  | {SHARED}, `position` | `sum` of rates | Tokens accepted at each draft position this step | `StepStats.accepted_per_position` |"),
    ];
    assert_eq!(rows, expected);

    // What each row says, read back and compared with the scrape.
    let scrape = scraped();
    let ticked = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    for row in rows {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
        let name = cells[0].trim().trim_matches('`');
        let mut kind_lines = cells[1].split("<br>");
        let kind = kind_lines.next().unwrap();
        assert_eq!(scrape[name].kind, kind, "type of `{name}`");
        let labels: Vec<String> = ticked(cells[3]);
        let mut labels: BTreeSet<&str> = labels.iter().map(String::as_str).collect();
        let mut suffixes = vec![String::new()];
        let mut bounds = Vec::new();
        for line in kind_lines {
            if let Some(series) = line.strip_prefix("series ") {
                suffixes = ticked(series);
            } else if let Some(le) = line.strip_prefix("`le`: ") {
                bounds = ticked(le);
            }
        }
        for suffix in suffixes {
            let series = format!("{name}{suffix}");
            let family = scrape
                .get(&series)
                .unwrap_or_else(|| panic!("`{series}` is not scraped"));
            if suffix == "_bucket" {
                labels.insert("le");
                assert_eq!(le_values(family), bounds, "le of `{series}`");
            }
            assert_labels(family, &series, &labels);
            labels.remove("le");
        }
    }
}

#[test]
fn json_metrics_carry_kind_buckets_delta_and_the_series_a_query_selects() {
    let json: serde_json::Value =
        serde_json::from_str(&catalog().render(Format::Json)).expect("the JSON catalog parses");
    let metrics = json["metrics"].as_array().expect("a metrics array");
    let summary: Vec<(&str, &str, bool, &serde_json::Value)> = metrics
        .iter()
        .map(|m| {
            (
                m["base_name"].as_str().unwrap(),
                m["type"].as_str().unwrap(),
                m["delta"].as_bool().unwrap(),
                &m["series_labels"],
            )
        })
        .collect();
    let none = json!([]);
    assert_eq!(
        summary,
        [
            ("engine_requests_running", "gauge", false, &none),
            ("engine_prompt_tokens_total", "counter", false, &none),
            ("engine_generation_tokens_total", "counter", true, &none),
            (
                "engine_time_to_first_token_seconds",
                "histogram",
                false,
                &none
            ),
            (
                "engine_finished_total",
                "counter",
                true,
                &json!(["finished_reason"])
            ),
            (
                "engine_running_adapters",
                "gauge",
                false,
                &json!(["lora_adapter"])
            ),
            (
                "engine_accepted_per_position_total",
                "counter",
                true,
                &json!(["position"])
            ),
            (
                "kvstats_values_dropped_total",
                "counter",
                false,
                &json!(["metric", "reason"])
            ),
            (
                "kvstats_scrapes_total",
                "counter",
                false,
                &json!(["encoding", "format"])
            ),
        ]
    );
    let shared = ["dynamo_namespace", "dynamo_component", "dp_rank"];
    let name = "dynamo_component_engine_time_to_first_token_seconds";
    assert_eq!(
        metrics[3],
        json!({
            "name": name,
            "base_name": "engine_time_to_first_token_seconds",
            "type": "histogram",
            "unit": "seconds",
            "labels": shared,
            "series_labels": [],
            "buckets": [0.1, 0.5, 1],
            "delta": false,
            "series": [
                {"name": format!("{name}_bucket"), "labels": [shared[0], shared[1], shared[2], "le"]},
                {"name": format!("{name}_sum"), "labels": shared},
                {"name": format!("{name}_count"), "labels": shared},
            ],
            "help": "Time to first token of each request that got its first token this step",
            "group": "StepStats",
            "source": "StepStats.ttft",
            "replaced_by": null,
            "aggregate": ["sum"],
            "ratio_of": null,
            "alerts": [],
        })
    );

    let scrape = scraped();
    for metric in metrics {
        let name = metric["name"].as_str().unwrap();
        if appears_with_a_drop(name) && !scrape.contains_key(name) {
            continue;
        }
        assert!(scrape.contains_key(name), "`{name}` is not scraped");
        assert_eq!(scrape[name].kind, metric["type"], "type of `{name}`");
        assert_eq!(scrape[name].help, metric["help"], "help of `{name}`");
        for series in metric["series"].as_array().unwrap() {
            let series_name = series["name"].as_str().unwrap();
            let family = scrape
                .get(series_name)
                .unwrap_or_else(|| panic!("`{series_name}` is not scraped"));
            let labels: BTreeSet<&str> = series["labels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect();
            assert_labels(family, series_name, &labels);
            if labels.contains("le") {
                let bounds: Vec<f64> = metric["buckets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b.as_f64().unwrap())
                    .chain([f64::INFINITY])
                    .collect();
                let scraped: Vec<f64> = le_values(family)
                    .into_iter()
                    .map(|le| le.parse().unwrap())
                    .collect();
                assert_eq!(scraped, bounds, "le of `{series_name}`");
            }
        }
    }
}

/// A metric panel: its title, its unit and each target's `refId`, `expr` and
/// `legendFormat`.
#[derive(Debug, PartialEq)]
struct Shown {
    title: String,
    unit: String,
    targets: Vec<[String; 3]>,
}

#[test]
fn grafana_rates_counters_and_shows_quantiles_of_histograms() {
    let dashboard = dashboard(&catalog());
    let panels: Vec<Shown> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| is_metric_panel(p))
        .map(|p| {
            let text = |value: &serde_json::Value| value.as_str().unwrap().to_owned();
            let targets = p["targets"].as_array().unwrap().iter();
            Shown {
                title: text(&p["title"]),
                unit: text(&p["fieldConfig"]["defaults"]["unit"]),
                targets: targets
                    .map(|t| [&t["refId"], &t["expr"], &t["legendFormat"]].map(text))
                    .collect(),
            }
        })
        .collect();
    let full = |name: &str| format!("dynamo_component_{name}{MATCHERS}");
    let rate = |name: &str| format!("rate({}[$__rate_interval])", full(name));
    let bucket_rate = rate("engine_time_to_first_token_seconds_bucket");
    let quantile = |q: &str| {
        format!("histogram_quantile({q}, sum by (le, instance, dp_rank) ({bucket_rate}))")
    };
    let legend = "{{instance}} dp_rank={{dp_rank}}";
    let expected = [
        (
            "engine_requests_running",
            "short",
            vec![("A", full("engine_requests_running"), legend.to_owned())],
        ),
        (
            "engine_prompt_tokens_total",
            "cps",
            vec![("A", rate("engine_prompt_tokens_total"), legend.to_owned())],
        ),
        (
            "engine_generation_tokens_total",
            "cps",
            vec![(
                "A",
                rate("engine_generation_tokens_total"),
                legend.to_owned(),
            )],
        ),
        (
            "engine_time_to_first_token_seconds",
            "s",
            vec![
                ("A", quantile("0.5"), format!("p50 {legend}")),
                ("B", quantile("0.9"), format!("p90 {legend}")),
                ("C", quantile("0.99"), format!("p99 {legend}")),
            ],
        ),
        (
            "engine_finished_total",
            "cps",
            vec![(
                "A",
                rate("engine_finished_total"),
                format!("{legend} finished_reason={{{{finished_reason}}}}"),
            )],
        ),
        (
            "engine_running_adapters",
            "short",
            vec![(
                "A",
                full("engine_running_adapters"),
                format!("{legend} lora_adapter={{{{lora_adapter}}}}"),
            )],
        ),
        (
            "engine_accepted_per_position_total",
            "cps",
            vec![(
                "A",
                rate("engine_accepted_per_position_total"),
                format!("{legend} position={{{{position}}}}"),
            )],
        ),
        (
            "kvstats_values_dropped_total",
            "cps",
            vec![(
                "A",
                rate("kvstats_values_dropped_total"),
                format!("{legend} metric={{{{metric}}}} reason={{{{reason}}}}"),
            )],
        ),
        (
            "kvstats_scrapes_total",
            "cps",
            vec![(
                "A",
                r#"rate(dynamo_component_kvstats_scrapes_total{job=~"$job",instance=~"$instance"}[$__rate_interval])"#
                    .to_owned(),
                "{{instance}} encoding={{encoding}} format={{format}}".to_owned(),
            )],
        ),
    ];
    let expected: Vec<Shown> = expected
        .into_iter()
        .map(|(title, unit, targets)| Shown {
            title: title.to_owned(),
            unit: unit.to_owned(),
            targets: targets
                .into_iter()
                .map(|(id, expr, legend)| [id.to_owned(), expr, legend])
                .collect(),
        })
        .collect();
    assert_eq!(panels, expected);

    let scrape = scraped();
    for query in queries(&dashboard) {
        check_query(&scrape, query);
    }
    // The quantiles read `_bucket` series, every one of which has `le`.
    let buckets = &scrape["dynamo_component_engine_time_to_first_token_seconds_bucket"];
    assert_eq!(le_values(buckets), ["0.1", "0.5", "1", "+Inf"]);
}

#[test]
fn the_python_constants_name_every_series_a_query_selects() {
    let python = catalog().render(Format::Python);
    let class: Vec<&str> = lines_after(&python, "\nclass engine:  # noqa: N801\n")
        .take_while(|line| line.is_empty() || line.starts_with(' '))
        .filter(|line| line.contains(" = "))
        .collect();
    assert_eq!(
        class,
        [
            r#"    PREFIX = "engine_""#,
            r#"    REQUESTS_RUNNING = "engine_requests_running""#,
            r#"    PROMPT_TOKENS_TOTAL = "engine_prompt_tokens_total""#,
            r#"    GENERATION_TOKENS_TOTAL = "engine_generation_tokens_total""#,
            r#"    TIME_TO_FIRST_TOKEN_SECONDS = "engine_time_to_first_token_seconds""#,
            r#"    TIME_TO_FIRST_TOKEN_SECONDS_BUCKET = "engine_time_to_first_token_seconds_bucket""#,
            r#"    TIME_TO_FIRST_TOKEN_SECONDS_SUM = "engine_time_to_first_token_seconds_sum""#,
            r#"    TIME_TO_FIRST_TOKEN_SECONDS_COUNT = "engine_time_to_first_token_seconds_count""#,
            r#"    FINISHED_TOTAL = "engine_finished_total""#,
            r#"    RUNNING_ADAPTERS = "engine_running_adapters""#,
            r#"    ACCEPTED_PER_POSITION_TOTAL = "engine_accepted_per_position_total""#,
            "    ALL = (",
        ]
    );
    assert_eq!(
        engine::TIME_TO_FIRST_TOKEN_SECONDS,
        "engine_time_to_first_token_seconds"
    );

    // Every value but `PREFIX` is a family or a series of the scrape, once
    // the root prefix is added as `full_name` adds it; every sample's name
    // is one of them.
    let scrape = scraped();
    let names: BTreeSet<String> = class[1..]
        .iter()
        .filter_map(|line| line.split_once(" = \"engine_"))
        .map(|(_, rest)| format!("dynamo_component_engine_{}", rest.trim_end_matches('"')))
        .collect();
    for name in &names {
        assert!(scrape.contains_key(name), "`{name}` is not scraped");
    }
    let sampled: BTreeSet<String> = scrape
        .iter()
        .filter(|(name, family)| {
            name.starts_with("dynamo_component_engine_") && !family.series.is_empty()
        })
        .map(|(name, _)| name.clone())
        .collect();
    assert!(
        sampled.is_subset(&names),
        "series without a constant: {:?}",
        sampled.difference(&names).collect::<Vec<_>>()
    );
}

/// A catalog of histograms only: the dashboard's variables read their
/// `_count` series, which a scrape has from the first registration on.
#[test]
fn variables_of_a_catalog_without_gauges_read_a_histogram_count() {
    #[derive(Debug, Default, PromGauges)]
    #[prom(prefix = "latency")]
    struct Latency {
        /// End-to-end request latency of the requests finished this step
        #[prom(histogram, name = "request", unit = "seconds")]
        request: Vec<f64>,
    }
    let (registry, component) = harness::fixtures::backend();
    let gauges = LatencyGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
    let catalog = Catalog::new(&component)
        .instance_label("dp_rank")
        .unwrap()
        .add::<Latency>();
    let dashboard = dashboard(&catalog);
    let variables: Vec<&str> = dashboard["templating"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["definition"].as_str())
        .collect();
    let count = r#"dynamo_component_latency_request_seconds_count{dynamo_namespace="dynamo",dynamo_component="backend""#;
    assert_eq!(
        variables,
        [
            format!("label_values({count}}}, job)"),
            format!(r#"label_values({count},job=~"$job"}}, instance)"#),
            format!(r#"label_values({count},job=~"$job",instance=~"$instance"}}, dp_rank)"#),
        ]
    );
    // A scrape counts itself from the next one on.
    kvstats_core::scrape::respond(&registry, None, None);
    let scrape = scrape::parse(&registry.prometheus_text().unwrap());
    for query in queries(&dashboard) {
        check_query(&scrape, query);
    }
    drop(gauges);
}

/// Prometheus' own parser reads every query of the dashboard, with the
/// values Grafana gives its variables put in.
#[test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
fn promtool_parses_every_dashboard_query() {
    if !harness::prometheus::required() {
        return;
    }
    let dashboard = dashboard(&catalog());
    let mut rules = String::from("groups:\n  - name: catalog\n    rules:\n");
    let exprs: Vec<String> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["targets"].as_array())
        .flatten()
        .map(|t| {
            t["expr"]
                .as_str()
                .unwrap()
                .replace("$__rate_interval", "1m")
                .replace("\"$job\"", "\".*\"")
                .replace("\"$instance\"", "\".*\"")
                .replace("\"$dp_rank\"", "\".*\"")
        })
        .collect();
    assert_eq!(
        exprs.len(),
        11 + 10,
        "a target per gauge and counter, three per histogram, on each metric's panel and in the \
         fleet row (without the registry-wide scrape counter)"
    );
    for (i, expr) in exprs.iter().enumerate() {
        assert!(!expr.contains(['$', '\'']), "{expr}");
        rules.push_str(&format!(
            "      - record: catalog:query_{i}:check\n        expr: '{expr}'\n"
        ));
    }
    let path =
        std::env::temp_dir().join(format!("kvstats-catalog-kinds-{}.yml", std::process::id()));
    std::fs::write(&path, rules).unwrap();
    let output = std::process::Command::new("promtool")
        .args(["check", "rules"])
        .arg(&path)
        .output()
        .expect("promtool runs");
    let _ = std::fs::remove_file(&path);
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}");
    assert!(said.contains(" SUCCESS: 21 rules found"), "{said}");
}
