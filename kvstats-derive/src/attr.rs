//! Parsing of `#[prom(..)]` attributes. Every value keeps the span of the
//! token it came from, so later stages can point at it. A bad key or value is
//! recorded and parsing goes on with the next key.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned as _;
use syn::{Attribute, Lit, LitStr, Token};

use crate::ctxt::Ctxt;
use crate::keys::{self, Place};

/// The most positions `max` may keep. Positions are stored inline, 8 bytes
/// each, so a slip such as `max = 1000000` would make every container (and
/// the stack frame that builds it) megabytes large.
pub const MAX_POSITIONS: usize = 4096;

/// A value, the span of the token it came from and the span of its key.
#[derive(Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
    pub key: Span,
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

    fn set(&mut self, value: Option<Spanned<T>>) {
        let Some(value) = value else { return };
        if self.slot.is_some() {
            self.cx.error_at(
                value.key,
                format!("duplicate kvstats attribute `{}`; give it once", self.key),
            );
        } else {
            self.slot = Some(value);
        }
    }

    fn get(self) -> Option<Spanned<T>> {
        self.slot
    }
}

/// `#[prom(..)]` on the struct.
pub struct ContainerAttrs {
    pub prefix: Option<Spanned<String>>,
    pub gauges: Option<Spanned<String>>,
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
    /// Whether a key or value was rejected.
    pub rejected: bool,
}

impl FieldAttrs {
    /// The keys given, with the spans of the keys, in the order of `keys::FIELD`.
    pub fn given(&self) -> Vec<(&'static str, Span)> {
        let keys = [
            ("name", self.name.as_ref().map(|s| s.key)),
            ("help", self.help.as_ref().map(|s| s.key)),
            ("unit", self.unit.as_ref().map(|s| s.key)),
            ("skip", self.skip.as_ref().map(|s| s.key)),
            ("flatten", self.flatten.as_ref().map(|s| s.key)),
            ("label", self.label.as_ref().map(|s| s.key)),
            ("max", self.max.as_ref().map(|s| s.key)),
            ("scale", self.scale.as_ref().map(|s| s.key)),
            ("clamp", self.clamp.as_ref().map(|s| s.key)),
        ];
        let deprecated = self
            .deprecated_names
            .iter()
            .map(|d| ("deprecated_name", Some(d.key)));
        keys.into_iter()
            .chain(deprecated)
            .filter_map(|(key, span)| Some((key, span?)))
            .collect()
    }
}

pub fn container(cx: &Ctxt, attrs: &[Attribute]) -> ContainerAttrs {
    let mut prefix = Once::new(cx, "prefix");
    let mut gauges = Once::new(cx, "gauges");
    let mut module = Once::new(cx, "module");
    let mut krate = Once::new(cx, "crate");
    for_each_key(cx, attrs, &keys::CONTAINER, |value| {
        match value.key.as_str() {
            "prefix" => prefix.set(value.string("kvstats")),
            "module" => module.set(value.string("kvstats")),
            "gauges" => gauges.set(value.string("KvStatsGauges")),
            "crate" => krate.set(value.path()),
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
    let errors_before = cx.count();
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
    for_each_key(cx, attrs, &keys::FIELD, |value| {
        match value.key.as_str() {
            "name" => name.set(value.string("active_blocks")),
            "help" => help.set(value.string("Number of active KV cache blocks")),
            "unit" => unit.set(value.string("seconds")),
            "label" => label.set(value.string("position")),
            "deprecated_name" => deprecated_names.extend(value.string("old_name")),
            "skip" => skip.set(value.flag()),
            "flatten" => flatten.set(value.flag()),
            "max" => max.set(value.max()),
            "scale" => scale.set(value.scale()),
            "clamp" => clamp.set(value.clamp()),
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
        rejected: cx.count() > errors_before,
    }
}

/// Calls `handle` for every key of every `#[prom(..)]` in `attrs`; `handle`
/// returns `false` for a key it does not know.
fn for_each_key(
    cx: &Ctxt,
    attrs: &[Attribute],
    place: &Place,
    mut handle: impl FnMut(&Value<'_>) -> bool,
) {
    let what = place.what;
    for attr in attrs.iter().filter(|a| a.path().is_ident("prom")) {
        match &attr.meta {
            syn::Meta::List(_) => {}
            syn::Meta::Path(path) => {
                cx.error_spanned_by(
                    path,
                    format!(
                        "`#[prom]` needs keys: `#[prom(key = ..)]`; {what} keys are: {}",
                        place.list()
                    ),
                );
                continue;
            }
            syn::Meta::NameValue(nv) => {
                cx.error_spanned_by(
                    nv,
                    format!(
                        "`#[prom = ..]` is not supported; write `#[prom(key = ..)]`, {what} keys \
                         are: {}",
                        place.list()
                    ),
                );
                continue;
            }
        }
        let result = attr.parse_nested_meta(|meta| {
            // The whole value is taken before it is looked at, so a bad value
            // never hides the keys after it.
            let rest = rest_of_key(meta.input)?;
            let key = meta.path.get_ident().map(|i| i.unraw().to_string());
            let value = Value {
                cx,
                key: key.clone().unwrap_or_default(),
                path: meta.path,
                rest,
            };
            if key.is_none() || !handle(&value) {
                let shown = key.unwrap_or_else(|| path_text(&value.path));
                cx.error_spanned_by(&value.path, place.unknown(&shown));
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
}

fn rest_of_key(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    let mut rest = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        rest.extend([input.parse::<TokenTree>()?]);
    }
    Ok(rest)
}

fn path_text(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.join("::")
}

/// One key of `#[prom(..)]` and the tokens after it, up to the next comma.
struct Value<'c> {
    cx: &'c Ctxt,
    key: String,
    path: syn::Path,
    rest: TokenStream,
}

impl Value<'_> {
    /// The key and its value, for errors about the whole `key = value`.
    fn whole(&self) -> TokenStream {
        let mut tokens = self.path.to_token_stream();
        tokens.extend(self.rest.clone());
        tokens
    }

    fn spanned<T>(&self, value: T, span: Span) -> Spanned<T> {
        Spanned {
            value,
            span,
            key: self.path.span(),
        }
    }

    /// The tokens after `=`; records an error (showing `usage`) if there are none.
    fn assigned(&self, usage: &str) -> Option<TokenStream> {
        let mut tokens = self.rest.clone().into_iter();
        match tokens.next() {
            Some(TokenTree::Punct(eq)) if eq.as_char() == '=' => {
                let value: TokenStream = tokens.collect();
                if !value.is_empty() {
                    return Some(value);
                }
            }
            _ => {}
        }
        self.cx.error_spanned_by(
            self.whole(),
            format!("`{}` needs a value: `{usage}`", self.key),
        );
        None
    }

    /// `key = "string"`.
    fn string(&self, example: &str) -> Option<Spanned<String>> {
        self.lit_str(&format!("{} = \"{example}\"", self.key))
            .map(|s| self.spanned(s.value(), s.span()))
    }

    fn lit_str(&self, usage: &str) -> Option<LitStr> {
        let value = self.assigned(usage)?;
        match syn::parse2::<Lit>(value.clone()) {
            Ok(Lit::Str(s)) if s.suffix().is_empty() => Some(s),
            _ => {
                self.cx
                    .error_spanned_by(value, format!("`{}` takes a string: `{usage}`", self.key));
                None
            }
        }
    }

    /// `crate = "path"`.
    fn path(&self) -> Option<Spanned<syn::Path>> {
        let s = self.lit_str("crate = \"kvstats_core\"")?;
        // A module path: generic arguments (`a::<T>`) cannot prefix items.
        match s.parse_with(syn::Path::parse_mod_style) {
            Ok(path) => Some(self.spanned(path, s.span())),
            Err(_) => {
                self.cx.error_spanned_by(
                    &s,
                    format!(
                        "`crate` must be the path of the kvstats-core crate, such as \
                         \"kvstats_core\" or \"::my_metrics\", got {:?}",
                        s.value()
                    ),
                );
                None
            }
        }
    }

    /// A key that takes no value. Given with one, it still counts as given:
    /// what the user meant is clear.
    fn flag(&self) -> Option<Spanned<()>> {
        if !self.rest.is_empty() {
            self.cx.error_spanned_by(
                self.whole(),
                format!("`{0}` takes no value: write `#[prom({0})]`", self.key),
            );
        }
        Some(self.spanned((), self.path.span()))
    }

    /// `max = 64`.
    fn max(&self) -> Option<Spanned<usize>> {
        let value = self.assigned("max = 64")?;
        if let Ok(Lit::Int(int)) = syn::parse2::<Lit>(value.clone()) {
            match int.base10_parse::<usize>() {
                Ok(n) if (1..=MAX_POSITIONS).contains(&n) => {
                    return Some(self.spanned(n, int.span()));
                }
                _ => {}
            }
        }
        self.cx.error_spanned_by(
            value,
            format!("`max` takes a whole number from 1 to {MAX_POSITIONS}, such as `max = 64`"),
        );
        None
    }

    /// `scale = 100.0`.
    fn scale(&self) -> Option<Spanned<f64>> {
        let value = self.assigned("scale = 100.0")?;
        match signed_number.parse2(value.clone()) {
            Ok(v) if v.is_finite() => Some(self.spanned(v, value.span())),
            _ => {
                self.cx.error_spanned_by(
                    value,
                    "`scale` takes a finite number, such as `scale = 100.0`",
                );
                None
            }
        }
    }

    /// `clamp(lo, hi)`.
    fn clamp(&self) -> Option<Spanned<(f64, f64)>> {
        let bounds = parenthesized_numbers.parse2(self.rest.clone()).ok();
        let message = match bounds.as_deref() {
            Some(&[lo, hi]) if lo.is_finite() && hi.is_finite() && lo <= hi => {
                return Some(self.spanned((lo, hi), self.path.span()));
            }
            Some(&[lo, hi]) if lo > hi => format!(
                "`clamp` bounds are reversed: {lo:?} is greater than {hi:?}; write the lower \
                 bound first: `clamp({hi:?}, {lo:?})`"
            ),
            _ => String::from("`clamp` takes two numbers, lower bound first: `clamp(0.0, 1.0)`"),
        };
        self.cx.error_spanned_by(self.whole(), message);
        None
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
    let value: Option<f64> = match &lit {
        Lit::Float(f) if f.suffix().is_empty() || f.suffix() == "f64" => f.base10_parse().ok(),
        Lit::Int(i) => i.base10_parse().ok(),
        _ => None,
    };
    let value = value.ok_or_else(|| syn::Error::new(lit.span(), "expected a number"))?;
    Ok(if negative { -value } else { value })
}
