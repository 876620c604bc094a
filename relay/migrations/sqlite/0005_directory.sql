-- The org-wide directory of network profiles and companies reps have seen (with their
-- consent) or uploaded: the latest observation per profile, and every change in
-- history (for change alerts).
CREATE TABLE network_profiles (
    network_id TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    url TEXT NOT NULL,
    name TEXT NOT NULL,
    headline TEXT NOT NULL,
    company TEXT NOT NULL,
    location TEXT NOT NULL,
    source TEXT NOT NULL,
    observed_by TEXT NOT NULL,
    observed_at_ms INTEGER NOT NULL
);
CREATE INDEX network_profiles_name ON network_profiles (lower(name));

CREATE TABLE network_profile_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    network_id TEXT NOT NULL,
    name TEXT NOT NULL,
    headline TEXT NOT NULL,
    company TEXT NOT NULL,
    location TEXT NOT NULL,
    observed_by TEXT NOT NULL,
    observed_at_ms INTEGER NOT NULL
);
CREATE INDEX network_profile_history_profile ON network_profile_history (network_id, id);

-- Users' matching decisions, org-wide and in the order made: match (or re-match),
-- not_match ("not this one") and unmatch. Later ones override earlier ones.
CREATE TABLE match_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    crm_id TEXT NOT NULL,
    network_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at_ms INTEGER NOT NULL
);
CREATE INDEX match_decisions_crm ON match_decisions (crm_id, id);
