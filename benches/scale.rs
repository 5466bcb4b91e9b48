//! kvstats against its peer crates at scale, in one run, on the same series:
//! the 4 KvStats gauges of 250 and 2,500 data-parallel ranks (1,000 and
//! 10,000 series), each crate used the way it is meant to be (see
//! `peers/`). Before anything is timed, every crate's exposition is read
//! back and must hold the very same series with the same values.
//!
//! The ranks are `dp_rank` 0, 1, 2, ...
//!
//! 1. heap bytes per series: what a setup allocates and keeps (a counting
//!    allocator, not timed);
//! 2. registration: 10,000 series from empty, per crate (wall time, median
//!    of a few runs: one kvstats run takes seconds), and the cost of one
//!    kvstats registration against how many are already registered;
//! 3. rendering 1,000 and 10,000 series (criterion), per series and as
//!    ratios.
//!
//! The update hot path is `benches/update_from.rs`.
//!
//! `cargo bench --bench scale`; the tables are printed as they are measured,
//! the render ratios at the end.

mod peers;
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use peers::ours::Kvstats;
use peers::{Render, CONTENDERS};
use support::*;

#[global_allocator]
static HEAP: harness::heap::Counting = harness::heap::Counting;

/// Series per rank: the 4 KvStats gauges.
const PER_RANK: usize = 4;
/// The sizes compared, in series.
const SIZES: [usize; 2] = [1_000, 10_000];
/// How many kvstats groups the cost of one registration is followed up to.
const GROUPS: usize = 10_000;
/// The registrations whose cost is reported (1-based).
const NTH: [usize; 7] = [1, 10, 100, 1_000, 2_500, 5_000, 10_000];

/// Every contender's setup at one size, in `CONTENDERS` order.
struct Setups {
    series: usize,
    ranks: Vec<usize>,
    built: Vec<Box<dyn Render>>,
}

fn main() {
    let mut c = short_criterion();
    for contender in &CONTENDERS {
        println!("{:<20} {}", contender.name, contender.idiom);
    }
    let setups = SIZES.map(build_measuring_heap);
    for s in &setups {
        assert_same_series(s);
    }
    registration_from_empty(&setups[1].ranks);
    one_registration_by_rank();
    for s in &setups {
        render(&mut c, s);
    }
    c.final_summary();
    report_render();
}

/// The ranks of `series` series.
fn ranks(series: usize) -> Vec<usize> {
    (0..series / PER_RANK).collect()
}

/// Builds every contender at `series`, printing the heap bytes each keeps.
fn build_measuring_heap(series: usize) -> Setups {
    let ranks = ranks(series);
    println!("\nheap bytes kept per series, {series} series (requested sizes, net of frees)");
    let mut built = Vec::new();
    let mut ours_bytes = 0.0;
    for contender in &CONTENDERS {
        let (setup, usage) = harness::heap::measure(|| (contender.setup)(&ranks));
        let bytes = usage.retained;
        let per_series = bytes as f64 / series as f64;
        if built.is_empty() {
            ours_bytes = per_series;
        }
        println!(
            "  {:<20} {per_series:>8.1} B   kvstats / this = {:>5.2}x",
            contender.name,
            ours_bytes / per_series
        );
        built.push(setup);
    }
    Setups {
        series,
        ranks,
        built,
    }
}

/// The series of one exposition and their values, sorted by series.
fn samples(setup: &dyn Render) -> Vec<(String, f64)> {
    let text = setup.render();
    let text = std::str::from_utf8((*text).as_ref()).expect("UTF-8 exposition");
    let samples = harness::exposition::parse(text).expect("a valid exposition");
    let mut samples: Vec<_> = samples.iter().map(|s| (s.series(), s.value)).collect();
    samples.sort_by(|a, b| a.0.cmp(&b.0));
    samples
}

/// Every contender renders exactly kvstats' series, with the same values
/// (however each crate formats them).
fn assert_same_series(setups: &Setups) {
    let ours = samples(&*setups.built[0]);
    assert_eq!(ours.len(), setups.series, "kvstats sample lines");
    for (contender, setup) in CONTENDERS.iter().zip(&setups.built).skip(1) {
        let theirs = samples(&**setup);
        assert_eq!(
            theirs.len(),
            setups.series,
            "{} sample lines",
            contender.name
        );
        if let Some((a, b)) = ours.iter().zip(&theirs).find(|(a, b)| a != b) {
            panic!(
                "{} renders {b:?} where kvstats renders {a:?}",
                contender.name
            );
        }
    }
    println!(
        "{} series: every contender renders the same {} sample lines",
        setups.series, setups.series
    );
}

/// Wall time of each contender's setup of the series of `ranks` from
/// empty: at least 3 runs, more for the fast ones (up to 1 s or 50 runs).
fn registration_from_empty(ranks: &[usize]) {
    let series = ranks.len() * PER_RANK;
    println!(
        "\nregistration of {series} series ({} ranks) from empty, each set once; median of the runs",
        ranks.len()
    );
    let mut ours = Duration::ZERO;
    for contender in &CONTENDERS {
        let mut times = Vec::new();
        while times.len() < 3
            || (times.iter().sum::<Duration>() < Duration::from_secs(1) && times.len() < 50)
        {
            let start = Instant::now();
            let built = (contender.setup)(ranks);
            times.push(start.elapsed());
            drop(built);
        }
        times.sort();
        let median = times[times.len() / 2];
        if ours.is_zero() {
            ours = median;
        }
        println!(
            "  {:<20} {:>10.3} ms  {:>9.1} ns/series  min {:>10.3} ms  {:>2} runs  kvstats / this = {:>8.1}x",
            contender.name,
            ms(median),
            median.as_nanos() as f64 / series as f64,
            ms(times[0]),
            times.len(),
            ours.as_secs_f64() / median.as_secs_f64()
        );
    }
}

/// kvstats registers `GROUPS` KvStats groups one by one; the cost of the
/// n-th is the median of the registrations n-8..=n, against the median of
/// the 1st registration into fresh registries.
fn one_registration_by_rank() {
    println!(
        "\nkvstats: one KvStats group (4 series) registered into a registry that holds n-1 groups"
    );
    let mut firsts: Vec<Duration> = (0..101)
        .map(|_| {
            let mut fresh = Kvstats::empty();
            let start = Instant::now();
            fresh.add(0);
            start.elapsed()
        })
        .collect();
    firsts.sort();
    let first = firsts[firsts.len() / 2];
    let mut ours = Kvstats::empty();
    let mut times = Vec::with_capacity(GROUPS);
    let total = Instant::now();
    for rank in 0..GROUPS {
        let start = Instant::now();
        ours.add(rank);
        times.push(start.elapsed());
    }
    let total = total.elapsed();
    println!(
        "  n = {:>6} ({:>6} series registered)  {:>10.1} µs   (median of 101 fresh registries)",
        1,
        0,
        first.as_secs_f64() * 1e6
    );
    for n in NTH.into_iter().filter(|&n| n > 1) {
        let mut window = times[n.saturating_sub(9)..n].to_vec();
        window.sort();
        let median = window[window.len() / 2];
        println!(
            "  n = {n:>6} ({:>6} series registered)  {:>10.1} µs   {:>7.2}x the 1st",
            (n - 1) * PER_RANK,
            median.as_secs_f64() * 1e6,
            median.as_secs_f64() / first.as_secs_f64()
        );
    }
    println!("  all {GROUPS} groups: {:.3} s", total.as_secs_f64());
}

fn render(c: &mut Criterion, setups: &Setups) {
    let mut g = c.benchmark_group(render_group(setups.series));
    g.sample_size(if setups.series >= 10_000 { 20 } else { 50 });
    for (contender, setup) in CONTENDERS.iter().zip(&setups.built) {
        g.bench_function(contender.name, |b| b.iter(|| black_box(setup.render())));
    }
    g.finish();
}

fn render_group(series: usize) -> String {
    format!("render_{series}_series")
}

fn report_render() {
    let peers: Vec<&str> = CONTENDERS[1..].iter().map(|c| c.name).collect();
    for series in SIZES {
        print_ratios(&render_group(series), CONTENDERS[0].name, &peers);
    }
    println!("\nrender, ns per series (criterion medians)");
    println!("  {:<20} {:>12} {:>12}", "", "1,000", "10,000");
    for contender in &CONTENDERS {
        let per_series = SIZES.map(|series| {
            median_ns(&render_group(series), contender.name)
                .map_or("-".to_string(), |ns| format!("{:.1}", ns / series as f64))
        });
        println!(
            "  {:<20} {:>12} {:>12}",
            contender.name, per_series[0], per_series[1]
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
