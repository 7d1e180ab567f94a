-- Pending admin-consent requests: the state sent to Entra ID with the consent link, bound to the
-- tenant it was made for, single use, short-lived.
CREATE TABLE consent_states (
    state      TEXT PRIMARY KEY NOT NULL,  -- 32 random bytes, base64url
    tenant_id  TEXT NOT NULL,              -- lowercase GUID
    expires_at BIGINT NOT NULL             -- Unix seconds
);
