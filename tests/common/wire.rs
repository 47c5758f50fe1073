//! Matchers and answers that pin the platform API on the wire, for the mock-server tests.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

/// The path every platform call sits under.
pub const API: &str = "/elements/api-v2";

/// The header the platform puts its request id in.
pub const REQUEST_ID_HEADER: &str = "Elements-Request-Id";

/// Matches an `Authorization` header sent once and byte for byte.
///
/// wiremock's own `header` matcher splits values at commas, and the platform's header has a
/// comma between its parts, so it could never match the real value.
#[derive(Debug)]
pub struct ExactAuthorization(pub &'static str);

impl Match for ExactAuthorization {
    fn matches(&self, request: &Request) -> bool {
        let sent: Vec<_> = request.headers.get_all("authorization").iter().collect();
        sent.len() == 1 && sent[0].as_bytes() == self.0.as_bytes()
    }
}

/// The `Authorization` header of a platform call made with `common::client_for`.
pub fn platform_auth() -> ExactAuthorization {
    ExactAuthorization(super::PLATFORM_AUTH)
}

/// Matches the whole query string: these pairs, in this order, and nothing else.
#[derive(Debug)]
pub struct ExactQuery(Vec<(String, String)>);

impl Match for ExactQuery {
    fn matches(&self, request: &Request) -> bool {
        let sent: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        sent == self.0
    }
}

/// A query of exactly these pairs; no pairs means no query at all.
pub fn exact_query<const N: usize>(pairs: [(&str, &str); N]) -> ExactQuery {
    ExactQuery(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

/// An answer with a JSON body exactly as given, such as a fixture's text.
pub fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

/// The path of an instance, under the API path.
pub fn instance_path(id: u64) -> String {
    format!("{API}/instances/{id}")
}

/// The Rally element as the platform describes it.
pub fn rally_element() -> serde_json::Value {
    json!({"id": 12345, "key": "caagilecentral", "name": "Rally", "authenticationType": "custom"})
}

/// Answers the two reads a validating create makes first: the Rally element, and its
/// configuration definitions from the fixture, each expected `expected_reads` times.
pub async fn mount_rally_requirements(server: &MockServer, expected_reads: u64) {
    let element = rally_element();
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements/caagilecentral")))
        .and(platform_auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(element))
        .expect(expected_reads)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements/caagilecentral/configuration")))
        .and(platform_auth())
        .respond_with(json(200, crate::fixture!("element-configuration.json")))
        .expect(expected_reads)
        .mount(server)
        .await;
}
