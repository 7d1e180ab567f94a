//! One-time passcodes for people outside the organisations (`/v1/passcodes...`): the reader page
//! asks for a code for an address and the keys it wants to open, the server mails the code when
//! (and only when) one of those keys names that address and its organisation's policy allows
//! passcodes, and a correct code gives a short session that opens only keys naming that address.
//!
//! The answer to a request is the same whether or not a code was sent, so that the page cannot
//! be used to learn who may read.

use serde::{Deserialize, Serialize};

/// Digits in a passcode.
pub const CODE_DIGITS: usize = 8;
/// Wrong entries for one address before it is locked.
pub const MAX_WRONG_ENTRIES: u32 = 5;
/// How long a locked address stays locked, in minutes.
pub const LOCKOUT_MINUTES: u32 = 15;
/// How long a reader session lasts, in minutes.
pub const SESSION_MINUTES: u32 = 60;

/// The longest link to the reader page that mail programs pass on unbroken.
pub const MAX_READER_LINK: usize = 2000;

/// The link to the reader page of the server at `origin` carrying `envelope` in its fragment
/// (which browsers never send to a server), or `None` when it would be longer than
/// [`MAX_READER_LINK`]: the notice of a protected message, from the add-in or the server, then
/// keeps only the envelope.
///
/// ```
/// use addin_wasm::protocol::passcodes::reader_link;
/// assert_eq!(reader_link("https://tg.example", "eyJ.x").as_deref(), Some("https://tg.example/read#m=eyJ.x"));
/// assert_eq!(reader_link("https://tg.example", &"a".repeat(2000)), None);
/// ```
pub fn reader_link(origin: &str, envelope: &str) -> Option<String> {
    let link = format!("{}/read#m={envelope}", origin.trim_end_matches('/'));
    (link.len() <= MAX_READER_LINK).then_some(link)
}

/// `POST /v1/passcodes`: a code for `address`, to open `key_ids`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasscodeRequest {
    /// The reader's email address.
    pub address: String,
    /// The keys of the protected text the reader has (the envelopes' `kid`s), at most
    /// [`super::MAX_UNWRAP`].
    pub key_ids: Vec<String>,
    /// The language of the mail (`en`, `fr`); English by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// The answer of `POST /v1/passcodes`, the same whether or not a code was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PasscodeChallenge {
    /// What the page sends back with the code: it binds the code to this page.
    pub challenge: String,
    /// A short reference the page shows and the mail repeats, so the reader knows which mail
    /// goes with which page.
    pub reference: String,
    /// How long the code works.
    pub expires_in_seconds: u64,
}

/// `POST /v1/passcodes/verify`: the code the reader typed, for the page's challenge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasscodeEntry {
    /// The challenge of [`PasscodeChallenge`].
    pub challenge: String,
    /// The code from the mail ([`CODE_DIGITS`] digits; spaces are ignored).
    pub code: String,
}

/// The answer of a correct code: a reader session for `POST /v1/passcodes/unwrap`, sent as
/// `Authorization: Bearer {token}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReaderSession {
    /// The session's bearer token.
    pub token: String,
    /// The address it stands for.
    pub address: String,
    /// How long it lasts.
    pub expires_in_seconds: u64,
}

/// `POST /v1/recipients/check`: how each of these people would read what the caller protects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecipientsCheck {
    /// The addresses, at most [`super::MAX_RECIPIENTS`].
    pub recipients: Vec<String>,
}

/// How one recipient would read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum ReadsWith {
    /// Signing in with their organisation's account (an organisation of this server).
    SignIn,
    /// A one-time passcode by email, on the reader page.
    Passcode,
    /// They could not read it; `reason` says why.
    Nothing,
}

/// The answer for one recipient of a [`RecipientsCheck`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RecipientReading {
    /// The address, as it will be stored (lowercase).
    pub address: String,
    /// How they would read.
    pub reads_with: ReadsWith,
    /// Why they could not, when `reads_with` is `nothing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<CannotRead>,
    /// The same in words (English), with what would change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Why a recipient could not read, as a code the clients put in their own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CannotRead {
    /// Not an email address.
    NotAnAddress,
    /// The server sends no passcodes, and their organisation does not use it.
    PasscodesOff,
    /// The sender's organisation's policy turns passcodes off.
    PolicyOff,
    /// The policy allows passcodes for other domains only.
    DomainNotAllowed,
}

/// The answer of `POST /v1/recipients/check`, in the order asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecipientsReading {
    /// One per address asked.
    pub recipients: Vec<RecipientReading>,
}

/// `POST /v1/passcodes/reply-key`: a key for a protected reply to the message whose key is
/// `reply_to`, readable by its sender and its other named recipients.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplyKeyRequest {
    /// The key id of the message read.
    pub reply_to: String,
}

/// `POST /v1/passcodes/reply`: mail the reply encrypted in the page under the reply key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplyMail {
    /// The reply key's id.
    pub key_id: String,
    /// The reply, as an envelope under that key (the server never sees the text).
    pub envelope: String,
    /// The language of the mail's notice (`en`, `fr`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// The answer of `POST /v1/passcodes/reply`: who the reply went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplySent {
    /// The addresses mailed.
    pub to: Vec<String>,
}
