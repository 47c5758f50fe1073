//! Instances as the platform returns them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::auth::InstanceToken;
use crate::configuration::{EventVendorType, is_masked, keys};
use crate::element::{ElementDetails, ElementId};
use crate::lenient;
use crate::scrub::{MASK, is_secret_key};

/// The numeric id of an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstanceId(#[serde(deserialize_with = "lenient::u64_from")] pub u64);

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<u64> for InstanceId {
    fn from(id: u64) -> Self {
        InstanceId(id)
    }
}

/// A connector instance: an authenticated link from the platform to one account at a vendor.
///
/// Decoding is tolerant: unknown fields are kept in [`extra`](Self::extra), missing ones read as
/// `None` or empty, and booleans may arrive as strings. The [`token`](Self::token) is a secret
/// and is never printed.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Instance {
    /// The instance's id.
    pub id: InstanceId,
    /// The instance's name (the platform strips HTML from it).
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub name: String,
    /// The token that signs connector calls on this instance (`Element <token>`). The
    /// platform's own schema types it as an object, so anything but non-empty text reads as
    /// absent.
    #[serde(default, deserialize_with = "token_text")]
    pub token: Option<InstanceToken>,
    /// The element this is an instance of, as far as the platform filled it in.
    #[serde(default)]
    pub element: Option<ElementDetails>,
    /// The element's id, on newer answers.
    #[serde(default)]
    pub element_id: Option<ElementId>,
    /// When the instance was created (RFC 3339, such as `2019-09-20T10:40:37Z`).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub created_date: Option<String>,
    /// The instance's tags.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub tags: Vec<Tag>,
    /// Whether the instance is authenticated; `false` means it needs re-authentication.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub valid: Option<bool>,
    /// Whether the instance is disabled; connector calls then fail with `403`.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub disabled: Option<bool>,
    /// Whether events are enabled.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub events_enabled: Option<bool>,
    /// Whether trace logging is on.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub trace_logging_enabled: Option<bool>,
    /// Whether caching is on.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub caching_enabled: Option<bool>,
    /// `none`, or `initial` when the caller supplied the vendor tokens.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub external_authentication: Option<String>,
    /// The authentication type, such as `custom` or `oauth2`, on newer answers.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub authentication_type: Option<String>,
    /// The instance's configuration as stored: strings, `null`s and masked secrets.
    #[serde(default)]
    pub configuration: InstanceConfiguration,
    /// The OAuth provider data, echoed by some create answers only. Its values are hidden
    /// from `Debug`.
    #[serde(default)]
    pub provider_data: Option<Map<String, Value>>,
    /// The user that owns the instance.
    #[serde(default)]
    pub user: Option<InstanceUser>,
    /// The account id, on newer answers.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub account_id: Option<u64>,
    /// The organization id, on newer answers.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub organization_id: Option<u64>,
    /// Every other field, as returned, such as `provisionInteractions` or `maxCacheSize`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Instance {
    /// The element's key, from the embedded element.
    pub fn element_key(&self) -> Option<&str> {
        self.element.as_ref()?.key.as_ref().map(|k| k.as_str())
    }

    /// The tag names.
    pub fn tag_names(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().map(Tag::name)
    }
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("token", &self.token)
            .field("element_key", &self.element_key())
            .field("created_date", &self.created_date)
            .field("tags", &self.tags)
            .field("valid", &self.valid)
            .field("disabled", &self.disabled)
            .field("configuration", &self.configuration)
            .field("provider_data", &self.provider_data.as_ref().map(|_| MASK))
            .finish_non_exhaustive()
    }
}

/// The token when it is text; `{}` or any other value reads as no token.
fn token_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<InstanceToken>, D::Error> {
    Ok(lenient::non_empty_text(d)?.map(InstanceToken::new))
}

/// A tag, which the platform returns as a string or, in older answers, as `{id, name}`.
///
/// Other shapes never fail an answer: a number reads as its text, and an object without a
/// name takes its id as text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tag {
    /// The tag's text.
    pub name: String,
    /// The tag's id, when it came as an object.
    pub id: Option<u64>,
}

impl Tag {
    /// The tag's text.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let Value::Object(object) = &value else {
            let name = lenient::text_of(&value).unwrap_or_default();
            return Ok(Tag { name, id: None });
        };
        let id = object.get("id").and_then(lenient::u64_of);
        let name = object.get("name").and_then(lenient::text_of);
        let name = name.or_else(|| object.get("id").and_then(lenient::text_of));
        Ok(Tag {
            name: name.unwrap_or_default(),
            id,
        })
    }
}

/// The user that owns an instance.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct InstanceUser {
    /// The user's id.
    #[serde(deserialize_with = "lenient::opt_u64")]
    pub id: Option<u64>,
    /// The user's e-mail address.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub email_address: Option<String>,
    /// The user's first name.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub first_name: Option<String>,
    /// The user's last name.
    #[serde(deserialize_with = "lenient::opt_string")]
    pub last_name: Option<String>,
}

/// An instance's configuration as the platform returns it.
///
/// Values are strings, `null`, or (from some callers' writes) booleans and numbers; secrets
/// arrive masked as `********`. Typed accessors read the common keys. A configuration that is
/// not an object (`null`, `[]`) reads as empty.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct InstanceConfiguration(
    #[serde(deserialize_with = "lenient::entries_or_empty")] BTreeMap<String, Option<Value>>,
);

impl InstanceConfiguration {
    /// The raw value of a key: `None` when absent, `Some(None)` when `null`.
    pub fn raw(&self, key: &str) -> Option<Option<&Value>> {
        self.0.get(key).map(Option::as_ref)
    }

    /// A value as text: strings as they are, booleans and numbers written out. `None` for an
    /// absent key, `null`, or a masked secret.
    pub fn get_str(&self, key: &str) -> Option<String> {
        let text = match self.0.get(key)?.as_ref()? {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            other => other.to_string(),
        };
        (!is_masked(&text)).then_some(text)
    }

    /// A value as a boolean, reading `"true"`/`"false"` as well as JSON booleans.
    pub fn get_bool(&self, key: &str) -> Option<bool> {
        self.0.get(key)?.as_ref().and_then(lenient::bool_of)
    }

    /// Whether the platform returned this key's value masked (`********`).
    pub fn is_masked(&self, key: &str) -> bool {
        matches!(self.0.get(key), Some(Some(Value::String(s))) if is_masked(s))
    }

    /// `event.notification.enabled`.
    pub fn event_notification_enabled(&self) -> Option<bool> {
        self.get_bool(keys::EVENT_NOTIFICATION_ENABLED)
    }

    /// `event.vendor.type`, reading `webhooks` as well as `webhook`.
    pub fn event_vendor_type(&self) -> Option<EventVendorType> {
        EventVendorType::parse(&self.get_str(keys::EVENT_VENDOR_TYPE)?)
    }

    /// `event.notification.callback.url`.
    pub fn event_notification_callback_url(&self) -> Option<String> {
        self.get_str(keys::EVENT_NOTIFICATION_CALLBACK_URL)
            .filter(|s| !s.is_empty())
    }

    /// `filter.response.nulls`.
    pub fn filter_response_nulls(&self) -> Option<bool> {
        self.get_bool(keys::FILTER_RESPONSE_NULLS)
    }

    /// `event.poller.refresh_interval`, in minutes.
    pub fn event_poller_refresh_interval(&self) -> Option<u32> {
        self.get_str(keys::EVENT_POLLER_REFRESH_INTERVAL)?
            .trim()
            .parse()
            .ok()
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The entries, with values as returned.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<&Value>)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_ref()))
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for InstanceConfiguration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in &self.0 {
            match value {
                Some(_) if is_secret_key(key) => map.entry(key, &format_args!("{MASK}")),
                Some(value) => map.entry(key, value),
                None => map.entry(key, &format_args!("null")),
            };
        }
        map.finish()
    }
}
