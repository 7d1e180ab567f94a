//! The OpenAPI 3.1 document of the API, generated from the routes' annotations and the wire
//! types' schemas, served at `/openapi.json` and committed as `docs/openapi.json`. The
//! JavaScript and browser tests validate every answer they receive against it, so the pane and
//! the server cannot drift apart unnoticed.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Textguard key server",
        description = "Data keys for the Office add-in's encrypted ranges, each organisation's \
                       sensitive-text dictionary, and the audit log. Every error is \
                       `{ \"error\": { \"code\", \"message\" } }`.",
    ),
    paths(
        super::pages::healthz,
        super::pages::readyz,
        super::pages::me,
        super::sign_in::handler,
        super::keys::create,
        super::keys::list,
        super::keys::unwrap,
        super::keys::policy,
        super::keys::change,
        super::keys::revoke,
        super::admin::audit,
        super::admin::stats,
        super::dictionary::for_users,
        super::dictionary::for_admins,
        super::dictionary::replace,
        super::policy::for_users,
        super::policy::for_admins,
        super::policy::replace,
        super::passcodes::request,
        super::passcodes::verify,
        super::passcodes::unwrap,
        super::passcodes::check,
        super::passcodes::reply_key,
        super::passcodes::reply,
        super::consent::url,
        super::consent::callback,
        super::tenants::status,
        super::tenants::withdraw,
    ),
    modifiers(&Bearer),
)]
struct ApiDoc;

/// The bearer scheme the secured routes name: an Entra ID access token for this API.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        scheme.description = Some(
            "An Entra ID v2.0 access token for this API (scope access_as_user), as Office SSO gives the add-in"
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
        let mut reader = Http::new(HttpAuthScheme::Bearer);
        reader.description = Some(
            "A reader session's token, from POST /v1/passcodes/verify (one hour, one address)"
                .into(),
        );
        components.add_security_scheme("reader", SecurityScheme::Http(reader));
    }
}

/// The document, as pretty JSON with a final newline (the form committed).
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = addin_wasm::VERSION.into();
    let mut json = doc.to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

/// `GET /openapi.json`.
pub fn routes() -> Router<AppState> {
    let body = document();
    Router::new().route(
        "/openapi.json",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], body).into_response() }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed document is the generated one: regenerate it with
    /// `UPDATE_OPENAPI=1 cargo test -p addin-server --lib openapi` after changing a route or a
    /// wire type, and review the difference.
    #[test]
    fn the_committed_document_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
        let generated = document();
        if std::env::var("UPDATE_OPENAPI").as_deref() == Ok("1") {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/openapi.json is not the document the routes generate; run UPDATE_OPENAPI=1 cargo test -p addin-server --lib openapi"
        );
        let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        for path in [
            "/v1/keys",
            "/v1/keys/unwrap",
            "/v1/admin/dictionary",
            "/v1/me",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} is documented");
        }
    }
}
