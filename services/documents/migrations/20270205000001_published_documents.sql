-- E1, E7: documents staff publish from a file (certificates, contracts,
-- checklists, incident reports, attachments, uploaded quotes), which may
-- concern one equipment and get new versions. The current version lives
-- in `documents`; each one it replaced is kept in `document_versions`.
ALTER TABLE documents
    ADD COLUMN equipment_id uuid,
    ADD COLUMN file_name text,
    ADD COLUMN published_by uuid,
    -- When the current version was stored; NULL: when the document was.
    ADD COLUMN content_at timestamptz;
ALTER TABLE document_versions ADD COLUMN file_name text;

CREATE INDEX documents_of_equipment ON documents (tenant_id, equipment_id, created_at DESC)
    WHERE equipment_id IS NOT NULL;
