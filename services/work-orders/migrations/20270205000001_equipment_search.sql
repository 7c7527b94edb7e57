-- Equipment search finds any part of the name, serial, kind, make or model
-- without reading every row of a site with 50 000 equipment: a trigram
-- index on the same lower-cased text the search reads, used by LIKE.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX equipment_search_trigrams ON equipment USING gin (
    lower(name || ' ' || serial_number || ' ' || kind || ' ' || make || ' ' || model) gin_trgm_ops
);
