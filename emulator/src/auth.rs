//! The platform's `Authorization` header: `User <secret>, Organization <secret>` for platform
//! calls, with `, Element <token>` added (or `Organization` left out) for hub calls.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::Shared;

/// The header that names the instance behind a hub answer.
pub(crate) const INSTANCE_ID_HEADER: &str = "elements-element-instance-id";

/// The parts of an `Authorization` header.
#[derive(Default)]
struct Parts<'a> {
    user: Option<&'a str>,
    organization: Option<&'a str>,
    element: Option<&'a str>,
}

/// Splits `User a, Organization b, Element c` into its parts.
///
/// Whitespace around parts is tolerated; an unknown part, a repeated part or an empty value
/// makes the whole header invalid.
fn parse(header: &str) -> Option<Parts<'_>> {
    let mut parts = Parts::default();
    for part in header.split(',') {
        let (scheme, value) = part.trim().split_once(char::is_whitespace)?;
        let value = value.trim();
        let slot = match scheme {
            "User" => &mut parts.user,
            "Organization" => &mut parts.organization,
            "Element" => &mut parts.element,
            _ => return None,
        };
        if slot.is_some() || value.is_empty() {
            return None;
        }
        *slot = Some(value);
    }
    Some(parts)
}

/// Compares two secrets in time that depends only on their lengths.
pub(crate) fn same(sent: &str, expected: &str) -> bool {
    let (sent, expected) = (sent.as_bytes(), expected.as_bytes());
    let differences = sent
        .iter()
        .zip(expected)
        .fold(0u8, |acc, (left, right)| acc | (left ^ right));
    sent.len() == expected.len() && differences == 0
}

fn header_parts(headers: &HeaderMap) -> Option<Parts<'_>> {
    let header = headers.get(AUTHORIZATION)?.to_str().ok()?;
    parse(header)
}

/// Whether the user secret (and the organization secret, when it is there) are right.
fn secrets_match(parts: &Parts<'_>, shared: &Shared, organization_required: bool) -> bool {
    let user_ok = parts
        .user
        .is_some_and(|user| same(user, &shared.user_secret));
    let organization_ok = match parts.organization {
        Some(organization) => same(organization, &shared.organization_secret),
        None => !organization_required,
    };
    user_ok && organization_ok
}

/// Checks a platform call: exactly `User` and `Organization`, both right.
fn platform_caller(headers: &HeaderMap, shared: &Shared) -> Result<(), ApiError> {
    let parts = header_parts(headers).ok_or_else(ApiError::unauthorized)?;
    if parts.element.is_some() || !secrets_match(&parts, shared, true) {
        return Err(ApiError::unauthorized());
    }
    Ok(())
}

/// Middleware for platform routes.
pub(crate) async fn require_platform(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    match platform_caller(request.headers(), &shared) {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

/// The instance a hub call acts on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HubCaller {
    /// The id of the instance whose token was sent.
    pub(crate) instance_id: u64,
}

/// Checks a hub call and finds its instance: a deleted or unknown token is a 401, a disabled
/// instance a 403.
fn hub_caller(headers: &HeaderMap, shared: &Shared) -> Result<HubCaller, ApiError> {
    let parts = header_parts(headers).ok_or_else(ApiError::unauthorized)?;
    let token = parts.element.ok_or_else(ApiError::unauthorized)?;
    if !secrets_match(&parts, shared, false) {
        return Err(ApiError::unauthorized());
    }

    let store = shared.store();
    let instance = store.by_token(token).ok_or_else(ApiError::unauthorized)?;
    if instance.disabled {
        let message = format!(
            "Element instance {} is disabled; enable it to use it",
            instance.id
        );
        return Err(ApiError::new(StatusCode::FORBIDDEN, message));
    }
    Ok(HubCaller {
        instance_id: instance.id,
    })
}

/// Middleware for hub routes: passes the caller on and names the instance in the answer.
pub(crate) async fn require_element(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match hub_caller(request.headers(), &shared) {
        Ok(caller) => caller,
        Err(error) => return error.into_response(),
    };
    request.extensions_mut().insert(caller);

    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(INSTANCE_ID_HEADER, HeaderValue::from(caller.instance_id));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_three_parts_with_loose_whitespace() {
        let parts = parse("User a+/=,  Organization  b ,Element c").expect("a valid header");

        assert_eq!(parts.user, Some("a+/="));
        assert_eq!(parts.organization, Some("b"));
        assert_eq!(parts.element, Some("c"));
    }

    #[test]
    fn rejects_unknown_repeated_and_empty_parts() {
        assert!(parse("Bearer x").is_none());
        assert!(parse("User a, User b").is_none());
        assert!(parse("User , Organization b").is_none());
        assert!(parse("").is_none());
    }

    #[test]
    fn compares_secrets_exactly() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
