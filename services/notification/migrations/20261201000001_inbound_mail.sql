-- Mails about a request carry a Reply-To (the signed reply address) and a
-- References header that threads them in the recipient's mail client.
ALTER TABLE deliveries ADD COLUMN reply_to text;
ALTER TABLE deliveries ADD COLUMN thread_id text;

-- Which tenant a request belongs to, learnt from the request events that
-- mailed its contact a reply address: a reply token names only the request
-- (so that the address stays within 64 octets), this gives its tenant.
CREATE TABLE reply_threads (
    request_id uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Every inbound mail taken, once per Message-ID and tenant: a mail server
-- that delivers a message twice publishes one mail.received event.
CREATE TABLE inbound_mails (
    tenant_id   uuid NOT NULL,
    message_id  text NOT NULL,
    sender      text NOT NULL,
    request_id  uuid,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, message_id)
);
