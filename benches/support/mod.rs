//! What the benchmarks share: one in-process platform stand-in on loopback, the SDK client
//! aimed at it, and the same calls written by hand with reqwest and serde_json.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use open_connectors::{Client, Configuration, Element, NewInstance};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use serde::Deserialize;

/// The documented answer to a create, served for every get and create.
pub const INSTANCE: &str = include_str!("../../tests/fixtures/rally-create-response.json");
/// The documented create request.
pub const CREATE_REQUEST: &str = include_str!("../../tests/fixtures/rally-create-request.json");
/// Two documented list items with a full element, tags and user.
pub const LIST: &str = include_str!("../../tests/fixtures/box-list-response.json");
/// The documented configuration definitions of an element.
pub const DEFINITIONS: &str = include_str!("../../tests/fixtures/element-configuration.json");
/// The documented answer to an OAuth create, with provider data.
pub const OAUTH_INSTANCE: &str = include_str!("../../tests/fixtures/dropbox-create-response.json");

const USER_SECRET: &str = "bench-user-secret";
const ORGANIZATION_SECRET: &str = "bench-organization-secret";

/// The id the fixture's instance has.
pub const INSTANCE_ID: u64 = 123_456;

/// Starts a server on 127.0.0.1 on its own thread and single-threaded runtime, so that the
/// benchmarked client runs on the other core. It answers `GET /instances/{id}` and
/// `POST /instances` with the fixture, `GET /elements/{key}` with the documented definitions
/// (the SDK reads them once, before its first create, to check requests), and lives as long
/// as the process.
pub fn start_server() -> SocketAddr {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the server");
        runtime.block_on(serve(sender));
    });
    receiver.recv().expect("the server reports its address")
}

async fn serve(sender: std::sync::mpsc::Sender<SocketAddr>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let address = listener.local_addr().expect("a bound address");
    sender
        .send(address)
        .expect("the caller waits for the address");
    let app = Router::new()
        .route("/elements/api-v2/instances/{id}", get(instance))
        .route("/elements/api-v2/instances", post(created))
        .route("/elements/api-v2/elements/{key}", get(element));
    axum::serve(listener, app).await.expect("the server runs");
}

async fn instance() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], INSTANCE)
}

async fn element() -> impl IntoResponse {
    let body = format!(
        r#"{{"id":12345,"key":"caagilecentral","name":"Rally","configuration":{DEFINITIONS}}}"#
    );
    ([(CONTENT_TYPE, "application/json")], body)
}

async fn created(_body: axum::body::Bytes) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], INSTANCE)
}

/// The SDK's client with its defaults (retries on), aimed at the loopback server.
pub fn sdk_client(address: SocketAddr) -> Client {
    Client::builder()
        .base_url(format!("http://{address}"))
        .user_secret(USER_SECRET)
        .organization_secret(ORGANIZATION_SECRET)
        .build()
        .expect("a loopback base URL makes a valid client")
}

/// The SDK's create request for the fixture's body.
pub fn sdk_create_request() -> NewInstance {
    NewInstance::builder(Element::key("caagilecentral"), "instance1")
        .configuration(Configuration::new().set_secret("api.key", "rally-api-key-placeholder"))
        .build()
        .expect("a valid request")
}

/// What a hand-written caller would decode an instance into: the fields it uses.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmallInstance {
    /// The id.
    pub id: u64,
    /// The name.
    pub name: String,
    /// The token.
    pub token: Option<String>,
    /// Whether the instance is authenticated.
    pub valid: Option<bool>,
    /// The configuration as stored.
    #[serde(default)]
    pub configuration: BTreeMap<String, Option<String>>,
}

/// The same calls written by hand: a reqwest client with the SDK's settings (connect
/// timeout, same-origin redirects, user agent), the same headers and per-request timeout,
/// the status checked, the body read and decoded with serde_json.
#[derive(Debug, Clone)]
pub struct HandWritten {
    http: reqwest::Client,
    base: String,
    authorization: HeaderValue,
    create_body: serde_json::Value,
}

impl HandWritten {
    /// A hand-written client aimed at the loopback server.
    pub fn new(address: SocketAddr) -> Self {
        let mut authorization = HeaderValue::from_str(&format!(
            "User {USER_SECRET}, Organization {ORGANIZATION_SECRET}"
        ))
        .expect("a valid header");
        authorization.set_sensitive(true);
        HandWritten {
            http: http_client(),
            base: format!("http://{address}/elements/api-v2"),
            authorization,
            create_body: serde_json::from_str(CREATE_REQUEST).expect("the fixture is JSON"),
        }
    }

    /// `GET /instances/{id}`, decoded into `T`.
    pub async fn get<T: serde::de::DeserializeOwned>(&self, id: u64) -> reqwest::Result<T> {
        let request = self.http.get(format!("{}/instances/{id}", self.base));
        self.send(request, Duration::from_secs(30)).await
    }

    /// `POST /instances` with the fixture's body, decoded into a [`SmallInstance`].
    pub async fn create(&self) -> reqwest::Result<SmallInstance> {
        let request = self
            .http
            .post(format!("{}/instances", self.base))
            .json(&self.create_body);
        self.send(request, Duration::from_secs(120)).await
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        timeout: Duration,
    ) -> reqwest::Result<T> {
        let response = request
            .timeout(timeout)
            .header(AUTHORIZATION, self.authorization.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .send()
            .await?
            .error_for_status()?;
        let body = response.bytes().await?;
        Ok(serde_json::from_slice(&body).expect("the server answers JSON"))
    }
}

/// The reqwest client the SDK builds by default, set up the same way.
fn http_client() -> reqwest::Client {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if same_origin && attempt.previous().len() < 5 {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .redirect(policy)
        .user_agent("open-connectors-rust/0.1.0")
        .no_proxy()
        .build()
        .expect("a reqwest client")
}

/// A runtime for the benchmarked client: one thread, the server has the other core.
pub fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the client")
}
