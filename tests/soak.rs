//! A soak run against an emulator that fails on purpose: thousands of mixed calls, sixteen at a
//! time, with about one call in seven disturbed (503/429 with `Retry-After`, connections dropped
//! before or after processing, slow answers, bodies cut in half).
//!
//! It checks what must hold whatever the faults: no instance is ever created twice, every call
//! ends within its deadline in a value or a typed error, an unknown outcome is only ever
//! reported for a create or a patch, and nothing panics.

#![allow(clippy::expect_used)]

use std::collections::HashMap;
use std::time::Duration;

use open_connectors::{
    Client, Configuration, Element, Error, InstanceId, InstancePatch, ListInstances, NewInstance,
    RetryPolicy,
};
use open_connectors_emulator::{Emulator, FaultKind, FaultRule};
use tokio::task::JoinSet;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WORKERS: usize = 16;
const ROUNDS: usize = 26;
const SEEDED_PER_WORKER: usize = 2;
const TIMEOUT: Duration = Duration::from_millis(250);
const SLOW: Duration = Duration::from_millis(400);
const DEADLINE: Duration = Duration::from_secs(3);

/// The kinds of call a round makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Call {
    Create,
    Get,
    List,
    Patch,
    Delete,
}

/// How one call ended.
#[derive(Debug)]
struct Outcome {
    call: Call,
    unknown: bool,
    ok: bool,
}

/// A create's name and whether the client reported it created.
#[derive(Debug)]
struct Create {
    name: String,
    created: bool,
}

#[derive(Debug, Default)]
struct Report {
    outcomes: Vec<Outcome>,
    creates: Vec<Create>,
}

fn faults(emulator: &Emulator) {
    let faults = emulator.faults();
    faults.seed(20_261_204);
    faults.add(
        FaultRule::all_routes()
            .with(FaultKind::Unavailable, 0.03)
            .with(FaultKind::TooManyRequests, 0.03)
            .with(FaultKind::DropBeforeProcessing, 0.02)
            .with(FaultKind::DropAfterProcessing, 0.02)
            .with(FaultKind::Slow, 0.02)
            .with(FaultKind::MalformedBody, 0.02)
            .retry_after(0)
            .delay(SLOW),
    );
}

fn client(emulator: &Emulator) -> Client {
    let policy = RetryPolicy::default()
        .max_attempts(4)
        .initial_backoff(Duration::from_millis(2))
        .max_backoff(Duration::from_millis(10));
    Client::builder()
        .base_url(emulator.base_url())
        .user_secret(emulator.user_secret())
        .organization_secret(emulator.organization_secret())
        .retry_policy(policy)
        .timeout(TIMEOUT)
        .create_timeout(TIMEOUT)
        .deadline(DEADLINE)
        .build()
        .expect("a loopback emulator makes a valid client")
}

/// Runs one call, bounded by its deadline plus a margin, and records how it ended.
async fn call<T>(
    report: &mut Report,
    kind: Call,
    future: impl Future<Output = Result<T, Error>>,
) -> Option<T> {
    // Every call ending by its deadline is the behaviour under test. The 5 s margin absorbs
    // a loaded two-core machine that runs this task late, so only a call that hangs or
    // outlives its deadline by far fails here, never a slow scheduler.
    let bound = DEADLINE + Duration::from_secs(5);
    let result = tokio::time::timeout(bound, future)
        .await
        .unwrap_or_else(|_| panic!("a {kind:?} outlived its deadline"));
    report.outcomes.push(Outcome {
        call: kind,
        unknown: matches!(result, Err(Error::OutcomeUnknown { .. })),
        ok: result.is_ok(),
    });
    result.ok()
}

async fn worker(client: Client, worker: usize, seeded: Vec<u64>) -> Report {
    let mut report = Report::default();
    let instances = client.instances();
    for round in 0..ROUNDS {
        let name = format!("soak-{worker}-{round}");
        let request = NewInstance::builder(Element::key("caagilecentral"), name.as_str())
            .configuration(Configuration::new().set_secret("api.key", "soak-rally-key"))
            .tag("soak")
            .build()
            .expect("a valid request");
        let created = call(&mut report, Call::Create, instances.create(&request)).await;
        report.creates.push(Create {
            name: name.clone(),
            created: created.is_some(),
        });

        let id = created
            .as_ref()
            .map_or(InstanceId(seeded[round % seeded.len()]), |i| i.id);
        let patch = InstancePatch::new()
            .tags([format!("round-{round}")])
            .build()
            .expect("a valid patch");
        let query = ListInstances::new().search_text(name.as_str());
        call(&mut report, Call::Get, instances.get(id)).await;
        call(&mut report, Call::List, instances.list_page(&query)).await;
        call(&mut report, Call::Patch, instances.patch(id, &patch)).await;
        if created.is_some() {
            call(&mut report, Call::Delete, instances.delete(id)).await;
        } else {
            call(&mut report, Call::List, instances.list()).await;
        }
    }
    report
}

async fn run(emulator: &Emulator) -> Report {
    let seeded =
        emulator.seed_instances("caagilecentral", WORKERS * SEEDED_PER_WORKER, "seed-", &[]);
    assert_eq!(
        seeded.len(),
        WORKERS * SEEDED_PER_WORKER,
        "the emulator seeds instances"
    );
    let mut tasks = JoinSet::new();
    for (index, ids) in seeded.chunks(SEEDED_PER_WORKER).enumerate() {
        tasks.spawn(worker(client(emulator), index, ids.to_vec()));
    }

    let mut report = Report::default();
    while let Some(joined) = tasks.join_next().await {
        let part = joined.expect("no worker panicked");
        report.outcomes.extend(part.outcomes);
        report.creates.extend(part.creates);
    }
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_holds_up_under_faults() -> TestResult {
    let emulator = Emulator::start().await?;
    faults(&emulator);

    let report = run(&emulator).await;

    let created: HashMap<String, u64> = emulator.instances_created_by_name();
    let injected = emulator.faults().total_injected();
    assert!(
        report.outcomes.len() >= 2_000,
        "{} calls",
        report.outcomes.len()
    );
    assert!(injected >= 100, "only {injected} faults were injected");
    for create in &report.creates {
        let count = created.get(&create.name).copied().unwrap_or(0);
        assert!(count <= 1, "{} was created {count} times", create.name);
        if create.created {
            assert_eq!(count, 1, "{} was reported created", create.name);
        }
    }
    for outcome in report.outcomes.iter().filter(|o| o.unknown) {
        assert!(
            matches!(outcome.call, Call::Create | Call::Patch),
            "{outcome:?}"
        );
    }
    let succeeded = report.outcomes.iter().filter(|o| o.ok).count();
    let unknown = report.outcomes.iter().filter(|o| o.unknown).count();
    eprintln!(
        "soak: {} calls, {succeeded} succeeded, {unknown} unknown outcomes, {injected} faults",
        report.outcomes.len()
    );
    assert!(
        succeeded * 10 >= report.outcomes.len() * 8,
        "{succeeded} succeeded"
    );
    Ok(())
}
