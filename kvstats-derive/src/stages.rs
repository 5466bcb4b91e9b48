//! The stages of the macro over `proc_macro2`, as one module tree that both
//! the proc-macro crate and the expansion benchmark (`benches/expand.rs`)
//! compile, since a proc-macro crate cannot export plain functions.

#[path = "asserts.rs"]
pub mod asserts;
#[path = "ast.rs"]
pub mod ast;
#[path = "attr.rs"]
pub mod attr;
#[path = "buckets.rs"]
pub mod buckets;
#[path = "check.rs"]
pub mod check;
#[path = "ctxt.rs"]
pub mod ctxt;
#[path = "expand.rs"]
pub mod expand;
#[path = "fallback.rs"]
pub mod fallback;
#[path = "fleet.rs"]
pub mod fleet;
#[path = "fleet_check.rs"]
pub mod fleet_check;
#[path = "impls.rs"]
pub mod impls;
#[path = "keys.rs"]
pub mod keys;
#[path = "model.rs"]
pub mod model;
#[path = "naming.rs"]
pub mod naming;
#[path = "respan.rs"]
pub mod respan;
#[path = "spanned.rs"]
pub mod spanned;
// The naming rule, shared with kvstats-core (which uses all of it; the macro
// needs only `check_name`).
#[allow(dead_code)]
#[path = "names.rs"]
pub mod names;

use syn::DeriveInput;

/// The whole macro over `proc_macro2`, so tests and benchmarks can run it.
pub fn derive(input: &DeriveInput) -> proc_macro2::TokenStream {
    let cx = ctxt::Ctxt::default();
    let cont = ast::Container::from_ast(&cx, input);
    check::check(&cx, &cont);
    let model = model::Model::new(&cont);
    if !cx.has_errors() {
        return expand::expand(&model);
    }
    let mut out = cx.into_compile_errors();
    out.extend(fallback::stubs(&model));
    out
}
