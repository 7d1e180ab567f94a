-- The organisation's sensitive-text dictionary, per tenant, every version kept: the highest
-- version of a tenant is the one its Outlook clients use. A tenant without a row uses the
-- scanner's starter dictionary. The PostgreSQL migration of the same number has the same table.
CREATE TABLE dictionaries (
    tenant_id  TEXT NOT NULL,
    version    INTEGER NOT NULL,              -- 1, 2, 3... per tenant
    document   TEXT NOT NULL,                 -- the dictionary as JSON, validated, canonical
    created_at INTEGER NOT NULL,              -- Unix seconds
    created_by TEXT NOT NULL,                 -- user name of the admin, or the command
    PRIMARY KEY (tenant_id, version)
);
