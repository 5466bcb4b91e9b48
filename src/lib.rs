//! The workspace's root package: it owns the runnable examples, the
//! integration tests and the benchmarks of kvstats. The library users depend
//! on is `kvstats-core`.
//!
//! This library holds what the `worker` example and the tests share, so the
//! example stays a page of wiring and the tests drive the same code:
//! - [`sim`]: the simulated inference worker (and [`rng`], its seeded generator);
//! - [`cli`]: the worker's command line;
//! - [`published`]: the line the worker prints per publish, and its reader;
//! - [`http`], [`exposition`], [`worker_process`], [`fixtures`]: test support:
//!   a small HTTP client, a strict exposition reader, a way to run the
//!   example, and the registry most tests start from;
//! - [`prometheus`], [`processes`], [`poll`], [`tempdir`], [`long_tests`]:
//!   support for the tests against a real Prometheus and the load tests: the
//!   server and `promtool`, what `/proc` says about a process, bounded
//!   waiting, a directory per test, and the switch to the long variants.
#![deny(missing_docs)]

pub mod cli;
pub mod exposition;
pub mod fixtures;
pub mod http;
pub mod long_tests;
pub mod poll;
pub mod processes;
pub mod prometheus;
pub mod published;
pub mod rng;
pub mod sim;
pub mod tempdir;
pub mod worker_process;
