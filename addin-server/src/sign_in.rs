//! What the task pane's fallback sign-in dialog needs to know: the Entra app's client id, the
//! authority to sign in with, and the scope to ask for.
//!
//! Office single sign-on needs none of this (Office reads the manifest's `WebApplicationInfo`),
//! but where SSO is unavailable the task pane opens `/auth-dialog.html`, which signs in with
//! MSAL for the browser and must ask for the same token the server accepts: audience the client
//! id, scope `access_as_user` of `api://{host}/{client id}`. Served by
//! `GET /v1/sign-in-config`, without authentication (none of it is secret: it is all in the
//! manifest too).

use addin_wasm::protocol::account::SignInConfig;

use crate::config::{AllowedTenants, Config};

/// Microsoft's sign-in hosts, which MSAL knows without being told.
const MICROSOFT_HOSTS: [&str; 3] = [
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
];

/// The fallback dialog's configuration for `config`, or `None` without a client id.
pub fn dialog_config(config: &Config) -> Option<SignInConfig> {
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
        (base, "AAD".to_owned())
    } else {
        (format!("{base}/v2.0"), "OIDC".to_owned())
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
        let one = dialog_config(&config(&[
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
        let any = dialog_config(&config(&[
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
        let other = dialog_config(&config(&[
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
        assert!(dialog_config(&config(&[])).is_none());
    }
}
