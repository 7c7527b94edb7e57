-- Signing keys now come from a mounted secret (PORTAL_SIGNING_KEYS_DIR or
-- PORTAL_SIGNING_KEY), never from this database: a backup must not be
-- enough to forge tokens (ADR 0016). The stored private keys go; tokens
-- they signed stop verifying, and clients get new ones with their refresh
-- tokens.
DROP TABLE signing_keys;
