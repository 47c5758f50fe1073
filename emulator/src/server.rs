//! The accept loop: counts connections, applies injected faults and hands requests to the
//! router.
//!
//! A hand-written loop (rather than `axum::serve`) is what lets a fault close a connection
//! without answering, before or after the request was processed.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, RETRY_AFTER};
use axum::http::{HeaderValue, Request, Response, StatusCode};
use axum::response::IntoResponse;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::error::{self, ApiError};
use crate::faults::Decision;
use crate::random;
use crate::state::Shared;

/// How long a connection may take to send a request's headers, the first request's
/// included: a slow or idle client must not hold a connection task forever.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves connections until the task is dropped; dropping it also ends every connection.
pub(crate) async fn accept_loop(listener: TcpListener, router: Router, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    shared.accepted.fetch_add(1, Ordering::Relaxed);
                    connections.spawn(serve(stream, router.clone(), shared.clone()));
                }
                // Running out of file descriptors is the usual cause; waiting a moment lets
                // connections close instead of spinning on the error.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Serves one connection until the client closes it or a fault hangs up.
async fn serve(stream: TcpStream, router: Router, shared: Arc<Shared>) {
    let hang_up = Arc::new(Notify::new());
    let service = {
        let hang_up = hang_up.clone();
        service_fn(move |request| respond(request, router.clone(), shared.clone(), hang_up.clone()))
    };
    let connection = http1(HEADER_READ_TIMEOUT).serve_connection(TokioIo::new(stream), service);

    tokio::select! {
        _ = connection => {}
        () = hang_up.notified() => {}
    }
}

/// HTTP/1 settings: headers must arrive within `header_read_timeout`, which needs a timer.
fn http1(header_read_timeout: Duration) -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    builder
}

/// Answers one request, disturbed when a fault rule says so.
async fn respond(
    request: Request<Incoming>,
    router: Router,
    shared: Arc<Shared>,
    hang_up: Arc<Notify>,
) -> Result<Response<Body>, Infallible> {
    let request_id = random::request_id();
    let decision = shared
        .faults
        .decide(request.method().as_str(), request.uri().path());

    let response = match decision {
        None => error::finish(route(router, request).await, &request_id),
        Some(decision) => disturbed(decision, router, request, &request_id, &hang_up).await,
    };
    Ok(response)
}

/// Answers one request the way an injected fault says, or hangs up.
async fn disturbed(
    decision: Decision,
    router: Router,
    request: Request<Incoming>,
    request_id: &str,
    hang_up: &Notify,
) -> Response<Body> {
    match decision {
        Decision::Unavailable(seconds) => error::finish(
            retry_later(StatusCode::SERVICE_UNAVAILABLE, seconds),
            request_id,
        ),
        Decision::TooManyRequests(seconds) => error::finish(
            retry_later(StatusCode::TOO_MANY_REQUESTS, seconds),
            request_id,
        ),
        Decision::DropBefore => close(hang_up).await,
        Decision::DropAfter => {
            route(router, request).await;
            close(hang_up).await
        }
        Decision::Slow(delay) => {
            tokio::time::sleep(delay).await;
            error::finish(route(router, request).await, request_id)
        }
        // The error body (if any) is written first, so the cut goes through it too.
        Decision::Malformed => {
            truncate(error::finish(route(router, request).await, request_id)).await
        }
    }
}

async fn route(router: Router, request: Request<Incoming>) -> Response<Body> {
    router
        .oneshot(request)
        .await
        .unwrap_or_else(|never| match never {})
}

/// Closes the connection without an answer: the waiting future never completes, and the
/// connection task drops the socket as soon as it is told to.
async fn close(hang_up: &Notify) -> Response<Body> {
    hang_up.notify_one();
    std::future::pending().await
}

/// An injected 503 or 429, with `Retry-After`.
fn retry_later(status: StatusCode, seconds: u64) -> Response<Body> {
    let message = match status {
        StatusCode::TOO_MANY_REQUESTS => "Too many requests; slow down and retry later",
        _ => "The service is temporarily unavailable; retry later",
    };
    let mut response = ApiError::new(status, message).into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// The real answer with its body cut in half.
async fn truncate(response: Response<Body>) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let cut = if bytes.len() < 2 {
        bytes::Bytes::from_static(b"{\"")
    } else {
        bytes.slice(..bytes.len() / 2)
    };
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(cut))
}

#[cfg(test)]
mod tests {
    use std::io::ErrorKind;

    use super::*;

    /// Waits until the server closes the connection (or answers), reading what it sent.
    async fn closed_or_answered(client: &TcpStream) -> std::io::Result<usize> {
        loop {
            client.readable().await?;
            match client.try_read(&mut [0; 64]) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                read => return read,
            }
        }
    }

    #[tokio::test]
    async fn an_idle_connection_is_closed_when_no_headers_arrive() -> std::io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let client = TcpStream::connect(listener.local_addr()?).await?;
        let (stream, _) = listener.accept().await?;
        let answer = service_fn(|_| async { Ok::<_, Infallible>(Response::new(Body::empty())) });
        let short = http1(Duration::from_millis(50));
        tokio::spawn(short.serve_connection(TokioIo::new(stream), answer));

        // A bound far above the timeout, so that a connection held open fails the test.
        let bound = Duration::from_secs(10);
        let read = tokio::time::timeout(bound, closed_or_answered(&client)).await;

        assert!(matches!(read, Ok(Ok(_))), "{read:?}");
        Ok(())
    }
}
