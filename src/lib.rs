//! The workspace's root package: it owns the runnable examples, the
//! integration tests and the benchmarks of kvstats. The library users depend
//! on is `kvstats-core`.
#![deny(missing_docs)]
