//! Registries the tests build again and again.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use kvstats_core::{Component, PromGauges, Registry};

/// A default registry and its component `backend` of namespace `dynamo`,
/// the place the reference runtime registers its metrics.
///
/// ```
/// let (registry, backend) = harness::fixtures::backend();
/// assert!(registry.prometheus_text()?.is_empty());
/// # drop(backend);
/// # Ok::<(), kvstats_core::Error>(())
/// ```
pub fn backend() -> (Registry, Component) {
    let registry = Registry::new();
    let component = registry
        .namespace("dynamo")
        .and_then(|namespace| namespace.component("backend"));
    match component {
        Ok(component) => (registry, component),
        Err(e) => unreachable!("`dynamo` and `backend` are valid names: {e}"),
    }
}

/// The labels the registry adds to every series of [`backend`], as the
/// exposition prints them.
pub const BACKEND_LABELS: &str = r#"{dynamo_component="backend",dynamo_namespace="dynamo"}"#;

/// Shaped like an engine's per-step statistics: one field of every kind of
/// metric (gauge, counter of a total, counter fed deltas, histogram, keyed
/// and per-position series).
#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Requests running now
    pub requests_running: u64,
    /// Prompt tokens processed since the process started
    #[prom(counter)]
    pub prompt_tokens: u64,
    /// Generation tokens produced in this step
    #[prom(counter, delta, name = "generation_tokens")]
    pub step_generation_tokens: u64,
    /// Time to first token of each request that got its first token this step
    #[prom(histogram(buckets = [0.1, 0.5, 1]), name = "time_to_first_token")]
    pub ttft: Vec<Duration>,
    /// Requests finished this step, by reason
    #[prom(counter, delta, label = "finished_reason", max = 3)]
    pub finished: HashMap<&'static str, u64>,
    /// Requests running per LoRA adapter
    #[prom(label = "lora_adapter")]
    pub running_adapters: BTreeMap<String, u32>,
    /// Tokens accepted at each draft position this step
    #[prom(counter, delta, label = "position")]
    pub accepted_per_position: Vec<u32>,
}

/// The statistics of step `n` of an engine: totals that grow with `n`, a
/// per-step count that does not, and a histogram, keys and positions fed
/// every step.
pub fn step(n: u64) -> StepStats {
    StepStats {
        requests_running: 3 + n,
        prompt_tokens: 100 * n,
        step_generation_tokens: 10,
        ttft: vec![
            Duration::from_millis(250),
            Duration::from_millis(500 + 250 * n),
        ],
        finished: HashMap::from([("stop", 1), ("length", n)]),
        running_adapters: BTreeMap::from([("sql".to_owned(), n as u32)]),
        accepted_per_position: vec![2, 1],
    }
}
