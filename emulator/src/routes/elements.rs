//! `/elements`: the catalogue, one element, its configuration definitions and its metadata.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, RawQuery};
use axum::http::HeaderMap;
use axum::routing::get;
use serde_json::Value;

use super::paging::{PageRequest, Params};
use crate::catalogue::{ElementDef, catalogue};
use crate::error::ApiError;
use crate::state::Shared;

/// The element routes, for the platform router.
pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/elements", get(list))
        .route("/elements/{key_or_id}", get(read))
        .route("/elements/{key_or_id}/configuration", get(definitions))
        .route("/elements/{key_or_id}/metadata", get(metadata))
}

/// An element named in a path, by key or numeric id; unknown is a 404.
pub(crate) fn find_element(key_or_id: &str) -> Result<&'static ElementDef, ApiError> {
    catalogue()
        .find(key_or_id)
        .ok_or_else(|| ApiError::not_found(format!("No element found with key or ID {key_or_id}")))
}

async fn list(RawQuery(query): RawQuery) -> Result<(HeaderMap, Json<Value>), ApiError> {
    let page = PageRequest::from_params(&Params::parse(query.as_deref()))?;
    let all = catalogue()
        .all()
        .iter()
        .map(ElementDef::summary_json)
        .collect();
    let (items, headers) = page.apply(all);
    Ok((headers, Json(Value::Array(items))))
}

async fn read(Path(key_or_id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(find_element(&key_or_id)?.full_json()))
}

async fn definitions(Path(key_or_id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(find_element(&key_or_id)?.definitions_json()))
}

async fn metadata(Path(key_or_id): Path<String>) -> Result<Json<Value>, ApiError> {
    let element = find_element(&key_or_id)?;
    let order = catalogue().display_order(element.key);
    Ok(Json(element.metadata_json(order)))
}
