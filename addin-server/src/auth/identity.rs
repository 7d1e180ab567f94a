//! The identity rule: who a token speaks for, and which named address it may stand for.
//!
//! A user is (tenant id, object id): `tid` and `oid`, which Entra ID never reuses or changes.
//! Everything else a token says about a user is weaker, and this module decides how much of it
//! the server believes:
//!
//! - **An address** (what a key's owner types as a recipient) is taken only from a claim the
//!   issuing tenant vouches for: the `upn`, whose domain Entra ID only allows once the tenant
//!   has verified it (or its own `onmicrosoft.com` one), or the `email` when the token also says
//!   `xms_edov` (the email's domain is verified by the user's own tenant) and the user is a
//!   member. `preferred_username` is never used: Microsoft documents it as mutable and not for
//!   authorisation; nor is a bare `email`, which any tenant can set to anything.
//! - **A guest** (a B2B user, `acct` = 1, or a token whose `idp` names another issuer) is not a
//!   member of the tenant that issued its token: "everyone in my organisation" does not include
//!   it, and its address is only the one its host tenant gave it (`…#EXT#@host.onmicrosoft.com`),
//!   never its home email. A token that does not say `acct` is not taken for a member's: the safer
//!   reading, so the app registration must emit `acct` (docs/deploy.md says how).
//! - **Who owns a domain** is learnt from members' addresses ([`crate::store::Store::learn_domain`]):
//!   the first tenant whose member presents an address of a domain owns it, and an address of
//!   that domain presented by any other tenant matches nothing.
//! - **Who owns an address** is the first (tenant, object id) that presented it
//!   ([`crate::store::Store::bind_address`]): a later user with the same address (a renamed
//!   account's old name given to a newcomer) matches nothing, so it cannot open what was shared
//!   with the first.
//!
//! This module is pure: it reads claims. The two look-ups against the store are made by the
//! [`Validator`](super::Validator), for tokens of allowed tenants only.

use serde_json::Value;

/// What a token's claims say about membership and address, before the store is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// A member of the issuing tenant (not a guest, and the token says so).
    pub member: bool,
    /// The vouched-for address, lowercase, if any.
    pub address: Option<String>,
}

/// The claims that bear on identity.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdentityClaims<'a> {
    /// `tid`, lowercase.
    pub tenant_id: &'a str,
    /// `acct`: 0 for a member, 1 for a guest (a number, or a string in some tokens).
    pub acct: Option<&'a Value>,
    /// `idp`: present when another identity provider signed the user in.
    pub idp: Option<&'a str>,
    /// `upn`.
    pub upn: Option<&'a str>,
    /// `email`.
    pub email: Option<&'a str>,
    /// `xms_edov`: whether the email's domain is verified by the user's tenant.
    pub xms_edov: Option<&'a Value>,
}

/// The issuers Entra ID names in `idp` for its own tenant's users.
fn idp_is_own_tenant(idp: &str, tenant_id: &str) -> bool {
    let idp = idp.trim_end_matches('/').to_ascii_lowercase();
    idp == format!("https://sts.windows.net/{tenant_id}")
        || idp.ends_with(&format!("/{tenant_id}/v2.0"))
}

/// Whether a claim holds the number (or numeric string) `n`.
fn is_number(v: Option<&Value>, n: u64) -> bool {
    match v {
        Some(Value::Number(x)) => x.as_u64() == Some(n),
        Some(Value::String(s)) => s.trim() == n.to_string(),
        _ => false,
    }
}

/// Whether a claim is true (`true`, `"true"`, `1`).
fn is_true(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true") || s.trim() == "1",
        Some(Value::Number(x)) => x.as_u64() == Some(1),
        _ => false,
    }
}

/// The address part of a claim: lowercase, with one `@` and text on both sides, else `None`.
fn address(value: Option<&str>) -> Option<String> {
    let value = value?.trim();
    let (local, domain) = value.rsplit_once('@')?;
    (!local.is_empty() && !domain.is_empty() && !value.chars().any(char::is_whitespace))
        .then(|| value.to_lowercase())
}

/// The domain of an address this module returned.
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d)
}

/// Applies the rule to one token's claims.
pub fn claimed(c: &IdentityClaims<'_>) -> Claimed {
    let foreign_idp = c
        .idp
        .is_some_and(|idp| !idp_is_own_tenant(idp, c.tenant_id));
    let guest = is_number(c.acct, 1) || foreign_idp;
    let member = !guest && is_number(c.acct, 0);
    let address = address(c.upn).or_else(|| {
        (member && is_true(c.xms_edov))
            .then(|| address(c.email))
            .flatten()
    });
    Claimed { member, address }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TID: &str = "7d3a2f1c-0b4e-4c8a-9f10-2a6b5c4d3e21";

    fn run(
        acct: Value,
        idp: Option<&str>,
        upn: Option<&str>,
        email: Option<&str>,
        edov: Value,
    ) -> Claimed {
        claimed(&IdentityClaims {
            tenant_id: TID,
            acct: (!acct.is_null()).then_some(&acct),
            idp,
            upn,
            email,
            xms_edov: (!edov.is_null()).then_some(&edov),
        })
    }

    #[test]
    fn a_member_is_known_by_upn_or_a_verified_email_only() {
        let none = Value::Null;
        assert_eq!(
            run(
                json!(0),
                None,
                Some("Bob@Contoso.example"),
                None,
                none.clone()
            ),
            Claimed {
                member: true,
                address: Some("bob@contoso.example".into())
            }
        );
        // An email alone, or an unverified one, is not an address.
        assert_eq!(
            run(
                json!(0),
                None,
                None,
                Some("bob@contoso.example"),
                none.clone()
            )
            .address,
            None
        );
        assert_eq!(
            run(
                json!(0),
                None,
                None,
                Some("bob@contoso.example"),
                json!(false)
            )
            .address,
            None
        );
        assert_eq!(
            run(
                json!(0),
                None,
                None,
                Some("bob@contoso.example"),
                json!(true)
            )
            .address,
            Some("bob@contoso.example".into())
        );
        assert_eq!(
            run(
                json!("0"),
                None,
                None,
                Some("bob@contoso.example"),
                json!("true")
            ),
            Claimed {
                member: true,
                address: Some("bob@contoso.example".into())
            }
        );
        // The tenant's own issuer as idp is still a member.
        let own = format!("https://sts.windows.net/{TID}/");
        assert!(run(json!(0), Some(&own), None, None, none).member);
    }

    #[test]
    fn guests_and_tokens_that_do_not_say_are_not_members() {
        let none = Value::Null;
        let guest = run(
            json!(1),
            Some("https://sts.windows.net/e5c4b3a2-1f0e-4d9c-8b7a-6f5e4d3c2b1a/"),
            Some("bob_fabrikam.example#EXT#@contoso.onmicrosoft.com"),
            Some("bob@fabrikam.example"),
            json!(true),
        );
        assert_eq!(
            guest,
            Claimed {
                member: false,
                address: Some("bob_fabrikam.example#ext#@contoso.onmicrosoft.com".into())
            },
            "a guest is only the guest it is"
        );
        // A foreign idp makes a guest even when acct says member.
        let foreign = run(
            json!(0),
            Some("live.com"),
            None,
            Some("x@outlook.com"),
            json!(true),
        );
        assert_eq!(
            foreign,
            Claimed {
                member: false,
                address: None
            }
        );
        // No acct claim: not a member, and so no address from email.
        assert_eq!(
            run(
                none.clone(),
                None,
                None,
                Some("bob@contoso.example"),
                json!(true)
            ),
            Claimed {
                member: false,
                address: None
            }
        );
        assert_eq!(
            run(none.clone(), None, Some("a@b.example"), None, none)
                .address
                .as_deref(),
            Some("a@b.example")
        );
    }

    #[test]
    fn malformed_addresses_are_none() {
        for bad in [
            "",
            "bob",
            "@contoso.example",
            "bob@",
            "bo b@contoso.example",
        ] {
            assert_eq!(address(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(domain_of("a@b.example"), "b.example");
    }
}
