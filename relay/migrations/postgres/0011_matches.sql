-- The org-wide matcher's outcome per CRM record: linked (auto or manual) or only its best
-- free candidate (or none); `seq` is the match run that last changed the row (deltas). A
-- converted Lead folded onto its Contact stands as the Contact does (`folded_into`).
CREATE TABLE crm_matches (
    crm_id TEXT PRIMARY KEY,
    object TEXT NOT NULL,
    state TEXT NOT NULL,
    network_id TEXT,
    probability DOUBLE PRECISION NOT NULL,
    match_weight DOUBLE PRECISION NOT NULL,
    explanation TEXT NOT NULL,
    model_version BIGINT NOT NULL,
    matched_at_ms BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    folded_into TEXT
);
CREATE INDEX crm_matches_seq ON crm_matches (seq);

-- The parameters per entity (`person`, `company`), newest last: trained on the org's data,
-- or (`trained` 0) the spec's defaults sized to it while there is too little to train on.
CREATE TABLE match_models (
    version BIGSERIAL PRIMARY KEY,
    entity TEXT NOT NULL,
    params_json TEXT NOT NULL,
    trained BIGINT NOT NULL,
    trained_at_ms BIGINT NOT NULL,
    records BIGINT NOT NULL,
    profiles BIGINT NOT NULL
);

-- Every matching pass: what started it, what it cost, how many records were linked after.
CREATE TABLE match_runs (
    id BIGSERIAL PRIMARY KEY,
    started_at_ms BIGINT NOT NULL,
    finished_at_ms BIGINT,
    trigger TEXT NOT NULL,
    matched BIGINT NOT NULL DEFAULT 0,
    report_json TEXT NOT NULL DEFAULT '{}'
);
