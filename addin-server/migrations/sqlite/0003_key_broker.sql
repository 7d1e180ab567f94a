-- The key broker: master key versions, data keys (stored only wrapped), who may unwrap them,
-- and the hash-chained audit log. The PostgreSQL migration of the same number has the same
-- tables and columns.

-- Versions of the master key-encryption key. The keys live in the master key file, never here;
-- the check value (HMAC-SHA256 of a fixed text under the key) proves the file matches.
CREATE TABLE master_keys (
    version     INTEGER PRIMARY KEY NOT NULL,
    check_value BLOB NOT NULL,
    created_at  INTEGER NOT NULL,            -- Unix seconds
    retired_at  INTEGER                      -- set by `addin-server keys retire-master`
);

CREATE TABLE data_keys (
    key_id         TEXT PRIMARY KEY NOT NULL,  -- 128 random bits, base64url
    tenant_id      TEXT NOT NULL,              -- the owner's tenant
    owner_oid      TEXT NOT NULL,
    owner_name     TEXT NOT NULL,              -- the owner's user name, lowercase
    whole_tenant   INTEGER NOT NULL,           -- 1: everyone in tenant_id is a recipient
    label          TEXT,
    doc_id         TEXT,
    created_at     INTEGER NOT NULL,           -- Unix seconds
    updated_at     INTEGER NOT NULL,
    expires_at     INTEGER,
    revoked_at     INTEGER,
    master_version INTEGER NOT NULL REFERENCES master_keys (version),
    wrapped        BLOB NOT NULL               -- nonce, AES-256-GCM(tenant KEK, data key), tag
);
CREATE INDEX data_keys_by_owner ON data_keys (tenant_id, owner_oid, created_at, key_id);
CREATE INDEX data_keys_by_master ON data_keys (master_version);

CREATE TABLE key_recipients (
    key_id    TEXT NOT NULL REFERENCES data_keys (key_id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,                   -- user principal name or email, lowercase
    PRIMARY KEY (key_id, recipient)
);

-- Append-only: each record's hash covers its content and the previous record's hash.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY NOT NULL,  -- 1, 2, 3... without gaps
    at           INTEGER NOT NULL,              -- Unix milliseconds
    action       TEXT NOT NULL,
    actor_tenant TEXT NOT NULL,
    actor_oid    TEXT NOT NULL,
    actor_name   TEXT NOT NULL,
    key_id       TEXT,
    key_tenant   TEXT,
    reason       TEXT,
    detail       TEXT,
    prev_hash    BLOB NOT NULL,
    hash         BLOB NOT NULL
);
CREATE INDEX audit_by_key_tenant ON audit_log (key_tenant, seq);
CREATE INDEX audit_by_actor ON audit_log (actor_tenant, seq);
CREATE INDEX audit_by_key ON audit_log (key_id, seq);

-- The last record's number and hash, updated with every append: it detects records deleted
-- from the end, and locking it serialises appends across servers.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
