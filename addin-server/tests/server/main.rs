//! The server's integration tests, in one binary: through the router with a real OpenID
//! provider's tokens (`auth`, `broker`, `dictionary`, `identity`, `limits`, `policy`), and against the
//! real `addin-server` binary (`cli`, `crash`, `transport`), on SQLite and on PostgreSQL.
//! `support` holds what they share.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

mod auth;
mod broker;
mod cli;
mod crash;
mod dictionary;
mod identity;
mod limits;
mod mail;
mod passcodes;
mod policy;
mod transport;
