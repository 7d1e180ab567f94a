//! Admin consent: how an organisation's administrator admits it to this server when
//! `ADDIN_ALLOWED_TENANTS` is `*`, so that a tenant is recorded only on proof that one of its
//! administrators consented.
//!
//! 1. An administrator of the organisation, signed in to the add-in, asks
//!    `GET /v1/admin-consent/url`. The token must be valid and carry, in `wids`, a directory
//!    role that may grant tenant-wide consent ([`CONSENT_ROLES`]); the tenant is the token's
//!    own (a `?tenant=` naming another is refused). The answer is Entra ID's admin-consent page
//!    for this app and that tenant, with a random `state` the server keeps for fifteen minutes,
//!    bound to that tenant and that administrator.
//! 2. The administrator grants consent; Entra ID sends the browser back to
//!    `/v1/admin-consent/callback` with `admin_consent=True`, the tenant and the state.
//! 3. The server takes the state (it works once), checks that it was made for that tenant, and
//!    admits the tenant, recording who asked and when, with an audit record (action
//!    `consent`), in one transaction; its users' tokens are accepted from then on.
//!
//! Entra ID does not sign that redirect, so what proves consent is the state: only an
//! administrator of the tenant, by a token Entra issued, can have obtained it. Anyone else
//! (no token, another tenant's token, a user without such a role) gets no state, and a made-up
//! or reused one records nothing. `addin-server tenants remove` and
//! `DELETE /v1/admin/tenant` take a tenant out again, effective at the next request, tokens
//! already validated included. A listed tenant (`ADDIN_ALLOWED_TENANTS=<ids>`) needs none of
//! this and is the safer setting where the organisations are known in advance.
//!
//! The routes are [`crate::http::consent`]'s.

use std::time::Duration;

use addin_wasm::protocol::account::ConsentLink;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::audit::{Action, Actor, Event};
use crate::auth::token::is_guid;
use crate::auth::Principal;
use crate::clock;
use crate::config::Config;
use crate::store::{Store, StoreError, Write};

/// How long a consent link stays usable.
pub const STATE_TTL: Duration = Duration::from_secs(15 * 60);

/// Where Entra ID sends the administrator back.
pub const CALLBACK_PATH: &str = "/v1/admin-consent/callback";

/// What consent links are made of.
#[derive(Debug, Clone)]
pub struct ConsentLinks {
    /// `ADDIN_AUTHORITY`.
    pub authority: String,
    /// `ADDIN_CLIENT_ID`.
    pub client_id: String,
    /// `ADDIN_PUBLIC_URL`.
    pub public_url: String,
    /// The application ID URI, `api://{host}/{client id}`.
    pub app_id_uri: String,
}

impl ConsentLinks {
    /// The links for `config`, or `None` when it names no client id.
    pub fn from_config(config: &Config) -> Option<ConsentLinks> {
        let client_id = config.client_id.clone()?;
        Some(ConsentLinks {
            authority: config.authority.clone(),
            app_id_uri: config.public_url.app_id_uri(&client_id),
            client_id,
            public_url: config.public_url.as_str().to_owned(),
        })
    }

    /// The admin-consent link for `tenant`, carrying `state`.
    pub fn url(&self, tenant: &str, state: &str) -> String {
        let scope = format!("{}/.default", self.app_id_uri);
        let redirect = format!("{}{CALLBACK_PATH}", self.public_url);
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.client_id)
            .append_pair("scope", &scope)
            .append_pair("redirect_uri", &redirect)
            .append_pair("state", state)
            .finish();
        format!("{}/{tenant}/v2.0/adminconsent?{query}", self.authority)
    }
}

/// The directory roles (`wids`, role template ids) that may grant tenant-wide admin consent to
/// an API's delegated permissions: Global Administrator, Privileged Role Administrator, Cloud
/// Application Administrator and Application Administrator.
pub const CONSENT_ROLES: [&str; 4] = [
    "62e90394-69f5-4237-9190-012177145e10",
    "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "158c047a-c907-4556-b7ef-446551a6b5f7",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
];

/// Why a step of admin consent was refused; each says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConsentError {
    /// The server has no client id.
    #[error(
        "this server is not configured for sign-in: its administrator must set ADDIN_CLIENT_ID"
    )]
    NotConfigured,
    /// The server admits organisations by its configuration instead.
    #[error("this server admits organisations by its configuration (ADDIN_ALLOWED_TENANTS), not by admin consent; ask its administrator to add your tenant id there")]
    NotUsed,
    /// `?tenant=` is not a tenant id.
    #[error("pass ?tenant= with your organisation's tenant id (a GUID, shown in the Microsoft Entra admin center under Overview), or leave it out")]
    InvalidTenant,
    /// `?tenant=` names another tenant than the caller's.
    #[error("you are signed in to organisation {signed_in}, not {asked}; an administrator of that organisation must sign in and ask for its link")]
    OtherTenant {
        /// The caller's tenant.
        signed_in: String,
        /// The tenant asked for.
        asked: String,
    },
    /// The caller holds no directory role that may grant tenant-wide consent.
    #[error("granting admin consent needs one of the Entra ID roles Global Administrator, Privileged Role Administrator, Cloud Application Administrator or Application Administrator; ask someone who holds one to sign in (if you do, the app registration must emit directory roles: see the deployment guide)")]
    NotAnAdministrator,
    /// The state is unknown, expired or used.
    #[error("this consent link has expired or was already used; sign in as an administrator and ask for a new one at /v1/admin-consent/url")]
    InvalidState,
    /// Entra ID reports that the administrator did not consent.
    #[error(
        "the administrator did not grant consent ({error}: {description}); nothing was recorded"
    )]
    Declined {
        /// Entra ID's error code.
        error: String,
        /// Its description.
        description: String,
    },
    /// Entra ID's answer does not say consent was granted.
    #[error("Entra ID did not report admin consent; nothing was recorded")]
    NotReported,
    /// Consent was granted for another tenant than the link was made for.
    #[error("the consent was granted for another organisation than the link was made for; nothing was recorded, ask for a link for that organisation")]
    WrongTenant,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The system's random generator failed.
    #[error("the system's random number generator failed: {0}")]
    Random(String),
}

/// What Entra ID sends back to the callback.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Answer {
    /// `True` when consent was granted.
    pub admin_consent: Option<String>,
    /// The tenant.
    pub tenant: Option<String>,
    /// The state of the link.
    pub state: Option<String>,
    /// Entra ID's error code, when consent was not granted.
    pub error: Option<String>,
    /// Its description.
    pub error_description: Option<String>,
}

impl ConsentLinks {
    /// Checks that `admin` may ask for a link for `asked` (their own tenant, or none named):
    /// one of [`CONSENT_ROLES`] in their token.
    pub fn authorize(&self, admin: &Principal, asked: Option<&str>) -> Result<(), ConsentError> {
        if let Some(tenant) = asked {
            let tenant = tenant.to_ascii_lowercase();
            if !is_guid(&tenant) {
                return Err(ConsentError::InvalidTenant);
            }
            if tenant != admin.tenant_id {
                return Err(ConsentError::OtherTenant {
                    signed_in: admin.tenant_id.clone(),
                    asked: tenant,
                });
            }
        }
        if !admin
            .directory_roles
            .iter()
            .any(|role| CONSENT_ROLES.contains(&role.as_str()))
        {
            return Err(ConsentError::NotAnAdministrator);
        }
        Ok(())
    }

    /// Issues a link for `admin`'s tenant at `now_s` (Unix seconds): a random state, kept for
    /// [`STATE_TTL`], bound to that tenant and that administrator.
    pub async fn issue(
        &self,
        store: &Store,
        admin: &Principal,
        now_s: i64,
    ) -> Result<ConsentLink, ConsentError> {
        let mut random = [0u8; 32];
        getrandom::getrandom(&mut random).map_err(|e| ConsentError::Random(e.to_string()))?;
        let secret = URL_SAFE_NO_PAD.encode(random);
        store
            .create_consent_state(
                &secret,
                &admin.tenant_id,
                &admin.object_id,
                &admin.username.to_lowercase(),
                now_s + STATE_TTL.as_secs() as i64,
                now_s,
            )
            .await?;
        tracing::info!(target: "admin", tenant = %admin.tenant_id, oid = %admin.object_id, "admin consent link issued");
        Ok(ConsentLink {
            url: self.url(&admin.tenant_id, &secret),
            tenant_id: admin.tenant_id.clone(),
            expires_in_seconds: STATE_TTL.as_secs(),
        })
    }
}

/// Admits the tenant Entra ID's `answer` names, at `now_ms`, when its state is one this server
/// issued for that tenant (it works once): with who asked and when, and a `consent` record, in
/// one transaction. Returns the tenant.
pub async fn accept(store: &Store, answer: &Answer, now_ms: i64) -> Result<String, ConsentError> {
    let secret = answer.state.as_deref().ok_or(ConsentError::InvalidState)?;
    let bound = store
        .take_consent_state(secret, now_ms / 1000)
        .await?
        .ok_or(ConsentError::InvalidState)?;
    if let Some(error) = &answer.error {
        return Err(ConsentError::Declined {
            error: error.clone(),
            description: answer
                .error_description
                .clone()
                .unwrap_or_else(|| "no description".into()),
        });
    }
    if answer.admin_consent.as_deref() != Some("True") {
        return Err(ConsentError::NotReported);
    }
    let tenant = answer.tenant.as_deref().map(str::to_ascii_lowercase);
    if tenant.as_deref() != Some(bound.tenant_id.as_str()) {
        return Err(ConsentError::WrongTenant);
    }
    let audit = Event {
        at_ms: now_ms,
        action: Action::Consent,
        actor: Actor {
            tenant_id: bound.tenant_id.clone(),
            object_id: bound.object_id.clone(),
            username: bound.username.clone(),
        },
        key_id: None,
        key_tenant: Some(bound.tenant_id.clone()),
        reason: None,
        detail: None,
    };
    store
        .write(vec![Write::AdmitTenant {
            tenant_id: bound.tenant_id.clone(),
            object_id: bound.object_id.clone(),
            at: clock::rfc3339_ms(now_ms),
            audit,
        }])
        .await?;
    tracing::info!(target: "admin", tenant = %bound.tenant_id, by = %bound.object_id, "admin consent recorded");
    Ok(bound.tenant_id)
}
