/*
 * db_account.c: SQL for an account's life (see db_account.h), the row
 * decoder, and the export's blocking queries (run in a task with a
 * connection of its own, never on a worker's event loop).
 */

#include <stdio.h>
#include <string.h>

#include "db/db_account.h"

const struct db_stmt db_account_get = { "account_get",
    "SELECT u.role, u.email, (SELECT v.email FROM email_verifications v "
    "WHERE v.user_id = u.id AND v.expires_at > now() ORDER BY v.id DESC "
    "LIMIT 1), (SELECT count(*) FROM recovery_codes c WHERE "
    "c.user_id = u.id) FROM users u WHERE u.id = $1::bigint", 1, DB_READ };

const struct db_stmt db_email_request = { "email_request",
    "WITH r AS MATERIALIZED (SELECT rate_take('verify', $1::bigint::text, "
    "$6::int, true) AS wait), "
    "d AS (DELETE FROM email_verifications WHERE user_id = $1::bigint AND "
    "(SELECT wait FROM r) = 0), "
    "v AS (INSERT INTO email_verifications (user_id, email, token_hash, "
    "expires_at) SELECT $1::bigint, $2, $3::bytea, now() + "
    "make_interval(hours => $5::int) FROM r WHERE r.wait = 0 "
    "RETURNING id), "
    "m AS (INSERT INTO mail_queue (user_id, kind, to_addr, username, token, "
    "expires_at) SELECT $1::bigint, 'verify', $2, u.username, "
    "v.id || '.' || $4, now() + make_interval(hours => $5::int) "
    "FROM v, users u WHERE u.id = $1::bigint) "
    "SELECT (SELECT wait FROM r), (SELECT id FROM v)", 6, 0 };

const struct db_stmt db_email_remove = { "email_remove",
    "WITH o AS (SELECT id, username, email FROM users "
    "WHERE id = $1::bigint), "
    "u AS (UPDATE users SET email = NULL, email_verified_at = NULL "
    "WHERE id = $1::bigint AND email IS NOT NULL RETURNING id), "
    "d AS (DELETE FROM email_verifications WHERE user_id = $1::bigint), "
    "m AS (INSERT INTO mail_queue (user_id, kind, to_addr, username) "
    "SELECT o.id, 'email_removed', o.email, o.username FROM o "
    "WHERE o.email IS NOT NULL AND $2::boolean AND "
    "EXISTS (SELECT 1 FROM u)) "
    "SELECT EXISTS (SELECT 1 FROM u)", 2, 0 };

const struct db_stmt db_verify_lookup = { "verify_lookup",
    "SELECT token_hash, expires_at > now() FROM email_verifications "
    "WHERE id = $1::bigint", 1, DB_READ };

/*
 * The link is used up even when another account verified the address
 * first (then nothing is set): the person holding it owns that mailbox.
 */
const struct db_stmt db_verify_apply = { "verify_apply",
    "WITH v AS (DELETE FROM email_verifications WHERE id = $1::bigint AND "
    "token_hash = $2::bytea AND expires_at > now() "
    "RETURNING user_id, email), "
    "o AS (SELECT u.id, u.username, u.email AS old FROM users u "
    "JOIN v ON v.user_id = u.id), "
    "t AS (SELECT 1 FROM users x, v WHERE lower(x.email) = lower(v.email) "
    "AND x.id <> v.user_id), "
    "u AS (UPDATE users SET email = v.email, email_verified_at = now() "
    "FROM v WHERE users.id = v.user_id AND NOT EXISTS (SELECT 1 FROM t) "
    "RETURNING users.id), "
    "m AS (INSERT INTO mail_queue (user_id, kind, to_addr, username, "
    "detail) SELECT o.id, 'email_changed', o.old, o.username, v.email "
    "FROM o, v WHERE o.old IS NOT NULL AND lower(o.old) <> lower(v.email) "
    "AND EXISTS (SELECT 1 FROM u) AND $3::boolean) "
    "SELECT EXISTS (SELECT 1 FROM v), EXISTS (SELECT 1 FROM u), "
    "(SELECT email FROM v)", 3, 0 };

/*
 * The same steps for an unknown address as for a known one, and the
 * same answer: the limit per address typed (and per client address) is
 * taken first, for both; a known account's own limit, when reached,
 * silently sends nothing more.
 */
const struct db_stmt db_reset_request = { "reset_request",
    "WITH a AS MATERIALIZED (SELECT rate_take('reset_login', $1, $3::int, "
    "false) AS w), "
    "b AS MATERIALIZED (SELECT CASE WHEN a.w = 0 THEN rate_take("
    "'reset_addr', host($2::inet), $3::int * 10, true) ELSE a.w END "
    "AS wait FROM a), "
    "u AS MATERIALIZED (SELECT id, username, email FROM users "
    "WHERE email IS NOT NULL AND (lower(email) = $1 OR "
    "lower(username) = $1) AND $7::boolean AND (SELECT wait FROM b) = 0 "
    "LIMIT 1), "
    "c AS MATERIALIZED (SELECT u.*, rate_take('reset_user', u.id::text, "
    "$3::int, false) AS w FROM u), "
    "r AS (INSERT INTO password_resets (user_id, token_hash, expires_at) "
    "SELECT id, $4::bytea, now() + make_interval(mins => $6::int) FROM c "
    "WHERE c.w = 0 RETURNING id, user_id), "
    "m AS (INSERT INTO mail_queue (user_id, kind, to_addr, username, token, "
    "expires_at) SELECT c.id, 'reset', c.email, c.username, "
    "r.id || '.' || $5, now() + make_interval(mins => $6::int) "
    "FROM c JOIN r ON r.user_id = c.id) "
    "SELECT wait FROM b", 7, 0 };

const struct db_stmt db_reset_lookup = { "reset_lookup",
    "SELECT token_hash, expires_at > now() FROM password_resets "
    "WHERE id = $1::bigint", 1, DB_READ };

const struct db_stmt db_reset_apply = { "reset_apply",
    "SELECT password_reset_by_link($1::bigint, $2::bytea, $3, $4::boolean)",
    4, 0 };

const struct db_stmt db_recovery_lookup = { "recovery_lookup",
    "WITH a AS MATERIALIZED (SELECT rate_take('recovery_name', lower($1), "
    "$3::int, false) AS w), "
    "b AS MATERIALIZED (SELECT CASE WHEN a.w = 0 THEN rate_take("
    "'recovery_addr', host($2::inet), $3::int * 10, true) ELSE a.w END "
    "AS wait FROM a) "
    "SELECT b.wait, u.id, (SELECT string_agg(encode(c.code_hash, 'hex'), "
    "',') FROM recovery_codes c WHERE c.user_id = u.id) "
    "FROM b LEFT JOIN users u ON lower(u.username) = lower($1) AND "
    "b.wait = 0", 3, 0 };

const struct db_stmt db_recovery_apply = { "recovery_apply",
    "SELECT password_reset_by_code($1::bigint, $2::bytea, $3, "
    "$4::boolean)", 4, 0 };

const struct db_stmt db_recovery_set = { "recovery_set",
    "WITH d AS (DELETE FROM recovery_codes WHERE user_id = $1::bigint) "
    "INSERT INTO recovery_codes (user_id, code_hash) "
    "SELECT $1::bigint, decode(h, 'hex') FROM "
    "unnest(string_to_array($2, ',')) h", 2, 0 };

const struct db_stmt db_export_take = { "export_take",
    "SELECT rate_take('export', $1::bigint::text, $2::int, true)", 2, 0 };

const struct db_stmt db_account_delete = { "account_delete",
    "SELECT existed, keys FROM account_delete($1::bigint)", 1, 0 };

void
db_account_row(const struct dbq *q, int row, struct account *a)
{
	a->role = db_text(q, row, 0);
	a->email = db_isnull(q, row, 1) ? NULL : db_text(q, row, 1);
	a->pending = db_isnull(q, row, 2) ? NULL : db_text(q, row, 2);
	a->codes = db_int(q, row, 3);
}

/*
 * Everything the account wrote, as one JSON document built by
 * PostgreSQL: the profile, posts (Markdown), comments, likes and the
 * list of images (file: where the image is in the archive, or null when
 * it has no served copy).  Hidden posts and comments are the author's
 * too.
 */
#define EXPORT_SQL \
	"SELECT u.username, json_build_object(" \
	"'format', 'kblog-export-1', 'exported_at', now(), " \
	"'account', json_build_object('id', u.id, 'username', u.username, " \
	"'display_name', u.display_name, 'bio', u.bio, 'email', u.email, " \
	"'role', u.role, 'created_at', u.created_at), " \
	"'posts', coalesce((SELECT json_agg(json_build_object('id', p.id, " \
	"'title', p.title, 'body_markdown', p.body_md, 'tags', p.tags, " \
	"'published', p.published, 'hidden', p.hidden_at IS NOT NULL, " \
	"'metadata', p.metadata, 'like_count', p.like_count, " \
	"'comment_count', p.comment_count, 'created_at', p.created_at, " \
	"'updated_at', p.updated_at) ORDER BY p.id) FROM posts p " \
	"WHERE p.author_id = u.id), '[]'), " \
	"'comments', coalesce((SELECT json_agg(json_build_object('id', c.id, " \
	"'post_id', c.post_id, 'body', c.body, 'hidden', " \
	"c.hidden_at IS NOT NULL, 'created_at', c.created_at) ORDER BY c.id) " \
	"FROM comments c WHERE c.author_id = u.id), '[]'), " \
	"'likes', coalesce((SELECT json_agg(json_build_object('post_id', " \
	"l.post_id, 'created_at', l.created_at) ORDER BY l.post_id) " \
	"FROM likes l WHERE l.user_id = u.id), '[]'), " \
	"'images', coalesce((SELECT json_agg(json_build_object('id', i.id, " \
	"'filename', i.filename, 'content_type', i.content_type, " \
	"'byte_size', i.byte_size, 'state', i.state, 'created_at', " \
	"i.created_at, 'avatar', i.id = u.avatar_image_id, 'file', " \
	"CASE WHEN i.state = 'ready' AND i.key IS NOT NULL THEN 'images/' " \
	"|| i.id || substring(i.key FROM '\\.[a-z]+$') END) ORDER BY i.id) " \
	"FROM images i WHERE i.owner_id = u.id), '[]')), " \
	"(SELECT string_agg(i.id || E'\\t' || i.key || E'\\t' || " \
	"coalesce((SELECT v.byte_size FROM image_variants v WHERE " \
	"v.key = i.key), i.byte_size), E'\\n' ORDER BY i.id) " \
	"FROM images i WHERE " \
	"i.owner_id = u.id AND i.state = 'ready' AND i.key IS NOT NULL) " \
	"FROM users u WHERE u.id = $1::bigint"

int
db_export_begin(PGconn *conn, int64_t user, struct sbuf *json,
    struct sbuf *images, char *username, size_t len)
{
	PGresult	*r;
	const char	*params[1], *st;
	char		 id[24];
	int		 rc;

	(void)snprintf(id, sizeof(id), "%lld", (long long)user);
	params[0] = id;
	/*
	 * Read committed: the row lock waits for a deletion (and then finds
	 * nothing) where repeatable read would fail on the deleted row; the
	 * document is one statement, so it is one consistent snapshot.
	 */
	r = PQexec(conn, "BEGIN; SET LOCAL lock_timeout = '5s'");
	rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -3;
	PQclear(r);
	if (rc != 0)
		return (rc);
	/* Held until db_export_end(): a deletion waits for the export. */
	r = PQexecParams(conn, "SELECT 1 FROM users WHERE id = $1::bigint "
	    "FOR KEY SHARE", 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		rc = st != NULL && !strcmp(st, "55P03") ? -2 : -3;
	} else if (PQntuples(r) != 1) {
		rc = -1;
	}
	PQclear(r);
	if (rc != 0)
		return (rc);
	r = PQexecParams(conn, EXPORT_SQL, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		PQclear(r);
		return (-3);
	}
	(void)snprintf(username, len, "%s", PQgetvalue(r, 0, 0));
	sbuf_add(json, PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
	sbuf_add(images, PQgetvalue(r, 0, 2), (size_t)PQgetlength(r, 0, 2));
	PQclear(r);
	return (0);
}

void
db_export_end(PGconn *conn)
{
	PQclear(PQexec(conn, "COMMIT"));
}
