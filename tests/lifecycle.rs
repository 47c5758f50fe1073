//! The rest of an instance's life against a mock platform: listing and search, pagination,
//! configuration entries, enabling and disabling, trace logging.

mod common;

use common::wire::{API, platform_auth};
use common::{client_for, collect_bounded};
use open_connectors::{ConfigEntryId, ConfigType, Error, InstanceId, ListInstances};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn queries(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap_or_default();
    let query = |r: &Request| r.url.query().unwrap_or_default().to_owned();
    requests.iter().map(query).collect()
}

fn instances(ids: &[u64]) -> serde_json::Value {
    ids.iter()
        .map(|id| json!({"id": id, "name": format!("i{id}")}))
        .collect()
}

#[tokio::test]
async fn tags_and_search_text_are_encoded_as_the_platform_expects() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/instances")))
        .and(platform_auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(instances(&[1])))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let query = ListInstances::new()
        .tag("team a")
        .tag("rally&co")
        .search_text("box 1");

    let page = client.instances().list_page(&query).await?;

    assert_eq!(page.items.len(), 1);
    assert_eq!(
        queries(&server).await,
        ["tags%5B%5D=team+a&tags%5B%5D=rally%26co&searchText=box+1"]
    );
    Ok(())
}

#[tokio::test]
async fn a_search_that_matches_nothing_is_empty_not_an_error() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/instances")))
        .respond_with(ResponseTemplate::new(404).set_body_string(fixture!("error-404.json")))
        .mount(&server)
        .await;
    let client = client_for(&server);

    let by_tag = client
        .instances()
        .list_page(&ListInstances::new().tag("none"))
        .await?;
    let by_text = client
        .instances()
        .list_page(&ListInstances::new().search_text("zz"))
        .await?;
    let unfiltered = client.instances().list().await;

    assert!(by_tag.items.is_empty() && !by_tag.has_next());
    assert!(by_text.items.is_empty());
    assert!(unfiltered.is_err_and(|e| e.is_not_found()));
    Ok(())
}

#[tokio::test]
async fn pages_are_followed_with_opaque_tokens_until_the_header_is_absent() -> TestResult {
    let server = MockServer::start().await;
    let (first, second) = ("eyJvIjoyfQ+/A==", "b+c/d=");
    let page = |ids: &[u64], next: Option<&str>| {
        let mut answer = ResponseTemplate::new(200).set_body_json(instances(ids));
        if let Some(next) = next {
            answer = answer.insert_header("Elements-Next-Page-Token", next);
        }
        answer
    };
    for (token, ids, next) in [(first, &[3u64, 4][..], Some(second)), (second, &[5], None)] {
        Mock::given(method("GET"))
            .and(query_param("nextPage", token))
            .respond_with(page(ids, next))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(format!("{API}/instances")))
        .and(query_param_is_missing("nextPage"))
        .respond_with(page(&[1, 2], Some(first)))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);

    let query = ListInstances::new().tag("t").page_size(2);
    let all = collect_bounded(client.instances().stream(query), 10).await?;

    let ids: Vec<u64> = all.iter().map(|i| i.id.0).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    assert_eq!(
        queries(&server).await,
        [
            "tags%5B%5D=t&pageSize=2",
            "tags%5B%5D=t&pageSize=2&nextPage=eyJvIjoyfQ%2B%2FA%3D%3D",
            "tags%5B%5D=t&pageSize=2&nextPage=b%2Bc%2Fd%3D",
        ]
    );
    Ok(())
}

#[tokio::test]
async fn a_repeated_page_token_stops_the_stream_with_an_error() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/instances")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Elements-Next-Page-Token", "same")
                .set_body_json(instances(&[1])),
        )
        .mount(&server)
        .await;
    let client = client_for(&server);

    // Without the guard the stream would repeat the page forever; ten items end it.
    let result = collect_bounded(client.instances().stream(ListInstances::new()), 10).await;

    assert!(matches!(result, Err(Error::RepeatedPageToken)));
    assert_eq!(queries(&server).await.len(), 2);
    Ok(())
}

#[tokio::test]
async fn configuration_entries_decode_from_the_fixture() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/instances/123456/configuration")))
        .and(platform_auth())
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture!("instance-configuration.json")),
        )
        .mount(&server)
        .await;
    let client = client_for(&server);

    let entries = client.instances().configuration(InstanceId(123456)).await?;

    assert_eq!(entries.len(), 3);
    assert_eq!(
        (entries[0].id, entries[0].key.as_str()),
        (ConfigEntryId(9001), "api.key")
    );
    assert!(entries[0].is_masked());
    assert_eq!(entries[0].kind, Some(ConfigType::Password));
    assert_eq!(entries[1].as_bool(), Some(false));
    assert_eq!(entries[1].name.as_deref(), Some("Events Enabled"));
    assert_eq!(entries[2].property_value, None);
    assert_eq!(entries[2].required, Some(false));
    Ok(())
}

#[tokio::test]
async fn one_entry_is_read_and_updated_by_its_id() -> TestResult {
    let server = MockServer::start().await;
    let entry = json!({"id": 9002, "key": "event.notification.enabled", "propertyValue": "true"});
    Mock::given(method("GET"))
        .and(path(format!("{API}/instances/7/configuration/9002")))
        .respond_with(ResponseTemplate::new(200).set_body_json(&entry))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("{API}/instances/7/configuration/9002")))
        .and(platform_auth())
        .and(body_json(json!({"propertyValue": "true"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(&entry))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let (id, entry_id) = (InstanceId(7), ConfigEntryId(9002));

    let read = client.instances().configuration_entry(id, entry_id).await?;
    let updated = client
        .instances()
        .update_configuration_entry(id, entry_id, true)
        .await?;

    assert_eq!(read.key, "event.notification.enabled");
    assert_eq!(updated.as_bool(), Some(true));
    Ok(())
}

#[tokio::test]
async fn a_masked_value_is_never_written_back() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let (id, entry) = (InstanceId(7), ConfigEntryId(9001));
    let masked_secret = SecretString::from("********".to_owned());

    let plain = client
        .instances()
        .update_configuration_entry(id, entry, "********")
        .await;
    let secret = client
        .instances()
        .update_configuration_entry(id, entry, masked_secret)
        .await;

    assert!(matches!(plain, Err(Error::InvalidInput(_))));
    assert!(matches!(secret, Err(Error::InvalidInput(_))));
    Ok(())
}

#[tokio::test]
async fn instances_are_enabled_and_disabled() -> TestResult {
    let server = MockServer::start().await;
    for verb in ["PUT", "DELETE"] {
        Mock::given(method(verb))
            .and(path(format!("{API}/instances/7/enabled")))
            .and(platform_auth())
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client_for(&server);

    client.instances().disable(InstanceId(7)).await?;
    client.instances().enable(InstanceId(7)).await?;

    server.verify().await;
    Ok(())
}

#[tokio::test]
async fn trace_logging_is_switched_with_an_optional_duration() -> TestResult {
    let server = MockServer::start().await;
    for verb in ["PUT", "DELETE"] {
        Mock::given(method(verb))
            .and(path(format!("{API}/instances/7/trace-logging")))
            .and(platform_auth())
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
    }
    let client = client_for(&server);

    client
        .instances()
        .enable_trace_logging(InstanceId(7), Some(30))
        .await?;
    client
        .instances()
        .enable_trace_logging(InstanceId(7), None)
        .await?;
    client
        .instances()
        .disable_trace_logging(InstanceId(7))
        .await?;

    let requests = server.received_requests().await.unwrap_or_default();
    let sent: Vec<_> = requests
        .iter()
        .map(|r| {
            (
                r.method.to_string(),
                String::from_utf8_lossy(&r.body).into_owned(),
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            ("PUT".to_owned(), r#"{"duration":30}"#.to_owned()),
            ("PUT".to_owned(), String::new()),
            ("DELETE".to_owned(), String::new()),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn an_unknown_instance_is_not_found() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!("{API}/instances/99/enabled")))
        .respond_with(ResponseTemplate::new(404).set_body_string(fixture!("error-404.json")))
        .mount(&server)
        .await;
    let client = client_for(&server);

    let result = client.instances().enable(InstanceId(99)).await;

    assert!(result.is_err_and(|e| e.is_not_found()));
    Ok(())
}
