//! Constants that make the compiler check what only it can, each spanned to
//! the token the user wrote so the error points there:
//! - every scalar field's type is bound to `GaugeSource` once, in a constant
//!   the rest of the expansion reads through, so an unsupported type is one
//!   error, not one per use (a field whose attributes were rejected is not
//!   checked: what it would export is not known, see `Field::uncertain`);
//! - the metric names that nested structs bring are compared with the
//!   struct's own, as only the compiler knows them;
//! - the constants module's name resolves to this struct's module, not to one
//!   another struct's derive generated in the same scope.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned as _;

use crate::ast::Shape;
use crate::model::{Exported, Model};
use crate::naming;
use crate::respan::respan;

/// The compiler checks of `model`, which go beside the impls (they read
/// `__KVSTATS_METRICS`).
pub fn asserts(model: &Model<'_>) -> TokenStream {
    let mut out = TokenStream::new();
    // A generic struct is already an error, and its field types may name its
    // parameters, which a constant cannot see.
    if !model.generic {
        for field in &model.fields {
            if let Shape::Scalar { .. } = field.shape {
                out.extend(reader(field, model));
            }
        }
        out.extend(nested_names_unique(model));
    }
    out.extend(module_is_ours(model));
    out
}

/// The constant that reads `field` (see `kvstats_core::__private::Scalar`).
fn reader(field: &Exported<'_>, model: &Model<'_>) -> TokenStream {
    let ty = field.ty;
    let span = ty.span();
    let private = respan(model.private.clone(), span);
    let ident = &field.reader;
    let make = if field.uncertain {
        quote_spanned!(span=> unchecked)
    } else {
        quote_spanned!(span=> scalar)
    };
    quote_spanned! {span=>
        const #ident: #private::Scalar<#ty> = #private::#make::<#ty>();
    }
}

/// Own names are compared by the check stage; names that come from nested
/// structs are only known once those are compiled, so a constant compares
/// them, spanned to the first nested field.
fn nested_names_unique(model: &Model<'_>) -> Option<TokenStream> {
    let field = model
        .fields
        .iter()
        .find(|f| matches!(f.shape, Shape::Flatten { .. }))?;
    let span = field.ident.span();
    let private = respan(model.private.clone(), span);
    Some(quote_spanned! {span=>
        const _: () = if let #private::core::option::Option::Some(__kvstats_clash) =
            #private::duplicate_name(&__KVSTATS_METRICS)
        {
            #private::core::panic!("{}", __kvstats_clash.as_str())
        };
    })
}

/// Two structs whose modules get one name in one scope (the same prefix)
/// make rustc say only that the name is defined twice; the derive cannot see
/// the other struct. Every generated module holds its struct's name, and the
/// module this struct's name resolves to must hold this struct's: else the
/// constant fails with a message that names both structs, at the attribute
/// that named the module.
///
/// The name is read through a glob import that shadows a fallback holding
/// this struct's name, so a user's own item of that name (which rustc
/// reports as a clash already) adds no second error.
fn module_is_ours(model: &Model<'_>) -> Option<TokenStream> {
    let module = model.module.as_ref()?;
    let private = &model.private;
    let str = model.primitive("str");
    let found = Ident::new(naming::STRUCT_CONSTANT, Span::call_site());
    let (this, name) = (&model.stats_name, module.unraw().to_string());
    let check = quote! {
        const _: () = {
            const #found: &#str = #this;
            const _: () = {
                #[allow(unused_imports)]
                use #module::*;
                const _: () = if let #private::core::option::Option::Some(__kvstats_clash) =
                    #private::module_taken(#name, #found, #this)
                {
                    #private::core::panic!("{}", __kvstats_clash.as_str())
                };
            };
        };
    };
    Some(respan(check, module.span()))
}
