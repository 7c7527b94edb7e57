-- E3: quotes written from lines, sent as a PDF document, decided by a
-- contact once. Amounts in the currency's minor unit; lines as written
-- (jsonb: description, quantity_milli, unit_price_minor, tax_rate_bp,
-- net_minor, tax_minor), since a sent quote never changes.
CREATE TABLE quotes (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL,
    customer_id     uuid NOT NULL,
    site_id         uuid NOT NULL,
    title           text NOT NULL,
    currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    lines           jsonb NOT NULL,
    net_minor       bigint NOT NULL,
    tax_minor       bigint NOT NULL,
    total_minor     bigint NOT NULL,
    valid_until     date NOT NULL,
    status          text NOT NULL DEFAULT 'sent'
                    CHECK (status IN ('sent', 'accepted', 'declined')),
    document_id     uuid NOT NULL UNIQUE REFERENCES documents (id),
    -- The PDF as sent: what the contact reads and decides on.
    pdf_sha256      bytea NOT NULL,
    created_by      uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    decided_at      timestamptz,
    decided_by      uuid,
    signer_name     text NOT NULL DEFAULT '',
    signature_png   bytea,
    decline_reason  text NOT NULL DEFAULT '',
    decided_from    text NOT NULL DEFAULT '',
    work_order_id   uuid,
    CHECK ((status = 'sent') = (decided_at IS NULL))
);
CREATE INDEX quotes_of_customer ON quotes (tenant_id, customer_id, created_at DESC);

-- Versions (E7): a document's earlier contents, kept when a new one
-- replaces it (a quote's signed copy replaces the copy as sent).
CREATE TABLE document_versions (
    document_id  uuid NOT NULL REFERENCES documents (id),
    version      int NOT NULL,
    tenant_id    uuid NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    sha256       bytea NOT NULL,
    blob_key     text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (document_id, version)
);

ALTER TABLE quotes ENABLE ROW LEVEL SECURITY;
ALTER TABLE quotes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON quotes
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
ALTER TABLE document_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON document_versions
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
