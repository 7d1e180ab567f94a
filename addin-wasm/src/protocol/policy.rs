//! An organisation's policy: the settings its admins choose for how far protected text may
//! travel (`GET /v1/policy` for its users, `GET`/`PUT /v1/admin/policy` for its admins).
//!
//! The document is JSON; a setting left out takes its default, so `{}` is the default policy.
//! [`OrgPolicy::from_json`] refuses an unknown setting, a wrong type or an impossible value,
//! and lists every problem at once, each with its path, in the same shape as the dictionary's
//! problems. It is here, in the core, so that the server and the admin console check a policy
//! with the same rules and words.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::scan::Problem;

/// The longest a passcode may stay valid, in minutes.
pub const MAX_PASSCODE_MINUTES: u32 = 60;
/// The most outside domains a policy may list.
pub const MAX_OUTSIDE_DOMAINS: usize = 500;

/// An organisation's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrgPolicy {
    /// One-time passcodes by email for recipients outside the organisation.
    pub passcodes: Passcodes,
    /// The domains whose people may read with a passcode, lowercase; empty: any domain.
    pub outside_domains: Vec<String>,
    /// Whether people who read with a passcode may send a protected reply.
    pub outside_replies: bool,
}

/// The passcode settings of an [`OrgPolicy`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Passcodes {
    /// Whether the server sends passcodes at all.
    pub enabled: bool,
    /// How long a passcode works, 1 to [`MAX_PASSCODE_MINUTES`] minutes.
    pub lifetime_minutes: u32,
}

/// A published version of the policy, with who published it (`GET`/`PUT /v1/admin/policy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PolicyVersion {
    /// 0 for the default policy, then 1, 2, ... per publication.
    pub version: i64,
    /// What `If-Match` names to replace this version.
    pub etag: String,
    /// RFC 3339; absent for the default policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Who published it; empty for the default policy.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub published_by: String,
    /// The policy, every setting.
    pub policy: OrgPolicy,
}

impl Default for OrgPolicy {
    /// Passcodes on for 15 minutes (as Office 365 Message Encryption does), any domain,
    /// replies allowed.
    fn default() -> OrgPolicy {
        OrgPolicy {
            passcodes: Passcodes {
                enabled: true,
                lifetime_minutes: 15,
            },
            outside_domains: Vec::new(),
            outside_replies: true,
        }
    }
}

impl OrgPolicy {
    /// The policy `json` holds, or every problem in it.
    ///
    /// ```
    /// use addin_wasm::protocol::policy::OrgPolicy;
    /// let policy = OrgPolicy::from_json(r#"{"passcodes": {"lifetimeMinutes": 10}}"#).unwrap();
    /// assert_eq!(policy.passcodes.lifetime_minutes, 10);
    /// assert!(policy.passcodes.enabled);
    ///
    /// let problems = OrgPolicy::from_json(r#"{"passcode": true, "outsideReplies": "yes"}"#).unwrap_err();
    /// assert_eq!(problems.len(), 2);
    /// assert_eq!(problems[0].path, "passcode");
    /// assert_eq!(problems[1].path, "outsideReplies");
    /// ```
    pub fn from_json(json: &str) -> Result<OrgPolicy, Vec<Problem>> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            vec![Problem::document(format!(
                "the policy is not JSON ({e}); send an object such as {{\"passcodes\": {{\"enabled\": true}}}}"
            ))]
        })?;
        let mut check = Check::default();
        let policy = check.policy(&value);
        if check.problems.is_empty() {
            Ok(policy)
        } else {
            Err(check.problems)
        }
    }

    /// The policy as stored and served: every setting, in a fixed order.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Whether this policy lets someone at `address` read with a passcode (passcodes on, and
    /// the address's domain listed when domains are listed).
    ///
    /// ```
    /// use addin_wasm::protocol::policy::OrgPolicy;
    /// let mut policy = OrgPolicy::default();
    /// assert!(policy.admits_outside("dave@example.net"));
    /// policy.outside_domains = vec!["example.org".into()];
    /// assert!(!policy.admits_outside("dave@example.net"));
    /// assert!(policy.admits_outside("erin@Example.org"));
    /// ```
    pub fn admits_outside(&self, address: &str) -> bool {
        if !self.passcodes.enabled {
            return false;
        }
        if self.outside_domains.is_empty() {
            return true;
        }
        address.rsplit_once('@').is_some_and(|(_, domain)| {
            let domain = domain.to_ascii_lowercase();
            self.outside_domains.contains(&domain)
        })
    }
}

/// A walk over a policy document that collects problems instead of stopping at the first.
#[derive(Default)]
struct Check {
    problems: Vec<Problem>,
}

impl Check {
    fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem::at_path(path, message));
    }

    /// The fields of the object at `path`, with any name outside `known` reported.
    fn object<'v>(
        &mut self,
        path: &str,
        value: &'v Value,
        known: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let Some(map) = value.as_object() else {
            let what = if path.is_empty() { "the policy" } else { path };
            self.problem(path, format!("{what} must be an object"));
            return None;
        };
        for name in map.keys().filter(|n| !known.contains(&n.as_str())) {
            let at = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            self.problem(
                &at,
                format!(
                    "{at} is not a setting; the settings here are {}",
                    known.join(", ")
                ),
            );
        }
        Some(map)
    }

    fn boolean(&mut self, path: &str, value: Option<&Value>, default: bool) -> bool {
        match value {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.problem(path, format!("{path} must be true or false"));
                default
            }
        }
    }

    fn policy(&mut self, value: &Value) -> OrgPolicy {
        let mut policy = OrgPolicy::default();
        let Some(map) = self.object(
            "",
            value,
            &["passcodes", "outsideDomains", "outsideReplies"],
        ) else {
            return policy;
        };
        if let Some(passcodes) = map.get("passcodes") {
            policy.passcodes = self.passcodes(passcodes, policy.passcodes.clone());
        }
        if let Some(domains) = map.get("outsideDomains") {
            policy.outside_domains = self.domains(domains);
        }
        policy.outside_replies = self.boolean(
            "outsideReplies",
            map.get("outsideReplies"),
            policy.outside_replies,
        );
        policy
    }

    fn passcodes(&mut self, value: &Value, default: Passcodes) -> Passcodes {
        let Some(map) = self.object("passcodes", value, &["enabled", "lifetimeMinutes"]) else {
            return default;
        };
        let enabled = self.boolean("passcodes.enabled", map.get("enabled"), default.enabled);
        let lifetime_minutes = match map.get("lifetimeMinutes") {
            None => default.lifetime_minutes,
            Some(v) => match v.as_u64() {
                Some(m @ 1..) if m <= u64::from(MAX_PASSCODE_MINUTES) => m as u32,
                _ => {
                    self.problem(
                        "passcodes.lifetimeMinutes",
                        format!("passcodes.lifetimeMinutes must be a whole number of minutes from 1 to {MAX_PASSCODE_MINUTES}"),
                    );
                    default.lifetime_minutes
                }
            },
        };
        Passcodes {
            enabled,
            lifetime_minutes,
        }
    }

    fn domains(&mut self, value: &Value) -> Vec<String> {
        let Some(list) = value.as_array() else {
            self.problem("outsideDomains", "outsideDomains must be a list of domains, such as [\"example.net\"]; an empty list allows any domain");
            return Vec::new();
        };
        if list.len() > MAX_OUTSIDE_DOMAINS {
            self.problem(
                "outsideDomains",
                format!(
                    "outsideDomains lists {} domains; at most {MAX_OUTSIDE_DOMAINS} can be listed",
                    list.len()
                ),
            );
        }
        let mut domains: Vec<String> = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let path = format!("outsideDomains[{i}]");
            let Some(text) = item.as_str() else {
                self.problem(
                    &path,
                    format!("{path} must be a domain such as \"example.net\""),
                );
                continue;
            };
            let domain = text.trim().trim_start_matches('@').to_ascii_lowercase();
            if !is_domain(&domain) {
                self.problem(
                    &path,
                    format!("{path} (\"{text}\") is not a domain such as \"example.net\""),
                );
            } else if domains.contains(&domain) {
                self.problem(&path, format!("{path} (\"{text}\") is listed twice"));
            } else {
                domains.push(domain);
            }
        }
        domains
    }
}

/// Whether `name` (lowercase) is a DNS name of at least two labels: letters, digits and
/// hyphens, no label empty, longer than 63 or starting or ending with a hyphen.
fn is_domain(name: &str) -> bool {
    name.len() <= 253
        && name.contains('.')
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_document_is_the_default_and_round_trips() {
        let policy = OrgPolicy::from_json("{}").unwrap();
        assert_eq!(policy, OrgPolicy::default());
        assert_eq!(OrgPolicy::from_json(&policy.to_json()).unwrap(), policy);
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let problems = OrgPolicy::from_json(
            r#"{"passcodes": {"enabled": 1, "lifetimeMinutes": 0, "sms": true},
                "outsideDomains": ["example.net", "Example.NET", "not a domain", 7, "-x.org"],
                "outsideReplies": null, "extra": {}}"#,
        )
        .unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "extra",
                "passcodes.sms",
                "passcodes.enabled",
                "passcodes.lifetimeMinutes",
                "outsideDomains[1]",
                "outsideDomains[2]",
                "outsideDomains[3]",
                "outsideDomains[4]",
                "outsideReplies",
            ]
        );
        assert!(problems[0]
            .message
            .contains("passcodes, outsideDomains, outsideReplies"));
    }

    #[test]
    fn impossible_values_are_refused() {
        for bad in [
            r#"[]"#,
            r#"{"passcodes": {"lifetimeMinutes": 61}}"#,
            r#"{"passcodes": {"lifetimeMinutes": 1.5}}"#,
            r#"{"passcodes": false}"#,
            r#"{"outsideDomains": "example.net"}"#,
            r#"{"outsideDomains": ["localhost"]}"#,
            "not json",
        ] {
            assert!(OrgPolicy::from_json(bad).is_err(), "{bad} was accepted");
        }
        let many: Vec<String> = (0..=MAX_OUTSIDE_DOMAINS)
            .map(|i| format!("\"d{i}.example\""))
            .collect();
        let json = format!("{{\"outsideDomains\": [{}]}}", many.join(","));
        assert!(OrgPolicy::from_json(&json).is_err());
    }

    #[test]
    fn domains_are_kept_lowercase_and_passcodes_off_admits_nobody() {
        let policy = OrgPolicy::from_json(
            r#"{"passcodes": {"enabled": false}, "outsideDomains": [" @Example.NET "]}"#,
        )
        .unwrap();
        assert_eq!(policy.outside_domains, ["example.net"]);
        assert!(!policy.admits_outside("dave@example.net"));
    }
}
