//! Property tests: the response models decode random and mutated bodies without panicking.
//!
//! The transport decodes a body with `serde_path_to_error` over a `serde_json` deserializer of
//! the raw bytes; these tests take the same path, with the documented fixtures mutated by byte
//! flips, truncations, insertions and swaps of a value for one of another JSON type.

#![allow(clippy::expect_used)]

mod common;

use open_connectors::{Instance, InstanceConfiguration};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

const FIXTURES: [&str; 8] = [
    fixture!("rally-create-response.json"),
    fixture!("dropbox-create-response.json"),
    fixture!("box-list-response.json"),
    fixture!("instance-configuration.json"),
    fixture!("error-400-oauth-code.json"),
    fixture!("error-401.json"),
    fixture!("error-404.json"),
    fixture!("error-409-provider.json"),
];

/// Decodes exactly as the transport does, and names the path of a failure.
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| e.path().to_string())?;
    de.end().map_err(|_| ".".to_owned())?;
    Ok(value)
}

/// Tries every model the platform's answers are decoded into.
fn decode_all(bytes: &[u8]) {
    let _ = decode::<Instance>(bytes);
    let _ = decode::<Vec<Instance>>(bytes);
    let _ = decode::<InstanceConfiguration>(bytes);
}

/// One change to a body.
#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bits: u8 },
    Truncate { at: usize },
    Insert { at: usize, bytes: Vec<u8> },
    SwapType { node: usize, replacement: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(at, bits)| Mutation::Flip { at, bits }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 0..REPLACEMENTS.len())
            .prop_map(|(node, replacement)| Mutation::SwapType { node, replacement }),
    ]
}

const REPLACEMENTS: [&str; 8] = ["null", "true", "-1", "1.5", "\"x\"", "[]", "{}", "[{}]"];

fn apply(body: &mut Vec<u8>, mutation: &Mutation) {
    let len = body.len().max(1);
    match mutation {
        Mutation::Flip { at, bits } => {
            if let Some(byte) = body.get_mut(at % len) {
                *byte ^= bits;
            }
        }
        Mutation::Truncate { at } => body.truncate(at % len),
        Mutation::Insert { at, bytes } => {
            let at = (at % len).min(body.len());
            body.splice(at..at, bytes.iter().copied());
        }
        Mutation::SwapType { node, replacement } => {
            swap_type(body, *node, REPLACEMENTS[*replacement])
        }
    }
}

/// Replaces the `node`-th value (in document order, modulo the count) with another JSON type.
fn swap_type(body: &mut Vec<u8>, node: usize, replacement: &str) {
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let count = count_nodes(&value);
    let mut target = node % count;
    let new: Value = serde_json::from_str(replacement).unwrap_or(Value::Null);
    replace_nth(&mut value, &mut target, &new);
    *body = serde_json::to_vec(&value).expect("a value always serializes");
}

fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

fn replace_nth(value: &mut Value, target: &mut usize, new: &Value) -> bool {
    if *target == 0 {
        *value = new.clone();
        return true;
    }
    *target -= 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|v| replace_nth(v, target, new)),
        Value::Object(map) => map.values_mut().any(|v| replace_nth(v, target, new)),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_fixtures_decode_or_fail_cleanly(
        fixture in 0..FIXTURES.len(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut body = FIXTURES[fixture].as_bytes().to_vec();
        for mutation in &mutations {
            apply(&mut body, mutation);
        }

        decode_all(&body);
    }

    #[test]
    fn random_bytes_decode_or_fail_cleanly(body in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&body);
    }

}

/// A field of the wrong type is either tolerated or named in the error's path.
#[test]
fn a_field_of_the_wrong_type_is_named_in_the_path() {
    let fixture: Value = serde_json::from_str(FIXTURES[0]).expect("the fixture is JSON");
    let fields: Vec<String> = fixture
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    let mut failures = Vec::new();
    for field in &fields {
        for replacement in REPLACEMENTS {
            let mut body = fixture.clone();
            body[field.as_str()] = serde_json::from_str(replacement).expect("valid JSON");
            let bytes = serde_json::to_vec(&body).expect("serializes");

            if let Err(path) = decode::<Instance>(&bytes) {
                failures.push((field.clone(), replacement, path));
            }
        }
    }

    for (field, replacement, path) in &failures {
        assert!(
            path.starts_with(field.as_str()),
            "{field} = {replacement}: path {path}"
        );
    }
    assert!(!failures.is_empty(), "some replacement must be refused");
}

#[test]
fn the_unmutated_fixtures_decode() {
    assert!(decode::<Instance>(FIXTURES[0].as_bytes()).is_ok());
    assert!(decode::<Instance>(FIXTURES[1].as_bytes()).is_ok());
    assert!(decode::<Vec<Instance>>(FIXTURES[2].as_bytes()).is_ok());
}
