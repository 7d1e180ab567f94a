//! The admin-consent routes (see [`crate::consent`] for the flow and why it holds):
//! `GET /v1/admin-consent/url` for a signed-in administrator, and the callback Entra ID sends
//! the browser back to.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

use super::errors::ApiError;
use super::extract::{ClientIp, Query};
use super::AppState;
use crate::audit::{Action, Actor, Event};
use crate::auth::token::is_guid;
use crate::clock;
use crate::consent::{CALLBACK_PATH, CONSENT_ROLES, STATE_TTL};
use crate::http::caller::AnyTenant;
use crate::store::Write;

/// The consent routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/admin-consent/url", get(url))
        .route(CALLBACK_PATH, get(callback))
}

/// An admin-consent link.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct ConsentLink {
    /// Entra ID's admin-consent page, with the state that proves it to the callback.
    url: String,
    /// The tenant it admits.
    tenant_id: String,
    /// How long the link works.
    expires_in_seconds: u64,
}

/// `?tenant=`
#[derive(Debug, Deserialize)]
pub(super) struct UrlQuery {
    tenant: Option<String>,
}

/// `GET /v1/admin-consent/url[?tenant=<tenant id>]`, for an administrator of that tenant:
/// `{ url, tenantId, expiresInSeconds }`.
#[utoipa::path(get, path = "/v1/admin-consent/url", tag = "admin", security(("bearer" = [])), params(("tenant" = Option<String>, Query, description = "The caller's own tenant id")),
    responses((status = 200, description = "Entra ID's admin-consent page for this app and the caller's tenant.", body = ConsentLink), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn url(
    State(state): State<AppState>,
    Query(query): Query<UrlQuery>,
    AnyTenant(admin): AnyTenant,
) -> Result<Json<ConsentLink>, ApiError> {
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
    Ok(Json(ConsentLink {
        url: links.url(&admin.tenant_id, &secret),
        tenant_id: admin.tenant_id,
        expires_in_seconds: STATE_TTL.as_secs(),
    }))
}

/// What Entra ID sends back.
#[derive(Debug, Deserialize)]
pub(super) struct Callback {
    admin_consent: Option<String>,
    tenant: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /v1/admin-consent/callback`: admits the tenant, or says why not.
#[utoipa::path(get, path = "/v1/admin-consent/callback", tag = "admin",
    responses((status = 200, description = "A page saying the organisation is admitted.", content_type = "text/html", body = String), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn callback(
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

    use crate::broker::MasterKeys;
    use crate::config::Config;
    use crate::http::{router, AppState};
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
        let (status, kind, text) = crate::http::extract::tests::send(app.clone(), request).await;
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
                format!("{}?state=a&state=b", crate::consent::CALLBACK_PATH),
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
                    crate::consent::CALLBACK_PATH
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
