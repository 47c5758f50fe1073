//! The transport keeps secrets on the wire they were meant for: no plain http to remote hosts,
//! no `Authorization` header carried across a redirect to another origin.

#![allow(clippy::expect_used)]

mod common;

use open_connectors::{Client, Error, InstanceId, InvalidInput};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn builder(url: &str) -> open_connectors::ClientBuilder {
    Client::builder()
        .base_url(url)
        .user_secret(common::USER_SECRET)
        .organization_secret(common::ORGANIZATION_SECRET)
}

#[test]
fn plain_http_to_a_remote_host_is_refused_unless_allowed() {
    let refused = builder("http://api.example.com").build();
    let allowed = builder("http://api.example.com")
        .allow_insecure_http(true)
        .build();
    let https = builder("https://api.example.com").build();
    let loopback = builder("http://localhost:8080").build();

    assert!(matches!(
        refused,
        Err(Error::InvalidInput(InvalidInput::InsecureBaseUrl { .. }))
    ));
    assert!(allowed.is_ok() && https.is_ok() && loopback.is_ok());
}

#[test]
fn a_base_url_holding_a_password_is_refused_without_printing_it() {
    let result = builder("https://me:pa55word@api.example.com").build();

    let err = result.expect_err("credentials in a URL");
    assert!(!format!("{err} {err:?}").contains("pa55word"), "{err:?}");
}

async fn redirecting_to(target: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/elements/api-v2/instances/1"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", target))
        .mount(&server)
        .await;
    server
}

fn instance_at(server: &MockServer) -> String {
    format!("{}/elements/api-v2/instances/2", server.uri())
}

fn carried_authorization(requests: &[wiremock::Request]) -> bool {
    requests
        .iter()
        .any(|r| r.headers.contains_key("authorization"))
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() -> TestResult {
    let other = MockServer::start().await;
    let server = redirecting_to(&instance_at(&other)).await;

    let result = common::client_for(&server)
        .instances()
        .get(InstanceId(1))
        .await;

    assert_eq!(result.expect_err("not followed").status(), Some(302));
    let reached = other
        .received_requests()
        .await
        .expect("the mock server records requests");
    assert!(reached.is_empty(), "{reached:?}");
    Ok(())
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_with_the_header() -> TestResult {
    let server = MockServer::start().await;
    let target = instance_at(&server);
    Mock::given(path("/elements/api-v2/instances/1"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", target.as_str()))
        .mount(&server)
        .await;
    Mock::given(path("/elements/api-v2/instances/2"))
        .and(|r: &wiremock::Request| r.headers.contains_key("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"id":2}"#, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let instance = common::client_for(&server)
        .instances()
        .get(InstanceId(1))
        .await?;

    assert_eq!(instance.id, InstanceId(2));
    Ok(())
}

#[tokio::test]
async fn a_caller_supplied_http_client_drops_the_header_across_origins() -> TestResult {
    let other = MockServer::start().await;
    Mock::given(path("/elements/api-v2/instances/2"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"id":2}"#, "application/json"))
        .mount(&other)
        .await;
    let server = redirecting_to(&instance_at(&other)).await;
    let client = builder(&server.uri())
        .http_client(reqwest::Client::builder().no_proxy().build()?)
        .build()?;

    let instance = client.instances().get(InstanceId(1)).await?;

    assert_eq!(instance.id, InstanceId(2));
    let reached = other
        .received_requests()
        .await
        .expect("the mock server records requests");
    assert!(!reached.is_empty() && !carried_authorization(&reached));
    Ok(())
}

/// Run alone, as the next test does, under a proxy from the environment.
#[tokio::test]
async fn a_loopback_call_reaches_the_server() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(path("/elements/api-v2/instances/1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"id":1}"#, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let instance = common::client_for(&server)
        .instances()
        .get(InstanceId(1))
        .await?;

    assert_eq!(instance.id, InstanceId(1));
    Ok(())
}

/// Setting environment variables inside a multi-threaded test process is unsound, so the
/// call above runs again in a child copy of this test binary whose environment names a
/// proxy on a loopback port nobody listens on.
#[test]
fn a_loopback_base_url_ignores_the_proxy_from_the_environment() -> TestResult {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let proxy = format!("http://{closed}");
    let mut child = std::process::Command::new(std::env::current_exe()?);
    child.args(["--exact", "a_loopback_call_reaches_the_server"]);
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
    ] {
        child.env(name, &proxy);
    }

    let run = child
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()?;

    let report = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{report}");
    assert!(report.contains("1 passed"), "{report}");
    Ok(())
}
