//! Pages of results, and streams over every item.
//!
//! The platform pages with an opaque cursor: each answer may carry an
//! `Elements-Next-Page-Token` header, sent back as the `nextPage` query parameter; the last
//! page has no such header. The token is passed on exactly as received, never decoded.

use std::collections::HashSet;
use std::future::Future;

use futures_core::Stream;
use futures_util::{TryStreamExt, stream};
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::transport::Response;

/// The response header that carries the next page's cursor.
pub const NEXT_PAGE_TOKEN: &str = "elements-next-page-token";
/// The response header that counts the items in this page.
pub const RETURNED_COUNT: &str = "elements-returned-count";
/// The response header that counts all items, on the resources that report it.
pub const TOTAL_COUNT: &str = "elements-total-count";

/// One page of a listing.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last page.
    pub next_page: Option<String>,
    /// How many items the platform says this page holds (`Elements-Returned-Count`).
    pub returned_count: Option<u64>,
    /// How many items there are in all (`Elements-Total-Count`), when reported.
    pub total_count: Option<u64>,
}

impl<T> Page<T> {
    /// A page with no items and no next page.
    pub fn empty() -> Self {
        Page {
            items: Vec::new(),
            next_page: None,
            returned_count: Some(0),
            total_count: Some(0),
        }
    }

    /// Whether another page follows.
    pub fn has_next(&self) -> bool {
        self.next_page.is_some()
    }

    /// Decodes a page from a list answer and its headers.
    pub(crate) fn from_response(response: &Response) -> Result<Self>
    where
        T: DeserializeOwned,
    {
        let items = response.json()?;
        let count = |name| response.header(name).and_then(|v| v.trim().parse().ok());
        Ok(Page {
            items,
            next_page: response
                .header(NEXT_PAGE_TOKEN)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            returned_count: count(RETURNED_COUNT),
            total_count: count(TOTAL_COUNT),
        })
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// A stream over every item of a listing, fetching one page at a time.
///
/// `fetch` gets the cursor of the page to fetch (`None` for the first). The stream ends after
/// a page with no next cursor or with no items, and fails with [`Error::RepeatedPageToken`] if
/// the platform hands out a cursor it already gave, which would otherwise loop forever.
///
/// The platform sends a cursor only while fewer items were returned than there are, so an
/// empty page that carries one is a misbehaving answer; following it could loop forever on
/// fresh cursors, which the repeated-cursor check cannot catch.
pub(crate) fn stream_pages<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T>> + Send
where
    T: Send,
    F: FnMut(Option<String>) -> Fut + Send,
    Fut: Future<Output = Result<Page<T>>> + Send,
{
    let state = Some(Cursor {
        fetch,
        next: None,
        seen: HashSet::new(),
    });
    stream::try_unfold(state, next_page)
        .map_ok(|items: Vec<T>| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
}

struct Cursor<F> {
    fetch: F,
    next: Option<String>,
    seen: HashSet<String>,
}

async fn next_page<T, F, Fut>(
    state: Option<Cursor<F>>,
) -> Result<Option<(Vec<T>, Option<Cursor<F>>)>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    let Some(mut cursor) = state else {
        return Ok(None);
    };
    let page = (cursor.fetch)(cursor.next.take()).await?;
    let Some(token) = page.next_page.filter(|_| !page.items.is_empty()) else {
        return Ok(Some((page.items, None)));
    };
    if !cursor.seen.insert(token.clone()) {
        return Err(Error::RepeatedPageToken);
    }
    cursor.next = Some(token);
    Ok(Some((page.items, Some(cursor))))
}
