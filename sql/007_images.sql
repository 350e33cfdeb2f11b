-- Images done right: variants the server made, their sizes, alt text, and
-- where each image is used.
--
-- complete now decodes the upload and writes its variants (widths and
-- formats) under served keys that share the image's key stem: key,
-- i/<user>/<random>.<ext>, is the largest variant in the upload's format;
-- the others are i/<user>/<random>-<width>.<ext>.  image_variants lists
-- them all, key included.

-- AVIF is accepted: Debian 12's libvips decodes it (libheif + dav1d).
ALTER TABLE images DROP CONSTRAINT images_content_type_check;
ALTER TABLE images ADD CONSTRAINT images_content_type_check
    CHECK (content_type IN ('image/jpeg', 'image/png', 'image/gif',
    'image/webp', 'image/avif'));

-- 'deleting': image_retire() found it unused and took it out of use; its
-- objects go, then its row.  A ready image always has its served key.
ALTER TABLE images DROP CONSTRAINT images_state_check;
ALTER TABLE images ADD CONSTRAINT images_state_check
    CHECK (state IN ('pending', 'ready', 'deleting'));
ALTER TABLE images DROP CONSTRAINT images_ready_is_served;
ALTER TABLE images ADD CONSTRAINT images_ready_is_served
    CHECK (state <> 'ready' OR key IS NOT NULL);

--   width, height  the largest variant's (orientation applied); NULL for
--                  images stored before variants existed
--   frames         > 1: animated
--   alt            what the image shows, for those who cannot see it
--   stored_bytes   bytes of every object kept for it (variants, and the
--                  upload when kept); NULL: byte_size (pending, or older)
--   original_kept  the upload itself stays under upload_key (never
--                  served; UPLOAD_KEEP_ORIGINAL)
ALTER TABLE images
    ADD COLUMN width integer CHECK (width > 0),
    ADD COLUMN height integer CHECK (height > 0),
    ADD COLUMN frames integer CHECK (frames > 0),
    ADD COLUMN alt text NOT NULL DEFAULT ''
	CHECK (char_length(alt) <= 1000),
    ADD COLUMN stored_bytes bigint CHECK (stored_bytes > 0),
    ADD COLUMN original_kept boolean NOT NULL DEFAULT false;

CREATE TABLE image_variants (
	key		text PRIMARY KEY,
	image_id	bigint NOT NULL REFERENCES images (id) ON DELETE CASCADE,
	content_type	text NOT NULL CHECK (content_type IN ('image/jpeg',
	    'image/png', 'image/gif', 'image/webp', 'image/avif')),
	width		integer NOT NULL CHECK (width > 0),
	height		integer NOT NULL CHECK (height > 0),
	byte_size	bigint NOT NULL CHECK (byte_size > 0)
);
CREATE INDEX image_variants_image ON image_variants (image_id);

-- An image's variants as one line for the renderers (db_images.c reads
-- it): "<width> <height> <type> <key>" by width, then type, joined by
-- commas.  Keys and types hold neither spaces nor commas.
CREATE FUNCTION image_variants_text(p_id bigint)
RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT string_agg(v.width || ' ' || v.height || ' ' ||
	    v.content_type || ' ' || v.key, ',' ORDER BY v.width,
	    v.content_type) FROM image_variants v WHERE v.image_id = p_id
$$;

-- Where images are used: the posts whose HTML shows them.  Only the
-- author's own images count, so nobody can pin someone else's image (or
-- learn of their drafts) by showing it.  Kept by the trigger below on
-- every write of a post's HTML, whatever statement makes it.
CREATE TABLE post_images (
	post_id		bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	image_id	bigint NOT NULL REFERENCES images (id) ON DELETE CASCADE,
	PRIMARY KEY (post_id, image_id)
);
CREATE INDEX post_images_image ON post_images (image_id, post_id);

-- The image keys at the end of the <img src> URLs of rendered HTML (what
-- cmark-gfm writes: <img src="..." alt="..." />), variants included:
-- "/_store/i/7/<43>.jpg", "https://cdn.example.com/i/7/<43>-640.webp".
CREATE FUNCTION post_image_keys(html text)
RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT coalesce(array_agg(DISTINCT m[1]), '{}')
	FROM regexp_matches(html, '<img src="[^"]*/([iu]/[0-9]{1,19}/'
	    '[A-Za-z0-9_-]{43}(-[0-9]{1,5})?[.](jpg|png|gif|webp|avif))"',
	    'g') AS m
$$;

-- Links the post to the ready images of its author that its HTML shows,
-- and unlinks the others.  The images are locked FOR SHARE, which
-- image_retire()'s FOR UPDATE waits for (and the other way round): an
-- image is never retired while a post that starts to show it commits,
-- and a retired one ('deleting') is never linked.
CREATE FUNCTION post_images_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	k	text[];
	ids	bigint[];
BEGIN
	k := post_image_keys(NEW.body_html);
	IF cardinality(k) = 0 THEN
		DELETE FROM post_images WHERE post_id = NEW.id;
		RETURN NULL;
	END IF;
	SELECT coalesce(array_agg(s.id), '{}') INTO ids FROM (
	    SELECT i.id FROM images i WHERE i.owner_id = NEW.author_id
	    AND i.state = 'ready' AND (i.key = ANY (k) OR i.id IN (
		SELECT v.image_id FROM image_variants v WHERE v.key = ANY (k)))
	    FOR SHARE OF i) s;
	DELETE FROM post_images WHERE post_id = NEW.id
	    AND NOT (image_id = ANY (ids));
	INSERT INTO post_images (post_id, image_id)
	    SELECT NEW.id, unnest(ids) ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

CREATE TRIGGER post_images_insert AFTER INSERT ON posts
    FOR EACH ROW EXECUTE FUNCTION post_images_sync();
CREATE TRIGGER post_images_update AFTER UPDATE OF body_html ON posts
    FOR EACH ROW WHEN (OLD.body_html IS DISTINCT FROM NEW.body_html)
    EXECUTE FUNCTION post_images_sync();

-- The posts written before this migration.
INSERT INTO post_images (post_id, image_id)
    SELECT p.id, i.id FROM posts p JOIN images i ON
	i.owner_id = p.author_id AND i.state = 'ready' AND
	i.key = ANY (post_image_keys(p.body_html))
    WHERE p.body_html LIKE '%<img src=%'
    ON CONFLICT DO NOTHING;

-- Takes image p_id of p_owner out of use before its objects go: its row
-- is locked (FOR UPDATE: a post being saved with it finishes first), then
-- a later statement, which sees every link committed meanwhile, checks
-- its uses.  outcome: 'missing', 'forbidden' (someone else's), 'in_use'
-- (a post shows it, or it is the owner's avatar and p_unset_avatar is
-- false), or 'ok': it is now 'deleting' (never linked again, never
-- served as ready) and its keys are returned, every variant's included.
CREATE FUNCTION image_retire(p_id bigint, p_owner bigint,
    p_unset_avatar boolean, OUT outcome text, OUT served_key text,
    OUT upload_object text, OUT variant_keys text[])
LANGUAGE plpgsql AS $$
DECLARE
	o	bigint;
BEGIN
	SELECT i.owner_id INTO o FROM images i WHERE i.id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		outcome := 'missing';
		RETURN;
	END IF;
	IF o <> p_owner THEN
		outcome := 'forbidden';
		RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM post_images WHERE image_id = p_id) THEN
		outcome := 'in_use';
		RETURN;
	END IF;
	IF p_unset_avatar THEN
		UPDATE users SET avatar_image_id = NULL
		    WHERE avatar_image_id = p_id;
	ELSIF EXISTS (SELECT 1 FROM users WHERE avatar_image_id = p_id) THEN
		outcome := 'in_use';
		RETURN;
	END IF;
	UPDATE images i SET state = 'deleting' WHERE i.id = p_id
	    RETURNING i.key, i.upload_key INTO served_key, upload_object;
	SELECT coalesce(array_agg(v.key ORDER BY v.key), '{}')
	    INTO variant_keys FROM image_variants v WHERE v.image_id = p_id;
	outcome := 'ok';
END
$$;

-- The quota counts what is stored: a ready image's objects (stored_bytes),
-- a pending upload's announced size.  Otherwise as in 005.
CREATE OR REPLACE FUNCTION upload_admit(p_owner bigint, p_size bigint,
    p_pending_max integer, p_quota bigint, p_max_age integer,
    OUT refusal text, OUT wait integer)
LANGUAGE plpgsql AS $$
DECLARE
	n	bigint;
	total	bigint;
	oldest	timestamptz;
BEGIN
	refusal := NULL;
	wait := 0;
	IF coalesce(p_pending_max, 0) <= 0 AND coalesce(p_quota, 0) <= 0 THEN
		RETURN;
	END IF;
	PERFORM 1 FROM users WHERE id = p_owner FOR NO KEY UPDATE;
	SELECT count(*) FILTER (WHERE state = 'pending'),
	    coalesce(sum(coalesce(stored_bytes, byte_size)), 0),
	    min(created_at) FILTER (WHERE state = 'pending')
	    INTO n, total, oldest FROM images WHERE owner_id = p_owner;
	IF p_pending_max > 0 AND n >= p_pending_max THEN
		refusal := 'pending';
		wait := greatest(1, ceil(extract(epoch FROM oldest +
		    make_interval(secs => p_max_age) - now())))::integer;
	ELSIF p_quota > 0 AND total + p_size > p_quota THEN
		refusal := 'quota';
	END IF;
END
$$;
