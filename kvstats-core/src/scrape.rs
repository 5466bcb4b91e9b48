//! A scrape, whatever the HTTP stack: from a request's `Accept` and
//! `Accept-Encoding` headers to the status, headers and body of the answer.
//! The bundled server, the tower service and a handler of your own all call
//! [`respond`], so they answer alike.
//!
//! ```
//! use kvstats_core::{scrape, Registry};
//! use kvstats_core::dynamo::{KvStats, KvStatsGauges};
//!
//! let registry = Registry::new();
//! let component = registry.namespace("dynamo")?.component("backend")?;
//! let gauges = KvStatsGauges::register(&component)?;
//! gauges.update_from(&KvStats { kv_total_blocks: 12894, ..Default::default() });
//!
//! // What Prometheus 2.x/3.x sends.
//! let accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
//! let response = scrape::respond(&registry, Some(accept), None);
//! assert_eq!(response.status, 200);
//! assert_eq!(response.header("content-type"), Some(kvstats_core::OPENMETRICS_CONTENT_TYPE));
//! assert!(response.body.ends_with(b"# EOF\n"));
//! # Ok::<(), kvstats_core::Error>(())
//! ```
//!
//! # Negotiation
//!
//! - **Format.** OpenMetrics 1.0.0 when the `Accept` header prefers it over
//!   the text format (q-values honoured; a tie goes to OpenMetrics, which
//!   says more: units, and `_total` on counter samples only); else the text
//!   format 0.0.4, also when nothing acceptable is listed: never a 406.
//! - **Encoding.** gzip when `Accept-Encoding` allows it (`gzip` or `*` with a
//!   q-value above 0) and the body is at least [`GZIP_MIN_BYTES`] long:
//!   below that a body fits one TCP segment anyway, and compressing it costs
//!   more CPU than the bytes it saves. Compressed with flate2 (its pure-Rust
//!   backend, miniz_oxide: no C to build) at its fastest level, which already
//!   takes the repetitive exposition to about a tenth of its size.
//! - Every answer carries `Vary: Accept, Accept-Encoding`, as it depends on
//!   both.

use crate::registry::MetricsRegistry;
pub use crate::render::Encoding;
use crate::render::Format;

/// Bodies shorter than this are sent uncompressed: about one TCP segment.
pub const GZIP_MIN_BYTES: usize = 1400;

/// What a request asks for, as [`negotiate`] reads its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    /// The format of the body.
    pub format: Format,
    /// Whether the client takes gzip (the body is compressed if it is long enough).
    pub gzip: bool,
}

/// Reads the `Accept` and `Accept-Encoding` headers of a scrape (`None` when
/// absent; several values of one header joined with commas).
///
/// ```
/// use kvstats_core::scrape::negotiate;
/// use kvstats_core::Format;
///
/// let asked = negotiate(Some("text/plain;version=0.0.4"), Some("gzip, deflate"));
/// assert_eq!(asked.format, Format::Text);
/// assert!(asked.gzip);
/// let asked = negotiate(Some("application/openmetrics-text;q=0.2,text/plain;q=0.9"), None);
/// assert_eq!(asked.format, Format::Text);
/// assert!(!asked.gzip);
/// ```
pub fn negotiate(accept: Option<&str>, accept_encoding: Option<&str>) -> Negotiated {
    Negotiated {
        format: accept.map_or(Format::Text, preferred_format),
        gzip: accept_encoding.is_some_and(takes_gzip),
    }
}

/// One entry of an `Accept`-style list: the value, its parameters and q.
struct Entry<'a> {
    value: &'a str,
    params: Vec<(&'a str, &'a str)>,
    q: f64,
}

fn entries(header: &str) -> impl Iterator<Item = Entry<'_>> {
    header.split(',').filter_map(|item| {
        let mut parts = item.split(';').map(str::trim);
        let value = parts.next().filter(|v| !v.is_empty())?;
        let mut q = 1.0;
        let mut params = Vec::new();
        for param in parts {
            let (key, val) = param.split_once('=').unwrap_or((param, ""));
            let (key, val) = (key.trim(), val.trim().trim_matches('"'));
            if key.eq_ignore_ascii_case("q") {
                // A q-value that does not parse makes the entry worthless.
                q = val
                    .parse::<f64>()
                    .ok()
                    .filter(|q| (0.0..=1.0).contains(q))?;
            } else {
                params.push((key, val));
            }
        }
        Some(Entry { value, params, q })
    })
}

impl Entry<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| *value)
    }
}

/// The format `accept` prefers; the text format unless OpenMetrics 1.0.0 is
/// acceptable at least as much as the text format.
fn preferred_format(accept: &str) -> Format {
    let mut openmetrics: f64 = 0.0;
    let mut text: f64 = 0.0;
    for entry in entries(accept) {
        let value = entry.value.to_ascii_lowercase();
        match value.as_str() {
            "application/openmetrics-text" => {
                if matches!(entry.param("version"), None | Some("1.0.0")) {
                    openmetrics = openmetrics.max(entry.q);
                }
            }
            "text/plain" | "text/*" | "*/*" => text = text.max(entry.q),
            _ => {}
        }
    }
    if openmetrics > 0.0 && openmetrics >= text {
        Format::OpenMetrics
    } else {
        Format::Text
    }
}

/// Whether `accept_encoding` takes gzip.
fn takes_gzip(accept_encoding: &str) -> bool {
    let mut gzip = None;
    let mut any = None;
    for entry in entries(accept_encoding) {
        match entry.value.to_ascii_lowercase().as_str() {
            "gzip" | "x-gzip" => gzip = Some(entry.q),
            "*" => any = Some(entry.q),
            _ => {}
        }
    }
    gzip.or(any).is_some_and(|q| q > 0.0)
}

/// The answer to a scrape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapeResponse {
    /// The HTTP status: 200, or 500 when the exposition cannot be written.
    pub status: u16,
    /// The headers: `Content-Type`, `Vary`, and `Content-Encoding` when compressed.
    pub headers: Vec<(&'static str, String)>,
    /// The body, compressed when `Content-Encoding` says so.
    pub body: Vec<u8>,
    /// The format of the body.
    pub format: Format,
    /// The encoding of the body.
    pub encoding: Encoding,
}

impl ScrapeResponse {
    /// The value of header `name` (lower case), if the response has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The answer to a scrape of `registry` whose request had these `Accept`
/// and `Accept-Encoding` headers (see the [module docs](self)). Counts the
/// scrape in `kvstats_scrapes_total{format, encoding}`.
pub fn respond(
    registry: &(impl MetricsRegistry + ?Sized),
    accept: Option<&str>,
    accept_encoding: Option<&str>,
) -> ScrapeResponse {
    let asked = negotiate(accept, accept_encoding);
    let mut text = String::new();
    if let Err(e) = registry.write_exposition(asked.format, &mut text) {
        return ScrapeResponse {
            status: 500,
            headers: vec![
                ("content-type", "text/plain; charset=utf-8".to_owned()),
                ("vary", VARY.to_owned()),
            ],
            body: format!("cannot render the metrics: {e}\n").into_bytes(),
            format: asked.format,
            encoding: Encoding::Identity,
        };
    }
    let (body, encoding) = if asked.gzip && text.len() >= GZIP_MIN_BYTES {
        match gzip(text.as_bytes()) {
            Some(compressed) => (compressed, Encoding::Gzip),
            None => (text.into_bytes(), Encoding::Identity),
        }
    } else {
        (text.into_bytes(), Encoding::Identity)
    };
    crate::registry::count_scrape(registry, asked.format, encoding);
    let mut headers = vec![
        ("content-type", asked.format.content_type().to_owned()),
        ("vary", VARY.to_owned()),
    ];
    if let Some(value) = encoding.content_encoding() {
        headers.push(("content-encoding", value.to_owned()));
    }
    ScrapeResponse {
        status: 200,
        headers,
        body,
        format: asked.format,
        encoding,
    }
}

/// The `Vary` of every scrape answer.
const VARY: &str = "Accept, Accept-Encoding";

/// `bytes` compressed with gzip; `None` if the `gzip` feature is off.
#[cfg(feature = "gzip")]
fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 8),
        flate2::Compression::fast(),
    );
    // Writing to a Vec cannot fail.
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

#[cfg(not(feature = "gzip"))]
fn gzip(_: &[u8]) -> Option<Vec<u8>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROMETHEUS_2: &str = "application/openmetrics-text;version=1.0.0,\
        application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    const PROMETHEUS_3: &str = "application/openmetrics-text;version=1.0.0;q=0.5,\
        application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,\
        text/plain;version=0.0.4;q=0.2,*/*;q=0.1";

    #[test]
    fn the_format_follows_the_q_values() {
        let format = |accept| negotiate(Some(accept), None).format;
        assert_eq!(format(PROMETHEUS_2), Format::OpenMetrics);
        assert_eq!(format(PROMETHEUS_3), Format::OpenMetrics);
        assert_eq!(format("text/plain"), Format::Text);
        assert_eq!(format("*/*"), Format::Text);
        assert_eq!(format("application/json"), Format::Text);
        assert_eq!(format(""), Format::Text);
        assert_eq!(format("application/openmetrics-text"), Format::OpenMetrics);
        assert_eq!(format("application/openmetrics-text;q=0"), Format::Text);
        assert_eq!(
            format("application/openmetrics-text;version=0.0.1"),
            Format::Text
        );
        assert_eq!(
            format("text/plain;q=0.9, application/openmetrics-text;q=0.8"),
            Format::Text
        );
        assert_eq!(
            format("text/plain;q=0.8, APPLICATION/OpenMetrics-Text;q=0.8"),
            Format::OpenMetrics
        );
        assert_eq!(format("application/openmetrics-text;q=bad"), Format::Text);
        assert_eq!(negotiate(None, None).format, Format::Text);
    }

    #[test]
    fn gzip_follows_accept_encoding() {
        let gzip = |value| negotiate(None, Some(value)).gzip;
        assert!(gzip("gzip"));
        assert!(gzip("br, gzip;q=0.5"));
        assert!(gzip("*"));
        assert!(!gzip("gzip;q=0"));
        assert!(!gzip("*;q=0"));
        assert!(!gzip("gzip;q=0, *"));
        assert!(!gzip("identity"));
        assert!(!gzip(""));
    }
}
