//! One source of truth: the metrics of `PromGauges` types rendered as
//! documentation, machine-readable JSON, a Grafana dashboard, a Python
//! module of name constants, and the fleet view as Prometheus recording and
//! alerting rules with their `promtool` tests (see [`fleet`](crate::fleet)).
//!
//! ```
//! use kvstats_core::catalog::{Catalog, Format};
//! use kvstats_core::Registry;
//! use kvstats_core::dynamo::KvStats;
//!
//! let component = Registry::new().namespace("dynamo")?.component("backend")?;
//! let rules = Catalog::new(&component).add::<KvStats>().render(Format::Rules);
//! assert!(rules.contains(r#"- record: "dynamo_component:kvstats_active_blocks:sum""#));
//! assert!(rules.contains(r#"- record: "fleet:kvstats_gpu_cache_usage_percent:ratio""#));
//! assert!(rules.contains(r#"- alert: "KvCacheNearlyFull""#));
//! # Ok::<(), kvstats_core::Error>(())
//! ```
//!
//! A [`Catalog`] takes the root prefix and the automatic labels from a
//! registry level, so every name it writes is the name a scrape shows:
//!
//! ```
//! use kvstats_core::catalog::{Catalog, Format};
//! use kvstats_core::{constants_module, Registry};
//! use kvstats_core::dynamo::KvStats;
//!
//! let component = Registry::new().namespace("dynamo")?.component("backend")?;
//! let catalog = Catalog::new(&component)
//!     .instance_label("dp_rank")?
//!     .add::<KvStats>()
//!     .constants(constants_module!(kvstats_core::dynamo::kvstats));
//!
//! assert_eq!(catalog.entries()[0].name, "dynamo_component_kvstats_active_blocks");
//! let markdown = catalog.render(Format::Markdown);
//! assert!(markdown.contains("| `dynamo_component_kvstats_active_blocks` | gauge |"));
//! let python = catalog.render(Format::Python);
//! assert!(python.contains("    ACTIVE_BLOCKS = \"kvstats_active_blocks\"\n"));
//! # Ok::<(), kvstats_core::Error>(())
//! ```
//!
//! Every output is deterministic (definition order, no timestamps), so a
//! checked-in copy can be compared with a fresh rendering in a test; the
//! repository does that for [`shipped`] with `tests/catalog_drift.rs`.
//!
//! # Metric kinds
//!
//! Every format follows a metric's kind. Markdown's type column says
//! `gauge`, `counter` (and whether the field feeds it deltas) or `histogram`
//! with its series and bounds; JSON carries `type`, `delta`, `buckets` and
//! the `series` a query selects; the dashboard shows a gauge as it is, a
//! counter's rate per second and a histogram's 0.5, 0.9 and 0.99 quantiles;
//! the Python module has `X_BUCKET`, `X_SUM` and `X_COUNT` beside a
//! histogram's `X`:
//!
//! ```
//! use kvstats_core::catalog::{Catalog, Format};
//! use kvstats_core::{constants_module, PromGauges, Registry};
//!
//! #[derive(Default, PromGauges)]
//! #[prom(prefix = "engine")]
//! struct StepStats {
//!     /// Tokens generated this step
//!     #[prom(counter, delta, name = "generated_tokens")]
//!     generated: u64,
//!     /// Time to first token of the requests that got one this step
//!     #[prom(histogram(buckets = [0.1, 1]), name = "ttft", unit = "seconds")]
//!     ttft: Vec<f64>,
//! }
//!
//! let root = Registry::with_prefix("")?;
//! let catalog = Catalog::new(&root).add::<StepStats>().constants(constants_module!(engine));
//!
//! let markdown = catalog.render(Format::Markdown);
//! assert!(markdown.lines().any(|l| l.starts_with(
//!     "| `engine_ttft_seconds` | histogram<br>series `_bucket`, `_sum`, `_count`<br>\
//!      `le`: `0.1`, `1`, `+Inf` | seconds |"
//! )));
//! let dashboard = catalog.render(Format::Grafana);
//! assert!(dashboard.contains(
//!     r#""expr": "rate(engine_generated_tokens_total{job=~\"$job\",instance=~\"$instance\"}[$__rate_interval])""#
//! ));
//! assert!(dashboard.contains(
//!     r#""expr": "histogram_quantile(0.99, sum by (le, instance) (rate(engine_ttft_seconds_bucket{"#
//! ));
//! let python = catalog.render(Format::Python);
//! assert!(python.lines().any(|l| l == r#"    TTFT_SECONDS_BUCKET = "engine_ttft_seconds_bucket""#));
//! # Ok::<(), kvstats_core::Error>(())
//! ```
//!
//! # Safe renames
//!
//! `#[prom(deprecated_name = "old")]` keeps a metric exported under its old
//! name during a migration. The catalog lists the alias with
//! [`Entry::replaced_by`]; Markdown and the dashboard mark it deprecated, the
//! Python module lists it in `DEPRECATED`, and the Rust constant is
//! `#[deprecated]`, so code that still uses it gets a warning:
//!
//! ```compile_fail
//! #![deny(deprecated)]
//! use kvstats_core::PromGauges;
//!
//! #[derive(Default, PromGauges)]
//! #[prom(prefix = "cache")]
//! struct CacheStats {
//!     /// Fraction of the cache in use
//!     #[prom(name = "usage", unit = "ratio", deprecated_name = "usage_percent")]
//!     usage: f64,
//! }
//!
//! let _ = cache::USAGE_PERCENT;
//! ```
//!
//! The same code compiles once the use is explicitly allowed:
//!
//! ```
//! #![deny(deprecated)]
//! use kvstats_core::PromGauges;
//!
//! #[derive(Default, PromGauges)]
//! #[prom(prefix = "cache")]
//! struct CacheStats {
//!     /// Fraction of the cache in use
//!     #[prom(name = "usage", unit = "ratio", deprecated_name = "usage_percent")]
//!     usage: f64,
//! }
//!
//! #[allow(deprecated)]
//! let old = cache::USAGE_PERCENT;
//! assert_eq!(old, "cache_usage_percent");
//! ```
//!
//! # Dependencies
//!
//! None: the JSON outputs are written by a small printer of our own that keeps
//! keys in the order this module writes them. `serde_json` would sort keys
//! or keep insertion order depending on whether any crate in the build
//! enables its `preserve_order` feature, and a checked-in file must not change
//! with the dependency graph.

mod constants;
mod entry;
mod fleet;
mod format;
mod grafana;
mod json;
mod json_value;
mod markdown;
mod python;
mod rules;
mod rules_test;
#[cfg(feature = "dynamo")]
mod shipped;
mod yaml;

pub use constants::ConstantsModule;
pub use entry::{Entry, Label, Series, BUCKET_LABEL};
pub use format::{Format, UnknownFormat};
pub use json::SCHEMA_VERSION;
#[cfg(feature = "dynamo")]
pub use shipped::shipped;

use crate::error::{checked, Error, Result};
use crate::metric::{MetricDef, PromGauges};
use crate::names::check_name;
use crate::registry::MetricsRegistry;

/// The metrics of some `PromGauges` types as one registry level exports them,
/// ready to be rendered in any [`Format`].
///
/// ```
/// use kvstats_core::catalog::Catalog;
/// use kvstats_core::Registry;
/// use kvstats_core::dynamo::ForwardPassMetrics;
///
/// let component = Registry::new().namespace("dynamo")?.component("backend")?;
/// let catalog = Catalog::new(&component).add::<ForwardPassMetrics>();
/// let groups: Vec<_> = catalog.entries().iter().map(|e| e.group).collect();
/// assert_eq!(groups.first(), Some(&"WorkerStats"));
/// assert_eq!(groups.last(), Some(&"kvstats_core"));
/// # Ok::<(), kvstats_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Catalog {
    title: String,
    root_prefix: String,
    fixed_labels: Vec<(String, String)>,
    instance_labels: Vec<String>,
    metrics: Vec<&'static MetricDef>,
    modules: Vec<ConstantsModule>,
}

impl Catalog {
    /// An empty catalog with the root prefix and automatic labels of `registry`,
    /// titled `kvstats`.
    ///
    /// ```
    /// use kvstats_core::catalog::Catalog;
    /// use kvstats_core::Registry;
    ///
    /// let component = Registry::new().namespace("dynamo")?.component("backend")?;
    /// let catalog = Catalog::new(&component);
    /// assert_eq!(catalog.root_prefix(), "dynamo_component");
    /// // Only the library's own metrics, which every registry can export.
    /// assert_eq!(catalog.entries().len(), kvstats_core::own::METRICS.len());
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    pub fn new(registry: &impl MetricsRegistry) -> Self {
        Catalog {
            title: "kvstats".to_owned(),
            root_prefix: registry.root_prefix().to_owned(),
            fixed_labels: registry.auto_labels().to_vec(),
            instance_labels: Vec::new(),
            metrics: Vec::new(),
            modules: Vec::new(),
        }
    }

    /// Sets the title of the documents and the dashboard (its uid is derived
    /// from it).
    ///
    /// ```
    /// use kvstats_core::catalog::{Catalog, Format};
    /// use kvstats_core::Registry;
    ///
    /// let catalog = Catalog::new(&Registry::new()).with_title("LLM worker");
    /// assert_eq!(catalog.title(), "LLM worker");
    /// assert!(catalog.render(Format::Grafana).contains("\"uid\": \"llm-worker\""));
    /// ```
    pub fn with_title(mut self, title: &str) -> Self {
        title.clone_into(&mut self.title);
        self
    }

    /// Declares a label that each registration sets for itself with
    /// `register_with_labels` (`dp_rank`): it is listed on every metric, and
    /// the dashboard gets a template variable for it.
    ///
    /// Fails if `name` breaks the naming rule or is an automatic label.
    ///
    /// ```
    /// use kvstats_core::catalog::Catalog;
    /// use kvstats_core::Registry;
    ///
    /// let component = Registry::new().namespace("dynamo")?.component("backend")?;
    /// let catalog = Catalog::new(&component).instance_label("dp_rank")?;
    /// assert_eq!(catalog.instance_labels(), ["dp_rank"]);
    /// assert!(Catalog::new(&component).instance_label("dynamo_component").is_err());
    /// assert!(Catalog::new(&component).instance_label("dp-rank").is_err());
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    pub fn instance_label(mut self, name: &str) -> Result<Self> {
        checked("label", name, check_name)?;
        if self.fixed_labels.iter().any(|(k, _)| k == name) {
            return Err(Error::ReservedLabel {
                label: name.to_owned(),
                owner: "the registry level of this catalog sets it".to_owned(),
            });
        }
        if self.instance_labels.iter().any(|k| k == name) {
            return Err(Error::DuplicateLabel {
                label: name.to_owned(),
            });
        }
        self.instance_labels.push(name.to_owned());
        Ok(self)
    }

    /// Adds the metrics of `T`, nested structs included, in field order. A
    /// metric already in the catalog (added through another type that nests
    /// the same struct) is listed once.
    ///
    /// ```
    /// use kvstats_core::catalog::Catalog;
    /// use kvstats_core::Registry;
    /// use kvstats_core::dynamo::{ForwardPassMetrics, KvStats};
    ///
    /// let registry = Registry::new();
    /// let both = Catalog::new(&registry).add::<KvStats>().add::<ForwardPassMetrics>();
    /// let once = Catalog::new(&registry).add::<ForwardPassMetrics>();
    /// assert_eq!(both.entries().len(), once.entries().len());
    /// ```
    pub fn add<T: PromGauges>(mut self) -> Self {
        for def in T::METRICS {
            if !self.metrics.iter().any(|known| known.name == def.name) {
                self.metrics.push(def);
            }
        }
        self
    }

    /// Adds a generated constants module, which the Python rendering mirrors
    /// as a class of the same name; see [`constants_module!`](crate::constants_module).
    pub fn constants(mut self, module: ConstantsModule) -> Self {
        self.modules.push(module);
        self
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The root prefix of every metric name (`dynamo_component`).
    pub fn root_prefix(&self) -> &str {
        &self.root_prefix
    }

    /// The labels the registry level sets on every series, outermost first.
    pub fn fixed_labels(&self) -> &[(String, String)] {
        &self.fixed_labels
    }

    /// The labels each registration sets ([`instance_label`](Self::instance_label)).
    pub fn instance_labels(&self) -> &[String] {
        &self.instance_labels
    }

    /// The constants modules, in the order they were added.
    pub fn modules(&self) -> &[ConstantsModule] {
        &self.modules
    }

    /// Every metric a scrape can show, in the order the types and fields
    /// were added, followed by the library's own ([`own::METRICS`](crate::own::METRICS)).
    pub fn entries(&self) -> Vec<Entry> {
        self.metrics
            .iter()
            .copied()
            .chain(crate::own::METRICS)
            .map(|d| Entry::from_def(self, d))
            .collect()
    }

    /// The name a scrape shows for `name`: the root prefix added.
    pub fn full_name(&self, name: &str) -> String {
        if self.root_prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}_{}", self.root_prefix, name)
        }
    }

    /// Renders the catalog in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Markdown => markdown::render(self),
            Format::Json => json::render(self),
            Format::Grafana => grafana::render(self),
            Format::Python => python::render(self),
            Format::Rules => rules::render(self),
            Format::RulesTest => rules_test::render(self),
        }
    }

    /// The labels `own`, alone (for a registry-wide metric).
    fn own_label_names(&self, own: &[&str]) -> Vec<Label> {
        own.iter()
            .map(|k| Label {
                name: (*k).to_owned(),
                value: None,
            })
            .collect()
    }

    /// Every label name of a metric whose own labels are `own`.
    fn label_names(&self, own: &[&str]) -> Vec<Label> {
        let fixed = self.fixed_labels.iter().map(|(k, v)| Label {
            name: k.clone(),
            value: Some(v.clone()),
        });
        let instance = self.instance_labels.iter().map(|k| Label {
            name: k.clone(),
            value: None,
        });
        fixed
            .chain(instance)
            .chain(self.own_label_names(own))
            .collect()
    }
}

/// The entries of one group (a stats struct, or the registry's own metrics).
pub(crate) struct Group<'a> {
    pub(crate) name: &'static str,
    pub(crate) entries: Vec<&'a Entry>,
}

/// `entries` grouped by [`Entry::group`], groups in order of first appearance.
pub(crate) fn groups(entries: &[Entry]) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for entry in entries {
        match groups.iter_mut().find(|g| g.name == entry.group) {
            Some(group) => group.entries.push(entry),
            None => groups.push(Group {
                name: entry.group,
                entries: vec![entry],
            }),
        }
    }
    groups
}

/// A short lowercase slug of `title` (at most 40 of `[a-z0-9-]`; `LLM
/// worker` → `llm-worker`): the dashboard's uid and the prefix of the rule
/// groups.
pub(crate) fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(40);
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "kvstats".to_owned()
    } else {
        out.to_owned()
    }
}

/// The sentence every generated file starts with.
pub(crate) const GENERATED: &str = "Generated by kvstats_core::catalog from the \
    #[derive(PromGauges)] definitions. Do not edit: regenerate it.";
