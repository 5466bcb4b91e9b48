//! The grammar of the fleet keys: `ratio_of(..)` and `alert(..)` (`aggregate`
//! is a plain string, read by `fleet_check.rs`). What the values mean is
//! checked there; here only their shape, each error at the token that breaks
//! it.
//!
//! ```text
//! aggregate = "sum"                 or "max", "min", "avg", "avg, max", "none"
//! ratio_of(numerator = "kv_active_blocks", denominator = "kv_total_blocks")
//! alert(above = 0.95, for = "5m", severity = "warning", summary = "..", name = "..")
//! alert(below = 0.1, ..)            on a field
//! alert(absent, for = "30s", ..)    on a field or the struct
//! ```

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitStr, Token};

use crate::spanned::Spanned;

/// `ratio_of(numerator = "..", denominator = "..")`: two fields of the struct.
#[derive(Clone)]
pub struct RatioAttr {
    pub numerator: Spanned<String>,
    pub denominator: Spanned<String>,
}

/// When an alert fires.
#[derive(Clone, Copy, PartialEq)]
pub enum Trigger {
    Above(f64),
    Below(f64),
    Absent,
}

/// `alert(..)`.
#[derive(Clone)]
pub struct AlertAttr {
    pub trigger: Spanned<Trigger>,
    pub name: Option<Spanned<String>>,
    /// `for = ".."`.
    pub hold: Option<Spanned<String>>,
    pub severity: Option<Spanned<String>>,
    pub summary: Option<Spanned<String>>,
}

pub const RATIO_USAGE: &str =
    "ratio_of(numerator = \"active_blocks\", denominator = \"total_blocks\")";
pub const ALERT_USAGE: &str =
    "alert(above = 0.95, for = \"5m\", severity = \"warning\", summary = \"..\")";
/// The settings of `alert(..)`, in the order errors list them.
const ALERT_SETTINGS: &str = "above, below, absent, for, severity, summary, name";

/// Parses the tokens after `ratio_of`.
pub fn ratio_of(rest: TokenStream, key: Span) -> syn::Result<RatioAttr> {
    let parse = |input: ParseStream<'_>| {
        let content = parenthesized(input, ("ratio_of", key), RATIO_USAGE)?;
        let (mut numerator, mut denominator) = (None, None);
        while !content.is_empty() {
            let setting = Ident::parse_any(&content)?;
            let slot = match setting.to_string().as_str() {
                "numerator" => &mut numerator,
                "denominator" => &mut denominator,
                other => {
                    return Err(syn::Error::new(
                        setting.span(),
                        format!(
                            "unknown `ratio_of` setting `{other}`; it takes `numerator` and \
                             `denominator`: `{RATIO_USAGE}`"
                        ),
                    ))
                }
            };
            let value = string_value(&content, &setting, RATIO_USAGE)?;
            put(slot, value, &setting)?;
            comma(&content)?;
        }
        match (numerator, denominator) {
            (Some(numerator), Some(denominator)) => Ok(RatioAttr {
                numerator,
                denominator,
            }),
            (None, _) => Err(syn::Error::new(
                key,
                format!("`ratio_of` needs a `numerator`: `{RATIO_USAGE}`"),
            )),
            (_, None) => Err(syn::Error::new(
                key,
                format!("`ratio_of` needs a `denominator`: `{RATIO_USAGE}`"),
            )),
        }
    };
    parse.parse2(rest)
}

/// Parses the tokens after `alert`.
pub fn alert(rest: TokenStream, key: Span) -> syn::Result<AlertAttr> {
    let parse = |input: ParseStream<'_>| {
        let content = parenthesized(input, ("alert", key), ALERT_USAGE)?;
        let mut trigger: Option<Spanned<Trigger>> = None;
        let (mut name, mut hold, mut severity, mut summary) = (None, None, None, None);
        while !content.is_empty() {
            let setting = Ident::parse_any(&content)?;
            let span = setting.span();
            match setting.to_string().as_str() {
                which @ ("above" | "below") => {
                    equals(&content, &setting, "above = 0.95")?;
                    let (value, value_span) = number(&content, which)?;
                    let value = if which == "above" {
                        Trigger::Above(value)
                    } else {
                        Trigger::Below(value)
                    };
                    set_trigger(&mut trigger, spanned(value, value_span, span))?;
                }
                "absent" => set_trigger(&mut trigger, spanned(Trigger::Absent, span, span))?,
                "name" => put(
                    &mut name,
                    string_value(&content, &setting, "name = \"KvCacheFull\"")?,
                    &setting,
                )?,
                "for" => put(
                    &mut hold,
                    string_value(&content, &setting, "for = \"5m\"")?,
                    &setting,
                )?,
                "severity" => put(
                    &mut severity,
                    string_value(&content, &setting, "severity = \"warning\"")?,
                    &setting,
                )?,
                "summary" => put(
                    &mut summary,
                    string_value(&content, &setting, "summary = \"KV cache nearly full\"")?,
                    &setting,
                )?,
                other => {
                    return Err(syn::Error::new(
                        span,
                        format!(
                            "unknown `alert` setting `{other}`; expected one of: \
                             {ALERT_SETTINGS}"
                        ),
                    ))
                }
            }
            comma(&content)?;
        }
        let trigger = trigger.ok_or_else(|| {
            syn::Error::new(
                key,
                format!(
                    "`alert` needs a condition: `above = ..`, `below = ..` or `absent`, as in \
                     `{ALERT_USAGE}`"
                ),
            )
        })?;
        Ok(AlertAttr {
            trigger,
            name,
            hold,
            severity,
            summary,
        })
    };
    parse.parse2(rest)
}

fn parenthesized<'a>(
    input: ParseStream<'a>,
    (key, key_span): (&str, Span),
    usage: &str,
) -> syn::Result<syn::parse::ParseBuffer<'a>> {
    if !input.peek(syn::token::Paren) {
        let message = format!("`{key}` takes its settings in parentheses: `{usage}`");
        // Nothing after the key: the error goes on the key, not on the derive.
        if input.is_empty() {
            return Err(syn::Error::new(key_span, message));
        }
        let rest: TokenStream = input.parse()?;
        return Err(syn::Error::new_spanned(rest, message));
    }
    let content;
    syn::parenthesized!(content in input);
    if !input.is_empty() {
        return Err(input.error(format!("unexpected tokens after `{key}(..)`")));
    }
    Ok(content)
}

fn spanned<T>(value: T, span: Span, key: Span) -> Spanned<T> {
    Spanned { value, span, key }
}

fn set_trigger(slot: &mut Option<Spanned<Trigger>>, value: Spanned<Trigger>) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(
            value.key,
            "an alert has one condition: `above = ..`, `below = ..` or `absent`; declare \
             another `alert(..)` for another",
        ));
    }
    *slot = Some(value);
    Ok(())
}

fn put<T>(slot: &mut Option<Spanned<T>>, value: Spanned<T>, setting: &Ident) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(
            setting.span(),
            format!("duplicate `{setting}`; give it once"),
        ));
    }
    *slot = Some(value);
    Ok(())
}

fn equals(input: ParseStream<'_>, setting: &Ident, usage: &str) -> syn::Result<()> {
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(
            setting.span(),
            format!("`{setting}` needs a value: `{usage}`"),
        ));
    }
    input.parse::<Token![=]>()?;
    Ok(())
}

fn string_value(
    input: ParseStream<'_>,
    setting: &Ident,
    usage: &str,
) -> syn::Result<Spanned<String>> {
    equals(input, setting, usage)?;
    let lit: LitStr = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), format!("`{setting}` takes a string: `{usage}`")))?;
    Ok(spanned(lit.value(), lit.span(), setting.span()))
}

/// A finite number, possibly negative.
fn number(input: ParseStream<'_>, setting: &str) -> syn::Result<(f64, Span)> {
    let start = input.span();
    let negative = input.parse::<Option<Token![-]>>()?.is_some();
    let lit: syn::Lit = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            format!("`{setting}` takes a number: `{setting} = 0.95`"),
        )
    })?;
    let value: Option<f64> = match &lit {
        syn::Lit::Float(f) if f.suffix().is_empty() => f.base10_parse().ok(),
        syn::Lit::Int(i) if i.suffix().is_empty() => i.base10_parse().ok(),
        _ => None,
    };
    match value {
        Some(v) if v.is_finite() => {
            let span = start.join(lit.span()).unwrap_or_else(|| lit.span());
            Ok((if negative { -v } else { v }, span))
        }
        _ => Err(syn::Error::new(
            lit.span(),
            format!("`{setting}` takes a finite number: `{setting} = 0.95`"),
        )),
    }
}

fn comma(input: ParseStream<'_>) -> syn::Result<()> {
    if !input.is_empty() {
        input.parse::<Token![,]>()?;
    }
    Ok(())
}
