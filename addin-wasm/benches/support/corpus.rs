//! The scanner benchmark's inputs, generated deterministically so that the native benchmark,
//! the WebAssembly benchmark and the JavaScript baseline all read the same bytes.
//!
//! - [`mail_text`]: realistic mail threads in English and French (greetings, sentences with
//!   accents, dates, amounts, phone numbers, order references, signatures, CRLF line breaks),
//!   with about one dictionary term per 10 KB and a few card numbers and IBANs, as a mailbox
//!   that mostly contains nothing sensitive does.
//! - [`dictionary`]: an organisation dictionary of `terms` entries (60 % phrases, 30 % words,
//!   10 % substrings, and five regexes) in four categories with every detector switched on.
//! - [`everyday_phrases`]: a dictionary of two-word phrases made of the words mails are written
//!   with (an English word then a French one, so that almost none occurs in the text): every
//!   word of a mail starts some phrase, the hard case for a scanner and for a RegExp alike.

#![allow(dead_code)]

/// xorshift64*: small, deterministic, good enough to vary text.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const EN: &[&str] = &[
    "the",
    "meeting",
    "project",
    "report",
    "team",
    "budget",
    "client",
    "quarter",
    "please",
    "review",
    "attached",
    "document",
    "before",
    "friday",
    "thanks",
    "update",
    "schedule",
    "contract",
    "invoice",
    "payment",
    "delivery",
    "next",
    "week",
    "we",
    "should",
    "discuss",
    "proposal",
    "with",
    "our",
    "partners",
    "and",
    "the",
    "board",
    "about",
    "figures",
    "sales",
    "marketing",
    "plan",
    "launch",
    "product",
    "customer",
    "feedback",
    "issue",
    "fixed",
    "release",
    "version",
    "office",
    "travel",
    "expenses",
    "approval",
    "manager",
    "deadline",
    "follow",
    "up",
    "on",
    "call",
    "yesterday",
    "tomorrow",
    "morning",
    "afternoon",
    "agenda",
    "minutes",
    "action",
    "items",
    "owner",
    "status",
    "green",
    "risk",
    "mitigation",
    "supplier",
    "order",
    "shipment",
    "warehouse",
    "stock",
    "forecast",
    "revenue",
    "margin",
    "cost",
    "savings",
    "hiring",
    "candidate",
    "interview",
    "offer",
    "onboarding",
    "training",
    "workshop",
    "slides",
    "draft",
    "final",
    "comments",
    "changes",
    "approved",
    "signed",
    "legal",
    "compliance",
    "audit",
    "security",
    "policy",
    "access",
    "account",
    "password",
    "reset",
    "ticket",
    "support",
    "server",
    "network",
    "outage",
    "resolved",
    "is",
    "are",
    "was",
    "will",
    "be",
    "have",
    "has",
    "can",
    "could",
    "would",
    "let",
    "me",
    "know",
    "if",
    "you",
    "need",
    "anything",
    "else",
    "best",
    "regards",
    "kind",
    "for",
    "to",
    "in",
    "of",
];

const FR: &[&str] = &[
    "le",
    "la",
    "les",
    "réunion",
    "projet",
    "rapport",
    "équipe",
    "budget",
    "client",
    "trimestre",
    "merci",
    "de",
    "relire",
    "le",
    "document",
    "ci-joint",
    "avant",
    "vendredi",
    "mise",
    "à",
    "jour",
    "calendrier",
    "contrat",
    "facture",
    "paiement",
    "livraison",
    "semaine",
    "prochaine",
    "nous",
    "devrions",
    "discuter",
    "proposition",
    "avec",
    "nos",
    "partenaires",
    "et",
    "le",
    "conseil",
    "chiffres",
    "ventes",
    "marketing",
    "lancement",
    "produit",
    "retour",
    "problème",
    "corrigé",
    "version",
    "bureau",
    "déplacement",
    "frais",
    "validation",
    "responsable",
    "échéance",
    "suivi",
    "appel",
    "hier",
    "demain",
    "matin",
    "après-midi",
    "ordre",
    "du",
    "jour",
    "compte",
    "rendu",
    "actions",
    "statut",
    "risque",
    "fournisseur",
    "commande",
    "expédition",
    "entrepôt",
    "stock",
    "prévisions",
    "chiffre",
    "d'affaires",
    "marge",
    "coût",
    "économies",
    "recrutement",
    "candidat",
    "entretien",
    "formation",
    "atelier",
    "présentation",
    "brouillon",
    "version",
    "finale",
    "commentaires",
    "modifications",
    "approuvé",
    "signé",
    "juridique",
    "conformité",
    "sécurité",
    "politique",
    "accès",
    "mot",
    "passe",
    "réinitialisation",
    "serveur",
    "réseau",
    "panne",
    "résolue",
    "est",
    "sont",
    "était",
    "sera",
    "avons",
    "pouvez",
    "pourriez",
    "n'hésitez",
    "pas",
    "si",
    "vous",
    "avez",
    "besoin",
    "cordialement",
    "bien",
    "à",
    "vous",
    "pour",
    "dans",
    "sur",
    "élève",
    "garçon",
    "cœur",
    "façade",
    "où",
    "déjà",
    "très",
    "même",
    "août",
    "Noël",
];

const NAMES: &[&str] = &[
    "Marie",
    "Jean",
    "Sophie",
    "Pierre",
    "Chloé",
    "Élodie",
    "François",
    "John",
    "Sarah",
    "Michael",
    "Emma",
    "David",
    "Laura",
    "Thomas",
];

/// A syllable-built name that is not a word of either language, unique per `i`.
pub(crate) fn made_up_name(i: usize) -> String {
    const SYLLABLES: &[&str] = &[
        "zor", "vath", "kel", "mir", "dax", "quen", "bru", "tal", "vex", "nim", "rho", "sul",
        "gar", "pix", "wen", "lor", "fyn", "zat", "oru", "kix", "bel", "tor", "yam", "jul",
    ];
    let mut n = i;
    let mut name = String::new();
    loop {
        name.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
        if n == 0 {
            break;
        }
    }
    name.push_str(SYLLABLES[(i * 7 + 3) % SYLLABLES.len()]);
    name
}

/// The literal patterns of entry `i`, as [`dictionary`] writes them.
pub(crate) fn term(i: usize) -> (String, &'static str) {
    let name = made_up_name(i);
    match i % 10 {
        0..=5 => {
            let lead = [
                "projet",
                "project",
                "client",
                "dossier",
                "opération",
                "code",
            ][i % 6];
            (format!("{lead} {name}"), "phrase")
        }
        6..=8 => (name, "word"),
        _ => (format!("x-{name}"), "substring"),
    }
}

/// A dictionary of `terms` entries, five of them regexes, as JSON.
pub(crate) fn dictionary(terms: usize) -> String {
    let mut entries = Vec::with_capacity(terms);
    let categories = ["projects", "clients", "codes", "people"];
    for i in 0..terms.saturating_sub(5) {
        let (pattern, kind) = term(i);
        entries.push(format!(
            r#"{{"id":"t{i}","pattern":"{pattern}","kind":"{kind}","category":"{}"}}"#,
            categories[i % categories.len()]
        ));
    }
    for (i, regex) in [
        r"\bCTR-\d{6}\b",
        r"\bEMP\d{7}\b",
        r"\b[A-Z]{3}-\d{4}-[A-Z]{2}\b",
        r"\bpassword\s*[:=]\s*\S+",
        r"\bmot de passe\s*:\s*\S+",
    ]
    .iter()
    .enumerate()
    {
        let escaped = regex.replace('\\', "\\\\");
        entries.push(format!(
            r#"{{"id":"r{i}","pattern":"{escaped}","kind":"regex","category":"codes"}}"#
        ));
    }
    let category = |id: &str, detectors: &str| {
        format!(
            r#"{{"id":"{id}","label":{{"en":"{id}","fr":"{id}"}},"severity":"warn","detectors":[{detectors}]}}"#
        )
    };
    format!(
        r#"{{"version":1,"categories":[{},{},{},{}],"entries":[{}]}}"#,
        category("projects", r#""payment_card""#),
        category("clients", r#""iban""#),
        category("codes", r#""us_ssn","ca_sin""#),
        category("people", ""),
        entries.join(",")
    )
}

/// A dictionary of `terms` two-word phrases of everyday words, in one category with every
/// detector switched on, as JSON. Words of four letters or more that only one of the two
/// languages uses are paired English then French, so that one phrase only occurs in
/// [`mail_text`] ("about projet", where a term is planted).
pub(crate) fn everyday_phrases(terms: usize) -> String {
    let only = |words: &[&'static str], other: &[&str]| -> Vec<&'static str> {
        let mut kept: Vec<&'static str> = words
            .iter()
            .copied()
            .filter(|w| w.chars().count() >= 4 && !other.contains(w))
            .collect();
        kept.sort_unstable();
        kept.dedup();
        kept
    };
    let (en, fr) = (only(EN, FR), only(FR, EN));
    assert!(
        en.len() * fr.len() >= terms,
        "not enough words for {terms} phrases"
    );
    let entries: Vec<String> = (0..terms)
        .map(|i| {
            // Every pair once: the English word by i, the French one shifted by each round.
            let (round, e) = (i / en.len(), i % en.len());
            let f = (e + round) % fr.len();
            format!(
                r#"{{"id":"p{i}","pattern":"{} {}","kind":"phrase","category":"phrases"}}"#,
                en[e], fr[f]
            )
        })
        .collect();
    format!(
        r#"{{"version":1,"categories":[{{"id":"phrases","label":{{"en":"Phrases"}},"severity":"warn","detectors":["payment_card","iban","us_ssn","ca_sin"]}}],"entries":[{}]}}"#,
        entries.join(",")
    )
}

/// About `bytes` bytes of mail threads (it stops at the first sentence past the size).
pub(crate) fn mail_text(bytes: usize, terms: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(bytes + 1024);
    let mut next_term = 10_000;
    let mut next_number = 40_000;
    while out.len() < bytes {
        let french = rng.below(2) == 0;
        let words = if french { FR } else { EN };
        let name = rng.pick(NAMES);
        out.push_str(if french { "Bonjour " } else { "Hi " });
        out.push_str(name);
        out.push_str(",\r\n\r\n");
        for _ in 0..(3 + rng.below(5)) {
            for s in 0..(2 + rng.below(4)) {
                let n = 6 + rng.below(14);
                for w in 0..n {
                    let word = rng.pick(words);
                    if w == 0 {
                        let mut c = word.chars();
                        if let Some(first) = c.next() {
                            out.extend(first.to_uppercase());
                            out.push_str(c.as_str());
                        }
                    } else {
                        out.push(' ');
                        out.push_str(word);
                    }
                    match rng.below(40) {
                        0 => out.push_str(&format!(
                            " {}/{:02}/2026",
                            1 + rng.below(28),
                            1 + rng.below(12)
                        )),
                        1 => out.push_str(&format!(
                            " {} {:03},{:02} €",
                            1 + rng.below(99),
                            rng.below(1000),
                            rng.below(100)
                        )),
                        2 => out.push_str(&format!(
                            " +33 6 {:02} {:02} {:02} {:02}",
                            rng.below(100),
                            rng.below(100),
                            rng.below(100),
                            rng.below(100)
                        )),
                        3 => out.push_str(&format!(" CMD-{:06}", rng.below(1_000_000))),
                        4 => out.push(','),
                        _ => {}
                    }
                }
                out.push_str(if s % 3 == 2 { " !" } else { "." });
                out.push(' ');
                if out.len() >= next_term && terms > 0 {
                    next_term += 10_000;
                    let (t, _) = term(rng.below(terms));
                    out.push_str(if french { "Concernant " } else { "About " });
                    out.push_str(&t.to_uppercase());
                    out.push_str(". ");
                }
                if out.len() >= next_number {
                    next_number += 40_000;
                    out.push_str(match rng.below(3) {
                        0 => "Carte : 4970 1012 3456 7893. ",
                        1 => "IBAN FR76 3000 6000 0112 3456 7890 189. ",
                        _ => "SSN 536-22-1234. ",
                    });
                }
            }
            out.push_str("\r\n\r\n");
        }
        out.push_str(if french {
            "Cordialement,\r\n"
        } else {
            "Best regards,\r\n"
        });
        out.push_str(rng.pick(NAMES));
        out.push_str("\r\n-- \r\n\r\n");
    }
    out
}
