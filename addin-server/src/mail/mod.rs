//! Outgoing mail: one-time passcodes and protected replies to people outside the
//! organisation, through the SMTP relay the configuration names (TLS or STARTTLS, checked
//! against the web's roots and any the administrator adds). The messages are built from
//! [`templates`], in English and French, plain text and HTML, with no secret in the subject.

pub mod settings;
pub mod templates;

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub use settings::{MailSettings, SmtpTls, SmtpUrl};
pub use templates::Outgoing;

/// How long one delivery to the relay may take before it is given up.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// Why mail could not be set up or sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailError {
    /// A setting is unusable; the message names it.
    #[error("{0}")]
    Settings(String),
    /// An address is not one.
    #[error("{address} is not an email address a message can be sent to")]
    Address {
        /// The address as given.
        address: String,
    },
    /// The relay refused or could not be reached.
    #[error("the mail relay {relay} did not take the message: {reason}")]
    Relay {
        /// The relay, without its password.
        relay: String,
        /// Why.
        reason: String,
    },
}

/// The server's mail transport.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    relay: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("relay", &self.relay)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// The transport for `settings`; nothing is connected until the first message.
    pub fn new(settings: &MailSettings) -> Result<Mailer, MailError> {
        let from: Mailbox = settings.from.parse().map_err(|e| {
            MailError::Settings(format!(
                "ADDIN_MAIL_FROM ({}) is not a sender such as \"Textguard <noreply@contoso.example>\": {e}",
                settings.from
            ))
        })?;
        let url = &settings.smtp;
        let tls = match url.tls {
            SmtpTls::None => Tls::None,
            mode => {
                let mut params = TlsParameters::builder(url.host.clone());
                if let Some(pem) = &settings.ca_pem {
                    params = params.add_root_certificate(pem_certificates(pem)?);
                }
                let params = params.build_rustls().map_err(|e| {
                    MailError::Settings(format!("cannot set up TLS for the mail relay: {e}"))
                })?;
                if mode == SmtpTls::Wrapper {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(url.host.clone())
            .port(url.port)
            .tls(tls)
            .timeout(Some(SEND_TIMEOUT));
        if let Some((user, password)) = &url.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.to_string()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
            relay: url.to_string(),
        })
    }

    /// The relay, as logs may show it.
    pub fn relay(&self) -> &str {
        &self.relay
    }

    /// Sends `mail`; returns once the relay has taken it.
    pub async fn send(&self, mail: Outgoing) -> Result<(), MailError> {
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::Address {
            address: mail.to.clone(),
        })?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(mail.text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(mail.html),
                    ),
            )
            .map_err(|e| MailError::Settings(format!("the message cannot be built: {e}")))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Relay {
                relay: self.relay.clone(),
                reason: e.to_string(),
            })
    }
}

/// The certificates of a PEM bundle (every one in it), as lettre takes them.
fn pem_certificates(pem: &[u8]) -> Result<Certificate, MailError> {
    if !String::from_utf8_lossy(pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(MailError::Settings(
            "ADDIN_SMTP_CA_FILE holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    Certificate::from_pem(pem).map_err(|e| {
        MailError::Settings(format!(
            "ADDIN_SMTP_CA_FILE holds a certificate that cannot be read: {e}"
        ))
    })
}
