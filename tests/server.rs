//! The /metrics server over real sockets on 127.0.0.1: routes, statuses,
//! hostile requests, connection limits and shutdown. Every wait is bounded
//! (by `harness::http::TIMEOUT` or an explicit deadline); no test asserts
//! how fast anything is.

use std::net::SocketAddr;
use std::time::Duration;

use harness::exposition::sample_lines;
use harness::fixtures::{self, BACKEND_LABELS};
use harness::http::{self, raw_exchange, status_of, Method};
use kvstats_core::dynamo::{KvStats, KvStatsGauges};
use kvstats_core::{MetricsServer, Registered, Registry, ServerHandle, CONTENT_TYPE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

fn backend() -> (Registry, Registered<KvStatsGauges>) {
    let (registry, component) = fixtures::backend();
    let gauges = KvStatsGauges::register(&component).expect("first registration");
    (registry, gauges)
}

async fn serve(server: MetricsServer) -> (ServerHandle, Registered<KvStatsGauges>) {
    let (registry, gauges) = backend();
    let handle = server.addr(loopback()).start(registry).await.expect("bind");
    (handle, gauges)
}

async fn assert_scrape_ok(addr: SocketAddr) {
    let response = http::get(addr, "/metrics").await.expect("scrape");
    assert_eq!(response.status, 200, "{}", response.body);
    harness::exposition::parse(&response.body).expect("the scrape parses");
}

#[tokio::test]
async fn a_scrape_returns_the_exposition_line_for_line() {
    let (registry, gauges) = backend();
    let server = MetricsServer::bind(loopback(), registry.clone())
        .await
        .unwrap();
    gauges.update_from(&KvStats {
        kv_active_blocks: 42,
        kv_total_blocks: 12894,
        gpu_cache_usage_perc: 0.5,
        gpu_prefix_cache_hit_rate: 0.75,
    });
    // What `tests/exposition.rs` checks line by line is what goes over the
    // wire (rendered before: the scrape counts itself after rendering)...
    let rendered = registry.prometheus_text().unwrap();
    let response = http::get(server.local_addr(), "/metrics").await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some(CONTENT_TYPE));
    assert_eq!(
        response.body.lines().collect::<Vec<_>>(),
        rendered.lines().collect::<Vec<_>>()
    );
    // ...and the samples are the reference ones.
    assert_eq!(
        sample_lines(&response.body),
        [
            format!("dynamo_component_kvstats_active_blocks{BACKEND_LABELS} 42"),
            format!("dynamo_component_kvstats_gpu_cache_usage_percent{BACKEND_LABELS} 0.5"),
            format!("dynamo_component_kvstats_gpu_prefix_cache_hit_rate{BACKEND_LABELS} 0.75"),
            format!("dynamo_component_kvstats_total_blocks{BACKEND_LABELS} 12894"),
        ]
    );
    server.shutdown().await;
}

#[tokio::test]
async fn head_gives_the_headers_of_get_and_no_body() {
    let (server, _gauges) = serve(MetricsServer::new()).await;
    // From the second scrape on the scrape counter's line is there, with a
    // one-digit count: the bodies have the same length.
    let _first = http::get(server.local_addr(), "/metrics").await.unwrap();
    let get = http::get(server.local_addr(), "/metrics").await.unwrap();
    let head = http::request(server.local_addr(), Method::HEAD, "/metrics")
        .await
        .unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some(CONTENT_TYPE));
    let length = get.body.len().to_string();
    assert_eq!(head.header("content-length"), Some(length.as_str()));
    assert_eq!(head.body, "");
    server.shutdown().await;
}

#[tokio::test]
async fn health_and_live_report_their_status_and_uptime_as_json() {
    let (server, _gauges) = serve(MetricsServer::new()).await;
    for (path, status) in [("/health", "ready"), ("/live", "live")] {
        let response = http::get(server.local_addr(), path).await.unwrap();
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.header("content-type"), Some("application/json"));
        let json: serde_json::Value = serde_json::from_str(&response.body).unwrap();
        assert_eq!(json["status"], status, "{path}");
        let uptime = json["uptime_seconds"].as_f64().expect("a number");
        assert!(uptime >= 0.0, "{uptime}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_get_404_and_other_methods_405_with_allow() {
    let (server, _gauges) = serve(MetricsServer::new()).await;
    let addr = server.local_addr();
    for path in ["/", "/metrics/", "/favicon.ico", "/metricsx"] {
        let response = http::get(addr, path).await.unwrap();
        assert_eq!(response.status, 404, "{path}");
    }
    for (method, path) in [
        (Method::POST, "/metrics"),
        (Method::PUT, "/health"),
        (Method::DELETE, "/live"),
        (Method::OPTIONS, "/metrics"),
    ] {
        let response = http::request(addr, method.clone(), path).await.unwrap();
        assert_eq!(response.status, 405, "{method} {path}");
        assert_eq!(
            response.header("allow"),
            Some("GET, HEAD"),
            "{method} {path}"
        );
    }
    assert_scrape_ok(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_get_400_and_the_server_keeps_serving() {
    let (server, _gauges) = serve(MetricsServer::new()).await;
    let addr = server.local_addr();
    let requests: [&[u8]; 5] = [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
        b"G\xffT /metrics HTTP/1.1\r\n\r\n",
        b"\x00\x01\x02\x03\xfe\xff\r\n\r\n",
    ];
    for request in requests {
        let reply = raw_exchange(addr, request).await.unwrap();
        assert_eq!(status_of(&reply), Some(400), "{request:?} got {reply:?}");
        assert_scrape_ok(addr).await;
    }
    server.shutdown().await;
}

/// A `GET /metrics` whose head (request line and headers) is `bytes` long.
fn request_with_head_of(bytes: usize) -> Vec<u8> {
    let start = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ";
    let end = b"\r\n\r\n";
    let mut request = start.to_vec();
    request.extend(std::iter::repeat_n(b'a', bytes - start.len() - end.len()));
    request.extend_from_slice(end);
    assert_eq!(request.len(), bytes);
    request
}

#[tokio::test]
async fn heads_up_to_the_limit_are_served_and_larger_ones_get_431() {
    let (server, _gauges) = serve(MetricsServer::new()).await;
    let addr = server.local_addr();
    // The default limit is 16 KiB: well under it, at its edge, past it, far past it.
    for (head, status) in [
        (15 * 1024, 200),
        (16 * 1024 - 512, 200),
        (16 * 1024 + 1, 431),
        (64 * 1024, 431),
    ] {
        let reply = raw_exchange(addr, &request_with_head_of(head))
            .await
            .unwrap();
        assert_eq!(
            status_of(&reply),
            Some(status),
            "{head}-byte head: {reply:?}"
        );
        assert_scrape_ok(addr).await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_keep_alive_connection_serves_several_requests_then_closes_when_idle() {
    let server = MetricsServer::new()
        .header_read_timeout(Duration::from_millis(300))
        .idle_timeout(Duration::from_millis(300));
    let (server, _gauges) = serve(server).await;
    let two = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    // `raw_exchange` reads until the server closes: it returns because the
    // kept-alive connection is closed once it stays idle.
    let reply = raw_exchange(server.local_addr(), two).await.unwrap();
    assert_eq!(reply.matches("HTTP/1.1 200 OK").count(), 2, "{reply}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_client_that_sends_nothing_is_disconnected() {
    let server = MetricsServer::new()
        .header_read_timeout(Duration::from_millis(200))
        .idle_timeout(Duration::from_millis(200));
    let (server, _gauges) = serve(server).await;
    let reply = raw_exchange(server.local_addr(), b"").await.unwrap();
    assert_eq!(reply, "");
    let reply = raw_exchange(server.local_addr(), b"GET /metrics HTTP/1.1\r\nHost:")
        .await
        .unwrap();
    assert_eq!(reply, "");
    server.shutdown().await;
}

#[tokio::test]
async fn connections_past_the_limit_wait_for_a_free_slot() {
    let server = MetricsServer::new()
        .max_connections(2)
        .header_read_timeout(Duration::from_secs(30))
        .idle_timeout(Duration::from_secs(30));
    let (server, _gauges) = serve(server).await;
    let addr = server.local_addr();
    // Two silent clients take both slots.
    let mut silent = vec![
        TcpStream::connect(addr).await.unwrap(),
        TcpStream::connect(addr).await.unwrap(),
    ];
    wait_until(|| server.open_connections() == 2).await;
    // A third connects (the kernel queues it) and asks: it is not served
    // while both slots are taken.
    let mut third = TcpStream::connect(addr).await.unwrap();
    third
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut first_byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(500), third.read(&mut first_byte)).await;
    assert!(early.is_err(), "served past the limit: {early:?}");
    assert_eq!(server.open_connections(), 2);
    // One slot comes free: the third is served.
    drop(silent.pop());
    let mut reply = Vec::new();
    tokio::time::timeout(http::TIMEOUT, third.read_to_end(&mut reply))
        .await
        .expect("served once a slot is free")
        .unwrap();
    assert_eq!(status_of(&String::from_utf8_lossy(&reply)), Some(200));
    drop(silent);
    // Every slot is given back once its client is gone.
    wait_until(|| server.open_connections() == 0).await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_connection_silent_past_the_idle_timeout_is_closed() {
    // A client that asked for a large scrape and stopped reading: its request
    // head arrived long ago, so only the idle timeout can end it.
    let (registry, _gauges) = backend();
    let big = prometheus::Gauge::new("big", "x".repeat(8 << 20)).unwrap();
    registry.prometheus().register(Box::new(big)).unwrap();
    let server = MetricsServer::new()
        .addr(loopback())
        .header_read_timeout(Duration::from_secs(60))
        .idle_timeout(Duration::from_millis(300))
        .start(registry)
        .await
        .unwrap();
    let mut stuck = TcpStream::connect(server.local_addr()).await.unwrap();
    stuck
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    wait_until(|| server.open_connections() == 1).await;
    wait_until(|| server.open_connections() == 0).await;
    drop(stuck);
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_returns_and_frees_the_port() {
    let (server, _gauges) = serve(MetricsServer::new()).await;
    let addr = server.local_addr();
    assert_scrape_ok(addr).await;
    // An idle keep-alive connection must not hold the shutdown up.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /live HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    tokio::time::timeout(http::TIMEOUT, server.shutdown())
        .await
        .expect("shutdown returns");
    std::net::TcpListener::bind(addr).expect("the port is free again");
    assert!(TcpStream::connect(addr).await.is_err());
}

/// A server whose scrape is a response of over 8 MiB (far more than the
/// socket buffers hold, so it is still being written when shutdown starts),
/// and a client that sent the request and has read the start of the reply.
async fn large_scrape_in_progress(
    shutdown_timeout: Duration,
) -> (ServerHandle, TcpStream, Vec<u8>) {
    let (registry, _gauges) = backend();
    let big = prometheus::Gauge::new("big", "x".repeat(8 << 20)).unwrap();
    registry.prometheus().register(Box::new(big)).unwrap();
    let server = MetricsServer::new()
        .addr(loopback())
        .shutdown_timeout(shutdown_timeout)
        .start(registry)
        .await
        .unwrap();
    let mut client = TcpStream::connect(server.local_addr()).await.unwrap();
    client
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut reply = vec![0u8; 64 * 1024];
    client.read_exact(&mut reply).await.unwrap();
    (server, client, reply)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_a_scrape_in_progress_finish() {
    let (server, mut client, mut reply) = large_scrape_in_progress(Duration::from_secs(60)).await;
    let shutdown = tokio::spawn(server.shutdown());
    tokio::time::timeout(http::TIMEOUT, client.read_to_end(&mut reply))
        .await
        .expect("the response completes")
        .unwrap();
    let text = String::from_utf8_lossy(&reply);
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .and_then(|l| l.parse().ok())
        .expect("a content-length");
    // The whole body, and then the close (`read_to_end` returned).
    assert_eq!(body.len(), length);
    tokio::time::timeout(http::TIMEOUT, shutdown)
        .await
        .expect("shutdown returns")
        .unwrap();
}

#[tokio::test]
async fn shutdown_does_not_wait_forever_for_a_client_that_never_reads() {
    let (server, _stuck, _reply) = large_scrape_in_progress(Duration::from_millis(200)).await;
    tokio::time::timeout(http::TIMEOUT, server.shutdown())
        .await
        .expect("shutdown returns although the client reads nothing more");
}

#[tokio::test]
async fn bad_settings_and_busy_ports_are_errors_naming_them() {
    let err = MetricsServer::new()
        .max_header_bytes(1024)
        .start(Registry::new())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid server setting max_header_bytes = 1024: expected 8192..=1048576 bytes"
    );
    let (server, _gauges) = serve(MetricsServer::new()).await;
    let taken = server.local_addr();
    let err = MetricsServer::bind(taken, Registry::new())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("cannot bind the metrics server to {taken}: ")),
        "{err}"
    );
    server.shutdown().await;
}

/// Polls `condition` until it holds, for at most `http::TIMEOUT`.
async fn wait_until(condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + http::TIMEOUT;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition never held"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
