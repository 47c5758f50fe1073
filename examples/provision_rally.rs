//! Provision a Rally (`caagilecentral`) connector instance end to end.
//!
//! ```sh
//! cargo run --example provision_rally
//! ```
//!
//! With nothing set, this starts the workspace's emulator on 127.0.0.1 and runs against it. When
//! `OPEN_CONNECTORS_BASE_URL`, `OPEN_CONNECTORS_USER_SECRET` and
//! `OPEN_CONNECTORS_ORGANIZATION_SECRET` are all set, it runs against that platform instead and
//! starts nothing; when only the two secrets are set, the emulator is started with them.
//! `RALLY_API_KEY` supplies the Rally API key (a demo value otherwise), and `RUST_LOG` (such as
//! `RUST_LOG=open_connectors=debug`) shows the SDK's request spans on stderr.
//!
//! The steps: a create refused because `api.key` is missing, a create that succeeds, a read, a
//! rename with tags, a listing, and a delete. No secret is ever printed.

#![allow(
    clippy::print_stdout,
    reason = "an example reports each step to its user on stdout"
)]

mod support;

use std::error::Error as StdError;

use futures_util::TryStreamExt;
use open_connectors::{
    Client, Configuration, ENV_BASE_URL, ENV_ORGANIZATION_SECRET, ENV_USER_SECRET, Element, Error,
    Instance, InstanceConfiguration, InstancePatch, ListInstances, NewInstance, is_secret_key,
};
use open_connectors_emulator::Emulator;
use support::env;

type Result<T, E = Box<dyn StdError + Send + Sync>> = std::result::Result<T, E>;

/// The Rally connector's element key.
const RALLY: &str = "caagilecentral";
/// Where the Rally API key comes from; a demo value stands in when it is not set.
const ENV_RALLY_API_KEY: &str = "RALLY_API_KEY";
/// A stand-in API key that the emulator accepts; a real platform would refuse it.
const DEMO_API_KEY: &str = "demo-rally-api-key";

#[tokio::main]
async fn main() -> Result<()> {
    support::init_tracing();

    let platform = Platform::connect().await?;
    let outcome = provision(&platform.client).await;
    platform.shutdown().await;
    outcome
}

/// The platform the example talks to: a real one from the environment, or the emulator.
struct Platform {
    client: Client,
    emulator: Option<Emulator>,
}

impl Platform {
    async fn connect() -> Result<Self> {
        if [ENV_BASE_URL, ENV_USER_SECRET, ENV_ORGANIZATION_SECRET]
            .iter()
            .all(|name| env(name).is_some())
        {
            let client = Client::from_env()?;
            println!("platform: {} (from the environment)", client.base_url());
            return Ok(Platform {
                client,
                emulator: None,
            });
        }
        Platform::emulated().await
    }

    /// Starts the emulator on a free loopback port, with the account secrets from the
    /// environment when they are set.
    async fn emulated() -> Result<Self> {
        if env(ENV_BASE_URL).is_some() {
            println!("{ENV_BASE_URL} is ignored: it needs both secrets set beside it");
        }
        let emulator = support::start_emulator().await?;
        let client = support::client_for(&emulator)?;
        println!(
            "platform: {} (the emulator, started here)",
            client.base_url()
        );
        Ok(Platform {
            client,
            emulator: Some(emulator),
        })
    }

    async fn shutdown(self) {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

/// Every step in turn. Once the instance exists it is deleted whatever happens in between, so
/// that a failed run leaves nothing behind on a real platform.
async fn provision(client: &Client) -> Result<()> {
    refuse_without_api_key(client).await?;

    let instance = create(client).await?;
    show(&instance);

    let outcome = use_instance(client, &instance).await;
    let deleted = client.instances().delete(instance.id).await;
    outcome?;
    deleted?;
    println!("deleted instance {}", instance.id);
    Ok(())
}

/// A Rally instance needs `api.key`. The SDK checks the element's configuration definitions
/// before sending, and the platform checks again; either way the error is the same variant.
async fn refuse_without_api_key(client: &Client) -> Result<()> {
    let request = NewInstance::builder(Element::key(RALLY), "rally-demo").build()?;
    match client.instances().create(&request).await {
        Err(Error::MissingConfiguration(missing)) => {
            let keys: Vec<&str> = missing.keys().collect();
            let found_by = match missing.status {
                Some(_) => "the platform",
                None => "the SDK, before sending",
            };
            println!("refused without an API key: {missing}");
            println!("  missing keys: {} (found by {found_by})", keys.join(", "));
            Ok(())
        }
        // The platform's wording for this refusal is not published; a real tenant may say it
        // in words the SDK does not recognise, which is still a refusal.
        Err(other) if other.status() == Some(400) => {
            println!("refused without an API key: {other}");
            Ok(())
        }
        Err(other) => Err(other.into()),
        Ok(instance) => {
            println!("the platform accepted a Rally instance without api.key; deleting it");
            client.instances().delete(instance.id).await?;
            Ok(())
        }
    }
}

async fn create(client: &Client) -> Result<Instance> {
    let api_key = env(ENV_RALLY_API_KEY).unwrap_or_else(|| DEMO_API_KEY.to_owned());
    let configuration = Configuration::new()
        .set_secret("api.key", api_key)
        .event_notification_enabled(false);
    let request = NewInstance::builder(Element::key(RALLY), "rally-demo")
        .configuration(configuration)
        .tag("open-connectors-example")
        .build()?;

    Ok(client.instances().create(&request).await?)
}

fn show(instance: &Instance) {
    let unknown = || "(not returned)".to_owned();
    println!("created instance {}", instance.id);
    println!("  name:          {}", instance.name);
    println!(
        "  element key:   {}",
        instance.element_key().unwrap_or(RALLY)
    );
    println!(
        "  created date:  {}",
        instance.created_date.clone().unwrap_or_else(unknown)
    );
    println!("  valid:         {}", describe(instance.valid));
    let token = if instance.token.is_some() {
        "<redacted>"
    } else {
        "(none)"
    };
    println!("  token:         {token}");
    println!("  configuration:");
    show_configuration(&instance.configuration);
}

fn describe(flag: Option<bool>) -> String {
    flag.map_or_else(|| "(not returned)".to_owned(), |b| b.to_string())
}

/// Prints every entry, secrets masked whether or not the platform masked them.
fn show_configuration(configuration: &InstanceConfiguration) {
    for (key, value) in configuration.iter() {
        let shown = match value {
            None => "null".to_owned(),
            Some(_) if configuration.is_masked(key) || is_secret_key(key) => {
                "<redacted>".to_owned()
            }
            Some(value) => value.to_string(),
        };
        println!("    {key} = {shown}");
    }
}

/// Reads the instance back, renames and tags it, and lists the account's instances.
async fn use_instance(client: &Client, created: &Instance) -> Result<()> {
    let fetched = client.instances().get(created.id).await?;
    println!("fetched instance {} by id: {}", fetched.id, fetched.name);

    let patch = InstancePatch::new()
        .name("rally-demo-renamed")
        .tags(["open-connectors-example", "rally"])
        .build()?;
    let renamed = client.instances().patch(created.id, &patch).await?;
    let tags: Vec<&str> = renamed.tag_names().collect();
    println!(
        "renamed to {} with tags [{}]",
        renamed.name,
        tags.join(", ")
    );

    let all: Vec<Instance> = client
        .instances()
        .stream(ListInstances::new().page_size(100))
        .try_collect()
        .await?;
    let listed = all.iter().any(|instance| instance.id == created.id);
    println!(
        "listed {} instance(s); this one among them: {listed}",
        all.len()
    );
    Ok(())
}
