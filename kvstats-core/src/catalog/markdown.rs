//! The catalog as a Markdown page: an introduction on names and labels, then
//! one table per struct.

use std::fmt::Write as _;

use super::{groups, Catalog, Entry, BUCKET_LABEL, GENERATED};
use crate::metric::MetricKind;

pub(super) fn render(catalog: &Catalog) -> String {
    let entries = catalog.entries();
    let mut out = String::new();
    let _ = writeln!(out, "# {} metrics\n", catalog.title());
    let _ = writeln!(out, "<!-- {GENERATED} -->\n");
    intro(catalog, &entries, &mut out);
    for group in groups(&entries) {
        let _ = writeln!(out, "\n## {}\n", group.name);
        out.push_str("| Name | Type | Unit | Labels | Help | Source |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for entry in group.entries {
            row(entry, &mut out);
        }
    }
    out
}

fn intro(catalog: &Catalog, entries: &[Entry], out: &mut String) {
    if catalog.root_prefix().is_empty() {
        out.push_str("Names are exported as the derive makes them, without a root prefix.");
    } else {
        let _ = write!(
            out,
            "Every name starts with the registry's root prefix `{}_`.",
            catalog.root_prefix()
        );
    }
    let fixed: Vec<String> = catalog
        .fixed_labels()
        .iter()
        .map(|(k, v)| format!("`{k}=\"{}\"`", cell(v)))
        .collect();
    if !fixed.is_empty() {
        let _ = write!(
            out,
            " The registry sets {} on every series.",
            join_words(&fixed)
        );
    }
    let instance: Vec<String> = catalog
        .instance_labels()
        .iter()
        .map(|k| format!("`{k}`"))
        .collect();
    if !instance.is_empty() {
        let _ = write!(
            out,
            " Each registration sets {} (`register_with_labels`).",
            join_words(&instance)
        );
    }
    out.push('\n');
    if entries.iter().any(|e| e.kind == MetricKind::Histogram) {
        out.push_str(
            "\nA **histogram** is exported as the series its row lists: `_bucket`, one per \
             upper bound `le` (each counts the observations up to that bound, `+Inf` counts \
             them all), `_sum` and `_count`.\n",
        );
    }
    if entries.iter().any(|e| e.replaced_by.is_some()) {
        out.push_str(
            "\nA **deprecated** name is exported beside the name that replaces it, with the \
             same value, so dashboards keep working while they move to the new name.\n",
        );
    }
}

fn row(entry: &Entry, out: &mut String) {
    let name = match &entry.replaced_by {
        Some(new) => format!("`{}` (**deprecated**: use `{new}`)", entry.name),
        None => format!("`{}`", entry.name),
    };
    let labels: Vec<String> = entry
        .labels
        .iter()
        .map(|l| format!("`{}`", l.name))
        .collect();
    let _ = writeln!(
        out,
        "| {name} | {} | {} | {} | {} | `{}` |",
        kind(entry),
        entry.unit.unwrap_or(""),
        labels.join(", "),
        cell(entry.help),
        cell(&entry.source),
    );
}

/// The type cell: the kind, and what a query needs to know beyond it (a
/// histogram's series and bounds, a counter fed deltas).
fn kind(entry: &Entry) -> String {
    let mut out = entry.kind.as_str().to_owned();
    if entry.delta {
        out.push_str("<br>fed per-update deltas");
    }
    if entry.kind == MetricKind::Histogram {
        let suffixes: Vec<String> = entry
            .series
            .iter()
            .map(|s| s.name.strip_prefix(&entry.name).unwrap_or(&s.name))
            .map(|suffix| format!("`{suffix}`"))
            .collect();
        let bounds: Vec<String> = entry
            .buckets
            .iter()
            .map(String::as_str)
            .chain(["+Inf"])
            .map(|le| format!("`{le}`"))
            .collect();
        let _ = write!(
            out,
            "<br>series {}<br>`{BUCKET_LABEL}`: {}",
            suffixes.join(", "),
            bounds.join(", ")
        );
    }
    out
}

/// `a`, `a and b`, `a, b and c`.
fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Text that stays inside one table cell and is not read as HTML.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_html_and_newlines() {
        assert_eq!(cell("a|b <c>\nd"), "a\\|b &lt;c><br>d");
    }

    #[test]
    fn words_are_joined_as_a_sentence() {
        let w = |s: &[&str]| join_words(&s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(w(&["a"]), "a");
        assert_eq!(w(&["a", "b"]), "a and b");
        assert_eq!(w(&["a", "b", "c"]), "a, b and c");
    }
}
