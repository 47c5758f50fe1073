//! Platform error answers: `{"requestId":"<24 hex>","message":"…"}`, plus `providerMessage` for
//! errors that the vendor behind an element reported.
//!
//! Handlers return [`ApiError`]; the request id is not known to them, so the error travels as a
//! response extension and [`finish`] writes the body once the id is attached.

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use axum::http::{Response, StatusCode};
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};

/// The header that carries the request id on every answer.
pub(crate) const REQUEST_ID_HEADER: &str = "elements-request-id";

/// The platform's message for a bad or missing secret or token.
pub(crate) const INVALID_CREDENTIALS: &str =
    "Invalid Organization or User secret, or invalid Element token provided.";

/// An error answer before its request id is known.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    provider_message: Option<String>,
}

impl ApiError {
    /// An error with a status and a message.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            provider_message: None,
        }
    }

    /// A 400 answer.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// A 404 answer.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// The 401 answer for bad credentials.
    pub(crate) fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, INVALID_CREDENTIALS)
    }

    /// The 404 answer for an instance id that does not exist.
    pub(crate) fn no_instance(id: impl std::fmt::Display) -> Self {
        Self::not_found(format!("No instance found with ID {id}"))
    }

    /// Adds the vendor's own text, as the platform does for errors it relays.
    pub(crate) fn with_provider_message(mut self, text: impl Into<String>) -> Self {
        self.provider_message = Some(text.into());
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> axum::response::Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Writes the error body (if the answer is an error) and the request id header.
///
/// Errors that did not come from a handler, such as the router's own 404 or 405 or a body
/// that is too large, get a JSON body too, so that every error has the platform's shape.
pub(crate) fn finish(mut response: Response<Body>, request_id: &str) -> Response<Body> {
    let status = response.status();
    let error = response.extensions_mut().remove::<ApiError>().or_else(|| {
        let failed = status.is_client_error() || status.is_server_error();
        failed.then(|| ApiError::new(status, status.canonical_reason().unwrap_or("Error")))
    });
    if let Some(error) = error {
        response = render(response, &error, request_id);
    }

    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Builds the JSON error answer, keeping any headers a fault or handler asked for.
fn render(response: Response<Body>, error: &ApiError, request_id: &str) -> Response<Body> {
    let mut body = Map::new();
    body.insert("requestId".into(), json!(request_id));
    body.insert("message".into(), json!(error.message));
    if let Some(provider) = &error.provider_message {
        body.insert("providerMessage".into(), json!(provider));
    }

    let (mut parts, _) = response.into_parts();
    parts.status = error.status;
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(Value::Object(body).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body_of(response: Response<Body>) -> Value {
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("an in-memory body can be read")
            .to_bytes();
        serde_json::from_slice(&bytes).expect("error bodies are JSON")
    }

    #[tokio::test]
    async fn handler_errors_get_the_request_id_in_body_and_header() {
        let response = ApiError::bad_request("broken").into_response();

        let finished = finish(response, "0123456789abcdef01234567");

        assert_eq!(finished.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            finished.headers()[REQUEST_ID_HEADER],
            "0123456789abcdef01234567"
        );
        let body = body_of(finished).await;
        assert_eq!(
            body,
            json!({"requestId": "0123456789abcdef01234567", "message": "broken"})
        );
    }

    #[tokio::test]
    async fn router_errors_get_a_json_body() {
        let response = StatusCode::METHOD_NOT_ALLOWED.into_response();

        let body = body_of(finish(response, "aa")).await;

        assert_eq!(body["message"], "Method Not Allowed");
    }
}
