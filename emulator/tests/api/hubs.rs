//! The Rally hub: objects, queries, pagination and the instance token.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Harness, TestResult, error_message};

const INVALID: &str = "Invalid Organization or User secret, or invalid Element token provided.";

impl Harness {
    async fn hub(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Result<reqwest::Response> {
        self.call_as(
            &self.hub_auth(token),
            method,
            &format!("/hubs/general{path}"),
            body,
        )
        .await
    }

    /// A new Rally instance's id and token.
    async fn rally_token(&self) -> Result<(u64, String), Box<dyn std::error::Error>> {
        let instance = self.create_rally("hub", &[]).await?;
        let id = instance["id"].as_u64().ok_or("no id")?;
        Ok((id, instance["token"].as_str().ok_or("no token")?.to_owned()))
    }

    async fn defect(
        &self,
        token: &str,
        name: &str,
        state: &str,
    ) -> Result<Value, Box<dyn std::error::Error>> {
        let body = json!({"Name": name, "ScheduleState": state});
        let response = self
            .hub(token, Method::POST, "/defects", Some(body))
            .await?;
        assert_eq!(response.status(), 200);
        Ok(response.json().await?)
    }
}

#[tokio::test]
async fn defects_can_be_created_read_changed_and_deleted() -> TestResult {
    let harness = Harness::start().await?;
    let (instance_id, token) = harness.rally_token().await?;

    let created = harness.defect(&token, "Crash on save", "Defined").await?;
    let path = format!("/defects/{}", created["ObjectID"]);
    let read = harness.hub(&token, Method::GET, &path, None).await?;
    assert_eq!(
        read.headers()["elements-element-instance-id"],
        instance_id.to_string().as_str()
    );
    let read: Value = read.json().await?;
    let patched: Value = harness
        .hub(
            &token,
            Method::PATCH,
            &path,
            Some(json!({"ScheduleState": "Completed"})),
        )
        .await?
        .json()
        .await?;
    let replaced: Value = harness
        .hub(
            &token,
            Method::PUT,
            &path,
            Some(json!({"Name": "Crash on load"})),
        )
        .await?
        .json()
        .await?;
    let deleted = harness.hub(&token, Method::DELETE, &path, None).await?;
    let gone = harness.hub(&token, Method::GET, &path, None).await?;

    assert!(created["ObjectID"].is_u64());
    assert!(created["CreationDate"].is_string() && created["LastUpdateDate"].is_string());
    assert_eq!(read, created);
    assert_eq!(
        (&patched["Name"], &patched["ScheduleState"]),
        (&json!("Crash on save"), &json!("Completed"))
    );
    assert_eq!(replaced["Name"], "Crash on load");
    assert_eq!(replaced["ObjectID"], created["ObjectID"]);
    assert_eq!(deleted.status(), 200);
    error_message(gone, 404).await?;
    Ok(())
}

#[tokio::test]
async fn where_filters_by_equality_and_order_by_sorts() -> TestResult {
    let harness = Harness::start().await?;
    let (_, token) = harness.rally_token().await?;
    harness.defect(&token, "b", "Completed").await?;
    harness.defect(&token, "a", "Completed").await?;
    harness.defect(&token, "it's", "Defined").await?;

    let completed: Vec<Value> = harness
        .hub(
            &token,
            Method::GET,
            "/defects?where=ScheduleState%20%3D%20'Completed'&orderBy=Name%20asc",
            None,
        )
        .await?
        .json()
        .await?;
    let quoted: Vec<Value> = harness
        .hub(
            &token,
            Method::GET,
            "/defects?where=Name='it''s'%20AND%20ScheduleState='Defined'",
            None,
        )
        .await?
        .json()
        .await?;

    let names: Vec<&Value> = completed.iter().map(|defect| &defect["Name"]).collect();
    assert_eq!(names, [&json!("a"), &json!("b")]);
    assert_eq!(quoted.len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_query_it_cannot_parse_is_400() -> TestResult {
    let harness = Harness::start().await?;
    let (_, token) = harness.rally_token().await?;

    let response = harness
        .hub(
            &token,
            Method::GET,
            "/defects?where=Name%20LIKE%20'x'",
            None,
        )
        .await?;

    assert!(
        error_message(response, 400)
            .await?
            .contains("Error parsing query")
    );
    Ok(())
}

#[tokio::test]
async fn user_stories_page_with_the_platform_headers() -> TestResult {
    let harness = Harness::start().await?;
    let (_, token) = harness.rally_token().await?;
    for n in 0..3 {
        let body = json!({"Name": format!("story {n}")});
        harness
            .hub(&token, Method::POST, "/userStory", Some(body))
            .await?;
    }

    let first = harness
        .hub(&token, Method::GET, "/userStory?pageSize=2", None)
        .await?;
    let next = first.headers()["elements-next-page-token"]
        .to_str()?
        .to_owned();
    let encoded: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    let second = harness
        .hub(
            &token,
            Method::GET,
            &format!("/userStory?pageSize=2&nextPage={encoded}"),
            None,
        )
        .await?;

    assert_eq!(first.headers()["elements-total-count"], "3");
    assert_eq!(second.headers()["elements-returned-count"], "1");
    assert!(second.headers().get("elements-next-page-token").is_none());
    let last: Vec<Value> = second.json().await?;
    assert_eq!(last[0]["Name"], "story 2");
    Ok(())
}

#[tokio::test]
async fn projects_are_seeded_and_read_only() -> TestResult {
    let harness = Harness::start().await?;
    let (_, token) = harness.rally_token().await?;

    let open: Vec<Value> = harness
        .hub(&token, Method::GET, "/projects?where=State='Open'", None)
        .await?
        .json()
        .await?;
    let one = harness
        .hub(
            &token,
            Method::GET,
            &format!("/projects/{}", open[0]["ObjectID"]),
            None,
        )
        .await?;
    let create = harness
        .hub(
            &token,
            Method::POST,
            "/projects",
            Some(json!({"Name": "new"})),
        )
        .await?;

    assert_eq!(open.len(), 2);
    assert_eq!(one.status(), 200);
    error_message(create, 405).await?;
    Ok(())
}

#[tokio::test]
async fn ping_answers_with_the_short_authorization_form() -> TestResult {
    let harness = Harness::start().await?;
    let (instance_id, token) = harness.rally_token().await?;
    let short = format!("User {}, Element {token}", harness.emulator.user_secret());

    let response = harness
        .call_as(&short, Method::GET, "/hubs/general/ping", None)
        .await?;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await?;
    assert_eq!(body["instanceId"], instance_id);
    Ok(())
}

#[tokio::test]
async fn a_defect_without_name_is_a_vendor_error() -> TestResult {
    let harness = Harness::start().await?;
    let (_, token) = harness.rally_token().await?;

    let response = harness
        .hub(
            &token,
            Method::POST,
            "/defects",
            Some(json!({"ScheduleState": "Defined"})),
        )
        .await?;

    assert_eq!(response.status(), 400);
    let body: Value = response.json().await?;
    assert!(body["message"].is_string());
    assert!(
        body["providerMessage"]
            .as_str()
            .is_some_and(|text| text.contains("Name"))
    );
    Ok(())
}

#[tokio::test]
async fn a_deleted_instance_token_is_401() -> TestResult {
    let harness = Harness::start().await?;
    let (instance_id, token) = harness.rally_token().await?;
    harness
        .call(Method::DELETE, &format!("/instances/{instance_id}"), None)
        .await?;

    let response = harness.hub(&token, Method::GET, "/defects", None).await?;

    assert_eq!(error_message(response, 401).await?, INVALID);
    Ok(())
}

#[tokio::test]
async fn a_disabled_instance_is_403_until_enabled() -> TestResult {
    let harness = Harness::start().await?;
    let (instance_id, token) = harness.rally_token().await?;
    let switch = format!("/instances/{instance_id}/enabled");
    harness.call(Method::DELETE, &switch, None).await?;

    let disabled = harness.hub(&token, Method::GET, "/defects", None).await?;
    harness.call(Method::PUT, &switch, None).await?;
    let enabled = harness.hub(&token, Method::GET, "/defects", None).await?;

    assert!(error_message(disabled, 403).await?.contains("disabled"));
    assert_eq!(enabled.status(), 200);
    Ok(())
}

#[tokio::test]
async fn a_hub_call_without_element_token_is_401() -> TestResult {
    let harness = Harness::start().await?;

    let response = harness.get("/hubs/general/defects").await?;

    assert_eq!(error_message(response, 401).await?, INVALID);
    Ok(())
}

#[tokio::test]
async fn another_element_has_no_rally_resources() -> TestResult {
    let harness = Harness::start().await?;
    let body = json!({"element": {"key": "servicenow"}, "name": "sn",
        "configuration": {"username": "u", "password": "p", "servicenow.subdomain": "dev1"}});
    let instance: Value = harness
        .call(Method::POST, "/instances", Some(body))
        .await?
        .json()
        .await?;
    let token = instance["token"].as_str().unwrap_or_default();

    let response = harness.hub(token, Method::GET, "/defects", None).await?;

    error_message(response, 404).await?;
    Ok(())
}

#[tokio::test]
async fn unknown_hub_resources_and_objects_are_404() -> TestResult {
    let harness = Harness::start().await?;
    let (_, token) = harness.rally_token().await?;

    let resource = harness
        .hub(&token, Method::GET, "/iterations", None)
        .await?;
    let object = harness
        .hub(&token, Method::GET, "/defects/12", None)
        .await?;
    let other_hub = harness
        .call_as(
            &harness.hub_auth(&token),
            Method::GET,
            "/hubs/crm/contacts",
            None,
        )
        .await?;

    error_message(resource, 404).await?;
    assert_eq!(
        error_message(object, 404).await?,
        "No defects found with ID 12"
    );
    error_message(other_hub, 404).await?;
    Ok(())
}
