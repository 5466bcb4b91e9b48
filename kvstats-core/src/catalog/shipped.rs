//! The catalog of the stats structs this crate ships.

use super::Catalog;
use crate::dynamo::ForwardPassMetrics;
use crate::error::Result;
use crate::registry::Registry;

/// The catalog of [`ForwardPassMetrics`] as an inference worker exports it:
/// namespace `dynamo`, component `backend`, one registration per
/// data-parallel rank with the label `dp_rank`, and the constants modules
/// `worker`, `kvstats` and `spec_decode`.
///
/// The repository checks in its renderings (`docs/METRICS.md`,
/// `docs/metrics.json`, `dashboards/kvstats.json`, `python/kvstats_names.py`).
///
/// ```
/// use kvstats_core::catalog::{shipped, Format};
///
/// let catalog = shipped()?;
/// assert!(catalog.render(Format::Markdown).contains("`dynamo_component_kvstats_active_blocks`"));
/// # Ok::<(), kvstats_core::Error>(())
/// ```
pub fn shipped() -> Result<Catalog> {
    let component = Registry::new().namespace("dynamo")?.component("backend")?;
    Ok(Catalog::new(&component)
        .with_title("kvstats")
        .instance_label("dp_rank")?
        .add::<ForwardPassMetrics>()
        .constants(crate::constants_module!(crate::dynamo::worker))
        .constants(crate::constants_module!(crate::dynamo::kvstats))
        .constants(crate::constants_module!(crate::dynamo::spec_decode)))
}
