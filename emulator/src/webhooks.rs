//! Event notifications: when a hub call creates, changes or deletes an object on an instance
//! with events enabled, the emulator POSTs a platform-shaped notification to the instance's
//! callback URL, signed when the instance has a signature key.
//!
//! Deliveries go only to loopback addresses (`127.0.0.0/8`, `localhost`, `[::1]`) over plain
//! http; any other callback URL is skipped without a word. They leave in order, one at a time,
//! from a queue that the hub handler fills before it answers.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use url::{Host, Url};

use crate::random;
use crate::state::instance::Instance;
use crate::time;

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventType {
    Created,
    Updated,
    Deleted,
}

impl EventType {
    fn as_str(self) -> &'static str {
        match self {
            EventType::Created => "CREATED",
            EventType::Updated => "UPDATED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change to report.
#[derive(Debug)]
pub(crate) struct Change<'a> {
    pub(crate) hub: &'static str,
    pub(crate) object_type: &'a str,
    pub(crate) object_id: u64,
    pub(crate) event_type: EventType,
    pub(crate) raw: &'a Value,
}

/// A notification ready to send (no `Debug`: the signature derives from a secret key).
struct Delivery {
    url: Url,
    event_id: String,
    body: Vec<u8>,
    signature: Option<String>,
}

/// The queue that hub handlers put notifications on.
#[derive(Debug, Clone)]
pub(crate) struct WebhookQueue {
    sender: mpsc::UnboundedSender<DeliveryBox>,
}

/// Wraps a delivery so the queue can be `Debug` without printing its contents.
struct DeliveryBox(Delivery);

impl std::fmt::Debug for DeliveryBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Delivery")
    }
}

impl WebhookQueue {
    /// Starts the delivery task on the current runtime.
    pub(crate) fn start() -> (Self, JoinHandle<()>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (Self { sender }, tokio::spawn(deliver_all(receiver)))
    }

    /// Queues a notification for a change, if the instance wants one and may get one.
    pub(crate) fn notify(&self, instance: &Instance, change: &Change<'_>) {
        let Some(url) = callback_url(instance) else {
            return;
        };
        let event_id = random::url_safe_id();
        let body = notification(instance, change, &event_id)
            .to_string()
            .into_bytes();
        let signature = instance
            .config_value("event.notification.signature.key")
            .filter(|key| !key.is_empty())
            .map(|key| sign(key.as_bytes(), &body));

        // The receiver lives as long as the emulator; once it is gone nobody is listening.
        let _ = self.sender.send(DeliveryBox(Delivery {
            url,
            event_id,
            body,
            signature,
        }));
    }
}

/// The callback URL, when events are on and the URL is plain http to a loopback host.
fn callback_url(instance: &Instance) -> Option<Url> {
    if !instance.events_enabled() {
        return None;
    }
    let url = Url::parse(instance.config_value("event.notification.callback.url")?).ok()?;
    is_deliverable(&url).then_some(url)
}

/// Only plain http to a loopback host is ever contacted.
fn is_deliverable(url: &Url) -> bool {
    let loopback = match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(address)) => address.is_loopback(),
        Some(Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    };
    loopback && url.scheme() == "http"
}

/// The notification body, in the platform's current form.
fn notification(instance: &Instance, change: &Change<'_>, event_id: &str) -> Value {
    let element_key = instance.element.key;
    json!({
        "message": {
            "eventId": event_id,
            "instanceId": instance.id,
            "elementKey": element_key,
            "events": [{
                "objectType": change.object_type,
                "objectId": change.object_id.to_string(),
                "eventType": change.event_type.as_str(),
                "date": time::now_rfc3339(),
                "elementKey": element_key,
                "hubKey": change.hub,
            }],
            "raw": change.raw,
        }
    })
}

/// `sha256=` and the padded base64 of HMAC-SHA256(key, body).
pub(crate) fn sign(key: &[u8], body: &[u8]) -> String {
    // HMAC pads or hashes a key of any length, so this cannot fail.
    #[allow(clippy::expect_used)]
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(body);
    format!("sha256={}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Sends queued notifications one after another until the emulator stops.
async fn deliver_all(mut receiver: mpsc::UnboundedReceiver<DeliveryBox>) {
    // No proxy (a proxy from the environment could send events off the machine), no
    // redirects (a receiver could point elsewhere) and `localhost` resolved here rather than
    // by the system, whose hosts file could name any address: deliveries stay on loopback.
    // Port 0 keeps each callback URL's own port.
    let client = reqwest::Client::builder()
        .no_proxy()
        .resolve("localhost", SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build();
    let Ok(client) = client else {
        return;
    };
    while let Some(DeliveryBox(delivery)) = receiver.recv().await {
        deliver(&client, delivery).await;
    }
}

/// One POST; the platform would retry failures later, the emulator drops them.
async fn deliver(client: &reqwest::Client, delivery: Delivery) {
    let mut request = client
        .post(delivery.url)
        .header("content-type", "application/json")
        .header("elements-webhook-id", delivery.event_id)
        .body(delivery.body);
    if let Some(signature) = delivery.signature {
        request = request.header("elements-webhook-signature", signature);
    }
    let _ = request.send().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SDK's fixture, whose list lines give key, body and header, each as the value
    /// last between backticks. The emulator is never published, so the path always holds.
    const VECTOR: &str = include_str!("../../tests/fixtures/webhook-signature.md");

    #[test]
    fn signs_the_published_test_vector() {
        let values: Vec<&str> = VECTOR
            .lines()
            .filter(|line| line.starts_with("- "))
            .filter_map(|line| line.rsplit('`').nth(1))
            .collect();

        let signature = values
            .get(..2)
            .map(|kb| sign(kb[0].as_bytes(), kb[1].as_bytes()));

        assert_eq!(signature.as_deref(), values.get(2).copied());
    }

    #[test]
    fn only_loopback_http_callbacks_are_deliverable() {
        let deliverable = |text: &str| Url::parse(text).is_ok_and(|url| is_deliverable(&url));

        assert!(deliverable("http://127.0.0.1:8080/events"));
        assert!(deliverable("http://127.0.0.2/events"));
        assert!(deliverable("http://localhost:9/events"));
        assert!(deliverable("http://[::1]:9/events"));
        assert!(!deliverable("https://127.0.0.1/events"));
        assert!(!deliverable("http://10.0.0.1/events"));
        assert!(!deliverable("http://example.com/events"));
        assert!(!deliverable("http://localhost.example.com/events"));
    }
}
