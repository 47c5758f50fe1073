//! Configuration entries, enabling and disabling, trace logging.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Harness, TestResult, error_message};

const DOCUMENTED_ENTRIES: &str =
    include_str!("../../../tests/fixtures/instance-configuration.json");

fn entry<'a>(entries: &'a [Value], key: &str) -> Option<&'a Value> {
    entries.iter().find(|entry| entry["key"] == key)
}

#[tokio::test]
async fn entries_look_like_the_documented_ones() -> TestResult {
    let harness = Harness::start().await?;
    let instance = harness.create_rally("entries", &[]).await?;
    let documented: Vec<Value> = serde_json::from_str(DOCUMENTED_ENTRIES)?;

    let path = format!("/instances/{}/configuration", instance["id"]);
    let entries: Vec<Value> = harness.get(&path).await?.json().await?;

    for expected in &documented {
        let served = entry(&entries, expected["key"].as_str().unwrap_or_default());
        let served = served.ok_or("documented key missing")?;
        for field in [
            "key",
            "name",
            "description",
            "propertyValue",
            "required",
            "hideFromConsole",
            "active",
            "type",
        ] {
            assert_eq!(
                served[field], expected[field],
                "{field} of {}",
                expected["key"]
            );
        }
        assert!(served["id"].is_u64());
    }
    Ok(())
}

#[tokio::test]
async fn an_entry_can_be_read_and_patched_by_its_id() -> TestResult {
    let harness = Harness::start().await?;
    let instance = harness.create_rally("patch-entry", &[]).await?;
    let base = format!("/instances/{}/configuration", instance["id"]);
    let entries: Vec<Value> = harness.get(&base).await?.json().await?;
    let events = entry(&entries, "event.notification.enabled").ok_or("entry missing")?;
    let path = format!("{base}/{}", events["id"]);

    let patched: Value = harness
        .call(Method::PATCH, &path, Some(json!({"propertyValue": "true"})))
        .await?
        .json()
        .await?;
    let whole =
        json!({"id": events["id"], "key": "event.notification.enabled", "propertyValue": false});
    let again: Value = harness
        .call(Method::PATCH, &path, Some(whole))
        .await?
        .json()
        .await?;
    let read: Value = harness.get(&path).await?.json().await?;

    assert_eq!(patched["propertyValue"], "true");
    assert_eq!(again["propertyValue"], "false");
    assert_eq!(read["propertyValue"], "false");
    assert_eq!(read["id"], events["id"]);
    Ok(())
}

#[tokio::test]
async fn entry_ids_are_stable_and_secrets_masked() -> TestResult {
    let harness = Harness::start().await?;
    let instance = harness.create_rally("stable", &[]).await?;
    let base = format!("/instances/{}/configuration", instance["id"]);

    let first: Vec<Value> = harness.get(&base).await?.json().await?;
    let second: Vec<Value> = harness.get(&base).await?.json().await?;

    assert_eq!(first, second);
    let api_key = entry(&first, "api.key").ok_or("entry missing")?;
    assert_eq!(api_key["propertyValue"], "********");
    Ok(())
}

#[tokio::test]
async fn another_instances_entry_is_404() -> TestResult {
    let harness = Harness::start().await?;
    let mine = harness.create_rally("mine", &[]).await?;
    let theirs = harness.create_rally("theirs", &[]).await?;
    let their_entries: Vec<Value> = harness
        .get(&format!("/instances/{}/configuration", theirs["id"]))
        .await?
        .json()
        .await?;

    let path = format!(
        "/instances/{}/configuration/{}",
        mine["id"], their_entries[0]["id"]
    );
    let response = harness.get(&path).await?;
    let garbage = harness
        .get(&format!("/instances/{}/configuration/x", mine["id"]))
        .await?;

    error_message(response, 404).await?;
    error_message(garbage, 404).await?;
    Ok(())
}

#[tokio::test]
async fn clearing_a_required_entry_is_400() -> TestResult {
    let harness = Harness::start().await?;
    let instance = harness.create_rally("required", &[]).await?;
    let base = format!("/instances/{}/configuration", instance["id"]);
    let entries: Vec<Value> = harness.get(&base).await?.json().await?;
    let api_key = entry(&entries, "api.key").ok_or("entry missing")?;

    let path = format!("{base}/{}", api_key["id"]);
    let response = harness
        .call(Method::PATCH, &path, Some(json!({"propertyValue": null})))
        .await?;

    assert_eq!(
        error_message(response, 400).await?,
        "Missing required configuration entries: api.key"
    );
    Ok(())
}

#[tokio::test]
async fn disabling_and_enabling_flip_the_flag() -> TestResult {
    let harness = Harness::start().await?;
    let instance = harness.create_rally("switch", &[]).await?;
    let path = format!("/instances/{}/enabled", instance["id"]);

    let disabled: Value = harness
        .call(Method::DELETE, &path, None)
        .await?
        .json()
        .await?;
    let read: Value = harness
        .get(&format!("/instances/{}", instance["id"]))
        .await?
        .json()
        .await?;
    let enabled: Value = harness.call(Method::PUT, &path, None).await?.json().await?;

    assert_eq!(disabled["disabled"], true);
    assert_eq!(read["disabled"], true);
    assert_eq!(enabled["disabled"], false);
    Ok(())
}

#[tokio::test]
async fn trace_logging_turns_on_with_a_duration_and_off() -> TestResult {
    let harness = Harness::start().await?;
    let instance = harness.create_rally("trace", &[]).await?;
    let path = format!("/instances/{}/trace-logging", instance["id"]);

    let on: Value = harness
        .call(Method::PUT, &path, Some(json!({"duration": 30})))
        .await?
        .json()
        .await?;
    let off: Value = harness
        .call(Method::DELETE, &path, None)
        .await?
        .json()
        .await?;
    let bad = harness
        .call(Method::PUT, &path, Some(json!({"duration": "long"})))
        .await?;

    assert_eq!(on["traceLoggingEnabled"], true);
    assert_eq!(off["traceLoggingEnabled"], false);
    error_message(bad, 400).await?;
    Ok(())
}

#[tokio::test]
async fn settings_of_an_unknown_instance_are_404() -> TestResult {
    let harness = Harness::start().await?;

    let response = harness
        .call(Method::PUT, "/instances/5/enabled", None)
        .await?;

    assert_eq!(
        error_message(response, 404).await?,
        "No instance found with ID 5"
    );
    Ok(())
}
