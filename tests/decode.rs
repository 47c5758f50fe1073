//! Decoding the platform's answers through the public API: every documented instance and error
//! fixture, and the documented variations (string or object tags, string or typed
//! configuration values, nulls, missing and unknown fields).

mod common;

use std::error::Error as StdError;

use open_connectors::{
    ApiErrorKind, Element, Error, EventVendorType, Instance, InstanceId, NewInstance, Page,
    ProviderData,
};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{client_for, wire};

type TestResult = Result<(), Box<dyn StdError>>;

/// Serves `body` with `status` to every request and reads instance 1 through the SDK.
async fn get_instance(status: u16, body: &str) -> Result<Instance, Error> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(wire::json(status, body))
        .mount(&server)
        .await;
    client_for(&server).instances().get(InstanceId(1)).await
}

/// Serves `body` to every request and lists instances through the SDK.
async fn list_instances(body: &str) -> Result<Page<Instance>, Error> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(wire::json(200, body))
        .mount(&server)
        .await;
    client_for(&server).instances().list().await
}

#[tokio::test]
async fn rally_answer_keeps_what_is_not_modelled_in_extra() -> TestResult {
    let instance = get_instance(200, fixture!("rally-create-response.json")).await?;

    assert!(
        instance.element.is_some(),
        "an empty element object is kept"
    );
    assert_eq!(instance.element_key(), None);
    for key in [
        "userId",
        "provisionInteractions",
        "maxCacheSize",
        "cacheTimeToLive",
    ] {
        assert!(instance.extra.contains_key(key), "{key} missing from extra");
    }
    assert_eq!(instance.extra.get("userId"), Some(&json!(65432)));
    assert!(
        !instance.extra.contains_key("token"),
        "modelled fields stay out of extra"
    );
    Ok(())
}

#[tokio::test]
async fn dropbox_oauth_answer_decodes_element_provider_data_and_configuration() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(wire::json(200, fixture!("dropbox-create-response.json")))
        .mount(&server)
        .await;
    let request = NewInstance::builder(Element::key("dropbox"), "my_first_instance")
        .provider_data(ProviderData::code("code-from-the-return-url"))
        .build()?;

    let instance = common::unvalidated_client(&server)?
        .instances()
        .create(&request)
        .await?;

    assert_eq!(instance.id, InstanceId(27));
    let token = instance.token.as_ref().ok_or("token")?;
    assert_eq!(
        token.expose_secret(),
        "BUIWhN8NTPaeyYo7Kblo91CJ1tCG6PUonwnV/XJjy2A="
    );
    assert_eq!(instance.tag_names().collect::<Vec<_>>(), ["my_first_tag"]);
    assert_eq!(instance.valid, Some(true));
    assert_eq!(instance.disabled, Some(false));
    assert_eq!(instance.created_date, None);
    assert_eq!(instance.element_id, None);
    let provider = instance.provider_data.as_ref().ok_or("provider data")?;
    assert_eq!(
        provider.get("code"),
        Some(&json!("code-from-the-return-url"))
    );
    assert!(instance.extra.contains_key("provisionInteractions"));
    Ok(())
}

#[tokio::test]
async fn dropbox_embedded_element_is_tolerant() -> TestResult {
    let instance = get_instance(200, fixture!("dropbox-create-response.json")).await?;

    let element = instance.element.as_ref().ok_or("element")?;
    assert_eq!(element.id.map(|id| id.0), Some(14));
    assert_eq!(instance.element_key(), Some("dropbox"));
    assert_eq!(element.name.as_deref(), Some("Dropbox"));
    assert_eq!(element.type_oauth, Some(true));
    assert_eq!(element.trial_account, Some(false));
    assert_eq!(
        element.element_provision_type.as_deref(),
        Some("OAUTH_TEMPLATE")
    );
    assert!(element.extra.contains_key("signupURL"));
    assert!(element.extra.contains_key("configDescription"));
    Ok(())
}

#[tokio::test]
async fn dropbox_configuration_reads_strings_masks_and_nulls() -> TestResult {
    let instance = get_instance(200, fixture!("dropbox-create-response.json")).await?;
    let configuration = &instance.configuration;

    assert_eq!(configuration.get_bool("document.tagging"), Some(false));
    assert_eq!(configuration.event_notification_enabled(), Some(false));
    assert!(configuration.is_masked("oauth.api.key"));
    assert!(configuration.is_masked("oauth.api.secret"));
    assert_eq!(configuration.get_str("oauth.api.secret"), None);
    assert_eq!(
        configuration.get_str("oauth.callback.url").as_deref(),
        Some("https://app.example.com/oauth/callback")
    );
    assert_eq!(
        configuration.raw("event.notification.callback.url"),
        Some(None)
    );
    assert_eq!(configuration.event_notification_callback_url(), None);
    Ok(())
}

#[tokio::test]
async fn box_list_decodes_a_sparse_and_a_full_instance() -> TestResult {
    let page = list_instances(fixture!("box-list-response.json")).await?;

    let [sparse, full] = page.items.as_slice() else {
        return Err(format!("expected two instances, got {}", page.items.len()).into());
    };
    assert_eq!(sparse.valid, Some(false));
    assert_eq!(
        sparse.tag_names().collect::<Vec<_>>(),
        ["QA", "QA Box", "Starter"]
    );
    assert!(sparse.configuration.is_empty());
    assert_eq!(sparse.created_date, None);
    assert!(sparse.user.is_none());
    assert_eq!(sparse.caching_enabled, Some(false));
    assert_eq!(full.element_id.map(|id| id.0), Some(29));
    assert_eq!(full.events_enabled, Some(true));
    assert_eq!(full.trace_logging_enabled, Some(false));
    assert_eq!(full.created_date.as_deref(), Some("2018-03-01T09:15:00Z"));
    Ok(())
}

#[tokio::test]
async fn box_list_polling_configuration_and_user() -> TestResult {
    let page = list_instances(fixture!("box-list-response.json")).await?;
    let full = page.items.get(1).ok_or("second instance")?;
    let configuration = &full.configuration;

    assert_eq!(
        configuration.event_vendor_type(),
        Some(EventVendorType::Polling)
    );
    assert_eq!(configuration.event_poller_refresh_interval(), Some(15));
    assert_eq!(configuration.filter_response_nulls(), Some(true));
    assert_eq!(
        configuration.event_notification_callback_url().as_deref(),
        Some("https://app.example.com/events")
    );
    let poller = configuration
        .get_str("event.poller.configuration")
        .ok_or("poller configuration")?;
    let poller: Value = serde_json::from_str(&poller)?;
    assert_eq!(poller["contacts"]["idField"], "id");
    let user = full.user.as_ref().ok_or("user")?;
    assert_eq!(user.id, Some(1001));
    assert_eq!(user.email_address.as_deref(), Some("ops@example.com"));
    assert_eq!(user.first_name.as_deref(), Some("Ops"));
    assert_eq!(user.last_name.as_deref(), Some("Team"));
    Ok(())
}

#[tokio::test]
async fn tags_decode_as_strings_and_as_id_name_objects() -> TestResult {
    let body = json!({
        "id": 5,
        "tags": [{"id": 12, "name": "my_first_tag"}, "plain", {"id": "13", "name": "quoted id"}]
    });

    let instance = get_instance(200, &body.to_string()).await?;

    let tags: Vec<(&str, Option<u64>)> = instance.tags.iter().map(|t| (t.name(), t.id)).collect();
    assert_eq!(
        tags,
        [
            ("my_first_tag", Some(12)),
            ("plain", None),
            ("quoted id", Some(13))
        ]
    );
    Ok(())
}

#[tokio::test]
async fn configuration_values_may_be_strings_booleans_numbers_or_null() -> TestResult {
    let body = json!({
        "id": 5,
        "configuration": {
            "event.notification.enabled": true,
            "filter.response.nulls": "false",
            "event.poller.refresh_interval": 30,
            "event.vendor.type": "webhook",
            "event.notification.callback.url": null,
            "event.poller.configuration": {"contacts": {"idField": "id"}}
        }
    });

    let instance = get_instance(200, &body.to_string()).await?;
    let configuration = &instance.configuration;

    assert_eq!(configuration.event_notification_enabled(), Some(true));
    assert_eq!(configuration.filter_response_nulls(), Some(false));
    assert_eq!(configuration.event_poller_refresh_interval(), Some(30));
    assert_eq!(
        configuration
            .get_str("event.poller.refresh_interval")
            .as_deref(),
        Some("30")
    );
    assert_eq!(
        configuration
            .get_str("event.notification.enabled")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        configuration.event_vendor_type(),
        Some(EventVendorType::Webhook)
    );
    assert_eq!(
        configuration.raw("event.notification.callback.url"),
        Some(None)
    );
    assert_eq!(
        configuration.raw("event.poller.configuration"),
        Some(Some(&json!({"contacts": {"idField": "id"}})))
    );
    Ok(())
}

#[tokio::test]
async fn an_instance_with_only_an_id_decodes_with_defaults() -> TestResult {
    let instance = get_instance(200, r#"{"id": 9}"#).await?;

    assert_eq!(instance.id, InstanceId(9));
    assert_eq!(instance.name, "");
    assert!(instance.token.is_none());
    assert!(instance.element.is_none());
    assert!(instance.tags.is_empty());
    assert!(instance.configuration.is_empty());
    assert_eq!(instance.valid, None);
    assert_eq!(instance.created_date, None);
    assert!(instance.provider_data.is_none());
    assert!(instance.extra.is_empty());
    Ok(())
}

#[tokio::test]
async fn nulls_read_as_absent_and_strings_as_numbers_and_booleans() -> TestResult {
    let body = json!({
        "id": "9", "name": null, "token": null, "element": null, "elementId": "29",
        "tags": null, "configuration": null, "valid": "false", "disabled": null,
        "user": null, "accountId": "54321", "createdDate": null
    });

    let instance = get_instance(200, &body.to_string()).await?;

    assert_eq!(instance.id, InstanceId(9));
    assert_eq!(instance.name, "");
    assert!(instance.token.is_none());
    assert!(instance.element.is_none());
    assert_eq!(instance.element_id.map(|id| id.0), Some(29));
    assert!(instance.tags.is_empty());
    assert!(instance.configuration.is_empty());
    assert_eq!(instance.valid, Some(false));
    assert_eq!(instance.disabled, None);
    assert_eq!(instance.account_id, Some(54321));
    assert_eq!(instance.created_date, None);
    Ok(())
}

#[tokio::test]
async fn unknown_fields_are_kept_in_extra() -> TestResult {
    let body = json!({
        "id": 9,
        "eventsNotificationCallbackUrl": "false",
        "subscriptionId": 77,
        "transformation": {"contacts": {"vendorName": "Contact"}}
    });

    let instance = get_instance(200, &body.to_string()).await?;

    assert_eq!(
        instance.extra.get("eventsNotificationCallbackUrl"),
        Some(&json!("false"))
    );
    assert_eq!(instance.extra.get("subscriptionId"), Some(&json!(77)));
    assert_eq!(
        instance.extra.get("transformation"),
        Some(&json!({"contacts": {"vendorName": "Contact"}}))
    );
    Ok(())
}

#[tokio::test]
async fn every_error_fixture_decodes_into_its_status_message_and_request_id() -> TestResult {
    let cases = [
        (
            400,
            ApiErrorKind::BadRequest,
            fixture!("error-400-oauth-code.json"),
        ),
        (401, ApiErrorKind::Unauthorized, fixture!("error-401.json")),
        (404, ApiErrorKind::NotFound, fixture!("error-404.json")),
        (
            409,
            ApiErrorKind::Conflict,
            fixture!("error-409-provider.json"),
        ),
    ];
    for (status, kind, body) in cases {
        let expected: Value = serde_json::from_str(body)?;

        let error = get_instance(status, body)
            .await
            .err()
            .ok_or("an error status")?;

        let api = error.api().ok_or("an API error")?;
        assert_eq!((api.status, api.kind), (status, kind));
        assert_eq!(api.message.as_deref(), expected["message"].as_str());
        assert_eq!(api.request_id.as_deref(), expected["requestId"].as_str());
        assert_eq!(
            api.provider_message.as_deref(),
            expected["providerMessage"].as_str()
        );
    }
    Ok(())
}

#[tokio::test]
async fn an_undecodable_answer_names_the_path_and_hides_the_token() -> TestResult {
    let body = json!({
        "id": 9,
        "token": "Q2hhbmdlTWVJbkFQcm9qZWN0T2ZZb3Vyc0FuZFRvbz0=",
        "elementId": [true]
    });

    let error = get_instance(200, &body.to_string())
        .await
        .err()
        .ok_or("a decode error")?;

    let Error::Decode(decode) = &error else {
        return Err(format!("expected a decode error, got {error:?}").into());
    };
    assert_eq!(decode.status, 200);
    assert!(decode.path.contains("elementId"), "path {:?}", decode.path);
    for printed in [error.to_string(), format!("{error:?}")] {
        assert!(!printed.contains("Q2hhbmdl"), "{printed}");
    }
    Ok(())
}

#[tokio::test]
async fn a_list_answer_that_is_not_a_list_is_a_decode_error() -> TestResult {
    let result = list_instances(fixture!("rally-create-response.json")).await;

    assert!(matches!(result, Err(Error::Decode(_))), "{result:?}");
    Ok(())
}

#[tokio::test]
async fn a_success_with_an_empty_body_is_a_decode_error() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;

    let result = client_for(&server).instances().get(InstanceId(1)).await;

    assert!(matches!(result, Err(Error::Decode(_))), "{result:?}");
    Ok(())
}

/// Every text an error shows: its Display and Debug and those of each cause in its chain.
fn every_text(err: &Error) -> Vec<String> {
    let mut texts = vec![err.to_string(), format!("{err:?}")];
    let mut cause = err.source();
    while let Some(inner) = cause {
        texts.push(inner.to_string());
        texts.push(format!("{inner:?}"));
        cause = inner.source();
    }
    texts
}

#[tokio::test]
async fn a_secret_in_an_undecodable_field_appears_in_no_error_text() -> TestResult {
    #[derive(Debug, serde::Deserialize)]
    struct Typed {
        #[allow(dead_code)]
        id: u64,
    }
    let body = format!(r#"{{"id":"{}"}}"#, common::USER_SECRET);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(wire::json(200, &body))
        .mount(&server)
        .await;
    let client = client_for(&server);

    let lenient = client.instances().get(InstanceId(1)).await;
    let typed = client
        .hub("general", "token")?
        .get::<Typed>("things", 1)
        .await;

    for err in [lenient.err(), typed.err()] {
        let err = err.ok_or("a string id does not decode")?;
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        for text in every_text(&err) {
            assert!(!text.contains(common::USER_SECRET), "{text}");
        }
    }
    Ok(())
}

#[tokio::test]
async fn odd_shapes_in_one_instance_do_not_fail_the_list_page() -> TestResult {
    let body = json!([
        {"id": 1, "tags": [{"id": 12}, 5, "plain"], "accountId": "", "organizationId": "n/a",
         "configuration": [], "token": {}, "user": {"id": "none"}},
        {"id": 2, "configuration": "odd", "token": 42},
        {"id": 3, "token": "a-real-token", "configuration": {"base.url": null, "a": "b"}}
    ]);

    let page = list_instances(&body.to_string()).await?;

    let [odd, odder, fine] = page.items.as_slice() else {
        panic!("expected three instances, got {:?}", page.items);
    };
    let tags: Vec<(&str, Option<u64>)> = odd.tags.iter().map(|t| (t.name(), t.id)).collect();
    assert_eq!(tags, [("12", Some(12)), ("5", None), ("plain", None)]);
    assert_eq!((odd.account_id, odd.organization_id), (None, None));
    assert!(odd.configuration.is_empty() && odder.configuration.is_empty());
    assert!(odd.token.is_none() && odder.token.is_none());
    assert!(fine.token.is_some());
    assert_eq!(fine.configuration.raw("base.url"), Some(None));
    assert_eq!(fine.configuration.get_str("a").as_deref(), Some("b"));
    Ok(())
}
