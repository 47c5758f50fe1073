//! An instance's configuration entries, one by one (`/instances/{id}/configuration`).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::configuration::is_masked;
use crate::elements::{ConfigType, opt_config_type};
use crate::lenient;
use crate::scrub::{MASK, is_secret_key};

/// The numeric id of a configuration entry, which its own path uses (not its key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConfigEntryId(#[serde(deserialize_with = "lenient::u64_from")] pub u64);

impl fmt::Display for ConfigEntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<u64> for ConfigEntryId {
    fn from(id: u64) -> Self {
        ConfigEntryId(id)
    }
}

/// One configuration entry of an instance, as the platform returns it.
///
/// Values are strings (`"true"`, `"15"`) or `null`; secrets arrive masked as `********`, and
/// `Debug` hides the value of any entry that looks secret.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConfigEntry {
    /// The entry's id, for
    /// [`Instances::update_configuration_entry`](crate::Instances::update_configuration_entry).
    pub id: ConfigEntryId,
    /// The configuration key, such as `event.notification.enabled`.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub key: String,
    /// The display name.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    /// A description for people.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    /// The value as stored: a string, or `None` when `null`.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub property_value: Option<String>,
    /// Whether the element requires the entry.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub required: Option<bool>,
    /// Whether consoles hide the entry.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub hide_from_console: Option<bool>,
    /// Whether the entry is in use.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub active: Option<bool>,
    /// The kind of entry.
    #[serde(default, rename = "type", deserialize_with = "opt_config_type")]
    pub kind: Option<ConfigType>,
    /// Every other field, as returned.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ConfigEntry {
    /// Whether the platform returned the value masked (`********`).
    pub fn is_masked(&self) -> bool {
        self.property_value.as_deref().is_some_and(is_masked)
    }

    /// The value as a boolean, reading `"true"`/`"false"`.
    pub fn as_bool(&self) -> Option<bool> {
        let value = Value::String(self.property_value.clone()?);
        lenient::bool_of(&value)
    }

    fn is_secret(&self) -> bool {
        self.kind == Some(ConfigType::Password) || is_secret_key(&self.key)
    }
}

impl fmt::Debug for ConfigEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = match &self.property_value {
            Some(_) if self.is_secret() => Some(MASK),
            other => other.as_deref(),
        };
        f.debug_struct("ConfigEntry")
            .field("id", &self.id)
            .field("key", &self.key)
            .field("name", &self.name)
            .field("property_value", &value)
            .field("required", &self.required)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_password_values() -> Result<(), serde_json::Error> {
        let json = r#"{"id":"7","key":"site.pin","propertyValue":"pin-1234","type":"PASSWORD"}"#;

        let entry: ConfigEntry = serde_json::from_str(json)?;

        assert_eq!(entry.id, ConfigEntryId(7));
        assert!(!format!("{entry:?}").contains("pin-1234"));
        Ok(())
    }
}
