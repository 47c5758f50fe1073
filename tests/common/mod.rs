//! Shared setup for the integration tests.

// Each test binary uses only some of these helpers; a helper that cannot set up its server
// has nothing sensible to return but a failed test.
#![allow(dead_code, clippy::expect_used)]

use open_connectors::{Client, RetryPolicy};
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

/// A client aimed at a mock server on loopback, with retries off so that each test sees
/// exactly the requests it sets up.
pub fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .user_secret(USER_SECRET)
        .organization_secret(ORGANIZATION_SECRET)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a loopback mock server makes a valid client")
}
