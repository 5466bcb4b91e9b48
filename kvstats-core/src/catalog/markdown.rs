//! The catalog as a Markdown page: an introduction on names and labels, then
//! one table per struct.

use std::fmt::Write as _;

use super::fleet::{number, QUANTILES, RATE_WINDOW};
use super::{groups, Catalog, Entry, BUCKET_LABEL, GENERATED};
use crate::fleet::{AlertDef, Condition};
use crate::metric::MetricKind;

pub(super) fn render(catalog: &Catalog) -> String {
    let entries = catalog.entries();
    let mut out = String::new();
    let _ = writeln!(out, "# {} metrics\n", catalog.title());
    let _ = writeln!(out, "<!-- {GENERATED} -->\n");
    intro(catalog, &entries, &mut out);
    for group in groups(&entries) {
        let _ = writeln!(out, "\n## {}\n", group.name);
        out.push_str("| Name | Type | Unit | Labels | Fleet | Help | Source |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        for entry in group.entries {
            row(catalog, entry, &mut out);
        }
    }
    alerts(&entries, &mut out);
    out
}

/// The alerts, one row each.
fn alerts(entries: &[Entry], out: &mut String) {
    let declared: Vec<(&Entry, &AlertDef)> = entries
        .iter()
        .flat_map(|e| e.alerts.iter().map(move |a| (e, a)))
        .collect();
    if declared.is_empty() {
        return;
    }
    out.push_str("\n## Alerts\n\n");
    out.push_str("| Alert | Fires when | For | Severity | Summary | Source |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for (entry, alert) in declared {
        let when = match alert.condition {
            Condition::Above(x) => format!("`{}` above {}", watched(entry), number(x)),
            Condition::Below(x) => format!("`{}` below {}", watched(entry), number(x)),
            Condition::Absent => format!("an instance's `{}` stopped", entry.count_series()),
        };
        let _ = writeln!(
            out,
            "| `{}` | {when} | {} | {} | {} | `{}` |",
            alert.name,
            alert.hold,
            alert.severity,
            cell(alert.summary),
            cell(&entry.source),
        );
    }
}

/// What a threshold is compared with: the series, or a counter's rate.
fn watched(entry: &Entry) -> String {
    match entry.kind {
        MetricKind::Counter => format!("rate({}[{RATE_WINDOW}])", entry.name),
        _ => entry.name.clone(),
    }
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
    out.push_str(
        "\nThe **fleet** column says how the recording rules (the catalog's `rules` format) \
         combine a metric over ranks and workers: a counter's per-second rates, a ratio's \
         summed parts, a histogram's summed buckets.\n",
    );
    if entries.iter().any(|e| e.replaced_by.is_some()) {
        out.push_str(
            "\nA **deprecated** name is exported beside the name that replaces it, with the \
             same value, so dashboards keep working while they move to the new name.\n",
        );
    }
}

fn row(catalog: &Catalog, entry: &Entry, out: &mut String) {
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
        "| {name} | {} | {} | {} | {} | {} | `{}` |",
        kind(entry),
        entry.unit.unwrap_or(""),
        labels.join(", "),
        fleet(catalog, entry),
        cell(entry.help),
        cell(&entry.source),
    );
}

/// The fleet cell: how the recording rules combine the metric's instances.
fn fleet(catalog: &Catalog, entry: &Entry) -> String {
    let short = |name: &str| {
        let prefix = format!("{}_", catalog.root_prefix());
        name.strip_prefix(&prefix).unwrap_or(name).to_owned()
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some((numerator, denominator)) = &entry.ratio_of {
        parts.push(format!(
            "`sum({}) / sum({})`",
            short(numerator),
            short(denominator)
        ));
    }
    match entry.kind {
        MetricKind::Histogram if !entry.aggregate.is_empty() => {
            parts.push(format!(
                "quantiles {} of the summed buckets",
                QUANTILES.join(", ")
            ));
        }
        MetricKind::Histogram => {}
        MetricKind::Counter | MetricKind::Gauge => {
            let ops: Vec<String> = entry
                .aggregate
                .iter()
                .map(|a| format!("`{}`", a.as_str()))
                .collect();
            if !ops.is_empty() {
                let of = if entry.kind == MetricKind::Counter {
                    " of rates"
                } else {
                    ""
                };
                parts.push(format!("{}{of}", ops.join(", ")));
            }
        }
    }
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
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
