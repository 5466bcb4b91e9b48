//! The component registry: namespace / component / endpoint levels, each of
//! which adds an automatic label to what is registered on it.

use std::sync::{Arc, RwLock};

use crate::error::{checked, Result};
use crate::group::{Group, GroupSet};
use crate::metric::GaugeGroup;
use crate::names::{check_level_name, check_name};
use crate::registered::Registered;

/// The root metric-name prefix of [`Registry::new`], as in the reference runtime.
pub const DEFAULT_PREFIX: &str = "dynamo_component";
/// The prefix of the automatic labels of [`Registry::new`]
/// (`dynamo_namespace`, `dynamo_component`, `dynamo_endpoint`).
pub const DEFAULT_LABEL_PREFIX: &str = "dynamo";

/// State shared by every level of one registry.
pub(crate) struct Shared {
    pub(crate) root_prefix: String,
    pub(crate) label_prefix: String,
    pub(crate) prometheus: prometheus::Registry,
    pub(crate) groups: RwLock<GroupSet>,
}

impl Shared {
    /// `{root}_{name}`, or `name` alone when the root prefix is empty.
    pub(crate) fn full_name(&self, name: &str) -> String {
        if self.root_prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}_{}", self.root_prefix, name)
        }
    }

    fn auto_label(&self, level: &str) -> String {
        format!("{}_{}", self.label_prefix, level)
    }

    /// The label names the registry sets itself.
    pub(crate) fn is_auto_label(&self, label: &str) -> bool {
        ["namespace", "component", "endpoint"]
            .iter()
            .any(|level| self.auto_label(level) == label)
    }
}

/// Where on the registry tree a level sits: the shared state and the automatic
/// labels of the level and its parents.
#[doc(hidden)]
#[derive(Clone)]
pub struct Scope {
    pub(crate) shared: Arc<Shared>,
    pub(crate) labels: Vec<(String, String)>,
}

impl Scope {
    fn child(&self, level: &'static str, name: &str) -> Result<Scope> {
        checked(level, name, check_level_name)?;
        let mut labels = self.labels.clone();
        labels.push((self.shared.auto_label(level), name.to_owned()));
        Ok(Scope {
            shared: Arc::clone(&self.shared),
            labels,
        })
    }

    /// Whether a group registered at `scope_labels` lies under this level.
    pub(crate) fn contains(&self, scope_labels: &[(String, String)]) -> bool {
        scope_labels.starts_with(&self.labels)
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A level of the registry tree that metrics can be registered on:
/// [`Registry`], [`Namespace`], [`Component`] or [`Endpoint`].
///
/// ```
/// use kvstats_core::{KvStats, KvStatsGauges, MetricsRegistry, Registry};
///
/// fn register_on(level: &impl MetricsRegistry) -> kvstats_core::Result<()> {
///     let gauges = KvStatsGauges::register(level)?;
///     gauges.update_from(&KvStats { kv_total_blocks: 8, ..Default::default() });
///     Ok(())
/// }
///
/// let component = Registry::new().namespace("dynamo")?.component("backend")?;
/// register_on(&component)?;
/// assert!(component.prometheus_text()?.contains("kvstats_total_blocks"));
/// # Ok::<(), kvstats_core::Error>(())
/// ```
pub trait MetricsRegistry: sealed::Sealed {
    #[doc(hidden)]
    fn scope(&self) -> &Scope;

    /// The text exposition (format 0.0.4) of every metric registered on this
    /// level or below it, plus anything registered directly on
    /// [`prometheus()`](Self::prometheus).
    fn prometheus_text(&self) -> Result<String> {
        let mut out = String::new();
        crate::encode::render(self.scope(), &mut out)?;
        Ok(out)
    }

    /// The underlying `prometheus` registry, shared by every level, for interop:
    /// its `gather()` includes the kvstats metrics, and collectors registered on
    /// it appear in [`prometheus_text()`](Self::prometheus_text).
    fn prometheus(&self) -> &prometheus::Registry {
        &self.scope().shared.prometheus
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

/// Registers a fresh container of `G` on `level`; the generated
/// `register_with_labels` calls this.
pub(crate) fn register<G: GaugeGroup>(
    level: &(impl MetricsRegistry + ?Sized),
    labels: &[(&str, &str)],
) -> Result<Registered<G>> {
    let scope = level.scope();
    let values = Arc::new(G::default());
    let group = Group::new::<G>(scope, labels, Arc::clone(&values) as _)?;
    let id = GroupSet::insert(&scope.shared, group)?;
    Ok(Registered::new(values, Arc::downgrade(&scope.shared), id))
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

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("root_prefix", &self.scope.shared.root_prefix)
                    .field("labels", &self.scope.labels)
                    .finish()
            }
        }
    };
}

level! {
    /// The root of a registry tree: owns the `prometheus::Registry` and the
    /// root metric-name prefix.
    ///
    /// ```
    /// use kvstats_core::{KvStats, KvStatsGauges, Registry};
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
    /// `dynamo_namespace`, `dynamo_component`, `dynamo_endpoint`.
    pub fn new() -> Self {
        Self::build(DEFAULT_PREFIX, DEFAULT_LABEL_PREFIX)
    }

    /// A registry whose metric names start with `{prefix}_`; an empty prefix
    /// leaves the names as the derive made them. Automatic labels keep the
    /// `dynamo_` prefix; see [`with_prefixes`](Self::with_prefixes).
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
        Self::with_prefixes(prefix, DEFAULT_LABEL_PREFIX)
    }

    /// A registry with root metric prefix `prefix` and automatic labels
    /// `{label_prefix}_namespace`, `{label_prefix}_component`, `{label_prefix}_endpoint`.
    pub fn with_prefixes(prefix: &str, label_prefix: &str) -> Result<Self> {
        if !prefix.is_empty() {
            checked("prefix", prefix, check_name)?;
        }
        checked("label prefix", label_prefix, check_name)?;
        Ok(Self::build(prefix, label_prefix))
    }

    fn build(prefix: &str, label_prefix: &str) -> Self {
        Registry {
            scope: Scope {
                shared: Arc::new(Shared {
                    root_prefix: prefix.to_owned(),
                    label_prefix: label_prefix.to_owned(),
                    prometheus: prometheus::Registry::new(),
                    groups: RwLock::new(GroupSet::default()),
                }),
                labels: Vec::new(),
            },
        }
    }

    /// The namespace `name` (`[a-zA-Z_][a-zA-Z0-9_-]*`).
    pub fn namespace(&self, name: &str) -> Result<Namespace> {
        Ok(Namespace {
            scope: self.scope.child("namespace", name)?,
        })
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Namespace {
    /// The component `name` of this namespace.
    pub fn component(&self, name: &str) -> Result<Component> {
        Ok(Component {
            scope: self.scope.child("component", name)?,
        })
    }
}

impl Component {
    /// The endpoint `name` of this component.
    pub fn endpoint(&self, name: &str) -> Result<Endpoint> {
        Ok(Endpoint {
            scope: self.scope.child("endpoint", name)?,
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
    fn bad_level_names_are_errors_naming_the_value() {
        let ns = Registry::new().namespace("dynamo").unwrap();
        let err = ns.component("back end").unwrap_err().to_string();
        assert!(
            err.starts_with("invalid component name `back end`: "),
            "{err}"
        );
        let err = Registry::new().namespace("").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid namespace name ``: name is empty; use ASCII letters, digits and `_`"
        );
    }
}
