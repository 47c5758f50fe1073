//! The configuration map sent when an instance is created or changed.
//!
//! Every connector takes a map of configuration entries. A few keys are common to all of them
//! and get typed setters here; the rest are connector-specific and go through
//! [`Configuration::set`] or, for secret values, [`Configuration::set_secret`].

use std::collections::BTreeMap;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::ser::{Serialize, SerializeMap, Serializer};
use url::Url;

use crate::error::InvalidInput;
use crate::events::{EventsConfiguration, PollerConfiguration};
use crate::scrub::{MASK, is_secret_key};

/// The configuration keys common to every connector.
pub mod keys {
    /// Whether the instance sends event notifications (boolean, default false).
    pub const EVENT_NOTIFICATION_ENABLED: &str = "event.notification.enabled";
    /// How the platform learns of changes: `polling` or `webhook`.
    pub const EVENT_VENDOR_TYPE: &str = "event.vendor.type";
    /// How notifications are delivered; only `webhook` exists.
    pub const EVENT_NOTIFICATION_TYPE: &str = "event.notification.type";
    /// Where notifications are sent (an http or https URL).
    pub const EVENT_NOTIFICATION_CALLBACK_URL: &str = "event.notification.callback.url";
    /// The key that signs notifications (`Elements-Webhook-Signature`).
    pub const EVENT_NOTIFICATION_SIGNATURE_KEY: &str = "event.notification.signature.key";
    /// Minutes between two polls of the vendor.
    pub const EVENT_POLLER_REFRESH_INTERVAL: &str = "event.poller.refresh_interval";
    /// Per-resource poller settings, sent as a JSON-encoded string.
    pub const EVENT_POLLER_CONFIGURATION: &str = "event.poller.configuration";
    /// Whether `null` values are removed from connector responses (boolean, default true).
    pub const FILTER_RESPONSE_NULLS: &str = "filter.response.nulls";
    /// The OAuth application's API key (client id) at the vendor.
    pub const OAUTH_API_KEY: &str = "oauth.api.key";
    /// The OAuth application's API secret (client secret) at the vendor.
    pub const OAUTH_API_SECRET: &str = "oauth.api.secret";
    /// The OAuth callback URL, the same one the authorization URL was made with.
    pub const OAUTH_CALLBACK_URL: &str = "oauth.callback.url";
}

/// How the platform learns of changes at the vendor (`event.vendor.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventVendorType {
    /// The platform polls the vendor on a schedule.
    Polling,
    /// The vendor pushes changes to the platform.
    Webhook,
}

impl EventVendorType {
    /// The value the platform expects in requests.
    pub fn as_str(&self) -> &'static str {
        match self {
            EventVendorType::Polling => "polling",
            EventVendorType::Webhook => "webhook",
        }
    }

    /// Reads a value as the platform returns it; responses may say `webhooks` (plural).
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "polling" => Some(EventVendorType::Polling),
            "webhook" | "webhooks" => Some(EventVendorType::Webhook),
            _ => None,
        }
    }
}

/// How notifications reach the application (`event.notification.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotificationType {
    /// An HTTP POST to the callback URL, the only kind the platform offers.
    Webhook,
}

impl NotificationType {
    /// The value the platform expects.
    pub fn as_str(&self) -> &'static str {
        match self {
            NotificationType::Webhook => "webhook",
        }
    }
}

/// One configuration value as sent to the platform.
#[derive(Clone)]
#[non_exhaustive]
pub enum ConfigValue {
    /// A string, the form the platform stores every value in.
    Text(String),
    /// A boolean, sent as JSON `true`/`false`.
    Bool(bool),
    /// A number, sent as a JSON number.
    Number(i64),
    /// A secret string: sent as text, never printed.
    Secret(SecretString),
}

impl ConfigValue {
    /// The value as the platform would store it, or `None` for a secret.
    pub fn as_plain_str(&self) -> Option<String> {
        match self {
            ConfigValue::Text(s) => Some(s.clone()),
            ConfigValue::Bool(b) => Some(b.to_string()),
            ConfigValue::Number(n) => Some(n.to_string()),
            ConfigValue::Secret(_) => None,
        }
    }
}

impl fmt::Debug for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigValue::Text(s) => write!(f, "{s:?}"),
            ConfigValue::Bool(b) => write!(f, "{b}"),
            ConfigValue::Number(n) => write!(f, "{n}"),
            ConfigValue::Secret(_) => f.write_str(MASK),
        }
    }
}

impl Serialize for ConfigValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ConfigValue::Text(s) => serializer.serialize_str(s),
            ConfigValue::Bool(b) => serializer.serialize_bool(*b),
            ConfigValue::Number(n) => serializer.serialize_i64(*n),
            ConfigValue::Secret(s) => serializer.serialize_str(s.expose_secret()),
        }
    }
}

impl From<&str> for ConfigValue {
    fn from(value: &str) -> Self {
        ConfigValue::Text(value.to_owned())
    }
}

impl From<String> for ConfigValue {
    fn from(value: String) -> Self {
        ConfigValue::Text(value)
    }
}

impl From<bool> for ConfigValue {
    fn from(value: bool) -> Self {
        ConfigValue::Bool(value)
    }
}

impl From<i64> for ConfigValue {
    fn from(value: i64) -> Self {
        ConfigValue::Number(value)
    }
}

impl From<u32> for ConfigValue {
    fn from(value: u32) -> Self {
        ConfigValue::Number(i64::from(value))
    }
}

impl From<SecretString> for ConfigValue {
    fn from(value: SecretString) -> Self {
        ConfigValue::Secret(value)
    }
}

/// The configuration of an instance, built with typed setters for the common keys.
///
/// ```
/// use open_connectors::{Configuration, EventVendorType};
///
/// let configuration = Configuration::new()
///     .set_secret("api.key", "my Rally API key")
///     .event_notification_enabled(true)
///     .event_vendor_type(EventVendorType::Webhook)
///     .event_notification_callback_url("https://app.example.com/events".parse()?)
///     .filter_response_nulls(false);
///
/// assert_eq!(configuration.len(), 5);
/// assert!(!format!("{configuration:?}").contains("my Rally API key"));
/// # Ok::<(), url::ParseError>(())
/// ```
#[derive(Clone, Default)]
pub struct Configuration {
    entries: BTreeMap<String, ConfigValue>,
}

impl Configuration {
    /// An empty configuration.
    pub fn new() -> Self {
        Configuration::default()
    }

    /// Sets any key, such as a connector-specific one. Text under a key that looks secret
    /// (see [`is_secret_key`](crate::is_secret_key)), such as `password` or `api.key`, is kept
    /// as a [`ConfigValue::Secret`], exactly as [`set_secret`](Self::set_secret) would.
    pub fn set(mut self, key: impl Into<String>, value: impl Into<ConfigValue>) -> Self {
        let key = key.into();
        let value = match value.into() {
            ConfigValue::Text(text) if is_secret_key(&key) => ConfigValue::Secret(text.into()),
            other => other,
        };
        self.entries.insert(key, value);
        self
    }

    /// The secret values, to cut out of anything the platform echoes back.
    pub(crate) fn secret_values(&self) -> impl Iterator<Item = SecretString> + '_ {
        self.entries.values().filter_map(|value| match value {
            ConfigValue::Secret(secret) => Some(secret.clone()),
            _ => None,
        })
    }

    /// Sets a secret value, such as an API key or a password. It is sent, never printed.
    pub fn set_secret(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let secret = SecretString::from(value.into());
        self.set(key, ConfigValue::Secret(secret))
    }

    /// `event.notification.enabled`: whether the instance sends event notifications.
    pub fn event_notification_enabled(self, enabled: bool) -> Self {
        self.set(keys::EVENT_NOTIFICATION_ENABLED, enabled)
    }

    /// `event.vendor.type`: polling or webhook.
    pub fn event_vendor_type(self, kind: EventVendorType) -> Self {
        self.set(keys::EVENT_VENDOR_TYPE, kind.as_str())
    }

    /// `event.notification.type`: how notifications are delivered.
    pub fn event_notification_type(self, kind: NotificationType) -> Self {
        self.set(keys::EVENT_NOTIFICATION_TYPE, kind.as_str())
    }

    /// `event.notification.callback.url`: where notifications go. Must be `http` or `https`,
    /// which the request's `build()` checks.
    pub fn event_notification_callback_url(self, url: Url) -> Self {
        self.set(keys::EVENT_NOTIFICATION_CALLBACK_URL, String::from(url))
    }

    /// `event.notification.signature.key`: the key notifications are signed with.
    pub fn event_notification_signature_key(self, key: impl Into<String>) -> Self {
        self.set_secret(keys::EVENT_NOTIFICATION_SIGNATURE_KEY, key)
    }

    /// `filter.response.nulls`: whether `null` values are removed from connector responses.
    pub fn filter_response_nulls(self, filter: bool) -> Self {
        self.set(keys::FILTER_RESPONSE_NULLS, filter)
    }

    /// `event.poller.refresh_interval`: minutes between two polls of the vendor.
    pub fn event_poller_refresh_interval(self, minutes: u32) -> Self {
        self.set(keys::EVENT_POLLER_REFRESH_INTERVAL, minutes)
    }

    /// `event.poller.configuration`: what the poller reads per resource, sent as the
    /// JSON-encoded string the platform stores.
    pub fn event_poller_configuration(self, poller: PollerConfiguration) -> Self {
        self.set(keys::EVENT_POLLER_CONFIGURATION, poller.to_json_string())
    }

    /// Every event key at once: events on, vendor type, callback URL, and the signature key,
    /// refresh interval and poller configuration when given.
    pub fn events(self, events: EventsConfiguration) -> Self {
        events.apply(self)
    }

    /// The value set for a key.
    pub fn get(&self, key: &str) -> Option<&ConfigValue> {
        self.entries.get(key)
    }

    /// Whether a key is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// The keys that are set, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// How many entries are set.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Refuses what the platform would refuse: an empty key, a callback URL that is not
    /// `http` or `https`, and a masked `********` value read back from the platform.
    pub(crate) fn validate(&self) -> Result<(), InvalidInput> {
        for (key, value) in &self.entries {
            if key.trim().is_empty() {
                return Err(InvalidInput::EmptyConfigKey);
            }
            check_not_masked(key, value)?;
        }
        self.check_callback_url()
    }

    fn check_callback_url(&self) -> Result<(), InvalidInput> {
        let Some(value) = self.entries.get(keys::EVENT_NOTIFICATION_CALLBACK_URL) else {
            return Ok(());
        };
        let text = value.as_plain_str().unwrap_or_default();
        let field = keys::EVENT_NOTIFICATION_CALLBACK_URL.to_owned();
        let url = Url::parse(&text).map_err(|_| InvalidInput::UrlScheme {
            field: field.clone(),
            scheme: text.split(':').next().unwrap_or_default().to_owned(),
        })?;
        if matches!(url.scheme(), "http" | "https") {
            return Ok(());
        }
        Err(InvalidInput::UrlScheme {
            field,
            scheme: url.scheme().to_owned(),
        })
    }
}

/// The platform masks secrets as `********` when it returns them. Sending that back would
/// overwrite the real secret with eight asterisks.
fn check_not_masked(key: &str, value: &ConfigValue) -> Result<(), InvalidInput> {
    let masked = match value {
        ConfigValue::Text(s) => is_masked(s),
        ConfigValue::Secret(s) => is_masked(s.expose_secret()),
        _ => false,
    };
    if masked {
        return Err(InvalidInput::Value {
            field: "configuration",
            reason: format!("`{key}` holds the platform's mask `********`, not a real value"),
        });
    }
    Ok(())
}

/// Whether a value is the platform's mask for a secret.
pub(crate) fn is_masked(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c == '*')
}

impl Serialize for Configuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, value) in &self.entries {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl fmt::Debug for Configuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in &self.entries {
            if is_secret_key(key) {
                map.entry(key, &format_args!("{MASK}"));
            } else {
                map.entry(key, value);
            }
        }
        map.finish()
    }
}

impl<K: Into<String>, V: Into<ConfigValue>> FromIterator<(K, V)> for Configuration {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        iter.into_iter()
            .fold(Configuration::new(), |c, (k, v)| c.set(k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_typed_setter_writes_its_key() -> Result<(), Box<dyn std::error::Error>> {
        let configuration = Configuration::new()
            .event_notification_enabled(true)
            .event_vendor_type(EventVendorType::Polling)
            .event_notification_type(NotificationType::Webhook)
            .event_notification_callback_url("https://app.example.com/events".parse()?)
            .event_notification_signature_key("sig")
            .filter_response_nulls(false)
            .event_poller_refresh_interval(15)
            .set("document.tagging", "false")
            .set_secret("api.key", "k");

        let value = serde_json::to_value(&configuration)?;

        assert_eq!(
            value,
            json!({
                "event.notification.enabled": true,
                "event.vendor.type": "polling",
                "event.notification.type": "webhook",
                "event.notification.callback.url": "https://app.example.com/events",
                "event.notification.signature.key": "sig",
                "filter.response.nulls": false,
                "event.poller.refresh_interval": 15,
                "document.tagging": "false",
                "api.key": "k"
            })
        );
        Ok(())
    }

    #[test]
    fn debug_hides_secrets_and_secret_named_keys() {
        let configuration = Configuration::new()
            .set_secret("custom", "hidden-1")
            .set("password", "hidden-2")
            .set("site.address", "visible");

        let printed = format!("{configuration:?}");

        assert!(!printed.contains("hidden-1"), "{printed}");
        assert!(!printed.contains("hidden-2"), "{printed}");
        assert!(printed.contains("visible"), "{printed}");
    }

    #[test]
    fn validation_refuses_bad_callbacks_empty_keys_and_masks() {
        let ftp = Configuration::new().set(keys::EVENT_NOTIFICATION_CALLBACK_URL, "ftp://x");
        let empty = Configuration::new().set(" ", "x");
        let masked = Configuration::new().set("api.key", "********");

        assert!(matches!(
            ftp.validate(),
            Err(InvalidInput::UrlScheme { .. })
        ));
        assert_eq!(empty.validate(), Err(InvalidInput::EmptyConfigKey));
        assert!(matches!(masked.validate(), Err(InvalidInput::Value { .. })));
    }

    #[test]
    fn vendor_type_reads_the_plural_form() {
        assert_eq!(
            EventVendorType::parse("webhooks"),
            Some(EventVendorType::Webhook)
        );
        assert_eq!(
            EventVendorType::parse("polling"),
            Some(EventVendorType::Polling)
        );
        assert_eq!(EventVendorType::parse("push"), None);
    }
}
