//! Constants that make the compiler check what only it can, each spanned to
//! the token the user wrote so the error points there: every scalar field's
//! type is bound to `GaugeSource` once, in a constant the rest of the
//! expansion reads through, so an unsupported type is one error, not one per
//! use.
//!
//! A field whose attributes were rejected is not checked: what it would
//! export is not known (see `Field::uncertain`).

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote_spanned};
use syn::spanned::Spanned as _;

use crate::ast::{Container, Field, Shape};
use crate::expand::Names;

/// The name checks and field readers of `cont`.
pub fn asserts(cont: &Container<'_>, names: &Names<'_>) -> TokenStream {
    let mut out = TokenStream::new();
    // A generic struct is already an error, and its field types may name its
    // parameters, which a constant cannot see.
    if !cont.is_generic() {
        for field in cont.exported() {
            if let Shape::Scalar = field.shape() {
                out.extend(reader(field, names));
            }
        }
    }
    out
}

/// The constant that reads `field` (see `kvstats_core::__private::Scalar`).
pub fn reader_ident(field: &Field<'_>) -> Ident {
    format_ident!("__KVSTATS_READ_{}", field.index)
}

fn reader(field: &Field<'_>, names: &Names<'_>) -> TokenStream {
    let ty = field.ty;
    let span = ty.span();
    let private = respan(names.private(), span);
    let ident = reader_ident(field);
    let make = if field.uncertain() {
        quote_spanned!(span=> unchecked)
    } else {
        quote_spanned!(span=> scalar)
    };
    quote_spanned! {span=>
        const #ident: #private::Scalar<#ty> = #private::#make::<#ty>();
    }
}

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
