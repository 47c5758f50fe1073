//! `GET /hubs/{hub}/ping`: is the instance reachable, and if not, whose fault is it?

use crate::transport::Method;

use super::{HubClient, instance_id};
use crate::error::{Error, Result};
use crate::instances::InstanceId;
use crate::transport::{Request, Response};

/// What a ping found out, from the cheapest call a connector offers.
///
/// Each outcome points at one thing to fix:
///
/// - [`Reachable`](Self::Reachable): a `2xx` JSON answer; nothing to fix.
/// - [`WrongBaseUrl`](Self::WrongBaseUrl): no connection, a `404`, or a success that is not
///   JSON. Check the client's base URL and the hub name.
/// - [`Unauthorized`](Self::Unauthorized): `401`. Check the account secrets; the instance
///   may have been deleted, which voids its token.
/// - [`InstanceUnavailable`](Self::InstanceUnavailable): `403` or `5xx`. The instance is
///   disabled (the platform disables it after repeated failed token refreshes) or the vendor
///   fails.
#[derive(Debug)]
#[non_exhaustive]
pub enum PingStatus {
    /// The platform and the vendor answered.
    Reachable {
        /// The instance that served the ping (`Elements-Element-Instance-Id`), when given.
        instance_id: Option<InstanceId>,
    },
    /// Nothing that behaves like the platform's hub route answered.
    WrongBaseUrl(Error),
    /// The platform refused the credentials: wrong secrets, or a deleted instance's token.
    Unauthorized(Error),
    /// The platform knows the instance but cannot use it: disabled, or the vendor fails.
    InstanceUnavailable(Error),
}

impl PingStatus {
    /// Whether the ping went through.
    pub fn is_reachable(&self) -> bool {
        matches!(self, PingStatus::Reachable { .. })
    }

    /// The failure behind any other outcome.
    pub fn error(&self) -> Option<&Error> {
        match self {
            PingStatus::Reachable { .. } => None,
            PingStatus::WrongBaseUrl(e)
            | PingStatus::Unauthorized(e)
            | PingStatus::InstanceUnavailable(e) => Some(e),
        }
    }
}

impl HubClient {
    /// Pings the instance through its hub (`GET /hubs/{hub}/ping`) and says what failed, if
    /// anything: see [`PingStatus`].
    ///
    /// ```no_run
    /// # async fn run(rally: open_connectors::HubClient) -> Result<(), open_connectors::Error> {
    /// use open_connectors::PingStatus;
    ///
    /// match rally.ping().await? {
    ///     PingStatus::Reachable { .. } => println!("ready"),
    ///     PingStatus::Unauthorized(_) => eprintln!("wrong secrets, or a deleted instance"),
    ///     other => eprintln!("not usable: {other:?}"),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// Failures that do not point at one cause: invalid input, timeouts, a lost connection,
    /// and error statuses other than `401`, `403`, `404` and `5xx`.
    pub async fn ping(&self) -> Result<PingStatus> {
        let call = Request::new(Method::GET, "/hubs/{hub}/ping", ["hubs", &self.hub, "ping"])
            .authorization(self.authorization.clone());
        match self.send(call).await {
            Ok(response) => Ok(reachable(&response)),
            Err(error) => classify(error),
        }
    }
}

/// A success whose body is neither empty nor JSON came from something else than the platform,
/// such as a web server at a wrong base URL.
fn reachable(response: &Response) -> PingStatus {
    match response.json::<serde_json::Value>() {
        Err(not_json) if !response.body.trim_ascii().is_empty() => {
            PingStatus::WrongBaseUrl(not_json)
        }
        _ => PingStatus::Reachable {
            instance_id: instance_id(response),
        },
    }
}

fn classify(error: Error) -> Result<PingStatus> {
    if error.is_connect() {
        return Ok(PingStatus::WrongBaseUrl(error));
    }
    match error.status() {
        Some(404) => Ok(PingStatus::WrongBaseUrl(error)),
        Some(401) => Ok(PingStatus::Unauthorized(error)),
        Some(403 | 500..=599) => Ok(PingStatus::InstanceUnavailable(error)),
        _ => Err(error),
    }
}
