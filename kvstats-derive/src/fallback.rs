//! What follows the errors when the input has any: the same container, module
//! and compiler checks as a good input gets, so that the user's code that uses
//! them reports nothing but the real errors (and the type errors the compiler
//! finds in the same input come in the same build).
//!
//! The model stays valid for every input `ast` accepts (colliding constants
//! are left out of the module, an unusable module is left out, an unusable
//! container name falls back to `{Struct}Gauges`); only a generic struct,
//! whose parameters the impls cannot name, gets a stub of the impls instead.

use proc_macro2::TokenStream;
use quote::quote;

use crate::expand;
use crate::impls;
use crate::model::Model;

pub fn stubs(model: &Model<'_>) -> TokenStream {
    let impls = if model.generic {
        generic_stub(model)
    } else {
        impls::impls(model)
    };
    expand::assemble(model, impls)
}

/// The inherent API of the container for a generic struct, and a
/// `GaugeGroup` impl (which `Registered<Self>` needs) whose `Stats` is a
/// stand-in: it cannot name the struct without its parameters.
fn generic_stub(model: &Model<'_>) -> TokenStream {
    let (krate, private) = (&model.krate, &model.private);
    let (stats, gauges) = (model.stats, &model.gauges);
    let str = model.primitive("str");
    let usize = model.primitive("usize");
    let (generics, ty_generics, where_clause) = model.generics.split_for_impl();
    let result = quote! {
        #private::core::result::Result<#krate::Registered<Self>, #krate::Error>
    };
    quote! {
        #[allow(dead_code, missing_docs, unused_variables)]
        impl #gauges {
            pub fn new() -> Self {
                #private::core::unimplemented!()
            }
            pub fn register(registry: &impl #krate::MetricsRegistry) -> #result {
                #private::core::unimplemented!()
            }
            pub fn register_with_labels(
                registry: &impl #krate::MetricsRegistry,
                labels: &[(&#str, &#str)],
            ) -> #result {
                #private::core::unimplemented!()
            }
            pub fn update_from #generics (&self, stats: &#stats #ty_generics) #where_clause {}
            pub fn clear(&self) {}
        }

        impl #private::core::default::Default for #gauges {
            fn default() -> Self {
                Self::new()
            }
        }

        pub struct __KvstatsGenericStats;

        impl #krate::PromGauges for __KvstatsGenericStats {
            type Gauges = #gauges;
            const METRICS: &'static [#krate::MetricDef] = &[];
        }

        impl #krate::GaugeGroup for #gauges {
            type Stats = __KvstatsGenericStats;
            fn update_from(&self, _: &__KvstatsGenericStats) {}
            fn clear(&self) {}
            fn __reading(&self, _: #usize) -> #private::Reading<'_> {
                #private::Reading::Absent
            }
        }
    }
}
