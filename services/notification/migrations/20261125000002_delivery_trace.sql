-- The trace of whatever caused the mail, so its hand-off joins that trace.
ALTER TABLE deliveries ADD COLUMN traceparent text;
