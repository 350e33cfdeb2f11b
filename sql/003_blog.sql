-- The blog: posts, comments, likes, images.

CREATE TABLE images (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	owner_id	bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	key		text NOT NULL UNIQUE,
	filename	text NOT NULL DEFAULT '',
	content_type	text NOT NULL CHECK (content_type IN
	    ('image/jpeg', 'image/png', 'image/gif', 'image/webp')),
	byte_size	bigint NOT NULL CHECK (byte_size > 0),
	state		text NOT NULL DEFAULT 'pending'
	    CHECK (state IN ('pending', 'ready')),
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX images_owner ON images (owner_id, id);
CREATE INDEX images_pending ON images (created_at) WHERE state = 'pending';

ALTER TABLE users ADD COLUMN avatar_image_id bigint
    REFERENCES images (id) ON DELETE SET NULL;

-- The search document of a post: title first, then tags, then the body.
-- array_to_string() is only STABLE in general, but for text[] it cannot
-- change with settings, so this wrapper is honestly IMMUTABLE and can feed
-- a generated column (kept consistent with every write by PostgreSQL).
CREATE FUNCTION post_search_doc(title text, tags text[], body text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT setweight(to_tsvector('english'::regconfig, title), 'A') ||
	    setweight(to_tsvector('english'::regconfig,
	        array_to_string(tags, ' ')), 'B') ||
	    setweight(to_tsvector('english'::regconfig, body), 'C')
$$;

CREATE TABLE posts (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	author_id	bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	title		text NOT NULL
	    CHECK (char_length(title) BETWEEN 1 AND 200),
	body_md		text NOT NULL CHECK (octet_length(body_md) <= 100000),
	body_html	text NOT NULL,
	excerpt		text NOT NULL DEFAULT '',
	tags		text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(tags) <= 10),
	published	boolean NOT NULL DEFAULT false,
	metadata	jsonb NOT NULL DEFAULT '{}'
	    CHECK (jsonb_typeof(metadata) = 'object'),
	like_count	integer NOT NULL DEFAULT 0 CHECK (like_count >= 0),
	comment_count	integer NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	search		tsvector GENERATED ALWAYS AS (
	    post_search_doc(title, tags, body_md)) STORED
);
-- Keyset pagination: newest published first, and per author, per tag.
CREATE INDEX posts_published ON posts (created_at DESC, id DESC)
    WHERE published;
CREATE INDEX posts_author ON posts (author_id, created_at DESC, id DESC);
CREATE INDEX posts_tags ON posts USING gin (tags);
CREATE INDEX posts_search ON posts USING gin (search);

CREATE TABLE comments (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	post_id		bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	author_id	bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	body		text NOT NULL
	    CHECK (char_length(body) BETWEEN 1 AND 5000),
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_post ON comments (post_id, created_at, id);
CREATE INDEX comments_author ON comments (author_id);

-- One like per user per post: the primary key, not a check-then-insert.
CREATE TABLE likes (
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	post_id		bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (post_id, user_id)
);
CREATE INDEX likes_user ON likes (user_id);
