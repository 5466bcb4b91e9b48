//! The switch between the short variants of the load tests, which `cargo
//! test` runs by default and keep CI within its time, and the long ones
//! the issue asks for (a 60 s soak, a thousand hostile connections).

/// Set to `1` to run the long variants.
pub const ENV: &str = "KVSTATS_LONG_TESTS";

/// Whether `KVSTATS_LONG_TESTS=1`.
pub fn enabled() -> bool {
    std::env::var_os(ENV).is_some_and(|value| value == "1")
}

/// `long` when the long variants are asked for, else `short`.
///
/// ```
/// use std::time::Duration;
///
/// let soak = harness::long_tests::pick(Duration::from_secs(5), Duration::from_secs(60));
/// assert!(soak == Duration::from_secs(5) || harness::long_tests::enabled());
/// ```
pub fn pick<T>(short: T, long: T) -> T {
    if enabled() {
        long
    } else {
        short
    }
}
