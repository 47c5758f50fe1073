//! An element instance as the emulator stores it, and as the platform shows it.

use serde_json::{Map, Value, json};

use super::config::{self, ConfigValue};
use crate::catalogue::ElementDef;
use crate::{random, time};

/// The ids of the one user, organization and account that own every instance.
pub(crate) const USER_ID: u64 = 65432;
/// The organization that owns every instance.
pub(crate) const ORGANIZATION_ID: u64 = 4321;
/// The account that owns every instance.
pub(crate) const ACCOUNT_ID: u64 = 54321;

/// A stored instance (no `Debug`: it holds the token and secret configuration values).
#[derive(Clone)]
pub(crate) struct Instance {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) token: String,
    pub(crate) element: &'static ElementDef,
    pub(crate) created_secs: u64,
    pub(crate) tags: Vec<String>,
    pub(crate) config: Vec<ConfigValue>,
    pub(crate) disabled: bool,
    pub(crate) trace_logging: bool,
    pub(crate) external_authentication: bool,
}

impl Instance {
    /// A new, enabled instance with a fresh token and no tags, created now.
    pub(crate) fn new(
        id: u64,
        name: String,
        element: &'static ElementDef,
        config: Vec<ConfigValue>,
    ) -> Self {
        Self {
            id,
            name,
            token: random::instance_token(),
            element,
            created_secs: time::now_secs(),
            tags: Vec::new(),
            config,
            disabled: false,
            trace_logging: false,
            external_authentication: false,
        }
    }

    /// A stored configuration value.
    pub(crate) fn config_value(&self, key: &str) -> Option<&str> {
        config::value_of(&self.config, key)
    }

    /// Whether event notifications are on.
    pub(crate) fn events_enabled(&self) -> bool {
        self.config_value("event.notification.enabled") == Some("true")
    }

    /// The instance as the platform returns it, secrets masked.
    pub(crate) fn to_json(&self) -> Value {
        let element = self.element;
        let mut body = Map::new();
        body.insert("id".into(), json!(self.id));
        body.insert("name".into(), json!(self.name));
        body.insert(
            "createdDate".into(),
            json!(time::rfc3339(self.created_secs)),
        );
        body.insert("token".into(), json!(self.token));
        body.insert("element".into(), element.summary_json());
        body.insert("elementId".into(), json!(element.id));
        body.insert("tags".into(), json!(self.tags));
        body.insert("provisionInteractions".into(), json!([]));
        body.insert("valid".into(), json!(true));
        body.insert("disabled".into(), json!(self.disabled));
        body.insert("maxCacheSize".into(), json!(0));
        body.insert("cacheTimeToLive".into(), json!(0));
        body.insert("configuration".into(), self.configuration_json());
        self.insert_flags(&mut body);
        Value::Object(body)
    }

    /// The status flags and owner ids of the instance.
    fn insert_flags(&self, body: &mut Map<String, Value>) {
        let external = if self.external_authentication {
            "initial"
        } else {
            "none"
        };
        body.insert("eventsEnabled".into(), json!(self.events_enabled()));
        body.insert("traceLoggingEnabled".into(), json!(self.trace_logging));
        body.insert("cachingEnabled".into(), json!(false));
        body.insert("externalAuthentication".into(), json!(external));
        body.insert(
            "authenticationType".into(),
            json!(self.element.auth.as_str()),
        );
        body.insert("user".into(), json!({"id": USER_ID}));
        body.insert("organizationId".into(), json!(ORGANIZATION_ID));
        body.insert("accountId".into(), json!(ACCOUNT_ID));
        body.insert("userId".into(), json!(USER_ID));
    }

    /// The `configuration` map: every value a string or `null`, secrets masked.
    fn configuration_json(&self) -> Value {
        let entries = self.config.iter().map(|entry| {
            let definition = self.element.definition(&entry.key);
            let shown = config::shown(&entry.key, entry.value.as_deref(), definition);
            (entry.key.clone(), shown)
        });
        Value::Object(entries.collect())
    }

    /// The configuration entries as `GET /instances/{id}/configuration` lists them.
    pub(crate) fn entries_json(&self) -> Value {
        let entries = self
            .config
            .iter()
            .map(|entry| entry_json(entry, self.element));
        Value::Array(entries.collect())
    }

    /// One configuration entry by its numeric id.
    pub(crate) fn entry(&self, entry_id: u64) -> Option<&ConfigValue> {
        self.config.iter().find(|entry| entry.entry_id == entry_id)
    }
}

/// One configuration entry, with its definition's name, type and flags.
pub(crate) fn entry_json(entry: &ConfigValue, element: &ElementDef) -> Value {
    let definition = element.definition(&entry.key);
    json!({
        "id": entry.entry_id,
        "key": entry.key,
        "name": definition.map_or(entry.key.as_str(), |def| def.name),
        "description": definition.map_or("", |def| def.description),
        "propertyValue": config::shown(&entry.key, entry.value.as_deref(), definition),
        "required": definition.is_some_and(|def| def.required),
        "hideFromConsole": definition.is_some_and(|def| def.hidden),
        "active": true,
        "type": definition.map_or("TEXTFIELD_1000", |def| def.kind),
    })
}

/// Removes HTML tags from a name, as the platform does on create and update.
pub(crate) fn strip_tags(name: &str) -> String {
    let mut plain = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('<') {
        plain.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => rest = &rest[open + close + 1..],
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    plain.push_str(rest);
    plain.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_stripped_from_names() {
        assert_eq!(strip_tags("<a href=\"x\">churros-xss</a>"), "churros-xss");
        assert_eq!(strip_tags("plain"), "plain");
        assert_eq!(strip_tags("a < b"), "a < b");
        assert_eq!(strip_tags("<b></b>"), "");
    }
}
