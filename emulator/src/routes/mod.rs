//! The HTTP routes under `/elements/api-v2`, grouped by the credentials they need.

mod elements;
mod hubs;
mod instance_settings;
mod instances;
mod oauth;
pub(crate) mod paging;

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;

use crate::auth;
use crate::error::ApiError;
use crate::state::Shared;

/// Where the API lives on the emulator, as on the platform.
pub(crate) const API_ROOT: &str = "/elements/api-v2";

// TODO: the instance routes without an id (`/instances/configuration`, `/instances/enabled`,
// ...), which pick the instance by its Element token, are not served; callers must use the
// forms with an id, the only ones the SDK sends. Instance events, transformations and object
// definitions are not served either, because the SDK has no calls for them yet.

/// The whole application: platform routes (User and Organization), hub routes (plus an
/// Element token) and the emulator's own OAuth consent page (no credentials, like a vendor's).
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let platform = Router::new()
        .merge(elements::routes())
        .merge(instances::routes())
        .merge(instance_settings::routes())
        .merge(oauth::routes())
        .route_layer(from_fn_with_state(shared.clone(), auth::require_platform));
    let hubs =
        hubs::routes().route_layer(from_fn_with_state(shared.clone(), auth::require_element));
    let api = platform
        .merge(hubs)
        .merge(oauth::consent_routes())
        .fallback(unknown_route);

    Router::new()
        .nest(API_ROOT, api)
        .fallback(unknown_route)
        .with_state(shared)
}

async fn unknown_route() -> ApiError {
    ApiError::not_found("No resource found at this path")
}
