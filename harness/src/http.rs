//! A minimal HTTP/1.1 client for tests: hyper's client for well-formed
//! requests (a fresh connection each, or a kept-alive [`Connection`]), and
//! a raw socket for the malformed ones a client library would refuse to
//! send. Every call is bounded by [`TIMEOUT`].

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod connection;

pub use connection::Connection;

/// The method of a [`request`], re-exported so a test needs no hyper of its own.
pub use hyper::Method;

use kvstats_core::Format;

/// The `Accept` header that asks for `format` (for [`get_with`]).
///
/// ```
/// use kvstats_core::Format;
///
/// assert_eq!(harness::http::accept(Format::OpenMetrics), "application/openmetrics-text;version=1.0.0");
/// ```
pub fn accept(format: Format) -> &'static str {
    match format {
        Format::OpenMetrics => "application/openmetrics-text;version=1.0.0",
        _ => "text/plain;version=0.0.4",
    }
}

/// The longest any helper here waits, so a broken server fails a test
/// instead of hanging it.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A complete response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    pub body: String,
    /// The body as it came, for one that is not text (a gzip-compressed scrape).
    pub bytes: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// `GET path` on a fresh connection.
///
/// ```no_run
/// # async fn demo(addr: std::net::SocketAddr) -> std::io::Result<()> {
/// let response = harness::http::get(addr, "/metrics").await?;
/// assert_eq!(response.status, 200);
/// # Ok(())
/// # }
/// ```
pub async fn get(addr: SocketAddr, path: &str) -> io::Result<Response> {
    request(addr, Method::GET, path).await
}

/// `method path` on a fresh connection, with an empty body.
///
/// ```no_run
/// # async fn demo(addr: std::net::SocketAddr) -> std::io::Result<()> {
/// use harness::http::Method;
/// let response = harness::http::request(addr, Method::POST, "/metrics").await?;
/// assert_eq!(response.status, 405);
/// # Ok(())
/// # }
/// ```
pub async fn request(addr: SocketAddr, method: Method, path: &str) -> io::Result<Response> {
    request_with(addr, method, path, &[]).await
}

/// `GET path` on a fresh connection, with request headers `headers` (a
/// scraper's `Accept`, say).
///
/// ```no_run
/// # async fn demo(addr: std::net::SocketAddr) -> std::io::Result<()> {
/// let accept = ("accept", "application/openmetrics-text;version=1.0.0");
/// let response = harness::http::get_with(addr, "/metrics", &[accept]).await?;
/// assert!(response.body.ends_with("# EOF\n"));
/// # Ok(())
/// # }
/// ```
pub async fn get_with(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> io::Result<Response> {
    request_with(addr, Method::GET, path, headers).await
}

/// `method path` with `headers` added (after `Host`) on a fresh connection,
/// with an empty body.
///
/// ```no_run
/// # async fn demo(addr: std::net::SocketAddr) -> std::io::Result<()> {
/// use harness::http::Method;
/// let headers = [("accept-encoding", "gzip")];
/// let response = harness::http::request_with(addr, Method::GET, "/metrics", &headers).await?;
/// assert_eq!(response.header("vary"), Some("Accept, Accept-Encoding"));
/// # Ok(())
/// # }
/// ```
pub async fn request_with(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> io::Result<Response> {
    let mut connection = Connection::open(addr).await?;
    connection.send(method, path, headers).await
}

/// Writes `bytes` on a fresh connection and returns everything the server
/// sends until it closes the connection (or [`TIMEOUT`] passes). A write the
/// server cuts short is not an error: the server may answer and close before
/// reading all of a request it refuses.
///
/// ```no_run
/// # async fn demo(addr: std::net::SocketAddr) -> std::io::Result<()> {
/// let reply = harness::http::raw_exchange(addr, b"NOT HTTP\r\n\r\n").await?;
/// assert!(reply.starts_with("HTTP/1.1 400"));
/// # Ok(())
/// # }
/// ```
pub async fn raw_exchange(addr: SocketAddr, bytes: &[u8]) -> io::Result<String> {
    let stream = bounded(TcpStream::connect(addr)).await?;
    let (mut reader, mut writer) = stream.into_split();
    let bytes = bytes.to_vec();
    let write = tokio::spawn(async move {
        let _ = writer.write_all(&bytes).await;
        // Keep the write half open: closing it would end a keep-alive exchange early.
        writer
    });
    let mut reply = Vec::new();
    let read = bounded(async {
        let mut chunk = [0u8; 4096];
        loop {
            match reader.read(&mut chunk).await {
                Ok(0) => return Ok(()),
                Ok(n) => reply.extend_from_slice(&chunk[..n]),
                // A reset after the reply (the server closed with our bytes unread) ends it too.
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset && !reply.is_empty() => {
                    return Ok(())
                }
                Err(e) => return Err(e),
            }
        }
    })
    .await;
    write.abort();
    read?;
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

/// [`get`] from code that is not async: a runtime of its own for one call.
///
/// ```no_run
/// # fn demo(addr: std::net::SocketAddr) -> std::io::Result<()> {
/// let response = harness::http::get_blocking(addr, "/metrics")?;
/// assert_eq!(response.status, 200);
/// # Ok(())
/// # }
/// ```
pub fn get_blocking(addr: SocketAddr, path: &str) -> io::Result<Response> {
    get_blocking_with(addr, path, &[])
}

/// [`get_with`] from code that is not async.
pub fn get_blocking_with(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> io::Result<Response> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(get_with(addr, path, headers))
}

/// The responses in a raw reply to pipelined requests (what
/// [`raw_exchange`] returns), each with its status line (`HTTP/1.0 200 OK`),
/// the body cut at its `content-length`. Not for replies to `HEAD`, whose
/// `content-length` describes a body that is not sent: see [`raw_head`].
///
/// ```
/// let reply = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
/// let replies = harness::http::parse_replies(reply)?;
/// assert_eq!(replies[0].0, "HTTP/1.1 200 OK");
/// assert_eq!(replies[0].1.body, "ok");
/// assert_eq!(replies[1].1.status, 404);
/// # Ok::<(), String>(())
/// ```
pub fn parse_replies(mut reply: &str) -> Result<Vec<(String, Response)>, String> {
    let mut replies = Vec::new();
    while !reply.is_empty() {
        let (status_line, mut response, rest) = parse_head(reply)?;
        let length: usize = response
            .header("content-length")
            .and_then(|length| length.parse().ok())
            .ok_or_else(|| format!("no content-length in the reply {status_line:?}"))?;
        let body = rest
            .get(..length)
            .ok_or_else(|| format!("a body shorter than its content-length {length}: {rest:?}"))?;
        response.body = body.to_owned();
        response.bytes = body.as_bytes().to_vec();
        replies.push((status_line, response));
        reply = &rest[length..];
    }
    Ok(replies)
}

/// `HEAD path` on a fresh connection, read raw until the server closes it:
/// the status line and the response, whose body is whatever the server sent
/// after the head (nothing, from a correct server; the `content-length` is
/// that of the body a GET would get).
///
/// ```no_run
/// # async fn demo(addr: std::net::SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
/// let (status_line, response) = harness::http::raw_head(addr, "/metrics").await?;
/// assert_eq!(status_line, "HTTP/1.1 200 OK");
/// assert_eq!(response.body, "");
/// # Ok(())
/// # }
/// ```
pub async fn raw_head(addr: SocketAddr, path: &str) -> io::Result<(String, Response)> {
    let request = format!("HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let reply = raw_exchange(addr, request.as_bytes()).await?;
    let (status_line, mut response, rest) = parse_head(&reply).map_err(io::Error::other)?;
    response.body = rest.to_owned();
    response.bytes = rest.as_bytes().to_vec();
    Ok((status_line, response))
}

/// The status line and headers at the start of `reply`, as a response
/// without a body, and what follows the head.
fn parse_head(reply: &str) -> Result<(String, Response, &str), String> {
    let (head, rest) = reply
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("a reply without the end of its head: {reply:?}"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default().to_owned();
    let status =
        status_of(&status_line).ok_or_else(|| format!("not a status line: {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("not a header: {line:?}"))?;
            Ok((name.to_ascii_lowercase(), value.trim().to_owned()))
        })
        .collect::<Result<_, String>>()?;
    let response = Response {
        status,
        headers,
        body: String::new(),
        bytes: Vec::new(),
    };
    Ok((status_line, response, rest))
}

/// The status code of a raw HTTP/1.x reply (`HTTP/1.1 431 ...` gives 431).
///
/// ```
/// assert_eq!(harness::http::status_of("HTTP/1.1 404 Not Found\r\n"), Some(404));
/// assert_eq!(harness::http::status_of(""), None);
/// ```
pub fn status_of(reply: &str) -> Option<u16> {
    let rest = reply.strip_prefix("HTTP/1.")?;
    rest.get(2..5)?.parse().ok()
}

async fn bounded<T>(work: impl std::future::Future<Output = io::Result<T>>) -> io::Result<T> {
    tokio::time::timeout(TIMEOUT, work)
        .await
        .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "no answer in time")))
}
