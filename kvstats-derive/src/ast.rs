//! Stage 1: `DeriveInput` to our own description of the struct.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned as _;
use syn::{Data, DeriveInput, Fields, Ident, Type, Visibility};

use crate::attr::{self, ContainerAttrs, FieldAttrs, Spanned};
use crate::ctxt::Ctxt;

pub struct Container<'a> {
    pub ident: &'a Ident,
    pub vis: &'a Visibility,
    pub attrs: ContainerAttrs,
    pub fields: Vec<Field<'a>>,
    /// The span of the generics when there are any: they are not supported.
    pub generics: Option<Span>,
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    pub attrs: FieldAttrs,
    /// The doc comment, lines trimmed and joined by spaces.
    pub doc: Option<Spanned<String>>,
}

/// What a field becomes.
pub enum Shape<'a> {
    /// One gauge.
    Scalar,
    /// One gauge per position.
    Positions { max: usize },
    /// The gauges of a nested struct; `inner` is the struct, `optional` when
    /// the field is `Option<inner>`.
    Flatten { inner: &'a Type, optional: bool },
}

/// The cap on positions when `max` is not given.
pub const DEFAULT_MAX_POSITIONS: usize = 64;

impl<'a> Container<'a> {
    /// Parses `input`; returns `None` (with errors recorded) when it is not a
    /// struct with named fields.
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Container<'a>> {
        let attrs = attr::container(cx, &input.attrs);
        let fields = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => &named.named,
                Fields::Unnamed(unnamed) => {
                    cx.error_spanned_by(
                        unnamed,
                        "#[derive(PromGauges)] needs named fields to name the metrics; \
                         this is a tuple struct",
                    );
                    return None;
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        &input.ident,
                        "#[derive(PromGauges)] needs a struct with named fields; this is a \
                         unit struct with nothing to export",
                    );
                    return None;
                }
            },
            Data::Enum(data) => {
                cx.error_at(
                    data.enum_token.span,
                    "#[derive(PromGauges)] supports structs with named fields only, not enums",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_at(
                    data.union_token.span,
                    "#[derive(PromGauges)] supports structs with named fields only, not unions",
                );
                return None;
            }
        };
        let fields = fields
            .iter()
            .filter_map(|f| {
                Some(Field {
                    ident: f.ident.as_ref()?,
                    ty: &f.ty,
                    attrs: attr::field(cx, &f.attrs),
                    doc: doc_comment(&f.attrs),
                })
            })
            .collect();
        let generics = &input.generics;
        let generics = (!generics.params.is_empty() || generics.where_clause.is_some())
            .then(|| generics.span());
        Some(Container {
            ident: &input.ident,
            vis: &input.vis,
            attrs,
            fields,
            generics,
        })
    }

    pub fn exported(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields.iter().filter(|f| f.attrs.skip.is_none())
    }
}

impl<'a> Field<'a> {
    /// The field name without `r#`.
    pub fn name(&self) -> String {
        self.ident.unraw().to_string()
    }

    /// The metric name part (after the prefix, before the unit) and its span.
    pub fn name_part(&self) -> Spanned<String> {
        match &self.attrs.name {
            Some(name) => name.clone(),
            None => Spanned {
                value: self.name(),
                span: self.ident.span(),
            },
        }
    }

    /// The help text: `help = ".."`, else the doc comment.
    pub fn help(&self) -> Option<&Spanned<String>> {
        self.attrs.help.as_ref().or(self.doc.as_ref())
    }

    pub fn shape(&self) -> Shape<'_> {
        if self.attrs.flatten.is_some() {
            return match option_inner(self.ty) {
                Some(inner) => Shape::Flatten {
                    inner,
                    optional: true,
                },
                None => Shape::Flatten {
                    inner: self.ty,
                    optional: false,
                },
            };
        }
        match &self.attrs.label {
            Some(_) => Shape::Positions {
                max: self
                    .attrs
                    .max
                    .as_ref()
                    .map_or(DEFAULT_MAX_POSITIONS, |m| m.value),
            },
            None => Shape::Scalar,
        }
    }
}

/// `T` when `ty` is written `Option<T>` (with any path to `Option`).
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// The `///` lines of `attrs`, trimmed and joined by spaces.
fn doc_comment(attrs: &[syn::Attribute]) -> Option<Spanned<String>> {
    let mut lines = Vec::new();
    let mut span = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &attr.meta {
            if let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
            {
                span.get_or_insert(attr.span());
                let line = s.value();
                let line = line.trim();
                if !line.is_empty() {
                    lines.push(line.to_owned());
                }
            }
        }
    }
    span.map(|span| Spanned {
        value: lines.join(" "),
        span,
    })
}
