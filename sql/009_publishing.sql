-- Publishing that readers and search engines find: the date of the first
-- publication and scheduled posts, readable URLs, custom excerpts and
-- cover images, a search configuration per post language, and people
-- found by name.
--
--   published_at    set when a post is first published, never moved
--                   after (unpublishing and publishing again keep it);
--                   every list readers see is ordered by it
--   scheduled_at    a draft to be published then (by the publisher of
--                   src/core/publish.c, on whichever instance takes it)
--   list_at         the key of every list: published_at, or for the
--                   author's own drafts scheduled_at, then created_at
--   slug            made from the title when it is written
--                   (lib/slug.c): /posts/<id>-<slug>; the id stays the key
--   summary         the author's own excerpt ('' : the automatic one)
--   cover_image_id  one of the author's ready images, for lists, feeds
--                   and social cards
--   lang            the post's language (BCP 47), or NULL: unknown
--   search_config   the text search configuration of its language
--                   (lib/lang.c), 'simple' when unknown

ALTER TABLE posts
    DROP COLUMN search,
    ADD COLUMN published_at timestamptz,
    ADD COLUMN scheduled_at timestamptz,
    ADD COLUMN slug text NOT NULL DEFAULT 'post'
	CHECK (octet_length(slug) BETWEEN 1 AND 240),
    ADD COLUMN summary text NOT NULL DEFAULT ''
	CHECK (char_length(summary) <= 300),
    ADD COLUMN cover_image_id bigint REFERENCES images (id)
	ON DELETE SET NULL,
    ADD COLUMN lang text
	CHECK (lang ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' AND
	    char_length(lang) <= 35),
    ADD COLUMN search_config regconfig NOT NULL DEFAULT 'english';
DROP FUNCTION post_search_doc(text, text[], text);

-- Posts written so far: published when they were created (the best
-- there is), indexed in English as they were until now, and a slug made
-- in SQL (new titles get lib/slug.c's; whatever a post holds is its
-- canonical slug, so an approximation here is no harm).
UPDATE posts SET
    published_at = CASE WHEN published THEN created_at END,
    slug = coalesce(nullif(trim(BOTH '-' FROM left(trim(BOTH '-' FROM
	regexp_replace(lower(normalize(title, NFKC)), '[^[:alnum:]]+', '-',
	'g')), 60)), ''), 'post');

-- The search document: the title first, then the tags (as they are),
-- then the body, in the post's own configuration.  Queries are parsed
-- in every configuration (search_query below), so a post is found by the
-- words of its language however the reader types them.
CREATE FUNCTION post_search_vector(cfg regconfig, title text, tags text[],
    body text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT setweight(to_tsvector(cfg, title), 'A') ||
	    setweight(to_tsvector('simple'::regconfig,
	        array_to_string(tags, ' ')), 'B') ||
	    setweight(to_tsvector(cfg, body), 'C')
$$;

ALTER TABLE posts
    ALTER COLUMN search_config SET DEFAULT 'simple',
    ADD COLUMN list_at timestamptz GENERATED ALWAYS AS
	(coalesce(published_at, scheduled_at, created_at)) STORED,
    ADD COLUMN search tsvector GENERATED ALWAYS AS
	(post_search_vector(search_config, title, tags, body_md)) STORED,
    ADD CONSTRAINT posts_published_dated
	CHECK (NOT published OR published_at IS NOT NULL),
    ADD CONSTRAINT posts_scheduled_draft
	CHECK (scheduled_at IS NULL OR NOT published);

-- Lists: newest first by list_at (published_at for readers).
DROP INDEX posts_published;
DROP INDEX posts_author;
CREATE INDEX posts_published ON posts (list_at DESC, id DESC)
    WHERE published;
CREATE INDEX posts_author ON posts (author_id, list_at DESC, id DESC);
CREATE INDEX posts_search ON posts USING gin (search);
CREATE INDEX posts_scheduled ON posts (scheduled_at)
    WHERE scheduled_at IS NOT NULL;
CREATE INDEX posts_cover ON posts (cover_image_id)
    WHERE cover_image_id IS NOT NULL;

-- The words typed in the search box, parsed in every text search
-- configuration kblog knows (lib/lang.c) and joined with OR, each
-- distinct parse once: a French post indexed in French is found by
-- "chats" as by "chat", an English one by "running" as by "run".  Words
-- that are only stop words in some language drop out of that parse
-- alone (the notice PostgreSQL gives for them is not sent).  Nothing to
-- look for ("!!!"): NULL, which matches nothing, without a notice.
CREATE FUNCTION search_query(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET client_min_messages = warning AS $$
	SELECT string_agg('(' || t || ')', ' | ' ORDER BY t)::tsquery
	FROM (SELECT DISTINCT websearch_to_tsquery(c, q)::text AS t
	    FROM unnest('{simple,arabic,armenian,basque,catalan,danish,dutch,
	    english,finnish,french,german,greek,hindi,hungarian,indonesian,
	    irish,italian,lithuanian,nepali,norwegian,portuguese,romanian,
	    russian,serbian,spanish,swedish,tamil,turkish,yiddish}'::regconfig[])
	    AS c) s
	WHERE t <> ''
$$;

-- People by name: each word of what was typed starts a word of the
-- username or the display name ("ali" finds alice, "Dupo" Jean Dupont);
-- NULL when there is no word.
ALTER TABLE users ADD COLUMN name_search tsvector GENERATED ALWAYS AS
    (to_tsvector('simple'::regconfig, username || ' ' || display_name))
    STORED;
CREATE INDEX users_name_search ON users USING gin (name_search);

CREATE FUNCTION name_query(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT string_agg('''' || replace(replace(w, '\', '\\'),
	    '''', '''''') || ''':*', ' & ')::tsquery
	FROM unnest(tsvector_to_array(to_tsvector('simple'::regconfig, q)))
	    AS w
$$;
