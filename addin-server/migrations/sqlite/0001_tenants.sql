-- Tenants whose administrator granted admin consent (used when ADDIN_ALLOWED_TENANTS is "*").
CREATE TABLE tenants (
    tenant_id    TEXT PRIMARY KEY NOT NULL,  -- lowercase GUID
    consented_at TEXT NOT NULL,              -- RFC 3339, UTC
    consented_by TEXT                        -- object id of the consenting admin, when known
);
