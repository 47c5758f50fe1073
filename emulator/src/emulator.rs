//! The running emulator and its builder.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::faults::Faults;
use crate::routes::{self, API_ROOT};
use crate::state::Shared;
use crate::webhooks::WebhookQueue;
use crate::{provision, random, server};

/// A running emulator on `127.0.0.1`.
///
/// The server runs as tasks on the tokio runtime that started it; dropping the `Emulator`
/// (or calling [`Emulator::shutdown`]) stops them and closes every connection.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Emulator {
    /// Starts an emulator on a free port with newly generated secrets.
    ///
    /// # Errors
    ///
    /// Fails when no port on 127.0.0.1 can be bound.
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    pub async fn start() -> io::Result<Emulator> {
        Emulator::builder().start().await
    }

    /// A builder, to choose the port or the secrets.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The base URL of the platform API, `http://127.0.0.1:PORT/elements/api-v2`.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The address the emulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The user secret callers must send (`User <secret>`).
    pub fn user_secret(&self) -> &str {
        &self.shared.user_secret
    }

    /// The organization secret callers must send (`Organization <secret>`).
    pub fn organization_secret(&self) -> &str {
        &self.shared.organization_secret
    }

    /// How many TCP connections were accepted since the start.
    pub fn accepted_connections(&self) -> u64 {
        self.shared.accepted.load(Ordering::Relaxed)
    }

    /// How many instances exist now.
    pub fn instance_count(&self) -> usize {
        self.shared.store().count()
    }

    /// How many instances were ever created with this name, deleted ones included.
    ///
    /// A soak test can check that a retried create did not make a second instance.
    pub fn instances_created_with_name(&self, name: &str) -> u64 {
        let store = self.shared.store();
        store.created_by_name().get(name).copied().unwrap_or(0)
    }

    /// How many instances were ever created with each name, deleted ones included.
    pub fn instances_created_by_name(&self) -> HashMap<String, u64> {
        self.shared.store().created_by_name().clone()
    }

    /// Inserts instances directly (no HTTP), for tests and benchmarks that need many.
    ///
    /// The instances are named `{name_prefix}1` to `{name_prefix}{count}`, carry `tags`, and
    /// have a placeholder value for every required configuration entry. Returns their ids;
    /// an element key the catalogue does not know seeds nothing and returns no ids.
    pub fn seed_instances(
        &self,
        element_key: &str,
        count: usize,
        name_prefix: &str,
        tags: &[&str],
    ) -> Vec<u64> {
        provision::seed(&self.shared, element_key, count, name_prefix, tags)
    }

    /// The fault injection, configurable while the emulator runs.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Stops the server and waits until its tasks have ended.
    pub async fn shutdown(mut self) {
        for task in std::mem::take(&mut self.tasks) {
            task.abort();
            // A cancelled task reports an error by design; there is nothing else to learn.
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .field("user_secret", &"[redacted]")
            .field("organization_secret", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Chooses the port and secrets of an [`Emulator`].
#[derive(Default)]
pub struct EmulatorBuilder {
    port: u16,
    user_secret: Option<String>,
    organization_secret: Option<String>,
}

impl EmulatorBuilder {
    /// The port on 127.0.0.1; 0 (the default) takes any free port.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The user secret; generated when not set.
    pub fn user_secret(mut self, secret: impl Into<String>) -> Self {
        self.user_secret = Some(secret.into());
        self
    }

    /// The organization secret; generated when not set.
    pub fn organization_secret(mut self, secret: impl Into<String>) -> Self {
        self.organization_secret = Some(secret.into());
        self
    }

    /// Binds 127.0.0.1 and starts serving on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// Fails when the port cannot be bound (for example when it is taken).
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    pub async fn start(self) -> io::Result<Emulator> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port)).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}{API_ROOT}");
        let (webhooks, webhook_worker) = WebhookQueue::start();
        let shared = Arc::new(Shared::new(
            self.user_secret.unwrap_or_else(random::secret),
            self.organization_secret.unwrap_or_else(random::secret),
            base_url,
            webhooks,
        ));

        let router = routes::router(shared.clone());
        let server = tokio::spawn(server::accept_loop(listener, router, shared.clone()));
        Ok(Emulator {
            shared,
            addr,
            tasks: vec![server, webhook_worker],
        })
    }
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |secret: &Option<String>| secret.as_ref().map(|_| "[redacted]");
        f.debug_struct("EmulatorBuilder")
            .field("port", &self.port)
            .field("user_secret", &redact(&self.user_secret))
            .field("organization_secret", &redact(&self.organization_secret))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn debug_output_never_shows_the_secrets() {
        let builder = Emulator::builder()
            .user_secret("user-secret-value")
            .organization_secret("org-secret-value");
        let builder_text = format!("{builder:?}");
        let emulator = builder.start().await.expect("127.0.0.1 can be bound");

        let emulator_text = format!("{emulator:?}");

        for text in [builder_text, emulator_text] {
            assert!(!text.contains("user-secret-value") && !text.contains("org-secret-value"));
            assert!(text.contains("[redacted]"));
        }
    }
}
