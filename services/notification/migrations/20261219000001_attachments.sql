-- A mail may carry one file (an appointment's .ics, #10): its name, its
-- content type with parameters (`text/calendar; method=PUBLISH`) and its
-- bytes, kept like the body so that a retry sends what was queued.
ALTER TABLE deliveries
    ADD COLUMN attachment_name text,
    ADD COLUMN attachment_type text,
    ADD COLUMN attachment      bytea;
