//! Creating, updating and seeding instances: the checks the platform makes and the values it
//! fills in. Each operation runs under one lock of the store, so an OAuth code is used up in the
//! same step that creates the instance.

pub(crate) mod body;

use serde_json::{Map, Value};

use crate::catalogue::{AuthKind, ElementDef, catalogue};
use crate::error::ApiError;
use crate::random;
use crate::state::config::{self, ConfigValue};
use crate::state::instance::Instance;
use crate::state::{Shared, Store};
use body::InstanceBody;

/// Whether an update replaces the instance (PUT) or changes part of it (PATCH).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UpdateMode {
    /// PUT: the name is required and the tags are replaced (left out means none).
    Replace,
    /// PATCH: only what the body holds changes.
    Patch,
}

/// Creates an instance of `from_path` (the element in the URL) or of the body's element.
pub(crate) fn create(
    shared: &Shared,
    from_path: Option<&'static ElementDef>,
    body: InstanceBody,
) -> Result<Value, ApiError> {
    let element = target_element(from_path, &body)?;
    let name = body.name()?;

    let mut store = shared.store();
    let sent = body.configuration.unwrap_or_default();
    let mut configuration = config::initial(element, sent, &mut store.last_entry_id);
    check_required(element, &configuration)?;
    if element.auth.is_oauth() && !body.external_authentication {
        let callback = config::value_of(&configuration, "oauth.callback.url");
        let provider_data = body.provider_data.as_ref();
        store.grants.redeem(element, provider_data, callback)?;
        fill_user_tokens(element, &mut configuration, &mut store);
    }

    let mut instance = Instance::new(store.next_instance_id(), name, element, configuration);
    instance.tags = body.tags.unwrap_or_default();
    instance.external_authentication = body.external_authentication;
    let mut answer = instance.to_json();
    if let (Some(data), Value::Object(fields)) = (body.provider_data, &mut answer) {
        // Only the create answer echoes providerData; GET, PUT and PATCH never do.
        fields.insert("providerData".into(), Value::Object(data));
    }
    store.insert(instance);
    Ok(answer)
}

/// The element in the path, or else the one in the body; the two must not disagree.
fn target_element(
    from_path: Option<&'static ElementDef>,
    body: &InstanceBody,
) -> Result<&'static ElementDef, ApiError> {
    match from_path {
        Some(element) if body.names_element(element) => Ok(element),
        Some(_) => Err(ApiError::bad_request(
            "The element in the body is not the element in the path",
        )),
        None => body.element(),
    }
}

/// Updates an instance by PUT or PATCH; `element` limits the ids to one element's instances.
pub(crate) fn update(
    shared: &Shared,
    id: u64,
    element: Option<&ElementDef>,
    body: InstanceBody,
    mode: UpdateMode,
) -> Result<Value, ApiError> {
    let mut store = shared.store();
    let mut instance = find(&store, id, element)?.clone();
    if !body.names_element(instance.element) {
        return Err(ApiError::bad_request(
            "Moving an instance to another element is not supported",
        ));
    }

    let provider_data = apply(&mut instance, body, mode, &mut store.last_entry_id)?;
    check_required(instance.element, &instance.config)?;
    if instance.element.auth.is_oauth() && provider_data.is_some() {
        reauthenticate(&mut store, &mut instance, provider_data.as_ref())?;
    }

    let answer = instance.to_json();
    store.replace(instance);
    Ok(answer)
}

/// Applies name, tags and configuration from an update body; returns its provider data.
fn apply(
    instance: &mut Instance,
    body: InstanceBody,
    mode: UpdateMode,
    last_entry_id: &mut u64,
) -> Result<Option<Map<String, Value>>, ApiError> {
    if mode == UpdateMode::Replace || body.has_name() {
        instance.name = body.name()?;
    }
    match (mode, body.tags) {
        (_, Some(tags)) => instance.tags = tags,
        (UpdateMode::Replace, None) => instance.tags = Vec::new(),
        (UpdateMode::Patch, None) => {}
    }
    if let Some(sent) = body.configuration {
        config::merge(&mut instance.config, sent, instance.element, last_entry_id);
    }
    Ok(body.provider_data)
}

/// Re-authentication with new provider data: same id, same token, new vendor tokens.
fn reauthenticate(
    store: &mut Store,
    instance: &mut Instance,
    provider_data: Option<&Map<String, Value>>,
) -> Result<(), ApiError> {
    let callback = instance.config_value("oauth.callback.url");
    store
        .grants
        .redeem(instance.element, provider_data, callback)?;
    fill_user_tokens(instance.element, &mut instance.config, store);
    Ok(())
}

/// An instance by id, limited to one element when the URL names one.
pub(crate) fn find<'a>(
    store: &'a Store,
    id: u64,
    element: Option<&ElementDef>,
) -> Result<&'a Instance, ApiError> {
    store
        .get(id)
        .filter(|instance| element.is_none_or(|element| element.key == instance.element.key))
        .ok_or_else(|| ApiError::no_instance(id))
}

/// Parses an instance id from a path; a non-number is an unknown id.
pub(crate) fn parse_id(text: &str) -> Result<u64, ApiError> {
    text.parse().map_err(|_| ApiError::no_instance(text))
}

fn check_required(element: &ElementDef, configuration: &[ConfigValue]) -> Result<(), ApiError> {
    let missing = config::missing_required(element, configuration);
    if missing.is_empty() {
        return Ok(());
    }
    Err(config::missing_error(&missing))
}

/// Stores the vendor tokens an OAuth exchange would have produced.
fn fill_user_tokens(element: &ElementDef, configuration: &mut Vec<ConfigValue>, store: &mut Store) {
    let keys: &[&str] = match element.auth {
        AuthKind::OAuth2 => &["oauth.user.token", "oauth.user.refresh_token"],
        AuthKind::OAuth1 => &["oauth.user.token", "oauth.user.token.secret"],
        AuthKind::Custom | AuthKind::Basic => &[],
    };
    for key in keys {
        config::set(
            configuration,
            key,
            random::instance_token(),
            &mut store.last_entry_id,
        );
    }
}

/// Inserts ready-made instances without HTTP; an unknown element key seeds nothing.
pub(crate) fn seed(
    shared: &Shared,
    element_key: &str,
    count: usize,
    name_prefix: &str,
    tags: &[&str],
) -> Vec<u64> {
    let Some(element) = catalogue().find(element_key) else {
        return Vec::new();
    };
    let mut store = shared.store();
    (1..=count)
        .map(|number| seed_one(&mut store, element, format!("{name_prefix}{number}"), tags))
        .collect()
}

fn seed_one(store: &mut Store, element: &'static ElementDef, name: String, tags: &[&str]) -> u64 {
    let sent = element
        .caller_required_keys()
        .map(|key| (key.to_owned(), Some(format!("seeded-{key}"))))
        .collect();
    let mut configuration = config::initial(element, sent, &mut store.last_entry_id);
    fill_user_tokens(element, &mut configuration, store);

    let id = store.next_instance_id();
    let mut instance = Instance::new(id, name, element, configuration);
    instance.tags = tags.iter().map(|tag| (*tag).to_owned()).collect();
    store.insert(instance);
    id
}
