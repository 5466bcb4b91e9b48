//! Respanning generated tokens to the user's token, so that rustc reports
//! what goes wrong in them (a failed constant, a missing impl, a clash of
//! names) where the user wrote the cause.

use proc_macro2::{Group, Span, TokenStream, TokenTree};

/// `tokens` with the spans of the top-level tokens (and of the delimiters of
/// top-level groups, not of what they hold) set to `span`: an item spanned
/// this way is reported at `span` by rustc's "defined multiple times", while
/// its fields keep their own spans.
pub fn respan_item(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

/// `tokens` with every span set to `span`: the expression a constant fails in
/// is reported with the span of its first to last token, so all of them must
/// point at the user's token.
pub fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                TokenTree::Group(new)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}
