//! The metric catalog of the `worker` example: what its registry exports.

use kvstats_core::catalog::{shipped, Catalog};
use kvstats_core::constants_module;

use crate::stats::EngineStats;

/// The shipped catalog (`ForwardPassMetrics`, its constants modules `worker`,
/// `kvstats` and `spec_decode`) with the engine's [`EngineStats`] and its
/// constants module `engine` added: every metric the worker serves, under
/// namespace `dynamo`, component `backend`, one registration per `dp_rank`.
/// The repository's docs, dashboard and Python module are rendered from it
/// (`examples/catalog.rs`).
///
/// ```
/// use kvstats_core::catalog::Format;
///
/// let catalog = simulation::catalog::worker()?;
/// let markdown = catalog.render(Format::Markdown);
/// assert!(markdown.contains("`dynamo_component_kvstats_active_blocks`"));
/// assert!(markdown.contains("`dynamo_component_engine_prompt_tokens_total`"));
/// # Ok::<(), kvstats_core::Error>(())
/// ```
pub fn worker() -> kvstats_core::Result<Catalog> {
    Ok(shipped()?
        .add::<EngineStats>()
        .constants(constants_module!(crate::stats::engine)))
}
