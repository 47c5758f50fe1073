//! The client: one per platform account, cheap to clone, safe to share between tasks.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::auth::{Credentials, OrganizationSecret, UserSecret};
use crate::elements::{ElementRequirements, Elements};
use crate::error::{Error, InvalidInput, Result};
use crate::instances::Instances;
use crate::retry::RetryPolicy;
use crate::scrub::Redactor;
use crate::transport::{CallOptions, Request, Response, Transport, default_http_client};

/// The path every platform and hub call sits under.
pub const API_PATH: &str = "/elements/api-v2";

/// The environment variable [`Client::from_env`] reads the base URL from.
pub const ENV_BASE_URL: &str = "OPEN_CONNECTORS_BASE_URL";
/// The environment variable [`Client::from_env`] reads the user secret from.
pub const ENV_USER_SECRET: &str = "OPEN_CONNECTORS_USER_SECRET";
/// The environment variable [`Client::from_env`] reads the organization secret from.
pub const ENV_ORGANIZATION_SECRET: &str = "OPEN_CONNECTORS_ORGANIZATION_SECRET";

/// Default time to set up a connection (TCP and TLS). A connection that cannot be made in
/// time was never used, so even a create is retried after it.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for one attempt of an ordinary call, reading the whole answer included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time for one attempt of a call that creates or re-authenticates an instance: the
/// platform calls the vendor while provisioning, which can take well over the 30–60 s an
/// ordinary vendor call may need.
pub const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(120);
/// Default total time for one call, retries and pauses included. A create or
/// re-authentication may use its whole create timeout even when that is longer.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(90);
/// Default largest response body the client reads, in bytes (32 MiB). The platform's largest
/// documented answers (instance lists, element definitions) are a small fraction of this.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 32 * 1024 * 1024;

/// A client for one platform account.
///
/// Build it with [`Client::builder`] or [`Client::from_env`]. Cloning is cheap (one reference
/// count); clones share connections and caches.
///
/// ```no_run
/// # async fn run() -> Result<(), open_connectors::Error> {
/// use open_connectors::{Client, hosts};
///
/// let client = Client::builder()
///     .base_url(hosts::OPEN_CONNECTORS_US2)
///     .user_secret("user secret")
///     .organization_secret("organization secret")
///     .build()?;
/// let page = client.instances().list().await?;
/// println!("{} instances", page.items.len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    options: CallOptions,
}

struct Shared {
    transport: Transport,
    credentials: Credentials,
    validate_before_create: bool,
    /// Each element's requirements, fetched once: they change only when the element does.
    requirements: Mutex<HashMap<String, Arc<ElementRequirements>>>,
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds a client from `OPEN_CONNECTORS_BASE_URL`, `OPEN_CONNECTORS_USER_SECRET` and
    /// `OPEN_CONNECTORS_ORGANIZATION_SECRET`. Nothing else in the crate reads the environment.
    ///
    /// # Errors
    ///
    /// [`InvalidInput::MissingEnv`] names the first variable that is not set; otherwise as
    /// [`ClientBuilder::build`].
    pub fn from_env() -> Result<Client> {
        let read = |name: &'static str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or(Error::InvalidInput(InvalidInput::MissingEnv(name)))
        };
        Client::builder()
            .base_url(read(ENV_BASE_URL)?)
            .user_secret(read(ENV_USER_SECRET)?)
            .organization_secret(read(ENV_ORGANIZATION_SECRET)?)
            .build()
    }

    /// The normalised base URL, ending in `/elements/api-v2`.
    pub fn base_url(&self) -> &Url {
        &self.shared.transport.base
    }

    /// The instance API: create, read, change and delete connector instances.
    pub fn instances(&self) -> Instances<'_> {
        Instances::new(self)
    }

    /// The element API: the catalogue, configuration definitions, metadata and OAuth.
    pub fn elements(&self) -> Elements<'_> {
        Elements::new(self)
    }

    /// A clone of this client whose calls use another retry policy. The clone shares the
    /// connection pool; only the per-call settings differ.
    ///
    /// ```
    /// # fn run(client: &open_connectors::Client) {
    /// use open_connectors::RetryPolicy;
    ///
    /// let no_retries = client.with_retry_policy(RetryPolicy::none());
    /// # }
    /// ```
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Client {
        let mut client = self.clone();
        client.options.retry = policy;
        client
    }

    /// A clone of this client whose calls use another per-attempt timeout (creates included).
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        let mut client = self.clone();
        client.options.timeout = timeout;
        client.options.create_timeout = timeout;
        client
    }

    /// A clone of this client whose calls use another total deadline, retries included.
    pub fn with_deadline(&self, deadline: Duration) -> Client {
        let mut client = self.clone();
        client.options.deadline = deadline;
        client
    }

    pub(crate) async fn send(&self, request: Request) -> Result<Response> {
        self.shared.transport.send(request, &self.options).await
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    /// Whether [`Instances::create`] checks a request against its element first.
    pub(crate) fn validates_before_create(&self) -> bool {
        self.shared.validate_before_create
    }

    /// The cache of element requirements, keyed by element key or id.
    pub(crate) fn requirements_cache(&self) -> &Mutex<HashMap<String, Arc<ElementRequirements>>> {
        &self.shared.requirements
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.shared.transport.base.as_str())
            .field("credentials", &self.shared.credentials)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]. The base URL and both secrets are required.
#[derive(Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    user: Option<UserSecret>,
    organization: Option<OrganizationSecret>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    create_timeout: Option<Duration>,
    deadline: Option<Duration>,
    retry: Option<RetryPolicy>,
    max_body: Option<usize>,
    http: Option<reqwest::Client>,
    allow_insecure_http: bool,
    skip_validation: bool,
}

impl ClientBuilder {
    /// The platform's base URL, such as one of [`hosts`](crate::hosts). A trailing slash or a
    /// missing `/elements/api-v2` is added or removed as needed.
    ///
    /// A loopback base URL (`localhost`, `127.0.0.0/8`, `::1`) is reached directly: the
    /// default HTTP client then ignores any proxy set in the environment (`HTTP_PROXY` and
    /// the like), which could not reach this machine's loopback anyway and would otherwise
    /// see the secrets. A client given with [`http_client`](Self::http_client) keeps its own
    /// proxy settings.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The account's user secret.
    pub fn user_secret(mut self, secret: impl Into<UserSecret>) -> Self {
        self.user = Some(secret.into());
        self
    }

    /// The account's organization secret.
    pub fn organization_secret(mut self, secret: impl Into<OrganizationSecret>) -> Self {
        self.organization = Some(secret.into());
        self
    }

    /// Both secrets at once.
    pub fn credentials(self, credentials: Credentials) -> Self {
        self.user_secret(credentials.user().clone())
            .organization_secret(credentials.organization().clone())
    }

    /// Time to set up a connection ([`DEFAULT_CONNECT_TIMEOUT`]). Ignored with
    /// [`http_client`](Self::http_client), whose own setting applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time for one attempt of an ordinary call ([`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time for one attempt of a create or re-authentication ([`DEFAULT_CREATE_TIMEOUT`]).
    pub fn create_timeout(mut self, timeout: Duration) -> Self {
        self.create_timeout = Some(timeout);
        self
    }

    /// Total time for one call, retries included ([`DEFAULT_DEADLINE`]). A create may always
    /// use its full create timeout.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// How failed calls are retried ([`RetryPolicy::default`]; [`RetryPolicy::none`] to stop).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The largest response body read, in bytes ([`DEFAULT_MAX_RESPONSE_BODY`]); a larger one
    /// fails with [`Error::BodyTooLarge`] as soon as it passes the limit (or at once when its
    /// `Content-Length` announces more), whether it is sent chunked or not.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_body = Some(bytes);
        self
    }

    /// Uses this reqwest client, for its proxy, TLS or pool settings. Its own redirect policy
    /// then applies: keep reqwest's default or stricter, which never forwards `Authorization`
    /// to another host.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Allows a plain `http://` base URL to a host that is not loopback. Off by default: the
    /// secrets would cross the network unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Whether [`Instances::create`] first checks a request against its element's
    /// configuration definitions and authentication type (on by default).
    ///
    /// The check costs one or two `GET`s per element (the element, then its configuration when
    /// the element does not embed it), once per client: the answers are cached. Each is a call
    /// of its own, with its own timeout and deadline, before the create's.
    /// A request that lacks a required entry then fails with
    /// [`Error::MissingConfiguration`] without being sent. Off, every request goes straight to
    /// the platform, which names missing entries itself.
    pub fn validate_before_create(mut self, validate: bool) -> Self {
        self.skip_validation = !validate;
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a missing or unparsable base URL, a scheme other than
    /// `http`/`https`, plain `http` to a remote host without
    /// [`allow_insecure_http`](Self::allow_insecure_http), a missing secret, or a secret that
    /// cannot travel in a header; [`Error::Transport`] if the HTTP client cannot be set up.
    pub fn build(self) -> Result<Client> {
        let base = normalize_base_url(self.base_url.as_deref())?;
        check_transport_security(&base, self.allow_insecure_http)?;
        let user = self.user.ok_or(InvalidInput::EmptySecret {
            which: "user secret",
        })?;
        let organization = self.organization.ok_or(InvalidInput::EmptySecret {
            which: "organization secret",
        })?;
        let credentials = Credentials::new(user, organization);
        let authorization = credentials.platform_header()?;
        let http = match self.http {
            Some(http) => http,
            None => default_http_client(
                self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
                is_loopback(&base),
            )?,
        };
        let options = CallOptions {
            retry: self.retry.unwrap_or_default(),
            timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
            create_timeout: self.create_timeout.unwrap_or(DEFAULT_CREATE_TIMEOUT),
            deadline: self.deadline.unwrap_or(DEFAULT_DEADLINE),
        };
        let mut secrets = Redactor::default();
        secrets.extend([
            SecretString::from(credentials.user().expose_secret().to_owned()),
            SecretString::from(credentials.organization().expose_secret().to_owned()),
        ]);
        let transport = Transport {
            http,
            base,
            authorization,
            max_body: self.max_body.unwrap_or(DEFAULT_MAX_RESPONSE_BODY),
            secrets,
        };
        let shared = Arc::new(Shared {
            transport,
            credentials,
            validate_before_create: !self.skip_validation,
            requirements: Mutex::default(),
        });
        Ok(Client { shared, options })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base_url = self.base_url.as_deref().map(printable_url);
        f.debug_struct("ClientBuilder")
            .field("base_url", &base_url)
            .field("user", &self.user)
            .field("organization", &self.organization)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// A base URL as `Debug` may show it: without user name, password, query or fragment, which
/// could hold secrets; an unparsable one is not shown at all.
fn printable_url(raw: &str) -> String {
    let Ok(mut url) = Url::parse(raw.trim()) else {
        return "<unparsable>".to_owned();
    };
    // Both fail only for URLs that cannot have credentials, which is fine.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}

/// Parses the base URL and makes its path end in exactly `/elements/api-v2`.
fn normalize_base_url(raw: Option<&str>) -> Result<Url, InvalidInput> {
    let raw = raw.ok_or(InvalidInput::Url {
        field: "base URL",
        reason: "it is not set".to_owned(),
    })?;
    let mut url = Url::parse(raw.trim()).map_err(|e| InvalidInput::Url {
        field: "base URL",
        reason: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(InvalidInput::UrlScheme {
            field: "base URL".to_owned(),
            scheme: url.scheme().to_owned(),
        });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(InvalidInput::Url {
            field: "base URL",
            reason: "it must not hold a user name or password; secrets go in the header".to_owned(),
        });
    }
    let path = url.path().trim_end_matches('/').to_owned();
    let path = if path.ends_with(API_PATH) {
        path
    } else if path.ends_with("/elements") {
        format!("{path}/api-v2")
    } else {
        format!("{path}{API_PATH}")
    };
    url.set_path(&path);
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

fn check_transport_security(url: &Url, allow_insecure: bool) -> Result<(), InvalidInput> {
    if url.scheme() == "https" || allow_insecure || is_loopback(url) {
        return Ok(());
    }
    Err(InvalidInput::InsecureBaseUrl {
        host: url.host_str().unwrap_or_default().to_owned(),
    })
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(raw: &str) -> String {
        normalize_base_url(Some(raw))
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn base_url_is_normalised_to_the_api_path() {
        let expected = "https://api.example.com/elements/api-v2";

        for raw in [
            "https://api.example.com",
            "https://api.example.com/",
            "https://api.example.com/elements",
            "https://api.example.com/elements/api-v2",
            "https://api.example.com/elements/api-v2/",
            " https://api.example.com/elements/api-v2?x=1#f ",
        ] {
            assert_eq!(normalized(raw), expected, "{raw}");
        }
    }

    #[test]
    fn unparsable_or_non_http_base_urls_are_refused() {
        for raw in [
            "not a url",
            "ftp://api.example.com",
            "mailto:a@b.c",
            "",
            "https://user:pass@api.example.com",
        ] {
            assert!(normalized(raw).starts_with("error"), "{raw}");
        }
    }

    #[test]
    fn plain_http_is_refused_for_remote_hosts_only() {
        let remote = normalize_base_url(Some("http://api.example.com")).expect("url");
        let local = normalize_base_url(Some("http://127.0.0.1:8080")).expect("url");

        assert!(check_transport_security(&remote, false).is_err());
        assert!(check_transport_security(&remote, true).is_ok());
        assert!(check_transport_security(&local, false).is_ok());
    }

    #[test]
    fn missing_secret_is_named() {
        let result = Client::builder()
            .base_url("http://127.0.0.1:1")
            .user_secret("u")
            .build();

        let err = result.expect_err("organization secret missing");
        assert!(err.to_string().contains("organization secret"), "{err}");
    }
}
