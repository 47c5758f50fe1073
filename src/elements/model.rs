//! Elements' configuration definitions and metadata, as the platform returns them.

use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::element::{ElementAuthentication, ElementId, ElementKey};
use crate::lenient;

/// The kind of a configuration entry, which says how a console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigType {
    /// A text field of up to 32 characters.
    Textfield32,
    /// A text field of up to 64 characters.
    Textfield64,
    /// A text field of up to 128 characters.
    Textfield128,
    /// A text field of up to 1000 characters.
    Textfield1000,
    /// A text area.
    Textarea,
    /// A boolean, stored as `"true"`/`"false"`.
    Boolean,
    /// A boolean shown as yes/no.
    BooleanYesNo,
    /// A secret; the platform returns its value masked.
    Password,
    /// A choice from a list.
    Combo,
    /// A kind this crate does not know, as the platform spelled it.
    Other(String),
}

impl ConfigType {
    /// Reads the platform's spelling, such as `TEXTFIELD_128`.
    pub fn parse(text: &str) -> Self {
        match text.trim().to_ascii_uppercase().as_str() {
            "TEXTFIELD_32" => ConfigType::Textfield32,
            "TEXTFIELD_64" => ConfigType::Textfield64,
            "TEXTFIELD_128" => ConfigType::Textfield128,
            "TEXTFIELD_1000" => ConfigType::Textfield1000,
            "TEXTAREA" => ConfigType::Textarea,
            "BOOLEAN" => ConfigType::Boolean,
            "BOOLEAN_YESNO" => ConfigType::BooleanYesNo,
            "PASSWORD" => ConfigType::Password,
            "COMBO" => ConfigType::Combo,
            _ => ConfigType::Other(text.to_owned()),
        }
    }

    /// The platform's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            ConfigType::Textfield32 => "TEXTFIELD_32",
            ConfigType::Textfield64 => "TEXTFIELD_64",
            ConfigType::Textfield128 => "TEXTFIELD_128",
            ConfigType::Textfield1000 => "TEXTFIELD_1000",
            ConfigType::Textarea => "TEXTAREA",
            ConfigType::Boolean => "BOOLEAN",
            ConfigType::BooleanYesNo => "BOOLEAN_YESNO",
            ConfigType::Password => "PASSWORD",
            ConfigType::Combo => "COMBO",
            ConfigType::Other(text) => text,
        }
    }
}

impl fmt::Display for ConfigType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ConfigType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| ConfigType::parse(&text))
    }
}

/// One configuration entry an element defines (`GET /elements/{keyOrId}/configuration`).
///
/// Every field but the key may be missing; booleans may arrive as strings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ConfigDefinition {
    /// The definition's numeric id.
    #[serde(deserialize_with = "lenient::opt_u64")]
    pub id: Option<u64>,
    /// The configuration key, such as `api.key`.
    pub key: String,
    /// The display name, such as `API Key`.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    /// A description for people.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    /// The value used when a request leaves the key out, always as a string.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub default_value: Option<String>,
    /// The kind of entry.
    #[serde(rename = "type", deserialize_with = "opt_config_type")]
    pub kind: Option<ConfigType>,
    /// Whether the platform needs a value (see [`ElementRequirements`](crate::ElementRequirements)
    /// for which required keys a caller must really supply).
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub required: Option<bool>,
    /// Whether consoles hide the entry.
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub hide_from_console: Option<bool>,
    /// Whether the entry is the platform's own (such as `base.url`), not the caller's.
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub internal: Option<bool>,
    /// Whether the entry is in use.
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub active: Option<bool>,
    /// Where consoles show the entry, smallest first.
    #[serde(deserialize_with = "lenient::opt_u64")]
    pub display_order: Option<u64>,
    /// Every other field, as returned, such as `resellerConfig` or `groupControl`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ConfigDefinition {
    /// A definition of `key` with nothing else set, for hand-made requirements and tests.
    pub fn new(key: impl Into<String>) -> Self {
        ConfigDefinition {
            key: key.into(),
            ..ConfigDefinition::default()
        }
    }

    /// Sets the display name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Marks the entry required.
    pub fn required(mut self, required: bool) -> Self {
        self.required = Some(required);
        self
    }

    /// Sets the default value.
    pub fn default_value(mut self, value: impl Into<String>) -> Self {
        self.default_value = Some(value.into());
        self
    }

    /// Marks the entry as the platform's own.
    pub fn internal(mut self, internal: bool) -> Self {
        self.internal = Some(internal);
        self
    }
}

pub(crate) fn opt_config_type<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<ConfigType>, D::Error> {
    Ok(lenient::opt_string(d)?.map(|text| ConfigType::parse(&text)))
}

/// What an element offers, from `GET /elements/{id}/metadata`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ElementMetadata {
    /// The element's id.
    pub id: Option<ElementId>,
    /// The element's key.
    pub key: Option<ElementKey>,
    /// The display name.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    /// Whether the element is active.
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub active: Option<bool>,
    /// Whether the element is in beta.
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub beta: Option<bool>,
    /// The authentication block, such as `{"type": "oauth2"}`.
    pub authentication: Option<ElementAuthentication>,
    /// The authentication type, when given as a plain field.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub authentication_type: Option<String>,
    /// The default authentication type, when the element has several.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub default_authentication: Option<String>,
    /// Which events the element supports.
    pub events: Option<EventsMetadata>,
    /// Every other field, as returned.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ElementMetadata {
    /// The authentication type from whichever field the answer filled in.
    pub fn auth_type(&self) -> Option<&str> {
        self.authentication
            .as_ref()
            .and_then(|a| a.kind.as_deref())
            .or(self.authentication_type.as_deref())
            .or(self.default_authentication.as_deref())
    }

    /// Whether the element can send events.
    pub fn events_supported(&self) -> bool {
        self.events.as_ref().and_then(|e| e.supported) == Some(true)
    }
}

/// The `events` block of an element's metadata.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct EventsMetadata {
    /// Whether the element can send events at all.
    #[serde(deserialize_with = "lenient::opt_bool")]
    pub supported: Option<bool>,
    /// How the platform learns of changes: `polling`, `webhook`, or both.
    #[serde(deserialize_with = "lenient::null_default")]
    pub methods: Vec<String>,
    /// Per resource, the event types polled and the poll URL.
    pub polling: Option<Value>,
    /// The webhook settings, as returned.
    pub webhook: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_type_parses_and_unknown_ones_survive() {
        for text in [
            "TEXTFIELD_32",
            "TEXTFIELD_64",
            "TEXTFIELD_128",
            "TEXTFIELD_1000",
            "TEXTAREA",
            "BOOLEAN",
            "BOOLEAN_YESNO",
            "PASSWORD",
            "COMBO",
        ] {
            let kind = ConfigType::parse(text);

            assert!(!matches!(kind, ConfigType::Other(_)), "{text}");
            assert_eq!(kind.as_str(), text);
        }
        assert_eq!(
            ConfigType::parse("SLIDER"),
            ConfigType::Other("SLIDER".into())
        );
    }

    #[test]
    fn metadata_reads_auth_type_and_events() -> Result<(), serde_json::Error> {
        let json = r#"{"id":42,"key":"box","authentication":{"type":"oauth2"},
            "events":{"supported":"true","methods":["polling","webhook"]}}"#;

        let metadata: ElementMetadata = serde_json::from_str(json)?;

        assert_eq!(metadata.auth_type(), Some("oauth2"));
        assert!(metadata.events_supported());
        assert_eq!(metadata.events.map(|e| e.methods.len()), Some(2));
        Ok(())
    }
}
