-- Accounts: sessions, login throttling, API tokens.

-- A browser session.  The cookie carries a random 32-byte token; only its
-- SHA-256 is stored, so a database leak yields no usable cookies.  Fixed
-- lifetime (SESSION_DAYS from login); logout deletes the row.
CREATE TABLE sessions (
	token_hash	bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf_secret	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed logins, kept 15 minutes, shared by every instance.
CREATE TABLE login_failures (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username_lower	text NOT NULL,
	addr		inet NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_user ON login_failures (username_lower, at);
CREATE INDEX login_failures_addr ON login_failures (addr, at);

-- Personal bearer tokens for the JSON API (hashed like sessions).
CREATE TABLE api_tokens (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash	bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
	name		text NOT NULL DEFAULT '' CHECK (char_length(name) <= 100),
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_used_at	timestamptz,
	revoked_at	timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
