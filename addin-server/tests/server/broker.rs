//! The key broker through its HTTP routes, with real tokens from a real OpenID provider, on
//! SQLite and on PostgreSQL (see `support::engines`): who gets a key and who is refused, policy
//! changes taking effect at once, batch unwraps, concurrency, the audit log and its
//! verification, and tampering with stored rows.

use crate::support;

use std::collections::HashMap;

use addin_server::admin::{self, AdminError};
use axum::http::{Method, StatusCode};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use support::{call, Provider, TestDb};

struct World {
    app: Router,
    config: addin_server::config::Config,
    db: TestDb,
    tokens: HashMap<&'static str, String>,
    engine: &'static str,
    _dir: tempfile::TempDir,
}

impl World {
    async fn new(provider: &Provider, engine: &'static str) -> World {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(engine, dir.path()).await;
        let tenants = format!("{},{}", provider.tenant_a, provider.tenant_b);
        let config = support::config(provider, &tenants, &db, dir.path());
        let app = support::app(&config, dir.path()).await;
        let mut tokens = HashMap::new();
        for user in ["alice@a", "carol@a", "admin@a", "bob@b"] {
            tokens.insert(user, provider.token(user).await);
        }
        World {
            app,
            config,
            db,
            tokens,
            engine,
            _dir: dir,
        }
    }

    async fn as_user(
        &self,
        user: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        call(&self.app, method, path, Some(&self.tokens[user]), body).await
    }

    async fn create(&self, user: &str, body: Value) -> (String, String) {
        let (status, v) = self
            .as_user(user, Method::POST, "/v1/keys", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{}: {v}", self.engine);
        (
            v["keyId"].as_str().unwrap().to_owned(),
            v["key"].as_str().unwrap().to_owned(),
        )
    }

    /// The unwrap results of `ids` for `user`.
    async fn unwrap(&self, user: &str, ids: &[&str]) -> Vec<Value> {
        let (status, v) = self
            .as_user(
                user,
                Method::POST,
                "/v1/keys/unwrap",
                Some(json!({ "keyIds": ids })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {v}", self.engine);
        v["results"].as_array().unwrap().clone()
    }

    /// What `user` gets for `id`: the key, or the error code.
    async fn outcome(&self, user: &str, id: &str) -> Result<String, String> {
        let r = self.unwrap(user, &[id]).await.remove(0);
        assert_eq!(r["keyId"], id);
        result_of(&r)
    }

    fn config_tenant_a(&self) -> String {
        match &self.config.allowed_tenants {
            addin_server::config::AllowedTenants::List(list) => list[0].clone(),
            other => panic!("{other:?}"),
        }
    }

    async fn verify(&self) -> Result<String, AdminError> {
        admin::verify_audit(&self.config, None).await
    }
}

/// One result of an unwrap: the key, or the error code.
fn result_of(r: &Value) -> Result<String, String> {
    match r["key"].as_str() {
        Some(k) => Ok(k.to_owned()),
        None => Err(r["error"]["code"].as_str().unwrap().to_owned()),
    }
}

fn absent_id() -> String {
    URL_SAFE_NO_PAD.encode([9u8; 16])
}

#[tokio::test]
async fn recipients_get_keys_and_everyone_else_is_refused_on_every_engine() {
    let provider = Provider::start("test-key-1");
    for engine in support::engines() {
        let w = World::new(&provider, engine).await;
        let (id, key) = sharing(&w).await;
        let org = whole_organisation(&w).await;
        policy_for_owner_and_admins(&w, &id).await;
        changes_take_effect_at_once(&w, &id, &key).await;
        let brief = a_brief_key(&w).await;
        revocation(&w, &id).await;
        the_brief_key_expires(&w, &brief).await;
        batch(&w, &org).await;
        owners_list(&w).await;
        audit_and_stats(&w).await;
        let report = w.verify().await.unwrap();
        assert!(report.contains("intact"), "{engine}: {report}");
    }
}

// The steps of that story, in order.

/// Alice shares a key with Bob, in another tenant; Carol and the admin are refused.
async fn sharing(w: &World) -> (String, String) {
    let engine = w.engine;
    // Alice shares with Bob, in another tenant. The key is 32 random bytes.
    let (id, key) = w
        .create(
            "alice@a",
            json!({ "recipients": ["Bob@Fabrikam.example"], "label": "Q3 figures", "docId": "doc-1" }),
        )
        .await;
    assert_eq!(URL_SAFE_NO_PAD.decode(&key).unwrap().len(), 32);
    assert_eq!(id.len(), 22);
    assert_eq!(
        w.outcome("alice@a", &id).await,
        Ok(key.clone()),
        "{engine}: the owner"
    );
    // Whose text it is comes with the key, for the reader to see.
    let released = w.unwrap("bob@b", &[&id]).await.remove(0);
    assert_eq!(
        released["owner"],
        json!({ "username": "alice@contoso.example", "tenantId": w.config_tenant_a() }),
        "{engine}"
    );
    assert_eq!(
        w.outcome("bob@b", &id).await,
        Ok(key.clone()),
        "{engine}: a recipient"
    );
    // Carol (same tenant, not named) and the admin are told what a missing key tells.
    let missing = w.unwrap("carol@a", &[&absent_id()]).await.remove(0);
    for user in ["carol@a", "admin@a"] {
        let refused = w.unwrap(user, &[&id]).await.remove(0);
        assert_eq!(refused["error"], missing["error"], "{engine}: {user}");
    }
    assert_eq!(missing["error"]["code"], "not_found");
    (id, key)
}

/// A key for the whole organisation: its members yes, another tenant no; its id.
async fn whole_organisation(w: &World) -> String {
    // The whole organisation: Carol yes, Bob (another tenant) no.
    let (org, org_key) = w.create("alice@a", json!({ "recipients": ["*"] })).await;
    assert_eq!(w.outcome("carol@a", &org).await, Ok(org_key));
    assert_eq!(w.outcome("bob@b", &org).await, Err("not_found".into()));
    org
}

/// The policy of `id`: the owner and admins read it, others cannot tell it exists.
async fn policy_for_owner_and_admins(w: &World, id: &str) {
    // Policy: the owner and admins read it; others cannot tell it exists.
    let path = format!("/v1/keys/{id}");
    let (status, policy) = w.as_user("admin@a", Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{policy}");
    assert_eq!(policy["recipients"], json!(["bob@fabrikam.example"]));
    assert_eq!(policy["owner"]["username"], "alice@contoso.example");
    assert_eq!(policy["label"], "Q3 figures");
    for user in ["bob@b", "carol@a"] {
        let (status, v) = w.as_user(user, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{user}: {v}");
    }
}

/// The owner changes who reads `id` (with `key`); no one else can; bad input is named.
async fn changes_take_effect_at_once(w: &World, id: &str, key: &str) {
    let path = format!("/v1/keys/{id}");
    // The owner removes Bob and adds Carol: at once.
    let (status, v) = w
        .as_user(
            "alice@a",
            Method::PATCH,
            &path,
            Some(json!({ "removeRecipients": ["bob@fabrikam.example"], "addRecipients": ["carol@contoso.example"] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["recipients"], json!(["carol@contoso.example"]));
    assert_eq!(w.outcome("bob@b", id).await, Err("not_found".into()));
    assert_eq!(w.outcome("carol@a", id).await, Ok(key.to_owned()));
    // Only the owner changes recipients.
    let (status, _) = w
        .as_user(
            "admin@a",
            Method::PATCH,
            &path,
            Some(json!({ "addRecipients": ["x@y.example"] })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = w
        .as_user(
            "carol@a",
            Method::PATCH,
            &path,
            Some(json!({ "addRecipients": ["x@y.example"] })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Bad input is named.
    let (status, v) = w
        .as_user(
            "alice@a",
            Method::PATCH,
            &path,
            Some(json!({ "expiresAt": "2001-01-01T00:00:00Z" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in the past"),
        "{v}"
    );
    let (status, v) = w
        .as_user(
            "alice@a",
            Method::POST,
            "/v1/keys",
            Some(json!({ "recipients": ["not an address"] })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("recipients[0]"),
        "{v}"
    );
    let (status, v) = w
        .as_user(
            "alice@a",
            Method::POST,
            "/v1/keys",
            Some(json!({ "recipient": [] })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
}

/// A key that expires in two seconds, released while it lasts; its id.
async fn a_brief_key(w: &World) -> String {
    // Expiry: a key that expires in two seconds is then refused as expired.
    let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let soon = soon
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (brief, brief_key) = w
        .create(
            "alice@a",
            json!({ "recipients": ["bob@fabrikam.example"], "expiresAt": soon }),
        )
        .await;
    assert_eq!(w.outcome("bob@b", &brief).await, Ok(brief_key));
    brief
}

/// `id` revoked: refused to all, its policy frozen, revoking again harmless.
async fn revocation(w: &World, id: &str) {
    let path = format!("/v1/keys/{id}");
    // Revocation: refused to all, the policy is frozen, revoking again is harmless.
    let (status, v) = w
        .as_user("alice@a", Method::POST, &format!("{path}/revoke"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["revokedAt"].is_string());
    assert_eq!(w.outcome("carol@a", id).await, Err("revoked".into()));
    assert_eq!(w.outcome("alice@a", id).await, Err("revoked".into()));
    let (status, _) = w
        .as_user(
            "alice@a",
            Method::PATCH,
            &path,
            Some(json!({ "addRecipients": ["x@y.example"] })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = w
        .as_user("admin@a", Method::POST, &format!("{path}/revoke"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// Once its time has passed, the brief key is refused as expired.
async fn the_brief_key_expires(w: &World, brief: &str) {
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert_eq!(w.outcome("bob@b", brief).await, Err("expired".into()));
}

/// A batch of 53 ids in one request, in the order asked, `org` among them; too many refused.
async fn batch(w: &World, org: &str) {
    let engine = w.engine;
    // Batch: one round trip for a document; results in the order asked, duplicates and
    // bad ids included.
    let mut ids = Vec::new();
    let mut keys = Vec::new();
    for i in 0..50 {
        let (id, key) = w
            .create(
                "alice@a",
                json!({ "recipients": ["bob@fabrikam.example"], "docId": format!("doc-{i}") }),
            )
            .await;
        ids.push(id);
        keys.push(key);
    }
    let mut asked: Vec<&str> = ids.iter().map(String::as_str).collect();
    asked.push(&ids[0]);
    asked.push("not-a-key-id");
    asked.push(org);
    let results = w.unwrap("bob@b", &asked).await;
    assert_eq!(results.len(), 53);
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(results[i]["key"], key.as_str(), "{engine}: {i}");
    }
    assert_eq!(results[50]["key"], keys[0].as_str());
    assert_eq!(results[51]["error"]["code"], "invalid_key_id");
    assert_eq!(results[52]["error"]["code"], "not_found");
    let too_many: Vec<String> = (0..257).map(|_| absent_id()).collect();
    let (status, v) = w
        .as_user(
            "bob@b",
            Method::POST,
            "/v1/keys/unwrap",
            Some(json!({ "keyIds": too_many })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
}

/// The owner's keys, paged; a recipient owns none.
async fn owners_list(w: &World) {
    let engine = w.engine;
    // The owner's list, paged.
    let mut seen = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/keys?owner=me&limit=20&cursor={c}"),
            None => "/v1/keys?owner=me&limit=20".to_owned(),
        };
        let (status, page) = w.as_user("alice@a", Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen += page["items"].as_array().unwrap().len();
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, 53, "{engine}: every key alice owns, once");
    let (_, bobs) = w
        .as_user("bob@b", Method::GET, "/v1/keys?owner=me", None)
        .await;
    assert_eq!(bobs["items"], json!([]));
}

/// The audit log for admins only, with reasons; statistics per user.
async fn audit_and_stats(w: &World) {
    let engine = w.engine;
    // The audit log: admins only, with reasons; statistics per user.
    let (status, _) = w
        .as_user("alice@a", Method::GET, "/v1/admin/audit", None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, denials) = w
        .as_user(
            "admin@a",
            Method::GET,
            "/v1/admin/audit?action=deny&limit=200",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{denials}");
    let reasons: Vec<&str> = denials["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    for reason in ["not a recipient", "revoked", "expired"] {
        assert!(reasons.contains(&reason), "{engine}: {reasons:?}");
    }
    let (_, carol) = w
        .as_user(
            "admin@a",
            Method::GET,
            "/v1/admin/audit?user=carol@contoso.example",
            None,
        )
        .await;
    assert!(carol["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["actor"]["username"] == "carol@contoso.example"));
    let (status, stats) = w
        .as_user("admin@a", Method::GET, "/v1/admin/stats", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let alice = stats["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user"] == "alice@contoso.example")
        .unwrap();
    assert_eq!(alice["keysCreated"], 53, "{stats}");
}

#[tokio::test]
async fn concurrent_creates_and_unwraps_all_succeed_and_chain_cleanly() {
    let provider = Provider::start("test-key-1");
    for engine in support::engines() {
        let w = std::sync::Arc::new(World::new(&provider, engine).await);
        let tasks: Vec<_> = (0..64)
            .map(|i| {
                let w = w.clone();
                tokio::spawn(async move {
                    let (id, key) = w
                        .create("alice@a", json!({ "recipients": ["bob@fabrikam.example"], "label": format!("t{i}") }))
                        .await;
                    assert_eq!(w.outcome("bob@b", &id).await, Ok(key.clone()));
                    assert_eq!(w.outcome("carol@a", &id).await, Err("not_found".into()));
                    id
                })
            })
            .collect();
        let mut ids = Vec::new();
        for t in tasks {
            ids.push(t.await.unwrap());
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 64);
        let report = w.verify().await.unwrap();
        assert!(report.contains("intact: 192 records"), "{engine}: {report}");
    }
}

/// Concurrent unwraps are read together (`store::releases`): each caller must still get the
/// answers of its own identity, never those of another caller read in the same query.
#[tokio::test]
async fn concurrent_unwraps_by_different_callers_each_get_their_own_answers() {
    let provider = Provider::start("test-key-1");
    for engine in support::engines() {
        let w = std::sync::Arc::new(World::new(&provider, engine).await);
        let (for_bob, bob_key) = w
            .create("alice@a", json!({ "recipients": ["bob@fabrikam.example"] }))
            .await;
        let (for_carol, carol_key) = w
            .create(
                "alice@a",
                json!({ "recipients": ["carol@contoso.example"] }),
            )
            .await;
        let (for_org, org_key) = w.create("alice@a", json!({ "recipients": ["*"] })).await;
        let absent = absent_id();
        let ids = [
            for_bob.clone(),
            for_carol.clone(),
            for_org.clone(),
            absent.clone(),
        ];
        let nf = || Err::<String, String>("not_found".into());
        let want: HashMap<&str, Vec<Result<String, String>>> = HashMap::from([
            // The owner has every key of hers.
            (
                "alice@a",
                vec![
                    Ok(bob_key.clone()),
                    Ok(carol_key.clone()),
                    Ok(org_key.clone()),
                    nf(),
                ],
            ),
            // Carol is named on one and in the owner's organisation.
            ("carol@a", vec![nf(), Ok(carol_key), Ok(org_key), nf()]),
            // Bob is named on one, in another organisation.
            ("bob@b", vec![Ok(bob_key), nf(), nf(), nf()]),
        ]);
        let want = std::sync::Arc::new(want);
        let tasks: Vec<_> = (0..60)
            .map(|i| {
                let (w, want, ids) = (w.clone(), want.clone(), ids.clone());
                tokio::spawn(async move {
                    let user = ["alice@a", "carol@a", "bob@b"][i % 3];
                    // Each caller asks in its own order, some for part of the keys.
                    let mut asked: Vec<usize> = (0..ids.len()).collect();
                    asked.rotate_left(i % ids.len());
                    asked.truncate(1 + i % ids.len());
                    let refs: Vec<&str> = asked.iter().map(|&k| ids[k].as_str()).collect();
                    let results = w.unwrap(user, &refs).await;
                    for (r, &k) in results.iter().zip(&asked) {
                        assert_eq!(r["keyId"], ids[k].as_str());
                        assert_eq!(result_of(r), want[user][k], "{user} asking for key {k}");
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let report = w.verify().await.unwrap();
        assert!(report.contains("intact"), "{engine}: {report}");
    }
}

#[tokio::test]
async fn tampering_with_a_wrapped_key_or_the_audit_log_is_detected() {
    let provider = Provider::start("test-key-1");
    for engine in support::engines() {
        let w = World::new(&provider, engine).await;
        let (a, _) = w.create("alice@a", json!({ "recipients": [] })).await;
        let (b, key_b) = w.create("alice@a", json!({ "recipients": [] })).await;
        let raw = w.db.raw().await;

        // Someone with database access moves b's wrapped key onto a: it no longer unwraps.
        sqlx::query("UPDATE data_keys SET wrapped = (SELECT wrapped FROM data_keys WHERE key_id = $1) WHERE key_id = $2")
            .bind(&b)
            .bind(&a)
            .execute(&raw)
            .await
            .unwrap();
        assert_eq!(w.outcome("alice@a", &a).await, Err("integrity".into()));
        assert_eq!(w.outcome("alice@a", &b).await, Ok(key_b));
        let (_, denials) = w
            .as_user("admin@a", Method::GET, "/v1/admin/audit?action=deny", None)
            .await;
        assert_eq!(
            denials["items"][0]["reason"],
            "the stored key failed its integrity check"
        );
        assert!(w.verify().await.is_ok());

        // The log refuses changes; with its guard removed, a change is found and named.
        let edit = sqlx::query("UPDATE audit_log SET reason = 'nothing' WHERE seq = 3")
            .execute(&raw)
            .await;
        assert!(edit.is_err(), "{engine}: the audit log must be append-only");
        if engine == "postgres" {
            // The server's own role cannot remove that guard, empty the log, or change the
            // schema: only the database owner could, and the MACs would still show it.
            let server = w.db.as_server().await;
            for sql in [
                "DROP TRIGGER audit_log_no_change ON audit_log",
                "TRUNCATE audit_log",
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
                "UPDATE audit_log SET reason = 'nothing' WHERE seq = 3",
                "DELETE FROM audit_log WHERE seq = 3",
                "CREATE TABLE stash (x BIGINT)",
                "UPDATE _sqlx_migrations SET description = 'x'",
            ] {
                let refused = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&server)
                    .await
                    .expect_err(sql)
                    .to_string();
                assert!(
                    refused.contains("permission denied") || refused.contains("must be owner"),
                    "{sql}: {refused}"
                );
            }
            server.close().await;
        }
        drop_audit_guards(engine, &raw).await;
        sqlx::query("UPDATE audit_log SET actor_name = 'mallory@contoso.example' WHERE seq = 3")
            .execute(&raw)
            .await
            .unwrap();
        let Err(AdminError::Tampered(report)) = w.verify().await else {
            panic!("{engine}: a modified record passed")
        };
        assert!(report.contains("record 3 was modified"), "{report}");
        sqlx::query("DELETE FROM audit_log WHERE seq = 2")
            .execute(&raw)
            .await
            .unwrap();
        let Err(AdminError::Tampered(report)) = w.verify().await else {
            panic!("{engine}: a deleted record passed")
        };
        assert!(report.contains("record 2 was deleted"), "{report}");
        let last: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
            .fetch_one(&raw)
            .await
            .unwrap();
        sqlx::query("DELETE FROM audit_log WHERE seq = $1")
            .bind(last)
            .execute(&raw)
            .await
            .unwrap();
        let Err(AdminError::Tampered(report)) = w.verify().await else {
            panic!("{engine}: a truncated log passed")
        };
        assert!(report.contains("deleted from the end"), "{report}");
        raw.close().await;
    }
}

/// Removes the triggers that keep the audit log append-only, as the database's owner could.
async fn drop_audit_guards(engine: &str, raw: &sqlx::AnyPool) {
    let statements: &[&str] = match engine {
        "sqlite" => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
        ],
        _ => &["DROP TRIGGER audit_log_no_change ON audit_log"],
    };
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(*sql))
            .execute(raw)
            .await
            .unwrap();
    }
}

/// Rewrites the audit log from record `from` on, the way someone with write access to the
/// database would: each record gets another actor, `hash` re-hashes it, and the head follows.
async fn rewrite_audit_log(
    config: &addin_server::config::Config,
    raw: &sqlx::AnyPool,
    from: i64,
    hash: impl Fn(i64, &addin_server::audit::Event, &[u8]) -> [u8; 32],
) {
    let store = addin_server::store::Store::open(&config.database)
        .await
        .unwrap();
    let mut records = Vec::new();
    store
        .for_each_audit_record(|r| records.push(r.clone()))
        .await
        .unwrap();
    store.close().await;
    let mut prev = records[(from - 2) as usize].hash.clone();
    for r in records.iter_mut().filter(|r| r.seq >= from) {
        r.event.actor.username = "mallory@contoso.example".into();
        let new_hash = hash(r.seq, &r.event, &prev).to_vec();
        sqlx::query(
            "UPDATE audit_log SET actor_name = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
        )
        .bind(&r.event.actor.username)
        .bind(&prev)
        .bind(&new_hash)
        .bind(r.seq)
        .execute(raw)
        .await
        .unwrap();
        prev = new_hash;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(raw)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_audit_log_cannot_be_rewritten_without_the_key_and_checkpoints_anchor_it() {
    use addin_server::audit::{unkeyed_hash, AuditKeys};
    let provider = Provider::start("test-key-cp");
    for engine in support::engines() {
        let w = World::new(&provider, engine).await;
        for _ in 0..3 {
            let (id, _) = w.create("alice@a", json!({ "recipients": [] })).await;
            w.unwrap("alice@a", &[&id]).await;
        }
        let checkpoint = admin::checkpoint_audit(&w.config).await.unwrap();
        let cp_file = w._dir.path().join("checkpoint.json");
        std::fs::write(&cp_file, &checkpoint).unwrap();
        let report = admin::verify_audit(&w.config, Some(&cp_file))
            .await
            .unwrap();
        assert!(
            report.contains("matches; nothing up to it changed"),
            "{report}"
        );

        // A checkpoint edited to vouch for another record is refused.
        let mut edited: Value = serde_json::from_str(&checkpoint).unwrap();
        edited["seq"] = json!(edited["seq"].as_i64().unwrap() - 1);
        let edited_file = w._dir.path().join("edited.json");
        std::fs::write(&edited_file, edited.to_string()).unwrap();
        let Err(AdminError::Refused(why)) =
            admin::verify_audit(&w.config, Some(&edited_file)).await
        else {
            panic!("{engine}: an edited checkpoint was accepted")
        };
        assert!(why.contains("the file was altered"), "{why}");

        // A database writer rewrites records 2.. and re-hashes them consistently, as the unkeyed
        // chain allowed: without the key file their hashes are not MACs, and it shows.
        let raw = w.db.raw().await;
        drop_audit_guards(engine, &raw).await;
        rewrite_audit_log(&w.config, &raw, 2, unkeyed_hash).await;
        let Err(AdminError::Tampered(report)) = w.verify().await else {
            panic!("{engine}: a log rewritten without the key passed")
        };
        assert!(
            report.contains("record 2 carries an unkeyed hash after keyed records"),
            "{report}"
        );

        // Someone who also holds the key file can make the chain consistent again, but not
        // match the checkpoint kept elsewhere.
        let ring = addin_server::keyring::Keyring::open(&addin_server::broker::master::key_file(
            &w.config,
        ))
        .unwrap();
        let keys = AuditKeys::derive(&ring.audit_secret().unwrap()).unwrap();
        rewrite_audit_log(&w.config, &raw, 2, |seq, event, prev| {
            keys.record_mac(seq, event, prev)
        })
        .await;
        assert!(w.verify().await.unwrap().contains("intact"));
        let Err(AdminError::Tampered(report)) =
            admin::verify_audit(&w.config, Some(&cp_file)).await
        else {
            panic!("{engine}: a rewritten history matched its checkpoint")
        };
        assert!(
            report.contains("history up to it was rewritten"),
            "{report}"
        );
        raw.close().await;
    }
}

#[tokio::test]
async fn master_key_rotation_rewraps_and_running_servers_follow() {
    let provider = Provider::start("test-key-1");
    for engine in support::engines() {
        let w = World::new(&provider, engine).await;
        let mut created = Vec::new();
        for _ in 0..5 {
            created.push(w.create("alice@a", json!({ "recipients": [] })).await);
        }
        let status = admin::key_status(&w.config).await.unwrap();
        assert!(status.contains("v1: 5 keys (current"), "{status}");
        let refused = admin::retire_master(&w.config, 1)
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.contains("newest"), "{refused}");
        // A second server on the same database, which will not meet the new version for a while.
        let stale = support::app(&w.config, w._dir.path()).await;
        let staler = support::app(&w.config, w._dir.path()).await;

        let report = admin::rotate_master(&w.config).await.unwrap();
        assert!(report.contains("Added master key version 2"), "{report}");
        assert!(
            report.contains("Rewrapped 5 keys under version 2"),
            "{report}"
        );
        // The batch's record committed with it, with what it did.
        let raw = w.db.raw().await;
        let details: Vec<String> =
            sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'rotate' ORDER BY seq")
                .fetch_all(&raw)
                .await
                .unwrap();
        raw.close().await;
        let last: Value = serde_json::from_str(details.last().unwrap()).unwrap();
        assert_eq!(
            last,
            json!({ "toVersion": 2, "rewrapped": 5, "alreadyMoved": 0, "failed": 0 }),
            "{engine}"
        );
        // The running server meets keys wrapped under a version it has not loaded: it reloads.
        for (id, key) in &created {
            assert_eq!(w.outcome("alice@a", id).await, Ok(key.clone()), "{engine}");
        }
        // A key created by the stale server is wrapped under v1, so v1 cannot retire yet.
        let (status, v) = call(
            &stale,
            Method::POST,
            "/v1/keys",
            Some(&w.tokens["alice@a"]),
            Some(json!({ "recipients": [] })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let (late, late_key) = (
            v["keyId"].as_str().unwrap().to_owned(),
            v["key"].as_str().unwrap().to_owned(),
        );
        let refused = admin::retire_master(&w.config, 1)
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.contains("keys rewrap"), "{refused}");
        let report = admin::rewrap(&w.config).await.unwrap();
        assert!(
            report.contains("Rewrapped 1 keys under version 2"),
            "{report}"
        );
        let report = admin::retire_master(&w.config, 1).await.unwrap();
        assert!(report.contains("Retired master key version 1"), "{report}");
        let refused = admin::retire_master(&w.config, 2)
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.contains("newest"), "{refused}");
        assert_eq!(w.outcome("alice@a", &late).await, Ok(late_key.clone()));
        // The stale server reloads the file when it meets a key wrapped under v2.
        let (_, v) = call(
            &stale,
            Method::POST,
            "/v1/keys/unwrap",
            Some(&w.tokens["alice@a"]),
            Some(json!({ "keyIds": [late] })),
        )
        .await;
        assert_eq!(v["results"][0]["key"], late_key.as_str(), "{v}");
        // A server whose newest version was retired meanwhile reloads before it wraps.
        let (status, v) = call(
            &staler,
            Method::POST,
            "/v1/keys",
            Some(&w.tokens["alice@a"]),
            Some(json!({ "recipients": [] })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        assert_eq!(
            w.outcome("alice@a", v["keyId"].as_str().unwrap()).await,
            Ok(v["key"].as_str().unwrap().to_owned())
        );
        let status = admin::key_status(&w.config).await.unwrap();
        assert!(status.contains("v1: 0 keys (retired)"), "{status}");
        assert!(status.contains("v2: 7 keys (current"), "{status}");
        assert!(w.verify().await.unwrap().contains("intact"));
        let (_, rotations) = w
            .as_user(
                "admin@a",
                Method::GET,
                "/v1/admin/audit?action=rotate",
                None,
            )
            .await;
        assert_eq!(
            rotations["items"],
            json!([]),
            "system records are not a tenant's"
        );

        // Another master key file is refused at start, saying what to do.
        let key_file = w.config.data_dir.join("master.key");
        let text = std::fs::read_to_string(&key_file).unwrap();
        let other = URL_SAFE_NO_PAD.encode([1u8; 32]);
        let swapped: String = text
            .lines()
            .map(|l| {
                if l.starts_with("v2 ") {
                    format!("v2 {other}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(&key_file, swapped).unwrap();
        let e = admin::key_status(&w.config).await.unwrap_err().to_string();
        assert!(
            e.contains("version 2") && e.contains("restore the right file"),
            "{e}"
        );
        std::fs::remove_file(&key_file).unwrap();
        let e = admin::key_status(&w.config).await.unwrap_err().to_string();
        assert!(e.contains("cannot read the master key file"), "{e}");
    }
}

#[tokio::test]
async fn a_server_role_that_may_not_migrate_says_who_can() {
    for engine in support::engines().into_iter().filter(|e| *e == "postgres") {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(engine, dir.path()).await;
        // Up to date: the server's role opens it without touching the schema.
        let store = addin_server::store::Store::open(&db.url.parse().unwrap())
            .await
            .unwrap();
        store.close().await;
        // One migration short (as after an upgrade of the server binary): refused, with the fix.
        let raw = db.raw().await;
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;
        let err = addin_server::store::Store::open(&db.url.parse().unwrap())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("run `addin-server migrate` with the database owner's"),
            "{err}"
        );
    }
}
