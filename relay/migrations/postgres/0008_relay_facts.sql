-- Facts about the relay itself that outlive one connection: the org the stored data
-- belongs to (a reconnect to another org is refused until a disconnect with clean-up)
-- and the sealed one-time setup code that the first connect from the console needs.
CREATE TABLE relay_facts (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
