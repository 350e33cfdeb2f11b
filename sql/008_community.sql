-- Running a community: roles, suspensions, moderation (hidden posts and
-- comments, closed comments, reports, the moderation log), registration
-- modes and invitations, verified e-mail addresses, the mail queue,
-- password resets, recovery codes, and account deletion.

-- Roles.  'admin' and 'moderator' beside ordinary users; the first admins
-- are named by ADMIN_USERS (applied at start-up to accounts that exist)
-- or scripts/admin, never by the order of registration.  A person may act
-- only on someone of a lower rank: moderators on users, admins on users
-- and moderators.
ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'user'
    CHECK (role IN ('user', 'moderator', 'admin'));
CREATE FUNCTION role_rank(text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE $1 WHEN 'admin' THEN 2 WHEN 'moderator' THEN 1 ELSE 0 END
$$;

-- A suspension: no login, no session, no API token while it lasts
-- ('infinity': for good).  Sessions are also deleted when it starts.
ALTER TABLE users ADD COLUMN suspended_until timestamptz;

-- The verified e-mail address (email_normalize()'s form), or NULL.  An
-- address waiting for its link lives in email_verifications: nobody can
-- claim someone else's address by typing it.
ALTER TABLE users ADD COLUMN email text
    CHECK (email IS NULL OR octet_length(email) <= 254);
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
CREATE UNIQUE INDEX users_email_lower ON users (lower(email))
    WHERE email IS NOT NULL;

-- Hidden posts are unpublished for everyone but their author (who sees
-- why), whatever the author does meanwhile: hidden_published keeps the
-- author's choice for when the post is shown again.  Hidden comments are
-- shown to their author only and do not count in comment_count.
ALTER TABLE posts ADD COLUMN hidden_at timestamptz;
ALTER TABLE posts ADD COLUMN hidden_published boolean NOT NULL
    DEFAULT false;
ALTER TABLE posts ADD COLUMN comments_closed boolean NOT NULL
    DEFAULT false;
ALTER TABLE comments ADD COLUMN hidden_at timestamptz;

-- Settings the whole site shares (one row; a missing row reads as the
-- defaults): every instance reads them from here, so a change applies
-- everywhere at once.  deleted_user is the account that keeps what stays
-- of deleted accounts (their posts that others replied to), made the
-- first time it is needed (deleted_account()).
CREATE TABLE site_settings (
	id		boolean PRIMARY KEY DEFAULT true CHECK (id),
	registration	text NOT NULL DEFAULT 'open'
	    CHECK (registration IN ('open', 'invite', 'closed')),
	deleted_user	bigint,
	updated_at	timestamptz NOT NULL DEFAULT now()
);
INSERT INTO site_settings DEFAULT VALUES;

-- The account of deleted accounts' remains: "deleted", or the first free
-- "deleted-N", made on first use.  It cannot log in ('!' is no password
-- hash) and has no address, codes or role.
CREATE FUNCTION deleted_account() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	name	text := 'deleted';
	n	integer := 1;
	uid	bigint;
BEGIN
	INSERT INTO site_settings DEFAULT VALUES ON CONFLICT DO NOTHING;
	SELECT deleted_user INTO uid FROM site_settings FOR UPDATE;
	IF uid IS NOT NULL AND EXISTS (SELECT 1 FROM users WHERE id = uid) THEN
		RETURN uid;
	END IF;
	WHILE EXISTS (SELECT 1 FROM users WHERE lower(username) = name) LOOP
		n := n + 1;
		name := 'deleted-' || n;
	END LOOP;
	INSERT INTO users (username, password_hash, display_name)
	    VALUES (name, '!', 'Deleted account') RETURNING id INTO uid;
	UPDATE site_settings SET deleted_user = uid;
	RETURN uid;
END
$$;

-- The moderation log: who did what to what, why and when.  The affected
-- person (subject) sees the entries about their own content; admins see
-- every entry.  summary is what the target was at the time (a post's
-- title, the start of a comment), so the entry still says what it was
-- about once the target is deleted.  Actor and subject become NULL when
-- their accounts are deleted; the entry stays.
CREATE TABLE mod_log (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	actor_id	bigint REFERENCES users (id) ON DELETE SET NULL,
	action		text NOT NULL,
	target_type	text NOT NULL CHECK (target_type IN
	    ('post', 'comment', 'user', 'report', 'site', 'invitation')),
	target_id	bigint,
	subject_id	bigint REFERENCES users (id) ON DELETE SET NULL,
	summary		text NOT NULL DEFAULT '',
	reason		text NOT NULL DEFAULT ''
	    CHECK (char_length(reason) <= 1000),
	until		timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mod_log_created ON mod_log (created_at DESC, id DESC);
CREATE INDEX mod_log_subject ON mod_log (subject_id, created_at DESC,
    id DESC);
CREATE INDEX mod_log_actor ON mod_log (actor_id);

-- Reports by readers, each about one post or one comment.  One open
-- report per reporter and target; acting on a target resolves its open
-- reports.
CREATE TABLE reports (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	reporter_id	bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	post_id		bigint REFERENCES posts (id) ON DELETE CASCADE,
	comment_id	bigint REFERENCES comments (id) ON DELETE CASCADE,
	reason		text NOT NULL
	    CHECK (char_length(reason) BETWEEN 1 AND 1000),
	created_at	timestamptz NOT NULL DEFAULT now(),
	resolved_at	timestamptz,
	resolved_by	bigint REFERENCES users (id) ON DELETE SET NULL,
	resolution	text,
	CHECK ((post_id IS NULL) <> (comment_id IS NULL))
);
CREATE UNIQUE INDEX reports_open_once ON reports (reporter_id,
    coalesce(post_id, 0), coalesce(comment_id, 0))
    WHERE resolved_at IS NULL;
CREATE INDEX reports_open ON reports (created_at, id)
    WHERE resolved_at IS NULL;
CREATE INDEX reports_post ON reports (post_id) WHERE post_id IS NOT NULL;
CREATE INDEX reports_comment ON reports (comment_id)
    WHERE comment_id IS NOT NULL;
CREATE INDEX reports_resolver ON reports (resolved_by)
    WHERE resolved_by IS NOT NULL;

-- Invitations (registration mode 'invite').  The link carries the row's
-- id and a random token; only the token's SHA-256 is stored, and the
-- server compares it in constant time.  Single use: used_at is set in the
-- statement that creates the account.
CREATE TABLE invitations (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	token_hash	bytea NOT NULL CHECK (octet_length(token_hash) = 32),
	created_by	bigint REFERENCES users (id) ON DELETE SET NULL,
	note		text NOT NULL DEFAULT ''
	    CHECK (char_length(note) <= 200),
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz,
	used_by		bigint REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX invitations_created ON invitations (created_at DESC, id DESC);
CREATE INDEX invitations_creator ON invitations (created_by);
CREATE INDEX invitations_user ON invitations (used_by);

-- Password reset links: id and token in the link, the token's hash here.
-- Short-lived and single use (the row is deleted when used, with every
-- other link of the account).
CREATE TABLE password_resets (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash	bytea NOT NULL CHECK (octet_length(token_hash) = 32),
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- An address waiting for its verification link (one per account).
CREATE TABLE email_verifications (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	email		text NOT NULL CHECK (octet_length(email) <= 254),
	token_hash	bytea NOT NULL CHECK (octet_length(token_hash) = 32),
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX email_verifications_user ON email_verifications (user_id);

-- One-time recovery codes (lib/recovery.h: SHA-256 of the user id and
-- the canonical code).
CREATE TABLE recovery_codes (
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	code_hash	bytea NOT NULL CHECK (octet_length(code_hash) = 32),
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, code_hash)
);

-- Mail waiting to be sent by the mailer (src/core/mailer.c): one row per
-- message, composed when it is sent from its kind and these fields.
-- next_at is when it may be tried (a claim moves it forward, a lease, so
-- that several instances never send one message twice at once); a row is
-- deleted when it was sent, refused for good, tried MAIL_ATTEMPTS times,
-- or is past expires_at (a reset link that expired before it could be
-- sent).  token is a link's id and token, so rows go as soon as possible.
CREATE TABLE mail_queue (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint REFERENCES users (id) ON DELETE CASCADE,
	kind		text NOT NULL CHECK (kind IN ('reset', 'verify',
	    'password_changed', 'email_changed', 'email_removed')),
	to_addr		text NOT NULL CHECK (octet_length(to_addr) <= 254),
	username	text NOT NULL,
	token		text,
	detail		text,
	attempts	integer NOT NULL DEFAULT 0,
	next_at		timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz,
	last_error	text,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_queue_next ON mail_queue (next_at, id);
CREATE INDEX mail_queue_user ON mail_queue (user_id);

-- The mailer LISTENs on kblog_mail: a new message wakes it at once.
CREATE FUNCTION mail_queue_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('kblog_mail', '');
	RETURN NULL;
END
$$;
CREATE TRIGGER mail_queue_notify AFTER INSERT ON mail_queue
    FOR EACH STATEMENT EXECUTE FUNCTION mail_queue_notify();

-- Posts and comments of a user become hidden (a suspension with
-- p_hide): comment counts move with them.  Returns nothing.
CREATE FUNCTION user_content_hide(p_user bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE posts SET hidden_at = now(), hidden_published = published,
	    published = false
	    WHERE author_id = p_user AND hidden_at IS NULL;
	UPDATE posts p SET comment_count = p.comment_count - x.n
	    FROM (SELECT post_id, count(*) AS n FROM comments
	    WHERE author_id = p_user AND hidden_at IS NULL
	    GROUP BY post_id) x
	    WHERE p.id = x.post_id;
	UPDATE comments SET hidden_at = now()
	    WHERE author_id = p_user AND hidden_at IS NULL;
	UPDATE reports SET resolved_at = now(), resolution = 'hidden'
	    WHERE resolved_at IS NULL AND (post_id IN (SELECT id FROM posts
	    WHERE author_id = p_user) OR comment_id IN (SELECT id FROM
	    comments WHERE author_id = p_user));
END
$$;

-- The role of an actor who may act now (not suspended), or NULL.
CREATE FUNCTION actor_role(p_actor bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT role FROM users WHERE id = p_actor AND
	    (suspended_until IS NULL OR suspended_until <= now())
$$;

-- Whether an actor of role a_role may act on a target owned by t_user
-- of role t_role: NULL when yes, else 'not_found' (no target), 'self'
-- (one's own) or 'rank' (the owner's rank is the actor's or above).
CREATE FUNCTION target_refusal(p_actor bigint, a_role text, t_id bigint,
    t_user bigint, t_role text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN t_id IS NULL THEN 'not_found'
	    WHEN t_user = p_actor THEN 'self'
	    WHEN role_rank(t_role) >= role_rank(a_role) THEN 'rank' END
$$;

-- A moderation action, checked, done, and logged, in one transaction.
--   p_actor   who acts (must be a moderator or admin, not suspended)
--   p_action  hide_post, unhide_post, delete_post, close_comments,
--             open_comments, hide_comment, unhide_comment,
--             delete_comment (p_id: the post or comment), suspend_user,
--             unsuspend_user (p_name: the username; p_days: NULL for
--             good; p_hide: hide their posts and comments too),
--             dismiss_report (p_id: the report)
-- outcome: 'ok' (done and logged: log_id), 'bad_action', 'forbidden'
-- (the actor may not moderate), 'not_found', 'self' (one's own content
-- or account), 'rank' (the target's owner is of the actor's rank or
-- above: a moderator cannot act on an admin), 'unchanged' (already so:
-- nothing logged).  Drafts do not exist for moderators; hidden posts do.
CREATE FUNCTION mod_act(p_actor bigint, p_action text, p_id bigint,
    p_name text, p_reason text, p_days integer, p_hide boolean,
    OUT outcome text, OUT log_id bigint, OUT post_id bigint,
    OUT subject text)
LANGUAGE plpgsql AS $$
DECLARE
	a_role		text;
	t_type		text;
	t_id		bigint;
	t_user		bigint;
	t_role		text;
	t_summary	text;
	v_until		timestamptz;
	v_visible	boolean;
	n		integer;
BEGIN
	a_role := actor_role(p_actor);
	IF a_role IS NULL OR role_rank(a_role) < 1 THEN
		outcome := 'forbidden';
		RETURN;
	END IF;

	IF p_action IN ('hide_post', 'unhide_post', 'delete_post',
	    'close_comments', 'open_comments') THEN
		t_type := 'post';
		SELECT p.id, p.author_id, u.role, u.username, left(p.title, 200)
		    INTO t_id, t_user, t_role, subject, t_summary
		    FROM posts p JOIN users u ON u.id = p.author_id
		    WHERE p.id = p_id AND (p.published OR p.hidden_at IS NOT NULL)
		    FOR UPDATE OF p;
		post_id := t_id;
	ELSIF p_action IN ('hide_comment', 'unhide_comment',
	    'delete_comment') THEN
		t_type := 'comment';
		SELECT c.id, c.author_id, u.role, u.username, left(c.body, 200),
		    c.post_id, c.hidden_at IS NULL
		    INTO t_id, t_user, t_role, subject, t_summary, post_id,
		    v_visible
		    FROM comments c JOIN users u ON u.id = c.author_id
		    JOIN posts p ON p.id = c.post_id
		    WHERE c.id = p_id AND (p.published OR p.hidden_at IS NOT NULL)
		    FOR UPDATE OF c;
	ELSIF p_action IN ('suspend_user', 'unsuspend_user') THEN
		t_type := 'user';
		SELECT u.id, u.id, u.role, u.username, u.username
		    INTO t_id, t_user, t_role, subject, t_summary
		    FROM users u WHERE lower(u.username) = lower(p_name)
		    AND u.id IS DISTINCT FROM (SELECT deleted_user
		    FROM site_settings) FOR UPDATE;
	ELSIF p_action = 'dismiss_report' THEN
		t_type := 'report';
		SELECT r.id, coalesce(p.author_id, c.author_id), u.role,
		    u.username, left(coalesce(p.title, c.body), 200),
		    coalesce(r.post_id, c.post_id)
		    INTO t_id, t_user, t_role, subject, t_summary, post_id
		    FROM reports r LEFT JOIN posts p ON p.id = r.post_id
		    LEFT JOIN comments c ON c.id = r.comment_id
		    JOIN users u ON u.id = coalesce(p.author_id, c.author_id)
		    WHERE r.id = p_id AND r.resolved_at IS NULL
		    FOR UPDATE OF r;
	ELSE
		outcome := 'bad_action';
		RETURN;
	END IF;
	outcome := target_refusal(p_actor, a_role, t_id, t_user, t_role);
	IF outcome IS NOT NULL THEN
		RETURN;
	END IF;

	CASE p_action
	WHEN 'hide_post' THEN
		UPDATE posts SET hidden_at = now(), hidden_published = published,
		    published = false WHERE id = t_id AND hidden_at IS NULL;
	WHEN 'unhide_post' THEN
		UPDATE posts SET published = hidden_published, hidden_at = NULL
		    WHERE id = t_id AND hidden_at IS NOT NULL;
	WHEN 'delete_post' THEN
		DELETE FROM posts WHERE id = t_id;
	WHEN 'close_comments' THEN
		UPDATE posts SET comments_closed = true
		    WHERE id = t_id AND NOT comments_closed;
	WHEN 'open_comments' THEN
		UPDATE posts SET comments_closed = false
		    WHERE id = t_id AND comments_closed;
	WHEN 'hide_comment' THEN
		UPDATE comments SET hidden_at = now()
		    WHERE id = t_id AND hidden_at IS NULL;
	WHEN 'unhide_comment' THEN
		UPDATE comments SET hidden_at = NULL
		    WHERE id = t_id AND hidden_at IS NOT NULL;
	WHEN 'delete_comment' THEN
		DELETE FROM comments WHERE id = t_id;
	WHEN 'suspend_user' THEN
		v_until := CASE WHEN p_days IS NULL THEN 'infinity'::timestamptz
		    ELSE now() + make_interval(days => p_days) END;
		UPDATE users SET suspended_until = v_until WHERE id = t_id;
	WHEN 'unsuspend_user' THEN
		UPDATE users SET suspended_until = NULL
		    WHERE id = t_id AND suspended_until > now();
	WHEN 'dismiss_report' THEN
		UPDATE reports SET resolved_at = now(), resolved_by = p_actor,
		    resolution = 'dismissed' WHERE id = t_id;
	END CASE;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n = 0 THEN
		outcome := 'unchanged';
		RETURN;
	END IF;

	-- What follows from it: counters, sessions, reports.
	IF p_action IN ('hide_comment', 'delete_comment') AND
	    coalesce(v_visible, true) THEN
		UPDATE posts SET comment_count = comment_count - 1
		    WHERE id = post_id;
	ELSIF p_action = 'unhide_comment' THEN
		UPDATE posts SET comment_count = comment_count + 1
		    WHERE id = post_id;
	ELSIF p_action = 'suspend_user' THEN
		DELETE FROM sessions WHERE user_id = t_id;
		IF p_hide THEN
			PERFORM user_content_hide(t_id);
		END IF;
	END IF;
	IF p_action IN ('hide_post', 'delete_post', 'close_comments') THEN
		UPDATE reports SET resolved_at = now(), resolved_by = p_actor,
		    resolution = p_action
		    WHERE reports.post_id = t_id AND resolved_at IS NULL;
	ELSIF p_action IN ('hide_comment', 'delete_comment') THEN
		UPDATE reports SET resolved_at = now(), resolved_by = p_actor,
		    resolution = p_action
		    WHERE comment_id = t_id AND resolved_at IS NULL;
	END IF;

	INSERT INTO mod_log (actor_id, action, target_type, target_id,
	    subject_id, summary, reason, until)
	    VALUES (p_actor, p_action, t_type, t_id, t_user, t_summary,
	    coalesce(p_reason, ''), v_until)
	    RETURNING id INTO log_id;
	outcome := 'ok';
END
$$;

-- An admin names a moderator or makes one an ordinary user again
-- ('moderator' or 'user'; admins are named by ADMIN_USERS or
-- scripts/admin only).  Same outcomes as mod_act.
CREATE FUNCTION role_set(p_actor bigint, p_name text, p_role text,
    OUT outcome text, OUT log_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
	a_role	text;
	t_id	bigint;
	t_role	text;
	t_name	text;
BEGIN
	a_role := actor_role(p_actor);
	IF a_role IS DISTINCT FROM 'admin' THEN
		outcome := 'forbidden';
		RETURN;
	END IF;
	IF p_role NOT IN ('user', 'moderator') THEN
		outcome := 'bad_action';
		RETURN;
	END IF;
	SELECT u.id, u.role, u.username INTO t_id, t_role, t_name
	    FROM users u WHERE lower(u.username) = lower(p_name)
	    AND u.id IS DISTINCT FROM (SELECT deleted_user FROM site_settings)
	    FOR UPDATE;
	outcome := target_refusal(p_actor, a_role, t_id, t_id, t_role);
	IF outcome IS NOT NULL THEN
		RETURN;
	END IF;
	IF t_role = p_role THEN
		outcome := 'unchanged';
		RETURN;
	END IF;
	UPDATE users SET role = p_role WHERE id = t_id;
	INSERT INTO mod_log (actor_id, action, target_type, target_id,
	    subject_id, summary)
	    VALUES (p_actor, 'set_role_' || p_role, 'user', t_id, t_id, t_name)
	    RETURNING id INTO log_id;
	outcome := 'ok';
END
$$;

-- A password set by a reset (link or recovery code): every session, API
-- token, remembered device and other reset link of the account goes, its
-- login lock-outs are lifted, and its verified address is told (p_mail:
-- when the site sends mail).
CREATE FUNCTION password_reset_apply(p_user bigint, p_hash text,
    p_mail boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_name	text;
	v_email	text;
BEGIN
	UPDATE users SET password_hash = p_hash WHERE id = p_user
	    RETURNING username, email INTO v_name, v_email;
	DELETE FROM sessions WHERE user_id = p_user;
	UPDATE api_tokens SET revoked_at = now()
	    WHERE user_id = p_user AND revoked_at IS NULL;
	DELETE FROM login_devices WHERE user_id = p_user;
	DELETE FROM password_resets WHERE user_id = p_user;
	DELETE FROM login_backoff WHERE username_lower = lower(v_name);
	IF v_email IS NOT NULL AND p_mail THEN
		INSERT INTO mail_queue (user_id, kind, to_addr, username)
		    VALUES (p_user, 'password_changed', v_email, v_name);
	END IF;
END
$$;

-- A reset link used: the link (id, token hash) must be live; it goes,
-- and the password is set.  Returns the user, or NULL.
CREATE FUNCTION password_reset_by_link(p_id bigint, p_token bytea,
    p_hash text, p_mail boolean) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	uid	bigint;
BEGIN
	DELETE FROM password_resets WHERE id = p_id AND token_hash = p_token
	    AND expires_at > now() RETURNING user_id INTO uid;
	IF uid IS NOT NULL THEN
		PERFORM password_reset_apply(uid, p_hash, p_mail);
	END IF;
	RETURN uid;
END
$$;

-- A recovery code used: it goes, and the password is set.  Returns the
-- user, or NULL when the code was used meanwhile.
CREATE FUNCTION password_reset_by_code(p_user bigint, p_code bytea,
    p_hash text, p_mail boolean) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	uid	bigint;
BEGIN
	DELETE FROM recovery_codes WHERE user_id = p_user
	    AND code_hash = p_code RETURNING user_id INTO uid;
	IF uid IS NOT NULL THEN
		PERFORM password_reset_apply(uid, p_hash, p_mail);
	END IF;
	RETURN uid;
END
$$;

-- Deletes an account for good, in one transaction: its comments and likes
-- (counters follow), its posts (those that others commented on stay as
-- empty posts of the deleted account, with those comments), images,
-- sessions, tokens, devices, codes, links, reports and queued mail.
-- Waits at most 5 seconds for the account's row (an export holds it
-- while it reads): then SQLSTATE 55P03, and nothing was done.
-- existed is false when the account is already gone; keys are the storage keys
-- (served, upload and variants) of its images, for their objects to be
-- deleted.
CREATE FUNCTION account_delete(p_user bigint, OUT existed boolean,
    OUT keys text[])
LANGUAGE plpgsql AS $$
DECLARE
	ghost	bigint;
BEGIN
	PERFORM set_config('lock_timeout', '5s', true);
	PERFORM 1 FROM users WHERE id = p_user FOR UPDATE;
	existed := FOUND;
	keys := '{}';
	IF NOT existed OR p_user IS NOT DISTINCT FROM
	    (SELECT deleted_user FROM site_settings) THEN
		existed := false;
		RETURN;
	END IF;
	PERFORM set_config('lock_timeout', '0', true);

	UPDATE posts p SET like_count = p.like_count - 1
	    FROM likes l WHERE l.user_id = p_user AND l.post_id = p.id;
	DELETE FROM likes WHERE user_id = p_user;
	UPDATE posts p SET comment_count = p.comment_count - x.n
	    FROM (SELECT post_id, count(*) AS n FROM comments
	    WHERE author_id = p_user AND hidden_at IS NULL
	    GROUP BY post_id) x
	    WHERE p.id = x.post_id;
	DELETE FROM comments WHERE author_id = p_user;
	IF EXISTS (SELECT 1 FROM posts p WHERE p.author_id = p_user AND
	    EXISTS (SELECT 1 FROM comments c WHERE c.post_id = p.id)) THEN
		ghost := deleted_account();
	END IF;
	UPDATE posts SET author_id = ghost, title = '(deleted)',
	    body_md = '', body_html = '', excerpt = '', tags = '{}',
	    metadata = '{}', updated_at = now(), comments_closed = true
	    WHERE author_id = p_user AND EXISTS (SELECT 1 FROM comments c
	    WHERE c.post_id = posts.id);
	DELETE FROM posts WHERE author_id = p_user;
	SELECT coalesce(array_agg(k), '{}') INTO keys FROM (
	    SELECT key AS k FROM images WHERE owner_id = p_user AND
	    key IS NOT NULL UNION SELECT upload_key FROM images
	    WHERE owner_id = p_user AND upload_key IS NOT NULL
	    UNION SELECT v.key FROM image_variants v JOIN images i
	    ON i.id = v.image_id WHERE i.owner_id = p_user) x;
	UPDATE users SET avatar_image_id = NULL WHERE id = p_user;
	DELETE FROM images WHERE owner_id = p_user;
	DELETE FROM users WHERE id = p_user;
END
$$;
