//! Event settings of an instance: how the platform learns of changes (webhook or polling),
//! what the poller reads, and where notifications go.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use url::Url;

use super::signature::SignatureKey;
use crate::configuration::{Configuration, EventVendorType};

/// What the poller reads, per resource (`event.poller.configuration`).
///
/// The platform expects this map as a JSON-encoded *string*, which
/// [`Configuration::event_poller_configuration`] produces.
///
/// ```
/// use open_connectors::{DatesConfiguration, PollerConfiguration, ResourcePoller};
///
/// let url = "/hubs/general/defects?where=LastUpdateDate>='${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}'";
/// let dates = DatesConfiguration::new()
///     .updated("LastUpdateDate", "yyyy-MM-dd'T'HH:mm:ss'Z'", "GMT");
/// let poller = PollerConfiguration::new()
///     .resource("defects", ResourcePoller::new(url, "ObjectID").dates(dates));
///
/// assert!(poller.to_json_string().starts_with(r#"{"defects":{"#));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollerConfiguration {
    resources: BTreeMap<String, ResourcePoller>,
}

impl PollerConfiguration {
    /// No resources polled yet.
    pub fn new() -> Self {
        PollerConfiguration::default()
    }

    /// Polls `resource` (the name events will carry as `objectType`) as `poller` says.
    pub fn resource(mut self, resource: impl Into<String>, poller: ResourcePoller) -> Self {
        self.resources.insert(resource.into(), poller);
        self
    }

    /// The resources polled, in order.
    pub fn resources(&self) -> impl Iterator<Item = &str> {
        self.resources.keys().map(String::as_str)
    }

    /// The map as JSON: `{"<resource>": {"url", "idField", "datesConfiguration"?}}`.
    pub fn to_json(&self) -> Value {
        let map: Map<String, Value> = self
            .resources
            .iter()
            .map(|(name, poller)| (name.clone(), poller.to_json()))
            .collect();
        Value::Object(map)
    }

    /// The map as the JSON-encoded string the platform stores.
    pub fn to_json_string(&self) -> String {
        self.to_json().to_string()
    }
}

/// How the poller reads one resource: the URL to call, the field holding each item's id,
/// and the date fields that tell created from updated items.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePoller {
    url: String,
    id_field: String,
    dates: Option<DatesConfiguration>,
}

impl ResourcePoller {
    /// Polls `url` (a hub path, which may hold `${date}` or `${gmtDate:<format>}` placeholders
    /// that the platform fills in with the last poll's time), reading ids from `id_field`.
    pub fn new(url: impl Into<String>, id_field: impl Into<String>) -> Self {
        ResourcePoller {
            url: url.into(),
            id_field: id_field.into(),
            dates: None,
        }
    }

    /// The date fields (`datesConfiguration`).
    pub fn dates(mut self, dates: DatesConfiguration) -> Self {
        self.dates = Some(dates);
        self
    }

    fn to_json(&self) -> Value {
        let mut value = json!({ "url": self.url, "idField": self.id_field });
        if let (Some(dates), Value::Object(map)) = (&self.dates, &mut value) {
            map.insert("datesConfiguration".to_owned(), dates.to_json());
        }
        value
    }
}

/// The date fields of a polled resource (`datesConfiguration`): name, format (a Java date
/// pattern such as `yyyy-MM-dd'T'HH:mm:ss'Z'`) and time zone of the updated and created dates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DatesConfiguration {
    fields: BTreeMap<&'static str, String>,
}

impl DatesConfiguration {
    /// No date fields yet.
    pub fn new() -> Self {
        DatesConfiguration::default()
    }

    /// The field with the last update time, its format and its time zone.
    pub fn updated(self, field: &str, format: &str, timezone: &str) -> Self {
        self.set("updatedDateField", field)
            .set("updatedDateFormat", format)
            .set("updatedDateTimezone", timezone)
    }

    /// The field with the creation time, its format and its time zone.
    pub fn created(self, field: &str, format: &str, timezone: &str) -> Self {
        self.set("createdDateField", field)
            .set("createdDateFormat", format)
            .set("createdDateTimezone", timezone)
    }

    fn set(mut self, name: &'static str, value: &str) -> Self {
        self.fields.insert(name, value.to_owned());
        self
    }

    fn to_json(&self) -> Value {
        let map: Map<String, Value> = self
            .fields
            .iter()
            .map(|(name, value)| ((*name).to_owned(), Value::from(value.as_str())))
            .collect();
        Value::Object(map)
    }
}

/// Every event setting of an instance at once, applied to a [`Configuration`] with
/// [`Configuration::events`].
///
/// ```
/// use open_connectors::{Configuration, EventsConfiguration, SignatureKey};
///
/// let events = EventsConfiguration::webhook("https://app.example.com/events".parse()?)
///     .signature_key(SignatureKey::new("my signature key"));
/// let configuration = Configuration::new()
///     .set_secret("api.key", "my Rally API key")
///     .events(events);
///
/// assert!(configuration.contains_key("event.notification.signature.key"));
/// # Ok::<(), url::ParseError>(())
/// ```
#[derive(Debug, Clone)]
pub struct EventsConfiguration {
    vendor_type: EventVendorType,
    callback_url: Url,
    signature_key: Option<SignatureKey>,
    refresh_interval: Option<u32>,
    poller: Option<PollerConfiguration>,
}

impl EventsConfiguration {
    /// Events pushed by the vendor, delivered to `callback_url`.
    pub fn webhook(callback_url: Url) -> Self {
        EventsConfiguration::of(EventVendorType::Webhook, callback_url, None)
    }

    /// Events found by polling the vendor as `poller` says, delivered to `callback_url`.
    pub fn polling(callback_url: Url, poller: PollerConfiguration) -> Self {
        EventsConfiguration::of(EventVendorType::Polling, callback_url, Some(poller))
    }

    fn of(kind: EventVendorType, url: Url, poller: Option<PollerConfiguration>) -> Self {
        EventsConfiguration {
            vendor_type: kind,
            callback_url: url,
            signature_key: None,
            refresh_interval: None,
            poller,
        }
    }

    /// Signs every notification with this key (`Elements-Webhook-Signature`).
    pub fn signature_key(mut self, key: SignatureKey) -> Self {
        self.signature_key = Some(key);
        self
    }

    /// Minutes between two polls (`event.poller.refresh_interval`).
    pub fn refresh_interval(mut self, minutes: u32) -> Self {
        self.refresh_interval = Some(minutes);
        self
    }

    /// Writes every event key into `configuration`, events turned on.
    pub(crate) fn apply(self, configuration: Configuration) -> Configuration {
        let mut configuration = configuration
            .event_notification_enabled(true)
            .event_vendor_type(self.vendor_type)
            .event_notification_callback_url(self.callback_url);
        if let Some(key) = self.signature_key {
            configuration = configuration.event_notification_signature_key(key.expose_secret());
        }
        if let Some(minutes) = self.refresh_interval {
            configuration = configuration.event_poller_refresh_interval(minutes);
        }
        match self.poller {
            Some(poller) => configuration.event_poller_configuration(poller),
            None => configuration,
        }
    }
}
