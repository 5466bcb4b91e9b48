//! The worker processes the tests start, and what they serve.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use harness::exposition::{self, Sample};
use harness::http;
use harness::prometheus::Prometheus;
use harness::worker_process::{worker_binary, WorkerProcess};
use kvstats_core::catalog::Catalog;
use kvstats_core::dynamo::kvstats;
use simulation::published::Published;

use super::{INTERVAL_MS, STEPS, WAIT};

/// A free port of 127.0.0.1 for a worker that starts after the Prometheus
/// that scrapes it.
pub fn free_addr() -> SocketAddr {
    harness::ports::reserved_addr().expect("a free port")
}

/// One worker to start: its ranks, its seed, and whether its last rank is
/// kept hot (`--hot-rank`).
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    first_rank: u32,
    ranks: u32,
    seed: u64,
    hot: bool,
}

impl Spec {
    pub const fn new(first_rank: u32, ranks: u32, seed: u64) -> Spec {
        Spec {
            first_rank,
            ranks,
            seed,
            hot: false,
        }
    }

    /// The same worker with its last rank hot.
    pub const fn hot(self) -> Spec {
        Spec { hot: true, ..self }
    }

    /// The same worker with no rank hot.
    pub const fn cooled(self) -> Spec {
        Spec { hot: false, ..self }
    }

    pub fn last_rank(&self) -> u32 {
        self.first_rank + self.ranks - 1
    }
}

/// A worker process publishing `STEPS` times per rank.
pub struct Worker {
    pub spec: Spec,
    pub process: WorkerProcess,
    /// The last publish of each rank, once [`settle`](Self::settle) has read it.
    pub last: Vec<Published>,
}

impl Worker {
    pub fn start(addr: SocketAddr, spec: Spec) -> Worker {
        let mut args = vec![
            "--addr".to_owned(),
            addr.to_string(),
            "--first-rank".to_owned(),
            spec.first_rank.to_string(),
            "--ranks".to_owned(),
            spec.ranks.to_string(),
            "--seed".to_owned(),
            spec.seed.to_string(),
            "--steps".to_owned(),
            STEPS.to_string(),
            "--interval-ms".to_owned(),
            INTERVAL_MS.to_owned(),
            "--print-published".to_owned(),
        ];
        if spec.hot {
            args.extend(["--hot-rank".to_owned(), spec.last_rank().to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let process = WorkerProcess::spawn(worker_binary(), &args).expect("the worker starts");
        assert_eq!(process.addr(), addr);
        Worker {
            spec,
            process,
            last: Vec::new(),
        }
    }

    /// Waits until every rank has published `STEPS` times and keeps the last
    /// values, the ones the worker serves from then on.
    pub fn settle(&mut self) {
        let mut last = BTreeMap::new();
        for seen in 0..u64::from(self.spec.ranks) * STEPS {
            let published = self
                .process
                .next_published(WAIT)
                .unwrap_or_else(|| panic!("{:?}: only {seen} publishes printed", self.spec));
            last.insert(published.rank, published);
        }
        self.last = last.into_values().collect();
        assert!(self.last.iter().all(|p| p.step == STEPS), "{:?}", self.last);
    }

    pub fn addr(&self) -> SocketAddr {
        self.process.addr()
    }
}

/// Every series `workers` serve, without `job` and `instance`: the KV-cache
/// values as the workers printed them (`--print-published`), the others as
/// a scrape shows them once the values stay put.
pub async fn served(catalog: &Catalog, workers: &[Worker]) -> Vec<Sample> {
    let kv: Vec<String> = kvstats::ALL.iter().map(|m| catalog.full_name(m)).collect();
    let mut samples = Vec::new();
    for worker in workers {
        let response = http::get(worker.addr(), "/metrics")
            .await
            .expect("the worker answers");
        assert_eq!(response.status, 200);
        let scraped = exposition::parse_published(&response.body).expect("the scrape parses");
        samples.extend(scraped.into_iter().filter(|s| !kv.contains(&s.name)));
        for published in &worker.last {
            let rank = published.rank.to_string();
            for (name, value) in published.metrics() {
                let mut labels = catalog.fixed_labels().to_vec();
                labels.push(("dp_rank".to_owned(), rank.clone()));
                samples.push(Sample {
                    name: catalog.full_name(name),
                    labels,
                    value,
                });
            }
        }
    }
    samples
}

/// Stops a Prometheus and workers the way their managers would (SIGTERM).
pub fn stop(prometheus: impl IntoIterator<Item = Prometheus>, workers: Vec<Worker>) {
    for server in prometheus {
        let status = server.stop().expect("prometheus stops");
        assert!(status.success(), "prometheus exited with {status}");
    }
    for worker in workers {
        let status = worker.process.terminate(WAIT).expect("the worker stops");
        assert!(status.success(), "a worker exited with {status}");
    }
}
