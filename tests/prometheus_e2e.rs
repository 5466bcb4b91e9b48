//! A real Prometheus server scraping three `worker` processes (ranks 0..2)
//! every second: it sees every series each worker serves (every metric
//! kind), with the values the worker says it published, and every one of
//! its scrapes was answered in OpenMetrics, as the workers count them; it
//! marks a killed worker down while the others keep their series, and takes
//! the worker's series back when it returns on the same port. While workers keep
//! publishing, it answers what users ask: the rate of a token counter, a
//! percentile of the time to first token, series keyed by finish reason and
//! LoRA adapter. Every process started here is gone at the end.
//!
//! Waits are bounded by `WAIT`: Prometheus reads its targets about 5 s
//! after it starts and scrapes each every second, so a minute is plenty
//! and nothing is asserted about how fast it goes.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use harness::exposition;
use harness::http;
use harness::poll;
use harness::processes;
use harness::prometheus::{self, Prometheus, Series};
use harness::worker_process::{worker_binary, WorkerProcess};
use kvstats_core::dynamo::KvStats;
use kvstats_core::{Format, PromGauges};
use simulation::published::Published;
use simulation::stats::{engine, EngineStats, FinishReason, LORA_ADAPTERS};

const WAIT: Duration = Duration::from_secs(60);
const STEPS: u64 = 20;
const JOB: &str = "kvstats";

/// One worker process publishing one rank, `STEPS` times.
struct Worker {
    process: WorkerProcess,
    /// Its last publish, the values it keeps serving.
    last: Published,
}

impl Worker {
    fn start(rank: u32, seed: u64, addr: &str) -> Worker {
        let (rank_arg, seed_arg, steps) = (rank.to_string(), seed.to_string(), STEPS.to_string());
        let args = [
            "--addr",
            addr,
            "--ranks",
            "1",
            "--first-rank",
            &rank_arg,
            "--seed",
            &seed_arg,
            "--steps",
            &steps,
            "--interval-ms",
            "10",
            "--print-published",
        ];
        let process = WorkerProcess::spawn(worker_binary(), &args).expect("the worker starts");
        let mut last = None;
        for seen in 0..STEPS {
            let published = process
                .next_published(WAIT)
                .unwrap_or_else(|| panic!("rank {rank}: only {seen} of {STEPS} publishes printed"));
            last = Some(published);
        }
        let last = last.expect("STEPS > 0");
        assert_eq!((last.rank, last.step), (rank, STEPS));
        Worker { process, last }
    }

    fn addr(&self) -> SocketAddr {
        self.process.addr()
    }
}

/// Series `name{labels}` of target `instance` as Prometheus stores it:
/// with the target's `job` and `instance` labels added.
fn stored<'a>(
    name: &str,
    labels: impl IntoIterator<Item = (&'a str, &'a str)>,
    instance: SocketAddr,
    value: f64,
) -> Series {
    let instance = instance.to_string();
    let mut labels: BTreeMap<String, String> = labels
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    labels.insert("__name__".into(), name.into());
    labels.insert("job".into(), JOB.into());
    labels.insert("instance".into(), instance);
    Series { labels, value }
}

/// The four KV-cache series `worker` serves for its last publish.
fn published_series(worker: &Worker) -> Vec<Series> {
    let rank = worker.last.rank.to_string();
    let labels = [
        ("dp_rank", rank.as_str()),
        ("dynamo_component", "backend"),
        ("dynamo_namespace", "dynamo"),
    ];
    worker
        .last
        .metrics()
        .into_iter()
        .map(|(name, value)| {
            let name = format!("dynamo_component_{name}");
            stored(&name, labels, worker.addr(), value)
        })
        .collect()
}

/// The selector of the KV-cache metrics, the ones the worker's
/// `published` line carries.
fn kv_metrics_selector() -> String {
    let names: Vec<String> = KvStats::METRICS
        .iter()
        .map(|metric| format!("dynamo_component_{}", metric.name))
        .collect();
    format!("{{__name__=~\"{}\"}}", names.join("|"))
}

/// Series as sorted lines `name{label="value",..} value`: whole lines to
/// compare, and to read in a failure message. `{:?}` prints the shortest
/// text that reads back as the same `f64`, so equal lines mean equal bits.
/// A bucket's `le` is written the same way: Prometheus may store the bound
/// a scrape spelled `1` as `1.0` (3.x does), and the bound is what counts.
fn lines(series: &[Series]) -> Vec<String> {
    let mut lines: Vec<String> = series
        .iter()
        .map(|s| {
            let name = s.label("__name__").unwrap_or_default().to_owned();
            let labels: Vec<String> = s
                .labels
                .iter()
                .filter(|(key, _)| *key != "__name__")
                .map(|(key, value)| match value.parse::<f64>() {
                    Ok(bound) if key == "le" => format!("{key}=\"{bound:?}\""),
                    _ => format!("{key}={value:?}"),
                })
                .collect();
            format!("{name}{{{}}} {:?}", labels.join(","), s.value)
        })
        .collect();
    lines.sort();
    lines
}

/// Waits until `expr` evaluates to exactly `expected` (labels and values).
async fn wait_for_series(prometheus: &Prometheus, what: &str, expr: &str, expected: Vec<Series>) {
    let expected = lines(&expected);
    wait_for_query(prometheus, what, expr, |seen| {
        let seen = lines(seen);
        if seen == expected {
            Ok(())
        } else {
            Err(format!(
                "\n{}\nexpected:\n{}",
                seen.join("\n"),
                expected.join("\n")
            ))
        }
    })
    .await;
}

/// Waits until what `expr` evaluates to passes `check`.
async fn wait_for_query(
    prometheus: &Prometheus,
    what: &str,
    expr: &str,
    check: impl Fn(&[Series]) -> Result<(), String>,
) {
    if let Err(e) = prometheus.wait_for(what, expr, WAIT, check).await {
        panic!("{e}");
    }
}

/// Every series a direct scrape of `worker` in `format` (uncompressed)
/// shows, as Prometheus would store it.
async fn scraped_series(worker: &Worker, format: Format) -> Vec<Series> {
    let accept = ("accept", http::accept(format));
    let response = http::get_with(worker.addr(), "/metrics", &[accept])
        .await
        .expect("the worker answers");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some(format.content_type()));
    let samples =
        exposition::parse_published_as(&response.body, format).expect("the scrape parses");
    samples
        .iter()
        .map(|sample| {
            let labels = sample.labels.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            stored(&sample.name, labels, worker.addr(), sample.value)
        })
        .collect()
}

/// Three workers (ranks 0..2, seeds `first_seed..`) and a Prometheus server
/// scraping them, once every target is up and Prometheus holds the values
/// each published.
struct Cluster {
    runtime: tokio::runtime::Runtime,
    prometheus: Prometheus,
    workers: Vec<Worker>,
}

impl Cluster {
    fn start(first_seed: u64) -> Cluster {
        let workers: Vec<Worker> = (0..3)
            .map(|rank| Worker::start(rank, first_seed + u64::from(rank), "127.0.0.1:0"))
            .collect();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let prometheus = runtime
            .block_on(Prometheus::start(&Self::addrs(&workers)))
            .expect("prometheus starts");
        let cluster = Cluster {
            runtime,
            prometheus,
            workers,
        };
        cluster.wait_for_published();
        cluster
    }

    fn addrs(workers: &[Worker]) -> Vec<SocketAddr> {
        workers.iter().map(Worker::addr).collect()
    }

    /// Waits until every worker's target is up and Prometheus holds the
    /// values each last published (and nothing of a worker not in the list).
    fn wait_for_published(&self) {
        let prometheus = &self.prometheus;
        self.runtime.block_on(async {
            for addr in Self::addrs(&self.workers) {
                wait_for_up(prometheus, addr, 1.0).await;
            }
            let published = self.workers.iter().flat_map(published_series).collect();
            wait_for_series(
                prometheus,
                "the published values",
                &kv_metrics_selector(),
                published,
            )
            .await;
        });
    }

    fn stop(self) {
        stop(self.prometheus, self.workers.into_iter().map(|w| w.process));
    }
}

/// Stops Prometheus and the workers the way their managers would
/// (SIGTERM), then checks that none of their processes is left.
fn stop(prometheus: Prometheus, workers: impl IntoIterator<Item = WorkerProcess>) {
    let mut pids = vec![prometheus.pid()];
    let dir = prometheus.dir().to_string_lossy().into_owned();
    let status = prometheus.stop().expect("prometheus stops");
    assert!(status.success(), "prometheus exited with {status}");
    for worker in workers {
        pids.push(worker.pid());
        let status = worker.terminate(WAIT).expect("the worker stops");
        assert!(status.success(), "a worker exited with {status}");
    }
    let left: Vec<u32> = pids
        .into_iter()
        .filter(|&pid| processes::exists(pid))
        .collect();
    assert_eq!(left, Vec::<u32>::new(), "processes left behind");
    assert_eq!(
        processes::mentioning(&dir),
        Vec::<u32>::new(),
        "processes still using {dir}"
    );
}

/// Waits until Prometheus reports target `addr` up (`value` 1) or down (0),
/// both in its target list and as the series `up`.
async fn wait_for_up(prometheus: &Prometheus, addr: SocketAddr, value: f64) {
    let health = if value == 1.0 { "up" } else { "down" };
    let instance = addr.to_string();
    let result = poll::until("the target's health", WAIT, || async {
        let targets = prometheus.targets().await.map_err(|e| e.to_string())?;
        match targets.iter().find(|t| t.instance == instance) {
            Some(target) if target.health == health => Ok(()),
            _ => Err(format!("{targets:?}")),
        }
    })
    .await;
    if let Err(e) = result {
        panic!("{e}\nprometheus log:\n{}", prometheus.log());
    }
    let expr = format!("up{{instance=\"{instance}\"}}");
    wait_for_series(prometheus, "up", &expr, vec![stored("up", [], addr, value)]).await;
}

#[test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
fn prometheus_stores_what_each_rank_published() {
    if !prometheus::required() {
        return;
    }
    let cluster = Cluster::start(40);
    // Every other series too (worker and speculative-decoding stats, per
    // position): what Prometheus holds is what the worker serves, in either
    // format (the workers have stopped publishing).
    cluster.runtime.block_on(async {
        for worker in &cluster.workers {
            let expr = format!(
                "{{job=\"{JOB}\",instance=\"{}\",__name__=~\"dynamo_.+\",\
                 __name__!~\".+kvstats_scrapes_total\"}}",
                worker.addr()
            );
            for format in [Format::Text, Format::OpenMetrics] {
                let served = scraped_series(worker, format).await;
                wait_for_series(&cluster.prometheus, "every served series", &expr, served).await;
            }
        }
        for worker in &cluster.workers {
            wait_for_scrapes_in_openmetrics(&cluster.prometheus, worker.addr()).await;
        }
    });
    cluster.stop();
}

/// Waits until the scrape counter Prometheus stored for the worker at
/// `addr` says, at its latest scrape, that every one of Prometheus' earlier
/// scrapes was answered in OpenMetrics, gzipped (what Prometheus asks for),
/// and that the only other scrapes were the test's own two: one in each
/// format, uncompressed.
///
/// Both numbers come from one query, so from the same stored scrapes:
/// Prometheus stores a sample of `up` per scrape, and a scrape carries the
/// count of the scrapes answered before it, so after `n` scrapes the
/// latest counts `n - 1` of Prometheus'.
async fn wait_for_scrapes_in_openmetrics(prometheus: &Prometheus, addr: SocketAddr) {
    let instance = format!("instance=\"{addr}\"");
    let expr = format!(
        "{{__name__=~\".+kvstats_scrapes_total\",{instance}}} or count_over_time(up{{{instance}}}[1h])"
    );
    wait_for_query(prometheus, "scrapes by format", &expr, |seen| {
        let mut scrapes = 0.0;
        let mut answered = Vec::new();
        for series in seen {
            match (series.label("format"), series.label("encoding")) {
                (Some(format), Some(encoding)) => {
                    answered.push(format!("{format} {encoding} {}", series.value));
                }
                _ => scrapes = series.value,
            }
        }
        answered.sort();
        let expected = [
            format!("openmetrics gzip {}", scrapes - 1.0),
            "openmetrics identity 1".to_owned(),
            "text identity 1".to_owned(),
        ];
        if scrapes >= 2.0 && answered == expected {
            Ok(())
        } else {
            Err(format!(
                "{scrapes} scrapes stored; answered {answered:?}, expected {expected:?}"
            ))
        }
    })
    .await;
}

#[test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
fn a_killed_worker_is_marked_down_and_its_series_resume_on_restart() {
    if !prometheus::required() {
        return;
    }
    let mut cluster = Cluster::start(50);

    // SIGKILL, as a crash: no goodbye to Prometheus.
    let victim = cluster.workers.remove(1);
    let (victim_addr, victim_pid, victim_last) = (victim.addr(), victim.process.pid(), victim.last);
    drop(victim);
    assert!(!processes::exists(victim_pid));
    cluster
        .runtime
        .block_on(wait_for_up(&cluster.prometheus, victim_addr, 0.0));
    // The killed rank's series are gone (marked stale), the others' stay.
    cluster.wait_for_published();

    // Back on the same port, with another seed: the series that resume carry
    // the new worker's values, not the old ones.
    let restarted = Worker::start(1, 77, &victim_addr.to_string());
    assert_eq!(restarted.addr(), victim_addr);
    assert_ne!(restarted.last.metrics(), victim_last.metrics());
    cluster.workers.insert(1, restarted);
    cluster.wait_for_published();
    cluster.stop();
}

/// The full name of an engine metric, as the worker's registry exports it.
fn full(name: &str) -> String {
    format!("dynamo_component_{name}")
}

/// `Ok` when `seen` has one series per rank (0, 1, 2) and every value passes `ok`.
fn one_per_rank(seen: &[Series], ok: impl Fn(f64) -> bool) -> Result<(), String> {
    let mut ranks: Vec<(&str, f64)> = seen
        .iter()
        .map(|s| (s.label("dp_rank").unwrap_or("none"), s.value))
        .collect();
    ranks.sort_by(|a, b| a.0.cmp(b.0));
    let names: Vec<&str> = ranks.iter().map(|(rank, _)| *rank).collect();
    if names == ["0", "1", "2"] && ranks.iter().all(|&(_, value)| ok(value)) {
        Ok(())
    } else {
        Err(format!("{ranks:?}"))
    }
}

/// `Ok` when the values of `label` in `seen` are `keys` (in any order),
/// each series counting `count`.
fn keyed(seen: &[Series], label: &str, keys: &[&str], count: f64) -> Result<(), String> {
    let mut seen: Vec<(&str, f64)> = seen
        .iter()
        .map(|s| (s.label(label).unwrap_or("none"), s.value))
        .collect();
    seen.sort_by(|a, b| a.0.cmp(b.0));
    let mut expected: Vec<(&str, f64)> = keys.iter().map(|&key| (key, count)).collect();
    expected.sort_by(|a, b| a.0.cmp(b.0));
    if seen == expected {
        Ok(())
    } else {
        Err(format!("{seen:?}, expected {expected:?}"))
    }
}

/// What users ask of an engine's metrics, asked of three workers that keep
/// publishing (every 50 ms, no `--steps`) while Prometheus scrapes them:
/// the rate of a counter fed by per-step deltas, a percentile and a mean of
/// a histogram, and series keyed by finish reason and by LoRA adapter.
#[test]
#[cfg_attr(kvstats_skip_prometheus, ignore = "KVSTATS_SKIP_PROMETHEUS=1")]
fn prometheus_answers_what_users_ask_of_running_engines() {
    if !prometheus::required() {
        return;
    }
    let workers: Vec<WorkerProcess> = (0..3u32)
        .map(|rank| {
            let (rank, seed) = (rank.to_string(), (60 + rank).to_string());
            let args = [
                "--addr",
                "127.0.0.1:0",
                "--first-rank",
                &rank,
                "--seed",
                &seed,
                "--interval-ms",
                "50",
            ];
            WorkerProcess::spawn(worker_binary(), &args).expect("the worker starts")
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let addrs: Vec<SocketAddr> = workers.iter().map(WorkerProcess::addr).collect();
    let prometheus = runtime
        .block_on(Prometheus::start(&addrs))
        .expect("prometheus starts");
    let top = EngineStats::METRICS
        .iter()
        .find(|m| m.name == engine::TIME_TO_FIRST_TOKEN_SECONDS)
        .and_then(|m| m.buckets.last().copied())
        .expect("the histogram's last bucket");

    let ttft = full(engine::TIME_TO_FIRST_TOKEN_SECONDS);
    let reasons = FinishReason::ALL.map(FinishReason::as_str);
    type Check<'a> = Box<dyn Fn(&[Series]) -> Result<(), String> + 'a>;
    let questions: [(&str, String, Check); 5] = [
        // The counter keeps going up on every rank.
        (
            "prompt tokens per second",
            format!("rate({}[5s])", full(engine::PROMPT_TOKENS_TOTAL)),
            Box::new(|seen| one_per_rank(seen, |rate| rate > 0.0)),
        ),
        // An estimate within the histogram's buckets, neither NaN (no
        // observation) nor past the last bound.
        (
            "p90 time to first token",
            format!("histogram_quantile(0.9, sum by (dp_rank, le) (rate({ttft}_bucket[5s])))"),
            Box::new(|seen| one_per_rank(seen, |p90| p90 > 0.0 && p90 <= top)),
        ),
        (
            "mean time to first token",
            format!(
                "sum by (dp_rank) (rate({ttft}_sum[5s])) / sum by (dp_rank) (rate({ttft}_count[5s]))"
            ),
            Box::new(|seen| one_per_rank(seen, |mean| mean > 0.0 && mean <= top)),
        ),
        // Keyed series carry their keys, on each of the three ranks.
        (
            "finish reasons",
            format!(
                "count by (finished_reason) ({})",
                full(engine::FINISHED_REQUESTS_TOTAL)
            ),
            Box::new(|seen| keyed(seen, "finished_reason", &reasons, 3.0)),
        ),
        (
            "LoRA adapters",
            format!(
                "count by (lora_adapter) ({})",
                full(engine::LORA_REQUESTS_RUNNING)
            ),
            Box::new(|seen| keyed(seen, "lora_adapter", &LORA_ADAPTERS, 3.0)),
        ),
    ];
    runtime.block_on(async {
        for (what, expr, check) in &questions {
            wait_for_query(&prometheus, what, expr, check).await;
        }
    });
    stop(prometheus, workers);
}
