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

/// Parses the tokens after `histogram` (nothing, or `(buckets = ..)`).
pub fn parse(rest: TokenStream) -> syn::Result<Buckets> {
    if rest.is_empty() {
        return Ok(None);
    }
    let inner = |input: ParseStream<'_>| -> syn::Result<Vec<f64>> {
        let content;
        syn::parenthesized!(content in input);
        let key: Ident = content.parse()?;
        if key != "buckets" {
            return Err(syn::Error::new(
                key.span(),
                format!(
                    "unknown `histogram` setting `{key}`; write `histogram(buckets = [..])`, \
                     `histogram(buckets = exponential(start, factor, count))` or \
                     `histogram(buckets = linear(start, width, count))`"
                ),
            ));
        }
        content.parse::<Token![=]>()?;
        let bounds = bounds(&content)?;
        if !content.is_empty() {
            return Err(content.error("one `buckets = ..` is all `histogram(..)` takes"));
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
    let content;
    syn::parenthesized!(content in input);
    let args: Vec<(f64, Span)> = content
        .parse_terminated(spanned_number, Token![,])?
        .into_iter()
        .collect();
    let &[(start, start_span), (step, step_span), (count, count_span)] = args.as_slice() else {
        return Err(syn::Error::new(
            generator.span(),
            format!("`{generator}` takes three numbers: `{generator}(start, step, count)`"),
        ));
    };
    if count.fract() != 0.0 || !(1.0..=MAX_BUCKETS as f64).contains(&count) {
        return Err(syn::Error::new(
            count_span,
            format!("the bucket count must be a whole number from 1 to {MAX_BUCKETS}"),
        ));
    }
    let count = count as usize;
    let values: Vec<f64> = match generator.to_string().as_str() {
        "exponential" => {
            if !(start > 0.0 && start.is_finite()) {
                return Err(syn::Error::new(
                    start_span,
                    "`exponential` starts at a positive number",
                ));
            }
            if !(step > 1.0 && step.is_finite()) {
                return Err(syn::Error::new(
                    step_span,
                    "`exponential` needs a factor greater than 1",
                ));
            }
            (0..count).map(|i| start * step.powi(i as i32)).collect()
        }
        "linear" => {
            if !(step > 0.0 && step.is_finite()) {
                return Err(syn::Error::new(
                    step_span,
                    "`linear` needs a positive width",
                ));
            }
            (0..count).map(|i| start + step * i as f64).collect()
        }
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
            if value <= before {
                return Err(syn::Error::new(
                    span,
                    format!(
                        "bucket bounds must be in ascending order, each once: {value:?} comes \
                         after {before:?}"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A number, possibly negative, with its span.
fn spanned_number(input: ParseStream<'_>) -> syn::Result<(f64, Span)> {
    let negative = input.parse::<Option<Token![-]>>()?;
    let lit: Lit = input.parse()?;
    let value: Option<f64> = match &lit {
        Lit::Float(f) if f.suffix().is_empty() || f.suffix() == "f64" => f.base10_parse().ok(),
        Lit::Int(i) if i.suffix().is_empty() => i.base10_parse().ok(),
        _ => None,
    };
    let span = match &negative {
        Some(minus) => minus.span().join(lit.span()).unwrap_or(lit.span()),
        None => lit.span(),
    };
    let value = value.ok_or_else(|| syn::Error::new(lit.span(), "expected a number"))?;
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
        assert!(err(quote!((buckets = [0.5, 0.5]))).contains("ascending order"));
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
