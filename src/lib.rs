//! Rust SDK for the SAP Open Connectors platform API (formerly Cloud Elements).
//!
//! Provision *connector instances* — an authenticated link from the platform to one customer's
//! account at a vendor such as Rally, Salesforce or Dropbox — then manage them, with typed
//! builders, one error type and tolerant decoding of the platform's answers.
//!
//! # Quick start
//!
//! Create an instance of the Rally connector (element key `caagilecentral`) and keep its token:
//!
//! ```no_run
//! use open_connectors::{Client, Configuration, Element, Error, NewInstance};
//!
//! # async fn run() -> Result<(), Error> {
//! // OPEN_CONNECTORS_BASE_URL, OPEN_CONNECTORS_USER_SECRET, OPEN_CONNECTORS_ORGANIZATION_SECRET
//! let client = Client::from_env()?;
//!
//! let request = NewInstance::builder(Element::key("caagilecentral"), "instance1")
//!     .configuration(Configuration::new().set_secret("api.key", "my Rally API key"))
//!     .build()?;
//!
//! match client.instances().create(&request).await {
//!     Ok(instance) => println!("created instance {} ({})", instance.id, instance.name),
//!     Err(Error::MissingConfiguration(missing)) => {
//!         let keys: Vec<&str> = missing.keys().collect();
//!         eprintln!("the connector also needs: {}", keys.join(", "));
//!     }
//!     Err(other) => return Err(other),
//! }
//! # Ok(()) }
//! ```
//!
//! # Shape
//!
//! - [`Client`] holds the base URL and the account's two secrets and signs every call with
//!   `Authorization: User <secret>, Organization <secret>`.
//! - [`Client::instances`] creates, reads, lists, changes and deletes instances, and manages
//!   their configuration entries, enabled state and trace logging.
//! - [`Client::elements`] reads the connector catalogue, configuration definitions and
//!   metadata; [`ElementRequirements`] checks a create request before it is sent.
//! - [`OAuthApp`], [`OAuthState`] and [`OAuthCallback`] carry the OAuth 2 and OAuth 1
//!   provisioning flows.
//! - [`NewInstance`], [`Configuration`] and [`Element`] build requests; `build()` refuses what
//!   the platform would refuse.
//! - [`Client::hub`] makes a [`HubClient`] for connector calls on one instance
//!   (`/hubs/{hub}/{resource}`), with typed or raw bodies, [`Where`] queries, pages and
//!   streams, and [`HubClient::ping`].
//! - [`EventsConfiguration`] turns events on; [`verify_and_decode`] checks and reads the
//!   notifications the platform posts back.
//! - [`Error`] is the one error type; [`Error::MissingConfiguration`] lists missing entries.
//!
//! # Secrets
//!
//! Secrets stay in [`secrecy`] types from the setter to the header. No type of this crate
//! prints one in `Debug` or `Display`, and the `Authorization` header is marked sensitive.
//!
//! # Retries, timeouts and unknown outcomes
//!
//! Every call has a per-attempt timeout and a total deadline, and is retried by default when
//! that is safe: `GET`, `PUT` and `DELETE` after passing faults, a create or patch only when
//! the platform provably did not act on it. When a create may have been carried out but the
//! client cannot tell, it fails with [`Error::OutcomeUnknown`] and is never sent twice. See
//! [`RetryPolicy`] and [`ClientBuilder`]. Answers are read up to
//! [`DEFAULT_MAX_RESPONSE_BODY`] bytes unless [`ClientBuilder::max_response_body`] says
//! otherwise.
//!
//! # Not covered yet
//!
//! These platform APIs have no typed calls yet; reach them with another HTTP client and the
//! same `Authorization` header if you need them:
//!
//! - instance events (`/instances/{id}/events`), to see what an instance received and
//!   whether it was delivered;
//! - transformations and object definitions (`/instances/{id}/transformations`,
//!   `/instances/{id}/objects/{objectName}/definitions`), to map vendor fields to your own
//!   common objects;
//! - an instance's Swagger (`/instances/{id}/docs`), to discover its resources and fields;
//! - the instances of one element (`GET /elements/{keyOrId}/instances`); use
//!   [`ListInstances::search_text`] with the element key meanwhile;
//! - asynchronous hub calls (`Elements-Async-Request`), for vendor calls too slow to wait for;
//! - hub bodies that are not JSON, such as documents to upload or download.
//!
//! # Testing offline
//!
//! The workspace's `open-connectors-emulator` package is a local, in-memory platform on
//! 127.0.0.1; the examples and tests run against it, and so can yours:
//!
//! ```
//! use open_connectors::{Client, Configuration, Element, NewInstance};
//! use open_connectors_emulator::Emulator;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = Emulator::start().await?;
//! let client = Client::builder()
//!     .base_url(emulator.base_url())
//!     .user_secret(emulator.user_secret())
//!     .organization_secret(emulator.organization_secret())
//!     .build()?;
//!
//! let request = NewInstance::builder(Element::key("caagilecentral"), "offline")
//!     .configuration(Configuration::new().set_secret("api.key", "a demo key"))
//!     .build()?;
//! let instance = client.instances().create(&request).await?;
//! assert!(instance.token.is_some());
//! assert!(instance.configuration.is_masked("api.key"));
//! # Ok(()) }
//! ```

mod auth;
mod client;
mod configuration;
mod element;
mod elements;
mod error;
mod events;
pub mod hosts;
mod hub;
mod instances;
mod lenient;
mod oauth;
mod pagination;
mod retry;
mod scrub;
mod transport;

pub use auth::{Credentials, InstanceToken, OrganizationSecret, UserSecret};
pub use client::{
    API_PATH, Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_CREATE_TIMEOUT,
    DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BODY, DEFAULT_TIMEOUT, ENV_BASE_URL,
    ENV_ORGANIZATION_SECRET, ENV_USER_SECRET,
};
pub use configuration::{ConfigValue, Configuration, EventVendorType, NotificationType, keys};
pub use element::{Element, ElementAuthentication, ElementDetails, ElementId, ElementKey};
pub use elements::{
    ConfigDefinition, ConfigType, ElementMetadata, ElementRequirements, Elements, EventsMetadata,
    ListElements, OAuthVersion,
};
pub use error::{
    ApiError, ApiErrorKind, DecodeError, Error, InvalidInput, MissingConfiguration, MissingEntry,
    Result, TransportErrorKind,
};
pub use events::{
    DatesConfiguration, Event, EventType, EventsConfiguration, Notification, PollerConfiguration,
    ResourcePoller, SIGNATURE_HEADER, SignatureKey, WEBHOOK_ID_HEADER, WebhookError,
    verify_and_decode,
};
pub use hub::{
    ELEMENT_INSTANCE_ID, HubClient, HubQuery, HubResponse, Literal, PingStatus, Where,
    quote_literal,
};
pub use instances::{
    ConfigEntry, ConfigEntryId, ExternalAuthentication, Instance, InstanceConfiguration,
    InstanceId, InstancePatch, InstanceUser, Instances, ListInstances, NewInstance,
    NewInstanceBuilder, ProviderData, Tag,
};
pub use oauth::{
    OAuthApp, OAuthCallback, OAuthError, OAuthRequestToken, OAuthState, OAuthUrl, OAuthUrlRequest,
};
pub use pagination::{NEXT_PAGE_TOKEN, Page, RETURNED_COUNT, TOTAL_COUNT};
pub use retry::RetryPolicy;
pub use scrub::is_secret_key;

pub use secrecy;
pub use url::Url;
