//! The `Authorization` header on platform calls.

use reqwest::Method;

use crate::common::{Harness, TestResult, error_message};

const INVALID: &str = "Invalid Organization or User secret, or invalid Element token provided.";

#[tokio::test]
async fn right_secrets_are_accepted() -> TestResult {
    let harness = Harness::start().await?;

    let response = harness.get("/instances").await?;

    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("elements-request-id"));
    Ok(())
}

#[tokio::test]
async fn whitespace_around_parts_is_tolerated() -> TestResult {
    let harness = Harness::start().await?;
    let loose = format!(
        "  User {} ,Organization   {}  ",
        harness.emulator.user_secret(),
        harness.emulator.organization_secret()
    );

    let response = harness
        .call_as(&loose, Method::GET, "/instances", None)
        .await?;

    assert_eq!(response.status(), 200);
    Ok(())
}

#[tokio::test]
async fn swapped_secrets_are_refused() -> TestResult {
    let harness = Harness::start().await?;
    let swapped = format!(
        "User {}, Organization {}",
        harness.emulator.organization_secret(),
        harness.emulator.user_secret()
    );

    let response = harness
        .call_as(&swapped, Method::GET, "/instances", None)
        .await?;

    assert_eq!(error_message(response, 401).await?, INVALID);
    Ok(())
}

#[tokio::test]
async fn a_missing_header_is_refused() -> TestResult {
    let harness = Harness::start().await?;

    let response = harness.client.get(harness.url("/instances")).send().await?;

    assert_eq!(error_message(response, 401).await?, INVALID);
    Ok(())
}

#[tokio::test]
async fn a_wrong_secret_is_refused() -> TestResult {
    let harness = Harness::start().await?;
    let wrong = format!(
        "User {}x, Organization {}",
        harness.emulator.user_secret(),
        harness.emulator.organization_secret()
    );

    let response = harness
        .call_as(&wrong, Method::GET, "/elements/caagilecentral", None)
        .await?;

    assert_eq!(error_message(response, 401).await?, INVALID);
    Ok(())
}

#[tokio::test]
async fn a_missing_organization_is_refused_on_platform_calls() -> TestResult {
    let harness = Harness::start().await?;
    let user_only = format!("User {}", harness.emulator.user_secret());

    let response = harness
        .call_as(&user_only, Method::GET, "/instances", None)
        .await?;

    assert_eq!(error_message(response, 401).await?, INVALID);
    Ok(())
}

#[tokio::test]
async fn builder_secrets_are_the_ones_checked() -> TestResult {
    let emulator = open_connectors_emulator::Emulator::builder()
        .user_secret("u+/=")
        .organization_secret("o+/=")
        .start()
        .await?;
    let client = reqwest::Client::builder().no_proxy().build()?;

    let response = client
        .get(format!("{}/instances", emulator.base_url()))
        .header("authorization", "User u+/=, Organization o+/=")
        .send()
        .await?;

    assert_eq!(response.status(), 200);
    assert_eq!(emulator.user_secret(), "u+/=");
    Ok(())
}

#[tokio::test]
async fn generated_secrets_use_the_base64_alphabet() -> TestResult {
    let harness = Harness::start().await?;

    for secret in [
        harness.emulator.user_secret(),
        harness.emulator.organization_secret(),
    ] {
        assert!(secret.len() >= 40);
        assert!(secret.contains('+') && secret.contains('/') && secret.ends_with('='));
    }
    assert_ne!(
        harness.emulator.user_secret(),
        harness.emulator.organization_secret()
    );
    Ok(())
}
