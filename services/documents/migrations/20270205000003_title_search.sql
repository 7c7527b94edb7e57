-- Title search finds any part of a title (E1) without reading every row of
-- a tenant with 100 000 documents: a trigram index on the lower-cased title,
-- used by `lower(title) LIKE '%…%'`.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX documents_title_trigrams ON documents USING gin (lower(title) gin_trgm_ops);
