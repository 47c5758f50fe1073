//! Base URLs of the platform's documented hosts.
//!
//! The platform has no single address: each tenant lives in one data centre, so the client
//! takes its base URL from the caller. These constants name the hosts that SAP's and Cloud
//! Elements' public material shows; check the address your tenant's console uses. SAP publishes
//! no full list of regions, and the hosts marked *unconfirmed* were seen only in public code.

/// SAP Open Connectors, the `us2` data centre (used in SAP's own API reference examples).
pub const OPEN_CONNECTORS_US2: &str =
    "https://api.openconnectors.us2.ext.hana.ondemand.com/elements/api-v2";

/// SAP Open Connectors, the host SAP's API catalogue gives for the product (probably the Neo
/// EU1 data centre).
pub const OPEN_CONNECTORS_EU1: &str =
    "https://api.openconnectors.ext.hana.ondemand.com/elements/api-v2";

/// SAP Open Connectors on Cloud Foundry, US East (`us10`). Unconfirmed by SAP's documentation.
pub const OPEN_CONNECTORS_US10: &str =
    "https://api.openconnectors.us10.ext.hana.ondemand.com/elements/api-v2";

/// SAP Open Connectors on Cloud Foundry, EU Frankfurt (`eu10`). Unconfirmed by SAP's
/// documentation.
pub const OPEN_CONNECTORS_EU10: &str =
    "https://api.openconnectors.eu10.ext.hana.ondemand.com/elements/api-v2";

/// SAP Open Connectors trial on Cloud Foundry (`us10`). Unconfirmed by SAP's documentation.
pub const OPEN_CONNECTORS_TRIAL_US10: &str =
    "https://api.openconnectors.trial.us10.ext.hana.ondemand.com/elements/api-v2";

/// Cloud Elements, US production (the product's former name and host).
pub const CLOUD_ELEMENTS_US: &str = "https://api.cloud-elements.com/elements/api-v2";

/// Cloud Elements, EU (UK) production.
pub const CLOUD_ELEMENTS_EU: &str = "https://api.cloud-elements.co.uk/elements/api-v2";

/// Cloud Elements staging.
pub const CLOUD_ELEMENTS_STAGING: &str = "https://staging.cloud-elements.com/elements/api-v2";
