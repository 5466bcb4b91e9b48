//! Pure writers of the text exposition: escaped help and label values,
//! `# HELP`/`# TYPE` lines, label sets and numbers, and the reverse (label
//! values read back from escaped text) for ordering and interop.

use core::cmp::Ordering;
use core::fmt::Write as _;

/// `{root}_{name}`, or `name` alone when the root prefix is empty.
pub(crate) fn full_name(root: &str, name: &str) -> Box<str> {
    if root.is_empty() {
        name.into()
    } else {
        let mut full = String::with_capacity(root.len() + 1 + name.len());
        full.push_str(root);
        full.push('_');
        full.push_str(name);
        full.into()
    }
}

/// Appends `help` escaped for a `# HELP` line: backslash and newline, and
/// the double quote too for OpenMetrics (`quote`).
pub(crate) fn escape_help(help: &str, quote: bool, out: &mut String) {
    for c in help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quote => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

/// The family name OpenMetrics gives a metric: a counter's without its
/// `_total`, which OpenMetrics puts on the sample instead.
pub(crate) fn openmetrics_name<'a>(name: &'a str, kind: &str) -> &'a str {
    match kind {
        "counter" => name.strip_suffix("_total").unwrap_or(name),
        _ => name,
    }
}

/// `# HELP`, `# TYPE` and (when the family name ends in it) `# UNIT` lines of
/// one family in OpenMetrics 1.0, whose help escapes `"` too.
pub(crate) fn openmetrics_header(name: &str, help: &str, kind: &str, unit: Option<&str>) -> String {
    let family = openmetrics_name(name, kind);
    let mut out = String::with_capacity(family.len() * 3 + help.len() + 32);
    out.push_str("# HELP ");
    out.push_str(family);
    out.push(' ');
    escape_help(help, true, &mut out);
    out.push_str("\n# TYPE ");
    out.push_str(family);
    out.push(' ');
    out.push_str(kind);
    out.push('\n');
    if let Some(unit) = unit.filter(|u| family.ends_with(&format!("_{u}"))) {
        out.push_str("# UNIT ");
        out.push_str(family);
        out.push(' ');
        out.push_str(unit);
        out.push('\n');
    }
    out
}

/// Appends a label value escaped for the text format (backslash, double
/// quote and newline).
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

/// `# HELP` and `# TYPE` lines of one family.
pub(crate) fn family_header(name: &str, help: &str, kind: &str) -> String {
    let mut out = String::with_capacity(name.len() * 2 + help.len() + kind.len() + 16);
    out.push_str("# HELP ");
    out.push_str(name);
    out.push(' ');
    escape_help(help, false, &mut out);
    out.push_str("\n# TYPE ");
    out.push_str(name);
    out.push(' ');
    out.push_str(kind);
    out.push('\n');
    out
}

/// `name="value",..` for `labels`, which must be sorted by name; values escaped.
pub(crate) fn label_pairs<K: AsRef<str>, V: AsRef<str>>(labels: &[(K, V)]) -> String {
    let mut out = String::new();
    for (name, value) in labels {
        if !out.is_empty() {
            out.push(',');
        }
        push_pair(&mut out, name.as_ref(), value.as_ref());
    }
    out
}

/// Appends `name="value"` with the value escaped.
pub(crate) fn push_pair(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str("=\"");
    escape_label_value(value, out);
    out.push('"');
}

/// Writes `value` as the text format spells it: `NaN`, `+Inf`, `-Inf`, or the
/// shortest decimal that reads back as the same `f64` (`-0` keeps its sign).
pub(crate) fn write_value(out: &mut String, value: f64) {
    // Integers below 2^53 are the common case, and print faster as integers.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if value.is_nan() {
        out.push_str("NaN");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "+Inf" } else { "-Inf" });
    } else if value.fract() == 0.0 && value.abs() < EXACT && value != 0.0 {
        write_integer(out, value as i64);
    } else {
        let _ = write!(out, "{value}");
    }
}

/// Appends `n` in decimal, without the formatting machinery.
pub(crate) fn write_integer(out: &mut String, n: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.push('-');
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// The label pairs of `name="value",..` text as written by [`label_pairs`],
/// values unescaped.
pub(crate) fn parse_pairs(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut rest = text;
    while let Some((name, after)) = rest.split_once("=\"") {
        let mut value = String::new();
        let mut chars = after.char_indices();
        let mut end = after.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, other)) => value.push(other),
                    None => {}
                },
                '"' => {
                    end = i + 1;
                    break;
                }
                c => value.push(c),
            }
        }
        pairs.push((name.trim_start_matches(',').to_owned(), value));
        rest = &after[end..];
    }
    pairs
}

/// The values of escaped label text, unescaped, as one stream of units
/// ordered like the values themselves: each value's bytes shifted up by one,
/// and `0` after each value, so comparing two streams compares the values one
/// by one as strings, the order `prometheus::Registry::gather` sorts series by.
pub(crate) fn value_units(text: &str) -> impl Iterator<Item = u16> + '_ {
    let mut bytes = text.bytes();
    let mut in_value = false;
    core::iter::from_fn(move || loop {
        let b = bytes.next()?;
        if !in_value {
            if b == b'"' {
                in_value = true;
            }
            continue;
        }
        return Some(match b {
            b'\\' => match bytes.next()? {
                b'n' => u16::from(b'\n') + 1,
                other => u16::from(other) + 1,
            },
            b'"' => {
                in_value = false;
                0
            }
            other => u16::from(other) + 1,
        });
    })
}

/// Orders two escaped label texts by their values, then (for texts whose
/// values are equal but whose names differ) by the text itself.
pub(crate) fn cmp_label_text(a: &str, b: &str) -> Ordering {
    quick_order(a.as_bytes(), b.as_bytes())
        .unwrap_or_else(|| value_units(a).cmp(value_units(b)).then_with(|| a.cmp(b)))
}

/// [`cmp_label_text`] decided at the first byte where `a` and `b` differ,
/// when that is all it takes: no escape up to there, and the byte is inside
/// a value of both (so everything before it, names included, is the same).
/// Registering a rank compares its labels with a dozen others, and walking
/// [`value_units`] byte by byte was most of the cost of a registration; the
/// texts of two ranks usually differ a few bytes in.
fn quick_order(a: &[u8], b: &[u8]) -> Option<Ordering> {
    let mut inside_value = false;
    for (&x, &y) in a.iter().zip(b) {
        if x == b'\\' || y == b'\\' {
            return None;
        }
        if x != y {
            let unit = |c: u8| if c == b'"' { 0 } else { u16::from(c) + 1 };
            return inside_value.then(|| unit(x).cmp(&unit(y)));
        }
        // With no escape so far, every quote opens or closes a value.
        if x == b'"' {
            inside_value = !inside_value;
        }
    }
    (a.len() == b.len()).then_some(Ordering::Equal)
}

/// The numbers `0..n` in the order of their decimal strings (`0, 1, 10, 11,
/// 2, ..`), without allocating: the order in which `gather` sorts a
/// per-position label, so both outputs agree.
pub(crate) fn positions_in_text_order(n: usize) -> impl Iterator<Item = usize> {
    let last = n.saturating_sub(1);
    let mut next = (n > 0).then_some(0);
    let mut emitted = 0;
    core::iter::from_fn(move || {
        let current = next?;
        emitted += 1;
        next = if emitted == n {
            None
        } else if current == 0 {
            Some(1)
        } else if current * 10 <= last {
            Some(current * 10)
        } else {
            let mut up = current;
            while up % 10 == 9 || up + 1 > last {
                up /= 10;
            }
            Some(up + 1)
        };
        Some(current)
    })
}

/// String equality in a `const fn`, where `==` on `str` is not available.
pub(crate) const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
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
        assert_eq!(value(-9_007_199_254_740_991.0), "-9007199254740991");
        assert_eq!(value(u64::MAX as f64), "18446744073709552000");
    }

    #[test]
    fn integers_print_like_display() {
        for n in [0, 1, -1, 9, 10, 99, 100, 12894, i64::MAX, i64::MIN] {
            let mut s = String::new();
            write_integer(&mut s, n);
            assert_eq!(s, n.to_string());
        }
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

    #[test]
    fn openmetrics_headers_name_the_family_and_its_unit() {
        assert_eq!(
            openmetrics_header("req_seconds_total", "Time \"spent\"", "counter", Some("seconds")),
            "# HELP req_seconds Time \\\"spent\\\"\n# TYPE req_seconds counter\n# UNIT req_seconds seconds\n"
        );
        assert_eq!(
            openmetrics_header("usage", "a\\b", "gauge", Some("ratio")),
            "# HELP usage a\\\\b\n# TYPE usage gauge\n"
        );
        assert_eq!(openmetrics_name("x_total", "gauge"), "x_total");
    }

    #[test]
    fn label_text_reads_back_to_the_same_pairs() {
        let pairs = [
            ("a", "x\"y"),
            ("b", "back\\slash"),
            ("c", "new\nline"),
            ("d", ""),
        ];
        let text = label_pairs(&pairs);
        assert_eq!(text, r#"a="x\"y",b="back\\slash",c="new\nline",d="""#);
        let back = parse_pairs(&text);
        let expected: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(back, expected);
        assert!(parse_pairs("").is_empty());
    }

    #[test]
    fn label_texts_order_by_values_as_strings() {
        let text = |values: &[&str]| {
            let pairs: Vec<(String, &str)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("l{i}"), *v))
                .collect();
            label_pairs(&pairs)
        };
        let sorted = [
            text(&["", "z"]),
            text(&["0", "a"]),
            text(&["1", "a"]),
            text(&["10", "a"]),
            text(&["2", "a"]),
            text(&["a", ""]),
            text(&["a", "b"]),
            text(&["a\"", "a"]),
            text(&["a\\", "a"]),
            text(&["ab", "a"]),
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(cmp_label_text(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn the_quick_order_agrees_with_the_full_one() {
        let values = [
            "", " ", "!", "#", "\"", "\\", "\n", ",", "=", "0", "1", "10", "9", "a", "a b", "a!",
            "a\"", "a\\b", "a\0", "\0", "ab", "é", "z",
        ];
        let mut texts = Vec::new();
        for first in values {
            for second in ["", "a", "!", "\""] {
                texts.push(label_pairs(&[("dp_rank", first), ("model", second)]));
                texts.push(label_pairs(&[("a", first), ("b", second)]));
                texts.push(label_pairs(&[("dp_rank", first)]));
            }
        }
        let full = |a: &str, b: &str| value_units(a).cmp(value_units(b)).then_with(|| a.cmp(b));
        let mut quick = 0;
        for a in &texts {
            for b in &texts {
                assert_eq!(cmp_label_text(a, b), full(a, b), "{a} vs {b}");
                quick += usize::from(quick_order(a.as_bytes(), b.as_bytes()).is_some());
            }
        }
        // Pairs with the same names and no escape before they differ take the
        // quick path; were it never taken, this test would prove little.
        assert!(quick > texts.len() * texts.len() / 4, "{quick}");
    }

    #[test]
    fn positions_follow_the_order_of_their_strings() {
        for n in 0..300 {
            let mut expected: Vec<usize> = (0..n).collect();
            expected.sort_by_key(|i| i.to_string());
            let got: Vec<usize> = positions_in_text_order(n).collect();
            assert_eq!(got, expected, "n = {n}");
        }
    }
}
