-- Each insert into the audit log advances the chain's head to its last record in the same
-- statement, so the writer needs no statement of its own for it, and the head cannot fall behind
-- the log. The SQLite migration of the same number does the same per row.
CREATE FUNCTION audit_log_advance_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head h SET seq = last.seq, hash = last.hash
    FROM (SELECT seq, hash FROM appended ORDER BY seq DESC LIMIT 1) last
    WHERE h.id = 1 AND h.seq < last.seq;
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit_log_advance_head AFTER INSERT ON audit_log
REFERENCING NEW TABLE AS appended
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_advance_head();
