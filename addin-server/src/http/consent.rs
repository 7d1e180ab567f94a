//! The admin-consent routes (see [`crate::consent`] for the flow and why it holds):
//! `GET /v1/admin-consent/url` for a signed-in administrator, and the callback Entra ID sends
//! the browser back to.

use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::caller::AnyTenant;
use super::errors::ApiError;
use super::extract::{ClientIp, Query};
use super::AppState;
use crate::clock;
use addin_wasm::protocol::account::ConsentLink;

use crate::consent::{Answer, ConsentError, CALLBACK_PATH};

/// The consent routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/admin-consent/url", get(url))
        .route(CALLBACK_PATH, get(callback))
}

/// `?tenant=`
#[derive(Debug, Deserialize)]
pub(super) struct UrlQuery {
    tenant: Option<String>,
}

/// `GET /v1/admin-consent/url[?tenant=<tenant id>]`, for an administrator of that tenant.
#[utoipa::path(get, path = "/v1/admin-consent/url", tag = "admin", security(("bearer" = [])), params(("tenant" = Option<String>, Query, description = "The caller's own tenant id")),
    responses((status = 200, description = "Entra ID's admin-consent page for this app and the caller's tenant.", body = ConsentLink), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn url(
    State(state): State<AppState>,
    Query(query): Query<UrlQuery>,
    AnyTenant(admin): AnyTenant,
) -> Result<Json<ConsentLink>, ApiError> {
    let links = state.consent.as_ref().ok_or(ConsentError::NotConfigured)?;
    if !state.tenants_by_consent {
        return Err(ConsentError::NotUsed.into());
    }
    links.authorize(&admin, query.tenant.as_deref())?;
    state.limits.consent_link(&admin.limit_key())?;
    Ok(Json(
        links.issue(&state.store, &admin, clock::now_secs()).await?,
    ))
}

/// `GET /v1/admin-consent/callback`: admits the tenant, or says why not.
#[utoipa::path(get, path = "/v1/admin-consent/callback", tag = "admin",
    responses((status = 200, description = "A page saying the organisation is admitted.", content_type = "text/html", body = String), (status = "default", description = "An error: what failed and what to do, in words.", body = addin_wasm::protocol::ErrorBody)))]
pub(super) async fn callback(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    Query(answer): Query<Answer>,
) -> Result<Html<String>, ApiError> {
    if let Some(client) = client {
        state.limits.consent_callback(client)?;
    }
    let tenant = crate::consent::accept(&state.store, &answer, clock::now_ms()).await?;
    Ok(Html(format!(
        "<!doctype html><meta charset=\"utf-8\"><title>Consent recorded</title>\
         <p>Consent recorded for organisation {tenant}. Its users can now sign in to the add-in.</p>"
    )))
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
