//! The element API's OAuth endpoints.

use crate::transport::Method;

use super::{Elements, path};
use crate::element::Element;
use crate::error::Result;
use crate::oauth::{OAuthApp, OAuthRequestToken, OAuthUrl, OAuthUrlRequest};
use crate::transport::Request;

impl Elements<'_> {
    /// The vendor's authorization URL for an OAuth element
    /// (`POST /elements/{keyOrId}/oauth/url`, the API secret in the JSON body).
    ///
    /// ```no_run
    /// # async fn run(client: open_connectors::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use open_connectors::{Element, OAuthApp, OAuthState};
    ///
    /// let callback = "https://app.example.com/oauth".parse()?;
    /// let app = OAuthApp::new("client id", "client secret", callback)?;
    /// let state = OAuthState::generate()?;
    /// let url = client
    ///     .elements()
    ///     .oauth_url(&Element::key("dropbox"), &app.url_request().state(&state))
    ///     .await?;
    /// println!("open {}", url.oauth_url);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The platform's error, such as `404` for an unknown element or `400` for an element
    /// without OAuth.
    pub async fn oauth_url(
        &self,
        element: &Element,
        request: &OAuthUrlRequest,
    ) -> Result<OAuthUrl> {
        let call = Request::new(
            Method::POST,
            "/elements/{keyOrId}/oauth/url",
            oauth_path(element, "url"),
        )
        .redact(request.app().secrets())
        .json(request)?;
        self.client.send(call).await?.json()
    }

    /// The same as [`oauth_url`](Self::oauth_url) through `GET /elements/{keyOrId}/oauth/url`,
    /// for platforms without the `POST` form.
    ///
    /// This form puts the API key and secret in the URL's query, where proxies and access logs
    /// may keep them; prefer [`oauth_url`](Self::oauth_url). This crate's traces and errors
    /// never record the query.
    ///
    /// # Errors
    ///
    /// As [`oauth_url`](Self::oauth_url).
    pub async fn oauth_url_in_query(
        &self,
        element: &Element,
        request: &OAuthUrlRequest,
    ) -> Result<OAuthUrl> {
        let mut call = Request::new(
            Method::GET,
            "/elements/{keyOrId}/oauth/url",
            oauth_path(element, "url"),
        )
        .redact(request.app().secrets());
        for (name, value) in request.app().query_pairs() {
            call = call.query(name, value);
        }
        for (name, value) in request.options() {
            call = call.query(name, value);
        }
        self.client.send(call).await?.json()
    }

    /// An OAuth 1 request token (`GET /elements/{keyOrId}/oauth/token`), the first step of an
    /// OAuth 1 create. Pass it to [`OAuthUrlRequest::request_token`], then to
    /// [`OAuthRequestToken::provider_data`] on the vendor's redirect.
    ///
    /// The platform offers this step only as a `GET`, so the API key and secret travel in the
    /// URL's query; this crate's traces and errors never record it.
    ///
    /// # Errors
    ///
    /// The platform's error, such as `404` for an unknown element.
    pub async fn oauth_request_token(
        &self,
        element: &Element,
        app: &OAuthApp,
    ) -> Result<OAuthRequestToken> {
        let mut call = Request::new(
            Method::GET,
            "/elements/{keyOrId}/oauth/token",
            oauth_path(element, "token"),
        )
        .redact(app.secrets());
        for (name, value) in app.query_pairs() {
            call = call.query(name, value);
        }
        self.client.send(call).await?.json()
    }
}

fn oauth_path(element: &Element, last: &str) -> Vec<String> {
    let mut segments = path(element);
    segments.extend(["oauth".to_owned(), last.to_owned()]);
    segments
}
