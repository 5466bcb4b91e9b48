//! The support code of the integration tests and benchmarks of kvstats.
//!
//! - [`http`], [`exposition`], [`worker_process`], [`fixtures`]: a small HTTP
//!   client, a strict exposition reader, a way to run the `worker` example,
//!   and the registry most tests start from;
//! - [`heap`]: a counting allocator, for what code allocates and keeps;
//! - [`prometheus`], [`processes`], [`poll`], [`long_tests`]: support for the
//!   tests against a real Prometheus and the load tests: the server and
//!   `promtool`, what `/proc` says about a process, bounded waiting, and the
//!   switch to the long variants;
//! - [`python`]: prometheus_client's parser, which reads our expositions
//!   back independently of [`exposition`].
#![deny(missing_docs)]

use std::path::Path;

pub mod exposition;
mod external;
pub mod fixtures;
pub mod heap;
pub mod http;
pub mod long_tests;
pub mod poll;
pub mod ports;
pub mod processes;
pub mod prometheus;
pub mod python;
pub mod worker_process;

/// The workspace's root folder: the manifest of the root package, which owns
/// the examples, and `scripts/`.
fn workspace_root() -> &'static Path {
    match Path::new(env!("CARGO_MANIFEST_DIR")).parent() {
        Some(root) => root,
        None => unreachable!("harness/ is a folder of the workspace"),
    }
}
