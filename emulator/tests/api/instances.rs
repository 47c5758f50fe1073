//! Creating, reading, updating and deleting instances.

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Harness, RALLY_CREATE, TestResult, error_message};

const DOCUMENTED_ANSWER: &str = include_str!("../../../tests/fixtures/rally-create-response.json");

fn is_rfc3339_utc_seconds(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    bytes.len() == 20
        && digits.iter().all(|&index| bytes[index].is_ascii_digit())
        && [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'Z'),
        ]
        .iter()
        .all(|&(index, byte)| bytes[index] == byte)
}

#[tokio::test]
async fn the_documented_rally_request_creates_an_instance() -> TestResult {
    let harness = Harness::start().await?;
    let body: Value = serde_json::from_str(RALLY_CREATE)?;

    let response = harness.call(Method::POST, "/instances", Some(body)).await?;

    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("elements-request-id"));
    let instance: Value = response.json().await?;
    assert!(instance["id"].is_u64());
    assert_eq!(instance["name"], "instance1");
    assert_eq!(instance["configuration"]["api.key"], "********");
    assert_eq!(instance["element"]["key"], "caagilecentral");
    assert_eq!(instance["elementId"], instance["element"]["id"]);
    assert!(is_rfc3339_utc_seconds(
        instance["createdDate"].as_str().unwrap_or_default()
    ));
    Ok(())
}

#[tokio::test]
async fn the_answer_has_every_documented_field_of_the_same_type() -> TestResult {
    let harness = Harness::start().await?;
    let documented: Value = serde_json::from_str(DOCUMENTED_ANSWER)?;

    let instance = harness.create_rally("instance1", &[]).await?;

    let fields = documented
        .as_object()
        .map(|fields| fields.iter())
        .into_iter()
        .flatten();
    for (field, value) in fields {
        let served = &instance[field];
        let same_type = std::mem::discriminant(served) == std::mem::discriminant(value);
        assert!(same_type, "{field}: documented {value}, served {served}");
    }
    for (key, value) in documented["configuration"]
        .as_object()
        .into_iter()
        .flatten()
    {
        assert!(
            instance["configuration"].get(key).is_some(),
            "configuration key {key}"
        );
        if value == "********" {
            assert_eq!(
                instance["configuration"][key], "********",
                "{key} is masked"
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn tokens_are_random_44_character_base64() -> TestResult {
    let harness = Harness::start().await?;

    let first = harness.create_rally("a", &[]).await?;
    let second = harness.create_rally("b", &[]).await?;

    for instance in [&first, &second] {
        let token = instance["token"].as_str().unwrap_or_default();
        assert_eq!(token.len(), 44);
        assert!(
            base64::engine::general_purpose::STANDARD
                .decode(token)
                .is_ok()
        );
    }
    assert_ne!(first["token"], second["token"]);
    assert_ne!(first["id"], second["id"]);
    Ok(())
}

#[tokio::test]
async fn configuration_values_are_stored_as_strings_with_defaults_filled_in() -> TestResult {
    let harness = Harness::start().await?;
    let body = json!({
        "element": {"key": "caagilecentral"},
        "name": "typed",
        "configuration": {"api.key": "k", "event.notification.enabled": true, "pagination.max": 50,
            "event.notification.callback.url": null},
    });

    let instance: Value = harness
        .call(Method::POST, "/instances", Some(body))
        .await?
        .json()
        .await?;

    let configuration = &instance["configuration"];
    assert_eq!(configuration["event.notification.enabled"], "true");
    assert_eq!(configuration["pagination.max"], "50");
    assert_eq!(
        configuration["event.notification.callback.url"],
        Value::Null
    );
    assert_eq!(
        configuration["base.url"],
        "https://rally1.rallydev.com/slm/webservice/v2.0"
    );
    assert_eq!(configuration["filter.response.nulls"], "true");
    assert_eq!(instance["eventsEnabled"], true);
    Ok(())
}

#[tokio::test]
async fn html_is_stripped_from_names_and_provider_data_echoed_only_on_create() -> TestResult {
    let harness = Harness::start().await?;
    let body = json!({
        "element": {"key": "caagilecentral"},
        "name": "<a href=\"x\">churros-xss</a>",
        "configuration": {"api.key": "k"},
        "providerData": {"note": "kept"},
    });

    let created: Value = harness
        .call(Method::POST, "/instances", Some(body))
        .await?
        .json()
        .await?;
    let path = format!("/instances/{}", created["id"]);
    let read: Value = harness.get(&path).await?.json().await?;

    assert_eq!(created["name"], "churros-xss");
    assert_eq!(created["providerData"], json!({"note": "kept"}));
    assert!(read.get("providerData").is_none());
    Ok(())
}

#[tokio::test]
async fn missing_required_configuration_names_every_key() -> TestResult {
    let harness = Harness::start().await?;
    let body =
        json!({"element": {"key": "servicenow"}, "name": "n", "configuration": {"password": "p"}});

    let response = harness.call(Method::POST, "/instances", Some(body)).await?;

    let message = error_message(response, 400).await?;
    assert_eq!(
        message,
        "Missing required configuration entries: username, servicenow.subdomain"
    );
    Ok(())
}

#[tokio::test]
async fn a_rally_create_without_configuration_names_the_api_key() -> TestResult {
    let harness = Harness::start().await?;
    let body = json!({"element": {"key": "caagilecentral"}, "name": "n"});

    let response = harness.call(Method::POST, "/instances", Some(body)).await?;

    assert_eq!(
        error_message(response, 400).await?,
        "Missing required configuration entries: api.key"
    );
    Ok(())
}

#[tokio::test]
async fn a_body_that_is_not_json_is_400() -> TestResult {
    let harness = Harness::start().await?;

    let response = harness
        .client
        .post(harness.url("/instances"))
        .header("authorization", harness.platform_auth())
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await?;

    error_message(response, 400).await?;
    Ok(())
}

#[tokio::test]
async fn a_body_without_element_is_400() -> TestResult {
    let harness = Harness::start().await?;
    let body = json!({"name": "instance1", "configuration": {"api.key": "k"}});

    let response = harness.call(Method::POST, "/instances", Some(body)).await?;

    assert!(error_message(response, 400).await?.contains("element"));
    Ok(())
}

#[tokio::test]
async fn an_unknown_element_in_the_body_is_400_and_an_empty_name_too() -> TestResult {
    let harness = Harness::start().await?;
    let unknown = json!({"element": {"key": "nope"}, "name": "n"});
    let unnamed = json!({
        "element": {"key": "caagilecentral"}, "name": " ", "configuration": {"api.key": "k"}
    });

    let unknown = harness
        .call(Method::POST, "/instances", Some(unknown))
        .await?;
    let unnamed = harness
        .call(Method::POST, "/instances", Some(unnamed))
        .await?;

    error_message(unknown, 400).await?;
    error_message(unnamed, 400).await?;
    Ok(())
}

#[tokio::test]
async fn creating_under_the_element_path_needs_no_element_in_the_body() -> TestResult {
    let harness = Harness::start().await?;
    let body = json!({"name": "by-path", "configuration": {"api.key": "k"}});

    let response = harness
        .call(
            Method::POST,
            "/elements/caagilecentral/instances",
            Some(body),
        )
        .await?;

    assert_eq!(response.status(), 200);
    let instance: Value = response.json().await?;
    let listed: Value = harness
        .get("/elements/caagilecentral/instances")
        .await?
        .json()
        .await?;
    assert_eq!(listed[0]["id"], instance["id"]);
    Ok(())
}

#[tokio::test]
async fn put_replaces_name_and_tags_and_merges_configuration() -> TestResult {
    let harness = Harness::start().await?;
    let created = harness.create_rally("before", &["old"]).await?;
    let path = format!("/instances/{}", created["id"]);
    let body = json!({"name": "after", "configuration": {"event.notification.enabled": "true"}});

    let updated: Value = harness
        .call(Method::PUT, &path, Some(body))
        .await?
        .json()
        .await?;

    assert_eq!(updated["id"], created["id"]);
    assert_eq!(updated["token"], created["token"]);
    assert_eq!(updated["name"], "after");
    assert_eq!(updated["tags"], json!([]));
    assert_eq!(updated["configuration"]["api.key"], "********");
    assert_eq!(
        updated["configuration"]["event.notification.enabled"],
        "true"
    );
    Ok(())
}

#[tokio::test]
async fn putting_back_a_get_result_keeps_the_secret() -> TestResult {
    let harness = Harness::start().await?;
    let created = harness.create_rally("same", &["t"]).await?;
    let path = format!("/instances/{}", created["id"]);
    let read: Value = harness.get(&path).await?.json().await?;

    let response = harness.call(Method::PUT, &path, Some(read)).await?;

    assert_eq!(response.status(), 200);
    let updated: Value = response.json().await?;
    assert_eq!(updated["tags"], json!(["t"]));
    Ok(())
}

#[tokio::test]
async fn patch_changes_only_what_it_names() -> TestResult {
    let harness = Harness::start().await?;
    let created = harness.create_rally("kept", &["a", "b"]).await?;
    let path = format!("/instances/{}", created["id"]);

    let patched: Value = harness
        .call(Method::PATCH, &path, Some(json!({"tags": ["c"]})))
        .await?
        .json()
        .await?;

    assert_eq!(patched["name"], "kept");
    assert_eq!(patched["tags"], json!(["c"]));
    assert!(patched.get("providerData").is_none());
    Ok(())
}

#[tokio::test]
async fn delete_answers_200_and_the_instance_is_gone() -> TestResult {
    let harness = Harness::start().await?;
    let created = harness.create_rally("doomed", &[]).await?;
    let path = format!("/instances/{}", created["id"]);

    let deleted = harness.call(Method::DELETE, &path, None).await?;
    let read = harness.get(&path).await?;

    assert_eq!(deleted.status(), 200);
    assert_eq!(deleted.text().await?, "");
    let message = error_message(read, 404).await?;
    assert_eq!(
        message,
        format!("No instance found with ID {}", created["id"])
    );
    assert_eq!(harness.emulator.instance_count(), 0);
    Ok(())
}

#[tokio::test]
async fn unknown_ids_and_routes_are_404_with_the_error_body() -> TestResult {
    let harness = Harness::start().await?;

    let unknown_id = harness
        .call(Method::PATCH, "/instances/999", Some(json!({})))
        .await?;
    let unknown_route = harness.get("/no/such/route").await?;

    assert_eq!(
        error_message(unknown_id, 404).await?,
        "No instance found with ID 999"
    );
    error_message(unknown_route, 404).await?;
    Ok(())
}

#[tokio::test]
async fn a_wrong_method_on_a_known_route_is_405_with_the_error_body() -> TestResult {
    let harness = Harness::start().await?;

    let response = harness.call(Method::DELETE, "/instances", None).await?;

    error_message(response, 405).await?;
    Ok(())
}

#[tokio::test]
async fn an_instance_under_another_element_path_is_404() -> TestResult {
    let harness = Harness::start().await?;
    let created = harness.create_rally("rally", &[]).await?;

    let response = harness
        .get(&format!("/elements/dropbox/instances/{}", created["id"]))
        .await?;

    error_message(response, 404).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_get_unique_ids_and_tokens() -> TestResult {
    let harness = Harness::start().await?;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..24 {
        let request = harness
            .client
            .post(harness.url("/instances"))
            .header("authorization", harness.platform_auth())
            .json(
                &json!({"element": {"key": "caagilecentral"}, "name": format!("concurrent-{n}"),
                "configuration": {"api.key": "k"}}),
            );
        tasks.spawn(async move { request.send().await?.json::<Value>().await });
    }

    let mut ids = Vec::new();
    let mut tokens = Vec::new();
    while let Some(created) = tasks.join_next().await {
        let created = created??;
        ids.extend(created["id"].as_u64());
        tokens.extend(created["token"].as_str().map(str::to_owned));
    }

    ids.sort_unstable();
    ids.dedup();
    tokens.sort_unstable();
    tokens.dedup();
    assert_eq!((ids.len(), tokens.len()), (24, 24));
    assert_eq!(harness.emulator.instance_count(), 24);
    assert_eq!(
        harness.emulator.instances_created_with_name("concurrent-3"),
        1
    );
    Ok(())
}
