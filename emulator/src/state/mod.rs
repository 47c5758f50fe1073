//! The emulator's state: instances, OAuth grants and hub data, in memory behind one lock.
//!
//! Every handler takes the lock, does all its work synchronously and lets go before it
//! answers, so the lock is never held across an await and concurrent requests see each change
//! whole.

pub(crate) mod config;
pub(crate) mod instance;
pub(crate) mod oauth;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::faults::Faults;
use crate::hubs::HubStore;
use crate::webhooks::WebhookQueue;
use instance::Instance;

/// Everything the server's handlers share.
pub(crate) struct Shared {
    pub(crate) user_secret: String,
    pub(crate) organization_secret: String,
    pub(crate) faults: Faults,
    pub(crate) accepted: AtomicU64,
    /// `http://127.0.0.1:PORT/elements/api-v2`, for links the emulator hands out.
    pub(crate) base_url: String,
    pub(crate) webhooks: WebhookQueue,
    store: Mutex<Store>,
}

impl Shared {
    /// Shared state for a server at `base_url`.
    pub(crate) fn new(
        user_secret: String,
        organization_secret: String,
        base_url: String,
        webhooks: WebhookQueue,
    ) -> Self {
        Self {
            user_secret,
            organization_secret,
            faults: Faults::default(),
            accepted: AtomicU64::new(0),
            base_url,
            webhooks,
            store: Mutex::new(Store::default()),
        }
    }

    /// Locks the store.
    ///
    /// A handler that panicked while holding the lock leaves whole values behind (every change
    /// is a single insert or field write), so a poisoned lock is safe to keep using.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Instances and everything that hangs off them.
#[derive(Default)]
pub(crate) struct Store {
    last_instance_id: u64,
    /// The last configuration entry id handed out; entry ids are unique across instances.
    pub(crate) last_entry_id: u64,
    instances: BTreeMap<u64, Instance>,
    by_token: HashMap<String, u64>,
    created_by_name: HashMap<String, u64>,
    pub(crate) grants: oauth::Grants,
    pub(crate) hubs: HubStore,
}

/// Instance ids start here, so they look like the platform's and never collide with small
/// numbers a test might make up.
const FIRST_INSTANCE_ID: u64 = 100_000;

impl Store {
    /// The id for a new instance.
    pub(crate) fn next_instance_id(&mut self) -> u64 {
        self.last_instance_id = self.last_instance_id.max(FIRST_INSTANCE_ID - 1) + 1;
        self.last_instance_id
    }

    /// Stores a new instance and counts its name.
    pub(crate) fn insert(&mut self, instance: Instance) {
        *self
            .created_by_name
            .entry(instance.name.clone())
            .or_default() += 1;
        self.by_token.insert(instance.token.clone(), instance.id);
        self.instances.insert(instance.id, instance);
    }

    /// Replaces a stored instance after an update (its token never changes).
    pub(crate) fn replace(&mut self, instance: Instance) {
        self.instances.insert(instance.id, instance);
    }

    /// An instance by id.
    pub(crate) fn get(&self, id: u64) -> Option<&Instance> {
        self.instances.get(&id)
    }

    /// An instance by id to change it, with the entry id counter for keys it gains.
    pub(crate) fn get_mut(&mut self, id: u64) -> Option<(&mut Instance, &mut u64)> {
        let instance = self.instances.get_mut(&id)?;
        Some((instance, &mut self.last_entry_id))
    }

    /// Deletes an instance for good: its token stops working and its hub data goes.
    pub(crate) fn remove(&mut self, id: u64) -> Option<Instance> {
        let instance = self.instances.remove(&id)?;
        self.by_token.remove(&instance.token);
        self.hubs.forget(id);
        Some(instance)
    }

    /// The instance a token belongs to.
    pub(crate) fn by_token(&self, token: &str) -> Option<&Instance> {
        self.by_token
            .get(token)
            .and_then(|id| self.instances.get(id))
    }

    /// Every instance, by ascending id.
    pub(crate) fn instances(&self) -> impl Iterator<Item = &Instance> {
        self.instances.values()
    }

    /// How many instances exist now.
    pub(crate) fn count(&self) -> usize {
        self.instances.len()
    }

    /// How many instances were ever created with each name, deleted ones included.
    pub(crate) fn created_by_name(&self) -> &HashMap<String, u64> {
        &self.created_by_name
    }
}
