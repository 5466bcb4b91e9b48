//! Stage 2: every rule about what the attributes say, including the naming
//! rule (`names.rs`, the very file kvstats-core's registry runs). Every
//! finding is recorded with the span of the offending token; nothing stops
//! early.

use std::collections::HashMap;

use proc_macro2::Span;

use crate::ast::{Container, Field, Shape};
use crate::buckets::Buckets;
use crate::ctxt::Ctxt;
use crate::names::check_name;
use crate::naming;
use crate::spanned::Spanned;

/// The labels `Registry::new()` sets on every series (kvstats-core's
/// `DEFAULT_LABEL_PREFIX` and its levels); a per-series label of that name
/// would appear twice in each series.
const AUTOMATIC_LABELS: [&str; 3] = ["dynamo_namespace", "dynamo_component", "dynamo_endpoint"];

pub fn check(cx: &Ctxt, cont: &Container<'_>) {
    if cont.is_generic() {
        let message = "#[derive(PromGauges)] does not support generic structs: the metric names \
                       and the field types must be known when the struct is compiled";
        match &cont.generics.where_clause {
            Some(clause) if cont.generics.params.is_empty() => cx.error_spanned_by(clause, message),
            _ => cx.error_spanned_by(cont.generics, message),
        }
    }
    if cont.named && cont.exported().next().is_none() {
        cx.error_spanned_by(
            cont.ident,
            format!(
                "struct `{}` exports no metrics: every field is skipped or there are none; \
                 export at least one field",
                cont.ident
            ),
        );
    }
    check_generated_names(cx, cont);
    check_names(cx, cont);
    for field in &cont.fields {
        check_field(cx, field);
    }
    check_collisions(cx, cont);
    crate::fleet_check::check(cx, cont);
}

/// Every name the attributes give, and every metric name they make, against
/// the naming rule; the error says which name it is.
fn check_names(cx: &Ctxt, cont: &Container<'_>) {
    let attrs = &cont.attrs;
    let rule = |kind: &str, value: &str, span: Span| {
        if let Err(e) = check_name(value) {
            cx.error_at(span, format!("invalid {kind} `{value}`: {}", e.message()));
            return false;
        }
        true
    };
    let prefix_ok = match &attrs.prefix {
        Some(p) => rule("prefix", &p.value, p.span),
        None => true,
    };
    // A module name that is not even a Rust identifier is reported by
    // `check_generated_names`; one error is enough.
    if let Some(module) = attrs.module.as_ref() {
        if naming::ident(&module.value, module.span).is_some() {
            rule("module name", &module.value, module.span);
        }
    }
    let mut made = None;
    for field in cont.exported().filter(|f| !f.uncertain()) {
        if let Shape::Flatten { .. } = field.shape() {
            continue;
        }
        let part = field.name_part();
        let kind = if field.attrs.name.is_some() {
            "metric name"
        } else {
            "field name (the default metric name)"
        };
        let mut parts_ok = rule(kind, &part.value, part.span);
        if let Some(unit) = &field.attrs.unit {
            parts_ok &= rule("unit", &unit.value, unit.span);
        }
        if let Some(label) = &field.attrs.label {
            if rule("label", &label.value, label.span)
                && AUTOMATIC_LABELS.contains(&label.value.as_str())
            {
                cx.error_at(
                    label.span,
                    format!(
                        "label `{}` is set by the registry on every series (one of \
                         `Registry::new()`'s automatic labels); give this field another `label`",
                        label.value
                    ),
                );
            }
        }
        for old in &field.attrs.deprecated_names {
            rule("deprecated name", &old.value, old.span);
        }
        if parts_ok && prefix_ok {
            made.get_or_insert(naming::with_prefix(
                attrs.prefix.as_ref().map(|p| p.value.as_str()),
                &part.value,
            ));
        }
    }
    // The parts can be valid while the name they make is not (`_` + `x`).
    if let (Some(prefix), Some(full)) = (&attrs.prefix, made) {
        if let Err(e) = check_name(&full) {
            cx.error_at(
                prefix.span,
                format!(
                    "prefix `{}` makes metric names such as `{full}`, which is invalid: {}",
                    prefix.value,
                    e.message()
                ),
            );
        }
    }
}

/// The container and the module must be names Rust accepts, free in the scope.
fn check_generated_names(cx: &Ctxt, cont: &Container<'_>) {
    let gauges = naming::gauges(cont).unwrap_or_else(|unusable| {
        cx.error_at(unusable.span, unusable.message);
        naming::default_gauges(cont)
    });
    if let Err(unusable) = naming::module(cont, &gauges) {
        cx.error_at(unusable.span, unusable.message);
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
            let message = if attrs.histogram.is_some() {
                "`max` caps the positions or keys of a per-series field, and a histogram has \
                 neither; remove `max`"
            } else {
                "`max` caps the positions or keys of a per-series field; add `label = \"..\"`"
            };
            cx.error_at(max.key, message);
        }
    }
    check_kind(cx, field);
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
    // Who took a metric name or constant: the field, and how (for aliases).
    let mut names: HashMap<String, String> = HashMap::new();
    let mut constants: HashMap<String, String> = HashMap::new();
    for field in cont.exported() {
        if let Shape::Flatten { .. } = field.shape() {
            continue;
        }
        for (index, (rest, span)) in naming::metric_names(field).into_iter().enumerate() {
            let full = naming::with_prefix(prefix, &rest);
            let constant = naming::constant(&rest, span).to_string();
            let owner = match index {
                0 => format!("field `{}`", field.name()),
                _ => format!("the `deprecated_name` of field `{}`", field.name()),
            };
            if let Some(other) = names.get(&full) {
                cx.error_at(
                    span,
                    format!(
                        "metric name `{full}` is taken twice: {other} is exported under it \
                         too; give one of them another `name`"
                    ),
                );
            } else if let Some(other) = constants.get(&constant) {
                cx.error_at(
                    span,
                    format!(
                        "metric name `{full}` gives the constant `{constant}`, which {other} \
                         gives too; give one of them another `name`"
                    ),
                );
            } else if naming::RESERVED_CONSTANTS.contains(&constant.as_str()) {
                cx.error_at(
                    span,
                    format!(
                        "metric name `{full}` gives the constant `{constant}`, which the \
                         generated module reserves; give the field another `name`"
                    ),
                );
            }
            names.entry(full).or_insert_with(|| owner.clone());
            constants.entry(constant).or_insert(owner);
        }
    }
}

/// The kind keys: `delta` needs `counter`; a histogram is neither a counter
/// nor per series, and has buckets; a `Duration` is in seconds; names fit
/// their kind. One mistake is one error: a key that conflicts with
/// `histogram` is not reported again for what it lacks, nor the histogram
/// for what it lacks (which of the two the user meant is not known).
fn check_kind(cx: &Ctxt, field: &Field<'_>) {
    let attrs = &field.attrs;
    let unit_ok = check_duration_unit(cx, field);
    match &attrs.histogram {
        Some(histogram) => check_histogram(cx, field, histogram, unit_ok),
        None => {
            if let (Some(delta), None) = (&attrs.delta, &attrs.counter) {
                cx.error_at(
                    delta.key,
                    "`delta` needs `counter`: an amount per update is added to a running \
                     total; write `#[prom(counter, delta)]`",
                );
            }
        }
    }
    check_kind_name(cx, field);
}

/// A field of `Duration`s exports seconds; another unit would misname them,
/// unless `scale` converts them. Returns whether the unit is fine.
fn check_duration_unit(cx: &Ctxt, field: &Field<'_>) -> bool {
    let attrs = &field.attrs;
    let Some(unit) = &attrs.unit else { return true };
    if !field.holds_durations() || attrs.scale.is_some() || unit.value == "seconds" {
        return true;
    }
    cx.error_at(
        unit.span,
        format!(
            "a `Duration` is exported in seconds, and `unit = \"{0}\"` would name them {0}; \
             remove `unit` (seconds are implied, and Prometheus prefers them), or convert \
             with `scale = ..`",
            unit.value
        ),
    );
    false
}

/// `histogram`: no key of another kind, and buckets unless it observes seconds.
fn check_histogram(cx: &Ctxt, field: &Field<'_>, histogram: &Spanned<Buckets>, unit_ok: bool) {
    let attrs = &field.attrs;
    let counters: Vec<(&str, Span)> = [("counter", &attrs.counter), ("delta", &attrs.delta)]
        .into_iter()
        .filter_map(|(key, given)| Some((key, given.as_ref()?.key)))
        .collect();
    if let Some(&(_, span)) = counters.first() {
        let keys = counters
            .iter()
            .map(|(k, _)| *k)
            .collect::<Vec<_>>()
            .join(", ");
        cx.error_at(
            span,
            format!(
                "`{keys}` cannot be used with `histogram`: a field is one kind of metric, and a \
                 histogram counts its observations itself; remove `{keys}` to observe the \
                 field's values, or `histogram` to count them"
            ),
        );
    }
    if let Some(label) = &attrs.label {
        cx.error_at(
            label.key,
            "a histogram is not exported per position or key; remove `label` (or export \
             one histogram field per key)",
        );
    }
    if counters.is_empty()
        && attrs.label.is_none()
        && unit_ok
        && histogram.value.is_none()
        && field.unit().as_deref() != Some("seconds")
    {
        cx.error_at(
            histogram.key,
            format!(
                "this histogram needs buckets: {}; only a histogram of seconds has default \
                 buckets",
                crate::buckets::FORMS
            ),
        );
    }
}

/// Names that fit the kind: no series suffix on a histogram, `_total` on
/// counters only, and after the unit.
fn check_kind_name(cx: &Ctxt, field: &Field<'_>) {
    let (name, span) = match naming::metric_names(field).into_iter().next() {
        Some(first) => first,
        None => return,
    };
    let suffix_of =
        |suffixes: &[&'static str]| suffixes.iter().copied().find(|s| name.ends_with(s));
    if field.attrs.histogram.is_some() {
        if let Some(suffix) = suffix_of(&["_total", "_bucket", "_sum", "_count"]) {
            cx.error_at(
                span,
                format!(
                    "the histogram `{name}` ends in `{suffix}`, a name its series use or a \
                     counter's; name it for what it observes (`request_latency_seconds`)"
                ),
            );
        }
    } else if field.is_counter() {
        let part = field.name_part().value;
        if let Some(stem) = part.strip_suffix(naming::TOTAL) {
            if name != part {
                cx.error_at(
                    span,
                    format!(
                        "the counter `{part}` with its unit is named `{name}`, `_total` twice; \
                         name it `{stem}`: `_total` is added after the unit"
                    ),
                );
            }
        }
    } else if name.ends_with(naming::TOTAL) {
        cx.error_at(
            span,
            format!(
                "the gauge `{name}` ends in `_total`, which Prometheus reserves for counters; a \
                 running total is `#[prom(counter)]` (or `#[prom(counter, delta)]` for an \
                 amount per update), else name the gauge without `_total`"
            ),
        );
    }
}
