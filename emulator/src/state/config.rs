//! Instance configuration values: what callers may send, how they are stored and how secrets
//! are masked on the way out.

use serde_json::{Map, Value};

use crate::catalogue::{ConfigDef, ElementDef};
use crate::error::ApiError;

/// What the platform shows in place of a secret value.
pub(crate) const MASK: &str = "********";

/// One stored configuration value of an instance (no `Debug`: the value may be a secret).
#[derive(Clone)]
pub(crate) struct ConfigValue {
    /// The stable numeric id of the entry, for `/instances/{id}/configuration/{configId}`.
    pub(crate) entry_id: u64,
    pub(crate) key: String,
    pub(crate) value: Option<String>,
}

/// A configuration value as a caller sent it, already turned into the stored string form.
pub(crate) type ConfigInput = Vec<(String, Option<String>)>;

/// Turns one JSON value into the stored form: strings as they are, booleans as
/// `"true"`/`"false"`, numbers in their JSON spelling, `null` as no value.
pub(crate) fn normalize(key: &str, value: &Value) -> Result<Option<String>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        Value::Bool(flag) => Ok(Some(flag.to_string())),
        Value::Number(number) => Ok(Some(number.to_string())),
        Value::Array(_) | Value::Object(_) => Err(ApiError::bad_request(format!(
            "Configuration value for {key} must be a string, boolean, number or null"
        ))),
    }
}

/// Reads a `configuration` object from a request body.
pub(crate) fn parse_object(value: Option<&Value>) -> Result<ConfigInput, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(entries)) => parse_entries(entries),
        Some(_) => Err(ApiError::bad_request("configuration must be a JSON object")),
    }
}

fn parse_entries(entries: &Map<String, Value>) -> Result<ConfigInput, ApiError> {
    entries
        .iter()
        .map(|(key, value)| Ok((key.clone(), normalize(key, value)?)))
        .collect()
}

/// Whether a key's value is a secret that answers must mask.
pub(crate) fn is_secret(key: &str, definition: Option<&ConfigDef>) -> bool {
    let password_type = definition.is_some_and(|def| def.kind == "PASSWORD");
    let token = key.contains("token") && !key.ends_with(".url");

    password_type
        || token
        || key.contains("password")
        || key.contains("secret")
        || key.ends_with("api.key")
        || key.ends_with("signature.key")
}

/// The value as answers show it: secrets masked, absent values as `null`.
pub(crate) fn shown(key: &str, value: Option<&str>, definition: Option<&ConfigDef>) -> Value {
    match value {
        None => Value::Null,
        Some(_) if is_secret(key, definition) => Value::String(MASK.to_owned()),
        Some(text) => Value::String(text.to_owned()),
    }
}

/// Applies sent values over stored ones; new keys get the next entry ids.
///
/// A secret sent back as the mask (as when a caller PUTs what it read with GET) keeps the
/// stored secret instead of overwriting it with asterisks.
pub(crate) fn merge(
    stored: &mut Vec<ConfigValue>,
    sent: ConfigInput,
    element: &ElementDef,
    next_id: &mut u64,
) {
    for (key, value) in sent {
        let masked_echo =
            value.as_deref() == Some(MASK) && is_secret(&key, element.definition(&key));
        match stored.iter_mut().find(|entry| entry.key == key) {
            Some(_) if masked_echo => {}
            Some(entry) => entry.value = value,
            None => stored.push(new_entry(key, value, next_id)),
        }
    }
}

/// The configuration a new instance starts with: every definition with its default, then the
/// sent values over it.
pub(crate) fn initial(
    element: &ElementDef,
    sent: ConfigInput,
    next_id: &mut u64,
) -> Vec<ConfigValue> {
    let mut stored: Vec<ConfigValue> = element
        .definitions
        .iter()
        .map(|def| new_entry(def.key.to_owned(), def.default.map(str::to_owned), next_id))
        .collect();
    merge(&mut stored, sent, element, next_id);
    stored
}

fn new_entry(key: String, value: Option<String>, next_id: &mut u64) -> ConfigValue {
    *next_id += 1;
    ConfigValue {
        entry_id: *next_id,
        key,
        value,
    }
}

/// The keys the caller had to give but did not, in definition order.
pub(crate) fn missing_required(element: &ElementDef, stored: &[ConfigValue]) -> Vec<&'static str> {
    let has_value = |key: &str| {
        stored
            .iter()
            .any(|entry| entry.key == key && entry.value.as_deref().is_some_and(|v| !v.is_empty()))
    };
    element
        .caller_required_keys()
        .filter(|key| !has_value(key))
        .collect()
}

/// The error for missing required entries, naming every one of them.
///
/// The platform's wording is unpublished; this one is the emulator's documented choice.
pub(crate) fn missing_error(missing: &[&str]) -> ApiError {
    ApiError::bad_request(format!(
        "Missing required configuration entries: {}",
        missing.join(", ")
    ))
}

/// A stored value by key.
pub(crate) fn value_of<'a>(stored: &'a [ConfigValue], key: &str) -> Option<&'a str> {
    stored
        .iter()
        .find(|entry| entry.key == key)
        .and_then(|entry| entry.value.as_deref())
}

/// Sets a value, adding the entry when the instance does not have it yet.
pub(crate) fn set(stored: &mut Vec<ConfigValue>, key: &str, value: String, next_id: &mut u64) {
    match stored.iter_mut().find(|entry| entry.key == key) {
        Some(entry) => entry.value = Some(value),
        None => stored.push(new_entry(key.to_owned(), Some(value), next_id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::catalogue;
    use serde_json::json;

    #[test]
    fn booleans_and_numbers_become_strings() {
        assert_eq!(
            normalize("k", &json!(true)).ok(),
            Some(Some("true".to_owned()))
        );
        assert_eq!(normalize("k", &json!(15)).ok(), Some(Some("15".to_owned())));
        assert_eq!(normalize("k", &json!(null)).ok(), Some(None));
        assert!(normalize("k", &json!([1])).is_err());
    }

    #[test]
    fn secret_like_keys_are_masked_but_urls_are_not() {
        assert!(is_secret("password", None));
        assert!(is_secret("oauth.api.secret", None));
        assert!(is_secret("api.key", None));
        assert!(is_secret("oauth.user.refresh_token", None));
        assert!(is_secret("event.notification.signature.key", None));
        assert!(!is_secret("oauth.token.url", None));
        assert!(!is_secret("username", None));
    }

    #[test]
    fn a_masked_echo_keeps_the_stored_secret() {
        let catalogue = catalogue();
        let rally = catalogue
            .find("caagilecentral")
            .expect("rally is in the catalogue");
        let mut next_id = 0;
        let mut stored = initial(
            rally,
            vec![("api.key".into(), Some("k1".into()))],
            &mut next_id,
        );

        merge(
            &mut stored,
            vec![("api.key".into(), Some(MASK.into()))],
            rally,
            &mut next_id,
        );

        assert_eq!(value_of(&stored, "api.key"), Some("k1"));
    }

    #[test]
    fn missing_keys_are_named_in_definition_order() {
        let catalogue = catalogue();
        let servicenow = catalogue
            .find("servicenow")
            .expect("servicenow is in the catalogue");
        let mut next_id = 0;
        let stored = initial(
            servicenow,
            vec![("password".into(), Some("p".into()))],
            &mut next_id,
        );

        let missing = missing_required(servicenow, &stored);

        assert_eq!(missing, ["username", "servicenow.subdomain"]);
    }
}
