//! Elements (connectors): the reference a request names, and the element as returned.

use std::fmt;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::elements::ConfigDefinition;
use crate::error::InvalidInput;
use crate::lenient;

/// The numeric id of an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ElementId(#[serde(deserialize_with = "lenient::u64_from")] pub u64);

impl fmt::Display for ElementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The key of an element, such as `caagilecentral` (Rally) or `dropbox`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ElementKey(String);

impl ElementKey {
    /// Wraps a key; it is checked when a request is built.
    pub fn new(key: impl Into<String>) -> Self {
        ElementKey(key.into())
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ElementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ElementKey {
    fn from(key: &str) -> Self {
        ElementKey::new(key)
    }
}

impl From<String> for ElementKey {
    fn from(key: String) -> Self {
        ElementKey::new(key)
    }
}

/// A reference to an element, by key or by numeric id, as a request names it.
///
/// ```
/// use open_connectors::Element;
///
/// let rally = Element::key("caagilecentral");
/// let by_id = Element::id(12345);
/// assert_eq!(serde_json::to_string(&rally)?, r#"{"key":"caagilecentral"}"#);
/// assert_eq!(serde_json::to_string(&by_id)?, r#"{"id":12345}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Element {
    /// By key, such as `caagilecentral`.
    Key(ElementKey),
    /// By numeric id.
    Id(ElementId),
}

impl Element {
    /// An element by key.
    pub fn key(key: impl Into<ElementKey>) -> Self {
        Element::Key(key.into())
    }

    /// An element by numeric id.
    pub fn id(id: u64) -> Self {
        Element::Id(ElementId(id))
    }

    /// The key or id as it goes into a path such as `/elements/{keyOrId}`.
    pub fn key_or_id(&self) -> String {
        match self {
            Element::Key(key) => key.0.clone(),
            Element::Id(id) => id.0.to_string(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), InvalidInput> {
        match self {
            Element::Key(key) if key.0.trim().is_empty() => Err(InvalidInput::EmptyElementKey),
            Element::Key(key) => crate::transport::check_segment("element key", &key.0),
            Element::Id(_) => Ok(()),
        }
    }
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Element::Key(key) => f.write_str(&key.0),
            Element::Id(id) => write!(f, "#{}", id.0),
        }
    }
}

impl Serialize for Element {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            Element::Key(key) => map.serialize_entry("key", key)?,
            Element::Id(id) => map.serialize_entry("id", id)?,
        }
        map.end()
    }
}

/// An element as the platform returns it, embedded in an instance or on its own.
///
/// Which fields appear differs a lot between answers, so all are optional; anything not
/// modelled here stays reachable in [`extra`](Self::extra).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ElementDetails {
    /// The numeric id.
    pub id: Option<ElementId>,
    /// The key, such as `caagilecentral`.
    pub key: Option<ElementKey>,
    /// The display name, such as `Rally`.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    /// A description, which may hold HTML.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    /// The hub the element belongs to, such as `crm` or `general`.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub hub: Option<String>,
    /// Whether the element is active.
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub active: Option<bool>,
    /// Whether the element was deleted.
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub deleted: Option<bool>,
    /// Whether instances are provisioned through OAuth.
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub type_oauth: Option<bool>,
    /// Whether the element is a trial account.
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub trial_account: Option<bool>,
    /// How instances are provisioned, such as `OAUTH_TEMPLATE`.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub element_provision_type: Option<String>,
    /// The authentication type, such as `oauth2`, `basic` or `custom`.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub authentication_type: Option<String>,
    /// The authentication block, such as `{"type": "oauth2"}`.
    pub authentication: Option<ElementAuthentication>,
    /// The configuration definitions, when the answer embeds them (`GET /elements/{keyOrId}`
    /// does; an instance's embedded element usually does not). `None` when absent or not in
    /// a readable shape.
    #[serde(deserialize_with = "definitions")]
    pub configuration: Option<Vec<ConfigDefinition>>,
    /// Every other field, as returned.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ElementDetails {
    /// The authentication type, from `authentication.type` or `authenticationType`.
    pub fn auth_type(&self) -> Option<&str> {
        self.authentication
            .as_ref()
            .and_then(|a| a.kind.as_deref())
            .or(self.authentication_type.as_deref())
    }
}

/// Reads embedded definitions without ever failing the element: they are an aid, and the
/// element's other fields matter more than a definition list in an unexpected shape.
fn definitions<'de, D>(d: D) -> Result<Option<Vec<ConfigDefinition>>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Option::<Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// The `authentication` block of an element.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ElementAuthentication {
    /// The type, such as `oauth2`, `oauth1`, `basic` or `custom`.
    #[serde(rename = "type", deserialize_with = "lenient::opt_string")]
    pub kind: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_element_key_is_refused() {
        assert_eq!(
            Element::key("  ").validate(),
            Err(InvalidInput::EmptyElementKey)
        );
        assert_eq!(Element::key("box").validate(), Ok(()));
    }

    #[test]
    fn details_decode_tolerantly() -> Result<(), serde_json::Error> {
        let json = r#"{"id":"14","key":"dropbox","active":"true","typeOauth":true,
            "authentication":{"type":"oauth2"},"signupURL":"https://www.dropbox.com"}"#;

        let details: ElementDetails = serde_json::from_str(json)?;

        assert_eq!(details.id, Some(ElementId(14)));
        assert_eq!(details.active, Some(true));
        assert_eq!(details.auth_type(), Some("oauth2"));
        assert!(details.extra.contains_key("signupURL"));
        Ok(())
    }
}
