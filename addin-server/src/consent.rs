//! Admin consent: how an organisation's administrator lets its users use this server when
//! `ADDIN_ALLOWED_TENANTS` is `*`.
//!
//! 1. Someone asks `GET /v1/admin-consent/url?tenant=<tenant id>` and gives the link to the
//!    administrator. The link is Entra ID's admin-consent page for this app and that tenant,
//!    with a random `state` the server keeps for fifteen minutes, bound to the tenant.
//! 2. The administrator grants consent; Entra ID sends the browser back to
//!    `/v1/admin-consent/callback` with `admin_consent=True`, the tenant and the state.
//! 3. The server takes the state (it works once), checks that it was made for that tenant, and
//!    records the tenant as consented; its users' tokens are accepted from then on.
//!
//! Entra ID does not sign that redirect, so the state is what ties it to a link this server
//! made, for that tenant, recently. A listed tenant (`ADDIN_ALLOWED_TENANTS=<ids>`) needs none
//! of this and is the safer setting where the organisations are known in advance.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Query, State};
use axum::response::Html;
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::token::is_guid;
use crate::config::Config;
use crate::error::ApiError;

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

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `?tenant=`
#[derive(Debug, Deserialize)]
pub struct UrlQuery {
    tenant: Option<String>,
}

/// `GET /v1/admin-consent/url?tenant=<tenant id>`: `{ url, expiresInSeconds }`.
pub async fn url(
    State(state): State<AppState>,
    Query(query): Query<UrlQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let links = state.consent.as_ref().ok_or_else(not_configured)?;
    let tenant = query
        .tenant
        .map(|t| t.to_ascii_lowercase())
        .filter(|t| is_guid(t))
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_tenant",
                "pass ?tenant= with your organisation's tenant id (a GUID, shown in the Microsoft \
                 Entra admin center under Overview)",
            )
        })?;
    let mut random = [0u8; 32];
    getrandom::getrandom(&mut random).map_err(|e| ApiError::internal(&e))?;
    let secret = URL_SAFE_NO_PAD.encode(random);
    let now = now();
    state
        .store
        .create_consent_state(&secret, &tenant, now + STATE_TTL.as_secs() as i64, now)
        .await
        .map_err(|e| ApiError::unavailable("database", &e))?;
    Ok(Json(serde_json::json!({
        "url": links.url(&tenant, &secret),
        "expiresInSeconds": STATE_TTL.as_secs(),
    })))
}

/// What Entra ID sends back.
#[derive(Debug, Deserialize)]
pub struct Callback {
    admin_consent: Option<String>,
    tenant: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /v1/admin-consent/callback`: records the consent, or says why not.
pub async fn callback(
    State(state): State<AppState>,
    Query(back): Query<Callback>,
) -> Result<Html<String>, ApiError> {
    let expired = || {
        ApiError::bad_request(
            "invalid_state",
            "this consent link has expired or was already used; ask for a new one at \
             /v1/admin-consent/url",
        )
    };
    let secret = back.state.as_deref().ok_or_else(expired)?;
    let bound = state
        .store
        .take_consent_state(secret, now())
        .await
        .map_err(|e| ApiError::unavailable("database", &e))?
        .ok_or_else(expired)?;
    if let Some(error) = &back.error {
        return Err(ApiError::bad_request(
            "consent_refused",
            format!(
                "the administrator did not grant consent ({error}: {}); nothing was recorded",
                back.error_description
                    .as_deref()
                    .unwrap_or("no description")
            ),
        ));
    }
    if back.admin_consent.as_deref() != Some("True") {
        return Err(ApiError::bad_request(
            "consent_refused",
            "Entra ID did not report admin consent; nothing was recorded",
        ));
    }
    let tenant = back.tenant.map(|t| t.to_ascii_lowercase());
    if tenant.as_deref() != Some(bound.as_str()) {
        return Err(ApiError::bad_request(
            "invalid_tenant",
            "the consent was granted for another organisation than the link was made for; \
             nothing was recorded, ask for a link for that organisation",
        ));
    }
    let at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| ApiError::internal(&e))?;
    state
        .store
        .record_consent(&bound, &at)
        .await
        .map_err(|e| ApiError::unavailable("database", &e))?;
    tracing::info!(target: "admin", tenant = %bound, "admin consent recorded");
    Ok(Html(format!(
        "<!doctype html><meta charset=\"utf-8\"><title>Consent recorded</title>\
         <p>Consent recorded for organisation {bound}. Its users can now sign in to the add-in.</p>"
    )))
}

fn not_configured() -> ApiError {
    ApiError::unavailable_because(
        "not_configured",
        "this server is not configured for sign-in: its administrator must set ADDIN_CLIENT_ID",
    )
}
