//! Settings of one instance: its configuration entries, whether it is enabled, and trace
//! logging.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, put};
use serde_json::Value;

use crate::error::ApiError;
use crate::provision;
use crate::state::Shared;
use crate::state::config::{self, MASK};
use crate::state::instance::{Instance, entry_json};

type Answer = Result<Json<Value>, ApiError>;

/// The instance settings routes, for the platform router.
pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/instances/{id}/configuration", get(entries))
        .route(
            "/instances/{id}/configuration/{config_id}",
            get(entry).patch(patch_entry),
        )
        .route("/instances/{id}/enabled", put(enable).delete(disable))
        .route(
            "/instances/{id}/trace-logging",
            put(trace_on).delete(trace_off),
        )
}

/// Runs `change` on the stored instance and answers with what it returns.
fn change_instance(
    shared: &Shared,
    id: &str,
    change: impl FnOnce(&mut Instance, &mut u64) -> Result<Value, ApiError>,
) -> Answer {
    let id = provision::parse_id(id)?;
    let mut store = shared.store();
    let (instance, last_entry_id) = store.get_mut(id).ok_or_else(|| ApiError::no_instance(id))?;
    change(instance, last_entry_id).map(Json)
}

async fn entries(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let id = provision::parse_id(&id)?;
    let store = shared.store();
    provision::find(&store, id, None).map(|instance| Json(instance.entries_json()))
}

async fn entry(
    State(shared): State<Arc<Shared>>,
    Path((id, config_id)): Path<(String, String)>,
) -> Answer {
    let id = provision::parse_id(&id)?;
    let store = shared.store();
    let instance = provision::find(&store, id, None)?;
    let entry = find_entry(instance, &config_id)?;
    Ok(Json(entry_json(entry, instance.element)))
}

fn find_entry<'a>(
    instance: &'a Instance,
    config_id: &str,
) -> Result<&'a config::ConfigValue, ApiError> {
    let not_found = || ApiError::not_found(format!("No configuration found with ID {config_id}"));
    let entry_id: u64 = config_id.parse().map_err(|_| not_found())?;
    instance.entry(entry_id).ok_or_else(not_found)
}

/// Changes one entry from `{"propertyValue": "…"}` (the whole entry is accepted too; only its
/// `propertyValue` counts).
async fn patch_entry(
    State(shared): State<Arc<Shared>>,
    Path((id, config_id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let sent = property_value(&body)?;
    change_instance(&shared, &id, |instance, _| {
        set_entry(instance, &config_id, sent)?;
        let entry = find_entry(instance, &config_id)?;
        Ok(entry_json(entry, instance.element))
    })
}

/// Sets an entry's value unless that would leave a required entry empty. A secret sent back
/// as the mask keeps its value.
fn set_entry(
    instance: &mut Instance,
    config_id: &str,
    sent: Option<String>,
) -> Result<(), ApiError> {
    let key = find_entry(instance, config_id)?.key.clone();
    let masked_echo =
        sent.as_deref() == Some(MASK) && config::is_secret(&key, instance.element.definition(&key));
    let mut updated = instance.config.clone();
    let entry = updated.iter_mut().find(|entry| entry.key == key);
    if let Some(entry) = entry
        && !masked_echo
    {
        entry.value = sent;
    }

    let missing = config::missing_required(instance.element, &updated);
    if !missing.is_empty() {
        return Err(config::missing_error(&missing));
    }
    instance.config = updated;
    Ok(())
}

fn property_value(body: &[u8]) -> Result<Option<String>, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| ApiError::bad_request("The request body is not valid JSON"))?;
    let sent = value
        .get("propertyValue")
        .ok_or_else(|| ApiError::bad_request("propertyValue is required"))?;
    config::normalize("propertyValue", sent)
}

async fn enable(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    set_disabled(&shared, &id, false)
}

async fn disable(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    set_disabled(&shared, &id, true)
}

/// While disabled, hub calls with the instance's token answer 403.
fn set_disabled(shared: &Shared, id: &str, disabled: bool) -> Answer {
    change_instance(shared, id, |instance, _| {
        instance.disabled = disabled;
        Ok(instance.to_json())
    })
}

async fn trace_on(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    check_duration(&body)?;
    set_trace_logging(&shared, &id, true)
}

async fn trace_off(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    set_trace_logging(&shared, &id, false)
}

/// The optional body `{"duration": <whole number>}`; the emulator keeps no trace logs, so the
/// duration is only checked.
fn check_duration(body: &[u8]) -> Result<(), ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| ApiError::bad_request("The request body is not valid JSON"))?;
    match value.get("duration") {
        None | Some(Value::Null) => Ok(()),
        Some(duration) if duration.is_u64() => Ok(()),
        Some(_) => Err(ApiError::bad_request("duration must be a whole number")),
    }
}

fn set_trace_logging(shared: &Shared, id: &str, enabled: bool) -> Answer {
    change_instance(shared, id, |instance, _| {
        instance.trace_logging = enabled;
        Ok(instance.to_json())
    })
}
