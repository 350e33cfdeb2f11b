-- kblog schema, first cut.  Migrations are applied in order at start-up,
-- each in one transaction (src/migrate.c); never edit an applied file,
-- add a new one.

CREATE TABLE users (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username	text NOT NULL
	    CHECK (username ~ '^[A-Za-z0-9_-]{3,32}$'),
	password_hash	text NOT NULL,
	display_name	text NOT NULL DEFAULT ''
	    CHECK (char_length(display_name) <= 64),
	bio		text NOT NULL DEFAULT ''
	    CHECK (char_length(bio) <= 2000),
	created_at	timestamptz NOT NULL DEFAULT now()
);
-- Unique case-insensitively: "Alice" and "alice" are one user.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
