//! Shared setup: an emulator per test and a client that talks only to it.

use std::error::Error;

use open_connectors_emulator::Emulator;
use reqwest::{Client, Method, Response};
use serde_json::{Value, json};

pub type TestResult = Result<(), Box<dyn Error>>;

/// The documented Rally create request.
pub const RALLY_CREATE: &str = include_str!("../../../tests/fixtures/rally-create-request.json");

/// An emulator and a client for it.
pub struct Harness {
    pub emulator: Emulator,
    pub client: Client,
}

impl Harness {
    pub async fn start() -> Result<Self, Box<dyn Error>> {
        let emulator = Emulator::start().await?;
        // No proxy: a proxy from the environment must never see test traffic. No redirects:
        // OAuth tests read the consent page's Location themselves.
        let client = Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { emulator, client })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emulator.base_url())
    }

    pub fn platform_auth(&self) -> String {
        format!(
            "User {}, Organization {}",
            self.emulator.user_secret(),
            self.emulator.organization_secret()
        )
    }

    pub fn hub_auth(&self, token: &str) -> String {
        format!("{}, Element {token}", self.platform_auth())
    }

    /// A platform call with the right credentials.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Result<Response> {
        self.call_as(&self.platform_auth(), method, path, body)
            .await
    }

    /// A call with the given `Authorization` header.
    pub async fn call_as(
        &self,
        authorization: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Result<Response> {
        let mut request = self
            .client
            .request(method, self.url(path))
            .header("authorization", authorization);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await
    }

    pub async fn get(&self, path: &str) -> reqwest::Result<Response> {
        self.call(Method::GET, path, None).await
    }

    /// Creates a Rally instance and returns the answer.
    pub async fn create_rally(&self, name: &str, tags: &[&str]) -> Result<Value, Box<dyn Error>> {
        let body = json!({
            "element": {"key": "caagilecentral"},
            "name": name,
            "configuration": {"api.key": "rally-key"},
            "tags": tags,
        });
        let response = self.call(Method::POST, "/instances", Some(body)).await?;
        assert_eq!(response.status(), 200, "creating {name}");
        Ok(response.json().await?)
    }
}

/// Asserts the platform's error shape and returns the message.
pub async fn error_message(response: Response, status: u16) -> Result<String, Box<dyn Error>> {
    assert_eq!(response.status(), status);
    let header_id = response
        .headers()
        .get("elements-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await?;
    let request_id = body["requestId"].as_str().unwrap_or_default();
    assert_eq!(request_id.len(), 24);
    assert!(request_id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(header_id.as_deref(), Some(request_id));
    Ok(body["message"].as_str().unwrap_or_default().to_owned())
}
