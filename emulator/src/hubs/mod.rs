//! Hub data: the Rally (`caagilecentral`) objects each instance holds, in the `general` hub.
//!
//! Objects use Rally's own field names (`ObjectID`, `Name`, `ScheduleState`, `Project`,
//! `CreationDate`, `LastUpdateDate`). Each instance starts with a few projects and no defects
//! or user stories.

pub(crate) mod query;

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::time;

/// A JSON object as stored.
pub(crate) type Object = Map<String, Value>;

/// The Rally resources of the `general` hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Resource {
    Defects,
    UserStory,
    Projects,
}

impl Resource {
    /// The resource named in a hub path.
    pub(crate) fn from_path(name: &str) -> Option<Self> {
        match name {
            "defects" => Some(Resource::Defects),
            "userStory" => Some(Resource::UserStory),
            "projects" => Some(Resource::Projects),
            _ => None,
        }
    }

    /// The name in paths and event notifications.
    pub(crate) fn path_name(self) -> &'static str {
        match self {
            Resource::Defects => "defects",
            Resource::UserStory => "userStory",
            Resource::Projects => "projects",
        }
    }

    /// Rally's own type name, as its validation errors spell it.
    fn vendor_type(self) -> &'static str {
        match self {
            Resource::Defects => "Defect",
            Resource::UserStory => "HierarchicalRequirement",
            Resource::Projects => "Project",
        }
    }

    /// Whether callers may create, change and delete objects of this resource.
    pub(crate) fn writable(self) -> bool {
        self != Resource::Projects
    }
}

/// Fields the emulator sets itself; values sent for them are ignored.
const SERVER_FIELDS: [&str; 3] = ["ObjectID", "CreationDate", "LastUpdateDate"];

/// Rally object ids are large numbers; these start well above anything else the emulator uses.
const FIRST_OBJECT_ID: u64 = 300_000_000_000;

/// The objects of every instance.
#[derive(Default)]
pub(crate) struct HubStore {
    last_object_id: u64,
    objects: HashMap<u64, BTreeMap<Resource, BTreeMap<u64, Object>>>,
}

impl HubStore {
    fn next_id(&mut self) -> u64 {
        self.last_object_id = self.last_object_id.max(FIRST_OBJECT_ID) + 1;
        self.last_object_id
    }

    /// The objects of one instance, seeding its projects on first use.
    fn instance(&mut self, instance_id: u64) -> &mut BTreeMap<Resource, BTreeMap<u64, Object>> {
        if !self.objects.contains_key(&instance_id) {
            let projects = self.seed_projects();
            self.objects.insert(
                instance_id,
                BTreeMap::from([(Resource::Projects, projects)]),
            );
        }
        self.objects.entry(instance_id).or_default()
    }

    fn seed_projects(&mut self) -> BTreeMap<u64, Object> {
        let seeds = [
            ("Sample Project", "Open"),
            ("Mobile App", "Open"),
            ("Legacy Portal", "Closed"),
        ];
        let now = time::now_rfc3339();
        seeds
            .into_iter()
            .map(|(name, state)| {
                let id = self.next_id();
                let project = json!({"ObjectID": id, "Name": name, "State": state,
                    "CreationDate": now, "LastUpdateDate": now});
                (id, project.as_object().cloned().unwrap_or_default())
            })
            .collect()
    }

    /// Every object of a resource, by ascending `ObjectID`.
    pub(crate) fn list(&mut self, instance_id: u64, resource: Resource) -> Vec<Object> {
        let objects = self.instance(instance_id).entry(resource).or_default();
        objects.values().cloned().collect()
    }

    /// One object.
    pub(crate) fn get(&mut self, instance_id: u64, resource: Resource, id: u64) -> Option<Object> {
        self.instance(instance_id).get(&resource)?.get(&id).cloned()
    }

    /// Creates an object from the sent fields; Rally refuses one without a `Name`.
    pub(crate) fn create(
        &mut self,
        instance_id: u64,
        resource: Resource,
        sent: Object,
    ) -> Result<Object, ApiError> {
        let mut object = without_server_fields(sent);
        check_name(resource, &object)?;
        let id = self.next_id();
        let now = time::now_rfc3339();
        object.insert("ObjectID".into(), json!(id));
        object
            .entry("ScheduleState")
            .or_insert_with(|| json!("Defined"));
        object.insert("CreationDate".into(), json!(now));
        object.insert("LastUpdateDate".into(), json!(now));

        let objects = self.instance(instance_id).entry(resource).or_default();
        objects.insert(id, object.clone());
        Ok(object)
    }

    /// Replaces (`merge == false`) or merges the fields of an object.
    pub(crate) fn update(
        &mut self,
        instance_id: u64,
        resource: Resource,
        id: u64,
        sent: Object,
        merge: bool,
    ) -> Result<Option<Object>, ApiError> {
        let objects = self.instance(instance_id).entry(resource).or_default();
        let Some(stored) = objects.get(&id) else {
            return Ok(None);
        };
        let mut updated = if merge { stored.clone() } else { Object::new() };
        updated.extend(without_server_fields(sent));
        check_name(resource, &updated)?;
        for field in SERVER_FIELDS {
            if let Some(value) = stored.get(field) {
                updated.insert(field.into(), value.clone());
            }
        }
        updated.insert("LastUpdateDate".into(), json!(time::now_rfc3339()));
        objects.insert(id, updated.clone());
        Ok(Some(updated))
    }

    /// Deletes an object and returns it as it was.
    pub(crate) fn delete(
        &mut self,
        instance_id: u64,
        resource: Resource,
        id: u64,
    ) -> Option<Object> {
        self.instance(instance_id).get_mut(&resource)?.remove(&id)
    }

    /// Drops every object of a deleted instance.
    pub(crate) fn forget(&mut self, instance_id: u64) {
        self.objects.remove(&instance_id);
    }
}

fn without_server_fields(mut sent: Object) -> Object {
    for field in SERVER_FIELDS {
        sent.remove(field);
    }
    sent
}

/// Rally's validation of `Name`, relayed the way the platform relays vendor errors.
fn check_name(resource: Resource, object: &Object) -> Result<(), ApiError> {
    let named = object
        .get("Name")
        .and_then(Value::as_str)
        .is_some_and(|name| !name.trim().is_empty());
    if named {
        return Ok(());
    }
    let vendor = format!(
        "Validation error: {}.Name should not be null",
        resource.vendor_type()
    );
    Err(ApiError::bad_request(format!("Bad Request: {vendor}")).with_provider_message(vendor))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Object {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn created_objects_get_server_fields_and_a_schedule_state() {
        let mut store = HubStore::default();

        let created = store.create(
            1,
            Resource::Defects,
            object(json!({"Name": "Crash", "ObjectID": 5})),
        );

        let created = created.expect("a named defect is valid");
        assert!(
            created["ObjectID"]
                .as_u64()
                .is_some_and(|id| id > FIRST_OBJECT_ID)
        );
        assert_eq!(created["ScheduleState"], "Defined");
        assert!(created.contains_key("CreationDate"));
    }

    #[test]
    fn a_defect_without_name_is_refused_with_the_vendor_message() {
        let mut store = HubStore::default();

        let refused = store.create(
            1,
            Resource::Defects,
            object(json!({"ScheduleState": "Defined"})),
        );

        assert!(refused.is_err());
        assert!(store.list(1, Resource::Defects).is_empty());
    }

    #[test]
    fn instances_do_not_see_each_others_objects() {
        let mut store = HubStore::default();
        let created = store.create(1, Resource::UserStory, object(json!({"Name": "Story"})));
        let id = created
            .ok()
            .and_then(|story| story["ObjectID"].as_u64())
            .unwrap_or_default();

        assert!(store.get(2, Resource::UserStory, id).is_none());
        assert_eq!(store.list(2, Resource::Projects).len(), 3);
    }
}
