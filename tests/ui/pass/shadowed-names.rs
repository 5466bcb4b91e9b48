//! Local items named like what the expansion uses: it must not pick them up.

#![deny(warnings)]
#![allow(dead_code, non_camel_case_types, non_upper_case_globals)]

use ::kvstats_core::PromGauges as Derive;

struct Option;
struct Result;
struct Some;
struct None;
struct Ok;
struct Err;
struct Default;
struct Debug;
struct Gauge;
struct MetricDef;
struct Reading;
struct str;
struct f64;
trait PromGauges {}
trait GaugeGroup {}
mod core {}
mod std {}
mod prometheus {}
mod kvstats_core {}
struct usize;
// The expansion's own bindings are prefixed so that such constants cannot
// turn them into patterns; the parameters rustdoc shows (`stats`,
// `registry`, `labels`, `index`) keep their plain names.
const v: u8 = 0;
const value: u8 = 0;
const error: u8 = 0;
const inner: u8 = 0;
const gauges: u8 = 0;

#[derive(::core::fmt::Debug, ::core::default::Default, Derive)]
#[prom(prefix = "kvstats")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    pub kv_active_blocks: u64,
    /// GPU cache usage as a percentage (0-100)
    #[prom(scale = 100.0, clamp(0.0, 100.0))]
    pub gpu_cache_usage_perc: ::core::option::Option<f32>,
    /// Blocks per tier
    #[prom(label = "tier")]
    pub blocks_per_tier: [u32; 3],
}

fn main() {
    let container = KvStatsGauges::new();
    container.update_from(&KvStats::default());
    ::std::assert_eq!(kvstats::KV_ACTIVE_BLOCKS, "kvstats_kv_active_blocks");
}
