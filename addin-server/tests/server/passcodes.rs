//! One-time passcodes for readers outside the organisations, against the real server router,
//! a real SMTP server and a real OpenID provider's tokens, on SQLite and on PostgreSQL: Alice
//! protects text for Dave (outside) and Bob (another organisation); Dave asks for a code, reads
//! it from the mail, opens his key and only his; Eve and Bob get the same answer and no mail;
//! wrong, reused and expired codes are refused; five wrong codes lock the address; the policy
//! turned off stops codes and releases; every step is in the audit log.

use crate::support;

use std::time::Duration;

use addin_server::mail::{MailSettings, Mailer, SmtpUrl};
use addin_server::passcodes::{PasscodeError, PasscodeKey, Passcodes};
use addin_server::store::Store;
use addin_wasm::protocol::passcodes::{PasscodeEntry, PasscodeRequest};
use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use support::{ask, Provider, SmtpMode, SmtpServer, TestDb};

/// The code of the mail to `to` that names `reference`, waiting for it (mails go out after the
/// answer, so one of an earlier request may still arrive).
async fn code_for(server: &SmtpServer, reference: &str, to: &str) -> (String, Value) {
    for _ in 0..100 {
        let mails = server.messages();
        if let Some(m) = mails
            .iter()
            .find(|m| m["to"][0] == to && m["text"].as_str().unwrap_or("").contains(reference))
        {
            let text = m["text"].as_str().unwrap();
            let code: String = text
                .split_whitespace()
                .find(|w| w.len() == 8 && w.bytes().all(|b| b.is_ascii_digit()))
                .unwrap_or_else(|| panic!("no code in {text}"))
                .to_owned();
            return (code, m.clone());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no mail to {to}");
}

async fn post(app: &Router, path: &str, body: Value) -> (StatusCode, Value, Option<String>) {
    let answer = ask(Method::POST, path).json(&body).send(app).await;
    (answer.status, answer.json(), answer.header("retry-after"))
}

async fn create_key(app: &Router, token: &str, recipients: &[&str]) -> String {
    let answer = ask(Method::POST, "/v1/keys")
        .token(token)
        .json(&json!({ "recipients": recipients }))
        .send(app)
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
    answer.json()["keyId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_outside_reader_opens_only_their_keys_with_a_mailed_code() {
    let provider = Provider::start("otp-1");
    for engine in support::engines() {
        // A relay per engine: the mails of one run cannot arrive during the next.
        let smtp = SmtpServer::start(SmtpMode::StartTls);
        let smtp_url = smtp.url("smtp");
        let ca = smtp.ca_file.to_string_lossy().into_owned();
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(engine, dir.path()).await;
        let tenants = format!("{},{}", provider.tenant_a, provider.tenant_b);
        let config = support::config_with(
            &provider,
            &tenants,
            &db,
            dir.path(),
            &[
                ("ADDIN_PASSCODES", "true"),
                ("ADDIN_SMTP_URL", &smtp_url),
                ("ADDIN_MAIL_FROM", "Textguard <noreply@contoso.example>"),
                ("ADDIN_SMTP_CA_FILE", &ca),
            ],
        );
        let app = support::app(&config, dir.path()).await;
        let alice = provider.token("alice@a").await;
        let admin = provider.token("admin@a").await;
        let bob = provider.token("bob@b").await;
        // Bob signs in once: the server learns that fabrikam.example is his organisation's.
        assert_eq!(
            ask(Method::GET, "/v1/me")
                .token(&bob)
                .send(&app)
                .await
                .status,
            StatusCode::OK
        );

        // Before encrypting, Alice is told how each recipient would read.
        let readers = ask(Method::POST, "/v1/recipients/check")
            .token(&alice)
            .json(
                &json!({ "recipients": ["bob@fabrikam.example", "Dave@Example.net", "*", "dave"] }),
            )
            .send(&app)
            .await;
        assert_eq!(readers.status, StatusCode::OK, "{}", readers.json());
        assert_eq!(
            readers.json()["recipients"],
            json!([
                { "address": "bob@fabrikam.example", "readsWith": "signIn" },
                { "address": "dave@example.net", "readsWith": "passcode" },
                { "address": "*", "readsWith": "signIn" },
                { "address": "dave", "readsWith": "nothing", "why": "not_an_address",
                  "reason": "this is not an address (no @)" },
            ])
        );

        let for_dave =
            create_key(&app, &alice, &["Dave@Example.net", "bob@fabrikam.example"]).await;
        let not_dave = create_key(&app, &alice, &["carol@contoso.example"]).await;
        let seen = smtp.messages().len();

        // Dave asks: a challenge, and a mail with the code and the same reference.
        let (status, challenge, _) = post(
            &app,
            "/v1/passcodes",
            json!({ "address": "dave@example.net", "keyIds": [for_dave], "lang": "fr" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {challenge}");
        assert_eq!(challenge["expiresInSeconds"], 900);
        let reference = challenge["reference"].as_str().unwrap();
        assert_eq!(reference.len(), 4);
        let (code, mail) = code_for(&smtp, reference, "dave@example.net").await;
        assert!(mail["subject"]
            .as_str()
            .unwrap()
            .contains("alice@contoso.example"));

        // Eve (named nowhere) and Bob (an organisation's member: he signs in) get the same
        // answer, and no mail.
        let mut answers = Vec::new();
        for address in ["eve@example.org", "bob@fabrikam.example"] {
            let (status, other, _) = post(
                &app,
                "/v1/passcodes",
                json!({ "address": address, "keyIds": [for_dave] }),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{other}");
            let mut keys: Vec<&String> = other.as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(keys, ["challenge", "expiresInSeconds", "reference"]);
            assert_eq!(other["expiresInSeconds"], challenge["expiresInSeconds"]);
            answers.push(other);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let to: Vec<Value> = smtp.messages()[seen..]
            .iter()
            .map(|m| m["to"][0].clone())
            .collect();
        assert_eq!(to, [json!("dave@example.net")], "only Dave got a mail");
        // A correct-looking code on Eve's challenge opens nothing.
        let (status, body, _) = post(
            &app,
            "/v1/passcodes/verify",
            json!({ "challenge": answers[0]["challenge"], "code": code }),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"]["code"], "wrong_passcode");

        // A wrong code for Dave: how many tries are left. Then the right one, once.
        let (status, body, _) = post(
            &app,
            "/v1/passcodes/verify",
            json!({ "challenge": challenge["challenge"], "code": "0000 0000" }),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("4 tries left"),
            "{body}"
        );
        let (status, session, _) = post(
            &app,
            "/v1/passcodes/verify",
            json!({ "challenge": challenge["challenge"], "code": code }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{session}");
        assert_eq!(session["address"], "dave@example.net");
        assert_eq!(session["expiresInSeconds"], 3600);
        let (status, body, _) = post(
            &app,
            "/v1/passcodes/verify",
            json!({ "challenge": challenge["challenge"], "code": code }),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["code"], "passcode_expired");

        // The session opens Dave's key and not the other; it is no user token.
        let token = session["token"].as_str().unwrap();
        let answer = ask(Method::POST, "/v1/passcodes/unwrap")
            .token(token)
            .json(&json!({ "keyIds": [for_dave, not_dave] }))
            .send(&app)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
        let results = answer.json()["results"].clone();
        assert!(results[0]["key"].is_string(), "{results}");
        assert_eq!(results[0]["owner"]["username"], "alice@contoso.example");
        assert_eq!(results[1]["error"]["code"], "not_found");
        let answer = ask(Method::POST, "/v1/keys/unwrap")
            .token(token)
            .json(&json!({ "keyIds": [for_dave] }))
            .send(&app)
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        let answer = ask(Method::POST, "/v1/passcodes/unwrap")
            .token("not-a-session")
            .json(&json!({ "keyIds": [for_dave] }))
            .send(&app)
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.json()["error"]["code"], "session_expired");

        // Dave replies, protected, to Alice and Bob; not to a message he may not read.
        let answer = ask(Method::POST, "/v1/passcodes/reply-key")
            .token(token)
            .json(&json!({ "replyTo": not_dave }))
            .send(&app)
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.json());
        assert_eq!(answer.json()["error"]["code"], "replies_off");
        let answer = ask(Method::POST, "/v1/passcodes/reply-key")
            .token(token)
            .json(&json!({ "replyTo": for_dave }))
            .send(&app)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.json());
        let created = answer.json();
        assert_eq!(
            created["policy"]["recipients"],
            json!(["alice@contoso.example", "bob@fabrikam.example"])
        );
        assert_eq!(
            created["policy"]["owner"]["username"],
            "otp:dave@example.net"
        );
        let reply_id = created["keyId"].as_str().unwrap().to_owned();
        let key = addin_wasm::envelope::Key::from_bytes(
            &base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                created["key"].as_str().unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        let envelope = addin_wasm::envelope::encrypt_range(
            &key,
            &addin_wasm::envelope::Range {
                key_id: &reply_id,
                doc_id: "mail:reply",
                range_id: "body",
                content: "<p>Thanks, signed.</p>",
                format: addin_wasm::envelope::Format::Html,
            },
        )
        .unwrap();
        let answer = ask(Method::POST, "/v1/passcodes/reply")
            .token(token)
            .json(&json!({ "keyId": reply_id, "envelope": envelope }))
            .send(&app)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
        assert_eq!(
            answer.json()["to"],
            json!(["alice@contoso.example", "bob@fabrikam.example"])
        );
        let mails = smtp.messages();
        let to_alice = mails
            .iter()
            .find(|m| m["to"][0] == "alice@contoso.example")
            .expect("a reply to alice");
        assert_eq!(to_alice["subject"], "Protected reply from dave@example.net");
        assert!(to_alice["text"].as_str().unwrap().contains(&envelope));
        assert!(
            to_alice["html"].as_str().unwrap().contains("/read#m=eyJ"),
            "{to_alice}"
        );
        // Alice's own key opens it; Carol's does not.
        let answer = ask(Method::POST, "/v1/keys/unwrap")
            .token(&alice)
            .json(&json!({ "keyIds": [reply_id] }))
            .send(&app)
            .await;
        assert!(
            answer.json()["results"][0]["key"].is_string(),
            "{}",
            answer.json()
        );
        // A reply under another key, or a key of someone else, is refused.
        let answer = ask(Method::POST, "/v1/passcodes/reply")
            .token(token)
            .json(&json!({ "keyId": for_dave, "envelope": envelope }))
            .send(&app)
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.json());

        // Five wrong codes lock the address, said plainly; asking again is refused too.
        let (_, again, _) = post(
            &app,
            "/v1/passcodes",
            json!({ "address": "dave@example.net", "keyIds": [for_dave] }),
        )
        .await;
        for i in 1..=5 {
            let (status, body, retry) = post(
                &app,
                "/v1/passcodes/verify",
                json!({ "challenge": again["challenge"], "code": "12121212" }),
            )
            .await;
            if i < 5 {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{i}: {body}");
            } else {
                assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
                assert_eq!(body["error"]["code"], "passcode_locked");
                assert!(body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("try again in 15 minutes"));
                assert_eq!(retry.as_deref(), Some("900"));
            }
        }
        let (status, body, _) = post(
            &app,
            "/v1/passcodes",
            json!({ "address": "dave@example.net", "keyIds": [for_dave] }),
        )
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");

        // Alice's organisation turns passcodes off: Dave's session opens nothing more, and
        // Frank, named too, gets no mail.
        let policy = ask(Method::GET, "/v1/admin/policy")
            .token(&admin)
            .send(&app)
            .await;
        let etag = policy.header("etag").unwrap();
        let answer = ask(Method::PUT, "/v1/admin/policy")
            .token(&admin)
            .header("if-match", &etag)
            .json(&json!({ "passcodes": { "enabled": false } }))
            .send(&app)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
        let answer = ask(Method::POST, "/v1/passcodes/unwrap")
            .token(token)
            .json(&json!({ "keyIds": [for_dave] }))
            .send(&app)
            .await;
        assert_eq!(answer.json()["results"][0]["error"]["code"], "not_found");
        let readers = ask(Method::POST, "/v1/recipients/check")
            .token(&alice)
            .json(&json!({ "recipients": ["dave@example.net"] }))
            .send(&app)
            .await
            .json();
        assert_eq!(readers["recipients"][0]["why"], "policy_off", "{readers}");

        // The audit log, as Alice's admin reads it.
        let audit = ask(Method::GET, "/v1/admin/audit?limit=200")
            .token(&admin)
            .send(&app)
            .await
            .json();
        let items = audit["items"].as_array().unwrap();
        let of = |action: &str| -> Vec<&Value> {
            items.iter().filter(|r| r["action"] == action).collect()
        };
        let sent = of("passcodeSent");
        assert!(!sent.is_empty(), "{audit}");
        assert_eq!(
            sent.last().unwrap()["actor"]["username"],
            "otp:dave@example.net"
        );
        let refused = of("passcodeRefused");
        let reasons: Vec<&str> = refused
            .iter()
            .map(|r| r["reason"].as_str().unwrap())
            .collect();
        assert!(
            reasons.iter().any(|r| r.contains("names this address")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.contains("sign in with Microsoft")),
            "{reasons:?}"
        );
        let released: Vec<&Value> = of("release")
            .into_iter()
            .filter(|r| r["actor"]["username"] == "otp:dave@example.net")
            .collect();
        assert_eq!(released.len(), 1, "{audit}");
        let denied: Vec<&Value> = of("deny")
            .into_iter()
            .filter(|r| r["actor"]["username"] == "otp:dave@example.net")
            .collect();
        assert!(
            denied
                .iter()
                .any(|r| r["reason"]
                    == "the owner's policy does not allow passcodes for this address"),
            "{denied:?}"
        );
        // Eve's try and Dave's one plus five wrong codes; one lock; one session.
        assert_eq!(of("passcodeWrong").len(), 7, "{audit}");
        assert_eq!(of("passcodeLocked").len(), 1);
        assert_eq!(of("passcodeAccepted").len(), 1);
    }
}

#[tokio::test]
async fn codes_expire_and_the_database_holds_no_code() {
    let provider = Provider::start("otp-2");
    let smtp = SmtpServer::start(SmtpMode::StartTls);
    for engine in support::engines() {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(engine, dir.path()).await;
        let config = support::config(&provider, &provider.tenant_a, &db, dir.path());
        let app = support::app(&config, dir.path()).await;
        let alice = provider.token("alice@a").await;
        let key_id = create_key(&app, &alice, &["dave@example.net"]).await;
        // This server sends no passcodes: the sender is told Dave cannot read.
        let readers = ask(Method::POST, "/v1/recipients/check")
            .token(&alice)
            .json(&json!({ "recipients": ["dave@example.net"] }))
            .send(&app)
            .await
            .json();
        assert_eq!(
            readers["recipients"][0]["readsWith"], "nothing",
            "{readers}"
        );
        assert_eq!(readers["recipients"][0]["why"], "passcodes_off");
        let answer = ask(Method::POST, "/v1/passcodes")
            .json(&json!({ "address": "dave@example.net", "keyIds": [key_id] }))
            .send(&app)
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert_eq!(answer.json()["error"]["code"], "passcodes_off");

        let store = Store::open(&config.database).await.unwrap();
        addin_server::broker::MasterKeys::open(&config, &store)
            .await
            .unwrap();
        let mailer = Mailer::new(&MailSettings {
            smtp: SmtpUrl::parse(&smtp.url("smtp")).unwrap(),
            from: "noreply@contoso.example".into(),
            ca_pem: Some(std::fs::read(&smtp.ca_file).unwrap()),
        })
        .unwrap();
        let passcodes = Passcodes::new(
            store.clone(),
            mailer,
            PasscodeKey::derive(&[9; 32]).unwrap(),
            "https://tg.example",
        );
        let now = 1_800_000_000_000;
        let challenge = passcodes
            .request(
                PasscodeRequest {
                    address: "dave@example.net".into(),
                    key_ids: vec![key_id.clone()],
                    lang: None,
                },
                now,
            )
            .await
            .unwrap();
        let (code, _) = code_for(&smtp, &challenge.reference, "dave@example.net").await;
        let entry = PasscodeEntry {
            challenge: challenge.challenge.clone(),
            code: code.clone(),
        };
        let err = passcodes
            .verify(entry.clone(), now + 15 * 60_000)
            .await
            .unwrap_err();
        assert!(matches!(err, PasscodeError::Expired), "{engine}: {err}");
        // Within its lifetime it works; a session lasts an hour.
        let session = passcodes.verify(entry, now + 60_000).await.unwrap();
        assert!(passcodes
            .session(&session.token, now + 61 * 60_000 - 1)
            .await
            .is_ok());
        assert!(matches!(
            passcodes.session(&session.token, now + 61 * 60_000).await,
            Err(PasscodeError::SessionExpired)
        ));

        // What the database holds: hashes and MACs, never the code, challenge or token.
        let dump = format!(
            "{:?}",
            sqlx::query_as::<_, (String, String, Vec<u8>)>(
                "SELECT challenge_hash, reference, code_mac FROM passcode_challenges"
            )
            .fetch_all(&db.raw().await)
            .await
            .unwrap()
        );
        assert!(
            !dump.contains(&code) && !dump.contains(&challenge.challenge),
            "{dump}"
        );
        let sessions: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM reader_sessions")
            .fetch_all(&db.raw().await)
            .await
            .unwrap();
        assert_eq!(sessions.len(), 1);
        assert_ne!(sessions[0], session.token);
        store.close().await;
    }
}
