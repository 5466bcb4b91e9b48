//! How the names of metrics, constants, modules and the container are formed.

use proc_macro2::{Ident, Span};
use syn::ext::IdentExt;

use crate::ast::{Container, Field};

/// Constants every generated module has; a metric may not take their names.
pub const RESERVED_CONSTANTS: [&str; 2] = ["PREFIX", "ALL"];

/// The hidden constant of every generated module that holds the name of its
/// struct (see `asserts::module_is_ours`). Only an invalid metric name (one
/// that starts with `__`) gives this constant, so it needs no check of its own.
pub const STRUCT_CONSTANT: &str = "__STRUCT";

/// Words `Ident::parse_any` accepts that cannot be raw identifiers either
/// (`Ident::new_raw` panics on them).
const NOT_RAW: [&str; 5] = ["crate", "self", "super", "Self", "_"];

/// The Rust identifier spelled `name`, raw (`r#type`) for a keyword; `None`
/// when there is none (`a-b`, `1x`, `self`). Never panics, unlike
/// `Ident::new` on an arbitrary string.
pub fn ident(name: &str, span: Span) -> Option<Ident> {
    // Only word characters reach the lexer, so a user string can never lex as
    // something else (a comment, a raw string, `r#..`).
    if !name.chars().all(|c| c == '_' || c.is_alphanumeric()) {
        return None;
    }
    let mut any = syn::parse::Parser::parse_str(Ident::parse_any, name).ok()?;
    if any != name {
        return None;
    }
    if syn::parse_str::<Ident>(name).is_err() {
        if NOT_RAW.contains(&name) {
            return None;
        }
        any = Ident::new_raw(name, span);
    }
    any.set_span(span);
    Some(any)
}

/// A name that cannot be used, with the span to report it at.
pub struct Unusable {
    pub span: Span,
    pub message: String,
}

/// The generated container: `gauges = ".."`, else `{Struct}Gauges`.
pub fn gauges(cont: &Container<'_>) -> Result<Ident, Unusable> {
    let Some(given) = &cont.attrs.gauges else {
        return Ok(default_gauges(cont));
    };
    let Some(ident) = ident(&given.value, given.span) else {
        return Err(Unusable {
            span: given.span,
            message: format!(
                "`gauges` must be a Rust identifier for the generated struct, such as \
                 \"KvStatsGauges\", got {:?}",
                given.value
            ),
        });
    };
    if ident.unraw() == cont.ident.unraw() {
        return Err(Unusable {
            span: given.span,
            message: format!(
                "`gauges = \"{ident}\"` is the name of the struct itself; the generated \
                 container needs another name, such as \"{ident}Gauges\""
            ),
        });
    }
    Ok(ident)
}

/// The name the container has when `gauges` is not given (or is unusable),
/// spanned to the struct so a clash with another item points there.
pub fn default_gauges(cont: &Container<'_>) -> Ident {
    quote::format_ident!("{}Gauges", cont.ident, span = cont.ident.span())
}

/// The constants module: `module = ".."`, else the prefix, else the struct's
/// name in snake case. Spanned to where the name came from, so rustc's own
/// "defined multiple times" points at that token too.
pub fn module(cont: &Container<'_>, gauges: &Ident) -> Result<Ident, Unusable> {
    let (name, span, origin) = match (&cont.attrs.module, &cont.attrs.prefix) {
        (Some(m), _) => (m.value.clone(), m.span, None),
        (None, Some(p)) if ident(&p.value, p.span).is_some() => {
            (p.value.clone(), p.span, Some("the prefix"))
        }
        _ => (
            snake_case(&cont.ident.unraw().to_string()),
            cont.ident.span(),
            Some("the struct's name"),
        ),
    };
    let unusable = |why: String| {
        let message = match origin {
            None => format!(
                "`module = {name:?}` {why}; choose a snake_case identifier that is free in \
                 this scope, such as \"kvstats\""
            ),
            Some(origin) => format!(
                "the constants module is named after {origin}, `{name}`, which {why}; name it \
                 with `#[prom(module = \"..\")]`"
            ),
        };
        Err(Unusable { span, message })
    };
    let Some(ident) = ident(&name, span) else {
        return unusable(String::from("is not a name a Rust module can have"));
    };
    for (what, other) in [("struct", cont.ident), ("generated container", gauges)] {
        if ident.unraw() == other.unraw() {
            return unusable(format!(
                "clashes with the {what} `{other}` in the same scope"
            ));
        }
    }
    Ok(ident)
}

/// The names a field is exported under (after the prefix): its name with the
/// unit, then each deprecated name.
pub fn metric_names(field: &Field<'_>) -> Vec<(String, Span)> {
    let part = field.name_part();
    let unit = field.unit();
    let mut name = with_unit(&part.value, unit.as_deref());
    if field.is_counter() && !name.ends_with(TOTAL) {
        name.push_str(TOTAL);
    }
    let mut out = vec![(name, part.span)];
    for old in &field.attrs.deprecated_names {
        out.push((old.value.clone(), old.span));
    }
    out
}

/// The full name (prefix included) `field` is exported under now.
pub fn current_name(cont: &Container<'_>, field: &Field<'_>) -> String {
    let (rest, _) = metric_names(field).swap_remove(0);
    with_prefix(cont.attrs.prefix.as_ref().map(|p| p.value.as_str()), &rest)
}

/// What every counter's name ends with.
pub const TOTAL: &str = "_total";

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

    #[test]
    fn idents_from_strings_never_panic() {
        let i = |s| ident(s, Span::call_site()).map(|i| i.to_string());
        assert_eq!(i("kvstats").as_deref(), Some("kvstats"));
        assert_eq!(i("type").as_deref(), Some("r#type"));
        assert_eq!(i("név").as_deref(), Some("név"));
        for bad in [
            "", "_", "self", "crate", "super", "Self", "1x", "a-b", "r#x", "a b", "a//b",
        ] {
            assert_eq!(i(bad), None, "{bad:?}");
        }
    }
}
