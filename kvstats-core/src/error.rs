//! The one error type of kvstats-core.

use crate::names::NameError;

/// Everything that can go wrong when building a registry, registering gauges
/// or rendering the exposition. Every variant names the value that was wrong.
///
/// ```
/// use kvstats_core::{Error, Registry};
///
/// let err = Registry::new().namespace("dy/namo").unwrap_err();
/// assert!(matches!(err, Error::InvalidName { .. }));
/// assert_eq!(
///     err.to_string(),
///     "invalid namespace name `dy/namo`: name contains a character other than ASCII \
///      letters, digits, `_` and `-`; level names match [a-zA-Z_][a-zA-Z0-9_-]*",
/// );
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A name (namespace, component, endpoint, prefix, label) breaks the naming rules.
    InvalidName {
        /// What the name is for: `"namespace"`, `"label"`, ...
        kind: &'static str,
        /// The rejected value.
        value: String,
        /// Which rule it breaks.
        reason: NameError,
    },
    /// A label name is reserved: the registry sets it itself, or a metric uses
    /// it as its own per-series label.
    ReservedLabel {
        /// The rejected label name.
        label: String,
        /// Who owns it.
        owner: String,
    },
    /// A field's per-series label (`#[prom(label = "..")]`) is one of the
    /// labels the registry sets itself.
    FieldLabel {
        /// The field, as `Struct.field`.
        field: String,
        /// The label.
        label: String,
    },
    /// A registry prefix that is a valid name alone makes invalid names
    /// (`_` makes `__..`, which Prometheus reserves).
    InvalidPrefix {
        /// `"prefix"` or `"label prefix"`.
        kind: &'static str,
        /// The rejected prefix.
        prefix: String,
        /// A name it would make.
        made: String,
        /// Which rule that name breaks.
        reason: NameError,
    },
    /// The same label name was given twice.
    DuplicateLabel {
        /// The repeated label name.
        label: String,
    },
    /// A series with this name and exactly these labels is already registered.
    AlreadyRegistered {
        /// Full metric name.
        metric: String,
        /// The labels, rendered as in the exposition: `{a="1",b="2"}`.
        labels: String,
    },
    /// A metric of this name is already registered with different help text or
    /// a different set of label names; one family must be consistent.
    Inconsistent {
        /// Full metric name.
        metric: String,
        /// What differs.
        detail: String,
    },
    /// The `prometheus` crate refused to unregister a collector or to encode
    /// a family.
    Prometheus(prometheus::Error),
    /// The `prometheus` crate refused a collector handed to
    /// [`register_collector`](crate::MetricsRegistry::register_collector).
    CollectorRefused {
        /// The metric names the collector declares.
        metrics: String,
        /// Why.
        reason: String,
    },
    /// The `prometheus::Registry` given to
    /// [`RegistryBuilder::prometheus`](crate::RegistryBuilder::prometheus)
    /// already has a collector without descriptors (another kvstats
    /// registry's bridge, most likely), and it takes only one.
    PrometheusRegistryTaken,
    /// An I/O error of the HTTP server.
    Io(std::io::Error),
    /// A socket address could not be parsed.
    InvalidAddress {
        /// Where the value came from: `"KVSTATS_METRICS_ADDR"`, `"--addr"`, ...
        origin: &'static str,
        /// The rejected value.
        value: String,
    },
    /// The metrics server could not bind its listening socket.
    Bind {
        /// The address it tried.
        addr: std::net::SocketAddr,
        /// Why the operating system refused.
        source: std::io::Error,
    },
    /// A server setting is out of its range.
    InvalidSetting {
        /// The setting, as the builder method is named.
        setting: &'static str,
        /// The rejected value.
        value: String,
        /// The allowed range.
        expected: &'static str,
    },
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::InvalidName {
                kind,
                value,
                reason,
            } => write!(f, "invalid {kind} name `{value}`: {reason}"),
            Error::ReservedLabel { label, owner } => {
                write!(
                    f,
                    "label `{label}` is reserved: {owner}; choose another label name"
                )
            }
            Error::FieldLabel { field, label } => write!(
                f,
                "field `{field}` exports one series per `{label}`, a label the registry sets on \
                 every series (namespace / component / endpoint), so each series would carry \
                 it twice; give the field another `label`"
            ),
            Error::InvalidPrefix {
                kind,
                prefix,
                made,
                reason,
            } => {
                let why = match reason.problem() {
                    crate::names::Problem::Reserved => {
                        "names starting with `__` are reserved by Prometheus"
                    }
                    _ => reason.message(),
                };
                write!(
                    f,
                    "invalid {kind} `{prefix}`: it makes names such as `{made}`, and {why}"
                )
            }
            Error::DuplicateLabel { label } => {
                write!(f, "label `{label}` is given twice; give each label once")
            }
            Error::AlreadyRegistered { metric, labels } => write!(
                f,
                "metric `{metric}` with labels {labels} is already registered; give each \
                 instance distinct labels (e.g. `dp_rank`) with `register_with_labels`"
            ),
            Error::Inconsistent { metric, detail } => {
                write!(f, "metric `{metric}` is already registered with {detail}")
            }
            Error::Prometheus(e) => write!(f, "prometheus: {e}"),
            Error::CollectorRefused { metrics, reason } => {
                write!(f, "cannot register the collector of {metrics}: {reason}")
            }
            Error::PrometheusRegistryTaken => f.write_str(
                "the prometheus::Registry already has a collector without descriptors (another \
                 kvstats registry's bridge?); give each kvstats Registry its own \
                 prometheus::Registry",
            ),
            Error::Io(e) => write!(f, "i/o: {e}"),
            Error::InvalidAddress { origin, value } => write!(
                f,
                "invalid {origin} `{value}`: expected an IP address and a port, \
                 such as 127.0.0.1:8081"
            ),
            Error::Bind { addr, source } => {
                write!(f, "cannot bind the metrics server to {addr}: {source}")
            }
            Error::InvalidSetting {
                setting,
                value,
                expected,
            } => write!(
                f,
                "invalid server setting {setting} = {value}: expected {expected}"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::InvalidName { reason, .. } | Error::InvalidPrefix { reason, .. } => Some(reason),
            Error::Prometheus(e) => Some(e),
            Error::Io(e) => Some(e),
            Error::Bind { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<prometheus::Error> for Error {
    fn from(e: prometheus::Error) -> Self {
        Error::Prometheus(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Checks `value` with `rule`, naming the value and its role in the error.
pub(crate) fn checked(
    kind: &'static str,
    value: &str,
    rule: fn(&str) -> Result<(), NameError>,
) -> Result<()> {
    rule(value).map_err(|reason| Error::InvalidName {
        kind,
        value: value.to_owned(),
        reason,
    })
}
