//! What every handler may use: the state of one server, built once at start from its
//! configuration, its store and its master keys.

use std::sync::Arc;

use crate::auth::Validator;
use crate::broker::{Broker, MasterKeys};
use crate::config::{AllowedTenants, Config};
use crate::consent::ConsentLinks;
use crate::manifest::Manifests;
use crate::store::Store;
use addin_wasm::protocol::account::SignInConfig;

/// What every handler may use.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The manifests of this deployment, rendered at start.
    pub manifests: Arc<Manifests>,
    /// The origin the add-in is served from (`ADDIN_PUBLIC_URL`): the only one CORS allows.
    pub public_origin: String,
    /// The origin of the sign-in authority (`ADDIN_AUTHORITY`), where the pages may connect.
    pub authority_origin: String,
    /// Admin-consent links; `None` when no client id is configured.
    pub consent: Option<Arc<ConsentLinks>>,
    /// Token validation; `None` when no client id is configured (authenticated routes then
    /// answer 503 saying so).
    pub auth: Option<Arc<Validator>>,
    /// The key broker.
    pub broker: Broker,
    /// The fallback sign-in dialog's configuration; `None` without a client id.
    pub sign_in: Option<Arc<SignInConfig>>,
    /// Whether organisations are admitted by admin consent (`ADDIN_ALLOWED_TENANTS=*`).
    pub tenants_by_consent: bool,
    /// The rate limits.
    pub limits: Arc<crate::limits::Limits>,
    /// Outgoing mail (passcodes, protected replies); `None` without `ADDIN_SMTP_URL`.
    pub mailer: Option<crate::mail::Mailer>,
    /// One-time passcodes for outside readers; `None` unless `ADDIN_PASSCODES` is on.
    pub passcodes: Option<Arc<crate::passcodes::Passcodes>>,
}

impl AppState {
    /// The state of a server configured by `config`, on `store` with the master keys
    /// `master`: its manifests rendered, and sign-in and admin consent set up when it names a
    /// client id.
    pub fn new(config: &Config, store: Store, master: Arc<MasterKeys>) -> Result<AppState, String> {
        let manifests = Manifests::render(&config.public_url, config.client_id.as_deref())
            .map_err(|e| e.to_string())?;
        let mailer = config
            .mail
            .as_ref()
            .map(crate::mail::Mailer::new)
            .transpose()
            .map_err(|e| e.to_string())?;
        let passcodes = match (&mailer, config.passcodes) {
            (Some(mailer), true) => {
                let secret = master.ring().audit_secret().map_err(|e| e.to_string())?;
                let key = crate::passcodes::PasscodeKey::derive(&secret)?;
                Some(Arc::new(crate::passcodes::Passcodes::new(
                    store.clone(),
                    mailer.clone(),
                    key,
                    config.public_url.as_str(),
                )))
            }
            _ => None,
        };
        Ok(AppState {
            auth: crate::auth::validator(config, store.clone())?,
            consent: ConsentLinks::from_config(config).map(Arc::new),
            sign_in: crate::sign_in::dialog_config(config).map(Arc::new),
            public_origin: config.public_url.as_str().to_owned(),
            authority_origin: url::Url::parse(&config.authority)
                .map(|u| u.origin().ascii_serialization())
                .map_err(|e| format!("ADDIN_AUTHORITY: {e}"))?,
            tenants_by_consent: matches!(config.allowed_tenants, AllowedTenants::Consented),
            limits: Arc::new(crate::limits::Limits::scaled(config.rate_limit_scale)),
            manifests: Arc::new(manifests),
            broker: Broker::new(store.clone(), master),
            mailer,
            passcodes,
            store,
        })
    }
}
