//! The tower service answers as the bundled server does: for a table of
//! requests, `MetricsServer` over a real socket on 127.0.0.1 and
//! `MetricsService` called directly give the same status, headers and body.
//! They share their routing code; this proves it from the outside, where a
//! difference in how each is wired (path, query, headers) would show.

use std::net::SocketAddr;

use harness::fixtures;
use http_body_util::BodyExt as _;
use kvstats_core::dynamo::{KvStats, KvStatsGauges};
use kvstats_core::tower::MetricsService;
use kvstats_core::{MetricsServer, Registered, Registry};
use tower_service::Service as _;

/// One registry, as both sides get it: the same series with the same values,
/// so the same sequence of scrapes renders the same bytes on each.
fn registry() -> (Registry, Vec<Registered<KvStatsGauges>>) {
    let (registry, backend) = fixtures::backend();
    let ranks = (0..8u64)
        .map(|rank| {
            let rank_label = rank.to_string();
            let gauges =
                KvStatsGauges::register_with_labels(&backend, &[("dp_rank", &rank_label)]).unwrap();
            gauges.update_from(&KvStats {
                kv_active_blocks: rank,
                kv_total_blocks: 12_894,
                ..Default::default()
            });
            gauges
        })
        .collect();
    (registry, ranks)
}

const OPENMETRICS: &str = "application/openmetrics-text;version=1.0.0";
const PROMETHEUS_3: &str = "application/openmetrics-text;version=1.0.0;q=0.5,\
    text/plain;version=0.0.4;q=0.2,*/*;q=0.1";

/// Header names and values, in the order they are sent.
type Headers = &'static [(&'static str, &'static str)];

/// Requests (method, path, headers) that reach each route and each branch
/// of the negotiation.
const CASES: &[(&str, &str, Headers)] = &[
    ("GET", "/metrics", &[]),
    ("HEAD", "/metrics", &[]),
    ("GET", "/metrics", &[("accept", OPENMETRICS)]),
    ("GET", "/metrics", &[("accept", PROMETHEUS_3)]),
    (
        "GET",
        "/metrics",
        &[(
            "accept",
            "text/plain;q=0.9, application/openmetrics-text;q=0.8",
        )],
    ),
    ("GET", "/metrics", &[("accept-encoding", "gzip")]),
    ("GET", "/metrics", &[("accept-encoding", "gzip;q=0")]),
    (
        "GET",
        "/metrics",
        &[("accept", OPENMETRICS), ("accept-encoding", "br, gzip")],
    ),
    // Two values of one header are read joined, as one list.
    (
        "GET",
        "/metrics",
        &[("accept-encoding", "br"), ("accept-encoding", "gzip")],
    ),
    ("GET", "/metrics?debug=1", &[]),
    ("GET", "/health", &[]),
    // Not HEAD /health: the Content-Length the server sends for it counts
    // the digits of an uptime read at another instant than the service's.
    ("GET", "/live", &[]),
    ("GET", "/", &[]),
    ("GET", "/metrics/", &[]),
    ("GET", "/METRICS", &[]),
    ("POST", "/nope", &[]),
    ("HEAD", "/nope", &[]),
    ("POST", "/metrics", &[]),
    ("PUT", "/live", &[]),
    ("DELETE", "/health", &[]),
    ("OPTIONS", "/metrics", &[]),
];

/// Status, headers (sorted, without the ones the HTTP server adds) and body
/// (the uptime blanked: it is read at a different instant on each side).
#[derive(PartialEq, Eq)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn new(status: u16, mut headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        headers.retain(|(name, _)| name != "date" && name != "content-length");
        headers.sort();
        Answer {
            status,
            headers,
            body: without_uptime(body),
        }
    }
}

/// The body as text, so that a failure shows which lines differ.
impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

/// `body` with the number after `"uptime_seconds":` replaced by `_`.
fn without_uptime(body: Vec<u8>) -> Vec<u8> {
    const KEY: &[u8] = b"\"uptime_seconds\":";
    let Some(at) = body.windows(KEY.len()).position(|w| w == KEY) else {
        return body;
    };
    let start = at + KEY.len();
    let end = body[start..]
        .iter()
        .position(|b| !(b.is_ascii_digit() || *b == b'.'))
        .map_or(body.len(), |n| start + n);
    assert!(
        end > start,
        "no uptime in {:?}",
        String::from_utf8_lossy(&body)
    );
    [&body[..start], b"_", &body[end..]].concat()
}

async fn from_server(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (Answer, usize) {
    let method = harness::http::Method::from_bytes(method.as_bytes()).unwrap();
    let response = harness::http::request_with(addr, method, path, headers)
        .await
        .unwrap();
    let length = response
        .header("content-length")
        .and_then(|l| l.parse().ok())
        .expect("the server sends a content-length");
    let answer = Answer::new(response.status, response.headers, response.bytes);
    (answer, length)
}

async fn from_service(
    service: &mut MetricsService,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (Answer, usize) {
    let mut request = http::Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = service.call(request.body(()).unwrap()).await.unwrap();
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (Answer::new(status, headers, body.to_vec()), body.len())
}

#[tokio::test]
async fn the_service_and_the_server_answer_alike() {
    let (served, _served_ranks) = registry();
    let (called, _called_ranks) = registry();
    let server = MetricsServer::bind("127.0.0.1:0".parse().unwrap(), served)
        .await
        .unwrap();
    let mut service = MetricsService::new(called);
    let mut compressed = 0;
    for &(method, path, headers) in CASES {
        let case = format!("{method} {path} {headers:?}");
        let (mut server_answer, length) =
            from_server(server.local_addr(), method, path, headers).await;
        let (service_answer, service_length) =
            from_service(&mut service, method, path, headers).await;
        if method == "HEAD" {
            // The server sends the head of the body the service returns.
            assert!(server_answer.body.is_empty(), "{case}");
            assert_eq!(length, service_length, "{case}");
            server_answer.body.clone_from(&service_answer.body);
        }
        assert_eq!(server_answer, service_answer, "{case}");
        compressed += usize::from(
            service_answer
                .headers
                .contains(&("content-encoding".to_owned(), "gzip".to_owned())),
        );
    }
    // The registry was large enough for gzip to be compared too.
    assert_eq!(compressed, 3);
    server.shutdown().await;
}
