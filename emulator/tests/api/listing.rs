//! Listing instances and elements: filters, search and pagination.

use reqwest::Method;
use serde_json::Value;

use crate::common::{Harness, TestResult, error_message};

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
}

fn encode(token: &str) -> String {
    url::form_urlencoded::byte_serialize(token.as_bytes()).collect()
}

#[tokio::test]
async fn pages_follow_the_next_page_token_to_the_end() -> TestResult {
    let harness = Harness::start().await?;
    harness
        .emulator
        .seed_instances("caagilecentral", 5, "paged-", &[]);

    let first = harness.get("/instances?pageSize=2").await?;
    assert_eq!(header(&first, "elements-returned-count"), Some("2"));
    assert_eq!(header(&first, "elements-total-count"), Some("5"));
    let mut token = header(&first, "elements-next-page-token").map(str::to_owned);
    let mut names: Vec<Value> = first
        .json::<Vec<Value>>()
        .await?
        .into_iter()
        .map(|i| i["name"].clone())
        .collect();

    // Bounded: a token that never goes away fails the test instead of looping.
    for _ in 0..10 {
        let Some(next) = token.take() else {
            break;
        };
        assert!(next.contains('+') || next.contains('/') || next.contains('='));
        let page = harness
            .get(&format!("/instances?pageSize=2&nextPage={}", encode(&next)))
            .await?;
        token = header(&page, "elements-next-page-token").map(str::to_owned);
        names.extend(
            page.json::<Vec<Value>>()
                .await?
                .into_iter()
                .map(|i| i["name"].clone()),
        );
    }

    assert_eq!(token, None);
    assert_eq!(
        names,
        ["paged-1", "paged-2", "paged-3", "paged-4", "paged-5"]
    );
    Ok(())
}

#[tokio::test]
async fn the_last_page_has_no_token() -> TestResult {
    let harness = Harness::start().await?;
    harness
        .emulator
        .seed_instances("caagilecentral", 2, "few-", &[]);

    let response = harness.get("/instances").await?;

    assert_eq!(header(&response, "elements-returned-count"), Some("2"));
    assert_eq!(header(&response, "elements-total-count"), Some("2"));
    assert!(header(&response, "elements-next-page-token").is_none());
    Ok(())
}

#[tokio::test]
async fn a_token_sent_back_without_encoding_is_400() -> TestResult {
    let harness = Harness::start().await?;
    harness
        .emulator
        .seed_instances("caagilecentral", 3, "t-", &[]);
    let first = harness.get("/instances?pageSize=1").await?;
    let token = header(&first, "elements-next-page-token")
        .unwrap_or_default()
        .to_owned();

    let raw = harness
        .get(&format!("/instances?pageSize=1&nextPage={token}"))
        .await?;
    let garbage = harness.get("/instances?nextPage=not-a-token").await?;

    error_message(raw, 400).await?;
    error_message(garbage, 400).await?;
    Ok(())
}

#[tokio::test]
async fn tags_filters_keep_instances_with_all_given_tags() -> TestResult {
    let harness = Harness::start().await?;
    harness.create_rally("both", &["red", "blue"]).await?;
    harness.create_rally("red-only", &["red"]).await?;

    let literal: Vec<Value> = harness
        .get("/instances?tags[]=red&tags[]=blue")
        .await?
        .json()
        .await?;
    let encoded: Vec<Value> = harness
        .get("/instances?tags%5B%5D=red")
        .await?
        .json()
        .await?;

    assert_eq!(literal.len(), 1);
    assert_eq!(literal[0]["name"], "both");
    assert_eq!(encoded.len(), 2);
    Ok(())
}

#[tokio::test]
async fn search_text_matches_names_and_element_keys_case_insensitively() -> TestResult {
    let harness = Harness::start().await?;
    harness.create_rally("Quarterly Board", &[]).await?;

    let by_name: Vec<Value> = harness
        .get("/instances?searchText=quarterly")
        .await?
        .json()
        .await?;
    let by_key: Vec<Value> = harness
        .get("/instances?searchText=AGILE")
        .await?
        .json()
        .await?;

    assert_eq!(by_name.len(), 1);
    assert_eq!(by_key.len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_search_that_matches_nothing_is_404_but_an_empty_list_is_not() -> TestResult {
    let harness = Harness::start().await?;

    let empty = harness.get("/instances").await?;
    let tags = harness.get("/instances?tags[]=none").await?;
    let text = harness.get("/instances?searchText=none").await?;

    assert_eq!(empty.status(), 200);
    assert_eq!(empty.json::<Value>().await?, serde_json::json!([]));
    error_message(tags, 404).await?;
    error_message(text, 404).await?;
    Ok(())
}

#[tokio::test]
async fn a_bad_page_size_is_400() -> TestResult {
    let harness = Harness::start().await?;

    let response = harness.get("/instances?pageSize=0").await?;

    error_message(response, 400).await?;
    Ok(())
}

#[tokio::test]
async fn the_catalogue_is_paged_and_holds_every_auth_style() -> TestResult {
    let harness = Harness::start().await?;

    let all = harness.get("/elements").await?;
    assert!(header(&all, "elements-next-page-token").is_none());
    let elements: Vec<Value> = all.json().await?;
    let first = harness.get("/elements?pageSize=2").await?;

    let styles: Vec<&str> = elements
        .iter()
        .filter_map(|e| e["authentication"]["type"].as_str())
        .collect();
    for style in ["custom", "basic", "oauth2", "oauth1"] {
        assert!(styles.contains(&style), "{style}");
    }
    assert!(elements.len() >= 6);
    assert_eq!(header(&first, "elements-returned-count"), Some("2"));
    assert!(header(&first, "elements-next-page-token").is_some());
    Ok(())
}

#[tokio::test]
async fn metadata_tells_events_and_default_authentication() -> TestResult {
    let harness = Harness::start().await?;

    let metadata: Value = harness
        .get("/elements/caagilecentral/metadata")
        .await?
        .json()
        .await?;

    assert_eq!(metadata["key"], "caagilecentral");
    assert_eq!(metadata["events"]["supported"], true);
    assert_eq!(
        metadata["events"]["methods"],
        serde_json::json!(["webhook"])
    );
    assert_eq!(metadata["defaultAuthentication"], "custom");
    let missing = harness
        .call(Method::GET, "/elements/0/metadata", None)
        .await?;
    error_message(missing, 404).await?;
    Ok(())
}
