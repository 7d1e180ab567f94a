//! The messages the server sends, in English and French, each as plain text and HTML from one
//! set of words. A subject never carries a secret (mail clients show it in notifications and
//! lists); the passcode is only in the body.

/// A message ready to send.
#[derive(Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The recipient's address.
    pub to: String,
    /// The subject: no secret.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

impl std::fmt::Debug for Outgoing {
    /// The recipient and subject only: a body may hold a passcode.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// The languages of the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// English.
    En,
    /// French.
    Fr,
}

impl Language {
    /// The language of a BCP 47 tag (`fr`, `fr-CA`...), English otherwise.
    pub fn from_tag(tag: &str) -> Language {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("fr") {
            Language::Fr
        } else {
            Language::En
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
        }
    }
}

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A message of paragraphs, with at most one `code` shown large between them.
struct Body<'a> {
    language: Language,
    subject: String,
    before: Vec<String>,
    code: Option<&'a str>,
    after: Vec<String>,
}

impl Body<'_> {
    fn to(self, address: &str) -> Outgoing {
        let mut text = String::new();
        let mut html = format!(
            "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body style=\"font-family:'Segoe UI',system-ui,sans-serif;font-size:15px;color:#242424\">",
            self.language.tag(),
            escape(&self.subject)
        );
        for p in &self.before {
            text.push_str(p);
            text.push_str("\n\n");
            html.push_str(&format!("<p>{}</p>", escape(p)));
        }
        if let Some(code) = self.code {
            text.push_str(&format!("    {code}\n\n"));
            html.push_str(&format!(
                "<p style=\"font-size:28px;font-weight:600;letter-spacing:4px;font-family:Consolas,monospace\">{}</p>",
                escape(code)
            ));
        }
        for p in &self.after {
            text.push_str(p);
            text.push_str("\n\n");
            html.push_str(&format!("<p style=\"color:#616161\">{}</p>", escape(p)));
        }
        html.push_str("</body></html>\n");
        Outgoing {
            to: address.to_owned(),
            subject: self.subject,
            text: text.trim_end().to_owned() + "\n",
            html,
        }
    }
}

/// The one-time passcode for `address`, valid `minutes`, for the reader page that shows
/// `reference`; `owner` is who protected the text.
pub fn passcode(
    language: Language,
    address: &str,
    code: &str,
    reference: &str,
    minutes: u32,
    owner: &str,
) -> Outgoing {
    let body = match language {
        Language::En => Body {
            language,
            subject: format!("Your passcode to read protected text from {owner}"),
            before: vec![
                format!("{owner} sent you protected text. To read it, enter this passcode on the page that asked for it (reference {reference}):"),
            ],
            code: Some(code),
            after: vec![
                format!("The passcode works once, for {minutes} minutes, and only on that page."),
                "If you did not ask for it, ignore this message: nobody can read the text without the passcode.".to_owned(),
            ],
        },
        Language::Fr => Body {
            language,
            subject: format!("Votre code pour lire le texte protégé de {owner}"),
            before: vec![
                format!("{owner} vous a envoyé un texte protégé. Pour le lire, saisissez ce code sur la page qui l'a demandé (référence {reference}) :"),
            ],
            code: Some(code),
            after: vec![
                format!("Le code ne sert qu'une fois, pendant {minutes} minutes, et seulement sur cette page."),
                "Si vous ne l'avez pas demandé, ignorez ce message : personne ne peut lire le texte sans le code.".to_owned(),
            ],
        },
    };
    body.to(address)
}

/// A protected reply from the outside reader `from` to `address`: a notice, the link to the
/// reader page when there is one, and the envelope, which the add-in's *Open protected* finds.
pub fn protected_reply(
    language: Language,
    address: &str,
    from: &str,
    envelope: &str,
    link: Option<&str>,
) -> Outgoing {
    let (subject, notice, read) = match language {
        Language::En => (
            format!("Protected reply from {from}"),
            format!("{from} replied to your protected message. The reply is protected by Textguard: open it with the Textguard add-in (Open protected) to read it."),
            "Or read it in your browser.",
        ),
        Language::Fr => (
            format!("Réponse protégée de {from}"),
            format!("{from} a répondu à votre message protégé. La réponse est protégée par Textguard : ouvrez-la avec le complément Textguard (Ouvrir le message protégé) pour la lire."),
            "Ou lisez-la dans votre navigateur.",
        ),
    };
    let mut text = format!("{notice}\n\n");
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body><p>{}</p>",
        language.tag(),
        escape(&subject),
        escape(&notice)
    );
    if let Some(link) = link {
        text.push_str(&format!("{read} {link}\n\n"));
        html.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p>",
            escape(link),
            escape(read)
        ));
    }
    text.push_str(envelope);
    text.push('\n');
    html.push_str(&format!(
        "<pre data-textguard=\"1\">{}</pre></body></html>\n",
        escape(envelope)
    ));
    Outgoing {
        to: address.to_owned(),
        subject,
        text,
        html,
    }
}

/// A message to check the mail settings (`addin-server mail test`).
pub fn test_message(language: Language, address: &str, relay: &str) -> Outgoing {
    let body = match language {
        Language::En => Body {
            language,
            subject: "Textguard: the mail settings work".to_owned(),
            before: vec![format!("This message came through {relay}. Passcodes and protected replies will be sent the same way.")],
            code: None,
            after: vec![],
        },
        Language::Fr => Body {
            language,
            subject: "Textguard : l'envoi de messages fonctionne".to_owned(),
            before: vec![format!("Ce message est passé par {relay}. Les codes et les réponses protégées partiront de la même façon.")],
            code: None,
            after: vec![],
        },
    };
    body.to(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_passcode_is_in_the_body_only_and_html_is_escaped() {
        for language in [Language::En, Language::Fr] {
            let mail = passcode(
                language,
                "dave@example.net",
                "12345678",
                "K7QX",
                15,
                "Alice <script>",
            );
            assert!(!mail.subject.contains("12345678"));
            assert!(mail.text.contains("    12345678\n"));
            assert!(mail.text.contains("K7QX"));
            assert!(mail.html.contains(">12345678</p>"));
            assert!(!mail.html.contains("<script>"), "{}", mail.html);
            assert!(mail.html.contains("Alice &lt;script&gt;"));
            assert!(!format!("{mail:?}").contains("12345678"));
        }
        assert!(passcode(Language::Fr, "d@example.net", "1", "R", 5, "A")
            .text
            .contains("5 minutes"));
        assert_eq!(Language::from_tag("fr-CA"), Language::Fr);
        assert_eq!(Language::from_tag("de"), Language::En);
    }
}
