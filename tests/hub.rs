//! Connector (hub) calls against a mock platform on loopback.

mod common;

use std::sync::{Arc, Mutex};

use common::PLATFORM_AUTH;
use common::wire::ExactAuthorization;
use common::{client_for, collect_bounded};
use futures_util::TryStreamExt;
use open_connectors::{
    ApiErrorKind, Client, Error, HubClient, HubQuery, Instance, InstanceId, PingStatus,
    RetryPolicy, Where,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// An instance token with the characters real tokens carry.
const TOKEN: &str = "Q2hhbmdl/TWVJbk+FQcm9q=";
const HUB_AUTH: &str =
    "User user+Secret/1=, Organization org/Secret+2=, Element Q2hhbmdl/TWVJbk+FQcm9q=";

/// A Rally defect, with Rally's own field names.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Defect {
    #[serde(rename = "ObjectID")]
    object_id: u64,
    #[serde(rename = "Name")]
    name: String,
}

fn rally(server: &MockServer) -> Result<HubClient, Error> {
    client_for(server).hub("general", TOKEN)
}

fn defect_json() -> Value {
    json!({"ObjectID": 778899, "Name": "Broken build", "ScheduleState": "Defined"})
}

#[tokio::test]
async fn get_calls_the_exact_path_with_the_element_part() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/elements/api-v2/hubs/general/defects/778899"))
        .and(ExactAuthorization(HUB_AUTH))
        .respond_with(ResponseTemplate::new(200).set_body_json(defect_json()))
        .expect(2)
        .mount(&server)
        .await;
    let rally = rally(&server)?;

    let typed: Defect = rally.get("defects", 778899).await?;
    let raw: Value = rally.get("defects", "778899").await?;

    assert_eq!(
        typed,
        Defect {
            object_id: 778899,
            name: "Broken build".into()
        }
    );
    assert_eq!(raw["ScheduleState"], json!("Defined"));
    Ok(())
}

#[tokio::test]
async fn ids_and_nested_resources_are_encoded_segment_by_segment() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/elements/api-v2/hubs/general/projects/12/defects/a%2Fb%20c",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;

    let found: Value = rally(&server)?.get("projects/12/defects", "a/b c").await?;

    assert_eq!(found, json!({}));
    Ok(())
}

#[tokio::test]
async fn where_queries_are_percent_encoded_with_quotes_spaces_and_non_ascii() -> TestResult {
    let server = MockServer::start().await;
    let filter = Where::eq("Name", "O'Brien Straße").and(Where::ge("Rank", 10));
    Mock::given(method("GET"))
        .and(path("/elements/api-v2/hubs/general/defects"))
        .and(query_param(
            "where",
            "Name = 'O''Brien Straße' AND Rank >= 10",
        ))
        .and(query_param("orderBy", "CreationDate desc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([defect_json()])))
        .expect(1)
        .mount(&server)
        .await;
    let query = HubQuery::new()
        .filter(filter)
        .order_by("CreationDate desc")
        .page_size(40)
        .page(2);

    let page = rally(&server)?.list::<Defect>("defects", &query).await?;

    assert_eq!(page.items.len(), 1);
    let received = server.received_requests().await.ok_or("recording is on")?;
    assert_eq!(
        received[0].url.query(),
        Some(
            "where=Name+%3D+%27O%27%27Brien+Stra%C3%9Fe%27+AND+Rank+%3E%3D+10\
             &orderBy=CreationDate+desc&pageSize=40&page=2"
        )
    );
    Ok(())
}

#[tokio::test]
async fn create_posts_the_body_once_even_when_retries_are_on() -> TestResult {
    let server = MockServer::start().await;
    let body = json!({"Name": "Broken build", "Project": "/project/42"});
    Mock::given(method("POST"))
        .and(path("/elements/api-v2/hubs/general/defects"))
        .and(ExactAuthorization(HUB_AUTH))
        .and(body_json(&body))
        .respond_with(ResponseTemplate::new(502).set_body_json(json!({"message": "vendor down"})))
        .expect(1)
        .mount(&server)
        .await;
    let retrying = client_for(&server).with_retry_policy(RetryPolicy::default());

    let result = retrying
        .hub("general", TOKEN)?
        .create::<_, Value>("defects", &body)
        .await;

    assert_eq!(result.expect_err("502").status(), Some(502));
    Ok(())
}

#[tokio::test]
async fn create_returns_the_typed_item() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/elements/api-v2/hubs/general/defects"))
        .and(body_json(json!({"Name": "Broken build"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(defect_json()))
        .expect(1)
        .mount(&server)
        .await;

    let created: Defect = rally(&server)?
        .create("defects", &json!({"Name": "Broken build"}))
        .await?;

    assert_eq!(created.object_id, 778899);
    Ok(())
}

#[tokio::test]
async fn update_patch_and_delete_use_their_verbs() -> TestResult {
    let server = MockServer::start().await;
    let item = "/elements/api-v2/hubs/general/defects/778899";
    for verb in ["PUT", "PATCH"] {
        Mock::given(method(verb))
            .and(path(item))
            .and(ExactAuthorization(HUB_AUTH))
            .and(body_json(json!({"Name": verb})))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"ObjectID": 778899, "Name": verb})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("DELETE"))
        .and(path(item))
        .and(ExactAuthorization(HUB_AUTH))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let rally = rally(&server)?;

    let put: Defect = rally
        .update("defects", 778899, &json!({"Name": "PUT"}))
        .await?;
    let patched: Defect = rally
        .patch("defects", 778899, &json!({"Name": "PATCH"}))
        .await?;
    rally.delete("defects", 778899).await?;

    assert_eq!(put.name, "PUT");
    assert_eq!(patched.name, "PATCH");
    Ok(())
}

async fn failing_get(status: u16, body: Value) -> Result<Error, Box<dyn std::error::Error>> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/elements/api-v2/hubs/general/defects/1"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    let result = rally(&server)?.get::<Value>("defects", 1).await;
    result
        .err()
        .ok_or_else(|| "expected an error status".into())
}

#[tokio::test]
async fn a_deleted_instance_token_is_unauthorized() -> TestResult {
    let body: Value = serde_json::from_str(fixture!("error-401.json"))?;

    let error = failing_get(401, body).await?;

    let api = error.api().ok_or("an API error")?;
    assert_eq!(api.kind, ApiErrorKind::Unauthorized);
    assert_eq!(api.request_id.as_deref(), Some("5b0437c6e4b07731ae39b533"));
    Ok(())
}

#[tokio::test]
async fn a_disabled_instance_is_forbidden() -> TestResult {
    let body = json!({"requestId": "r403", "message": "The instance is disabled"});

    let error = failing_get(403, body).await?;

    assert_eq!(
        error.api().map(|api| api.kind),
        Some(ApiErrorKind::Forbidden)
    );
    Ok(())
}

#[tokio::test]
async fn an_echoed_instance_token_is_cut_out_of_the_error() -> TestResult {
    let body = json!({"requestId": "r400", "message": format!("bad token {TOKEN} given")});

    let error = failing_get(400, body).await?;

    let printed = format!("{error} {error:?}");
    assert!(!printed.contains(TOKEN), "{printed}");
    assert!(printed.contains("bad token"), "{printed}");
    Ok(())
}

#[tokio::test]
async fn the_vendor_message_is_kept() -> TestResult {
    let body: Value = serde_json::from_str(fixture!("error-409-provider.json"))?;

    let error = failing_get(409, body).await?;

    let api = error.api().ok_or("an API error")?;
    assert_eq!(api.kind, ApiErrorKind::Conflict);
    assert_eq!(
        api.provider_message.as_deref(),
        Some("Item with the same name already exists")
    );
    Ok(())
}

#[tokio::test]
async fn the_serving_instance_and_request_id_are_reported() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/elements/api-v2/hubs/general/defects/778899"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(defect_json())
                .insert_header("Elements-Element-Instance-Id", "123456")
                .insert_header("Elements-Request-Id", "5b0437c6e4b07731ae39b533"),
        )
        .mount(&server)
        .await;

    let response = rally(&server)?
        .get_with_metadata::<Defect>("defects", 778899)
        .await?;

    assert_eq!(response.value.object_id, 778899);
    assert_eq!(response.instance_id, Some(InstanceId(123456)));
    assert_eq!(
        response.request_id.as_deref(),
        Some("5b0437c6e4b07731ae39b533")
    );
    Ok(())
}

/// Serves `total` defects in pages by an opaque cursor, and records which page each request
/// asked for.
struct Pager {
    total: u64,
    size: u64,
    served: Arc<Mutex<Vec<u64>>>,
}

impl Respond for Pager {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let cursor = request
            .url
            .query_pairs()
            .find(|(name, _)| name == "nextPage")
            .map(|(_, value)| value.into_owned());
        let page = match cursor
            .as_deref()
            .map(|c| c.strip_prefix("cur+/").map(str::parse))
        {
            None => 0,
            Some(Some(Ok(page))) => page,
            _ => return ResponseTemplate::new(400),
        };
        if let Ok(mut served) = self.served.lock() {
            served.push(page);
        }
        let first = page * self.size;
        let last = (first + self.size).min(self.total);
        let items: Vec<Value> = (first..last)
            .map(|id| json!({"ObjectID": id, "Name": format!("defect {id}")}))
            .collect();
        let mut answer = ResponseTemplate::new(200)
            .set_body_json(items)
            .insert_header("Elements-Returned-Count", (last - first).to_string())
            .insert_header("Elements-Total-Count", self.total.to_string());
        if last < self.total {
            answer = answer.insert_header("Elements-Next-Page-Token", format!("cur+/{}", page + 1));
        }
        answer
    }
}

#[tokio::test]
async fn streaming_reads_500_items_in_pages_of_40_each_page_once() -> TestResult {
    let server = MockServer::start().await;
    let served = Arc::new(Mutex::new(Vec::new()));
    let pager = Pager {
        total: 500,
        size: 40,
        served: served.clone(),
    };
    Mock::given(method("GET"))
        .and(path("/elements/api-v2/hubs/general/defects"))
        .and(query_param("pageSize", "40"))
        .and(query_param("where", "ScheduleState = 'Completed'"))
        .and(ExactAuthorization(HUB_AUTH))
        .respond_with(pager)
        .mount(&server)
        .await;
    let query = HubQuery::new()
        .filter(Where::eq("ScheduleState", "Completed"))
        .page_size(40);

    let defects: Vec<Defect> =
        collect_bounded(rally(&server)?.stream("defects", query), 1000).await?;

    let ids: Vec<u64> = defects.iter().map(|d| d.object_id).collect();
    assert_eq!(ids, (0..500).collect::<Vec<_>>());
    let pages = served.lock().expect("not poisoned").clone();
    assert_eq!(pages, (0..13).collect::<Vec<_>>());
    Ok(())
}

async fn ping_answer(
    answer: ResponseTemplate,
) -> Result<open_connectors::Result<PingStatus>, Error> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/elements/api-v2/hubs/general/ping"))
        .and(ExactAuthorization(HUB_AUTH))
        .respond_with(answer)
        .mount(&server)
        .await;
    Ok(rally(&server)?.ping().await)
}

#[tokio::test]
async fn ping_reports_a_reachable_instance() -> TestResult {
    let answer = ResponseTemplate::new(200)
        .set_body_json(json!({"endpoint": "caagilecentral"}))
        .insert_header("Elements-Element-Instance-Id", "77");

    let status = ping_answer(answer).await??;

    assert!(matches!(
        status,
        PingStatus::Reachable {
            instance_id: Some(InstanceId(77))
        }
    ));
    assert!(status.is_reachable() && status.error().is_none());
    Ok(())
}

#[tokio::test]
async fn ping_tells_credentials_from_instance_trouble() -> TestResult {
    let unauthorized = ping_answer(ResponseTemplate::new(401)).await??;
    let disabled = ping_answer(ResponseTemplate::new(403)).await??;
    let broken = ping_answer(ResponseTemplate::new(502)).await??;

    assert!(
        matches!(unauthorized, PingStatus::Unauthorized(_)),
        "{unauthorized:?}"
    );
    assert!(
        matches!(disabled, PingStatus::InstanceUnavailable(_)),
        "{disabled:?}"
    );
    assert!(
        matches!(broken, PingStatus::InstanceUnavailable(_)),
        "{broken:?}"
    );
    assert_eq!(broken.error().and_then(Error::status), Some(502));
    Ok(())
}

#[tokio::test]
async fn ping_blames_the_base_url_for_404_and_non_platform_answers() -> TestResult {
    let missing = ping_answer(ResponseTemplate::new(404)).await??;
    let html = ResponseTemplate::new(200).set_body_string("<html>welcome</html>");
    let web_page = ping_answer(html).await??;

    assert!(
        matches!(missing, PingStatus::WrongBaseUrl(_)),
        "{missing:?}"
    );
    assert!(
        matches!(web_page, PingStatus::WrongBaseUrl(_)),
        "{web_page:?}"
    );
    Ok(())
}

#[tokio::test]
async fn ping_blames_the_base_url_when_nothing_listens() -> TestResult {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = closed.local_addr()?.port();
    drop(closed);
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .user_secret(common::USER_SECRET)
        .organization_secret(common::ORGANIZATION_SECRET)
        .retry_policy(RetryPolicy::none())
        .build()?;

    let status = client.hub("general", TOKEN)?.ping().await?;

    assert!(
        matches!(status, PingStatus::WrongBaseUrl(ref e) if e.is_connect()),
        "{status:?}"
    );
    Ok(())
}

#[tokio::test]
async fn ping_leaves_other_failures_to_the_caller() -> TestResult {
    let result = ping_answer(ResponseTemplate::new(400)).await?;

    assert_eq!(
        result.expect_err("400 is not classified").status(),
        Some(400)
    );
    Ok(())
}

#[tokio::test]
async fn platform_calls_never_carry_the_element_part() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/elements/api-v2/hubs/general/defects/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(defect_json()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/elements/api-v2/instances/123456"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture!("rally-create-response.json")),
        )
        .mount(&server)
        .await;
    let client = client_for(&server);
    let rally = client.hub("general", TOKEN)?;

    let _: Value = rally.get("defects", 1).await?;
    client.instances().get(InstanceId(123456)).await?;

    let received = server.received_requests().await.ok_or("recording is on")?;
    let auth = |i: usize| {
        received[i]
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
    };
    assert_eq!(auth(0), Some(HUB_AUTH));
    assert_eq!(auth(1), Some(PLATFORM_AUTH));
    Ok(())
}

#[tokio::test]
async fn an_instance_gives_its_token_to_the_hub_client() -> TestResult {
    let server = MockServer::start().await;
    let expected = concat!(
        "User user+Secret/1=, Organization org/Secret+2=, ",
        "Element Q2hhbmdlTWVJbkFQcm9qZWN0T2ZZb3Vyc0FuZFRvbz0="
    );
    Mock::given(method("GET"))
        .and(path("/elements/api-v2/hubs/general/ping"))
        .and(ExactAuthorization(expected))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let instance: Instance = serde_json::from_str(fixture!("rally-create-response.json"))?;

    let status = client_for(&server)
        .hub_for(&instance, "general")?
        .ping()
        .await?;

    assert!(status.is_reachable(), "{status:?}");
    Ok(())
}

#[tokio::test]
async fn an_instance_without_token_or_a_bad_hub_is_refused() -> TestResult {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let mut fixture: Value = serde_json::from_str(fixture!("rally-create-response.json"))?;
    fixture.as_object_mut().ok_or("an object")?.remove("token");
    let tokenless: Instance = serde_json::from_value(fixture)?;

    let no_token = client.hub_for(&tokenless, "general");
    let no_hub = client.hub(" ", TOKEN);
    let bad_token = client.hub("general", "tok\r\nX-Injected: 1");

    assert!(
        matches!(no_token, Err(Error::InvalidInput(_))),
        "{no_token:?}"
    );
    assert!(matches!(no_hub, Err(Error::InvalidInput(_))), "{no_hub:?}");
    assert!(
        matches!(bad_token, Err(Error::InvalidInput(_))),
        "{bad_token:?}"
    );
    Ok(())
}

#[tokio::test]
async fn the_hub_client_never_prints_the_token() -> TestResult {
    let server = MockServer::start().await;

    let printed = format!("{:?}", rally(&server)?);

    assert!(!printed.contains(TOKEN), "{printed}");
    assert!(printed.contains("general"), "{printed}");
    Ok(())
}

/// A server that fails the test if any request reaches it.
async fn server_expecting_nothing() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(0)
        .mount(&server)
        .await;
    server
}

fn is_path_segment_error(err: &Error) -> bool {
    matches!(
        err,
        Error::InvalidInput(open_connectors::InvalidInput::PathSegment { .. })
    )
}

#[tokio::test]
async fn dot_and_empty_segments_are_refused_before_sending() -> TestResult {
    let server = server_expecting_nothing().await;
    let rally = rally(&server)?;

    let results = [
        rally.delete("defects", "..").await,
        rally.delete("defects", ".").await,
        rally.delete("defects", "").await,
        rally.delete("../../instances", "5").await,
        rally.delete("defects/./x", "5").await,
        rally.delete("defects//x", "5").await,
        rally.delete("", "5").await,
    ];

    for result in results {
        let err = result.expect_err("a dot or empty segment is refused");
        assert!(is_path_segment_error(&err), "{err:?}");
    }
    Ok(())
}

#[tokio::test]
async fn reads_and_writes_with_a_dot_id_are_refused_before_sending() -> TestResult {
    let server = server_expecting_nothing().await;
    let rally = rally(&server)?;

    let read = rally.get::<Value>("defects", "..").await;
    let update = rally.update::<_, Value>("defects", "..", &json!({})).await;
    let patch = rally.patch::<_, Value>("defects", ".", &json!({})).await;

    for err in [read.err(), update.err(), patch.err()] {
        let err = err.ok_or("a dot id is refused")?;
        assert!(is_path_segment_error(&err), "{err:?}");
    }
    Ok(())
}

#[tokio::test]
async fn dot_hub_names_and_element_keys_are_refused() -> TestResult {
    let server = server_expecting_nothing().await;
    let client = client_for(&server);

    let hubs = ["..", "."].map(|hub| client.hub(hub, TOKEN).err());
    let elements = ["..", "."].map(|key| {
        open_connectors::NewInstance::builder(open_connectors::Element::key(key), "n")
            .build()
            .err()
    });
    let details = client
        .elements()
        .get(&open_connectors::Element::key(".."))
        .await;

    for err in hubs.into_iter().chain(elements) {
        let err = err.ok_or("a dot name is refused")?;
        assert!(is_path_segment_error(&err), "{err:?}");
    }
    let err = details.expect_err("a dot element key is refused");
    assert!(is_path_segment_error(&err), "{err:?}");
    Ok(())
}

/// Serves two defects with a cursor, then only empty pages, each with a fresh cursor; after
/// `give_up` requests it answers `500`, so a client that follows the cursors ends with an
/// error instead of looping.
struct EmptyPagesForever {
    served: Arc<Mutex<u32>>,
    give_up: u32,
}

impl Respond for EmptyPagesForever {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        let Ok(mut served) = self.served.lock() else {
            return ResponseTemplate::new(500);
        };
        *served += 1;
        if *served > self.give_up {
            return ResponseTemplate::new(500);
        }
        let items = if *served == 1 {
            json!([defect_json(), defect_json()])
        } else {
            json!([])
        };
        ResponseTemplate::new(200)
            .set_body_json(items)
            .insert_header("Elements-Next-Page-Token", format!("fresh-{served}"))
    }
}

#[tokio::test]
async fn an_empty_page_ends_the_stream_even_with_a_fresh_token() -> TestResult {
    let server = MockServer::start().await;
    let served = Arc::new(Mutex::new(0));
    let pager = EmptyPagesForever {
        served: served.clone(),
        give_up: 20,
    };
    Mock::given(method("GET"))
        .respond_with(pager)
        .mount(&server)
        .await;

    let defects: Vec<Defect> = rally(&server)?
        .stream("defects", HubQuery::new())
        .try_collect()
        .await?;

    assert_eq!(defects.len(), 2);
    assert_eq!(*served.lock().map_err(|_| "poisoned")?, 2);
    Ok(())
}

#[tokio::test]
async fn an_empty_success_is_null_for_unit_option_and_value() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_string(" \r\n"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let rally = rally(&server)?;

    let () = rally.update("defects", 5, &json!({"Name": "n"})).await?;
    let patched: Option<Value> = rally.patch("defects", 5, &json!({"Name": "n"})).await?;
    let created: Value = rally.create("defects", &json!({"Name": "n"})).await?;

    assert_eq!(patched, None);
    assert_eq!(created, Value::Null);
    Ok(())
}

#[tokio::test]
async fn an_empty_success_where_an_item_is_due_leaves_a_create_unknown() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    let created = rally(&server)?
        .create::<_, Defect>("defects", &json!({}))
        .await;

    let Err(Error::OutcomeUnknown { source, .. }) = created else {
        panic!("expected an unknown outcome, got {created:?}");
    };
    assert!(matches!(*source, Error::Decode(_)), "{source:?}");
    Ok(())
}
