-- Store-wide leases, so two relays (or a relay and `crmsync import`) on one database never
-- run the same job at once; a lease a crashed holder left expires on its own.
CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
);
