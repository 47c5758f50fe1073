//! What a call through the SDK costs against the same call written by hand with reqwest and
//! serde_json, both against one in-process server on loopback, in one run.

// A benchmark has no caller to hand a failure to: it stops and says why.
#![allow(clippy::expect_used, clippy::print_stdout)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use futures_util::{StreamExt, TryStreamExt, stream};
use open_connectors::InstanceId;

mod support;

#[path = "support/paired.rs"]
mod paired;

use support::{HandWritten, SmallInstance};

/// Creates per round in the concurrency benchmark, and how many are in flight at once.
const CREATES: usize = 1_000;
const IN_FLIGHT: usize = 32;

/// Rounds of the paired comparison.
const GET_ROUNDS: usize = 4_000;
const CREATE_ROUNDS: usize = 20;

fn get_instance(c: &mut Criterion) {
    let address = support::start_server();
    let runtime = support::client_runtime();
    let sdk = support::sdk_client(address);
    let hand = HandWritten::new(address);
    let id = InstanceId(support::INSTANCE_ID);

    let mut group = c.benchmark_group("get_instance");
    group.bench_function("sdk", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(sdk.instances().get(id).await.expect("an instance")) })
    });
    group.bench_function("reqwest_struct", |b| {
        b.to_async(&runtime).iter(|| async {
            let instance: SmallInstance = hand.get(id.0).await.expect("an instance");
            black_box(instance)
        })
    });
    group.bench_function("reqwest_value", |b| {
        b.to_async(&runtime).iter(|| async {
            let instance: serde_json::Value = hand.get(id.0).await.expect("an instance");
            black_box(instance)
        })
    });
    group.finish();
}

fn concurrent_creates(c: &mut Criterion) {
    let address = support::start_server();
    let runtime = support::client_runtime();
    let sdk = support::sdk_client(address);
    let hand = HandWritten::new(address);
    let request = support::sdk_create_request();

    let mut group = c.benchmark_group("create_1000_32_in_flight");
    group.sample_size(10);
    group.bench_function("sdk", |b| {
        b.to_async(&runtime).iter(|| async {
            let instances = sdk.instances();
            let calls = (0..CREATES).map(|_| instances.create(&request));
            let done = stream::iter(calls)
                .buffer_unordered(IN_FLIGHT)
                .try_for_each(keep);
            done.await.expect("every create succeeds")
        })
    });
    group.bench_function("reqwest_struct", |b| {
        b.to_async(&runtime).iter(|| async {
            let calls = (0..CREATES).map(|_| hand.create());
            let done = stream::iter(calls)
                .buffer_unordered(IN_FLIGHT)
                .try_for_each(keep);
            done.await.expect("every create succeeds")
        })
    });
    group.finish();
}

/// Hands a created instance to the optimizer's black box and goes on.
fn keep<T, E>(instance: T) -> std::future::Ready<Result<(), E>> {
    black_box(instance);
    std::future::ready(Ok(()))
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(40)
}

criterion_group! {
    name = calls;
    config = config();
    targets = get_instance, concurrent_creates
}

/// Runs the criterion groups, then (under `cargo bench` only) the paired comparison that
/// gives the ratios.
fn main() {
    calls();
    Criterion::default().configure_from_args().final_summary();
    if std::env::args().any(|arg| arg == "--bench") {
        paired_report();
    }
}

/// The SDK and the hand-written calls alternated round by round against one server, so that
/// the machine's other load falls on both alike.
fn paired_report() {
    let address = support::start_server();
    let runtime = support::client_runtime();
    let sdk = support::sdk_client(address);
    let hand = HandWritten::new(address);
    let request = support::sdk_create_request();
    let id = InstanceId(support::INSTANCE_ID);
    let instances = sdk.instances();

    let get = runtime.block_on(paired::measure(
        GET_ROUNDS,
        || async {
            black_box(sdk.instances().get(id).await.expect("an instance"));
        },
        || async {
            black_box(hand.get::<SmallInstance>(id.0).await.expect("an instance"));
        },
    ));
    let get_value = runtime.block_on(paired::measure(
        GET_ROUNDS,
        || async {
            black_box(sdk.instances().get(id).await.expect("an instance"));
        },
        || async {
            black_box(
                hand.get::<serde_json::Value>(id.0)
                    .await
                    .expect("an instance"),
            );
        },
    ));
    let creates = runtime.block_on(paired::measure(
        CREATE_ROUNDS,
        || creates(CREATES, |_| instances.create(&request)),
        || creates(CREATES, |_| hand.create()),
    ));
    println!("{}", get.line("get, hand-written into a small struct"));
    println!(
        "{}",
        get_value.line("get, hand-written into serde_json::Value")
    );
    println!("{}", creates.line("1000 creates, 32 in flight"));
}

/// Runs `count` calls made by `call`, `IN_FLIGHT` at a time, and checks that all succeed.
async fn creates<F, Fut, T, E>(count: usize, call: F)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    let calls = (0..count).map(call);
    let done = stream::iter(calls)
        .buffer_unordered(IN_FLIGHT)
        .try_for_each(keep);
    done.await.expect("every create succeeds")
}
