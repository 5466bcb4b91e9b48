//! The buckets of `#[prom(histogram(..))]`: their grammar, the generators
//! (`exponential`, `linear`), the default for seconds, and the rules a list
//! of bounds must follow, each error at the token that breaks it.
//!
//! ```text
//! histogram                                   default buckets (unit seconds only)
//! histogram(buckets = [0.005, 0.01, 0.1])     these upper bounds (+Inf is implied)
//! histogram(buckets = exponential(0.005, 2, 12))   start, factor, count
//! histogram(buckets = linear(1, 1, 10))            start, width, count
//! ```

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned as _;
use syn::{Ident, Lit, Token};

/// The most buckets a histogram may have: each is a cell of every container,
/// and a scrape writes a line per bucket per instance.
pub const MAX_BUCKETS: usize = 128;

/// The bounds of `histogram` given without buckets, for a histogram of
/// seconds: Prometheus' usual defaults, 5 ms to 10 s.
pub const DEFAULT_SECONDS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// What `histogram(..)` says about its buckets: the bounds, or `None` for
/// the default.
pub type Buckets = Option<Vec<f64>>;

/// The ways to give buckets, for messages.
pub const FORMS: &str = "`histogram(buckets = [0.1, 0.5, 1])`, \
                         `histogram(buckets = exponential(start, factor, count))` or \
                         `histogram(buckets = linear(start, width, count))`";

/// Parses the tokens after `histogram` (nothing, or `(buckets = ..)`).
pub fn parse(rest: TokenStream) -> syn::Result<Buckets> {
    if rest.is_empty() {
        return Ok(None);
    }
    let inner = |input: ParseStream<'_>| -> syn::Result<Vec<f64>> {
        if !input.peek(syn::token::Paren) {
            return Err(input.error(format!(
                "`histogram` takes its buckets in parentheses: {FORMS}"
            )));
        }
        let content;
        let parens = syn::parenthesized!(content in input);
        if content.is_empty() {
            return Err(syn::Error::new(
                parens.span.join(),
                format!(
                    "`histogram()` gives no buckets: write `histogram` alone for the default \
                     buckets of seconds, or {FORMS}"
                ),
            ));
        }
        let key = match content.parse::<Ident>() {
            Ok(key) if key == "buckets" => key,
            Ok(key) => {
                return Err(syn::Error::new(
                    key.span(),
                    format!("unknown `histogram` setting `{key}`; write {FORMS}"),
                ))
            }
            Err(_) => {
                let rest: TokenStream = content.parse()?;
                return Err(syn::Error::new_spanned(
                    rest,
                    format!("`histogram(..)` takes `buckets = ..`: write {FORMS}"),
                ));
            }
        };
        if !content.peek(Token![=]) {
            return Err(syn::Error::new(
                key.span(),
                format!("`buckets` needs a value: write {FORMS}"),
            ));
        }
        content.parse::<Token![=]>()?;
        let bounds = bounds(&content)?;
        if !content.is_empty() {
            content.parse::<Option<Token![,]>>()?;
            let message = if content.peek(Ident) && content.fork().parse::<Ident>()? == "buckets" {
                "duplicate `buckets`; give the buckets once"
            } else {
                "`histogram(..)` takes one setting, `buckets = ..`; nothing follows it"
            };
            if !content.is_empty() {
                return Err(content.error(message));
            }
        }
        Ok(bounds)
    };
    inner.parse2(rest).map(Some)
}

/// `[a, b, ..]`, `exponential(..)` or `linear(..)`, checked.
fn bounds(input: ParseStream<'_>) -> syn::Result<Vec<f64>> {
    if input.peek(syn::token::Bracket) {
        let content;
        let bracket = syn::bracketed!(content in input);
        let numbers = content.parse_terminated(spanned_number, Token![,])?;
        let values: Vec<(f64, Span)> = numbers.into_iter().collect();
        check(&values, bracket.span.join())?;
        return Ok(values.into_iter().map(|(v, _)| v).collect());
    }
    let generator: Ident = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "`buckets` takes a list of upper bounds (`[0.1, 0.5, 1]`), \
             `exponential(start, factor, count)` or `linear(start, width, count)`",
        )
    })?;
    let (usage, parameters) = match generator.to_string().as_str() {
        "exponential" => (
            "exponential(start, factor, count)",
            "start, factor or count",
        ),
        "linear" => ("linear(start, width, count)", "start, width or count"),
        other => {
            return Err(syn::Error::new(
                generator.span(),
                format!(
                    "unknown bucket generator `{other}`; use `exponential(start, factor, \
                     count)` or `linear(start, width, count)`, or list the bounds"
                ),
            ))
        }
    };
    let takes_three = || {
        syn::Error::new(
            generator.span(),
            format!("`{generator}` takes three numbers: `{usage}`"),
        )
    };
    if !input.peek(syn::token::Paren) {
        return Err(takes_three());
    }
    let content;
    syn::parenthesized!(content in input);
    let args: Vec<(f64, Span)> = content
        .parse_terminated(spanned_number, Token![,])?
        .into_iter()
        .collect();
    let &[(start, start_span), (step, step_span), (count, count_span)] = args.as_slice() else {
        return Err(takes_three());
    };
    if count.fract() != 0.0 || !(1.0..=MAX_BUCKETS as f64).contains(&count) {
        return Err(syn::Error::new(
            count_span,
            format!("the bucket count must be a whole number from 1 to {MAX_BUCKETS}"),
        ));
    }
    let count = count as usize;
    // What each generator requires of its start and step, in that order.
    let exponential = generator == "exponential";
    let rules = if exponential {
        [
            (
                start > 0.0 && start.is_finite(),
                start_span,
                "`exponential` starts at a positive number",
            ),
            (
                step > 1.0 && step.is_finite(),
                step_span,
                "`exponential` needs a factor greater than 1",
            ),
        ]
    } else {
        [
            (
                start.is_finite(),
                start_span,
                "`linear` starts at a finite number",
            ),
            (
                step > 0.0 && step.is_finite(),
                step_span,
                "`linear` needs a positive width",
            ),
        ]
    };
    if let Some(&(_, span, message)) = rules.iter().find(|(ok, ..)| !ok) {
        return Err(syn::Error::new(span, message));
    }
    let values: Vec<f64> = (0..count)
        .map(|i| match exponential {
            true => start * step.powi(i as i32),
            false => start + step * i as f64,
        })
        .collect();
    if values.iter().any(|v| !v.is_finite()) {
        return Err(syn::Error::new(
            generator.span(),
            format!(
                "`{usage}` makes bounds too large to be finite numbers; use a smaller \
                 {parameters}"
            ),
        ));
    }
    let spanned: Vec<(f64, Span)> = values.iter().map(|&v| (v, generator.span())).collect();
    check(&spanned, generator.span())?;
    Ok(values)
}

/// Bounds must be finite, strictly ascending, at least one and at most
/// `MAX_BUCKETS`; `+Inf` is implied.
fn check(values: &[(f64, Span)], whole: Span) -> syn::Result<()> {
    if values.is_empty() {
        return Err(syn::Error::new(
            whole,
            "a histogram needs at least one bucket bound (`+Inf` is implied)",
        ));
    }
    if values.len() > MAX_BUCKETS {
        return Err(syn::Error::new(
            whole,
            format!(
                "{} buckets are too many; a histogram takes at most {MAX_BUCKETS}",
                values.len()
            ),
        ));
    }
    for (i, &(value, span)) in values.iter().enumerate() {
        if !value.is_finite() {
            return Err(syn::Error::new(
                span,
                "bucket bounds are finite numbers; `+Inf` is implied, do not list it",
            ));
        }
        if let Some(&(before, _)) = i.checked_sub(1).and_then(|p| values.get(p)) {
            let message = if value == before {
                format!("bucket bound {value:?} is listed twice; list each bound once")
            } else if value < before {
                format!(
                    "bucket bounds must be in ascending order: {value:?} comes after {before:?}"
                )
            } else {
                continue;
            };
            return Err(syn::Error::new(span, message));
        }
    }
    Ok(())
}

/// A number, possibly negative, with its span.
fn spanned_number(input: ParseStream<'_>) -> syn::Result<(f64, Span)> {
    let negative = input.parse::<Option<Token![-]>>()?;
    let token: proc_macro2::TokenTree = input.parse()?;
    let value: Option<f64> = match syn::parse2::<Lit>(token.clone().into()) {
        Ok(Lit::Float(f)) if f.suffix().is_empty() || f.suffix() == "f64" => f.base10_parse().ok(),
        Ok(Lit::Int(i)) if i.suffix().is_empty() => i.base10_parse().ok(),
        _ => None,
    };
    let span = match &negative {
        Some(minus) => minus.span().join(token.span()).unwrap_or(token.span()),
        None => token.span(),
    };
    let value = value.ok_or_else(|| {
        syn::Error::new(
            token.span(),
            format!("expected a number, such as `0.25` or `1`, found `{token}`"),
        )
    })?;
    Ok((if negative.is_some() { -value } else { value }, span))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parsed(tokens: TokenStream) -> Result<Buckets, String> {
        parse(tokens).map_err(|e| e.to_string())
    }

    #[test]
    fn lists_and_generators_give_bounds() {
        assert_eq!(parsed(quote!()), Ok(None));
        assert_eq!(
            parsed(quote!((buckets = [0.1, 0.5, 1]))),
            Ok(Some(vec![0.1, 0.5, 1.0]))
        );
        assert_eq!(
            parsed(quote!((buckets = exponential(1, 2, 4)))),
            Ok(Some(vec![1.0, 2.0, 4.0, 8.0]))
        );
        assert_eq!(
            parsed(quote!((buckets = linear(-1, 0.5, 3)))),
            Ok(Some(vec![-1.0, -0.5, 0.0]))
        );
    }

    #[test]
    fn bad_buckets_say_what_is_wrong() {
        let err = |tokens| parsed(tokens).unwrap_err();
        assert!(err(quote!((buckets = [0.5, 0.1]))).contains("ascending order"));
        assert!(err(quote!((buckets = [0.5, 0.5]))).contains("listed twice"));
        assert!(err(quote!((buckets = [0.5, x]))).contains("found `x`"));
        assert!(err(quote!(())).contains("gives no buckets"));
        assert!(err(quote!((buckets))).contains("needs a value"));
        assert!(err(quote!(([1]))).contains("takes `buckets = ..`"));
        assert!(err(quote!((buckets = [1], buckets = [2]))).contains("duplicate `buckets`"));
        assert!(err(quote!((buckets = linear))).contains("takes three numbers"));
        assert!(err(quote!((buckets = quadratic(1, 2)))).contains("unknown bucket generator"));
        assert!(err(quote!((buckets = []))).contains("at least one bucket"));
        assert!(err(quote!((buckets = exponential(0, 2, 3)))).contains("positive number"));
        assert!(err(quote!((buckets = exponential(1, 1, 3)))).contains("greater than 1"));
        assert!(err(quote!((buckets = linear(1, 0, 3)))).contains("positive width"));
        assert!(err(quote!((buckets = linear(1, 1, 0)))).contains("whole number from 1"));
        assert!(err(quote!((buckets = linear(1, 1, 2.5)))).contains("whole number from 1"));
        assert!(err(quote!((buckets = quadratic(1, 1, 2)))).contains("unknown bucket generator"));
        assert!(err(quote!((bounds = [1]))).contains("unknown `histogram` setting"));
        assert!(err(quote!((buckets = exponential(1e300, 1e10, 5)))).contains("finite"));
    }
}
