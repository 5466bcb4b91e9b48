//! Stage 3, the impls: the model printed as `PromGauges` for the struct,
//! `GaugeGroup` and the inherent API for the container. Cannot fail.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Type;

use crate::ast::{Shape, ValueKind};
use crate::fleet::Trigger;
use crate::model::{Exported, Metric, Model, Part};
use crate::respan;

pub fn impls(model: &Model<'_>) -> TokenStream {
    let Model {
        krate,
        private,
        stats,
        gauges,
        ..
    } = model;
    let group = quote!(#krate::GaugeGroup);
    let usize = model.primitive("usize");
    let str = model.primitive("str");
    let parts = model.parts();

    // METRICS: own entries and nested slices, concatenated in field order;
    // `__KVSTATS_AT_i` is where part `i` starts.
    let slices = parts.iter().map(|p| match p {
        Part::Own { field, metric } => {
            let name = &metric.name;
            let field = &field.name;
            let help = &metric.help;
            let unit = option_str(metric.unit.as_deref(), private);
            let kind = metric.kind.variant();
            let labels = &metric.labels;
            let buckets = metric
                .buckets
                .iter()
                .map(|b| proc_macro2::Literal::f64_suffixed(*b));
            let delta = metric.delta;
            let replaced_by = option_str(metric.replaced_by.as_deref(), private);
            let fleet = fleet(metric, private);
            let struct_name = &model.stats_name;
            let constant = syn::ext::IdentExt::unraw(&metric.constant).to_string();
            quote! {
                &[#private::MetricParts {
                    name: #name,
                    constant: #constant,
                    struct_name: #struct_name,
                    field: #field,
                    help: #help,
                    unit: #unit,
                    kind: #krate::MetricKind::#kind,
                    labels: &[#(#labels),*],
                    buckets: &[#(#buckets),*],
                    delta: #delta,
                    replaced_by: #replaced_by,
                    #fleet
                }.def()]
            }
        }
        Part::Nested { inner, .. } => nested(inner, krate, "METRICS"),
    });
    let bounds: Vec<Ident> = (0..=parts.len())
        .map(|i| format_ident!("__KVSTATS_AT_{}", i))
        .collect();
    let bound_consts = parts.iter().enumerate().map(|(i, p)| {
        let (start, end) = (&bounds[i], &bounds[i + 1]);
        let len = match p {
            Part::Own { .. } => quote!(1usize),
            Part::Nested { inner, .. } => {
                let metrics = nested(inner, krate, "METRICS");
                let span = syn::spanned::Spanned::span(inner);
                quote_spanned!(span=> #metrics.len())
            }
        };
        quote!(const #end: #usize = #start + #len;)
    });
    let (first, len) = (&bounds[0], &bounds[parts.len()]);
    let reading_arms = parts.iter().enumerate().map(|(i, p)| {
        let (start, end) = (&bounds[i], &bounds[i + 1]);
        match p {
            Part::Own { field, .. } => {
                let ident = field.ident;
                quote!(#start..#end => #private::core::convert::From::from(&self.#ident),)
            }
            Part::Nested { field, inner } => {
                let ident = field.ident;
                let read = at_type(
                    inner,
                    quote!(#group::__reading(&self.#ident, index - #start)),
                );
                quote!(#start..#end => #read,)
            }
        }
    });

    let inits = model.fields.iter().map(|f| init(f, model));
    let updates = model.fields.iter().map(|f| update(f, model));
    // Counters and histograms are cumulative: they stay once seen.
    let clears = model.fields.iter().map(|f| {
        let ident = f.ident;
        match f.shape {
            Shape::Flatten { inner, .. } => at_type(inner, quote!(#group::clear(&self.#ident);)),
            Shape::Scalar {
                kind: ValueKind::Gauge,
            }
            | Shape::Series {
                kind: ValueKind::Gauge,
                ..
            } => quote!(self.#ident.clear();),
            Shape::Scalar { .. } | Shape::Series { .. } | Shape::Histogram { .. } => {
                TokenStream::new()
            }
        }
    });

    quote! {
        const #first: #usize = 0;
        #(#bound_consts)*
        const __KVSTATS_METRICS: [#krate::MetricDef; #len] =
            #private::concat_metrics::<#len>(&[#(#slices),*]);

        #[automatically_derived]
        impl #krate::PromGauges for #stats {
            type Gauges = #gauges;
            const METRICS: &'static [#krate::MetricDef] = &__KVSTATS_METRICS;
        }

        #[automatically_derived]
        #[allow(dead_code)]
        impl #gauges {
            /// A container that is not registered anywhere; plain gauges read 0,
            /// `Option` fields are absent until first set.
            pub fn new() -> Self {
                Self { #(#inits)* }
            }

            /// Registers a new container on `registry` (a registry, namespace,
            /// component or endpoint). Fails if these metrics are already
            /// registered there with the same labels. The series leave the
            /// registry when the last clone of the returned handle is dropped.
            #[must_use = "the series leave the registry when the returned handle is dropped"]
            pub fn register(
                registry: &impl #krate::MetricsRegistry,
            ) -> #private::core::result::Result<#krate::Registered<Self>, #krate::Error> {
                #krate::MetricsRegistry::register::<Self>(registry, &[])
            }

            /// Like [`register`](Self::register), with constant labels added to
            /// every series, so several instances (data-parallel ranks) coexist:
            /// `register_with_labels(&component, &[("dp_rank", "0")])`.
            #[must_use = "the series leave the registry when the returned handle is dropped"]
            pub fn register_with_labels(
                registry: &impl #krate::MetricsRegistry,
                labels: &[(&#str, &#str)],
            ) -> #private::core::result::Result<#krate::Registered<Self>, #krate::Error> {
                #krate::MetricsRegistry::register::<Self>(registry, labels)
            }

            /// Stores every field of `stats`: relaxed atomic stores, no lock,
            /// no allocation.
            #[inline]
            pub fn update_from(&self, stats: &#stats) {
                #(#updates)*
            }

            /// Makes every series of this container absent from the next scrape.
            pub fn clear(&self) {
                #(#clears)*
            }
        }

        #[automatically_derived]
        impl #private::core::default::Default for #gauges {
            fn default() -> Self {
                Self::new()
            }
        }

        #[automatically_derived]
        impl #group for #gauges {
            type Stats = #stats;

            #[inline]
            fn update_from(&self, stats: &#stats) {
                #gauges::update_from(self, stats)
            }

            fn clear(&self) {
                #gauges::clear(self)
            }

            fn __reading(&self, index: #usize) -> #private::Reading<'_> {
                match index {
                    #(#reading_arms)*
                    _ => #private::Reading::Absent,
                }
            }
        }
    }
}

/// `<inner as PromGauges>::item`, spanned to the field's type (whose own
/// tokens keep their spans, so rustc underlines all of it).
pub fn nested(inner: &Type, krate: &TokenStream, item: &str) -> TokenStream {
    let span = syn::spanned::Spanned::span(inner);
    let krate = respan::respan(krate.clone(), span);
    let item = Ident::new(item, span);
    quote_spanned!(span=> <#inner as #krate::PromGauges>::#item)
}

/// `tokens` spanned to a field's type: if that type does not implement what
/// they need, the errors point at it (and identical ones merge).
fn at_type(inner: &Type, tokens: TokenStream) -> TokenStream {
    respan::respan(tokens, syn::spanned::Spanned::span(inner))
}

fn option_str(value: Option<&str>, private: &TokenStream) -> TokenStream {
    match value {
        Some(v) => quote!(#private::core::option::Option::Some(#v)),
        None => quote!(#private::core::option::Option::None),
    }
}

/// The initial value of `field` in `new()`.
fn init(field: &Exported<'_>, model: &Model<'_>) -> TokenStream {
    let ident = field.ident;
    let Model { krate, private, .. } = model;
    match field.shape {
        Shape::Scalar { kind } => {
            let reader = &field.reader;
            match kind {
                ValueKind::Gauge => quote!(#ident: #reader.initial(),),
                ValueKind::Total => quote!(#ident: #reader.initial_counter(false),),
                ValueKind::Delta => quote!(#ident: #reader.initial_counter(true),),
            }
        }
        Shape::Series { .. } => {
            quote!(#ident: #private::core::default::Default::default(),)
        }
        Shape::Histogram { cells } => quote!(#ident: #krate::Histogram::<#cells>::new(),),
        Shape::Flatten { inner, optional } => {
            let gauges = nested(inner, krate, "Gauges");
            let default = quote!(<#gauges as #private::core::default::Default>::default());
            if optional {
                // An optional group is absent until its first `Some`.
                quote! {
                    #ident: {
                        let __kvstats_gauges = #default;
                        #krate::GaugeGroup::clear(&__kvstats_gauges);
                        __kvstats_gauges
                    },
                }
            } else {
                quote!(#ident: #default,)
            }
        }
    }
}

fn update(field: &Exported<'_>, model: &Model<'_>) -> TokenStream {
    let ident = field.ident;
    let Model { krate, private, .. } = model;
    let policy = policy(field, model);
    match field.shape {
        // Without a policy the field's own type adds it (integers whole).
        Shape::Scalar {
            kind: ValueKind::Delta,
        } if field.scale.is_none() && field.clamp.is_none() => {
            let reader = &field.reader;
            quote!(#reader.add_exact(&self.#ident, &stats.#ident);)
        }
        Shape::Scalar { kind } => {
            let reader = &field.reader;
            let store = match kind {
                ValueKind::Gauge => quote!(store),
                ValueKind::Total => quote!(store_total),
                ValueKind::Delta => quote!(add_delta),
            };
            quote!(#reader.#store(&self.#ident, &stats.#ident, #policy);)
        }
        // A stub stores nothing for an uncertain field (see `asserts`).
        Shape::Series { .. } | Shape::Histogram { .. } if field.uncertain => TokenStream::new(),
        // Spanned to the field's type, so an unsupported one is reported there.
        Shape::Series { max, kind, keys } => {
            let ty = field.ty;
            let span = syn::spanned::Spanned::span(ty);
            let private = respan::respan(private.clone(), span);
            let mode = match kind {
                ValueKind::Gauge => quote_spanned!(span=> Set),
                ValueKind::Total => quote_spanned!(span=> Total),
                ValueKind::Delta => quote_spanned!(span=> Delta),
            };
            let store = if keys {
                quote_spanned!(span=> store_keys)
            } else {
                quote_spanned!(span=> store_positions)
            };
            quote_spanned! {span=>
                #private::#store::<#ty, #max>(
                    &self.#ident, &stats.#ident, #private::Mode::#mode, #policy,
                );
            }
        }
        Shape::Histogram { cells } => {
            let ty = field.ty;
            let span = syn::spanned::Spanned::span(ty);
            let private = respan::respan(private.clone(), span);
            let bounds = field
                .metrics
                .first()
                .map(|m| m.buckets.clone())
                .unwrap_or_default()
                .into_iter()
                .map(proc_macro2::Literal::f64_suffixed);
            quote_spanned! {span=>
                #private::observe::<#ty, #cells>(
                    &self.#ident, &stats.#ident, &[#(#bounds),*], #policy,
                );
            }
        }
        Shape::Flatten {
            inner,
            optional: false,
        } => at_type(
            inner,
            quote!(#krate::GaugeGroup::update_from(&self.#ident, &stats.#ident);),
        ),
        Shape::Flatten {
            inner,
            optional: true,
        } => at_type(
            inner,
            quote! {
                match &stats.#ident {
                    #private::core::option::Option::Some(__kvstats_inner) => {
                        #krate::GaugeGroup::update_from(&self.#ident, __kvstats_inner)
                    }
                    #private::core::option::Option::None => {
                        #krate::GaugeGroup::clear(&self.#ident)
                    }
                }
            },
        ),
    }
}

/// The value policy of a field: `scale`, then `clamp`.
fn policy(field: &Exported<'_>, model: &Model<'_>) -> TokenStream {
    let private = &model.private;
    let (scale, clamp) = (field.scale, field.clamp);
    if scale.is_none() && clamp.is_none() {
        return quote!(#private::identity);
    }
    // Both were checked finite when parsed: `f64_suffixed` panics otherwise.
    let scaled = match scale {
        Some(s) => quote!(__kvstats_value * #s),
        None => quote!(__kvstats_value),
    };
    let bounded = match clamp {
        Some((lo, hi)) => quote!(#private::clamp(#scaled, #lo, #hi)),
        None => scaled,
    };
    let f64 = model.primitive("f64");
    quote!(|__kvstats_value: #f64| -> #f64 { #bounded })
}

/// The fleet fields of a `MetricParts`: `aggregate`, `ratio_of`, `alerts`.
fn fleet(metric: &Metric, private: &TokenStream) -> TokenStream {
    let aggregate = match &metric.aggregate {
        Some(words) => {
            let variants = words.iter().map(|w| variant(w));
            quote!(&[#(#private::Aggregation::#variants),*])
        }
        None => {
            let kind = metric.kind.variant();
            let unit = option_str(metric.unit.as_deref(), private);
            let ratio = metric.ratio_of.is_some();
            quote!(#private::default_aggregations(#private::MetricKind::#kind, #unit, #ratio))
        }
    };
    let ratio_of = match &metric.ratio_of {
        Some((numerator, denominator)) => quote! {
            #private::core::option::Option::Some(#private::RatioOf {
                numerator: #numerator,
                denominator: #denominator,
            })
        },
        None => quote!(#private::core::option::Option::None),
    };
    let alerts = metric.alerts.iter().map(|a| {
        let (name, hold, severity, summary) = (&a.name, &a.hold, &a.severity, &a.summary);
        let condition = match a.trigger {
            Trigger::Above(x) => {
                let x = proc_macro2::Literal::f64_suffixed(x);
                quote!(#private::Condition::Above(#x))
            }
            Trigger::Below(x) => {
                let x = proc_macro2::Literal::f64_suffixed(x);
                quote!(#private::Condition::Below(#x))
            }
            Trigger::Absent => quote!(#private::Condition::Absent),
        };
        quote! {
            #private::AlertDef {
                name: #name,
                condition: #condition,
                hold: #hold,
                severity: #severity,
                summary: #summary,
            }
        }
    });
    quote! {
        aggregate: #aggregate,
        ratio_of: #ratio_of,
        alerts: &[#(#alerts),*],
    }
}

/// The `Aggregation` variant of an `aggregate` word.
fn variant(word: &str) -> Ident {
    let mut name = word.to_owned();
    name[..1].make_ascii_uppercase();
    Ident::new(&name, proc_macro2::Span::call_site())
}
