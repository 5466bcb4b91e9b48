//! An independent reader: the Python `prometheus_client` package's parsers
//! read every exposition kvstats writes, in the text format 0.0.4 and in
//! OpenMetrics 1.0.0 (its strict parser: `# EOF`, `_total`, units), back to
//! the same families, types, units, help texts, sample names, labels and
//! values as our own reader (`harness::exposition`): a running worker's
//! scrape over HTTP, every metric kind, odd values and texts, the families
//! of an attached `prometheus::Registry` and the registry's own counters.
//! Values are compared exactly (as the bits of an `f64`; NaN and the
//! infinities included).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use harness::exposition::{self, Family};
use harness::fixtures::{step, StepStatsGauges};
use harness::python::{self, assert_read_alike};
use kvstats_core::prometheus;
use kvstats_core::scrape;
use kvstats_core::{Format, MetricsRegistry, PromGauges, Registry};

const FORMATS: [Format; 2] = [Format::Text, Format::OpenMetrics];

#[test]
#[cfg_attr(kvstats_skip_python, ignore = "KVSTATS_SKIP_PYTHON=1")]
fn prometheus_client_reads_a_worker_scrape_as_we_do() {
    if !python::required() {
        return;
    }
    for format in FORMATS {
        let accept = ("accept", harness::http::accept(format));
        let response = harness::worker_process::settled_scrape_with(2, 20, &[accept]);
        assert_eq!(response.header("content-type"), Some(format.content_type()));
        let families = assert_read_alike(&response.body, format);
        assert_every_kind_and_label(&families);
        if format == Format::OpenMetrics {
            let units: Vec<&str> = families.iter().map(|f| f.unit.as_str()).collect();
            assert!(units.contains(&"seconds"), "no family with a unit");
        }
    }
}

/// Every kind and every kind of label of the worker's scrape is there to be
/// read.
fn assert_every_kind_and_label(families: &[Family]) {
    let kinds: BTreeMap<&str, usize> = families.iter().fold(BTreeMap::new(), |mut kinds, f| {
        *kinds.entry(f.kind.as_str()).or_default() += 1;
        kinds
    });
    assert_eq!(
        kinds.keys().copied().collect::<Vec<_>>(),
        ["counter", "gauge", "histogram"]
    );
    let labels: Vec<&str> = families
        .iter()
        .flat_map(|f| &f.samples)
        .flat_map(|s| s.labels.iter().map(|(key, _)| key.as_str()))
        .collect();
    for label in [
        "dp_rank",
        "position",
        "finished_reason",
        "lora_adapter",
        "le",
        "format",
    ] {
        assert!(labels.contains(&label), "no sample with label {label}");
    }
}

/// Every kind, and the values and texts a reader is most likely to get
/// wrong: NaN and infinities, integers past 2^53, tiny and huge floats, help
/// with a backslash and a newline, keys with quotes, backslashes, newlines
/// and non-ASCII letters.
#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "tricky")]
struct Tricky {
    #[prom(help = "A \"quoted\" gauge with a backslash \\ and\na second line")]
    ratio: f64,
    /// Requests ever, as a running total
    #[prom(counter)]
    requests: u64,
    /// Tokens this step
    #[prom(counter, delta, name = "tokens")]
    step_tokens: f64,
    /// Latency of each request this step
    #[prom(histogram(buckets = [0.001, 0.25, 1e3]), name = "latency")]
    latencies: Vec<Duration>,
    /// Values per key
    #[prom(label = "key")]
    by_key: BTreeMap<String, f64>,
    /// Finished per reason this step
    #[prom(counter, delta, label = "finished_reason")]
    finished: Vec<(&'static str, u64)>,
    /// Per position
    #[prom(label = "position")]
    per_position: Vec<f32>,
}

#[test]
#[cfg_attr(kvstats_skip_python, ignore = "KVSTATS_SKIP_PYTHON=1")]
fn prometheus_client_reads_every_kind_and_odd_value_as_we_do() {
    if !python::required() {
        return;
    }
    let registry = Registry::with_prefix("").unwrap();
    let gauges = TrickyGauges::register_with_labels(&registry, &[("dp_rank", "0")]).unwrap();
    let keys = [
        ("nan", f64::NAN),
        ("+inf", f64::INFINITY),
        ("-inf", f64::NEG_INFINITY),
        ("2^53+2", 9_007_199_254_740_994.0),
        ("tiny", 5e-324),
        ("huge", f64::MAX),
        ("quote \" backslash \\ newline \n end", -0.1),
        ("grüße ✓", 1.0 / 3.0),
    ];
    for step in 1..=2u32 {
        gauges.update_from(&Tricky {
            ratio: 0.1 + 0.2,
            requests: (1 << 53) + u64::from(step),
            step_tokens: 0.1,
            latencies: vec![
                Duration::from_nanos(1),
                Duration::from_millis(250),
                Duration::from_secs(3600),
            ],
            by_key: keys.iter().map(|&(k, v)| (k.to_owned(), v)).collect(),
            finished: vec![("stop", 3), ("length", u64::from(step))],
            per_position: vec![f32::NAN, 0.5, f32::MAX],
        });
    }
    for format in FORMATS {
        let text = registry.exposition(format).unwrap();
        let families = assert_read_alike(&text, format);
        let key = families
            .iter()
            .find(|f| f.name == "tricky_by_key")
            .expect("the keyed family");
        let read: Vec<&str> = key.samples.iter().filter_map(|s| s.label("key")).collect();
        assert!(
            read.contains(&"quote \" backslash \\ newline \n end"),
            "{read:?}"
        );
        let ratio = families
            .iter()
            .find(|f| f.name == "tricky_ratio")
            .expect("the gauge");
        assert_eq!(
            ratio.help,
            "A \"quoted\" gauge with a backslash \\ and\na second line"
        );
    }
}

/// The kinds of `harness::fixtures::StepStats` (gauge, counters of a total
/// and of deltas, histogram, keyed and per-position series) on two ranks,
/// beside the families of an attached `prometheus::Registry` (a counter, a
/// gauge, a labelled histogram) and the registry's own counters: values
/// dropped over a field's `max`, and scrapes answered in each format and
/// encoding.
#[test]
#[cfg_attr(kvstats_skip_python, ignore = "KVSTATS_SKIP_PYTHON=1")]
fn prometheus_client_reads_every_kind_foreign_family_and_own_counter_as_we_do() {
    if !python::required() {
        return;
    }
    let app = prometheus::Registry::new();
    let requests = prometheus::IntCounterVec::new(
        prometheus::Opts::new("http_requests_total", "Requests \"served\""),
        &["route"],
    )
    .unwrap();
    let temperature = prometheus::Gauge::new("app_temperature_celsius", "Temperature").unwrap();
    let duration = prometheus::HistogramVec::new(
        prometheus::HistogramOpts::new("http_request_duration_seconds", "Time to answer")
            .buckets(vec![0.1, 1.0]),
        &["route"],
    )
    .unwrap();
    app.register(Box::new(requests.clone())).unwrap();
    app.register(Box::new(temperature.clone())).unwrap();
    app.register(Box::new(duration.clone())).unwrap();
    requests.with_label_values(&["/generate"]).inc_by(3);
    temperature.set(-40.0);
    duration.with_label_values(&["/generate"]).observe(0.25);
    duration.with_label_values(&["/health"]).observe(2.0);

    let registry = Registry::builder().prometheus(app).build().unwrap();
    let component = registry
        .namespace("dynamo")
        .and_then(|n| n.component("backend"))
        .unwrap();
    let ranks: Vec<_> = ["0", "1"]
        .iter()
        .map(|rank| {
            StepStatsGauges::register_with_labels(&component, &[("dp_rank", rank)]).unwrap()
        })
        .collect();
    for n in 1..=3 {
        for rank in &ranks {
            rank.update_from(&step(n));
        }
    }
    // Four reasons where `max` is 3: one series of rank 0 is dropped and counted.
    ranks[0].update_from(&harness::fixtures::StepStats {
        finished: HashMap::from([("stop", 1), ("length", 1), ("abort", 1), ("error", 1)]),
        ..step(4)
    });
    for format in FORMATS {
        scrape::respond(&registry, Some(harness::http::accept(format)), None);
    }
    let gzipped = scrape::respond(&registry, None, Some("gzip"));
    assert_eq!(gzipped.encoding, scrape::Encoding::Gzip);

    for format in FORMATS {
        let text = registry.exposition(format).unwrap();
        let families = assert_read_alike(&text, format);
        let kinds: Vec<(&str, &str)> = families
            .iter()
            .map(|f| (f.name.as_str(), f.kind.as_str()))
            .collect();
        let expected: Vec<(&str, &str)> = [
            ("app_temperature_celsius", "gauge"),
            (
                "dynamo_component_engine_accepted_per_position_total",
                "counter",
            ),
            ("dynamo_component_engine_finished_total", "counter"),
            ("dynamo_component_engine_generation_tokens_total", "counter"),
            ("dynamo_component_engine_prompt_tokens_total", "counter"),
            ("dynamo_component_engine_requests_running", "gauge"),
            ("dynamo_component_engine_running_adapters", "gauge"),
            (
                "dynamo_component_engine_time_to_first_token_seconds",
                "histogram",
            ),
            ("dynamo_component_kvstats_scrapes_total", "counter"),
            ("dynamo_component_kvstats_values_dropped_total", "counter"),
            ("http_request_duration_seconds", "histogram"),
            ("http_requests_total", "counter"),
        ]
        .into_iter()
        .map(|(name, kind)| (family_name(name, kind, format), kind))
        .collect();
        assert_eq!(kinds, expected);
        let own = |name: &str| {
            let name = family_name(name, "counter", format);
            families
                .iter()
                .find(|f| f.name == name)
                .map_or(Vec::new(), |f| f.lines())
        };
        assert_eq!(
            own("dynamo_component_kvstats_scrapes_total")[1..],
            [
                r#"dynamo_component_kvstats_scrapes_total{encoding="gzip",format="text"} 1.0"#,
                r#"dynamo_component_kvstats_scrapes_total{encoding="identity",format="openmetrics"} 1.0"#,
                r#"dynamo_component_kvstats_scrapes_total{encoding="identity",format="text"} 1.0"#,
            ]
        );
        assert_eq!(
            own("dynamo_component_kvstats_values_dropped_total")[1..],
            [concat!(
                r#"dynamo_component_kvstats_values_dropped_total{dp_rank="0","#,
                r#"dynamo_component="backend",dynamo_namespace="dynamo","#,
                r#"metric="dynamo_component_engine_finished_total",reason="over_max"} 1.0"#
            )]
        );
    }
}

/// The name of the family of metric `name` of `kind` in `format`:
/// OpenMetrics names a counter's family without `_total`.
fn family_name<'a>(name: &'a str, kind: &str, format: Format) -> &'a str {
    match (format, kind) {
        (Format::OpenMetrics, "counter") => name.strip_suffix("_total").unwrap_or(name),
        _ => name,
    }
}

/// The comparison above can fail: a counter family whose name lacks
/// `_total`, which our writer never produces, is one prometheus_client
/// reads otherwise (it renames the samples), and a text it cannot parse is
/// an error that carries its message.
#[test]
#[cfg_attr(kvstats_skip_python, ignore = "KVSTATS_SKIP_PYTHON=1")]
fn a_text_read_otherwise_is_told_apart() {
    if !python::required() {
        return;
    }
    let text = "# HELP requests Requests.\n# TYPE requests counter\nrequests 1\n";
    let ours: Vec<String> = exposition::families(text)
        .unwrap()
        .iter()
        .flat_map(Family::lines)
        .collect();
    let theirs: Vec<String> = python::parse(text)
        .unwrap()
        .iter()
        .flat_map(Family::lines)
        .collect();
    assert_eq!(
        ours,
        ["# FAMILY requests counter \"Requests.\"", "requests 1.0"]
    );
    assert_eq!(
        theirs,
        [
            "# FAMILY requests_total counter \"Requests.\"",
            "requests_total 1.0"
        ]
    );
    let err = python::parse("up{job=\"a\" 1\n").unwrap_err();
    assert!(
        err.to_string()
            .contains("prometheus_client cannot parse the text"),
        "{err}"
    );
}

/// The OpenMetrics check can fail: prometheus_client's OpenMetrics parser
/// refuses what OpenMetrics forbids, and so does our reader, text by text.
#[test]
#[cfg_attr(kvstats_skip_python, ignore = "KVSTATS_SKIP_PYTHON=1")]
fn a_broken_openmetrics_text_is_refused_by_both_readers() {
    if !python::required() {
        return;
    }
    let valid = "# HELP r Requests.\n# TYPE r counter\nr_total 1\n# EOF\n";
    assert_read_alike(valid, Format::OpenMetrics);
    let broken = [
        // No `# EOF`: the text format 0.0.4's way to end.
        "# HELP r Requests.\n# TYPE r counter\nr_total 1\n",
        // A counter sample without `_total`.
        "# HELP r Requests.\n# TYPE r counter\nr 1\n# EOF\n",
        // The text format's name for a type OpenMetrics calls `unknown`.
        "# TYPE r untyped\nr 1\n# EOF\n",
        // A unit the name does not end in.
        "# TYPE r gauge\n# UNIT r seconds\nr 1\n# EOF\n",
        // A blank line.
        "# TYPE r gauge\nr 1\n\n# EOF\n",
        // A line after `# EOF`.
        "# TYPE r gauge\nr 1\n# EOF\nr 2\n",
    ];
    for text in broken {
        let theirs = python::parse_openmetrics(text);
        assert!(
            theirs.as_ref().is_err_and(|e| e
                .to_string()
                .contains("prometheus_client cannot parse the text")),
            "prometheus_client read {text:?} as {theirs:?}"
        );
        let ours = exposition::openmetrics::families(text);
        assert!(ours.is_err(), "our reader read {text:?} as {ours:?}");
    }
}
