-- What the sent PDF printed besides the lines (provider, customer and site
-- as the directory named them, the time zone), so that the signed copy
-- repeats the quote as it was sent even if the directory changed since.
ALTER TABLE quotes ADD COLUMN printed jsonb NOT NULL DEFAULT '{}';
