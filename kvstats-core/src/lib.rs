//! Prometheus metrics generated from plain stats structs.
//!
//! Put `#[derive(PromGauges)]` on the struct your worker already keeps its
//! statistics in, and the metric definitions live beside the data: the
//! derive generates the container of its gauges, counters, histograms and
//! keyed series, its registration, the name constants and the `update_from`
//! your publisher calls. The `catalog` module (feature `catalog`) writes docs,
//! dashboards and Prometheus rules from the same definitions.
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
//! | `alert(absent, for = "30s", ..)` | an alert when an instance's series of the struct's first own metric stop (see [`fleet`]); may repeat | none |
//!
//! On a field:
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `name = ".."` | the metric name after the prefix | the field name |
//! | `help = ".."` | the `# HELP` text | the doc comment; one of the two is required |
//! | `unit = ".."` | appended as `_unit` unless the name already ends with it; a field of `Duration`s is in `seconds` (another unit needs a `scale`) | none (`seconds` for `Duration`s) |
//! | `counter` | the field holds a running total: exported as a counter, `_total` appended to the name unless it ends with it | a gauge |
//! | `counter, delta` | the field holds the amount since the previous update, added to the counter; negative and non-finite amounts are refused and counted in `kvstats_values_dropped_total` | a running total |
//! | `histogram` | the field holds the observations since the previous update (a number or `Duration`, or an `Option`, `Vec`, array or slice of them), counted into buckets; without buckets only for unit `seconds` | Prometheus' buckets for seconds, 5 ms to 10 s |
//! | `histogram(buckets = [0.1, 0.5, 1])` | the buckets' upper bounds: ascending, finite, 1 to 128 of them; `+Inf` is implied | |
//! | `histogram(buckets = exponential(start, factor, count))` | `count` bounds from `start` (> 0), each `factor` (> 1) times the one before | |
//! | `histogram(buckets = linear(start, width, count))` | `count` bounds from `start`, `width` (> 0) apart | |
//! | `skip` | the field is not exported | |
//! | `flatten` | the field is a struct that derives `PromGauges` (or an `Option` of one); its metrics are exported under its own prefix | |
//! | `label = "position"` | one series per position of a `Vec<T>`, `[T; N]` or `&[T]`, or per key of a `HashMap<K, V>`, `BTreeMap<K, V>`, `Vec<(K, V)>` or `[(K, V); N]` (`K: Display`), or of an `Option` of one, with this label; with `counter` or `counter, delta` too, not with `histogram` | |
//! | `max = 64` | with `label`: the most positions or keys kept, 1 to 4096 (positions are stored inline) | 64 |
//! | `scale = 100.0` | multiplies the value (each observation of a histogram) at update time | 1 |
//! | `clamp(0.0, 1.0)` | bounds the value (after `scale`) | none |
//! | `deprecated_name = ".."` | also export under this old name, help marked `DEPRECATED`; several allowed | none |
//! | `aggregate = "sum"` | how the fleet view combines the metric across instances: `sum`, `max`, `min`, `avg`, several (`"avg, max"`), or `"none"` (see [`fleet`]) | [`fleet::default_aggregations`] |
//! | `ratio_of(numerator = "a", denominator = "b")` | the gauge is `a / b` (two plain gauges, or two counters, of the struct): the fleet's value is `sum(a) / sum(b)` | none |
//! | `alert(above = 0.95, for = "5m", severity = "warning", summary = "..", name = "..")` | an alert when a series (a counter's rate) is above (`below = ..`) the value for the hold, or `absent`; may repeat | hold `5m`, severity `warning`, a generated name and summary |
//!
//! The metric name is `{prefix}_{name}[_{unit}]`, and `_total` after it for a
//! counter; the registry adds its root prefix (`dynamo_component_`) and the
//! automatic labels of the level the container is registered on.
//!
//! # Nested structs, `Option` and vectors
//!
//! `dynamo::ForwardPassMetrics` shows all three: `#[prom(flatten)]` nests
//! `WorkerStats`, `KvStats` and `Option<SpecDecodeStats>`; the outer
//! container holds the inner containers inline and one `update_from` updates
//! them all. A `None` (an `Option` field, or an optional nested struct) removes
//! its series from the next scrape; `Some` brings them back. A vector field
//! with `label = "position"` exports `position="0"`, `position="1"`, ...;
//! positions that disappear from one update to the next disappear from the
//! scrape, and values past `max` are dropped and counted in the library's
//! own counter `kvstats_values_dropped_total{metric="..",reason="over_max"}`
//! ([`own`]), so a bad producer cannot blow up the number of series.
//!
//! # Per-instance labels
//!
//! Several instances of one struct coexist on one registry level when their
//! constant labels differ, as data-parallel ranks do:
//! `KvStatsGauges::register_with_labels(&component, &[("dp_rank", "0")])`.
//! Label names follow the naming rule ([`names::check_name`]); the automatic
//! labels (`dynamo_namespace`, ...) are reserved; the same metric with the same
//! labels twice is an [`Error::AlreadyRegistered`] naming both.
//!
//! # Handles
//!
//! Registration returns a [`Registered`] handle. The series are exported
//! while a clone of it lives and leave the next scrape when the last one is
//! dropped, which frees their labels for a new registration;
//! [`Registered::keep_registered`] keeps them for the life of the registry.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `derive` | yes | `#[derive(PromGauges)]` |
//! | `server` | yes | `MetricsServer`, the `/metrics` HTTP server on hyper |
//! | `dynamo` | yes | `dynamo`: the reference runtime's stats structs and publisher (needs `derive`) |
//! | `gzip` | yes | gzip-compressed scrapes for scrapers that accept them (`scrape`) |
//! | `tower` | no | `tower::MetricsService`: the server's routes as a tower service, to mount in an axum app |
//! | `catalog` | no | `catalog`: docs, dashboards and name constants generated from the definitions |
//!
//! # Units and values
//!
//! Use Prometheus base units: `seconds`, `bytes`, `ratio` for a fraction in
//! 0..1; any other snake_case word is accepted too. `percent` is accepted
//! because the reference metrics use it for values in 0..1
//! (`kvstats_gpu_cache_usage_percent`), but for new metrics prefer `ratio`, or
//! export a real percentage with `scale = 100.0`.
//!
//! Every value is exported as an `f64`:
//! - integers are exact up to 2^53; above that they round to the nearest
//!   `f64` (`u64::MAX` is exported as `18446744073709552000`);
//! - `bool` is 0 or 1;
//! - `NaN` and the infinities are exported as `NaN`, `+Inf` and `-Inf`; with
//!   `clamp(lo, hi)` an infinity becomes the nearest bound and `NaN` becomes `lo`;
//! - `scale` applies before `clamp`.
//!
//! # Naming rules
//!
//! Metric names, prefixes, units and label names match `[a-zA-Z_][a-zA-Z0-9_]*`,
//! do not start with `__` and contain no `:` (reserved for recording rules).
//! The derive checks them at compile time with the same `const fn`
//! ([`names::check_name`]) the registry uses at run time.
//!
//! # Catalog
//!
//! `catalog` (feature `catalog`) renders the metrics of any `PromGauges` types, with a
//! registry's root prefix and labels applied, as Markdown, JSON, a Grafana
//! dashboard or a Python module of name constants, so docs, dashboards and
//! other languages use the names the code exports.
#![deny(missing_docs)]

extern crate self as kvstats_core;

#[cfg(feature = "catalog")]
pub mod catalog;
mod cells;
#[cfg(feature = "dynamo")]
pub mod dynamo;
mod error;
pub mod fleet;
mod instance;
mod interop;
mod kind;
mod metric;
pub mod names;
pub mod own;
mod publisher;
mod registry;
mod render;
#[cfg(any(feature = "server", feature = "tower"))]
mod routes;
pub mod scrape;
#[cfg(feature = "server")]
pub mod server;
mod source;
mod text;
#[cfg(feature = "tower")]
pub mod tower;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use cells::{Counter, Gauge, Histogram, PerKey, PerPosition, Reason};
pub use error::{Error, Result};
pub use metric::{GaugeGroup, MetricDef, MetricKind, PromGauges};
pub use publisher::MetricsPublisher;
pub use registry::{
    Component, Endpoint, MetricsRegistry, Namespace, Registered, Registry, RegistryBuilder,
    DEFAULT_LABEL_PREFIX, DEFAULT_PREFIX,
};
pub use render::{Format, CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE};
#[cfg(feature = "server")]
pub use server::{MetricsServer, ServerHandle};
pub use source::{GaugeSource, KeySource, Observation, ObservationSource, PositionSource};
#[cfg(feature = "tower")]
pub use tower::MetricsService;

/// The `prometheus` crate kvstats is built on, so an application names the
/// very version kvstats bridges to (`kvstats_core::prometheus::Registry`).
pub use prometheus;

/// Derives [`PromGauges`] for a struct with named fields; see the crate docs.
#[cfg(feature = "derive")]
pub use kvstats_derive::PromGauges;
