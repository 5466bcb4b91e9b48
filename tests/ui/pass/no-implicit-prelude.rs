//! The derive in a module without the prelude: the expansion names every
//! item by its full path.

#![deny(warnings)]
#![no_implicit_prelude]

mod stats {
    #[derive(::core::fmt::Debug, ::core::default::Default, ::kvstats_core::PromGauges)]
    #[prom(prefix = "spec_decode")]
    pub struct SpecDecodeStats {
        /// Number of draft tokens accepted
        pub num_accepted_tokens: ::core::option::Option<u32>,
        /// Number of draft tokens accepted at each position of the draft
        #[prom(label = "position", max = 8, scale = 1.0, clamp(0.0, 100.0))]
        pub accepted_per_position: ::std::vec::Vec<u32>,
    }

    #[derive(::core::fmt::Debug, ::core::default::Default, ::kvstats_core::PromGauges)]
    pub struct Outer {
        /// Speculative decoding
        #[prom(flatten)]
        pub spec: ::core::option::Option<SpecDecodeStats>,
    }
}

fn main() {
    let gauges = stats::OuterGauges::new();
    gauges.update_from(&<stats::Outer as ::core::default::Default>::default());
    ::std::assert_eq!(stats::spec_decode::NUM_ACCEPTED_TOKENS, "spec_decode_num_accepted_tokens");
}
