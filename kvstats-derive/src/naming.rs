//! How the names of metrics, constants and modules are formed.

use proc_macro2::{Ident, Span};

/// `{name}_{unit}`, unless `name` already ends with the unit.
pub fn with_unit(name: &str, unit: Option<&str>) -> String {
    match unit {
        Some(unit) if name != unit && !name.ends_with(&format!("_{unit}")) => {
            format!("{name}_{unit}")
        }
        _ => name.to_owned(),
    }
}

/// `{prefix}_{rest}`, or `rest` without a prefix.
pub fn with_prefix(prefix: Option<&str>, rest: &str) -> String {
    match prefix {
        Some(prefix) => format!("{prefix}_{rest}"),
        None => rest.to_owned(),
    }
}

/// The constant for a metric name (after the prefix): upper snake case. A name
/// that is not a valid identifier is reported by the name check; here it is
/// only made into one, so expansion never fails.
pub fn constant(name: &str, span: Span) -> Ident {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) || out == "_" {
        out.insert(0, 'M');
    }
    Ident::new(&out, span)
}

/// `KvStats` -> `kv_stats`, `HTTPStats` -> `http_stats`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let boundary = match prev {
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(|n| n.is_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_is_appended_once() {
        assert_eq!(
            with_unit("gpu_cache_usage", Some("percent")),
            "gpu_cache_usage_percent"
        );
        assert_eq!(
            with_unit("latency_seconds", Some("seconds")),
            "latency_seconds"
        );
        assert_eq!(with_unit("seconds", Some("seconds")), "seconds");
        assert_eq!(
            with_unit("milliseconds", Some("seconds")),
            "milliseconds_seconds"
        );
        assert_eq!(with_unit("blocks", None), "blocks");
    }

    #[test]
    fn snake_case_splits_words() {
        assert_eq!(snake_case("KvStats"), "kv_stats");
        assert_eq!(snake_case("ForwardPassMetrics"), "forward_pass_metrics");
        assert_eq!(snake_case("HTTPStats"), "http_stats");
        assert_eq!(snake_case("Stats2D"), "stats2_d");
        assert_eq!(snake_case("stats"), "stats");
    }

    #[test]
    fn constants_are_always_identifiers() {
        let c = |s| constant(s, Span::call_site()).to_string();
        assert_eq!(c("active_blocks"), "ACTIVE_BLOCKS");
        assert_eq!(c("active-blocks"), "ACTIVE_BLOCKS");
        assert_eq!(c("1abc"), "M1ABC");
        assert_eq!(c(""), "M");
        assert_eq!(c("név"), "N_V");
    }
}
