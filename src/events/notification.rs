//! Event notifications as the platform posts them to the callback URL.
//!
//! The current form wraps everything in `message`:
//! `{"message": {"eventId", "events": [...], "raw": {...}, "instanceId", ...}}`. An older form,
//! still documented for the documents hub, puts the fields at the top level with the events
//! under `response`: `{"eventId", "instanceId", "response": {"events": [...]}, "notificationId"}`.
//! Both decode into one [`Notification`].

use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::signature::{SignatureKey, WebhookError};
use crate::instances::InstanceId;
use crate::lenient;

/// One notification: a batch of events from one instance.
///
/// Only the fields the platform documents are typed; every other key is kept in
/// [`extra`](Self::extra) and the vendor's own payload in [`raw`](Self::raw). A notification
/// may arrive more than once: deduplicate on [`event_id`](Self::event_id).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Notification {
    /// The platform's id for this notification's event.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub event_id: Option<String>,
    /// The instance the events come from, when the platform says.
    #[serde(default)]
    pub instance_id: Option<InstanceId>,
    /// The element (connector) key, such as `caagilecentral`, when the platform says.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub element_key: Option<String>,
    /// The account the instance belongs to, when the platform says.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub account_id: Option<u64>,
    /// The notification's id, in the older form.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub notification_id: Option<String>,
    /// The changes, normalised by the platform.
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub events: Vec<Event>,
    /// The vendor's or the poller's payload as received (`raw`; `response` in the older form).
    #[serde(default)]
    pub raw: Option<Value>,
    /// Every other field, such as `userId`, `companyId` or `instanceTags`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One change at the vendor.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Event {
    /// The kind of object that changed, such as `defects`.
    #[serde(default, deserialize_with = "text")]
    pub object_type: String,
    /// The vendor's id of the object.
    #[serde(default, deserialize_with = "text")]
    pub object_id: String,
    /// What happened to it.
    #[serde(default)]
    pub event_type: EventType,
    /// When it happened, as the platform wrote it.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub date: Option<String>,
    /// The element (connector) key.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub element_key: Option<String>,
    /// The hub, such as `general`.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub hub_key: Option<String>,
    /// When the poller found the change, for polled events.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub poll_date: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What happened to an object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum EventType {
    /// `CREATED`.
    Created,
    /// `UPDATED`.
    Updated,
    /// `DELETED`.
    Deleted,
    /// Any other word, kept as sent.
    Other(String),
    /// No event type was given.
    #[default]
    Unknown,
}

impl EventType {
    /// Reads the platform's word, in any case.
    pub fn parse(value: &str) -> Self {
        match value.trim().to_ascii_uppercase().as_str() {
            "CREATED" => EventType::Created,
            "UPDATED" => EventType::Updated,
            "DELETED" => EventType::Deleted,
            _ => EventType::Other(value.to_owned()),
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EventType::Created => "CREATED",
            EventType::Updated => "UPDATED",
            EventType::Deleted => "DELETED",
            EventType::Other(word) => word,
            EventType::Unknown => "",
        })
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match lenient::opt_string(deserializer)? {
            Some(word) => EventType::parse(&word),
            None => EventType::Unknown,
        })
    }
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(lenient::opt_string(d)?.unwrap_or_default())
}

impl Notification {
    /// Decodes a notification body, in the current or the older form. Check its signature
    /// first: see [`verify_and_decode`].
    ///
    /// # Errors
    ///
    /// [`WebhookError::Decode`] when the body is not JSON or not a notification.
    pub fn decode(body: &[u8]) -> Result<Notification, WebhookError> {
        let mut value: Value =
            serde_json::from_slice(body).map_err(|source| WebhookError::Decode {
                path: ".".to_owned(),
                source,
            })?;
        let (prefix, fields) = match value.get_mut("message") {
            Some(message @ Value::Object(_)) => ("message.", message.take()),
            _ => ("", value),
        };
        let mut notification: Notification =
            serde_path_to_error::deserialize(fields).map_err(|e| WebhookError::Decode {
                path: format!("{prefix}{}", e.path()),
                source: e.into_inner(),
            })?;
        notification.adopt_older_form()?;
        Ok(notification)
    }

    /// Moves `response.events` of the older form into [`events`](Self::events), and
    /// `response` into [`raw`](Self::raw).
    fn adopt_older_form(&mut self) -> Result<(), WebhookError> {
        let Some(mut response) = self.extra.remove("response") else {
            return Ok(());
        };
        let events = response.get_mut("events").map(Value::take);
        if let Some(events) = events.filter(|_| self.events.is_empty()) {
            self.events =
                serde_path_to_error::deserialize(events).map_err(|e| WebhookError::Decode {
                    path: format!("response.events{}", e.path()),
                    source: e.into_inner(),
                })?;
        }
        self.raw.get_or_insert(response);
        Ok(())
    }
}

/// Checks a notification's signature over the exact raw body, then decodes it.
///
/// `header` is the value of `Elements-Webhook-Signature`
/// ([`SIGNATURE_HEADER`](super::SIGNATURE_HEADER)), or `None` when the request has none. Works
/// with any HTTP server: pass the body bytes as received, before any JSON parsing.
///
/// ```
/// use open_connectors::{SignatureKey, verify_and_decode};
///
/// let key = SignatureKey::new("MySecretEventSignatureKey");
/// let body = br#"{"message": {"eventId": "e1", "events": [
///     {"objectType": "defects", "objectId": "7", "eventType": "CREATED"}]}}"#;
/// let header = key.sign(body); // what the platform sends
///
/// let notification = verify_and_decode(&key, Some(&header), body)?;
/// assert_eq!(notification.events[0].object_id, "7");
/// # Ok::<(), open_connectors::WebhookError>(())
/// ```
///
/// # Errors
///
/// A [`WebhookError`] when the signature is missing, malformed or does not match, or when the
/// body is not a notification.
pub fn verify_and_decode(
    key: &SignatureKey,
    header: Option<&str>,
    body: &[u8],
) -> Result<Notification, WebhookError> {
    key.verify(header, body)?;
    Notification::decode(body)
}
