//! The identity rule against forged identities (issue 19): a user is (tenant id, object id), and
//! a named recipient matches only an address the issuing tenant vouches for, from the tenant
//! that owns its domain, held by the user who first presented it. Each case is a token signed
//! with the real provider's key, as a tenant admitted to the server could issue it.

use crate::support;

use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use support::{call, Provider, TestDb};

/// Claims of a token of `tenant` for the user `oid`, with `extra` claims merged in.
fn claims(provider: &Provider, tenant: &str, oid: &str, extra: Value) -> Value {
    let mut c = provider.claims();
    c["tid"] = json!(tenant);
    c["iss"] = json!(format!("{}/{tenant}/v2.0", provider.authority));
    c["oid"] = json!(oid);
    c.as_object_mut().unwrap().remove("preferred_username");
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

/// Creates a key for `recipients` as `token`: its id.
async fn create(app: &Router, token: &str, recipients: Value) -> String {
    let (status, v) = call(
        app,
        Method::POST,
        "/v1/keys",
        Some(token),
        Some(json!({ "recipients": recipients })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["keyId"].as_str().unwrap().to_owned()
}

async fn unwrap(app: &Router, token: &str, id: &str) -> Result<Value, String> {
    let (status, v) = call(
        app,
        Method::POST,
        "/v1/keys/unwrap",
        Some(token),
        Some(json!({ "keyIds": [id] })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let r = &v["results"][0];
    match r.get("key") {
        Some(_) => Ok(r["owner"].clone()),
        None => Err(r["error"]["code"].as_str().unwrap().to_owned()),
    }
}

#[tokio::test]
async fn forged_addresses_guests_and_renamed_users_get_nothing_on_every_engine() {
    let provider = Provider::start("identity-1");
    let (a, b) = (provider.tenant_a.clone(), provider.tenant_b.clone());
    for engine in support::engines() {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(engine, dir.path()).await;
        let config = support::config(&provider, &format!("{a},{b}"), &db, dir.path());
        let app = support::app(&config, dir.path()).await;
        let alice = provider.token("alice@a").await;
        let bob = provider.token("bob@b").await;
        let guest = provider.token("guest@a").await;

        // Alice shares with Bob of Fabrikam, and with her whole organisation.
        let id = create(&app, &alice, json!(["bob@fabrikam.example", "*"])).await;
        let forge = |tenant: &str, oid: &str, extra: Value| {
            provider.sign(&claims(&provider, tenant, oid, extra))
        };
        let stranger = "77777777-7777-4777-8777-777777777777";

        // Before Bob ever signed in, nobody learnt that Fabrikam owns fabrikam.example; even
        // so, a bare email, an unverified one and preferred_username are no address.
        for (case, extra) in [
            (
                "preferred_username of another tenant",
                json!({ "acct": 0, "preferred_username": "bob@fabrikam.example" }),
            ),
            (
                "email alone",
                json!({ "acct": 0, "email": "bob@fabrikam.example" }),
            ),
            (
                "unverified email",
                json!({ "acct": 0, "email": "bob@fabrikam.example", "xms_edov": false }),
            ),
            (
                "verified email without acct",
                json!({ "email": "bob@fabrikam.example", "xms_edov": true }),
            ),
        ] {
            // A tenant-b user: outside Alice's organisation, so only the address could match.
            let token = forge(&b, stranger, extra);
            assert_eq!(
                unwrap(&app, &token, &id).await,
                Err("not_found".into()),
                "{engine}: {case}"
            );
        }

        // Bob signs in and opens it: Fabrikam owns fabrikam.example from now on, and
        // bob@fabrikam.example is Bob's.
        let (_, me) = call(&app, Method::GET, "/v1/me", Some(&bob), None).await;
        assert_eq!(me["address"], "bob@fabrikam.example", "{engine}: {me}");
        assert_eq!(
            unwrap(&app, &bob, &id).await,
            Ok(json!({ "username": "alice@contoso.example", "tenantId": a })),
            "{engine}"
        );

        // A member of another admitted tenant (Contoso) claiming Bob's address as its upn or a
        // verified email: the domain is Fabrikam's, so it matches nothing. (On a key for Bob
        // alone: Contoso's members share the first one as its organisation.)
        let bob_only = create(&app, &alice, json!(["bob@fabrikam.example"])).await;
        for (case, extra) in [
            (
                "upn of a domain another tenant owns",
                json!({ "acct": 0, "upn": "bob@fabrikam.example" }),
            ),
            (
                "verified email of a domain another tenant owns",
                json!({ "acct": 0, "email": "bob@fabrikam.example", "xms_edov": true }),
            ),
        ] {
            let token = forge(&a, stranger, extra);
            assert_eq!(
                unwrap(&app, &token, &bob_only).await,
                Err("not_found".into()),
                "{engine}: {case}"
            );
        }

        // The same for an address of Fabrikam's domain nobody holds yet.
        let for_eve = create(&app, &alice, json!(["eve@fabrikam.example"])).await;
        let eve = forge(
            &a,
            stranger,
            json!({ "acct": 0, "upn": "eve@fabrikam.example" }),
        );
        assert_eq!(
            unwrap(&app, &eve, &for_eve).await,
            Err("not_found".into()),
            "{engine}: an unbound address of a domain another tenant owns"
        );

        // A renamed user: Fabrikam gives bob@fabrikam.example to a newcomer (another oid).
        // The address stays the first Bob's.
        let newcomer = forge(
            &b,
            stranger,
            json!({ "acct": 0, "upn": "bob@fabrikam.example" }),
        );
        let (_, me) = call(&app, Method::GET, "/v1/me", Some(&newcomer), None).await;
        assert_eq!(me["address"], Value::Null, "{engine}: {me}");
        assert_eq!(
            unwrap(&app, &newcomer, &bob_only).await,
            Err("not_found".into()),
            "{engine}: a renamed user"
        );

        // Bob as a guest of Contoso (his home email, preferred_username bob@fabrikam.example):
        // not Bob, and not a member of Contoso's "everyone".
        let (_, me) = call(&app, Method::GET, "/v1/me", Some(&guest), None).await;
        assert_eq!(me["member"], false, "{engine}: {me}");
        assert_eq!(me["username"], "bob@fabrikam.example");
        assert_eq!(
            unwrap(&app, &guest, &bob_only).await,
            Err("not_found".into())
        );
        assert_eq!(
            unwrap(&app, &guest, &id).await,
            Err("not_found".into()),
            "{engine}: a guest is not everyone in the organisation"
        );
        let (status, v) = call(&app, Method::GET, "/v1/dictionary", Some(&guest), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine}: {v}");
        assert_eq!(v["error"]["code"], "members_only");
        // A member of Contoso is.
        let carol = provider.token("carol@a").await;
        assert!(unwrap(&app, &carol, &id).await.is_ok(), "{engine}");

        // A verified email of a member is an address: Fabrikam's Dana, known by email only.
        let dana = forge(
            &b,
            "88888888-8888-4888-8888-888888888888",
            json!({ "acct": 0, "email": "Dana@Fabrikam.example", "xms_edov": true }),
        );
        let for_dana = create(&app, &alice, json!(["dana@fabrikam.example"])).await;
        assert!(unwrap(&app, &dana, &for_dana).await.is_ok(), "{engine}");
    }
}
