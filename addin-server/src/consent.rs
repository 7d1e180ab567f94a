//! Admin consent: how an organisation's administrator admits it to this server when
//! `ADDIN_ALLOWED_TENANTS` is `*`, so that a tenant is recorded only on proof that one of its
//! administrators consented.
//!
//! 1. An administrator of the organisation, signed in to the add-in, asks
//!    `GET /v1/admin-consent/url`. The token must be valid and carry, in `wids`, a directory
//!    role that may grant tenant-wide consent ([`CONSENT_ROLES`]); the tenant is the token's
//!    own (a `?tenant=` naming another is refused). The answer is Entra ID's admin-consent page
//!    for this app and that tenant, with a random `state` the server keeps for fifteen minutes,
//!    bound to that tenant and that administrator.
//! 2. The administrator grants consent; Entra ID sends the browser back to
//!    `/v1/admin-consent/callback` with `admin_consent=True`, the tenant and the state.
//! 3. The server takes the state (it works once), checks that it was made for that tenant, and
//!    admits the tenant, recording who asked and when, with an audit record (action
//!    `consent`), in one transaction; its users' tokens are accepted from then on.
//!
//! Entra ID does not sign that redirect, so what proves consent is the state: only an
//! administrator of the tenant, by a token Entra issued, can have obtained it. Anyone else
//! (no token, another tenant's token, a user without such a role) gets no state, and a made-up
//! or reused one records nothing. `addin-server tenants remove` and
//! `DELETE /v1/admin/tenant` take a tenant out again, effective at the next request, tokens
//! already validated included. A listed tenant (`ADDIN_ALLOWED_TENANTS=<ids>`) needs none of
//! this and is the safer setting where the organisations are known in advance.
//!
//! The routes are [`crate::http::consent`]'s.

use std::time::Duration;

use crate::config::Config;

/// How long a consent link stays usable.
pub const STATE_TTL: Duration = Duration::from_secs(15 * 60);

/// Where Entra ID sends the administrator back.
pub const CALLBACK_PATH: &str = "/v1/admin-consent/callback";

/// What consent links are made of.
#[derive(Debug, Clone)]
pub struct ConsentLinks {
    /// `ADDIN_AUTHORITY`.
    pub authority: String,
    /// `ADDIN_CLIENT_ID`.
    pub client_id: String,
    /// `ADDIN_PUBLIC_URL`.
    pub public_url: String,
    /// The application ID URI, `api://{host}/{client id}`.
    pub app_id_uri: String,
}

impl ConsentLinks {
    /// The links for `config`, or `None` when it names no client id.
    pub fn from_config(config: &Config) -> Option<ConsentLinks> {
        let client_id = config.client_id.clone()?;
        Some(ConsentLinks {
            authority: config.authority.clone(),
            app_id_uri: config.public_url.app_id_uri(&client_id),
            client_id,
            public_url: config.public_url.as_str().to_owned(),
        })
    }

    /// The admin-consent link for `tenant`, carrying `state`.
    pub fn url(&self, tenant: &str, state: &str) -> String {
        let scope = format!("{}/.default", self.app_id_uri);
        let redirect = format!("{}{CALLBACK_PATH}", self.public_url);
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.client_id)
            .append_pair("scope", &scope)
            .append_pair("redirect_uri", &redirect)
            .append_pair("state", state)
            .finish();
        format!("{}/{tenant}/v2.0/adminconsent?{query}", self.authority)
    }
}

/// The directory roles (`wids`, role template ids) that may grant tenant-wide admin consent to
/// an API's delegated permissions: Global Administrator, Privileged Role Administrator, Cloud
/// Application Administrator and Application Administrator.
pub const CONSENT_ROLES: [&str; 4] = [
    "62e90394-69f5-4237-9190-012177145e10",
    "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "158c047a-c907-4556-b7ef-446551a6b5f7",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
];
