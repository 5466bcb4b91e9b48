//! Fields named like prelude items and like the generated methods.

#![deny(warnings)]
#![allow(non_snake_case)]

use kvstats_core::PromGauges;

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "worker")]
pub struct WorkerStats {
    /// Requests dropped
    pub drop: u64,
    /// Requests that returned a value
    pub Some: u64,
    /// Requests that returned nothing
    pub None: u64,
    /// Requests that succeeded
    pub Ok: u64,
    /// Requests that failed
    pub Err: u64,
    /// Vectors allocated
    pub Vec: u64,
    /// New requests
    pub new: u64,
    /// Registrations
    pub register: u64,
    /// Updates
    pub update_from: u64,
    /// Clears
    pub clear: u64,
    /// Default requests
    pub default: u64,
}

fn main() {
    let gauges = WorkerStatsGauges::new();
    gauges.update_from(&WorkerStats { Some: 2, new: 5, ..Default::default() });
    assert_eq!(gauges.Some.get(), 2.0);
    assert_eq!(gauges.new.get(), 5.0);
    assert_eq!(worker::SOME, "worker_Some");
    assert_eq!(worker::UPDATE_FROM, "worker_update_from");
}
