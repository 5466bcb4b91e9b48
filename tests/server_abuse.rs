//! Hostile clients against the `worker` example's /metrics server, all at
//! once: malformed request lines, binary garbage, 1 MiB heads, 200
//! never-finished requests (slowloris), HTTP/1.0 with and without
//! keep-alive, HEAD, requests with bodies. Meanwhile a normal scrape is
//! answered within 1 s every time and the worker keeps publishing; after
//! it, the worker's resident memory is within 20 MiB of before and its
//! connections are back to none. A second test holds the number of open
//! connections to `max_connections` while 200 clients try to take more.
//!
//! The 1 s is a bound on one request, checked with a timeout, not a
//! measure of speed; every other wait is bounded too. `KVSTATS_LONG_TESTS=1`
//! repeats the abuse (a leak grows with each round) and uses more clients.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use harness::exposition::{self, Sample};
use harness::http::{self, parse_replies, raw_exchange, raw_head};
use harness::long_tests;
use harness::processes;
use harness::worker_process::{worker_binary, WorkerProcess};
use kvstats_core::{MetricsServer, Registry, CONTENT_TYPE};
use rand::rngs::ChaCha8Rng;
use rand::{Rng as _, SeedableRng};
use simulation::published::Published;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Barrier;

/// The longest a normal scrape may take while the server is under attack.
const SCRAPE_BOUND: Duration = Duration::from_secs(1);
/// The most the worker's resident memory may grow over the abuse.
const RSS_SLACK_KIB: u64 = 20 * 1024;
/// The server's default `max_connections` (see `kvstats_core::server`),
/// which the worker runs with.
const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// Long enough for the server's timeouts (5 s header, 10 s idle) several times over.
const WAIT: Duration = Duration::from_secs(60);
const SLOWLORIS: usize = 200;

fn rounds() -> usize {
    long_tests::pick(1, 5)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_serves_scrapes_and_keeps_publishing_under_hostile_clients() {
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--ranks",
        "2",
        "--interval-ms",
        "20",
        "--print-published",
    ];
    let worker = WorkerProcess::spawn(worker_binary(), &args).expect("the worker starts");
    let (addr, pid) = (worker.addr(), worker.pid());
    let idle_sockets = processes::open_sockets(pid).unwrap();
    for _ in 0..10 {
        assert_eq!(http::get(addr, "/metrics").await.unwrap().status, 200);
    }
    wait_for_sockets(pid, idle_sockets).await;
    let rss_before = processes::resident_kib(pid).unwrap();
    let mut published = worker.published_so_far();

    let mut scraped = Vec::new();
    let mut peak_sockets = 0;
    for round in 1..=rounds() {
        let sampler = SocketSampler::start(pid);
        let prober = Prober::start(addr);
        let abuse = [
            tokio::spawn(malformed_request_lines(addr)),
            tokio::spawn(binary_garbage(addr)),
            tokio::spawn(oversized_heads(addr)),
            tokio::spawn(slowloris(addr, SLOWLORIS)),
            tokio::spawn(http_1_0(addr)),
            tokio::spawn(http_1_0_keep_alive(addr)),
            tokio::spawn(head(addr)),
            tokio::spawn(bodies(addr)),
        ];
        for task in abuse {
            task.await.unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
        // Lines printed while the abuse went on: the publisher did not stall.
        let step_before_round = last_step(&published);
        published.extend(worker.published_so_far());
        assert!(
            last_step(&published) > step_before_round,
            "round {round}: no publish during the abuse"
        );
        scraped.extend(prober.stop().await);
        peak_sockets = peak_sockets.max(sampler.stop().await);
    }
    // Every slowloris connection was open at once, and never more than the limit.
    let peak_connections = peak_sockets - idle_sockets;
    assert!(
        (SLOWLORIS..=DEFAULT_MAX_CONNECTIONS).contains(&peak_connections),
        "{peak_connections} connections at the peak"
    );

    // Every value a probe saw was published. Two more publishes per rank
    // are printed after any the probes can have seen.
    for _ in 0..4 {
        published.extend(worker.next_published(WAIT));
    }
    published.extend(worker.published_so_far());
    assert_all_published(&scraped, &published);

    wait_for_sockets(pid, idle_sockets).await;
    let rss_after = processes::resident_kib(pid).unwrap();
    eprintln!(
        "worker VmRSS {rss_before} KiB before, {rss_after} KiB after {} round(s); \
         {} probes; {peak_connections} connections at the peak",
        rounds(),
        scraped.len()
    );
    assert!(
        rss_after <= rss_before + RSS_SLACK_KIB,
        "VmRSS grew from {rss_before} KiB to {rss_after} KiB"
    );
    let status = worker.terminate(WAIT).unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_connections_never_exceed_max_connections() {
    const LIMIT: usize = 32;
    let clients = long_tests::pick(200, 1000);
    let server = MetricsServer::new()
        .addr(SocketAddr::from(([127, 0, 0, 1], 0)))
        .max_connections(LIMIT)
        .header_read_timeout(Duration::from_millis(300))
        .idle_timeout(Duration::from_secs(1))
        .start(Registry::new())
        .await
        .unwrap();
    let server = Arc::new(server);
    let addr = server.local_addr();
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (server, done) = (Arc::clone(&server), Arc::clone(&done));
        tokio::spawn(async move {
            let mut peak = 0;
            while !done.load(Ordering::Relaxed) {
                peak = peak.max(server.open_connections());
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            peak
        })
    };
    // Each client connects, starts a request and never finishes it: the
    // server holds it until the header timeout, and the clients past the
    // limit wait in the accept queue for a free slot.
    let barrier = Arc::new(Barrier::new(clients));
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                let mut stream = connect_together(addr, &barrier).await;
                stream
                    .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
                    .await
                    .expect("the kernel takes a partial request");
                read_until_closed(stream).await
            })
        })
        .collect();
    for task in tasks {
        let reply = task
            .await
            .unwrap()
            .expect("the server closes the connection");
        assert_eq!(reply, "", "a never-finished request gets no answer");
    }
    done.store(true, Ordering::Relaxed);
    let peak = sampler.await.unwrap();
    // The clients filled every slot, and none past it.
    assert_eq!(peak, LIMIT);
    harness::poll::until("every connection closed", WAIT, || {
        let open = server.open_connections();
        async move {
            if open == 0 {
                Ok(())
            } else {
                Err(format!("{open} open"))
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(http::get(addr, "/metrics").await.unwrap().status, 200);
}

/// Scrapes every 100 ms, each bounded by `SCRAPE_BOUND`, until stopped.
struct Prober {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Vec<Vec<Sample>>>,
}

impl Prober {
    fn start(addr: SocketAddr) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn({
            let stop = Arc::clone(&stop);
            async move {
                let mut scrapes = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let response = tokio::time::timeout(SCRAPE_BOUND, http::get(addr, "/metrics"))
                        .await
                        .unwrap_or_else(|_| {
                            panic!(
                                "a scrape took over {SCRAPE_BOUND:?} after {} answered",
                                scrapes.len()
                            )
                        })
                        .expect("a scrape during the abuse");
                    assert_eq!(response.status, 200, "{}", response.body);
                    scrapes.push(exposition::parse(&response.body).expect("the scrape parses"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                scrapes
            }
        });
        Prober { stop, task }
    }

    async fn stop(self) -> Vec<Vec<Sample>> {
        self.stop.store(true, Ordering::Relaxed);
        let scrapes = self.task.await.expect("every probe answered in time");
        assert!(!scrapes.is_empty());
        scrapes
    }
}

/// Samples how many sockets the worker has open, every 20 ms, until stopped.
struct SocketSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl SocketSampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn({
            let (stop, peak) = (Arc::clone(&stop), Arc::clone(&peak));
            async move {
                while !stop.load(Ordering::Relaxed) {
                    let sockets = processes::open_sockets(pid).expect("the worker is alive");
                    peak.fetch_max(sockets, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        });
        SocketSampler { stop, peak, task }
    }

    async fn stop(self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap();
        self.peak.load(Ordering::Relaxed)
    }
}

/// Waits until the worker has `sockets` open again: every connection closed.
async fn wait_for_sockets(pid: u32, sockets: usize) {
    harness::poll::until("the worker's connections closed", WAIT, || async move {
        let open = processes::open_sockets(pid).map_err(|e| e.to_string())?;
        if open == sockets {
            Ok(())
        } else {
            Err(format!("{open} sockets, {sockets} when idle"))
        }
    })
    .await
    .unwrap();
}

/// The highest step among `published`; 0 before the first.
fn last_step(published: &[Published]) -> u64 {
    published.iter().map(|p| p.step).max().unwrap_or(0)
}

/// Every KV-cache value a probe saw is one the worker printed for that rank
/// and metric. (Per field: a scrape between two stores of one publish may
/// mix fields of two publishes, each of them published.)
fn assert_all_published(scrapes: &[Vec<Sample>], published: &[Published]) {
    let mut allowed: HashMap<(String, String), HashSet<u64>> = HashMap::new();
    for line in published {
        for (name, value) in line.metrics() {
            let key = (format!("dynamo_component_{name}"), line.rank.to_string());
            allowed.entry(key).or_default().insert(value.to_bits());
        }
    }
    let mut checked = 0;
    for sample in scrapes.iter().flatten() {
        let key = (
            sample.name.clone(),
            sample.label("dp_rank").unwrap_or_default().to_owned(),
        );
        if let Some(values) = allowed.get(&key) {
            assert!(
                values.contains(&sample.value.to_bits()),
                "{key:?} = {} was never published",
                sample.value
            );
            checked += 1;
        }
    }
    // Four KV-cache metrics for each of two ranks in every scrape.
    assert_eq!(checked, scrapes.len() * 8);
}

/// Connects, then waits until every client of `barrier` has tried too. A
/// failed connect still reaches the barrier, so the others do not wait for
/// it forever, and fails its task after.
async fn connect_together(addr: SocketAddr, barrier: &Barrier) -> TcpStream {
    let stream = tokio::time::timeout(WAIT, TcpStream::connect(addr)).await;
    barrier.wait().await;
    match stream {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => panic!("connect: {e}"),
        Err(_) => panic!("connect: no answer in {WAIT:?}"),
    }
}

/// Reads until the server closes the connection (at most `WAIT`); what it
/// sent, as text. A reset is a close too: the server closed with bytes of
/// ours unread.
async fn read_until_closed(mut stream: impl AsyncRead + Unpin) -> std::io::Result<String> {
    let mut reply = Vec::new();
    let read = tokio::time::timeout(WAIT, stream.read_to_end(&mut reply)).await;
    match read {
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "still open",
        )),
        Ok(Err(e)) if e.kind() != std::io::ErrorKind::ConnectionReset => Err(e),
        Ok(_) => Ok(String::from_utf8_lossy(&reply).into_owned()),
    }
}

const BAD_REQUEST: &str = "HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n";

/// A reply without its `date` header, which changes every second.
fn without_date(reply: &str) -> String {
    reply
        .split_inclusive("\r\n")
        .filter(|line| !line.starts_with("date: "))
        .collect()
}

async fn malformed_request_lines(addr: SocketAddr) {
    let requests: [&[u8]; 10] = [
        b"GET\r\n\r\n",
        b"GET /metrics\r\n\r\n",
        b"GET /metrics HTTP/9.9\r\n\r\n",
        b"GET /metrics HTTP/2.0\r\n\r\n",
        b" / HTTP/1.1\r\n\r\n",
        b"GET /metrics HTTP/1.1 extra\r\n\r\n",
        b"GET  /metrics HTTP/1.1\r\n\r\n",
        b"GET /met rics HTTP/1.1\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nHost x\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    ];
    for request in requests {
        let reply = raw_exchange(addr, request).await.unwrap();
        assert_eq!(
            without_date(&reply),
            format!("{BAD_REQUEST}\r\n"),
            "{request:?}"
        );
    }
}

/// Random bytes, the same on every run (seeded): none is an HTTP request.
async fn binary_garbage(addr: SocketAddr) {
    for seed in 0..16 {
        let mut bytes = vec![0u8; 4096];
        ChaCha8Rng::seed_from_u64(seed).fill_bytes(&mut bytes);
        let reply = raw_exchange(addr, &bytes).await.unwrap();
        assert_eq!(
            without_date(&reply),
            format!("{BAD_REQUEST}\r\n"),
            "seed {seed}"
        );
    }
}

/// Request heads past the server's limits: a 1 MiB header, a 1 MiB
/// request line, 200 headers (hyper takes 100). Each gets 431 and a close.
async fn oversized_heads(addr: SocketAddr) {
    const MIB: usize = 1 << 20;
    let mut huge_header = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Huge: ".to_vec();
    huge_header.resize(huge_header.len() + MIB, b'h');
    huge_header.extend_from_slice(b"\r\n\r\n");
    let mut huge_line = b"GET /".to_vec();
    huge_line.resize(huge_line.len() + MIB, b'm');
    huge_line.extend_from_slice(b" HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut many_headers = b"GET /metrics HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..200 {
        many_headers.extend_from_slice(format!("X-{i}: y\r\n").as_bytes());
    }
    many_headers.extend_from_slice(b"\r\n");
    for request in [huge_header, huge_line, many_headers] {
        let reply = raw_exchange(addr, &request).await.unwrap();
        assert_eq!(
            without_date(&reply),
            "HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
            "{:?}...",
            String::from_utf8_lossy(&request[..40])
        );
    }
}

/// `count` connections at once, each sending a request head a line at a
/// time and never its end: the header timeout closes each, with no answer.
async fn slowloris(addr: SocketAddr, count: usize) {
    let barrier = Arc::new(Barrier::new(count));
    let tasks: Vec<_> = (0..count)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                // All open before any sends, so they are all held at once.
                let stream = connect_together(addr, &barrier).await;
                let (reader, mut writer) = stream.into_split();
                // Writes fail once the server has closed; the task ends there.
                let trickle = tokio::spawn(async move {
                    let mut line: &[u8] = b"GET /metrics HTTP/1.1\r\nHost: x\r\n";
                    while writer.write_all(line).await.is_ok() {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        line = b"X-Slow: 1\r\n";
                    }
                });
                let reply = read_until_closed(reader).await;
                trickle.abort();
                let reply = reply.expect("the server closes a never-finished request");
                assert_eq!(reply, "", "a never-finished request gets no answer");
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

/// HTTP/1.0 without keep-alive: one answer in HTTP/1.0, then the close.
async fn http_1_0(addr: SocketAddr) {
    let reply = raw_exchange(addr, b"GET /metrics HTTP/1.0\r\n\r\n")
        .await
        .unwrap();
    let replies = parse_replies(&reply).unwrap();
    assert_eq!(replies.len(), 1, "{reply}");
    let (status, response) = &replies[0];
    assert_eq!(status, "HTTP/1.0 200 OK");
    assert_eq!(response.header("content-type"), Some(CONTENT_TYPE));
    assert_eq!(response.header("connection"), None);
    exposition::parse(&response.body).expect("the body parses");
}

/// HTTP/1.0 with keep-alive: two pipelined requests, two answers on one connection.
async fn http_1_0_keep_alive(addr: SocketAddr) {
    let requests = b"GET /live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n\
                     GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    let reply = raw_exchange(addr, requests).await.unwrap();
    let replies = parse_replies(&reply).unwrap();
    let statuses: Vec<(&str, Option<&str>)> = replies
        .iter()
        .map(|(status, response)| (status.as_str(), response.header("connection")))
        .collect();
    assert_eq!(statuses, [("HTTP/1.0 200 OK", Some("keep-alive")); 2]);
    assert!(
        replies[0].1.body.starts_with(r#"{"status":"live","#),
        "{}",
        replies[0].1.body
    );
    exposition::parse(&replies[1].1.body).expect("the body parses");
}

/// HEAD: the head of a scrape, without its body.
async fn head(addr: SocketAddr) {
    let (status_line, response) = raw_head(addr, "/metrics").await.unwrap();
    assert_eq!(response.body, "");
    assert_eq!(status_line, "HTTP/1.1 200 OK");
    let headers: Vec<(&str, &str)> = response
        .headers
        .iter()
        .filter(|(name, _)| name != "date" && name != "content-length")
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    assert_eq!(
        headers,
        [
            ("content-type", CONTENT_TYPE),
            ("vary", "Accept, Accept-Encoding"),
            ("connection", "close")
        ]
    );
    let length = response
        .header("content-length")
        .and_then(|l| l.parse::<usize>().ok());
    assert!(length.is_some_and(|l| l > 0), "{response:?}");
}

/// Requests with bodies: a small one is skipped and the connection serves
/// the next request; a large one, or one that never ends, gets its answer
/// and the connection is closed (the server never reads bodies).
async fn bodies(addr: SocketAddr) {
    let small = b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\
                  GET /live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let reply = raw_exchange(addr, small).await.unwrap();
    let replies = parse_replies(&reply).unwrap();
    let statuses: Vec<&str> = replies.iter().map(|(status, _)| status.as_str()).collect();
    assert_eq!(statuses, ["HTTP/1.1 200 OK"; 2]);
    exposition::parse(&replies[0].1.body).expect("the body parses");
    assert!(replies[1].1.body.starts_with(r#"{"status":"live","#));

    let mut large =
        b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n".to_vec();
    large.resize(large.len() + (1 << 20), b'b');
    let never_ends =
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\nthe start".to_vec();
    for (request, status) in [
        (large, "HTTP/1.1 405 Method Not Allowed"),
        (never_ends, "HTTP/1.1 200 OK"),
    ] {
        let reply = raw_exchange(addr, &request).await.unwrap();
        let replies = parse_replies(&reply).unwrap();
        assert_eq!(replies.len(), 1, "{reply}");
        assert_eq!(replies[0].0, status);
        assert_eq!(replies[0].1.header("connection"), Some("close"));
    }
}
