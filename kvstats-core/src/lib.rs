//! Prometheus gauges generated from plain stats structs.
//!
//! Put `#[derive(PromGauges)]` on the struct your worker already keeps its
//! load statistics in, and the metric definitions live beside the data: the
//! derive generates the gauge container, its registration, the name
//! constants and the `update_from` your publisher calls.
//!
//! ```
//! use kvstats_core::{PromGauges, Registry};
//!
//! #[derive(Debug, Clone, Default, PromGauges)]
//! #[prom(prefix = "kvstats")]
//! pub struct KvStats {
//!     /// Number of active KV cache blocks currently in use
//!     #[prom(name = "active_blocks")]
//!     pub kv_active_blocks: u64,
//!     /// Total number of KV cache blocks available
//!     #[prom(name = "total_blocks")]
//!     pub kv_total_blocks: u64,
//!     #[prom(name = "gpu_cache_usage", unit = "percent",
//!            help = "GPU cache usage as a percentage (0.0-1.0)")]
//!     pub gpu_cache_usage_perc: f32,
//!     /// GPU prefix cache hit rate as a percentage (0.0-1.0)
//!     pub gpu_prefix_cache_hit_rate: f32,
//! }
//!
//! let registry = Registry::new();
//! let component = registry.namespace("dynamo")?.component("backend")?;
//! let gauges = KvStatsGauges::register(&component)?;
//! gauges.update_from(&KvStats { kv_active_blocks: 42, ..Default::default() });
//!
//! assert_eq!(kvstats::ACTIVE_BLOCKS, "kvstats_active_blocks");
//! let text = registry.prometheus_text()?;
//! assert!(text.lines().any(|line| line == "dynamo_component_kvstats_active_blocks\
//!     {dynamo_component=\"backend\",dynamo_namespace=\"dynamo\"} 42"));
//! # Ok::<(), kvstats_core::Error>(())
//! ```
//!
//! # Attributes
//!
//! On the struct, `#[prom(..)]` takes:
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `prefix = "kvstats"` | first part of every metric name | none |
//! | `gauges = "Name"` | name of the generated container | `{Struct}Gauges` |
//! | `module = "name"` | name of the generated constants module | the prefix, else the struct name in snake case |
//! | `crate = "path"` | path of this crate in generated code | `::kvstats_core` |
//!
//! On a field:
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `name = ".."` | the metric name after the prefix | the field name |
//! | `help = ".."` | the `# HELP` text | the doc comment; one of the two is required |
//! | `unit = ".."` | appended as `_unit` unless the name already ends with it | none |
//! | `skip` | the field is not exported | |
//!
//! The metric name is `{prefix}_{name}[_{unit}]`; the registry adds its root
//! prefix (`dynamo_component_`) and the automatic labels of the level the
//! container is registered on.
//!
//! # Units
//!
//! Use Prometheus base units: `seconds`, `bytes`, `ratio` for a fraction in
//! 0..1. `percent` is accepted because the reference metrics use it for values
//! in 0..1, but for new metrics prefer `ratio`.
#![deny(missing_docs)]

extern crate self as kvstats_core;

mod encode;
mod error;
mod gauge;
mod group;
mod metric;
pub mod names;
mod registered;
mod registry;
mod source;
mod stats;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use encode::CONTENT_TYPE;
pub use error::{Error, Result};
pub use gauge::{Gauge, PositionGauges};
pub use metric::{GaugeGroup, MetricDef, MetricKind, PromGauges};
pub use registered::Registered;
pub use registry::{
    Component, Endpoint, MetricsRegistry, Namespace, Registry, DEFAULT_LABEL_PREFIX, DEFAULT_PREFIX,
};
pub use source::{GaugeSource, PositionSource};
pub use stats::*;

/// Derives [`PromGauges`] for a struct with named fields; see the crate docs.
#[cfg(feature = "derive")]
pub use kvstats_derive::PromGauges;
