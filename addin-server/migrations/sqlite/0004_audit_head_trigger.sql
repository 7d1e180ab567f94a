-- Each appended audit record advances the chain's head in the statement that inserts it, so the
-- writer needs no statement of its own for it, and the head cannot fall behind the log.
CREATE TRIGGER audit_log_advance_head AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1 AND seq < NEW.seq;
END;
