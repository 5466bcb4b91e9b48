//! The simulated inference worker that the `worker` example runs.
//!
//! Everything the example needs besides its wiring, so the example stays a
//! page long and the tests drive the same code:
//! - [`sim`]: the traffic simulation;
//! - [`stats`]: the engine's per-step statistics it publishes beside
//!   `ForwardPassMetrics`;
//! - [`cli`]: the worker's command line;
//! - [`catalog`]: the catalog of every metric the worker exports;
//! - [`published`]: the line the worker prints per publish, and its reader.
#![deny(missing_docs)]

pub mod catalog;
pub mod cli;
pub mod published;
pub mod sim;
pub mod stats;
