//! Stage 1: `DeriveInput` to our own description of the struct.

use syn::ext::IdentExt;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Data, DeriveInput, Fields, Generics, Ident, Token, Type, Visibility};

use crate::attr::{ContainerAttrs, FieldAttrs};
use crate::ctxt::Ctxt;
use crate::spanned::Spanned;

pub struct Container<'a> {
    pub ident: &'a Ident,
    pub vis: &'a Visibility,
    pub attrs: ContainerAttrs,
    /// Empty when the input is not a struct with named fields (an error).
    pub fields: Vec<Field<'a>>,
    /// Whether the input is a struct with named fields.
    pub named: bool,
    pub generics: &'a Generics,
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    /// Position in the struct, for names of generated items.
    pub index: usize,
    pub attrs: FieldAttrs,
    /// The doc comment, lines trimmed and joined by spaces.
    pub doc: Option<Spanned<String>>,
}

/// How an update writes a field's values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A gauge: the field holds the current value.
    Gauge,
    /// A counter whose field holds the running total (`counter`).
    Total,
    /// A counter whose field holds the amount since the last update
    /// (`counter, delta`).
    Delta,
}

/// What a field becomes.
pub enum Shape<'a> {
    /// One gauge or counter.
    Scalar { kind: ValueKind },
    /// One gauge or counter per position, or per key (`keys`).
    Series {
        max: usize,
        kind: ValueKind,
        keys: bool,
    },
    /// A histogram with `cells` buckets, `+Inf` included.
    Histogram { cells: usize },
    /// The gauges of a nested struct; `inner` is the struct, `optional` when
    /// the field is `Option<inner>`.
    Flatten { inner: &'a Type, optional: bool },
}

/// The cap on positions or keys when `max` is not given.
pub const DEFAULT_MAX_SERIES: usize = 64;

impl<'a> Container<'a> {
    /// Parses `input`. Always returns a container, so that after errors the
    /// stubs still have the names the user's code refers to; what is wrong is
    /// recorded in `cx`.
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Container<'a> {
        let attrs = ContainerAttrs::parse(cx, &input.attrs);
        let named = named_fields(cx, input);
        let fields = named
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(index, f)| {
                Some(Field {
                    ident: f.ident.as_ref()?,
                    ty: &f.ty,
                    index,
                    attrs: FieldAttrs::parse(cx, &f.attrs),
                    doc: doc_comment(&f.attrs),
                })
            })
            .collect();
        Container {
            ident: &input.ident,
            vis: &input.vis,
            attrs,
            fields,
            named: named.is_some(),
            generics: &input.generics,
        }
    }

    /// Whether the struct has generic parameters or a where clause, which are
    /// not supported.
    pub fn is_generic(&self) -> bool {
        !self.generics.params.is_empty() || self.generics.where_clause.is_some()
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
                key: self.ident.span(),
            },
        }
    }

    /// The help text: `help = ".."`, else the doc comment.
    pub fn help(&self) -> Option<&Spanned<String>> {
        self.attrs.help.as_ref().or(self.doc.as_ref())
    }

    /// Whether what this field exports is unknown: a key or value of its
    /// attributes was rejected (`label = position`), `max` stands without
    /// `label`, or `histogram` stands with a key of another kind (`counter`,
    /// `delta`, `label`). Such a field is not checked further in the same
    /// build, so the user sees the attribute error, not its consequences
    /// (a map under `histogram, label = ..` holds no observations).
    pub fn uncertain(&self) -> bool {
        let attrs = &self.attrs;
        let other_kind = attrs.counter.is_some() || attrs.delta.is_some() || attrs.label.is_some();
        attrs.rejected
            || attrs.max.is_some() && attrs.label.is_none()
            || attrs.histogram.is_some() && other_kind
    }

    pub fn shape(&self) -> Shape<'a> {
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
        if self.attrs.histogram.is_some() {
            return Shape::Histogram {
                cells: self.buckets().len() + 1,
            };
        }
        let kind = self.value_kind();
        match &self.attrs.label {
            Some(_) => Shape::Series {
                max: self
                    .attrs
                    .max
                    .as_ref()
                    .map_or(DEFAULT_MAX_SERIES, |m| m.value),
                kind,
                keys: holds_keys(self.ty),
            },
            None => Shape::Scalar { kind },
        }
    }

    /// Gauge, counter of totals or counter of deltas.
    pub fn value_kind(&self) -> ValueKind {
        match (&self.attrs.counter, &self.attrs.delta) {
            (Some(_), Some(_)) => ValueKind::Delta,
            (Some(_), None) => ValueKind::Total,
            // `delta` alone is an error; the field stays a gauge meanwhile.
            (None, _) => ValueKind::Gauge,
        }
    }

    /// Whether the field is exported as a counter: `counter` is given and
    /// `histogram` is not (the two together are an error; the field stays a
    /// histogram meanwhile, whose name gets no `_total`).
    pub fn is_counter(&self) -> bool {
        self.attrs.histogram.is_none() && self.value_kind() != ValueKind::Gauge
    }

    /// The unit: `unit = ".."`, else `seconds` for a field of `Duration`s.
    pub fn unit(&self) -> Option<String> {
        match &self.attrs.unit {
            Some(unit) => Some(unit.value.clone()),
            None => self.holds_durations().then(|| "seconds".to_owned()),
        }
    }

    /// Whether the field's type is written as `Duration`s (see
    /// `holds_durations`): its values are seconds.
    pub fn holds_durations(&self) -> bool {
        holds_durations(self.ty)
    }

    /// A histogram's bucket bounds: as given, else the default for seconds;
    /// empty when neither (an error).
    pub fn buckets(&self) -> Vec<f64> {
        match self.attrs.histogram.as_ref().map(|h| &h.value) {
            Some(Some(bounds)) => bounds.clone(),
            Some(None) if self.unit().as_deref() == Some("seconds") => {
                crate::buckets::DEFAULT_SECONDS.to_vec()
            }
            _ => Vec::new(),
        }
    }
}

/// Whether a per-series field holds keys, as its type is written: a map
/// (`HashMap`, `BTreeMap`) or a vector, array or slice of pairs, or an
/// `Option` of one. Anything else holds positions (and the compiler says so
/// if it cannot).
pub fn holds_keys(ty: &Type) -> bool {
    let ty = option_inner(ty).unwrap_or(ty);
    let element = match ty {
        Type::Array(a) => &*a.elem,
        Type::Slice(s) => &*s.elem,
        Type::Reference(r) => return holds_keys(&r.elem),
        Type::Paren(p) => return holds_keys(&p.elem),
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return false;
            };
            if last.ident == "HashMap" || last.ident == "BTreeMap" {
                return true;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return false;
            };
            match args.args.first() {
                Some(syn::GenericArgument::Type(element)) if last.ident == "Vec" => element,
                _ => return false,
            }
        }
        _ => return false,
    };
    matches!(element, Type::Tuple(pair) if pair.elems.len() == 2)
}

/// Whether `ty` is written as `Duration`, or as an `Option`, `Vec`, slice,
/// array or reference of it: its values are exported in seconds.
fn holds_durations(ty: &Type) -> bool {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return false;
            };
            if last.ident == "Duration" {
                return true;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return false;
            };
            (last.ident == "Option" || last.ident == "Vec")
                && matches!(args.args.first(), Some(syn::GenericArgument::Type(inner)) if holds_durations(inner))
        }
        Type::Reference(r) => holds_durations(&r.elem),
        Type::Slice(s) => holds_durations(&s.elem),
        Type::Array(a) => holds_durations(&a.elem),
        Type::Paren(p) => holds_durations(&p.elem),
        _ => false,
    }
}

/// The fields of a struct with named fields; records an error for any other input.
fn named_fields<'a>(
    cx: &Ctxt,
    input: &'a DeriveInput,
) -> Option<&'a Punctuated<syn::Field, Token![,]>> {
    let message = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => return Some(&named.named),
            Fields::Unnamed(unnamed) => {
                cx.error_spanned_by(
                    unnamed,
                    "#[derive(PromGauges)] needs named fields to name the metrics; this is a \
                     tuple struct: write `struct Name { field: Type, .. }`",
                );
                return None;
            }
            Fields::Unit => (
                input.ident.span(),
                "#[derive(PromGauges)] needs a struct with named fields; this is a unit struct, \
                 with nothing to export",
            ),
        },
        Data::Enum(data) => (
            data.enum_token.span,
            "#[derive(PromGauges)] supports structs with named fields only, not enums: a gauge \
             needs a value from every field at all times",
        ),
        Data::Union(data) => (
            data.union_token.span,
            "#[derive(PromGauges)] supports structs with named fields only, not unions",
        ),
    };
    cx.error_at(message.0, message.1);
    None
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
        key: span,
    })
}
