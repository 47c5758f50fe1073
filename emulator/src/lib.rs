//! A local, in-memory emulator of the SAP Open Connectors platform API (formerly Cloud
//! Elements).
//!
//! The emulator answers the platform's REST API under `/elements/api-v2`: the element catalogue,
//! instances and their configuration, the OAuth 1 and OAuth 2 provisioning flows, and the Rally
//! (`caagilecentral`) hub with event notifications by webhook. It keeps everything in memory,
//! so each emulator starts empty. It exists so that clients can be tested over real HTTP without
//! an account, and so that examples run on a fresh machine.
//!
//! It listens on `127.0.0.1` only, always, and it only ever sends webhooks to loopback
//! addresses.
//!
//! # Starting it in a test
//!
//! ```
//! use open_connectors_emulator::Emulator;
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() -> std::io::Result<()> {
//!     let emulator = Emulator::start().await?;
//!
//!     let base_url = emulator.base_url(); // http://127.0.0.1:PORT/elements/api-v2
//!     let authorization = format!(
//!         "User {}, Organization {}",
//!         emulator.user_secret(),
//!         emulator.organization_secret()
//!     );
//!     assert!(base_url.starts_with("http://127.0.0.1:"));
//!     assert!(authorization.starts_with("User "));
//!
//!     // Instances can also be put in place without HTTP.
//!     let ids = emulator.seed_instances("caagilecentral", 3, "rally-", &["demo"]);
//!     assert_eq!(ids.len(), 3);
//!     assert_eq!(emulator.instance_count(), 3);
//!
//!     emulator.shutdown().await;
//!     Ok(())
//! }
//! ```
//!
//! The server runs as tasks on the runtime that called [`Emulator::start`], current-thread
//! runtimes included. The binary does the same from the command line:
//!
//! ```text
//! $ cargo run -p open-connectors-emulator -- --port 8080
//! OPEN_CONNECTORS_BASE_URL=http://127.0.0.1:8080/elements/api-v2
//! OPEN_CONNECTORS_USER_SECRET=...
//! OPEN_CONNECTORS_ORGANIZATION_SECRET=...
//! ```
//!
//! # Credentials
//!
//! Platform calls need exactly `Authorization: User <user secret>, Organization <organization
//! secret>`; an `Element` part there is refused. Hub calls (`/hubs/...`) need `User`, `Element
//! <instance token>` and optionally `Organization`. Anything else is a 401 with the platform's
//! message. The generated secrets and tokens are standard base64 and contain `+`, `/` and `=`.
//!
//! # Choices where the platform's behaviour is not published
//!
//! The emulator follows the platform's documented behaviour. Where that is silent it picks one
//! behaviour and keeps to it:
//!
//! - **An `Element` part on a platform call** (`User …, Organization …, Element …` sent to
//!   `/instances`, `/elements` and the like) is a 401. The platform's own test suite removes
//!   it before `DELETE /instances/{id}`, saying that call must not get the instance token;
//!   what other platform calls answer with it is not published. Refusing it everywhere
//!   catches a client that sends an instance token where it has no use.
//! - **Missing required configuration** on create or update is a 400 whose message names every
//!   missing key in definition order: `Missing required configuration entries: api.key,
//!   username`. A key is required of the caller when its definition is `required`, not
//!   `internal` and has no `defaultValue`; for OAuth elements the `oauth.user.*` keys are filled
//!   in by the OAuth flow instead. An empty string counts as missing.
//! - **Configuration values** may be sent as strings, booleans, numbers or `null`; they are
//!   stored and returned as strings (`"true"`, `"15"`) or `null`, with every definition's
//!   default filled in. Values of `PASSWORD` definitions and of secret-like keys (`password`,
//!   `*secret*`, `*api.key`, `*token*` except URLs, `*signature.key`) come back as `********`.
//! - **Unknown elements** are a 404 (`No element found with key or ID …`) when named in the
//!   path, and a 400 when named in a create body.
//! - **Unknown instances** are a 404 with `No instance found with ID <id>`.
//! - **PUT `/instances/{id}`** replaces the name (required) and the tags (left out means none),
//!   and *merges* configuration: keys left out keep their values. PATCH changes only what the
//!   body holds, with tags replaced as a whole and configuration merged. In both, a secret sent
//!   back as `********` keeps the stored secret, so a GET result can be PUT back unchanged.
//! - **DELETE `/instances/{id}`** answers 200 with an empty body.
//! - **`tags[]` filters** (repeatable, with literal or percent-encoded brackets) keep instances
//!   that carry *all* the given tags. `searchText` matches a case-insensitive substring of the
//!   instance name or the element key. A search that matches nothing is a 404.
//! - **Pages** hold 200 items unless `pageSize` asks for fewer; larger sizes are served as 200.
//!   `Elements-Returned-Count` and `Elements-Total-Count` come with every page, and
//!   `Elements-Next-Page-Token` only when more remain. Tokens contain `+`, `/` and `=`; one that
//!   is not sent back intact (percent-encoded in `nextPage`) is a 400.
//! - **OAuth**: the `oauthUrl` points at the emulator's own consent page, which approves at once
//!   and redirects to the callback URL with a single-use `code` (or, for OAuth 1,
//!   `oauth_token` and `oauth_verifier`) and the `state`. The instance's `oauth.callback.url`
//!   must equal the callback the grant was issued for. Adding `deny=true` to the consent URL
//!   redirects with `error=access_denied` instead.
//! - **Disabled instances**: hub calls with their token answer 403, saying the instance is
//!   disabled; platform calls on them keep working. A deleted instance's token is a 401.
//! - **The Rally hub** (`/hubs/general/defects`, `/userStory`, `/projects`, `/ping`) keeps
//!   objects per instance, with Rally's field names and numeric `ObjectID`s; each instance starts
//!   with three projects, which are read-only (other methods answer 405). `where` takes
//!   `Field = 'value'` clauses joined by `AND` (numbers and `true`/`false` may go unquoted);
//!   anything else is a 400 with "Error parsing query". A defect or user story without `Name` is
//!   refused the way the platform relays a vendor error, with a `providerMessage`. With
//!   `filter.response.nulls` on (the default) `null` fields are left out of hub answers.
//! - **Webhooks** are sent for defects and user stories created, changed or deleted through the
//!   hub, when `event.notification.enabled` is `"true"`. The body is
//!   `{"message":{"eventId","instanceId","elementKey","events":[…],"raw":{…}}}`, the event id
//!   also goes in `Elements-Webhook-Id`, and `Elements-Webhook-Signature` is `sha256=` and the
//!   padded base64 of HMAC-SHA256 over the exact body when a signature key is set. Failed
//!   deliveries are not retried.
//! - **Instance ids** start at 100000; configuration entry ids are unique across instances.
//! - Only HTTP/1.1 is served. `hydrate` on `GET /instances` is accepted and has no effect.
//!
//! # Fault injection
//!
//! [`Emulator::faults`] makes chosen routes answer 503 or 429, hang up before or after doing
//! the work, answer slowly or send a broken body, at seeded random; see [`Faults`].

// Unit tests state their expectations with `expect`; library code does not.
#![cfg_attr(test, allow(clippy::expect_used, clippy::unwrap_used))]

mod auth;
mod catalogue;
mod emulator;
mod error;
mod faults;
mod hubs;
mod provision;
mod random;
mod routes;
mod server;
mod state;
mod time;
mod webhooks;

pub use emulator::{Emulator, EmulatorBuilder};
pub use faults::{FaultKind, FaultRule, Faults};
