-- E3/E4: the currency a tenant's quotes and invoices are written in (ISO
-- 4217). Each quote keeps the currency it was made in.
ALTER TABLE tenants ADD COLUMN currency text NOT NULL DEFAULT 'EUR'
    CHECK (currency ~ '^[A-Z]{3}$');
