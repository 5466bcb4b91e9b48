//! The fleet view against real Prometheus servers, with the rule file the
//! catalog generates (`Format::Rules`, as in `prometheus/kvstats.rules.yml`):
//!
//! - one Prometheus scraping three workers (four ranks, one of them kept hot
//!   with `--hot-rank`): every series the file records exists; each
//!   per-component gauge rule (`:sum`, `:max`, `:min`, `:count`, `:avg`,
//!   `:ratio`) equals that aggregation of what the workers published, once
//!   they have stopped (`--steps`); a counter's `:rate5m` is positive;
//!   `KvCacheNearlyFull` fires for the hot rank alone, and resolves once its
//!   worker runs without the flag;
//! - two Prometheus servers, one per group of workers (2 + 1), each with its
//!   `group` external label and the rules, and a global one that federates
//!   what they record and loads the same rules: its `fleet:` series equal the
//!   aggregation over every worker of both groups, and no federated series
//!   collides with another.
//!
//! Each Prometheus starts before its workers, on ports picked for them, and
//! the workers start once it has tried them: so it scrapes their counters
//! while they grow, and the rates are positive. Waits are bounded by `WAIT`
//! and nothing is asserted about how fast anything goes.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use harness::exposition::{self, Sample};
use harness::http;
use harness::prometheus::{self, Options, Prometheus, Series};
use harness::worker_process::{worker_binary, WorkerProcess};
use kvstats_core::catalog::{Catalog, Format};
use kvstats_core::dynamo::kvstats;
use simulation::published::Published;
use tempfile::TempDir;

/// Prometheus reads its targets about 5 s after it starts and evaluates
/// every second; on a loaded 2-core machine a minute and a half is plenty.
const WAIT: Duration = Duration::from_secs(90);
/// Publishes per rank, every `INTERVAL_MS`: about 3 s of growing counters
/// for Prometheus to scrape, after which every value stays put and can be
/// compared exactly.
const STEPS: u64 = 30;
const INTERVAL_MS: &str = "100";
/// The hold every alert gets in the rules loaded here, for the generated
/// `5m` of `KvCacheNearlyFull` (and `30s` of `KvStatsAbsent`) cannot fit
/// in a test run; 2 s still takes the alert through `pending` to `firing`.
const HOLD: &str = "2s";

/// The worker's catalog, built as the catalog example builds it.
fn catalog() -> Catalog {
    simulation::catalog::worker().expect("the worker's catalog")
}

/// The worker's catalog and its rule file; `None` when Prometheus is
/// missing and the tests that need it are to be skipped.
fn setup() -> Option<(Catalog, RuleFile)> {
    if !prometheus::required() {
        return None;
    }
    let catalog = catalog();
    let rules = RuleFile::generate(&catalog);
    Some((catalog, rules))
}

/// The generated rule file, holds shortened to `HOLD`, in a directory of
/// its own (gone when dropped).
struct RuleFile {
    _dir: TempDir,
    path: PathBuf,
    text: String,
}

impl RuleFile {
    fn generate(catalog: &Catalog) -> RuleFile {
        let generated = catalog.render(Format::Rules);
        let mut holds = 0;
        let text: String = generated
            .lines()
            .map(|line| {
                let setting = line.trim_start();
                if setting.starts_with("for: ") {
                    holds += 1;
                    let indent = &line[..line.len() - setting.len()];
                    format!("{indent}for: \"{HOLD}\"\n")
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        assert!(holds > 0, "no alert holds `for:` in\n{generated}");
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("kvstats.rules.yml");
        std::fs::write(&path, &text).expect("the rule file is written");
        RuleFile {
            _dir: dir,
            path,
            text,
        }
    }

    /// The value of every `- KEY: "value"` line of the file, in order: the
    /// names of its rules, for `record` and `alert`.
    fn values(&self, key: &str) -> Vec<String> {
        let prefix = format!("- {key}: ");
        self.text
            .lines()
            .filter_map(|line| line.trim().strip_prefix(&prefix))
            .map(|value| value.trim_matches('"').to_owned())
            .collect()
    }

    /// The series the file records, each once.
    fn recorded(&self) -> BTreeSet<String> {
        self.values("record").into_iter().collect()
    }
}

/// A free port of 127.0.0.1 for a worker that starts after the Prometheus
/// that scrapes it.
fn free_addr() -> SocketAddr {
    harness::ports::reserved_addr().expect("a free port")
}

/// One worker to start: its ranks, its seed, and whether its last rank is
/// kept hot (`--hot-rank`).
#[derive(Debug, Clone, Copy)]
struct Spec {
    first_rank: u32,
    ranks: u32,
    seed: u64,
    hot: bool,
}

impl Spec {
    const fn new(first_rank: u32, ranks: u32, seed: u64) -> Spec {
        Spec {
            first_rank,
            ranks,
            seed,
            hot: false,
        }
    }

    /// The same worker with its last rank hot.
    const fn hot(self) -> Spec {
        Spec { hot: true, ..self }
    }

    fn last_rank(&self) -> u32 {
        self.first_rank + self.ranks - 1
    }
}

/// A worker process publishing `STEPS` times per rank.
struct Worker {
    spec: Spec,
    process: WorkerProcess,
    /// The last publish of each rank, once [`settle`](Self::settle) has read it.
    last: Vec<Published>,
}

impl Worker {
    fn start(addr: SocketAddr, spec: Spec) -> Worker {
        let mut args = vec![
            "--addr".to_owned(),
            addr.to_string(),
            "--first-rank".to_owned(),
            spec.first_rank.to_string(),
            "--ranks".to_owned(),
            spec.ranks.to_string(),
            "--seed".to_owned(),
            spec.seed.to_string(),
            "--steps".to_owned(),
            STEPS.to_string(),
            "--interval-ms".to_owned(),
            INTERVAL_MS.to_owned(),
            "--print-published".to_owned(),
        ];
        if spec.hot {
            args.extend(["--hot-rank".to_owned(), spec.last_rank().to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let process = WorkerProcess::spawn(worker_binary(), &args).expect("the worker starts");
        assert_eq!(process.addr(), addr);
        Worker {
            spec,
            process,
            last: Vec::new(),
        }
    }

    /// Waits until every rank has published `STEPS` times and keeps the last
    /// values, the ones the worker serves from then on.
    fn settle(&mut self) {
        let mut last = BTreeMap::new();
        for seen in 0..u64::from(self.spec.ranks) * STEPS {
            let published = self
                .process
                .next_published(WAIT)
                .unwrap_or_else(|| panic!("{:?}: only {seen} publishes printed", self.spec));
            last.insert(published.rank, published);
        }
        self.last = last.into_values().collect();
        assert!(self.last.iter().all(|p| p.step == STEPS), "{:?}", self.last);
    }

    fn addr(&self) -> SocketAddr {
        self.process.addr()
    }
}

/// Every series `workers` serve, without `job` and `instance`: the KV-cache
/// values as the workers printed them (`--print-published`), the others as
/// a scrape shows them once the values stay put.
async fn served(catalog: &Catalog, workers: &[Worker]) -> Vec<Sample> {
    let kv: Vec<String> = kvstats::ALL.iter().map(|m| catalog.full_name(m)).collect();
    let mut samples = Vec::new();
    for worker in workers {
        let response = http::get(worker.addr(), "/metrics")
            .await
            .expect("the worker answers");
        assert_eq!(response.status, 200);
        let scraped = exposition::parse_published(&response.body).expect("the scrape parses");
        samples.extend(scraped.into_iter().filter(|s| !kv.contains(&s.name)));
        for published in &worker.last {
            let rank = published.rank.to_string();
            for (name, value) in published.metrics() {
                let mut labels = catalog.fixed_labels().to_vec();
                labels.push(("dp_rank".to_owned(), rank.clone()));
                samples.push(Sample {
                    name: catalog.full_name(name),
                    labels,
                    value,
                });
            }
        }
    }
    samples
}

/// Samples grouped as a `by (L)` aggregation groups them: by every label
/// but the instance labels (`dp_rank`), keyed by those labels.
fn by_component<'a>(
    catalog: &Catalog,
    samples: impl Iterator<Item = &'a Sample>,
) -> BTreeMap<BTreeMap<String, String>, Vec<f64>> {
    let mut groups: BTreeMap<BTreeMap<String, String>, Vec<f64>> = BTreeMap::new();
    for sample in samples {
        let labels = sample
            .labels
            .iter()
            .filter(|(key, _)| !catalog.instance_labels().contains(key))
            .cloned()
            .collect();
        groups.entry(labels).or_default().push(sample.value);
    }
    groups
}

/// What each per-component gauge rule of `recorded` must hold for
/// `samples`: `:sum`, `:max`, `:min`, `:count` and `:avg` over the series
/// of the metric, `:ratio` the sum of its numerator over the sum of its
/// denominator. Keyed by the series' line without its value.
fn expected_gauge_rules(
    catalog: &Catalog,
    recorded: &BTreeSet<String>,
    samples: &[Sample],
) -> BTreeMap<String, f64> {
    let entries = catalog.entries();
    let named = |name: String| {
        let selected = samples.iter().filter(move |s| s.name == name);
        by_component(catalog, selected)
    };
    let mut expected = BTreeMap::new();
    for rule in recorded {
        let Some((base, op)) = rule
            .strip_prefix("dynamo_component:")
            .and_then(|rest| rest.rsplit_once(':'))
        else {
            continue;
        };
        let full = catalog.full_name(base);
        let groups = match op {
            "ratio" => {
                let (numerator, denominator) = entries
                    .iter()
                    .find(|e| e.name == full)
                    .and_then(|e| e.ratio_of.clone())
                    .unwrap_or_else(|| panic!("{rule}: {full} is no ratio in the catalog"));
                let below = named(denominator);
                named(numerator)
                    .into_iter()
                    .map(|(labels, above)| {
                        let below: f64 = below[&labels].iter().sum();
                        (labels, above.iter().sum::<f64>() / below)
                    })
                    .collect()
            }
            "sum" | "max" | "min" | "count" | "avg" => {
                let fold = |values: Vec<f64>| {
                    let n = values.len() as f64;
                    match op {
                        "sum" => values.iter().sum(),
                        "max" => values.into_iter().fold(f64::MIN, f64::max),
                        "min" => values.into_iter().fold(f64::MAX, f64::min),
                        "count" => n,
                        _ => values.iter().sum::<f64>() / n,
                    }
                };
                named(full)
                    .into_iter()
                    .map(|(labels, values)| (labels, fold(values)))
                    .collect::<Vec<_>>()
            }
            // Counters' rates and histograms' quantiles: not a function of the last values.
            _ => continue,
        };
        for (mut labels, value) in groups {
            labels.insert("__name__".to_owned(), rule.clone());
            expected.insert(key(&Series { labels, value }), value);
        }
    }
    expected
}

/// A series' line without its value (see `Series`' `Display`).
fn key(series: &Series) -> String {
    let line = series.to_string();
    match line.rsplit_once(' ') {
        Some((key, _)) => key.to_owned(),
        None => line,
    }
}

/// `Ok` when `seen` holds exactly the series of `expected`, with the same
/// values: bit for bit, but for a mean, which PromQL computes otherwise
/// than a sum divided by a count and may differ in the last bits.
fn matches(seen: &[Series], expected: &BTreeMap<String, f64>) -> Result<(), String> {
    let seen: BTreeMap<String, f64> = seen.iter().map(|s| (key(s), s.value)).collect();
    let same = |key: &String| match (seen.get(key), expected.get(key)) {
        (Some(&value), Some(&want)) => {
            value.to_bits() == want.to_bits()
                || (key.contains(":avg{") && (value - want).abs() <= 1e-12 * want.abs())
        }
        _ => false,
    };
    let differ: Vec<String> = seen
        .keys()
        .chain(expected.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|key| !same(key))
        .map(|key| {
            format!(
                "{key}: {:?}, expected {:?}",
                seen.get(key),
                expected.get(key)
            )
        })
        .collect();
    if differ.is_empty() {
        Ok(())
    } else {
        Err(format!("\n{}", differ.join("\n")))
    }
}

/// `Ok` when `seen` is one series, labelled `labels` (besides its name),
/// whose value passes `ok`.
fn one(
    seen: &[Series],
    labels: &[(impl AsRef<str>, impl AsRef<str>)],
    ok: impl Fn(f64) -> bool,
) -> Result<(), String> {
    let labelled = |series: &Series| {
        series.labels.len() == labels.len() + 1
            && labels
                .iter()
                .all(|(k, v)| series.label(k.as_ref()) == Some(v.as_ref()))
    };
    match seen {
        [series] if ok(series.value) && labelled(series) => Ok(()),
        _ => Err(format!("{seen:?}")),
    }
}

/// Panics with the message of a wait that failed.
fn ok<T>(result: Result<T, String>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// Waits until Prometheus has tried to scrape each of `targets` (it knows
/// them, and has a health other than `unknown`), so that workers started
/// now are scraped while they publish.
async fn wait_until_scraping(prometheus: &Prometheus, targets: &[SocketAddr]) {
    let wanted: BTreeSet<String> = targets.iter().map(SocketAddr::to_string).collect();
    let tried = harness::poll::until("every target tried", WAIT, || async {
        let targets = prometheus.targets().await.map_err(|e| e.to_string())?;
        let tried: BTreeSet<String> = targets
            .iter()
            .filter(|t| t.health != "unknown")
            .map(|t| t.instance.clone())
            .collect();
        if tried == wanted {
            Ok(())
        } else {
            Err(format!("{targets:?}"))
        }
    })
    .await;
    ok(tried.map_err(|e| format!("{e}\nprometheus log:\n{}", prometheus.log())));
}

/// Waits until every rule the server loaded from `rules` has been evaluated
/// without error.
async fn wait_for_healthy_rules(prometheus: &Prometheus, rules: &RuleFile) {
    let names: BTreeSet<String> = rules
        .recorded()
        .into_iter()
        .chain(rules.values("alert"))
        .collect();
    let count = rules.values("record").len() + rules.values("alert").len();
    let healthy = harness::poll::until("every rule evaluated", WAIT, || async {
        let loaded = prometheus.rules().await.map_err(|e| e.to_string())?;
        let loaded_names: BTreeSet<String> = loaded.iter().map(|r| r.name.clone()).collect();
        let all_ok = loaded.iter().all(|r| r.health == "ok");
        if loaded.len() == count && loaded_names == names && all_ok {
            Ok(())
        } else {
            Err(format!("{loaded:#?}"))
        }
    })
    .await;
    ok(healthy.map_err(|e| format!("{e}\nprometheus log:\n{}", prometheus.log())));
}

/// The base metric (`engine_prompt_tokens`) of a recorded series
/// (`dynamo_component:engine_prompt_tokens:rate5m`).
fn base(recorded: &str) -> &str {
    recorded.split(':').nth(1).unwrap_or_default()
}

/// The series of `recorded` that must exist: all but those over a metric
/// none of `samples` is of. Those are only the library's count of dropped
/// values, which has series once a value is dropped, and the workers drop
/// none.
fn present(recorded: &BTreeSet<String>, samples: &[Sample]) -> BTreeSet<String> {
    let exported = |base: &str| {
        let full = catalog().full_name(base);
        samples.iter().any(|s| s.name.starts_with(&full))
    };
    let (present, missing): (BTreeSet<String>, BTreeSet<String>) = recorded
        .iter()
        .cloned()
        .partition(|name| exported(base(name)));
    let missing: BTreeSet<&str> = missing.iter().map(|name| base(name)).collect();
    assert_eq!(missing, BTreeSet::from(["kvstats_values_dropped"]));
    present
}

/// Stops a Prometheus and workers the way their managers would (SIGTERM).
fn stop(prometheus: impl IntoIterator<Item = Prometheus>, workers: Vec<Worker>) {
    for server in prometheus {
        let status = server.stop().expect("prometheus stops");
        assert!(status.success(), "prometheus exited with {status}");
    }
    for worker in workers {
        let status = worker.process.terminate(WAIT).expect("the worker stops");
        assert!(status.success(), "a worker exited with {status}");
    }
}

#[tokio::test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
async fn the_generated_rules_record_what_the_workers_publish_and_alert_on_a_full_cache() {
    let Some((catalog, rules)) = setup() else {
        return;
    };
    let specs = [
        Spec::new(0, 2, 70),
        Spec::new(2, 1, 71),
        Spec::new(3, 1, 72).hot(),
    ];
    let addrs: Vec<SocketAddr> = specs.iter().map(|_| free_addr()).collect();
    let prometheus = Options::new()
        .targets(&addrs)
        .rules(&rules.path)
        .start()
        .await
        .expect("prometheus starts");
    wait_until_scraping(&prometheus, &addrs).await;
    let mut workers: Vec<Worker> = addrs
        .iter()
        .zip(specs)
        .map(|(&addr, spec)| Worker::start(addr, spec))
        .collect();
    workers.iter_mut().for_each(Worker::settle);
    let samples = served(&catalog, &workers).await;

    // A counter's rate, from the scrapes taken while the workers published.
    let rate = "dynamo_component:engine_prompt_tokens:rate5m";
    let component = catalog.fixed_labels();
    ok(prometheus
        .wait_for("a positive rate", rate, WAIT, |seen| {
            one(seen, component, |rate| rate > 0.0)
        })
        .await);

    // Every gauge rule holds the aggregation of the values the workers stay at.
    let recorded = rules.recorded();
    let expected = expected_gauge_rules(&catalog, &recorded, &samples);
    for op in ["sum", "max", "min", "count", "avg", "ratio"] {
        let wanted = format!(":{op}{{");
        assert!(
            expected.keys().any(|key| key.contains(&wanted)),
            "no `:{op}` rule checked: {expected:#?}"
        );
    }
    let gauges = r#"{__name__=~"dynamo_component:.+:(sum|max|min|count|avg|ratio)"}"#;
    ok(prometheus
        .wait_for("the aggregated values", gauges, WAIT, |seen| {
            matches(seen, &expected)
        })
        .await);

    let present = present(&recorded, &samples);
    let names = r#"count by (__name__) ({__name__=~"(dynamo_component|fleet):.+"})"#;
    ok(prometheus
        .wait_for("every recorded series", names, WAIT, |seen| {
            let seen: BTreeSet<String> = seen
                .iter()
                .filter_map(|s| s.label("__name__").map(str::to_owned))
                .collect();
            if seen == present {
                Ok(())
            } else {
                Err(format!("{seen:#?}\nexpected:\n{present:#?}"))
            }
        })
        .await);
    wait_for_healthy_rules(&prometheus, &rules).await;

    // The hot rank, and it alone, fires KvCacheNearlyFull ..
    let hot = workers.pop().expect("the hot worker");
    let hot_rank = hot.spec.last_rank().to_string();
    let instance = hot.addr().to_string();
    let alert = r#"ALERTS{alertname="KvCacheNearlyFull"}"#;
    ok(prometheus
        .wait_for("KvCacheNearlyFull firing", alert, WAIT, |seen| {
            let firing = [
                ("alertname", "KvCacheNearlyFull"),
                ("alertstate", "firing"),
                ("severity", "warning"),
                ("job", "kvstats"),
                ("instance", &instance),
                ("dp_rank", &hot_rank),
                ("dynamo_namespace", "dynamo"),
                ("dynamo_component", "backend"),
            ];
            one(seen, &firing, |value| value == 1.0)
        })
        .await);

    // .. and resolves once its worker, restarted on the same port without
    // the flag, serves a cache that is not full: the fullest rank now below
    // the threshold, and no alert pending or firing.
    let addr = hot.addr();
    let spec = Spec {
        hot: false,
        ..hot.spec
    };
    let status = hot.process.terminate(WAIT).expect("the hot worker stops");
    assert!(status.success(), "{status}");
    let mut cooled = Worker::start(addr, spec);
    cooled.settle();
    workers.push(cooled);
    let fullest = workers
        .iter()
        .flat_map(|w| &w.last)
        .map(|p| p.gpu_cache_usage_perc)
        .fold(f64::MIN, f64::max);
    assert!(fullest < 0.95, "{fullest}");
    let max = "dynamo_component:kvstats_gpu_cache_usage_percent:max";
    ok(prometheus
        .wait_for("the cooled cache", max, WAIT, |seen| {
            one(seen, component, |value| value == fullest)
        })
        .await);
    ok(prometheus
        .wait_for("KvCacheNearlyFull resolved", alert, WAIT, |seen| {
            if seen.is_empty() {
                Ok(())
            } else {
                Err(format!("{seen:?}"))
            }
        })
        .await);
    stop([prometheus], workers);
}

/// The value of the sample `name` (no label) in a Prometheus server's own
/// exposition.
fn own_metric(exposition: &str, name: &str) -> Option<f64> {
    exposition
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
async fn a_global_prometheus_federates_two_groups_into_the_fleet_without_collisions() {
    let Some((catalog, rules)) = setup() else {
        return;
    };
    let groups = [
        ("a", vec![Spec::new(0, 2, 80), Spec::new(2, 1, 81)]),
        ("b", vec![Spec::new(3, 1, 82).hot()]),
    ];
    // One server per group, with the rules and the label that tells its
    // series from the other group's; then the global one, with the rules,
    // federating what they record (the script's default `match[]`: all but
    // the quantiles, which the global server computes from the federated
    // bucket rates).
    let mut servers = Vec::new();
    for (group, specs) in &groups {
        let addrs: Vec<SocketAddr> = specs.iter().map(|_| free_addr()).collect();
        let server = Options::new()
            .targets(&addrs)
            .rules(&rules.path)
            .external_label("group", group)
            .start()
            .await
            .expect("a group's prometheus starts");
        servers.push((server, addrs));
    }
    let federated: Vec<SocketAddr> = servers.iter().map(|(s, _)| s.addr()).collect();
    let global = Options::new()
        .federate(&federated)
        .rules(&rules.path)
        .start()
        .await
        .expect("the global prometheus starts");
    for (server, addrs) in &servers {
        wait_until_scraping(server, addrs).await;
    }
    let mut workers: Vec<Worker> = servers
        .iter()
        .flat_map(|(_, addrs)| addrs)
        .zip(groups.iter().flat_map(|(_, specs)| specs))
        .map(|(&addr, &spec)| Worker::start(addr, spec))
        .collect();
    workers.iter_mut().for_each(Worker::settle);

    // The fleet: every rank of both groups, the groups' labels dropped.
    let published: Vec<&Published> = workers.iter().flat_map(|w| &w.last).collect();
    let active: f64 = published.iter().map(|p| p.kv_active_blocks as f64).sum();
    let total: f64 = published.iter().map(|p| p.kv_total_blocks as f64).sum();
    let fullest = published
        .iter()
        .map(|p| p.gpu_cache_usage_perc)
        .fold(f64::MIN, f64::max);
    let component = catalog.fixed_labels();
    let exact = [
        ("fleet:kvstats_active_blocks:sum", active),
        (
            "fleet:kvstats_gpu_cache_usage_percent:ratio",
            active / total,
        ),
        ("fleet:kvstats_gpu_cache_usage_percent:max", fullest),
    ];
    for (name, value) in exact {
        ok(global
            .wait_for(name, name, WAIT, |seen| {
                one(seen, component, |v| v == value)
            })
            .await);
    }
    let rate = "fleet:engine_prompt_tokens:rate5m";
    ok(global
        .wait_for(rate, rate, WAIT, |seen| one(seen, component, |v| v > 0.0))
        .await);

    // No federated series collides with another: the global server holds
    // each series every group recorded, as a series of its own with the
    // group's label. (Series that collide would not show in its log or in
    // its counts of refused samples: the groups evaluate at different
    // instants, so their samples interleave in time and merge into one
    // series that flips between the groups' values. Hence the comparison.)
    let recorded = r#"{__name__=~"dynamo_component:.+"}"#;
    let collisions = harness::poll::until("every group's series apart", WAIT, || async {
        let mut expected = BTreeSet::new();
        for ((server, _), (group, _)) in servers.iter().zip(&groups) {
            for mut series in server.query(recorded).await.map_err(|e| e.to_string())? {
                series
                    .labels
                    .insert("group".to_owned(), (*group).to_owned());
                expected.insert(key(&series));
            }
        }
        let mut seen = BTreeSet::new();
        for mut series in global.query(recorded).await.map_err(|e| e.to_string())? {
            // What the global server adds to a federated series (its job, and
            // the instance of a series that has none) tells no series apart.
            series
                .labels
                .retain(|name, _| name != "instance" && name != "job");
            seen.insert(key(&series));
        }
        let every_group = groups.iter().all(|(group, _)| {
            let label = format!("group={group:?}");
            seen.iter().any(|s| s.contains(&label))
        });
        if seen == expected && every_group {
            Ok(())
        } else {
            let extra: Vec<_> = seen.symmetric_difference(&expected).collect();
            Err(format!(
                "{} series, {} expected; differ: {extra:#?}",
                seen.len(),
                expected.len()
            ))
        }
    })
    .await;
    ok(collisions);
    // Nor did the global server refuse a sample on the way.
    let own = http::get(global.addr(), "/metrics")
        .await
        .expect("prometheus answers");
    for refused in [
        "prometheus_target_scrapes_sample_duplicate_timestamp_total",
        "prometheus_target_scrapes_sample_out_of_order_total",
        "prometheus_target_scrapes_sample_out_of_bounds_total",
    ] {
        assert_eq!(own_metric(&own.body, refused), Some(0.0), "{refused}");
    }
    let log = global.log().to_lowercase();
    for said in [
        "duplicate sample",
        "same timestamp",
        "out of order",
        "out-of-order",
        "out of bounds",
    ] {
        assert!(
            !log.contains(said),
            "the global prometheus logged {said:?}:\n{log}"
        );
    }
    wait_for_healthy_rules(&global, &rules).await;
    let servers: Vec<Prometheus> = servers.into_iter().map(|(s, _)| s).collect();
    stop(servers.into_iter().chain([global]), workers);
}
