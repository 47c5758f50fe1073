//! What a create request must carry for a given element, checked before it is sent.

use secrecy::ExposeSecret;

use crate::configuration::{ConfigValue, Configuration};
use crate::element::ElementDetails;
use crate::elements::ConfigDefinition;
use crate::error::{Error, MissingConfiguration, MissingEntry, Result};
use crate::instances::{ExternalAuthentication, NewInstance};

/// The configuration keys the OAuth flow fills in itself, which a caller never supplies.
const OAUTH_USER_PREFIX: &str = "oauth.user.";

/// The configuration keys only an OAuth create needs.
const OAUTH_PREFIX: &str = "oauth.";

/// The configuration key that picks one of an element's several authentication types.
const AUTHENTICATION_TYPE: &str = "authentication.type";

/// The OAuth version an element authenticates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthVersion {
    /// OAuth 1: a request token first, then `oauth_token`, `oauth_verifier` and `secret`.
    OAuth1,
    /// OAuth 2: an authorization `code`.
    OAuth2,
}

impl OAuthVersion {
    /// The name an element gives this version in `authentication.type`.
    fn auth_type(self) -> &'static str {
        match self {
            OAuthVersion::OAuth1 => "oauth1",
            OAuthVersion::OAuth2 => "oauth2",
        }
    }

    /// The provider data keys a create needs, with a name for people.
    fn provider_keys(self) -> &'static [(&'static str, &'static str)] {
        match self {
            OAuthVersion::OAuth2 => &[("code", "OAuth authorization code")],
            OAuthVersion::OAuth1 => &[
                ("oauth_token", "OAuth 1 request token"),
                ("oauth_verifier", "OAuth 1 verifier"),
                ("secret", "OAuth 1 request token secret"),
            ],
        }
    }
}

/// What a create request for one element must carry: its configuration definitions and, for an
/// OAuth element, the OAuth version.
///
/// [`Client::elements`](crate::Client::elements) fetches and caches these
/// ([`Elements::requirements`](crate::Elements::requirements)); they can also be made by hand.
///
/// A configuration key must be supplied when it is required, not internal, has no default
/// value and is not one the OAuth flow fills in (`oauth.user.*`). An OAuth element also needs
/// provider data (a `code` for OAuth 2), unless the request uses
/// [`ExternalAuthentication::Initial`]; a missing provider value is reported as an entry named
/// `providerData.<key>`, such as `providerData.code`.
///
/// An element with several authentication types takes the one a request uses in the
/// configuration entry `authentication.type`. When a request picks a type other than the
/// element's default, neither provider data nor the `oauth.*` entries are required.
///
/// ```
/// use open_connectors::{ConfigDefinition, Element, ElementRequirements, Error, NewInstance};
///
/// let requirements = ElementRequirements::new(vec![
///     ConfigDefinition::new("api.key").name("API Key").required(true),
/// ]);
/// let request = NewInstance::builder(Element::key("caagilecentral"), "instance1").build()?;
///
/// let Err(Error::MissingConfiguration(missing)) = requirements.check(&request) else {
///     panic!("api.key is required");
/// };
/// assert_eq!(
///     missing.to_string(),
///     "missing required configuration for element caagilecentral: api.key (API Key)"
/// );
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ElementRequirements {
    definitions: Vec<ConfigDefinition>,
    oauth: Option<OAuthVersion>,
    /// The element's default authentication type, lowercase, when the element said it.
    auth_type: Option<String>,
}

impl ElementRequirements {
    /// Requirements from configuration definitions alone (an element without OAuth).
    pub fn new(definitions: Vec<ConfigDefinition>) -> Self {
        ElementRequirements {
            definitions,
            oauth: None,
            auth_type: None,
        }
    }

    /// Requirements from an element as returned and its configuration definitions.
    pub fn from_element(element: &ElementDetails, definitions: Vec<ConfigDefinition>) -> Self {
        let mut requirements = ElementRequirements::new(definitions).oauth(oauth_version(element));
        requirements.auth_type = element.auth_type().map(str::to_ascii_lowercase);
        requirements
    }

    /// Sets the element's OAuth version (`None` for an element without OAuth).
    pub fn oauth(mut self, version: Option<OAuthVersion>) -> Self {
        self.oauth = version;
        self
    }

    /// The configuration definitions.
    pub fn definitions(&self) -> &[ConfigDefinition] {
        &self.definitions
    }

    /// The element's OAuth version, if it uses OAuth.
    pub fn oauth_version(&self) -> Option<OAuthVersion> {
        self.oauth
    }

    /// The definitions whose keys a caller must supply, in display order.
    pub fn caller_supplied(&self) -> impl Iterator<Item = &ConfigDefinition> {
        self.definitions.iter().filter(|d| must_supply(d))
    }

    /// The entries a request lacks; empty when it has everything.
    pub fn missing(&self, request: &NewInstance) -> Vec<MissingEntry> {
        let configuration = request.configuration();
        let other_auth = self.uses_other_auth_type(request);
        let mut definitions: Vec<&ConfigDefinition> = self
            .caller_supplied()
            .filter(|d| !(other_auth && d.key.starts_with(OAUTH_PREFIX)))
            .filter(|d| !is_filled(configuration, &d.key))
            .collect();
        definitions.sort_by_key(|d| d.display_order.unwrap_or(u64::MAX));
        let mut entries: Vec<MissingEntry> = definitions
            .into_iter()
            .map(|d| MissingEntry::new(d.key.clone(), d.name.clone()))
            .collect();
        entries.extend(self.missing_provider_data(request));
        entries
    }

    /// Checks a request against these requirements.
    ///
    /// # Errors
    ///
    /// [`Error::MissingConfiguration`] listing every missing entry with its display name, the
    /// same variant the platform's `400` becomes, with no status or request id.
    pub fn check(&self, request: &NewInstance) -> Result<()> {
        let entries = self.missing(request);
        if entries.is_empty() {
            return Ok(());
        }
        Err(Error::MissingConfiguration(MissingConfiguration {
            entries,
            element: Some(request.element().to_string()),
            status: None,
            request_id: None,
            message: None,
        }))
    }

    /// Whether the request picks an authentication type other than the element's default.
    fn uses_other_auth_type(&self, request: &NewInstance) -> bool {
        let chosen = request
            .configuration()
            .get(AUTHENTICATION_TYPE)
            .and_then(ConfigValue::as_plain_str)
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty());
        let default = self
            .auth_type
            .as_deref()
            .or(self.oauth.map(OAuthVersion::auth_type));
        chosen.is_some_and(|chosen| Some(chosen.as_str()) != default)
    }

    fn missing_provider_data(&self, request: &NewInstance) -> Vec<MissingEntry> {
        if self.uses_other_auth_type(request) {
            return Vec::new();
        }
        let external = request.external_authentication() == Some(ExternalAuthentication::Initial);
        let Some(version) = self.oauth.filter(|_| !external) else {
            return Vec::new();
        };
        let has = |key: &str| request.provider_data().is_some_and(|p| p.contains_key(key));
        version
            .provider_keys()
            .iter()
            .filter(|(key, _)| !has(key))
            .map(|(key, name)| {
                MissingEntry::new(format!("providerData.{key}"), Some(name.to_string()))
            })
            .collect()
    }
}

/// Required, the caller's (not internal), without a default, not filled by the OAuth flow,
/// and not switched off.
fn must_supply(definition: &ConfigDefinition) -> bool {
    definition.required == Some(true)
        && definition.internal != Some(true)
        && definition.default_value.is_none()
        && definition.active != Some(false)
        && !definition.key.starts_with(OAUTH_USER_PREFIX)
}

/// Whether the request gives a key a value; blank text counts as no value.
fn is_filled(configuration: &Configuration, key: &str) -> bool {
    match configuration.get(key) {
        Some(ConfigValue::Text(text)) => !text.trim().is_empty(),
        Some(ConfigValue::Secret(secret)) => !secret.expose_secret().trim().is_empty(),
        Some(_) => true,
        None => false,
    }
}

/// The OAuth version an element as returned says it uses.
pub(crate) fn oauth_version(element: &ElementDetails) -> Option<OAuthVersion> {
    let auth = element.auth_type().map(str::to_ascii_lowercase);
    match auth.as_deref() {
        Some("oauth1") => Some(OAuthVersion::OAuth1),
        Some("oauth2") => Some(OAuthVersion::OAuth2),
        _ if element.type_oauth == Some(true) => Some(OAuthVersion::OAuth2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::Element;
    use crate::instances::ProviderData;

    fn rally() -> ElementRequirements {
        ElementRequirements::new(vec![
            ConfigDefinition::new("base.url")
                .required(true)
                .internal(true),
            ConfigDefinition::new("username")
                .name("User")
                .required(true),
            ConfigDefinition::new("page.size")
                .required(true)
                .default_value("100"),
            ConfigDefinition::new("oauth.user.token").required(true),
            ConfigDefinition::new("api.key")
                .name("API Key")
                .required(true),
            ConfigDefinition::new("optional"),
        ])
    }

    fn keys(entries: &[MissingEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.key.as_str()).collect()
    }

    #[test]
    fn only_keys_the_caller_must_supply_are_missing() -> Result<()> {
        let request = NewInstance::builder(Element::key("rally"), "n").build()?;

        let missing = rally().missing(&request);

        assert_eq!(keys(&missing), ["username", "api.key"]);
        assert_eq!(missing[1].name.as_deref(), Some("API Key"));
        Ok(())
    }

    #[test]
    fn blank_values_count_as_missing() -> Result<()> {
        let configuration = Configuration::new()
            .set("username", " ")
            .set_secret("api.key", "k");
        let request = NewInstance::builder(Element::key("rally"), "n")
            .configuration(configuration)
            .build()?;

        assert_eq!(keys(&rally().missing(&request)), ["username"]);
        Ok(())
    }

    #[test]
    fn oauth_elements_need_a_code_unless_authenticated_externally() -> Result<()> {
        let requirements = ElementRequirements::new(Vec::new()).oauth(Some(OAuthVersion::OAuth2));
        let bare = NewInstance::builder(Element::key("box"), "n").build()?;
        let coded = NewInstance::builder(Element::key("box"), "n")
            .provider_data(ProviderData::code("c"))
            .build()?;
        let external = NewInstance::builder(Element::key("box"), "n")
            .external_authentication(ExternalAuthentication::Initial)
            .build()?;

        assert_eq!(keys(&requirements.missing(&bare)), ["providerData.code"]);
        assert!(requirements.check(&coded).is_ok());
        assert!(requirements.check(&external).is_ok());
        Ok(())
    }

    #[test]
    fn another_auth_type_needs_no_oauth_entries_or_code() -> Result<()> {
        let requirements = ElementRequirements::new(vec![
            ConfigDefinition::new("oauth.api.key").required(true),
            ConfigDefinition::new("username").required(true),
        ])
        .oauth(Some(OAuthVersion::OAuth2));
        let request = |auth: &str| {
            let configuration = Configuration::new().set(AUTHENTICATION_TYPE, auth);
            NewInstance::builder(Element::key("multi"), "n")
                .configuration(configuration)
                .build()
        };

        let basic = requirements.missing(&request("basic")?);
        let oauth = requirements.missing(&request("OAuth2")?);

        assert_eq!(keys(&basic), ["username"]);
        assert_eq!(
            keys(&oauth),
            ["oauth.api.key", "username", "providerData.code"]
        );
        Ok(())
    }

    #[test]
    fn oauth_version_is_read_from_the_element() -> std::result::Result<(), serde_json::Error> {
        let oauth1: ElementDetails =
            serde_json::from_str(r#"{"authentication":{"type":"oauth1"}}"#)?;
        let flagged: ElementDetails = serde_json::from_str(r#"{"typeOauth":"true"}"#)?;
        let custom: ElementDetails = serde_json::from_str(r#"{"authenticationType":"custom"}"#)?;

        assert_eq!(oauth_version(&oauth1), Some(OAuthVersion::OAuth1));
        assert_eq!(oauth_version(&flagged), Some(OAuthVersion::OAuth2));
        assert_eq!(oauth_version(&custom), None);
        Ok(())
    }
}
