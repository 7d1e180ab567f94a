//! `addin-server dictionary import FILE` and `dictionary export`: an organisation's dictionary
//! from and to files, for admins who keep it under version control or in a spreadsheet.
//!
//! Import takes the dictionary document (JSON), or CSV entries (see [`super::csv`]) that replace
//! the entries of the current dictionary and keep its categories; it is validated and audited
//! like a publication from the API. Export writes the current document, or its entries as CSV.

use std::path::Path;

use addin_wasm::scan::Dictionary;

use super::{DictionaryError, Published};
use crate::audit::Actor;
use crate::config::{AllowedTenants, Config};
use crate::store::Store;

/// Why a dictionary command failed: a message for the admin.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The tenant could not be determined.
    #[error("{0}")]
    Tenant(String),
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The dictionary was refused.
    #[error(transparent)]
    Dictionary(#[from] DictionaryError),
}

/// The tenant a command works on: `--tenant`, or the only allowed tenant.
pub fn tenant(config: &Config, given: Option<&str>) -> Result<String, CommandError> {
    match (given, &config.allowed_tenants) {
        (Some(t), _) => Ok(t.trim().to_lowercase()),
        (None, AllowedTenants::List(ids)) if ids.len() == 1 => Ok(ids[0].clone()),
        _ => Err(CommandError::Tenant(
            "name the organisation with --tenant <tenant id> (ADDIN_ALLOWED_TENANTS does not name exactly one)".into(),
        )),
    }
}

/// Imports `file` (JSON, or CSV when its name ends in `.csv`) as the tenant's next version.
pub async fn import(
    store: &Store,
    tenant_id: &str,
    file: &Path,
) -> Result<Published, CommandError> {
    let text = std::fs::read_to_string(file).map_err(|source| CommandError::Read {
        path: file.display().to_string(),
        source,
    })?;
    let is_csv = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    // CSV entries go into the current version's categories: publish only over that version.
    let (json, based_on) = if is_csv {
        let current = super::current(store, tenant_id).await?;
        let mut dictionary = Dictionary::from_json(&current.document)
            .map_err(|e| DictionaryError::Invalid(e.problems().to_vec()))?;
        dictionary.entries = super::csv::parse(&text)?;
        (dictionary.to_json(), Some(current.version))
    } else {
        (text, None)
    };
    Ok(super::publish(
        store,
        tenant_id,
        &json,
        based_on,
        Actor::system("dictionary import"),
        crate::clock::now_ms(),
    )
    .await?)
}

/// The tenant's current dictionary: the document, or its entries as CSV.
pub async fn export(store: &Store, tenant_id: &str, csv: bool) -> Result<String, CommandError> {
    let current = super::current(store, tenant_id).await?;
    if !csv {
        let pretty = serde_json::from_str::<serde_json::Value>(&current.document)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or(current.document);
        return Ok(pretty + "\n");
    }
    let dictionary = Dictionary::from_json(&current.document)
        .map_err(|e| DictionaryError::Invalid(e.problems().to_vec()))?;
    Ok(super::csv::write(&dictionary.entries))
}
