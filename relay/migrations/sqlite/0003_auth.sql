-- How the connection was made (client_credentials, jwt, web_server): it decides how an
-- expired session is renewed.
ALTER TABLE connection ADD COLUMN auth_flow TEXT NOT NULL DEFAULT 'client_credentials';

-- Browser sessions issued by the relay after a Salesforce login (admin console today;
-- reps' extension sessions use the same table with another kind). Only a SHA-256 of the
-- token is stored.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    username TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL
);
