-- F1: documents staff publish (certificates, contracts, …) are told to
-- each contact in one mail per burst: a published document waits here,
-- per recipient, until nothing new has come for a while (digest.rs); then
-- one mail lists them all and the rows go, in the same transaction.
CREATE TABLE digest_items (
    tenant_id   uuid NOT NULL,
    contact_id  uuid NOT NULL,
    recipient   text NOT NULL,
    language    text NOT NULL,
    name        text NOT NULL,
    document_id uuid NOT NULL,
    kind        text NOT NULL,
    title       text NOT NULL,
    -- The portal's documents page, when its address is known.
    link        text,
    queued_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, contact_id, document_id)
);
CREATE INDEX digest_items_by_recipient ON digest_items (tenant_id, contact_id, queued_at);

ALTER TABLE digest_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE digest_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON digest_items
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
