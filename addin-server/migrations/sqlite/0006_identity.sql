-- Issue 19: consent bound to the administrator who asked for it, and the identity rule.

-- Who asked for a consent link: the state is usable only for consent by that user's tenant,
-- and the tenant's record says who consented.
ALTER TABLE consent_states ADD COLUMN object_id TEXT;
ALTER TABLE consent_states ADD COLUMN actor_name TEXT;

-- Which tenant owns a domain, learnt from the addresses (UPN, verified email) of its members'
-- tokens: an address of a known domain presented by another tenant matches nothing.
CREATE TABLE domain_tenants (
    domain     TEXT PRIMARY KEY NOT NULL,  -- lowercase
    tenant_id  TEXT NOT NULL,              -- lowercase GUID
    learned_at INTEGER NOT NULL            -- Unix seconds
);

-- Who an address belongs to: the first (tenant, object id) that presented it. A later user with
-- the same address (a renamed account's old name) does not match it.
CREATE TABLE address_bindings (
    address   TEXT PRIMARY KEY NOT NULL,   -- lowercase
    tenant_id TEXT NOT NULL,
    object_id TEXT NOT NULL,
    bound_at  INTEGER NOT NULL             -- Unix seconds
);
