-- E4: invoices. A draft is the provider's alone; finalising numbers it
-- (per tenant and year, without gaps), prints it and shows it to the
-- customer. Amounts as on quotes (minor units, lines as written).
CREATE TABLE invoices (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    customer_id   uuid NOT NULL,
    site_id       uuid,
    quote_id      uuid REFERENCES quotes (id),
    title         text NOT NULL,
    currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    lines         jsonb NOT NULL,
    net_minor     bigint NOT NULL,
    tax_minor     bigint NOT NULL,
    total_minor   bigint NOT NULL,
    payment_days  int NOT NULL CHECK (payment_days BETWEEN 0 AND 365),
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'final')),
    number        text,
    issued_on     date,
    due_on        date,
    document_id   uuid UNIQUE REFERENCES documents (id),
    paid_at       timestamptz,
    created_by    uuid NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- A final invoice has its number, dates and PDF; a draft none of them.
    CHECK ((status = 'final') = (number IS NOT NULL AND issued_on IS NOT NULL
                                 AND due_on IS NOT NULL AND document_id IS NOT NULL)),
    CHECK (paid_at IS NULL OR status = 'final')
);
CREATE UNIQUE INDEX invoices_number ON invoices (tenant_id, number) WHERE number IS NOT NULL;
CREATE INDEX invoices_of_customer ON invoices (tenant_id, customer_id, created_at DESC);

-- The last number given per tenant and year; taken under the row's lock in
-- the finalising transaction, so numbers have no gaps and no repeats.
CREATE TABLE invoice_numbers (
    tenant_id uuid NOT NULL,
    year      int NOT NULL,
    last      int NOT NULL,
    PRIMARY KEY (tenant_id, year)
);

ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON invoices
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
ALTER TABLE invoice_numbers ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_numbers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON invoice_numbers
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
