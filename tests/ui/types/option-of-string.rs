use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "worker")]
pub struct KvStats {
    /// What the worker reports
    pub model_name: Option<String>,
}

fn main() {}
