//! The element API against a mock platform: catalogue, definitions, metadata, and the check a
//! create makes before it is sent.

mod common;

use common::wire::{API, mount_rally_requirements, platform_auth, rally_element};
use common::{client_for, collect_bounded, unvalidated_client};
use open_connectors::{
    ConfigDefinition, ConfigType, Configuration, Element, ElementId, ElementRequirements, Error,
    ListElements, NewInstance,
};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn mock_create(server: &MockServer, expected: u64) {
    Mock::given(method("POST"))
        .and(path(format!("{API}/instances")))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture!("rally-create-response.json")),
        )
        .expect(expected)
        .mount(server)
        .await;
}

fn rally_request(configuration: Configuration) -> Result<NewInstance, Error> {
    NewInstance::builder(Element::key("caagilecentral"), "instance1")
        .configuration(configuration)
        .build()
}

#[tokio::test]
async fn an_element_is_read_by_key_or_id() -> TestResult {
    let server = MockServer::start().await;
    for key_or_id in ["caagilecentral", "12345"] {
        Mock::given(method("GET"))
            .and(path(format!("{API}/elements/{key_or_id}")))
            .and(platform_auth())
            .respond_with(ResponseTemplate::new(200).set_body_json(rally_element()))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client_for(&server);

    let by_key = client
        .elements()
        .get(&Element::key("caagilecentral"))
        .await?;
    let by_id = client.elements().get(&Element::id(12345)).await?;

    assert_eq!(by_key.id, Some(ElementId(12345)));
    assert_eq!(by_id.name.as_deref(), Some("Rally"));
    assert_eq!(by_key.auth_type(), Some("custom"));
    Ok(())
}

#[tokio::test]
async fn configuration_definitions_decode_from_the_fixture() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements/caagilecentral/configuration")))
        .and(platform_auth())
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture!("element-configuration.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);

    let definitions = client
        .elements()
        .configuration(&Element::key("caagilecentral"))
        .await?;

    assert_eq!(definitions.len(), 6);
    let api_key = &definitions[0];
    assert_eq!(api_key.id, Some(75101));
    assert_eq!(api_key.key, "api.key");
    assert_eq!(api_key.name.as_deref(), Some("API Key"));
    assert_eq!(api_key.kind, Some(ConfigType::Password));
    assert_eq!(api_key.required, Some(true));
    assert_eq!(api_key.default_value, None);
    let base_url = &definitions[1];
    assert_eq!(base_url.kind, Some(ConfigType::Textfield128));
    assert_eq!(
        (base_url.internal, base_url.hide_from_console),
        (Some(true), Some(true))
    );
    assert!(base_url.default_value.is_some());
    assert_eq!(definitions[4].kind, Some(ConfigType::Textfield1000));
    assert_eq!(definitions[5].display_order, Some(6));
    assert!(definitions[5].extra.contains_key("resellerConfig"));
    Ok(())
}

#[tokio::test]
async fn metadata_names_auth_type_and_event_methods() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements/14/metadata")))
        .and(platform_auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 14, "key": "dropbox", "authentication": {"type": "oauth2"},
            "events": {"supported": true, "methods": ["webhook"]}
        })))
        .mount(&server)
        .await;
    let client = client_for(&server);

    let metadata = client.elements().metadata(ElementId(14)).await?;

    assert_eq!(metadata.auth_type(), Some("oauth2"));
    assert!(metadata.events_supported());
    assert_eq!(
        metadata.events.map(|e| e.methods),
        Some(vec!["webhook".to_owned()])
    );
    Ok(())
}

#[tokio::test]
async fn the_catalogue_streams_every_page_with_the_token_encoded() -> TestResult {
    let server = MockServer::start().await;
    let token = "eyJwYWdlIjoy+fQ/a==";
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements")))
        .and(query_param("nextPage", token))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 3, "key": "c"}])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements")))
        .and(query_param("pageSize", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Elements-Next-Page-Token", token)
                .set_body_json(json!([{"id": 1, "key": "a"}, {"id": 2, "key": "b"}])),
        )
        .mount(&server)
        .await;
    let client = client_for(&server);

    let query = ListElements::new().page_size(2);
    let elements = collect_bounded(client.elements().stream(query), 10).await?;

    let keys: Vec<_> = elements
        .iter()
        .filter_map(|e| e.key.as_ref())
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys, ["a", "b", "c"]);
    let requests = server.received_requests().await.unwrap_or_default();
    let second = requests
        .get(1)
        .and_then(|r| r.url.query().map(str::to_owned));
    assert_eq!(
        second.as_deref(),
        Some("pageSize=2&nextPage=eyJwYWdlIjoy%2BfQ%2Fa%3D%3D")
    );
    Ok(())
}

#[tokio::test]
async fn a_missing_required_entry_fails_before_sending_with_its_name() -> TestResult {
    let server = MockServer::start().await;
    mount_rally_requirements(&server, 1).await;
    mock_create(&server, 0).await;
    let client = client_for(&server);
    let request = rally_request(Configuration::new().event_notification_enabled(false))?;

    let result = client.instances().create(&request).await;

    let Err(Error::MissingConfiguration(missing)) = result else {
        panic!("expected missing configuration, got {result:?}");
    };
    assert_eq!(missing.keys().collect::<Vec<_>>(), ["api.key"]);
    assert_eq!(missing.entries[0].name.as_deref(), Some("API Key"));
    assert_eq!(
        (missing.status, missing.request_id.as_deref()),
        (None, None)
    );
    assert_eq!(missing.element.as_deref(), Some("caagilecentral"));
    Ok(())
}

#[tokio::test]
async fn definitions_are_fetched_once_per_element() -> TestResult {
    let server = MockServer::start().await;
    mount_rally_requirements(&server, 1).await;
    mock_create(&server, 2).await;
    let client = client_for(&server);
    let request = rally_request(Configuration::new().set_secret("api.key", "k"))?;

    client.instances().create(&request).await?;
    client.clone().instances().create(&request).await?;

    server.verify().await;
    Ok(())
}

#[tokio::test]
async fn with_validation_off_the_platform_names_the_missing_key() -> TestResult {
    let server = MockServer::start().await;
    mount_rally_requirements(&server, 0).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/instances")))
        .and(body_json(
            json!({"element": {"key": "caagilecentral"}, "name": "instance1"}),
        ))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "requestId": "5b0437c6e4b07731ae39b535",
            "message": "Missing required configuration entries: api.key"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = unvalidated_client(&server)?;

    let result = client
        .instances()
        .create(&rally_request(Configuration::new())?)
        .await;

    let Err(Error::MissingConfiguration(missing)) = result else {
        panic!("expected missing configuration, got {result:?}");
    };
    assert_eq!(missing.keys().collect::<Vec<_>>(), ["api.key"]);
    assert_eq!(missing.status, Some(400));
    assert_eq!(
        missing.request_id.as_deref(),
        Some("5b0437c6e4b07731ae39b535")
    );
    assert_eq!(
        missing.message.as_deref(),
        Some("Missing required configuration entries: api.key")
    );
    Ok(())
}

#[tokio::test]
async fn supplied_requirements_need_no_element_call() -> TestResult {
    let server = MockServer::start().await;
    mount_rally_requirements(&server, 0).await;
    mock_create(&server, 1).await;
    let client = client_for(&server);
    let requirements = ElementRequirements::new(vec![
        ConfigDefinition::new("api.key")
            .name("API Key")
            .required(true),
    ]);
    let incomplete = rally_request(Configuration::new())?;
    let complete = rally_request(Configuration::new().set_secret("api.key", "k"))?;

    let refused = client
        .instances()
        .create_validated(&incomplete, &requirements)
        .await;
    let created = client
        .instances()
        .create_validated(&complete, &requirements)
        .await?;

    assert!(matches!(refused, Err(Error::MissingConfiguration(_))));
    assert_eq!(created.id.0, 123456);
    Ok(())
}

#[tokio::test]
async fn an_oauth_element_without_a_code_is_refused_before_sending() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements/dropbox")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 14, "key": "dropbox", "typeOauth": true,
            "configuration": [
                {"key": "oauth.api.key", "name": "OAuth API Key", "required": true},
                {"key": "oauth.user.token", "name": "Token", "required": true}
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    mock_create(&server, 0).await;
    let client = client_for(&server);
    let request = NewInstance::builder(Element::key("dropbox"), "box")
        .configuration(Configuration::new().set_secret("oauth.api.key", "k"))
        .build()?;

    let result = client.instances().create(&request).await;

    let Err(Error::MissingConfiguration(missing)) = result else {
        panic!("expected a missing code, got {result:?}");
    };
    assert_eq!(missing.keys().collect::<Vec<_>>(), ["providerData.code"]);
    Ok(())
}

#[tokio::test]
async fn unavailable_definitions_leave_the_judgement_to_the_platform() -> TestResult {
    let server = MockServer::start().await;
    mock_create(&server, 1).await;
    let client = client_for(&server);

    let created = client
        .instances()
        .create(&rally_request(Configuration::new())?)
        .await?;

    assert_eq!(created.id.0, 123456);
    Ok(())
}

#[tokio::test]
async fn create_for_element_posts_to_the_element_path_without_the_element() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/elements/caagilecentral/instances")))
        .and(platform_auth())
        .and(body_json(
            json!({"name": "instance1", "configuration": {"api.key": "k"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture!("rally-create-response.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = unvalidated_client(&server)?;
    let request = rally_request(Configuration::new().set_secret("api.key", "k"))?;

    let created = client.instances().create_for_element(&request).await?;

    assert_eq!(created.name, "instance1");
    Ok(())
}

#[tokio::test]
async fn another_auth_type_than_the_default_is_sent_without_oauth_entries() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements/multiauth")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 15, "key": "multiauth", "authentication": {"type": "oauth2"},
            "configuration": [
                {"key": "oauth.api.key", "name": "OAuth API Key", "required": true},
                {"key": "oauth.api.secret", "name": "OAuth API Secret", "required": true},
                {"key": "username", "name": "User", "required": true},
                {"key": "password", "name": "Password", "required": true}
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    mock_create(&server, 1).await;
    let configuration = Configuration::new()
        .set("authentication.type", "basic")
        .set("username", "me")
        .set_secret("password", "pw");
    let request = NewInstance::builder(Element::key("multiauth"), "basic")
        .configuration(configuration)
        .build()?;

    let created = client_for(&server).instances().create(&request).await?;

    assert_eq!(created.id.0, 123456);
    Ok(())
}

#[tokio::test]
async fn an_element_the_account_may_not_read_is_asked_for_once() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements/caagilecentral")))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"message": "forbidden"})))
        .expect(1)
        .mount(&server)
        .await;
    mock_create(&server, 3).await;
    let client = client_for(&server);
    let request = rally_request(Configuration::new())?;

    for _ in 0..3 {
        client.instances().create(&request).await?;
    }

    Ok(())
}

#[tokio::test]
async fn a_passing_fault_on_the_element_is_asked_again() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements/caagilecentral")))
        .respond_with(ResponseTemplate::new(503))
        .expect(2)
        .mount(&server)
        .await;
    mock_create(&server, 2).await;
    let client = client_for(&server);
    let request = rally_request(Configuration::new())?;

    for _ in 0..2 {
        client.instances().create(&request).await?;
    }

    Ok(())
}
