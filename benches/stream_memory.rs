//! Streams every instance from the emulator in pages of 200 and reports items per second and
//! the streaming process's peak resident memory, for 10,000 and 100,000 instances.
//!
//! The emulator (and the instances it holds) lives in this process; each run is streamed by a
//! child process of this same program, so that the peak (`VmHWM`, which never goes down) is
//! the client's alone and each run gets a fresh one.

// A benchmark has no caller to hand a failure to: it stops and says why.
#![allow(clippy::expect_used, clippy::print_stdout)]

use std::process::Command;
use std::time::Instant;

use futures_util::TryStreamExt;
use open_connectors::{
    Client, ENV_BASE_URL, ENV_ORGANIZATION_SECRET, ENV_USER_SECRET, ListInstances,
};
use open_connectors_emulator::Emulator;

/// The instance counts streamed, each in its own child process.
const COUNTS: [usize; 2] = [10_000, 100_000];
/// Instances per page, the most the platform serves.
const PAGE_SIZE: u32 = 200;
/// The argument that makes this program the streaming child.
const CHILD: &str = "--stream-child";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == CHILD) {
        return stream_all(args.get(at + 1).map_or("", String::as_str));
    }
    // `cargo test --benches` runs benchmarks without `--bench`; they have nothing to check.
    if !args.iter().any(|arg| arg == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the emulator");
    let peaks: Vec<u64> = COUNTS
        .iter()
        .map(|&count| stream_from_emulator(&runtime, count))
        .collect();
    println!(
        "stream (emulator): peak resident memory, {} items / {} items: {:.3}",
        COUNTS[1],
        COUNTS[0],
        peaks[1] as f64 / peaks[0] as f64
    );
}

/// Starts an emulator holding `count` instances and streams them from a child process.
/// Returns the child's peak resident memory, in kB.
fn stream_from_emulator(runtime: &tokio::runtime::Runtime, count: usize) -> u64 {
    let emulator = runtime
        .block_on(Emulator::start())
        .expect("the emulator starts");
    let seeding = Instant::now();
    let ids = emulator.seed_instances("caagilecentral", count, "streamed", &["bench"]);
    assert_eq!(ids.len(), count, "the emulator seeds every instance");
    println!(
        "stream (emulator): seeded {count} instances in {:?}",
        seeding.elapsed()
    );

    let secrets = (emulator.user_secret(), emulator.organization_secret());
    let report = stream_in_child(&emulator.base_url(), secrets, "emulator");
    print!("{report}");
    runtime.block_on(emulator.shutdown());
    peak_from(&report)
}

/// Runs this program as the streaming child against `base_url` and returns what it printed.
fn stream_in_child(base_url: &str, (user, organization): (&str, &str), source: &str) -> String {
    let output = Command::new(std::env::current_exe().expect("this program's path"))
        .arg(CHILD)
        .arg(source)
        .env(ENV_BASE_URL, base_url)
        .env(ENV_USER_SECRET, user)
        .env(ENV_ORGANIZATION_SECRET, organization)
        .output()
        .expect("the child runs");
    assert!(output.status.success(), "the child streams: {output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The child: streams every instance and prints what it took.
fn stream_all(source: &str) {
    let start_peak = peak_kb();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the client");
    let client = Client::from_env().expect("the parent sets the environment");
    let started = Instant::now();
    let count = runtime.block_on(count_all(&client));
    let elapsed = started.elapsed();
    println!(
        "stream ({source}): {count} items in {elapsed:?}, {:.0} items/s, \
         peak resident {} kB (at start {start_peak} kB)",
        count as f64 / elapsed.as_secs_f64(),
        peak_kb(),
    );
    println!("peak_kb={}", peak_kb());
}

async fn count_all(client: &Client) -> usize {
    let query = ListInstances::new().page_size(PAGE_SIZE);
    let stream = client.instances().stream(query);
    stream
        .try_fold(0, |count, instance| {
            std::hint::black_box(instance);
            std::future::ready(Ok(count + 1))
        })
        .await
        .expect("every page arrives")
}

/// The process's peak resident memory (`VmHWM`), in kB.
fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux's /proc");
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .expect("a VmHWM line");
    line.split_whitespace()
        .nth(1)
        .and_then(|kb| kb.parse().ok())
        .expect("VmHWM in kB")
}

fn peak_from(report: &str) -> u64 {
    report
        .lines()
        .find_map(|line| line.strip_prefix("peak_kb="))
        .and_then(|kb| kb.trim().parse().ok())
        .expect("the child reports its peak")
}
