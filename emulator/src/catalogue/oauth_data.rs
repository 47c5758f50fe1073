//! The OAuth elements of the catalogue: Dropbox, Salesforce and Box (OAuth 2) and Xero
//! (OAuth 1).

use super::data::{entry, event_entries, numbered};
use super::{AuthKind, ConfigDef, ElementDef, EventSupport};

/// The OAuth application keys every OAuth element asks for.
const OAUTH_APP: [ConfigDef; 3] = [
    entry("oauth.callback.url", "Callback URL", "TEXTFIELD_1000").required(),
    entry("oauth.api.key", "OAuth API Key", "TEXTFIELD_128").required(),
    entry("oauth.api.secret", "OAuth API Secret", "PASSWORD").required(),
];

/// The keys an OAuth 2 exchange fills in: required, but never asked of the caller.
const OAUTH2_USER: [ConfigDef; 2] = [
    entry("oauth.user.token", "OAuth User Token", "PASSWORD")
        .required()
        .hidden(),
    entry(
        "oauth.user.refresh_token",
        "OAuth Refresh Token",
        "PASSWORD",
    )
    .required()
    .hidden(),
];

/// Dropbox's own keys.
const DROPBOX_DEFINITIONS: [ConfigDef; 3] = [
    entry("document.tagging", "Document Tagging", "BOOLEAN").default_value("false"),
    entry(
        "oauth.authorization.url",
        "Authorization URL",
        "TEXTFIELD_1000",
    )
    .required()
    .internal()
    .default_value("https://www.dropbox.com/oauth2/authorize"),
    entry("oauth.token.url", "Token URL", "TEXTFIELD_1000")
        .required()
        .internal()
        .default_value("https://api.dropboxapi.com/oauth2/token"),
];

/// Dropbox: OAuth 2, in the `documents` hub.
pub(super) fn dropbox() -> ElementDef {
    ElementDef {
        id: 14,
        key: "dropbox",
        name: "Dropbox",
        description: "File storage and sharing.",
        hub: "documents",
        auth: AuthKind::OAuth2,
        image: "elements/provider_dropbox.png",
        extra: &[
            (
                "existingAccountDescription",
                "Give your application access to your existing <br> Dropbox account</br>",
            ),
            (
                "configDescription",
                "If you do not have a Dropbox account, you can create one at \
                 <a href=\"https://www.dropbox.com\" target=\"_blank\">Dropbox Signup</a>",
            ),
            ("signupURL", "https://www.dropbox.com"),
        ],
        events: EventSupport {
            methods: &["webhook"],
            resources: &["files", "folders"],
        },
        definitions: numbered(
            1400,
            &[
                &OAUTH_APP,
                &DROPBOX_DEFINITIONS,
                &event_entries("webhook"),
                &OAUTH2_USER,
            ],
        ),
    }
}

/// Salesforce's own keys, with the OAuth scope.
const SFDC_DEFINITIONS: [ConfigDef; 3] = [
    entry("oauth.scope", "OAuth Scope", "TEXTFIELD_1000").default_value("full refresh_token"),
    entry(
        "oauth.authorization.url",
        "Authorization URL",
        "TEXTFIELD_1000",
    )
    .required()
    .internal()
    .default_value("https://login.salesforce.com/services/oauth2/authorize"),
    entry("oauth.token.url", "Token URL", "TEXTFIELD_1000")
        .required()
        .internal()
        .default_value("https://login.salesforce.com/services/oauth2/token"),
];

/// Salesforce Sales Cloud: OAuth 2 with a scope, in the `crm` hub.
pub(super) fn sfdc() -> ElementDef {
    ElementDef {
        id: 21,
        key: "sfdc",
        name: "Salesforce Sales Cloud",
        description: "Customer relationship management.",
        hub: "crm",
        auth: AuthKind::OAuth2,
        image: "elements/provider_sfdc.png",
        extra: &[("signupURL", "https://www.salesforce.com")],
        events: EventSupport {
            methods: &["polling", "webhook"],
            resources: &["accounts", "contacts"],
        },
        definitions: numbered(
            2100,
            &[
                &OAUTH_APP,
                &SFDC_DEFINITIONS,
                &event_entries("polling"),
                &OAUTH2_USER,
            ],
        ),
    }
}

/// Xero's OAuth 1 endpoints and the token pair the flow fills in.
const XERO_DEFINITIONS: [ConfigDef; 5] = [
    entry("oauth.request.url", "Request Token URL", "TEXTFIELD_1000")
        .required()
        .internal()
        .default_value("https://api.xero.com/oauth/RequestToken"),
    entry(
        "oauth.authorization.url",
        "Authorization URL",
        "TEXTFIELD_1000",
    )
    .required()
    .internal()
    .default_value("https://api.xero.com/oauth/Authorize"),
    entry("oauth.token.url", "Access Token URL", "TEXTFIELD_1000")
        .required()
        .internal()
        .default_value("https://api.xero.com/oauth/AccessToken"),
    entry("oauth.user.token", "OAuth User Token", "PASSWORD")
        .required()
        .hidden(),
    entry(
        "oauth.user.token.secret",
        "OAuth User Token Secret",
        "PASSWORD",
    )
    .required()
    .hidden(),
];

/// Xero: OAuth 1, in the `finance` hub.
pub(super) fn xero() -> ElementDef {
    ElementDef {
        id: 41,
        key: "xero",
        name: "Xero",
        description: "Accounting for small businesses.",
        hub: "finance",
        auth: AuthKind::OAuth1,
        image: "elements/provider_xero.png",
        extra: &[],
        events: EventSupport {
            methods: &["polling"],
            resources: &["invoices", "contacts"],
        },
        definitions: numbered(
            4100,
            &[&OAUTH_APP, &XERO_DEFINITIONS, &event_entries("polling")],
        ),
    }
}

/// Box's many internal and defaulted keys.
const BOX_DEFINITIONS: [ConfigDef; 14] = [
    entry("base.url", "Base URL", "TEXTFIELD_128")
        .required()
        .internal()
        .default_value("https://api.box.com/2.0"),
    entry(
        "oauth.authorization.url",
        "Authorization URL",
        "TEXTFIELD_1000",
    )
    .required()
    .internal()
    .default_value("https://account.box.com/api/oauth2/authorize"),
    entry("oauth.token.url", "Token URL", "TEXTFIELD_1000")
        .required()
        .internal()
        .default_value("https://api.box.com/oauth2/token"),
    entry("oauth.token.refresh_url", "Refresh URL", "TEXTFIELD_1000")
        .internal()
        .default_value("https://api.box.com/oauth2/token"),
    entry("oauth.token.revoke_url", "Revoke URL", "TEXTFIELD_1000")
        .internal()
        .default_value("https://api.box.com/oauth2/revoke"),
    entry("oauth.user.refresh_time", "Refresh Time", "TEXTFIELD_64").internal(),
    entry("pagination.type", "Pagination Type", "TEXTFIELD_32")
        .internal()
        .default_value("offset"),
    entry("pagination.max", "Pagination Max", "TEXTFIELD_32")
        .internal()
        .default_value("1000"),
    entry(
        "pagination.page.startindex",
        "First Page Index",
        "TEXTFIELD_32",
    )
    .internal()
    .default_value("0"),
    entry("bulk.query.field_name", "Bulk Date Field", "TEXTFIELD_64")
        .internal()
        .default_value("modified_at"),
    entry("bulk.query.operator", "Bulk Operator", "TEXTFIELD_32")
        .internal()
        .default_value(">="),
    entry("bulk.query.date_mask", "Bulk Date Mask", "TEXTFIELD_64")
        .internal()
        .default_value("yyyy-MM-dd'T'HH:mm:ssXXX"),
    entry("bulk.relations", "Bulk Relations", "TEXTAREA")
        .internal()
        .default_value("{}"),
    entry("document.tagging", "Document Tagging", "BOOLEAN").default_value("false"),
];

/// Box: OAuth 2 with many internal and defaulted keys, in the `documents` hub.
pub(super) fn box_element() -> ElementDef {
    ElementDef {
        id: 22,
        key: "box",
        name: "Box",
        description: "Content sharing.",
        hub: "documents",
        auth: AuthKind::OAuth2,
        image: "elements/provider_box.png",
        extra: &[("signupURL", "https://www.box.com")],
        events: EventSupport {
            methods: &["webhook", "polling"],
            resources: &["files", "folders"],
        },
        definitions: numbered(
            2200,
            &[
                &OAUTH_APP,
                &BOX_DEFINITIONS,
                &event_entries("webhook"),
                &OAUTH2_USER,
            ],
        ),
    }
}
