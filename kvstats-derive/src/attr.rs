//! Parsing of `#[prom(..)]` attributes. Every value keeps the span of the
//! token it came from, so later stages can point at it.

use proc_macro2::{Span, TokenTree};
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::spanned::Spanned as _;
use syn::{Attribute, Ident, Lit, LitStr, Token};

use crate::ctxt::Ctxt;

const CONTAINER_KEYS: &str = "prefix, gauges, module, crate";
const FIELD_KEYS: &str =
    "name, help, unit, skip, flatten, label, max, scale, clamp, deprecated_name";

/// A value and the span of the attribute tokens it came from.
#[derive(Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// An attribute key that may be given at most once.
struct Once<'c, T> {
    cx: &'c Ctxt,
    key: &'static str,
    slot: Option<Spanned<T>>,
}

impl<'c, T> Once<'c, T> {
    fn new(cx: &'c Ctxt, key: &'static str) -> Self {
        Once {
            cx,
            key,
            slot: None,
        }
    }

    fn set(&mut self, span: Span, value: T) {
        if self.slot.is_some() {
            self.cx
                .error_at(span, format!("duplicate kvstats attribute `{}`", self.key));
        } else {
            self.slot = Some(Spanned { value, span });
        }
    }

    fn get(self) -> Option<Spanned<T>> {
        self.slot
    }
}

/// `#[prom(..)]` on the struct.
pub struct ContainerAttrs {
    pub prefix: Option<Spanned<String>>,
    pub gauges: Option<Spanned<Ident>>,
    pub module: Option<Spanned<String>>,
    pub krate: Option<Spanned<syn::Path>>,
}

/// `#[prom(..)]` on a field.
pub struct FieldAttrs {
    pub name: Option<Spanned<String>>,
    pub help: Option<Spanned<String>>,
    pub unit: Option<Spanned<String>>,
    pub skip: Option<Spanned<()>>,
    pub flatten: Option<Spanned<()>>,
    pub label: Option<Spanned<String>>,
    pub max: Option<Spanned<usize>>,
    pub scale: Option<Spanned<f64>>,
    pub clamp: Option<Spanned<(f64, f64)>>,
    pub deprecated_names: Vec<Spanned<String>>,
}

impl FieldAttrs {
    /// The keys given, with their spans, in the order listed in `FIELD_KEYS`.
    pub fn given(&self) -> Vec<(&'static str, Span)> {
        let mut out = Vec::new();
        let mut add = |key, span: Option<Span>| {
            if let Some(span) = span {
                out.push((key, span));
            }
        };
        add("name", self.name.as_ref().map(|s| s.span));
        add("help", self.help.as_ref().map(|s| s.span));
        add("unit", self.unit.as_ref().map(|s| s.span));
        add("skip", self.skip.as_ref().map(|s| s.span));
        add("flatten", self.flatten.as_ref().map(|s| s.span));
        add("label", self.label.as_ref().map(|s| s.span));
        add("max", self.max.as_ref().map(|s| s.span));
        add("scale", self.scale.as_ref().map(|s| s.span));
        add("clamp", self.clamp.as_ref().map(|s| s.span));
        for d in &self.deprecated_names {
            add("deprecated_name", Some(d.span));
        }
        out
    }
}

pub fn container(cx: &Ctxt, attrs: &[Attribute]) -> ContainerAttrs {
    let mut prefix = Once::new(cx, "prefix");
    let mut gauges = Once::new(cx, "gauges");
    let mut module = Once::new(cx, "module");
    let mut krate = Once::new(cx, "crate");
    for_each_key(cx, attrs, "container", CONTAINER_KEYS, |meta, key| {
        match key.as_str() {
            "prefix" => {
                if let Some(v) = string_value(cx, &meta, "prefix", "kvstats") {
                    prefix.set(v.span(), v.value());
                }
            }
            "module" => {
                if let Some(v) = string_value(cx, &meta, "module", "kvstats") {
                    module.set(v.span(), v.value());
                }
            }
            "gauges" => {
                if let Some(v) = string_value(cx, &meta, "gauges", "KvStatsGauges") {
                    match v.parse::<Ident>() {
                        Ok(ident) => gauges.set(v.span(), ident),
                        Err(_) => cx.error_spanned_by(
                            &v,
                            format!(
                                "`gauges` must be a Rust identifier for the generated struct, \
                                 got {:?}",
                                v.value()
                            ),
                        ),
                    }
                }
            }
            "crate" => {
                if let Some(v) = string_value(cx, &meta, "crate", "kvstats_core") {
                    match v.parse::<syn::Path>() {
                        Ok(path) => krate.set(v.span(), path),
                        Err(_) => cx.error_spanned_by(
                            &v,
                            format!(
                                "`crate` must be a path to the kvstats-core crate, such as \
                                 \"kvstats_core\" or \"::my_metrics\", got {:?}",
                                v.value()
                            ),
                        ),
                    }
                }
            }
            _ => return false,
        }
        true
    });
    ContainerAttrs {
        prefix: prefix.get(),
        gauges: gauges.get(),
        module: module.get(),
        krate: krate.get(),
    }
}

pub fn field(cx: &Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    let mut name = Once::new(cx, "name");
    let mut help = Once::new(cx, "help");
    let mut unit = Once::new(cx, "unit");
    let mut skip = Once::new(cx, "skip");
    let mut flatten = Once::new(cx, "flatten");
    let mut label = Once::new(cx, "label");
    let mut max = Once::new(cx, "max");
    let mut scale = Once::new(cx, "scale");
    let mut clamp = Once::new(cx, "clamp");
    let mut deprecated_names = Vec::new();
    for_each_key(cx, attrs, "field", FIELD_KEYS, |meta, key| {
        let string = |example| string_value(cx, &meta, key.as_str(), example);
        match key.as_str() {
            "name" => string("active_blocks").map_or((), |v| name.set(v.span(), v.value())),
            "help" => string("Number of active KV cache blocks")
                .map_or((), |v| help.set(v.span(), v.value())),
            "unit" => string("seconds").map_or((), |v| unit.set(v.span(), v.value())),
            "label" => string("position").map_or((), |v| label.set(v.span(), v.value())),
            "deprecated_name" => string("old_name").map_or((), |v| {
                deprecated_names.push(Spanned {
                    value: v.value(),
                    span: v.span(),
                })
            }),
            "skip" => flag(cx, &meta, "skip").map_or((), |span| skip.set(span, ())),
            "flatten" => flag(cx, &meta, "flatten").map_or((), |span| flatten.set(span, ())),
            "max" => {
                if let Some(lit) = literal_value(cx, &meta, "max", "max = 64") {
                    match &lit {
                        Lit::Int(i) => match i.base10_parse::<usize>() {
                            Ok(n) if n > 0 => max.set(lit.span(), n),
                            _ => cx.error_spanned_by(
                                &lit,
                                "`max` must be a whole number of at least 1, such as `max = 64`",
                            ),
                        },
                        _ => cx.error_spanned_by(
                            &lit,
                            "`max` takes a whole number, such as `max = 64`",
                        ),
                    }
                }
            }
            "scale" => {
                if !meta.input.peek(Token![=]) {
                    cx.error_spanned_by(&meta.path, "`scale` needs a value: `scale = 100.0`");
                } else {
                    let span = meta.input.span();
                    match meta.value().and_then(signed_number) {
                        Ok(v) if v.is_finite() => scale.set(span, v),
                        _ => cx.error_at(
                            span,
                            "`scale` takes a finite number, such as `scale = 100.0`",
                        ),
                    }
                }
            }
            "clamp" => {
                if let Some((span, lo, hi)) = clamp_value(cx, &meta) {
                    clamp.set(span, (lo, hi));
                }
            }
            _ => return false,
        }
        true
    });
    FieldAttrs {
        name: name.get(),
        help: help.get(),
        unit: unit.get(),
        skip: skip.get(),
        flatten: flatten.get(),
        label: label.get(),
        max: max.get(),
        scale: scale.get(),
        clamp: clamp.get(),
        deprecated_names,
    }
}

/// Calls `handle` for every key of every `#[prom(..)]` in `attrs`. `handle`
/// returns `false` for a key it does not know. Errors are recorded and parsing
/// goes on with the next key.
fn for_each_key(
    cx: &Ctxt,
    attrs: &[Attribute],
    what: &str,
    allowed: &str,
    mut handle: impl FnMut(ParseNestedMeta<'_>, String) -> bool,
) {
    for attr in attrs.iter().filter(|a| a.path().is_ident("prom")) {
        match &attr.meta {
            syn::Meta::List(_) => {}
            syn::Meta::Path(path) => {
                cx.error_spanned_by(
                    path,
                    format!("expected `#[prom(..)]` with keys; {what} keys are: {allowed}"),
                );
                continue;
            }
            syn::Meta::NameValue(nv) => {
                cx.error_spanned_by(
                    nv,
                    format!(
                        "`#[prom = ..]` is not supported; write `#[prom(key = ..)]`, \
                         {what} keys are: {allowed}"
                    ),
                );
                continue;
            }
        }
        let result = attr.parse_nested_meta(|meta| {
            let key = match meta.path.get_ident() {
                Some(ident) => syn::ext::IdentExt::unraw(ident).to_string(),
                None => String::new(),
            };
            let path = meta.path.clone();
            let input = meta.input;
            if !handle(meta, key.clone()) {
                let shown = if key.is_empty() {
                    quote::ToTokens::to_token_stream(&path).to_string()
                } else {
                    key
                };
                cx.error_spanned_by(
                    &path,
                    format!(
                        "unknown kvstats {what} attribute `{shown}`; expected one of: {allowed}"
                    ),
                );
            }
            skip_to_next_key(input)
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
}

/// Skips whatever is left of the current key's value, so a bad value does not
/// hide the keys after it.
fn skip_to_next_key(input: ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// `key = <literal>`; records an error and returns `None` if there is no value.
fn literal_value(cx: &Ctxt, meta: &ParseNestedMeta<'_>, key: &str, example: &str) -> Option<Lit> {
    if !meta.input.peek(Token![=]) {
        cx.error_spanned_by(&meta.path, format!("`{key}` needs a value: `{example}`"));
        return None;
    }
    let parsed = meta.value().and_then(|v| v.parse::<Lit>());
    match parsed {
        Ok(lit) => Some(lit),
        Err(e) => {
            cx.error_at(
                e.span(),
                format!("`{key}` takes a literal value: `{example}`"),
            );
            None
        }
    }
}

/// `key = "string"`.
fn string_value(cx: &Ctxt, meta: &ParseNestedMeta<'_>, key: &str, example: &str) -> Option<LitStr> {
    let example = format!("{key} = \"{example}\"");
    match literal_value(cx, meta, key, &example)? {
        Lit::Str(s) => Some(s),
        other => {
            cx.error_spanned_by(&other, format!("`{key}` takes a string: `{example}`"));
            None
        }
    }
}

/// A key that takes no value.
fn flag(cx: &Ctxt, meta: &ParseNestedMeta<'_>, key: &str) -> Option<Span> {
    if meta.input.peek(Token![=]) || !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        let span = meta.input.span();
        cx.error_at(
            span,
            format!("`{key}` takes no value: write `#[prom({key})]`"),
        );
        return None;
    }
    Some(meta.path.span())
}

/// `clamp(lo, hi)`.
fn clamp_value(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> Option<(Span, f64, f64)> {
    let usage = "`clamp` takes two numbers, lower bound first: `clamp(0.0, 1.0)`";
    let span = meta.path.span();
    let bounds = parenthesized_numbers(meta.input).ok();
    match bounds.as_deref() {
        Some(&[lo, hi]) if lo.is_finite() && hi.is_finite() && lo <= hi => Some((span, lo, hi)),
        Some(&[lo, hi]) if lo > hi => {
            cx.error_at(
                span,
                format!(
                    "`clamp` bounds are reversed: {lo} is greater than {hi}; \
                     write the lower bound first"
                ),
            );
            None
        }
        _ => {
            cx.error_at(span, usage);
            None
        }
    }
}

fn parenthesized_numbers(input: ParseStream<'_>) -> syn::Result<Vec<f64>> {
    let content;
    syn::parenthesized!(content in input);
    let numbers = content.parse_terminated(signed_number, Token![,])?;
    Ok(numbers.into_iter().collect())
}

fn signed_number(input: ParseStream<'_>) -> syn::Result<f64> {
    let negative = input.parse::<Option<Token![-]>>()?.is_some();
    let lit: Lit = input.parse()?;
    let value = number(&lit).ok_or_else(|| syn::Error::new(lit.span(), "expected a number"))?;
    Ok(if negative { -value } else { value })
}

fn number(lit: &Lit) -> Option<f64> {
    match lit {
        Lit::Float(f) => f.base10_parse().ok(),
        Lit::Int(i) => i.base10_parse().ok(),
        _ => None,
    }
}
