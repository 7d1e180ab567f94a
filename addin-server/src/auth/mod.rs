//! Who is calling: Entra ID access tokens for this server's API.
//!
//! The add-in gets a token through Office SSO (or nested app authentication) and sends it as
//! `Authorization: Bearer ...`. Handlers that need a user take a [`Principal`] argument; the
//! extractor ([`crate::http::caller`]) validates the token with the [`Validator`] in the
//! application state, following Microsoft.Identity.Web's rules:
//!
//! 1. at most [`MAX_TOKEN_BYTES`](token::MAX_TOKEN_BYTES); the header says RS256 (anything
//!    else, `none` and HMAC included, is refused before a key is looked at) and names a key id;
//! 2. the key is one of the authority's ([`keys`]); the signature verifies; `exp` and `nbf`
//!    hold within a minute of skew;
//! 3. `ver` is `2.0`; `iss` is `{authority}/{tid}/v2.0` with the token's own `tid`; `aud` is the
//!    client id or `api://{host}/{client id}`; `scp` includes `access_as_user`;
//! 4. the tenant is allowed ([`AllowedTenants`]).
//!
//! A token that passed is remembered until it expires ([`cache`]), so the same token sent again
//! costs a hash; its tenant is checked every time.
//!
//! Failures are answered by [`AuthError`]. Tokens are never logged.

pub mod cache;
mod error;
pub mod identity;
pub mod keys;
pub mod token;

pub use error::AuthError;
pub use keys::{KeyPolicy, SigningKeys};
pub use token::{NotAdmin, Principal, Validator, ADMIN_ROLE};

use std::sync::Arc;
use std::time::Duration;

use crate::config::{AllowedTenants, Config};
use crate::store::Store;

/// The HTTP client that fetches signing keys: rustls with the process's crypto provider (the
/// same aws-lc-rs as the server's TLS, installed here if it is not yet), ten-second timeout.
pub fn http_client() -> Result<reqwest::Client, String> {
    // Installing the provider when one is installed already fails harmlessly.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| format!("cannot create the HTTP client for the signing keys: {e}"))
}

/// The validator for `config`, or `None` when it names no client id. The signing keys come from
/// the metadata of the one allowed tenant, or of `common` otherwise (Entra signs every tenant's
/// tokens with the same keys).
pub fn validator(config: &Config, store: Store) -> Result<Option<Arc<Validator>>, String> {
    let Some(client_id) = &config.client_id else {
        return Ok(None);
    };
    let tenant = match &config.allowed_tenants {
        AllowedTenants::List(list) if list.len() == 1 => list[0].as_str(),
        _ => "common",
    };
    let metadata = format!(
        "{}/{tenant}/v2.0/.well-known/openid-configuration",
        config.authority
    );
    let keys = Arc::new(SigningKeys::new(
        metadata,
        http_client()?,
        KeyPolicy::default(),
    ));
    Ok(Some(Arc::new(Validator::new(
        keys,
        &config.authority,
        client_id,
        config.public_url.app_id_uri(client_id),
        config.allowed_tenants.clone(),
        store,
    ))))
}
