//! Stage 2: rules that need more than one attribute. Every finding is
//! recorded with the span of the offending token; nothing stops early.
//!
//! The naming rule itself (`[a-zA-Z_][a-zA-Z0-9_]*`, no `__` start) is not
//! checked here: expansion emits a constant that runs the one `const fn` of
//! kvstats-core, spanned to the attribute, so compile time and run time share
//! one rule.

use std::collections::HashMap;

use proc_macro2::Span;

use crate::ast::{Container, Field, Shape};
use crate::ctxt::Ctxt;
use crate::naming;

/// Constants every generated module has; a metric may not take their names.
const RESERVED_CONSTANTS: [&str; 2] = ["PREFIX", "ALL"];

pub fn check(cx: &Ctxt, cont: &Container<'_>) {
    if let Some(span) = cont.generics {
        cx.error_at(
            span,
            "#[derive(PromGauges)] does not support generic structs; the metric names and \
             types must be known when the struct is compiled",
        );
    }
    if cont.exported().next().is_none() {
        cx.error_spanned_by(
            cont.ident,
            format!(
                "struct `{}` exports no metrics: every field is skipped or there are none; \
                 export at least one field",
                cont.ident
            ),
        );
    }
    check_module(cx, cont);
    for field in &cont.fields {
        check_field(cx, field);
    }
    check_collisions(cx, cont);
}

fn check_module(cx: &Ctxt, cont: &Container<'_>) {
    let Some(module) = &cont.attrs.module else {
        return;
    };
    if syn::parse_str::<syn::Ident>(&module.value).is_err() {
        cx.error_at(
            module.span,
            format!(
                "`module` must be a Rust identifier such as \"kvstats\", got {:?}",
                module.value
            ),
        );
        return;
    }
    let gauges = cont.attrs.gauges.as_ref().map(|g| g.value.to_string());
    let clash = [Some(cont.ident.to_string()), gauges]
        .into_iter()
        .flatten()
        .find(|name| *name == module.value);
    if let Some(name) = clash {
        cx.error_at(
            module.span,
            format!(
                "`module = \"{name}\"` clashes with the struct `{name}` in the same scope; \
                 choose another module name"
            ),
        );
    }
}

fn check_field(cx: &Ctxt, field: &Field<'_>) {
    let attrs = &field.attrs;
    let given = attrs.given();
    if attrs.skip.is_some() {
        for (key, span) in given.iter().filter(|(k, _)| *k != "skip") {
            cx.error_at(
                *span,
                format!("`{key}` has no effect on a skipped field; remove it or remove `skip`"),
            );
        }
        return;
    }
    if attrs.flatten.is_some() {
        for (key, span) in given.iter().filter(|(k, _)| *k != "flatten") {
            cx.error_at(
                *span,
                format!(
                    "`{key}` cannot be used with `flatten`: a nested struct's metrics keep the \
                     names and settings of its own #[prom] attributes"
                ),
            );
        }
        return;
    }
    if attrs.label.is_none() {
        if let Some(max) = &attrs.max {
            cx.error_at(
                max.span,
                "`max` caps the positions of a per-position field; add `label = \"position\"`",
            );
        }
    }
    match field.help() {
        None => cx.error_spanned_by(
            field.ident,
            format!(
                "field `{}` has no help text; add a doc comment or `#[prom(help = \"...\")]`",
                field.name()
            ),
        ),
        Some(help) if help.value.trim().is_empty() => cx.error_at(
            help.span,
            "help text is empty; say what the metric measures",
        ),
        Some(_) => {}
    }
}

fn check_collisions(cx: &Ctxt, cont: &Container<'_>) {
    let prefix = cont.attrs.prefix.as_ref().map(|p| p.value.as_str());
    let mut names: HashMap<String, String> = HashMap::new();
    let mut constants: HashMap<String, String> = HashMap::new();
    for field in cont.exported() {
        if let Shape::Flatten { .. } = field.shape() {
            continue;
        }
        for (rest, span) in metric_names(field) {
            let full = naming::with_prefix(prefix, &rest);
            let constant = naming::constant(&rest, span).to_string();
            if let Some(other) = names.get(&full) {
                cx.error_at(
                    span,
                    format!(
                        "metric name `{full}` is also the name of field `{other}`; give one of \
                         them another `name`"
                    ),
                );
            } else if let Some(other) = constants.get(&constant) {
                cx.error_at(
                    span,
                    format!(
                        "metric name `{full}` gives the constant `{constant}`, which field \
                         `{other}` already gives; give one of them another `name`"
                    ),
                );
            } else if RESERVED_CONSTANTS.contains(&constant.as_str()) {
                cx.error_at(
                    span,
                    format!(
                        "metric name `{full}` gives the constant `{constant}`, which the \
                         generated module reserves; give the field another `name`"
                    ),
                );
            }
            names.insert(full, field.name());
            constants.insert(constant, field.name());
        }
    }
}

/// The names a field is exported under (after the prefix): its name with the
/// unit, then each deprecated name.
pub fn metric_names(field: &Field<'_>) -> Vec<(String, Span)> {
    let part = field.name_part();
    let unit = field.attrs.unit.as_ref().map(|u| u.value.as_str());
    let mut out = vec![(naming::with_unit(&part.value, unit), part.span)];
    for old in &field.attrs.deprecated_names {
        out.push((old.value.clone(), old.span));
    }
    out
}
