/*
 * db_sessions.c: SQL for sessions and API tokens, and their decoders.
 */

#include <string.h>

#include "db/db_sessions.h"

#define TOKEN_COLS	"t.id, t.name, t.created_at, t.last_used_at "
#define NOT_SUSPENDED(u) "(" u ".suspended_until IS NULL OR " \
			u ".suspended_until <= now())"

const struct db_stmt db_session_get = { "session_get",
    "SELECT u.id, u.username, u.display_name, s.csrf_secret, u.role, "
    "s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.token_hash = $1::bytea AND s.expires_at > now() AND "
    NOT_SUSPENDED("u"), 1, DB_READ };

/*
 * Only live (unrevoked) tokens; last_used_at is written at most once a
 * minute so reads stay reads.  Sending it twice is harmless (the same
 * note), so it is retried like a read when its connection dies.
 */
const struct db_stmt db_bearer_get = { "bearer_get",
    "WITH t AS (SELECT id, user_id, last_used_at FROM api_tokens "
    "WHERE token_hash = $1::bytea AND revoked_at IS NULL), "
    "u AS (UPDATE api_tokens SET last_used_at = now() WHERE id IN "
    "(SELECT id FROM t WHERE last_used_at IS NULL OR "
    "last_used_at < now() - interval '1 minute')) "
    "SELECT us.id, us.username, us.display_name, '', us.role, "
    "NULL::timestamptz FROM t JOIN users us ON us.id = t.user_id WHERE "
    NOT_SUSPENDED("us"), 1, DB_READ };

const struct db_stmt db_logout = { "logout",
    "DELETE FROM sessions WHERE token_hash = $1::bytea", 1, 0 };

/* The lane's back-off and this pair's failures go, as with the form. */
const struct db_stmt db_token_create = { "token_create",
    "WITH f AS (DELETE FROM login_failures WHERE username_lower = "
    "lower($4) AND addr = $5::inet), "
    "b AS (DELETE FROM login_backoff WHERE username_lower = lower($4) "
    "AND lane = $6), "
    "t AS (INSERT INTO api_tokens (user_id, token_hash, name) "
    "VALUES ($1::bigint, $2::bytea, $3) RETURNING *) "
    "SELECT " TOKEN_COLS "FROM t", 6, 0 };

const struct db_stmt db_tokens_list = { "tokens_list",
    "SELECT " TOKEN_COLS "FROM api_tokens t WHERE t.user_id = $1::bigint "
    "AND t.revoked_at IS NULL AND (t.created_at, t.id) < "
    "('epoch'::timestamptz + $2::bigint * interval '1 microsecond', "
    "$3::bigint) ORDER BY t.created_at DESC, t.id DESC LIMIT $4::int",
    4, DB_READ };

const struct db_stmt db_token_revoke = { "token_revoke",
    "UPDATE api_tokens SET revoked_at = now() WHERE id = $2::bigint "
    "AND user_id = $1::bigint AND revoked_at IS NULL RETURNING id",
    2, 0 };

void
db_who_row(const struct dbq *q, int row, struct who *w)
{
	w->id = db_int(q, row, 0);
	w->username = db_text(q, row, 1);
	w->display_name = db_text(q, row, 2);
	w->csrf = db_text(q, row, 3);
	w->role = db_role(db_text(q, row, 4));
	w->expires = db_time(q, row, 5);
}

int
db_role(const char *name)
{
	if (!strcmp(name, "admin"))
		return (ROLE_ADMIN);
	if (!strcmp(name, "moderator"))
		return (ROLE_MOD);
	return (ROLE_USER);
}

void
db_token_row(const struct dbq *q, int row, struct token *t)
{
	t->id = db_int(q, row, 0);
	t->name = db_text(q, row, 1);
	t->created_at = db_time(q, row, 2);
	t->last_used_at = db_time(q, row, 3);
}
