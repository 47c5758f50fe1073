//! No public type that can hold a secret prints it, in `Debug`, pretty `Debug` or `Display`.

#![allow(clippy::expect_used)]

mod common;

use std::fmt::Debug;

use open_connectors::secrecy::SecretString;
use open_connectors::{
    Client, ConfigEntry, ConfigValue, Configuration, Credentials, Element, Error,
    EventsConfiguration, Instance, InstanceConfiguration, InstanceId, InstancePatch, InstanceToken,
    ListInstances, NewInstance, OAuthApp, OAuthCallback, OAuthRequestToken, OAuthState, OAuthUrl,
    OrganizationSecret, PollerConfiguration, ProviderData, ResourcePoller, SignatureKey,
    UserSecret, verify_and_decode,
};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const USER: &str = "user-secret-value-1";
const ORGANIZATION: &str = "organization-secret-value-2";
const API_KEY: &str = "rally-api-key-3";
const PASSWORD: &str = "password-value-4";
const SIGNATURE_KEY: &str = "signature-key-5";
const OAUTH_SECRET: &str = "oauth-secret-6";
const CODE: &str = "oauth-code-7";
const TOKEN: &str = "instance/token+8=";

const ALL: [&str; 8] = [
    USER,
    ORGANIZATION,
    API_KEY,
    PASSWORD,
    SIGNATURE_KEY,
    OAUTH_SECRET,
    CODE,
    TOKEN,
];

/// Fails when `{:?}` or `{:#?}` shows any secret.
fn assert_debug_hides(value: &impl Debug) {
    let printed = format!("{value:?}\n{value:#?}");
    for secret in ALL {
        assert!(!printed.contains(secret), "{secret} shown in {printed}");
    }
}

/// Fails when `{}`, `{:?}` or `{:#?}` shows any secret.
fn assert_hidden(value: &(impl Debug + std::fmt::Display)) {
    assert_debug_hides(value);
    let shown = value.to_string();
    for secret in ALL {
        assert!(!shown.contains(secret), "{secret} shown in {shown}");
    }
}

fn configuration() -> Configuration {
    Configuration::new()
        .set_secret("api.key", API_KEY)
        .set("password", PASSWORD)
        .event_notification_signature_key(SIGNATURE_KEY)
        .set("oauth.api.secret", OAUTH_SECRET)
        .set("site.address", "visible.example.com")
}

fn new_instance() -> NewInstance {
    NewInstance::builder(Element::key("caagilecentral"), "secrets")
        .configuration(configuration())
        .provider_data(ProviderData::code(CODE).set("secret", OAUTH_SECRET))
        .build()
        .expect("a valid request")
}

fn client(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .user_secret(USER)
        .organization_secret(ORGANIZATION)
        .build()
        .expect("a valid client")
}

fn instance_json() -> String {
    format!(
        r#"{{"id":5,"name":"n","token":"{TOKEN}","providerData":{{"code":"{CODE}"}},
        "configuration":{{"api.key":"{API_KEY}","password":"{PASSWORD}",
        "event.notification.signature.key":"{SIGNATURE_KEY}","oauth.api.secret":"{OAUTH_SECRET}",
        "oauth.user.token":"{TOKEN}","base.url":"https://rally1.rallydev.com"}}}}"#
    )
}

#[test]
fn account_secrets_and_credentials() {
    assert_debug_hides(&UserSecret::new(USER));
    assert_debug_hides(&OrganizationSecret::new(ORGANIZATION));
    assert_debug_hides(&InstanceToken::new(TOKEN));
    assert_debug_hides(&Credentials::new(USER, ORGANIZATION));
}

#[test]
fn client_and_its_builder() {
    let builder = Client::builder()
        .base_url(format!(
            "https://me:{PASSWORD}@api.example.com/?key={API_KEY}"
        ))
        .user_secret(USER)
        .organization_secret(ORGANIZATION);

    assert_debug_hides(&builder);
    assert!(format!("{builder:?}").contains("api.example.com"));
    assert_debug_hides(&client("https://api.example.com"));
}

#[test]
fn configuration_and_its_values() {
    let configuration = configuration();

    assert_debug_hides(&configuration);
    assert_debug_hides(&configuration.get("password").expect("set"));
    assert_debug_hides(&ConfigValue::from(SecretString::from(API_KEY)));
    assert!(format!("{configuration:?}").contains("visible.example.com"));
}

#[test]
fn requests_and_their_builders() -> TestResult {
    let builder = NewInstance::builder(Element::key("x"), "n")
        .configuration(configuration())
        .provider_data(ProviderData::code(CODE));
    let patch = InstancePatch::new()
        .configuration(configuration())
        .provider_data(ProviderData::code(CODE))
        .build()?;

    assert_debug_hides(&builder);
    assert_debug_hides(&new_instance());
    assert_debug_hides(&patch);
    assert_debug_hides(&ProviderData::code(CODE));
    assert_debug_hides(&ListInstances::new().search_text("secrets"));
    Ok(())
}

#[test]
fn instances_as_returned() -> TestResult {
    let instance: Instance = serde_json::from_str(&instance_json())?;
    let configuration: InstanceConfiguration =
        serde_json::from_str(&format!(r#"{{"password":"{PASSWORD}","x":null}}"#))?;

    assert_debug_hides(&instance);
    assert_debug_hides(&instance.configuration);
    assert_debug_hides(&configuration);
    assert_eq!(
        instance.token.as_ref().map(InstanceToken::expose_secret),
        Some(TOKEN)
    );
    Ok(())
}

#[test]
fn oauth_apps_states_callbacks_and_tokens() -> TestResult {
    let callback_url = "https://app.example.com/oauth/callback".parse()?;
    let app = OAuthApp::new(API_KEY, OAUTH_SECRET, callback_url)?;
    let state = OAuthState::from_stored(PASSWORD);
    let redirect = format!("https://app.example.com/oauth/callback?code={CODE}&state={PASSWORD}");
    let callback = OAuthCallback::parse(&redirect)?;
    let url: OAuthUrl = serde_json::from_str(&format!(
        r#"{{"oauthUrl":"https://vendor.example/authorize?client_id={API_KEY}&state={PASSWORD}",
        "element":"dropbox"}}"#
    ))?;
    let token: OAuthRequestToken =
        serde_json::from_str(&format!(r#"{{"token":"t-1","secret":"{OAUTH_SECRET}"}}"#))?;
    let provider_data = callback.verify(&state)?;

    assert_debug_hides(&app);
    assert_debug_hides(&app.url_request().state(&state));
    assert_debug_hides(&app.configuration());
    assert_debug_hides(&app.instance(Element::key("dropbox"), "n", provider_data.clone()));
    assert_debug_hides(&state);
    assert_debug_hides(&callback);
    assert_debug_hides(&url);
    assert_debug_hides(&token);
    assert_debug_hides(&provider_data);
    Ok(())
}

#[test]
fn configuration_entries_as_returned() -> TestResult {
    let entry: ConfigEntry = serde_json::from_str(&format!(
        r#"{{"id":9001,"key":"api.key","propertyValue":"{API_KEY}","type":"PASSWORD"}}"#
    ))?;

    assert_debug_hides(&entry);
    Ok(())
}

async fn failing_create(answer: ResponseTemplate) -> Result<Error, Box<dyn std::error::Error>> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer)
        .mount(&server)
        .await;
    let result = client(&server.uri())
        .instances()
        .create(&new_instance())
        .await;
    Ok(result.expect_err("the mock refuses"))
}

#[tokio::test]
async fn errors_that_echo_what_was_sent() -> TestResult {
    let echo = format!(
        r#"{{"requestId":"r1","message":"key {API_KEY} refused for User {USER}",
        "providerMessage":"bad password {PASSWORD} or code {CODE}"}}"#
    );
    let truncated = format!(r#"{{"id":5,"token":"{TOKEN}","configuration":{{"api.key":"{API_KEY}"#);

    let api = failing_create(ResponseTemplate::new(400).set_body_string(echo)).await?;
    let html = failing_create(ResponseTemplate::new(502).set_body_string(format!(
        "<html>Organization {ORGANIZATION} signature {SIGNATURE_KEY}</html>"
    )))
    .await?;
    let decode = failing_create(ResponseTemplate::new(200).set_body_string(truncated)).await?;

    for err in [&api, &html, &decode] {
        assert_hidden(err);
    }
    assert_hidden(api.api().expect("an api error"));
    assert!(api.to_string().contains("refused"), "{api}");
    Ok(())
}

#[tokio::test]
async fn transport_errors_deadlines_and_invalid_input() -> TestResult {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let refused = client(&format!("http://127.0.0.1:{port}"))
        .instances()
        .get(InstanceId(1))
        .await
        .expect_err("nothing listens");
    let invalid = Client::builder()
        .base_url("https://api.example.com")
        .user_secret(format!("{USER}\n"))
        .organization_secret(ORGANIZATION)
        .build()
        .expect_err("a newline cannot go into a header");

    assert_hidden(&refused);
    assert_hidden(&invalid);
    Ok(())
}

/// Answers every `POST` with a `400` that echoes the API key and the password, and every
/// `PATCH` with one that echoes the API key.
async fn echoing_server() -> MockServer {
    let echo = |provider: &str| {
        format!(
            r#"{{"requestId":"r1","message":"key {API_KEY} refused",
                "providerMessage":"{provider}"}}"#
        )
    };
    let server = MockServer::start().await;
    let answers = [
        ("POST", echo(&format!("bad password {PASSWORD}"))),
        ("PATCH", echo("no")),
    ];
    for (verb, body) in answers {
        Mock::given(method(verb))
            .respond_with(ResponseTemplate::new(400).set_body_string(body))
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
async fn create_for_element_and_entry_updates_cut_echoed_secrets() -> TestResult {
    let server = echoing_server().await;
    let client = client(&server.uri());

    let created = client.instances().create_for_element(&new_instance()).await;
    let entry = client
        .instances()
        .update_configuration_entry(InstanceId(5), open_connectors::ConfigEntryId(9), API_KEY)
        .await;

    for err in [created.map(drop), entry.map(drop)] {
        let err = err.expect_err("the mock refuses");
        assert_hidden(&err);
        assert!(err.to_string().contains("refused"), "{err}");
    }
    Ok(())
}

#[test]
fn connector_clients_and_event_settings() -> TestResult {
    let client = client("https://api.example.com");
    let hub = client.hub("general", TOKEN)?;
    let key = SignatureKey::new(SIGNATURE_KEY);
    let poller = PollerConfiguration::new().resource(
        "defects",
        ResourcePoller::new("/hubs/general/defects", "ObjectID"),
    );
    let webhook = EventsConfiguration::webhook("https://app.example.com/events".parse()?)
        .signature_key(key.clone());
    let polling = EventsConfiguration::polling("https://app.example.com/events".parse()?, poller)
        .signature_key(key.clone());

    assert_debug_hides(&hub);
    assert_debug_hides(&key);
    assert_debug_hides(&webhook);
    assert_debug_hides(&polling);
    assert_debug_hides(&Configuration::new().events(webhook));
    Ok(())
}

#[test]
fn refused_notifications() {
    let key = SignatureKey::new(SIGNATURE_KEY);
    let body = format!(r#"{{"message":{{"eventId":"{CODE}"}}"#);
    let forged = SignatureKey::new("another key").sign(body.as_bytes());

    let mismatch = key
        .verify(Some(&forged), body.as_bytes())
        .expect_err("a signature made with another key");
    let decode = verify_and_decode(&key, Some(&key.sign(b"not json")), b"not json")
        .expect_err("a body that is not a notification");

    assert_hidden(&mismatch);
    assert_hidden(&decode);
    assert_hidden(&Error::from(mismatch));
}
