//! Connector calls and event notifications against the local emulator (real HTTP on
//! loopback).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use common::{collect_bounded, emulator_client};
use futures_util::{StreamExt, TryStreamExt, stream};
use open_connectors::{
    ApiErrorKind, Client, Configuration, Element, EventType, EventsConfiguration, HubClient,
    HubQuery, Instance, NewInstance, PingStatus, SIGNATURE_HEADER, SignatureKey, Url, Where,
    verify_and_decode,
};
use open_connectors_emulator::Emulator;
use serde::Deserialize;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[derive(Debug, Deserialize)]
struct Defect {
    #[serde(rename = "ObjectID")]
    object_id: u64,
    #[serde(rename = "Name")]
    name: String,
}

async fn rally_instance(
    client: &Client,
    configuration: Configuration,
) -> Result<Instance, open_connectors::Error> {
    let configuration = configuration.set_secret("api.key", "emulated Rally key");
    let request = NewInstance::builder(Element::key("caagilecentral"), "hub-test")
        .configuration(configuration)
        .build()?;
    client.instances().create(&request).await
}

async fn create_defects(
    rally: &HubClient,
    count: u64,
) -> Result<BTreeSet<u64>, open_connectors::Error> {
    stream::iter(0..count)
        .map(|n| async move {
            let body = json!({"Name": format!("defect {n}"), "ScheduleState": "Completed"});
            rally
                .create::<_, Defect>("defects", &body)
                .await
                .map(|d| d.object_id)
        })
        .buffer_unordered(8)
        .try_collect()
        .await
}

#[tokio::test]
async fn five_hundred_defects_stream_in_pages_of_40_each_exactly_once() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let instance = rally_instance(&client, Configuration::new()).await?;
    let rally = client.hub_for(&instance, "general")?;
    let created = create_defects(&rally, 500).await?;
    rally
        .create::<_, Defect>(
            "defects",
            &json!({"Name": "O'Brien's defect", "ScheduleState": "Defined"}),
        )
        .await?;
    let query = HubQuery::new()
        .filter(Where::eq("ScheduleState", "Completed"))
        .page_size(40);

    let streamed: Vec<Defect> =
        collect_bounded(rally.stream("defects", query.clone()), 1000).await?;
    let pages = count_pages(&rally, query).await?;

    let ids: Vec<u64> = streamed.iter().map(|d| d.object_id).collect();
    let unique: BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), 500);
    assert_eq!(unique, created);
    assert!(streamed.iter().all(|d| d.name.starts_with("defect ")));
    assert_eq!(
        pages,
        vec![40; 12].into_iter().chain([20]).collect::<Vec<_>>()
    );
    Ok(())
}

/// Walks the pages by hand and returns each page's size; never more than 100 pages, so a
/// cursor that never ends fails the test instead of looping.
async fn count_pages(
    rally: &HubClient,
    query: HubQuery,
) -> Result<Vec<usize>, open_connectors::Error> {
    let mut sizes = Vec::new();
    let mut next = None;
    for _ in 0..100 {
        let page = rally
            .list::<Defect>("defects", &query.clone().next_page(next))
            .await?;
        sizes.push(page.items.len());
        next = page.next_page;
        if next.is_none() {
            break;
        }
    }
    Ok(sizes)
}

#[tokio::test]
async fn a_quoted_where_literal_finds_its_item() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let rally = client.hub_for(
        &rally_instance(&client, Configuration::new()).await?,
        "general",
    )?;
    let name = "O'Brien's build > 10 ünïcode";
    rally
        .create::<_, Defect>("defects", &json!({"Name": name}))
        .await?;
    rally
        .create::<_, Defect>("defects", &json!({"Name": "other"}))
        .await?;
    let filter = Where::eq("Name", name).and(Where::eq("ScheduleState", "Defined"));

    let page = rally
        .list::<Defect>("defects", &HubQuery::new().filter(filter))
        .await?;

    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].name, name);
    Ok(())
}

#[tokio::test]
async fn the_vendor_refusal_keeps_its_provider_message() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let instance = rally_instance(&client, Configuration::new()).await?;
    let rally = client.hub_for(&instance, "general")?;

    let refused = rally
        .create::<_, Defect>("defects", &json!({"ScheduleState": "Defined"}))
        .await;

    let error = refused
        .err()
        .ok_or("a defect without a name must be refused")?;
    let api = error.api().ok_or("an API error")?;
    assert_eq!(api.kind, ApiErrorKind::BadRequest);
    let provider = api.provider_message.as_deref().unwrap_or_default();
    assert!(provider.contains("Name"), "{provider}");
    assert!(api.request_id.is_some());
    Ok(())
}

#[tokio::test]
async fn a_deleted_instance_token_is_refused_with_401() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let instance = rally_instance(&client, Configuration::new()).await?;
    let rally = client.hub_for(&instance, "general")?;
    assert!(rally.ping().await?.is_reachable());

    client.instances().delete(instance.id).await?;
    let error = rally
        .get::<Defect>("defects", 1)
        .await
        .err()
        .ok_or("must fail")?;
    let ping = rally.ping().await?;

    assert_eq!(
        error.api().map(|api| api.kind),
        Some(ApiErrorKind::Unauthorized)
    );
    assert!(matches!(ping, PingStatus::Unauthorized(_)), "{ping:?}");
    Ok(())
}

#[tokio::test]
async fn a_disabled_instance_is_refused_with_403_until_enabled() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let instance = rally_instance(&client, Configuration::new()).await?;
    let rally = client.hub_for(&instance, "general")?;

    client.instances().disable(instance.id).await?;
    let disabled = rally.ping().await?;
    let error = rally
        .list::<Defect>("defects", &HubQuery::new())
        .await
        .err()
        .ok_or("must fail")?;
    client.instances().enable(instance.id).await?;
    let enabled = rally.ping().await?;

    assert!(
        matches!(disabled, PingStatus::InstanceUnavailable(_)),
        "{disabled:?}"
    );
    assert_eq!(
        error.api().map(|api| api.kind),
        Some(ApiErrorKind::Forbidden)
    );
    assert!(enabled.is_reachable(), "{enabled:?}");
    Ok(())
}

#[tokio::test]
async fn a_created_defect_arrives_as_a_signed_notification() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let (callback, mut deliveries) = start_receiver().await?;
    let key = SignatureKey::new("hub-test-signature-key");
    let events = EventsConfiguration::webhook(callback).signature_key(key.clone());
    let instance = rally_instance(&client, Configuration::new().events(events)).await?;
    let rally = client.hub_for(&instance, "general")?;

    let defect: Defect = rally
        .create("defects", &json!({"Name": "notify me"}))
        .await?;
    let delivery = tokio::time::timeout(Duration::from_secs(10), deliveries.recv()).await?;
    let (signature, body) = delivery.ok_or("the receiver stopped")?;

    let notification = verify_and_decode(&key, signature.as_deref(), &body)?;
    assert_eq!(notification.instance_id, Some(instance.id));
    assert_eq!(notification.events.len(), 1);
    assert_eq!(notification.events[0].event_type, EventType::Created);
    assert_eq!(notification.events[0].object_type, "defects");
    assert_eq!(
        notification.events[0].object_id,
        defect.object_id.to_string()
    );
    let other_key = SignatureKey::new("another key");
    assert!(verify_and_decode(&other_key, signature.as_deref(), &body).is_err());
    Ok(())
}

/// What the receiver got: the signature header, if any, and the raw body.
type Delivery = (Option<String>, Bytes);

/// Starts a receiver on a free loopback port; returns its callback URL and its deliveries.
async fn start_receiver() -> Result<(Url, mpsc::Receiver<Delivery>), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let callback = format!("http://{}/events", listener.local_addr()?).parse()?;
    let (sender, receiver) = mpsc::channel(16);
    let receive = move |headers: HeaderMap, body: Bytes| async move {
        let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
        let _ = sender.send((signature.map(str::to_owned), body)).await;
    };
    let app = Router::new().route("/events", post(receive));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((callback, receiver))
}
