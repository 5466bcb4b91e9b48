//! The simulated inference worker that the `worker` example runs.
//!
//! Everything the example needs besides its wiring, so the example stays a
//! page long and the tests drive the same code:
//! - [`sim`]: the traffic simulation;
//! - [`cli`]: the worker's command line;
//! - [`published`]: the line the worker prints per publish, and its reader.
#![deny(missing_docs)]

pub mod cli;
pub mod published;
pub mod sim;
