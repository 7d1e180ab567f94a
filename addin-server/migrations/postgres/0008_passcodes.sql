-- One-time passcodes for readers outside the organisations, and the sessions they open. The
-- SQLite migration of the same number has the same tables. Nothing here is a secret by
-- itself: challenges and session tokens are stored as SHA-256 hashes, codes as HMACs under a
-- key derived from the master key file, so a copy of the database opens nothing.
CREATE TABLE passcode_challenges (
    challenge_hash TEXT PRIMARY KEY,           -- SHA-256 of the page's challenge, hex
    address        TEXT NOT NULL,              -- the reader's address, lowercase
    reference      TEXT NOT NULL,              -- shown on the page and in the mail
    tenant_id      TEXT,                       -- the keys' owner tenant, whose admins see the records
    code_mac       BYTEA NOT NULL,               -- HMAC of the code with the challenge
    sent           BIGINT NOT NULL,            -- 1 if the code was mailed; 0: nothing opens it
    used           BIGINT NOT NULL DEFAULT 0,  -- 1 once a correct code was entered
    expires_at     BIGINT NOT NULL,            -- Unix milliseconds
    created_at     BIGINT NOT NULL             -- Unix milliseconds
);
CREATE INDEX passcode_challenges_expiry ON passcode_challenges (expires_at);

-- Wrong entries per address, and the lock they lead to.
CREATE TABLE passcode_lockouts (
    address      TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,              -- wrong entries since window_start
    window_start BIGINT NOT NULL,              -- Unix milliseconds
    locked_until BIGINT NOT NULL               -- Unix milliseconds; 0 when not locked
);

CREATE TABLE reader_sessions (
    token_hash TEXT PRIMARY KEY,               -- SHA-256 of the bearer token, hex
    address    TEXT NOT NULL,
    expires_at BIGINT NOT NULL,                -- Unix milliseconds
    created_at BIGINT NOT NULL                 -- Unix milliseconds
);
CREATE INDEX reader_sessions_expiry ON reader_sessions (expires_at);
