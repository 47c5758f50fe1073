//! Keeping secrets out of what the crate prints: error excerpts, messages and `Debug` output.

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// How many characters of a body an error quotes.
const EXCERPT_CHARS: usize = 200;

/// How many characters of the platform's `message` an error keeps: enough for any real one,
/// while a hostile answer cannot fill memory through it.
const MESSAGE_CHARS: usize = 2000;

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

/// How many bytes of a body that is not valid JSON are looked at for an excerpt.
const RAW_PREFIX_BYTES: usize = 4096;

/// The secret values a request knows it sent (account secrets, configuration secrets, provider
/// data), to be cut out of whatever the platform or a vendor echoes back.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    values: Vec<SecretString>,
}

/// Secrets shorter than this are not searched for: replacing every `a` or `id` would garble
/// messages, and no real secret is that short.
const SHORTEST_KNOWN_SECRET: usize = 4;

impl Redactor {
    /// Adds values to cut out.
    pub(crate) fn extend<I: IntoIterator<Item = SecretString>>(&mut self, values: I) {
        let long = values
            .into_iter()
            .filter(|v| v.expose_secret().len() >= SHORTEST_KNOWN_SECRET);
        self.values.extend(long);
    }

    /// This redactor's values and another's.
    pub(crate) fn merged(&self, other: &Redactor) -> Redactor {
        let mut values = self.values.clone();
        values.extend(other.values.iter().cloned());
        Redactor { values }
    }

    /// A short excerpt of a body for error messages, with known secrets, secret-named values
    /// and token-like runs hidden.
    ///
    /// A body that is not valid JSON (an HTML page, a truncated answer) is scrubbed as loose
    /// JSON: the value after any secret-looking key is hidden even when its string never ends.
    pub(crate) fn excerpt(&self, body: &[u8]) -> String {
        let whole = match serde_json::from_slice::<Value>(body) {
            Ok(mut value) => {
                mask_json(&mut value);
                value.to_string()
            }
            Err(_) => {
                let prefix = &body[..body.len().min(RAW_PREFIX_BYTES)];
                mask_loose_json(&String::from_utf8_lossy(prefix))
            }
        };
        truncate(self.text(&whole).trim(), EXCERPT_CHARS)
    }

    /// The platform's message with known secrets and token-like runs hidden, shortened.
    pub(crate) fn message(&self, message: &str) -> String {
        truncate(&self.text(message), MESSAGE_CHARS)
    }

    /// Free text with known secrets and token-like runs hidden.
    fn text(&self, message: &str) -> String {
        let mut out = message.to_owned();
        for value in &self.values {
            out = out.replace(value.expose_secret(), MASK);
        }
        text(&out)
    }
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} values)", self.values.len())
    }
}

/// Hides the value that follows a secret-looking key in text that looks like JSON but may be
/// cut anywhere.
fn mask_loose_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut hide_next = false;
    while let Some(c) = chars.next() {
        if c != '"' {
            out.push(c);
            continue;
        }
        let literal = read_string(&mut chars);
        let is_key = skip_to_colon(&mut chars, &mut out, &literal, hide_next);
        hide_next = is_key && is_secret_key(&literal);
    }
    out
}

/// Reads a string literal after its opening quote, up to the closing quote or the end.
fn read_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut literal = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => literal.extend(chars.next()),
            _ => literal.push(c),
        }
    }
    literal
}

/// Writes a string literal, hidden when it is a value after a secret key, and says whether it
/// is a key (a colon follows it).
fn skip_to_colon(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    out: &mut String,
    literal: &str,
    hide: bool,
) -> bool {
    let mut space = String::new();
    while let Some(c) = chars.next_if(|c| c.is_whitespace()) {
        space.push(c);
    }
    let is_key = chars.peek() == Some(&':');
    let shown = if hide && !is_key { MASK } else { literal };
    out.push('"');
    out.push_str(shown);
    out.push('"');
    out.push_str(&space);
    is_key
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

    fn excerpt(body: &[u8]) -> String {
        Redactor::default().excerpt(body)
    }

    #[test]
    fn excerpt_masks_secret_fields_and_tokens() {
        let body = concat!(
            r#"{"token":"abc","configuration":{"api.key":"k-1"},"#,
            r#""note":"Q2hhbmdlTWVJbkFQcm9qZWN0T2ZZb3Vyc0FuZFRvbz0="}"#
        )
        .as_bytes();

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
    fn truncated_json_still_hides_secret_values() {
        let body = br#"<html>{"id":7,"token":"short-tok","configuration":{"api.key":"k-9","x":"v"#;
        let cut = br#"{"id":7,"name":"n","token":"abc/de"#;

        let excerpt = excerpt(body);
        let cut = Redactor::default().excerpt(cut);

        assert!(!excerpt.contains("short-tok"), "{excerpt}");
        assert!(!excerpt.contains("k-9"), "{excerpt}");
        assert!(excerpt.contains("\"x\":\"v\""), "{excerpt}");
        assert!(!cut.contains("abc/de"), "{cut}");
    }

    #[test]
    fn known_secrets_are_cut_out_even_when_short_or_split_by_the_excerpt() {
        let mut redactor = Redactor::default();
        redactor.extend([SecretString::from("k-12"), SecretString::from("ab")]);
        let body = format!("{}k-12 tail", "x ".repeat(98));

        let message = redactor.message("the key k-12 was refused, ab stays");
        let excerpt = redactor.excerpt(body.as_bytes());

        assert_eq!(message, "the key <redacted> was refused, ab stays");
        assert!(!excerpt.contains("k-1"), "{excerpt}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn any_body_gives_a_short_excerpt(body in proptest::collection::vec(0u8..=255, 0..600)) {
            let excerpt = excerpt(&body);

            proptest::prop_assert!(excerpt.chars().count() <= EXCERPT_CHARS + 1);
        }

        #[test]
        fn any_message_is_kept_short(message in ".{0,3000}") {
            let shown = Redactor::default().message(&message);

            proptest::prop_assert!(shown.chars().count() <= MESSAGE_CHARS + 1);
        }
    }

    #[test]
    fn ordinary_words_and_ids_are_kept() {
        let message = "No account found with ID 123456 at /elements/api-v2/instances";

        assert_eq!(text(message), message);
    }
}
