-- Imported CRM rows: one table for the seven objects, fields as a JSON object (API name →
-- value or null, as Bulk API 2.0 returned them). `seen_run` marks the import run that last
-- saw the row, so a full import can drop rows the org no longer has, crash-safely.
CREATE TABLE crm_records (
    object TEXT NOT NULL,
    id TEXT NOT NULL,
    fields TEXT NOT NULL,
    system_modstamp TEXT NOT NULL,
    seen_run INTEGER NOT NULL,
    PRIMARY KEY (object, id)
);

-- Per object: the incremental watermark (max SystemModstamp imported) and the last sync.
CREATE TABLE sync_state (
    object TEXT PRIMARY KEY,
    watermark TEXT,
    last_sync_at_ms INTEGER,
    missing_fields TEXT NOT NULL DEFAULT ''
);

-- The sync log: one row per import run, its report as JSON.
CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at_ms INTEGER NOT NULL,
    finished_at_ms INTEGER,
    full_import INTEGER NOT NULL,
    report TEXT
);
