-- The org connection: one row. Tokens are AES-GCM sealed by the relay (never plain text).
CREATE TABLE connection (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    login_url TEXT NOT NULL,
    instance_url TEXT NOT NULL,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    username TEXT NOT NULL,
    api_version TEXT NOT NULL,
    access_token_sealed TEXT NOT NULL,
    refresh_token_sealed TEXT,
    connected_at_ms BIGINT NOT NULL
);
