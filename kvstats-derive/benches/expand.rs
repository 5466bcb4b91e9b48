//! How long `#[derive(PromGauges)]` takes to expand a 4-field and a 200-field
//! struct: parse, check and expand, as rustc runs it, minus rustc itself.
//!
//! `cargo bench -p kvstats-derive --bench expand`.

#[allow(dead_code, unused_imports)]
#[path = "../src/stages.rs"]
mod stages;

use std::hint::black_box;

use criterion::Criterion;
use stages::*;

/// A struct like `KvStats` with `fields` fields, every second one with
/// attributes, the others documented.
fn input(fields: usize) -> syn::DeriveInput {
    let mut src = String::from("#[prom(prefix = \"bench\")]\npub struct Stats {\n");
    for i in 0..fields {
        if i % 2 == 0 {
            src.push_str(&format!(
                "    #[prom(name = \"metric_{i}\", unit = \"seconds\", help = \"Metric {i}\")]\n"
            ));
        } else {
            src.push_str(&format!("    /// Metric {i}, in blocks\n"));
        }
        src.push_str(&format!("    pub field_{i}: u64,\n"));
    }
    src.push('}');
    syn::parse_str(&src).expect("the generated input parses")
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("derive_expand");
    for fields in [4, 200] {
        let input = input(fields);
        assert!(
            !derive(&input).to_string().contains("compile_error"),
            "the benchmark input must expand cleanly"
        );
        g.bench_function(format!("{fields}_fields"), |b| {
            b.iter(|| derive(black_box(&input)))
        });
    }
    g.finish();
    c.final_summary();
}
