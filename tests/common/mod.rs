//! Shared setup for the integration tests.

// Each test binary uses only some of these helpers; a helper that cannot set up its server
// has nothing sensible to return but a failed test.
#![allow(dead_code, clippy::expect_used)]

pub mod capture;
pub mod wire;

use std::time::Duration;

use futures_util::{Stream, StreamExt, TryStreamExt};
use open_connectors::{Client, Error, RetryPolicy};
use open_connectors_emulator::Emulator;
use wiremock::MockServer;

/// The user secret the mock-server tests sign with.
pub const USER_SECRET: &str = "user+Secret/1=";
/// The organization secret the mock-server tests sign with.
pub const ORGANIZATION_SECRET: &str = "org/Secret+2=";
/// The `Authorization` header those two secrets make.
pub const PLATFORM_AUTH: &str = "User user+Secret/1=, Organization org/Secret+2=";

/// A fixture's text, as copied unchanged from the platform's documented examples.
#[macro_export]
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/",
            $name
        ))
    };
}

/// Far more time than any stream in these tests needs on loopback.
pub const STREAM_BOUND: Duration = Duration::from_secs(30);

/// Collects at most `limit` items of a stream within [`STREAM_BOUND`]: a stream that runs on
/// past its last page then fails the test (too many items, or out of time) instead of
/// holding the test run forever.
pub async fn collect_bounded<T>(
    stream: impl Stream<Item = Result<T, Error>>,
    limit: usize,
) -> Result<Vec<T>, Error> {
    let collect = stream.take(limit).try_collect();
    tokio::time::timeout(STREAM_BOUND, collect)
        .await
        .expect("the stream ends within its time bound")
}

/// A client aimed at a mock server on loopback, with retries off so that each test sees
/// exactly the requests it sets up.
pub fn client_for(server: &MockServer) -> Client {
    client_with(&server.uri(), USER_SECRET, ORGANIZATION_SECRET, true)
        .expect("a loopback mock server makes a valid client")
}

/// A client like [`client_for`] that leaves the judgement of a create to the platform, so
/// that a test sees the platform's answer to exactly the request it sends.
pub fn unvalidated_client(server: &MockServer) -> Result<Client, Error> {
    client_with(&server.uri(), USER_SECRET, ORGANIZATION_SECRET, false)
}

/// A client for the emulator's own account, with retries off so each call is one request;
/// `validate` says whether a create is checked against the element before it is sent.
pub fn emulator_client(emulator: &Emulator, validate: bool) -> Result<Client, Error> {
    let (user, organization) = (emulator.user_secret(), emulator.organization_secret());
    client_with(&emulator.base_url(), user, organization, validate)
}

/// A client for any loopback server with these secrets and retries off.
pub fn client_with(
    base_url: &str,
    user: &str,
    organization: &str,
    validate: bool,
) -> Result<Client, Error> {
    Client::builder()
        .base_url(base_url)
        .user_secret(user)
        .organization_secret(organization)
        .retry_policy(RetryPolicy::none())
        .validate_before_create(validate)
        .build()
}
