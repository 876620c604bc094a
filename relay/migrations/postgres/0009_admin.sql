-- The org's admins besides configured ones (CRMSYNC_ADMIN_USERNAMES): whoever connected
-- the org in the console, and users other admins made admins.
CREATE TABLE admins (
    user_id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at_ms BIGINT NOT NULL
);

-- Every admin action: who, what, when.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);

-- A seat given by a role grant names the role (NULL: by hand); the last sign-in is
-- stamped by the rep's login.
ALTER TABLE seats ADD COLUMN role_grant TEXT;
ALTER TABLE seats ADD COLUMN last_sign_in_ms BIGINT;

-- Salesforce API usage as the import saw it, one sample per day (the last of the day).
CREATE TABLE api_usage (
    day TEXT PRIMARY KEY,
    used BIGINT NOT NULL,
    max BIGINT NOT NULL
);
