//! Query parameters and pagination: `pageSize`, `nextPage` and the `Elements-*-Count` and
//! `Elements-Next-Page-Token` headers.
//!
//! Page tokens are opaque to clients. They are the standard base64 of a fixed marker and the
//! offset of the next item, which makes every token contain `+`, `/` and `=`: a client that
//! does not percent-encode the token when sending it back as `nextPage` gets a 400.

use axum::http::{HeaderMap, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::error::ApiError;

/// The page size when a request gives none, and the largest one served.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 200;

/// Bytes every token starts with; they encode as `+/` in base64.
const TOKEN_MARKER: [u8; 2] = [0xFB, 0xFF];

/// The decoded query string of a request, in order, with repeated keys kept.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes a raw query string (`+` is a space, `%XX` a byte).
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = form_urlencoded::parse(raw.unwrap_or_default().as_bytes());
        Self(pairs.into_owned().collect())
    }

    /// The first value of a parameter.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of a repeatable parameter.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Which slice of a list a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageRequest {
    size: usize,
    offset: usize,
}

impl PageRequest {
    /// Reads `pageSize` (1 to 200; larger values are served as 200) and `nextPage`.
    pub(crate) fn from_params(params: &Params) -> Result<Self, ApiError> {
        let size = match params.get("pageSize") {
            None => DEFAULT_PAGE_SIZE,
            Some(text) => parse_size(text)?,
        };
        let offset = match params.get("nextPage") {
            None => 0,
            Some(token) => decode_token(token)
                .ok_or_else(|| ApiError::bad_request("The nextPage token is not valid"))?,
        };
        Ok(Self { size, offset })
    }

    /// Cuts one page out of the full list and makes the headers that describe it.
    pub(crate) fn apply<T>(self, items: Vec<T>) -> (Vec<T>, HeaderMap) {
        let total = items.len();
        let page: Vec<T> = items
            .into_iter()
            .skip(self.offset)
            .take(self.size)
            .collect();
        let next = self.offset + page.len();

        let mut headers = HeaderMap::new();
        headers.insert("elements-returned-count", HeaderValue::from(page.len()));
        headers.insert("elements-total-count", HeaderValue::from(total));
        if next < total
            && let Ok(token) = HeaderValue::from_str(&encode_token(next))
        {
            headers.insert("elements-next-page-token", token);
        }
        (page, headers)
    }
}

fn parse_size(text: &str) -> Result<usize, ApiError> {
    let size: usize = text
        .parse()
        .ok()
        .filter(|size| *size > 0)
        .ok_or_else(|| ApiError::bad_request("pageSize must be a positive whole number"))?;
    Ok(size.min(DEFAULT_PAGE_SIZE))
}

/// The token for the page that starts at `offset`.
pub(crate) fn encode_token(offset: usize) -> String {
    let mut bytes = TOKEN_MARKER.to_vec();
    bytes.extend_from_slice(&(offset as u64).to_be_bytes());
    STANDARD.encode(bytes)
}

/// The offset in a token, if it is one of ours.
pub(crate) fn decode_token(token: &str) -> Option<usize> {
    let bytes = STANDARD.decode(token).ok()?;
    let offset = bytes.strip_prefix(&TOKEN_MARKER)?;
    let offset: [u8; 8] = offset.try_into().ok()?;
    usize::try_from(u64::from_be_bytes(offset)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_hold_plus_slash_and_padding() {
        let token = encode_token(400);

        assert!(token.contains('+') && token.contains('/') && token.contains('='));
        assert_eq!(decode_token(&token), Some(400));
    }

    #[test]
    fn a_token_with_plus_read_as_space_is_rejected() {
        let mangled = encode_token(3).replace('+', " ");

        assert_eq!(decode_token(&mangled), None);
        assert_eq!(decode_token("bm90IG91cnM="), None);
    }

    #[test]
    fn the_last_page_has_no_next_token() {
        let request = PageRequest { size: 2, offset: 2 };

        let (page, headers) = request.apply(vec![1, 2, 3, 4]);

        assert_eq!(page, [3, 4]);
        assert_eq!(headers["elements-total-count"], "4");
        assert!(headers.get("elements-next-page-token").is_none());
    }

    #[test]
    fn repeated_bracket_keys_are_kept_whether_encoded_or_not() {
        let params = Params::parse(Some("tags[]=a&tags%5B%5D=b&searchText=x+y"));

        assert_eq!(params.all("tags[]").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(params.get("searchText"), Some("x y"));
    }
}
