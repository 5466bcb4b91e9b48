//! Stage 2 for the fleet keys: what `aggregate`, `ratio_of` and `alert`
//! may say about a field of its kind, and on the struct. Also what the model
//! reads from them once they are checked: the aggregations and the alerts'
//! names and settings with their defaults.

use std::collections::HashMap;

use proc_macro2::Span;

use crate::ast::{Container, Field, Shape, ValueKind};
use crate::ctxt::Ctxt;
use crate::fleet::{AlertAttr, Trigger};
use crate::naming;
use crate::spanned::Spanned;

/// The words of `aggregate = ".."`, in the order kvstats-core's
/// `Aggregation::ALL` has them.
pub const AGGREGATIONS: [&str; 4] = ["sum", "max", "min", "avg"];
/// `aggregate = "none"`: no fleet view of this metric.
const NONE: &str = "none";
/// kvstats-core's `fleet::SEVERITIES`.
const SEVERITIES: [&str; 3] = ["critical", "warning", "info"];
/// An alert's hold when `for` is not given.
pub const DEFAULT_HOLD: &str = "5m";
pub const DEFAULT_SEVERITY: &str = "warning";

pub fn check(cx: &Ctxt, cont: &Container<'_>) {
    let mut names: HashMap<String, Span> = HashMap::new();
    let mut unique = |name: String, span: Span| {
        if names.insert(name.clone(), span).is_some() {
            cx.error_at(
                span,
                format!(
                    "alert `{name}` is declared twice in `{}`; give one of them another \
                     `name = \"..\"`",
                    cont.ident
                ),
            );
        }
    };
    for field in cont.exported().filter(|f| !f.uncertain()) {
        if let Shape::Flatten { .. } = field.shape() {
            continue;
        }
        check_aggregate(cx, field);
        check_ratio(cx, cont, field);
        for alert in &field.attrs.alerts {
            if check_alert(cx, &alert.value) && alert_on_field(cx, field, alert) {
                unique(alert_name(cont, Some(field), &alert.value), alert.key);
            }
        }
    }
    for alert in &cont.attrs.alerts {
        if check_alert(cx, &alert.value) && alert_on_struct(cx, cont, alert) {
            unique(alert_name(cont, None, &alert.value), alert.key);
        }
    }
}

/// The aggregations `aggregate = ".."` names, `Some(empty)` for `none`,
/// `None` when not given (the default of kvstats-core applies). Words that
/// are not aggregations are left out (they are errors).
pub fn aggregations(field: &Field<'_>) -> Option<Vec<&'static str>> {
    let given = field.attrs.aggregate.as_ref()?;
    Some(
        words(&given.value)
            .filter_map(|w| AGGREGATIONS.iter().copied().find(|a| *a == w))
            .collect(),
    )
}

fn words(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim)
}

fn check_aggregate(cx: &Ctxt, field: &Field<'_>) {
    let Some(given) = &field.attrs.aggregate else {
        return;
    };
    let error = |message: String| cx.error_at(given.span, message);
    let listed: Vec<&str> = words(&given.value).collect();
    if listed.iter().any(|w| w.is_empty()) {
        return error(format!(
            "`aggregate` takes a comma-separated list of {}, or \"none\"; got {:?}",
            AGGREGATIONS.join(", "),
            given.value
        ));
    }
    if listed.contains(&NONE) {
        if listed.len() > 1 {
            error(String::from(
                "`none` means the metric has no fleet view; it cannot stand with other \
                 aggregations",
            ));
        }
        return;
    }
    for (i, word) in listed.iter().enumerate() {
        if listed[..i].contains(word) {
            return error(format!(
                "`{word}` is listed twice in `aggregate`; list it once"
            ));
        }
        if *word == "rate" {
            return error(rate_message(field));
        }
        if !AGGREGATIONS.contains(word) {
            return error(format!(
                "unknown aggregation `{word}`; `aggregate` takes {}, or \"none\"",
                AGGREGATIONS.join(", ")
            ));
        }
        if let Some(message) = unfit(field, word) {
            return error(message);
        }
    }
}

fn rate_message(field: &Field<'_>) -> String {
    if field.is_counter() {
        String::from(
            "`rate` is implied: a counter is always read as its per-second rate; write `sum` \
             for the fleet's rate, or `max` for the busiest instance",
        )
    } else {
        String::from(
            "`rate` needs a counter: a gauge goes up and down, and the rate of its value means \
             nothing; aggregate it with sum, max, min or avg, or make the field \
             `#[prom(counter)]` if it only grows",
        )
    }
}

/// Why aggregation `word` does not fit the field's kind, if it does not.
fn unfit(field: &Field<'_>, word: &str) -> Option<String> {
    if field.attrs.histogram.is_some() {
        return (word != "sum").then(|| {
            format!(
                "a histogram is combined by summing its buckets, and its quantiles come from the \
                 sum; `aggregate` takes `sum` (the default) or `none` here, not `{word}`"
            )
        });
    }
    if field.is_counter() && word == "avg" {
        return Some(String::from(
            "the average of per-instance rates changes with the number of instances; use `sum` \
             (the fleet's rate) or `max` (the busiest instance)",
        ));
    }
    if field.attrs.ratio_of.is_some() && word == "avg" {
        return Some(String::from(
            "the average of ratios counts a small instance as much as a large one; `ratio_of` \
             already gives the fleet's ratio (sum over sum), so remove `avg`",
        ));
    }
    None
}

fn check_ratio(cx: &Ctxt, cont: &Container<'_>, field: &Field<'_>) {
    let Some(ratio) = &field.attrs.ratio_of else {
        return;
    };
    if !matches!(
        field.shape(),
        Shape::Scalar {
            kind: ValueKind::Gauge
        }
    ) {
        cx.error_at(
            ratio.key,
            "`ratio_of` describes a gauge that one value per instance divides into another; \
             this field is a counter, histogram or per-series field: remove `ratio_of`",
        );
        return;
    }
    let parts = [&ratio.value.numerator, &ratio.value.denominator];
    let kinds: Vec<Option<bool>> = parts
        .iter()
        .map(|part| ratio_part(cx, cont, field, part))
        .collect();
    if parts[0].value == parts[1].value {
        cx.error_at(
            parts[1].span,
            format!(
                "the numerator and the denominator are both `{}`; name two fields",
                parts[1].value
            ),
        );
    } else if let [Some(a), Some(b)] = kinds[..] {
        if a != b {
            cx.error_at(
                parts[1].span,
                "the numerator and the denominator must be two gauges or two counters (whose \
                 rates are divided), not one of each",
            );
        }
    }
}

/// Checks one side of a ratio; returns whether it is a counter, if it is fine.
fn ratio_part(
    cx: &Ctxt,
    cont: &Container<'_>,
    field: &Field<'_>,
    part: &Spanned<String>,
) -> Option<bool> {
    let scalars: Vec<String> = cont
        .exported()
        .filter(|f| matches!(f.shape(), Shape::Scalar { .. }) && f.ident != field.ident)
        .map(|f| format!("`{}`", f.name()))
        .collect();
    let Some(named) = cont.fields.iter().find(|f| f.name() == part.value) else {
        cx.error_at(
            part.span,
            format!(
                "no field `{}` in `{}`; `ratio_of` names fields of the same struct: {}",
                part.value,
                cont.ident,
                scalars.join(", ")
            ),
        );
        return None;
    };
    let problem = if named.ident == field.ident {
        Some("is this field itself")
    } else if named.attrs.skip.is_some() {
        Some("is skipped, so it has no series")
    } else if !matches!(named.shape(), Shape::Scalar { .. }) {
        Some("is not one gauge or counter (a nested struct, histogram or per-series field)")
    } else {
        None
    };
    match problem {
        Some(problem) => {
            cx.error_at(
                part.span,
                format!(
                    "field `{}` {problem}; `ratio_of` divides two of the struct's plain gauges \
                     or counters: {}",
                    part.value,
                    scalars.join(", ")
                ),
            );
            None
        }
        None => Some(named.is_counter()),
    }
}

/// The settings every alert must get right; returns whether they are fine.
fn check_alert(cx: &Ctxt, alert: &AlertAttr) -> bool {
    let before = cx.count();
    if let Some(hold) = &alert.hold {
        if !is_duration(&hold.value) {
            cx.error_at(
                hold.span,
                format!(
                    "`for` takes a Prometheus duration such as \"30s\", \"5m\" or \"1h30m\"; got \
                     {:?}",
                    hold.value
                ),
            );
        }
    }
    if let Some(severity) = &alert.severity {
        if !SEVERITIES.contains(&severity.value.as_str()) {
            cx.error_at(
                severity.span,
                format!(
                    "unknown severity {:?}; use one of: {}",
                    severity.value,
                    SEVERITIES.join(", ")
                ),
            );
        }
    }
    if let Some(name) = &alert.name {
        let mut chars = name.value.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            cx.error_at(
                name.span,
                format!(
                    "invalid alert name {:?}: start with a letter and use letters, digits and \
                     `_` (alerts are named in CamelCase: \"KvCacheFull\")",
                    name.value
                ),
            );
        }
    }
    if let Some(summary) = &alert.summary {
        if summary.value.trim().is_empty() {
            cx.error_at(
                summary.span,
                "the summary is empty; say what is wrong, or leave `summary` out for the default",
            );
        }
    }
    cx.count() == before
}

fn alert_on_field(cx: &Ctxt, field: &Field<'_>, alert: &Spanned<AlertAttr>) -> bool {
    let trigger = &alert.value.trigger;
    if field.attrs.histogram.is_some() && trigger.value != Trigger::Absent {
        cx.error_at(
            trigger.key,
            "a threshold alert needs one value per series, and a histogram's series are buckets; \
             alert on a gauge or counter, or write `absent` to alert when the histogram stops",
        );
        return false;
    }
    true
}

fn alert_on_struct(cx: &Ctxt, cont: &Container<'_>, alert: &Spanned<AlertAttr>) -> bool {
    let trigger = &alert.value.trigger;
    if trigger.value != Trigger::Absent {
        cx.error_at(
            trigger.key,
            "a threshold belongs to one metric: put this `alert` on the field; on the struct, an \
             alert says `absent` (the struct's series stopped)",
        );
        return false;
    }
    if first_own(cont).is_none() {
        cx.error_at(
            alert.key,
            format!(
                "`{}` has no metric of its own to watch (only nested structs); put the alert on \
                 a nested struct or one of its fields",
                cont.ident
            ),
        );
        return false;
    }
    true
}

/// The struct's first metric of its own, which carries its alerts.
pub fn first_own<'c, 'a>(cont: &'c Container<'a>) -> Option<&'c Field<'a>> {
    cont.exported()
        .find(|f| !matches!(f.shape(), Shape::Flatten { .. }))
}

/// The alert's name: `name = ".."`, else the metric's name (or the struct's,
/// for one on the struct) in CamelCase with what it watches for.
pub fn alert_name(cont: &Container<'_>, field: Option<&Field<'_>>, alert: &AlertAttr) -> String {
    if let Some(name) = &alert.name {
        return name.value.clone();
    }
    let what = match alert.trigger.value {
        Trigger::Above(_) => "High",
        Trigger::Below(_) => "Low",
        Trigger::Absent => "Absent",
    };
    let base = match field {
        Some(field) => camel(&naming::current_name(cont, field)),
        None => cont.ident.to_string().trim_start_matches("r#").to_owned(),
    };
    format!("{base}{what}")
}

fn camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Whether `text` is a Prometheus duration: numbers with units from the
/// largest to the smallest, each once (`1h30m`, `90s`, `500ms`).
fn is_duration(text: &str) -> bool {
    const UNITS: [&str; 7] = ["y", "w", "d", "h", "m", "s", "ms"];
    let mut rest = text;
    let mut next_unit = 0;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        // `ms` before `m`, so that `500ms` is not read as minutes.
        let Some(unit) = ["ms", "y", "w", "d", "h", "m", "s"]
            .into_iter()
            .find(|u| rest.starts_with(u))
        else {
            return false;
        };
        let Some(at) = UNITS.iter().position(|u| *u == unit) else {
            return false;
        };
        if at < next_unit {
            return false;
        }
        next_unit = at + 1;
        rest = &rest[unit.len()..];
    }
    !text.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for good in ["30s", "5m", "1h30m", "500ms", "1d", "0s", "2w1d"] {
            assert!(is_duration(good), "{good}");
        }
        for bad in ["", "5", "m", "5 m", "30m1h", "5m5m", "1.5h", "-5m", "5M"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }

    #[test]
    fn camel_case() {
        assert_eq!(
            camel("kvstats_gpu_cache_usage_percent"),
            "KvstatsGpuCacheUsagePercent"
        );
    }
}
