//! The vendor's redirect back to the application: reading it and checking its `state`.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::error::{Error, InvalidInput, Result};
use crate::instances::ProviderData;
use crate::scrub::{self, MASK};

/// How many random bytes make a state: 256 bits cannot be guessed.
const STATE_BYTES: usize = 32;

/// Why an OAuth redirect was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// The user or the vendor refused the authorization (`error=` in the redirect).
    #[error("the vendor refused the authorization: {error}")]
    Denied {
        /// The vendor's error code, such as `access_denied`.
        error: String,
        /// The vendor's explanation, when it gave one.
        description: Option<String>,
    },
    /// The redirect carries no `state`, or one that is not the one sent.
    #[error("the redirect's state does not match the one sent; it may be forged")]
    StateMismatch,
    /// The redirect carries neither a code nor an error.
    #[error("the redirect carries no `{0}`")]
    MissingParameter(&'static str),
    /// The OAuth 1 redirect names another request token than the one obtained.
    #[error("the redirect's oauth_token is not the request token obtained")]
    TokenMismatch,
    /// The system's random number source failed, so no state could be made.
    #[error("no random state could be made: {0}")]
    Randomness(String),
}

/// An unguessable `state` for one authorization, checked when the vendor redirects back.
///
/// Keep it with the user's session between sending them to the vendor and their return
/// ([`as_str`](Self::as_str), [`from_stored`](Self::from_stored)). `Debug` hides it.
#[derive(Clone)]
pub struct OAuthState(SecretString);

impl OAuthState {
    /// 32 bytes from the system's random source, in URL-safe base64 (43 characters).
    ///
    /// # Errors
    ///
    /// [`Error::OAuth`] with [`OAuthError::Randomness`] if the system cannot supply random bytes.
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; STATE_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| OAuthError::Randomness(e.to_string()))?;
        Ok(OAuthState(URL_SAFE_NO_PAD.encode(bytes).into()))
    }

    /// A state kept from an earlier [`generate`](Self::generate).
    pub fn from_stored(state: impl Into<String>) -> Self {
        OAuthState(SecretString::from(state.into()))
    }

    /// The state as text, to send and to store.
    pub fn as_str(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether `candidate` is this state, compared in constant time so that the time taken
    /// tells nothing about how much of a guess was right.
    ///
    /// An empty state matches nothing, not even another empty one: a redirect without a
    /// state must not pass for one whose stored state was lost or never set.
    pub fn matches(&self, candidate: &str) -> bool {
        let stored = self.as_str();
        !stored.is_empty()
            && !candidate.is_empty()
            && constant_time_eq(stored.as_bytes(), candidate.as_bytes())
    }
}

impl fmt::Debug for OAuthState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OAuthState({MASK})")
    }
}

/// Compares every byte whatever the first difference, so timing reveals only the length.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The query of the vendor's redirect to the callback URL.
///
/// ```
/// use open_connectors::{OAuthCallback, OAuthState};
///
/// let state = OAuthState::from_stored("s-123");
/// let callback = OAuthCallback::parse("https://app.example.com/oauth?code=abc&state=s-123")?;
/// let provider_data = callback.verify(&state)?;
/// assert!(provider_data.contains_key("code"));
/// # Ok::<(), open_connectors::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct OAuthCallback {
    code: Option<SecretString>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    oauth_token: Option<String>,
    oauth_verifier: Option<SecretString>,
}

impl OAuthCallback {
    /// Reads a full callback URL.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the text is not a URL.
    pub fn parse(url: &str) -> Result<Self> {
        let url = Url::parse(url).map_err(|e| InvalidInput::Url {
            field: "OAuth callback URL",
            reason: e.to_string(),
        })?;
        Ok(OAuthCallback::from_url(&url))
    }

    /// Reads a callback URL's query.
    pub fn from_url(url: &Url) -> Self {
        OAuthCallback::from_query(url.query().unwrap_or_default())
    }

    /// Reads a query string (without the `?`), as a web framework hands it over.
    pub fn from_query(query: &str) -> Self {
        let mut callback = OAuthCallback::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.into_owned();
            match name.as_ref() {
                "code" => callback.code = Some(value.into()),
                "state" => callback.state = Some(value),
                "error" => callback.error = Some(value),
                "error_description" => callback.error_description = Some(value),
                "oauth_token" => callback.oauth_token = Some(value),
                "oauth_verifier" => callback.oauth_verifier = Some(value.into()),
                _ => {}
            }
        }
        callback
    }

    /// The `state` the vendor sent back.
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// The vendor's `error`, when the authorization was refused.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Whether the redirect carries an authorization code.
    pub fn has_code(&self) -> bool {
        self.code.is_some()
    }

    /// The OAuth 1 `oauth_token`.
    pub fn oauth_token(&self) -> Option<&str> {
        self.oauth_token.as_deref()
    }

    /// Checks an OAuth 2 redirect and turns its code into provider data for the create.
    ///
    /// # Errors
    ///
    /// [`Error::OAuth`]: [`OAuthError::Denied`] when the vendor sent an `error`,
    /// [`OAuthError::StateMismatch`] when the state is missing or not `expected`,
    /// [`OAuthError::MissingParameter`] when there is no code.
    pub fn verify(&self, expected: &OAuthState) -> Result<ProviderData> {
        self.check_denied()?;
        let state = self.state.as_deref().ok_or(OAuthError::StateMismatch)?;
        if !expected.matches(state) {
            return Err(OAuthError::StateMismatch.into());
        }
        let code = self
            .code
            .as_ref()
            .ok_or(OAuthError::MissingParameter("code"))?;
        Ok(ProviderData::code(code.expose_secret()))
    }

    /// The OAuth 1 verifier, after checking the redirect names `request_token`.
    pub(crate) fn oauth1_verifier(&self, request_token: &str) -> Result<&str> {
        self.check_denied()?;
        let token = self
            .oauth_token
            .as_deref()
            .ok_or(OAuthError::MissingParameter("oauth_token"))?;
        if !constant_time_eq(token.as_bytes(), request_token.as_bytes()) {
            return Err(OAuthError::TokenMismatch.into());
        }
        let verifier = self.oauth_verifier.as_ref();
        let verifier = verifier.ok_or(OAuthError::MissingParameter("oauth_verifier"))?;
        Ok(verifier.expose_secret())
    }

    /// The vendor's words come straight from a query anyone can write, so they are scrubbed
    /// before they reach an error: no line breaks or control characters, no token-like runs.
    fn check_denied(&self) -> Result<()> {
        match &self.error {
            Some(error) => Err(Error::OAuth(OAuthError::Denied {
                error: scrub::text(error),
                description: self.error_description.as_deref().map(scrub::text),
            })),
            None => Ok(()),
        }
    }
}

impl fmt::Debug for OAuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthCallback")
            .field("code", &self.code.as_ref().map(|_| MASK))
            .field("state", &self.state.as_ref().map(|_| MASK))
            .field("error", &self.error)
            .field("oauth_token", &self.oauth_token)
            .field(
                "oauth_verifier",
                &self.oauth_verifier.as_ref().map(|_| MASK),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_states_are_long_url_safe_and_distinct() -> Result<()> {
        let a = OAuthState::generate()?;
        let b = OAuthState::generate()?;

        assert_eq!(a.as_str().len(), 43);
        assert!(
            a.as_str()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a.as_str(), b.as_str());
        assert!(!format!("{a:?}").contains(a.as_str()));
        Ok(())
    }

    #[test]
    fn a_wrong_or_missing_state_is_refused() {
        let state = OAuthState::from_stored("right");

        let wrong = OAuthCallback::from_query("code=c&state=wrong").verify(&state);
        let longer = OAuthCallback::from_query("code=c&state=right2").verify(&state);
        let missing = OAuthCallback::from_query("code=c").verify(&state);

        for result in [wrong, longer, missing] {
            assert!(matches!(
                result,
                Err(Error::OAuth(OAuthError::StateMismatch))
            ));
        }
    }

    #[test]
    fn a_refusal_is_reported_with_the_vendors_words() {
        let state = OAuthState::from_stored("s");
        let query = "error=access_denied&error_description=User+said+no&state=s";

        let result = OAuthCallback::from_query(query).verify(&state);

        let Err(Error::OAuth(OAuthError::Denied { error, description })) = result else {
            panic!("expected a refusal, got {result:?}");
        };
        assert_eq!(error, "access_denied");
        assert_eq!(description.as_deref(), Some("User said no"));
    }

    #[test]
    fn an_empty_stored_state_matches_no_redirect() {
        let empty = OAuthState::from_stored("");

        let missing = OAuthCallback::from_query("code=c").verify(&empty);
        let blank = OAuthCallback::from_query("code=c&state=").verify(&empty);

        for result in [missing, blank] {
            assert!(matches!(
                result,
                Err(Error::OAuth(OAuthError::StateMismatch))
            ));
        }
        assert!(!empty.matches(""));
        assert!(!OAuthState::from_stored("s").matches(""));
    }

    #[test]
    fn a_refusal_prints_on_one_line_without_control_characters() {
        let state = OAuthState::from_stored("s");
        let query = "error=denied%0AFAKE+LOG+LINE%1B%5B31m&error_description=a%0D%0Ab&state=s";

        let result = OAuthCallback::from_query(query).verify(&state);

        let Err(err) = result else {
            panic!("expected a refusal");
        };
        let Error::OAuth(OAuthError::Denied { description, .. }) = &err else {
            panic!("expected a refusal, got {err:?}");
        };
        let shown = err.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.contains("denied FAKE LOG LINE"), "{shown:?}");
        assert_eq!(description.as_deref(), Some("a b"));
    }

    #[test]
    fn debug_hides_the_code() {
        let callback = OAuthCallback::from_query("code=very-secret-code&state=s");

        assert!(!format!("{callback:?}").contains("very-secret-code"));
    }
}
