//! What the expansion prints, computed once after `check`: every name the
//! generated items have, every metric entry with its full name, constant,
//! help, unit, labels and kind, and the shape of every exported field.
//! `expand.rs`, `impls.rs`, `asserts.rs` and `fallback.rs` read it and
//! compute nothing of their own.
//!
//! Built for every input `ast` accepts, checked or not (the stubs after
//! errors print it too), so building it cannot fail.

use std::collections::HashSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::{Generics, Type, Visibility};

use crate::ast::{Container, Field, Shape, ValueKind};
use crate::fleet::{AlertAttr, Trigger};
use crate::fleet_check;
use crate::naming;

/// A container and everything generated from it.
pub struct Model<'a> {
    /// The path of kvstats-core in generated code: `crate = ".."`, else
    /// `::kvstats_core`.
    pub krate: TokenStream,
    /// `#krate::__private`, which every path to a helper goes through.
    pub private: TokenStream,
    /// The user's struct.
    pub stats: &'a Ident,
    /// Its name without `r#`, as `MetricDef::struct_name` and messages give it.
    pub stats_name: String,
    pub vis: &'a Visibility,
    pub generics: &'a Generics,
    /// Whether the struct is generic (an error): only a stub of the impls is
    /// printed, and nothing that would have to name the struct's parameters.
    pub generic: bool,
    /// The generated container: `gauges = ".."`, else `{Struct}Gauges`.
    pub gauges: Ident,
    /// The constants module, spanned to what named it (`module`, the prefix
    /// or the struct); `None` when it cannot have the name it would get (an
    /// error).
    pub module: Option<Ident>,
    /// The value of the module's `PREFIX`: `{prefix}_`, or empty.
    pub prefix: String,
    /// The exported fields, in field order.
    pub fields: Vec<Exported<'a>>,
}

/// A field that is not skipped.
pub struct Exported<'a> {
    pub ident: &'a Ident,
    /// The field's name without `r#`.
    pub name: String,
    pub ty: &'a Type,
    pub shape: Shape<'a>,
    /// Whether its attributes were rejected in part, so what it exports is
    /// unknown (see `Field::uncertain`); only a stub can be printed.
    pub uncertain: bool,
    /// The constant that reads a scalar field (see `__private::Scalar`).
    pub reader: Ident,
    /// `scale = ..`.
    pub scale: Option<f64>,
    /// `clamp(lo, hi)`.
    pub clamp: Option<(f64, f64)>,
    /// Its entries of `METRICS`: the current name, then each deprecated
    /// one. None for a nested struct, whose entries are its own `METRICS`.
    pub metrics: Vec<Metric>,
}

/// One entry of `METRICS` that the struct declares itself.
pub struct Metric {
    pub kind: Kind,
    /// The full name, prefix included.
    pub name: String,
    /// Its constant in the generated module.
    pub constant: Ident,
    /// Whether the module has that constant: not when an earlier metric gives
    /// the same constant or it is reserved (an error already), so the module
    /// still compiles.
    pub in_module: bool,
    /// The `# HELP` text; a deprecated name's says what replaces it.
    pub help: String,
    pub unit: Option<String>,
    /// The labels each series adds (`position`, a key's label).
    pub labels: Vec<String>,
    /// A histogram's finite bucket bounds; empty for other kinds.
    pub buckets: Vec<f64>,
    /// Whether the field's amounts are added (`counter, delta`).
    pub delta: bool,
    /// For a deprecated name, the current one.
    pub replaced_by: Option<String>,
    /// `aggregate = ".."`: the words, empty for `none`; `None` for the
    /// default (which kvstats-core computes, so the rule lives there).
    pub aggregate: Option<Vec<&'static str>>,
    /// `ratio_of(..)`: the full names of the numerator and the denominator.
    pub ratio_of: Option<(String, String)>,
    /// The field's alerts, and on the struct's first metric the struct's.
    pub alerts: Vec<Alert>,
}

/// An alert with its defaults filled in.
pub struct Alert {
    pub name: String,
    pub trigger: Trigger,
    pub hold: String,
    pub severity: String,
    pub summary: String,
}

/// The metric type of an entry: a variant of kvstats-core's `MetricKind`.
#[derive(Clone, Copy)]
pub enum Kind {
    Gauge,
    Counter,
    Histogram,
}

impl Kind {
    /// The variant of `MetricKind`.
    pub fn variant(self) -> Ident {
        let name = match self {
            Kind::Gauge => "Gauge",
            Kind::Counter => "Counter",
            Kind::Histogram => "Histogram",
        };
        Ident::new(name, Span::call_site())
    }
}

/// A run of `METRICS` entries, in field order: one of the struct's own, or
/// all of a nested struct's.
pub enum Part<'m, 'a> {
    Own {
        field: &'m Exported<'a>,
        metric: &'m Metric,
    },
    Nested {
        field: &'m Exported<'a>,
        inner: &'a Type,
    },
}

impl<'a> Model<'a> {
    pub fn new(cont: &Container<'a>) -> Self {
        let krate = match &cont.attrs.krate {
            Some(path) => {
                let path = &path.value;
                quote!(#path)
            }
            None => quote!(::kvstats_core),
        };
        let gauges = naming::gauges(cont).unwrap_or_else(|_| naming::default_gauges(cont));
        let module = naming::module(cont, &gauges).ok();
        let prefix = cont.attrs.prefix.as_ref().map(|p| p.value.as_str());
        let mut constants: HashSet<String> = naming::RESERVED_CONSTANTS
            .iter()
            .chain([&naming::STRUCT_CONSTANT])
            .map(|c| c.to_string())
            .collect();
        let generic = cont.is_generic();
        let fields = cont
            .exported()
            // A generic struct's nested groups may name its parameters.
            .filter(|f| !(generic && matches!(f.shape(), Shape::Flatten { .. })))
            .map(|field| exported(cont, field, &mut constants))
            .collect();
        Model {
            private: quote!(#krate::__private),
            krate,
            stats: cont.ident,
            stats_name: cont.ident.unraw().to_string(),
            vis: cont.vis,
            generics: cont.generics,
            generic,
            gauges,
            module,
            prefix: prefix.map(|p| format!("{p}_")).unwrap_or_default(),
            fields,
        }
    }

    /// The runs of `METRICS`, in field order.
    pub fn parts(&self) -> Vec<Part<'_, 'a>> {
        let mut parts = Vec::new();
        for field in &self.fields {
            match field.shape {
                Shape::Flatten { inner, .. } => parts.push(Part::Nested { field, inner }),
                _ => parts.extend(
                    field
                        .metrics
                        .iter()
                        .map(|metric| Part::Own { field, metric }),
                ),
            }
        }
        parts
    }

    /// A primitive type by path: a local type named `usize` or `str` in the
    /// user's module would otherwise be picked up.
    pub fn primitive(&self, name: &str) -> TokenStream {
        let private = &self.private;
        let name = Ident::new(name, Span::call_site());
        quote!(#private::core::primitive::#name)
    }
}

fn exported<'a>(
    cont: &Container<'a>,
    field: &Field<'a>,
    constants: &mut HashSet<String>,
) -> Exported<'a> {
    let shape = field.shape();
    let metrics = match shape {
        Shape::Flatten { .. } => Vec::new(),
        _ => metrics(cont, field, constants),
    };
    let attrs = &field.attrs;
    Exported {
        ident: field.ident,
        name: field.name(),
        ty: field.ty,
        shape,
        uncertain: field.uncertain(),
        reader: format_ident!("__KVSTATS_READ_{}", field.index),
        scale: attrs.scale.as_ref().map(|s| s.value),
        clamp: attrs.clamp.as_ref().map(|c| c.value),
        metrics,
    }
}

/// The entries of a field that is not a nested struct.
fn metrics(
    cont: &Container<'_>,
    field: &Field<'_>,
    constants: &mut HashSet<String>,
) -> Vec<Metric> {
    let prefix = cont.attrs.prefix.as_ref().map(|p| p.value.as_str());
    let attrs = &field.attrs;
    let help = field.help().map(|h| h.value.clone()).unwrap_or_default();
    let unit = field.unit();
    let labels: Vec<String> = attrs.label.iter().map(|l| l.value.clone()).collect();
    let (kind, buckets) = match field.shape() {
        Shape::Histogram { .. } => (Kind::Histogram, field.buckets()),
        _ if field.value_kind() == ValueKind::Gauge => (Kind::Gauge, Vec::new()),
        _ => (Kind::Counter, Vec::new()),
    };
    let delta = field.value_kind() == ValueKind::Delta && attrs.histogram.is_none();
    let names = naming::metric_names(field);
    let current = naming::with_prefix(prefix, &names[0].0);
    names
        .into_iter()
        .enumerate()
        .map(|(index, (rest, span))| {
            let deprecated = index > 0;
            let constant = naming::constant(&rest, span);
            Metric {
                kind,
                name: naming::with_prefix(prefix, &rest),
                in_module: constants.insert(constant.to_string()),
                constant,
                help: if deprecated {
                    format!("DEPRECATED: use {current}. {help}")
                } else {
                    help.clone()
                },
                unit: unit.clone(),
                labels: labels.clone(),
                buckets: buckets.clone(),
                delta,
                replaced_by: deprecated.then(|| current.clone()),
                // An old name is kept for dashboards being migrated; the
                // fleet view has the current one.
                aggregate: if deprecated {
                    Some(Vec::new())
                } else {
                    fleet_check::aggregations(field)
                },
                ratio_of: if deprecated {
                    None
                } else {
                    ratio_of(cont, field)
                },
                alerts: if deprecated {
                    Vec::new()
                } else {
                    alerts(cont, field)
                },
            }
        })
        .collect()
}

/// The full names of the fields `ratio_of` names.
fn ratio_of(cont: &Container<'_>, field: &Field<'_>) -> Option<(String, String)> {
    let ratio = &field.attrs.ratio_of.as_ref()?.value;
    let name = |part: &str| {
        let named = cont.fields.iter().find(|f| f.name() == part)?;
        Some(naming::current_name(cont, named))
    };
    Some((
        name(&ratio.numerator.value)?,
        name(&ratio.denominator.value)?,
    ))
}

/// The field's alerts, then the struct's if this is its first own field.
fn alerts(cont: &Container<'_>, field: &Field<'_>) -> Vec<Alert> {
    let metric = naming::current_name(cont, field);
    let own = field
        .attrs
        .alerts
        .iter()
        .map(|a| alert(cont, Some(field), &a.value, &metric));
    let first = fleet_check::first_own(cont).is_some_and(|f| f.ident == field.ident);
    let of_struct = cont
        .attrs
        .alerts
        .iter()
        .filter(|_| first)
        .map(|a| alert(cont, None, &a.value, &cont.ident.unraw().to_string()));
    own.chain(of_struct).collect()
}

fn alert(
    cont: &Container<'_>,
    field: Option<&Field<'_>>,
    attr: &AlertAttr,
    watched: &str,
) -> Alert {
    let trigger = attr.trigger.value;
    let summary = match trigger {
        Trigger::Above(x) => format!("{watched} is above {x}: {{{{ $value }}}}"),
        Trigger::Below(x) => format!("{watched} is below {x}: {{{{ $value }}}}"),
        Trigger::Absent => format!("{watched} stopped: no series from {{{{ $labels.instance }}}}"),
    };
    let text = |given: &Option<crate::spanned::Spanned<String>>, default: &str| {
        given
            .as_ref()
            .map_or_else(|| default.to_owned(), |g| g.value.clone())
    };
    Alert {
        name: fleet_check::alert_name(cont, field, attr),
        trigger,
        hold: text(&attr.hold, fleet_check::DEFAULT_HOLD),
        severity: text(&attr.severity, fleet_check::DEFAULT_SEVERITY),
        summary: text(&attr.summary, &summary),
    }
}
