//! `#[derive(PromGauges)]`: Prometheus gauges generated from a stats struct.
//!
//! Use it through `kvstats-core`, which re-exports it and holds the runtime the
//! generated code calls. The macro runs in three stages, one file each:
//! [`ast`] parses the input and its attributes (keeping every span), [`check`]
//! applies the rules that need more than one attribute, [`expand`] writes the
//! tokens. Errors from the first two are collected in a [`ctxt::Ctxt`] and
//! reported together; then [`fallback`] emits stubs of the generated items so
//! no second wave of errors follows. Nothing here panics on user input.

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod fallback;
mod naming;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `kvstats_core::PromGauges`; see the `kvstats-core` docs for the attributes.
#[proc_macro_derive(PromGauges, attributes(prom))]
pub fn derive_prom_gauges(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    derive(&input).into()
}

fn derive(input: &DeriveInput) -> proc_macro2::TokenStream {
    let cx = ctxt::Ctxt::default();
    let cont = ast::Container::from_ast(&cx, input);
    if let Some(cont) = &cont {
        check::check(&cx, cont);
    }
    match cont {
        Some(cont) if !cx.has_errors() => expand::expand(&cont),
        cont => {
            let stubs = fallback::stubs(input, cont.as_ref());
            let mut out = cx.into_compile_errors();
            out.extend(stubs);
            out
        }
    }
}
