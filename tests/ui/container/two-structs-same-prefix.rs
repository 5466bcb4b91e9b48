// Each derive names its constants module after the prefix, so two structs
// with one prefix in one module make two modules `vllm`. The derive cannot
// see the other struct; each module holds its struct's name, and the second
// struct finds the first one's, so the error names both and says how to
// part them. rustc's own "defined multiple times" comes with it, at the same
// attribute.
use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "vllm")]
pub struct EngineStats {
    /// Requests in flight
    pub num_requests_running: u64,
}

#[derive(PromGauges)]
#[prom(prefix = "vllm")]
pub struct SchedulerStats {
    /// Requests waiting for a slot
    pub num_requests_waiting: u64,
}

fn main() {}
