//! The whole OAuth 2 dance against the embedded emulator, ending with a provisioned instance.
//!
//! ```text
//! cargo run --example oauth_flow
//! ```
//!
//! `RUST_LOG` (such as `RUST_LOG=open_connectors=debug`) shows the SDK's request spans on
//! stderr; `OPEN_CONNECTORS_USER_SECRET` and `OPEN_CONNECTORS_ORGANIZATION_SECRET`, when set,
//! are the emulator's account secrets.
//!
//! A real application sends the user's browser to the vendor's authorization URL and receives
//! the redirect on its callback URL. Here the browser step is played by following the
//! emulator's consent page by hand: one request with redirects off, then the `Location`.
//! Nothing secret is printed.

// An example's output is its point.
#![allow(clippy::print_stdout)]

mod support;

use open_connectors::{Element, OAuthApp, OAuthCallback, OAuthState};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Result<()> {
    support::init_tracing();

    let emulator = support::start_emulator().await?;
    let client = support::client_for(&emulator)?;
    println!("1. platform emulator at {}", client.base_url());

    let app = OAuthApp::new(
        "my-dropbox-app-key",
        "my-dropbox-app-secret",
        "https://app.example.com/oauth/callback".parse()?,
    )?;
    let element = Element::key("dropbox");
    let state = OAuthState::generate()?;
    let request = app.url_request().state(&state);
    let url = client.elements().oauth_url(&element, &request).await?;
    println!("2. authorization URL received for element {element} (state kept for the session)");

    let redirect = follow_consent(&url.oauth_url).await?;
    let callback = OAuthCallback::parse(&redirect)?;
    println!("3. the vendor redirected to {}", app.callback_url());

    let provider_data = callback.verify(&state)?;
    println!("4. state checked; authorization code received");

    let request = app.instance(element, "my dropbox", provider_data).build()?;
    let instance = client.instances().create(&request).await?;
    println!(
        "5. instance {} ({}) provisioned; token received: {}",
        instance.id,
        instance.name,
        instance.token.is_some()
    );

    emulator.shutdown().await;
    Ok(())
}

/// What the user's browser does at the vendor: open the URL, approve, get redirected.
async fn follow_consent(oauth_url: &str) -> Result<String> {
    let browser = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let answer = browser.get(oauth_url).send().await?;
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .ok_or("the consent page did not redirect")?;
    Ok(location.to_str()?.to_owned())
}
