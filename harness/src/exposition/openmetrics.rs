//! A strict reader of OpenMetrics 1.0.0 text, the format a scraper gets
//! when it asks for it: the sample lines of the text format 0.0.4 under
//! stricter family rules, which are what this reader checks beyond them.
//!
//! - The text ends with the line `# EOF`; no line follows it and no line is
//!   blank.
//! - A comment is `# HELP`, `# TYPE` or `# UNIT` of a valid name, each at
//!   most once per family and before its samples; a family appears once.
//! - `# TYPE` is one of OpenMetrics' types (`unknown`, not `untyped`).
//! - A sample belongs to the family opened last, by its type's suffixes: a
//!   counter's samples end in `_total`, its family's name does not.
//! - A family with a unit has a name that ends in `_` and the unit.
//! - A timestamp is a number of seconds.

use kvstats_core::Format;

use super::{
    belongs, check_metric_name, error, parse_sample, unescape_help, Family, ParseError, Sample,
};

/// The types `# TYPE` may name.
const TYPES: [&str; 8] = [
    "counter",
    "gauge",
    "histogram",
    "gaugehistogram",
    "stateset",
    "info",
    "summary",
    "unknown",
];

/// The families of OpenMetrics `text`, or the first line that breaks the
/// rules above.
///
/// ```
/// let text = "# HELP r Requests.\n# TYPE r counter\nr_total 2\n# EOF\n";
/// let families = harness::exposition::openmetrics::families(text)?;
/// assert_eq!((families[0].name.as_str(), families[0].samples[0].name.as_str()), ("r", "r_total"));
/// let err = harness::exposition::openmetrics::families("# TYPE r counter\nr_total 2\n").unwrap_err();
/// assert_eq!(err.message, "the text does not end with `# EOF`");
/// # Ok::<(), harness::exposition::ParseError>(())
/// ```
pub fn families(text: &str) -> Result<Vec<Family>, ParseError> {
    let lines: Vec<&str> = text.lines().collect();
    let body = match lines.split_last() {
        Some((&"# EOF", body)) => body,
        _ => return Err(error(lines.len(), "the text does not end with `# EOF`")),
    };
    let mut families: Vec<Family> = Vec::new();
    // The metadata lines of the family opened last.
    let mut declared: Vec<&str> = Vec::new();
    for (index, line) in body.iter().enumerate() {
        let number = index + 1;
        let fail = |message: &str| error(number, message);
        if line.is_empty() {
            return Err(fail("a blank line"));
        }
        let Some(comment) = line.strip_prefix("# ") else {
            let sample = parse_sample(line, Format::OpenMetrics).map_err(|m| fail(&m))?;
            match families.last_mut() {
                Some(family) if belongs(&sample.name, family, Format::OpenMetrics) => {
                    family.samples.push(sample);
                }
                _ => {
                    let message = format!("sample `{}` outside its family", sample.name);
                    return Err(fail(&message));
                }
            }
            continue;
        };
        let mut words = comment.splitn(3, ' ');
        let (keyword, name, rest) = (words.next(), words.next(), words.next());
        let (Some(keyword @ ("HELP" | "TYPE" | "UNIT")), Some(name), Some(rest)) =
            (keyword, name, rest)
        else {
            return Err(fail(&format!("not a HELP, TYPE or UNIT line: `{line}`")));
        };
        check_metric_name(name).map_err(|m| fail(&m))?;
        if families.last().is_none_or(|f| f.name != name) {
            if families.iter().any(|f| f.name == name) {
                return Err(fail(&format!("family `{name}` appears twice")));
            }
            families.push(Family {
                name: name.to_owned(),
                kind: "unknown".to_owned(),
                help: String::new(),
                unit: String::new(),
                samples: Vec::new(),
            });
            declared.clear();
        }
        let family = families.last_mut().expect("pushed above");
        if !family.samples.is_empty() {
            return Err(fail(&format!("`# {keyword}` after samples of `{name}`")));
        }
        if declared.contains(&keyword) {
            return Err(fail(&format!("a second `# {keyword}` of `{name}`")));
        }
        declared.push(keyword);
        match keyword {
            "HELP" => family.help = unescape_help(rest, Format::OpenMetrics),
            "TYPE" if TYPES.contains(&rest) => family.kind = rest.to_owned(),
            "TYPE" => return Err(fail(&format!("unknown metric type `{rest}`"))),
            _ => {
                if !name.ends_with(&format!("_{rest}")) {
                    return Err(fail(&format!("`{name}` does not end in its unit `{rest}`")));
                }
                family.unit = rest.to_owned();
            }
        }
    }
    Ok(families)
}

/// Every sample of OpenMetrics `text`, in order ([`families`] checks it).
///
/// ```
/// let text = "# TYPE g gauge\ng{a=\"1\"} 0.5\n# EOF\n";
/// let samples = harness::exposition::openmetrics::parse(text)?;
/// assert_eq!(samples[0].label("a"), Some("1"));
/// # Ok::<(), harness::exposition::ParseError>(())
/// ```
pub fn parse(text: &str) -> Result<Vec<Sample>, ParseError> {
    Ok(families(text)?
        .into_iter()
        .flat_map(|family| family.samples)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_units_counter_names_and_escaped_quotes() {
        let text = "# HELP t_seconds Time \\\"spent\\\".\n# TYPE t_seconds counter\n\
                    # UNIT t_seconds seconds\nt_seconds_total{a=\"x\"} 1.5 1700000000.25\n\
                    # TYPE u unknown\nu 1\n# EOF\n";
        let read = families(text).unwrap();
        assert_eq!(
            read.iter().flat_map(Family::lines).collect::<Vec<_>>(),
            [
                "# FAMILY t_seconds counter \"Time \\\"spent\\\".\"",
                "# UNIT seconds",
                "t_seconds_total{a=\"x\"} 1.5",
                "# FAMILY u unknown \"\"",
                "u 1.0",
            ]
        );
    }

    #[test]
    fn rejects_what_openmetrics_forbids_with_the_line_number() {
        let cases = [
            (
                "# TYPE a gauge\na 1\n",
                2,
                "the text does not end with `# EOF`",
            ),
            ("a 1\n# EOF\n\n", 3, "the text does not end with `# EOF`"),
            ("# EOF\na 1\n", 2, "the text does not end with `# EOF`"),
            ("# TYPE a gauge\na 1\n\n# EOF\n", 3, "a blank line"),
            (
                "# TYPE a_total counter\na_total 1\n# EOF\n",
                2,
                "sample `a_total` outside its family",
            ),
            (
                "# TYPE a counter\na 1\n# EOF\n",
                2,
                "sample `a` outside its family",
            ),
            (
                "# TYPE a untyped\n# EOF\n",
                1,
                "unknown metric type `untyped`",
            ),
            (
                "# TYPE a gauge\n# UNIT a seconds\n# EOF\n",
                2,
                "`a` does not end in its unit `seconds`",
            ),
            (
                "# TYPE a gauge\na 1\n# HELP a A.\n# EOF\n",
                3,
                "`# HELP` after samples of `a`",
            ),
            (
                "# TYPE a gauge\n# TYPE a gauge\n# EOF\n",
                2,
                "a second `# TYPE` of `a`",
            ),
            (
                "# TYPE a gauge\n# TYPE b gauge\n# TYPE a gauge\n# EOF\n",
                3,
                "family `a` appears twice",
            ),
            (
                "# a comment\n# EOF\n",
                1,
                "not a HELP, TYPE or UNIT line: `# a comment`",
            ),
            ("a 1 NaN\n# EOF\n", 1, "invalid timestamp `NaN`"),
        ];
        for (text, line, message) in cases {
            let err = families(text).unwrap_err();
            assert_eq!(
                (err.line, err.message.as_str()),
                (line, message),
                "{text:?}"
            );
        }
    }
}
