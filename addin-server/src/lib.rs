//! The add-in's server: hosts the task pane and the manifests, validates Office tokens, brokers
//! data keys and keeps the audit log.
//!
//! Use this crate to embed the server in tests or another binary; the `addin-server` binary is a
//! thin command line over [`serve::run`]. The modules follow the flow of a start:
//!
//! - [`config`] reads and checks the `ADDIN_*` settings;
//! - [`tls`] loads the certificate or generates a development one;
//! - [`store`] opens and migrates the database (SQLite or PostgreSQL) and owns its one writer,
//!   which also reads the keys of unwraps, in the transaction that records their release;
//! - [`keyring`] holds the master key file, [`audit`] the audit log's MAC chain;
//! - [`manifest`] renders the Office manifests for this deployment, and [`sign_in`] tells the
//!   fallback sign-in dialog the app registration;
//! - [`auth`] validates Entra ID tokens and applies the identity rule ([`auth::identity`]);
//!   [`consent`] admits organisations on their administrators' consent, [`tenants`] removes
//!   them; [`broker`] creates and releases data keys; [`dictionary`] keeps each organisation's
//!   sensitive-text dictionary; [`limits`] holds the rate limits per client address and per
//!   user. None of these knows HTTP;
//! - [`http`] is the HTTP edge over them: the state, one router module per feature, the caller
//!   as an extractor, the one mapping of errors to JSON answers, and the layers around every
//!   response;
//! - [`transport`] caps connections and closes silent or slow ones; [`serve`] binds, serves
//!   and shuts down gracefully.
//!
//! [`clock`] is the one source of "now", [`etag`] of the ETags of what is served whole.
//! [`scan_command`] is the admin's `addin-server scan`, over the clients' own scanner; [`admin`]
//! the `migrate`, `keys`, `tenants`, `dictionary` and `audit` subcommands.
#![deny(missing_docs)]

pub mod admin;
pub mod audit;
pub mod auth;
pub mod broker;
pub mod clock;
pub mod config;
pub mod consent;
pub mod dictionary;
pub mod documents;
pub mod etag;
mod fsutil;
pub mod http;
pub mod keyring;
pub mod limits;
pub mod mail;
pub mod manifest;
pub mod passcodes;
pub mod policy;
pub mod scan_command;
pub mod serve;
pub mod sign_in;
pub mod store;
pub mod tenants;
pub mod tls;
pub mod transport;
