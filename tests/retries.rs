//! Retries, timeouts, deadlines and unknown outcomes, against a mock platform on loopback.

// Tests say why they expect success instead of threading errors through helpers.
#![allow(clippy::expect_used)]

mod common;

use std::time::Duration;

use open_connectors::{
    Client, Configuration, Element, Error, InstanceId, InstancePatch, NewInstance, ProviderData,
    RetryPolicy, TransportErrorKind,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const INSTANCE: &str = fixture!("rally-create-response.json");

/// A client that retries with tiny pauses, so the tests only wait for what they provoke.
fn retrying_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .user_secret(common::USER_SECRET)
        .organization_secret(common::ORGANIZATION_SECRET)
        .retry_policy(fast_policy())
        // Each test counts the requests it provokes; the element check would add its own.
        .validate_before_create(false)
        .build()
        .expect("a loopback mock server makes a valid client")
}

fn fast_policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

fn hour_long_backoff() -> RetryPolicy {
    let hour = Duration::from_secs(3600);
    RetryPolicy::default()
        .initial_backoff(hour)
        .max_backoff(hour)
}

fn new_instance() -> NewInstance {
    NewInstance::builder(Element::key("caagilecentral"), "retry-test")
        .configuration(Configuration::new().set_secret("api.key", "rally-key"))
        .build()
        .expect("a valid request")
}

fn ok_instance() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(INSTANCE, "application/json")
}

fn failing(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("elements-request-id", "req-1")
        .set_body_raw(
            r#"{"requestId":"req-1","message":"busy"}"#,
            "application/json",
        )
}

async fn mount(server: &MockServer, verb: &str, route: &str, answer: ResponseTemplate, n: u64) {
    Mock::given(method(verb))
        .and(path(route))
        .and(common::wire::platform_auth())
        .respond_with(answer)
        .up_to_n_times(n)
        .expect(n)
        .mount(server)
        .await;
}

#[tokio::test]
async fn get_is_retried_through_passing_faults() -> TestResult {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/elements/api-v2/instances/123456",
        failing(503),
        1,
    )
    .await;
    mount(
        &server,
        "GET",
        "/elements/api-v2/instances/123456",
        failing(502),
        1,
    )
    .await;
    mount(
        &server,
        "GET",
        "/elements/api-v2/instances/123456",
        ok_instance(),
        1,
    )
    .await;

    let instance = retrying_client(&server)
        .instances()
        .get(InstanceId(123456))
        .await?;

    assert_eq!(instance.id, InstanceId(123456));
    Ok(())
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_answer_is_returned() -> TestResult {
    let server = MockServer::start().await;
    mount(
        &server,
        "DELETE",
        "/elements/api-v2/instances/7",
        failing(500),
        3,
    )
    .await;

    let err = retrying_client(&server)
        .instances()
        .delete(InstanceId(7))
        .await;

    let err = err.expect_err("three 500s");
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.request_id(), Some("req-1"));
    Ok(())
}

#[tokio::test]
async fn retry_after_replaces_the_backoff() -> TestResult {
    let server = MockServer::start().await;
    let seconds = failing(503).insert_header("retry-after", "0");
    let date = failing(429).insert_header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT");
    mount(&server, "GET", "/elements/api-v2/instances/1", seconds, 1).await;
    mount(&server, "GET", "/elements/api-v2/instances/1", date, 1).await;
    mount(
        &server,
        "GET",
        "/elements/api-v2/instances/1",
        ok_instance(),
        1,
    )
    .await;
    // A backoff of an hour could never fit in the deadline: only `Retry-After` lets it retry.
    let policy = hour_long_backoff();
    let client = retrying_client(&server).with_retry_policy(policy);

    let instance = client.instances().get(InstanceId(1)).await?;

    assert_eq!(instance.name, "instance1");
    Ok(())
}

#[tokio::test]
async fn a_backoff_beyond_the_deadline_ends_in_deadline_exceeded() -> TestResult {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/elements/api-v2/instances/1",
        failing(503),
        1,
    )
    .await;
    let policy = hour_long_backoff();
    let client = retrying_client(&server).with_retry_policy(policy);

    let err = client
        .instances()
        .get(InstanceId(1))
        .await
        .expect_err("503");

    assert!(
        matches!(&err, Error::DeadlineExceeded { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(err.is_timeout());
    assert_eq!(err.status(), Some(503));
    Ok(())
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_returns_the_answer_at_once() -> TestResult {
    let server = MockServer::start().await;
    let answer = failing(503).insert_header("retry-after", "120");
    mount(&server, "GET", "/elements/api-v2/instances/1", answer, 1).await;
    let client = retrying_client(&server).with_deadline(Duration::from_secs(10));

    let err = client
        .instances()
        .get(InstanceId(1))
        .await
        .expect_err("503");

    let api = err.api().expect("the platform's answer");
    assert_eq!(api.retry_after, Some(Duration::from_secs(120)));
    Ok(())
}

#[tokio::test]
async fn a_create_answered_503_is_not_repeated_and_its_outcome_is_unknown() -> TestResult {
    let server = MockServer::start().await;
    let answer = failing(503).insert_header("retry-after", "0");
    mount(&server, "POST", "/elements/api-v2/instances", answer, 1).await;

    let err = retrying_client(&server)
        .instances()
        .create(&new_instance())
        .await;

    let err = err.expect_err("503");
    assert!(matches!(&err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.request_id(), Some("req-1"));
    Ok(())
}

#[tokio::test]
async fn a_create_refused_with_429_is_sent_again() -> TestResult {
    let server = MockServer::start().await;
    let refused = failing(429).insert_header("retry-after", "0");
    mount(&server, "POST", "/elements/api-v2/instances", refused, 1).await;
    mount(
        &server,
        "POST",
        "/elements/api-v2/instances",
        ok_instance(),
        1,
    )
    .await;

    let instance = retrying_client(&server)
        .instances()
        .create(&new_instance())
        .await?;

    assert_eq!(instance.id, InstanceId(123456));
    Ok(())
}

#[tokio::test]
async fn a_create_answered_500_is_the_platforms_refusal() -> TestResult {
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        "/elements/api-v2/instances",
        failing(500),
        1,
    )
    .await;

    let err = retrying_client(&server)
        .instances()
        .create(&new_instance())
        .await;

    let err = err.expect_err("500");
    assert_eq!(err.api().map(|a| a.status), Some(500), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn a_patch_answered_by_a_failing_gateway_has_an_unknown_outcome() -> TestResult {
    let server = MockServer::start().await;
    mount(
        &server,
        "PATCH",
        "/elements/api-v2/instances/9",
        failing(504),
        1,
    )
    .await;
    let patch = InstancePatch::new().name("renamed").build()?;

    let err = retrying_client(&server)
        .instances()
        .patch(InstanceId(9), &patch)
        .await;

    let err = err.expect_err("504");
    assert!(matches!(&err, Error::OutcomeUnknown { method, .. } if method == "PATCH"));
    Ok(())
}

#[tokio::test]
async fn a_slow_get_is_retried_after_its_timeout() -> TestResult {
    let server = MockServer::start().await;
    let slow = ok_instance().set_delay(Duration::from_secs(5));
    mount(&server, "GET", "/elements/api-v2/instances/1", slow, 1).await;
    mount(
        &server,
        "GET",
        "/elements/api-v2/instances/1",
        ok_instance(),
        1,
    )
    .await;
    let client = retrying_client(&server).with_timeout(Duration::from_millis(200));

    let instance = client.instances().get(InstanceId(1)).await?;

    assert_eq!(instance.id, InstanceId(123456));
    Ok(())
}

#[tokio::test]
async fn a_slow_create_times_out_once_with_an_unknown_outcome() -> TestResult {
    let server = MockServer::start().await;
    let slow = ok_instance().set_delay(Duration::from_secs(5));
    mount(&server, "POST", "/elements/api-v2/instances", slow, 1).await;
    let client = retrying_client(&server).with_timeout(Duration::from_millis(200));

    let err = client.instances().create(&new_instance()).await;

    let err = err.expect_err("timeout");
    let Error::OutcomeUnknown { source, .. } = &err else {
        panic!("expected an unknown outcome, got {err:?}");
    };
    assert!(source.is_timeout(), "{source:?}");
    Ok(())
}

#[tokio::test]
async fn a_deadline_that_cuts_an_attempt_short_is_reported() -> TestResult {
    // The first attempt fails at once and the second hangs far past the deadline, with an
    // attempt timeout longer still: only the deadline can end the second attempt, so the
    // count does not depend on how fast a loaded machine runs.
    let server = MockServer::start().await;
    let route = "/elements/api-v2/instances/1";
    mount(&server, "GET", route, ResponseTemplate::new(503), 1).await;
    let hanging = ok_instance().set_delay(Duration::from_secs(60));
    mount(&server, "GET", route, hanging, 1).await;
    let client = retrying_client(&server)
        .with_timeout(Duration::from_secs(120))
        .with_deadline(Duration::from_secs(2));

    let err = client
        .instances()
        .get(InstanceId(1))
        .await
        .expect_err("deadline");

    assert!(
        matches!(&err, Error::DeadlineExceeded { attempts: 2, .. }),
        "{err:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_refused_connection_never_makes_an_unknown_outcome() -> TestResult {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.local_addr()?.port()
    };
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .user_secret(common::USER_SECRET)
        .organization_secret(common::ORGANIZATION_SECRET)
        .retry_policy(fast_policy())
        .build()?;

    let err = client.instances().create(&new_instance()).await;

    let err = err.expect_err("nothing listens");
    assert!(
        matches!(
            &err,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    Ok(())
}

#[tokio::test]
async fn retries_can_be_switched_off_per_client_and_per_call() -> TestResult {
    let server = MockServer::start().await;
    mount(
        &server,
        "GET",
        "/elements/api-v2/instances/1",
        failing(503),
        2,
    )
    .await;
    let per_client = common::client_for(&server);
    let per_call = retrying_client(&server).with_retry_policy(RetryPolicy::none());

    let first = per_client.instances().get(InstanceId(1)).await;
    let second = per_call.instances().get(InstanceId(1)).await;

    assert_eq!(first.expect_err("503").status(), Some(503));
    assert_eq!(second.expect_err("503").status(), Some(503));
    Ok(())
}

#[tokio::test]
async fn a_put_is_retried_unless_it_carries_a_single_use_code() -> TestResult {
    let server = MockServer::start().await;
    mount(
        &server,
        "PUT",
        "/elements/api-v2/instances/3",
        failing(503),
        2,
    )
    .await;
    mount(
        &server,
        "PUT",
        "/elements/api-v2/instances/3",
        ok_instance(),
        1,
    )
    .await;
    let reauthenticate = NewInstance::builder(Element::key("dropbox"), "reauth")
        .provider_data(ProviderData::code("single-use-code"))
        .build()?;
    let client = retrying_client(&server);

    let with_code = client
        .instances()
        .update(InstanceId(3), &reauthenticate)
        .await;
    let plain = client
        .instances()
        .update(InstanceId(3), &new_instance())
        .await;

    let err = with_code.expect_err("503");
    assert!(matches!(&err, Error::OutcomeUnknown { method, .. } if method == "PUT"));
    assert_eq!(plain?.id, InstanceId(123456));
    Ok(())
}
