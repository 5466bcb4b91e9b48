//! Stage 1, attributes: the keys of `#[prom(..)]`, each declared once (the
//! `keys!` tables), and their parsing. Every value keeps the span of the
//! token it came from, so later stages can point at it. A bad key or value is
//! recorded and parsing goes on with the next key.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned as _;
use syn::{Attribute, Lit, LitStr, Token};

use crate::buckets::Buckets;
use crate::ctxt::Ctxt;
use crate::fleet::{AlertAttr, RatioAttr};
use crate::keys::Place;
use crate::spanned::Spanned;

/// Where `#[prom(..)]` on the struct stands.
pub const CONTAINER: Place = Place {
    what: "container",
    keys: ContainerAttrs::KEYS,
    put: "on the struct",
};

/// Where `#[prom(..)]` on a field stands.
pub const FIELD: Place = Place {
    what: "field",
    keys: FieldAttrs::KEYS,
    put: "on a field",
};

/// The most positions `max` may keep. Positions are stored inline, 8 bytes
/// each, so a slip such as `max = 1000000` would make every container (and
/// the stack frame that builds it) megabytes large.
pub const MAX_POSITIONS: usize = 4096;

/// Declares the keys of one place, each once: the field of the attributes
/// struct that holds its value, the key as written and the `Value` method
/// that parses it (with the example its errors show). From that one line
/// come the struct's field, the key in `KEYS` (the list errors and
/// suggestions show), its entry in `given()` and its parse.
macro_rules! keys {
    (
        $(#[$meta:meta])*
        pub struct $attrs:ident at $place:ident, not $other:ident {
            $(
                $(#[$field_meta:meta])*
                $field:ident: $slot:ty = $key:literal => $parse:ident($($example:literal)?),
            )*
        }
    ) => {
        $(#[$meta])*
        pub struct $attrs {
            $( $(#[$field_meta])* pub $field: $slot, )*
            /// Whether a key or value was rejected.
            pub rejected: bool,
        }

        impl $attrs {
            /// The keys, in the order errors list them.
            pub const KEYS: &'static [&'static str] = &[$($key),*];

            /// Parses every `#[prom(..)]` of `attrs`, recording what is wrong
            /// in `cx` and going on with the next key.
            pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Self {
                let errors_before = cx.count();
                let mut out = $attrs {
                    $( $field: Default::default(), )*
                    rejected: false,
                };
                for_each_key(cx, attrs, (&$place, &$other), |value| {
                    match value.key.as_str() {
                        $( $key => out.$field.put(cx, $key, value.$parse($($example)?)), )*
                        _ => return false,
                    }
                    true
                });
                out.rejected = cx.count() > errors_before;
                out
            }

            /// The keys given, with the spans of the keys, in the order of `KEYS`.
            #[allow(dead_code)] // Only the field's keys exclude each other.
            pub fn given(&self) -> Vec<(&'static str, Span)> {
                let mut given = Vec::new();
                $( given.extend(self.$field.keys().into_iter().map(|span| ($key, span))); )*
                given
            }
        }
    };
}

keys! {
    /// `#[prom(..)]` on the struct.
    pub struct ContainerAttrs at CONTAINER, not FIELD {
        prefix: Option<Spanned<String>> = "prefix" => string("kvstats"),
        gauges: Option<Spanned<String>> = "gauges" => string("KvStatsGauges"),
        module: Option<Spanned<String>> = "module" => string("kvstats"),
        krate: Option<Spanned<syn::Path>> = "crate" => path(),
        /// Alerts on the struct as a whole (`absent`); the key may repeat.
        alerts: Vec<Spanned<AlertAttr>> = "alert" => alert(),
    }
}

keys! {
    /// `#[prom(..)]` on a field.
    pub struct FieldAttrs at FIELD, not CONTAINER {
        name: Option<Spanned<String>> = "name" => string("active_blocks"),
        help: Option<Spanned<String>> = "help" => string("Number of active KV cache blocks"),
        unit: Option<Spanned<String>> = "unit" => string("seconds"),
        counter: Option<Spanned<()>> = "counter" => flag(),
        delta: Option<Spanned<()>> = "delta" => flag(),
        histogram: Option<Spanned<Buckets>> = "histogram" => histogram(),
        skip: Option<Spanned<()>> = "skip" => flag(),
        flatten: Option<Spanned<()>> = "flatten" => flag(),
        label: Option<Spanned<String>> = "label" => string("position"),
        max: Option<Spanned<usize>> = "max" => max(),
        scale: Option<Spanned<f64>> = "scale" => scale(),
        clamp: Option<Spanned<(f64, f64)>> = "clamp" => clamp(),
        /// Old names, each exported too (the key may repeat).
        deprecated_names: Vec<Spanned<String>> = "deprecated_name" => string("old_name"),
        aggregate: Option<Spanned<String>> = "aggregate" => string("sum"),
        ratio_of: Option<Spanned<RatioAttr>> = "ratio_of" => ratio_of(),
        /// Alerts on the field; the key may repeat.
        alerts: Vec<Spanned<AlertAttr>> = "alert" => alert(),
    }
}

/// Where the values of a key go: `Option` for a key given at most once,
/// `Vec` for one that may repeat.
trait Slot {
    type Value;
    /// Stores a parsed value (`None`: rejected, already reported).
    fn put(&mut self, cx: &Ctxt, key: &str, value: Option<Spanned<Self::Value>>);
    /// The spans of the keys given.
    fn keys(&self) -> Vec<Span>;
}

impl<T> Slot for Option<Spanned<T>> {
    type Value = T;

    fn put(&mut self, cx: &Ctxt, key: &str, value: Option<Spanned<T>>) {
        let Some(value) = value else { return };
        if self.is_some() {
            cx.error_at(
                value.key,
                format!("duplicate kvstats attribute `{key}`; give it once"),
            );
        } else {
            *self = Some(value);
        }
    }

    fn keys(&self) -> Vec<Span> {
        self.iter().map(|v| v.key).collect()
    }
}

impl<T> Slot for Vec<Spanned<T>> {
    type Value = T;

    fn put(&mut self, _: &Ctxt, _: &str, value: Option<Spanned<T>>) {
        self.extend(value);
    }

    fn keys(&self) -> Vec<Span> {
        self.iter().map(|v| v.key).collect()
    }
}

/// Calls `handle` for every key of every `#[prom(..)]` in `attrs`; `handle`
/// returns `false` for a key it does not know.
fn for_each_key(
    cx: &Ctxt,
    attrs: &[Attribute],
    (place, other): (&Place, &Place),
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
                cx.error_spanned_by(&value.path, place.unknown(other, &shown));
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

    /// `histogram` or `histogram(buckets = ..)` (see `buckets.rs`).
    fn histogram(&self) -> Option<Spanned<Buckets>> {
        let parenthesized = match self.rest.clone().into_iter().next() {
            Some(TokenTree::Group(g)) => g.delimiter() == proc_macro2::Delimiter::Parenthesis,
            Some(_) => false,
            None => true,
        };
        if !parenthesized {
            self.cx.error_spanned_by(
                self.whole(),
                format!(
                    "`histogram` takes its buckets in parentheses: {}",
                    crate::buckets::FORMS
                ),
            );
            return None;
        }
        match crate::buckets::parse(self.rest.clone()) {
            Ok(buckets) => Some(self.spanned(buckets, self.path.span())),
            Err(e) => {
                self.cx.syn_error(e);
                None
            }
        }
    }

    /// `ratio_of(numerator = "..", denominator = "..")` (see `fleet.rs`).
    fn ratio_of(&self) -> Option<Spanned<RatioAttr>> {
        self.grammar(crate::fleet::ratio_of)
    }

    /// `alert(..)` (see `fleet.rs`).
    fn alert(&self) -> Option<Spanned<AlertAttr>> {
        self.grammar(crate::fleet::alert)
    }

    /// The value of a key with a grammar of its own, parsed by `parse`.
    fn grammar<T>(&self, parse: fn(TokenStream, Span) -> syn::Result<T>) -> Option<Spanned<T>> {
        match parse(self.rest.clone(), self.path.span()) {
            Ok(value) => Some(self.spanned(value, self.path.span())),
            Err(e) => {
                self.cx.syn_error(e);
                None
            }
        }
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
