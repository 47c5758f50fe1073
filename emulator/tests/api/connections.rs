//! Connection counting and the library face's lifecycle.

use reqwest::Client;

use crate::common::{Harness, TestResult};

#[tokio::test]
async fn each_client_connection_is_counted_once() -> TestResult {
    let harness = Harness::start().await?;
    assert_eq!(harness.emulator.accepted_connections(), 0);

    for _ in 0..3 {
        harness.get("/instances").await?.bytes().await?;
    }
    let after_one_client = harness.emulator.accepted_connections();
    let other = Client::builder().no_proxy().build()?;
    other
        .get(harness.url("/instances"))
        .header("authorization", harness.platform_auth())
        .send()
        .await?;

    assert_eq!(after_one_client, 1);
    assert_eq!(harness.emulator.accepted_connections(), 2);
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn it_runs_on_a_current_thread_runtime_and_stops_on_shutdown() -> TestResult {
    let harness = Harness::start().await?;
    let url = harness.url("/instances");
    let auth = harness.platform_auth();

    let before = harness
        .client
        .get(&url)
        .header("authorization", &auth)
        .send()
        .await?;
    harness.emulator.shutdown().await;
    let fresh = Client::builder().no_proxy().build()?;
    let after = fresh.get(&url).header("authorization", &auth).send().await;

    assert_eq!(before.status(), 200);
    // Another test's emulator may have taken the freed port; it would not know these secrets.
    assert!(after.map_or(true, |response| response.status() != 200));
    Ok(())
}

#[tokio::test]
async fn seeded_instances_are_listed_with_their_tags() -> TestResult {
    let harness = Harness::start().await?;

    let ids = harness
        .emulator
        .seed_instances("caagilecentral", 3, "bench-", &["load"]);
    let unknown = harness
        .emulator
        .seed_instances("no-such-element", 3, "x-", &[]);
    let listed: Vec<serde_json::Value> =
        harness.get("/instances?tags[]=load").await?.json().await?;

    assert_eq!(ids.len(), 3);
    assert!(unknown.is_empty());
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0]["name"], "bench-1");
    assert_eq!(harness.emulator.instances_created_by_name().len(), 3);
    Ok(())
}
