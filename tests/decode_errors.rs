//! A success answer that does not fit the model fails with the JSON path where it went wrong;
//! one that fits decodes in full.

mod common;

use open_connectors::{Error, InstanceId};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server_answering(id: u64, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/elements/api-v2/instances/{id}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_named_by_its_path() -> Result<(), Error> {
    let body = r#"{"id": 7, "name": "n", "element": {"id": "not a number"}}"#;
    let server = server_answering(7, body).await;

    let result = common::client_for(&server)
        .instances()
        .get(InstanceId(7))
        .await;

    match result {
        Err(Error::Decode(decode)) => assert_eq!(decode.path, "element.id"),
        other => panic!("expected a decode error, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn trailing_text_after_the_answer_is_refused() -> Result<(), Error> {
    let server = server_answering(7, r#"{"id": 7} trailing"#).await;

    let result = common::client_for(&server)
        .instances()
        .get(InstanceId(7))
        .await;

    assert!(matches!(result, Err(Error::Decode(_))), "{result:?}");
    Ok(())
}

#[tokio::test]
async fn the_documented_answer_decodes_with_its_unknown_fields_kept() -> Result<(), Error> {
    let server = server_answering(123456, fixture!("rally-create-response.json")).await;

    let instance = common::client_for(&server)
        .instances()
        .get(InstanceId(123456))
        .await?;

    assert_eq!(instance.id, InstanceId(123456));
    assert_eq!(instance.configuration.len(), 19);
    assert!(instance.extra.contains_key("provisionInteractions"));
    Ok(())
}
