//! Elements (connectors): the catalogue, each element's configuration definitions and
//! metadata, and what a create request for an element must carry.

mod model;
mod oauth_calls;
mod requirements;

use std::sync::{Arc, PoisonError};

use crate::transport::Method;
use futures_core::Stream;

pub use model::{ConfigDefinition, ConfigType, ElementMetadata, EventsMetadata};
pub use requirements::{ElementRequirements, OAuthVersion};

pub(crate) use model::opt_config_type;

use crate::client::Client;
use crate::element::{Element, ElementDetails, ElementId};
use crate::error::Result;
use crate::pagination::{Page, stream_pages};
use crate::transport::Request;

/// The element API, from [`Client::elements`].
#[derive(Debug, Clone, Copy)]
pub struct Elements<'a> {
    client: &'a Client,
}

impl<'a> Elements<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Elements { client }
    }

    /// Reads an element by key or id (`GET /elements/{keyOrId}`).
    ///
    /// # Errors
    ///
    /// A `404` [`Error::Api`](crate::Error::Api) for an unknown element; otherwise as any call.
    pub async fn get(&self, element: &Element) -> Result<ElementDetails> {
        let call = Request::new(Method::GET, "/elements/{keyOrId}", path(element));
        self.client.send(call).await?.json()
    }

    /// The first page of the catalogue (`GET /elements`).
    ///
    /// # Errors
    ///
    /// The platform's error, or [`Error::Decode`](crate::Error::Decode) for an answer that is
    /// not a list.
    pub async fn list(&self) -> Result<Page<ElementDetails>> {
        self.list_page(&ListElements::new()).await
    }

    /// One page of the catalogue.
    ///
    /// # Errors
    ///
    /// As [`list`](Self::list).
    pub async fn list_page(&self, query: &ListElements) -> Result<Page<ElementDetails>> {
        list_page(self.client.clone(), query.clone()).await
    }

    /// Every element of the catalogue, one page at a time, as a stream.
    ///
    /// The stream ends at the first page without a next-page token, or without items even if
    /// it carries a token (the platform sends one only while more items remain); a token the
    /// platform repeats fails it with
    /// [`Error::RepeatedPageToken`](crate::Error::RepeatedPageToken).
    pub fn stream(
        &self,
        query: ListElements,
    ) -> impl Stream<Item = Result<ElementDetails>> + Send + 'static {
        let client = self.client.clone();
        stream_pages(move |next| list_page(client.clone(), query.clone().next_page(next)))
    }

    /// An element's configuration definitions (`GET /elements/{keyOrId}/configuration`).
    ///
    /// # Errors
    ///
    /// A `404` for an unknown element; otherwise as any call.
    pub async fn configuration(&self, element: &Element) -> Result<Vec<ConfigDefinition>> {
        let segments = [path(element).as_slice(), &["configuration".to_owned()]].concat();
        let template = "/elements/{keyOrId}/configuration";
        self.client
            .send(Request::new(Method::GET, template, segments))
            .await?
            .json()
    }

    /// What an element offers: authentication type, events (`GET /elements/{id}/metadata`).
    /// The platform documents this path with the numeric id only.
    ///
    /// # Errors
    ///
    /// A `404` for an unknown id; otherwise as any call.
    pub async fn metadata(&self, id: ElementId) -> Result<ElementMetadata> {
        let segments = ["elements".to_owned(), id.to_string(), "metadata".to_owned()];
        let call = Request::new(Method::GET, "/elements/{id}/metadata", segments);
        self.client.send(call).await?.json()
    }

    /// What a create request for `element` must carry, fetched once per client and cached.
    ///
    /// Reads the element (`GET /elements/{keyOrId}`) for its authentication type and, when the
    /// answer does not embed the definitions, its configuration as well.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get) and [`configuration`](Self::configuration). Failures are not
    /// cached.
    pub async fn requirements(&self, element: &Element) -> Result<Arc<ElementRequirements>> {
        let key = element.key_or_id();
        if let Some(found) = self.cache_get(&key) {
            return Ok(found);
        }
        let mut details = self.get(element).await?;
        let definitions = match details.configuration.take() {
            Some(definitions) if !definitions.is_empty() => definitions,
            _ => self.configuration(element).await?,
        };
        let requirements = Arc::new(ElementRequirements::from_element(&details, definitions));
        self.cache().insert(key, Arc::clone(&requirements));
        Ok(requirements)
    }

    /// Remembers that `element`'s requirements cannot be read by this account, so that later
    /// creates are sent unchecked without asking again.
    pub(crate) fn remember_unreadable(&self, element: &Element) {
        let nothing_required = Arc::new(ElementRequirements::new(Vec::new()));
        self.cache().insert(element.key_or_id(), nothing_required);
    }

    fn cache_get(&self, key: &str) -> Option<Arc<ElementRequirements>> {
        self.cache().get(key).cloned()
    }

    /// The cache holds only complete entries, so one left by a panicking thread is sound.
    fn cache(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Arc<ElementRequirements>>>
    {
        let cache = self.client.requirements_cache();
        cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `["elements", "<keyOrId>"]`, each segment percent-encoded by the transport.
pub(crate) fn path(element: &Element) -> Vec<String> {
    vec!["elements".to_owned(), element.key_or_id()]
}

/// One page of the catalogue; owning its arguments lets a stream fetch pages without borrows.
async fn list_page(client: Client, query: ListElements) -> Result<Page<ElementDetails>> {
    let call = Request::new(Method::GET, "/elements", ["elements"])
        .query_opt("pageSize", query.page_size)
        .query_opt("nextPage", query.next_page.as_ref());
    Page::from_response(&client.send(call).await?)
}

/// Which page of the catalogue to list.
#[derive(Debug, Clone, Default)]
pub struct ListElements {
    page_size: Option<u32>,
    next_page: Option<String>,
}

impl ListElements {
    /// The first page, at the platform's default size (200).
    pub fn new() -> Self {
        ListElements::default()
    }

    /// How many elements per page; the platform serves at most 200.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// The cursor of the page to fetch, from [`Page::next_page`].
    pub fn next_page(mut self, token: Option<String>) -> Self {
        self.next_page = token;
        self
    }
}
