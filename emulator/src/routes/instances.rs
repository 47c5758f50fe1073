//! `/instances` and `/elements/{keyOrId}/instances`: create, list, read, update and delete.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::routing::get;
use serde_json::Value;

use super::elements::find_element;
use super::paging::{PageRequest, Params};
use crate::catalogue::ElementDef;
use crate::error::ApiError;
use crate::provision::body::InstanceBody;
use crate::provision::{self, UpdateMode};
use crate::state::Shared;
use crate::state::instance::Instance;

type Answer = Result<Json<Value>, ApiError>;
type PagedAnswer = Result<(HeaderMap, Json<Value>), ApiError>;

/// The instance routes, for the platform router.
pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/instances", get(list).post(create))
        .route(
            "/instances/{id}",
            get(read).put(replace).patch(patch).delete(remove),
        )
        .route(
            "/elements/{key_or_id}/instances",
            get(list_for_element).post(create_for_element),
        )
        .route(
            "/elements/{key_or_id}/instances/{id}",
            get(read_for_element)
                .put(replace_for_element)
                .patch(patch_for_element)
                .delete(remove_for_element),
        )
}

async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let body = InstanceBody::parse(&body)?;
    provision::create(&shared, None, body).map(Json)
}

async fn create_for_element(
    State(shared): State<Arc<Shared>>,
    Path(key_or_id): Path<String>,
    body: Bytes,
) -> Answer {
    let element = find_element(&key_or_id)?;
    let body = InstanceBody::parse(&body)?;
    provision::create(&shared, Some(element), body).map(Json)
}

async fn list(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> PagedAnswer {
    list_instances(&shared, None, &Params::parse(query.as_deref()))
}

async fn list_for_element(
    State(shared): State<Arc<Shared>>,
    Path(key_or_id): Path<String>,
    RawQuery(query): RawQuery,
) -> PagedAnswer {
    let element = find_element(&key_or_id)?;
    list_instances(&shared, Some(element), &Params::parse(query.as_deref()))
}

/// What a list of instances is narrowed to.
struct InstanceFilter<'a> {
    element: Option<&'a ElementDef>,
    tags: Vec<&'a str>,
    search: Option<String>,
}

impl<'a> InstanceFilter<'a> {
    fn new(element: Option<&'a ElementDef>, params: &'a Params) -> Self {
        Self {
            element,
            tags: params.all("tags[]").collect(),
            search: params.get("searchText").map(str::to_lowercase),
        }
    }

    /// Whether the list is a search, which answers 404 when nothing matches.
    fn is_search(&self) -> bool {
        !self.tags.is_empty() || self.search.is_some()
    }

    /// Every given tag must be on the instance; the search text must be in its name or its
    /// element key, in any case.
    fn matches(&self, instance: &Instance) -> bool {
        let element_ok = self
            .element
            .is_none_or(|element| element.key == instance.element.key);
        let tags_ok = self
            .tags
            .iter()
            .all(|tag| instance.tags.iter().any(|own| own == tag));
        let text_ok = self.search.as_deref().is_none_or(|text| {
            instance.name.to_lowercase().contains(text) || instance.element.key.contains(text)
        });
        element_ok && tags_ok && text_ok
    }
}

/// Lists instances by ascending id; a search that matches nothing is a 404, as on the
/// platform, while a plain list with no instances is an empty array.
fn list_instances(shared: &Shared, element: Option<&ElementDef>, params: &Params) -> PagedAnswer {
    let page = PageRequest::from_params(params)?;
    let filter = InstanceFilter::new(element, params);

    // Only the page is turned into JSON: a listing of many instances stays linear in the
    // number of instances, not in instances times pages.
    let store = shared.store();
    let matching: Vec<&Instance> = store
        .instances()
        .filter(|instance| filter.matches(instance))
        .collect();

    if filter.is_search() && matching.is_empty() {
        return Err(ApiError::not_found(
            "No instances found matching the search",
        ));
    }
    let (items, headers) = page.apply(matching);
    let items = items.into_iter().map(Instance::to_json).collect();
    Ok((headers, Json(Value::Array(items))))
}

async fn read(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    read_instance(&shared, None, &id)
}

async fn read_for_element(
    State(shared): State<Arc<Shared>>,
    Path((key_or_id, id)): Path<(String, String)>,
) -> Answer {
    read_instance(&shared, Some(find_element(&key_or_id)?), &id)
}

fn read_instance(shared: &Shared, element: Option<&ElementDef>, id: &str) -> Answer {
    let id = provision::parse_id(id)?;
    let store = shared.store();
    provision::find(&store, id, element).map(|instance| Json(instance.to_json()))
}

async fn replace(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> Answer {
    update(&shared, None, &id, &body, UpdateMode::Replace)
}

async fn patch(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> Answer {
    update(&shared, None, &id, &body, UpdateMode::Patch)
}

async fn replace_for_element(
    State(shared): State<Arc<Shared>>,
    Path((key_or_id, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let element = find_element(&key_or_id)?;
    update(&shared, Some(element), &id, &body, UpdateMode::Replace)
}

async fn patch_for_element(
    State(shared): State<Arc<Shared>>,
    Path((key_or_id, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let element = find_element(&key_or_id)?;
    update(&shared, Some(element), &id, &body, UpdateMode::Patch)
}

fn update(
    shared: &Shared,
    element: Option<&ElementDef>,
    id: &str,
    body: &[u8],
    mode: UpdateMode,
) -> Answer {
    let id = provision::parse_id(id)?;
    let body = InstanceBody::parse(body)?;
    provision::update(shared, id, element, body, mode).map(Json)
}

async fn remove(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Result<(), ApiError> {
    remove_instance(&shared, None, &id)
}

async fn remove_for_element(
    State(shared): State<Arc<Shared>>,
    Path((key_or_id, id)): Path<(String, String)>,
) -> Result<(), ApiError> {
    remove_instance(&shared, Some(find_element(&key_or_id)?), &id)
}

/// Deletes an instance; the answer is a 200 with an empty body.
fn remove_instance(
    shared: &Shared,
    element: Option<&ElementDef>,
    id: &str,
) -> Result<(), ApiError> {
    let id = provision::parse_id(id)?;
    let mut store = shared.store();
    provision::find(&store, id, element)?;
    store.remove(id);
    Ok(())
}
