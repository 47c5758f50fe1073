//! Tolerant decoding for the platform's loosely typed fields: booleans that arrive as
//! `"true"`, numbers as strings, and `null` where a list or map was expected.

use serde::de::{self, Deserialize, DeserializeOwned, Deserializer};
use serde_json::Value;

/// A boolean from `true`, `"true"`, `"false"`, `1`, `0` or `null` (which reads as absent).
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(value) => bool_of(&value),
        None => None,
    })
}

/// Reads a configuration-style boolean without failing on anything else.
pub(crate) fn bool_of(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Some(true),
            "false" | "no" | "0" => Some(false),
            _ => None,
        },
        Value::Number(n) => n.as_u64().map(|n| n != 0),
        _ => None,
    }
}

/// An optional whole number from `42` or `"42"`; `null`, `""` and anything else that is not a
/// whole number read as absent, since one odd field must not fail a whole list page.
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.as_ref().and_then(u64_of))
}

/// A required whole number from `42` or `"42"`.
pub(crate) fn u64_from<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let value = Value::deserialize(d)?;
    u64_of(&value).ok_or_else(|| not_a_number(&value))
}

/// Names the JSON type found but never quotes the value, which may be a secret.
fn not_a_number<E: de::Error>(value: &Value) -> E {
    let found = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number that is not a whole number",
        Value::String(_) => "a string that is not a whole number",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    E::custom(format!("expected a whole number, found {found}"))
}

/// A whole number from `42` or `"42"`.
pub(crate) fn u64_of(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Anything that has a default, with `null` read as the default too.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A map from an object; `null`, an array or any other value reads as an empty map.
pub(crate) fn object_or_empty<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<serde_json::Map<String, Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    })
}

/// The text of a string, a number or a boolean.
pub(crate) fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A string from a string, a number or a boolean; `null` reads as absent.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.as_ref().and_then(text_of))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Required(
        #[serde(deserialize_with = "u64_from")]
        #[allow(dead_code)]
        u64,
    );

    #[test]
    fn number_errors_name_the_type_found_but_never_the_value() {
        let err = serde_json::from_str::<Required>(r#""pass-word""#).expect_err("not a number");

        let shown = err.to_string();
        assert!(shown.contains("found a string"), "{shown}");
        assert!(!shown.contains("pass-word"), "{shown}");
    }
}
