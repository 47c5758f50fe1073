//! The OAuth provisioning flows: `/elements/{keyOrId}/oauth/url`, `/oauth/token` (OAuth 1) and
//! the emulator's own consent page that stands in for the vendor's.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use url::Url;

use super::elements::find_element;
use super::paging::Params;
use crate::catalogue::{AuthKind, ElementDef};
use crate::error::ApiError;
use crate::state::Shared;
use crate::state::oauth::parse_callback;

type Answer = Result<Json<Value>, ApiError>;

/// Where the consent page lives, under the API root.
const CONSENT_PATH: &str = "/emulator/oauth/authorize";

/// The OAuth routes that need platform credentials.
pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/elements/{key_or_id}/oauth/url",
            get(url_from_query).post(url_from_body),
        )
        .route("/elements/{key_or_id}/oauth/token", get(request_token))
}

/// The consent page, which a browser reaches without credentials.
pub(super) fn consent_routes() -> Router<Arc<Shared>> {
    Router::new().route(CONSENT_PATH, get(consent))
}

/// What a caller sends to start an OAuth flow (`OAuthInfo` on the platform).
struct OAuthInfo {
    api_key: Option<String>,
    api_secret: Option<String>,
    callback_url: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    request_token: Option<String>,
}

impl OAuthInfo {
    fn from_params(params: &Params) -> Self {
        let field = |name: &str| params.get(name).map(str::to_owned);
        Self {
            api_key: field("apiKey"),
            api_secret: field("apiSecret"),
            callback_url: field("callbackUrl"),
            scope: field("scope"),
            state: field("state"),
            request_token: field("requestToken"),
        }
    }

    fn from_json(body: &[u8]) -> Result<Self, ApiError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| ApiError::bad_request("The request body is not valid JSON"))?;
        let field = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
        Ok(Self {
            api_key: field("apiKey"),
            api_secret: field("apiSecret"),
            callback_url: field("callbackUrl"),
            scope: field("scope"),
            state: field("state"),
            request_token: field("requestToken"),
        })
    }

    /// The callback URL, once `apiKey`, `apiSecret` and `callbackUrl` are all there.
    fn checked_callback(&self) -> Result<Url, ApiError> {
        let given = [
            ("apiKey", &self.api_key),
            ("apiSecret", &self.api_secret),
            ("callbackUrl", &self.callback_url),
        ];
        let missing: Vec<&str> = given
            .iter()
            .filter(|(_, value)| value.as_deref().is_none_or(str::is_empty))
            .map(|(name, _)| *name)
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Missing required parameters: {}",
                missing.join(", ")
            )));
        }
        parse_callback(self.callback_url.as_deref().unwrap_or_default())
    }
}

fn oauth_element(key_or_id: &str) -> Result<&'static ElementDef, ApiError> {
    let element = find_element(key_or_id)?;
    if !element.auth.is_oauth() {
        return Err(ApiError::bad_request(format!(
            "Element {} does not use OAuth",
            element.key
        )));
    }
    Ok(element)
}

async fn url_from_query(
    State(shared): State<Arc<Shared>>,
    Path(key_or_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    let info = OAuthInfo::from_params(&Params::parse(query.as_deref()));
    authorization_url(&shared, &key_or_id, info)
}

async fn url_from_body(
    State(shared): State<Arc<Shared>>,
    Path(key_or_id): Path<String>,
    body: Bytes,
) -> Answer {
    authorization_url(&shared, &key_or_id, OAuthInfo::from_json(&body)?)
}

/// `{"oauthUrl": …, "element": …}`; the state defaults to the element key, as on the platform.
fn authorization_url(shared: &Shared, key_or_id: &str, info: OAuthInfo) -> Answer {
    let element = oauth_element(key_or_id)?;
    let callback = info.checked_callback()?;
    let state = info.state.unwrap_or_else(|| element.key.to_owned());
    let request_id = shared
        .store()
        .grants
        .begin(element, callback, state, info.request_token)?;

    let mut url = consent_url(shared)?;
    url.query_pairs_mut().append_pair("request", &request_id);
    if let Some(scope) = info.scope.or_else(|| default_scope(element)) {
        url.query_pairs_mut().append_pair("scope", &scope);
    }
    Ok(Json(
        json!({"oauthUrl": url.as_str(), "element": element.key}),
    ))
}

fn default_scope(element: &ElementDef) -> Option<String> {
    element
        .definition("oauth.scope")?
        .default
        .map(str::to_owned)
}

fn consent_url(shared: &Shared) -> Result<Url, ApiError> {
    Url::parse(&format!("{}{CONSENT_PATH}", shared.base_url)).map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The consent URL is broken",
        )
    })
}

/// OAuth 1, step one: a request token and its secret.
async fn request_token(
    State(shared): State<Arc<Shared>>,
    Path(key_or_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    let element = oauth_element(&key_or_id)?;
    if element.auth != AuthKind::OAuth1 {
        return Err(ApiError::bad_request(format!(
            "Element {} does not use OAuth 1",
            element.key
        )));
    }
    let callback = OAuthInfo::from_params(&Params::parse(query.as_deref())).checked_callback()?;
    let (token, secret) = shared.store().grants.request_token(element, callback);
    Ok(Json(json!({"token": token, "secret": secret})))
}

/// The vendor's consent, granted at once: a 302 to the callback with a code and the state.
/// `deny=true` answers as a user who refused.
async fn consent(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.as_deref());
    let approve = params.get("deny") != Some("true");
    let redirect = params
        .get("request")
        .and_then(|request| shared.store().grants.answer(request, approve));
    match redirect {
        Some(url) => (StatusCode::FOUND, [(LOCATION, url.to_string())]).into_response(),
        None => ApiError::not_found("No OAuth request found with this ID").into_response(),
    }
}
