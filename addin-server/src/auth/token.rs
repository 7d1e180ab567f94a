//! Validating an Entra ID v2.0 access token for this server's API, in the order that keeps
//! forged tokens cheap: size and header first, then the signature, then the claims.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use super::cache::Validated;
use super::identity::{self, IdentityClaims};
use super::keys::SigningKeys;
use super::AuthError;
use crate::config::AllowedTenants;
use crate::store::Store;

/// The most bytes of a token: Entra tokens are 1 to 3 KB; anything much larger is refused
/// before it is parsed.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Clock skew allowed on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 60;

/// The delegated scope the add-in's token must carry.
pub const SCOPE: &str = "access_as_user";

/// Who is calling, as the handlers see it. The user is (`tenant_id`, `object_id`); only
/// `address` may be matched against what other people typed (see [`super::identity`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user's tenant (`tid`), a lowercase GUID.
    pub tenant_id: String,
    /// The user's object id in the tenant (`oid`).
    pub object_id: String,
    /// A name to show (`preferred_username`, else `upn`, else `email`), possibly empty. For
    /// display and records only: it is mutable and unverified, never authorise on it.
    pub username: String,
    /// The address this user stands for as a named recipient, lowercase: vouched for by the
    /// issuing tenant, of a domain no other tenant owns, and bound to this user. `None` when
    /// the token carries no such address, or it belongs to someone else.
    pub address: Option<String>,
    /// Whether the user is a member of `tenant_id` (not a guest): only members are
    /// "everyone in the organisation".
    pub member: bool,
    /// Display name (`name`), possibly empty.
    pub display_name: String,
    /// App roles (`roles`), such as `Addin.Admin`.
    pub roles: Vec<String>,
    /// Directory role template ids (`wids`), such as Global Administrator's; never sent back.
    pub directory_roles: Vec<String>,
}

/// The app role of an organisation's admins (assigned in Entra ID's Enterprise applications).
pub const ADMIN_ROLE: &str = "Addin.Admin";

/// A signed-in user without [`ADMIN_ROLE`] asked for what only admins may do.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("this needs the {ADMIN_ROLE} app role; ask your Entra ID administrator to assign it to you in Enterprise applications")]
pub struct NotAdmin;

impl Principal {
    /// Whether this user is an admin of their own organisation.
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == ADMIN_ROLE)
    }

    /// Refuses a user who is not an admin of their own organisation.
    pub fn require_admin(&self) -> Result<(), NotAdmin> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(NotAdmin)
        }
    }

    /// This user as rate limits count them.
    pub fn limit_key(&self) -> crate::limits::UserKey {
        (self.tenant_id.clone(), self.object_id.clone())
    }

    /// A reader outside the organisations, who proved `address` (lowercase) with a one-time
    /// passcode: tenant `otp`, which no organisation's id is, so they own nothing, are no
    /// organisation's member or admin, and are a recipient only where `address` is named.
    pub fn outside(address: &str) -> Principal {
        Principal {
            tenant_id: "otp".into(),
            object_id: format!("otp:{address}"),
            username: format!("otp:{address}"),
            address: Some(address.to_owned()),
            member: false,
            display_name: String::new(),
            roles: Vec::new(),
            directory_roles: Vec::new(),
        }
    }

    /// This user as `GET /v1/me` answers.
    pub fn me(&self) -> addin_wasm::protocol::account::Me {
        addin_wasm::protocol::account::Me {
            tenant_id: self.tenant_id.clone(),
            object_id: self.object_id.clone(),
            username: self.username.clone(),
            address: self.address.clone(),
            member: self.member,
            display_name: self.display_name.clone(),
            roles: self.roles.clone(),
        }
    }

    /// This user as the audit log records it.
    pub fn actor(&self) -> crate::audit::Actor {
        crate::audit::Actor {
            tenant_id: self.tenant_id.clone(),
            object_id: self.object_id.clone(),
            username: self.username.to_lowercase(),
        }
    }
}

/// What a valid token tells.
#[derive(Debug, Deserialize)]
struct Claims {
    iss: String,
    exp: u64,
    aud: serde_json::Value,
    tid: Option<String>,
    oid: Option<String>,
    scp: Option<String>,
    ver: Option<String>,
    preferred_username: Option<String>,
    upn: Option<String>,
    email: Option<String>,
    name: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    acct: Option<serde_json::Value>,
    idp: Option<String>,
    xms_edov: Option<serde_json::Value>,
    #[serde(default)]
    wids: Vec<String>,
}

/// Checks tokens for one API (client id) against one authority.
#[derive(Debug)]
pub struct Validator {
    keys: Arc<SigningKeys>,
    authority: String,
    audiences: Vec<String>,
    tenants: AllowedTenants,
    store: Store,
    /// What jsonwebtoken checks: RS256, the signature, `exp` and `nbf`.
    validation: Validation,
    validated: Validated,
}

impl Validator {
    /// A validator for tokens issued by `authority` (`{authority}/{tid}/v2.0`) to `client_id`
    /// (also accepted as its application ID URI `app_id_uri`), from the tenants `tenants` allows
    /// (`*` looks the tenant up among those whose admin consented, in `store`).
    pub fn new(
        keys: Arc<SigningKeys>,
        authority: &str,
        client_id: &str,
        app_id_uri: String,
        tenants: AllowedTenants,
        store: Store,
    ) -> Validator {
        Validator {
            keys,
            authority: authority.trim_end_matches('/').to_owned(),
            audiences: vec![client_id.to_owned(), app_id_uri],
            tenants,
            store,
            validation: jwt_validation(),
            validated: Validated::default(),
        }
    }

    /// The signing keys this validator uses.
    pub fn keys(&self) -> &SigningKeys {
        &self.keys
    }

    /// Validates a bearer token of an allowed tenant and returns who it speaks for, with the
    /// address it may stand for resolved against what the store has learnt.
    pub async fn validate(&self, token: &str, now: i64) -> Result<Principal, AuthError> {
        let now_u = u64::try_from(now).unwrap_or(0);
        if let Some(principal) = self.validated.get(token, now_u) {
            self.check_tenant(&principal.tenant_id).await?;
            return Ok(principal);
        }
        let (mut principal, exp) = self.authenticate(token).await?;
        self.check_tenant(&principal.tenant_id).await?;
        principal.address = self.resolve_address(&principal, now).await?;
        self.validated.insert(token, principal.clone(), exp, now_u);
        Ok(principal)
    }

    /// Validates a bearer token whatever its tenant (for an administrator asking to admit
    /// theirs), without resolving its address: who it speaks for, and when it expires.
    pub async fn authenticate(&self, token: &str) -> Result<(Principal, u64), AuthError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError::invalid(format!(
                "the token is {} bytes, over the limit of {MAX_TOKEN_BYTES}",
                token.len()
            )));
        }
        let kid = check_header(token)?;
        let key = self
            .keys
            .get(&kid)
            .await
            .map_err(|e| AuthError::Unavailable(e.to_string()))?
            .ok_or_else(|| {
                AuthError::invalid(format!(
                    "the token is signed with key {kid:?}, which is not one of {}'s signing keys",
                    self.authority
                ))
            })?;

        let claims = jsonwebtoken::decode::<Claims>(token, &key, &self.validation)
            .map_err(|e| {
                AuthError::invalid(match e.kind() {
                    ErrorKind::InvalidSignature => "the token's signature does not verify".into(),
                    ErrorKind::ExpiredSignature => "the token has expired; sign in again".into(),
                    ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)".into(),
                    ErrorKind::MissingRequiredClaim(claim) => {
                        format!("the token has no {claim:?} claim")
                    }
                    _ => format!("the token cannot be read: {e}"),
                })
            })?
            .claims;

        if claims.ver.as_deref() != Some("2.0") {
            return Err(AuthError::invalid(
                "this is a version 1.0 access token; the administrator must set \
                 \"accessTokenAcceptedVersion\": 2 in the app registration's manifest",
            ));
        }
        let tid = claims
            .tid
            .as_deref()
            .filter(|t| is_guid(t))
            .ok_or_else(|| AuthError::invalid("the token has no tenant id (tid) GUID"))?
            .to_ascii_lowercase();
        let expected_issuer = format!("{}/{tid}/v2.0", self.authority);
        if !claims.iss.eq_ignore_ascii_case(&expected_issuer) {
            return Err(AuthError::invalid(format!(
                "the token's issuer {:?} is not {expected_issuer:?} (its tenant's issuer at the \
                 configured authority)",
                claims.iss
            )));
        }
        let audience_ok = match &claims.aud {
            serde_json::Value::String(a) => self.audiences.contains(a),
            serde_json::Value::Array(list) => list.iter().any(|a| {
                a.as_str()
                    .is_some_and(|a| self.audiences.contains(&a.to_owned()))
            }),
            _ => false,
        };
        if !audience_ok {
            return Err(AuthError::invalid(format!(
                "the token is for another application (aud {}), not {:?}",
                claims.aud, self.audiences[0]
            )));
        }
        if !claims
            .scp
            .as_deref()
            .is_some_and(|s| s.split(' ').any(|scope| scope == SCOPE))
        {
            return Err(AuthError::InsufficientScope);
        }
        let object_id = claims
            .oid
            .as_deref()
            .filter(|o| is_guid(o))
            .ok_or_else(|| AuthError::invalid("the token has no object id (oid) GUID"))?
            .to_ascii_lowercase();
        let claimed = identity::claimed(&IdentityClaims {
            tenant_id: &tid,
            acct: claims.acct.as_ref(),
            idp: claims.idp.as_deref(),
            upn: claims.upn.as_deref(),
            email: claims.email.as_deref(),
            xms_edov: claims.xms_edov.as_ref(),
        });
        let principal = Principal {
            tenant_id: tid,
            object_id,
            username: claims
                .preferred_username
                .or(claims.upn)
                .or(claims.email)
                .unwrap_or_default(),
            address: claimed.address,
            member: claimed.member,
            display_name: claims.name.unwrap_or_default(),
            roles: claims.roles,
            directory_roles: claims.wids.iter().map(|w| w.to_ascii_lowercase()).collect(),
        };
        Ok((principal, claims.exp))
    }

    /// The address `p`'s token claims, if it may stand for it: its domain is owned by no other
    /// tenant (a member's teaches the store that its tenant owns it) and nobody else holds it
    /// (the first to present it does from then on).
    async fn resolve_address(&self, p: &Principal, now: i64) -> Result<Option<String>, AuthError> {
        let Some(address) = p.address.as_deref() else {
            return Ok(None);
        };
        let unavailable = |e: crate::store::StoreError| AuthError::Unavailable(e.to_string());
        let domain = identity::domain_of(address);
        let owner = if p.member {
            Some(
                self.store
                    .learn_domain(domain, &p.tenant_id, now)
                    .await
                    .map_err(unavailable)?,
            )
        } else {
            self.store.domain_owner(domain).await.map_err(unavailable)?
        };
        if owner.as_ref().is_some_and(|t| *t != p.tenant_id) {
            tracing::warn!(target: "security", tenant = %p.tenant_id, oid = %p.object_id, domain,
                "a token claims an address of a domain another tenant owns; it matches nothing");
            return Ok(None);
        }
        let (tenant, oid) = self
            .store
            .bind_address(address, &p.tenant_id, &p.object_id, now)
            .await
            .map_err(unavailable)?;
        if tenant != p.tenant_id || oid != p.object_id {
            tracing::warn!(target: "security", tenant = %p.tenant_id, oid = %p.object_id,
                "a token claims an address bound to another user; it matches nothing");
            return Ok(None);
        }
        Ok(Some(address.to_owned()))
    }

    async fn check_tenant(&self, tid: &str) -> Result<(), AuthError> {
        let allowed = match &self.tenants {
            AllowedTenants::None => false,
            AllowedTenants::List(list) => list.iter().any(|t| t == tid),
            AllowedTenants::Consented => self
                .store
                .tenant_consented(tid)
                .await
                .map_err(|e| AuthError::Unavailable(e.to_string()))?,
        };
        if allowed {
            Ok(())
        } else {
            Err(AuthError::TenantNotAllowed {
                tenant_id: tid.to_owned(),
            })
        }
    }
}

/// jsonwebtoken's part of the checks: RS256 and its signature, `exp` and `nbf` with
/// [`LEEWAY_SECONDS`]. Audience and issuer are checked by [`Validator::validate`] after the
/// version, for clearer errors.
fn jwt_validation() -> Validation {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    validation
}

/// Reads the token's header without trusting it: RS256 only (refusing `none`, HMAC and every
/// other algorithm before any key is looked at), with a key id. Returns the key id.
fn check_header(token: &str) -> Result<String, AuthError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::invalid(
            "the token is not a JWT (three base64url parts separated by dots)",
        ));
    };
    let header: serde_json::Value = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| AuthError::invalid("the token's header is not base64url JSON"))?;
    match header.get("alg").and_then(|a| a.as_str()) {
        Some("RS256") => {}
        Some(other) => {
            return Err(AuthError::invalid(format!(
                "the token is signed with {other:?}; only RS256 is accepted"
            )))
        }
        None => return Err(AuthError::invalid("the token's header has no algorithm")),
    }
    header
        .get("kid")
        .and_then(|k| k.as_str())
        .map(str::to_owned)
        .ok_or_else(|| AuthError::invalid("the token's header has no key id (kid)"))
}

/// Whether `s` is a GUID (`8-4-4-4-12` hexadecimal digits).
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids() {
        assert!(is_guid("7d3a2f1c-0b4e-4c8a-9f10-2a6b5c4d3e21"));
        assert!(!is_guid("7d3a2f1c-0b4e-4c8a-9f10-2a6b5c4d3e2"));
        assert!(!is_guid("common"));
        assert!(!is_guid("7d3a2f1c0b4e4c8a9f102a6b5c4d3e21"));
    }

    #[test]
    fn headers_other_than_rs256_are_refused_before_keys() {
        let b64 = |s: &str| URL_SAFE_NO_PAD.encode(s);
        for (header, message) in [
            (r#"{"alg":"none"}"#, "only RS256"),
            (r#"{"alg":"HS256","kid":"k"}"#, "only RS256"),
            (r#"{"alg":"RS256"}"#, "no key id"),
            (r#"{"kid":"k"}"#, "no algorithm"),
            ("not json", "not base64url JSON"),
        ] {
            let token = format!("{}.{}.", b64(header), b64("{}"));
            let e = check_header(&token).unwrap_err().to_string();
            assert!(e.contains(message), "{header}: {e}");
        }
        assert!(check_header("a.b").is_err());
        assert!(check_header("a.b.c.d").is_err());
    }
}
