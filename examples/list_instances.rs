//! Streams every instance carrying a tag, page by page, against the embedded emulator.
//!
//! ```text
//! cargo run --example list_instances
//! ```

// An example's output is its point.
#![allow(clippy::print_stdout)]

use futures_util::TryStreamExt;
use open_connectors::{Client, ListInstances};
use open_connectors_emulator::Emulator;

const TAG: &str = "production";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start().await?;
    let seeded = emulator.seed_instances("caagilecentral", 120, "rally-", &[TAG]);
    emulator.seed_instances("caagilecentral", 30, "staging-", &["staging"]);
    println!(
        "seeded {} instances tagged {TAG:?} and 30 others",
        seeded.len()
    );

    let client = Client::builder()
        .base_url(emulator.base_url())
        .user_secret(emulator.user_secret())
        .organization_secret(emulator.organization_secret())
        .build()?;

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
