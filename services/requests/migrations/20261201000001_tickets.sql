-- The whole ticket life (#4): details given on creation, assignment and due
-- date, closing, the conversation, per-tenant settings and full-text search.
ALTER TABLE requests
    ADD COLUMN severity       text NOT NULL DEFAULT '',
    ADD COLUMN equipment_id   uuid,
    ADD COLUMN contract_id    uuid,
    ADD COLUMN assignee_id    uuid,
    ADD COLUMN due_date       timestamptz,
    ADD COLUMN closed_at      timestamptz,
    ADD COLUMN closed_by      uuid,
    ADD COLUMN site_address   text NOT NULL DEFAULT '',
    ADD COLUMN contact_name   text NOT NULL DEFAULT '',
    ADD COLUMN contact_email  text NOT NULL DEFAULT '',
    ADD COLUMN contact_phone  text NOT NULL DEFAULT '',
    ADD COLUMN source         text NOT NULL DEFAULT 'portal',
    -- Comments shown to contacts, and every comment (staff).
    ADD COLUMN public_comments integer NOT NULL DEFAULT 0,
    ADD COLUMN all_comments    integer NOT NULL DEFAULT 0,
    -- Full-text search ('simple' configuration: no language guessing, the
    -- tenant's customers write in several languages). `search_public` holds
    -- title, description and public comments (what contacts may match);
    -- `search_all` adds internal notes (staff). Kept up to date by the store
    -- in the transaction of each change.
    ADD COLUMN search_public  tsvector NOT NULL DEFAULT ''::tsvector,
    ADD COLUMN search_all     tsvector NOT NULL DEFAULT ''::tsvector;

UPDATE requests
   SET search_public = to_tsvector('simple', title || ' ' || description),
       search_all    = to_tsvector('simple', title || ' ' || description);

CREATE INDEX requests_search_public ON requests USING gin (search_public);
CREATE INDEX requests_search_all ON requests USING gin (search_all);

-- Keyset lists per filter and sort (C2 with 100 000 requests in a tenant):
-- each filter that narrows a big tenant, and each sort, has an index whose
-- order is the list's order, so a page reads about `limit` rows.
CREATE INDEX requests_status_created ON requests (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX requests_site_created ON requests (tenant_id, site_id, created_at DESC, id DESC);
CREATE INDEX requests_contact_created ON requests (tenant_id, contact_id, created_at DESC, id DESC);
CREATE INDEX requests_assignee_created ON requests (tenant_id, assignee_id, created_at DESC, id DESC);
CREATE INDEX requests_unassigned_created ON requests (tenant_id, created_at DESC, id DESC)
    WHERE assignee_id IS NULL;
CREATE INDEX requests_tenant_updated ON requests (tenant_id, updated_at DESC, id DESC);
CREATE INDEX requests_customer_updated ON requests (tenant_id, customer_id, updated_at DESC, id DESC);
-- Due first; requests without a due date last (the sentinel keeps keyset
-- cursors plain timestamps).
CREATE INDEX requests_tenant_due ON requests
    (tenant_id, (COALESCE(due_date, '9999-12-31 00:00:00+00'::timestamptz)), id);
CREATE INDEX requests_customer_due ON requests
    (tenant_id, customer_id, (COALESCE(due_date, '9999-12-31 00:00:00+00'::timestamptz)), id);

-- The conversation (C3): both sides, in order; internal notes are staff-only.
CREATE TABLE request_comments (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL,
    request_id     uuid NOT NULL REFERENCES requests (id),
    author_id      uuid,
    author_kind    text NOT NULL CHECK (author_kind IN ('staff', 'contact', 'email')),
    author_name    text NOT NULL DEFAULT '',
    body           text NOT NULL,
    internal       boolean NOT NULL DEFAULT false,
    source         text NOT NULL DEFAULT 'portal' CHECK (source IN ('portal', 'email', 'api')),
    attachment_ids uuid[] NOT NULL DEFAULT '{}',
    -- For a comment from a mail: the Message-ID, so a redelivered mail adds nothing.
    mail_id        text,
    created_at     timestamptz NOT NULL
);
CREATE INDEX request_comments_request ON request_comments (request_id, created_at, id);
CREATE UNIQUE INDEX request_comments_mail ON request_comments (tenant_id, mail_id)
    WHERE mail_id IS NOT NULL;

-- Per-tenant request settings: categories offered (empty = free text) and
-- which optional fields a contact must fill in.
CREATE TABLE request_settings (
    tenant_id       uuid PRIMARY KEY,
    categories      text[] NOT NULL DEFAULT '{}',
    required_fields text[] NOT NULL DEFAULT '{}',
    updated_at      timestamptz NOT NULL DEFAULT now()
);
