//! What the fleet end-to-end tests share: the rule file they load, the
//! workers they start, what the rules must record, and the waits on a
//! Prometheus server.

mod expected;
mod rules;
mod waits;
mod workers;

pub use expected::{expected_gauge_rules, key, matches, one, present};
pub use rules::RuleFile;
pub use waits::{wait_for_healthy_rules, wait_until_scraping};
pub use workers::{free_addr, served, stop, Spec, Worker};

use std::time::Duration;

use harness::prometheus;
use kvstats_core::catalog::Catalog;

/// Prometheus reads its targets about 5 s after it starts and evaluates
/// every second; on a loaded 2-core machine a minute and a half is plenty.
pub const WAIT: Duration = Duration::from_secs(90);
/// Publishes per rank, every `INTERVAL_MS`: about 3 s of growing counters
/// for Prometheus to scrape, after which every value stays put and can be
/// compared exactly.
pub const STEPS: u64 = 30;
pub const INTERVAL_MS: &str = "100";
/// The hold every alert gets in the rules loaded here, for the generated
/// `5m` of `KvCacheNearlyFull` (and `30s` of `KvStatsAbsent`) cannot fit
/// in a test run; 2 s still takes the alert through `pending` to `firing`.
pub const HOLD: &str = "2s";

/// The worker's catalog, built as the catalog example builds it.
pub fn catalog() -> Catalog {
    simulation::catalog::worker().expect("the worker's catalog")
}

/// The worker's catalog and its rule file; `None` when Prometheus is
/// missing and the tests that need it are to be skipped.
pub fn setup() -> Option<(Catalog, RuleFile)> {
    if !prometheus::required() {
        return None;
    }
    let catalog = catalog();
    let rules = RuleFile::generate(&catalog);
    Some((catalog, rules))
}

/// Panics with the message of a wait that failed.
pub fn ok<T>(result: Result<T, String>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}
