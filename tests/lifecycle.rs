//! Handles that clean up after themselves: series live as long as a handle
//! (or the publisher holding it) does, the labels are free again after, and
//! `keep_registered` keeps them for the life of the registry; a family fed by
//! two structs stays while either is registered, and goes with the last.

use harness::exposition::parse;
use harness::fixtures::backend;
use kvstats_core::dynamo::{KvStats, KvStatsGauges, WorkerMetricsPublisher};
use kvstats_core::{Error, MetricsPublisher, PromGauges, Registered};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt as _, SeedableRng};

fn series_count(text: &str) -> usize {
    parse(text).unwrap().len()
}

#[test]
fn the_last_dropped_clone_takes_the_series_out_and_frees_the_labels() {
    let (registry, component) = backend();
    let gauges = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
    let clone = gauges.clone();
    drop(gauges);
    // A clone still lives: still exported, still taken.
    assert_eq!(series_count(&registry.prometheus_text().unwrap()), 4);
    let err = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap_err();
    assert!(matches!(err, Error::AlreadyRegistered { .. }), "{err}");
    clone.update_from(&KvStats {
        kv_active_blocks: 3,
        ..Default::default()
    });
    drop(clone);
    assert_eq!(registry.prometheus_text().unwrap(), "");
    let again = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
    // A fresh container: the old values went with the old one.
    assert_eq!(again.kv_active_blocks.get(), 0.0);
}

#[test]
fn unregister_takes_the_series_out_for_every_clone() {
    let (registry, component) = backend();
    let gauges = KvStatsGauges::register(&component).unwrap();
    let clone = gauges.clone();
    gauges.unregister();
    assert_eq!(registry.prometheus_text().unwrap(), "");
    // The clone still works, unexported, and dropping it later does not take
    // out a new registration of the same labels.
    let new = KvStatsGauges::register(&component).unwrap();
    clone.update_from(&KvStats {
        kv_total_blocks: 99,
        ..Default::default()
    });
    drop(clone);
    new.update_from(&KvStats {
        kv_total_blocks: 7,
        ..Default::default()
    });
    let text = registry.prometheus_text().unwrap();
    assert!(text.lines().any(|l| l
        == r#"dynamo_component_kvstats_total_blocks{dynamo_component="backend",dynamo_namespace="dynamo"} 7"#));
}

#[test]
fn keep_registered_outlives_every_handle_until_unregister() {
    let (registry, component) = backend();
    let gauges = KvStatsGauges::register(&component).unwrap();
    gauges.update_from(&KvStats {
        kv_total_blocks: 12894,
        ..Default::default()
    });
    gauges.keep_registered();
    let clone = gauges.clone();
    drop(gauges);
    drop(clone);
    let text = registry.prometheus_text().unwrap();
    assert!(text.lines().any(|l| l
        == r#"dynamo_component_kvstats_total_blocks{dynamo_component="backend",dynamo_namespace="dynamo"} 12894"#));
    assert!(KvStatsGauges::register(&component).is_err());
}

#[test]
fn a_restarted_rank_comes_back_under_its_labels() {
    let (registry, component) = backend();
    let publisher = WorkerMetricsPublisher::with_labels(&component, &[("dp_rank", "3")]).unwrap();
    let before = series_count(&registry.prometheus_text().unwrap());
    assert!(before > 0);
    drop(publisher);
    assert_eq!(registry.prometheus_text().unwrap(), "");
    let restarted = WorkerMetricsPublisher::with_labels(&component, &[("dp_rank", "3")]).unwrap();
    assert_eq!(series_count(&registry.prometheus_text().unwrap()), before);
    drop(restarted);
}

#[test]
fn a_publisher_holding_the_handle_keeps_the_series() {
    let (registry, component) = backend();
    let publisher = MetricsPublisher::<KvStats>::new(&component).unwrap();
    let handle: Registered<KvStatsGauges> = publisher.gauges().clone();
    drop(publisher);
    // The clone of its handle keeps the series.
    assert_eq!(series_count(&registry.prometheus_text().unwrap()), 4);
    drop(handle);
    assert_eq!(registry.prometheus_text().unwrap(), "");
}

#[test]
fn thousands_of_ranks_come_and_go_and_the_registry_stays_exact() {
    let (registry, component) = backend();
    let mut live: Vec<Option<Registered<KvStatsGauges>>> = (0..2_000).map(|_| None).collect();
    // A seeded walk over the ranks: register where free, drop where taken,
    // checking the scrape against the set of live ranks as it goes.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for round in 0..20_000 {
        let step = rng.random_range(0..2_000);
        match live[step].take() {
            Some(handle) => drop(handle),
            None => {
                let rank = step.to_string();
                let handle = KvStatsGauges::register_with_labels(&component, &[("dp_rank", &rank)])
                    .unwrap_or_else(|e| panic!("round {round}: dp_rank={rank}: {e}"));
                handle.update_from(&KvStats {
                    kv_active_blocks: step as u64,
                    ..Default::default()
                });
                live[step] = Some(handle);
            }
        }
        if round % 2_000 == 0 {
            let samples = parse(&registry.prometheus_text().unwrap()).unwrap();
            let mut ranks: Vec<usize> = samples
                .iter()
                .filter(|s| s.name == "dynamo_component_kvstats_active_blocks")
                .map(|s| {
                    let rank: usize = s.label("dp_rank").unwrap().parse().unwrap();
                    assert_eq!(s.value, rank as f64);
                    rank
                })
                .collect();
            ranks.sort_unstable();
            let expected: Vec<usize> = (0..2_000).filter(|&r| live[r].is_some()).collect();
            assert_eq!(ranks, expected, "round {round}");
        }
    }
    drop(live);
    assert_eq!(registry.prometheus_text().unwrap(), "");
}

#[test]
fn a_registry_dropped_first_leaves_working_handles() {
    let (registry, component) = backend();
    let gauges = KvStatsGauges::register(&component).unwrap();
    drop((registry, component));
    gauges.update_from(&KvStats {
        kv_active_blocks: 1,
        ..Default::default()
    });
    assert_eq!(gauges.kv_active_blocks.get(), 1.0);
    drop(gauges);
}

/// Two structs that export one metric (same name, help and labels), each
/// with a constants module of its own.
#[derive(Default, PromGauges)]
#[prom(prefix = "shared", module = "shared_prefill")]
struct Prefill {
    /// Requests waiting
    waiting: u64,
}

#[derive(Default, PromGauges)]
#[prom(prefix = "shared", module = "shared_decode")]
struct Decode {
    /// Requests waiting
    waiting: u64,
    /// Requests decoding
    decoding: u64,
}

#[test]
fn a_family_fed_by_two_structs_stays_while_either_is_registered() {
    let (registry, component) = backend();
    let prefill = PrefillGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
    let decode = DecodeGauges::register_with_labels(&component, &[("dp_rank", "1")]).unwrap();
    prefill.update_from(&Prefill { waiting: 3 });
    decode.update_from(&Decode {
        waiting: 4,
        decoding: 5,
    });
    let waiting = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("dynamo_component_shared_waiting"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(waiting(&registry.prometheus_text().unwrap()).len(), 2);
    drop(prefill);
    assert_eq!(
        waiting(&registry.prometheus_text().unwrap()),
        [
            r#"dynamo_component_shared_waiting{dp_rank="1",dynamo_component="backend",dynamo_namespace="dynamo"} 4"#
        ]
    );
    drop(decode);
    assert_eq!(registry.prometheus_text().unwrap(), "");
}

/// `Prefill`'s metric with another help text.
#[derive(Default, PromGauges)]
#[prom(prefix = "shared", module = "shared_other")]
struct Renamed {
    /// Requests queued
    waiting: u64,
}

#[test]
fn a_family_gone_with_its_last_struct_takes_its_help_along() {
    let (registry, component) = backend();
    let prefill = PrefillGauges::register(&component).unwrap();
    let err = RenamedGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap_err();
    assert!(matches!(err, Error::Inconsistent { .. }), "{err}");
    drop(prefill);
    let renamed = RenamedGauges::register(&component).unwrap();
    renamed.update_from(&Renamed { waiting: 2 });
    assert!(registry
        .prometheus_text()
        .unwrap()
        .lines()
        .any(|l| l == "# HELP dynamo_component_shared_waiting Requests queued"));
}
