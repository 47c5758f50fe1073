//! Rally events end to end, offline: provision a Rally instance with webhook events on the
//! local emulator, create a defect through the hub, then receive, verify and print the signed
//! notification the platform posts back.
//!
//! ```text
//! cargo run --example rally_events
//! ```
//!
//! `RUST_LOG` (such as `RUST_LOG=open_connectors=debug`) shows the SDK's request spans on
//! stderr; `OPEN_CONNECTORS_USER_SECRET` and `OPEN_CONNECTORS_ORGANIZATION_SECRET`, when set,
//! are the emulator's account secrets.
//!
//! The receiver is a small axum server on 127.0.0.1; any HTTP server works the same way, since
//! `verify_and_decode` only needs the header value and the raw body bytes.

#![allow(clippy::print_stdout, reason = "an example reports on standard output")]

mod support;

use std::error::Error;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use open_connectors::{
    Configuration, Element, EventsConfiguration, NewInstance, Notification, SIGNATURE_HEADER,
    SignatureKey, verify_and_decode,
};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// How long to wait for the notification before giving up.
const WAIT: Duration = Duration::from_secs(15);

/// What the receiver hands over: the signature header, if any, and the raw body.
type Delivery = (Option<String>, Bytes);

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    support::init_tracing();

    let emulator = support::start_emulator().await?;
    let (callback, mut deliveries) = start_receiver().await?;
    let client = support::client_for(&emulator)?;
    let key = SignatureKey::new("rally-events-example-signature-key");

    let instance = client
        .instances()
        .create(&rally_request(callback, &key)?)
        .await?;
    println!("created instance {} with webhook events", instance.id);

    let rally = client.hub_for(&instance, "general")?;
    println!("ping: {:?}", rally.ping().await?);
    let defect: serde_json::Value = rally
        .create("defects", &json!({"Name": "Build fails on Fridays"}))
        .await?;
    println!("created defect {}", defect["ObjectID"]);

    let (signature, body) = tokio::time::timeout(WAIT, deliveries.recv())
        .await?
        .ok_or("the receiver stopped")?;
    let notification = verify_and_decode(&key, signature.as_deref(), &body)?;
    print_notification(&notification);

    client.instances().delete(instance.id).await?;
    emulator.shutdown().await;
    Ok(())
}

/// The create request: Rally's API key plus every event setting.
fn rally_request(
    callback: open_connectors::Url,
    key: &SignatureKey,
) -> Result<NewInstance, Box<dyn Error>> {
    let events = EventsConfiguration::webhook(callback).signature_key(key.clone());
    let configuration = Configuration::new()
        .set_secret("api.key", "example Rally API key")
        .events(events);
    let request = NewInstance::builder(Element::key("caagilecentral"), "rally-events-example")
        .configuration(configuration)
        .build()?;
    Ok(request)
}

/// The receiver's callback URL, and the notifications it takes in.
type Receiver = (open_connectors::Url, mpsc::Receiver<Delivery>);

/// Starts the receiver on a free loopback port and returns its callback URL.
async fn start_receiver() -> Result<Receiver, Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let callback = format!("http://{}/events", listener.local_addr()?).parse()?;
    let (sender, receiver) = mpsc::channel(16);
    let app = Router::new()
        .route("/events", post(receive))
        .with_state(sender);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((callback, receiver))
}

/// Answers at once and leaves the checking to `main`: the platform wants a quick `2xx`.
async fn receive(
    State(sender): State<mpsc::Sender<Delivery>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    match sender.send((signature, body)).await {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn print_notification(notification: &Notification) {
    println!(
        "verified notification {} from instance {}",
        notification.event_id.as_deref().unwrap_or("(no id)"),
        notification
            .instance_id
            .map_or_else(|| "(unknown)".to_owned(), |id| id.to_string()),
    );
    for event in &notification.events {
        println!(
            "  {} {} {} at {}",
            event.event_type,
            event.object_type,
            event.object_id,
            event.date.as_deref().unwrap_or("(no date)"),
        );
    }
}
