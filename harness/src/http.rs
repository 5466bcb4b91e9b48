//! A minimal HTTP/1.1 client for tests: hyper's client for well-formed
//! requests, and a raw socket for the malformed ones a client library
//! would refuse to send. Every call is bounded by [`TIMEOUT`].

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
    send(addr, method, path, &[]).await
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
    send(addr, Method::GET, path, headers).await
}

async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> io::Result<Response> {
    bounded(async {
        let stream = TcpStream::connect(addr).await?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(io::Error::other)?;
        // The connection future drives the socket; it ends when the response is read.
        tokio::spawn(connection);
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", addr.to_string());
        for &(name, value) in headers {
            request = request.header(name, value);
        }
        let request = request
            .body(Empty::<Bytes>::new())
            .map_err(io::Error::other)?;
        let response = sender
            .send_request(request)
            .await
            .map_err(io::Error::other)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(io::Error::other)?
            .to_bytes();
        Ok(Response {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    })
    .await
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
/// `content-length` describes a body that is not sent.
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
        let mut response = Response {
            status,
            headers,
            body: String::new(),
        };
        let length: usize = response
            .header("content-length")
            .and_then(|length| length.parse().ok())
            .ok_or_else(|| format!("no content-length in {head:?}"))?;
        let body = rest
            .get(..length)
            .ok_or_else(|| format!("a body shorter than its content-length {length}: {rest:?}"))?;
        response.body = body.to_owned();
        replies.push((status_line, response));
        reply = &rest[length..];
    }
    Ok(replies)
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
