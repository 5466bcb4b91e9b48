//! The output formats, by the names the command line uses.

use core::fmt;
use core::str::FromStr;

/// An output format of [`Catalog::render`](super::Catalog::render).
///
/// ```
/// use kvstats_core::catalog::Format;
///
/// assert_eq!("grafana".parse::<Format>(), Ok(Format::Grafana));
/// assert_eq!(Format::Python.name(), "python");
/// let err = "yaml".parse::<Format>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "unknown format `yaml`; expected one of: markdown, json, grafana, python, rules, rules-test"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// A Markdown page with one table per struct.
    Markdown,
    /// The catalog as JSON, with a `schema_version`.
    Json,
    /// A Grafana dashboard (JSON model), one panel per metric.
    Grafana,
    /// A Python module of name constants, one class per constants module.
    Python,
    /// A Prometheus rule file: the fleet view's recording rules and the
    /// declared alerts (see [`fleet`](crate::fleet)).
    Rules,
    /// A `promtool test rules` file for the [`Rules`](Format::Rules) file
    /// beside it: synthetic series of two workers through every rule, and
    /// what each must give.
    RulesTest,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 6] = [
        Format::Markdown,
        Format::Json,
        Format::Grafana,
        Format::Python,
        Format::Rules,
        Format::RulesTest,
    ];

    /// The name the command line uses.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Grafana => "grafana",
            Format::Python => "python",
            Format::Rules => "rules",
            Format::RulesTest => "rules-test",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// A format name that is not one of [`Format::ALL`]; it names the value and
/// lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown format `{}`; expected one of: ", self.0)?;
        for (i, format) in Format::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(format.name())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownFormat {}
