//! A strict reader of the text exposition format 0.0.4, so tests can say
//! "every scrape parses" and compare values instead of substrings; the
//! reader of OpenMetrics 1.0.0 text is [`openmetrics`], whose families are
//! the same [`Family`].

use std::fmt;

use kvstats_core::Format;

pub mod openmetrics;

/// One sample line: `name{label="value",...} value`.
///
/// ```
/// let samples = harness::exposition::parse("# TYPE up gauge\nup{job=\"a\"} 1\n")?;
/// assert_eq!(samples[0].name, "up");
/// assert_eq!(samples[0].label("job"), Some("a"));
/// assert_eq!(samples[0].value, 1.0);
/// # Ok::<(), harness::exposition::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The metric name.
    pub name: String,
    /// The labels in the order they were written, values unescaped.
    pub labels: Vec<(String, String)>,
    /// The value (`NaN`, `+Inf` and `-Inf` included).
    pub value: f64,
}

impl Sample {
    /// The value of label `name`, if the sample has it.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The identity of the sample's series: the name and the labels sorted
    /// by name (their order in the text does not make another series).
    ///
    /// ```
    /// let samples = harness::exposition::parse("a{y=\"2\",x=\"1\"} 0\n")?;
    /// assert_eq!(samples[0].series(), r#"a{x="1",y="2"}"#);
    /// # Ok::<(), harness::exposition::ParseError>(())
    /// ```
    pub fn series(&self) -> String {
        let mut labels: Vec<_> = self.labels.iter().collect();
        labels.sort();
        let labels: Vec<String> = labels
            .into_iter()
            .map(|(key, value)| format!("{key}={value:?}"))
            .collect();
        format!("{}{{{}}}", self.name, labels.join(","))
    }
}

/// The series that appear more than once among `samples`, each named once,
/// in the order of their first repeat. Prometheus rejects a scrape with a
/// duplicate series, and `promtool check metrics` does not flag it.
///
/// ```
/// use harness::exposition::{duplicate_series, parse};
///
/// let samples = parse("a{x=\"1\"} 1\na{x=\"2\"} 2\na{x=\"1\"} 3\n")?;
/// assert_eq!(duplicate_series(&samples), [r#"a{x="1"}"#]);
/// # Ok::<(), harness::exposition::ParseError>(())
/// ```
pub fn duplicate_series(samples: &[Sample]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut duplicates = Vec::new();
    for series in samples.iter().map(Sample::series) {
        if !seen.insert(series.clone()) && !duplicates.contains(&series) {
            duplicates.push(series);
        }
    }
    duplicates
}

/// Where and why a text is not valid exposition.
///
/// ```
/// let err = harness::exposition::parse("up{job=\"a\" 1\n").unwrap_err();
/// assert_eq!(err.line, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// [`parse`], without the samples of the library's scrape counter
/// (`kvstats_scrapes_total`), which every scrape changes: what a publisher
/// put there and nothing else.
///
/// ```
/// let text = "a 1\nx_kvstats_scrapes_total{encoding=\"identity\",format=\"text\"} 3\n";
/// let samples = harness::exposition::parse_published(text)?;
/// assert_eq!(samples.len(), 1);
/// # Ok::<(), harness::exposition::ParseError>(())
/// ```
pub fn parse_published(text: &str) -> Result<Vec<Sample>, ParseError> {
    parse_published_as(text, Format::Text)
}

/// [`parse_published`] of a text in `format`.
///
/// ```
/// use kvstats_core::Format;
///
/// let text = "# TYPE a gauge\na 1\n# TYPE x_kvstats_scrapes counter\n\
///             x_kvstats_scrapes_total{encoding=\"gzip\",format=\"openmetrics\"} 3\n# EOF\n";
/// let samples = harness::exposition::parse_published_as(text, Format::OpenMetrics)?;
/// assert_eq!(samples.len(), 1);
/// # Ok::<(), harness::exposition::ParseError>(())
/// ```
pub fn parse_published_as(text: &str, format: Format) -> Result<Vec<Sample>, ParseError> {
    let mut samples = match format {
        Format::OpenMetrics => openmetrics::parse(text)?,
        _ => parse(text)?,
    };
    samples.retain(|s| !s.name.ends_with("kvstats_scrapes_total"));
    Ok(samples)
}

/// The sample lines of `text` as they are, without the `# HELP` and `# TYPE`
/// lines, for tests that compare whole lines.
///
/// ```
/// let text = "# HELP m Help\n# TYPE m gauge\nm{a=\"1\"} 2\n";
/// assert_eq!(harness::exposition::sample_lines(text), ["m{a=\"1\"} 2"]);
/// ```
pub fn sample_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|line| !line.starts_with('#')).collect()
}

/// The sample lines of the metric `name` in `text`, whole, in order.
///
/// ```
/// let text = "m{a=\"1\"} 2\nm_total 3\nm 4\n";
/// assert_eq!(harness::exposition::lines_of(text, "m"), ["m{a=\"1\"} 2", "m 4"]);
/// ```
pub fn lines_of<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    sample_lines(text)
        .into_iter()
        .filter(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .collect()
}

/// Every sample of `text`, or the first line that breaks the format:
/// `# HELP` and `# TYPE` lines must name a valid metric (and `TYPE` a known
/// type), samples must be well formed, and a non-empty text must end with a
/// newline.
pub fn parse(text: &str) -> Result<Vec<Sample>, ParseError> {
    if !text.is_empty() && !text.ends_with('\n') {
        let line = text.lines().count();
        return Err(error(line, "the text does not end with a newline"));
    }
    let mut samples = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            check_comment(comment).map_err(|m| error(number, &m))?;
        } else {
            let sample = parse_sample(line, Format::Text).map_err(|m| error(number, &m))?;
            samples.push(sample);
        }
    }
    Ok(samples)
}

/// A metric family: the name and type of its `# TYPE` line, its `# HELP`
/// text (unescaped), its `# UNIT` and its samples, in the order of the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The name of the `# TYPE` line (a counter's ends in `_total` in the
    /// text format 0.0.4, and does not in OpenMetrics).
    pub name: String,
    /// `counter`, `gauge`, `histogram`, `summary` or `untyped` (OpenMetrics:
    /// `unknown` for the last, and its other types).
    pub kind: String,
    /// The help text, `\\` and `\n` (and in OpenMetrics `\"`) unescaped;
    /// empty without `# HELP`.
    pub help: String,
    /// The unit of the `# UNIT` line; empty without one (always, in the
    /// text format 0.0.4).
    pub unit: String,
    /// Its samples: the family's name (an OpenMetrics counter's with
    /// `_total`), or a histogram's `_bucket`, `_sum` and `_count` (a
    /// summary's `_sum`, `_count` and quantiles).
    pub samples: Vec<Sample>,
}

impl Family {
    /// The family as lines to compare whole and read in a failure message:
    /// `# FAMILY name kind "help"`, `# UNIT unit` if it has one, then a line
    /// per sample with its labels in the order of the text and its value as
    /// `{:?}` prints it (the shortest text that reads back as the same
    /// `f64`; `NaN`, `inf`).
    ///
    /// ```
    /// let families = harness::exposition::families("# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 2\n")?;
    /// assert_eq!(families[0].lines(), ["# FAMILY a_total counter \"A.\"", "a_total{x=\"1\"} 2.0"]);
    /// # Ok::<(), harness::exposition::ParseError>(())
    /// ```
    pub fn lines(&self) -> Vec<String> {
        let family = format!("# FAMILY {} {} {:?}", self.name, self.kind, self.help);
        let unit = (!self.unit.is_empty()).then(|| format!("# UNIT {}", self.unit));
        let samples = self.samples.iter().map(|sample| {
            let labels: Vec<String> = sample
                .labels
                .iter()
                .map(|(key, value)| format!("{key}={value:?}"))
                .collect();
            if labels.is_empty() {
                format!("{} {:?}", sample.name, sample.value)
            } else {
                format!("{}{{{}}} {:?}", sample.name, labels.join(","), sample.value)
            }
        });
        std::iter::once(family).chain(unit).chain(samples).collect()
    }
}

/// The families of `text`, as the format defines them: a `# HELP` or
/// `# TYPE` line opens a family, and each sample belongs to the family
/// opened last (a sample of another name is an error: prometheus_client
/// would read it as a family of its own, Prometheus as a series without
/// metadata).
///
/// ```
/// let text = "# HELP h Latency.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 0.5\nh_count 1\n";
/// let families = harness::exposition::families(text)?;
/// assert_eq!((families[0].name.as_str(), families[0].kind.as_str()), ("h", "histogram"));
/// assert_eq!(families[0].samples.len(), 3);
/// assert!(harness::exposition::families("# TYPE a gauge\nb 1\n").is_err());
/// # Ok::<(), harness::exposition::ParseError>(())
/// ```
pub fn families(text: &str) -> Result<Vec<Family>, ParseError> {
    let mut samples = parse(text)?.into_iter();
    let mut families: Vec<Family> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment.trim_start().splitn(3, ' ');
            let (keyword, name, rest) = (words.next(), words.next(), words.next());
            let (Some(keyword @ ("HELP" | "TYPE")), Some(name)) = (keyword, name) else {
                continue;
            };
            if families.last().is_none_or(|f| f.name != name) {
                families.push(Family {
                    name: name.to_owned(),
                    kind: "untyped".to_owned(),
                    help: String::new(),
                    unit: String::new(),
                    samples: Vec::new(),
                });
            }
            let family = families.last_mut().expect("pushed above");
            let rest = rest.unwrap_or("");
            if keyword == "HELP" {
                family.help = unescape_help(rest, Format::Text);
            } else {
                family.kind = rest.to_owned();
            }
        } else if !line.is_empty() {
            let sample = samples.next().expect("parse read a sample per sample line");
            match families.last_mut() {
                Some(family) if belongs(&sample.name, family, Format::Text) => {
                    family.samples.push(sample)
                }
                _ => {
                    let message = format!("sample `{}` outside its family", sample.name);
                    return Err(error(number, &message));
                }
            }
        }
    }
    Ok(families)
}

/// Whether a sample named `name` is one of `family`'s, in `format`.
fn belongs(name: &str, family: &Family, format: Format) -> bool {
    let openmetrics = format == Format::OpenMetrics;
    let suffixes: &[&str] = match family.kind.as_str() {
        "counter" if openmetrics => &["_total", "_created"],
        "histogram" if openmetrics => &["_bucket", "_sum", "_count", "_created"],
        "summary" if openmetrics => &["", "_sum", "_count", "_created"],
        "histogram" => &["_bucket", "_sum", "_count"],
        "summary" => &["", "_sum", "_count"],
        "gaugehistogram" => &["_bucket", "_gsum", "_gcount"],
        "info" => &["_info"],
        _ => &[""],
    };
    name.strip_prefix(family.name.as_str())
        .is_some_and(|suffix| suffixes.contains(&suffix))
}

/// A `# HELP` text with its escapes (`\\`, `\n`; in OpenMetrics `\"`
/// too) read.
fn unescape_help(text: &str, format: Format) -> String {
    let mut help = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some('\\')) => help.push('\\'),
            ('\\', Some('n')) => help.push('\n'),
            ('\\', Some('"')) if format == Format::OpenMetrics => help.push('"'),
            _ => {
                help.push(c);
                continue;
            }
        }
        chars.next();
    }
    help
}

fn error(line: usize, message: &str) -> ParseError {
    ParseError {
        line,
        message: message.to_owned(),
    }
}

fn check_comment(comment: &str) -> Result<(), String> {
    let mut words = comment.trim_start().splitn(3, ' ');
    match words.next() {
        Some("HELP") => {
            let name = words.next().unwrap_or("");
            check_metric_name(name)
        }
        Some("TYPE") => {
            let name = words.next().unwrap_or("");
            check_metric_name(name)?;
            let kind = words.next().unwrap_or("");
            match kind {
                "counter" | "gauge" | "histogram" | "summary" | "untyped" => Ok(()),
                _ => Err(format!("unknown metric type `{kind}`")),
            }
        }
        _ => Ok(()),
    }
}

fn check_metric_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
        Ok(())
    } else {
        Err(format!("invalid metric name `{name}`"))
    }
}

/// One sample line; its timestamp, if any, an integer of milliseconds in
/// the text format, a number of seconds in OpenMetrics.
fn parse_sample(line: &str, format: Format) -> Result<Sample, String> {
    let name_end = line.find(['{', ' ']).unwrap_or(line.len());
    let name = &line[..name_end];
    check_metric_name(name)?;
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(after) = rest.strip_prefix('{') {
        rest = parse_labels(after, &mut labels)?;
    }
    let mut fields = rest
        .strip_prefix(' ')
        .ok_or_else(|| format!("expected a space before the value of `{name}`"))?
        .split(' ');
    let value = parse_value(fields.next().unwrap_or(""))?;
    if let Some(timestamp) = fields.next() {
        let valid = match format {
            Format::OpenMetrics => parse_value(timestamp).is_ok_and(f64::is_finite),
            _ => timestamp.parse::<i64>().is_ok(),
        };
        if !valid {
            return Err(format!("invalid timestamp `{timestamp}`"));
        }
    }
    if fields.next().is_some() {
        return Err("unexpected text after the timestamp".into());
    }
    Ok(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// Reads `k="v",...}` and returns what follows the closing brace.
fn parse_labels<'a>(
    mut rest: &'a str,
    labels: &mut Vec<(String, String)>,
) -> Result<&'a str, String> {
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok(after);
        }
        let (key, after_key) = rest.split_once("=\"").ok_or("expected label=\"value\"")?;
        let mut chars = key.chars();
        let key_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !key_ok {
            return Err(format!("invalid label name `{key}`"));
        }
        let (value, after_value) = unescape_until_quote(after_key)?;
        labels.push((key.to_owned(), value));
        rest = after_value.strip_prefix(',').unwrap_or(after_value);
        if !after_value.starts_with([',', '}']) {
            return Err(format!("expected `,` or `}}` after label `{key}`"));
        }
    }
}

fn unescape_until_quote(text: &str) -> Result<(String, &str), String> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &text[i + 1..])),
            '\\' => match chars.next() {
                Some((_, '\\')) => value.push('\\'),
                Some((_, '"')) => value.push('"'),
                Some((_, 'n')) => value.push('\n'),
                other => return Err(format!("invalid escape `\\{:?}`", other.map(|(_, c)| c))),
            },
            c => value.push(c),
        }
    }
    Err("unterminated label value".into())
}

/// A sample's value: a number, `NaN`, `+Inf` or `-Inf`.
pub(crate) fn parse_value(text: &str) -> Result<f64, String> {
    match text {
        "NaN" => Ok(f64::NAN),
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ if text.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.') => {
            text.parse().map_err(|_| format!("invalid value `{text}`"))
        }
        _ => Err(format!("invalid value `{text}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_registry_writes() {
        let text = "# HELP a_b Some help, with \\\\ and \\n.\n# TYPE a_b gauge\n\
                    a_b{x=\"1\",y=\"q\\\"\\\\\\n\"} 0.5\na_b NaN\na_c +Inf 123\n";
        let samples = parse(text).unwrap();
        assert_eq!(samples.len(), 3);
        assert_eq!(samples[0].label("y"), Some("q\"\\\n"));
        assert!(samples[1].value.is_nan());
        assert_eq!(samples[2].value, f64::INFINITY);
    }

    #[test]
    fn families_hold_their_samples_and_unescaped_help() {
        let text = "# HELP a Back \\\\ slash\\nnew line \\t kept\n# TYPE a gauge\na 1\n\
                    # TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n";
        let read = families(text).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].help, "Back \\ slash\nnew line \\t kept");
        assert_eq!(
            (read[1].kind.as_str(), read[1].samples.len()),
            ("histogram", 3)
        );
        let err = families("# TYPE h histogram\nh_total 1\n").unwrap_err();
        assert_eq!(
            (err.line, err.message.as_str()),
            (2, "sample `h_total` outside its family")
        );
    }

    #[test]
    fn rejects_broken_lines_with_their_number() {
        let cases = [
            ("a 1", "the text does not end with a newline"),
            ("a{x=\"1\" 1\n", "expected `,` or `}` after label `x`"),
            ("a 1 2 3\n", "unexpected text after the timestamp"),
            ("9a 1\n", "invalid metric name `9a`"),
            ("a{x=\"1} 1\n", "unterminated label value"),
            ("a one\n", "invalid value `one`"),
            ("# TYPE a gauges\n", "unknown metric type `gauges`"),
            ("a{1x=\"1\"} 1\n", "invalid label name `1x`"),
        ];
        for (text, message) in cases {
            assert_eq!(parse(text).unwrap_err().message, message, "{text:?}");
        }
    }
}
