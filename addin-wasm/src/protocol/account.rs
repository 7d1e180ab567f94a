//! Who the caller is and how their organisation is set up: `/v1/me`, the sign-in dialog's
//! configuration, admin consent, and the admitted organisation.

use serde::{Deserialize, Serialize};

/// The answer of `GET /v1/me`: the caller as the server sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// The user's tenant (`tid`), a lowercase GUID.
    pub tenant_id: String,
    /// The user's object id in the tenant (`oid`).
    pub object_id: String,
    /// A name to show, possibly empty; never an identity.
    pub username: String,
    /// The address this user stands for as a named recipient, lowercase, when the issuing
    /// tenant vouches for one that is theirs.
    pub address: Option<String>,
    /// Whether the user is a member of the tenant (not a guest).
    pub member: bool,
    /// Display name, possibly empty.
    pub display_name: String,
    /// App roles, such as `Addin.Admin`.
    pub roles: Vec<String>,
}

/// The answer of `GET /v1/sign-in/config`: what the fallback sign-in dialog signs in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignInConfig {
    /// The Entra app's client id (`ADDIN_CLIENT_ID`).
    pub client_id: String,
    /// Where to sign in: `{ADDIN_AUTHORITY}/{tenant}` when exactly one tenant is allowed, else
    /// `{ADDIN_AUTHORITY}/organizations` (any work or school account; the server still refuses
    /// tenants it does not allow).
    pub authority: String,
    /// The scopes to ask for.
    pub scopes: Vec<String>,
    /// The authority's `host[:port]` when it is not one of Microsoft's sign-in hosts, for MSAL's
    /// `knownAuthorities` (another OpenID provider standing in for Entra ID).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_authorities: Vec<String>,
    /// MSAL's protocol mode: `AAD` for Microsoft's hosts; `OIDC` for another provider, whose
    /// metadata MSAL then reads from `{authority}/.well-known/openid-configuration` (the
    /// authority is then `.../{tenant}/v2.0`, where Entra-shaped providers publish it).
    pub protocol_mode: String,
}

/// The answer of `GET /v1/admin-consent/url`: a consent link for the caller's organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConsentLink {
    /// Entra ID's admin-consent page, with the state that proves it to the callback.
    pub url: String,
    /// The tenant it admits.
    pub tenant_id: String,
    /// How long the link works.
    pub expires_in_seconds: u64,
}

/// An organisation admitted by its administrator's consent (`GET /v1/admin/tenant`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    /// Lowercase GUID.
    pub tenant_id: String,
    /// RFC 3339.
    pub consented_at: String,
    /// Object id of the administrator who consented (absent for consents recorded before
    /// consent was bound to an administrator).
    pub consented_by: Option<String>,
}
