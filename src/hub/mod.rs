//! Connector (hub) calls: the vendor's resources, reached through the platform with one
//! instance's token.
//!
//! Every connector belongs to a *hub* (Rally to `general`, Salesforce to `crm`, …) and its
//! resources sit under `/hubs/{hub}/{resource}`. A call names the instance by its token, in a
//! third part of the `Authorization` header: `User …, Organization …, Element <token>`.

mod ping;
mod query;

use std::fmt;

use crate::scrub::MASK;
use crate::transport::HeaderValue;
use crate::transport::Method;
use futures_core::Stream;
use secrecy::SecretString;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use ping::PingStatus;
pub use query::{HubQuery, Literal, Where, quote_literal};

use crate::auth::InstanceToken;
use crate::client::Client;
use crate::error::{Error, InvalidInput, Result};
use crate::instances::{Instance, InstanceId};
use crate::pagination::{Page, stream_pages};
use crate::transport::{REQUEST_ID, Request, Response};

/// The response header that names the instance a connector call went through.
pub const ELEMENT_INSTANCE_ID: &str = "elements-element-instance-id";

impl Client {
    /// A client for connector calls on one instance, in the hub its element belongs to
    /// (such as `general` for Rally).
    ///
    /// ```no_run
    /// # async fn run(client: open_connectors::Client) -> Result<(), open_connectors::Error> {
    /// let rally = client.hub("general", "the instance token")?;
    /// let defect: serde_json::Value = rally.get("defects", 12345).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the hub name is empty, `.` or `..`, or the token cannot
    /// travel in a header.
    pub fn hub(
        &self,
        hub: impl Into<String>,
        token: impl Into<InstanceToken>,
    ) -> Result<HubClient> {
        HubClient::new(self.clone(), hub.into(), &token.into())
    }

    /// A client for connector calls on an instance as the platform returned it, with its
    /// token.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the instance carries no token (list answers may leave it
    /// out), and as [`hub`](Self::hub).
    pub fn hub_for(&self, instance: &Instance, hub: impl Into<String>) -> Result<HubClient> {
        let token = instance.token.as_ref().ok_or(InvalidInput::Value {
            field: "instance token",
            reason: format!("instance {} was returned without its token", instance.id),
        })?;
        HubClient::new(self.clone(), hub.into(), token)
    }
}

/// Connector calls on one instance, in one hub; from [`Client::hub`] or [`Client::hub_for`].
///
/// Responses decode into the caller's own types; use [`serde_json::Value`] where none fits.
/// Calls that read or replace (`GET`, `PUT`, `DELETE`) are retried as the client allows;
/// calls that create or patch are not, once they may have reached the platform.
#[derive(Clone)]
pub struct HubClient {
    client: Client,
    hub: String,
    authorization: HeaderValue,
    token: SecretString,
}

/// A decoded answer with what the platform said about the call.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HubResponse<T> {
    /// The decoded body.
    pub value: T,
    /// The instance that served the call (`Elements-Element-Instance-Id`).
    pub instance_id: Option<InstanceId>,
    /// The platform's id for the request (`Elements-Request-Id`).
    pub request_id: Option<String>,
}

impl HubClient {
    fn new(client: Client, hub: String, token: &InstanceToken) -> Result<Self> {
        if hub.trim().is_empty() {
            return Err(Error::InvalidInput(InvalidInput::Value {
                field: "hub",
                reason: "the hub name is empty".to_owned(),
            }));
        }
        crate::transport::check_segment("hub", &hub)?;
        let authorization = client.credentials().hub_header(token)?;
        Ok(HubClient {
            client,
            hub,
            authorization,
            token: SecretString::from(token.expose_secret()),
        })
    }

    /// The hub these calls go to, such as `general`.
    pub fn hub(&self) -> &str {
        &self.hub
    }

    /// Reads one item (`GET /hubs/{hub}/{resource}/{id}`).
    ///
    /// # Errors
    ///
    /// `404` for an unknown id, `401` for a deleted instance's token, `403` while the
    /// instance is disabled; [`Error::Decode`] when the body does not fit `T`.
    pub async fn get<T: DeserializeOwned>(
        &self,
        resource: &str,
        id: impl fmt::Display,
    ) -> Result<T> {
        let call = self.request(
            Method::GET,
            "/hubs/{hub}/{resource}/{id}",
            resource,
            Some(id),
        );
        self.send(call).await?.json()
    }

    /// Like [`get`](Self::get), with the instance id and request id of the answer.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub async fn get_with_metadata<T: DeserializeOwned>(
        &self,
        resource: &str,
        id: impl fmt::Display,
    ) -> Result<HubResponse<T>> {
        let call = self.request(
            Method::GET,
            "/hubs/{hub}/{resource}/{id}",
            resource,
            Some(id),
        );
        with_metadata(&self.send(call).await?)
    }

    /// One page of a resource (`GET /hubs/{hub}/{resource}`), filtered and ordered by `query`.
    ///
    /// # Errors
    ///
    /// `400` for a `where` expression the vendor cannot parse; otherwise as [`get`](Self::get).
    pub async fn list<T: DeserializeOwned>(
        &self,
        resource: &str,
        query: &HubQuery,
    ) -> Result<Page<T>> {
        let call = self.list_request(resource, query);
        Page::from_response(&self.send(call).await?)
    }

    /// Every item of a resource matching `query`, one page at a time, following
    /// `Elements-Next-Page-Token`.
    ///
    /// The stream ends at the first page without a next-page token, or without items even if
    /// it carries a token (the platform sends one only while more items remain); a token the
    /// platform repeats fails it with [`Error::RepeatedPageToken`].
    ///
    /// ```no_run
    /// # async fn run(rally: open_connectors::HubClient) -> Result<(), open_connectors::Error> {
    /// use futures_util::TryStreamExt;
    /// use open_connectors::{HubQuery, Where};
    ///
    /// let query = HubQuery::new().filter(Where::eq("ScheduleState", "Completed")).page_size(200);
    /// let mut defects = std::pin::pin!(rally.stream::<serde_json::Value>("defects", query));
    /// while let Some(defect) = defects.try_next().await? {
    ///     println!("{}", defect["Name"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream<T>(
        &self,
        resource: &str,
        query: HubQuery,
    ) -> impl Stream<Item = Result<T>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
    {
        let hub = self.clone();
        let resource = resource.to_owned();
        stream_pages(move |next| {
            let call = hub.list_request(&resource, &query.clone().next_page(next));
            let hub = hub.clone();
            async move { Page::from_response(&hub.send(call).await?) }
        })
    }

    /// Creates an item (`POST /hubs/{hub}/{resource}`). Never repeated once it may have
    /// reached the platform, since a repeat would create a second item.
    ///
    /// # Errors
    ///
    /// [`Error::OutcomeUnknown`] when the connection failed after sending; otherwise the
    /// platform's error, with the vendor's words in `provider_message`.
    pub async fn create<B, T>(&self, resource: &str, body: &B) -> Result<T>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let call = self.request(
            Method::POST,
            "/hubs/{hub}/{resource}",
            resource,
            None::<&str>,
        );
        self.send(call.json(&body)?).await?.json()
    }

    /// Replaces an item (`PUT /hubs/{hub}/{resource}/{id}`).
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub async fn update<B, T>(&self, resource: &str, id: impl fmt::Display, body: &B) -> Result<T>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let call = self.request(
            Method::PUT,
            "/hubs/{hub}/{resource}/{id}",
            resource,
            Some(id),
        );
        self.send(call.json(&body)?).await?.json()
    }

    /// Changes part of an item (`PATCH /hubs/{hub}/{resource}/{id}`).
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create).
    pub async fn patch<B, T>(&self, resource: &str, id: impl fmt::Display, body: &B) -> Result<T>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let call = self.request(
            Method::PATCH,
            "/hubs/{hub}/{resource}/{id}",
            resource,
            Some(id),
        );
        self.send(call.json(&body)?).await?.json()
    }

    /// Deletes an item (`DELETE /hubs/{hub}/{resource}/{id}`).
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub async fn delete(&self, resource: &str, id: impl fmt::Display) -> Result<()> {
        let call = self.request(
            Method::DELETE,
            "/hubs/{hub}/{resource}/{id}",
            resource,
            Some(id),
        );
        self.send(call).await.map(drop)
    }

    fn list_request(&self, resource: &str, query: &HubQuery) -> Request {
        let call = self.request(
            Method::GET,
            "/hubs/{hub}/{resource}",
            resource,
            None::<&str>,
        );
        query.apply(call)
    }

    /// A request to `/hubs/{hub}/{resource}[/{id}]`. A resource path with slashes, such as
    /// `accounts/12/contacts`, is split so that each part is encoded on its own; an empty,
    /// `.` or `..` part is refused when the request is sent.
    fn request(
        &self,
        method: Method,
        template: &'static str,
        resource: &str,
        id: Option<impl fmt::Display>,
    ) -> Request {
        let mut segments = vec!["hubs".to_owned(), self.hub.clone()];
        segments.extend(resource.trim_matches('/').split('/').map(str::to_owned));
        segments.extend(id.map(|id| id.to_string()));
        Request::new(method, template, segments)
            .authorization(self.authorization.clone())
            .redact([self.token.clone()])
    }

    async fn send(&self, call: Request) -> Result<Response> {
        self.client.send(call).await
    }
}

impl fmt::Debug for HubClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubClient")
            .field("hub", &self.hub)
            .field("base_url", &self.client.base_url().as_str())
            .field("authorization", &MASK)
            .finish()
    }
}

fn with_metadata<T: DeserializeOwned>(response: &Response) -> Result<HubResponse<T>> {
    Ok(HubResponse {
        value: response.json()?,
        instance_id: instance_id(response),
        request_id: response.header(REQUEST_ID).map(str::to_owned),
    })
}

fn instance_id(response: &Response) -> Option<InstanceId> {
    let id = response.header(ELEMENT_INSTANCE_ID)?.trim().parse().ok()?;
    Some(InstanceId(id))
}
