-- D6: a work order's photos are attachments too. Who owns an attachment is
-- one of a closed list, so it becomes an enum type like document_kind;
-- rows written so far are all 'request'.
CREATE TYPE attachment_owner AS ENUM ('request', 'work_order');

ALTER TABLE attachments
    ALTER COLUMN owner_type TYPE attachment_owner USING owner_type::attachment_owner;

-- A work order's photos follow the request it came from for narrowed
-- callers (a customer's "since" limit), found by the work order.
CREATE INDEX owner_requests_work_order ON owner_requests (tenant_id, work_order_id)
    WHERE work_order_id IS NOT NULL;
