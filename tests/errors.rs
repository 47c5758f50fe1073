//! How the platform's error answers become `Error`s: the missing-configuration variant, the
//! API variant for every documented status, bodies that are not the platform's JSON, the
//! request id, and a `Display` that is one lowercase line without secrets.

mod common;

use std::error::Error as StdError;

use open_connectors::{
    ApiErrorKind, Configuration, Element, Error, InstanceId, NewInstance, ProviderData,
};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::wire::{self, REQUEST_ID_HEADER};
use common::{ORGANIZATION_SECRET, USER_SECRET, client_for};

type TestResult = Result<(), Box<dyn StdError>>;

const MISSING_MESSAGE: &str = "Missing required configuration entries: api.key, username";
const FIXTURE_TOKEN: &str = "Q2hhbmdlTWVJbkFQcm9qZWN0T2ZZb3Vyc0FuZFRvbz0=";

fn rally_without_key() -> Result<NewInstance, Error> {
    NewInstance::builder(Element::key("caagilecentral"), "instance1").build()
}

/// Answers every request with `answer` and creates a Rally instance through the SDK, leaving
/// the judgement of the request to the (mock) platform.
async fn create_answered_with(answer: ResponseTemplate) -> Result<Error, Box<dyn StdError>> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer)
        .mount(&server)
        .await;
    let result = common::unvalidated_client(&server)?
        .instances()
        .create(&rally_without_key()?)
        .await;
    Ok(result.err().ok_or("the create must fail")?)
}

/// Answers every request with `answer` and reads an instance through the SDK.
async fn get_answered_with(answer: ResponseTemplate) -> Result<Error, Box<dyn StdError>> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(answer)
        .mount(&server)
        .await;
    let result = client_for(&server).instances().get(InstanceId(7)).await;
    Ok(result.err().ok_or("the read must fail")?)
}

/// The `Display` rules: one line, starting lowercase, and none of the account's secrets.
fn assert_one_clean_line(error: &Error) -> String {
    let text = error.to_string();
    assert!(!text.contains(['\n', '\r']), "more than one line: {text:?}");
    let first = text.chars().next().unwrap_or('X');
    assert!(first.is_lowercase(), "not lowercase: {text:?}");
    for secret in [USER_SECRET, ORGANIZATION_SECRET, FIXTURE_TOKEN] {
        assert!(!text.contains(secret), "secret in {text:?}");
    }
    text
}

fn api(error: &Error) -> Result<&open_connectors::ApiError, String> {
    error
        .api()
        .ok_or_else(|| format!("expected an API error, got {error:?}"))
}

#[tokio::test]
async fn a_400_naming_missing_entries_is_missing_configuration() -> TestResult {
    let body = json!({"requestId": "5b0437c6e4b07731ae39b536", "message": MISSING_MESSAGE});

    let error = create_answered_with(ResponseTemplate::new(400).set_body_json(body)).await?;

    let Error::MissingConfiguration(missing) = &error else {
        return Err(format!("expected MissingConfiguration, got {error:?}").into());
    };
    assert_eq!(missing.keys().collect::<Vec<_>>(), ["api.key", "username"]);
    assert_eq!(missing.element.as_deref(), Some("caagilecentral"));
    assert_eq!(missing.status, Some(400));
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.request_id(), Some("5b0437c6e4b07731ae39b536"));
    let text = assert_one_clean_line(&error);
    assert!(
        text.contains("api.key") && text.contains("username"),
        "{text}"
    );
    assert!(text.contains("400"), "names the platform's status: {text}");
    Ok(())
}

#[tokio::test]
async fn a_put_answered_with_missing_entries_is_missing_configuration() -> TestResult {
    let server = MockServer::start().await;
    let body = json!({"requestId": "5b0437c6e4b07731ae39b537", "message": MISSING_MESSAGE});
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(400).set_body_json(body))
        .mount(&server)
        .await;

    let result = client_for(&server)
        .instances()
        .update(InstanceId(7), &rally_without_key()?)
        .await;

    let Err(Error::MissingConfiguration(missing)) = &result else {
        return Err(format!("expected MissingConfiguration, got {result:?}").into());
    };
    assert_eq!(missing.keys().collect::<Vec<_>>(), ["api.key", "username"]);
    Ok(())
}

#[tokio::test]
async fn the_oauth_code_400_stays_a_bad_request() -> TestResult {
    let answer = wire::json(400, fixture!("error-400-oauth-code.json"));

    let error = create_answered_with(answer).await?;

    let api = api(&error)?;
    assert_eq!(api.kind, ApiErrorKind::BadRequest);
    assert_eq!(api.request_id.as_deref(), Some("5b0437c6e4b07731ae39b535"));
    let text = assert_one_clean_line(&error);
    assert!(
        text.contains("400") && text.contains("You must provide an OAuth code"),
        "{text}"
    );
    Ok(())
}

#[tokio::test]
async fn a_400_that_names_no_keys_stays_a_bad_request() -> TestResult {
    let body = json!({"requestId": "r", "message": "Missing configuration"});

    let error = create_answered_with(ResponseTemplate::new(400).set_body_json(body)).await?;

    assert_eq!(api(&error)?.kind, ApiErrorKind::BadRequest);
    Ok(())
}

#[tokio::test]
async fn a_401_is_unauthorized_with_the_platform_message() -> TestResult {
    let error = get_answered_with(wire::json(401, fixture!("error-401.json"))).await?;

    let api = api(&error)?;
    assert_eq!(api.kind, ApiErrorKind::Unauthorized);
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.request_id(), Some("5b0437c6e4b07731ae39b533"));
    assert!(!error.is_retryable());
    let text = assert_one_clean_line(&error);
    assert!(text.contains("401") && text.contains("Invalid Organization or User secret"));
    Ok(())
}

#[tokio::test]
async fn a_404_is_not_found() -> TestResult {
    let error = get_answered_with(wire::json(404, fixture!("error-404.json"))).await?;

    assert_eq!(api(&error)?.kind, ApiErrorKind::NotFound);
    assert!(error.is_not_found());
    let text = assert_one_clean_line(&error);
    assert!(text.contains("404") && text.contains("No account found with ID 123456"));
    Ok(())
}

#[tokio::test]
async fn a_409_keeps_the_provider_message() -> TestResult {
    let answer = wire::json(409, fixture!("error-409-provider.json"));

    let error = create_answered_with(answer).await?;

    let api = api(&error)?;
    assert_eq!(api.kind, ApiErrorKind::Conflict);
    assert_eq!(
        api.provider_message.as_deref(),
        Some("Item with the same name already exists")
    );
    assert_eq!(error.request_id(), Some("53dbca9430045c016b46566c"));
    let text = assert_one_clean_line(&error);
    assert!(text.contains("409") && text.contains("Item with the same name already exists"));
    Ok(())
}

#[tokio::test]
async fn a_500_is_a_retryable_server_error() -> TestResult {
    let message = "Internal error\n\tat com.example.Handler.run(Handler.java:42)";
    let body = json!({"requestId": "5b0437c6e4b07731ae39b538", "message": message});

    let error = get_answered_with(ResponseTemplate::new(500).set_body_json(body)).await?;

    assert_eq!(api(&error)?.kind, ApiErrorKind::Server);
    assert!(error.is_retryable());
    let text = assert_one_clean_line(&error);
    assert!(
        text.contains("500") && text.contains("Internal error"),
        "{text}"
    );
    Ok(())
}

#[tokio::test]
async fn an_html_body_becomes_a_short_one_line_message() -> TestResult {
    let html = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n\
                <center><h1>502 Bad Gateway</h1></center>\n</body>\n</html>\n";
    let answer = ResponseTemplate::new(502)
        .set_body_raw(html, "text/html")
        .insert_header(REQUEST_ID_HEADER, "5b0437c6e4b07731ae39b539");

    let error = get_answered_with(answer).await?;

    let api = api(&error)?;
    assert_eq!(api.kind, ApiErrorKind::Server);
    assert!(
        api.message
            .as_deref()
            .is_some_and(|m| m.contains("Bad Gateway"))
    );
    assert_eq!(error.request_id(), Some("5b0437c6e4b07731ae39b539"));
    let text = assert_one_clean_line(&error);
    assert!(text.contains("502"), "{text}");
    Ok(())
}

#[tokio::test]
async fn an_empty_body_leaves_the_message_empty() -> TestResult {
    let error = get_answered_with(ResponseTemplate::new(503)).await?;

    let api = api(&error)?;
    assert_eq!(api.message, None);
    assert_eq!(api.request_id, None);
    let text = assert_one_clean_line(&error);
    assert!(text.contains("503"), "{text}");
    Ok(())
}

#[tokio::test]
async fn the_request_id_comes_from_the_header_when_the_body_lacks_it() -> TestResult {
    let answer = ResponseTemplate::new(404)
        .set_body_json(json!({"message": "No instance found with ID 7"}))
        .insert_header(REQUEST_ID_HEADER, "5b0437c6e4b07731ae39b540");

    let error = get_answered_with(answer).await?;

    assert_eq!(error.request_id(), Some("5b0437c6e4b07731ae39b540"));
    Ok(())
}

#[tokio::test]
async fn the_body_request_id_wins_over_the_header() -> TestResult {
    let answer = wire::json(404, fixture!("error-404.json"))
        .insert_header(REQUEST_ID_HEADER, "5b0437c6e4b07731ae39b541");

    let error = get_answered_with(answer).await?;

    assert_eq!(error.request_id(), Some("5b0437c6e4b07731ae39b534"));
    Ok(())
}

#[tokio::test]
async fn a_token_echoed_by_the_vendor_is_not_displayed() -> TestResult {
    let body = json!({
        "requestId": "5b0437c6e4b07731ae39b542",
        "message": format!("Bad request: the vendor refused token {FIXTURE_TOKEN}"),
        "providerMessage": format!("invalid key {FIXTURE_TOKEN}")
    });

    let error = get_answered_with(ResponseTemplate::new(400).set_body_json(body)).await?;

    let printed = format!("{error} {error:?}");
    assert!(!printed.contains(FIXTURE_TOKEN), "{printed}");
    assert_one_clean_line(&error);
    Ok(())
}

#[test]
fn a_masked_value_copied_back_is_refused_before_sending() {
    let masked = Configuration::new().set_secret("api.key", "********");

    let built = NewInstance::builder(Element::key("caagilecentral"), "instance1")
        .configuration(masked)
        .provider_data(ProviderData::code("c"))
        .build();

    let Err(error @ Error::InvalidInput(_)) = &built else {
        panic!("expected InvalidInput, got {built:?}");
    };
    let text = assert_one_clean_line(error);
    assert!(text.contains("api.key"), "{text}");
}

#[tokio::test]
async fn an_error_page_echoing_the_authorization_header_hides_real_secrets() -> TestResult {
    let user = "pT4nX8qL2vR6wY0zA3cE7gJ1kM5oS9uB/dF+hI=";
    let organization = "Zc5bN1mQ7xV3tR9pL2kJ8hG4fD6sA0wE+yU/iO=";
    let page = format!("<pre>Authorization: User {user}, Organization {organization}</pre>");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(page, "text/html"))
        .mount(&server)
        .await;
    let client = open_connectors::Client::builder()
        .base_url(server.uri())
        .user_secret(user)
        .organization_secret(organization)
        .retry_policy(open_connectors::RetryPolicy::none())
        .build()?;

    let error = client
        .instances()
        .get(InstanceId(7))
        .await
        .err()
        .ok_or("must fail")?;

    let printed = format!("{error} {error:?}");
    assert!(printed.contains("Authorization: User"), "{printed}");
    assert!(
        !printed.contains(user) && !printed.contains(organization),
        "{printed}"
    );
    Ok(())
}
