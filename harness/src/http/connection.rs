//! One kept-alive HTTP/1.1 connection: many requests on one socket, as
//! Prometheus sends its scrapes.

use std::io;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::{bounded, Method, Response};

/// A client connection kept alive between requests; each call is bounded
/// by [`TIMEOUT`](super::TIMEOUT).
///
/// ```no_run
/// # async fn demo(addr: std::net::SocketAddr) -> std::io::Result<()> {
/// use harness::http::{Connection, Method};
/// let mut connection = Connection::open(addr).await?;
/// for _ in 0..3 {
///     let (status, body) = connection.get_bytes("/metrics").await?;
///     assert_eq!((status, body.is_empty()), (200, false));
/// }
/// let live = connection.send(Method::GET, "/live", &[]).await?;
/// assert!(live.body.starts_with(r#"{"status":"live""#));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Connection {
    sender: SendRequest<Empty<Bytes>>,
    host: String,
}

impl Connection {
    /// Connects to `addr`.
    pub async fn open(addr: SocketAddr) -> io::Result<Self> {
        bounded(async {
            let stream = TcpStream::connect(addr).await?;
            let (sender, connection) = http1::handshake(TokioIo::new(stream))
                .await
                .map_err(io::Error::other)?;
            // Drives the socket until the connection is closed or dropped.
            tokio::spawn(connection);
            Ok(Connection {
                sender,
                host: addr.to_string(),
            })
        })
        .await
    }

    /// `method path` with `headers` added (after `Host`), with an empty body.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
    ) -> io::Result<Response> {
        let response = self.exchange(method, path, headers).await?;
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
        let body = response.body();
        Ok(Response {
            status: response.status().as_u16(),
            headers,
            body: String::from_utf8_lossy(body).into_owned(),
            bytes: body.to_vec(),
        })
    }

    /// `GET path`: the status and the body as received, not copied into a
    /// [`Response`], for loops whose measure the client's own copies would
    /// weigh on.
    pub async fn get_bytes(&mut self, path: &str) -> io::Result<(u16, Bytes)> {
        let response = self.exchange(Method::GET, path, &[]).await?;
        Ok((response.status().as_u16(), response.into_body()))
    }

    async fn exchange(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
    ) -> io::Result<hyper::Response<Bytes>> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Empty::<Bytes>::new())
            .map_err(io::Error::other)?;
        bounded(async {
            // A kept-alive connection takes the next request once the last
            // response has been read; this waits for that, or for its close.
            self.sender.ready().await.map_err(io::Error::other)?;
            let response = self
                .sender
                .send_request(request)
                .await
                .map_err(io::Error::other)?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await.map_err(io::Error::other)?.to_bytes();
            Ok(hyper::Response::from_parts(parts, body))
        })
        .await
    }
}
