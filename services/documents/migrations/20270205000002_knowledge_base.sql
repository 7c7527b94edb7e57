-- E6: the knowledge base. Articles in Markdown, grouped by category, each
-- in one language and searched with that language's rules: stems
-- (chaudières → chaudier, Heizungen → heizung) and no accents. PostgreSQL
-- has no Polish stemmer: Polish words are matched without accents and by
-- prefix (ADR 0032).
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TEXT SEARCH CONFIGURATION portal_en (COPY = english);
ALTER TEXT SEARCH CONFIGURATION portal_en
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION portal_fr (COPY = french);
ALTER TEXT SEARCH CONFIGURATION portal_fr
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
CREATE TEXT SEARCH CONFIGURATION portal_de (COPY = german);
ALTER TEXT SEARCH CONFIGURATION portal_de
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, german_stem;
CREATE TEXT SEARCH CONFIGURATION portal_es (COPY = spanish);
ALTER TEXT SEARCH CONFIGURATION portal_es
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
CREATE TEXT SEARCH CONFIGURATION portal_pl (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION portal_pl
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

-- The configuration of a language code (fixed per code, hence immutable).
CREATE FUNCTION kb_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE language
        WHEN 'fr' THEN 'portal_fr'::regconfig
        WHEN 'de' THEN 'portal_de'::regconfig
        WHEN 'es' THEN 'portal_es'::regconfig
        WHEN 'pl' THEN 'portal_pl'::regconfig
        ELSE 'portal_en'::regconfig
    END
$$;

CREATE TYPE kb_audience AS ENUM ('public', 'portal');

CREATE TABLE kb_articles (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    category     text NOT NULL CHECK (length(category) BETWEEN 1 AND 100),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body         text NOT NULL,
    language     text NOT NULL CHECK (language IN ('en', 'fr', 'de', 'es', 'pl')),
    audience     kb_audience NOT NULL,
    -- NULL: a draft, seen by staff only.
    published_at timestamptz,
    created_by   uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- The title weighs more than the body.
    search       tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(kb_config(language), title), 'A')
        || setweight(to_tsvector(kb_config(language), body), 'B')
    ) STORED
);
CREATE INDEX kb_articles_of_tenant ON kb_articles (tenant_id, category, title);
CREATE INDEX kb_articles_search ON kb_articles USING gin (search);

CREATE TABLE kb_comments (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    article_id  uuid NOT NULL REFERENCES kb_articles (id),
    author_id   uuid NOT NULL,
    author_name text NOT NULL,
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- Moderation: a hidden comment stays for staff, gone for everyone else.
    hidden_at   timestamptz,
    hidden_by   uuid
);
CREATE INDEX kb_comments_of_article ON kb_comments (tenant_id, article_id, created_at);

-- Row-level security (ADR 0018), as on every table of documents.
ALTER TABLE kb_articles ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_articles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON kb_articles
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
ALTER TABLE kb_comments ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_comments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON kb_comments
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
