//! `#[derive(PromGauges)]`: Prometheus metrics (gauges, counters, histograms,
//! keyed series) generated from a stats struct.
//!
//! Use it through `kvstats-core`, which re-exports it and holds the runtime the
//! generated code calls. The macro runs in stages, a file or two each:
//! - parse: `ast.rs` turns the input into our own `Container`, `attr.rs`
//!   reads its `#[prom(..)]` attributes (each key declared once there;
//!   `keys.rs` says what to do with a key a place does not take; `fleet.rs`
//!   the grammar of the fleet keys), keeping every span (`spanned.rs`);
//! - check: `check.rs` applies every rule about the attributes, the naming
//!   rule included (`names.rs`, kvstats-core's own file, linked), and
//!   `fleet_check.rs` those of the fleet keys;
//! - model: `model.rs` computes, once, every name and metric entry the output
//!   has (`naming.rs` says how names are formed);
//! - expand: `expand.rs` prints the model (the container and the constants
//!   module), `impls.rs` the impls, `asserts.rs` the constants that leave to
//!   the compiler what only it can check (field types, through trait bounds;
//!   the names nested structs bring), each spanned to the user's token
//!   (`respan.rs`).
//!
//! Errors from parse and check are collected in a `ctxt::Ctxt` and reported
//! together; then `fallback.rs` prints the model anyway, so the user's code
//! that uses the generated items reports no second wave of errors. Nothing
//! here panics on user input; `tests.rs` holds a property test of that.

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
