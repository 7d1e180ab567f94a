//! What the task pane's fallback sign-in dialog needs to know: the Entra app's client id, the
//! authority to sign in with, and the scope to ask for.
//!
//! Office single sign-on needs none of this (Office reads the manifest's `WebApplicationInfo`),
//! but where SSO is unavailable the task pane opens `/auth-dialog.html`, which signs in with
//! MSAL for the browser and must ask for the same token the server accepts: audience the client
//! id, scope `access_as_user` of `api://{host}/{client id}`. Served by
//! `GET /v1/sign-in-config`, without authentication (none of it is secret: it is all in the
//! manifest too).

use serde::Serialize;

use crate::config::{AllowedTenants, Config};

/// The fallback dialog's configuration.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub known_authorities: Vec<String>,
    /// MSAL's protocol mode: `AAD` for Microsoft's hosts; `OIDC` for another provider, whose
    /// metadata MSAL then reads from `{authority}/.well-known/openid-configuration` (the
    /// authority is then `.../{tenant}/v2.0`, where Entra-shaped providers publish it).
    pub protocol_mode: &'static str,
}

/// Microsoft's sign-in hosts, which MSAL knows without being told.
const MICROSOFT_HOSTS: [&str; 3] = [
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
];

impl SignInConfig {
    /// The configuration for `config`, or `None` without a client id.
    pub fn from_config(config: &Config) -> Option<SignInConfig> {
        let client_id = config.client_id.clone()?;
        let tenant = match &config.allowed_tenants {
            AllowedTenants::List(ids) if ids.len() == 1 => ids[0].clone(),
            _ => "organizations".to_owned(),
        };
        let known_authorities: Vec<String> = url::Url::parse(&config.authority)
            .ok()
            .and_then(|u| {
                let host = u.host_str()?.to_ascii_lowercase();
                (!MICROSOFT_HOSTS.contains(&host.as_str()))
                    .then(|| u.port().map_or(host.clone(), |p| format!("{host}:{p}")))
            })
            .into_iter()
            .collect();
        let base = format!("{}/{tenant}", config.authority.trim_end_matches('/'));
        let (authority, protocol_mode) = if known_authorities.is_empty() {
            (base, "AAD")
        } else {
            (format!("{base}/v2.0"), "OIDC")
        };
        Some(SignInConfig {
            known_authorities,
            authority,
            protocol_mode,
            scopes: vec![format!(
                "{}/access_as_user",
                config.public_url.app_id_uri(&client_id)
            )],
            client_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Config {
        Config::from_vars(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))).unwrap()
    }

    #[test]
    fn one_allowed_tenant_signs_in_there_and_several_through_organizations() {
        let id = "6c1f2a9e-5b0d-4e3f-8a7b-9c8d7e6f5a4b";
        let tenant = "11111111-1111-4111-8111-111111111111";
        let one = SignInConfig::from_config(&config(&[
            ("ADDIN_PUBLIC_URL", "https://addin.example.com"),
            ("ADDIN_CLIENT_ID", id),
            ("ADDIN_ALLOWED_TENANTS", tenant),
        ]))
        .unwrap();
        assert_eq!(one.client_id, id);
        assert_eq!(
            one.authority,
            format!("https://login.microsoftonline.com/{tenant}")
        );
        assert_eq!(
            one.scopes,
            [format!("api://addin.example.com/{id}/access_as_user")]
        );
        let any = SignInConfig::from_config(&config(&[
            ("ADDIN_CLIENT_ID", id),
            ("ADDIN_ALLOWED_TENANTS", "*"),
        ]))
        .unwrap();
        assert_eq!(
            any.authority,
            "https://login.microsoftonline.com/organizations"
        );
        assert_eq!(
            any.scopes,
            [format!("api://localhost:3000/{id}/access_as_user")]
        );
        assert!(any.known_authorities.is_empty());
        assert_eq!(any.protocol_mode, "AAD");
        let other = SignInConfig::from_config(&config(&[
            ("ADDIN_CLIENT_ID", id),
            ("ADDIN_ALLOWED_TENANTS", tenant),
            ("ADDIN_AUTHORITY", "https://idp.example.com:8443"),
        ]))
        .unwrap();
        assert_eq!(other.known_authorities, ["idp.example.com:8443"]);
        assert_eq!(other.protocol_mode, "OIDC");
        assert_eq!(
            other.authority,
            format!("https://idp.example.com:8443/{tenant}/v2.0")
        );
        assert!(SignInConfig::from_config(&config(&[])).is_none());
    }
}
