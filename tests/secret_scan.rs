//! Runs the client's scenarios with known secrets, capturing every log line at TRACE (all
//! targets, `log` records included) and every result printed with `{:?}`, `{:#?}` and `{}`,
//! then checks that no secret appears anywhere.

#![allow(clippy::expect_used)]

mod common;

use std::fmt::Write as _;
use std::time::Duration;

use common::capture::Capture;
use open_connectors::{
    Client, Configuration, Element, InstanceId, InstancePatch, ListInstances, NewInstance,
    OAuthApp, ProviderData, RetryPolicy,
};
use open_connectors_emulator::{Emulator, FaultKind, FaultRule};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const USER: &str = "scan-user-secret-A1";
const ORGANIZATION: &str = "scan-organization-secret-B2";
const API_KEY: &str = "scan-rally-key-C3";
const SIGNATURE_KEY: &str = "scan-signature-key-D4";
const OAUTH_SECRET: &str = "scan-oauth-secret-E5";
const TOKEN: &str = "scan/instance+token=F6";
const OAUTH_APP_KEY: &str = "scan-oauth-app-key-H8";
const OAUTH_APP_SECRET: &str = "scan-oauth-app-secret-G7";
const CALLBACK: &str = "https://app.example.com/oauth/callback";

const SECRETS: [&str; 8] = [
    USER,
    ORGANIZATION,
    API_KEY,
    SIGNATURE_KEY,
    OAUTH_SECRET,
    TOKEN,
    OAUTH_APP_KEY,
    OAUTH_APP_SECRET,
];

/// Installs the one global subscriber of this test binary, with the `log` bridge: every
/// target at TRACE except wiremock's own, since the mock server logs the requests it did not
/// expect with their headers, and that server is the test's, not the client's.
fn capture_everything() -> Capture {
    let capture = Capture::default();
    let all_but_the_mock_server = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target("wiremock", LevelFilter::OFF);
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish()
        .with(all_but_the_mock_server)
        .try_init()
        .expect("the only subscriber of this test binary");
    capture
}

fn client(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .user_secret(USER)
        .organization_secret(ORGANIZATION)
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .timeout(Duration::from_millis(500))
        .create_timeout(Duration::from_millis(500))
        .build()
        .expect("a loopback client")
}

fn new_instance(name: &str) -> NewInstance {
    let configuration = Configuration::new()
        .set_secret("api.key", API_KEY)
        .event_notification_signature_key(SIGNATURE_KEY)
        .set("oauth.api.secret", OAUTH_SECRET);
    NewInstance::builder(Element::key("caagilecentral"), name)
        .configuration(configuration)
        .provider_data(ProviderData::code(OAUTH_SECRET))
        .build()
        .expect("a valid request")
}

fn instance_body(id: u64) -> String {
    format!(
        r#"{{"id":{id},"name":"scan","token":"{TOKEN}","configuration":{{"api.key":"{API_KEY}",
        "event.notification.signature.key":"{SIGNATURE_KEY}",
        "oauth.api.secret":"{OAUTH_SECRET}"}}}}"#
    )
}

fn json(status: u16, body: String) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.into_bytes(), "application/json")
}

async fn on(server: &MockServer, verb: &str, route: &str, answer: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(answer)
        .up_to_n_times(1)
        .mount(server)
        .await;
}

/// One answer of each kind the scenarios provoke, in the order they are asked for.
async fn platform() -> MockServer {
    let server = MockServer::start().await;
    let one = "/elements/api-v2/instances/1";
    let all = "/elements/api-v2/instances";
    let echo = format!(r#"{{"requestId":"r","message":"User {USER} key {API_KEY} bad"}}"#);
    let cut = instance_body(1)[..60].to_owned();
    on(&server, "POST", all, json(200, instance_body(1))).await;
    on(
        &server,
        "GET",
        one,
        json(503, String::new()).insert_header("retry-after", "0"),
    )
    .await;
    on(&server, "GET", one, json(200, instance_body(1))).await;
    on(
        &server,
        "GET",
        all,
        json(200, format!("[{}]", instance_body(1))),
    )
    .await;
    on(&server, "PATCH", one, json(200, instance_body(1))).await;
    on(&server, "POST", all, json(400, echo)).await;
    on(&server, "POST", all, json(503, String::new())).await;
    on(&server, "POST", all, json(200, cut)).await;
    on(
        &server,
        "POST",
        all,
        json(200, instance_body(2)).set_delay(Duration::from_secs(1)),
    )
    .await;
    on(&server, "DELETE", one, ResponseTemplate::new(200)).await;
    server
}

fn print(out: &mut String, result: &Result<impl std::fmt::Debug, open_connectors::Error>) {
    write!(out, "{result:?}\n{result:#?}\n").expect("writing to a string");
    let Err(err) = result else {
        return;
    };
    let mut cause: Option<&dyn std::error::Error> = Some(err);
    while let Some(error) = cause {
        writeln!(out, "{error}\n{error:?}").expect("writing to a string");
        cause = error.source();
    }
}

/// The two OAuth calls that carry the application's secret in the query, against a server
/// that answers `503` to every request (so every retry runs) and against a closed port.
async fn run_oauth_query_scenarios(out: &mut String) -> TestResult {
    let unavailable = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .mount(&unavailable)
        .await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let app = OAuthApp::new(OAUTH_APP_KEY, OAUTH_APP_SECRET, CALLBACK.parse()?)?;
    let element = Element::key("caagilecentral");
    let request = app.url_request();
    for url in [unavailable.uri(), format!("http://{closed}")] {
        let client = client(&url);
        let elements = client.elements();
        print(out, &elements.oauth_url_in_query(&element, &request).await);
        print(out, &elements.oauth_request_token(&element, &app).await);
    }
    Ok(())
}

async fn run_scenarios(client: &Client, out: &mut String) -> TestResult {
    let instances = client.instances();
    print(out, &instances.create(&new_instance("scan-1")).await);
    print(out, &instances.get(InstanceId(1)).await);
    print(out, &instances.list_page(&ListInstances::new()).await);
    let patch = InstancePatch::new()
        .configuration(Configuration::new().set_secret("api.key", API_KEY))
        .build()?;
    print(out, &instances.patch(InstanceId(1), &patch).await);
    for name in ["scan-error", "scan-unknown", "scan-decode", "scan-timeout"] {
        print(out, &instances.create(&new_instance(name)).await);
    }
    print(out, &instances.delete(InstanceId(1)).await);
    writeln!(out, "{client:?}")?;
    Ok(())
}

/// Faults for the next calls, in order: a 503 on a read, a create cut off after processing,
/// a create answered with half a body.
fn next_calls_fail(emulator: &Emulator) {
    let faults = emulator.faults();
    let once = |rule: FaultRule, kind| rule.with(kind, 1.0).retry_after(0).times(1);
    faults.add(once(
        FaultRule::route("GET", "/instances/"),
        FaultKind::Unavailable,
    ));
    faults.add(once(
        FaultRule::route("POST", "/instances"),
        FaultKind::DropAfterProcessing,
    ));
    faults.add(once(
        FaultRule::route("POST", "/instances"),
        FaultKind::MalformedBody,
    ));
}

/// The scenarios against the emulator, whose answers carry real instance tokens; returns them.
async fn run_emulator_scenarios(
    out: &mut String,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let emulator = Emulator::builder()
        .user_secret(USER)
        .organization_secret(ORGANIZATION)
        .start()
        .await?;
    let client = client(&emulator.base_url());
    let instances = client.instances();
    let created = instances.create(&new_instance("scan-emulator")).await?;
    let id = created.id;
    let tokens: Vec<String> = created
        .token
        .iter()
        .map(|t| t.expose_secret().to_owned())
        .collect();
    writeln!(out, "{created:?}\n{created:#?}")?;

    next_calls_fail(&emulator);
    print(out, &instances.get(id).await);
    print(out, &instances.create(&new_instance("scan-dropped")).await);
    print(out, &instances.create(&new_instance("scan-cut")).await);
    print(
        out,
        &instances
            .list_page(&ListInstances::new().search_text("scan"))
            .await,
    );
    let patch = InstancePatch::new().name("scan-renamed").build()?;
    print(out, &instances.patch(id, &patch).await);
    let missing = NewInstance::builder(Element::key("caagilecentral"), "scan-missing").build()?;
    print(out, &instances.create(&missing).await);
    print(out, &instances.delete(id).await);
    print(out, &instances.get(id).await);
    Ok(tokens)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_logs_or_printed_results() -> TestResult {
    let capture = capture_everything();
    let server = platform().await;
    let mut printed = String::new();

    run_scenarios(&client(&server.uri()), &mut printed).await?;
    run_oauth_query_scenarios(&mut printed).await?;
    let tokens = run_emulator_scenarios(&mut printed).await?;

    assert!(!tokens.is_empty(), "the emulator returned no token");
    assert!(printed.contains("MissingConfiguration"), "{printed}");
    let logs = capture.text();
    assert!(
        logs.contains("open_connectors.request"),
        "the span was not captured"
    );
    assert!(
        logs.contains("/instances/{id}"),
        "the URL template was not captured"
    );
    assert!(printed.contains("OutcomeUnknown"), "{printed}");
    assert!(
        logs.contains("/oauth/token"),
        "the OAuth calls were not captured"
    );
    for secret in SECRETS
        .iter()
        .copied()
        .chain(tokens.iter().map(String::as_str))
    {
        assert!(!logs.contains(secret), "{secret} logged:\n{logs}");
        assert!(!printed.contains(secret), "{secret} printed:\n{printed}");
    }
    Ok(())
}
