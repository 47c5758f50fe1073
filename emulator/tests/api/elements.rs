//! The element catalogue.

use serde_json::Value;

use crate::common::{Harness, TestResult, error_message};

const DEFINITIONS: &str = include_str!("../../../tests/fixtures/element-configuration.json");

#[tokio::test]
async fn rally_is_in_the_catalogue() -> TestResult {
    let harness = Harness::start().await?;

    let element: Value = harness
        .get("/elements/caagilecentral")
        .await?
        .json()
        .await?;

    assert!(element["id"].is_u64());
    assert_eq!(element["name"], "Rally");
    assert_eq!(element["key"], "caagilecentral");
    assert_eq!(element["hub"], "general");
    assert_eq!(element["authentication"]["type"], "custom");
    Ok(())
}

#[tokio::test]
async fn rally_can_be_found_by_numeric_id() -> TestResult {
    let harness = Harness::start().await?;
    let element: Value = harness
        .get("/elements/caagilecentral")
        .await?
        .json()
        .await?;
    let id = element["id"].as_u64().unwrap_or_default();

    let by_id: Value = harness
        .get(&format!("/elements/{id}"))
        .await?
        .json()
        .await?;

    assert_eq!(by_id["key"], "caagilecentral");
    Ok(())
}

#[tokio::test]
async fn rally_definitions_start_with_the_documented_ones() -> TestResult {
    let harness = Harness::start().await?;
    let documented: Vec<Value> = serde_json::from_str(DEFINITIONS)?;

    let response = harness
        .get("/elements/caagilecentral/configuration")
        .await?;
    let served: Vec<Value> = response.json().await?;

    assert_eq!(served[..documented.len()], documented[..]);
    Ok(())
}

#[tokio::test]
async fn an_unknown_element_is_404() -> TestResult {
    let harness = Harness::start().await?;

    let response = harness
        .get("/elements/no-such-element/configuration")
        .await?;

    let message = error_message(response, 404).await?;
    assert!(message.contains("no-such-element"));
    Ok(())
}
