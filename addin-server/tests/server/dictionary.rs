//! The organisation's dictionary through its HTTP routes and its commands, with real tokens
//! from a real OpenID provider, on SQLite and on PostgreSQL: the starter dictionary until one is
//! published, ETag and 304, admins only for changes, every problem of an invalid dictionary
//! with its place, If-Match against lost updates, per-tenant isolation, the audit record, and
//! JSON/CSV import and export.

use crate::support;

use addin_server::dictionary::command;
use addin_server::store::Store;
use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use support::{etag, send, Provider, TestDb};

/// `PUT /v1/admin/dictionary` with `body`, as `token`, with `If-Match: if_match` if given.
async fn put(
    app: &Router,
    token: &str,
    if_match: Option<&str>,
    body: String,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    support::put_document(app, "/v1/admin/dictionary", token, if_match, body).await
}

/// `GET /v1/dictionary` as `token`, with `If-None-Match: if_none_match` if given.
async fn get(
    app: &Router,
    token: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    support::get_document(app, "/v1/dictionary", token, if_none_match).await
}

fn custom() -> Value {
    json!({
        "version": 1,
        "categories": [
            { "id": "projects", "label": { "en": "Secret projects", "fr": "Projets secrets" },
              "severity": "block" },
            { "id": "cards", "label": { "en": "Card numbers" }, "severity": "warn",
              "detectors": ["payment_card"] }
        ],
        "entries": [
            { "id": "orion", "pattern": "projet orion", "kind": "phrase", "category": "projects" }
        ]
    })
}

#[tokio::test]
async fn the_dictionary_is_served_with_etags_and_replaced_by_admins_only() {
    let provider = Provider::start("dict-1");
    for engine in support::engines() {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(engine, dir.path()).await;
        let tenants = format!("{},{}", provider.tenant_a, provider.tenant_b);
        let config = support::config(&provider, &tenants, &db, dir.path());
        let app = support::app(&config, dir.path()).await;
        let alice = provider.token("alice@a").await;
        let admin = provider.token("admin@a").await;
        let bob = provider.token("bob@b").await;

        // Before anything is published: the starter dictionary, version 0.
        let (status, headers, starter) = get(&app, &alice, None).await;
        assert_eq!(status, StatusCode::OK, "{engine}");
        assert_eq!(headers["dictionary-version"], "0");
        assert_eq!(headers["cache-control"], "private, no-cache");
        assert!(starter["categories"].as_array().unwrap().len() >= 3);
        let first = etag(&headers);
        assert!(first.starts_with('"') && first.len() == 34, "{first}");
        let (status, headers, body) = get(&app, &alice, Some(&first)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert_eq!(etag(&headers), first);
        assert_eq!(body, Value::Null);

        // Only admins change it.
        let (status, _, body) = put(&app, &alice, None, custom().to_string()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Addin.Admin"));

        // An invalid dictionary: every problem, with where it is.
        let mut bad = custom();
        bad["entries"] = json!([
            { "id": "orion", "pattern": "projet orion", "kind": "phrase", "category": "projects" },
            { "id": "orion", "pattern": "x", "kind": "word", "category": "projects" },
            { "id": "nope", "pattern": "y", "kind": "word", "category": "missing" },
            { "id": "re", "pattern": "(unclosed", "kind": "regex", "category": "projects" }
        ]);
        let (status, _, body) = put(&app, &admin, None, custom().to_string()).await;
        assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("send If-Match"));
        let (status, _, body) = put(&app, &admin, Some(&first), bad.to_string()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], "invalid_dictionary");
        let paths: Vec<&str> = body["error"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["path"].as_str().unwrap())
            .collect();
        for expected in ["entries[1]", "entries[2]", "entries[3]"] {
            assert!(
                paths.iter().any(|p| p.starts_with(expected)),
                "{expected} in {paths:?}"
            );
        }
        let (status, _, body) = put(&app, &admin, Some(&first), "{ not json".into()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        // A valid one, based on what the admin read: version 1, a new ETag.
        let (status, headers, view) = put(&app, &admin, Some(&first), custom().to_string()).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["version"], 1);
        assert_eq!(view["publishedBy"], "admin@contoso.example");
        assert_eq!(view["dictionary"]["entries"][0]["id"], "orion");
        let second = etag(&headers);
        assert_ne!(second, first);

        // Users see it at once; the old ETag no longer matches.
        let (status, headers, body) = get(&app, &alice, Some(&first)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["dictionary-version"], "1");
        assert_eq!(etag(&headers), second);
        assert_eq!(body["entries"][0]["pattern"], "projet orion");

        // An admin working from the old version is stopped.
        let (status, _, body) = put(&app, &admin, Some(&first), custom().to_string()).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("version 1"));

        // Another organisation still has the starter dictionary.
        let (_, headers, _) = get(&app, &bob, None).await;
        assert_eq!(headers["dictionary-version"], "0");
        assert_eq!(etag(&headers), first);

        // The change is in the audit log.
        let (status, _, audit) = send(
            &app,
            Method::GET,
            "/v1/admin/audit?action=dictionary",
            &admin,
            &[],
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        let items = audit["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{audit}");
        assert_eq!(items[0]["actor"]["username"], "admin@contoso.example");
        assert_eq!(items[0]["detail"]["version"], 1);
        assert_eq!(items[0]["detail"]["entries"], 1);
    }
}

#[tokio::test]
async fn import_and_export_as_json_and_csv() {
    let provider = Provider::start("dict-2");
    for engine in support::engines() {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(engine, dir.path()).await;
        let config = support::config(&provider, &provider.tenant_a, &db, dir.path());
        let store = Store::open(&config.database).await.unwrap();
        // Loading the master key file gives the store the audit keys it writes records with.
        addin_server::broker::MasterKeys::open(&config, &store)
            .await
            .unwrap();
        let tenant = command::tenant(&config, None).unwrap();
        assert_eq!(tenant, provider.tenant_a);

        let json_file = dir.path().join("dictionary.json");
        std::fs::write(&json_file, custom().to_string()).unwrap();
        let published = command::import(&store, &tenant, &json_file).await.unwrap();
        assert_eq!(published.version, 1);

        // CSV entries replace the entries and keep the categories.
        let csv_file = dir.path().join("entries.csv");
        std::fs::write(
            &csv_file,
            "id,pattern,kind,category,severity,caseSensitive\n\
             atlas,Projet Atlas,phrase,projects,,false\n\
             code,\"AB-\\d{4}\",regex,projects,warn,TRUE\n",
        )
        .unwrap();
        let published = command::import(&store, &tenant, &csv_file).await.unwrap();
        assert_eq!(published.version, 2);
        let exported = command::export(&store, &tenant, true).await.unwrap();
        assert_eq!(
            exported,
            "id,pattern,kind,category,severity,caseSensitive\n\
             atlas,Projet Atlas,phrase,projects,,false\n\
             code,AB-\\d{4},regex,projects,warn,true\n"
        );
        let document: Value =
            serde_json::from_str(&command::export(&store, &tenant, false).await.unwrap()).unwrap();
        assert_eq!(document["categories"].as_array().unwrap().len(), 2);

        // Bad rows: each named by its line, nothing published.
        std::fs::write(
            &csv_file,
            "id,pattern,kind,category\nok,fine,word,projects\nx,y,sometimes,projects\nz,w,word,projects,extra\n",
        )
        .unwrap();
        let err = command::import(&store, &tenant, &csv_file)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("line 4"), "{err}");
        std::fs::write(&csv_file, "name,pattern\nx,y\n").unwrap();
        let err = command::import(&store, &tenant, &csv_file)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("lacks id, kind, category"), "{err}");
        assert_eq!(
            addin_server::dictionary::current(&store, &tenant)
                .await
                .unwrap()
                .version,
            2
        );
        // Several tenants allowed: the command asks which.
        let two = support::config(
            &provider,
            &format!("{},{}", provider.tenant_a, provider.tenant_b),
            &db,
            dir.path(),
        );
        assert!(command::tenant(&two, None)
            .unwrap_err()
            .to_string()
            .contains("--tenant"));
        store.close().await;
    }
}
