//! What each request gets: the routing table, independent of sockets and
//! of the HTTP stack. The bundled server (feature `server`) and the tower
//! service (feature `tower`) both answer with [`Routes::respond`], so the two
//! cannot drift apart. It speaks the `http` crate's types, which hyper
//! re-exports and axum and tower use.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, ACCEPT, ACCEPT_ENCODING, ALLOW, CONTENT_TYPE};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::Full;

use crate::registry::MetricsRegistry;
use crate::scrape;

/// The body every response carries.
pub(crate) type Body = Full<Bytes>;

/// A registry shared by the connections or clones that answer for it.
pub(crate) type SharedRegistry = Arc<dyn MetricsRegistry + Send + Sync>;

const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";
/// Every route answers these; the `Allow` header of a 405 says so.
const ALLOWED: &str = "GET, HEAD";

const NOT_FOUND: &str = "not found: try /metrics, /health or /live\n";

enum Route {
    Metrics,
    /// A health route and the status word its JSON reports.
    Status(&'static str),
}

/// The routes of one server or service.
pub(crate) struct Routes {
    registry: SharedRegistry,
    started: Instant,
}

impl Routes {
    pub(crate) fn new(registry: SharedRegistry) -> Self {
        Routes {
            registry,
            started: Instant::now(),
        }
    }

    /// The response to `request`; its body is never read. The HTTP server
    /// underneath (hyper, also under axum) leaves out the body of a HEAD
    /// response and keeps its `Content-Length`, so HEAD and GET build the
    /// same response.
    pub(crate) fn respond<B>(&self, request: &Request<B>) -> Response<Body> {
        let (method, path) = (request.method(), request.uri().path());
        let route = match path {
            "/metrics" => Route::Metrics,
            "/health" => Route::Status("ready"),
            "/live" => Route::Status("live"),
            _ => return text(StatusCode::NOT_FOUND, NOT_FOUND.into()),
        };
        if method != Method::GET && method != Method::HEAD {
            let mut response = text(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("method {method} not allowed on {path}: use GET or HEAD\n"),
            );
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static(ALLOWED));
            return response;
        }
        match route {
            Route::Metrics => self.metrics(request.headers()),
            Route::Status(status) => self.status(status),
        }
    }

    /// A scrape, negotiated from the request's headers (see `scrape::respond`).
    fn metrics(&self, headers: &HeaderMap) -> Response<Body> {
        let header = |name| joined(headers, name);
        let (accept, encoding) = (header(ACCEPT), header(ACCEPT_ENCODING));
        let scraped = scrape::respond(&*self.registry, accept.as_deref(), encoding.as_deref());
        let mut response = Response::new(Full::new(Bytes::from(scraped.body)));
        *response.status_mut() =
            StatusCode::from_u16(scraped.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in scraped.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(name), value);
            }
        }
        response
    }

    fn status(&self, status: &str) -> Response<Body> {
        let uptime = self.started.elapsed().as_secs_f64();
        let body = format!("{{\"status\":\"{status}\",\"uptime_seconds\":{uptime:.3}}}\n");
        with_type(StatusCode::OK, JSON, body)
    }
}

/// Every value of header `name`, joined with commas (as HTTP allows), if
/// they are text.
fn joined(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

fn text(status: StatusCode, body: String) -> Response<Body> {
    with_type(status, TEXT, body)
}

fn with_type(status: StatusCode, content_type: &'static str, body: String) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Registry;

    fn routes() -> Routes {
        Routes::new(Arc::new(Registry::new()))
    }

    fn request(method: Method, path: &str) -> Request<()> {
        let mut request = Request::new(());
        *request.method_mut() = method;
        *request.uri_mut() = path.parse().unwrap();
        request
    }

    fn header<'a>(response: &'a Response<Body>, name: &str) -> &'a str {
        response.headers()[name].to_str().unwrap()
    }

    #[test]
    fn every_route_and_method_gets_its_status() {
        let routes = routes();
        let cases = [
            (Method::GET, "/metrics", StatusCode::OK),
            (Method::HEAD, "/metrics", StatusCode::OK),
            (Method::GET, "/health", StatusCode::OK),
            (Method::HEAD, "/live", StatusCode::OK),
            (Method::GET, "/", StatusCode::NOT_FOUND),
            (Method::POST, "/nope", StatusCode::NOT_FOUND),
            (Method::POST, "/metrics", StatusCode::METHOD_NOT_ALLOWED),
            (Method::DELETE, "/health", StatusCode::METHOD_NOT_ALLOWED),
        ];
        for (method, path, status) in cases {
            let response = routes.respond(&request(method.clone(), path));
            assert_eq!(response.status(), status, "{method} {path}");
        }
    }

    #[test]
    fn metrics_use_the_exposition_content_type() {
        let response = routes().respond(&request(Method::GET, "/metrics"));
        assert_eq!(
            header(&response, "content-type"),
            crate::render::CONTENT_TYPE
        );
    }

    #[test]
    fn a_405_lists_the_allowed_methods() {
        let response = routes().respond(&request(Method::PUT, "/live"));
        assert_eq!(header(&response, "allow"), "GET, HEAD");
    }
}
