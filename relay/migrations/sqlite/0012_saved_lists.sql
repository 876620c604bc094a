-- Saved lists: each rep's two automatic lists (ids `accounts` and `people`, no row here)
-- and the lists reps make (numbered).
CREATE TABLE saved_lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (user_id, name)
);

-- One saved record (or, saved by hand, a network profile or company not in the CRM: its
-- key is the network id). `source_key` is what saved it (an opportunity id, `owned`, or
-- `hand`); `run` the import that saved it (NULL by hand).
CREATE TABLE saved_entries (
    user_id TEXT NOT NULL,
    list_id TEXT NOT NULL,
    entry_key TEXT NOT NULL,
    object TEXT NOT NULL,
    name TEXT NOT NULL,
    network_id TEXT,
    reason TEXT NOT NULL,
    source_key TEXT NOT NULL,
    saved_at_ms INTEGER NOT NULL,
    run INTEGER,
    PRIMARY KEY (user_id, list_id, entry_key)
);

-- Entries a rep removed by hand, per source that had saved them: the rules do not save
-- them again for that source.
CREATE TABLE saved_removals (
    user_id TEXT NOT NULL,
    list_id TEXT NOT NULL,
    entry_key TEXT NOT NULL,
    source_key TEXT NOT NULL,
    removed_at_ms INTEGER NOT NULL,
    PRIMARY KEY (user_id, list_id, entry_key, source_key)
);

-- Each rep's auto-save switch (an admin's) and accounts rule (the rep's own).
CREATE TABLE autosave_users (
    user_id TEXT PRIMARY KEY,
    enabled INTEGER NOT NULL DEFAULT 1,
    accounts_rule TEXT NOT NULL DEFAULT 'open_opportunities',
    updated_at_ms INTEGER NOT NULL
);

-- Alerts on saved people: a newer observation of the profile shows a new company, title
-- or location.
CREATE TABLE list_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    crm_id TEXT NOT NULL,
    network_id TEXT NOT NULL,
    field TEXT NOT NULL,
    crm_value TEXT NOT NULL,
    network_value TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    read_at_ms INTEGER
);
CREATE INDEX list_alerts_user ON list_alerts (user_id, id);
