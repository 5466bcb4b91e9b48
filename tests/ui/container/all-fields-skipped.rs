use kvstats_core::PromGauges;

#[derive(PromGauges)]
pub struct WorkerStats {
    #[prom(skip)]
    pub data_parallel_rank: Option<u32>,
    #[prom(skip)]
    pub worker_id: String,
}

fn main() {}
