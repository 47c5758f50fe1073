//! OAuth provisioning: the vendor's authorization URL, the redirect back, and the create.
//!
//! An OAuth 2 instance is made in three steps. The application asks the platform for the
//! vendor's authorization URL ([`Elements::oauth_url`](crate::Elements::oauth_url)), sends
//! the user there, and on the vendor's redirect to the callback URL creates the instance with
//! the `code` it carried. The same API key, secret and callback URL must be used in the first
//! and last steps; [`OAuthApp`] holds them once so they cannot differ.
//!
//! The API secret travels in a JSON body (`POST /elements/{keyOrId}/oauth/url`), never in a
//! URL, unless the caller picks the `GET` form on purpose.

mod callback;

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

pub use callback::{OAuthCallback, OAuthError, OAuthState};

use crate::configuration::{Configuration, keys};
use crate::element::Element;
use crate::error::{InvalidInput, Result};
use crate::instances::{NewInstance, NewInstanceBuilder, ProviderData};
use crate::scrub::MASK;

/// An application registered at a vendor: its API key and secret and its callback URL.
///
/// ```
/// use open_connectors::{Element, OAuthApp, ProviderData};
///
/// let callback = "https://app.example.com/oauth".parse()?;
/// let app = OAuthApp::new("client id", "client secret", callback)?;
/// let url_request = app.url_request().scope("files.read");
/// // ... the user comes back with a code ...
/// let request = app
///     .instance(Element::key("dropbox"), "my dropbox", ProviderData::code("the code"))
///     .build()?;
/// assert!(request.configuration().contains_key("oauth.callback.url"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct OAuthApp {
    api_key: SecretString,
    api_secret: SecretString,
    callback_url: Url,
}

impl OAuthApp {
    /// An application with its key, secret and callback URL.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) when the callback URL is not `http`
    /// or `https`, or the key or secret is empty.
    pub fn new(
        api_key: impl Into<String>,
        api_secret: impl Into<String>,
        callback_url: Url,
    ) -> Result<Self> {
        if !matches!(callback_url.scheme(), "http" | "https") {
            return Err(InvalidInput::UrlScheme {
                field: keys::OAUTH_CALLBACK_URL.to_owned(),
                scheme: callback_url.scheme().to_owned(),
            }
            .into());
        }
        let app = OAuthApp {
            api_key: SecretString::from(api_key.into()),
            api_secret: SecretString::from(api_secret.into()),
            callback_url,
        };
        app.check_not_empty()?;
        Ok(app)
    }

    fn check_not_empty(&self) -> Result<(), InvalidInput> {
        if self.api_key.expose_secret().trim().is_empty() {
            return Err(InvalidInput::EmptySecret {
                which: "OAuth API key",
            });
        }
        if self.api_secret.expose_secret().trim().is_empty() {
            return Err(InvalidInput::EmptySecret {
                which: "OAuth API secret",
            });
        }
        Ok(())
    }

    /// The callback URL the vendor redirects to.
    pub fn callback_url(&self) -> &Url {
        &self.callback_url
    }

    /// A request for the vendor's authorization URL, to refine with scope and state.
    pub fn url_request(&self) -> OAuthUrlRequest {
        OAuthUrlRequest {
            app: self.clone(),
            scope: None,
            state: None,
            site_address: None,
            request_token: None,
        }
    }

    /// The configuration entries the create needs: `oauth.api.key` and `oauth.api.secret`
    /// (secrets) and `oauth.callback.url`. Add the element's own keys to it.
    pub fn configuration(&self) -> Configuration {
        Configuration::new()
            .set_secret(keys::OAUTH_API_KEY, self.api_key.expose_secret())
            .set_secret(keys::OAUTH_API_SECRET, self.api_secret.expose_secret())
            .set(keys::OAUTH_CALLBACK_URL, self.callback_url.as_str())
    }

    /// A create request with this application's configuration and the provider data from the
    /// redirect. A later [`configuration`](NewInstanceBuilder::configuration) call replaces
    /// the whole map, so start it from [`OAuthApp::configuration`].
    pub fn instance(
        &self,
        element: Element,
        name: impl Into<String>,
        provider_data: ProviderData,
    ) -> NewInstanceBuilder {
        NewInstance::builder(element, name)
            .configuration(self.configuration())
            .provider_data(provider_data)
    }

    /// The key and secret, to be cut out of any error text that echoes them.
    pub(crate) fn secrets(&self) -> [SecretString; 2] {
        [self.api_key.clone(), self.api_secret.clone()]
    }

    /// The query of the `GET` forms, which carry the key and secret in the URL.
    pub(crate) fn query_pairs(&self) -> [(&'static str, String); 3] {
        [
            ("apiKey", self.api_key.expose_secret().to_owned()),
            ("apiSecret", self.api_secret.expose_secret().to_owned()),
            ("callbackUrl", self.callback_url.to_string()),
        ]
    }
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("api_key", &MASK)
            .field("api_secret", &MASK)
            .field("callback_url", &self.callback_url.as_str())
            .finish()
    }
}

/// The body of `POST /elements/{keyOrId}/oauth/url`: the application plus optional scope,
/// state, site address and (OAuth 1) request token.
#[derive(Clone)]
pub struct OAuthUrlRequest {
    app: OAuthApp,
    scope: Option<String>,
    state: Option<String>,
    site_address: Option<String>,
    request_token: Option<String>,
}

impl OAuthUrlRequest {
    /// The scopes to ask for, in the vendor's own syntax.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The state the vendor must send back. Without one the platform uses the element key,
    /// which anyone can guess: pass an [`OAuthState`].
    pub fn state(mut self, state: &OAuthState) -> Self {
        self.state = Some(state.as_str().to_owned());
        self
    }

    /// The vendor site, for vendors with one site per customer.
    pub fn site_address(mut self, address: impl Into<String>) -> Self {
        self.site_address = Some(address.into());
        self
    }

    /// The OAuth 1 request token, from
    /// [`Elements::oauth_request_token`](crate::Elements::oauth_request_token).
    pub fn request_token(mut self, token: &OAuthRequestToken) -> Self {
        self.request_token = Some(token.token.clone());
        self
    }

    /// The optional parts that are set, by their query and body names.
    pub(crate) fn options(&self) -> Vec<(&'static str, &str)> {
        [
            ("scope", &self.scope),
            ("state", &self.state),
            ("siteAddress", &self.site_address),
            ("requestToken", &self.request_token),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
        .collect()
    }

    /// The application.
    pub(crate) fn app(&self) -> &OAuthApp {
        &self.app
    }
}

impl Serialize for OAuthUrlRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let options = self.options();
        let mut map = serializer.serialize_map(Some(3 + options.len()))?;
        for (name, value) in self.app.query_pairs() {
            map.serialize_entry(name, &value)?;
        }
        for (name, value) in options {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl fmt::Debug for OAuthUrlRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthUrlRequest")
            .field("app", &self.app)
            .field("scope", &self.scope)
            .field("state", &self.state.as_ref().map(|_| MASK))
            .field("site_address", &self.site_address)
            .finish_non_exhaustive()
    }
}

/// The platform's answer with the vendor's authorization URL.
///
/// `Debug` shows the URL without its query, which holds the client id and the state.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OAuthUrl {
    /// Where to send the user to authorize the application.
    pub oauth_url: String,
    /// The element key, as the platform echoes it.
    #[serde(default, deserialize_with = "crate::lenient::opt_string")]
    pub element: Option<String>,
    /// Every other field, as returned.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl fmt::Debug for OAuthUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let without_query = self.oauth_url.split(['?', '#']).next().unwrap_or_default();
        f.debug_struct("OAuthUrl")
            .field("oauth_url", &format_args!("{without_query}?{MASK}"))
            .field("element", &self.element)
            .finish_non_exhaustive()
    }
}

/// An OAuth 1 request token and its secret (`GET /elements/{keyOrId}/oauth/token`).
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct OAuthRequestToken {
    /// The request token, which the vendor's redirect names again as `oauth_token`.
    pub token: String,
    /// The token's secret, needed for the create. Never printed.
    pub secret: SecretString,
}

impl OAuthRequestToken {
    /// Checks the vendor's OAuth 1 redirect and makes the create's provider data:
    /// `oauth_token`, `oauth_verifier` and `secret`.
    ///
    /// # Errors
    ///
    /// [`Error::OAuth`](crate::Error::OAuth) when the vendor refused, the redirect names
    /// another token, or the verifier is missing.
    pub fn provider_data(&self, callback: &OAuthCallback) -> Result<ProviderData> {
        let verifier = callback.oauth1_verifier(&self.token)?;
        Ok(ProviderData::oauth1(
            &self.token,
            verifier,
            self.secret.expose_secret(),
        ))
    }
}

impl fmt::Debug for OAuthRequestToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthRequestToken")
            .field("token", &self.token)
            .field("secret", &MASK)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app() -> Result<OAuthApp> {
        let url = Url::parse("https://app.example.com/cb").map_err(|e| InvalidInput::Url {
            field: "test",
            reason: e.to_string(),
        })?;
        OAuthApp::new("key-1", "secret-2", url)
    }

    #[test]
    fn a_fully_set_url_request_serializes_as_the_platform_expects()
    -> Result<(), Box<dyn std::error::Error>> {
        let state = OAuthState::from_stored("st");
        let request = app()?
            .url_request()
            .scope("read")
            .state(&state)
            .site_address("eu");

        let value = serde_json::to_value(&request)?;

        assert_eq!(
            value,
            json!({"apiKey": "key-1", "apiSecret": "secret-2",
                "callbackUrl": "https://app.example.com/cb",
                "scope": "read", "state": "st", "siteAddress": "eu"})
        );
        Ok(())
    }

    #[test]
    fn the_create_uses_the_same_callback_url_as_the_url_request() -> Result<()> {
        let app = app()?;

        let configuration = app.configuration();
        let pairs = app.query_pairs();

        let callback = configuration.get(keys::OAUTH_CALLBACK_URL);
        let callback = callback.and_then(|v| v.as_plain_str());
        assert_eq!(callback.as_deref(), Some(pairs[2].1.as_str()));
        Ok(())
    }

    #[test]
    fn nothing_secret_is_printed() -> Result<()> {
        let app = app()?;
        let token: OAuthRequestToken =
            serde_json::from_str(r#"{"token":"t","secret":"token-secret-3"}"#).map_err(|e| {
                InvalidInput::Value {
                    field: "test",
                    reason: e.to_string(),
                }
            })?;

        let printed = format!("{app:?} {:?} {token:?}", app.url_request());

        for secret in ["key-1", "secret-2", "token-secret-3"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        Ok(())
    }

    #[test]
    fn the_authorization_url_prints_without_its_query() -> serde_json::Result<()> {
        let json = r#"{"oauthUrl":"https://vendor.example/auth?client_id=key-1&state=s-2"}"#;

        let url: OAuthUrl = serde_json::from_str(json)?;

        let printed = format!("{url:?}");
        assert!(printed.contains("https://vendor.example/auth"), "{printed}");
        assert!(
            !printed.contains("key-1") && !printed.contains("s-2"),
            "{printed}"
        );
        Ok(())
    }

    #[test]
    fn non_http_callbacks_are_refused() -> std::result::Result<(), url::ParseError> {
        let url = Url::parse("ftp://app.example.com/cb")?;

        assert!(OAuthApp::new("k", "s", url).is_err());
        Ok(())
    }
}
