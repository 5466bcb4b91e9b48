//! The metric kinds other than gauges, each against what one writes by hand
//! with the `prometheus` crate, measured in the same run:
//!
//! 1. counters: `update_from` of 8 running totals (`#[prom(counter)]`), of 8
//!    per-update amounts (`#[prom(counter, delta)]`) and of both, against
//!    `prometheus::IntCounter::inc_by`, `prometheus::Counter::inc_by` and raw
//!    relaxed atomics (a store per total, a `fetch_add` per amount);
//! 2. a histogram of 12 buckets fed 16 observations per update, against
//!    `prometheus::Histogram::observe` of the same values;
//! 3. the scrape of 1,000 such histograms (1,000 `dp_rank`s), against
//!    `gather()` + `TextEncoder` of a `HistogramVec` holding the same
//!    observations (both expositions are first checked to hold the same
//!    sample lines);
//! 4. a keyed counter of 8 keys, all seen before, against
//!    `IntCounterVec::with_label_values(..).inc_by(..)`.
//!
//! A prometheus counter cannot be set, so the hand-written containers bring a
//! counter to a running total with `inc_by(total - get())`, the idiom for it.
//!
//! `cargo bench --bench kinds`; the ratios are printed at the end.

mod support;

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use kvstats_core::{MetricDef, PromGauges, Registered, Registry};
use prometheus::{
    Counter, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts,
};
use support::*;

type Group<'a> = BenchmarkGroup<'a, WallTime>;

/// Counters of each kind in the counter benchmarks.
const N: usize = 8;
/// Histograms in the scrape benchmark.
const RANKS: usize = 1_000;

/// Running totals, as an engine keeps them since it started.
#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "totals")]
struct Totals {
    /// Prompt tokens processed
    #[prom(counter)]
    prompt_tokens: u64,
    /// Generation tokens produced
    #[prom(counter)]
    generation_tokens: u64,
    /// Requests received
    #[prom(counter)]
    requests: u64,
    /// Requests finished
    #[prom(counter)]
    finished: u64,
    /// Preemptions
    #[prom(counter)]
    preemptions: u64,
    /// Prefix cache queries, in tokens
    #[prom(counter)]
    prefix_cache_queries: u64,
    /// Prefix cache hits, in tokens
    #[prom(counter)]
    prefix_cache_hits: u64,
    /// Drafts proposed
    #[prom(counter)]
    drafts: u64,
}

/// The amounts of one engine step.
#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "deltas")]
struct Deltas {
    /// Prompt tokens processed
    #[prom(counter, delta)]
    prompt_tokens: u64,
    /// Generation tokens produced
    #[prom(counter, delta)]
    generation_tokens: u64,
    /// Requests received
    #[prom(counter, delta)]
    requests: u64,
    /// Requests finished
    #[prom(counter, delta)]
    finished: u64,
    /// Preemptions
    #[prom(counter, delta)]
    preemptions: u64,
    /// Prefix cache queries, in tokens
    #[prom(counter, delta)]
    prefix_cache_queries: u64,
    /// Prefix cache hits, in tokens
    #[prom(counter, delta)]
    prefix_cache_hits: u64,
    /// Drafts proposed
    #[prom(counter, delta)]
    drafts: u64,
}

/// `N` totals and `N` amounts in one update.
#[derive(Debug, Default, PromGauges)]
struct Both {
    #[prom(flatten)]
    totals: Totals,
    #[prom(flatten)]
    deltas: Deltas,
}

/// The fields of [`Totals`] or [`Deltas`] in declaration order, for the
/// hand-written containers.
macro_rules! values {
    ($s:expr) => {{
        let s = $s;
        [
            s.prompt_tokens,
            s.generation_tokens,
            s.requests,
            s.finished,
            s.preemptions,
            s.prefix_cache_queries,
            s.prefix_cache_hits,
            s.drafts,
        ]
    }};
}

fn both() -> Both {
    let totals = Totals {
        prompt_tokens: 1_234_567,
        generation_tokens: 7_654_321,
        requests: 4_242,
        finished: 4_200,
        preemptions: 17,
        prefix_cache_queries: 900_000,
        prefix_cache_hits: 600_000,
        drafts: 12_000,
    };
    let deltas = Deltas {
        prompt_tokens: 2_048,
        generation_tokens: 64,
        requests: 3,
        finished: 2,
        preemptions: 0,
        prefix_cache_queries: 2_048,
        prefix_cache_hits: 1_536,
        drafts: 16,
    };
    Both { totals, deltas }
}

/// A prometheus counter, as a hand-written container drives it.
trait HandCounter {
    fn new(name: &str) -> Self;
    /// Adds one update's amount.
    fn add(&self, amount: u64);
    /// Brings the counter to a running total (a smaller one is a reset).
    fn advance_to(&self, total: u64);
}

impl HandCounter for IntCounter {
    fn new(name: &str) -> Self {
        IntCounter::new(name, "help").expect("valid counter")
    }

    #[inline]
    fn add(&self, amount: u64) {
        self.inc_by(amount);
    }

    #[inline]
    fn advance_to(&self, total: u64) {
        let now = self.get();
        if total >= now {
            self.inc_by(total - now);
        } else {
            self.reset();
            self.inc_by(total);
        }
    }
}

impl HandCounter for Counter {
    fn new(name: &str) -> Self {
        Counter::new(name, "help").expect("valid counter")
    }

    #[inline]
    fn add(&self, amount: u64) {
        self.inc_by(amount as f64);
    }

    #[inline]
    fn advance_to(&self, total: u64) {
        let (now, total) = (self.get(), total as f64);
        if total >= now {
            self.inc_by(total - now);
        } else {
            self.reset();
            self.inc_by(total);
        }
    }
}

/// One contender of the counter benchmarks: how it writes each part of [`Both`].
trait Counters {
    fn totals(&self, s: &Totals);
    fn deltas(&self, s: &Deltas);
    fn both(&self, s: &Both) {
        self.totals(&s.totals);
        self.deltas(&s.deltas);
    }
}

/// kvstats: a registered container per part.
struct Ours {
    totals: Registered<TotalsGauges>,
    deltas: Registered<DeltasGauges>,
    both: Registered<BothGauges>,
}

impl Counters for Ours {
    #[inline]
    fn totals(&self, s: &Totals) {
        self.totals.update_from(s);
    }

    #[inline]
    fn deltas(&self, s: &Deltas) {
        self.deltas.update_from(s);
    }

    #[inline]
    fn both(&self, s: &Both) {
        self.both.update_from(s);
    }
}

/// The hand-written container: a prometheus counter per field.
struct HandCounters<C> {
    totals: [C; N],
    deltas: [C; N],
}

impl<C: HandCounter> HandCounters<C> {
    fn new() -> Self {
        HandCounters {
            totals: std::array::from_fn(|i| C::new(&format!("total_{i}"))),
            deltas: std::array::from_fn(|i| C::new(&format!("delta_{i}"))),
        }
    }
}

impl<C: HandCounter> Counters for HandCounters<C> {
    #[inline]
    fn totals(&self, s: &Totals) {
        for (c, v) in self.totals.iter().zip(values!(s)) {
            c.advance_to(v);
        }
    }

    #[inline]
    fn deltas(&self, s: &Deltas) {
        for (c, v) in self.deltas.iter().zip(values!(s)) {
            c.add(v);
        }
    }
}

/// The physical limit: a relaxed store per total, a relaxed `fetch_add` per
/// amount.
#[derive(Default)]
struct RawCounters {
    totals: [AtomicU64; N],
    deltas: [AtomicU64; N],
}

impl Counters for RawCounters {
    #[inline]
    fn totals(&self, s: &Totals) {
        for (c, v) in self.totals.iter().zip(values!(s)) {
            c.store(v, Relaxed);
        }
    }

    #[inline]
    fn deltas(&self, s: &Deltas) {
        for (c, v) in self.deltas.iter().zip(values!(s)) {
            c.fetch_add(v, Relaxed);
        }
    }
}

/// What one counter benchmark updates: its group.
#[derive(Clone, Copy)]
enum Part {
    Totals,
    Deltas,
    Both,
}

impl Part {
    const ALL: [Part; 3] = [Part::Totals, Part::Deltas, Part::Both];

    fn group(self) -> &'static str {
        match self {
            Part::Totals => "counters_8_totals",
            Part::Deltas => "counters_8_deltas",
            Part::Both => "counters_8_totals_8_deltas",
        }
    }

    #[inline(always)]
    fn update(self, counters: &impl Counters, s: &Both) {
        match self {
            Part::Totals => counters.totals(&s.totals),
            Part::Deltas => counters.deltas(&s.deltas),
            Part::Both => counters.both(s),
        }
    }

    fn bench(self, g: &mut Group<'_>, name: &str, counters: &impl Counters, s: &Both) {
        g.bench_function(name, |b| b.iter(|| self.update(counters, black_box(s))));
    }
}

const COUNTER_CONTENDERS: [&str; 3] = [
    "prometheus_int_counter",
    "prometheus_counter",
    "raw_atomics",
];

fn counters(c: &mut Criterion) {
    let stats = both();
    let (_registry, component) = harness::fixtures::backend();
    // `Both` holds the same metrics, so every registration has a `dp_rank`.
    let rank = |r| [("dp_rank", r)];
    let ours = Ours {
        totals: TotalsGauges::register_with_labels(&component, &rank("0")).unwrap(),
        deltas: DeltasGauges::register_with_labels(&component, &rank("0")).unwrap(),
        both: BothGauges::register_with_labels(&component, &rank("1")).unwrap(),
    };
    let int = HandCounters::<IntCounter>::new();
    let float = HandCounters::<Counter>::new();
    let raw = RawCounters::default();
    for part in Part::ALL {
        let mut g = group(c, part.group());
        part.bench(&mut g, "kvstats", &ours, &stats);
        part.bench(&mut g, COUNTER_CONTENDERS[0], &int, &stats);
        part.bench(&mut g, COUNTER_CONTENDERS[1], &float, &stats);
        part.bench(&mut g, COUNTER_CONTENDERS[2], &raw, &stats);
        g.finish();
    }
}

/// One step's observations for a histogram of 12 buckets.
#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "step")]
struct Step {
    /// Time to first token of the requests that got their first token this step
    #[prom(
        histogram(buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
        unit = "seconds"
    )]
    time_to_first_token: Vec<f64>,
}

/// The histogram's definition: its name, help and bounds.
const STEP: &MetricDef = &Step::METRICS[0];

/// 16 observations, every bucket hit (`+Inf` too), in no order.
const OBSERVED: [f64; 16] = [
    0.2, 0.0004, 3.0, 0.03, 0.007, 12.0, 0.4, 0.003, 0.08, 0.9, 0.02, 7.0, 0.04, 1.7, 0.3, 0.06,
];

fn histogram(c: &mut Criterion) {
    let step = Step {
        time_to_first_token: OBSERVED.to_vec(),
    };
    let (_registry, component) = harness::fixtures::backend();
    let ours = StepGauges::register(&component).unwrap();
    let theirs = Histogram::with_opts(
        HistogramOpts::new(STEP.name, STEP.help).buckets(STEP.buckets.to_vec()),
    )
    .unwrap();

    let mut g = group(c, "histogram_16_observations");
    g.bench_function("kvstats", |b| b.iter(|| ours.update_from(black_box(&step))));
    g.bench_function("prometheus_histogram", |b| {
        b.iter(|| {
            for v in &black_box(&step).time_to_first_token {
                theirs.observe(*v);
            }
        })
    });
    g.finish();
}

/// What rank `rank` observed, on both sides of the scrape benchmark.
fn observed_by(rank: usize) -> Vec<f64> {
    let scale = (1 + rank % 7) as f64 / 4.0;
    OBSERVED[..4 + rank % 9].iter().map(|v| v * scale).collect()
}

/// `RANKS` histograms with the same observations: ours, and a `HistogramVec`
/// labelled like ours on a `prometheus::Registry`.
fn histograms() -> (Registry, prometheus::Registry, Vec<Registered<StepGauges>>) {
    let (ours, component) = harness::fixtures::backend();
    let labels = HashMap::from([
        ("dynamo_namespace".to_owned(), "dynamo".to_owned()),
        ("dynamo_component".to_owned(), "backend".to_owned()),
    ]);
    let vec = HistogramVec::new(
        HistogramOpts::new(format!("dynamo_component_{}", STEP.name), STEP.help)
            .const_labels(labels)
            .buckets(STEP.buckets.to_vec()),
        &["dp_rank"],
    )
    .unwrap();
    let theirs = prometheus::Registry::new();
    theirs.register(Box::new(vec.clone())).unwrap();
    let kept = (0..RANKS)
        .map(|rank| {
            let label = rank.to_string();
            let step = Step {
                time_to_first_token: observed_by(rank),
            };
            let gauges =
                StepGauges::register_with_labels(&component, &[("dp_rank", &label)]).unwrap();
            gauges.update_from(&step);
            let hand = vec.with_label_values(&[label.as_str()]);
            for v in &step.time_to_first_token {
                hand.observe(*v);
            }
            gauges
        })
        .collect();
    (ours, theirs, kept)
}

/// Both expositions hold the same histogram sample lines, byte for byte
/// (kvstats adds its own `kvstats_values_dropped_total`, left out here).
fn assert_same_samples(ours: &Registry, theirs: &prometheus::Registry) {
    let ours = ours.prometheus_text().unwrap();
    let theirs = prometheus::TextEncoder::new()
        .encode_to_string(&theirs.gather())
        .unwrap();
    let name = format!("dynamo_component_{}", STEP.name);
    let ours: Vec<&str> = harness::exposition::sample_lines(&ours)
        .into_iter()
        .filter(|l| l.starts_with(&name))
        .collect();
    let theirs = harness::exposition::sample_lines(&theirs);
    assert_eq!(
        ours.len(),
        RANKS * (STEP.buckets.len() + 3),
        "kvstats sample lines"
    );
    assert_eq!(ours, theirs, "both sides must render the same sample lines");
    println!(
        "{RANKS} histograms: both render the same {} sample lines",
        ours.len()
    );
}

fn scrape(c: &mut Criterion) {
    let (ours, theirs, _kept) = histograms();
    assert_same_samples(&ours, &theirs);
    let encoder = prometheus::TextEncoder::new();
    let mut g = group(c, "scrape_1000_histograms");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.bench_function("kvstats", |b| {
        b.iter(|| black_box(ours.prometheus_text().unwrap()))
    });
    g.bench_function("gather_text_encoder", |b| {
        b.iter(|| black_box(encoder.encode_to_string(&theirs.gather()).unwrap()))
    });
    g.finish();
}

/// Requests finished in one step, by reason.
#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "requests")]
struct Finished {
    /// Requests finished, by reason
    #[prom(counter, delta, label = "finished_reason")]
    finished: HashMap<&'static str, u64>,
}

const REASONS: [&str; 8] = [
    "stop",
    "length",
    "abort",
    "error",
    "timeout",
    "cancelled",
    "tool_call",
    "content_filter",
];

fn keyed(c: &mut Criterion) {
    let step = Finished {
        finished: REASONS.iter().zip(1..).map(|(k, v)| (*k, v)).collect(),
    };
    let (_registry, component) = harness::fixtures::backend();
    let ours = FinishedGauges::register(&component).unwrap();
    let theirs = IntCounterVec::new(
        Opts::new("requests_finished_total", "help"),
        &["finished_reason"],
    )
    .unwrap();
    // Every key seen before.
    ours.update_from(&step);
    for key in REASONS {
        theirs.with_label_values(&[key]).inc_by(0);
    }

    let mut g = group(c, "keyed_8_keys_seen");
    g.bench_function("kvstats", |b| b.iter(|| ours.update_from(black_box(&step))));
    g.bench_function("int_counter_vec", |b| {
        b.iter(|| {
            for (key, v) in &black_box(&step).finished {
                theirs.with_label_values(&[*key]).inc_by(*v);
            }
        })
    });
    g.finish();
}

/// A group with this benchmark's timing: short, so the binary stays within
/// about two minutes on a 2-core machine.
fn group<'a>(c: &'a mut Criterion, name: &str) -> Group<'a> {
    let mut g = c.benchmark_group(name);
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    g
}

fn main() {
    let mut c = Criterion::default()
        .output_directory(&criterion_dir())
        .configure_from_args();
    counters(&mut c);
    histogram(&mut c);
    scrape(&mut c);
    keyed(&mut c);
    c.final_summary();
    for part in Part::ALL {
        print_ratios(part.group(), "kvstats", &COUNTER_CONTENDERS);
    }
    print_ratios(
        "histogram_16_observations",
        "kvstats",
        &["prometheus_histogram"],
    );
    if let (Some(ours), Some(theirs)) = (
        median_ns("histogram_16_observations", "kvstats"),
        median_ns("histogram_16_observations", "prometheus_histogram"),
    ) {
        let n = OBSERVED.len() as f64;
        println!(
            "  per observation: kvstats {:.2} ns, prometheus_histogram {:.2} ns",
            ours / n,
            theirs / n
        );
    }
    print_ratios(
        "scrape_1000_histograms",
        "kvstats",
        &["gather_text_encoder"],
    );
    print_ratios("keyed_8_keys_seen", "kvstats", &["int_counter_vec"]);
}
