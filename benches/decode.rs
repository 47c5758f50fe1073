//! Decoding lists of instances into the SDK's models against decoding them into
//! `serde_json::Value`, and building and serializing a create request.

// A benchmark has no caller to hand a failure to: it stops and says why.
#![allow(clippy::expect_used, clippy::print_stdout)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use open_connectors::{
    Configuration, Element, EventVendorType, Instance, NewInstance, NotificationType,
};
use serde_json::Value;

mod support;

#[path = "support/paired.rs"]
mod paired;

/// A list of `count` instances cycling through the documented answers, each with its own id.
fn list_of(count: usize) -> Vec<u8> {
    let mut shapes: Vec<Value> = serde_json::from_str(support::LIST).expect("a list fixture");
    shapes.push(serde_json::from_str(support::INSTANCE).expect("an instance fixture"));
    shapes.push(serde_json::from_str(support::OAUTH_INSTANCE).expect("an instance fixture"));
    let items: Vec<Value> = (0..count)
        .map(|i| {
            let mut item = shapes[i % shapes.len()].clone();
            item["id"] = Value::from(i as u64 + 1);
            item
        })
        .collect();
    serde_json::to_vec(&items).expect("a list serializes")
}

/// The SDK's decode path for an answer body (`Response::json` in its transport): serde_json
/// on its models. Only when that fails is the body decoded again with the JSON path tracked.
fn decode_like_the_sdk<T: serde::de::DeserializeOwned>(body: &[u8]) -> T {
    serde_json::from_slice(body).expect("instances")
}

/// Decoding with the JSON path tracked all along, as the SDK did before, for comparison.
fn decode_path_tracked<T: serde::de::DeserializeOwned>(body: &[u8]) -> T {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).expect("instances");
    de.end().expect("nothing after the value");
    value
}

fn decode_lists(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode_list");
    for count in [1_000, 10_000] {
        let body = list_of(count);
        group.throughput(Throughput::Elements(count as u64));
        group.bench_with_input(BenchmarkId::new("sdk_path", count), &body, |b, body| {
            b.iter(|| decode_like_the_sdk::<Vec<Instance>>(black_box(body)))
        });
        group.bench_with_input(BenchmarkId::new("path_tracked", count), &body, |b, body| {
            b.iter(|| decode_path_tracked::<Vec<Instance>>(black_box(body)))
        });
        group.bench_with_input(BenchmarkId::new("value", count), &body, |b, body| {
            b.iter(|| serde_json::from_slice::<Value>(black_box(body)).expect("a list"))
        });
    }
    group.finish();
}

/// One instance, as a get answers it: the SDK's path against serde_json on its own.
fn decode_one(c: &mut Criterion) {
    let body = support::INSTANCE.as_bytes();

    let mut group = c.benchmark_group("decode_one");
    group.bench_function("sdk_path", |b| {
        b.iter(|| decode_like_the_sdk::<Instance>(black_box(body)))
    });
    group.bench_function("value", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(body)).expect("an instance"))
    });
    group.bench_function("small_struct", |b| {
        b.iter(|| {
            serde_json::from_slice::<support::SmallInstance>(black_box(body)).expect("an instance")
        })
    });
    group.finish();
}

/// A create request with every typed setter, a few connector-specific keys and two secrets.
fn full_request() -> NewInstance {
    let callback = "https://app.example.com/events".parse().expect("a URL");
    let configuration = Configuration::new()
        .event_notification_enabled(true)
        .event_vendor_type(EventVendorType::Polling)
        .event_notification_type(NotificationType::Webhook)
        .event_notification_callback_url(callback)
        .event_notification_signature_key("signature-key-placeholder")
        .filter_response_nulls(true)
        .event_poller_refresh_interval(15)
        .set(
            "base.url",
            "https://rally1.rallydev.com/slm/webservice/v2.0",
        )
        .set("pagination.max", "200")
        .set("bulk.query.operator", ">=")
        .set_secret("api.key", "rally-api-key-placeholder");
    NewInstance::builder(Element::key("caagilecentral"), "instance1")
        .configuration(configuration)
        .tags(["production", "rally"])
        .build()
        .expect("a valid request")
}

fn create_request(c: &mut Criterion) {
    let request = full_request();

    let mut group = c.benchmark_group("create_request");
    group.bench_function("build_and_serialize", |b| {
        b.iter(|| serde_json::to_vec(&full_request()).expect("a body"))
    });
    group.bench_function("serialize", |b| {
        b.iter(|| serde_json::to_vec(black_box(&request)).expect("a body"))
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

criterion_group! {
    name = decode;
    config = config();
    targets = decode_one, decode_lists, create_request
}

/// Runs the criterion groups, then (under `cargo bench` only) the paired comparison that
/// gives the ratios.
fn main() {
    decode();
    Criterion::default().configure_from_args().final_summary();
    if std::env::args().any(|arg| arg == "--bench") {
        paired_report();
    }
}

/// Typed decoding through the SDK's path against `serde_json::Value`, alternated round by
/// round so that the machine's other load falls on both alike.
fn paired_report() {
    let one = support::INSTANCE.as_bytes();
    let pair = paired::measure_blocking(
        20_000,
        || drop(black_box(decode_like_the_sdk::<Instance>(black_box(one)))),
        || drop(black_box(serde_json::from_slice::<Value>(black_box(one)))),
    );
    println!("{}", pair.line("decode one instance, SDK path vs Value"));
    let pair = paired::measure_blocking(
        20_000,
        || drop(black_box(decode_path_tracked::<Instance>(black_box(one)))),
        || drop(black_box(serde_json::from_slice::<Value>(black_box(one)))),
    );
    println!(
        "{}",
        pair.line("decode one instance, path tracked vs Value")
    );
    for (count, rounds) in [(1_000, 200), (10_000, 30)] {
        let body = list_of(count);
        let pair = paired::measure_blocking(
            rounds,
            || {
                drop(black_box(decode_like_the_sdk::<Vec<Instance>>(black_box(
                    &body,
                ))))
            },
            || drop(black_box(serde_json::from_slice::<Value>(black_box(&body)))),
        );
        println!(
            "{}",
            pair.line(&format!("decode {count} instances, SDK path vs Value"))
        );
    }
}
