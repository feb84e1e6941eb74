-- Imports in batches. The rows of an import are written in short transactions, so that other
-- writers are not held for the length of a large file (SQLite has one writer at a time), and
-- carry their batch in `import_id`: every read leaves out the rows of a batch listed in
-- `imports`, that is, still loading. The last transaction strikes the batch from `imports`,
-- which shows all its rows at once, so the import still appears all or nothing. A batch whose
-- loading stopped (a crash) is discarded later.

CREATE TABLE imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    rows_expected BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

ALTER TABLE listings ADD COLUMN import_id BIGINT;
ALTER TABLE requests ADD COLUMN import_id BIGINT;
CREATE INDEX listings_importing ON listings (import_id) WHERE import_id IS NOT NULL;
CREATE INDEX requests_importing ON requests (import_id) WHERE import_id IS NOT NULL;
