//! Credentials and the platform's `Authorization` header.
//!
//! The platform signs every call with one custom header, never a bearer token:
//! `User <user secret>, Organization <organization secret>` for platform calls, with
//! `, Element <instance token>` added for connector (hub) calls. Each secret has its own type so
//! the two account secrets cannot be swapped by mistake, and none of them prints its value.

use std::fmt;

use crate::transport::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};

use crate::error::InvalidInput;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a secret value. It is checked when the client or request is built.
            pub fn new(value: impl Into<String>) -> Self {
                $name(SecretString::from(value.into()))
            }

            /// The secret itself. Call this only to hand the value to something that needs it.
            pub fn expose_secret(&self) -> &str {
                self.0.expose_secret()
            }

            pub(crate) fn check(&self) -> Result<(), InvalidInput> {
                check_secret(self.expose_secret(), $what)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                $name::new(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                $name::new(value)
            }
        }

        impl From<SecretString> for $name {
            fn from(value: SecretString) -> Self {
                $name(value)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map($name::new)
            }
        }
    };
}

secret_type!(
    /// The user secret of a platform account (the `User` part of the header).
    UserSecret,
    "user secret"
);

secret_type!(
    /// The organization secret of a platform account (the `Organization` part of the header).
    OrganizationSecret,
    "organization secret"
);

secret_type!(
    /// The token of one connector instance (the `Element` part of the header).
    ///
    /// The platform returns it when an instance is created. Tokens are base64-like and may hold
    /// `/`, `+` and `=`; they are sent verbatim.
    InstanceToken,
    "instance token"
);

/// Refuses what cannot travel in a header: an empty value, control characters such as CR and
/// LF (which would let a value inject headers), and the comma that separates the header's parts.
fn check_secret(value: &str, which: &'static str) -> Result<(), InvalidInput> {
    if value.trim().is_empty() {
        return Err(InvalidInput::EmptySecret { which });
    }
    let bad = |c: char| c.is_control() || c == ',' || !(c.is_ascii_graphic() || c == ' ');
    if value.chars().any(bad) || value != value.trim() {
        return Err(InvalidInput::SecretCharacters { which });
    }
    Ok(())
}

/// The two account secrets that sign every platform call.
#[derive(Clone)]
pub struct Credentials {
    user: UserSecret,
    organization: OrganizationSecret,
}

impl Credentials {
    /// Pairs a user secret with an organization secret.
    pub fn new(user: impl Into<UserSecret>, organization: impl Into<OrganizationSecret>) -> Self {
        Credentials {
            user: user.into(),
            organization: organization.into(),
        }
    }

    /// The user secret.
    pub fn user(&self) -> &UserSecret {
        &self.user
    }

    /// The organization secret.
    pub fn organization(&self) -> &OrganizationSecret {
        &self.organization
    }

    /// Checks both secrets, then builds `User <u>, Organization <o>`, marked sensitive.
    pub(crate) fn platform_header(&self) -> Result<HeaderValue, InvalidInput> {
        self.user.check()?;
        self.organization.check()?;
        let value = format!(
            "User {}, Organization {}",
            self.user.expose_secret(),
            self.organization.expose_secret()
        );
        sensitive_header(value, "organization secret")
    }

    /// Builds `User <u>, Organization <o>, Element <token>`, marked sensitive.
    pub(crate) fn hub_header(&self, token: &InstanceToken) -> Result<HeaderValue, InvalidInput> {
        self.user.check()?;
        self.organization.check()?;
        token.check()?;
        let value = format!(
            "User {}, Organization {}, Element {}",
            self.user.expose_secret(),
            self.organization.expose_secret(),
            token.expose_secret()
        );
        sensitive_header(value, "instance token")
    }
}

fn sensitive_header(value: String, which: &'static str) -> Result<HeaderValue, InvalidInput> {
    let secret = SecretString::from(value);
    let mut header = HeaderValue::from_str(secret.expose_secret())
        .map_err(|_| InvalidInput::SecretCharacters { which })?;
    header.set_sensitive(true);
    Ok(header)
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("organization", &self.organization)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_header_has_the_documented_format() {
        let credentials = Credentials::new("u+s/e=", "o/r+g=");

        let header = credentials.platform_header().expect("valid secrets");

        assert_eq!(
            header.to_str().ok(),
            Some("User u+s/e=, Organization o/r+g=")
        );
        assert!(header.is_sensitive());
    }

    #[test]
    fn hub_header_adds_the_element_part() {
        let credentials = Credentials::new("u", "o");
        let token = InstanceToken::new("BUIWhN8/XJjy2A=");

        let header = credentials.hub_header(&token).expect("valid secrets");

        assert_eq!(
            header.to_str().ok(),
            Some("User u, Organization o, Element BUIWhN8/XJjy2A=")
        );
    }

    #[test]
    fn control_characters_are_refused() {
        for bad in [
            "a\r\nX-Injected: 1",
            "a\nb",
            "tab\there",
            "comma,part",
            "",
            "  ",
        ] {
            let credentials = Credentials::new(bad, "org");

            let result = credentials.platform_header();

            assert!(result.is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn refusal_names_the_secret_without_its_value() {
        let credentials = Credentials::new("user", "org\nsecret-value");

        let err = credentials.platform_header().expect_err("must refuse");

        let text = err.to_string();
        assert!(text.contains("organization secret"), "{text}");
        assert!(!text.contains("secret-value"), "{text}");
    }

    #[test]
    fn debug_redacts_every_secret() {
        let credentials = Credentials::new("user-value-1", "org-value-2");
        let token = InstanceToken::new("token-value-3");

        let printed = format!("{credentials:?} {token:?} {:#?}", credentials);

        for secret in ["user-value-1", "org-value-2", "token-value-3"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        assert!(printed.contains("redacted"));
    }
}
