//! Keeping secrets out of what the crate prints: error excerpts, messages and `Debug` output.

use serde_json::Value;

/// How many characters of a body an error quotes.
const EXCERPT_CHARS: usize = 200;

/// The text that stands in for a hidden value.
pub(crate) const MASK: &str = "<redacted>";

/// Key fragments that mark a configuration or JSON value as secret.
const SECRET_MARKS: &[&str] = &[
    "password",
    "passphrase",
    "secret",
    "token",
    "api.key",
    "apikey",
    "api_key",
    "signature.key",
    "private",
    "credential",
    "authorization",
];

/// Whether a key (a configuration key, a JSON field name) names a secret value.
///
/// ```
/// use open_connectors::is_secret_key;
///
/// assert!(is_secret_key("api.key"));
/// assert!(is_secret_key("oauth.api.secret"));
/// assert!(is_secret_key("event.notification.signature.key"));
/// assert!(!is_secret_key("event.notification.enabled"));
/// ```
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_MARKS.iter().any(|mark| key.contains(mark))
}

/// A short excerpt of a body, with secret-looking values hidden, for error messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(mut value) => {
            mask_json(&mut value);
            value.to_string()
        }
        Err(_) => text(&String::from_utf8_lossy(body)),
    };
    truncate(text.trim(), EXCERPT_CHARS)
}

/// Hides long token-like runs in free text, such as a token a vendor echoes in a message, and
/// folds line breaks and other control characters into single spaces: error messages print as
/// one line, and an HTML error page must not spread over a log or drive a terminal.
pub(crate) fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if is_token_char(c) {
            run.push(c);
            continue;
        }
        flush_run(&mut out, &mut run);
        push_folded(&mut out, c);
    }
    flush_run(&mut out, &mut run);
    out
}

fn push_folded(out: &mut String, c: char) {
    if !(c.is_whitespace() || c.is_control()) {
        out.push(c);
    } else if !out.ends_with(' ') {
        out.push(' ');
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_')
}

/// A run of 28 or more token characters mixing letters and digits looks like a key or a
/// token; shorter runs are ordinary words, ids and paths.
fn flush_run(out: &mut String, run: &mut String) {
    let has_digit = run.chars().any(|c| c.is_ascii_digit());
    let has_alpha = run.chars().any(|c| c.is_ascii_alphabetic());
    if run.len() >= 28 && has_digit && has_alpha {
        out.push_str(MASK);
    } else {
        out.push_str(run);
    }
    run.clear();
}

/// Replaces the values of secret-named fields, at any depth, and scrubs strings.
pub(crate) fn mask_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if is_secret_key(key) && !item.is_null() {
                    *item = Value::String(MASK.to_owned());
                } else {
                    mask_json(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        Value::String(s) => *s = text(s),
        _ => {}
    }
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_masks_secret_fields_and_tokens() {
        let body = br#"{"token":"abc","configuration":{"api.key":"k-1"},"note":"Q2hhbmdlTWVJbkFQcm9qZWN0T2ZZb3Vyc0FuZFRvbz0="}"#;

        let excerpt = excerpt(body);

        assert!(!excerpt.contains("abc"), "{excerpt}");
        assert!(!excerpt.contains("k-1"), "{excerpt}");
        assert!(!excerpt.contains("Q2hhbmdl"), "{excerpt}");
        assert!(excerpt.contains("note"), "{excerpt}");
    }

    #[test]
    fn excerpt_is_short_and_survives_invalid_utf8() {
        let mut body = vec![0xff, 0xfe];
        body.extend(std::iter::repeat_n(b'x', 10_000));

        let excerpt = excerpt(&body);

        assert!(excerpt.chars().count() <= EXCERPT_CHARS + 1);
    }

    #[test]
    fn line_breaks_and_control_characters_fold_into_one_line() {
        let page = "<html>\r\n<body>\n\t<h1>502 Bad Gateway</h1>\u{1b}[31m\n</body>";

        assert_eq!(
            text(page),
            "<html> <body> <h1>502 Bad Gateway</h1> [31m </body>"
        );
        assert_eq!(excerpt(b"\n  plain\ntext \n"), "plain text");
    }

    #[test]
    fn ordinary_words_and_ids_are_kept() {
        let message = "No account found with ID 123456 at /elements/api-v2/instances";

        assert_eq!(text(message), message);
    }
}
