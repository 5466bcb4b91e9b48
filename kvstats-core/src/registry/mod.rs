//! The component registry, the one source of truth of what is exported:
//! namespace / component / endpoint levels (each adds an automatic label),
//! the registration of containers and collectors, the identity of series
//! (full name plus sorted label set) and the lifecycle of their handles.

mod builder;
mod foreign;
mod handle;
mod labels;
mod register;

use std::fmt;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use prometheus::core::Collector;

use crate::error::{checked, Result};
use crate::instance::ScopeLabels;
use crate::interop;
use crate::metric::GaugeGroup;
use crate::names::check_level_name;
use crate::render::plan::{ForeignFamily, Plan};
use crate::render::Format;

pub use builder::RegistryBuilder;
pub use handle::Registered;

/// The root metric-name prefix of [`Registry::new`], as in the reference runtime.
pub const DEFAULT_PREFIX: &str = "dynamo_component";
/// The prefix of the automatic labels of [`Registry::new`]
/// (`dynamo_namespace`, `dynamo_component`, `dynamo_endpoint`).
pub const DEFAULT_LABEL_PREFIX: &str = "dynamo";

/// The levels below the root, in order, as their automatic labels name them.
const LEVELS: [&str; 3] = ["namespace", "component", "endpoint"];

/// State shared by every level of one registry.
pub(crate) struct Shared {
    root_prefix: Box<str>,
    label_prefix: Box<str>,
    plan: Arc<RwLock<Plan>>,
    prometheus: prometheus::Registry,
}

impl Shared {
    /// `{root}_{name}`, or `name` alone when the root prefix is empty.
    pub(crate) fn full_name(&self, name: &str) -> Box<str> {
        crate::text::full_name(&self.root_prefix, name)
    }

    fn auto_label(&self, level: &str) -> String {
        format!("{}_{}", self.label_prefix, level)
    }

    /// Whether the registry sets the label `label` itself.
    pub(crate) fn is_auto_label(&self, label: &str) -> bool {
        LEVELS.iter().any(|level| self.auto_label(level) == label)
    }

    pub(crate) fn read_plan(&self) -> RwLockReadGuard<'_, Plan> {
        self.plan.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write_plan(&self) -> RwLockWriteGuard<'_, Plan> {
        self.plan.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The prometheus registry may be the application's and outlive us.
        interop::detach(&self.prometheus);
    }
}

/// Where on the registry tree a level sits: the shared state and the automatic
/// labels of the level and its parents.
#[doc(hidden)]
#[derive(Clone)]
pub struct Scope {
    pub(crate) shared: Arc<Shared>,
    pub(crate) labels: ScopeLabels,
}

impl Scope {
    fn child(&self, level: &'static str, name: &str) -> Result<Scope> {
        checked(level, name, check_level_name)?;
        let mut labels = self.labels.to_vec();
        labels.push((self.shared.auto_label(level), name.to_owned()));
        Ok(Scope {
            shared: Arc::clone(&self.shared),
            labels: Arc::new(labels),
        })
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A level of the registry tree that metrics can be registered on:
/// [`Registry`], [`Namespace`], [`Component`] or [`Endpoint`].
///
/// ```
/// use kvstats_core::{MetricsRegistry, Registered, Registry};
/// use kvstats_core::dynamo::{KvStats, KvStatsGauges};
///
/// fn register_on(level: &impl MetricsRegistry) -> kvstats_core::Result<Registered<KvStatsGauges>> {
///     let gauges = level.register::<KvStatsGauges>(&[("dp_rank", "0")])?;
///     gauges.update_from(&KvStats { kv_total_blocks: 8, ..Default::default() });
///     Ok(gauges)
/// }
///
/// let component = Registry::new().namespace("dynamo")?.component("backend")?;
/// let gauges = register_on(&component)?;
/// assert!(component.prometheus_text()?.contains("kvstats_total_blocks"));
/// # drop(gauges);
/// # Ok::<(), kvstats_core::Error>(())
/// ```
pub trait MetricsRegistry: sealed::Sealed {
    #[doc(hidden)]
    fn scope(&self) -> &Scope;

    /// Registers a new container of type `G` on this level, with `labels`
    /// added to every series (the generated `register_with_labels` calls
    /// this). Fails, naming the metric and the labels, if a series with the
    /// same name and labels exists, if a family of the same name has another
    /// type, help or label names, or if a label cannot be used.
    ///
    /// The series stay exported while the returned handle (or a clone) lives;
    /// see [`Registered`].
    #[must_use = "the series leave the registry when the returned handle is dropped"]
    fn register<G: GaugeGroup>(&self, labels: &[(&str, &str)]) -> Result<Registered<G>>
    where
        Self: Sized,
    {
        register::register::<G>(self.scope(), labels)
    }

    /// The text exposition (format 0.0.4) of every series registered on this
    /// level or below it, plus the families of collectors registered on
    /// [`prometheus()`](Self::prometheus) (merged by name: one family per name).
    ///
    /// Series are in the order `prometheus::Registry::gather` sorts them (by
    /// label values compared as strings, so `position="10"` comes before
    /// `position="2"`), so this text and `gather()` + `TextEncoder` agree.
    fn prometheus_text(&self) -> Result<String> {
        let mut out = String::new();
        self.write_text(&mut out)?;
        Ok(out)
    }

    /// Appends the exposition of [`prometheus_text`](Self::prometheus_text)
    /// to `out`, so a server can reuse one buffer.
    fn write_text(&self, out: &mut String) -> Result<()> {
        self.write_exposition(Format::Text, out)
    }

    /// The exposition in `format`: the text format 0.0.4 (as
    /// [`prometheus_text`](Self::prometheus_text)) or OpenMetrics 1.0.0.
    ///
    /// ```
    /// use kvstats_core::{Format, MetricsRegistry, Registry};
    /// use kvstats_core::dynamo::KvStatsGauges;
    ///
    /// let component = Registry::new().namespace("dynamo")?.component("backend")?;
    /// let gauges = KvStatsGauges::register(&component)?;
    /// let text = component.exposition(Format::OpenMetrics)?;
    /// assert!(text.ends_with("# EOF\n"));
    /// # drop(gauges);
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    fn exposition(&self, format: Format) -> Result<String> {
        let mut out = String::new();
        self.write_exposition(format, &mut out)?;
        Ok(out)
    }

    /// Appends the exposition in `format` to `out`.
    fn write_exposition(&self, format: Format, out: &mut String) -> Result<()> {
        let scope = self.scope();
        let shared = &scope.shared;
        let foreign = interop::foreign_families(&shared.prometheus);
        let plan = shared.read_plan();
        crate::render::write_exposition(&plan, &scope.labels, &foreign, format, out)
    }

    /// The `prometheus` registry this registry is bridged to, shared by every
    /// level: its `gather()` includes the kvstats metrics, and collectors
    /// registered on it appear in [`prometheus_text()`](Self::prometheus_text).
    /// Register collectors with
    /// [`register_collector`](Self::register_collector) to have clashes with
    /// kvstats families refused at once.
    fn prometheus(&self) -> &prometheus::Registry {
        &self.scope().shared.prometheus
    }

    /// Registers a `prometheus` collector on [`prometheus()`](Self::prometheus),
    /// after checking its descriptors against the kvstats families: a family
    /// of the same name with other help or label names, or one of the
    /// library's own, is an [`Error::Inconsistent`](crate::Error::Inconsistent) naming it.
    ///
    /// ```
    /// use kvstats_core::{MetricsRegistry, Registry};
    ///
    /// let registry = Registry::new();
    /// let requests = prometheus::IntCounter::new("http_requests_total", "Requests served").unwrap();
    /// registry.register_collector(Box::new(requests.clone()))?;
    /// requests.inc();
    /// assert!(registry.prometheus_text()?.contains("http_requests_total 1"));
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    fn register_collector(&self, collector: Box<dyn Collector>) -> Result<()> {
        let shared = &self.scope().shared;
        let declared = interop::declared_families(collector.as_ref());
        foreign::check_all(&shared.read_plan(), &declared)?;
        // Not under the plan's lock: `gather()` holds the `prometheus`
        // registry's lock while the bridge takes the plan's.
        let copy = interop::Unregister::of(collector.as_ref());
        shared
            .prometheus
            .register(collector)
            .map_err(|e| interop::registration_error(e, &declared))?;
        let mut plan = shared.write_plan();
        if let Err(e) = foreign::check_all(&plan, &declared) {
            // A kvstats registration took one of the names meanwhile.
            drop(plan);
            let _ = shared.prometheus.unregister(Box::new(copy));
            return Err(e);
        }
        for (name, family) in declared {
            plan.foreign
                .entry(name)
                .or_insert(ForeignFamily {
                    collectors: 0,
                    ..family
                })
                .collectors += 1;
        }
        Ok(())
    }

    /// Unregisters a collector registered with
    /// [`register_collector`](Self::register_collector) (a clone of it, as
    /// the `prometheus` crate asks), so its family names are free again.
    ///
    /// ```
    /// use kvstats_core::{MetricsRegistry, Registry};
    ///
    /// let registry = Registry::new();
    /// let requests = prometheus::IntCounter::new("http_requests_total", "Requests served").unwrap();
    /// registry.register_collector(Box::new(requests.clone()))?;
    /// registry.unregister_collector(Box::new(requests))?;
    /// assert!(registry.prometheus_text()?.is_empty());
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    fn unregister_collector(&self, collector: Box<dyn Collector>) -> Result<()> {
        let shared = &self.scope().shared;
        let declared = interop::declared_families(collector.as_ref());
        shared.prometheus.unregister(collector)?;
        let mut plan = shared.write_plan();
        for (name, _) in declared {
            if let Some(family) = plan.foreign.get_mut(&name) {
                family.collectors = family.collectors.saturating_sub(1);
                if family.collectors == 0 {
                    plan.foreign.remove(&name);
                }
            }
        }
        Ok(())
    }

    /// The automatic labels of this level and its parents, outermost first.
    fn auto_labels(&self) -> &[(String, String)] {
        &self.scope().labels
    }

    /// The root metric-name prefix (`dynamo_component` by default).
    fn root_prefix(&self) -> &str {
        &self.scope().shared.root_prefix
    }
}

/// Counts a scrape of `registry` answered in `format` and `encoding`.
pub(crate) fn count_scrape(
    registry: &(impl MetricsRegistry + ?Sized),
    format: Format,
    encoding: crate::render::Encoding,
) {
    registry
        .scope()
        .shared
        .read_plan()
        .count_scrape(format, encoding);
}

macro_rules! level {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            scope: Scope,
        }

        impl sealed::Sealed for $name {}

        impl MetricsRegistry for $name {
            fn scope(&self) -> &Scope {
                &self.scope
            }
        }

        impl $name {
            /// See [`MetricsRegistry::prometheus_text`].
            pub fn prometheus_text(&self) -> Result<String> {
                MetricsRegistry::prometheus_text(self)
            }

            /// See [`MetricsRegistry::prometheus`].
            pub fn prometheus(&self) -> &prometheus::Registry {
                MetricsRegistry::prometheus(self)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("root_prefix", &self.scope.shared.root_prefix)
                    .field("labels", &self.scope.labels)
                    .finish()
            }
        }
    };
}

level! {
    /// The root of a registry tree: the families, the root metric-name
    /// prefix, and the bridge to a `prometheus::Registry`.
    ///
    /// ```
    /// use kvstats_core::Registry;
    /// use kvstats_core::dynamo::{KvStats, KvStatsGauges};
    ///
    /// let registry = Registry::new();
    /// let component = registry.namespace("dynamo")?.component("backend")?;
    /// let gauges = KvStatsGauges::register(&component)?;
    /// gauges.update_from(&KvStats { kv_total_blocks: 12894, ..Default::default() });
    ///
    /// let text = registry.prometheus_text()?;
    /// assert!(text.lines().any(|l| l == "dynamo_component_kvstats_total_blocks\
    ///     {dynamo_component=\"backend\",dynamo_namespace=\"dynamo\"} 12894"));
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    Registry
}

level! {
    /// A namespace: adds the label `dynamo_namespace`.
    Namespace
}

level! {
    /// A component of a namespace: adds the label `dynamo_component`.
    Component
}

level! {
    /// An endpoint of a component: adds the label `dynamo_endpoint`.
    Endpoint
}

impl Registry {
    /// A registry with root prefix `dynamo_component` and automatic labels
    /// `dynamo_namespace`, `dynamo_component`, `dynamo_endpoint`, as the
    /// reference runtime named them.
    pub fn new() -> Self {
        match Self::builder().build() {
            Ok(registry) => registry,
            Err(e) => unreachable!("the default prefixes are valid: {e}"),
        }
    }

    /// The settings of a new registry, starting from the defaults of [`new`](Self::new).
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder::new()
    }

    /// A registry whose metric names start with `{prefix}_`; an empty prefix
    /// leaves the names as the derive made them. Automatic labels keep the
    /// `dynamo_` prefix; see [`builder`](Self::builder).
    ///
    /// ```
    /// use kvstats_core::Registry;
    ///
    /// assert!(Registry::with_prefix("llm").is_ok());
    /// assert!(Registry::with_prefix("").is_ok());
    /// let err = Registry::with_prefix("my-app").unwrap_err();
    /// assert!(err.to_string().starts_with("invalid prefix name `my-app`"));
    /// ```
    pub fn with_prefix(prefix: &str) -> Result<Self> {
        Self::builder().prefix(prefix).build()
    }

    /// A registry with root metric prefix `prefix` and automatic labels
    /// `{label_prefix}_namespace`, `{label_prefix}_component`, `{label_prefix}_endpoint`.
    ///
    /// ```
    /// use kvstats_core::Registry;
    ///
    /// assert!(Registry::with_prefixes("", "llm").is_ok());
    /// assert!(Registry::with_prefixes("", "_").is_err());
    /// ```
    pub fn with_prefixes(prefix: &str, label_prefix: &str) -> Result<Self> {
        Self::builder()
            .prefix(prefix)
            .label_prefix(label_prefix)
            .build()
    }

    /// The namespace `name` (`[a-zA-Z_][a-zA-Z0-9_-]*`).
    pub fn namespace(&self, name: &str) -> Result<Namespace> {
        Ok(Namespace {
            scope: self.scope.child(LEVELS[0], name)?,
        })
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Namespace {
    /// The component `name` of this namespace (`[a-zA-Z_][a-zA-Z0-9_-]*`).
    pub fn component(&self, name: &str) -> Result<Component> {
        Ok(Component {
            scope: self.scope.child(LEVELS[1], name)?,
        })
    }
}

impl Component {
    /// The endpoint `name` of this component (`[a-zA-Z_][a-zA-Z0-9_-]*`).
    pub fn endpoint(&self, name: &str) -> Result<Endpoint> {
        Ok(Endpoint {
            scope: self.scope.child(LEVELS[2], name)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_add_their_auto_labels_in_order() {
        let endpoint = Registry::new()
            .namespace("dynamo")
            .and_then(|n| n.component("backend"))
            .and_then(|c| c.endpoint("generate"))
            .unwrap();
        let labels: Vec<_> = endpoint
            .auto_labels()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            labels,
            [
                "dynamo_namespace=dynamo",
                "dynamo_component=backend",
                "dynamo_endpoint=generate"
            ]
        );
    }

    #[test]
    fn bad_level_names_are_errors_naming_the_value_and_the_rule() {
        let ns = Registry::new().namespace("dynamo").unwrap();
        let err = ns.component("back end").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid component name `back end`: name contains a character other than ASCII \
             letters, digits, `_` and `-`; level names match [a-zA-Z_][a-zA-Z0-9_-]*"
        );
        let err = Registry::new().namespace("").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid namespace name ``: name is empty; level names match [a-zA-Z_][a-zA-Z0-9_-]*"
        );
    }

    #[test]
    fn prefixes_that_make_reserved_names_are_refused() {
        let err = Registry::with_prefixes("", "_").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid label prefix `_`: it makes names such as `__namespace`, and names starting \
             with `__` are reserved by Prometheus"
        );
        assert!(Registry::with_prefix("_").is_err());
        assert!(Registry::with_prefix("_x").is_ok());
        assert!(Registry::with_prefixes("", "").is_err());
    }
}
