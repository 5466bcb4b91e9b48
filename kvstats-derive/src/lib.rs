//! `#[derive(PromGauges)]`: Prometheus gauges generated from a stats struct.
//!
//! Use it through `kvstats-core`, which re-exports it and holds the runtime the
//! generated code calls. The macro runs in three stages: [`ast`] parses the
//! input and its attributes (keeping every span), [`check`] applies the rules
//! that need more than one attribute, [`expand`] and [`impls`] write the
//! tokens. Errors from the first two are collected in a [`ctxt::Ctxt`] and
//! reported together; then [`fallback`] emits the generated items anyway, so
//! the user's code that uses them reports no second wave of errors.
//! [`asserts`] leaves to the compiler what only it can check (names, through
//! kvstats-core's `const fn`; field types, through trait bounds), each at the
//! user's token. Nothing here panics on user input; `tests` holds a
//! property test of that.

mod asserts;
mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod fallback;
mod impls;
mod keys;
mod naming;
#[cfg(test)]
mod tests;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `kvstats_core::PromGauges`; see the `kvstats-core` docs for the attributes.
#[proc_macro_derive(PromGauges, attributes(prom))]
pub fn derive_prom_gauges(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    derive(&input).into()
}

/// The whole macro over `proc_macro2`, so tests can run it.
fn derive(input: &DeriveInput) -> proc_macro2::TokenStream {
    let cx = ctxt::Ctxt::default();
    let cont = ast::Container::from_ast(&cx, input);
    check::check(&cx, &cont);
    if !cx.has_errors() {
        return expand::expand(&cont);
    }
    let mut out = cx.into_compile_errors();
    out.extend(fallback::stubs(&cont));
    out
}
