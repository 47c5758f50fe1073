//! Setup every example shares: logs from `RUST_LOG` on stderr, and the embedded emulator
//! started with the account secrets from the environment when they are set.
//!
//! A folder without `main.rs` is not an example of its own; each example takes this in with
//! `mod support;`.

use std::io::{self, IsTerminal};

use open_connectors::{Client, ENV_ORGANIZATION_SECRET, ENV_USER_SECRET};
use open_connectors_emulator::Emulator;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Logs go to stderr, filtered by `RUST_LOG`, so that stdout shows only the steps. Each
/// request's span is logged when it closes, which is when its status and the platform's request
/// id are known.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::from_default_env())
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(io::stderr().is_terminal())
        .with_writer(io::stderr)
        .init();
}

/// A variable's value, treating an empty one as unset.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// Starts the emulator on a free loopback port, with the account secrets from the environment
/// when they are set, so that a run can be checked for exactly those secrets.
pub async fn start_emulator() -> io::Result<Emulator> {
    let mut builder = Emulator::builder().port(0);
    if let Some(secret) = env(ENV_USER_SECRET) {
        builder = builder.user_secret(secret);
    }
    if let Some(secret) = env(ENV_ORGANIZATION_SECRET) {
        builder = builder.organization_secret(secret);
    }
    builder.start().await
}

/// A client for the emulator's account.
pub fn client_for(emulator: &Emulator) -> open_connectors::Result<Client> {
    Client::builder()
        .base_url(emulator.base_url())
        .user_secret(emulator.user_secret())
        .organization_secret(emulator.organization_secret())
        .build()
}
