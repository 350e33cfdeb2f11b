/*
 * db_mod.c: SQL for roles, moderation, reports, the registration mode and
 * invitations, and the row decoders (see db_mod.h).
 */

#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "db/db_mod.h"
#include "lib/input_community.h"

#define AFTER(a, b)	"('epoch'::timestamptz + " a "::bigint * " \
			"interval '1 microsecond', " b "::bigint)"
#define ADMIN_NOW(id)	"(SELECT 1 FROM users WHERE id = " id "::bigint " \
			"AND role = 'admin' AND (suspended_until IS NULL " \
			"OR suspended_until <= now()))"

/* A log row: see db_mod_entry_row(); actor is the column given. */
/* The registration mode: a missing settings row reads as 'open'. */
#define MODE		"coalesce((SELECT registration FROM site_settings), " \
			"'open')"

#define LOG_COLS(actor) \
	"l.id, " actor ", l.action, l.target_type, l.target_id, " \
	"s.username, l.summary, l.reason, CASE WHEN l.until = 'infinity' " \
	"THEN NULL ELSE l.until END, l.until = 'infinity', l.created_at "

#define INV_COLS \
	"i.id, cu.username, i.note, i.created_at, i.expires_at, i.used_at, " \
	"uu.username, CASE WHEN i.used_at IS NOT NULL THEN 'used' " \
	"WHEN i.expires_at <= now() THEN 'expired' ELSE 'open' END "

const struct db_stmt db_mod_act = { "mod_act",
    "SELECT outcome, log_id, post_id, subject FROM mod_act($1::bigint, $2, "
    "$3::bigint, $4, $5, $6::int, $7::boolean)", 7, 0 };

const struct db_stmt db_role_set = { "role_set",
    "SELECT outcome, log_id FROM role_set($1::bigint, $2, $3)", 3, 0 };

const struct db_stmt db_mod_target = { "mod_target",
    "SELECT 1, p.id, p.id, u.username, u.role, p.title, "
    "p.hidden_at IS NOT NULL, p.comments_closed, false, false, NULL::text "
    "FROM posts p JOIN users u ON u.id = p.author_id WHERE $1 = 'post' "
    "AND p.id = $2::bigint AND (p.published OR p.hidden_at IS NOT NULL) "
    "UNION ALL SELECT 2, c.id, c.post_id, u.username, u.role, c.body, "
    "c.hidden_at IS NOT NULL, false, false, false, NULL "
    "FROM comments c JOIN users u ON u.id = c.author_id "
    "JOIN posts p ON p.id = c.post_id WHERE $1 = 'comment' AND "
    "c.id = $2::bigint AND (p.published OR p.hidden_at IS NOT NULL) "
    "UNION ALL SELECT 3, u.id, NULL, u.username, u.role, u.display_name, "
    "false, false, coalesce(u.suspended_until > now(), false), "
    "coalesce(u.suspended_until = 'infinity', false), "
    "CASE WHEN u.suspended_until < 'infinity' THEN "
    "u.suspended_until::text END "
    "FROM users u WHERE $1 = 'user' AND lower(u.username) = lower($3)",
    3, DB_READ };

const struct db_stmt db_registration_get = { "registration_get",
    "SELECT " MODE, 0, DB_READ };

const struct db_stmt db_registration_set = { "registration_set",
    "WITH a AS (" ADMIN_NOW("$1") "), "
    "u AS (INSERT INTO site_settings AS s (registration) SELECT $2 FROM a "
    "ON CONFLICT (id) DO UPDATE SET registration = excluded.registration, "
    "updated_at = now() WHERE s.registration <> excluded.registration "
    "RETURNING 1), "
    "l AS (INSERT INTO mod_log (actor_id, action, target_type, summary) "
    "SELECT $1::bigint, 'registration_' || $2, 'site', 'was ' || " MODE
    " FROM u) "
    "SELECT EXISTS (SELECT 1 FROM a), EXISTS (SELECT 1 FROM u)", 2, 0 };

/*
 * The target must be there for the reporter (a published post, a shown
 * comment on one); the rate limit's token is taken only for a new report.
 */
const struct db_stmt db_report_create = { "report_create",
    "WITH t AS (SELECT p.author_id FROM posts p WHERE $2::bigint IS NOT NULL "
    "AND p.id = $2::bigint AND p.published UNION ALL "
    "SELECT c.author_id FROM comments c JOIN posts p ON p.id = c.post_id "
    "WHERE $3::bigint IS NOT NULL AND c.id = $3::bigint AND p.published "
    "AND c.hidden_at IS NULL), "
    "ex AS (SELECT id FROM reports WHERE reporter_id = $1::bigint AND "
    "coalesce(post_id, 0) = coalesce($2::bigint, 0) AND "
    "coalesce(comment_id, 0) = coalesce($3::bigint, 0) AND "
    "resolved_at IS NULL), "
    "r AS MATERIALIZED (SELECT rate_take('report', $1::bigint::text, "
    "$5::int, true) AS wait FROM t WHERE t.author_id <> $1::bigint AND "
    "NOT EXISTS (SELECT 1 FROM ex)), "
    "i AS (INSERT INTO reports (reporter_id, post_id, comment_id, reason) "
    "SELECT $1::bigint, $2::bigint, $3::bigint, $4 FROM r WHERE r.wait = 0 "
    "ON CONFLICT DO NOTHING RETURNING id) "
    "SELECT EXISTS (SELECT 1 FROM t), "
    "coalesce((SELECT author_id FROM t) = $1::bigint, false), "
    "(SELECT wait FROM r), coalesce((SELECT id FROM i), "
    "(SELECT id FROM ex))", 5, 0 };

const struct db_stmt db_reports_open = { "reports_open",
    "SELECT r.id, ru.username, r.reason, r.created_at, "
    "coalesce(r.post_id, c.post_id), r.comment_id, "
    "left(coalesce(p.title, c.body), 200), au.username, "
    "coalesce(p.hidden_at, c.hidden_at) IS NOT NULL, "
    "(SELECT count(*) FROM reports o WHERE o.resolved_at IS NULL AND "
    "(o.post_id = r.post_id OR o.comment_id = r.comment_id)) "
    "FROM reports r JOIN users ru ON ru.id = r.reporter_id "
    "LEFT JOIN posts p ON p.id = r.post_id "
    "LEFT JOIN comments c ON c.id = r.comment_id "
    "JOIN users au ON au.id = coalesce(p.author_id, c.author_id) "
    "WHERE r.resolved_at IS NULL AND (r.created_at, r.id) > "
    AFTER("$1", "$2") " ORDER BY r.created_at, r.id LIMIT $3::int",
    3, DB_READ };

const struct db_stmt db_mod_log_all = { "mod_log_all",
    "SELECT " LOG_COLS("a.username") "FROM mod_log l "
    "LEFT JOIN users a ON a.id = l.actor_id "
    "LEFT JOIN users s ON s.id = l.subject_id "
    "WHERE (l.created_at, l.id) < " AFTER("$1", "$2")
    " ORDER BY l.created_at DESC, l.id DESC LIMIT $3::int", 3, DB_READ };

/* Moderators stay unnamed to the people whose content they acted on. */
const struct db_stmt db_mod_log_mine = { "mod_log_mine",
    "SELECT " LOG_COLS("NULL::text") "FROM mod_log l "
    "LEFT JOIN users s ON s.id = l.subject_id "
    "WHERE l.subject_id = $1::bigint AND l.target_type IN "
    "('post', 'comment', 'user') AND (l.created_at, l.id) < "
    AFTER("$2", "$3") " ORDER BY l.created_at DESC, l.id DESC "
    "LIMIT $4::int", 4, DB_READ };

const struct db_stmt db_invitation_create = { "invitation_create",
    "WITH i AS (INSERT INTO invitations (token_hash, created_by, note, "
    "expires_at) VALUES ($2::bytea, $1::bigint, $3, now() + "
    "make_interval(days => $4::int)) RETURNING *), "
    "l AS (INSERT INTO mod_log (actor_id, action, target_type, target_id, "
    "summary) SELECT $1::bigint, 'create_invitation', 'invitation', id, "
    "note FROM i) "
    "SELECT " INV_COLS "FROM i LEFT JOIN users cu ON cu.id = i.created_by "
    "LEFT JOIN users uu ON uu.id = i.used_by", 4, 0 };

const struct db_stmt db_invitations_list = { "invitations_list",
    "SELECT " INV_COLS "FROM invitations i "
    "LEFT JOIN users cu ON cu.id = i.created_by "
    "LEFT JOIN users uu ON uu.id = i.used_by "
    "WHERE (i.created_at, i.id) < " AFTER("$1", "$2")
    " ORDER BY i.created_at DESC, i.id DESC LIMIT $3::int", 3, DB_READ };

const struct db_stmt db_invitation_revoke = { "invitation_revoke",
    "WITH d AS (DELETE FROM invitations WHERE id = $2::bigint AND "
    "used_at IS NULL RETURNING id, note), "
    "l AS (INSERT INTO mod_log (actor_id, action, target_type, target_id, "
    "summary) SELECT $1::bigint, 'revoke_invitation', 'invitation', id, "
    "note FROM d) "
    "SELECT id FROM d", 2, 0 };

const struct db_stmt db_invitation_check = { "invitation_check",
    "SELECT " MODE ", i.token_hash, i.used_at IS NULL AND "
    "i.expires_at > now() FROM (SELECT 1) one "
    "LEFT JOIN invitations i ON i.id = $1::bigint", 1, DB_READ };

void
db_mod_entry_row(const struct dbq *q, int row, struct mod_entry *e)
{
	e->id = db_int(q, row, 0);
	e->actor = db_isnull(q, row, 1) ? NULL : db_text(q, row, 1);
	e->action = db_text(q, row, 2);
	e->target_type = db_text(q, row, 3);
	e->target_id = db_isnull(q, row, 4) ? 0 : db_int(q, row, 4);
	e->subject = db_isnull(q, row, 5) ? NULL : db_text(q, row, 5);
	e->summary = db_text(q, row, 6);
	e->reason = db_text(q, row, 7);
	e->until = db_time(q, row, 8);
	e->forever = !db_isnull(q, row, 9) && db_bool(q, row, 9);
	e->created_at = db_time(q, row, 10);
}

void
db_report_row(const struct dbq *q, int row, struct report *r)
{
	r->id = db_int(q, row, 0);
	r->reporter = db_text(q, row, 1);
	r->reason = db_text(q, row, 2);
	r->created_at = db_time(q, row, 3);
	r->post_id = db_int(q, row, 4);
	r->comment_id = db_isnull(q, row, 5) ? 0 : db_int(q, row, 5);
	r->summary = db_text(q, row, 6);
	r->author = db_text(q, row, 7);
	r->hidden = db_bool(q, row, 8);
	r->open = db_int(q, row, 9);
}

void
db_invitation_row(const struct dbq *q, int row, struct invitation *i)
{
	i->id = db_int(q, row, 0);
	i->creator = db_isnull(q, row, 1) ? NULL : db_text(q, row, 1);
	i->note = db_text(q, row, 2);
	i->created_at = db_time(q, row, 3);
	i->expires_at = db_time(q, row, 4);
	i->used_at = db_time(q, row, 5);
	i->used_by = db_isnull(q, row, 6) ? NULL : db_text(q, row, 6);
	i->state = db_text(q, row, 7);
}

void
db_mod_target_row(const struct dbq *q, int row, struct mod_target *t)
{
	t->kind = (int)db_int(q, row, 0);
	t->id = db_int(q, row, 1);
	t->post_id = db_isnull(q, row, 2) ? 0 : db_int(q, row, 2);
	t->author = db_text(q, row, 3);
	t->author_role = db_text(q, row, 4);
	t->summary = db_text(q, row, 5);
	t->hidden = db_bool(q, row, 6);
	t->closed = db_bool(q, row, 7);
	t->suspended = db_bool(q, row, 8);
	t->forever = db_bool(q, row, 9);
	t->until = db_time(q, row, 10);
}

int
db_admins_apply(const char *conninfo, const char *admin_users, char *err,
    size_t errlen)
{
	PGconn		*conn;
	PGresult	*r;
	const char	*params[1];
	int		 i, rc;

	if (admin_users == NULL || !strcmp(admin_users, "{}"))
		return (0);
	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		PQfinish(conn);
		(void)snprintf(err, errlen, "ADMIN_USERS: cannot connect to "
		    "the database");
		return (-1);
	}
	params[0] = admin_users;
	r = PQexecParams(conn, "WITH u AS (UPDATE users SET role = 'admin' "
	    "WHERE lower(username) = ANY($1::text[]) AND role <> 'admin' "
	    "RETURNING id, username), "
	    "l AS (INSERT INTO mod_log (action, target_type, target_id, "
	    "subject_id, summary, reason) SELECT 'set_role_admin', 'user', id, "
	    "id, username, 'ADMIN_USERS' FROM u) "
	    "SELECT username, true FROM u UNION ALL "
	    "SELECT n, false FROM unnest($1::text[]) n WHERE NOT EXISTS "
	    "(SELECT 1 FROM users WHERE lower(username) = n)", 1, NULL, params,
	    NULL, NULL, 0);
	rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		(void)snprintf(err, errlen, "ADMIN_USERS: %s",
		    PQresultErrorMessage(r));
		rc = -1;
	} else {
		for (i = 0; i < PQntuples(r); i++) {
			if (*PQgetvalue(r, i, 1) == 't')
				kore_log(LOG_NOTICE, "ADMIN_USERS: %s is now an "
				    "admin", PQgetvalue(r, i, 0));
			else
				kore_log(LOG_NOTICE, "ADMIN_USERS: no account "
				    "%s yet (register it, then restart or run "
				    "scripts/admin grant)", PQgetvalue(r, i, 0));
		}
	}
	PQclear(r);
	PQfinish(conn);
	return (rc);
}
