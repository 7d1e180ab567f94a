//! The organisation's policy through its HTTP routes and its commands, with real tokens from a
//! real OpenID provider, on SQLite and on PostgreSQL: the default until one is published, ETag
//! and 304 for every user, admins only for changes, every problem of an invalid policy with its
//! path, If-Match against lost updates, per-tenant isolation, the audit record, and import and
//! export.

use crate::support;

use addin_server::store::Store;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use support::{etag, get_document, put_document, send, Provider, TestDb};

#[tokio::test]
async fn the_policy_is_read_by_users_and_replaced_by_admins_only() {
    let provider = Provider::start("policy-1");
    for engine in support::engines() {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(engine, dir.path()).await;
        let tenants = format!("{},{}", provider.tenant_a, provider.tenant_b);
        let config = support::config(&provider, &tenants, &db, dir.path());
        let app = support::app(&config, dir.path()).await;
        let alice = provider.token("alice@a").await;
        let admin = provider.token("admin@a").await;
        let bob = provider.token("bob@b").await;

        // The default: passcodes on for 15 minutes, any domain, replies allowed.
        let (status, headers, policy) = get_document(&app, "/v1/policy", &alice, None).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {policy}");
        assert_eq!(headers["policy-version"], "0");
        assert_eq!(
            policy,
            json!({ "passcodes": { "enabled": true, "lifetimeMinutes": 15 },
                    "outsideDomains": [], "outsideReplies": true })
        );
        let first = etag(&headers);
        let (status, _, body) = get_document(&app, "/v1/policy", &alice, Some(&first)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert_eq!(body, Value::Null);

        // Only admins read the versioned view and change it.
        let (status, _, body) =
            send(&app, Method::GET, "/v1/admin/policy", &alice, &[], None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let change =
            json!({ "passcodes": { "enabled": false }, "outsideDomains": ["Fabrikam.example"] });
        let (status, _, body) = put_document(
            &app,
            "/v1/admin/policy",
            &alice,
            Some(&first),
            change.to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _, view) =
            send(&app, Method::GET, "/v1/admin/policy", &admin, &[], None).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["version"], 0);
        assert_eq!(view["policy"], policy);
        assert!(view.get("publishedAt").is_none(), "{view}");

        // If-Match is required; an invalid policy gets every problem with its path.
        let (status, _, body) =
            put_document(&app, "/v1/admin/policy", &admin, None, change.to_string()).await;
        assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/v1/admin/policy"));
        let bad = json!({ "passcodes": { "lifetimeMinutes": 0 }, "outsideDomains": ["not a domain"],
                          "replies": true });
        let (status, _, body) = put_document(
            &app,
            "/v1/admin/policy",
            &admin,
            Some(&first),
            bad.to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], "invalid_policy");
        assert_eq!(
            body["error"]["message"],
            "the policy has 3 problems; fix each one listed in problems and publish again"
        );
        let paths: Vec<&str> = body["error"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            paths,
            ["replies", "passcodes.lifetimeMinutes", "outsideDomains[0]"]
        );
        let (status, _, body) = put_document(
            &app,
            "/v1/admin/policy",
            &admin,
            Some(&first),
            "{ nope".into(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        // A valid one: version 1, canonical (every setting, domains lowercase).
        let (status, headers, view) = put_document(
            &app,
            "/v1/admin/policy",
            &admin,
            Some(&first),
            change.to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["version"], 1);
        assert_eq!(view["publishedBy"], "admin@contoso.example");
        assert_eq!(
            view["policy"],
            json!({ "passcodes": { "enabled": false, "lifetimeMinutes": 15 },
                    "outsideDomains": ["fabrikam.example"], "outsideReplies": true })
        );
        let second = etag(&headers);
        assert_ne!(second, first);

        // Users see it at once; an admin working from the old version is stopped.
        let (status, headers, body) = get_document(&app, "/v1/policy", &alice, Some(&first)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["policy-version"], "1");
        assert_eq!(body["passcodes"]["enabled"], false);
        let (status, _, body) =
            put_document(&app, "/v1/admin/policy", &admin, Some(&first), "{}".into()).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");

        // Another organisation keeps the default.
        let (_, headers, _) = get_document(&app, "/v1/policy", &bob, None).await;
        assert_eq!(headers["policy-version"], "0");
        assert_eq!(etag(&headers), first);

        // The change is in the audit log, and only the valid one.
        let (status, _, audit) = send(
            &app,
            Method::GET,
            "/v1/admin/audit?action=orgPolicy",
            &admin,
            &[],
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        let items = audit["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{audit}");
        assert_eq!(items[0]["detail"]["version"], 1);
        assert_eq!(items[0]["detail"]["passcodes"], false);
        assert_eq!(items[0]["detail"]["etag"], second.as_str());
    }
}

#[tokio::test]
async fn import_and_export() {
    let provider = Provider::start("policy-2");
    for engine in support::engines() {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(engine, dir.path()).await;
        let config = support::config(&provider, &provider.tenant_a, &db, dir.path());
        let store = Store::open(&config.database).await.unwrap();
        addin_server::broker::MasterKeys::open(&config, &store)
            .await
            .unwrap();
        let tenant = &provider.tenant_a;

        let exported = addin_server::policy::export(&store, tenant).await.unwrap();
        let default: Value = serde_json::from_str(&exported).unwrap();
        assert_eq!(default["passcodes"]["lifetimeMinutes"], 15, "{engine}");

        let file = dir.path().join("policy.json");
        std::fs::write(
            &file,
            r#"{"passcodes": {"lifetimeMinutes": 5}, "outsideReplies": false}"#,
        )
        .unwrap();
        let published = addin_server::policy::import(&store, tenant, &file, 1_000_000)
            .await
            .unwrap();
        assert_eq!(published.version, 1);
        let policy = addin_server::policy::in_force(&store, tenant)
            .await
            .unwrap();
        assert_eq!(policy.passcodes.lifetime_minutes, 5);
        assert!(!policy.outside_replies);
        assert!(policy.passcodes.enabled);

        // A bad file: every problem, nothing published.
        std::fs::write(
            &file,
            r#"{"passcodes": {"enabled": "no"}, "outsideDomains": [1]}"#,
        )
        .unwrap();
        let err = addin_server::policy::import(&store, tenant, &file, 2_000_000)
            .await
            .unwrap_err();
        let message = addin_server::admin::AdminError::from(err).to_string();
        assert!(
            message.starts_with("the policy has 2 problems; nothing was published:"),
            "{message}"
        );
        assert!(message.contains("passcodes.enabled"), "{message}");
        assert!(message.contains("outsideDomains[0]"), "{message}");
        assert_eq!(
            addin_server::policy::current(&store, tenant)
                .await
                .unwrap()
                .version,
            1
        );
        store.close().await;
    }
}
