//! Fault injection through `Emulator::faults`.

use std::time::Duration;

use open_connectors_emulator::{Emulator, FaultKind, FaultRule};
use reqwest::{Client, Method};
use serde_json::{Value, json};

use crate::common::{Harness, TestResult, error_message};

/// A client with no pooled connection, so a cut connection is seen as such.
fn fresh_client() -> reqwest::Result<Client> {
    Client::builder().no_proxy().build()
}

fn rally_body(name: &str) -> Value {
    json!({"element": {"key": "caagilecentral"}, "name": name, "configuration": {"api.key": "k"}})
}

async fn post_with_fresh_client(
    harness: &Harness,
    name: &str,
) -> reqwest::Result<reqwest::Response> {
    fresh_client()?
        .post(harness.url("/instances"))
        .header("authorization", harness.platform_auth())
        .json(&rally_body(name))
        .send()
        .await
}

#[tokio::test]
async fn unavailable_answers_503_with_retry_after_and_changes_nothing() -> TestResult {
    let harness = Harness::start().await?;
    let rule = FaultRule::route("POST", "/instances")
        .with(FaultKind::Unavailable, 1.0)
        .retry_after(3);
    harness.emulator.faults().add(rule);

    let response = harness
        .call(Method::POST, "/instances", Some(rally_body("x")))
        .await?;

    assert_eq!(response.headers()["retry-after"], "3");
    error_message(response, 503).await?;
    assert_eq!(
        harness.emulator.faults().injected(FaultKind::Unavailable),
        1
    );
    assert_eq!(harness.emulator.instance_count(), 0);
    Ok(())
}

#[tokio::test]
async fn too_many_requests_answers_429_on_matching_routes_only() -> TestResult {
    let harness = Harness::start().await?;
    harness
        .emulator
        .faults()
        .add(FaultRule::path("/elements").with(FaultKind::TooManyRequests, 1.0));

    let limited = harness.get("/elements/caagilecentral").await?;
    let other = harness.get("/instances").await?;

    assert_eq!(limited.headers()["retry-after"], "1");
    error_message(limited, 429).await?;
    assert_eq!(other.status(), 200);
    assert_eq!(harness.emulator.faults().total_injected(), 1);
    Ok(())
}

#[tokio::test]
async fn a_drop_before_processing_leaves_no_instance() -> TestResult {
    let harness = Harness::start().await?;
    harness
        .emulator
        .faults()
        .add(FaultRule::route("POST", "/instances").with(FaultKind::DropBeforeProcessing, 1.0));

    let outcome = post_with_fresh_client(&harness, "dropped").await;

    assert!(outcome.is_err());
    assert_eq!(harness.emulator.instance_count(), 0);
    assert_eq!(
        harness
            .emulator
            .faults()
            .injected(FaultKind::DropBeforeProcessing),
        1
    );
    Ok(())
}

#[tokio::test]
async fn a_drop_after_processing_keeps_the_instance_but_loses_the_answer() -> TestResult {
    let harness = Harness::start().await?;
    harness
        .emulator
        .faults()
        .add(FaultRule::route("POST", "/instances").with(FaultKind::DropAfterProcessing, 1.0));

    let outcome = post_with_fresh_client(&harness, "half-done").await;

    assert!(outcome.is_err());
    assert_eq!(harness.emulator.instance_count(), 1);
    assert_eq!(harness.emulator.instances_created_with_name("half-done"), 1);
    Ok(())
}

#[tokio::test]
async fn a_malformed_body_is_not_json() -> TestResult {
    let harness = Harness::start().await?;
    let created = harness.create_rally("readable", &[]).await?;
    harness
        .emulator
        .faults()
        .add(FaultRule::route("GET", "/instances/").with(FaultKind::MalformedBody, 1.0));

    let response = harness
        .get(&format!("/instances/{}", created["id"]))
        .await?;

    assert_eq!(response.status(), 200);
    let text = response.text().await?;
    assert!(!text.is_empty());
    assert!(serde_json::from_str::<Value>(&text).is_err());
    Ok(())
}

#[tokio::test]
async fn a_slow_answer_is_still_the_right_answer() -> TestResult {
    let harness = Harness::start().await?;
    let rule = FaultRule::all_routes()
        .with(FaultKind::Slow, 1.0)
        .delay(Duration::from_millis(20));
    harness.emulator.faults().add(rule);

    let response = harness.get("/instances").await?;

    assert_eq!(response.status(), 200);
    assert_eq!(harness.emulator.faults().injected(FaultKind::Slow), 1);
    Ok(())
}

#[tokio::test]
async fn a_limited_rule_fails_once_then_clear_stops_everything() -> TestResult {
    let harness = Harness::start().await?;
    let faults = harness.emulator.faults();
    faults.add(
        FaultRule::all_routes()
            .with(FaultKind::Unavailable, 1.0)
            .times(1),
    );

    let first = harness.get("/instances").await?;
    let second = harness.get("/instances").await?;
    faults.add(FaultRule::all_routes().with(FaultKind::Unavailable, 1.0));
    faults.clear();
    let third = harness.get("/instances").await?;

    let statuses = [first.status(), second.status(), third.status()].map(|status| status.as_u16());
    assert_eq!(statuses, [503, 200, 200]);
    assert_eq!(faults.injected(FaultKind::Unavailable), 1);
    faults.reset_counts();
    assert_eq!(faults.total_injected(), 0);
    Ok(())
}

#[tokio::test]
async fn the_same_seed_fails_the_same_requests() -> TestResult {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let emulator = Emulator::start().await?;
        emulator.faults().seed(99);
        emulator
            .faults()
            .add(FaultRule::all_routes().with(FaultKind::Unavailable, 0.5));
        let client = Client::builder().no_proxy().build()?;
        let auth = format!(
            "User {}, Organization {}",
            emulator.user_secret(),
            emulator.organization_secret()
        );
        let mut statuses = Vec::new();
        for _ in 0..16 {
            let response = client
                .get(format!("{}/elements", emulator.base_url()))
                .header("authorization", &auth)
                .send()
                .await?;
            statuses.push(response.status().as_u16());
        }
        runs.push(statuses);
    }

    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&503) && runs[0].contains(&200));
    Ok(())
}
