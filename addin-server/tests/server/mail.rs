//! Outgoing mail against a real SMTP server (`tests/support/smtp-server.mjs`) with a
//! certificate of a throwaway authority: STARTTLS and implicit TLS with AUTH, the authority
//! trusted through `ADDIN_SMTP_CA_FILE`, a relay without STARTTLS refused before anything is
//! sent, a wrong password reported without the password, the settings' checks (passcodes
//! without mail, clear text to another host), and `addin-server mail test`.

use crate::support;

use std::process::Command;

use addin_server::config::Config;
use addin_server::mail::{templates, Mailer};
use support::{SmtpMode, SmtpServer, SMTP_PASSWORD, SMTP_USER};

fn config(vars: &[(&str, &str)]) -> Result<Config, addin_server::config::ConfigError> {
    Config::from_vars(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
}

fn mailer(url: &str, server: &SmtpServer) -> Mailer {
    let ca = server.ca_file.to_string_lossy().into_owned();
    let config = config(&[
        ("ADDIN_SMTP_URL", url),
        ("ADDIN_MAIL_FROM", "Textguard <noreply@contoso.example>"),
        ("ADDIN_SMTP_CA_FILE", &ca),
        ("ADDIN_PASSCODES", "true"),
    ])
    .unwrap();
    assert!(config.passcodes);
    Mailer::new(config.mail.as_ref().unwrap()).unwrap()
}

#[tokio::test]
async fn passcode_mail_goes_out_over_starttls_and_implicit_tls_with_auth() {
    for (mode, scheme) in [(SmtpMode::StartTls, "smtp"), (SmtpMode::Implicit, "smtps")] {
        let server = SmtpServer::start(mode);
        let mailer = mailer(&server.url(scheme), &server);
        let mail = templates::passcode(
            templates::Language::Fr,
            "dave@example.net",
            "48213957",
            "K7QX",
            15,
            "alice@contoso.example",
        );
        mailer.send(mail).await.unwrap();
        let received = server.messages();
        assert_eq!(received.len(), 1, "{mode:?}");
        let m = &received[0];
        assert_eq!(m["secure"], true, "{mode:?}: {m}");
        assert_eq!(m["from"], "noreply@contoso.example");
        assert_eq!(m["to"][0], "dave@example.net");
        assert_eq!(
            m["subject"],
            "Votre code pour lire le texte protégé de alice@contoso.example"
        );
        assert!(!m["subject"].as_str().unwrap().contains("48213957"));
        assert!(m["text"].as_str().unwrap().contains("48213957"), "{m}");
        assert!(
            m["text"].as_str().unwrap().contains("référence K7QX"),
            "{m}"
        );
        assert!(m["html"].as_str().unwrap().contains(">48213957</p>"), "{m}");
    }
}

#[tokio::test]
async fn a_relay_without_tls_or_with_another_password_gets_nothing() {
    // smtp:// means STARTTLS required: a relay that does not offer it gets no credentials and
    // no message (a downgrade by someone on the path looks the same).
    let plain = SmtpServer::start(SmtpMode::Plain);
    let to_plain = mailer(&plain.url("smtp"), &plain);
    let err = to_plain
        .send(templates::test_message(
            templates::Language::En,
            "dave@example.net",
            "x",
        ))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("STARTTLS is not supported"), "{err}");
    assert!(plain.messages().is_empty());

    let server = SmtpServer::start(SmtpMode::StartTls);
    let wrong = server
        .url("smtp")
        .replace(SMTP_PASSWORD, "not-the-password");
    let err = mailer(&wrong, &server)
        .send(templates::test_message(
            templates::Language::En,
            "dave@example.net",
            "x",
        ))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("smtp://{SMTP_USER}@localhost")),
        "{err}"
    );
    assert!(!err.contains("not-the-password"), "{err}");
    assert!(server.messages().is_empty());

    // Without the authority in ADDIN_SMTP_CA_FILE the relay's certificate is not trusted.
    let untrusted = Mailer::new(
        config(&[
            ("ADDIN_SMTP_URL", &server.url("smtp")),
            ("ADDIN_MAIL_FROM", "noreply@contoso.example"),
        ])
        .unwrap()
        .mail
        .as_ref()
        .unwrap(),
    )
    .unwrap();
    let err = untrusted
        .send(templates::test_message(
            templates::Language::En,
            "dave@example.net",
            "x",
        ))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid peer certificate"), "{err}");
    assert!(server.messages().is_empty());
}

#[test]
fn mail_settings_are_checked_and_the_password_never_shown() {
    let err = config(&[("ADDIN_PASSCODES", "true")]).unwrap_err();
    assert_eq!(err.setting, "ADDIN_PASSCODES");
    assert!(err.fix.contains("ADDIN_SMTP_URL"), "{err:?}");

    let err = config(&[
        (
            "ADDIN_SMTP_URL",
            "smtp://u:hunter2@relay.contoso.example?tls=none",
        ),
        ("ADDIN_MAIL_FROM", "noreply@contoso.example"),
    ])
    .unwrap_err();
    assert_eq!(err.setting, "ADDIN_SMTP_URL");
    assert!(
        err.problem.contains("only for a relay on this machine"),
        "{err:?}"
    );
    assert!(!format!("{err:?}{err}").contains("hunter2"), "{err:?}");

    let err = config(&[("ADDIN_SMTP_URL", "smtps://u:hunter2@relay.contoso.example")]).unwrap_err();
    assert_eq!(err.setting, "ADDIN_MAIL_FROM");
    let err = config(&[
        ("ADDIN_SMTP_URL", "smtps://u:hunter2@relay.contoso.example"),
        ("ADDIN_MAIL_FROM", "not an address"),
    ])
    .unwrap_err();
    assert_eq!(err.setting, "ADDIN_MAIL_FROM");
    let ok = config(&[
        ("ADDIN_SMTP_URL", "smtps://u:hunter2@relay.contoso.example"),
        ("ADDIN_MAIL_FROM", "noreply@contoso.example"),
    ])
    .unwrap();
    assert!(!ok.passcodes, "passcodes stay off unless turned on");
    assert!(!format!("{ok:?}").contains("hunter2"));
}

#[test]
fn mail_test_sends_one_message_from_the_command_line() {
    let server = SmtpServer::start(SmtpMode::StartTls);
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_addin-server"))
        .args(["mail", "test", "erin@example.org", "--lang", "fr"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ADDIN_DATA_DIR", dir.path())
        .env("ADDIN_SMTP_URL", server.url("smtp"))
        .env("ADDIN_MAIL_FROM", "Textguard <noreply@contoso.example>")
        .env("ADDIN_SMTP_CA_FILE", &server.ca_file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("Sent a test message to erin@example.org"),
        "{stdout}"
    );
    assert!(!stdout.contains(SMTP_PASSWORD));
    let received = server.messages();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0]["subject"],
        "Textguard : l'envoi de messages fonctionne"
    );
}
