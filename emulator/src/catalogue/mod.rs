//! The element catalogue: which connectors the emulator knows, their configuration definitions
//! and how the platform describes them.

mod data;
mod oauth_data;

use std::sync::LazyLock;

use serde_json::{Map, Value, json};

/// The one catalogue every emulator serves; it never changes, so instances can point into it.
static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| Catalogue {
    elements: data::elements(),
});

/// The standard catalogue: Rally, ServiceNow, Dropbox, Salesforce, Xero and Box.
pub(crate) fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}

/// How an element authenticates to its vendor, with the platform's names for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthKind {
    /// Keys in configuration that the element's own hook understands (Rally's API key).
    Custom,
    /// A username and password.
    Basic,
    /// The OAuth 2 authorization-code flow.
    OAuth2,
    /// The OAuth 1 request-token flow.
    OAuth1,
}

impl AuthKind {
    /// The name the platform uses in `authentication.type` and `authenticationType`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            AuthKind::Custom => "custom",
            AuthKind::Basic => "basic",
            AuthKind::OAuth2 => "oauth2",
            AuthKind::OAuth1 => "oauth1",
        }
    }

    /// Whether instances need an OAuth flow (or external authentication) to be created.
    pub(crate) fn is_oauth(self) -> bool {
        matches!(self, AuthKind::OAuth2 | AuthKind::OAuth1)
    }
}

/// One configuration definition of an element.
#[derive(Debug, Clone)]
pub(crate) struct ConfigDef {
    pub(crate) id: u64,
    pub(crate) key: &'static str,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) default: Option<&'static str>,
    pub(crate) kind: &'static str,
    pub(crate) required: bool,
    pub(crate) hidden: bool,
    pub(crate) internal: bool,
    pub(crate) order: u64,
}

impl ConfigDef {
    /// The definition as `GET /elements/{keyOrId}/configuration` lists it.
    fn to_json(&self) -> Value {
        let mut entry = Map::new();
        entry.insert("id".into(), json!(self.id));
        entry.insert("name".into(), json!(self.name));
        entry.insert("key".into(), json!(self.key));
        entry.insert("description".into(), json!(self.description));
        if let Some(default) = self.default {
            entry.insert("defaultValue".into(), json!(default));
        }
        entry.insert("type".into(), json!(self.kind));
        entry.insert("required".into(), json!(self.required));
        entry.insert("hideFromConsole".into(), json!(self.hidden));
        entry.insert("internal".into(), json!(self.internal));
        for flag in ["resellerConfig", "companyConfig", "groupControl"] {
            entry.insert(flag.into(), json!(false));
        }
        entry.insert("active".into(), json!(true));
        entry.insert("displayOrder".into(), json!(self.order));
        Value::Object(entry)
    }
}

/// How an element reports events, for its metadata.
#[derive(Debug, Clone)]
pub(crate) struct EventSupport {
    pub(crate) methods: &'static [&'static str],
    pub(crate) resources: &'static [&'static str],
}

/// One element (connector) of the catalogue.
#[derive(Debug, Clone)]
pub(crate) struct ElementDef {
    pub(crate) id: u64,
    pub(crate) key: &'static str,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) hub: &'static str,
    pub(crate) auth: AuthKind,
    pub(crate) image: &'static str,
    pub(crate) extra: &'static [(&'static str, &'static str)],
    pub(crate) events: EventSupport,
    pub(crate) definitions: Vec<ConfigDef>,
}

impl ElementDef {
    /// The keys a caller must give, in definition order.
    ///
    /// A definition marked required is only asked of the caller when it is not internal and has
    /// no default; for OAuth elements the `oauth.user.*` keys are filled in by the OAuth flow.
    pub(crate) fn caller_required_keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.definitions
            .iter()
            .filter(|def| def.required && !def.internal && def.default.is_none())
            .filter(|def| !(self.auth.is_oauth() && def.key.starts_with("oauth.user.")))
            .map(|def| def.key)
    }

    /// The definition of a key, if the element has one.
    pub(crate) fn definition(&self, key: &str) -> Option<&ConfigDef> {
        self.definitions.iter().find(|def| def.key == key)
    }

    /// The embedded summary that instances and the catalogue list carry.
    pub(crate) fn summary_json(&self) -> Value {
        let mut element = Map::new();
        element.insert("id".into(), json!(self.id));
        element.insert("name".into(), json!(self.name));
        element.insert("key".into(), json!(self.key));
        element.insert("description".into(), json!(self.description));
        element.insert("image".into(), json!(self.image));
        element.insert("active".into(), json!(true));
        element.insert("deleted".into(), json!(false));
        element.insert("typeOauth".into(), json!(self.auth.is_oauth()));
        element.insert("trialAccount".into(), json!(false));
        for (field, value) in self.extra {
            element.insert((*field).into(), json!(value));
        }
        if self.auth.is_oauth() {
            element.insert("elementProvisionType".into(), json!("OAUTH_TEMPLATE"));
        }
        self.insert_capabilities(&mut element);
        Value::Object(element)
    }

    /// The flags and descriptors every summary carries.
    fn insert_capabilities(&self, element: &mut Map<String, Value>) {
        for flag in ["transformationsEnabled", "cloneable", "extendable"] {
            element.insert(flag.into(), json!(true));
        }
        for flag in [
            "bulkDownloadEnabled",
            "bulkUploadEnabled",
            "beta",
            "extended",
            "private",
        ] {
            element.insert(flag.into(), json!(false));
        }
        element.insert("authentication".into(), json!({"type": self.auth.as_str()}));
        element.insert("authenticationType".into(), json!(self.auth.as_str()));
        element.insert("hub".into(), json!(self.hub));
        element.insert("protocolType".into(), json!("http"));
        element.insert("resources".into(), json!([]));
        element.insert("parameters".into(), json!([]));
    }

    /// The full element as `GET /elements/{keyOrId}` returns it.
    pub(crate) fn full_json(&self) -> Value {
        let mut element = self.summary_json();
        if let Value::Object(fields) = &mut element {
            fields.insert("configuration".into(), self.definitions_json());
            fields.insert("objects".into(), json!([]));
            fields.insert("defaultTransformations".into(), json!([]));
            fields.insert("hooks".into(), json!([]));
        }
        element
    }

    /// The configuration definitions, in display order.
    pub(crate) fn definitions_json(&self) -> Value {
        Value::Array(self.definitions.iter().map(ConfigDef::to_json).collect())
    }

    /// The element's metadata: what events it supports and how it authenticates by default.
    pub(crate) fn metadata_json(&self, display_order: usize) -> Value {
        json!({
            "id": self.id,
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "active": true,
            "beta": false,
            "extended": false,
            "displayOrder": display_order,
            "defaultAuthentication": self.auth.as_str(),
            "events": self.events_json(),
        })
    }

    /// The `events` part of the metadata.
    fn events_json(&self) -> Value {
        let mut events = Map::new();
        events.insert("supported".into(), json!(!self.events.methods.is_empty()));
        events.insert("methods".into(), json!(self.events.methods));
        for method in self.events.methods {
            let per_resource = self.events.resources.iter().map(|resource| {
                let mut entry = json!({"eventTypes": ["CREATED", "UPDATED", "DELETED"]});
                if *method == "polling" {
                    entry["pollUrl"] = json!(format!("/hubs/{}/{resource}", self.hub));
                }
                ((*resource).to_owned(), entry)
            });
            events.insert((*method).into(), Value::Object(per_resource.collect()));
        }
        Value::Object(events)
    }
}

/// The elements the emulator knows.
#[derive(Debug)]
pub(crate) struct Catalogue {
    elements: Vec<ElementDef>,
}

impl Catalogue {
    /// Finds an element by key, or by numeric id when the text is a number.
    pub(crate) fn find(&self, key_or_id: &str) -> Option<&ElementDef> {
        let id = key_or_id.parse::<u64>().ok();
        self.elements
            .iter()
            .find(|element| element.key == key_or_id || Some(element.id) == id)
    }

    /// Finds an element by numeric id.
    pub(crate) fn by_id(&self, id: u64) -> Option<&ElementDef> {
        self.elements.iter().find(|element| element.id == id)
    }

    /// Every element, in catalogue order.
    pub(crate) fn all(&self) -> &[ElementDef] {
        &self.elements
    }

    /// The position of an element in the catalogue, counted from 1.
    pub(crate) fn display_order(&self, key: &str) -> usize {
        self.elements
            .iter()
            .position(|element| element.key == key)
            .map_or(0, |index| index + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rally_by_key_and_id() {
        let catalogue = catalogue();

        let by_key = catalogue.find("caagilecentral").map(|element| element.id);
        let by_id = by_key.and_then(|id| catalogue.find(&id.to_string()));

        assert_eq!(by_id.map(|element| element.key), Some("caagilecentral"));
    }

    #[test]
    fn rally_asks_only_for_the_api_key() {
        let catalogue = catalogue();
        let rally = catalogue
            .find("caagilecentral")
            .expect("rally is in the catalogue");

        let required: Vec<_> = rally.caller_required_keys().collect();

        assert_eq!(required, ["api.key"]);
    }

    #[test]
    fn oauth_user_keys_are_not_asked_of_the_caller() {
        let catalogue = catalogue();
        let dropbox = catalogue
            .find("dropbox")
            .expect("dropbox is in the catalogue");

        let required: Vec<_> = dropbox.caller_required_keys().collect();

        assert!(
            dropbox
                .definition("oauth.user.token")
                .is_some_and(|def| def.required)
        );
        assert_eq!(
            required,
            ["oauth.callback.url", "oauth.api.key", "oauth.api.secret"]
        );
    }

    #[test]
    fn rally_definitions_start_like_the_documented_ones() {
        let catalogue = catalogue();
        let rally = catalogue
            .find("caagilecentral")
            .expect("rally is in the catalogue");

        let definitions = rally.definitions_json();

        assert_eq!(
            definitions[1],
            json!({"id": 75102, "name": "Base URL", "key": "base.url",
                "description": "Vendor API root",
                "defaultValue": "https://rally1.rallydev.com/slm/webservice/v2.0",
                "type": "TEXTFIELD_128", "required": true, "hideFromConsole": true,
                "internal": true, "active": true, "resellerConfig": false,
                "companyConfig": false, "groupControl": false, "displayOrder": 2})
        );
    }
}
