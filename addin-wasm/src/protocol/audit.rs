//! What admins read of the audit log (`/v1/admin/audit`, `/v1/admin/stats`): the actions
//! recorded, who did them, and the counts per user.

use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// A data key was created.
    Create,
    /// A data key was released to a caller.
    Release,
    /// A data key was refused to a caller (the record's `reason` says why).
    Deny,
    /// A key's recipients or expiry changed.
    Policy,
    /// A key was revoked.
    Revoke,
    /// Data keys were rewrapped under a new master key version.
    Rotate,
    /// An organisation's sensitive-text dictionary was replaced (the record's `detail` gives
    /// the new version).
    Dictionary,
    /// An organisation was admitted by its administrator's consent.
    Consent,
    /// An admitted organisation was removed.
    TenantRemoved,
    /// An organisation's policy was replaced (the record's `detail` gives the new version).
    OrgPolicy,
    /// A one-time passcode was mailed to an outside reader (actor `otp:<address>`).
    PasscodeSent,
    /// A passcode was asked for and not sent (the record's `reason` says why); the reader was
    /// answered as if it had been.
    PasscodeRefused,
    /// A wrong passcode was entered.
    PasscodeWrong,
    /// Too many wrong passcodes: the address is locked for a while.
    PasscodeLocked,
    /// A correct passcode started a reader session.
    PasscodeAccepted,
    /// A passcode reader mailed a protected reply (the record's `detail` counts its recipients).
    OutsideReply,
}

impl Action {
    /// Every action, for parsing.
    pub const ALL: [Action; 16] = [
        Action::Create,
        Action::Release,
        Action::Deny,
        Action::Policy,
        Action::Revoke,
        Action::Rotate,
        Action::Dictionary,
        Action::Consent,
        Action::TenantRemoved,
        Action::OrgPolicy,
        Action::PasscodeSent,
        Action::PasscodeRefused,
        Action::PasscodeWrong,
        Action::PasscodeLocked,
        Action::PasscodeAccepted,
        Action::OutsideReply,
    ];

    /// The name stored and shown (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Release => "release",
            Action::Deny => "deny",
            Action::Policy => "policy",
            Action::Revoke => "revoke",
            Action::Rotate => "rotate",
            Action::Dictionary => "dictionary",
            Action::Consent => "consent",
            Action::TenantRemoved => "tenantRemoved",
            Action::OrgPolicy => "orgPolicy",
            Action::PasscodeSent => "passcodeSent",
            Action::PasscodeRefused => "passcodeRefused",
            Action::PasscodeWrong => "passcodeWrong",
            Action::PasscodeLocked => "passcodeLocked",
            Action::PasscodeAccepted => "passcodeAccepted",
            Action::OutsideReply => "outsideReply",
        }
    }

    /// The action named `name`, if any.
    ///
    /// ```
    /// use addin_wasm::protocol::audit::Action;
    /// for a in Action::ALL {
    ///     assert_eq!(Action::parse(a.as_str()), Some(a));
    ///     assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{}\"", a.as_str()));
    /// }
    /// ```
    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// Who did it: a signed-in user, or the server's own command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// The user's tenant, or `system` for the command line.
    pub tenant_id: String,
    /// The user's object id, or `system`.
    pub object_id: String,
    /// The user's name, or the command that acted.
    pub username: String,
}

impl Actor {
    /// The server's command line, e.g. `addin-server keys rotate-master`.
    pub fn system(command: &str) -> Actor {
        Actor {
            tenant_id: "system".into(),
            object_id: "system".into(),
            username: command.into(),
        }
    }
}

/// One record of the audit log, as admins read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// Its place in the chain (newer records have larger numbers).
    pub seq: i64,
    /// When, RFC 3339 with milliseconds.
    pub at: String,
    /// What happened.
    pub action: Action,
    /// Who did it.
    pub actor: Actor,
    /// The data key concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// Why a key was refused, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What else the action recorded (a count, a version, recipients changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

/// What one user did over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserStats {
    /// The user name.
    pub user: String,
    /// Keys created.
    pub keys_created: i64,
    /// Keys released to them.
    pub releases: i64,
    /// Keys refused to them.
    pub denials: i64,
    /// Policy changes and revocations they made.
    pub policy_changes: i64,
}

/// The answer of `GET /v1/admin/stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// The period's start, RFC 3339.
    pub from: String,
    /// Its end (exclusive), RFC 3339.
    pub to: String,
    /// Each user who did something, by name.
    pub users: Vec<UserStats>,
}

/// The query of `GET /v1/admin/audit`: which records, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this actor's records (user name, any case).
    pub user: Option<String>,
    /// Only this key's.
    pub key_id: Option<String>,
    /// Only this action's (its name, as [`Action::as_str`]).
    pub action: Option<String>,
    /// From this time (RFC 3339).
    pub from: Option<String>,
    /// Until this time (RFC 3339, exclusive).
    pub to: Option<String>,
    /// 1 to [`super::MAX_PAGE`], [`super::DEFAULT_PAGE`] by default.
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// The query of `GET /v1/admin/stats`: the period, by default the 30 days before now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatsQuery {
    /// From this time (RFC 3339).
    pub from: Option<String>,
    /// Until this time (RFC 3339, exclusive).
    pub to: Option<String>,
}
