//! Stage 3: tokens for a container. Cannot fail. Runs for a container that
//! passed the checks, and (through `fallback`) for one that did not, so it
//! must stay valid Rust for every input `ast` accepts.

use std::collections::HashSet;

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use syn::Type;

use crate::asserts;
use crate::ast::{Container, Field, Shape};
use crate::check::{metric_names, RESERVED_CONSTANTS};
use crate::impls::{self, nested};
use crate::naming;
use crate::respan;

/// The names every generated item uses.
pub struct Names<'a> {
    pub krate: TokenStream,
    pub stats: &'a Ident,
    pub gauges: Ident,
    /// `None` when the module cannot have the name it would get (an error).
    pub module: Option<Ident>,
    pub prefix: Option<String>,
}

impl<'a> Names<'a> {
    pub fn new(cont: &'a Container<'_>) -> Self {
        let krate = match &cont.attrs.krate {
            Some(path) => {
                let path = &path.value;
                quote!(#path)
            }
            None => quote!(::kvstats_core),
        };
        let gauges = naming::gauges(cont).unwrap_or_else(|_| naming::default_gauges(cont));
        let module = naming::module(cont, &gauges).ok();
        Names {
            krate,
            stats: cont.ident,
            gauges,
            module,
            prefix: cont.attrs.prefix.as_ref().map(|p| p.value.clone()),
        }
    }

    /// `kvstats_core::__private`, which every path to a helper goes through.
    pub fn private(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::__private)
    }

    /// A primitive type by path: a local type named `usize` or `str` in the
    /// user's module would otherwise be picked up.
    pub fn primitive(&self, name: &str) -> TokenStream {
        let private = self.private();
        let name = Ident::new(name, proc_macro2::Span::call_site());
        quote!(#private::core::primitive::#name)
    }
}

/// One entry of `METRICS` that this struct declares itself.
pub struct OwnMetric<'a> {
    pub field: &'a Field<'a>,
    /// Full name, with prefix.
    pub name: String,
    pub constant: Ident,
    pub help: String,
    /// For a deprecated alias, the name that replaces it.
    pub replaced_by: Option<String>,
}

/// A run of `METRICS` entries: one own metric, or all of a nested struct's.
pub enum Part<'a> {
    Own(OwnMetric<'a>),
    Nested {
        field: &'a Field<'a>,
        inner: &'a Type,
    },
}

pub fn parts<'a>(cont: &'a Container<'a>, names: &Names<'_>) -> Vec<Part<'a>> {
    let mut parts = Vec::new();
    for field in cont.exported() {
        if let Shape::Flatten { inner, .. } = field.shape() {
            parts.push(Part::Nested { field, inner });
            continue;
        }
        let help = field.help().map(|h| h.value.clone()).unwrap_or_default();
        let all = metric_names(field);
        let current = naming::with_prefix(names.prefix.as_deref(), &all[0].0);
        for (index, (rest, span)) in all.into_iter().enumerate() {
            let name = naming::with_prefix(names.prefix.as_deref(), &rest);
            let deprecated = index > 0;
            parts.push(Part::Own(OwnMetric {
                field,
                constant: naming::constant(&rest, span),
                help: if deprecated {
                    format!("DEPRECATED: use {current}. {help}")
                } else {
                    help.clone()
                },
                replaced_by: deprecated.then(|| current.clone()),
                name,
            }));
        }
    }
    parts
}

pub fn expand(cont: &Container<'_>) -> TokenStream {
    let names = Names::new(cont);
    let parts = parts(cont, &names);
    let impls = impls::impls(cont, &names, &parts);
    assemble(cont, &names, &parts, impls)
}

/// The container, the constants module and the compiler checks, with `impls`
/// beside the checks in one anonymous constant.
pub fn assemble(
    cont: &Container<'_>,
    names: &Names<'_>,
    parts: &[Part<'_>],
    impls: TokenStream,
) -> TokenStream {
    let container = container_struct(cont, names, parts);
    let module = constants_module(cont, names, parts);
    let asserts = asserts::asserts(cont, names);
    quote! {
        #container
        #module
        #[doc(hidden)]
        const _: () = {
            #asserts
            #impls
        };
    }
}

fn field_type(field: &Field<'_>, krate: &TokenStream) -> TokenStream {
    match field.shape() {
        Shape::Scalar => quote!(#krate::Gauge),
        Shape::Positions { max, .. } => quote!(#krate::PositionGauges<#max>),
        Shape::Flatten { inner, .. } => nested(inner, krate, "Gauges"),
    }
}

fn container_struct(cont: &Container<'_>, names: &Names<'_>, parts: &[Part<'_>]) -> TokenStream {
    let Names {
        krate,
        stats,
        gauges,
        ..
    } = names;
    let vis = cont.vis;
    let table = doc_table(parts);
    let head = format!(
        " Prometheus gauges of [`{stats}`], generated by `#[derive(PromGauges)]`.\n\n \
         Register with [`{gauges}::register`], then call [`{gauges}::update_from`] with each new \
         `{stats}`.\n\n"
    );
    // A generic struct is an error; its stub leaves out nested groups, whose
    // types may name the struct's parameters.
    let fields = cont
        .exported()
        .filter(|f| !(cont.is_generic() && matches!(f.shape(), Shape::Flatten { .. })))
        .map(|field| {
            let ident = field.ident;
            let ty = field_type(field, krate);
            let doc = field_doc(field, parts);
            quote! {
                #[doc = #doc]
                pub #ident: #ty,
            }
        });
    let item = quote! {
        #[doc = #head]
        #[doc = #table]
        #[derive(::core::fmt::Debug)]
        // Named after the user's struct, whose case is the user's choice.
        #[allow(non_camel_case_types)]
        #vis struct #gauges {
            #(#fields)*
        }
    };
    // See `constants_module`.
    respan::respan_item(item, gauges.span())
}

fn doc_table(parts: &[Part<'_>]) -> String {
    let mut out = String::from(" | Metric | Unit | Help |\n |---|---|---|\n");
    for part in parts {
        match part {
            Part::Own(m) => {
                let unit = m.field.attrs.unit.as_ref().map_or("", |u| u.value.as_str());
                let label = m
                    .field
                    .attrs
                    .label
                    .as_ref()
                    .map(|l| format!(" (one series per `{}`)", l.value))
                    .unwrap_or_default();
                out.push_str(&format!(
                    " | `{}`{} | {} | {} |\n",
                    m.name,
                    label,
                    unit,
                    m.help.replace('|', "\\|").replace(['\n', '\r'], " ")
                ));
            }
            Part::Nested { field, inner } => {
                let inner = quote!(#inner).to_string().replace(' ', "");
                out.push_str(&format!(
                    " | the metrics of `{inner}` (field `{}`) | | |\n",
                    field.name()
                ));
            }
        }
    }
    out
}

fn field_doc(field: &Field<'_>, parts: &[Part<'_>]) -> String {
    let own = parts.iter().find_map(|p| match p {
        Part::Own(m) if std::ptr::eq(m.field, field) && m.replaced_by.is_none() => Some(m),
        _ => None,
    });
    match own {
        Some(m) => format!(" `{}`: {}", m.name, m.help),
        None => format!(" The gauges of the nested `{}`.", field.name()),
    }
}

fn constants_module(cont: &Container<'_>, names: &Names<'_>, parts: &[Part<'_>]) -> TokenStream {
    let Names {
        stats,
        module,
        prefix,
        ..
    } = names;
    let Some(module) = module else {
        return TokenStream::new();
    };
    let vis = cont.vis;
    let prefix_value = prefix.as_ref().map(|p| format!("{p}_")).unwrap_or_default();
    // Colliding names are an error already; the first of each is kept so the
    // module still compiles and code that uses it sees no second error.
    let mut taken: HashSet<String> = RESERVED_CONSTANTS.iter().map(|c| c.to_string()).collect();
    let own: Vec<&OwnMetric<'_>> = parts
        .iter()
        .filter_map(|p| match p {
            Part::Own(m) => Some(m),
            Part::Nested { .. } => None,
        })
        .filter(|m| taken.insert(m.constant.to_string()))
        .collect();
    let constants = own.iter().map(|m| {
        let OwnMetric { name, constant, .. } = m;
        let doc = format!(" `{name}`: {}", m.help);
        let deprecated = m.replaced_by.as_ref().map(|new| {
            let note = format!("renamed to `{new}`; dashboards should move to the new name");
            quote!(#[deprecated(note = #note)])
        });
        quote! {
            #[doc = #doc]
            #deprecated
            pub const #constant: &::core::primitive::str = #name;
        }
    });
    let current = own
        .iter()
        .filter(|m| m.replaced_by.is_none())
        .map(|m| &m.constant);
    let module_doc = format!(
        " Metric names of [`{stats}`](super::{stats}), without the registry's root prefix."
    );
    // rustc reports a clash with another item at the item's span; spanned to
    // where the name came from, that is the user's `module`, prefix or struct.
    // Its constants name `::core`, not the crate path: a `crate = "super::.."`
    // would mean another place inside the module.
    // The module is named after the prefix or the struct unless `module` is
    // given, so its case is not the user's choice.
    let module_item = quote! {
        #[doc = #module_doc]
        #[allow(dead_code, non_snake_case)]
        #vis mod #module {
            /// The prefix every metric name of this module starts with.
            pub const PREFIX: &::core::primitive::str = #prefix_value;
            #(#constants)*
            /// Every current metric name of this module, in field order.
            pub const ALL: &[&::core::primitive::str] = &[#(#current),*];
        }
    };
    respan::respan_item(module_item, module.span())
}
