//! Requests that create or change an instance.

use std::collections::BTreeMap;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::configuration::Configuration;
use crate::element::Element;
use crate::error::{InvalidInput, Result};
use crate::scrub::MASK;

/// Values from an OAuth provider that authenticate a new instance, such as the `code` the
/// vendor's redirect carried. All values are secrets and are never printed.
#[derive(Clone, Default)]
pub struct ProviderData {
    values: BTreeMap<String, SecretString>,
}

impl ProviderData {
    /// Provider data holding an OAuth 2 authorization `code`.
    pub fn code(code: impl Into<String>) -> Self {
        ProviderData::default().set("code", code)
    }

    /// Provider data for an OAuth 1 create: the request token, the verifier from the vendor's
    /// redirect and the request token's secret.
    pub fn oauth1(
        oauth_token: impl Into<String>,
        oauth_verifier: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        ProviderData::default()
            .set("oauth_token", oauth_token)
            .set("oauth_verifier", oauth_verifier)
            .set("secret", secret)
    }

    /// Sets any provider value, such as `oauth_token`, `oauth_verifier`, `secret` or `realmId`.
    pub fn set(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.values
            .insert(key.into(), SecretString::from(value.into()));
        self
    }

    /// The keys that are set.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// Whether a key is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    fn secret_values(&self) -> impl Iterator<Item = SecretString> + '_ {
        self.values.values().cloned()
    }
}

impl fmt::Debug for ProviderData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for key in self.values.keys() {
            map.entry(key, &format_args!("{MASK}"));
        }
        map.finish()
    }
}

impl Serialize for ProviderData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.values.len()))?;
        for (key, value) in &self.values {
            map.serialize_entry(key, value.expose_secret())?;
        }
        map.end()
    }
}

/// How an instance is authenticated when the caller already holds the vendor's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum ExternalAuthentication {
    /// The tokens are in the configuration (such as `oauth.user.refresh_token`); no OAuth code.
    #[serde(rename = "initial")]
    Initial,
}

/// The body of `POST /instances`: a new instance of an element.
///
/// The element and the name are required, so an instance without an element cannot be built.
///
/// ```
/// use open_connectors::{Configuration, Element, NewInstance};
///
/// let request = NewInstance::builder(Element::key("caagilecentral"), "instance1")
///     .configuration(Configuration::new().set_secret("api.key", "my Rally API key"))
///     .tag("rally")
///     .build()?;
/// assert_eq!(request.name(), "instance1");
/// # Ok::<(), open_connectors::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewInstance {
    element: Element,
    name: String,
    #[serde(skip_serializing_if = "Configuration::is_empty")]
    configuration: Configuration,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_data: Option<ProviderData>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_authentication: Option<ExternalAuthentication>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retrieve_objects_after_instantiation: Option<bool>,
}

impl NewInstance {
    /// Starts a request for an instance of `element` called `name`.
    pub fn builder(element: Element, name: impl Into<String>) -> NewInstanceBuilder {
        NewInstanceBuilder {
            request: NewInstance {
                element,
                name: name.into(),
                configuration: Configuration::new(),
                tags: Vec::new(),
                provider_data: None,
                external_authentication: None,
                retrieve_objects_after_instantiation: None,
            },
        }
    }

    /// The element.
    pub fn element(&self) -> &Element {
        &self.element
    }

    /// The instance name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The configuration.
    pub fn configuration(&self) -> &Configuration {
        &self.configuration
    }

    /// The tags.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The provider data, for OAuth elements.
    pub fn provider_data(&self) -> Option<&ProviderData> {
        self.provider_data.as_ref()
    }

    /// The external authentication mode, when the caller supplied the vendor tokens.
    pub fn external_authentication(&self) -> Option<ExternalAuthentication> {
        self.external_authentication
    }

    /// Every secret the request carries, to cut out of error text.
    pub(crate) fn secret_values(&self) -> Vec<SecretString> {
        let provider = self
            .provider_data
            .iter()
            .flat_map(ProviderData::secret_values);
        self.configuration.secret_values().chain(provider).collect()
    }
}

/// Builds a [`NewInstance`]; see [`NewInstance::builder`].
#[derive(Debug, Clone)]
pub struct NewInstanceBuilder {
    request: NewInstance,
}

impl NewInstanceBuilder {
    /// The configuration map.
    pub fn configuration(mut self, configuration: Configuration) -> Self {
        self.request.configuration = configuration;
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.request.tags.push(tag.into());
        self
    }

    /// Adds several tags.
    pub fn tags<I, T>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.request.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// The OAuth provider data, such as [`ProviderData::code`].
    pub fn provider_data(mut self, data: ProviderData) -> Self {
        self.request.provider_data = Some(data);
        self
    }

    /// Marks the instance as authenticated with vendor tokens the caller already holds.
    pub fn external_authentication(mut self, mode: ExternalAuthentication) -> Self {
        self.request.external_authentication = Some(mode);
        self
    }

    /// Asks the platform to list the instance's data objects in its answer.
    pub fn retrieve_objects_after_instantiation(mut self, retrieve: bool) -> Self {
        self.request.retrieve_objects_after_instantiation = Some(retrieve);
        self
    }

    /// Checks the request and builds it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty name, an empty element
    /// key, an empty configuration key, a callback URL that is not `http` or `https`, or a
    /// masked `********` value copied from a platform answer.
    pub fn build(self) -> Result<NewInstance> {
        let request = self.request;
        request.element.validate()?;
        if request.name.trim().is_empty() {
            return Err(InvalidInput::EmptyName.into());
        }
        request.configuration.validate()?;
        Ok(request)
    }
}

/// A partial change to an instance (`PATCH /instances/{id}`): only what is set is sent.
///
/// Tags, when set, replace the instance's tags. A configuration map changes the entries it
/// names; whether the platform keeps the entries it leaves out is not documented.
///
/// ```
/// use open_connectors::{Configuration, InstancePatch};
///
/// let patch = InstancePatch::new()
///     .name("renamed")
///     .tags(["production", "rally"])
///     .configuration(Configuration::new().event_notification_enabled(false))
///     .build()?;
/// assert_eq!(
///     serde_json::to_value(&patch)?,
///     serde_json::json!({
///         "name": "renamed",
///         "tags": ["production", "rally"],
///         "configuration": {"event.notification.enabled": false}
///     })
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstancePatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    configuration: Option<Configuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_data: Option<ProviderData>,
    #[serde(skip_serializing_if = "Option::is_none")]
    element: Option<Element>,
}

impl InstancePatch {
    /// An empty change.
    pub fn new() -> Self {
        InstancePatch::default()
    }

    /// A new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The instance's new tags, replacing all of its current ones.
    pub fn tags<I, T>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// Configuration entries to change. Whether the platform keeps the entries left out is not
    /// documented.
    pub fn configuration(mut self, configuration: Configuration) -> Self {
        self.configuration = Some(configuration);
        self
    }

    /// New provider data, such as a fresh OAuth `code`, to re-authenticate the instance.
    pub fn provider_data(mut self, data: ProviderData) -> Self {
        self.provider_data = Some(data);
        self
    }

    /// Moves the instance to another element, such as a clone of its own.
    pub fn element(mut self, element: Element) -> Self {
        self.element = Some(element);
        self
    }

    /// Checks the change.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty name or element key,
    /// or a configuration that [`NewInstanceBuilder::build`] would refuse.
    pub fn build(self) -> Result<InstancePatch> {
        self.validate()?;
        Ok(self)
    }

    /// The checks of [`build`](Self::build), which a patch also passes when it is sent, since
    /// a change can be sent without being built.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.name.as_ref().is_some_and(|n| n.trim().is_empty()) {
            return Err(InvalidInput::EmptyName.into());
        }
        if let Some(element) = &self.element {
            element.validate()?;
        }
        if let Some(configuration) = &self.configuration {
            configuration.validate()?;
        }
        Ok(())
    }

    /// Every secret the change carries, to cut out of error text.
    pub(crate) fn secret_values(&self) -> Vec<SecretString> {
        let configuration = self
            .configuration
            .iter()
            .flat_map(Configuration::secret_values);
        let provider = self
            .provider_data
            .iter()
            .flat_map(ProviderData::secret_values);
        configuration.chain(provider).collect()
    }

    /// Whether the change re-authenticates the instance, which may take as long as a create.
    pub(crate) fn reauthenticates(&self) -> bool {
        self.provider_data.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use serde_json::json;

    #[test]
    fn a_fully_set_request_serializes_as_the_platform_expects()
    -> Result<(), Box<dyn std::error::Error>> {
        let request = NewInstance::builder(Element::key("dropbox"), "my_first_instance")
            .configuration(Configuration::new().set("oauth.callback.url", "https://a.example/cb"))
            .tags(["a", "b"])
            .provider_data(ProviderData::code("the-code"))
            .external_authentication(ExternalAuthentication::Initial)
            .retrieve_objects_after_instantiation(true)
            .build()?;

        let value = serde_json::to_value(&request)?;

        assert_eq!(
            value,
            json!({
                "element": {"key": "dropbox"},
                "name": "my_first_instance",
                "configuration": {"oauth.callback.url": "https://a.example/cb"},
                "tags": ["a", "b"],
                "providerData": {"code": "the-code"},
                "externalAuthentication": "initial",
                "retrieveObjectsAfterInstantiation": true
            })
        );
        Ok(())
    }

    #[test]
    fn build_refuses_what_the_platform_would_refuse() {
        let empty_name = NewInstance::builder(Element::key("box"), " ").build();
        let empty_key = NewInstance::builder(Element::key(""), "n").build();
        let empty_config_key = NewInstance::builder(Element::key("box"), "n")
            .configuration(Configuration::new().set("", "v"))
            .build();

        assert!(matches!(
            empty_name,
            Err(Error::InvalidInput(InvalidInput::EmptyName))
        ));
        assert!(matches!(
            empty_key,
            Err(Error::InvalidInput(InvalidInput::EmptyElementKey))
        ));
        assert!(matches!(
            empty_config_key,
            Err(Error::InvalidInput(InvalidInput::EmptyConfigKey))
        ));
    }

    #[test]
    fn provider_data_is_never_printed() -> Result<()> {
        let request = NewInstance::builder(Element::key("dropbox"), "n")
            .provider_data(ProviderData::code("secret-code-123"))
            .build()?;

        let printed = format!("{request:?}");

        assert!(!printed.contains("secret-code-123"), "{printed}");
        Ok(())
    }
}
