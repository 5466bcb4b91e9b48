use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "worker")]
pub struct KvStats {
    /// Time spent in the last forward pass
    #[prom(unit = "seconds")]
    pub forward_pass: f64,
    /// Time spent in the last forward pass, in seconds
    pub forward_pass_seconds: f64,
}

fn main() {}
