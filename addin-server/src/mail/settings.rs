//! The outgoing mail settings, parsed and checked once: `ADDIN_SMTP_URL`, `ADDIN_MAIL_FROM` and
//! `ADDIN_SMTP_CA_FILE`. The relay's password is kept out of every `Debug` and log line.

use std::fmt;

use zeroize::Zeroizing;

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// `smtps://`: TLS from the first byte (port 465 by default).
    Wrapper,
    /// `smtp://`: STARTTLS, required; nothing is sent if the relay does not offer it (port 587
    /// by default).
    StartTls,
    /// `smtp://...?tls=none`: no TLS, for a relay on this machine only (loopback).
    None,
}

/// A parsed `ADDIN_SMTP_URL`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    /// The relay's host name or IP address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The protection.
    pub tls: SmtpTls,
    /// The user name and password to sign in with, if any.
    pub credentials: Option<(String, Zeroizing<String>)>,
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpUrl")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish_non_exhaustive()
    }
}

impl fmt::Display for SmtpUrl {
    /// The relay as logs show it: scheme, user and host, never the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.tls {
            SmtpTls::Wrapper => "smtps",
            SmtpTls::StartTls | SmtpTls::None => "smtp",
        };
        let user = self
            .credentials
            .as_ref()
            .map(|(u, _)| format!("{u}@"))
            .unwrap_or_default();
        write!(f, "{scheme}://{user}{}:{}", self.host, self.port)?;
        if self.tls == SmtpTls::None {
            write!(f, "?tls=none")?;
        }
        Ok(())
    }
}

impl SmtpUrl {
    /// Parses `smtps://[user:password@]host[:port]` or `smtp://[user:password@]host[:port]`
    /// (STARTTLS), with `?tls=none` allowed for a loopback relay only; the error says what to
    /// change.
    pub fn parse(value: &str) -> Result<SmtpUrl, String> {
        let url = url::Url::parse(value)
            .map_err(|e| format!("not a URL ({e}); use smtps://user:password@host:465 or smtp://user:password@host:587"))?;
        let (mut tls, default_port) = match url.scheme() {
            "smtps" => (SmtpTls::Wrapper, 465),
            "smtp" => (SmtpTls::StartTls, 587),
            other => {
                return Err(format!(
                    "the scheme {other}: is not smtps: (TLS) or smtp: (STARTTLS)"
                ))
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("the URL names no relay host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        for (key, val) in url.query_pairs() {
            match (key.as_ref(), val.as_ref()) {
                ("tls", "none") if tls == SmtpTls::StartTls => tls = SmtpTls::None,
                ("tls", "required") => {}
                _ => {
                    return Err(format!(
                        "the query {key}={val} is not understood; the only one is tls=none, for a relay on this machine"
                    ))
                }
            }
        }
        if tls == SmtpTls::None && !is_loopback(&host) {
            return Err(format!(
                "tls=none sends mail (passcodes included) in clear text; it is allowed only for a relay on this machine, not {host}"
            ));
        }
        let credentials = match url.username() {
            "" => None,
            user => {
                let decode = |s: &str| {
                    percent_decode(s)
                        .ok_or("the user name or password is not valid percent-encoding")
                };
                let password = Zeroizing::new(decode(url.password().unwrap_or(""))?);
                Some((decode(user)?, password))
            }
        };
        Ok(SmtpUrl {
            host,
            port: url.port().unwrap_or(default_port),
            tls,
            credentials,
        })
    }
}

/// Whether `host` is this machine.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `%XX` decoded, as UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Everything the server needs to send mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// The relay (`ADDIN_SMTP_URL`).
    pub smtp: SmtpUrl,
    /// The sender, `Name <address>` or an address (`ADDIN_MAIL_FROM`).
    pub from: String,
    /// Extra roots to trust for the relay's certificate, PEM (`ADDIN_SMTP_CA_FILE`), for a
    /// relay with a certificate of the organisation's own authority.
    pub ca_pem: Option<Vec<u8>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_and_the_password_never_shown() {
        let url = SmtpUrl::parse("smtps://mailer%40contoso.example:s3cr%3At@smtp.contoso.example")
            .unwrap();
        assert_eq!(url.tls, SmtpTls::Wrapper);
        assert_eq!(url.port, 465);
        let (user, password) = url.credentials.clone().unwrap();
        assert_eq!(user, "mailer@contoso.example");
        assert_eq!(password.as_str(), "s3cr:t");
        for shown in [format!("{url:?}"), url.to_string()] {
            assert!(!shown.contains("s3cr"), "{shown}");
        }
        assert_eq!(
            url.to_string(),
            "smtps://mailer@contoso.example@smtp.contoso.example:465"
        );

        let url = SmtpUrl::parse("smtp://relay.contoso.example").unwrap();
        assert_eq!(
            (url.tls, url.port, url.credentials.is_none()),
            (SmtpTls::StartTls, 587, true)
        );
        let url = SmtpUrl::parse("smtp://127.0.0.1:2525?tls=none").unwrap();
        assert_eq!(url.tls, SmtpTls::None);
    }

    #[test]
    fn unsafe_or_wrong_urls_are_refused_with_why() {
        for (value, why) in [
            (
                "smtp://relay.contoso.example?tls=none",
                "only for a relay on this machine",
            ),
            ("http://relay.contoso.example", "is not smtps"),
            ("smtps://relay.contoso.example?tls=none", "not understood"),
            ("relay.contoso.example", "not a URL"),
            ("smtp://relay.contoso.example?debug=1", "not understood"),
        ] {
            let err = SmtpUrl::parse(value).unwrap_err();
            assert!(err.contains(why), "{value}: {err}");
        }
    }
}
