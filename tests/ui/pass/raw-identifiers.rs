//! Fields and names that are Rust keywords.

#![deny(warnings)]

use kvstats_core::PromGauges;

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "requests")]
pub struct RequestStats {
    /// Requests by the type of their last error
    pub r#type: u64,
    /// Requests that matched a cached prefix
    #[prom(name = "match")]
    pub r#match: u64,
    /// Requests that were moved to another worker
    pub r#move: Option<u32>,
}

/// A struct named like a keyword, in lower case as some generated code is.
#[allow(non_camel_case_types)]
#[derive(Debug, Default, PromGauges)]
#[prom(module = "struct_metrics")]
pub struct r#struct {
    /// Structs seen
    pub r#loop: u64,
}

fn main() {
    assert_eq!(requests::TYPE, "requests_type");
    assert_eq!(requests::MATCH, "requests_match");
    assert_eq!(requests::ALL, ["requests_type", "requests_match", "requests_move"]);
    assert_eq!(struct_metrics::LOOP, "loop");
    let gauges = RequestStatsGauges::new();
    gauges.update_from(&RequestStats { r#type: 3, r#match: 1, r#move: Some(2) });
    assert_eq!(gauges.r#type.get(), 3.0);
    structGauges::new().update_from(&r#struct { r#loop: 1 });
}
