//! Connector instances: create, read, list, change and delete them.

mod config_entry;
mod lifecycle;
mod model;
mod request;

use crate::transport::Method;
use futures_core::Stream;

pub use config_entry::{ConfigEntry, ConfigEntryId};
pub use model::{Instance, InstanceConfiguration, InstanceId, InstanceUser, Tag};
pub use request::{
    ExternalAuthentication, InstancePatch, NewInstance, NewInstanceBuilder, ProviderData,
};

use crate::client::Client;
use crate::elements::ElementRequirements;
use crate::error::{Error, MissingConfiguration, MissingEntry, Result};
use crate::pagination::{Page, stream_pages};
use crate::transport::Request;

/// The instance API, from [`Client::instances`].
#[derive(Debug, Clone, Copy)]
pub struct Instances<'a> {
    client: &'a Client,
}

impl<'a> Instances<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Instances { client }
    }

    /// Creates an instance (`POST /instances`). The answer carries the instance's token.
    ///
    /// Unless the client was built with
    /// [`validate_before_create(false)`](crate::ClientBuilder::validate_before_create), the
    /// request is first checked against its element's
    /// [requirements](crate::Elements::requirements) (fetched once per element and cached): a
    /// missing required entry, or a missing OAuth code, fails without sending the create. If
    /// the requirements cannot be fetched, the create is sent unchecked and the platform judges;
    /// when the platform refused to show them (`401`, `403`, `404`, …) the client remembers it
    /// and does not ask again for that element.
    ///
    /// So the first create for an element may make up to two element `GET`s before the
    /// `POST` (the element, then its configuration when the element does not embed it). Each
    /// is a call of its own, with its own timeout and deadline: the client's deadline bounds
    /// every call, not the create as a whole.
    ///
    /// A create is never retried once it may have reached the platform: a second attempt
    /// would make a second instance.
    ///
    /// # Errors
    ///
    /// [`Error::MissingConfiguration`] when entries are missing, found before sending (no
    /// status) or named by the platform's `400`; [`Error::OutcomeUnknown`] when the connection
    /// failed after sending; otherwise the platform's error, such as `400` for a missing OAuth
    /// code or `401` for wrong secrets.
    pub async fn create(&self, request: &NewInstance) -> Result<Instance> {
        self.check_before_create(request).await?;
        self.send_create(request).await
    }

    /// Checks a request against requirements the caller already holds, then creates it, with
    /// no call to the element API.
    ///
    /// # Errors
    ///
    /// As [`ElementRequirements::check`], then as [`create`](Self::create).
    pub async fn create_validated(
        &self,
        request: &NewInstance,
        requirements: &ElementRequirements,
    ) -> Result<Instance> {
        requirements.check(request)?;
        self.send_create(request).await
    }

    /// The check [`create`](Self::create) makes, when the client makes it.
    async fn check_before_create(&self, request: &NewInstance) -> Result<()> {
        if !self.client.validates_before_create() {
            return Ok(());
        }
        match self.client.elements().requirements(request.element()).await {
            Ok(requirements) => requirements.check(request),
            Err(error) => {
                tracing::debug!(%error, "element requirements unavailable; create sent unchecked");
                if is_lasting_refusal(&error) {
                    self.client
                        .elements()
                        .remember_unreadable(request.element());
                }
                Ok(())
            }
        }
    }

    async fn send_create(&self, request: &NewInstance) -> Result<Instance> {
        let call = Request::new(Method::POST, "/instances", ["instances"])
            .creates()
            .redact(request.secret_values())
            .json(request)?;
        let element = request.element().to_string();
        match self.client.send(call).await {
            Ok(response) => response.json(),
            Err(error) => Err(missing_configuration(error, &element)),
        }
    }

    /// Reads an instance (`GET /instances/{id}`).
    ///
    /// # Errors
    ///
    /// A `404` [`Error::Api`] when there is no such instance; otherwise as any call.
    pub async fn get(&self, id: InstanceId) -> Result<Instance> {
        let call = Request::new(Method::GET, "/instances/{id}", path(id));
        self.client.send(call).await?.json()
    }

    /// The first page of the account's instances (`GET /instances`).
    ///
    /// # Errors
    ///
    /// The platform's error, or [`Error::Decode`] for an answer that is not a list.
    pub async fn list(&self) -> Result<Page<Instance>> {
        self.list_page(&ListInstances::new()).await
    }

    /// One page of instances matching a query.
    ///
    /// A search (tags or text) that matches nothing is an empty page, although the platform
    /// answers it with `404`.
    ///
    /// # Errors
    ///
    /// The platform's error, or [`Error::Decode`] for an answer that is not a list.
    pub async fn list_page(&self, query: &ListInstances) -> Result<Page<Instance>> {
        list_page(self.client.clone(), query.clone()).await
    }

    /// Every instance matching a query, one page at a time, as a stream.
    ///
    /// The stream ends at the first page without a next-page token, or without items even if
    /// it carries a token (the platform sends one only while more items remain); a token the
    /// platform repeats fails it with [`Error::RepeatedPageToken`].
    ///
    /// ```no_run
    /// # async fn run(client: open_connectors::Client) -> Result<(), open_connectors::Error> {
    /// use futures_util::TryStreamExt;
    /// use open_connectors::ListInstances;
    ///
    /// let query = ListInstances::new().tag("production").page_size(100);
    /// let mut instances = std::pin::pin!(client.instances().stream(query));
    /// while let Some(instance) = instances.try_next().await? {
    ///     println!("{} {}", instance.id, instance.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(
        &self,
        query: ListInstances,
    ) -> impl Stream<Item = Result<Instance>> + Send + 'static {
        let client = self.client.clone();
        stream_pages(move |next| list_page(client.clone(), query.clone().next_page(next)))
    }

    /// Sends an instance's full body: name, tags, configuration (`PUT /instances/{id}`).
    ///
    /// Whether the platform replaces the stored configuration with the one sent (clearing
    /// entries left out) or merges the two is not documented; to change single entries, use
    /// [`patch`](Self::patch) or [`update_configuration_entry`](Self::update_configuration_entry).
    ///
    /// With new provider data (such as a fresh OAuth `code`) this re-authenticates the
    /// instance in place: the id and token stay the same. Such a call is not retried once it
    /// may have reached the platform, since the vendor accepts a code only once; it fails with
    /// [`Error::OutcomeUnknown`] instead.
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create), and `404` for an unknown id.
    pub async fn update(&self, id: InstanceId, request: &NewInstance) -> Result<Instance> {
        let mut call = Request::new(Method::PUT, "/instances/{id}", path(id))
            .redact(request.secret_values())
            .json(request)?;
        if request.provider_data().is_some() {
            call = call.creates().not_repeatable();
        }
        let element = request.element().to_string();
        match self.client.send(call).await {
            Ok(response) => response.json(),
            Err(error) => Err(missing_configuration(error, &element)),
        }
    }

    /// Changes part of an instance (`PATCH /instances/{id}`): name, tags (replaced),
    /// configuration entries, provider data (re-authentication).
    ///
    /// A configuration map changes the entries it names; whether the platform keeps the
    /// entries it leaves out is not documented.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] before sending for a change that
    /// [`InstancePatch::build`] would refuse, whether or not it was built; otherwise the
    /// platform's error, such as `404` for an unknown id.
    pub async fn patch(&self, id: InstanceId, patch: &InstancePatch) -> Result<Instance> {
        patch.validate()?;
        let mut call = Request::new(Method::PATCH, "/instances/{id}", path(id))
            .redact(patch.secret_values())
            .json(patch)?;
        if patch.reauthenticates() {
            call = call.creates();
        }
        self.client.send(call).await?.json()
    }

    /// Deletes an instance and its token for good (`DELETE /instances/{id}`).
    ///
    /// A delete is retried like any safe call. When an attempt succeeded but its answer was
    /// lost, the retry finds the instance gone and reports `404`: after a delete,
    /// [`Error::is_not_found`] means the instance no longer exists, whoever removed it.
    ///
    /// # Errors
    ///
    /// The platform's error, such as `404` for an unknown (or already deleted) id.
    pub async fn delete(&self, id: InstanceId) -> Result<()> {
        let call = Request::new(Method::DELETE, "/instances/{id}", path(id));
        self.client.send(call).await.map(drop)
    }
}

/// Whether the platform refused to show an element for a reason that asking again will not
/// change (`401`, `403`, `404`, …), as opposed to a passing fault (`408`, `429`, `5xx`, no
/// answer). Only a lasting refusal is remembered, so creates stop paying for a lookup that
/// cannot succeed.
fn is_lasting_refusal(error: &Error) -> bool {
    error
        .status()
        .is_some_and(|status| (400..500).contains(&status) && !matches!(status, 408 | 429))
}

fn path(id: InstanceId) -> [String; 2] {
    ["instances".to_owned(), id.to_string()]
}

/// One page of instances; owning its arguments lets a stream fetch pages without borrows.
async fn list_page(client: Client, query: ListInstances) -> Result<Page<Instance>> {
    let call = query.apply(Request::new(Method::GET, "/instances", ["instances"]));
    match client.send(call).await {
        Ok(response) => Page::from_response(&response),
        Err(error) if error.is_not_found() && query.is_search() => Ok(Page::empty()),
        Err(error) => Err(error),
    }
}

/// What to list: tags, text, page size and cursor.
#[derive(Debug, Clone, Default)]
pub struct ListInstances {
    tags: Vec<String>,
    search_text: Option<String>,
    hydrate: Option<bool>,
    page_size: Option<u32>,
    next_page: Option<String>,
}

impl ListInstances {
    /// Every instance.
    pub fn new() -> Self {
        ListInstances::default()
    }

    /// Only instances with this tag; several tags may be given (`tags[]`).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Only instances whose name, formula instance name or element key matches this text.
    pub fn search_text(mut self, text: impl Into<String>) -> Self {
        self.search_text = Some(text.into());
        self
    }

    /// Sends the platform's `hydrate` flag. What it changes in the answer is not documented;
    /// probably how much of each instance's element and configuration is filled in.
    pub fn hydrate(mut self, hydrate: bool) -> Self {
        self.hydrate = Some(hydrate);
        self
    }

    /// How many instances per page.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// The cursor of the page to fetch, from [`Page::next_page`].
    pub fn next_page(mut self, token: Option<String>) -> Self {
        self.next_page = token;
        self
    }

    fn is_search(&self) -> bool {
        !self.tags.is_empty() || self.search_text.is_some()
    }

    fn apply(&self, mut call: Request) -> Request {
        for tag in &self.tags {
            call = call.query("tags[]", tag);
        }
        call.query_opt("searchText", self.search_text.as_ref())
            .query_opt("hydrate", self.hydrate)
            .query_opt("pageSize", self.page_size)
            .query_opt("nextPage", self.next_page.as_ref())
    }
}

/// Turns a `400` that names missing configuration entries into
/// [`Error::MissingConfiguration`].
///
/// The platform's wording for this error is unpublished; it is recognised by the words
/// "missing" and "configuration", and the keys are read from the list after the colon.
pub(crate) fn missing_configuration(error: Error, element: &str) -> Error {
    let Some(api) = error.api().filter(|api| api.status == 400) else {
        return error;
    };
    let Some(keys) = api.message.as_deref().and_then(missing_keys) else {
        return error;
    };
    Error::MissingConfiguration(MissingConfiguration {
        entries: keys
            .into_iter()
            .map(|k| MissingEntry::new(k, None))
            .collect(),
        element: Some(element.to_owned()),
        status: Some(api.status),
        request_id: api.request_id.clone(),
        // Already scrubbed of the request's secrets when the ApiError was made.
        message: api.message.clone(),
    })
}

fn missing_keys(message: &str) -> Option<Vec<String>> {
    let lower = message.to_ascii_lowercase();
    if !(lower.contains("missing") && lower.contains("config")) {
        return None;
    }
    let (_, list) = message.split_once(':')?;
    let keys: Vec<String> = list
        .split([',', ';'])
        .flat_map(|part| part.split(" and "))
        .map(|k| k.trim().trim_matches(|c: char| "'\"`[]().".contains(c)))
        .filter(|k| !k.is_empty() && k.chars().all(is_key_char))
        .map(str::to_owned)
        .collect();
    (!keys.is_empty()).then_some(keys)
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_are_read_from_the_message() {
        let keys = missing_keys("Missing required configuration entries: api.key, username");
        let quoted = missing_keys("Missing configuration: 'oauth.api.key' and 'oauth.api.secret'.");

        assert_eq!(
            keys,
            Some(vec!["api.key".to_owned(), "username".to_owned()])
        );
        assert_eq!(
            quoted,
            Some(vec![
                "oauth.api.key".to_owned(),
                "oauth.api.secret".to_owned()
            ])
        );
        assert_eq!(missing_keys("You must provide an OAuth code"), None);
        assert_eq!(missing_keys("Missing configuration"), None);
    }
}
