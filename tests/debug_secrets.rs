//! `Debug`, plain and pretty, of everything that holds a secret prints none of the secret
//! values: the client and its builder, credentials, each secret type, requests with secret
//! configuration and provider data, and instances decoded from the platform's answers.

mod common;

use std::error::Error as StdError;
use std::fmt::Debug;

use open_connectors::{
    Client, ClientBuilder, ConfigValue, Configuration, Credentials, Element, InstanceId,
    InstancePatch, InstanceToken, NewInstance, OrganizationSecret, ProviderData, UserSecret,
};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

use common::{client_for, wire};

type TestResult = Result<(), Box<dyn StdError>>;

const USER: &str = "user-secret-value-1";
const ORGANIZATION: &str = "organization-secret-value-2";
const TOKEN: &str = "instance-token-value-3";
const API_KEY: &str = "rally-api-key-value-4";
const PASSWORD: &str = "password-value-5";
const SIGNATURE_KEY: &str = "signature-key-value-6";
const CUSTOM_SECRET: &str = "custom-secret-value-7";
const CODE: &str = "oauth-code-value-8";
const PROVIDER_SECRET: &str = "provider-secret-value-9";

const EVERY_SECRET: [&str; 9] = [
    USER,
    ORGANIZATION,
    TOKEN,
    API_KEY,
    PASSWORD,
    SIGNATURE_KEY,
    CUSTOM_SECRET,
    CODE,
    PROVIDER_SECRET,
];

/// Prints `value` with `{:?}` and `{:#?}` and fails if any secret shows; returns the plain form.
fn assert_hides_secrets(what: &str, value: &impl Debug) -> String {
    let plain = format!("{value:?}");
    let pretty = format!("{value:#?}");
    for secret in EVERY_SECRET {
        assert!(!plain.contains(secret), "{what} shows {secret}: {plain}");
        assert!(!pretty.contains(secret), "{what} shows {secret}: {pretty}");
    }
    plain
}

fn builder() -> ClientBuilder {
    Client::builder()
        .base_url("http://127.0.0.1:9/elements/api-v2")
        .user_secret(USER)
        .organization_secret(ORGANIZATION)
}

fn secret_configuration() -> Configuration {
    Configuration::new()
        .set_secret("api.key", API_KEY)
        .set("password", PASSWORD)
        .event_notification_signature_key(SIGNATURE_KEY)
        .set_secret("site.custom", CUSTOM_SECRET)
        .set("site.address", "rally1.rallydev.com")
        .event_notification_enabled(true)
}

fn provider_data() -> ProviderData {
    ProviderData::code(CODE)
        .set("secret", PROVIDER_SECRET)
        .set("oauth_token", TOKEN)
}

#[test]
fn the_client_and_its_builder_hide_both_secrets() -> TestResult {
    let client = builder().build()?;

    let printed = assert_hides_secrets("Client", &client);
    assert_hides_secrets("ClientBuilder", &builder());

    assert!(printed.contains("127.0.0.1:9"), "{printed}");
    Ok(())
}

#[test]
fn credentials_and_every_secret_type_are_redacted() {
    let credentials = Credentials::new(USER, ORGANIZATION);

    assert_hides_secrets("Credentials", &credentials);
    assert_hides_secrets("UserSecret", &UserSecret::new(USER));
    assert_hides_secrets("OrganizationSecret", &OrganizationSecret::new(ORGANIZATION));
    let token = assert_hides_secrets("InstanceToken", &InstanceToken::new(TOKEN));
    let value = ConfigValue::from(SecretString::from(API_KEY));
    assert_hides_secrets("ConfigValue", &value);

    assert!(token.contains("redacted"), "{token}");
}

#[test]
fn configuration_hides_secret_values_and_shows_the_rest() {
    let printed = assert_hides_secrets("Configuration", &secret_configuration());

    assert!(printed.contains("api.key"), "keys stay visible: {printed}");
    assert!(printed.contains("rally1.rallydev.com"), "{printed}");
}

#[test]
fn provider_data_shows_keys_only() {
    let printed = assert_hides_secrets("ProviderData", &provider_data());

    assert!(
        printed.contains("code") && printed.contains("oauth_token"),
        "{printed}"
    );
}

#[test]
fn a_new_instance_with_secret_configuration_and_provider_data_is_redacted() -> TestResult {
    let builder = NewInstance::builder(Element::key("caagilecentral"), "instance1")
        .configuration(secret_configuration())
        .provider_data(provider_data());

    assert_hides_secrets("NewInstanceBuilder", &builder);
    let printed = assert_hides_secrets("NewInstance", &builder.build()?);

    assert!(printed.contains("caagilecentral"), "{printed}");
    Ok(())
}

#[test]
fn an_instance_patch_is_redacted() -> TestResult {
    let patch = InstancePatch::new()
        .name("renamed")
        .configuration(secret_configuration())
        .provider_data(provider_data())
        .build()?;

    let printed = assert_hides_secrets("InstancePatch", &patch);

    assert!(printed.contains("renamed"), "{printed}");
    Ok(())
}

#[tokio::test]
async fn a_decoded_instance_hides_its_token_and_provider_data() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(wire::json(200, fixture!("dropbox-create-response.json")))
        .mount(&server)
        .await;

    let instance = client_for(&server).instances().get(InstanceId(27)).await?;

    let printed = format!("{instance:?} {instance:#?}");
    assert!(
        !printed.contains("BUIWhN8NTPaeyYo7Kblo91CJ1tCG6PUonwnV"),
        "{printed}"
    );
    assert!(!printed.contains("code-from-the-return-url"), "{printed}");
    assert!(printed.contains("my_first_instance"), "{printed}");
    Ok(())
}

#[tokio::test]
async fn a_decoded_rally_instance_and_its_page_hide_the_token() -> TestResult {
    let server = MockServer::start().await;
    let list = format!("[{}]", fixture!("rally-create-response.json"));
    Mock::given(method("GET"))
        .respond_with(wire::json(200, &list))
        .mount(&server)
        .await;

    let page = client_for(&server).instances().list().await?;

    let printed = format!("{page:?} {page:#?}");
    assert!(!printed.contains("Q2hhbmdlTWVJbkFQcm9qZWN0"), "{printed}");
    assert!(printed.contains("instance1"), "{printed}");
    Ok(())
}

#[tokio::test]
async fn unmasked_secrets_in_a_decoded_configuration_stay_hidden() -> TestResult {
    let server = MockServer::start().await;
    let body = json!({
        "id": 5,
        "token": TOKEN,
        "configuration": {
            "api.key": API_KEY,
            "password": PASSWORD,
            "event.notification.signature.key": SIGNATURE_KEY,
            "oauth.user.token": CUSTOM_SECRET,
            "oauth.api.secret": PROVIDER_SECRET,
            "site.address": "rally1.rallydev.com"
        },
        "providerData": {"code": CODE}
    });
    Mock::given(method("GET"))
        .respond_with(wire::json(200, &body.to_string()))
        .mount(&server)
        .await;

    let instance = client_for(&server).instances().get(InstanceId(5)).await?;

    let printed = assert_hides_secrets("Instance", &instance);
    assert_hides_secrets("InstanceConfiguration", &instance.configuration);
    assert!(printed.contains("rally1.rallydev.com"), "{printed}");
    Ok(())
}
