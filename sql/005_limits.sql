-- Limits and throttles: token buckets for writes and registrations,
-- per-lane login back-off, remembered devices, upload caps, and the
-- indexes the paged token and image lists need.

-- A token bucket per (kind, subject): kind 'post', 'comment' or 'upload'
-- with a user id, 'register_addr' with a client address, 'register' with
-- ''.  It holds at most N tokens for a limit of N an hour and refills
-- evenly (N an hour); tokens is what it held at time at.  A bucket left
-- alone for an hour is full again, the same as no row, so rows that old
-- may be deleted at any time.
CREATE TABLE rate_buckets (
	kind		text NOT NULL,
	subject		text NOT NULL,
	tokens		double precision NOT NULL,
	at		timestamptz NOT NULL,
	PRIMARY KEY (kind, subject)
);
CREATE INDEX rate_buckets_at ON rate_buckets (at);

-- Takes one token from the bucket (kind, subject) with a limit of
-- per_hour (0 or less: no limit).  Returns 0 when it took one, else the
-- seconds until one is there.  Race-free: the INSERT ... ON CONFLICT
-- locks the bucket's row, so parallel callers queue on it and each sees
-- what the previous one left.  With sweep, it then deletes two rows of
-- buckets that are full again (SKIP LOCKED: never waits); a statement
-- taking two buckets sweeps only with the last, so it never holds a swept
-- row while it waits for another bucket.
CREATE FUNCTION rate_take(p_kind text, p_subject text, p_per_hour integer,
    p_sweep boolean)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	have	double precision;
BEGIN
	IF p_per_hour IS NULL OR p_per_hour <= 0 THEN
		RETURN 0;
	END IF;
	INSERT INTO rate_buckets AS b (kind, subject, tokens, at)
	    VALUES (p_kind, p_subject, p_per_hour, now())
	    ON CONFLICT (kind, subject) DO UPDATE SET
		tokens = least(p_per_hour::double precision, b.tokens +
		    greatest(0, extract(epoch FROM now() - b.at)) *
		    p_per_hour / 3600.0),
		at = greatest(b.at, now())
	    RETURNING tokens INTO have;
	IF have >= 1 THEN
		UPDATE rate_buckets SET tokens = have - 1
		    WHERE kind = p_kind AND subject = p_subject;
	END IF;
	IF p_sweep THEN
		DELETE FROM rate_buckets WHERE (kind, subject) IN (
		    SELECT kind, subject FROM rate_buckets
		    WHERE at < now() - interval '1 hour'
		    ORDER BY at LIMIT 2 FOR UPDATE SKIP LOCKED);
	END IF;
	IF have >= 1 THEN
		RETURN 0;
	END IF;
	RETURN greatest(1, ceil((1 - have) * 3600 / p_per_hour))::integer;
END
$$;

-- Login back-off per lane: a (username, client address) pair, or a
-- remembered device of that user ('device ' and its hash in hex), or
-- 'password' for the current-password check of /settings/password.
-- failures counts the attempts that reached the password check since the
-- last success (recorded before the check, reset by a success); after 5,
-- each further attempt waits 30 s, 60 s, 2, 4, 8 then 15 minutes from the
-- last one.  A row untouched for a day counts as no row.
CREATE TABLE login_backoff (
	username_lower	text NOT NULL,
	lane		text NOT NULL,
	failures	integer NOT NULL,
	last_at		timestamptz NOT NULL,
	PRIMARY KEY (username_lower, lane)
);
CREATE INDEX login_backoff_last ON login_backoff (last_at);

-- A browser that logged in: the kb_device cookie carries a random token,
-- this table its SHA-256.  Its presence for the user lets a login from
-- that browser skip the per-username and per-address lock-outs (it has
-- its own back-off lane).  A new token at every login.
CREATE TABLE login_devices (
	token_hash	bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX login_devices_user ON login_devices (user_id, created_at);

-- May owner start an upload of size bytes?  NULL refusal: yes.  Else
-- 'pending' (pending_max uploads not completed yet; wait: seconds until
-- the oldest is swept) or 'quota' (the owner's images, pending and ready,
-- would pass quota bytes).  0 means no limit.  The owner's row is locked
-- first (FOR NO KEY UPDATE: foreign keys still see it), and the images
-- are counted by a later statement that sees every upload committed by
-- the previous holder of the lock; the caller inserts its row in the same
-- statement, so parallel uploads of one user cannot pass the caps.
CREATE FUNCTION upload_admit(p_owner bigint, p_size bigint,
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
	    coalesce(sum(byte_size), 0),
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

-- Paged lists of tokens and images (newest first, keyset on
-- (created_at, id)).
CREATE INDEX api_tokens_user_live ON api_tokens
    (user_id, created_at DESC, id DESC) WHERE revoked_at IS NULL;
CREATE INDEX images_owner_created ON images
    (owner_id, created_at DESC, id DESC);
