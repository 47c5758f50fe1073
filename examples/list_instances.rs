//! Streams every instance carrying a tag, page by page, against the embedded emulator.
//!
//! ```text
//! cargo run --example list_instances
//! ```
//!
//! `RUST_LOG` (such as `RUST_LOG=open_connectors=debug`) shows the SDK's request spans on
//! stderr; `OPEN_CONNECTORS_USER_SECRET` and `OPEN_CONNECTORS_ORGANIZATION_SECRET`, when set,
//! are the emulator's account secrets.

// An example's output is its point.
#![allow(clippy::print_stdout)]

mod support;

use futures_util::TryStreamExt;
use open_connectors::ListInstances;

const TAG: &str = "production";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::init_tracing();

    let emulator = support::start_emulator().await?;
    let seeded = emulator.seed_instances("caagilecentral", 120, "rally-", &[TAG]);
    emulator.seed_instances("caagilecentral", 30, "staging-", &["staging"]);
    println!(
        "seeded {} instances tagged {TAG:?} and 30 others",
        seeded.len()
    );

    let client = support::client_for(&emulator)?;

    let query = ListInstances::new().tag(TAG).page_size(50);
    let mut instances = std::pin::pin!(client.instances().stream(query));
    let mut count = 0usize;
    while let Some(instance) = instances.try_next().await? {
        count += 1;
        if count.is_multiple_of(50) {
            println!(
                "... {count} instances so far (latest: {} {})",
                instance.id, instance.name
            );
        }
    }
    println!("{count} instances tagged {TAG:?}");

    emulator.shutdown().await;
    Ok(())
}
