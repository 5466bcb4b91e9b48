//! The checked-in catalog files are exactly what `examples/catalog.rs`
//! generates now; when one is stale, the failure shows where and the command
//! that regenerates it.

use std::path::Path;

use kvstats_core::catalog::Format;
use simulation::catalog::worker;

/// Every checked-in rendering of the worker's catalog, relative to the repository root.
const FILES: [(Format, &str); 6] = [
    (Format::Markdown, "docs/METRICS.md"),
    (Format::Json, "docs/metrics.json"),
    (Format::Grafana, "dashboards/kvstats.json"),
    (Format::Python, "python/kvstats_names.py"),
    (Format::Rules, "prometheus/kvstats.rules.yml"),
    (Format::RulesTest, "prometheus/kvstats.rules.test.yml"),
];

/// Lines of each side shown after the first difference.
const SHOWN: usize = 6;

#[test]
fn checked_in_catalog_files_are_up_to_date() {
    let catalog = worker().expect("the worker's catalog builds");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stale: Vec<String> = FILES
        .iter()
        .filter_map(|&(format, path)| {
            let fresh = catalog.render(format);
            match std::fs::read_to_string(root.join(path)) {
                // A checkout that turned line ends into CRLF is not drift.
                Ok(old) if old.replace("\r\n", "\n") == fresh => None,
                Ok(old) => Some(stale_report(format, path, &old, &fresh)),
                Err(e) => Some(format!(
                    "{path} cannot be read ({e})\n  fix: {}\n",
                    command(format, path)
                )),
            }
        })
        .collect();
    assert!(
        stale.is_empty(),
        "checked-in catalog files differ from the metric definitions:\n\n{}",
        stale.join("\n")
    );
}

#[test]
fn a_stale_file_is_reported_with_its_first_differing_lines_and_the_fix() {
    let report = stale_report(Format::Markdown, "docs/METRICS.md", "a\nb\n", "a\nB\nc\n");
    assert_eq!(
        report,
        "docs/METRICS.md is stale; first difference at line 2\n\
         \x20 checked in:\n\
         \x20      2 | b\n\
         \x20 generated:\n\
         \x20      2 | B\n\
         \x20      3 | c\n\
         \x20 fix: cargo run --example catalog -- --format markdown --out docs/METRICS.md\n"
    );
    let shorter = stale_report(Format::Json, "docs/metrics.json", "a\nb\n", "a\n");
    assert!(
        shorter.contains("  generated:\n    (end of file)\n"),
        "{shorter}"
    );
}

/// The command that regenerates `path`.
fn command(format: Format, path: &str) -> String {
    format!("cargo run --example catalog -- --format {format} --out {path}")
}

/// The lines of `old` (checked in) and `new` (generated) from the first one
/// that differs, then the command that fixes it.
fn stale_report(format: Format, path: &str, old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let first = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    let mut out = format!("{path} is stale; first difference at line {}\n", first + 1);
    for (side, lines) in [("checked in", &old), ("generated", &new)] {
        out.push_str(&format!("  {side}:\n"));
        let shown = lines.iter().enumerate().skip(first).take(SHOWN);
        if first >= lines.len() {
            out.push_str("    (end of file)\n");
        }
        for (index, line) in shown {
            out.push_str(&format!("    {:>4} | {line}\n", index + 1));
        }
    }
    out.push_str(&format!("  fix: {}\n", command(format, path)));
    out
}
