//! Registries the tests build again and again.

use kvstats_core::{Component, Registry};

/// A default registry and its component `backend` of namespace `dynamo`,
/// the place the reference runtime registers its metrics.
///
/// ```
/// let (registry, backend) = harness::fixtures::backend();
/// assert!(registry.prometheus_text()?.is_empty());
/// # drop(backend);
/// # Ok::<(), kvstats_core::Error>(())
/// ```
pub fn backend() -> (Registry, Component) {
    let registry = Registry::new();
    let component = registry
        .namespace("dynamo")
        .and_then(|namespace| namespace.component("backend"));
    match component {
        Ok(component) => (registry, component),
        Err(e) => unreachable!("`dynamo` and `backend` are valid names: {e}"),
    }
}

/// The labels the registry adds to every series of [`backend`], as the
/// exposition prints them.
pub const BACKEND_LABELS: &str = r#"{dynamo_component="backend",dynamo_namespace="dynamo"}"#;
