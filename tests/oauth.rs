//! OAuth provisioning against a mock platform: the authorization URL, the redirect, the
//! create, OAuth 1, external authentication and re-authentication; and no secret in a URL or
//! a trace.

mod common;

use common::capture::Capture;
use common::{client_for, unvalidated_client};
use open_connectors::{
    Configuration, Element, Error, ExternalAuthentication, InstanceId, InstancePatch, NewInstance,
    OAuthApp, OAuthCallback, OAuthError, OAuthState, ProviderData,
};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const API: &str = "/elements/api-v2";
const API_SECRET: &str = "app-secret-9f8e7d";
const CALLBACK: &str = "https://app.example.com/oauth/callback";

fn app() -> Result<OAuthApp, Box<dyn std::error::Error>> {
    Ok(OAuthApp::new("app-key", API_SECRET, CALLBACK.parse()?)?)
}

fn oauth_url_answer(state: &str) -> ResponseTemplate {
    let url = format!("https://vendor.example/authorize?client_id=app-key&state={state}");
    ResponseTemplate::new(200).set_body_json(json!({"oauthUrl": url, "element": "dropbox"}))
}

#[tokio::test]
async fn the_authorization_url_is_asked_for_with_the_secret_in_the_body() -> TestResult {
    let server = MockServer::start().await;
    let state = OAuthState::from_stored("state-1");
    Mock::given(method("POST"))
        .and(path(format!("{API}/elements/dropbox/oauth/url")))
        .and(body_json(json!({
            "apiKey": "app-key", "apiSecret": API_SECRET, "callbackUrl": CALLBACK,
            "scope": "files.read", "state": "state-1"
        })))
        .respond_with(oauth_url_answer("state-1"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let request = app()?.url_request().scope("files.read").state(&state);

    let answer = client
        .elements()
        .oauth_url(&Element::key("dropbox"), &request)
        .await?;

    assert!(
        answer
            .oauth_url
            .starts_with("https://vendor.example/authorize")
    );
    assert_eq!(answer.element.as_deref(), Some("dropbox"));
    let requests = server.received_requests().await.unwrap_or_default();
    let queries: Vec<_> = requests
        .iter()
        .map(|r| r.url.query().unwrap_or_default())
        .collect();
    assert!(
        queries.iter().all(|q| !q.contains("app-key")),
        "{queries:?}"
    );
    Ok(())
}

#[tokio::test]
async fn the_get_form_sends_the_application_in_the_query() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements/dropbox/oauth/url")))
        .and(query_param("apiKey", "app-key"))
        .and(query_param("apiSecret", API_SECRET))
        .and(query_param("callbackUrl", CALLBACK))
        .and(query_param("siteAddress", "eu.vendor.example"))
        .respond_with(oauth_url_answer("dropbox"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let request = app()?.url_request().site_address("eu.vendor.example");

    let answer = client
        .elements()
        .oauth_url_in_query(&Element::key("dropbox"), &request)
        .await?;

    assert_eq!(answer.element.as_deref(), Some("dropbox"));
    Ok(())
}

#[tokio::test]
async fn the_oauth2_dance_creates_with_one_callback_url_and_the_code() -> TestResult {
    let server = MockServer::start().await;
    let state = OAuthState::generate()?;
    Mock::given(method("POST"))
        .and(path(format!("{API}/elements/dropbox/oauth/url")))
        .respond_with(oauth_url_answer(state.as_str()))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/instances")))
        .and(body_json(json!({
            "element": {"key": "dropbox"}, "name": "my box",
            "configuration": {"oauth.api.key": "app-key", "oauth.api.secret": API_SECRET,
                "oauth.callback.url": CALLBACK},
            "providerData": {"code": "vendor-code-1"}
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture!("dropbox-create-response.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = unvalidated_client(&server)?;
    let app = app()?;
    let element = Element::key("dropbox");

    let url = client
        .elements()
        .oauth_url(&element, &app.url_request().state(&state))
        .await?;
    let redirect = format!("{CALLBACK}?code=vendor-code-1&state={}", state.as_str());
    let provider_data = OAuthCallback::parse(&redirect)?.verify(&state)?;
    let request = app.instance(element, "my box", provider_data).build()?;
    let instance = client.instances().create(&request).await?;

    assert!(url.oauth_url.contains(state.as_str()));
    assert_eq!(instance.id, InstanceId(27));
    Ok(())
}

#[tokio::test]
async fn a_forged_redirect_never_reaches_the_platform() -> TestResult {
    let state = OAuthState::generate()?;
    let forged = OAuthCallback::parse(&format!("{CALLBACK}?code=stolen&state=guess"))?;
    let refused = OAuthCallback::parse(&format!("{CALLBACK}?error=access_denied&state=x"))?;

    let forged = forged.verify(&state);
    let refused = refused.verify(&state);

    assert!(matches!(
        forged,
        Err(Error::OAuth(OAuthError::StateMismatch))
    ));
    assert!(matches!(
        refused,
        Err(Error::OAuth(OAuthError::Denied { .. }))
    ));
    Ok(())
}

#[tokio::test]
async fn the_oauth1_flow_uses_the_request_token_and_its_secret() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements/xero/oauth/token")))
        .and(query_param("apiKey", "app-key"))
        .and(query_param("apiSecret", API_SECRET))
        .and(query_param("callbackUrl", CALLBACK))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"token": "req-tok", "secret": "tok-secret"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/elements/xero/oauth/url")))
        .and(body_json(
            json!({"apiKey": "app-key", "apiSecret": API_SECRET,
            "callbackUrl": CALLBACK, "requestToken": "req-tok"}),
        ))
        .respond_with(oauth_url_answer("xero"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/instances")))
        .and(body_json(json!({
            "element": {"key": "xero"}, "name": "books",
            "configuration": {"oauth.api.key": "app-key", "oauth.api.secret": API_SECRET,
                "oauth.callback.url": CALLBACK},
            "providerData": {
                "oauth_token": "req-tok", "oauth_verifier": "ver-1", "secret": "tok-secret"
            }
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": 5, "name": "books", "token": "t"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = unvalidated_client(&server)?;
    let (app, element) = (app()?, Element::key("xero"));

    let token = client
        .elements()
        .oauth_request_token(&element, &app)
        .await?;
    client
        .elements()
        .oauth_url(&element, &app.url_request().request_token(&token))
        .await?;
    let callback = OAuthCallback::parse(&format!(
        "{CALLBACK}?oauth_token=req-tok&oauth_verifier=ver-1"
    ))?;
    let request = app
        .instance(element, "books", token.provider_data(&callback)?)
        .build()?;
    let instance = client.instances().create(&request).await?;

    assert_eq!(instance.id, InstanceId(5));
    assert!(!format!("{token:?}").contains("tok-secret"));
    Ok(())
}

#[tokio::test]
async fn external_authentication_sends_tokens_in_configuration_and_no_code() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements/dropbox")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"key": "dropbox", "typeOauth": true, "configuration": []})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/elements/dropbox/configuration")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/instances")))
        .and(body_json(json!({
            "element": {"key": "dropbox"}, "name": "ext",
            "configuration": {"oauth.user.refresh_token": "refresh-1", "oauth.api.key": "app-key"},
            "externalAuthentication": "initial"
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"id": 8, "name": "ext", "externalAuthentication": "initial"}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let configuration = Configuration::new()
        .set_secret("oauth.user.refresh_token", "refresh-1")
        .set_secret("oauth.api.key", "app-key");
    let request = NewInstance::builder(Element::key("dropbox"), "ext")
        .configuration(configuration)
        .external_authentication(ExternalAuthentication::Initial)
        .build()?;

    let instance = client.instances().create(&request).await?;

    assert_eq!(instance.external_authentication.as_deref(), Some("initial"));
    Ok(())
}

#[tokio::test]
async fn reauthentication_keeps_the_id_and_token() -> TestResult {
    let server = MockServer::start().await;
    let token = "BUIWhN8NTPaeyYo7Kblo91CJ1tCG6PUonwnV/XJjy2A=";
    let answer = json!({"id": 27, "name": "my box", "token": token});
    Mock::given(method("PATCH"))
        .and(path(format!("{API}/instances/27")))
        .and(body_json(json!({"providerData": {"code": "new-code"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let created: open_connectors::Instance =
        serde_json::from_str(fixture!("dropbox-create-response.json"))?;
    let patch = InstancePatch::new()
        .provider_data(ProviderData::code("new-code"))
        .build()?;

    let renewed = client.instances().patch(created.id, &patch).await?;

    assert_eq!(renewed.id, created.id);
    let token =
        |i: &open_connectors::Instance| i.token.as_ref().map(|t| t.expose_secret().to_owned());
    assert_eq!(token(&renewed), token(&created));
    assert!(renewed.provider_data.is_none());
    Ok(())
}

#[tokio::test]
async fn secrets_in_a_query_never_reach_traces_or_errors() -> TestResult {
    // A server of its own, not one from wiremock's pool, so that dropping it closes the port.
    let server = MockServer::builder().start().await;
    let uri = server.uri();
    drop(server);
    let client = common::client_with(&uri, "u", "o", true)?;
    let captured = Capture::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let result = client
        .elements()
        .oauth_request_token(&Element::key("xero"), &app()?)
        .await;

    let error = result
        .err()
        .ok_or("the server is gone, so the call must fail")?;
    let mut chain = format!("{error} {error:?}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        chain.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    let traces = captured.text();
    assert!(
        traces.contains("/elements/{keyOrId}/oauth/token"),
        "{traces}"
    );
    for text in [&chain, &traces] {
        assert!(!text.contains(API_SECRET), "{text}");
        assert!(!text.contains("apiSecret"), "{text}");
    }
    Ok(())
}

#[tokio::test]
async fn an_echoed_api_secret_is_cut_out_of_the_error() -> TestResult {
    let server = MockServer::start().await;
    let message = format!("The app key app-key with secret {API_SECRET} was refused");
    Mock::given(method("POST"))
        .and(path(format!("{API}/elements/dropbox/oauth/url")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"message": message})))
        .mount(&server)
        .await;
    let client = client_for(&server);

    let error = client
        .elements()
        .oauth_url(&Element::key("dropbox"), &app()?.url_request())
        .await
        .err()
        .ok_or("a 400 must fail")?;

    let printed = format!("{error} {error:?}");
    assert!(!printed.contains(API_SECRET), "{printed}");
    assert!(printed.contains("was refused"), "{printed}");
    Ok(())
}
