//! The engine's per-step statistics, shaped like an LLM engine's (vLLM's
//! `SchedulerStats` and `IterationStats`): what the scheduler holds now as
//! gauges, what one step did as counters fed by deltas, the latencies the
//! step observed as histograms, and series keyed by finish reason and by
//! LoRA adapter. [`WorkerSim::step`](crate::sim::WorkerSim::step) produces
//! one per step beside the `ForwardPassMetrics`, from the same requests.

use std::fmt;
use std::time::Duration;

use kvstats_core::PromGauges;

/// Why a request finished, as the `finished_reason` label says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FinishReason {
    /// The model produced a stop token.
    Stop,
    /// The request reached its token limit.
    Length,
    /// The client went away before the end.
    Abort,
}

impl FinishReason {
    /// Every reason, in the order [`EngineStats::finished_requests`] lists them.
    pub const ALL: [FinishReason; 3] = [
        FinishReason::Stop,
        FinishReason::Length,
        FinishReason::Abort,
    ];

    /// The label value: `stop`, `length` or `abort`.
    ///
    /// ```
    /// assert_eq!(simulation::stats::FinishReason::Length.as_str(), "length");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::Abort => "abort",
        }
    }
}

impl fmt::Display for FinishReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The LoRA adapters every simulated engine has loaded.
pub const LORA_ADAPTERS: [&str; 3] = ["chat-lora", "code-lora", "sql-lora"];

/// One engine step, as the worker publishes it per data-parallel rank
/// (beside `ForwardPassMetrics`, with the same `dp_rank` label). The amounts
/// and observations are those of this step only; the counters and
/// histograms add them up.
///
/// ```
/// use kvstats_core::PromGauges;
/// use simulation::stats::{engine, EngineStats};
///
/// assert_eq!(engine::PROMPT_TOKENS_TOTAL, "engine_prompt_tokens_total");
/// assert_eq!(engine::TIME_TO_FIRST_TOKEN_SECONDS, "engine_time_to_first_token_seconds");
/// let kinds: Vec<&str> = EngineStats::METRICS.iter().map(|m| m.kind.as_str()).collect();
/// assert_eq!(kinds, ["gauge", "gauge", "gauge", "counter", "counter", "counter", "counter",
///                    "histogram", "histogram"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, PromGauges)]
#[prom(prefix = "engine")]
pub struct EngineStats {
    /// Requests in the running batch
    pub requests_running: u64,
    /// Requests waiting to be scheduled
    pub requests_waiting: u64,
    /// Running requests per loaded LoRA adapter
    #[prom(label = "lora_adapter", max = 8, name = "lora_requests_running")]
    pub running_lora_adapters: Vec<(&'static str, u64)>,
    /// Prompt tokens prefilled (a preempted request's prompt again when it is recomputed)
    #[prom(counter, delta)]
    pub prompt_tokens: u64,
    /// Tokens generated
    #[prom(counter, delta)]
    pub generation_tokens: u64,
    /// Running requests preempted to free KV-cache blocks (recomputed later)
    #[prom(counter, delta)]
    pub preemptions: u64,
    /// Requests finished, by reason: stop (a stop token), length (the token limit), abort (the client left)
    #[prom(counter, delta, label = "finished_reason", max = 3)]
    pub finished_requests: Vec<(FinishReason, u64)>,
    /// Time from a request's arrival to its first token
    #[prom(histogram(buckets = exponential(0.01, 2, 12)))]
    pub time_to_first_token: Vec<Duration>,
    /// Time between two outputs of a running request (one per request and decode iteration)
    #[prom(histogram(buckets = [0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5]))]
    pub inter_token_latency: Vec<Duration>,
}
