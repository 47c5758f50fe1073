//! Event notifications delivered to a receiver the test starts on 127.0.0.1.

use std::convert::Infallible;
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::common::{Harness, TestResult};

const KEY: &str = "MySecretEventSignatureKey";

/// One delivery as received: headers of interest and the raw body.
struct Received {
    content_type: Option<String>,
    webhook_id: Option<String>,
    signature: Option<String>,
    body: Bytes,
}

fn header(request: &Request<hyper::body::Incoming>, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Starts a receiver on 127.0.0.1 that passes every POST on and answers 200.
async fn receiver() -> std::io::Result<(String, mpsc::UnboundedReceiver<Received>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/events", listener.local_addr()?);
    let (sender, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let sender = sender.clone();
            let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                let sender = sender.clone();
                async move {
                    let content_type = header(&request, "content-type");
                    let webhook_id = header(&request, "elements-webhook-id");
                    let signature = header(&request, "elements-webhook-signature");
                    let body = request
                        .into_body()
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    let _ = sender.send(Received {
                        content_type,
                        webhook_id,
                        signature,
                        body,
                    });
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
                }
            });
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });
    Ok((url, received))
}

async fn next(
    received: &mut mpsc::UnboundedReceiver<Received>,
) -> Result<Received, Box<dyn std::error::Error>> {
    // A bound so that a missing delivery fails the test instead of hanging it.
    let delivery = tokio::time::timeout(Duration::from_secs(10), received.recv()).await?;
    Ok(delivery.ok_or("receiver closed")?)
}

fn expected_signature(body: &[u8]) -> Result<String, Box<dyn std::error::Error>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY.as_bytes())?;
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    Ok(format!(
        "sha256={}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    ))
}

impl Harness {
    async fn rally_with_events(
        &self,
        callback: &str,
        signature_key: Option<&str>,
    ) -> Result<Value, Box<dyn std::error::Error>> {
        let body = json!({
            "element": {"key": "caagilecentral"},
            "name": "events",
            "configuration": {"api.key": "k", "event.notification.enabled": true,
                "event.notification.callback.url": callback,
                "event.notification.signature.key": signature_key},
        });
        Ok(self
            .call(Method::POST, "/instances", Some(body))
            .await?
            .json()
            .await?)
    }
}

#[tokio::test]
async fn changes_are_delivered_in_order_with_a_valid_signature() -> TestResult {
    let harness = Harness::start().await?;
    let (callback, mut received) = receiver().await?;
    let instance = harness.rally_with_events(&callback, Some(KEY)).await?;
    let auth = harness.hub_auth(instance["token"].as_str().unwrap_or_default());

    let created: Value = harness
        .call_as(
            &auth,
            Method::POST,
            "/hubs/general/defects",
            Some(json!({"Name": "Leak"})),
        )
        .await?
        .json()
        .await?;
    let path = format!("/hubs/general/defects/{}", created["ObjectID"]);
    harness
        .call_as(
            &auth,
            Method::PATCH,
            &path,
            Some(json!({"ScheduleState": "Completed"})),
        )
        .await?;
    harness.call_as(&auth, Method::DELETE, &path, None).await?;

    let mut event_ids = std::collections::HashSet::new();
    for expected in ["CREATED", "UPDATED", "DELETED"] {
        let delivery = next(&mut received).await?;
        assert_eq!(delivery.content_type.as_deref(), Some("application/json"));
        assert_eq!(
            delivery.signature,
            Some(expected_signature(&delivery.body)?)
        );
        let message: Value = serde_json::from_slice(&delivery.body)?;
        let message = &message["message"];
        let event = &message["events"][0];
        assert_eq!(event["eventType"], expected);
        assert_eq!(event["objectType"], "defects");
        assert_eq!(event["objectId"], created["ObjectID"].to_string());
        assert_eq!(
            (&event["elementKey"], &event["hubKey"]),
            (&json!("caagilecentral"), &json!("general"))
        );
        assert_eq!(message["instanceId"], instance["id"]);
        assert_eq!(message["raw"]["Name"], "Leak");
        assert_eq!(delivery.webhook_id.as_deref(), message["eventId"].as_str());
        event_ids.insert(message["eventId"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(event_ids.len(), 3);
    Ok(())
}

#[tokio::test]
async fn without_a_signature_key_there_is_no_signature_header() -> TestResult {
    let harness = Harness::start().await?;
    let (callback, mut received) = receiver().await?;
    let instance = harness.rally_with_events(&callback, None).await?;
    let auth = harness.hub_auth(instance["token"].as_str().unwrap_or_default());

    harness
        .call_as(
            &auth,
            Method::POST,
            "/hubs/general/userStory",
            Some(json!({"Name": "Story"})),
        )
        .await?;

    let delivery = next(&mut received).await?;
    assert!(delivery.signature.is_none());
    let message: Value = serde_json::from_slice(&delivery.body)?;
    assert_eq!(message["message"]["events"][0]["objectType"], "userStory");
    Ok(())
}

#[tokio::test]
async fn a_localhost_callback_is_delivered_to_127_0_0_1() -> TestResult {
    let harness = Harness::start().await?;
    let (callback, mut received) = receiver().await?;
    let callback = callback.replace("127.0.0.1", "localhost");
    let instance = harness.rally_with_events(&callback, None).await?;
    let auth = harness.hub_auth(instance["token"].as_str().unwrap_or_default());

    harness
        .call_as(
            &auth,
            Method::POST,
            "/hubs/general/userStory",
            Some(json!({"Name": "Story"})),
        )
        .await?;

    let delivery = next(&mut received).await?;
    let message: Value = serde_json::from_slice(&delivery.body)?;
    assert_eq!(message["message"]["instanceId"], instance["id"]);
    Ok(())
}
