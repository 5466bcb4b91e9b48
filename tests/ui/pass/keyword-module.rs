//! A struct whose snake-case name is a keyword gets a raw module name.

#![deny(warnings)]

use kvstats_core::PromGauges;

#[derive(Debug, Default, PromGauges)]
pub struct Type {
    /// Requests by type
    pub requests: u64,
}

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "async")]
pub struct AsyncStats {
    /// Tasks in flight
    pub tasks: u64,
}

fn main() {
    assert_eq!(r#type::REQUESTS, "requests");
    assert_eq!(r#async::TASKS, "async_tasks");
}
