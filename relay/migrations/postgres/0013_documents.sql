-- Tracked document links reps share: a PDF (kept here) or a web address, for a lead or
-- contact. The link's token is stored only as its SHA-256 (for lookups) and sealed (so
-- the rep can copy the link again).
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    token_sealed TEXT NOT NULL,
    user_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT,
    content BYTEA,
    size BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT,
    revoked_at_ms BIGINT
);
CREATE INDEX documents_user ON documents (user_id, created_at_ms);

-- Each opening of a link: the time only (nothing about the viewer).
CREATE TABLE document_views (
    id BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL,
    viewed_at_ms BIGINT NOT NULL
);
CREATE INDEX document_views_document ON document_views (document_id, viewed_at_ms);
