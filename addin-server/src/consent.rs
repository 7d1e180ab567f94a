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

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

use crate::app::AppState;
use crate::audit::{Action, Actor, Event};
use crate::auth::token::is_guid;
use crate::auth::AnyTenant;
use crate::clock;
use crate::config::Config;
use crate::error::ApiError;
use crate::extract::{ClientIp, Query};
use crate::store::Write;

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

/// `?tenant=`
#[derive(Debug, Deserialize)]
pub struct UrlQuery {
    tenant: Option<String>,
}

/// `GET /v1/admin-consent/url[?tenant=<tenant id>]`, for an administrator of that tenant:
/// `{ url, tenantId, expiresInSeconds }`.
pub async fn url(
    State(state): State<AppState>,
    Query(query): Query<UrlQuery>,
    AnyTenant(admin): AnyTenant,
) -> Result<Json<serde_json::Value>, ApiError> {
    let links = state.consent.as_ref().ok_or_else(not_configured)?;
    if !state.tenants_by_consent {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "consent_not_used",
            "this server admits organisations by its configuration (ADDIN_ALLOWED_TENANTS), not \
             by admin consent; ask its administrator to add your tenant id there",
        ));
    }
    if let Some(tenant) = &query.tenant {
        let tenant = tenant.to_ascii_lowercase();
        if !is_guid(&tenant) {
            return Err(ApiError::bad_request(
                "invalid_tenant",
                "pass ?tenant= with your organisation's tenant id (a GUID, shown in the \
                 Microsoft Entra admin center under Overview), or leave it out",
            ));
        }
        if tenant != admin.tenant_id {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "not_your_tenant",
                format!(
                    "you are signed in to organisation {}, not {tenant}; an administrator of that \
                     organisation must sign in and ask for its link",
                    admin.tenant_id
                ),
            ));
        }
    }
    if !admin
        .directory_roles
        .iter()
        .any(|role| CONSENT_ROLES.contains(&role.as_str()))
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_an_administrator",
            "granting admin consent needs one of the Entra ID roles Global Administrator, \
             Privileged Role Administrator, Cloud Application Administrator or Application \
             Administrator; ask someone who holds one to sign in (if you do, the app \
             registration must emit directory roles: see the deployment guide)",
        ));
    }
    state.limits.consent_link(&admin.limit_key())?;
    let mut random = [0u8; 32];
    getrandom::getrandom(&mut random).map_err(|e| ApiError::internal(&e))?;
    let secret = URL_SAFE_NO_PAD.encode(random);
    let now = clock::now_secs();
    state
        .store
        .create_consent_state(
            &secret,
            &admin.tenant_id,
            &admin.object_id,
            &admin.username.to_lowercase(),
            now + STATE_TTL.as_secs() as i64,
            now,
        )
        .await
        .map_err(|e| ApiError::unavailable("database", &e))?;
    tracing::info!(target: "admin", tenant = %admin.tenant_id, oid = %admin.object_id, "admin consent link issued");
    Ok(Json(serde_json::json!({
        "url": links.url(&admin.tenant_id, &secret),
        "tenantId": admin.tenant_id,
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

/// `GET /v1/admin-consent/callback`: admits the tenant, or says why not.
pub async fn callback(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    Query(back): Query<Callback>,
) -> Result<Html<String>, ApiError> {
    if let Some(client) = client {
        state.limits.consent_callback(client)?;
    }
    let expired = || {
        ApiError::bad_request(
            "invalid_state",
            "this consent link has expired or was already used; sign in as an administrator \
             and ask for a new one at /v1/admin-consent/url",
        )
    };
    let secret = back.state.as_deref().ok_or_else(expired)?;
    let bound = state
        .store
        .take_consent_state(secret, clock::now_secs())
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
    if tenant.as_deref() != Some(bound.tenant_id.as_str()) {
        return Err(ApiError::bad_request(
            "invalid_tenant",
            "the consent was granted for another organisation than the link was made for; \
             nothing was recorded, ask for a link for that organisation",
        ));
    }
    let now = clock::now_ms();
    let audit = Event {
        at_ms: now,
        action: Action::Consent,
        actor: Actor {
            tenant_id: bound.tenant_id.clone(),
            object_id: bound.object_id.clone(),
            username: bound.username.clone(),
        },
        key_id: None,
        key_tenant: Some(bound.tenant_id.clone()),
        reason: None,
        detail: None,
    };
    state
        .store
        .write(vec![Write::AdmitTenant {
            tenant_id: bound.tenant_id.clone(),
            object_id: bound.object_id.clone(),
            at: clock::rfc3339_ms(now),
            audit,
        }])
        .await
        .map_err(|e| ApiError::unavailable("database", &e))?;
    tracing::info!(target: "admin", tenant = %bound.tenant_id, by = %bound.object_id, "admin consent recorded");
    Ok(Html(format!(
        "<!doctype html><meta charset=\"utf-8\"><title>Consent recorded</title>\
         <p>Consent recorded for organisation {}. Its users can now sign in to the add-in.</p>",
        bound.tenant_id
    )))
}

fn not_configured() -> ApiError {
    ApiError::unavailable_because(
        "not_configured",
        "this server is not configured for sign-in: its administrator must set ADDIN_CLIENT_ID",
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use serde_json::Value;

    use crate::app::{router, AppState};
    use crate::broker::MasterKeys;
    use crate::config::Config;
    use crate::store::Store;

    const TENANT: &str = "7d3a2f1c-0b4e-4c8a-9f10-2a6b5c4d3e21";

    /// The whole application, configured for consent, on a SQLite file in `dir`.
    async fn app(dir: &std::path::Path) -> axum::Router {
        let config = Config::from_vars(
            [
                ("ADDIN_CLIENT_ID", "6c1f2a9e-5b0d-4e3f-8a7b-9c8d7e6f5a4b"),
                ("ADDIN_ALLOWED_TENANTS", "*"),
                ("ADDIN_INSECURE_HTTP", "true"),
                ("ADDIN_DATA_DIR", &dir.to_string_lossy()),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        )
        .unwrap();
        let store = Store::open(&config.database).await.unwrap();
        let master = Arc::new(MasterKeys::open(&config, &store).await.unwrap());
        router(AppState::new(&config, store, master).unwrap(), dir)
    }

    /// `GET uri`: the status, the content type and the body as JSON.
    async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String, Value) {
        let request = Request::get(uri).body(Body::empty()).unwrap();
        let (status, kind, text) = crate::extract::tests::send(app.clone(), request).await;
        let body =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {text}"));
        (status, kind, body)
    }

    #[tokio::test]
    async fn a_bad_query_string_is_a_json_400_and_no_token_a_json_401() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path()).await;
        for (uri, status, code, says) in [
            (
                format!("/v1/admin-consent/url?tenant={TENANT}&tenant={TENANT}"),
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the query string is not what this route takes: ",
            ),
            (
                format!("{}?state=a&state=b", super::CALLBACK_PATH),
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the query string is not what this route takes: ",
            ),
            (
                format!("/v1/admin-consent/url?tenant={TENANT}"),
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "this API needs a bearer token",
            ),
            (
                format!(
                    "{}?admin_consent=True&tenant={TENANT}&state=made-up",
                    super::CALLBACK_PATH
                ),
                StatusCode::BAD_REQUEST,
                "invalid_state",
                "this consent link has expired or was already used",
            ),
        ] {
            let (got, kind, body) = get(&app, &uri).await;
            assert_eq!(got, status, "{uri}: {body}");
            assert_eq!(kind, "application/json", "{uri}");
            assert_eq!(body["error"]["code"], code, "{uri}: {body}");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.starts_with(says), "{uri}: {message}");
        }
    }
}
