//! Events: turning them on for an instance, and receiving the notifications the platform
//! posts to the callback URL.
//!
//! Receiving is framework-neutral: hand [`verify_and_decode`] the signature key, the value of
//! the `Elements-Webhook-Signature` header and the raw body bytes, from any HTTP server.

mod config;
mod notification;
mod signature;

pub use config::{DatesConfiguration, EventsConfiguration, PollerConfiguration, ResourcePoller};
pub use notification::{Event, EventType, Notification, verify_and_decode};
pub use signature::{SIGNATURE_HEADER, SignatureKey, WEBHOOK_ID_HEADER, WebhookError};
