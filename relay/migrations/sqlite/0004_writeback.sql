-- Seats: the Salesforce users who may sign in (managed with `crmsync seats` until seats
-- come from roles).
CREATE TABLE seats (
    user_id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    added_at_ms INTEGER NOT NULL
);

-- Activity write-back per user: the admin's switch and the user's own opt-ins (kinds,
-- comma-separated), each kept until changed.
CREATE TABLE writeback_users (
    user_id TEXT PRIMARY KEY,
    enabled INTEGER NOT NULL DEFAULT 0,
    kinds TEXT NOT NULL DEFAULT '',
    updated_at_ms INTEGER NOT NULL
);

-- Activities logged by reps, keyed by the client's UUID (also the external id on the
-- Salesforce Task). `state`: unassigned (no CRM target yet), pending, sending (a write is
-- in flight or its outcome unknown), written, failed (permanent; retried only on request).
CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    target TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL DEFAULT 0,
    sent_at_ms INTEGER,
    salesforce_id TEXT,
    error TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    written_at_ms INTEGER
);
CREATE INDEX activities_due ON activities (state, next_attempt_at_ms);
CREATE INDEX activities_of_user ON activities (user_id, created_at_ms);

-- Small org-level facts the relay learns once (write-back record type ids, …).
CREATE TABLE org_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
