-- The organisation's policy (passcodes, outside domains, replies), per tenant, every version
-- kept: the highest version of a tenant is the one in force. A tenant without a row has the
-- default policy. The SQLite migration of the same number has the same table.
CREATE TABLE policies (
    tenant_id  TEXT NOT NULL,
    version    BIGINT NOT NULL,               -- 1, 2, 3... per tenant
    document   TEXT NOT NULL,                 -- the policy as JSON, validated, canonical
    created_at BIGINT NOT NULL,               -- Unix seconds
    created_by TEXT NOT NULL,                 -- user name of the admin, or the command
    PRIMARY KEY (tenant_id, version)
);
