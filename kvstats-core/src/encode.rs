//! The text exposition format 0.0.4, written straight from the gauge cells.
//!
//! Our own groups are never turned into protobuf families: the registry keeps a
//! plan of families sorted by name with every label string rendered at
//! registration, so a scrape reads the cells and copies bytes. Collectors that
//! others registered on the underlying `prometheus::Registry` are gathered and
//! encoded by the prometheus crate and merged in by name.

use std::cell::Cell;
use std::fmt::Write as _;

use crate::error::Result;
use crate::gauge::Reading;
use crate::group::{Family, Member};
use crate::registry::Scope;

/// The `Content-Type` of the text exposition.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

thread_local! {
    static ENCODING_DIRECTLY: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is inside [`render`], which writes our groups itself.
pub(crate) fn encoding_directly() -> bool {
    ENCODING_DIRECTLY.with(Cell::get)
}

/// Appends the exposition of everything under `scope` to `out`.
pub(crate) fn render(scope: &Scope, out: &mut String) -> Result<()> {
    let foreign = gather_foreign(&scope.shared.prometheus);
    let set = scope
        .shared
        .groups
        .read()
        .unwrap_or_else(|e| e.into_inner());
    let mut foreign = foreign.iter().peekable();
    let encoder = prometheus::TextEncoder::new();
    for family in &set.plan {
        while let Some(other) = foreign.next_if(|f| f.name() < family.name.as_str()) {
            encoder.encode_utf8(std::slice::from_ref(other), out)?;
        }
        write_family(scope, family, out);
    }
    for other in foreign {
        encoder.encode_utf8(std::slice::from_ref(other), out)?;
    }
    Ok(())
}

/// `gather()` with our own collectors switched off.
fn gather_foreign(registry: &prometheus::Registry) -> Vec<prometheus::proto::MetricFamily> {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            ENCODING_DIRECTLY.with(|c| c.set(false));
        }
    }
    ENCODING_DIRECTLY.with(|c| c.set(true));
    let _reset = Reset;
    registry.gather()
}

fn write_family(scope: &Scope, family: &Family, out: &mut String) {
    let start = out.len();
    out.push_str(&family.header);
    let after_header = out.len();
    for member in &family.members {
        if scope.contains(&member.group.scope_labels) {
            write_member(member, out);
        }
    }
    if out.len() == after_header {
        // No series is present: leave the family out rather than print a bare header.
        out.truncate(start);
    }
}

fn write_member(member: &Member, out: &mut String) {
    let series = &member.group.series[member.index];
    match member.group.values.reading(member.index) {
        Reading::Absent => {}
        Reading::Gauge(gauge) => {
            if let Some(value) = gauge.value() {
                write_sample(out, &series.head, None, value);
            }
        }
        Reading::Positions(view) => match (&series.dropped_head, member.dropped) {
            (Some(head), true) => write_sample(out, head, None, view.dropped as f64),
            _ => {
                for (position, cell) in view.cells.iter().enumerate() {
                    let label = (position, series.tail.as_str());
                    write_sample(out, &series.head, Some(label), cell.get());
                }
            }
        },
    }
}

fn write_sample(out: &mut String, head: &str, position: Option<(usize, &str)>, value: f64) {
    out.push_str(head);
    if let Some((position, tail)) = position {
        let _ = write!(out, "{position}");
        out.push_str(tail);
    }
    out.push(' ');
    write_value(out, value);
    out.push('\n');
}

/// Writes `value` as the text format spells it: `NaN`, `+Inf`, `-Inf`, or the
/// shortest decimal that reads back as the same `f64`.
pub(crate) fn write_value(out: &mut String, value: f64) {
    // Integers below 2^53 are the common case and print faster as integers.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if value.is_nan() {
        out.push_str("NaN");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "+Inf" } else { "-Inf" });
    } else if value.fract() == 0.0 && value.abs() < EXACT && value != 0.0 {
        let _ = write!(out, "{}", value as i64);
    } else {
        let _ = write!(out, "{value}");
    }
}

/// `# HELP` and `# TYPE` lines of one family.
pub(crate) fn family_header(name: &str, help: &str, kind: &str) -> String {
    let mut out = format!("# HELP {name} ");
    for c in help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    let _ = writeln!(out, "\n# TYPE {name} {kind}");
    out
}

/// Appends a label value escaped for the text format.
pub(crate) fn escape_label_value(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(v: f64) -> String {
        let mut s = String::new();
        write_value(&mut s, v);
        s
    }

    #[test]
    fn values_are_spelled_as_the_text_format_wants() {
        assert_eq!(value(0.0), "0");
        assert_eq!(value(-0.0), "-0");
        assert_eq!(value(12894.0), "12894");
        assert_eq!(value(-3.0), "-3");
        assert_eq!(value(0.5), "0.5");
        assert_eq!(
            value(f64::from(0.000_077_555_45_f32)),
            "0.00007755545084364712"
        );
        assert_eq!(value(f64::NAN), "NaN");
        assert_eq!(value(f64::INFINITY), "+Inf");
        assert_eq!(value(f64::NEG_INFINITY), "-Inf");
        assert_eq!(value(9_007_199_254_740_993_u64 as f64), "9007199254740992");
        assert_eq!(value(u64::MAX as f64), "18446744073709552000");
    }

    #[test]
    fn help_and_label_values_are_escaped() {
        assert_eq!(
            family_header("m", "a\\b\nc \"q\"", "gauge"),
            "# HELP m a\\\\b\\nc \"q\"\n# TYPE m gauge\n"
        );
        let mut s = String::new();
        escape_label_value("a\"b\\c\nd", &mut s);
        assert_eq!(s, "a\\\"b\\\\c\\nd");
    }
}
