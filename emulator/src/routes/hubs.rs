//! `/hubs/general/...`: the Rally hub, reached with an instance token.
//!
//! Creating, changing or deleting a defect or user story queues an event notification for
//! instances that have events enabled.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{Value, json};

use super::paging::{PageRequest, Params};
use crate::auth::HubCaller;
use crate::error::ApiError;
use crate::hubs::{Object, Resource, query};
use crate::state::instance::Instance;
use crate::state::{Shared, Store};
use crate::webhooks::{Change, EventType};

type Answer = Result<Json<Value>, ApiError>;

/// The only element with hub data, and its hub.
const RALLY: &str = "caagilecentral";
const HUB: &str = "general";

/// The hub routes, for the router that checks instance tokens.
pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/hubs/general/ping", get(ping))
        .route("/hubs/general/{resource}", get(list).post(create))
        .route(
            "/hubs/general/{resource}/{id}",
            get(read).put(replace).patch(patch).delete(remove),
        )
}

/// The caller's instance, which must be a Rally one.
fn rally_instance(store: &Store, caller: HubCaller) -> Result<&Instance, ApiError> {
    let instance = store
        .get(caller.instance_id)
        .ok_or_else(ApiError::unauthorized)?;
    if instance.element.key != RALLY {
        let message = format!(
            "Element {} has no resources in the {HUB} hub",
            instance.element.key
        );
        return Err(ApiError::not_found(message));
    }
    Ok(instance)
}

fn resource(name: &str, write: bool) -> Result<Resource, ApiError> {
    let resource = Resource::from_path(name)
        .ok_or_else(|| ApiError::not_found(format!("No resource {name} in the {HUB} hub")))?;
    if write && !resource.writable() {
        let message = format!("{name} can only be searched and retrieved");
        return Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, message));
    }
    Ok(resource)
}

fn object_id(resource: Resource, text: &str) -> Result<u64, ApiError> {
    text.parse().map_err(|_| not_found(resource, text))
}

fn not_found(resource: Resource, id: impl std::fmt::Display) -> ApiError {
    ApiError::not_found(format!("No {} found with ID {id}", resource.path_name()))
}

/// With `filter.response.nulls` on (the default), fields whose value is `null` are left out.
fn shown(instance: &Instance, mut object: Object) -> Value {
    if instance.config_value("filter.response.nulls") != Some("false") {
        object.retain(|_, value| !value.is_null());
    }
    Value::Object(object)
}

fn parse_object(body: &[u8]) -> Result<Object, ApiError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(ApiError::bad_request(
            "The request body must be a JSON object",
        )),
    }
}

async fn ping(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<HubCaller>,
) -> Answer {
    let store = shared.store();
    let instance = rally_instance(&store, caller)?;
    Ok(Json(
        json!({"endpoint": instance.element.key, "instanceId": instance.id, "status": "ok"}),
    ))
}

async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<HubCaller>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<(HeaderMap, Json<Value>), ApiError> {
    let resource = resource(&name, false)?;
    let params = Params::parse(query.as_deref());
    let page = PageRequest::from_params(&params)?;
    let filter = params.get("where").map(query::parse_where).transpose()?;
    let order = params.get("orderBy").map(query::parse_order).transpose()?;

    let mut store = shared.store();
    let instance = rally_instance(&store, caller)?.clone();
    let mut objects = store.hubs.list(caller.instance_id, resource);
    drop(store);

    objects.retain(|object| filter.as_ref().is_none_or(|filter| filter.matches(object)));
    if let Some(order) = order {
        order.sort(&mut objects);
    }

    let (page, headers) = page.apply(objects);
    let shown = page
        .into_iter()
        .map(|object| shown(&instance, object))
        .collect();
    Ok((headers, Json(Value::Array(shown))))
}

async fn read(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<HubCaller>,
    Path((name, id)): Path<(String, String)>,
) -> Answer {
    let resource = resource(&name, false)?;
    let id = object_id(resource, &id)?;
    let mut store = shared.store();
    let instance = rally_instance(&store, caller)?.clone();
    let object = store.hubs.get(caller.instance_id, resource, id);
    object
        .map(|object| Json(shown(&instance, object)))
        .ok_or_else(|| not_found(resource, id))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<HubCaller>,
    Path(name): Path<String>,
    body: Bytes,
) -> Answer {
    let resource = resource(&name, true)?;
    let sent = parse_object(&body)?;
    let mut store = shared.store();
    let instance = rally_instance(&store, caller)?.clone();
    let created = store.hubs.create(caller.instance_id, resource, sent)?;
    notify(&shared, &instance, resource, EventType::Created, &created);
    Ok(Json(shown(&instance, created)))
}

async fn replace(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<HubCaller>,
    Path((name, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    update(&shared, caller, &name, &id, &body, false)
}

async fn patch(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<HubCaller>,
    Path((name, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    update(&shared, caller, &name, &id, &body, true)
}

fn update(
    shared: &Shared,
    caller: HubCaller,
    name: &str,
    id: &str,
    body: &[u8],
    merge: bool,
) -> Answer {
    let resource = resource(name, true)?;
    let id = object_id(resource, id)?;
    let sent = parse_object(body)?;
    let mut store = shared.store();
    let instance = rally_instance(&store, caller)?.clone();
    let updated = store
        .hubs
        .update(caller.instance_id, resource, id, sent, merge)?
        .ok_or_else(|| not_found(resource, id))?;
    notify(shared, &instance, resource, EventType::Updated, &updated);
    Ok(Json(shown(&instance, updated)))
}

/// Deletes an object; the answer is a 200 with an empty body.
async fn remove(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<HubCaller>,
    Path((name, id)): Path<(String, String)>,
) -> Result<(), ApiError> {
    let resource = resource(&name, true)?;
    let id = object_id(resource, &id)?;
    let mut store = shared.store();
    let instance = rally_instance(&store, caller)?.clone();
    let deleted = store.hubs.delete(caller.instance_id, resource, id);
    let deleted = deleted.ok_or_else(|| not_found(resource, id))?;
    notify(&shared, &instance, resource, EventType::Deleted, &deleted);
    Ok(())
}

fn notify(
    shared: &Shared,
    instance: &Instance,
    resource: Resource,
    event_type: EventType,
    object: &Object,
) {
    let object_id = object
        .get("ObjectID")
        .and_then(Value::as_u64)
        .unwrap_or_default();
    let raw = Value::Object(object.clone());
    let change = Change {
        hub: HUB,
        object_type: resource.path_name(),
        object_id,
        event_type,
        raw: &raw,
    };
    shared.webhooks.notify(instance, &change);
}
