//! Every name the catalog writes, and every query of the generated Grafana
//! dashboard, is a metric that a worker's scrape really shows, with the labels
//! the query asks for.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use kvstats_core::catalog::{Catalog, Format};
use kvstats_core::dynamo::{kvstats, spec_decode, worker};
use simulation::stats::engine;

mod catalog_support;
use catalog_support::{
    appears_with_a_drop, check_query, dashboard, is_metric_panel, metric_panels, queries, scrape,
};

/// A scrape of the `worker` example itself (two ranks, speculative decoding
/// on, every per-position series there), read once for every test here.
fn worker_scrape() -> &'static BTreeMap<String, scrape::Family> {
    static SCRAPE: OnceLock<BTreeMap<String, scrape::Family>> = OnceLock::new();
    SCRAPE.get_or_init(|| scrape::parse(&harness::worker_process::settled_scrape(2, 20)))
}

fn catalog() -> Catalog {
    simulation::catalog::worker().expect("the worker's catalog builds")
}

#[test]
fn every_catalog_entry_is_scraped_with_its_help_type_and_labels() {
    let scrape = worker_scrape();
    for entry in catalog().entries() {
        let Some(family) = scrape.get(&entry.name) else {
            assert!(
                appears_with_a_drop(&entry.name),
                "`{}` is in the catalog but not in the scrape",
                entry.name
            );
            continue;
        };
        assert_eq!(family.help, entry.help, "help of {}", entry.name);
        assert_eq!(family.kind, entry.kind.as_str(), "type of {}", entry.name);
        // A histogram's samples are its `_bucket`, `_sum` and `_count`.
        for series in &entry.series {
            let samples = scrape
                .get(&series.name)
                .unwrap_or_else(|| panic!("`{}` is not scraped", series.name));
            let catalog_labels: BTreeSet<&str> = series.labels.iter().map(String::as_str).collect();
            assert_eq!(
                scrape::label_names(samples),
                catalog_labels,
                "labels of {}",
                series.name
            );
            for label in entry.labels.iter().filter(|l| l.value.is_some()) {
                assert!(
                    samples
                        .series
                        .iter()
                        .all(|s| s.get(&label.name) == label.value.as_ref()),
                    "{} has a series without {label:?}",
                    series.name
                );
            }
        }
    }
}

#[test]
fn every_scraped_metric_is_in_the_catalog() {
    let entries = catalog().entries();
    let families: BTreeSet<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    let series: BTreeSet<&str> = entries
        .iter()
        .flat_map(|e| e.series.iter().map(|s| s.name.as_str()))
        .collect();
    for (name, family) in worker_scrape() {
        let listed = if family.series.is_empty() {
            &families
        } else {
            &series
        };
        assert!(
            listed.contains(name.as_str()),
            "`{name}` is scraped but not in the catalog"
        );
    }
}

#[test]
fn the_json_catalog_parses_and_names_scraped_metrics() {
    let scrape = worker_scrape();
    let json: serde_json::Value =
        serde_json::from_str(&catalog().render(Format::Json)).expect("the JSON catalog parses");
    assert_eq!(
        json["schema_version"],
        kvstats_core::catalog::SCHEMA_VERSION
    );
    let metrics = json["metrics"].as_array().expect("a metrics array");
    assert_eq!(metrics.len(), catalog().entries().len());
    for metric in metrics {
        let name = metric["name"].as_str().expect("a name");
        if appears_with_a_drop(name) && !scrape.contains_key(name) {
            continue;
        }
        assert!(scrape.contains_key(name), "`{name}` is not scraped");
        for series in metric["series"].as_array().expect("a series array") {
            let series = series["name"].as_str().expect("a series name");
            assert!(
                scrape.get(series).is_some_and(|f| !f.series.is_empty()),
                "`{series}` has no samples"
            );
        }
    }
}

#[test]
fn every_grafana_query_selects_scraped_series() {
    let scrape = worker_scrape();
    let dashboard = dashboard(&catalog());
    let panels = dashboard["panels"].as_array().expect("panels");
    let metric_panels = panels.iter().filter(|p| is_metric_panel(p)).count();
    assert_eq!(
        metric_panels,
        catalog().entries().len(),
        "one panel per metric"
    );
    for query in queries(&dashboard) {
        check_query(scrape, query);
    }
}

#[test]
fn the_dashboard_has_dp_rank_job_and_instance_variables() {
    let dashboard = dashboard(&catalog());
    let names: Vec<&str> = dashboard["templating"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["datasource", "job", "instance", "dp_rank"]);
    let units: BTreeMap<&str, &str> = metric_panels(&dashboard)
        .into_iter()
        .map(|p| (p.title, p.unit))
        .collect();
    assert_eq!(units["kvstats_gpu_cache_usage_percent"], "percentunit");
    assert_eq!(units["kvstats_active_blocks"], "short");
}

/// `(module, constant, value)` of a Rust constant, its names taken from the
/// path so that the list below only compiles while the constants exist.
macro_rules! constant {
    ($module:ident :: $name:ident) => {
        (stringify!($module), stringify!($name), $module::$name)
    };
}

#[test]
fn the_python_module_has_the_rust_constants_names_and_values() {
    let rust = [
        constant!(worker::REQUEST_ACTIVE_SLOTS),
        constant!(worker::REQUEST_TOTAL_SLOTS),
        constant!(worker::REQUESTS_WAITING),
        constant!(kvstats::ACTIVE_BLOCKS),
        constant!(kvstats::TOTAL_BLOCKS),
        constant!(kvstats::GPU_CACHE_USAGE_PERCENT),
        constant!(kvstats::GPU_PREFIX_CACHE_HIT_RATE),
        constant!(spec_decode::SPEC_TOKENS),
        constant!(spec_decode::DRAFTS),
        constant!(spec_decode::DRAFT_TOKENS),
        constant!(spec_decode::ACCEPTED_TOKENS),
        constant!(spec_decode::ACCEPTED_TOKENS_PER_POSITION),
        constant!(engine::REQUESTS_RUNNING),
        constant!(engine::REQUESTS_WAITING),
        constant!(engine::LORA_REQUESTS_RUNNING),
        constant!(engine::PROMPT_TOKENS_TOTAL),
        constant!(engine::GENERATION_TOKENS_TOTAL),
        constant!(engine::PREEMPTIONS_TOTAL),
        constant!(engine::FINISHED_REQUESTS_TOTAL),
        constant!(engine::TIME_TO_FIRST_TOKEN_SECONDS),
        constant!(engine::INTER_TOKEN_LATENCY_SECONDS),
    ];
    let every_current: Vec<&str> =
        [worker::ALL, kvstats::ALL, spec_decode::ALL, engine::ALL].concat();
    let listed: Vec<&str> = rust.iter().map(|c| c.2).collect();
    assert_eq!(
        listed, every_current,
        "list every constant of the worker's modules above"
    );
    let python = catalog().render(Format::Python);
    for (module, name, value) in rust {
        let class = python
            .split(&format!("\nclass {module}:"))
            .nth(1)
            .unwrap_or_else(|| panic!("no class `{module}`"));
        let class = class.split("\nclass ").next().unwrap_or(class);
        assert!(
            class.contains(&format!("\n    {name} = \"{value}\"\n")),
            "class {module} lacks {name} = \"{value}\""
        );
    }
}
