//! Constants that make the compiler check what only it can, each spanned to
//! the token the user wrote so the error points there: every scalar field's
//! type is bound to `GaugeSource` once, in a constant the rest of the
//! expansion reads through, so an unsupported type is one error, not one per
//! use.
//!
//! A field whose attributes were rejected is not checked: what it would
//! export is not known (see `Field::uncertain`).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote_spanned};
use syn::spanned::Spanned as _;

use crate::ast::{Container, Field, Shape};
use crate::expand::Names;
use crate::respan::respan;

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
