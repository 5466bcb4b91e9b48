//! A parsed attribute value with the spans every later stage reports at.

use proc_macro2::Span;

/// A value, the span of the token it came from and the span of its key.
#[derive(Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
    pub key: Span,
}
