//! The settings of a new registry, checked when it is built.

use std::sync::{Arc, RwLock};

use crate::error::{checked, Error, Result};
use crate::interop;
use crate::names::check_name;
use crate::render::plan::Plan;

use super::{Registry, Scope, Shared, DEFAULT_LABEL_PREFIX, DEFAULT_PREFIX, LEVELS};

/// The settings of a new [`Registry`]: root prefix, label prefix, and the
/// `prometheus::Registry` to bridge to.
///
/// ```
/// use kvstats_core::{MetricsRegistry, Registry};
///
/// let app = prometheus::Registry::new();
/// let registry = Registry::builder()
///     .prefix("llm")
///     .label_prefix("llm")
///     .prometheus(app.clone())
///     .build()?;
/// assert_eq!(registry.namespace("prod")?.auto_labels()[0].0, "llm_namespace");
/// # Ok::<(), kvstats_core::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a RegistryBuilder does nothing until `build` is called"]
pub struct RegistryBuilder {
    prefix: String,
    label_prefix: String,
    prometheus: Option<prometheus::Registry>,
}

impl RegistryBuilder {
    /// The defaults of [`Registry::new`].
    pub(super) fn new() -> Self {
        RegistryBuilder {
            prefix: DEFAULT_PREFIX.to_owned(),
            label_prefix: DEFAULT_LABEL_PREFIX.to_owned(),
            prometheus: None,
        }
    }

    /// The root metric-name prefix (`dynamo_component` by default); an empty
    /// prefix leaves the names as the derive made them.
    pub fn prefix(mut self, prefix: &str) -> Self {
        prefix.clone_into(&mut self.prefix);
        self
    }

    /// The prefix of the automatic labels (`dynamo` by default):
    /// `{label_prefix}_namespace`, `_component`, `_endpoint`.
    pub fn label_prefix(mut self, label_prefix: &str) -> Self {
        label_prefix.clone_into(&mut self.label_prefix);
        self
    }

    /// The application's `prometheus::Registry`: its families appear in this
    /// registry's scrape, and this registry's families in its `gather()`.
    /// Without one, the registry has a `prometheus::Registry` of its own.
    pub fn prometheus(mut self, registry: prometheus::Registry) -> Self {
        self.prometheus = Some(registry);
        self
    }

    /// Checks the prefixes and builds the registry. Fails if a prefix makes
    /// invalid names (`__` at the start included), or if the `prometheus`
    /// registry already has a collector without descriptors (a kvstats
    /// registry's bridge is one, and the `prometheus` crate allows one).
    ///
    /// ```
    /// use kvstats_core::Registry;
    ///
    /// let err = Registry::builder().prefix("_").build().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid prefix `_`: it makes names such as `__kvstats_active_blocks`, and names \
    ///      starting with `__` are reserved by Prometheus",
    /// );
    /// ```
    pub fn build(self) -> Result<Registry> {
        if !self.prefix.is_empty() {
            checked("prefix", &self.prefix, check_name)?;
            check_made("prefix", &self.prefix, "kvstats_active_blocks")?;
        }
        checked("label prefix", &self.label_prefix, check_name)?;
        check_made("label prefix", &self.label_prefix, LEVELS[0])?;
        let prometheus = self.prometheus.unwrap_or_default();
        let plan = Arc::new(RwLock::new(Plan::new(&self.prefix)));
        interop::attach(&prometheus, &plan)?;
        Ok(Registry {
            scope: Scope {
                shared: Arc::new(Shared {
                    root_prefix: self.prefix.into(),
                    label_prefix: self.label_prefix.into(),
                    plan,
                    prometheus,
                }),
                labels: Arc::new(Vec::new()),
            },
        })
    }
}

/// Checks the names `prefix` makes (`{prefix}_{example}`), which can break the
/// rule where the prefix alone does not (`_` makes `__..`).
fn check_made(kind: &'static str, prefix: &str, example: &str) -> Result<()> {
    let made = format!("{prefix}_{example}");
    check_name(&made).map_err(|reason| Error::InvalidPrefix {
        kind,
        prefix: prefix.to_owned(),
        made,
        reason,
    })
}
