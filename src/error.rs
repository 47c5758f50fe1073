//! The one error type of the crate.
//!
//! Every fallible call returns [`Error`]. Invalid input is refused before anything is sent
//! ([`Error::InvalidInput`]); a missing required configuration entry has its own variant whatever
//! side found it ([`Error::MissingConfiguration`]); everything the platform answers with an error
//! status becomes an [`ApiError`]; a body that cannot be decoded becomes a [`DecodeError`] that
//! names the JSON path.

use std::fmt;
use std::time::Duration;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to the platform.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request was refused before sending because a value is not one the platform accepts.
    #[error("invalid input: {0}")]
    InvalidInput(#[from] InvalidInput),

    /// Required configuration entries are missing from a create request.
    ///
    /// Found either before sending (against the element's configuration definitions) or from
    /// the platform's `400` answer.
    #[error("{0}")]
    MissingConfiguration(MissingConfiguration),

    /// The platform answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The platform answered with a success status but a body this crate cannot decode.
    #[error("{0}")]
    Decode(Box<DecodeError>),

    /// The answer's body was larger than the client's limit; reading stopped there.
    #[error("response body exceeds the limit of {limit} bytes (status {status})")]
    BodyTooLarge {
        /// The HTTP status of the answer.
        status: u16,
        /// The configured limit, in bytes.
        limit: usize,
        /// The platform's request id, when the headers carried one.
        request_id: Option<String>,
    },

    /// The request could not be completed: connection refused, reset, timed out, TLS failure.
    #[error("{kind} error while calling the platform")]
    Transport {
        /// What went wrong, in broad terms.
        kind: TransportErrorKind,
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },

    /// A request that is not safe to repeat (a `POST` that creates, a `PATCH`) may have been
    /// carried out, but the client cannot tell: the connection failed or timed out after
    /// sending, a gateway answered `502`, `503` or `504`, or the platform answered with a success
    /// status whose body could not be read or decoded into the expected type. That last case
    /// includes a create answered with an empty body (such as a `204`): the instance may well
    /// exist, but its id and token were not received. A caller who asked for `()`, an
    /// `Option` or a `serde_json::Value` gets an empty body as success instead.
    ///
    /// The request was not repeated, since a second create would make a second instance. Before
    /// creating again, list or search for the unique name or tag the request used
    /// ([`ListInstances::search_text`](crate::ListInstances::search_text),
    /// [`ListInstances::tag`](crate::ListInstances::tag)). [`Error::status`] and
    /// [`Error::request_id`] read through to the cause.
    #[error("outcome unknown: {method} {url_template} may have been carried out")]
    OutcomeUnknown {
        /// The HTTP method of the request.
        method: String,
        /// The path template of the request, such as `/instances`.
        url_template: &'static str,
        /// The failure that left the outcome unknown.
        #[source]
        source: Box<Error>,
    },

    /// The total deadline for a call, retries included, ran out.
    #[error("deadline of {deadline:?} exceeded after {attempts} attempt(s)")]
    DeadlineExceeded {
        /// The deadline that ran out.
        deadline: Duration,
        /// How many attempts were started.
        attempts: u32,
        /// The last failure before the deadline, if any.
        #[source]
        last: Option<Box<Error>>,
    },

    /// An OAuth redirect was refused: the vendor said no, or the state did not match.
    #[error("oauth: {0}")]
    OAuth(#[from] crate::oauth::OAuthError),

    /// The platform returned the same next-page token twice, which would loop forever.
    #[error("pagination stopped: the platform repeated a next-page token")]
    RepeatedPageToken,

    /// An event notification was refused: unsigned, wrongly signed, or unreadable.
    #[error("webhook refused: {0}")]
    Webhook(#[from] crate::events::WebhookError),
}

impl Error {
    /// The HTTP status the platform answered with, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::BodyTooLarge { status, .. } => Some(*status),
            Error::MissingConfiguration(m) => m.status,
            Error::OutcomeUnknown { source, .. } => source.status(),
            Error::DeadlineExceeded { last, .. } => last.as_ref().and_then(|e| e.status()),
            _ => None,
        }
    }

    /// The platform's `requestId` for this failure, to quote when asking SAP for help.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode(e) => e.request_id.as_deref(),
            Error::BodyTooLarge { request_id, .. } => request_id.as_deref(),
            Error::MissingConfiguration(m) => m.request_id.as_deref(),
            Error::OutcomeUnknown { source, .. } => source.request_id(),
            Error::DeadlineExceeded { last, .. } => last.as_ref().and_then(|e| e.request_id()),
            _ => None,
        }
    }

    /// The platform's error details, when the platform answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether trying the same request again later may succeed.
    ///
    /// True for connection failures, timeouts, `408`, `429` and the `5xx` statuses that mean a
    /// passing fault (`500`, `502`, `503`, `504`). Whether a retry is *safe* depends on the
    /// request too: see [`RetryPolicy`](crate::RetryPolicy).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => matches!(e.status, 408 | 429 | 500 | 502 | 503 | 504),
            Error::Transport { kind, .. } => *kind != TransportErrorKind::Request,
            _ => false,
        }
    }

    /// Whether the request provably never reached the platform (the connection was refused).
    pub fn is_connect(&self) -> bool {
        matches!(
            self,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                ..
            }
        )
    }

    /// Whether this is a timeout, of one attempt or of the whole call.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport { kind, .. } => *kind == TransportErrorKind::Timeout,
            Error::DeadlineExceeded { .. } => true,
            _ => false,
        }
    }

    /// Whether the platform said the resource does not exist (`404`).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether a request that failed this way may have been carried out by the platform.
    pub(crate) fn may_have_been_carried_out(&self) -> bool {
        match self {
            Error::Transport { kind, .. } => *kind != TransportErrorKind::Connect,
            Error::Api(e) => matches!(e.status, 502..=504),
            Error::BodyTooLarge { status, .. } => (200..300).contains(status),
            Error::Decode(_) => true,
            Error::DeadlineExceeded { last, .. } => {
                last.as_ref().is_some_and(|e| e.may_have_been_carried_out())
            }
            _ => false,
        }
    }

    /// Wraps a reqwest error. A connection that could not be made counts as `Connect` even when
    /// it timed out, since the request never left. The URL is dropped from the error: its
    /// query string may hold values that must not be printed.
    pub(crate) fn transport(source: reqwest::Error) -> Self {
        let source = source.without_url();
        let kind = if source.is_connect() {
            TransportErrorKind::Connect
        } else if source.is_timeout() {
            TransportErrorKind::Timeout
        } else if source.is_body() || source.is_decode() {
            TransportErrorKind::Body
        } else if source.is_builder() || source.is_redirect() {
            TransportErrorKind::Request
        } else {
            TransportErrorKind::Other
        };
        Error::Transport { kind, source }
    }
}

/// The broad cause of an [`Error::Transport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made; the request was never sent.
    Connect,
    /// The attempt took longer than its timeout.
    Timeout,
    /// The connection failed while the body was being sent or read.
    Body,
    /// The request could not be built or a redirect was refused.
    Request,
    /// Any other failure of the connection.
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "connect",
            TransportErrorKind::Timeout => "timeout",
            TransportErrorKind::Body => "body",
            TransportErrorKind::Request => "request",
            TransportErrorKind::Other => "connection",
        })
    }
}

/// A value refused before sending, saying which value and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidInput {
    /// The instance name is empty or only white space.
    #[error("the instance name is empty")]
    EmptyName,
    /// The element key is empty or only white space.
    #[error("the element key is empty")]
    EmptyElementKey,
    /// A configuration key is empty or only white space.
    #[error("a configuration key is empty")]
    EmptyConfigKey,
    /// A URL that must be `http` or `https` has another scheme.
    #[error("{field} must be an http or https URL, not `{scheme}:`")]
    UrlScheme {
        /// Which value, such as `event.notification.callback.url`.
        field: String,
        /// The scheme that was given.
        scheme: String,
    },
    /// A URL could not be parsed.
    #[error("{field} is not a valid URL: {reason}")]
    Url {
        /// Which value, such as `base URL`.
        field: &'static str,
        /// Why it could not be parsed.
        reason: String,
    },
    /// A plain `http://` base URL to a host that is not loopback, without the explicit opt-in.
    #[error("refusing plain http to {host}: secrets would cross the network unencrypted")]
    InsecureBaseUrl {
        /// The host of the refused URL.
        host: String,
    },
    /// A secret is empty.
    #[error("the {which} is empty")]
    EmptySecret {
        /// Which secret, such as `user secret`.
        which: &'static str,
    },
    /// A secret holds a character that cannot go into an HTTP header.
    #[error("the {which} contains a control character or a character not allowed in a header")]
    SecretCharacters {
        /// Which secret, such as `user secret`.
        which: &'static str,
    },
    /// A path segment that is empty, `.` or `..`: URL building drops or resolves such a
    /// segment, so the call would go to another path (`DELETE /hubs/general/defects/..` would
    /// become `DELETE /hubs/general`).
    #[error("the {which} `{segment}` cannot go into a path: it would change the path called")]
    PathSegment {
        /// Which value, such as `hub` or `path segment`.
        which: &'static str,
        /// The refused segment: empty, `.` or `..`.
        segment: String,
    },
    /// An environment variable that `Client::from_env` needs is not set.
    #[error("the environment variable {0} is not set")]
    MissingEnv(&'static str),
    /// A value is outside what the platform accepts.
    #[error("{field}: {reason}")]
    Value {
        /// Which value.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Required configuration entries missing from a create request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MissingConfiguration {
    /// The missing entries, in the element's definition order where it is known.
    pub entries: Vec<MissingEntry>,
    /// The element the request was for, when known.
    pub element: Option<String>,
    /// `None` when found before sending; the platform's status when it answered.
    pub status: Option<u16>,
    /// The platform's request id, when the platform reported it.
    pub request_id: Option<String>,
    /// The platform's own message, when it answered, with secrets and line breaks scrubbed.
    pub message: Option<String>,
}

impl MissingConfiguration {
    /// The keys of the missing entries, such as `api.key`.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }
}

impl fmt::Display for MissingConfiguration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("missing required configuration")?;
        if let Some(element) = &self.element {
            write!(f, " for element {element}")?;
        }
        for (i, entry) in self.entries.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { ", " })?;
            write!(f, "{entry}")?;
        }
        match self.status {
            Some(status) => write!(f, " (status {status})"),
            None => Ok(()),
        }
    }
}

/// One missing configuration entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MissingEntry {
    /// The configuration key, such as `api.key`.
    pub key: String,
    /// The display name from the element's definitions, such as `API Key`, when known.
    pub name: Option<String>,
}

impl MissingEntry {
    /// An entry with a key and, optionally, a display name.
    pub fn new(key: impl Into<String>, name: Option<String>) -> Self {
        MissingEntry {
            key: key.into(),
            name,
        }
    }
}

impl fmt::Display for MissingEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{} ({name})", self.key),
            None => f.write_str(&self.key),
        }
    }
}

/// An error status from the platform, with everything it said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The status in broad terms.
    pub kind: ApiErrorKind,
    /// The platform's `message`, or a short scrubbed excerpt when the body was not its JSON.
    pub message: Option<String>,
    /// The platform's `requestId` (from the body, else the `Elements-Request-Id` header).
    pub request_id: Option<String>,
    /// The vendor's own words, relayed by the platform as `providerMessage`.
    pub provider_message: Option<String>,
    /// How long the platform asked the caller to wait, from `Retry-After`.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (status {})", self.kind, self.status)?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(provider) = &self.provider_message {
            write!(f, " (provider: {provider})")?;
        }
        Ok(())
    }
}

/// The broad meaning of an error status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// `400`: the platform or the vendor refused the request.
    BadRequest,
    /// `401`: wrong user or organization secret, or an invalid or deleted instance token.
    Unauthorized,
    /// `403`: the vendor forbids it, the instance is disabled, or another account's resource.
    Forbidden,
    /// `404`: no such resource (also a search that matches nothing on some lists).
    NotFound,
    /// `409`: what is being created already exists.
    Conflict,
    /// `429`: too many requests.
    RateLimited,
    /// `5xx`: the platform or the vendor failed.
    Server,
    /// Any other error status.
    Other,
}

impl ApiErrorKind {
    /// The kind of an HTTP status.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => ApiErrorKind::BadRequest,
            401 => ApiErrorKind::Unauthorized,
            403 => ApiErrorKind::Forbidden,
            404 => ApiErrorKind::NotFound,
            409 => ApiErrorKind::Conflict,
            429 => ApiErrorKind::RateLimited,
            500..=599 => ApiErrorKind::Server,
            _ => ApiErrorKind::Other,
        }
    }
}

impl fmt::Display for ApiErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApiErrorKind::BadRequest => "bad request",
            ApiErrorKind::Unauthorized => "unauthorized",
            ApiErrorKind::Forbidden => "forbidden",
            ApiErrorKind::NotFound => "not found",
            ApiErrorKind::Conflict => "conflict",
            ApiErrorKind::RateLimited => "rate limited",
            ApiErrorKind::Server => "server error",
            ApiErrorKind::Other => "unexpected status",
        })
    }
}

/// A success answer whose body could not be decoded into the expected type.
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the answer.
    pub status: u16,
    /// The JSON path where decoding failed, such as `configuration.api.key` or `[3].id`.
    pub path: String,
    /// A short excerpt of the body, with secret-looking values scrubbed.
    pub excerpt: String,
    /// The platform's request id, when the headers carried one.
    pub request_id: Option<String>,
    /// The decoder's own error.
    pub source: serde_json::Error,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the response (status {}) at `{}`: {}",
            self.status, self.path, self.excerpt
        )
    }
}

/// Written by hand: the decoder's message may quote a value from the body, so it is scrubbed.
impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("status", &self.status)
            .field("path", &self.path)
            .field("excerpt", &self.excerpt)
            .field("request_id", &self.request_id)
            .field("source", &crate::scrub::text(&self.source.to_string()))
            .finish()
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
