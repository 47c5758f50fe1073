//! The catalogue, validation, OAuth and the rest of the instance lifecycle against the
//! emulator, over real HTTP on loopback.

mod common;

use std::collections::HashSet;

use common::{collect_bounded, emulator_client};
use open_connectors::{
    Client, ConfigDefinition, ConfigEntry, Configuration, Element, ElementDetails, Error,
    ExternalAuthentication, Instance, InstancePatch, ListElements, ListInstances, NewInstance,
    OAuthApp, OAuthCallback, OAuthError, OAuthState, OAuthVersion, ProviderData,
};
use open_connectors_emulator::Emulator;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const CALLBACK: &str = "https://app.example.com/oauth/callback";

fn app() -> Result<OAuthApp, Box<dyn std::error::Error>> {
    Ok(OAuthApp::new("app-key", "app-secret", CALLBACK.parse()?)?)
}

/// A value the emulator accepts for any key: a URL where a URL is expected.
fn placeholder(key: &str) -> String {
    if key.ends_with("url") {
        CALLBACK.to_owned()
    } else {
        format!("value-of-{key}")
    }
}

/// Every key the caller must supply, filled in, except `left_out`.
fn configuration_without(keys: &[ConfigDefinition], left_out: Option<&str>) -> Configuration {
    keys.iter()
        .filter(|d| Some(d.key.as_str()) != left_out)
        .fold(Configuration::new(), |c, d| {
            c.set(&d.key, placeholder(&d.key))
        })
}

async fn catalogue(client: &Client) -> Result<Vec<ElementDetails>, Error> {
    let query = ListElements::new().page_size(2);
    collect_bounded(client.elements().stream(query), 1000).await
}

fn key_of(element: &ElementDetails) -> Result<Element, &'static str> {
    let key = element
        .key
        .as_ref()
        .ok_or("every catalogue element has a key")?;
    Ok(Element::key(key.as_str()))
}

/// The vendor's consent page, followed by hand: a browser would go to `Location`.
async fn consent(oauth_url: &str) -> Result<String, Box<dyn std::error::Error>> {
    let browser = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let answer = browser.get(oauth_url).send().await?;
    assert!(answer.status().is_redirection(), "{}", answer.status());
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .ok_or("no Location")?;
    Ok(location.to_str()?.to_owned())
}

/// The OAuth 2 dance up to the code: URL, consent, checked redirect.
async fn authorize(
    client: &Client,
    element: &Element,
) -> Result<ProviderData, Box<dyn std::error::Error>> {
    let state = OAuthState::generate()?;
    let url = client
        .elements()
        .oauth_url(element, &app()?.url_request().state(&state))
        .await?;
    let redirect = consent(&url.oauth_url).await?;
    Ok(OAuthCallback::parse(&redirect)?.verify(&state)?)
}

/// An OAuth 2 instance of `key`, its other required entries filled in.
async fn oauth2_instance(
    client: &Client,
    key: &str,
) -> Result<Instance, Box<dyn std::error::Error>> {
    let element = Element::key(key);
    let requirements = client.elements().requirements(&element).await?;
    let app = app()?;
    let own: Vec<ConfigDefinition> = requirements
        .caller_supplied()
        .filter(|d| !d.key.starts_with("oauth."))
        .cloned()
        .collect();
    let configuration = own.iter().fold(app.configuration(), |c, d| {
        c.set(&d.key, placeholder(&d.key))
    });
    let provider_data = authorize(client, &element).await?;
    let request = NewInstance::builder(element, format!("{key} instance"))
        .configuration(configuration)
        .provider_data(provider_data)
        .build()?;
    Ok(client.instances().create(&request).await?)
}

async fn rally_instance(client: &Client) -> Result<Instance, Error> {
    let request = NewInstance::builder(Element::key("caagilecentral"), "rally")
        .configuration(Configuration::new().set_secret("api.key", "rally-key"))
        .build()?;
    client.instances().create(&request).await
}

#[tokio::test]
async fn every_connector_refuses_a_missing_required_key_before_and_after_sending() -> TestResult {
    let emulator = Emulator::start().await?;
    let (checked, unchecked) = (
        emulator_client(&emulator, true)?,
        emulator_client(&emulator, false)?,
    );
    let elements = catalogue(&checked).await?;
    let mut cases = 0;

    for details in &elements {
        let element = key_of(details)?;
        let requirements = checked.elements().requirements(&element).await?;
        let keys: Vec<ConfigDefinition> = requirements.caller_supplied().cloned().collect();
        for left_out in &keys {
            let request = NewInstance::builder(element.clone(), "incomplete")
                .configuration(configuration_without(&keys, Some(&left_out.key)))
                .build()?;

            let before = checked.instances().create(&request).await;
            let after = unchecked.instances().create(&request).await;

            let Err(Error::MissingConfiguration(before)) = before else {
                panic!("{element} without {}: {before:?}", left_out.key);
            };
            let entry = before.entries.iter().find(|e| e.key == left_out.key);
            assert_eq!(
                entry.and_then(|e| e.name.clone()),
                left_out.name,
                "{element}"
            );
            assert_eq!(before.status, None);
            let Err(Error::MissingConfiguration(after)) = after else {
                panic!("{element} without {} sent anyway: {after:?}", left_out.key);
            };
            assert!(after.keys().any(|k| k == left_out.key), "{after}");
            assert_eq!(after.status, Some(400));
            cases += 1;
        }
    }

    assert!(elements.len() >= 6, "{} elements", elements.len());
    assert!(cases >= elements.len(), "{cases} cases");
    assert_eq!(emulator.instance_count(), 0);
    Ok(())
}

#[tokio::test]
async fn an_oauth_create_without_a_code_is_refused_before_sending() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let request = NewInstance::builder(Element::key("dropbox"), "no code")
        .configuration(app()?.configuration())
        .build()?;

    let result = client.instances().create(&request).await;

    let Err(Error::MissingConfiguration(missing)) = result else {
        panic!("expected a missing code, got {result:?}");
    };
    assert_eq!(missing.keys().collect::<Vec<_>>(), ["providerData.code"]);
    Ok(())
}

#[tokio::test]
async fn the_oauth2_dance_provisions_every_oauth2_connector() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let mut provisioned = 0;

    for details in catalogue(&client).await? {
        let element = key_of(&details)?;
        let requirements = client.elements().requirements(&element).await?;
        if requirements.oauth_version() != Some(OAuthVersion::OAuth2) {
            continue;
        }
        let instance = oauth2_instance(&client, &element.key_or_id()).await?;
        assert!(instance.token.is_some(), "{element}");
        provisioned += 1;
    }

    assert!(provisioned >= 2, "{provisioned} OAuth 2 connectors");
    assert_eq!(emulator.instance_count(), provisioned);
    Ok(())
}

#[tokio::test]
async fn a_refused_consent_is_reported_and_a_forged_state_caught() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let state = OAuthState::generate()?;
    let element = Element::key("dropbox");
    let url = client
        .elements()
        .oauth_url(&element, &app()?.url_request().state(&state))
        .await?;

    let refused = OAuthCallback::parse(&consent(&format!("{}&deny=true", url.oauth_url)).await?)?;
    let approved = OAuthCallback::parse(&consent(&url.oauth_url).await?)?;

    let refusal = refused.verify(&state);
    assert!(
        matches!(refusal, Err(Error::OAuth(OAuthError::Denied { .. }))),
        "{refusal:?}"
    );
    let forged = approved.verify(&OAuthState::generate()?);
    assert!(matches!(
        forged,
        Err(Error::OAuth(OAuthError::StateMismatch))
    ));
    assert!(approved.verify(&state).is_ok());
    Ok(())
}

#[tokio::test]
async fn the_get_form_of_the_authorization_url_works_the_same() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let state = OAuthState::generate()?;
    let request = app()?.url_request().state(&state);

    let url = client
        .elements()
        .oauth_url_in_query(&Element::key("box"), &request)
        .await?;
    let callback = OAuthCallback::parse(&consent(&url.oauth_url).await?)?;

    assert_eq!(url.element.as_deref(), Some("box"));
    assert!(callback.verify(&state).is_ok());
    Ok(())
}

#[tokio::test]
async fn the_oauth1_flow_provisions_xero() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let (app, element) = (app()?, Element::key("xero"));
    let requirements = client.elements().requirements(&element).await?;
    let own: Vec<ConfigDefinition> = requirements
        .caller_supplied()
        .filter(|d| !d.key.starts_with("oauth."))
        .cloned()
        .collect();

    let token = client
        .elements()
        .oauth_request_token(&element, &app)
        .await?;
    let url = client
        .elements()
        .oauth_url(&element, &app.url_request().request_token(&token))
        .await?;
    let callback = OAuthCallback::parse(&consent(&url.oauth_url).await?)?;
    let configuration = own.iter().fold(app.configuration(), |c, d| {
        c.set(&d.key, placeholder(&d.key))
    });
    let request = NewInstance::builder(element, "books")
        .configuration(configuration)
        .provider_data(token.provider_data(&callback)?)
        .build()?;
    let instance = client.instances().create(&request).await?;

    assert_eq!(requirements.oauth_version(), Some(OAuthVersion::OAuth1));
    assert!(instance.token.is_some());
    Ok(())
}

#[tokio::test]
async fn reauthentication_keeps_the_id_and_token() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let element = Element::key("dropbox");
    let created = oauth2_instance(&client, "dropbox").await?;
    let token = |i: &Instance| i.token.as_ref().map(|t| t.expose_secret().to_owned());

    let code = authorize(&client, &element).await?;
    let patch = InstancePatch::new().provider_data(code).build()?;
    let patched = client.instances().patch(created.id, &patch).await?;
    let code = authorize(&client, &element).await?;
    let replacement = app()?.instance(element, "renamed", code).build()?;
    let put = client.instances().update(created.id, &replacement).await?;
    let used_code = patch.clone();
    let reused = client.instances().patch(created.id, &used_code).await;

    for renewed in [&patched, &put] {
        assert_eq!(renewed.id, created.id);
        assert_eq!(token(renewed), token(&created));
        assert!(renewed.provider_data.is_none());
    }
    assert_eq!(put.name, "renamed");
    assert_eq!(reused.map_err(|e| e.status()).err(), Some(Some(400)));
    Ok(())
}

#[tokio::test]
async fn external_authentication_needs_no_code() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let configuration = app()?
        .configuration()
        .set_secret("oauth.user.token", "vendor-access")
        .set_secret("oauth.user.refresh_token", "vendor-refresh");
    let request = NewInstance::builder(Element::key("dropbox"), "imported")
        .configuration(configuration)
        .external_authentication(ExternalAuthentication::Initial)
        .build()?;

    let instance = client.instances().create(&request).await?;

    assert_eq!(instance.external_authentication.as_deref(), Some("initial"));
    Ok(())
}

#[tokio::test]
async fn instances_are_listed_by_tag_and_an_empty_search_is_empty() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let blue: HashSet<u64> = emulator
        .seed_instances("caagilecentral", 3, "blue-", &["blue"])
        .into_iter()
        .collect();
    emulator.seed_instances("caagilecentral", 2, "red-", &["red"]);

    let tagged = client
        .instances()
        .list_page(&ListInstances::new().tag("blue"))
        .await?;
    let nothing = client
        .instances()
        .list_page(&ListInstances::new().search_text("no-such-name"))
        .await?;
    let by_text = client
        .instances()
        .list_page(&ListInstances::new().search_text("red-"))
        .await?;

    let ids: HashSet<u64> = tagged.items.iter().map(|i| i.id.0).collect();
    assert_eq!(ids, blue);
    assert!(nothing.items.is_empty());
    assert_eq!(by_text.items.len(), 2);
    Ok(())
}

#[tokio::test]
async fn a_thousand_instances_stream_in_pages_of_fifty_each_exactly_once() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let seeded = emulator.seed_instances("caagilecentral", 1000, "bulk-", &["bulk"]);
    let query = ListInstances::new().tag("bulk").page_size(50);

    let sizes = page_sizes(&client, &query).await?;
    let streamed = collect_bounded(client.instances().stream(query), 2000).await?;

    assert_eq!(sizes, [50; 20]);
    let unique: HashSet<u64> = streamed.iter().map(|i| i.id.0).collect();
    assert_eq!(streamed.len(), 1000);
    assert_eq!(unique, seeded.into_iter().collect());
    Ok(())
}

/// The number of instances on each page, following the cursor; never more than 100 pages,
/// so a cursor that never ends fails the test instead of looping.
async fn page_sizes(client: &Client, query: &ListInstances) -> Result<Vec<usize>, Error> {
    let mut sizes = Vec::new();
    let mut next = None;
    for _ in 0..100 {
        let page = client
            .instances()
            .list_page(&query.clone().next_page(next))
            .await?;
        sizes.push(page.items.len());
        next = page.next_page.filter(|_| !page.items.is_empty());
        if next.is_none() {
            break;
        }
    }
    Ok(sizes)
}

fn entry<'a>(entries: &'a [ConfigEntry], key: &str) -> Result<&'a ConfigEntry, String> {
    entries
        .iter()
        .find(|e| e.key == key)
        .ok_or(format!("no entry {key}"))
}

#[tokio::test]
async fn configuration_entries_are_read_and_updated_by_id() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let id = rally_instance(&client).await?.id;

    let entries = client.instances().configuration(id).await?;
    let events = entry(&entries, "event.notification.enabled")?;
    let updated = client
        .instances()
        .update_configuration_entry(id, events.id, true)
        .await?;
    let read_back = client
        .instances()
        .configuration_entry(id, events.id)
        .await?;
    let api_key = entry(&entries, "api.key")?;
    let masked = client
        .instances()
        .update_configuration_entry(id, api_key.id, "********")
        .await;

    assert!(api_key.is_masked());
    assert_eq!(updated.as_bool(), Some(true));
    assert_eq!(read_back.property_value.as_deref(), Some("true"));
    assert!(matches!(masked, Err(Error::InvalidInput(_))));
    Ok(())
}

#[tokio::test]
async fn instances_are_disabled_enabled_and_trace_logged() -> TestResult {
    let emulator = Emulator::start().await?;
    let client = emulator_client(&emulator, true)?;
    let id = rally_instance(&client).await?.id;

    client.instances().disable(id).await?;
    let disabled = client.instances().get(id).await?;
    client.instances().enable(id).await?;
    client
        .instances()
        .enable_trace_logging(id, Some(30))
        .await?;
    let tracing = client.instances().get(id).await?;
    client.instances().disable_trace_logging(id).await?;
    let done = client.instances().get(id).await?;

    assert_eq!(disabled.disabled, Some(true));
    assert_eq!(tracing.disabled, Some(false));
    assert_eq!(tracing.trace_logging_enabled, Some(true));
    assert_eq!(done.trace_logging_enabled, Some(false));
    Ok(())
}
