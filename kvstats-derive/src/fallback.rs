//! What is emitted when the input has errors: the errors, plus stubs of the
//! generated items, so code that uses them reports nothing but the real error.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::Container;
use crate::expand::{self, Names, Part};

pub fn stubs(input: &DeriveInput, cont: Option<&Container<'_>>) -> TokenStream {
    let Some(cont) = cont else {
        // Not a struct with named fields: nothing sensible to stand in for.
        return TokenStream::new();
    };
    let names = Names::new(cont);
    let Names {
        krate,
        stats,
        gauges,
        module,
        ..
    } = &names;
    let vis = &input.vis;
    let parts = expand::parts(cont, &names);
    let fields = cont.exported().map(|f| {
        let ident = f.ident;
        quote!(pub #ident: #krate::Gauge,)
    });
    let constants = parts.iter().filter_map(|p| match p {
        Part::Own(m) => {
            let (constant, name) = (&m.constant, &m.name);
            Some(quote!(pub const #constant: &str = #name;))
        }
        Part::Nested { .. } => None,
    });
    let generic = cont.generics.is_some();
    let trait_impls = (!generic).then(|| {
        quote! {
            const _: () = {
                impl #krate::PromGauges for #stats {
                    type Gauges = #gauges;
                    const METRICS: &'static [#krate::MetricDef] = &[];
                }
                impl #krate::GaugeGroup for #gauges {
                    type Stats = #stats;
                    fn update_from(&self, _: &#stats) {}
                    fn clear(&self) {}
                    fn __reading(&self, _: usize) -> #krate::__private::Reading<'_> {
                        #krate::__private::Reading::Absent
                    }
                }
            };
        }
    });
    quote! {
        #[allow(dead_code, missing_docs)]
        #[derive(::core::default::Default, ::core::fmt::Debug)]
        #vis struct #gauges { #(#fields)* }

        #[allow(dead_code, missing_docs)]
        impl #gauges {
            pub fn register(
                _: &impl #krate::MetricsRegistry,
            ) -> ::core::result::Result<#krate::Registered<Self>, #krate::Error> {
                ::core::unimplemented!()
            }
            pub fn register_with_labels(
                _: &impl #krate::MetricsRegistry,
                _: &[(&str, &str)],
            ) -> ::core::result::Result<#krate::Registered<Self>, #krate::Error> {
                ::core::unimplemented!()
            }
            pub fn update_from(&self, _: &#stats) {}
            pub fn clear(&self) {}
        }

        #[allow(dead_code, missing_docs)]
        #vis mod #module {
            pub const PREFIX: &str = "";
            #(#constants)*
            pub const ALL: &[&str] = &[];
        }

        #trait_impls
    }
}
