//! The OAuth 2 and OAuth 1 provisioning flows, external authentication and re-authentication.

use std::collections::HashMap;
use std::error::Error;

use reqwest::Method;
use serde_json::{Value, json};
use url::Url;

use crate::common::{Harness, TestResult, error_message};

const CALLBACK: &str = "http://127.0.0.1:9/oauth/callback";
const CODE_REQUIRED: &str = include_str!("../../../tests/fixtures/error-400-oauth-code.json");

fn query_of(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

impl Harness {
    /// Asks for the authorization URL and follows the consent page's redirect.
    async fn consent(
        &self,
        element: &str,
        extra: &str,
    ) -> Result<HashMap<String, String>, Box<dyn Error>> {
        let query = format!("apiKey=key&apiSecret=secret&callbackUrl={CALLBACK}{extra}");
        let path = format!("/elements/{element}/oauth/url?{query}");
        let answer: Value = self.get(&path).await?.json().await?;
        let consent = answer["oauthUrl"].as_str().ok_or("no oauthUrl")?;
        self.follow(consent).await
    }

    async fn follow(&self, consent: &str) -> Result<HashMap<String, String>, Box<dyn Error>> {
        let redirect = self.client.get(consent).send().await?;
        assert_eq!(redirect.status(), 302);
        let location = redirect.headers()["location"].to_str()?;
        Ok(query_of(&Url::parse(location)?))
    }

    async fn create_dropbox(
        &self,
        code: Option<&str>,
        callback: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let mut body = json!({
            "element": {"key": "dropbox"},
            "name": "my_first_instance",
            "configuration": {"oauth.api.key": "key", "oauth.api.secret": "secret",
                "oauth.callback.url": callback},
        });
        if let Some(code) = code {
            body["providerData"] = json!({"code": code});
        }
        self.call(Method::POST, "/instances", Some(body)).await
    }
}

#[tokio::test]
async fn the_oauth_url_points_at_the_emulator_and_defaults_the_state() -> TestResult {
    let harness = Harness::start().await?;
    let path =
        format!("/elements/dropbox/oauth/url?apiKey=key&apiSecret=secret&callbackUrl={CALLBACK}");

    let answer: Value = harness.get(&path).await?.json().await?;
    let consent = Url::parse(answer["oauthUrl"].as_str().ok_or("no oauthUrl")?)?;
    let redirect = harness.follow(consent.as_str()).await?;

    assert_eq!(answer["element"], "dropbox");
    assert_eq!(consent.host_str(), Some("127.0.0.1"));
    assert!(!consent.as_str().contains("secret"));
    assert_eq!(redirect["state"], "dropbox");
    assert!(!redirect["code"].is_empty());
    Ok(())
}

#[tokio::test]
async fn the_post_form_takes_state_and_scope() -> TestResult {
    let harness = Harness::start().await?;
    let body = json!({"apiKey": "key", "apiSecret": "secret", "callbackUrl": CALLBACK,
        "scope": "api refresh_token", "state": "mine"});

    let answer: Value = harness
        .call(Method::POST, "/elements/sfdc/oauth/url", Some(body))
        .await?
        .json()
        .await?;
    let consent = answer["oauthUrl"].as_str().ok_or("no oauthUrl")?;
    let redirect = harness.follow(consent).await?;

    assert_eq!(
        query_of(&Url::parse(consent)?)["scope"],
        "api refresh_token"
    );
    assert_eq!(redirect["state"], "mine");
    Ok(())
}

#[tokio::test]
async fn missing_parameters_and_non_oauth_elements_are_400() -> TestResult {
    let harness = Harness::start().await?;

    let missing = harness
        .get("/elements/dropbox/oauth/url?apiKey=key")
        .await?;
    let not_oauth = harness
        .get(&format!(
            "/elements/caagilecentral/oauth/url?apiKey=k&apiSecret=s&callbackUrl={CALLBACK}"
        ))
        .await?;

    let message = error_message(missing, 400).await?;
    assert!(message.contains("apiSecret") && message.contains("callbackUrl"));
    error_message(not_oauth, 400).await?;
    Ok(())
}

#[tokio::test]
async fn a_code_creates_one_instance_once() -> TestResult {
    let harness = Harness::start().await?;
    let code = harness.consent("dropbox", "").await?["code"].clone();

    let first = harness.create_dropbox(Some(&code), CALLBACK).await?;
    assert_eq!(first.status(), 200);
    let created: Value = first.json().await?;
    let second = harness.create_dropbox(Some(&code), CALLBACK).await?;

    assert_eq!(created["providerData"], json!({"code": code}));
    assert_eq!(created["configuration"]["oauth.api.secret"], "********");
    assert_eq!(created["configuration"]["oauth.user.token"], "********");
    assert_eq!(created["element"]["typeOauth"], true);
    error_message(second, 400).await?;
    assert_eq!(harness.emulator.instance_count(), 1);
    Ok(())
}

#[tokio::test]
async fn a_create_without_code_gets_the_platform_message() -> TestResult {
    let harness = Harness::start().await?;
    let documented: Value = serde_json::from_str(CODE_REQUIRED)?;

    let response = harness.create_dropbox(None, CALLBACK).await?;

    assert_eq!(error_message(response, 400).await?, documented["message"]);
    Ok(())
}

#[tokio::test]
async fn unknown_codes_and_other_callbacks_are_400() -> TestResult {
    let harness = Harness::start().await?;
    let code = harness.consent("dropbox", "").await?["code"].clone();

    let unknown = harness.create_dropbox(Some("made-up"), CALLBACK).await?;
    let elsewhere = harness
        .create_dropbox(Some(&code), "http://127.0.0.1:9/other")
        .await?;
    let right = harness.create_dropbox(Some(&code), CALLBACK).await?;

    error_message(unknown, 400).await?;
    assert!(
        error_message(elsewhere, 400)
            .await?
            .contains("oauth.callback.url")
    );
    assert_eq!(right.status(), 200);
    Ok(())
}

#[tokio::test]
async fn a_refused_consent_redirects_with_an_error() -> TestResult {
    let harness = Harness::start().await?;
    let path = format!("/elements/dropbox/oauth/url?apiKey=k&apiSecret=s&callbackUrl={CALLBACK}");
    let answer: Value = harness.get(&path).await?.json().await?;

    let consent = format!(
        "{}&deny=true",
        answer["oauthUrl"].as_str().unwrap_or_default()
    );
    let redirect = harness.follow(&consent).await?;

    assert_eq!(redirect["error"], "access_denied");
    assert!(!redirect.contains_key("code"));
    Ok(())
}

#[tokio::test]
async fn reauthentication_keeps_id_and_token() -> TestResult {
    let harness = Harness::start().await?;
    let first_code = harness.consent("dropbox", "").await?["code"].clone();
    let created: Value = harness
        .create_dropbox(Some(&first_code), CALLBACK)
        .await?
        .json()
        .await?;
    let second_code = harness.consent("dropbox", "").await?["code"].clone();
    let path = format!("/instances/{}", created["id"]);

    let body = json!({"name": "renewed", "providerData": {"code": second_code}});
    let patched = harness.call(Method::PATCH, &path, Some(body)).await?;
    assert_eq!(patched.status(), 200);
    let patched: Value = patched.json().await?;
    let reused = json!({"providerData": {"code": second_code}});
    let reused = harness.call(Method::PATCH, &path, Some(reused)).await?;

    assert_eq!(patched["id"], created["id"]);
    assert_eq!(patched["token"], created["token"]);
    assert!(patched.get("providerData").is_none());
    error_message(reused, 400).await?;
    Ok(())
}

#[tokio::test]
async fn external_authentication_needs_no_code() -> TestResult {
    let harness = Harness::start().await?;
    let body = json!({
        "element": {"key": "box"},
        "name": "external",
        "externalAuthentication": "initial",
        "configuration": {
            "oauth.api.key": "k", "oauth.api.secret": "s", "oauth.callback.url": CALLBACK,
            "oauth.user.refresh_token": "refresh"
        },
    });

    let response = harness.call(Method::POST, "/instances", Some(body)).await?;

    assert_eq!(response.status(), 200);
    let instance: Value = response.json().await?;
    assert_eq!(instance["externalAuthentication"], "initial");
    assert_eq!(
        instance["configuration"]["oauth.user.refresh_token"],
        "********"
    );
    Ok(())
}

#[tokio::test]
async fn oauth1_runs_request_token_consent_and_create() -> TestResult {
    let harness = Harness::start().await?;
    let path = format!("/elements/xero/oauth/token?apiKey=k&apiSecret=s&callbackUrl={CALLBACK}");
    let token: Value = harness.get(&path).await?.json().await?;
    let request_token = token["token"].as_str().ok_or("no token")?;
    let extra = format!("&requestToken={request_token}");

    let redirect = harness.consent("xero", &extra).await?;
    let body = json!({
        "element": {"key": "xero"}, "name": "books",
        "configuration": {
            "oauth.api.key": "k", "oauth.api.secret": "s", "oauth.callback.url": CALLBACK
        },
        "providerData": {
            "oauth_token": redirect["oauth_token"],
            "oauth_verifier": redirect["oauth_verifier"],
            "secret": token["secret"]
        },
    });
    let created = harness
        .call(Method::POST, "/instances", Some(body.clone()))
        .await?;
    let again = harness.call(Method::POST, "/instances", Some(body)).await?;

    assert_eq!(redirect["oauth_token"], request_token);
    assert_eq!(created.status(), 200);
    error_message(again, 400).await?;
    Ok(())
}

#[tokio::test]
async fn oauth1_needs_a_request_token_for_the_url() -> TestResult {
    let harness = Harness::start().await?;

    let response = harness
        .get(&format!(
            "/elements/xero/oauth/url?apiKey=k&apiSecret=s&callbackUrl={CALLBACK}"
        ))
        .await?;

    error_message(response, 400).await?;
    Ok(())
}
