//! An independent reader: the Python `prometheus_client` package's text
//! parser reads every exposition kvstats writes, a running worker's with
//! every metric kind included, back to the same families, types, help
//! texts, sample names, labels and values as our own reader
//! (`harness::exposition`). Values are compared exactly (as the bits of an
//! `f64`; NaN and the infinities included).

use std::collections::BTreeMap;
use std::time::Duration;

use harness::exposition::{families, Family};
use harness::python;
use kvstats_core::{PromGauges, Registry};

/// Both readings of `text`, as whole lines, equal.
fn assert_read_alike(text: &str) -> Vec<Family> {
    let ours = families(text).unwrap_or_else(|e| panic!("our reader: {e}\n{text}"));
    let theirs = python::parse(text).unwrap_or_else(|e| panic!("prometheus_client: {e}\n{text}"));
    let lines =
        |families: &[Family]| -> Vec<String> { families.iter().flat_map(Family::lines).collect() };
    assert_eq!(lines(&theirs), lines(&ours), "read differently:\n{text}");
    ours
}

#[test]
#[cfg_attr(kvstats_skip_python, ignore = "KVSTATS_SKIP_PYTHON=1")]
fn prometheus_client_reads_a_worker_scrape_as_we_do() {
    if !python::required() {
        return;
    }
    let text = harness::worker_process::settled_scrape(2, 20);
    let families = assert_read_alike(&text);
    // Every kind and every kind of label is there to be read.
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
    #[prom(help = "A gauge with a backslash \\ and\na second line")]
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
    let text = registry.prometheus_text().unwrap();
    let families = assert_read_alike(&text);
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
    assert_eq!(ratio.help, "A gauge with a backslash \\ and\na second line");
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
    let ours: Vec<String> = families(text)
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
