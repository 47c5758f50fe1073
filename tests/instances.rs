//! The instance API on the wire: method, path, `Authorization`, query and body of every call,
//! and the values decoded from the platform's documented answers.

mod common;

use std::error::Error as StdError;

use open_connectors::{
    Configuration, Element, EventVendorType, InstanceId, InstancePatch, ListInstances, NewInstance,
    RetryPolicy,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::wire::{self, API, exact_query, instance_path, platform_auth};
use common::{client_for, collect_bounded};

type TestResult = Result<(), Box<dyn StdError>>;

const RALLY_ID: u64 = 123_456;
const RALLY_TOKEN: &str = "Q2hhbmdlTWVJbkFQcm9qZWN0T2ZZb3Vyc0FuZFRvbz0=";

fn rally_request() -> Result<NewInstance, open_connectors::Error> {
    NewInstance::builder(Element::key("caagilecentral"), "instance1")
        .configuration(Configuration::new().set_secret("api.key", "rally-api-key-placeholder"))
        .build()
}

fn fixture_json(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

#[tokio::test]
async fn create_checks_the_element_then_posts_the_documented_rally_body() -> TestResult {
    let server = MockServer::start().await;
    wire::mount_rally_requirements(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/instances")))
        .and(platform_auth())
        .and(header("content-type", "application/json"))
        .and(exact_query([]))
        .and(body_json(fixture_json(fixture!(
            "rally-create-request.json"
        ))?))
        .respond_with(wire::json(200, fixture!("rally-create-response.json")))
        .expect(1)
        .mount(&server)
        .await;

    let instance = client_for(&server)
        .instances()
        .create(&rally_request()?)
        .await?;

    assert_eq!(instance.id, InstanceId(RALLY_ID));
    assert_eq!(instance.name, "instance1");
    Ok(())
}

#[tokio::test]
async fn create_decodes_the_documented_rally_answer() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(wire::json(200, fixture!("rally-create-response.json")))
        .mount(&server)
        .await;

    let instance = common::unvalidated_client(&server)?
        .instances()
        .create(&rally_request()?)
        .await?;

    let token = instance
        .token
        .as_ref()
        .ok_or("the answer carries a token")?;
    assert_eq!(token.expose_secret(), RALLY_TOKEN);
    assert_eq!(
        instance.created_date.as_deref(),
        Some("2019-09-20T10:40:37Z")
    );
    assert_eq!(instance.element_id.map(|id| id.0), Some(12345));
    assert_eq!(instance.valid, Some(true));
    assert_eq!(instance.disabled, Some(false));
    assert_eq!(instance.authentication_type.as_deref(), Some("custom"));
    assert_eq!(instance.external_authentication.as_deref(), Some("none"));
    assert_eq!(instance.account_id, Some(54321));
    assert_eq!(instance.organization_id, Some(4321));
    assert_eq!(instance.user.as_ref().and_then(|u| u.id), Some(65432));
    assert!(instance.tags.is_empty());
    Ok(())
}

#[tokio::test]
async fn create_answer_configuration_reads_through_the_accessors() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(wire::json(200, fixture!("rally-create-response.json")))
        .mount(&server)
        .await;

    let instance = common::unvalidated_client(&server)?
        .instances()
        .create(&rally_request()?)
        .await?;
    let configuration = &instance.configuration;

    assert_eq!(
        configuration.event_vendor_type(),
        Some(EventVendorType::Webhook)
    );
    assert_eq!(configuration.event_notification_enabled(), Some(false));
    assert!(configuration.is_masked("api.key"));
    assert_eq!(configuration.get_str("api.key"), None);
    assert_eq!(configuration.event_notification_callback_url(), None);
    assert_eq!(configuration.raw("bulk.relations"), Some(None));
    assert_eq!(configuration.raw("not.a.key"), None);
    assert_eq!(
        configuration.get_str("pagination.max").as_deref(),
        Some("200")
    );
    assert_eq!(configuration.len(), 19);
    Ok(())
}

#[tokio::test]
async fn get_reads_one_instance_by_id() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(instance_path(RALLY_ID)))
        .and(platform_auth())
        .and(exact_query([]))
        .respond_with(wire::json(200, fixture!("rally-create-response.json")))
        .expect(1)
        .mount(&server)
        .await;

    let instance = client_for(&server)
        .instances()
        .get(InstanceId(RALLY_ID))
        .await?;

    assert_eq!(instance.id, InstanceId(RALLY_ID));
    assert_eq!(instance.name, "instance1");
    Ok(())
}

#[tokio::test]
async fn list_sends_no_query_and_decodes_every_item() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/instances")))
        .and(platform_auth())
        .and(exact_query([]))
        .respond_with(wire::json(200, fixture!("box-list-response.json")))
        .expect(1)
        .mount(&server)
        .await;

    let page = client_for(&server).instances().list().await?;

    let ids: Vec<u64> = page.items.iter().map(|i| i.id.0).collect();
    assert_eq!(ids, [4014, 2535]);
    assert_eq!(page.next_page, None);
    Ok(())
}

#[tokio::test]
async fn list_page_sends_repeated_tags_search_text_page_size_and_cursor() -> TestResult {
    let server = MockServer::start().await;
    let query = exact_query([
        ("tags[]", "QA"),
        ("tags[]", "Starter"),
        ("searchText", "QA Box"),
        ("pageSize", "2"),
        ("nextPage", "eyJwYWdlIjoyfQ=="),
    ]);
    Mock::given(method("GET"))
        .and(path(format!("{API}/instances")))
        .and(platform_auth())
        .and(query)
        .respond_with(
            wire::json(200, fixture!("box-list-response.json"))
                .insert_header("Elements-Next-Page-Token", "eyJwYWdlIjozfQ==")
                .insert_header("Elements-Returned-Count", "2")
                .insert_header("Elements-Total-Count", "7"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let request = ListInstances::new()
        .tag("QA")
        .tag("Starter")
        .search_text("QA Box")
        .page_size(2)
        .next_page(Some("eyJwYWdlIjoyfQ==".to_owned()));

    let page = client_for(&server).instances().list_page(&request).await?;

    assert_eq!(page.items.len(), 2);
    assert_eq!(page.next_page.as_deref(), Some("eyJwYWdlIjozfQ=="));
    assert_eq!(page.returned_count, Some(2));
    assert_eq!(page.total_count, Some(7));
    Ok(())
}

#[tokio::test]
async fn a_search_that_matches_nothing_is_an_empty_page() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/instances")))
        .and(exact_query([("tags[]", "nobody")]))
        .respond_with(wire::json(404, fixture!("error-404.json")))
        .expect(1)
        .mount(&server)
        .await;

    let query = ListInstances::new().tag("nobody");
    let page = client_for(&server).instances().list_page(&query).await?;

    assert!(page.items.is_empty());
    assert!(!page.has_next());
    Ok(())
}

#[tokio::test]
async fn update_puts_the_whole_request_body() -> TestResult {
    let server = MockServer::start().await;
    let expected = json!({
        "element": {"key": "caagilecentral"},
        "name": "renamed",
        "configuration": {
            "api.key": "rally-api-key-placeholder",
            "event.notification.enabled": false
        },
        "tags": ["rally", "production"]
    });
    Mock::given(method("PUT"))
        .and(path(instance_path(RALLY_ID)))
        .and(platform_auth())
        .and(body_json(expected))
        .respond_with(wire::json(200, fixture!("rally-create-response.json")))
        .expect(1)
        .mount(&server)
        .await;
    let configuration = Configuration::new()
        .set_secret("api.key", "rally-api-key-placeholder")
        .event_notification_enabled(false);
    let request = NewInstance::builder(Element::key("caagilecentral"), "renamed")
        .configuration(configuration)
        .tags(["rally", "production"])
        .build()?;

    let instance = client_for(&server)
        .instances()
        .update(InstanceId(RALLY_ID), &request)
        .await?;

    assert_eq!(instance.id, InstanceId(RALLY_ID));
    Ok(())
}

#[tokio::test]
async fn patch_sends_only_name_tags_and_configuration() -> TestResult {
    let server = MockServer::start().await;
    let expected = json!({
        "name": "renamed",
        "tags": ["rally", "production"],
        "configuration": {"event.notification.callback.url": "https://app.example.com/events"}
    });
    let answer = json!({"id": RALLY_ID, "name": "renamed", "tags": ["rally", "production"]});
    Mock::given(method("PATCH"))
        .and(path(instance_path(RALLY_ID)))
        .and(platform_auth())
        .and(body_json(expected))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(&server)
        .await;
    let callback = "https://app.example.com/events".parse()?;
    let patch = InstancePatch::new()
        .name("renamed")
        .tags(["rally", "production"])
        .configuration(Configuration::new().event_notification_callback_url(callback))
        .build()?;

    let instance = client_for(&server)
        .instances()
        .patch(InstanceId(RALLY_ID), &patch)
        .await?;

    assert_eq!(instance.name, "renamed");
    assert_eq!(
        instance.tag_names().collect::<Vec<_>>(),
        ["rally", "production"]
    );
    Ok(())
}

#[tokio::test]
async fn patch_with_only_a_name_sends_only_the_name() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(instance_path(RALLY_ID)))
        .and(body_json(json!({"name": "renamed"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": RALLY_ID})))
        .expect(1)
        .mount(&server)
        .await;

    let patch = InstancePatch::new().name("renamed").build()?;
    client_for(&server)
        .instances()
        .patch(InstanceId(RALLY_ID), &patch)
        .await?;

    Ok(())
}

#[tokio::test]
async fn delete_sends_no_body_and_platform_auth_only() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(instance_path(RALLY_ID)))
        .and(platform_auth())
        .and(exact_query([]))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;

    client_for(&server)
        .instances()
        .delete(InstanceId(RALLY_ID))
        .await?;

    let requests = server.received_requests().await.ok_or("recording is on")?;
    assert!(requests[0].body.is_empty());
    assert!(requests[0].headers.get("content-type").is_none());
    Ok(())
}

#[tokio::test]
async fn stream_follows_the_next_page_token_until_it_is_missing() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/instances")))
        .and(platform_auth())
        .and(exact_query([("tags[]", "QA"), ("pageSize", "2")]))
        .respond_with(
            wire::json(200, fixture!("box-list-response.json"))
                .insert_header("Elements-Next-Page-Token", "cGFnZTI="),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/instances")))
        .and(platform_auth())
        .and(exact_query([
            ("tags[]", "QA"),
            ("pageSize", "2"),
            ("nextPage", "cGFnZTI="),
        ]))
        .respond_with(wire::json(200, r#"[{"id": 1}]"#))
        .expect(1)
        .mount(&server)
        .await;
    let query = ListInstances::new().tag("QA").page_size(2);

    let instances = collect_bounded(client_for(&server).instances().stream(query), 10).await?;

    let ids: Vec<u64> = instances.iter().map(|i| i.id.0).collect();
    assert_eq!(ids, [4014, 2535, 1]);
    Ok(())
}

#[tokio::test]
async fn list_page_sends_hydrate() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/instances")))
        .and(exact_query([("hydrate", "false")]))
        .respond_with(wire::json(200, "[]"))
        .expect(1)
        .mount(&server)
        .await;

    let query = ListInstances::new().hydrate(false);
    let page = client_for(&server).instances().list_page(&query).await?;

    assert!(page.items.is_empty());
    Ok(())
}

#[tokio::test]
async fn create_is_sent_once_even_when_retries_are_on() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/instances")))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let client = common::unvalidated_client(&server)?.with_retry_policy(RetryPolicy::default());

    let result = client.instances().create(&rally_request()?).await;

    assert_eq!(result.err().and_then(|e| e.status()), Some(503));
    Ok(())
}

#[tokio::test]
async fn an_unbuilt_patch_is_checked_before_sending() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": RALLY_ID})))
        .expect(0)
        .mount(&server)
        .await;
    let masked =
        InstancePatch::new().configuration(Configuration::new().set("api.key", "********"));
    let unnamed = InstancePatch::new().name(" ");
    let client = client_for(&server);

    let results = [
        client
            .instances()
            .patch(InstanceId(RALLY_ID), &masked)
            .await,
        client
            .instances()
            .patch(InstanceId(RALLY_ID), &unnamed)
            .await,
    ];

    for result in results {
        let err = result.expect_err("refused before sending");
        assert!(
            matches!(err, open_connectors::Error::InvalidInput(_)),
            "{err:?}"
        );
    }
    Ok(())
}
