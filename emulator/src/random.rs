//! Random values: secrets, instance tokens, request ids and OAuth codes.
//!
//! Everything here draws from the operating system's generator, so two emulators never share a
//! token and a test cannot come to depend on a particular value.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Fills a buffer with random bytes from the operating system.
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS generator only fails on platforms without one; a fixed fallback would hand out
    // guessable tokens, so failing loudly is the safer answer.
    #[allow(
        clippy::expect_used,
        reason = "no safe fallback exists for a token generator"
    )]
    getrandom::fill(&mut bytes).expect("the operating system random generator is available");
    bytes
}

/// A new instance token: 32 random bytes in standard base64, so 44 characters that may hold
/// `+`, `/` and always end in `=`, like the platform's tokens.
pub(crate) fn instance_token() -> String {
    STANDARD.encode(random_bytes::<32>())
}

/// A new user or organization secret.
///
/// The platform's secrets are base64-like; this one is drawn again until it holds both `+`
/// and `/` (and standard padding adds `=`), so every client is made to send them verbatim.
pub(crate) fn secret() -> String {
    loop {
        let candidate = STANDARD.encode(random_bytes::<32>());
        if candidate.contains('+') && candidate.contains('/') {
            return candidate;
        }
    }
}

/// A request id as the platform writes them: 24 lowercase hex digits.
pub(crate) fn request_id() -> String {
    hex(&random_bytes::<12>())
}

/// An opaque single-use value (OAuth codes, request tokens, event ids) that is safe in a URL.
pub(crate) fn url_safe_id() -> String {
    hex(&random_bytes::<16>())
}

/// Lowercase hex of some bytes.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_44_base64_characters() {
        let token = instance_token();

        assert_eq!(token.len(), 44);
        assert!(token.ends_with('='));
        assert!(STANDARD.decode(&token).is_ok());
    }

    #[test]
    fn secrets_hold_plus_slash_and_padding() {
        let secret = secret();

        assert!(secret.contains('+') && secret.contains('/') && secret.ends_with('='));
    }

    #[test]
    fn request_ids_are_24_hex_digits() {
        let id = request_id();

        assert_eq!(id.len(), 24);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
