//! The instance API against the emulator over real HTTP on 127.0.0.1: what the SDK sends, the
//! emulator accepts, and what the emulator answers, the SDK decodes.

mod common;

use std::error::Error as StdError;

use common::{collect_bounded, emulator_client};
use open_connectors::{
    ApiErrorKind, Client, Configuration, Element, Error, Instance, InstanceId, InstancePatch,
    ListInstances, NewInstance,
};
use open_connectors_emulator::Emulator;

type TestResult = Result<(), Box<dyn StdError>>;

const RALLY: &str = "caagilecentral";
const API_KEY: &str = "roundtrip-rally-api-key";

async fn start() -> Result<(Emulator, Client), Box<dyn StdError>> {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    Ok((emulator, client))
}

fn rally(name: &str) -> Result<NewInstance, Error> {
    NewInstance::builder(Element::key(RALLY), name)
        .configuration(Configuration::new().set_secret("api.key", API_KEY))
        .build()
}

async fn create_rally(client: &Client, name: &str) -> Result<Instance, Box<dyn StdError>> {
    Ok(client.instances().create(&rally(name)?).await?)
}

#[tokio::test]
async fn a_create_without_api_key_is_refused_before_sending() -> TestResult {
    let (emulator, client) = start().await?;
    let request = NewInstance::builder(Element::key(RALLY), "instance1").build()?;

    let result = client.instances().create(&request).await;

    let Err(error @ Error::MissingConfiguration(missing)) = &result else {
        return Err(format!("expected MissingConfiguration, got {result:?}").into());
    };
    assert_eq!(missing.keys().collect::<Vec<_>>(), ["api.key"]);
    assert_eq!(missing.status, None, "found by the SDK, not the platform");
    assert!(error.to_string().contains("api.key (API Key)"), "{error}");
    assert_eq!(emulator.instances_created_with_name("instance1"), 0);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_platform_refuses_a_create_without_api_key_as_missing_configuration() -> TestResult {
    let (emulator, _) = start().await?;
    let client = emulator_client(&emulator, false)?;
    let request = NewInstance::builder(Element::key(RALLY), "instance1").build()?;

    let result = client.instances().create(&request).await;

    let Err(Error::MissingConfiguration(missing)) = &result else {
        return Err(format!("expected MissingConfiguration, got {result:?}").into());
    };
    assert_eq!(missing.keys().collect::<Vec<_>>(), ["api.key"]);
    assert_eq!(missing.element.as_deref(), Some(RALLY));
    assert_eq!(missing.status, Some(400));
    assert!(
        missing.request_id.is_some(),
        "the platform's request id is kept"
    );
    assert_eq!(emulator.instance_count(), 0);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_create_with_api_key_masks_it_and_returns_a_token() -> TestResult {
    let (emulator, client) = start().await?;

    let instance = create_rally(&client, "instance1").await?;

    assert_eq!(instance.name, "instance1");
    assert_eq!(instance.element_key(), Some(RALLY));
    assert!(instance.created_date.is_some());
    let token = instance.token.as_ref().ok_or("a token")?;
    assert!(!token.expose_secret().is_empty());
    assert!(instance.configuration.is_masked("api.key"));
    assert_eq!(instance.configuration.get_str("api.key"), None);
    assert!(!format!("{instance:?}").contains(API_KEY));
    assert_eq!(emulator.instance_count(), 1);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn get_returns_what_create_made() -> TestResult {
    let (emulator, client) = start().await?;
    let created = create_rally(&client, "instance1").await?;

    let fetched = client.instances().get(created.id).await?;

    assert_eq!(fetched.id, created.id);
    assert_eq!(fetched.name, "instance1");
    assert_eq!(fetched.element_key(), created.element_key());
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn list_counts_every_instance() -> TestResult {
    let (emulator, client) = start().await?;
    let first = create_rally(&client, "first").await?;
    let second = create_rally(&client, "second").await?;

    let page = client.instances().list().await?;

    let mut ids: Vec<InstanceId> = page.items.iter().map(|i| i.id).collect();
    ids.sort();
    assert_eq!(ids, [first.id, second.id]);
    assert_eq!(page.total_count, Some(2));
    assert_eq!(page.returned_count, Some(2));
    assert_eq!(emulator.instance_count(), 2);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn stream_walks_every_page_with_the_platform_tokens() -> TestResult {
    let (emulator, client) = start().await?;
    let mut seeded = emulator.seed_instances(RALLY, 5, "rally-", &["demo"]);
    seeded.sort_unstable();

    let query = ListInstances::new().tag("demo").page_size(2);
    let streamed: Vec<Instance> = collect_bounded(client.instances().stream(query), 20).await?;

    let mut ids: Vec<u64> = streamed.iter().map(|i| i.id.0).collect();
    ids.sort_unstable();
    assert_eq!(ids, seeded);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn search_by_tags_and_text_and_a_search_that_matches_nothing() -> TestResult {
    let (emulator, client) = start().await?;
    emulator.seed_instances(RALLY, 2, "alpha-", &["demo", "eu"]);
    emulator.seed_instances(RALLY, 3, "beta-", &["demo"]);

    let both_tags = ListInstances::new().tag("demo").tag("eu");
    let tagged = client.instances().list_page(&both_tags).await?;
    let named = ListInstances::new().search_text("BETA");
    let by_text = client.instances().list_page(&named).await?;
    let nothing = ListInstances::new().search_text("gamma");
    let empty = client.instances().list_page(&nothing).await?;

    assert_eq!(tagged.items.len(), 2);
    assert!(tagged.items.iter().all(|i| i.name.starts_with("alpha-")));
    assert_eq!(by_text.items.len(), 3);
    assert!(empty.items.is_empty());
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn patch_renames_and_replaces_the_tags() -> TestResult {
    let (emulator, client) = start().await?;
    let created = client
        .instances()
        .create(
            &NewInstance::builder(Element::key(RALLY), "instance1")
                .configuration(Configuration::new().set_secret("api.key", API_KEY))
                .tag("old")
                .build()?,
        )
        .await?;
    let patch = InstancePatch::new()
        .name("renamed")
        .tags(["rally", "production"])
        .build()?;

    let patched = client.instances().patch(created.id, &patch).await?;
    let fetched = client.instances().get(created.id).await?;

    for instance in [&patched, &fetched] {
        assert_eq!(instance.name, "renamed");
        assert_eq!(
            instance.tag_names().collect::<Vec<_>>(),
            ["rally", "production"]
        );
    }
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn put_replaces_name_and_tags() -> TestResult {
    let (emulator, client) = start().await?;
    let created = create_rally(&client, "instance1").await?;
    let replacement = NewInstance::builder(Element::key(RALLY), "replaced")
        .configuration(Configuration::new().set_secret("api.key", API_KEY))
        .tag("replaced")
        .build()?;

    let updated = client.instances().update(created.id, &replacement).await?;

    assert_eq!(updated.id, created.id);
    assert_eq!(updated.name, "replaced");
    assert_eq!(updated.tag_names().collect::<Vec<_>>(), ["replaced"]);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_deleted_instance_is_not_found() -> TestResult {
    let (emulator, client) = start().await?;
    let created = create_rally(&client, "instance1").await?;

    client.instances().delete(created.id).await?;
    let result = client.instances().get(created.id).await;

    let error = result.err().ok_or("the instance is gone")?;
    assert!(error.is_not_found(), "{error:?}");
    assert_eq!(emulator.instance_count(), 0);
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn wrong_secrets_are_unauthorized() -> TestResult {
    let (emulator, _) = start().await?;
    let url = emulator.base_url();
    let client = common::client_with(&url, "not-the-user-secret", "not-the-org-secret", true)?;

    let result = client.instances().list().await;

    assert_unauthorized(result.err())?;
    emulator.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn swapped_secrets_are_unauthorized() -> TestResult {
    let (emulator, _) = start().await?;
    let (user, organization) = (emulator.organization_secret(), emulator.user_secret());
    let client = common::client_with(&emulator.base_url(), user, organization, true)?;

    let result = client.instances().create(&rally("instance1")?).await;

    assert_unauthorized(result.err())?;
    assert_eq!(emulator.instance_count(), 0);
    emulator.shutdown().await;
    Ok(())
}

fn assert_unauthorized(error: Option<Error>) -> TestResult {
    let error = error.ok_or("the call must fail")?;
    let api = error
        .api()
        .ok_or_else(|| format!("expected an API error: {error:?}"))?;
    assert_eq!(api.kind, ApiErrorKind::Unauthorized);
    assert_eq!(api.status, 401);
    Ok(())
}
