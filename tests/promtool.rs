//! What Prometheus' own linter and a reader of our own make of a scrape of
//! the `worker` example (every metric kind in it): `promtool check metrics`
//! finds nothing, and no series appears twice (a thing promtool does not
//! look for, and a real server rejects the whole scrape for).

use harness::exposition::{duplicate_series, parse, parse_published};
use harness::prometheus::{self, check_metrics, Lint};

const RANKS: u32 = 3;
const STEPS: u64 = 20;

fn settled_scrape() -> String {
    harness::worker_process::settled_scrape(RANKS, STEPS)
}

#[test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
fn promtool_finds_nothing_in_a_scrape_of_the_worker() {
    if !prometheus::required() {
        return;
    }
    let body = settled_scrape();
    // Every kind is there to be checked: gauges, counters, histograms.
    let kinds: std::collections::BTreeSet<&str> = body
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.split(' ').nth(1))
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["counter", "gauge", "histogram"]
    );
    let lint = check_metrics(&body).expect("promtool runs");
    assert_eq!(
        lint,
        Lint {
            code: Some(0),
            findings: Vec::new()
        },
        "{body}"
    );
}

/// The check above is only worth something if `check_metrics` reports
/// promtool's findings: here, two problems promtool knows.
#[test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
fn promtool_findings_are_reported_line_by_line() {
    if !prometheus::required() {
        return;
    }
    let text = "# HELP load_ms Load.\n# TYPE load_ms gauge\nload_ms 1\n\
                # HELP x_total Not a counter.\n# TYPE x_total gauge\nx_total 1\n";
    let lint = check_metrics(text).expect("promtool runs");
    assert_eq!(
        lint,
        Lint {
            code: Some(3),
            findings: vec![
                "load_ms metric names should not contain abbreviated units".to_owned(),
                r#"x_total non-counter metrics should not have "_total" suffix"#.to_owned(),
            ]
        }
    );
}

#[test]
fn no_series_appears_twice_in_a_scrape_of_the_worker() {
    let body = settled_scrape();
    let samples = parse(&body).expect("the scrape parses");
    assert_eq!(duplicate_series(&samples), Vec::<String>::new(), "{body}");
    // Every rank exports the same series, told apart by `dp_rank` alone
    // (the scrape counter belongs to the registry, not to a rank).
    let samples = parse_published(&body).expect("the scrape parses");
    let per_rank: Vec<usize> = (0..RANKS)
        .map(|rank| {
            let rank = rank.to_string();
            samples
                .iter()
                .filter(|s| s.label("dp_rank") == Some(&rank))
                .count()
        })
        .collect();
    assert_eq!(samples.len(), per_rank[0] * RANKS as usize, "{body}");
    assert!(per_rank.iter().all(|&n| n == per_rank[0]), "{per_rank:?}");

    // The same scrape with one series repeated, its labels in another order:
    // the check finds it, so the assertion above can fail.
    let first = &samples[0];
    let mut labels = first.labels.clone();
    labels.reverse();
    let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    let doubled = format!("{body}{}{{{}}} 7\n", first.name, labels.join(","));
    let doubled = parse(&doubled).expect("still parses");
    assert_eq!(duplicate_series(&doubled), [first.series()]);
}
