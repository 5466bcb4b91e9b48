//! The catalog as a Python module: one class per Rust constants module, with
//! the same constant names and values, so Python code that builds queries or
//! reads scrapes uses the names the Rust code exports.

use std::fmt::Write as _;

use super::{Catalog, ConstantsModule, GENERATED};
use crate::metric::{MetricDef, MetricKind};

pub(super) fn render(catalog: &Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\"\"\"Metric names of {}.\n", catalog.title());
    let _ = writeln!(out, "{}\n", wrap(GENERATED, 79));
    out.push_str(
        "Each class mirrors the Rust constants module of the same name: its constants\n\
         hold metric names without the registry's root prefix, as in Rust, and\n\
         ``full_name`` gives the name a scrape shows. A histogram ``X`` also has\n\
         ``X_BUCKET``, ``X_SUM`` and ``X_COUNT``, the names of the series a query\n\
         selects (``X_BUCKET`` has the label ``le``). ``DEPRECATED`` maps each\n\
         deprecated name to the name that replaces it.\n\
         \"\"\"\n\n",
    );
    let _ = writeln!(out, "ROOT_PREFIX = {}\n\n", py_str(catalog.root_prefix()));
    out.push_str(
        "def full_name(name: str) -> str:\n    \
         \"\"\"The name a scrape shows for ``name``: the root prefix added.\"\"\"\n    \
         return f\"{ROOT_PREFIX}_{name}\" if ROOT_PREFIX else name\n",
    );
    let mut deprecated: Vec<&MetricDef> = Vec::new();
    for module in catalog.modules() {
        out.push_str("\n\n");
        class(catalog, module, &mut deprecated, &mut out);
    }
    out.push_str("\n\nDEPRECATED: dict[str, str] = {");
    if !deprecated.is_empty() {
        out.push('\n');
    }
    for def in &deprecated {
        let new = def.replaced_by.unwrap_or_default();
        let _ = writeln!(out, "    {}: {},", py_str(def.name), py_str(new));
    }
    out.push_str("}\n");
    out
}

/// The class of `module`; the deprecated aliases it lists are added to `deprecated`.
fn class<'a>(
    catalog: &'a Catalog,
    module: &ConstantsModule,
    deprecated: &mut Vec<&'a MetricDef>,
    out: &mut String,
) {
    let name = module.name();
    let owner = catalog
        .metrics
        .iter()
        .find(|d| module.current().contains(&d.name))
        .map(|d| format!("``{}`` (Rust module ``{name}``)", d.struct_name))
        .unwrap_or_else(|| format!("the Rust module ``{name}``"));
    // Python's convention is CapWords; the class keeps the Rust module's name.
    let _ = writeln!(out, "class {name}:  # noqa: N801");
    let _ = writeln!(out, "    \"\"\"Metric names of {owner}.\"\"\"\n");
    let _ = writeln!(out, "    PREFIX = {}", py_str(module.prefix()));
    let defs: Vec<&MetricDef> = module
        .current()
        .iter()
        .filter_map(|current| catalog.metrics.iter().copied().find(|d| d.name == *current))
        .collect();
    for def in &defs {
        constant(def, out);
        let aliases = catalog
            .metrics
            .iter()
            .filter(|d| d.replaced_by == Some(def.name));
        for alias in aliases {
            constant(alias, out);
            deprecated.push(alias);
        }
    }
    out.push_str("\n    ALL = (");
    if !module.current().is_empty() {
        out.push('\n');
    }
    for def in &defs {
        let _ = writeln!(out, "        {},", def.constant);
    }
    let indent = if module.current().is_empty() {
        ""
    } else {
        "    "
    };
    let _ = writeln!(out, "{indent})");
}

/// The constant of `def`, then one per series of a histogram
/// (`X_BUCKET = "x_bucket"`, ..).
fn constant(def: &MetricDef, out: &mut String) {
    let _ = writeln!(out, "    #: {}", one_line(def.help));
    let _ = writeln!(out, "    {} = {}", def.constant, py_str(def.name));
    if def.kind != MetricKind::Histogram {
        return;
    }
    for suffix in def.series_suffixes() {
        let constant = def.constant;
        let _ = match *suffix {
            "_bucket" => writeln!(
                out,
                "    #: Buckets of ``{constant}``, by upper bound ``le``"
            ),
            "_sum" => writeln!(out, "    #: Sum of the observations of ``{constant}``"),
            _ => writeln!(out, "    #: Number of observations of ``{constant}``"),
        };
        let _ = writeln!(
            out,
            "    {}{} = {}",
            def.constant,
            suffix.to_ascii_uppercase(),
            py_str(&format!("{}{suffix}", def.name))
        );
    }
}

/// `text` with its words wrapped into lines of at most `width` characters
/// (a longer word gets a line of its own).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        if line_len > 0 && line_len + 1 + word.len() > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += word.len();
    }
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A Python string literal.
fn py_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_comments_stay_on_one_line() {
        assert_eq!(py_str("a\"b\\c\nd"), r#""a\"b\\c\u000ad""#);
        assert_eq!(one_line("two\n  lines"), "two lines");
        assert_eq!(wrap("aa bb cc dddddd e", 5), "aa bb\ncc\ndddddd\ne");
    }
}
