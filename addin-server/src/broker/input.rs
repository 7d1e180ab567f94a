//! Checking what clients send to the key broker: key ids, recipients, times, labels, limits.
//! Every refusal says what to change.

pub use addin_wasm::protocol::{DEFAULT_PAGE, MAX_PAGE, MAX_RECIPIENTS, MAX_UNWRAP};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::BrokerError;

/// The longest label or document id, in characters.
pub const MAX_TEXT: usize = 256;
/// The recipient entry that stands for everyone in the owner's organisation.
pub const WHOLE_TENANT: &str = "*";
/// Characters of a key id: 128 random bits in base64url.
pub const KEY_ID_LEN: usize = 22;

/// Whether `id` has the shape of a key id this server issues.
pub fn is_key_id(id: &str) -> bool {
    id.len() == KEY_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A key's recipients as given: named users and whether the whole tenant is included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients {
    /// User principal names or emails, lowercase, sorted, without duplicates.
    pub named: Vec<String>,
    /// Whether `*` (everyone in the owner's organisation) was given.
    pub whole_tenant: bool,
}

/// Checks and normalises a list of recipients from the field `field`.
pub fn recipients(field: &str, given: &[String]) -> Result<Recipients, BrokerError> {
    let mut out = Recipients::default();
    for (i, raw) in given.iter().enumerate() {
        let value = raw.trim();
        if value == WHOLE_TENANT {
            out.whole_tenant = true;
            continue;
        }
        let bad = |problem: &str| {
            BrokerError::Invalid(format!(
                "{field}[{i}] {problem}; give user principal names or email addresses such as alice@contoso.com, or \"*\" for everyone in your organisation"
            ))
        };
        match addin_wasm::protocol::recipient(value) {
            Ok(address) => out.named.push(address),
            Err(problem) => return Err(bad(&problem.to_string())),
        }
    }
    out.named.sort();
    out.named.dedup();
    if out.named.len() > MAX_RECIPIENTS {
        return Err(BrokerError::Invalid(format!(
            "{field} names {} people; at most {MAX_RECIPIENTS} can be named, use \"*\" for everyone in your organisation",
            out.named.len()
        )));
    }
    Ok(out)
}

/// Parses an RFC 3339 time (e.g. `2027-01-31T17:00:00Z`) from the field `field` to Unix seconds.
pub fn time(field: &str, value: &str) -> Result<i64, BrokerError> {
    OffsetDateTime::parse(value, &Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|_| {
            BrokerError::Invalid(format!(
                "{field} is not a date and time such as 2027-01-31T17:00:00Z"
            ))
        })
}

/// Parses an expiry: it must be in the future.
pub fn expiry(field: &str, value: &str, now_s: i64) -> Result<i64, BrokerError> {
    let at = time(field, value)?;
    if at <= now_s {
        return Err(BrokerError::Invalid(format!(
            "{field} is in the past; give a future date and time, or leave it out for no expiry"
        )));
    }
    Ok(at)
}

/// Checks an optional free text (label, document id): trimmed, no control characters, at most
/// [`MAX_TEXT`] characters.
pub fn text(field: &str, value: Option<&str>) -> Result<Option<String>, BrokerError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > MAX_TEXT {
        return Err(BrokerError::Invalid(format!(
            "{field} is longer than {MAX_TEXT} characters; shorten it"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(BrokerError::Invalid(format!(
            "{field} contains control characters; remove them"
        )));
    }
    Ok(Some(value.to_owned()))
}

/// The page size `limit` asks for: [`DEFAULT_PAGE`] when absent, at most [`MAX_PAGE`].
pub fn page_size(limit: Option<i64>) -> Result<i64, BrokerError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(BrokerError::Invalid(format!(
            "limit must be between 1 and {MAX_PAGE}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_normalised_and_bad_ones_named() {
        let given = [
            "Alice@Contoso.com ",
            "*",
            "alice@contoso.com",
            "bob@fabrikam.example",
        ]
        .map(String::from);
        let r = recipients("recipients", &given).unwrap();
        assert_eq!(r.named, vec!["alice@contoso.com", "bob@fabrikam.example"]);
        assert!(r.whole_tenant);
        for (bad, expected) in [
            ("", "recipients[0] is empty"),
            ("alice", "no @"),
            ("al ice@x.com", "spaces"),
            ("alice@", "not a complete address"),
            ("@x.com", "not a complete address"),
        ] {
            let e = recipients("recipients", &[bad.to_owned()])
                .unwrap_err()
                .to_string();
            assert!(e.contains(expected), "{bad:?}: {e}");
        }
        let many: Vec<String> = (0..=MAX_RECIPIENTS)
            .map(|i| format!("u{i}@x.com"))
            .collect();
        assert!(recipients("r", &many)
            .unwrap_err()
            .to_string()
            .contains("at most 100"));
        // The limit is in bytes: 200 two-byte characters are 400 bytes.
        let long = format!("{}@x.com", "é".repeat(200));
        let e = recipients("r", &[long]).unwrap_err().to_string();
        assert!(e.contains("longer than 254 bytes"), "{e}");
    }

    #[test]
    fn key_ids_times_and_texts() {
        assert!(is_key_id("AAAAAAAAAAAAAAAAAAAAAA"));
        assert!(is_key_id("a-b_c0123456789xyzXYZ_"));
        assert!(!is_key_id("AAAAAAAAAAAAAAAAAAAAA"));
        assert!(!is_key_id("AAAAAAAAAAAAAAAAAAAAA="));
        assert_eq!(time("t", "2027-01-31T17:00:00Z").unwrap(), 1_801_414_800);
        assert!(time("t", "tomorrow").is_err());
        assert!(expiry("expiresAt", "2020-01-01T00:00:00Z", 1_801_414_800)
            .unwrap_err()
            .to_string()
            .contains("in the past"));
        assert_eq!(text("label", Some("  ")).unwrap(), None);
        assert!(text("label", Some("a\u{7}b")).is_err());
        assert!(text("label", Some(&"x".repeat(MAX_TEXT + 1))).is_err());
    }
}
