-- The zone a tenant's people read and type times in (an IANA name, checked
-- by identity). Times stay UTC everywhere; pages, mails and PDFs show them
-- in this zone. Tenants from before it keep UTC, as they were shown.
ALTER TABLE tenants ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
