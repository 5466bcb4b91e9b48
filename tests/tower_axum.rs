//! kvstats' routes mounted in an application's own axum app
//! (`kvstats_core::tower::MetricsService`), over real sockets on 127.0.0.1:
//! the app's routes and kvstats' on one port, the app's own `prometheus`
//! families in the scrape, negotiation, statuses, and malformed requests
//! that end only their own connection. Every wait is bounded by
//! `harness::http::TIMEOUT`; no test asserts how fast anything is.

use std::io::Read as _;
use std::net::SocketAddr;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use harness::exposition::lines_of;
use harness::http::{self, raw_exchange, raw_head, status_of, Method};
use kvstats_core::prometheus::{self, IntCounterVec, Opts};
use kvstats_core::scrape::GZIP_MIN_BYTES;
use kvstats_core::tower::MetricsService;
use kvstats_core::{
    Format, MetricsRegistry, PromGauges, Registered, Registry, CONTENT_TYPE,
    OPENMETRICS_CONTENT_TYPE,
};

/// What an application keeps about its queue, one instance per rank.
#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "app")]
struct QueueStats {
    /// Requests waiting for a worker
    waiting: u64,
    /// Requests being served
    running: u64,
}

/// Enough ranks for a scrape longer than `GZIP_MIN_BYTES`.
const RANKS: u64 = 8;

/// kvstats' 404, which tells a mounted fallback from axum's empty one.
const KVSTATS_NOT_FOUND: &str = "not found: try /metrics, /health or /live\n";

/// An application's metrics: its own `prometheus` registry with a request
/// counter, handed to kvstats, and its stats struct registered per rank.
struct AppMetrics {
    registry: Registry,
    requests: IntCounterVec,
    _stats: Vec<Registered<QueueStatsGauges>>,
}

fn app_metrics() -> AppMetrics {
    let theirs = prometheus::Registry::new();
    let requests = IntCounterVec::new(
        Opts::new("app_http_requests_total", "Requests the app served"),
        &["route"],
    )
    .unwrap();
    theirs.register(Box::new(requests.clone())).unwrap();
    let registry = Registry::builder().prometheus(theirs).build().unwrap();
    let backend = registry
        .namespace("dynamo")
        .and_then(|namespace| namespace.component("backend"))
        .unwrap();
    let stats = (0..RANKS)
        .map(|rank| {
            let rank_label = rank.to_string();
            let gauges =
                QueueStatsGauges::register_with_labels(&backend, &[("dp_rank", &rank_label)])
                    .unwrap();
            gauges.update_from(&QueueStats {
                waiting: rank,
                running: 10 + rank,
            });
            gauges
        })
        .collect();
    AppMetrics {
        registry,
        requests,
        _stats: stats,
    }
}

/// The app's own route, which counts itself in the app's counter.
fn hello(requests: IntCounterVec) -> Router {
    Router::new().route(
        "/hello",
        get(move || {
            requests.with_label_values(&["/hello"]).inc();
            async { "hello\n" }
        }),
    )
}

/// The app with kvstats as its fallback: the one-line mount.
fn with_fallback(metrics: &AppMetrics) -> Router {
    hello(metrics.requests.clone()).fallback_service(MetricsService::new(metrics.registry.clone()))
}

/// Serves `app` with `axum::serve` on a free port of 127.0.0.1, until the
/// test's runtime ends.
async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn get_ok(addr: SocketAddr, path: &str) -> http::Response {
    let response = http::get(addr, path).await.unwrap();
    assert_eq!(response.status, 200, "GET {path}: {}", response.body);
    response
}

#[tokio::test]
async fn the_app_and_kvstats_share_one_port() {
    let metrics = app_metrics();
    let addr = serve(with_fallback(&metrics)).await;

    assert_eq!(get_ok(addr, "/hello").await.body, "hello\n");
    // Rendered before the scrape, which counts itself after rendering.
    let rendered = metrics.registry.prometheus_text().unwrap();
    let scrape = get_ok(addr, "/metrics").await;
    assert_eq!(scrape.header("content-type"), Some(CONTENT_TYPE));
    assert_eq!(scrape.header("vary"), Some("Accept, Accept-Encoding"));
    assert_eq!(scrape.header("content-encoding"), None);
    assert_eq!(
        scrape.body.lines().collect::<Vec<_>>(),
        rendered.lines().collect::<Vec<_>>()
    );
    // The app's family and ours, side by side.
    assert_eq!(
        lines_of(&scrape.body, "app_http_requests_total"),
        [r#"app_http_requests_total{route="/hello"} 1"#]
    );
    assert!(scrape
        .body
        .lines()
        .any(|l| l == "# TYPE app_http_requests_total counter"));
    let expected: Vec<String> = (0..RANKS)
        .map(|rank| {
            format!(
                r#"dynamo_component_app_waiting{{dp_rank="{rank}",dynamo_component="backend",dynamo_namespace="dynamo"}} {rank}"#
            )
        })
        .collect();
    assert_eq!(
        lines_of(&scrape.body, "dynamo_component_app_waiting"),
        expected
    );
    assert!(scrape
        .body
        .lines()
        .any(|l| l == "# HELP dynamo_component_app_running Requests being served"));
    // The first scrape is counted in the second.
    let again = get_ok(addr, "/metrics").await;
    assert_eq!(
        lines_of(&again.body, "dynamo_component_kvstats_scrapes_total"),
        [r#"dynamo_component_kvstats_scrapes_total{encoding="identity",format="text"} 1"#]
    );

    for (path, status) in [("/health", "ready"), ("/live", "live")] {
        let response = get_ok(addr, path).await;
        assert_eq!(response.header("content-type"), Some("application/json"));
        let json: serde_json::Value = serde_json::from_str(&response.body).unwrap();
        assert_eq!(json["status"], status, "{path}: {json}");
        assert!(
            json["uptime_seconds"].as_f64().is_some_and(|s| s >= 0.0),
            "{path}: {json}"
        );
    }

    // kvstats replaced axum's fallback, whose 404 has an empty body.
    let missing = http::get(addr, "/nope").await.unwrap();
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (404, KVSTATS_NOT_FOUND)
    );
    let post = http::request(addr, Method::POST, "/metrics").await.unwrap();
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    // The app's own route still answers for its path, with axum's 405.
    let post_hello = http::request(addr, Method::POST, "/hello").await.unwrap();
    assert_eq!(post_hello.status, 405);
    assert_ne!(post_hello.body, post.body);
}

#[tokio::test]
async fn head_gets_the_head_of_a_scrape_without_its_body() {
    let metrics = app_metrics();
    let addr = serve(with_fallback(&metrics)).await;
    let (status_line, response) = raw_head(addr, "/metrics").await.unwrap();
    assert_eq!(status_line, "HTTP/1.1 200 OK");
    assert_eq!(response.body, "");
    assert_eq!(response.header("content-type"), Some(CONTENT_TYPE));
    assert_eq!(response.header("vary"), Some("Accept, Accept-Encoding"));
    let length = response
        .header("content-length")
        .and_then(|l| l.parse::<usize>().ok());
    assert!(length.is_some_and(|l| l > 0), "{response:?}");
}

#[tokio::test]
async fn openmetrics_and_gzip_are_negotiated_through_axum() {
    let metrics = app_metrics();
    let addr = serve(with_fallback(&metrics)).await;

    let rendered = metrics.registry.exposition(Format::OpenMetrics).unwrap();
    let accept = [("accept", "application/openmetrics-text;version=1.0.0")];
    let open = http::request_with(addr, Method::GET, "/metrics", &accept)
        .await
        .unwrap();
    assert_eq!(open.status, 200);
    assert_eq!(open.header("content-type"), Some(OPENMETRICS_CONTENT_TYPE));
    assert!(open.body.ends_with("# EOF\n"), "{}", open.body);
    assert_eq!(open.body, rendered);

    let rendered = metrics.registry.prometheus_text().unwrap();
    assert!(
        rendered.len() >= GZIP_MIN_BYTES,
        "the registry must be large enough to be compressed: {} bytes",
        rendered.len()
    );
    let gzip = [("accept-encoding", "gzip")];
    let compressed = http::request_with(addr, Method::GET, "/metrics", &gzip)
        .await
        .unwrap();
    assert_eq!(compressed.status, 200);
    assert_eq!(compressed.header("content-encoding"), Some("gzip"));
    assert_eq!(compressed.header("content-type"), Some(CONTENT_TYPE));
    let mut text = String::new();
    flate2::read::GzDecoder::new(compressed.bytes.as_slice())
        .read_to_string(&mut text)
        .expect("a gzip body");
    assert_eq!(text, rendered);
    assert!(compressed.bytes.len() < rendered.len());

    // Each answer counted under its own format and encoding.
    let counted = metrics.registry.prometheus_text().unwrap();
    assert_eq!(
        lines_of(&counted, "dynamo_component_kvstats_scrapes_total"),
        [
            r#"dynamo_component_kvstats_scrapes_total{encoding="gzip",format="text"} 1"#,
            r#"dynamo_component_kvstats_scrapes_total{encoding="identity",format="openmetrics"} 1"#,
        ]
    );
}

#[tokio::test]
async fn malformed_and_oversized_requests_end_only_their_connection() {
    let metrics = app_metrics();
    let addr = serve(with_fallback(&metrics)).await;

    let reply = raw_exchange(addr, b"NOT HTTP AT ALL\r\n\r\n")
        .await
        .unwrap();
    let status = status_of(&reply);
    assert!(status.is_some_and(|s| (400..500).contains(&s)), "{reply:?}");
    // hyper's read buffer under axum::serve is about 400 KiB: a head past
    // it gets 431, as from the bundled server past its `max_header_bytes`.
    let mut oversized = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    oversized.resize(oversized.len() + 512 * 1024, b'a');
    oversized.extend_from_slice(b"\r\n\r\n");
    let reply = raw_exchange(addr, &oversized).await.unwrap();
    assert_eq!(status_of(&reply), Some(431), "{reply:?}");

    assert_eq!(get_ok(addr, "/hello").await.body, "hello\n");
    let scrape = get_ok(addr, "/metrics").await;
    harness::exposition::parse(&scrape.body).expect("the scrape parses");
}

#[tokio::test]
async fn mounted_per_path_the_apps_fallback_stays() {
    let metrics = app_metrics();
    let kvstats = MetricsService::new(metrics.registry.clone());
    let app = hello(metrics.requests.clone())
        .route_service("/metrics", kvstats.clone())
        .route_service("/health", kvstats.clone())
        .route_service("/live", kvstats)
        .fallback(|| async { (StatusCode::NOT_FOUND, "the app's own 404\n") });
    let addr = serve(app).await;

    assert_eq!(get_ok(addr, "/hello").await.body, "hello\n");
    let scrape = get_ok(addr, "/metrics").await;
    assert_eq!(
        lines_of(&scrape.body, "app_http_requests_total"),
        [r#"app_http_requests_total{route="/hello"} 1"#]
    );
    assert!(get_ok(addr, "/live")
        .await
        .body
        .starts_with(r#"{"status":"live","#));
    let missing = http::get(addr, "/nope").await.unwrap();
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (404, "the app's own 404\n")
    );
    let delete = http::request(addr, Method::DELETE, "/health")
        .await
        .unwrap();
    assert_eq!(delete.status, 405);
    assert_eq!(delete.header("allow"), Some("GET, HEAD"));
}
