//! The compile-time diagnostics of `#[derive(PromGauges)]`, and inputs that
//! must compile without a warning.
//!
//! Each `tests/ui/<topic>/<failure>.rs` fails in one way, and its `.stderr` is
//! exactly what the user sees. The `.stderr` files were made with
//! `rustc 1.95.0 (59807616e 2026-04-14)`; rustc changes its wording between
//! releases, so with another toolchain regenerate them with
//! `TRYBUILD=overwrite cargo test --test ui` and read every diff.
//! Run one case with `cargo test --test ui -- ui trybuild=<file>.rs`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    // Keys and values of `#[prom(..)]` on the struct, and inputs that are not
    // a struct with named fields.
    t.compile_fail("tests/ui/container/*.rs");
    // Keys and values on a field, help text, final-name collisions.
    t.compile_fail("tests/ui/field/*.rs");
    // The naming rule, in every attribute that names something.
    t.compile_fail("tests/ui/names/*.rs");
    // Field types that cannot be exported.
    t.compile_fail("tests/ui/types/*.rs");
    // Misuse of `flatten`, `label`/`max`, `scale` and `clamp`.
    t.compile_fail("tests/ui/nested/*.rs");
    // Metric kinds: `counter`, `delta`, `histogram` and its buckets, keyed
    // series, and field types none of them can read.
    t.compile_fail("tests/ui/kinds/*.rs");
    // The fleet keys: `aggregate`, `ratio_of` and `alert`, on fields and on
    // the struct.
    t.compile_fail("tests/ui/fleet/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
