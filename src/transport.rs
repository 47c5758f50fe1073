//! The one place that turns a request into an HTTP call and an answer into a value or an
//! [`Error`]. Nothing else in the crate touches reqwest.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

/// The HTTP types the rest of the crate names, so that only this module depends on reqwest.
pub(crate) use reqwest::Method;
pub(crate) use reqwest::header::HeaderValue;

use crate::error::{ApiError, ApiErrorKind, DecodeError, Error, InvalidInput, Result};
use crate::retry::{Budget, Idempotency, RetryPolicy, Step, next_step, parse_retry_after};
use crate::scrub::Redactor;
use secrecy::SecretString;

/// The header that carries the platform's id for a request.
pub(crate) const REQUEST_ID: &str = "elements-request-id";

/// Per-call settings, taken from the client and overridable per call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallOptions {
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) create_timeout: Duration,
    pub(crate) deadline: Duration,
}

/// One request, described before any I/O.
pub(crate) struct Request {
    method: Method,
    template: &'static str,
    segments: Vec<String>,
    query: Vec<(Cow<'static, str>, String)>,
    body: Option<Bytes>,
    authorization: Option<HeaderValue>,
    idempotency: Idempotency,
    creates: bool,
    redactor: Redactor,
}

// The body and query may carry secrets, so Debug shows only what a trace shows.
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("template", &self.template)
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A request to `template` (a path such as `/instances/{id}`, used in traces) whose real
    /// path is made of `segments`, each percent-encoded on its own.
    pub(crate) fn new<I, S>(method: Method, template: &'static str, segments: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let idempotency = match method {
            Method::POST | Method::PATCH => Idempotency::Unsafe,
            _ => Idempotency::Safe,
        };
        Request {
            method,
            template,
            segments: segments.into_iter().map(Into::into).collect(),
            query: Vec::new(),
            body: None,
            authorization: None,
            idempotency,
            creates: false,
            redactor: Redactor::default(),
        }
    }

    /// Adds a query parameter; repeated names are sent repeated.
    pub(crate) fn query(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl ToString,
    ) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Adds a query parameter when there is a value.
    pub(crate) fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Sets a JSON body.
    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::InvalidInput(crate::error::InvalidInput::Value {
                field: "request body",
                reason: e.to_string(),
            })
        })?;
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// Marks the request as one that creates something, which earns it the longer timeout.
    pub(crate) fn creates(mut self) -> Self {
        self.creates = true;
        self
    }

    /// Marks a request as not safe to repeat whatever its method, such as a `PUT` that carries a
    /// single-use OAuth code: a second attempt would fail at the vendor and hide the first's
    /// success.
    pub(crate) fn not_repeatable(mut self) -> Self {
        self.idempotency = Idempotency::Unsafe;
        self
    }

    /// Secret values the request carries in its body, to be cut out of any error text the
    /// platform or a vendor echoes back.
    pub(crate) fn redact(mut self, values: impl IntoIterator<Item = SecretString>) -> Self {
        self.redactor.extend(values);
        self
    }

    /// Replaces the platform `Authorization` header, for connector (hub) calls.
    pub(crate) fn authorization(mut self, value: HeaderValue) -> Self {
        self.authorization = Some(value);
        self
    }
}

/// A reqwest client with rustls, certificate checks on, and redirects followed only within the
/// same origin, so the `Authorization` header can never be sent to another host. A loopback
/// base URL skips any proxy from the environment: a proxy elsewhere cannot reach it, and the
/// secrets must not pass through one.
pub(crate) fn default_http_client(
    connect_timeout: Duration,
    loopback: bool,
) -> Result<reqwest::Client> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if same_origin && attempt.previous().len() < 5 {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    let builder = reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .redirect(policy)
        .user_agent(concat!("open-connectors-rust/", env!("CARGO_PKG_VERSION")));
    let builder = if loopback {
        builder.no_proxy()
    } else {
        builder
    };
    builder.build().map_err(Error::transport)
}

/// An answer with a success status, its body read in full.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// Set for a request that is not safe to repeat: it was carried out, so a body that cannot
    /// be decoded leaves its result unknown.
    pub(crate) unsafe_call: Option<(Method, &'static str)>,
    /// The secrets to cut out of a decode error's excerpt.
    pub(crate) redactor: Redactor,
}

impl Response {
    /// A header's value, when it is present and readable.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Decodes the body, naming the JSON path on failure.
    ///
    /// Tracking the path costs more than the decoding itself, so the body is decoded plainly
    /// first and only a body that does not fit is decoded again to find where.
    ///
    /// An empty body (a `204`, or a `200` with nothing in it) reads as JSON `null`, so that a
    /// caller expecting `()`, an `Option` or a `Value` gets one, while a type that needs
    /// content still fails to decode.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T> {
        let body = self.json_body();
        serde_json::from_slice(body).or_else(|_| self.json_with_path(body))
    }

    /// The body to decode: `null` for one that is empty or only white space.
    fn json_body(&self) -> &[u8] {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return b"null";
        }
        &self.body
    }

    fn json_with_path<T: DeserializeOwned>(&self, body: &[u8]) -> Result<T> {
        let mut de = serde_json::Deserializer::from_slice(body);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            self.decode_error(path, e.into_inner())
        })?;
        de.end().map_err(|e| self.decode_error(".".to_owned(), e))?;
        Ok(value)
    }

    fn decode_error(&self, path: String, source: serde_json::Error) -> Error {
        let error = Error::Decode(Box::new(DecodeError {
            status: self.status,
            path,
            excerpt: self.redactor.excerpt(&self.body),
            request_id: self.header(REQUEST_ID).map(str::to_owned),
            source: self.redacted(&source),
        }));
        match &self.unsafe_call {
            Some((method, template)) => outcome_unknown(method, template, error),
            None => error,
        }
    }

    /// The decoder's error rebuilt from its scrubbed message: serde quotes the offending
    /// value (`invalid type: string "…"`), which may be a secret the platform echoed.
    fn redacted(&self, source: &serde_json::Error) -> serde_json::Error {
        let message = self.redactor.message(&source.to_string());
        <serde_json::Error as serde::de::Error>::custom(message)
    }
}

/// The HTTP side of a client: base URL, credentials, limits.
#[derive(Debug)]
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) authorization: HeaderValue,
    pub(crate) max_body: usize,
    /// The account secrets, cut out of any error text.
    pub(crate) secrets: Redactor,
}

impl Transport {
    /// Sends a request, retrying as `options` allow, and returns a success answer.
    pub(crate) async fn send(&self, request: Request, options: &CallOptions) -> Result<Response> {
        let span = tracing::debug_span!(
            "open_connectors.request",
            http.request.method = %request.method,
            url.template = request.template,
            http.response.status_code = tracing::field::Empty,
            elements.request_id = tracing::field::Empty,
            attempt = tracing::field::Empty,
        );
        self.send_with_retries(request, options)
            .instrument(span)
            .await
    }

    async fn send_with_retries(&self, request: Request, options: &CallOptions) -> Result<Response> {
        let url = self.url(&request)?;
        let budget = call_budget(&request, options);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            tracing::Span::current().record("attempt", attempt);
            let (timeout, cut_short) = budget.attempt_timeout();
            let error = match self.attempt(&request, &url, timeout).await {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };

            let kind = request.idempotency;
            match next_step(&options.retry, kind, &budget, attempt, cut_short, error) {
                Step::Retry(pause) => {
                    tracing::debug!(attempt, ?pause, "retrying");
                    tokio::time::sleep(pause).await;
                }
                Step::Stop(error) => return Err(give_up(&request, error)),
            }
        }
    }

    async fn attempt(&self, request: &Request, url: &Url, timeout: Duration) -> Result<Response> {
        let response = self
            .build(request, url, timeout)
            .send()
            .await
            .map_err(Error::transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        record_response(status, &headers);

        let body = read_limited(response, self.max_body, &headers).await?;
        let redactor = self.secrets.merged(&request.redactor);
        if status.is_success() {
            let unsafe_call = (request.idempotency == Idempotency::Unsafe)
                .then(|| (request.method.clone(), request.template));
            return Ok(Response {
                status: status.as_u16(),
                headers,
                body,
                unsafe_call,
                redactor,
            });
        }
        Err(api_error(status, &headers, &body, &redactor))
    }

    fn build(&self, request: &Request, url: &Url, timeout: Duration) -> reqwest::RequestBuilder {
        let authorization = request
            .authorization
            .clone()
            .unwrap_or_else(|| self.authorization.clone());
        let mut builder = self
            .http
            .request(request.method.clone(), url.clone())
            .timeout(timeout)
            .header(AUTHORIZATION, authorization)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        builder
    }

    /// Joins the base URL with the request's path segments and query.
    fn url(&self, request: &Request) -> Result<Url> {
        for segment in &request.segments {
            check_segment("path segment", segment)?;
        }
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| invalid_base())?
            .pop_if_empty()
            .extend(&request.segments);
        if !request.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(request.query.iter().map(|(k, v)| (k.as_ref(), v.as_str())));
        }
        Ok(url)
    }
}

/// Refuses a segment that URL building would drop or resolve against its neighbours, which
/// would send the call to another path than the one asked for.
pub(crate) fn check_segment(which: &'static str, segment: &str) -> Result<(), InvalidInput> {
    if matches!(segment, "" | "." | "..") {
        return Err(InvalidInput::PathSegment {
            which,
            segment: segment.to_owned(),
        });
    }
    Ok(())
}

fn invalid_base() -> Error {
    Error::InvalidInput(crate::error::InvalidInput::Url {
        field: "base URL",
        reason: "it cannot have path segments".to_owned(),
    })
}

fn record_response(status: StatusCode, headers: &HeaderMap) {
    let span = tracing::Span::current();
    span.record("http.response.status_code", status.as_u16());
    if let Some(id) = headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()) {
        span.record("elements.request_id", id);
    }
}

/// Reads the body chunk by chunk and stops at `limit`, so that a hostile answer cannot
/// exhaust memory.
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
    headers: &HeaderMap,
) -> Result<Bytes> {
    let status = response.status().as_u16();
    let too_large = || Error::BodyTooLarge {
        status,
        limit,
        request_id: request_id(headers),
    };
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(too_large());
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(Error::transport)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The platform's error body. Every field is optional: proxies and vendors answer with HTML,
/// plain text or nothing at all.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    request_id: Option<String>,
    message: Option<String>,
    provider_message: Option<String>,
}

/// Builds an [`ApiError`] from an error status, its headers and whatever body came with it.
pub(crate) fn api_error(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    redactor: &Redactor,
) -> Error {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let (body_id, message, provider_message) = match parsed {
        Some(b) => (b.request_id, b.message, b.provider_message),
        None => (None, non_empty_excerpt(body, redactor), None),
    };
    let retry_after = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    Error::Api(Box::new(ApiError {
        status: status.as_u16(),
        kind: ApiErrorKind::from_status(status.as_u16()),
        message: message.map(|m| redactor.message(&m)),
        request_id: body_id.or_else(|| request_id(headers)),
        provider_message: provider_message.map(|m| redactor.message(&m)),
        retry_after,
    }))
}

fn non_empty_excerpt(body: &[u8], redactor: &Redactor) -> Option<String> {
    let excerpt = redactor.excerpt(body);
    (!excerpt.is_empty()).then_some(excerpt)
}

/// The time a call may take: a create may always use its full create timeout.
fn call_budget(request: &Request, options: &CallOptions) -> Budget {
    if request.creates {
        let timeout = options.create_timeout;
        return Budget::start(timeout, timeout.max(options.deadline));
    }
    Budget::start(options.timeout, options.deadline)
}

/// The error to return once retries are over. A request that is not safe to repeat and may
/// have been carried out says so.
fn give_up(request: &Request, error: Error) -> Error {
    if request.idempotency == Idempotency::Unsafe && error.may_have_been_carried_out() {
        return outcome_unknown(&request.method, request.template, error);
    }
    error
}

fn outcome_unknown(method: &Method, template: &'static str, error: Error) -> Error {
    Error::OutcomeUnknown {
        method: method.to_string(),
        url_template: template,
        source: Box::new(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers_with_id(id: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID, HeaderValue::from_str(id).expect("a plain id"));
        headers
    }

    #[test]
    fn debug_shows_method_and_template_but_no_body_or_query() -> Result<()> {
        let call = Request::new(Method::POST, "/instances", ["instances"])
            .query("searchText", "query-value")
            .json(&serde_json::json!({"api.key": "body-value"}))?;

        let shown = format!("{call:?}");

        assert!(
            shown.contains("POST") && shown.contains("/instances"),
            "{shown}"
        );
        assert!(
            !shown.contains("body-value") && !shown.contains("query-value"),
            "{shown}"
        );
        Ok(())
    }

    #[test]
    fn the_error_body_fills_the_api_error() {
        let body = br#"{"requestId":"body-id","message":"No instance found with ID 5",
            "providerMessage":"gone"}"#;

        let err = api_error(
            StatusCode::NOT_FOUND,
            &headers_with_id("h"),
            body,
            &Redactor::default(),
        );

        let api = err.api().expect("an api error");
        assert_eq!(api.request_id.as_deref(), Some("body-id"));
        assert_eq!(api.message.as_deref(), Some("No instance found with ID 5"));
        assert_eq!(api.provider_message.as_deref(), Some("gone"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn any_error_body_keeps_status_and_header_request_id(
            status in 400u16..600,
            body in proptest::collection::vec(0u8..=255, 0..400),
        ) {
            let status = StatusCode::from_u16(status).expect("a valid status");

            let err = api_error(status, &headers_with_id("hdr"), &body, &Redactor::default());

            proptest::prop_assert_eq!(err.status(), Some(status.as_u16()));
            proptest::prop_assert!(err.request_id().is_some());
        }
    }
}
