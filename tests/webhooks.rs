//! Receiving event notifications: signature checks and decoding of both documented forms.

// A test whose fixture cannot be read has nothing to do but fail.
#![allow(clippy::expect_used)]

use open_connectors::{
    Configuration, DatesConfiguration, Error, EventType, EventsConfiguration, Notification,
    PollerConfiguration, ResourcePoller, SignatureKey, WebhookError, verify_and_decode,
};
use serde_json::{Value, json};

/// The public test vector: signature key, raw body and signature header.
struct Vector {
    key: &'static str,
    body: &'static [u8],
    header: &'static str,
}

/// Reads the vector from its fixture: the value last between backticks on each of its three
/// list lines, which give key, body and header in that order.
fn vector() -> Vector {
    let fixture = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/webhook-signature.md"
    ));
    let mut values = fixture
        .lines()
        .filter(|line| line.starts_with("- "))
        .filter_map(|line| line.rsplit('`').nth(1));
    let mut next = || {
        values
            .next()
            .expect("the fixture lists key, body and header")
    };
    Vector {
        key: next(),
        body: next().as_bytes(),
        header: next(),
    }
}

const CURRENT: &str = r#"{
  "message": {
    "eventId": "8a1c7b2e",
    "instanceId": 123456,
    "elementKey": "caagilecentral",
    "accountId": "54321",
    "userId": 65432,
    "events": [
      {"objectType": "defects", "objectId": 778899, "eventType": "CREATED",
       "date": "2026-12-04T10:00:00Z", "elementKey": "caagilecentral", "hubKey": "general"},
      {"objectType": "defects", "objectId": "778900", "eventType": "UPDATED",
       "date": "2026-12-04T10:00:01Z", "elementKey": "caagilecentral", "hubKey": "general",
       "pollDate": "2026-12-04T10:05:00Z", "somethingNew": 1},
      {"objectType": "defects", "objectId": "778901", "eventType": "MERGED"}
    ],
    "raw": {"QueryResult": {"Results": [{"ObjectID": 778899, "Name": "Broken build"}]}},
    "instanceTags": ["production"]
  }
}"#;

const LEGACY: &str = r#"{
  "eventId": 1088,
  "instanceId": 31,
  "response": {"events": [{"objectType": "files", "objectId": "/a.txt", "eventType": "DELETED"}]},
  "notificationId": 1047
}"#;

#[test]
fn the_public_vector_verifies() {
    let key = SignatureKey::new(vector().key);

    let result = key.verify(Some(vector().header), vector().body);

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(key.sign(vector().body), vector().header);
}

#[test]
fn a_tampered_body_is_refused() {
    let key = SignatureKey::new(vector().key);
    let mut tampered = vector().body.to_vec();
    tampered[1] ^= 0x20;

    let result = key.verify(Some(vector().header), &tampered);
    let with_newline = [vector().body, b"\n"].concat();
    let trailing = key.verify(Some(vector().header), &with_newline);

    assert!(matches!(result, Err(WebhookError::Mismatch)), "{result:?}");
    assert!(
        matches!(trailing, Err(WebhookError::Mismatch)),
        "{trailing:?}"
    );
}

#[test]
fn a_wrong_key_is_refused() {
    let key = SignatureKey::new("MySecretEventSignatureKeY");

    let result = key.verify(Some(vector().header), vector().body);

    assert!(matches!(result, Err(WebhookError::Mismatch)), "{result:?}");
}

#[test]
fn missing_and_malformed_headers_are_refused_by_kind() {
    let key = SignatureKey::new(vector().key);
    let digest = vector().header.trim_start_matches("sha256=");
    let sha1 = format!("sha1={digest}");
    let upper = format!("SHA256={digest}");

    let check = |header: Option<&str>| key.verify(header, vector().body);

    assert!(matches!(check(None), Err(WebhookError::MissingSignature)));
    assert!(matches!(
        check(Some("")),
        Err(WebhookError::MissingSignature)
    ));
    assert!(matches!(
        check(Some("  ")),
        Err(WebhookError::MissingSignature)
    ));
    assert!(matches!(
        check(Some(digest)),
        Err(WebhookError::UnknownScheme)
    ));
    assert!(matches!(
        check(Some(&sha1)),
        Err(WebhookError::UnknownScheme)
    ));
    assert!(matches!(
        check(Some(&upper)),
        Err(WebhookError::UnknownScheme)
    ));
    assert!(matches!(
        check(Some("sha256=")),
        Err(WebhookError::WrongLength(0))
    ));
    assert!(matches!(
        check(Some("sha256=not base64!")),
        Err(WebhookError::MalformedSignature)
    ));
    assert!(matches!(
        check(Some("sha256=jHdbRx5EZAsOfTwAPJOGkNUzQMVVdu5VJlxcsk+G6jQ")),
        Err(WebhookError::MalformedSignature)
    ));
    assert!(matches!(
        check(Some("sha256=jHdbRx5EZAsOfTwAPJOGkNUzQMVVdu5VJlxcsk+G6g==")),
        Err(WebhookError::WrongLength(31))
    ));
}

#[test]
fn verify_and_decode_refuses_before_parsing() {
    let key = SignatureKey::new("k");
    let body = CURRENT.as_bytes();

    let unsigned = verify_and_decode(&key, None, body);
    let signed = verify_and_decode(&key, Some(&key.sign(body)), body);

    assert!(matches!(unsigned, Err(WebhookError::MissingSignature)));
    assert!(signed.is_ok(), "{signed:?}");
}

#[test]
fn a_signed_body_that_is_not_a_notification_names_the_path() {
    let key = SignatureKey::new("k");
    let body = br#"{"message": {"eventId": "e1", "events": "not a list"}}"#;

    let result = verify_and_decode(&key, Some(&key.sign(body)), body);

    let Err(WebhookError::Decode { path, .. }) = result else {
        panic!("expected a decode error, got {result:?}");
    };
    assert!(path.starts_with("message.events"), "{path}");
}

#[test]
fn webhook_errors_convert_into_the_crate_error() {
    let refused: Result<(), WebhookError> = Err(WebhookError::Mismatch);

    let error: Error = refused.map_err(Error::from).expect_err("refused");

    assert!(matches!(error, Error::Webhook(WebhookError::Mismatch)));
    assert_eq!(
        error.to_string(),
        "webhook refused: the notification's signature does not match its body"
    );
}

#[test]
fn the_current_form_decodes() -> Result<(), WebhookError> {
    let notification = Notification::decode(CURRENT.as_bytes())?;

    assert_eq!(notification.event_id.as_deref(), Some("8a1c7b2e"));
    assert_eq!(notification.instance_id.map(|id| id.0), Some(123456));
    assert_eq!(notification.element_key.as_deref(), Some("caagilecentral"));
    assert_eq!(notification.account_id, Some(54321));
    assert_eq!(notification.events.len(), 3);
    let first = &notification.events[0];
    assert_eq!(first.object_id, "778899");
    assert_eq!(first.object_type, "defects");
    assert_eq!(first.event_type, EventType::Created);
    assert_eq!(first.hub_key.as_deref(), Some("general"));
    assert_eq!(notification.events[1].event_type, EventType::Updated);
    assert_eq!(
        notification.events[1].poll_date.as_deref(),
        Some("2026-12-04T10:05:00Z")
    );
    assert_eq!(notification.events[1].extra["somethingNew"], json!(1));
    assert_eq!(
        notification.events[2].event_type,
        EventType::Other("MERGED".into())
    );
    let raw = notification
        .raw
        .as_ref()
        .map(|raw| &raw["QueryResult"]["Results"][0]["Name"]);
    assert_eq!(raw, Some(&json!("Broken build")));
    assert_eq!(notification.extra["instanceTags"], json!(["production"]));
    Ok(())
}

#[test]
fn the_legacy_form_decodes() -> Result<(), WebhookError> {
    let notification = Notification::decode(LEGACY.as_bytes())?;

    assert_eq!(notification.event_id.as_deref(), Some("1088"));
    assert_eq!(notification.instance_id.map(|id| id.0), Some(31));
    assert_eq!(notification.notification_id.as_deref(), Some("1047"));
    assert_eq!(notification.events.len(), 1);
    assert_eq!(notification.events[0].object_id, "/a.txt");
    assert_eq!(notification.events[0].event_type, EventType::Deleted);
    assert!(notification.raw.is_some());
    assert!(!notification.extra.contains_key("response"));
    Ok(())
}

#[test]
fn a_body_that_is_not_json_is_a_decode_error() {
    let result = Notification::decode(b"<html>");

    assert!(matches!(result, Err(WebhookError::Decode { .. })));
}

#[test]
fn the_key_never_prints() {
    let key = SignatureKey::new("key-value-that-must-not-print");
    let events = EventsConfiguration::webhook("http://127.0.0.1:9/hook".parse().expect("url"))
        .signature_key(key.clone());

    let printed = format!(
        "{key:?} {events:?} {:?}",
        Configuration::new().events(events.clone())
    );

    assert!(
        !printed.contains("key-value-that-must-not-print"),
        "{printed}"
    );
    assert!(printed.contains("redacted"), "{printed}");
}

#[test]
fn events_configuration_writes_every_key() -> Result<(), Box<dyn std::error::Error>> {
    let poller = PollerConfiguration::new().resource(
        "defects",
        ResourcePoller::new("/hubs/general/defects", "ObjectID").dates(
            DatesConfiguration::new()
                .updated("LastUpdateDate", "yyyy-MM-dd'T'HH:mm:ss'Z'", "GMT")
                .created("CreationDate", "yyyy-MM-dd'T'HH:mm:ss'Z'", "UTC"),
        ),
    );
    let events = EventsConfiguration::polling("https://app.example.com/events".parse()?, poller)
        .refresh_interval(5)
        .signature_key(SignatureKey::new("sig"));

    let value = serde_json::to_value(Configuration::new().events(events))?;

    let encoded = value["event.poller.configuration"]
        .as_str()
        .ok_or("not a string")?;
    let decoded: Value = serde_json::from_str(encoded)?;
    assert_eq!(
        decoded,
        json!({"defects": {"url": "/hubs/general/defects", "idField": "ObjectID",
            "datesConfiguration": {
                "updatedDateField": "LastUpdateDate",
                "updatedDateFormat": "yyyy-MM-dd'T'HH:mm:ss'Z'",
                "updatedDateTimezone": "GMT",
                "createdDateField": "CreationDate",
                "createdDateFormat": "yyyy-MM-dd'T'HH:mm:ss'Z'",
                "createdDateTimezone": "UTC"}}})
    );
    assert_eq!(value["event.notification.enabled"], json!(true));
    assert_eq!(value["event.vendor.type"], json!("polling"));
    assert_eq!(
        value["event.notification.callback.url"],
        json!("https://app.example.com/events")
    );
    assert_eq!(value["event.notification.signature.key"], json!("sig"));
    assert_eq!(value["event.poller.refresh_interval"], json!(5));
    Ok(())
}

#[test]
fn webhook_events_carry_no_poller_keys() -> Result<(), Box<dyn std::error::Error>> {
    let events = EventsConfiguration::webhook("https://app.example.com/events".parse()?);

    let value = serde_json::to_value(Configuration::new().events(events))?;

    assert_eq!(
        value,
        json!({"event.notification.enabled": true, "event.vendor.type": "webhook",
            "event.notification.callback.url": "https://app.example.com/events"})
    );
    Ok(())
}
