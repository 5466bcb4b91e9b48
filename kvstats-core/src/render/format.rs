//! What a scrape's body is: its text format, with the `Content-Type` that
//! names it, and its content encoding.

/// The `Content-Type` of the text exposition 0.0.4.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The `Content-Type` of the OpenMetrics text exposition.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A text format of the exposition.
///
/// ```
/// use kvstats_core::Format;
///
/// assert_eq!(Format::OpenMetrics.content_type(), kvstats_core::OPENMETRICS_CONTENT_TYPE);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Format {
    /// The Prometheus text format 0.0.4, which every scraper reads.
    #[default]
    Text,
    /// OpenMetrics 1.0.0 text: units, `_total` on counter samples only, and
    /// `# EOF` at the end.
    OpenMetrics,
}

impl Format {
    /// The `Content-Type` a response in this format carries.
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Text => CONTENT_TYPE,
            Format::OpenMetrics => OPENMETRICS_CONTENT_TYPE,
        }
    }
}

/// How a scrape's body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// As it is.
    Identity,
    /// gzip (`Content-Encoding: gzip`).
    Gzip,
}

impl Encoding {
    /// The value of `Content-Encoding`, if the body is encoded.
    pub const fn content_encoding(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some("gzip"),
        }
    }
}
