-- E6: files attached to knowledge-base articles (a manual, a wiring
-- diagram), read by whoever may read the article; bytes in object storage
-- like every other file, and known to the sweeper.
CREATE TABLE kb_files (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    article_id   uuid NOT NULL REFERENCES kb_articles (id),
    name         text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL CHECK (size > 0),
    sha256       bytea NOT NULL,
    blob_key     text NOT NULL UNIQUE,
    created_by   uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_files_of_article ON kb_files (tenant_id, article_id, created_at);

ALTER TABLE kb_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_files FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON kb_files
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
