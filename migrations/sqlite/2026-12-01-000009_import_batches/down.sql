DROP INDEX requests_importing;
DROP INDEX listings_importing;
ALTER TABLE requests DROP COLUMN import_id;
ALTER TABLE listings DROP COLUMN import_id;
DROP TABLE imports;
