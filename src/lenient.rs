//! Tolerant decoding for the platform's loosely typed fields: booleans that arrive as
//! `"true"`, numbers as strings, and `null` where a list or map was expected.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, IgnoredAny, MapAccess};
use serde::de::{SeqAccess, Visitor};
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

/// The entries of an object, `null` values kept as `None`; `null`, an array or any other value
/// reads as no entries. Decoded in one pass, straight into the map: this is the largest part
/// of every instance.
pub(crate) fn entries_or_empty<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Option<Value>>, D::Error> {
    d.deserialize_any(Lenient(EntriesOrEmpty))
}

/// Non-empty text; any other value reads as absent, without building it first.
pub(crate) fn non_empty_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(Lenient(NonEmptyText))
}

/// What a lenient visitor makes of the shape it wants, and of everything else.
trait Shape<'de> {
    type Out;
    fn nothing(&self) -> Self::Out;
    fn text(&self, _text: &str) -> Self::Out {
        self.nothing()
    }
    fn map<A: MapAccess<'de>>(&self, map: A) -> Result<Self::Out, A::Error> {
        skip_map(map)?;
        Ok(self.nothing())
    }
}

struct EntriesOrEmpty;

impl<'de> Shape<'de> for EntriesOrEmpty {
    type Out = BTreeMap<String, Option<Value>>;

    fn nothing(&self) -> Self::Out {
        BTreeMap::new()
    }

    fn map<A: MapAccess<'de>>(&self, mut map: A) -> Result<Self::Out, A::Error> {
        let mut entries = BTreeMap::new();
        while let Some((key, value)) = map.next_entry()? {
            entries.insert(key, value);
        }
        Ok(entries)
    }
}

struct NonEmptyText;

impl Shape<'_> for NonEmptyText {
    type Out = Option<String>;

    fn nothing(&self) -> Self::Out {
        None
    }

    fn text(&self, text: &str) -> Self::Out {
        (!text.is_empty()).then(|| text.to_owned())
    }
}

fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Accepts any JSON value and hands it to a [`Shape`], skipping what the shape does not want.
struct Lenient<S>(S);

impl<'de, S: Shape<'de>> Visitor<'de> for Lenient<S> {
    type Value = S::Out;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(self.0.nothing())
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(self.0.nothing())
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(self.0.nothing())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(self.0.nothing())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(self.0.nothing())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(self.0.nothing())
    }

    fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
        Ok(self.0.text(text))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.0.nothing())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.map(map)
    }
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

    #[derive(Debug, serde::Deserialize)]
    struct Loose {
        #[serde(default, deserialize_with = "entries_or_empty")]
        entries: BTreeMap<String, Option<Value>>,
        #[serde(default, deserialize_with = "non_empty_text")]
        text: Option<String>,
    }

    fn loose(json: &str) -> Loose {
        serde_json::from_str(json).expect("any JSON value decodes")
    }

    #[test]
    fn entries_keep_an_object_and_read_anything_else_as_empty() {
        let object = loose(r#"{"entries": {"a": "1", "b": null, "c": true}}"#);

        assert_eq!(object.entries.len(), 3);
        assert_eq!(object.entries.get("b"), Some(&None));
        for other in ["[]", "[1, {}]", "null", "\"x\"", "5", "false"] {
            let odd = loose(&format!(r#"{{"entries": {other}}}"#));
            assert!(odd.entries.is_empty(), "{other}");
        }
    }

    #[test]
    fn text_is_kept_only_when_it_is_non_empty_text() {
        assert_eq!(
            loose(r#"{"text": "a/b+c="}"#).text.as_deref(),
            Some("a/b+c=")
        );
        for other in ["\"\"", "{}", "{\"x\": [1]}", "[\"t\"]", "null", "7", "true"] {
            let odd = loose(&format!(r#"{{"text": {other}}}"#));
            assert_eq!(odd.text, None, "{other}");
        }
    }

    #[test]
    fn number_errors_name_the_type_found_but_never_the_value() {
        let err = serde_json::from_str::<Required>(r#""pass-word""#).expect_err("not a number");

        let shown = err.to_string();
        assert!(shown.contains("found a string"), "{shown}");
        assert!(!shown.contains("pass-word"), "{shown}");
    }
}
