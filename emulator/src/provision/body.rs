//! The body of an instance create or update, read from JSON with the platform's leniency:
//! configuration values may be strings, booleans, numbers or `null`.

use serde_json::{Map, Value};

use crate::catalogue::{ElementDef, catalogue};
use crate::error::ApiError;
use crate::state::config::{self, ConfigInput};
use crate::state::instance::strip_tags;

/// How a body names its element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ElementRef {
    /// `{"key": "caagilecentral"}`.
    Key(String),
    /// `{"id": 12345}`.
    Id(u64),
}

/// The parts of an instance body the emulator understands.
pub(crate) struct InstanceBody {
    pub(crate) element: Option<ElementRef>,
    name: Option<Value>,
    pub(crate) configuration: Option<ConfigInput>,
    pub(crate) tags: Option<Vec<String>>,
    pub(crate) provider_data: Option<Map<String, Value>>,
    pub(crate) external_authentication: bool,
}

impl InstanceBody {
    /// Reads a body; anything but a JSON object is a 400.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|_| ApiError::bad_request("The request body is not valid JSON"))?;
        let Value::Object(fields) = value else {
            return Err(ApiError::bad_request(
                "The request body must be a JSON object",
            ));
        };

        let configuration = match fields.get("configuration") {
            None => None,
            present => Some(config::parse_object(present)?),
        };
        Ok(Self {
            element: element_ref(fields.get("element"))?,
            name: fields.get("name").cloned(),
            configuration,
            tags: tags(fields.get("tags"))?,
            provider_data: provider_data(fields.get("providerData"))?,
            external_authentication: external(fields.get("externalAuthentication"))?,
        })
    }

    /// Whether the body names a new name.
    pub(crate) fn has_name(&self) -> bool {
        self.name.is_some()
    }

    /// The instance name with HTML removed; missing or empty is a 400.
    pub(crate) fn name(&self) -> Result<String, ApiError> {
        let required = || ApiError::bad_request("An instance name is required");
        let name = self
            .name
            .as_ref()
            .and_then(Value::as_str)
            .ok_or_else(required)?;
        let plain = strip_tags(name);
        if plain.is_empty() {
            return Err(required());
        }
        Ok(plain)
    }

    /// The element the body names; a missing or unknown element is a 400.
    pub(crate) fn element(&self) -> Result<&'static ElementDef, ApiError> {
        let reference = self
            .element
            .as_ref()
            .ok_or_else(|| ApiError::bad_request("An element key or id is required"))?;
        let found = match reference {
            ElementRef::Key(key) => catalogue().find(key),
            ElementRef::Id(id) => catalogue().by_id(*id),
        };
        found.ok_or_else(|| {
            ApiError::bad_request(format!(
                "No element found with key or ID {}",
                reference.text()
            ))
        })
    }

    /// Whether the body's element, if it names one, is `element`.
    pub(crate) fn names_element(&self, element: &ElementDef) -> bool {
        match &self.element {
            None => true,
            Some(ElementRef::Key(key)) => key == element.key,
            Some(ElementRef::Id(id)) => *id == element.id,
        }
    }
}

impl ElementRef {
    fn text(&self) -> String {
        match self {
            ElementRef::Key(key) => key.clone(),
            ElementRef::Id(id) => id.to_string(),
        }
    }
}

/// Reads `element`: `{"key": …}` or `{"id": …}` (an id may be a number or a numeric string).
fn element_ref(value: Option<&Value>) -> Result<Option<ElementRef>, ApiError> {
    let Some(value) = value.filter(|value| !value.is_null()) else {
        return Ok(None);
    };
    let invalid = || ApiError::bad_request("element must be an object with a key or an id");
    let fields = value.as_object().ok_or_else(invalid)?;
    if let Some(key) = fields.get("key").and_then(Value::as_str) {
        return Ok(Some(ElementRef::Key(key.to_owned())));
    }
    let id = match fields.get("id") {
        Some(Value::Number(number)) => number.as_u64(),
        Some(Value::String(text)) => text.parse().ok(),
        _ => None,
    };
    id.map(|id| Some(ElementRef::Id(id))).ok_or_else(invalid)
}

/// Reads `tags`: an array of strings.
fn tags(value: Option<&Value>) -> Result<Option<Vec<String>>, ApiError> {
    let Some(value) = value.filter(|value| !value.is_null()) else {
        return Ok(None);
    };
    let invalid = || ApiError::bad_request("tags must be an array of strings");
    let items = value.as_array().ok_or_else(invalid)?;
    let strings = items.iter().map(|tag| tag.as_str().map(str::to_owned));
    strings
        .collect::<Option<Vec<_>>>()
        .map(Some)
        .ok_or_else(invalid)
}

/// Reads `providerData`: an object, passed on as it is.
fn provider_data(value: Option<&Value>) -> Result<Option<Map<String, Value>>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(fields)) => Ok(Some(fields.clone())),
        Some(_) => Err(ApiError::bad_request("providerData must be a JSON object")),
    }
}

/// Reads `externalAuthentication`: `"initial"` means the caller brings the vendor tokens.
fn external(value: Option<&Value>) -> Result<bool, ApiError> {
    match value.and_then(Value::as_str) {
        None if value.is_none_or(Value::is_null) => Ok(false),
        Some("none") => Ok(false),
        Some("initial") => Ok(true),
        _ => Err(ApiError::bad_request(
            "externalAuthentication must be \"none\" or \"initial\"",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_rally_body() {
        let body = concat!(
            r#"{"element":{"key":"caagilecentral"},"#,
            r#""configuration":{"api.key":"k"},"name":"instance1"}"#
        )
        .as_bytes();

        let parsed = InstanceBody::parse(body).expect("a valid body");

        assert_eq!(
            parsed.element,
            Some(ElementRef::Key("caagilecentral".into()))
        );
        assert_eq!(parsed.name().ok().as_deref(), Some("instance1"));
    }

    #[test]
    fn rejects_bodies_that_are_not_objects() {
        assert!(InstanceBody::parse(b"not json").is_err());
        assert!(InstanceBody::parse(b"[1]").is_err());
    }

    #[test]
    fn rejects_unknown_external_authentication() {
        assert!(InstanceBody::parse(br#"{"externalAuthentication":"later"}"#).is_err());
        assert!(InstanceBody::parse(br#"{"externalAuthentication":"initial"}"#).is_ok());
    }
}
