-- Records an incremental import deleted, with the run that deleted them: the browsers'
-- index deltas carry them (a full import makes browsers take a new snapshot instead).
CREATE TABLE crm_deletions (
    object TEXT NOT NULL,
    id TEXT NOT NULL,
    run BIGINT NOT NULL,
    PRIMARY KEY (object, id)
);
CREATE INDEX crm_deletions_run ON crm_deletions (run);
-- Rows an import run touched, found fast for deltas.
CREATE INDEX crm_records_seen_run ON crm_records (object, seen_run);
