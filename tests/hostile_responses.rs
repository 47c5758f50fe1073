//! Broken and hostile answers: each becomes a typed error, never a panic or unbounded memory.
//!
//! wiremock serves well-formed HTTP; the answers it cannot give (truncated bodies, lying
//! `Content-Length`, chunked floods, dropped connections) come from a raw TCP server on
//! loopback.

#![allow(clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use open_connectors::{
    Client, Element, Error, InstanceId, ListInstances, NewInstance, RetryPolicy, TransportErrorKind,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const TOKEN: &str = "Q2hhbmdlTWVJbkFQcm9qZWN0T2ZZb3Vyc0FuZFRvbz0=";
const SHORT_TOKEN: &str = "tok/9+=";

async fn answer_get(body: ResponseTemplate) -> Result<Error, Box<dyn std::error::Error>> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/elements/api-v2/instances/1"))
        .respond_with(body)
        .expect(1)
        .mount(&server)
        .await;
    let result = common::client_for(&server)
        .instances()
        .get(InstanceId(1))
        .await;
    Ok(result.expect_err("a broken answer must fail"))
}

fn raw(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("elements-request-id", "req-7")
        .set_body_raw(body.as_bytes().to_vec(), "application/json")
}

fn new_instance() -> NewInstance {
    NewInstance::builder(Element::key("caagilecentral"), "hostile")
        .build()
        .expect("a valid request")
}

fn decode(err: &Error) -> &open_connectors::DecodeError {
    match err {
        Error::Decode(decode) => decode,
        Error::OutcomeUnknown { source, .. } => decode(source),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_html_error_page_becomes_an_api_error_with_a_short_excerpt() -> TestResult {
    let page = format!("<html><body>{}</body></html>", "Bad gateway. ".repeat(500));

    let err = answer_get(raw(502, &page).insert_header("content-type", "text/html")).await?;

    let api = err.api().expect("an error status");
    assert_eq!(api.status, 502);
    assert_eq!(api.request_id.as_deref(), Some("req-7"));
    let message = api.message.as_deref().expect("an excerpt");
    assert!(message.starts_with("<html>") && message.chars().count() <= 201);
    Ok(())
}

#[tokio::test]
async fn an_empty_body_is_a_decode_error_with_status_and_request_id() -> TestResult {
    let err = answer_get(raw(200, "")).await?;

    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("req-7"));
    assert_eq!(decode(&err).excerpt, "");
    Ok(())
}

#[tokio::test]
async fn truncated_json_names_no_secret_in_its_excerpt() -> TestResult {
    let body = format!(r#"{{"id":1,"name":"a","token":"{SHORT_TOKEN}","configuration":{{"api"#);

    let err = answer_get(raw(200, &body)).await?;

    let printed = format!("{err} {err:?} {err:#?}");
    assert!(decode(&err).excerpt.contains("\"name\":\"a\""), "{printed}");
    assert!(!printed.contains(SHORT_TOKEN), "{printed}");
    Ok(())
}

#[tokio::test]
async fn the_wrong_json_type_names_its_path() -> TestResult {
    let wrong_id = answer_get(raw(200, r#"{"id":{"x":1},"name":"a"}"#)).await?;
    let wrong_nested = answer_get(raw(200, r#"{"id":1,"element":{"id":[1.5]}}"#)).await?;
    let a_list = answer_get(raw(200, "[]")).await?;

    assert_eq!(decode(&wrong_id).path, "id");
    assert_eq!(decode(&wrong_nested).path, "element.id");
    assert_eq!(decode(&a_list).path, ".");
    Ok(())
}

#[tokio::test]
async fn invalid_utf8_is_a_decode_error() -> TestResult {
    let body = b"{\"id\":1,\"name\":\"\xff\xfe\"}".to_vec();

    let err = answer_get(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await?;

    assert_eq!(decode(&err).status, 200);
    Ok(())
}

#[tokio::test]
async fn a_list_answered_with_an_object_is_a_decode_error() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/elements/api-v2/instances"))
        .respond_with(raw(200, r#"{"id":1}"#))
        .mount(&server)
        .await;

    let err = common::client_for(&server).instances().list().await;

    assert_eq!(decode(&err.expect_err("not a list")).path, ".");
    Ok(())
}

#[tokio::test]
async fn a_204_is_fine_for_a_delete_and_a_typed_error_where_an_instance_is_due() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(path("/elements/api-v2/instances/1"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = common::client_for(&server);

    let deleted = client.instances().delete(InstanceId(1)).await;
    let got = client.instances().get(InstanceId(1)).await;

    assert!(deleted.is_ok(), "{deleted:?}");
    assert_eq!(got.expect_err("no instance").status(), Some(204));
    Ok(())
}

#[tokio::test]
async fn a_create_whose_success_cannot_be_read_has_an_unknown_outcome() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;

    let err = common::client_for(&server)
        .instances()
        .create(&new_instance())
        .await;

    let err = err.expect_err("no instance in the answer");
    assert!(matches!(&err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert_eq!(err.status(), Some(202));
    Ok(())
}

#[tokio::test]
async fn a_201_with_the_instance_is_accepted() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(raw(201, fixture!("rally-create-response.json")))
        .mount(&server)
        .await;

    let instance = common::client_for(&server)
        .instances()
        .create(&new_instance())
        .await?;

    assert_eq!(instance.id, InstanceId(123456));
    Ok(())
}

#[tokio::test]
async fn a_secret_in_an_error_message_is_scrubbed() -> TestResult {
    let body = format!(r#"{{"requestId":"r","message":"token {TOKEN} is not valid"}}"#);

    let err = answer_get(raw(401, &body)).await?;

    let printed = format!("{err} {err:?}");
    assert!(!printed.contains(TOKEN), "{printed}");
    assert!(printed.contains("is not valid"), "{printed}");
    Ok(())
}

/// A server on loopback that answers every connection with the same raw bytes, after reading
/// the request, and then closes it.
struct RawServer {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl RawServer {
    async fn start(answer: Vec<u8>) -> std::io::Result<RawServer> {
        RawServer::start_with(answer, false).await
    }

    /// Like [`RawServer::start`], but the connection then stays open, silent.
    async fn start_stalling(answer: Vec<u8>) -> std::io::Result<RawServer> {
        RawServer::start_with(answer, true).await
    }

    async fn start_with(answer: Vec<u8>, stall: bool) -> std::io::Result<RawServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, answer.clone(), stall));
            }
        });
        Ok(RawServer { port, connections })
    }

    fn client(&self, limit: usize) -> Client {
        Client::builder()
            .base_url(format!("http://127.0.0.1:{}", self.port))
            .user_secret(common::USER_SECRET)
            .organization_secret(common::ORGANIZATION_SECRET)
            .retry_policy(RetryPolicy::none())
            .max_response_body(limit)
            // Only the call under test may reach this server.
            .validate_before_create(false)
            .build()
            .expect("a loopback URL makes a valid client")
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn serve(mut stream: TcpStream, answer: Vec<u8>, stall: bool) {
    if read_request(&mut stream).await.is_err() {
        return;
    }
    // The client may hang up once it has seen enough; that is what some tests provoke.
    let _ = stream.write_all(&answer).await;
    if stall {
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest).await;
    }
    let _ = stream.shutdown().await;
}

/// Reads the request head and as much body as its `Content-Length` announces.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<()> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        seen.extend_from_slice(&buf[..n]);
        let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if seen.len() >= end + 4 + length {
            return Ok(());
        }
    }
}

fn head(status: &str, headers: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\nelements-request-id: raw-1\r\n{headers}\r\n").into_bytes()
}

#[tokio::test]
async fn a_chunked_flood_stops_at_the_body_limit() -> TestResult {
    let mut answer = head("200 OK", "transfer-encoding: chunked\r\n");
    let chunk = format!("{:x}\r\n{}\r\n", 8192, "x".repeat(8192));
    answer.extend(chunk.repeat(128).into_bytes());
    answer.extend(b"0\r\n\r\n");
    let server = RawServer::start(answer).await?;

    let err = server
        .client(64 * 1024)
        .instances()
        .get(InstanceId(1))
        .await;

    let err = err.expect_err("too large");
    assert!(
        matches!(
            &err,
            Error::BodyTooLarge {
                status: 200,
                limit: 65536,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.request_id(), Some("raw-1"));
    Ok(())
}

#[tokio::test]
async fn an_announced_length_over_the_limit_is_refused_before_reading() -> TestResult {
    let mut answer = head("200 OK", "content-length: 999999999\r\n");
    answer.extend(b"{}");
    let server = RawServer::start(answer).await?;

    let err = server.client(1024).instances().get(InstanceId(1)).await;

    assert!(matches!(err, Err(Error::BodyTooLarge { .. })), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn a_body_shorter_than_its_length_is_a_transport_error() -> TestResult {
    let mut answer = head("200 OK", "content-length: 500\r\n");
    answer.extend(br#"{"id":1,"na"#);
    let server = RawServer::start(answer).await?;

    let err = server.client(1024).instances().get(InstanceId(1)).await;

    let err = err.expect_err("truncated");
    assert!(err.is_retryable(), "{err:?}");
    assert!(matches!(&err, Error::Transport { .. }), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn a_body_longer_than_its_length_is_cut_and_fails_to_decode() -> TestResult {
    let mut answer = head("200 OK", "content-length: 10\r\n");
    answer.extend(br#"{"id":1,"name":"instance"}"#);
    let server = RawServer::start(answer).await?;

    let err = server.client(1024).instances().get(InstanceId(1)).await;

    let err = err.expect_err("cut");
    let excerpt = &decode(&err).excerpt;
    assert!(excerpt.starts_with(r#"{"id":1,"n"#), "{excerpt}");
    assert!(!excerpt.contains("instance"), "{excerpt}");
    Ok(())
}

#[tokio::test]
async fn a_body_that_stops_coming_is_bounded_by_the_timeout() -> TestResult {
    let mut answer = head("200 OK", "content-length: 500\r\n");
    answer.extend(br#"{"id":1,"name":"#);
    let server = RawServer::start_stalling(answer).await?;
    let client = server
        .client(1024)
        .with_timeout(std::time::Duration::from_millis(200));

    let err = client.instances().get(InstanceId(1)).await;

    let err = err.expect_err("stalled");
    assert!(err.is_timeout(), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn a_connection_dropped_before_answering_a_get_is_retryable() -> TestResult {
    let server = RawServer::start(Vec::new()).await?;

    let err = server.client(1024).instances().get(InstanceId(1)).await;

    let err = err.expect_err("no answer");
    assert!(err.is_retryable() && !err.is_connect(), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn a_connection_dropped_after_sending_a_create_leaves_its_outcome_unknown() -> TestResult {
    let server = RawServer::start(Vec::new()).await?;
    let client = server
        .client(1024)
        .with_retry_policy(RetryPolicy::default());

    let err = client.instances().create(&new_instance()).await;

    let err = err.expect_err("no answer");
    let Error::OutcomeUnknown { source, .. } = &err else {
        panic!("expected an unknown outcome, got {err:?}");
    };
    assert!(
        !matches!(
            **source,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                ..
            }
        ),
        "{source:?}"
    );
    assert_eq!(server.connections(), 1, "a create must not be sent twice");
    Ok(())
}

#[tokio::test]
async fn a_search_answered_404_with_html_is_an_empty_page() -> TestResult {
    let mut answer = head("404 Not Found", "content-length: 3\r\n");
    answer.extend(b"<b>");
    let server = RawServer::start(answer).await?;
    let query = ListInstances::new().search_text("x");

    let page = server.client(1024).instances().list_page(&query).await;

    assert!(page.is_ok_and(|p| p.items.is_empty()));
    Ok(())
}
