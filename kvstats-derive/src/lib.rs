//! `#[derive(PromGauges)]`: Prometheus gauges generated from a stats struct.
//!
//! Use it through `kvstats-core`, which re-exports it and holds the runtime the
//! generated code calls. The macro runs in three stages: `ast.rs` parses the
//! input and its attributes (keeping every span), `check.rs` applies the rules
//! that need more than one attribute, `expand.rs` and `impls.rs` write the
//! tokens. Errors from the first two are collected in a `ctxt::Ctxt` and
//! reported together; then `fallback.rs` emits the generated items anyway, so
//! the user's code that uses them reports no second wave of errors.
//! `asserts.rs` leaves to the compiler what only it can check (names, through
//! kvstats-core's `const fn`; field types, through trait bounds), each at the
//! user's token. Nothing here panics on user input; `tests` holds a
//! property test of that.

mod stages;
#[cfg(test)]
mod tests;

use stages::*;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `kvstats_core::PromGauges`; see the `kvstats-core` docs for the attributes.
#[proc_macro_derive(PromGauges, attributes(prom))]
pub fn derive_prom_gauges(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    derive(&input).into()
}
