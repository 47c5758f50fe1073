//! The rest of an instance's life: configuration entries, enabling and disabling, trace
//! logging, and creating through the element's own path.

use crate::transport::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::{
    ConfigEntry, ConfigEntryId, InstanceId, Instances, NewInstance, missing_configuration,
};
use crate::configuration::{ConfigValue, is_masked};
use crate::error::{Error, InvalidInput, Result};
use crate::instances::Instance;
use crate::transport::Request;

impl Instances<'_> {
    /// Creates an instance through its element's path (`POST /elements/{keyOrId}/instances`),
    /// leaving the element out of the body. Checked first as [`create`](Self::create) is.
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create).
    pub async fn create_for_element(&self, request: &NewInstance) -> Result<Instance> {
        self.check_before_create(request).await?;
        let mut segments = crate::elements::path(request.element());
        segments.push("instances".to_owned());
        let template = "/elements/{keyOrId}/instances";
        let call = Request::new(Method::POST, template, segments)
            .creates()
            .redact(request.secret_values())
            .json(&body_without_element(request)?)?;
        let element = request.element().to_string();
        match self.client.send(call).await {
            Ok(response) => response.json(),
            Err(error) => Err(missing_configuration(error, &element)),
        }
    }

    /// An instance's configuration entries (`GET /instances/{id}/configuration`); secrets
    /// come back masked.
    ///
    /// # Errors
    ///
    /// A `404` for an unknown instance; otherwise as any call.
    pub async fn configuration(&self, id: InstanceId) -> Result<Vec<ConfigEntry>> {
        let call = Request::new(
            Method::GET,
            "/instances/{id}/configuration",
            config_path(id, None),
        );
        self.client.send(call).await?.json()
    }

    /// One configuration entry by its id (`GET /instances/{id}/configuration/{configId}`).
    ///
    /// # Errors
    ///
    /// A `404` for an unknown instance or entry; otherwise as any call.
    pub async fn configuration_entry(
        &self,
        id: InstanceId,
        entry: ConfigEntryId,
    ) -> Result<ConfigEntry> {
        let template = "/instances/{id}/configuration/{configId}";
        let call = Request::new(Method::GET, template, config_path(id, Some(entry)));
        self.client.send(call).await?.json()
    }

    /// Changes one configuration entry's value
    /// (`PATCH /instances/{id}/configuration/{configId}` with `{"propertyValue": "…"}`).
    ///
    /// The platform stores every value as a string: booleans and numbers are written out
    /// (`true` becomes `"true"`), and a [`ConfigValue::Secret`] is sent but never printed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for the platform's mask `********`, which would overwrite the
    /// real secret; otherwise the platform's error, such as `404` for an unknown entry.
    pub async fn update_configuration_entry(
        &self,
        id: InstanceId,
        entry: ConfigEntryId,
        value: impl Into<ConfigValue>,
    ) -> Result<ConfigEntry> {
        let value = entry_text(value.into())?;
        let template = "/instances/{id}/configuration/{configId}";
        // The entry is named by id alone, so whether it holds a secret is unknown: the value
        // is cut out of any error text whatever its kind.
        let call = Request::new(Method::PATCH, template, config_path(id, Some(entry)))
            .redact([SecretString::from(value.clone())])
            .json(&json!({ "propertyValue": value }))?;
        self.client.send(call).await?.json()
    }

    /// Enables an instance (`PUT /instances/{id}/enabled`), such as one the platform disabled
    /// after failed token refreshes.
    ///
    /// # Errors
    ///
    /// The platform's error, such as `404` for an unknown id.
    pub async fn enable(&self, id: InstanceId) -> Result<()> {
        self.switch(Method::PUT, id, "enabled", "/instances/{id}/enabled", None)
            .await
    }

    /// Disables an instance (`DELETE /instances/{id}/enabled`); connector calls then fail
    /// with `403` until it is enabled again.
    ///
    /// # Errors
    ///
    /// The platform's error, such as `404` for an unknown id.
    pub async fn disable(&self, id: InstanceId) -> Result<()> {
        self.switch(
            Method::DELETE,
            id,
            "enabled",
            "/instances/{id}/enabled",
            None,
        )
        .await
    }

    /// Turns on trace-level usage logging (`PUT /instances/{id}/trace-logging`), optionally
    /// for a `duration` sent as `{"duration": n}`. The platform does not document its unit.
    ///
    /// # Errors
    ///
    /// The platform's error, such as `404` for an unknown id.
    pub async fn enable_trace_logging(&self, id: InstanceId, duration: Option<u64>) -> Result<()> {
        let body = duration.map(|n| json!({ "duration": n }));
        let template = "/instances/{id}/trace-logging";
        self.switch(Method::PUT, id, "trace-logging", template, body)
            .await
    }

    /// Turns off trace logging (`DELETE /instances/{id}/trace-logging`).
    ///
    /// # Errors
    ///
    /// The platform's error, such as `404` for an unknown id.
    pub async fn disable_trace_logging(&self, id: InstanceId) -> Result<()> {
        let template = "/instances/{id}/trace-logging";
        self.switch(Method::DELETE, id, "trace-logging", template, None)
            .await
    }

    async fn switch(
        &self,
        method: Method,
        id: InstanceId,
        last: &str,
        template: &'static str,
        body: Option<serde_json::Value>,
    ) -> Result<()> {
        let segments = ["instances".to_owned(), id.to_string(), last.to_owned()];
        let mut call = Request::new(method, template, segments);
        if let Some(body) = body {
            call = call.json(&body)?;
        }
        self.client.send(call).await.map(drop)
    }
}

/// The create body without `element`, which the path already names.
fn body_without_element(request: &NewInstance) -> Result<serde_json::Value> {
    let mut body = serde_json::to_value(request).map_err(|e| InvalidInput::Value {
        field: "request body",
        reason: e.to_string(),
    })?;
    if let Some(map) = body.as_object_mut() {
        map.remove("element");
    }
    Ok(body)
}

fn config_path(id: InstanceId, entry: Option<ConfigEntryId>) -> Vec<String> {
    let mut segments = vec![
        "instances".to_owned(),
        id.to_string(),
        "configuration".to_owned(),
    ];
    segments.extend(entry.map(|e| e.to_string()));
    segments
}

/// The value as the platform stores it, refusing its own mask.
fn entry_text(value: ConfigValue) -> Result<String> {
    let text = match value {
        ConfigValue::Secret(secret) => secret.expose_secret().to_owned(),
        other => other.as_plain_str().unwrap_or_default(),
    };
    if is_masked(&text) {
        return Err(Error::InvalidInput(InvalidInput::Value {
            field: "propertyValue",
            reason: "holds the platform's mask `********`, not a real value".to_owned(),
        }));
    }
    Ok(text)
}
