//! 1,000 sequential calls through one `Client` against the emulator, which counts the TCP
//! connections it accepted: a client that reuses its connections opens one.

// A benchmark has no caller to hand a failure to: it stops and says why.
#![allow(clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use open_connectors::{Client, InstanceId};
use open_connectors_emulator::Emulator;

const CALLS: usize = 1_000;

fn main() {
    // `cargo test --benches` runs benchmarks without `--bench`; they have nothing to check.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(sequential_calls());
}

async fn sequential_calls() {
    let emulator = Emulator::start().await.expect("the emulator starts");
    let ids = emulator.seed_instances("caagilecentral", 1, "reused", &[]);
    let id = InstanceId(*ids.first().expect("one seeded instance"));
    let client = Client::builder()
        .base_url(emulator.base_url())
        .user_secret(emulator.user_secret())
        .organization_secret(emulator.organization_secret())
        .build()
        .expect("a client for the emulator");
    let before = emulator.accepted_connections();

    let started = Instant::now();
    for _ in 0..CALLS {
        std::hint::black_box(client.instances().get(id).await.expect("the instance"));
    }
    let elapsed = started.elapsed();

    let opened = emulator.accepted_connections() - before;
    println!("connections: {CALLS} sequential gets in {elapsed:?} opened {opened} connection(s)");
    emulator.shutdown().await;
}
