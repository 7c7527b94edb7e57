-- Full-text search keeps its GIN index under row-level security (ADR 18).
-- Below a policy the planner uses a condition as an index condition only
-- when its function is LEAKPROOF; `tsvector @@ tsquery` (ts_match_vq) is not
-- marked so, and a search walked every row of the tenant (812 -> 35 searches
-- per second in the bench). It reveals nothing of a row but its boolean
-- answer (its errors depend on the query, never on the row), so it is marked
-- leakproof. Only a superuser may: elsewhere the migration says so, and an
-- operator runs the statement once per database (README, ADR 18).
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
    ELSE
        RAISE WARNING 'not a superuser: run "ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF" as one in this database, or full-text search cannot use its index under row-level security';
    END IF;
END
$$;
