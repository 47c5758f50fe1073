//! OAuth grants: consent requests, single-use OAuth 2 codes and OAuth 1 request tokens.
//!
//! The emulator plays the vendor too: its consent page approves at once and sends the browser
//! back to the caller's callback URL, so a full OAuth flow runs on loopback alone.

use std::collections::HashMap;

use serde_json::{Map, Value};
use url::Url;

use crate::catalogue::{AuthKind, ElementDef};
use crate::error::ApiError;
use crate::random;

/// The platform's message when an OAuth element is created without a code.
pub(crate) const CODE_REQUIRED: &str =
    "You must provide an OAuth code in order to create an instance of this element";

/// A consent request that the emulator's authorize page answers.
struct Pending {
    element_key: &'static str,
    callback_url: Url,
    state: String,
    request_token: Option<String>,
}

/// An OAuth 2 code handed to a callback URL.
struct Code {
    element_key: &'static str,
    callback_url: String,
    used: bool,
}

/// An OAuth 1 request token and what its consent produced.
struct RequestToken {
    element_key: &'static str,
    callback_url: String,
    secret: String,
    verifier: Option<String>,
    used: bool,
}

/// Every grant handed out so far.
#[derive(Default)]
pub(crate) struct Grants {
    pending: HashMap<String, Pending>,
    codes: HashMap<String, Code>,
    request_tokens: HashMap<String, RequestToken>,
}

/// Where the consent page sends the browser.
pub(crate) type Redirect = Url;

/// Parses a callback URL; only absolute http and https URLs can take a redirect.
pub(crate) fn parse_callback(callback_url: &str) -> Result<Url, ApiError> {
    Url::parse(callback_url)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .ok_or_else(|| ApiError::bad_request("callbackUrl must be an absolute http or https URL"))
}

impl Grants {
    /// Issues an OAuth 1 request token and its secret.
    pub(crate) fn request_token(
        &mut self,
        element: &'static ElementDef,
        callback: Url,
    ) -> (String, String) {
        let token = random::url_safe_id();
        let secret = random::instance_token();
        let grant = RequestToken {
            element_key: element.key,
            callback_url: callback.to_string(),
            secret: secret.clone(),
            verifier: None,
            used: false,
        };
        self.request_tokens.insert(token.clone(), grant);
        (token, secret)
    }

    /// Records a consent request and returns its id for the authorize page's URL.
    ///
    /// OAuth 1 elements need the request token that `/oauth/token` handed out.
    pub(crate) fn begin(
        &mut self,
        element: &'static ElementDef,
        callback_url: Url,
        state: String,
        request_token: Option<String>,
    ) -> Result<String, ApiError> {
        if element.auth == AuthKind::OAuth1
            && !self.knows_request_token(element, request_token.as_deref())
        {
            return Err(ApiError::bad_request(
                "A requestToken from /oauth/token is required for this element",
            ));
        }
        let id = random::url_safe_id();
        let pending = Pending {
            element_key: element.key,
            callback_url,
            state,
            request_token,
        };
        self.pending.insert(id.clone(), pending);
        Ok(id)
    }

    fn knows_request_token(&self, element: &ElementDef, token: Option<&str>) -> bool {
        token
            .and_then(|token| self.request_tokens.get(token))
            .is_some_and(|grant| grant.element_key == element.key)
    }

    /// Answers a consent request: approves it with a fresh code (or verifier), or denies it.
    pub(crate) fn answer(&mut self, request_id: &str, approve: bool) -> Option<Redirect> {
        let pending = self.pending.get(request_id)?;
        let mut redirect = pending.callback_url.clone();
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !approve {
            pairs.push(("error", "access_denied".to_owned()));
        } else if let Some(token) = &pending.request_token {
            let verifier = random::url_safe_id();
            if let Some(grant) = self.request_tokens.get_mut(token) {
                grant.verifier = Some(verifier.clone());
            }
            pairs.extend([("oauth_token", token.clone()), ("oauth_verifier", verifier)]);
        } else {
            let code = issue_code(&mut self.codes, pending.element_key, &pending.callback_url);
            pairs.push(("code", code));
        }
        pairs.push(("state", pending.state.clone()));
        redirect.query_pairs_mut().extend_pairs(pairs);
        Some(redirect)
    }

    /// Checks and uses up the provider data of an OAuth create or re-authentication.
    ///
    /// `callback_url` is the instance's `oauth.callback.url`, which must be the one the grant
    /// was issued for. Nothing is used up unless every check passes.
    pub(crate) fn redeem(
        &mut self,
        element: &ElementDef,
        provider_data: Option<&Map<String, Value>>,
        callback_url: Option<&str>,
    ) -> Result<(), ApiError> {
        let field = |name: &str| {
            provider_data
                .and_then(|data| data.get(name))
                .and_then(Value::as_str)
        };
        match element.auth {
            AuthKind::OAuth2 => self.redeem_code(element, field("code"), callback_url),
            AuthKind::OAuth1 => {
                let sent = OAuth1Data {
                    token: field("oauth_token"),
                    verifier: field("oauth_verifier"),
                    secret: field("secret"),
                };
                self.redeem_request_token(element, sent, callback_url)
            }
            AuthKind::Custom | AuthKind::Basic => Ok(()),
        }
    }

    fn redeem_code(
        &mut self,
        element: &ElementDef,
        code: Option<&str>,
        callback_url: Option<&str>,
    ) -> Result<(), ApiError> {
        let code = code.ok_or_else(|| ApiError::bad_request(CODE_REQUIRED))?;
        let grant = self
            .codes
            .get_mut(code)
            .filter(|grant| !grant.used && grant.element_key == element.key)
            .ok_or_else(|| {
                ApiError::bad_request("The OAuth code is invalid or was already used")
            })?;
        check_callback(&grant.callback_url, callback_url)?;
        grant.used = true;
        Ok(())
    }

    fn redeem_request_token(
        &mut self,
        element: &ElementDef,
        sent: OAuth1Data<'_>,
        callback_url: Option<&str>,
    ) -> Result<(), ApiError> {
        let token = sent
            .token
            .ok_or_else(|| ApiError::bad_request(CODE_REQUIRED))?;
        let invalid = || {
            ApiError::bad_request(
                "The OAuth token, verifier or secret is invalid or was already used",
            )
        };
        let grant = self
            .request_tokens
            .get_mut(token)
            .filter(|grant| !grant.used && grant.element_key == element.key)
            .ok_or_else(invalid)?;
        if !grant.accepts(&sent) {
            return Err(invalid());
        }
        check_callback(&grant.callback_url, callback_url)?;
        grant.used = true;
        Ok(())
    }
}

/// What an OAuth 1 create sends in `providerData`.
struct OAuth1Data<'a> {
    token: Option<&'a str>,
    verifier: Option<&'a str>,
    secret: Option<&'a str>,
}

impl RequestToken {
    /// Whether the consent produced this verifier and the secret is the one handed out.
    fn accepts(&self, sent: &OAuth1Data<'_>) -> bool {
        let verified = self.verifier.is_some() && self.verifier.as_deref() == sent.verifier;
        let secret_matches = sent
            .secret
            .is_some_and(|secret| crate::auth::same(secret, &self.secret));
        verified && secret_matches
    }
}

/// Hands out a single-use OAuth 2 code for a consent.
fn issue_code(
    codes: &mut HashMap<String, Code>,
    element_key: &'static str,
    callback_url: &Url,
) -> String {
    let code = random::url_safe_id();
    let grant = Code {
        element_key,
        callback_url: callback_url.to_string(),
        used: false,
    };
    codes.insert(code.clone(), grant);
    code
}

/// The instance's callback URL must be the one the grant was issued for.
fn check_callback(issued_for: &str, configured: Option<&str>) -> Result<(), ApiError> {
    let configured = configured.and_then(|text| Url::parse(text).ok());
    if configured.is_some_and(|url| url.as_str() == issued_for) {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "oauth.callback.url does not match the callbackUrl the OAuth grant was issued for",
    ))
}
