//! Just enough YAML for Prometheus' rule and rule-test files: every scalar
//! double-quoted, so no value (a PromQL expression, a template, a label
//! value) is ever read as something else, and no dependency decides the
//! bytes of a checked-in file.

use std::fmt::Write as _;

/// `text` as a double-quoted YAML scalar.
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `key: value` (the value quoted) at `indent` spaces.
pub(crate) fn field(out: &mut String, indent: usize, key: &str, value: &str) {
    let _ = writeln!(out, "{:indent$}{key}: {}", "", quoted(value));
}

/// Writes `key:` at `indent` spaces, for a mapping or a list below it.
pub(crate) fn key(out: &mut String, indent: usize, key: &str) {
    let _ = writeln!(out, "{:indent$}{key}:", "");
}

/// Writes `# line` for each line of `text` at `indent` spaces.
pub(crate) fn comment(out: &mut String, indent: usize, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "{:indent$}# {line}", "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_yaml_would_read_otherwise() {
        assert_eq!(quoted("a"), r#""a""#);
        assert_eq!(quoted(r#"x{a="b\c"}"#), r#""x{a=\"b\\c\"}""#);
        assert_eq!(quoted("two\nlines"), r#""two\nlines""#);
        assert_eq!(quoted("bell\u{7}"), r#""bell\u0007""#);
        assert_eq!(quoted("{{ $value }}: ok"), r#""{{ $value }}: ok""#);
    }
}
