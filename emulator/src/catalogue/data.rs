//! The definitions of the catalogue's elements, as constant tables.
//!
//! Keys are the platform's own. Rally's first six definitions are the documented ones; the
//! numeric ids of Rally, Dropbox, Box and ServiceNow are the ones seen in published responses,
//! the others are the emulator's own. Vendor URLs in defaults are never contacted.

use super::oauth_data;
use super::{AuthKind, ConfigDef, ElementDef, EventSupport};

/// A definition with no flags set; ids and display order are given by [`numbered`].
pub(super) const fn entry(key: &'static str, name: &'static str, kind: &'static str) -> ConfigDef {
    ConfigDef {
        id: 0,
        key,
        name,
        description: name,
        default: None,
        kind,
        required: false,
        hidden: false,
        internal: false,
        order: 0,
    }
}

impl ConfigDef {
    pub(super) const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Internal keys are set by the platform and hidden from a console.
    pub(super) const fn internal(mut self) -> Self {
        self.internal = true;
        self.hidden = true;
        self
    }

    pub(super) const fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }

    pub(super) const fn default_value(mut self, value: &'static str) -> Self {
        self.default = Some(value);
        self
    }

    const fn describe(mut self, description: &'static str) -> Self {
        self.description = description;
        self
    }
}

/// Joins tables of definitions and numbers them: ids count on from `base`, display order
/// from 1.
pub(super) fn numbered(base: u64, tables: &[&[ConfigDef]]) -> Vec<ConfigDef> {
    let all = tables.iter().flat_map(|table| table.iter().cloned());
    all.zip(1u64..)
        .map(|(definition, position)| ConfigDef {
            id: base + position,
            order: position,
            ..definition
        })
        .collect()
}

/// Every element of the standard catalogue.
pub(super) fn elements() -> Vec<ElementDef> {
    vec![
        rally(),
        servicenow(),
        oauth_data::dropbox(),
        oauth_data::sfdc(),
        oauth_data::xero(),
        oauth_data::box_element(),
    ]
}

/// The common event keys, with the element's vendor event type as default.
pub(super) const fn event_entries(vendor_type: &'static str) -> [ConfigDef; 7] {
    [
        entry("event.notification.enabled", "Events Enabled", "BOOLEAN").default_value("false"),
        entry(
            "event.notification.callback.url",
            "Event Notification Callback URL",
            "TEXTFIELD_1000",
        ),
        entry(
            "event.notification.signature.key",
            "Event Notification Signature Key",
            "TEXTFIELD_1000",
        ),
        entry("event.vendor.type", "Event Type", "TEXTFIELD_32").default_value(vendor_type),
        entry(
            "event.poller.refresh_interval",
            "Poll Interval",
            "TEXTFIELD_32",
        )
        .internal()
        .default_value("15"),
        entry(
            "event.poller.configuration",
            "Poller Configuration",
            "TEXTAREA",
        )
        .internal()
        .default_value("{}"),
        entry(
            "filter.response.nulls",
            "Filter null values from the response",
            "BOOLEAN",
        )
        .default_value("true"),
    ]
}

/// Rally's definitions: the six documented ones first, then its event and bulk keys.
const RALLY_DEFINITIONS: [ConfigDef; 20] = [
    entry("api.key", "API Key", "PASSWORD")
        .required()
        .describe("The Rally API key"),
    entry("base.url", "Base URL", "TEXTFIELD_128")
        .required()
        .internal()
        .default_value("https://rally1.rallydev.com/slm/webservice/v2.0")
        .describe("Vendor API root"),
    entry("pagination.max", "Pagination Max", "TEXTFIELD_32")
        .internal()
        .default_value("200")
        .describe("Largest page the vendor serves"),
    entry("event.notification.enabled", "Events Enabled", "BOOLEAN")
        .default_value("false")
        .describe("Enable event notifications"),
    entry(
        "event.notification.callback.url",
        "Event Notification Callback URL",
        "TEXTFIELD_1000",
    )
    .describe("Where events are sent"),
    entry(
        "filter.response.nulls",
        "Filter null values from the response",
        "BOOLEAN",
    )
    .default_value("true")
    .describe("Strip nulls from responses"),
    entry(
        "event.notification.signature.key",
        "Event Notification Signature Key",
        "TEXTFIELD_1000",
    )
    .describe("Signs each event notification"),
    entry("event.vendor.type", "Event Type", "TEXTFIELD_32")
        .internal()
        .default_value("webhooks"),
    entry(
        "event.notification.basic.username",
        "Event Basic Username",
        "TEXTFIELD_128",
    )
    .internal()
    .default_value(""),
    entry(
        "event.notification.basic.password",
        "Event Basic Password",
        "PASSWORD",
    )
    .internal()
    .default_value(""),
    entry(
        "event.notification.instance.finder",
        "Instance Finder",
        "TEXTFIELD_128",
    )
    .internal(),
    entry("pagination.type", "Pagination Type", "TEXTFIELD_32")
        .internal()
        .default_value("page"),
    entry("bulk.add_metadata", "Bulk Metadata", "BOOLEAN").internal(),
    entry("bulk.query.field_name", "Bulk Date Field", "TEXTFIELD_64")
        .internal()
        .default_value("LastUpdateDate"),
    entry("bulk.query.operator", "Bulk Operator", "TEXTFIELD_32")
        .internal()
        .default_value(">="),
    entry("bulk.query.date_mask", "Bulk Date Mask", "TEXTFIELD_64")
        .internal()
        .default_value("yyyy-MM-dd'T'HH:mm:ss"),
    entry(
        "bulk.attribute.created_time",
        "Bulk Created Field",
        "TEXTFIELD_64",
    )
    .internal()
    .default_value("CreationDate"),
    entry("bulk.query.download_format", "Bulk Format", "TEXTFIELD_32")
        .internal()
        .default_value("JSON"),
    entry("bulk.relations", "Bulk Relations", "TEXTAREA").internal(),
    entry("authentication.time", "Authentication Time", "TEXTFIELD_64").internal(),
];

/// Rally (formerly CA Agile Central): an API key, in the `general` hub.
fn rally() -> ElementDef {
    ElementDef {
        id: 12345,
        key: "caagilecentral",
        name: "Rally",
        description: "Agile project management: defects, user stories and projects.",
        hub: "general",
        auth: AuthKind::Custom,
        image: "elements/provider_caagilecentral.png",
        extra: &[],
        events: EventSupport {
            methods: &["webhook"],
            resources: &["defects", "userStory"],
        },
        definitions: numbered(75100, &[&RALLY_DEFINITIONS]),
    }
}

/// ServiceNow's own keys: basic credentials and the subdomain.
const SERVICENOW_DEFINITIONS: [ConfigDef; 6] = [
    entry("username", "Username", "TEXTFIELD_128").required(),
    entry("password", "Password", "PASSWORD").required(),
    entry(
        "servicenow.subdomain",
        "The ServiceNow Subdomain",
        "TEXTFIELD_128",
    )
    .required(),
    entry("base.url", "Base URL", "TEXTFIELD_128")
        .required()
        .internal()
        .default_value("https://{subdomain}.service-now.com/api/now/v1/table"),
    entry("pagination.max", "Pagination Max", "TEXTFIELD_32")
        .internal()
        .default_value("200"),
    entry("pagination.type", "Pagination Type", "TEXTFIELD_32")
        .internal()
        .default_value("offset"),
];

/// ServiceNow: basic authentication with a subdomain, in the `helpdesk` hub.
fn servicenow() -> ElementDef {
    ElementDef {
        id: 145,
        key: "servicenow",
        name: "ServiceNow",
        description: "Service management for IT, human resources and facilities.",
        hub: "helpdesk",
        auth: AuthKind::Basic,
        image: "elements/provider_servicenow.png",
        extra: &[],
        events: EventSupport {
            methods: &["polling"],
            resources: &["incidents"],
        },
        definitions: numbered(14500, &[&SERVICENOW_DEFINITIONS, &event_entries("polling")]),
    }
}
