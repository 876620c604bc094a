-- Imported CRM rows (see the SQLite migration of the same number for the design).
CREATE TABLE crm_records (
    object TEXT NOT NULL,
    id TEXT NOT NULL,
    fields TEXT NOT NULL,
    system_modstamp TEXT NOT NULL,
    seen_run BIGINT NOT NULL,
    PRIMARY KEY (object, id)
);

CREATE TABLE sync_state (
    object TEXT PRIMARY KEY,
    watermark TEXT,
    last_sync_at_ms BIGINT,
    missing_fields TEXT NOT NULL DEFAULT ''
);

CREATE TABLE sync_runs (
    id BIGSERIAL PRIMARY KEY,
    started_at_ms BIGINT NOT NULL,
    finished_at_ms BIGINT,
    full_import BOOLEAN NOT NULL,
    report TEXT
);
