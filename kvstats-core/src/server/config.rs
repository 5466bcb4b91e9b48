//! The server's settings: defaults, the address from the environment, and
//! the range checks `start` applies before binding.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::error::{Error, Result};

/// The address the server binds when none is given: loopback only, so a
/// worker never exposes its metrics to the network unless asked to.
pub const DEFAULT_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8081);

/// The environment variable that overrides [`DEFAULT_ADDR`].
pub const ADDR_ENV: &str = "KVSTATS_METRICS_ADDR";

/// Parses `IP:PORT` (`127.0.0.1:8081`, `[::1]:8081`); `origin` names where the
/// value came from, so the error can say which setting to fix.
///
/// Host names are refused: resolving one may block, and may resolve to an
/// address other than the one meant.
///
/// ```
/// use kvstats_core::server::parse_addr;
///
/// assert_eq!(parse_addr("--addr", "127.0.0.1:0")?.port(), 0);
/// let err = parse_addr("--addr", "localhost:8081").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "invalid --addr `localhost:8081`: expected an IP address and a port, such as 127.0.0.1:8081",
/// );
/// # Ok::<(), kvstats_core::Error>(())
/// ```
pub fn parse_addr(origin: &'static str, value: &str) -> Result<SocketAddr> {
    value.trim().parse().map_err(|_| Error::InvalidAddress {
        origin,
        value: value.to_owned(),
    })
}

/// The address to bind when none is given: `KVSTATS_METRICS_ADDR` if it is
/// set, else [`DEFAULT_ADDR`]. A value that is set but is not `IP:PORT` is an
/// error naming the variable (an empty value too: it is more likely a
/// mistake than a wish for the default).
///
/// ```
/// use kvstats_core::server::{addr_from_env, DEFAULT_ADDR};
///
/// if std::env::var_os("KVSTATS_METRICS_ADDR").is_none() {
///     assert_eq!(addr_from_env()?, DEFAULT_ADDR);
/// }
/// # Ok::<(), kvstats_core::Error>(())
/// ```
pub fn addr_from_env() -> Result<SocketAddr> {
    match std::env::var_os(ADDR_ENV) {
        None => Ok(DEFAULT_ADDR),
        Some(value) => parse_addr(ADDR_ENV, &value.to_string_lossy()),
    }
}

/// The resource limits of one server; see the module docs for what each
/// bounds and why the defaults are what they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limits {
    pub(super) max_connections: usize,
    pub(super) header_read_timeout: Duration,
    pub(super) idle_timeout: Duration,
    pub(super) max_header_bytes: usize,
    pub(super) shutdown_timeout: Duration,
}

/// hyper refuses a read buffer smaller than this (it panics), so we check first.
const MIN_HEADER_BYTES: usize = 8 * 1024;
const MAX_HEADER_BYTES: usize = 1024 * 1024;
/// Deadlines are computed as `now + timeout`; an unbounded timeout would
/// overflow there, and a day is already far past any useful value.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);
/// `acquire_many` takes a `u32`; far more than one process should serve anyway.
const MAX_CONNECTIONS: usize = 65_536;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 512,
            header_read_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
            shutdown_timeout: Duration::from_secs(5),
        }
    }
}

impl Limits {
    /// Every setting in its range, or an error naming the first one that is not.
    pub(super) fn check(&self) -> Result<()> {
        let out_of_range = |setting, value: String, expected| {
            Err(Error::InvalidSetting {
                setting,
                value,
                expected,
            })
        };
        if !(1..=MAX_CONNECTIONS).contains(&self.max_connections) {
            return out_of_range(
                "max_connections",
                self.max_connections.to_string(),
                "1..=65536",
            );
        }
        if !(MIN_HEADER_BYTES..=MAX_HEADER_BYTES).contains(&self.max_header_bytes) {
            return out_of_range(
                "max_header_bytes",
                self.max_header_bytes.to_string(),
                "8192..=1048576 bytes",
            );
        }
        let timeouts = [
            (
                "header_read_timeout",
                self.header_read_timeout,
                Duration::from_millis(1),
            ),
            ("idle_timeout", self.idle_timeout, Duration::from_millis(1)),
            ("shutdown_timeout", self.shutdown_timeout, Duration::ZERO),
        ];
        for (setting, value, min) in timeouts {
            if value < min || value > MAX_TIMEOUT {
                let expected = if min.is_zero() {
                    "at most 24 hours"
                } else {
                    "from 1 ms to 24 hours"
                };
                return out_of_range(setting, format!("{value:?}"), expected);
            }
        }
        Ok(())
    }

    /// `max_connections` as the semaphore counts it; `check` keeps it in range.
    pub(super) fn permits(&self) -> u32 {
        u32::try_from(self.max_connections).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_in_range() {
        assert!(Limits::default().check().is_ok());
    }

    #[test]
    fn out_of_range_settings_are_named() {
        let cases = [
            (
                Limits {
                    max_connections: 0,
                    ..Limits::default()
                },
                "invalid server setting max_connections = 0: expected 1..=65536",
            ),
            (
                Limits {
                    max_header_bytes: 100,
                    ..Limits::default()
                },
                "invalid server setting max_header_bytes = 100: expected 8192..=1048576 bytes",
            ),
            (
                Limits {
                    idle_timeout: Duration::ZERO,
                    ..Limits::default()
                },
                "invalid server setting idle_timeout = 0ns: expected from 1 ms to 24 hours",
            ),
            (
                Limits {
                    header_read_timeout: Duration::MAX,
                    ..Limits::default()
                },
                "invalid server setting header_read_timeout = 18446744073709551615.999999999s: \
                 expected from 1 ms to 24 hours",
            ),
        ];
        for (limits, message) in cases {
            assert_eq!(limits.check().unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn addresses_parse_or_name_their_origin() {
        assert_eq!(parse_addr("x", " [::1]:9 ").unwrap().port(), 9);
        let err = parse_addr(ADDR_ENV, "").unwrap_err().to_string();
        assert!(err.starts_with("invalid KVSTATS_METRICS_ADDR ``"), "{err}");
        assert!(parse_addr("x", "127.0.0.1").is_err());
    }
}
