//! Checking that a notification was signed by the platform with the instance's signature key.
//!
//! The platform sends `Elements-Webhook-Signature: sha256=<base64>`, where the base64 (standard
//! alphabet, padded) is the HMAC-SHA256 of the exact request body under the key set in
//! `event.notification.signature.key`.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// The request header that carries a notification's signature.
pub const SIGNATURE_HEADER: &str = "elements-webhook-signature";
/// The request header that carries a notification's webhook id.
pub const WEBHOOK_ID_HEADER: &str = "elements-webhook-id";

const PREFIX: &str = "sha256=";
const DIGEST_LEN: usize = 32;

/// Why a notification was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signature key is empty: anyone could sign with it.
    #[error("the webhook signature key is empty")]
    EmptyKey,
    /// The request has no `Elements-Webhook-Signature` header, or it is empty.
    #[error("the notification carries no signature")]
    MissingSignature,
    /// The signature does not start with `sha256=`.
    #[error("the notification's signature does not start with `sha256=`")]
    UnknownScheme,
    /// The signature after `sha256=` is not standard padded base64.
    #[error("the notification's signature is not valid base64")]
    MalformedSignature,
    /// The signature decodes to something other than a 32-byte SHA-256 digest.
    #[error("the notification's signature is {0} bytes long, not 32")]
    WrongLength(usize),
    /// The signature does not match the body: another key signed it, or the body was changed.
    #[error("the notification's signature does not match its body")]
    Mismatch,
    /// The signed body is not a notification this crate can read.
    #[error("the notification body cannot be decoded at `{path}`")]
    Decode {
        /// The JSON path where decoding failed.
        path: String,
        /// The decoder's own error.
        #[source]
        source: serde_json::Error,
    },
}

/// The key notifications are signed with (`event.notification.signature.key`). Never printed.
#[derive(Clone)]
pub struct SignatureKey(SecretString);

impl SignatureKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        SignatureKey(SecretString::from(key.into()))
    }

    /// The key itself. Call this only to hand the value to something that needs it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The header value the platform would send for `body`: `sha256=` and the base64 digest.
    /// Useful to test a receiver.
    pub fn sign(&self, body: &[u8]) -> String {
        let digest = self.mac(body).finalize().into_bytes();
        format!("{PREFIX}{}", STANDARD.encode(digest))
    }

    /// Checks `header` (the value of `Elements-Webhook-Signature`, if any) against the exact
    /// raw `body`, in constant time.
    ///
    /// # Errors
    ///
    /// A [`WebhookError`] for an empty key, a missing or malformed header, or a signature
    /// that does not match.
    pub fn verify(&self, header: Option<&str>, body: &[u8]) -> Result<(), WebhookError> {
        if self.expose_secret().is_empty() {
            return Err(WebhookError::EmptyKey);
        }
        let digest = decode_header(header)?;
        self.mac(body)
            .verify_slice(&digest)
            .map_err(|_| WebhookError::Mismatch)
    }

    #[allow(clippy::expect_used, reason = "HMAC accepts keys of every length")]
    fn mac(&self, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.expose_secret().as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(body);
        mac
    }
}

fn decode_header(header: Option<&str>) -> Result<Vec<u8>, WebhookError> {
    let value = header.map(str::trim).filter(|v| !v.is_empty());
    let value = value.ok_or(WebhookError::MissingSignature)?;
    let encoded = value
        .strip_prefix(PREFIX)
        .ok_or(WebhookError::UnknownScheme)?;
    let digest = STANDARD
        .decode(encoded)
        .map_err(|_| WebhookError::MalformedSignature)?;
    if digest.len() != DIGEST_LEN {
        return Err(WebhookError::WrongLength(digest.len()));
    }
    Ok(digest)
}

impl fmt::Debug for SignatureKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SignatureKey(<redacted>)")
    }
}

impl From<&str> for SignatureKey {
    fn from(key: &str) -> Self {
        SignatureKey::new(key)
    }
}

impl From<String> for SignatureKey {
    fn from(key: String) -> Self {
        SignatureKey::new(key)
    }
}

impl From<SecretString> for SignatureKey {
    fn from(key: SecretString) -> Self {
        SignatureKey(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_against_its_own_body() {
        let key = SignatureKey::new("k");
        let header = key.sign(b"{}");

        assert!(key.verify(Some(&header), b"{}").is_ok());
        assert!(matches!(
            key.verify(Some(&header), b"{} "),
            Err(WebhookError::Mismatch)
        ));
    }

    #[test]
    fn an_empty_key_is_refused_even_with_a_matching_signature() {
        let key = SignatureKey::new("");
        let header = key.sign(b"{}");

        assert!(matches!(
            key.verify(Some(&header), b"{}"),
            Err(WebhookError::EmptyKey)
        ));
    }

    #[test]
    fn a_short_digest_is_refused_by_length() {
        let key = SignatureKey::new("k");

        let result = key.verify(Some("sha256=AAAA"), b"{}");

        assert!(matches!(result, Err(WebhookError::WrongLength(3))));
    }
}
